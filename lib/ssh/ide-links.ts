import { sshHostAlias } from "./protocol";

/**
 * The editor deep links and commands on a devbox page, all built on the SSH host alias that
 * `devbox config-ssh` writes (so the editors reach the devbox through the same ProxyCommand):
 *  - VS Code:   vscode://vscode-remote/ssh-remote+<host><path>
 *  - Cursor:    cursor://vscode-remote/ssh-remote+<host><path> (a VS Code fork, same handler)
 *  - JetBrains Gateway: jetbrains-gateway://connect#host=…&port=22&user=…&type=ssh&deploy=false&projectPath=…
 * Only names and paths: no key or token is ever in a link.
 */
export interface IdeLinks {
  host: string;
  vscode: string;
  cursor: string;
  gateway: string;
  sshCommand: string;
  configSshCommand: string;
}

export function ideLinks(p: { team: string; devbox: string; user: string; workingDir: string }): IdeLinks {
  const host = sshHostAlias(p.team, p.devbox);
  const dir = p.workingDir.startsWith("/") ? p.workingDir : `/${p.workingDir}`;
  const remote = `vscode-remote/ssh-remote+${encodeURIComponent(host)}${encodeURI(dir)}`;
  const gateway = new URLSearchParams({ host, port: "22", user: p.user, type: "ssh", deploy: "false", projectPath: dir });
  return {
    host,
    vscode: `vscode://${remote}`,
    cursor: `cursor://${remote}`,
    gateway: `jetbrains-gateway://connect#${gateway.toString()}`,
    sshCommand: `ssh ${host}`,
    configSshCommand: "devbox config-ssh",
  };
}
