import { CliError, Exit, exitForStatus } from "./errors";
import { devboxOfPath, nameMissingDevbox } from "./target";

export interface ApiErrorBody {
  error?: { code: string; message: string; field?: string };
}

/**
 * The dashboard's REST API with an API token (`Authorization: Bearer`). A failure becomes a
 * CliError with the API's own sentence and an exit code by status; an unreachable dashboard is
 * "unavailable".
 */
export class Api {
  constructor(
    readonly url: string,
    private readonly token?: string,
  ) {}

  async request<T = unknown>(method: string, path: string, body?: unknown, opts: { timeoutMs?: number } = {}): Promise<T> {
    const res = await this.raw(method, path, body, opts);
    const text = await res.text();
    if (!res.ok) {
      const message = errorMessage(res.status, text);
      const devbox = devboxOfPath(path);
      throw new CliError(exitForStatus(res.status), devbox ? nameMissingDevbox(message, devbox) : message);
    }
    return (text ? JSON.parse(text) : undefined) as T;
  }

  async raw(method: string, path: string, body?: unknown, opts: { timeoutMs?: number } = {}): Promise<Response> {
    const unsafe = method !== "GET" && method !== "HEAD";
    const headers: Record<string, string> = {};
    if (this.token) headers.Authorization = `Bearer ${this.token}`;
    // Without a token (login) the request carries no credential; the dashboard still wants
    // unsafe requests as same-origin JSON (its CSRF rule), which a non-browser client can state.
    else if (unsafe) headers.Origin = new URL(this.url).origin;
    if (unsafe) headers["Content-Type"] = "application/json";
    try {
      return await fetch(new URL(`/api/v1${path}`, this.url), {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        redirect: "manual",
        signal: AbortSignal.timeout(opts.timeoutMs ?? 60_000),
      });
    } catch (err) {
      const why = err instanceof Error ? ((err.cause as Error | undefined)?.message ?? err.message) : String(err);
      throw new CliError(Exit.Unavailable, `cannot reach ${this.url}: ${why}`);
    }
  }

  /** Every item of a paged list (limit + cursor). */
  async all<T>(path: string): Promise<T[]> {
    const items: T[] = [];
    let cursor: string | null = null;
    do {
      const sep = path.includes("?") ? "&" : "?";
      const page: { items: T[]; nextCursor?: string | null } = await this.request("GET", `${path}${sep}limit=200${cursor ? `&cursor=${cursor}` : ""}`);
      items.push(...page.items);
      cursor = page.nextCursor ?? null;
    } while (cursor);
    return items;
  }
}

function errorMessage(status: number, text: string): string {
  try {
    const body = JSON.parse(text) as ApiErrorBody;
    if (body.error?.message) return body.error.message;
  } catch {
    /* not the API's error shape */
  }
  return `HTTP ${status}${text ? `: ${text.slice(0, 200)}` : ""}`;
}
