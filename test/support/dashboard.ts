import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { credentialsSessionCookie } from "./sign-in";

/**
 * The real dashboard (`server.ts`, production build) as a child process, for tests that crash it
 * while it handles users' requests: SIGKILL of its whole process group, then a new one on the
 * same DB. Needs `npm run build` first.
 */
export interface DashboardOptions {
  /** PostgreSQL; without it, PGlite in `dataDir` (one process at a time, like a real install). */
  databaseUrl?: string;
  dataDir: string;
  /** Reconciler Lease name: unique per test run so runs never wait on each other's leaders. */
  instance: string;
  /** Seed the instance admin (DEVBOX_ADMIN_*) on a fresh DB. */
  adminEmail?: string;
  adminPassword?: string;
  port?: number;
  env?: Record<string, string>;
  /** Print the dashboard's output (DEBUG_DASHBOARD=1 does too). */
  verbose?: boolean;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
    srv.on("error", reject);
  });
}

export class Dashboard {
  private child?: ChildProcess;
  readonly url: string;
  private log: string[] = [];

  private constructor(private readonly opts: DashboardOptions & { port: number }) {
    this.url = `http://127.0.0.1:${opts.port}`;
  }

  static async create(opts: DashboardOptions): Promise<Dashboard> {
    const root = path.resolve(import.meta.dirname, "../..");
    if (!fs.existsSync(path.join(root, ".next/BUILD_ID"))) throw new Error("the dashboard is not built: run `npm run build` first");
    return new Dashboard({ ...opts, port: opts.port ?? (await freePort()) });
  }

  /** Starts a dashboard process (with `crashPoints` armed, if any) and waits until it answers. */
  async start(crashPoints: string[] = []): Promise<void> {
    if (this.running) throw new Error("the dashboard is already running");
    const root = path.resolve(import.meta.dirname, "../..");
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      NODE_ENV: "production",
      PORT: String(this.opts.port),
      HOST: "127.0.0.1",
      NEXTAUTH_URL: this.url,
      DEVBOX_DATA_DIR: this.opts.dataDir,
      DEVBOX_INSTANCE: this.opts.instance,
      ...(this.opts.adminEmail ? { DEVBOX_ADMIN_EMAIL: this.opts.adminEmail, DEVBOX_ADMIN_PASSWORD: this.opts.adminPassword } : {}),
      DEVBOX_CRASH_POINTS: crashPoints.join(","),
      ...this.opts.env,
    };
    delete env.KUBECONFIG; // the dashboard's own identity, as in production
    if (this.opts.databaseUrl) env.DATABASE_URL = this.opts.databaseUrl;
    else delete env.DATABASE_URL;
    const child = spawn(process.execPath, [path.join(root, "node_modules/tsx/dist/cli.mjs"), "server.ts"], { cwd: root, env, stdio: ["ignore", "pipe", "pipe"], detached: true });
    this.child = child;
    const verbose = this.opts.verbose || !!process.env.DEBUG_DASHBOARD;
    const keep = (b: Buffer) => {
      const s = b.toString();
      this.log.push(s);
      if (this.log.length > 400) this.log.splice(0, 100);
      if (verbose) process.stderr.write(`[dashboard ${child.pid}] ${s}`);
    };
    child.stdout?.on("data", keep);
    child.stderr?.on("data", keep);
    const deadline = Date.now() + 120_000;
    while (Date.now() < deadline) {
      if (child.exitCode !== null || child.signalCode) throw new Error(`the dashboard exited at start:\n${this.tail()}`);
      try {
        const res = await fetch(`${this.url}/api/health`, { signal: AbortSignal.timeout(2000) });
        if (res.ok) return;
      } catch {
        /* not listening yet */
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`the dashboard did not answer within 120 s:\n${this.tail()}`);
  }

  get running(): boolean {
    return !!this.child && this.child.exitCode === null && !this.child.signalCode;
  }

  /** Resolves when the process has exited (e.g. at an armed crash point). */
  exited(): Promise<void> {
    const c = this.child;
    if (!c || c.exitCode !== null || c.signalCode) return Promise.resolve();
    return new Promise((resolve) => c.once("exit", () => resolve()));
  }

  /** SIGKILL the whole process group: no clean shutdown, no Lease hand-over — a crash. */
  async crash(): Promise<void> {
    const c = this.child;
    if (!c?.pid) return;
    try {
      process.kill(-c.pid, "SIGKILL");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ESRCH") throw err;
    }
    await this.exited();
  }

  tail(lines = 40): string {
    return this.log.join("").split("\n").slice(-lines).join("\n");
  }
}

/** A signed-in browser-like client of the REST API: session cookie, same-origin JSON requests. */
export class ApiClient {
  private cookie = "";
  constructor(private readonly baseUrl: string) {}

  async signIn(email: string, password: string): Promise<void> {
    this.cookie = await credentialsSessionCookie(this.baseUrl, email, password);
  }

  /** JSON in, JSON out; rejects with the API's error message on a non-2xx answer. */
  async request<T = unknown>(method: string, pathname: string, body?: unknown, timeoutMs = 60_000): Promise<T> {
    const res = await fetch(`${this.baseUrl}${pathname}`, {
      method,
      // Like the dashboard's pages: JSON with its Origin, even without a body (lib/http/csrf.ts).
      headers: { Cookie: this.cookie, Origin: this.baseUrl, ...(body === undefined && method === "GET" ? {} : { "Content-Type": "application/json" }) },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await res.text();
    if (!res.ok) throw new ApiRequestError(res.status, `${method} ${pathname}: HTTP ${res.status} ${text.slice(0, 300)}`);
    return (text ? JSON.parse(text) : undefined) as T;
  }
}

export class ApiRequestError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
    this.name = "ApiRequestError";
  }
}
