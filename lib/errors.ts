/**
 * The one error type every server action, route handler and websocket speaks.
 * `message` is shown to the user; `cause` is only logged.
 */
export type ErrorCode =
  | "unauthorized"
  | "forbidden"
  | "not_found"
  | "bad_request"
  | "conflict"
  | "quota_exceeded"
  | "rate_limited"
  | "unavailable"
  | "internal";

const statusByCode: Record<ErrorCode, number> = {
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  bad_request: 400,
  conflict: 409,
  quota_exceeded: 422,
  rate_limited: 429,
  unavailable: 503,
  internal: 500,
};

export class AppError extends Error {
  readonly code: ErrorCode;
  /** The form field the error is about, when there is one. */
  readonly field?: string;
  /** For rate_limited: when to try again (the Retry-After header). */
  readonly retryAfterSeconds?: number;

  constructor(code: ErrorCode, message: string, opts: { field?: string; cause?: unknown; retryAfterSeconds?: number } = {}) {
    super(message, { cause: opts.cause });
    this.name = "AppError";
    this.code = code;
    this.field = opts.field;
    this.retryAfterSeconds = opts.retryAfterSeconds;
  }

  get status(): number {
    return statusByCode[this.code];
  }

  toJSON(): ErrorBody {
    return { code: this.code, message: this.message, ...(this.field ? { field: this.field } : {}) };
  }

  toResponse(): Response {
    const headers = this.retryAfterSeconds !== undefined ? { "Retry-After": String(this.retryAfterSeconds) } : undefined;
    return Response.json({ error: this.toJSON() }, { status: this.status, headers });
  }
}

export interface ErrorBody {
  code: ErrorCode;
  message: string;
  field?: string;
}

export const notFound = (what: string) => new AppError("not_found", `${what} not found`);

/** Turns anything thrown into an AppError; unknown errors are logged and hidden. */
export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  console.error("[devbox] unexpected error:", err);
  return new AppError("internal", "Something went wrong. The error has been logged.", { cause: err });
}

/** The server must not start: configuration or a required first step failed. Printed as is. */
export class StartupError extends Error {
  constructor(message: string, opts: { cause?: unknown } = {}) {
    super(message, { cause: opts.cause });
    this.name = "StartupError";
  }
}
