import { createHash } from "node:crypto";
import { Writable } from "node:stream";
import { CoreV1Api, Exec, type KubeConfig, type V1Status } from "@kubernetes/client-node";
import type { Database } from "@/db/client";
import { CONTAINER_NAME } from "@/lib/devboxes/k8s-objects";
import { exitCodeOf } from "@/lib/terminal/exec";
import { teamDeveloperKeys } from "./user-keys";

/**
 * How users' public keys get into a devbox and stay current.
 *
 * sshd reads /run/devbox/ssh/authorized_keys (and the user's own ~/.ssh/authorized_keys). The
 * main process seeds it from the devbox Secret (the devbox's own key) when the Pod starts. Every
 * SSH connection goes through the dashboard (server/ws/ssh.ts), which first makes the file hold
 * the devbox's key plus the keys of every developer, admin and owner of the team, as the DB has
 * them now: one exec writes it when it differs from what this replica last wrote to that Pod
 * (a per-Pod hash in memory; a new Pod or another replica writes once more). So an added key
 * works on the next connection, and a removed key or member is gone from the file by the next
 * connection anyone makes. The file is defence in depth: the dashboard already authorized the
 * connection, and nothing else reaches the Pod's port 22 (team NetworkPolicy).
 */
const written = new Map<string, string>();
const MAX_REMEMBERED = 2000;

// Waits (up to 10 s) for the sshd the main process starts, then replaces the file atomically.
// Exit 3: the image has no sshd, 4: this Pod was started before SSH existed.
const WRITE_SCRIPT = [
  "[ -x /usr/sbin/sshd ] || exit 3",
  "i=0",
  'while [ ! -e /run/devbox/sshd.pid ]; do i=$((i+1)); [ "$i" -gt 100 ] && exit 4; sleep 0.1; done',
  "umask 077",
  'printf %s "$1" > /run/devbox/ssh/authorized_keys.new && mv -f /run/devbox/ssh/authorized_keys.new /run/devbox/ssh/authorized_keys',
].join("\n");

export class SshUnavailable extends Error {}

// The devbox's own key per Pod: its Secret does not change while the Pod lives (one read per Pod).
const ownKeys = new Map<string, string>();

export async function desiredAuthorizedKeys(kc: KubeConfig, db: Database, p: { namespace: string; secretName: string; teamId: string; podUid: string }): Promise<string> {
  let own = ownKeys.get(p.podUid);
  if (own === undefined) {
    const secret = await kc.makeApiClient(CoreV1Api).readNamespacedSecret({ name: p.secretName, namespace: p.namespace });
    own = Buffer.from(secret.data?.authorized_keys ?? "", "base64").toString("utf8").trim();
    if (ownKeys.size >= MAX_REMEMBERED) ownKeys.delete(ownKeys.keys().next().value!);
    ownKeys.set(p.podUid, own);
  }
  const keys = await teamDeveloperKeys(db, p.teamId);
  return ["# Managed by Devbox: the devbox's key and its team's developers' keys. Add your own to ~/.ssh/authorized_keys.", own, ...keys.map((k) => `${k.key} devbox-user:${k.userId}`), ""].join("\n");
}

/** Makes the Pod's authorized_keys what `desiredAuthorizedKeys` says (no exec when it already is). */
export async function syncAuthorizedKeys(kc: KubeConfig, db: Database, p: { namespace: string; pod: string; podUid: string; secretName: string; teamId: string }): Promise<void> {
  const content = await desiredAuthorizedKeys(kc, db, p);
  const hash = createHash("sha256").update(content).digest("hex");
  if (written.get(p.podUid) === hash) return;
  // The content is an argument (never interpolated into the script), not stdin: no EOF to signal.
  const code = await execStatus(kc, p.namespace, p.pod, ["/bin/sh", "-c", WRITE_SCRIPT, "devbox-authorized-keys", content]);
  if (code === 3) throw new SshUnavailable("This devbox's image has no SSH server (openssh-server).");
  if (code === 4) throw new SshUnavailable("SSH is not running in this devbox: restart it once to enable SSH.");
  if (code !== 0) throw new Error(`writing authorized_keys exited with ${code}`);
  if (written.size >= MAX_REMEMBERED) written.delete(written.keys().next().value!);
  written.set(p.podUid, hash);
}

function execStatus(kc: KubeConfig, namespace: string, pod: string, command: string[]): Promise<number | null> {
  const discard = () => new Writable({ write: (_c, _e, cb) => cb() });
  return new Promise((resolve, reject) => {
    let done = false;
    new Exec(kc)
      .exec(namespace, pod, CONTAINER_NAME, command, discard(), discard(), null, false, (status: V1Status) => {
        done = true;
        resolve(exitCodeOf(status));
      })
      .then((ws) => {
        ws.on("close", () => setImmediate(() => done || reject(new Error("exec closed without a status"))));
        ws.on("error", reject);
      }, reject);
  });
}
