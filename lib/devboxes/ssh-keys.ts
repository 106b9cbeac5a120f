import { execFile } from "node:child_process";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

export interface SshKeys {
  hostPrivateKey: string;
  hostPublicKey: string;
  userPrivateKey: string;
  userPublicKey: string;
}

/** Fresh ed25519 host and user key pairs in OpenSSH format (ssh-keygen writes the formats sshd reads). */
export async function generateSshKeys(comment: string): Promise<SshKeys> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "devbox-keys-"));
  try {
    const gen = (file: string) => run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", path.join(dir, file)]);
    await Promise.all([gen("host"), gen("user")]);
    const read = (f: string) => fs.readFile(path.join(dir, f), "utf8");
    const [hostPrivateKey, hostPublicKey, userPrivateKey, userPublicKey] = await Promise.all([read("host"), read("host.pub"), read("user"), read("user.pub")]);
    return { hostPrivateKey, hostPublicKey, userPrivateKey, userPublicKey };
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}
