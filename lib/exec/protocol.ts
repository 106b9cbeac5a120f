/**
 * `devbox exec` over a websocket: one command (no TTY) in a running devbox, its stdout and stderr
 * kept apart and its exit status returned. Shared by server/ws/exec.ts and cli/commands/exec.ts.
 * No Node or DOM imports.
 *
 * URL:  /api/v1/teams/<team>/devboxes/<name>/exec?argv=<arg>&argv=<arg>…  (argv[0] is the program;
 *       it runs in the devbox's working directory, never through a shell unless you name one)
 * Auth: `Authorization: Bearer <API token>` (devboxes:write), or the session cookie from the
 *       dashboard's own Origin; the developer role; the devbox must be Running.
 * Frames, client → server: binary = stdin bytes; text {"type":"eof"} closes stdin.
 * Frames, server → client: binary = first byte the stream (1 stdout, 2 stderr), then the bytes;
 *       text {"type":"exit","code":n} once the command ended, then close 1000.
 * Refusals and failures: text {"type":"error","code","message"}, then a close with that code
 *       (the terminal's codes, lib/terminal/protocol.ts).
 */
export const EXEC_PATH_RE = /^\/api\/v1\/teams\/([^/]+)\/devboxes\/([^/]+)\/exec\/?$/;

export function execPath(team: string, devbox: string, argv: string[]): string {
  const q = argv.map((a) => `argv=${encodeURIComponent(a)}`).join("&");
  return `/api/v1/teams/${encodeURIComponent(team)}/devboxes/${encodeURIComponent(devbox)}/exec?${q}`;
}

export const STDOUT = 1;
export const STDERR = 2;
export const MAX_ARGS = 256;
export const MAX_ARGV_BYTES = 64 * 1024;

export type ExecServerMessage = { type: "exit"; code: number | null; message?: string } | { type: "error"; code: number; message: string };
