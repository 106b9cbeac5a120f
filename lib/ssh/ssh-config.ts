import type { SshHost } from "./hosts";

/**
 * What `devbox config-ssh` writes (pure, so it is unit-tested): one Include file with a Host
 * block per devbox whose ProxyCommand is the CLI, and a known_hosts file with the devboxes'
 * published host keys — host key checking stays on (`StrictHostKeyChecking yes`), pinned to the
 * alias by HostKeyAlias so a devbox's key cannot vouch for another.
 */
export const INCLUDE_DIR = ".ssh/devbox";
export const BEGIN = "# --- devbox config-ssh: BEGIN (managed; edit ~/.ssh/devbox/config's hosts with `devbox config-ssh`) ---";
export const END = "# --- devbox config-ssh: END ---";

/** Quotes one argument for the shell sshd's client runs ProxyCommand with. */
export function shellQuote(s: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

export function renderSshConfig(p: { hosts: SshHost[]; proxyCommand: string[]; knownHostsPath: string; dashboard: string }): string {
  const lines = [
    `# Written by \`devbox config-ssh\` for ${p.dashboard}. Run it again after creating or deleting devboxes.`,
    "# Connections go through the dashboard (an API token with the devboxes:ssh scope); keys: your SSH keys in the dashboard.",
    "",
  ];
  const proxy = [...p.proxyCommand.map(shellQuote), "ssh", "--stdio", "%h"].join(" ");
  for (const h of p.hosts) {
    if (h.hostKeys.length === 0) {
      lines.push(`# ${h.host}: no host key published yet (start the devbox once, then run devbox config-ssh again)`, "");
      continue;
    }
    lines.push(
      `Host ${h.host}`,
      `  HostName ${h.host}`,
      `  User ${h.user}`,
      `  ProxyCommand ${proxy}`,
      `  HostKeyAlias ${h.host}`,
      `  UserKnownHostsFile ${shellQuote(p.knownHostsPath)}`,
      "  StrictHostKeyChecking yes",
      "  CheckHostIP no",
      "  ServerAliveInterval 30",
      "",
    );
  }
  return lines.join("\n");
}

export function renderKnownHosts(hosts: SshHost[]): string {
  return hosts.flatMap((h) => h.hostKeys.map((k) => `${h.host} ${k}`)).join("\n") + "\n";
}

/**
 * ~/.ssh/config with the Include line at its top (an Include below a Host line would only apply
 * to that host), added once: an existing line is kept where it is.
 */
export function withInclude(existing: string, includePath: string): string {
  const line = `Include ${includePath}`;
  if (existing.split("\n").some((l) => l.trim() === line)) return existing;
  return `${line}\n\n${existing}`;
}
