import { describe, expect, it } from "vitest";
import { CloseCode, isFinalClose, parseClientMessage, terminalPath, TERMINAL_PATH_RE } from "./protocol";

describe("terminal protocol", () => {
  it("parses valid control messages and rejects anything else", () => {
    expect(parseClientMessage('{"type":"resize","cols":120,"rows":40}')).toEqual({ type: "resize", cols: 120, rows: 40 });
    expect(parseClientMessage('{"type":"ping","t":5}')).toEqual({ type: "ping", t: 5 });
    expect(parseClientMessage('{"type":"ack","bytes":65536}')).toEqual({ type: "ack", bytes: 65536 });
    expect(parseClientMessage('{"type":"close"}')).toEqual({ type: "close" });
    for (const bad of ["", "null", "[]", "{", '{"type":"resize","cols":0,"rows":10}', '{"type":"resize","cols":1.5,"rows":10}', '{"type":"resize","cols":"80","rows":24}', '{"type":"ack","bytes":-1}', '{"type":"exec","cmd":"rm -rf /"}'])
      expect(parseClientMessage(bad), bad).toBeNull();
  });

  it("builds paths the server route matches, escaping names", () => {
    const p = terminalPath("my-team", "web", "abcdefgh1234");
    expect(p).toBe("/api/v1/teams/my-team/devboxes/web/terminal?session=abcdefgh1234");
    expect(TERMINAL_PATH_RE.exec(new URL(p, "http://x").pathname)?.slice(1)).toEqual(["my-team", "web"]);
    expect(terminalPath("a/b", "c?d", "s")).toContain("/teams/a%2Fb/devboxes/c%3Fd/");
  });

  it("final closes are the application's and a normal exit; drops are not", () => {
    for (const c of [CloseCode.Normal, CloseCode.Unauthorized, CloseCode.DevboxGone, CloseCode.ExecFailed, CloseCode.TakenOver, CloseCode.Closed]) expect(isFinalClose(c)).toBe(true);
    for (const c of [1001, 1006, 1011]) expect(isFinalClose(c)).toBe(false);
  });
});
