import { createHash } from "node:crypto";
import { AppError } from "@/lib/errors";

// Key types OpenSSH 9 accepts for user authentication by default (ssh-rsa means RSA keys with SHA-2 signatures).
const KEY_TYPES = new Set([
  "ssh-ed25519",
  "ssh-rsa",
  "ecdsa-sha2-nistp256",
  "ecdsa-sha2-nistp384",
  "ecdsa-sha2-nistp521",
  "sk-ssh-ed25519@openssh.com",
  "sk-ecdsa-sha2-nistp256@openssh.com",
]);

export interface ParsedPublicKey {
  /** "<type> <base64>": what goes into authorized_keys (no options, no comment). */
  key: string;
  type: string;
  comment: string;
  /** OpenSSH's "SHA256:…" fingerprint, as `ssh-keygen -lf` prints it. */
  fingerprint: string;
}

/**
 * One OpenSSH public key line ("ssh-ed25519 AAAA… comment"). The base64 blob must decode to a
 * key of the type the line names; options (`command=…`) and private keys are refused, so
 * nothing but a plain key ever reaches a devbox's authorized_keys.
 */
export function parsePublicKey(input: string): ParsedPublicKey {
  const bad = (msg: string) => new AppError("bad_request", msg, { field: "publicKey" });
  const text = input.trim();
  if (/PRIVATE KEY/.test(text)) throw bad("That is a private key: paste the public key (the .pub file) instead. Never share the private one.");
  if (/[\r\n]/.test(text)) throw bad("Paste one key, on one line.");
  const [type, b64, ...rest] = text.split(/\s+/);
  if (!type || !KEY_TYPES.has(type)) throw bad(`Not a supported SSH public key: it must start with one of ${[...KEY_TYPES].slice(0, 3).join(", ")}…`);
  if (!b64 || !/^[A-Za-z0-9+/]+={0,2}$/.test(b64)) throw bad("The key's base64 part is missing or damaged.");
  const blob = Buffer.from(b64, "base64");
  const nameLen = blob.length >= 4 ? blob.readUInt32BE(0) : -1;
  if (nameLen < 0 || nameLen > 64 || blob.subarray(4, 4 + nameLen).toString("latin1") !== type || blob.length < 4 + nameLen + 16)
    throw bad("The key's base64 part does not match its type.");
  const comment = rest.join(" ").slice(0, 200);
  return { key: `${type} ${b64}`, type, comment, fingerprint: fingerprintOf(blob) };
}

export function fingerprintOf(blob: Buffer): string {
  return "SHA256:" + createHash("sha256").update(blob).digest("base64").replace(/=+$/, "");
}
