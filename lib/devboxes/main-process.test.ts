import { describe, expect, it } from "vitest";
import { MAIN_PROCESS_ARGS, MAIN_PROCESS_SCRIPT } from "./main-process";

describe("the devbox's main process", () => {
  it("survives Kubernetes' expansion of args: no $(NAME) references and no $$ escapes", () => {
    // Kubernetes rewrites `$(VAR)` to the variable's value and `$$` to `$` in command and args.
    expect(MAIN_PROCESS_SCRIPT).not.toMatch(/\$\$/);
    expect(MAIN_PROCESS_SCRIPT).not.toMatch(/\$\([A-Za-z_][A-Za-z0-9_]*\)/);
    expect(MAIN_PROCESS_ARGS.slice(0, 2)).toEqual(["/bin/sh", "-c"]);
  });
});
