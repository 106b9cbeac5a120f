import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ed25519KeyPair } from "@/lib/devboxes/ssh-keys";
import { AppError } from "@/lib/errors";
import { parsePublicKey } from "./public-key";

const refusal = (input: string) => {
  try {
    parsePublicKey(input);
    return "accepted";
  } catch (err) {
    return err instanceof AppError ? err.message : String(err);
  }
};

describe("SSH public keys", () => {
  it("parses a key and fingerprints it exactly as ssh-keygen -l does", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pk-"));
    try {
      for (const type of ["ed25519", "rsa", "ecdsa"]) {
        const f = path.join(dir, type);
        execFileSync("ssh-keygen", ["-q", "-t", type, "-N", "", "-C", `me ${type}`, "-f", f]);
        const parsed = parsePublicKey(fs.readFileSync(`${f}.pub`, "utf8"));
        expect(parsed.fingerprint).toBe(execFileSync("ssh-keygen", ["-lf", `${f}.pub`], { encoding: "utf8" }).split(" ")[1]);
        expect(parsed.comment).toBe(`me ${type}`);
        expect(parsed.key).not.toContain("me ");
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("refuses private keys, options, several lines and blobs that do not match their type", () => {
    const { privateKey, publicKey } = ed25519KeyPair("x");
    expect(refusal(privateKey)).toMatch(/That is a private key/);
    expect(refusal(`command="rm -rf /" ${publicKey}`)).toMatch(/Not a supported SSH public key/);
    expect(refusal(`${publicKey}${publicKey}`)).toMatch(/one key, on one line/);
    expect(refusal(publicKey.replace("ssh-ed25519", "ssh-rsa"))).toMatch(/does not match its type/);
    expect(refusal("ssh-ed25519 !!!")).toMatch(/missing or damaged/);
    expect(refusal(publicKey)).toBe("accepted");
  });
});
