import http from "node:http";
import { createRequire } from "node:module";
import WebSocket from "ws";
import { credentialsSessionCookie } from "../../test/support/sign-in";

// React's own encoder of server action arguments (what the browser sends with `Next-Action`).
const require = createRequire(import.meta.url);
const flight = require("next/dist/compiled/react-server-dom-webpack/client.node.js") as { encodeReply(args: unknown[]): Promise<string | FormData> };

export interface Reply {
  status: number;
  text: string;
  json?: { error?: { code: string; message: string } } & Record<string, unknown>;
}

/**
 * One user of the dashboard as a browser would be (its session cookie), speaking HTTP directly so
 * every header is the test's choice: REST calls, server actions by id, terminal websockets.
 */
export class Client {
  constructor(
    readonly origin: string,
    readonly cookie = "",
    readonly name = "anonymous",
  ) {}

  /** A REST call. Unsafe methods carry the dashboard's Origin and JSON unless `headers` say otherwise. */
  async rest(method: string, path: string, opts: { body?: unknown; raw?: string | Uint8Array; headers?: Record<string, string> } = {}): Promise<Reply> {
    const unsafe = method !== "GET" && method !== "HEAD";
    const headers: Record<string, string> = {
      ...(unsafe ? { Origin: this.origin, "Content-Type": "application/json" } : {}),
      ...(this.cookie ? { Cookie: this.cookie } : {}),
      ...opts.headers,
    };
    for (const [k, v] of Object.entries(headers)) if (v === "") delete headers[k];
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), 30_000);
    try {
      const res = await fetch(this.origin + path, {
        method,
        headers,
        body: opts.raw !== undefined ? (opts.raw as BodyInit) : opts.body === undefined ? undefined : JSON.stringify(opts.body),
        redirect: "manual",
        signal: abort.signal,
      });
      // An event stream never ends: its status is the answer.
      if (res.headers.get("content-type")?.startsWith("text/event-stream")) {
        abort.abort();
        return { status: res.status, text: "" };
      }
      const text = await res.text();
      let json;
      try {
        json = JSON.parse(text);
      } catch {
        /* not JSON */
      }
      return { status: res.status, text, json };
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Calls a server action by id, as the browser does (POST to a page that hosts it, `Next-Action`
   * header, React-encoded arguments). The outcome: "ok", "redirect", an error code (with the
   * missing thing: "not_found:Team"), or "http <status>" when Next.js or the host guard answered.
   */
  async action(id: string, page: string, args: unknown[], headers: Record<string, string> = {}): Promise<{ outcome: string; status: number; result?: unknown }> {
    const body = await flight.encodeReply(args);
    const h: Record<string, string> = {
      "Next-Action": id,
      Accept: "text/x-component",
      Origin: this.origin,
      ...(typeof body === "string" ? { "Content-Type": "text/plain;charset=UTF-8" } : {}),
      ...(this.cookie ? { Cookie: this.cookie } : {}),
      ...headers,
    };
    for (const [k, v] of Object.entries(h)) if (v === "") delete h[k];
    const res = await fetch(this.origin + page, { method: "POST", headers: h, body, redirect: "manual", signal: AbortSignal.timeout(30_000) });
    const text = await res.text();
    if (res.headers.get("x-action-redirect")) return { outcome: "redirect", status: res.status };
    if (res.status !== 200) return { outcome: `http ${res.status}`, status: res.status };
    const result = actionResult(text) as { ok?: boolean; error?: { code: string; message: string } } | undefined;
    if (!result || typeof result !== "object") return { outcome: "unparsed", status: res.status, result: text.slice(0, 200) };
    if (result.ok) return { outcome: "ok", status: 200, result };
    return { outcome: errorOutcome(result.error), status: 200, result };
  }

  /** Opens the terminal websocket; the outcome is "http <status>", "close <code>[:<what>]" or "open". */
  ws(path: string, opts: { origin?: string; host?: string } = {}): Promise<string> {
    const url = new URL(path, this.origin.replace(/^http/, "ws"));
    return new Promise((resolve) => {
      const headers: Record<string, string> = { Origin: opts.origin ?? this.origin };
      if (this.cookie) headers.Cookie = this.cookie;
      if (opts.host) headers.Host = opts.host;
      const ws = new WebSocket(url, { headers });
      let done = false;
      const finish = (s: string) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        ws.terminate();
        resolve(s);
      };
      const timer = setTimeout(() => finish("timeout"), 15_000);
      ws.on("unexpected-response", (_req, res) => finish(`http ${res.statusCode}`));
      ws.on("close", (code, reason) => {
        const r = reason.toString();
        finish(code === 4404 ? `close 4404:${r.replace(/ not found.*$/, "")}` : `close ${code}`);
      });
      ws.on("error", () => finish("error"));
    });
  }
}

function errorOutcome(e: { code: string; message: string } | undefined): string {
  if (!e) return "error";
  if (e.code === "not_found" && / not found$/.test(e.message)) return `not_found:${e.message.replace(/ not found$/, "")}`;
  return e.code;
}

// A Flight response: `0:{"a":"$@1",…}` then `1:<the action's return value>`.
function actionResult(text: string): unknown {
  const rows = new Map<string, string>();
  for (const line of text.split("\n")) {
    const m = /^([0-9a-f]+):(.*)$/.exec(line);
    if (m) rows.set(m[1], m[2]);
  }
  try {
    const root = JSON.parse(rows.get("0") ?? "null") as { a?: unknown } | null;
    const ref = typeof root?.a === "string" && root.a.startsWith("$@") ? rows.get(root.a.slice(2)) : JSON.stringify(root?.a);
    return ref === undefined ? undefined : JSON.parse(ref);
  } catch {
    return undefined;
  }
}

/** Signs up through the register action and signs in through next-auth's credentials callback. */
export async function signedUp(origin: string, registerAction: { id: string; page: string }, email: string, password: string): Promise<Client> {
  const form = new FormData();
  form.set("email", email);
  form.set("name", email.split("@")[0]);
  form.set("password", password);
  const r = await new Client(origin).action(registerAction.id, registerAction.page, [null, form]);
  if (r.outcome !== "ok") throw new Error(`sign-up of ${email}: ${r.outcome} ${JSON.stringify(r.result)}`);
  return signedIn(origin, email, password);
}

export async function signedIn(origin: string, email: string, password: string): Promise<Client> {
  return new Client(origin, await credentialsSessionCookie(origin, email, password), email);
}

/** A raw HTTP request with a Host of the test's choosing (fetch does not let one set Host). */
export function rawRequest(origin: string, opts: { method: string; path: string; headers: Record<string, string>; body?: string }): Promise<{ status: number; body: string }> {
  const u = new URL(origin);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: "127.0.0.1", port: Number(u.port), method: opts.method, path: opts.path, headers: opts.headers, agent: false }, (res) => {
      let body = "";
      res.on("data", (c) => (body += c));
      res.on("end", () => resolve({ status: res.statusCode!, body }));
    });
    req.on("error", reject);
    req.end(opts.body);
  });
}
