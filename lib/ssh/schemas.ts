import { z } from "zod";

export const addSshKeyBody = z
  .object({
    name: z.string().trim().max(80).default(""),
    /** One OpenSSH public key line, e.g. the content of ~/.ssh/id_ed25519.pub. */
    publicKey: z.string().min(1, "Paste a public key.").max(16_384).meta({ description: "One OpenSSH public key line (e.g. ~/.ssh/id_ed25519.pub)." }),
  })
  .strict()
  .meta({ id: "AddSshKey" });

export const sshKeyView = z.object({ id: z.string(), name: z.string(), type: z.string(), fingerprint: z.string(), createdAt: z.string() }).meta({ id: "SshKey" });

export const sshHostView = z
  .object({
    host: z.string(),
    team: z.string(),
    devbox: z.string(),
    user: z.string(),
    workingDir: z.string(),
    hostKeys: z.array(z.string()),
  })
  .meta({ id: "SshHost", description: "A devbox you may SSH into, with its published host key (known_hosts)." });

export const sshKeyList = z.object({ items: z.array(sshKeyView) }).meta({ id: "SshKeyList" });
export const sshHostList = z.object({ items: z.array(sshHostView) }).meta({ id: "SshHostList" });
