// The `devbox ssh` command as a process, for OpenSSH's ProxyCommand in ssh.test.ts and
// bench/ssh.ts: the dashboard URL and token come from the environment (DEVBOX_URL,
// DEVBOX_TOKEN) until the CLI skeleton's config file (cli/main.ts) carries them.
import { sshCommand } from "@/cli/commands/ssh";

// argv: `ssh --stdio <host>` (the verb, as config-ssh writes it, then the command's own arguments).
process.exitCode = await sshCommand(process.argv.slice(3), { url: process.env.DEVBOX_URL!, token: process.env.DEVBOX_TOKEN! });
