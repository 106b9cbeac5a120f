/**
 * Exit codes of `devbox` (documented in cli/README.md). `exec` exits with the remote command's
 * code once it ran; these are for everything that failed before or around it.
 */
export const Exit = {
  Ok: 0,
  /** The dashboard refused or failed (conflict, quota, the devbox went to Error…). */
  Error: 1,
  /** Bad command line or invalid input (the API's 400). */
  Usage: 2,
  NotFound: 3,
  /** Not logged in, token wrong/expired/revoked (401), or not allowed (403). */
  Auth: 4,
  /** The dashboard or cluster cannot be reached, or a wait timed out. */
  Unavailable: 5,
} as const;

/** A failure with its exit code; main prints `devbox: <message>` on one line. */
export class CliError extends Error {
  constructor(readonly exitCode: number, message: string) {
    super(message);
    this.name = "CliError";
  }
}

export const usage = (message: string) => new CliError(Exit.Usage, message);

export function exitForStatus(status: number): number {
  if (status === 400 || status === 422) return status === 400 ? Exit.Usage : Exit.Error;
  if (status === 401 || status === 403) return Exit.Auth;
  if (status === 404) return Exit.NotFound;
  if (status === 503 || status === 504) return Exit.Unavailable;
  return Exit.Error;
}
