import { describe, expect, it } from "vitest";
import { ideLinks } from "./ide-links";

describe("editor links", () => {
  it("are the documented deep links for the config-ssh host alias", () => {
    const l = ideLinks({ team: "acme", devbox: "api", user: "devbox", workingDir: "/home/devbox/project" });
    expect(l.vscode).toBe("vscode://vscode-remote/ssh-remote+api.acme/home/devbox/project");
    expect(l.cursor).toBe("cursor://vscode-remote/ssh-remote+api.acme/home/devbox/project");
    expect(l.gateway).toBe("jetbrains-gateway://connect#host=api.acme&port=22&user=devbox&type=ssh&deploy=false&projectPath=%2Fhome%2Fdevbox%2Fproject");
    expect(l.sshCommand).toBe("ssh api.acme");
  });
});
