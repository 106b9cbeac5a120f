/**
 * The SSH websocket: /api/v1/teams/<team>/devboxes/<name>/ssh, what `devbox ssh --stdio` speaks
 * (server: server/ws/ssh.ts, client: cli/commands/ssh.ts). No Node-only imports.
 *
 * Auth: `Authorization: Bearer <API token>` with the devboxes:ssh scope (or a session cookie
 * with the dashboard's Origin, like the terminal). Developer role on a devbox of the team.
 * Frames, both ways: binary = the SSH byte stream, to and from the devbox's sshd.
 * Frames, server → client: text = JSON `SshServerMessage` (progress while a stopped devbox
 * starts, and the reason for a refusal just before the close).
 */
export const SSH_PATH_RE = /^\/api\/v1\/teams\/([^/]+)\/devboxes\/([^/]+)\/ssh\/?$/;

export function sshPath(team: string, devbox: string): string {
  return `/api/v1/teams/${encodeURIComponent(team)}/devboxes/${encodeURIComponent(devbox)}/ssh`;
}

export type SshServerMessage = { type: "status"; message: string } | { type: "error"; code: number; message: string };

/** Close codes: the same numbers as the terminal's for the same refusals (lib/terminal/protocol.ts). */
export const SshCloseCode = {
  Normal: 1000,
  GoingAway: 1001,
  BadRequest: 4400,
  Unauthorized: 4401,
  ForbiddenOrigin: 4403,
  NotFound: 4404,
  Forbidden: 4406,
  NotRunning: 4409,
  Revoked: 4411,
  Failed: 4500,
  NoSsh: 4503,
} as const;

/** The host alias config-ssh writes and `devbox ssh --stdio <host>` parses: `<devbox>.<team>`. */
export function sshHostAlias(team: string, devbox: string): string {
  return `${devbox}.${team}`;
}

export function parseHostAlias(host: string): { team: string; devbox: string } | null {
  const m = /^([a-z0-9](?:[a-z0-9-]*[a-z0-9])?)\.([a-z0-9](?:[a-z0-9-]*[a-z0-9])?)(?:\.devbox)?$/.exec(host.toLowerCase());
  return m ? { devbox: m[1], team: m[2] } : null;
}
