import { readConfig } from "./config";
import { CliError, Exit } from "./errors";
import { sshCommand } from "./commands/ssh";

/**
 * `devbox ssh --stdio <host>` on its own: what OpenSSH starts for every connection (ProxyCommand),
 * so it imports only what that needs (the login and the SSH bridge). cli/devbox.mjs runs it from a
 * bundle (cli/ssh-stdio-cache.mjs) when one is current; cli/main.ts's `ssh` is the same command.
 */
export async function sshStdio(argv: string[], stderr: NodeJS.WritableStream = process.stderr): Promise<number> {
  try {
    const config = readConfig();
    if (!config) throw new CliError(Exit.Auth, "not logged in: run devbox login <dashboard url>");
    return await sshCommand(argv, { url: config.url, token: config.token, stderr });
  } catch (err) {
    stderr.write(`devbox: ${err instanceof CliError ? err.message : `unexpected error: ${err instanceof Error ? err.message : String(err)}`}\n`);
    return err instanceof CliError ? err.exitCode : Exit.Error;
  }
}
