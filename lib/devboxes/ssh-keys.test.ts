import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ed25519KeyPair, generateSshKeys } from "./ssh-keys";

describe("ed25519KeyPair", () => {
  it("writes keys OpenSSH reads: ssh-keygen derives the same public key from the private one", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "keys-"));
    try {
      for (let i = 0; i < 5; i++) {
        const { privateKey, publicKey } = ed25519KeyPair("devbox-web");
        const file = path.join(dir, `k${i}`);
        fs.writeFileSync(file, privateKey, { mode: 0o600 });
        const derived = execFileSync("ssh-keygen", ["-y", "-f", file], { encoding: "utf8" }).trim();
        expect(publicKey.trim()).toBe(`${derived.split(" ").slice(0, 2).join(" ")} devbox-web`);
        const fingerprint = execFileSync("ssh-keygen", ["-l", "-f", file], { encoding: "utf8" });
        expect(fingerprint).toMatch(/^256 SHA256:\S+ devbox-web \(ED25519\)/);
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("gives every devbox different host and user keys", () => {
    const a = generateSshKeys("a");
    const b = generateSshKeys("a");
    expect(new Set([a.hostPublicKey, a.userPublicKey, b.hostPublicKey, b.userPublicKey]).size).toBe(4);
  });
});
