// The registry on S3 object storage (cluster/lib/registry.sh, DEVBOX_REGISTRY_STORAGE=s3).
//
// A real S3-compatible server — versitygw, built from the Go module proxy by cluster/lib/s3-server.sh
// — and a second docker-registry started by registry.sh on S3 storage run on loopback ports of their
// own, with state in a temp dir; the shared registry on :5000 is only read from. Checked: an image
// pushed into it pulls back with the same digests and its blobs are objects in the bucket (listed
// through the S3 API); the dashboard's own registry calls (blob mount, read, delete) and the node
// agent's commit work on it, and Pods of the bundled cluster run from it; registry GC removes
// unreferenced blobs from the bucket and keeps the rest; a store switch or missing keys are refused.
// Needs a running cluster (npm run cluster -- up) and root (the agent reads containerd's snapshots).
import * as k8s from "@kubernetes/client-node";
import { execFile } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { copyImage, deleteManifest, getManifest, putBlob, putManifest } from "@/lib/snapshots/registry";
import { runRegistryGc } from "@/lib/snapshots/registry-gc";
import { listObjects, type S3Endpoint } from "../support/s3-client";
import { CONTAINERD_SOCKET, REGISTRY as SHARED_REGISTRY, STATE_DIR, adminConfig, devboxPod, execIn, exitCodeOf, waitFor, waitRunning } from "./cluster-helpers";

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, "../..");
const work = fs.mkdtempSync(path.join(os.tmpdir(), "devbox-registry-s3-"));
const BUCKET = "devbox-registry";
const KEY_PREFIX = "devbox-test"; // DEVBOX_REGISTRY_S3_ROOT: the registry's keys start with it
const BLOBS = `${KEY_PREFIX}/docker/registry/v2/blobs/sha256/`;
const accessKey = `AK${randomBytes(8).toString("hex").toUpperCase()}`;
const secretKey = randomBytes(24).toString("base64url");
const ns = `registry-s3-${process.pid}-${Date.now().toString(36)}`;
const NOTES = "/work/wt/notes/CLUSTER.log";

let s3: S3Endpoint;
let registry = ""; // host:port of the S3-backed registry
let hostsDir = ""; // containerd's hosts.toml dir for it (the shared cluster's containerd)
const kc = adminConfig();
const core = kc.makeApiClient(k8s.CoreV1Api);

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** The environment of registry.sh / agent.sh for the test registry: never the shared cluster's. */
function registryEnv(stateDir: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, DEVBOX_CLUSTER_DIR: stateDir, DEVBOX_REGISTRY: registry };
  for (const k of Object.keys(env)) if (/^DEVBOX_(REGISTRY_|S3_)/.test(k)) delete env[k]; // storage settings: only `extra`
  return { ...env, ...extra };
}

const s3Settings = (): Record<string, string> => ({
  DEVBOX_REGISTRY_STORAGE: "s3",
  DEVBOX_REGISTRY_S3_BUCKET: BUCKET,
  DEVBOX_REGISTRY_S3_ENDPOINT: s3.endpoint,
  DEVBOX_REGISTRY_S3_REGION: s3.region,
  DEVBOX_REGISTRY_S3_ROOT: KEY_PREFIX,
});

const registryState = () => path.join(work, "cluster");

async function bucketBlobs(): Promise<Map<string, number>> {
  const objects = await listObjects(s3, BUCKET, BLOBS);
  const blobs = new Map<string, number>();
  for (const o of objects) {
    const m = /^([0-9a-f]{2})\/([0-9a-f]{64})\/data$/.exec(o.key.slice(BLOBS.length));
    if (m && m[2].startsWith(m[1])) blobs.set(`sha256:${m[2]}`, o.size);
  }
  return blobs;
}

const skopeo = (...args: string[]) => run("skopeo", args, { maxBuffer: 64 << 20 });
const rawManifest = async (ref: string) => (await skopeo("inspect", "--raw", "--tls-verify=false", `docker://${ref}`)).stdout;
const sha256 = (b: Buffer | string) => `sha256:${createHash("sha256").update(b).digest("hex")}`;

function pullAlways(pod: k8s.V1Pod): k8s.V1Pod {
  pod.spec!.containers[0].imagePullPolicy = "Always";
  return pod;
}

