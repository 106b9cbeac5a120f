import { describe, expect, it } from "vitest";
import { renderKnownHosts, renderSshConfig, shellQuote, withInclude } from "./ssh-config";
import { parseHostAlias, sshHostAlias } from "./protocol";

const host = { host: "api.acme", team: "acme", devbox: "api", user: "devbox", workingDir: "/home/devbox/project", hostKeys: ["ssh-ed25519 AAAAC3Nz"] };

describe("config-ssh output", () => {
  it("writes a Host block with the CLI as ProxyCommand and host key checking on", () => {
    const cfg = renderSshConfig({ hosts: [host, { ...host, host: "new.acme", hostKeys: [] }], proxyCommand: ["/opt/my tools/devbox"], knownHostsPath: "/h/.ssh/devbox/known_hosts", dashboard: "https://d" });
    expect(cfg).toContain("Host api.acme\n");
    expect(cfg).toContain("  ProxyCommand '/opt/my tools/devbox' ssh --stdio %h\n");
    expect(cfg).toContain("  StrictHostKeyChecking yes\n");
    expect(cfg).toContain("  HostKeyAlias api.acme\n");
    expect(cfg).not.toContain("Host new.acme");
    expect(renderKnownHosts([host])).toBe("api.acme ssh-ed25519 AAAAC3Nz\n");
  });

  it("adds the Include once, at the top", () => {
    const once = withInclude("Host *\n  ForwardAgent no\n", "~/.ssh/devbox/config");
    expect(once.startsWith("Include ~/.ssh/devbox/config\n")).toBe(true);
    expect(withInclude(once, "~/.ssh/devbox/config")).toBe(once);
  });

  it("quotes for the shell and round-trips host aliases", () => {
    expect(shellQuote("a'b")).toBe(`'a'\\''b'`);
    expect(parseHostAlias(sshHostAlias("acme", "api"))).toEqual({ team: "acme", devbox: "api" });
    expect(parseHostAlias("api.acme.devbox")).toEqual({ team: "acme", devbox: "api" });
    expect(parseHostAlias("evil;rm")).toBeNull();
  });
});
