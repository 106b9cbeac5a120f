import { generateKeyPairSync, randomBytes } from "node:crypto";

export interface SshKeys {
  hostPrivateKey: string;
  hostPublicKey: string;
  userPrivateKey: string;
  userPublicKey: string;
}

/**
 * Fresh ed25519 host and user key pairs in OpenSSH's own formats. Generated in-process (no
 * ssh-keygen child): it is on the path of every devbox create.
 */
export function generateSshKeys(comment: string): SshKeys {
  const host = ed25519KeyPair(comment);
  const user = ed25519KeyPair(comment);
  return { hostPrivateKey: host.privateKey, hostPublicKey: host.publicKey, userPrivateKey: user.privateKey, userPublicKey: user.publicKey };
}

export function ed25519KeyPair(comment: string): { privateKey: string; publicKey: string } {
  const { privateKey } = generateKeyPairSync("ed25519");
  const jwk = privateKey.export({ format: "jwk" });
  const seed = Buffer.from(jwk.d!, "base64url");
  const pub = Buffer.from(jwk.x!, "base64url");
  const keyType = "ssh-ed25519";
  const publicBlob = concat(sshString(keyType), sshString(pub));

  // PROTOCOL.key: "openssh-key-v1", no cipher, one key; the private section repeats a random
  // check integer, holds the key and comment, and is padded 1,2,3… to the 8-byte block size.
  const check = randomBytes(4);
  let secret = concat(check, check, sshString(keyType), sshString(pub), sshString(Buffer.concat([seed, pub])), sshString(comment));
  const pad = (8 - (secret.length % 8)) % 8;
  secret = concat(secret, Buffer.from(Array.from({ length: pad }, (_, i) => i + 1)));
  const body = concat(
    Buffer.from("openssh-key-v1\0", "latin1"),
    sshString("none"),
    sshString("none"),
    sshString(Buffer.alloc(0)),
    uint32(1),
    sshString(publicBlob),
    sshString(secret),
  );
  const lines = body.toString("base64").match(/.{1,70}/g)!.join("\n");
  return {
    privateKey: `-----BEGIN OPENSSH PRIVATE KEY-----\n${lines}\n-----END OPENSSH PRIVATE KEY-----\n`,
    publicKey: `${keyType} ${publicBlob.toString("base64")} ${comment}\n`,
  };
}

function uint32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}

function sshString(v: string | Buffer): Buffer {
  const b = typeof v === "string" ? Buffer.from(v, "utf8") : v;
  return Buffer.concat([uint32(b.length), b]);
}

const concat = (...parts: Buffer[]) => Buffer.concat(parts);
