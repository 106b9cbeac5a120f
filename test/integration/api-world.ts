import fs from "node:fs";
import path from "node:path";
import { randomSuffix } from "@/lib/ids";
import { Dashboard } from "@/test/support/dashboard";
import { credentialsSessionCookie } from "@/test/support/sign-in";
import { adminCore, eventually } from "./devbox-harness";

export interface Reply {
  status: number;
  text: string;
  json?: unknown;
  contentType: string;
  headers: Headers;
}

/**
 * The real dashboard (production build, PGlite in .cache/) with its seeded instance admin signed
 * in, a team of its own and a stopped devbox "box" in it: what the REST API tests act on.
 */
export interface ApiWorld {
  dash: Dashboard;
  origin: string;
  email: string;
  password: string;
  cookie: string;
  team: string;
  templateId: string;
  call(method: string, urlPath: string, opts?: { body?: unknown; raw?: string; auth?: "cookie" | "none" | string }): Promise<Reply>;
  close(): Promise<void>;
}

export async function openApiWorld(who: string): Promise<ApiWorld> {
  const id = `${who}-${randomSuffix()}`;
  const dataDir = path.resolve(import.meta.dirname, `../../.cache/${id}`);
  const email = `${id}@example.com`;
  const password = "correct horse 7";
  const dash = await Dashboard.create({ dataDir, instance: id, adminEmail: email, adminPassword: password });
  await dash.start();
  const origin = dash.url;
  const cookie = await credentialsSessionCookie(origin, email, password);
  const call: ApiWorld["call"] = async (method, urlPath, opts = {}) => {
    const unsafe = method !== "GET" && method !== "HEAD";
    const auth = opts.auth ?? "cookie";
    const headers: Record<string, string> = {
      ...(auth === "cookie" ? { Cookie: cookie } : auth === "none" ? {} : { Authorization: `Bearer ${auth}` }),
      ...(unsafe ? { Origin: origin, "Content-Type": "application/json" } : {}),
    };
    const res = await fetch(origin + urlPath, {
      method,
      headers,
      body: opts.raw ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body)),
      redirect: "manual",
      signal: AbortSignal.timeout(60_000),
    });
    const contentType = res.headers.get("content-type") ?? "";
    if (contentType.startsWith("text/event-stream")) {
      await res.body?.cancel();
      return { status: res.status, text: "", contentType, headers: res.headers };
    }
    const text = await res.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      /* not JSON */
    }
    return { status: res.status, text, json, contentType, headers: res.headers };
  };

  const team = `api-${randomSuffix()}`;
  const must = async (r: Promise<Reply>, status: number) => {
    const reply = await r;
    if (reply.status !== status) throw new Error(`setup: HTTP ${reply.status} ${reply.text.slice(0, 300)}`);
    return reply;
  };
  await must(call("POST", "/api/v1/teams", { body: { slug: team } }), 201);
  const templates = (await must(call("GET", "/api/v1/templates"), 200)).json as { items: { id: string; name: string }[] };
  const templateId = templates.items.find((t) => t.name === "debian")!.id;
  // Stopped at once: the tests need its record, not its Pod.
  await must(call("POST", `/api/v1/teams/${team}/devboxes`, { body: { name: "box", templateId, cpuMillis: 250, memoryMiB: 256, diskMiB: 1024 } }), 201);
  await must(call("PUT", `/api/v1/teams/${team}/devboxes/box/state`, { body: { state: "stopped" } }), 202);

  return {
    dash,
    origin,
    email,
    password,
    cookie,
    team,
    templateId,
    call,
    async close() {
      let namespaces: string[] = [];
      try {
        const teams = ((await call("GET", "/api/v1/teams")).json as { items: { slug: string; namespace: string }[] } | undefined)?.items ?? [];
        namespaces = teams.map((t) => t.namespace);
        for (const t of teams) {
          const list = ((await call("GET", `/api/v1/teams/${t.slug}/devboxes?limit=200`)).json as { items: { name: string }[] } | undefined)?.items ?? [];
          for (const d of list) await call("DELETE", `/api/v1/teams/${t.slug}/devboxes/${d.name}`);
          await eventually(`${t.slug} emptied`, async () => (((await call("GET", `/api/v1/teams/${t.slug}/devboxes`)).json as { items: unknown[] }).items.length === 0 ? true : undefined), 120_000).catch(() => {});
        }
      } finally {
        await dash.crash();
        // The dashboard is gone: nothing re-creates what is deleted now.
        for (const name of namespaces) await adminCore.deleteNamespace({ name }).catch(() => {});
        fs.rmSync(dataDir, { recursive: true, force: true });
      }
    },
  };
}