/** Images kubelet reports it pulled for a Pod (its "Pulled" events; they are sent asynchronously). */
function pulledImages(pod: string): Promise<string[]> {
  return waitFor(`a Pulled event of ${pod}`, 15_000, async () => {
    const events = await core.listNamespacedEvent({ namespace: ns, fieldSelector: `involvedObject.name=${pod},reason=Pulled` });
    const images = events.items.map((e) => /^Successfully pulled image "([^"]+)"/.exec(e.message ?? "")?.[1] ?? `? ${e.message}`);
    return images.length ? images : undefined;
  });
}

function note(line: string) {
  if (fs.existsSync(path.dirname(NOTES))) fs.appendFileSync(NOTES, `${new Date().toISOString()} s3 test (registry-s3.test.ts): ${line}\n`);
}

describe("registry on S3 object storage", () => {
  const savedRegistryUrl = process.env.DEVBOX_REGISTRY_URL;

  beforeAll(async () => {
    const [s3Port, regPort] = [await freePort(), await freePort()];
    s3 = { endpoint: `http://127.0.0.1:${s3Port}`, region: "us-east-1", accessKey, secretKey };
    registry = `127.0.0.1:${regPort}`;
    // a cold build of the S3 server happens here (see cluster/README.md for its time)
    await run("bash", [`${ROOT}/cluster/lib/s3-server.sh`, "start", path.join(work, "s3"), `127.0.0.1:${s3Port}`, BUCKET], {
      env: { ...process.env, DEVBOX_S3_ACCESS_KEY: accessKey, DEVBOX_S3_SECRET_KEY: secretKey },
      timeout: 1_500_000,
    });
    // the access key from a file, the secret from a variable: both ways up takes them
    const keyFile = path.join(work, "access-key");
    fs.writeFileSync(keyFile, `${accessKey}\n`, { mode: 0o600 });
    await run("bash", [`${ROOT}/cluster/lib/registry.sh`, "start"], {
      env: registryEnv(registryState(), { ...s3Settings(), DEVBOX_REGISTRY_S3_ACCESS_KEY_FILE: keyFile, DEVBOX_REGISTRY_S3_SECRET_KEY: secretKey }),
    });
    process.env.DEVBOX_REGISTRY_URL = `http://${registry}`; // the dashboard's registry client, for this file only
    // Pods pull from it through the shared cluster's containerd: plain HTTP on loopback, as for :5000
    hostsDir = path.join(STATE_DIR, "containerd/certs.d", registry);
    fs.mkdirSync(hostsDir, { recursive: true });
    fs.writeFileSync(path.join(hostsDir, "hosts.toml"), `server = "http://${registry}"\n\n[host."http://${registry}"]\n  capabilities = ["pull", "resolve"]\n`);
    note(`added containerd hosts.toml for the test registry ${registry} (${hostsDir}); removed at the end`);
    await core.createNamespace({ body: { metadata: { name: ns, labels: { "devbox.test": "registry-s3", "devbox.dev/test-run": "true" } } } });
  }, 1_600_000);

  afterAll(async () => {
    if (savedRegistryUrl === undefined) delete process.env.DEVBOX_REGISTRY_URL;
    else process.env.DEVBOX_REGISTRY_URL = savedRegistryUrl;
    await core.deleteNamespace({ name: ns }).catch(() => undefined);
    // images the node pulled from the test registry: drop their names once no Pod uses them
    // (containerd GCs the content; a name left behind would outlive the registry it names)
    for (let i = 0; i < 120; i++) {
      if (!(await core.readNamespace({ name: ns }).then(() => true, () => false))) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    if (registry) {
      const { stdout } = await run("ctr", ["--address", CONTAINERD_SOCKET, "-n", "k8s.io", "images", "ls", "-q"]).catch(() => ({ stdout: "" }));
      const refs = stdout.split("\n").filter((r) => r.startsWith(`${registry}/`));
      if (refs.length) await run("ctr", ["--address", CONTAINERD_SOCKET, "-n", "k8s.io", "images", "rm", ...refs]).catch(() => undefined);
    }
    if (hostsDir) {
      fs.rmSync(hostsDir, { recursive: true, force: true });
      note(`removed the containerd hosts.toml for ${registry}`);
    }
    // the test registry, and one a refused start must not have started (stopped all the same if it did)
    for (const state of [registryState(), path.join(work, "fresh")])
      await run("bash", [`${ROOT}/cluster/lib/registry.sh`, "stop"], { env: registryEnv(state) }).catch(() => undefined);
    await run("bash", [`${ROOT}/cluster/lib/s3-server.sh`, "stop", path.join(work, "s3")]).catch(() => undefined);
    fs.rmSync(work, { recursive: true, force: true });
  }, 120_000);

  it("stores a pushed image's blobs as objects in the bucket and serves it back with the same digests", { timeout: 600_000 }, async () => {
    const src = `${SHARED_REGISTRY}/devbox/base:bookworm`;
    const dst = `${registry}/devbox/base:bookworm`;
    await skopeo("copy", "--preserve-digests", "--src-tls-verify=false", "--dest-tls-verify=false", `docker://${src}`, `docker://${dst}`);
    const srcRaw = await rawManifest(src);
    const dstRaw = await rawManifest(dst);
    expect(sha256(dstRaw)).toBe(sha256(srcRaw));

    // pulled back whole: every blob hashes to its digest, the manifest is the same
    const layout = path.join(work, "pulled");
    await skopeo("copy", "--src-tls-verify=false", `docker://${dst}`, `oci:${layout}:base`);
    const index = JSON.parse(fs.readFileSync(path.join(layout, "index.json"), "utf8")) as { manifests: { digest: string }[] };
    expect(index.manifests.map((m) => m.digest)).toEqual([sha256(srcRaw)]);
    const manifest = JSON.parse(srcRaw) as { config: { digest: string; size: number }; layers: { digest: string; size: number }[] };
    const descriptors = [manifest.config, ...manifest.layers];
    expect(manifest.layers.length).toBeGreaterThan(0);
    for (const d of descriptors) {
      const blob = fs.readFileSync(path.join(layout, "blobs/sha256", d.digest.slice("sha256:".length)));
      expect(sha256(blob)).toBe(d.digest);
      expect(blob.length).toBe(d.size);
    }

    // …and the registry keeps them in the bucket (listed through the S3 API), not on a disk of its own
    const blobs = await bucketBlobs();
    for (const d of descriptors) expect(blobs.get(d.digest), d.digest).toBe(d.size);
    expect(blobs.get(sha256(srcRaw))).toBe(Buffer.byteLength(srcRaw));
    expect(fs.existsSync(path.join(registryState(), "registry/storage"))).toBe(false);
    // the keys are in the 0600 credentials file only, not in the config
    const config = fs.readFileSync(path.join(registryState(), "registry/config.yml"), "utf8");
    expect(config).toContain(`regionendpoint: ${s3.endpoint}`);
    expect(config).not.toContain(secretKey);
    expect(config).not.toContain(accessKey);
    expect(fs.statSync(path.join(registryState(), "registry/s3-credentials")).mode & 0o777).toBe(0o600);
    // …and in no process's argv and no log: the registry and the S3 server got them in their
    // environment (which the check reads too, so it looks at the right processes)
    for (const pidFile of [path.join(registryState(), "run/registry.pid"), path.join(work, "s3/server.pid")]) {
      const pid = fs.readFileSync(pidFile, "utf8").trim();
      expect(fs.readFileSync(`/proc/${pid}/environ`, "utf8"), pidFile).toContain(secretKey);
    }
    for (const pid of fs.readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
      let argv = "";
      try {
        argv = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8");
      } catch {
        continue; // gone meanwhile
      }
      expect(argv.includes(secretKey) || argv.includes(accessKey), `argv of ${pid}`).toBe(false);
    }
    for (const log of [path.join(registryState(), "logs/registry.log"), path.join(work, "s3/server.log")])
      expect(fs.readFileSync(log, "utf8"), log).not.toContain(secretKey);
  });

  it("serves the dashboard's own registry calls: blob mount into another repository, read, delete", async () => {
    const copied = await copyImage(`${registry}/devbox/base:bookworm`, "team-s3/fork", "s1");
    const base = await getManifest("devbox/base", "bookworm");
    const fork = await getManifest("team-s3/fork", "s1");
    expect(fork?.digest).toBe(base?.digest);
    expect(copied.digest).toBe(base?.digest);
    // a mount is a link in the fork's repository, the blob itself stays one object
    const links = await listObjects(s3, BUCKET, `${KEY_PREFIX}/docker/registry/v2/repositories/team-s3/fork/_layers/sha256/`);
    expect(links.length).toBe(base!.manifest.layers.length + 1);
    await deleteManifest("team-s3/fork", copied.digest);
    expect(await getManifest("team-s3/fork", "s1")).toBeUndefined();
    expect((await getManifest("devbox/base", "bookworm"))?.digest).toBe(base?.digest);
  });

  it("takes the node agent's commit of a Pod's container, and a Pod starts from that snapshot", { timeout: 600_000 }, async () => {
    const base = `${registry}/devbox/base:bookworm`;
    // pulled with Always: kubelet resolves it in the S3-backed registry even though the node holds
    // the same layers under the :5000 name
    await core.createNamespacedPod({ namespace: ns, body: pullAlways(devboxPod("before", base)) });
    await waitRunning(core, ns, "before", 240_000);
    expect(await pulledImages("before")).toEqual([base]);
    const proof = randomBytes(16).toString("hex");
    // a new file and a deleted one of the base image (a whiteout in the snapshot's layer)
    const w = await execIn(kc, ns, "before", "main", ["sh", "-c", `test -e ~/.bashrc && echo ${proof} > ~/s3-proof.txt && rm ~/.bashrc`]);
    expect(exitCodeOf(w.status)).toBe(0);

    const agent = (await run("bash", [`${ROOT}/agent/build.sh`], { timeout: 900_000 })).stdout.trim();
    const { stdout } = await run(agent, [
      "commit", "--containerd", CONTAINERD_SOCKET, "--registry", registry, "--state-dir", path.join(work, "agent"),
      "--pod", `${ns}/before/main`, "--parent", base, "--target", "team-s3/box:s1", "--trigger", "test", "--request-id", `s3-${ns}`,
    ], { timeout: 300_000, maxBuffer: 16 << 20 });
    const done = JSON.parse(stdout.trim().split("\n").pop()!) as { phase: string; image: string; digest: string; layerDigest: string; layerSize: number };
    expect(done.phase).toBe("done");
    expect(done.image).toBe(`${registry}/team-s3/box:s1`);
    // the new layer is an object in the bucket, of the size the agent pushed
    expect((await bucketBlobs()).get(done.layerDigest)).toBe(done.layerSize);

    await core.createNamespacedPod({ namespace: ns, body: pullAlways(devboxPod("after", done.image)) });
    const p2 = await waitRunning(core, ns, "after", 240_000);
    expect(await pulledImages("after")).toEqual([done.image]);
    expect(p2.status!.containerStatuses![0].imageID).toContain(done.digest);
    const r = await execIn(kc, ns, "after", "main", ["sh", "-c", "cat ~/s3-proof.txt; test -e ~/.bashrc && echo bashrc-present || echo bashrc-gone"]);
    expect(r.stdout).toBe(`${proof}\nbashrc-gone\n`);
  });

  it("garbage collection deletes unreferenced blobs from the bucket and keeps every referenced one", { timeout: 300_000 }, async () => {
    // an image only GC may remove: its blobs are in no other manifest
    const layer = randomBytes(3 << 20);
    const config = Buffer.from(JSON.stringify({ architecture: "amd64", os: "linux", rootfs: { type: "layers", diff_ids: [sha256(layer)] }, nonce: randomBytes(8).toString("hex") }));
    const layerDigest = await putBlob("gc-test/junk", layer);
    const configDigest = await putBlob("gc-test/junk", config);
    const raw = JSON.stringify({
      schemaVersion: 2,
      mediaType: "application/vnd.oci.image.manifest.v1+json",
      config: { mediaType: "application/vnd.oci.image.config.v1+json", digest: configDigest, size: config.length },
      layers: [{ mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", digest: layerDigest, size: layer.length }],
    });
    const junkDigest = await putManifest("gc-test/junk", "t", "application/vnd.oci.image.manifest.v1+json", raw);
    const before = await bucketBlobs();
    expect(before.get(layerDigest)).toBe(layer.length);
    await deleteManifest("gc-test/junk", junkDigest);

    const regPid = fs.readFileSync(path.join(registryState(), "run/registry.pid"), "utf8").trim();
    // the dashboard's GC entry point, with the operator's command pointing at the test registry
    const envPrefix = Object.entries(registryEnv(registryState()))
      .filter(([k]) => k === "DEVBOX_CLUSTER_DIR" || k === "DEVBOX_REGISTRY")
      .map(([k, v]) => `${k}='${v}'`)
      .join(" ");
    const saved = process.env.DEVBOX_REGISTRY_GC_COMMAND;
    process.env.DEVBOX_REGISTRY_GC_COMMAND = `${envPrefix} bash '${ROOT}/cluster/lib/agent.sh' registry-gc`;
    const gc = await runRegistryGc().finally(() => {
      if (saved === undefined) delete process.env.DEVBOX_REGISTRY_GC_COMMAND;
      else process.env.DEVBOX_REGISTRY_GC_COMMAND = saved;
    });

    const after = await bucketBlobs();
    expect(after.has(layerDigest)).toBe(false);
    expect(after.has(configDigest)).toBe(false);
    expect(after.has(junkDigest)).toBe(false);
    // what is left is what the remaining manifests reference, and the reported sizes match the bucket
    for (const [digest, size] of before) if (![layerDigest, configDigest, junkDigest].includes(digest)) expect(after.get(digest), digest).toBe(size);
    expect(gc.bytesBefore! - gc.bytesAfter!).toBeGreaterThanOrEqual(layer.length + config.length);
    const total = (await listObjects(s3, BUCKET, `${KEY_PREFIX}/docker/`)).reduce((n, o) => n + o.size, 0);
    expect(gc.bytesAfter).toBe(total);
    // the registry was restarted for the sweep and serves the kept images whole
    expect(fs.readFileSync(path.join(registryState(), "run/registry.pid"), "utf8").trim()).not.toBe(regPid);
    for (const ref of [`${registry}/devbox/base:bookworm`, `${registry}/team-s3/box:s1`]) {
      await skopeo("copy", "--src-tls-verify=false", `docker://${ref}`, `oci:${path.join(work, "after-gc")}:x`);
    }
    fs.rmSync(path.join(work, "after-gc"), { recursive: true, force: true });
  });

  it("refuses an up that would switch the registry to another store, and keeps the remembered one without the variables", async () => {
    const env = registryEnv(registryState(), { DEVBOX_REGISTRY_STORAGE: "filesystem" });
    const refused = await run("bash", [`${ROOT}/cluster/lib/registry.sh`, "start"], { env }).then(
      () => undefined,
      (e: { code: number; stderr: string }) => e,
    );
    expect(refused?.code).toBe(1);
    expect(refused?.stderr).toContain(`keeps its images in 's3 ${s3.endpoint} ${BUCKET} /${KEY_PREFIX}'`);
    expect(refused?.stderr).toContain("this up asks for 'filesystem'");
    const otherBucket = await run("bash", [`${ROOT}/cluster/lib/registry.sh`, "start"], {
      env: registryEnv(registryState(), { ...s3Settings(), DEVBOX_REGISTRY_S3_BUCKET: "another-bucket" }),
    }).then(() => undefined, (e: { code: number; stderr: string }) => e);
    expect(otherBucket?.code).toBe(1);
    // without DEVBOX_REGISTRY_STORAGE: the remembered S3 settings and keys
    const kept = await run("bash", [`${ROOT}/cluster/lib/registry.sh`, "start"], { env: registryEnv(registryState()) });
    expect(kept.stdout).toContain("registry already running");
    expect(fs.readFileSync(path.join(registryState(), "registry/config.yml"), "utf8")).toContain(`bucket: ${BUCKET}`);
    const bytes = await run("bash", [`${ROOT}/cluster/lib/registry.sh`, "bytes"], { env: registryEnv(registryState(), { DEVBOX_S3_LIST_PAGE: "3" }) });
    const total = (await listObjects(s3, BUCKET, `${KEY_PREFIX}/docker/`)).reduce((n, o) => n + o.size, 0);
    expect(Number(bytes.stdout.trim())).toBe(total); // paged by 3 keys: the continuation tokens are signed right
  });

  it("keeps the default filesystem store as it was: config, and GC with sizes from the disk", async () => {
    const state = path.join(work, "fs");
    const fsRegistry = `127.0.0.1:${await freePort()}`;
    const env = registryEnv(state, { DEVBOX_REGISTRY: fsRegistry });
    const saved = process.env.DEVBOX_REGISTRY_URL;
    try {
      await run("bash", [`${ROOT}/cluster/lib/registry.sh`, "start"], { env });
      expect(fs.readFileSync(path.join(state, "registry/config.yml"), "utf8")).toContain(`storage:\n  filesystem:\n    rootdirectory: ${state}/registry/storage\n`);
      expect(fs.readFileSync(path.join(state, "registry/storage.env"), "utf8")).toBe("storage=filesystem\n");
      expect(fs.existsSync(path.join(state, "registry/s3-credentials"))).toBe(false);
      process.env.DEVBOX_REGISTRY_URL = `http://${fsRegistry}`;
      const image = async (repo: string, bytes: number) => {
        const layer = randomBytes(bytes);
        const config = Buffer.from(JSON.stringify({ os: "linux", rootfs: { type: "layers", diff_ids: [sha256(layer)] } }));
        const [l, c] = [await putBlob(repo, layer), await putBlob(repo, config)];
        const raw = JSON.stringify({
          schemaVersion: 2,
          mediaType: "application/vnd.oci.image.manifest.v1+json",
          config: { mediaType: "application/vnd.oci.image.config.v1+json", digest: c, size: config.length },
          layers: [{ mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", digest: l, size: layer.length }],
        });
        return { layer: l, manifest: await putManifest(repo, "t", "application/vnd.oci.image.manifest.v1+json", raw) };
      };
      const kept = await image("fs-test/kept", 100_000);
      const junk = await image("fs-test/junk", 2 << 20);
      await deleteManifest("fs-test/junk", junk.manifest);
      const blobFile = (d: string) => path.join(state, "registry/storage/docker/registry/v2/blobs/sha256", d.slice(7, 9), d.slice(7), "data");
      expect(fs.existsSync(blobFile(junk.layer))).toBe(true);
      const { stdout } = await run("bash", [`${ROOT}/cluster/lib/agent.sh`, "registry-gc"], { env });
      const gc = JSON.parse(stdout.trim().split("\n").pop()!) as { bytesBefore: number; bytesAfter: number };
      expect(gc.bytesBefore - gc.bytesAfter).toBeGreaterThanOrEqual(2 << 20);
      expect(fs.existsSync(blobFile(junk.layer))).toBe(false);
      expect(fs.existsSync(blobFile(kept.layer))).toBe(true);
      expect((await getManifest("fs-test/kept", "t"))?.digest).toBe(kept.manifest);
    } finally {
      if (saved === undefined) delete process.env.DEVBOX_REGISTRY_URL;
      else process.env.DEVBOX_REGISTRY_URL = saved;
      await run("bash", [`${ROOT}/cluster/lib/registry.sh`, "stop"], { env }).catch(() => undefined);
    }
  });

  it("refuses S3 storage without keys or with a bad endpoint, and starts nothing", async () => {
    const fresh = path.join(work, "fresh");
    const attempt = (extra: Record<string, string>) =>
      run("bash", [`${ROOT}/cluster/lib/registry.sh`, "start"], { env: registryEnv(fresh, { ...s3Settings(), DEVBOX_REGISTRY: "127.0.0.1:1", ...extra }) }).then(
        () => undefined,
        (e: { code: number; stderr: string }) => e,
      );
    const noKeys = await attempt({});
    expect(noKeys?.code).toBe(1);
    expect(noKeys?.stderr).toContain("needs DEVBOX_REGISTRY_S3_ACCESS_KEY and DEVBOX_REGISTRY_S3_SECRET_KEY");
    const badEndpoint = await attempt({ DEVBOX_REGISTRY_S3_ENDPOINT: "127.0.0.1:9000", DEVBOX_REGISTRY_S3_ACCESS_KEY: "a", DEVBOX_REGISTRY_S3_SECRET_KEY: "b" });
    expect(badEndpoint?.stderr).toContain("DEVBOX_REGISTRY_S3_ENDPOINT must be http(s)://host[:port]");
    expect(fs.existsSync(path.join(fresh, "run/registry.pid"))).toBe(false);
  });
});
