import { randomUUID } from "node:crypto";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ErrorSchema } from "@/lib/api/document";
import { operations } from "@/lib/api/registry";
import { openApiProblems } from "@/lib/api/validate-document";
import { arbitraryOf, mutantOf, type JsonSchema } from "@/test/support/schema-arbitrary";
import { openApiWorld, type ApiWorld } from "./api-world";

// Schema-driven fuzz of the REST API: requests generated from the OpenAPI document the real
// dashboard serves, against that dashboard on the bundled cluster. Every answer is below 500,
// has a status the document lists for the operation, failures have the one error shape, 2xx
// bodies fit the response schema, and a body the schema refuses is refused with 400.

interface DocOperation {
  operationId: string;
  parameters?: { name: string; in: string; required?: boolean; schema: JsonSchema }[];
  requestBody?: { required: boolean; content: Record<string, { schema: JsonSchema }> };
  responses: Record<string, unknown>;
}
interface Doc {
  paths: Record<string, Record<string, DocOperation>>;
  components: { schemas: Record<string, JsonSchema> };
}

const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 100_000);
const RUNS = Number(process.env.FUZZ_RUNS ?? 25);

// Path parameters that name nothing (or something that is not there), as a client could send them.
const junk = fc.oneof(
  fc.string({ minLength: 1, maxLength: 40 }),
  fc.string({ unit: "grapheme", minLength: 1, maxLength: 20 }),
  fc.constantFrom("A", "-a", "a-", "a".repeat(300), "%00", "..%2F..", "名前", "😀", "a b", "no-such"),
  fc.uuid(),
).filter((s) => s !== "." && s !== ".." && s.trim() !== "");

describe("schema-driven fuzz of the REST API", () => {
  let w: ApiWorld;
  let doc: Doc;

  beforeAll(async () => {
    w = await openApiWorld("fuzz");
  });
  afterAll(async () => {
    await w?.close();
  });

  it("the served document is valid OpenAPI 3.1 and describes every registered operation", async () => {
    const r = await w.call("GET", "/api/v1/openapi.json", { auth: "none" });
    expect(r.status).toBe(200);
    doc = r.json as Doc;
    expect(openApiProblems(doc)).toEqual([]);
    const ids = Object.values(doc.paths).flatMap((item) => Object.values(item).map((o) => o.operationId));
    expect(ids.sort()).toEqual(operations.map((o) => o.operationId).sort());
  });

  /**
   * Every operation of the document with generated requests, as the cookie session or as an API
   * token (`Bearer`, no cookie, no Origin); returns how many requests were sent.
   */
  async function fuzzEveryOperation(auth: "cookie" | { token: string; scopes: string[] }): Promise<number> {
    const byStatus = new Map<number, number>();
    let sent = 0;
    for (const [p, item] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(item)) {
        const reg = operations.find((o) => o.operationId === op.operationId)!;
        const unsafe = method !== "get";
        // Server-sent events never end: their status is checked once, not fuzzed.
        if (p.endsWith("/events")) continue;
        const pathNames = [...p.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
        const real: Record<string, string> = { team: w.team, name: "box", id: randomUUID(), userId: randomUUID(), tag: "v1", app: "site", port: "3000" };
        const queryParams = (op.parameters ?? []).filter((x) => x.in === "query");
        const bodySchema = op.requestBody?.content["application/json"]?.schema;
        const documented = new Set(Object.keys(op.responses).map(Number));

        const request = fc.record({
          // Real resources or junk; a DELETE never names a real team or devbox (it would delete it).
          params: fc.tuple(...pathNames.map((n, i) => (method === "delete" && i === pathNames.length - 1 && n !== "userId" ? junk : fc.oneof(fc.constant(real[n]), junk)))),
          query: fc.tuple(...queryParams.map((q) => fc.option(fc.oneof(arbitraryOf(q.schema, doc.components.schemas).map(String), fc.string({ maxLength: 12 })), { nil: undefined }))),
          // On real resources an unsafe call only gets bodies the schema refuses (a valid one would act);
          // on junk paths anything the schema allows, too.
          body: bodySchema ? fc.oneof(arbitraryOf(bodySchema, doc.components.schemas), mutantOf(bodySchema, doc.components.schemas)) : fc.constant(undefined),
          raw: bodySchema ? fc.option(fc.constantFrom("{", "[1,2", "nul", '{"a":1}}', "\"x\"", "[]", "null"), { freq: 8, nil: undefined }) : fc.constant(undefined),
        });

        await fc.assert(
          fc.asyncProperty(request, async ({ params, query, body, raw }) => {
            const isReal = pathNames.every((n, i) => params[i] === real[n]);
            const refused = raw !== undefined || (reg.body ? !reg.body.safeParse(body).success : false);
            // A body the schema accepts is sent to real resources only when the call is safe.
            if (unsafe && isReal && reg.body && !refused) return;
            if (unsafe && isReal && !reg.body && method !== "delete" && !["commitDevbox", "startFromSnapshot", "removeMember", "rollbackApp"].includes(op.operationId)) return;
            let url = "/api/v1" + p.replace(/\{(\w+)\}/g, (_, n: string) => encodeURIComponent(params[pathNames.indexOf(n)]));
            const qs = queryParams.map((q, i) => (query[i] === undefined ? "" : `${q.name}=${encodeURIComponent(query[i] as string)}`)).filter(Boolean);
            if (qs.length) url += `?${qs.join("&")}`;
            const r = await w.call(method.toUpperCase(), url, { ...(reg.body ? (raw !== undefined ? { raw } : { body }) : {}), auth: auth === "cookie" ? "cookie" : auth.token });
            sent++;
            byStatus.set(r.status, (byStatus.get(r.status) ?? 0) + 1);
            const what = `${method.toUpperCase()} ${url.slice(0, 160)} ${raw ?? JSON.stringify(body)?.slice(0, 160)} → ${r.status} ${r.text.slice(0, 200)}`;
            expect(r.status, what).toBeLessThan(500);
            expect(documented.has(r.status), `undocumented status: ${what}`).toBe(true);
            if (r.status >= 400) expect(ErrorSchema.safeParse(r.json).success, `not the error shape: ${what}`).toBe(true);
            else {
              const schema = reg.responses[r.status]?.schema;
              if (schema) expect(schema.safeParse(r.json).error?.issues ?? [], `response does not fit its schema: ${what}`).toEqual([]);
            }
            if (isReal && refused && auth === "cookie") expect(r.status, `a body the schema refuses must be a 400: ${what}`).toBe(400);
            // A token gets no success where the document says it needs a scope it does not hold.
            const needs = (op as { "x-devbox-token-scope"?: string })["x-devbox-token-scope"];
            if (auth !== "cookie" && needs && !auth.scopes.includes(needs) && !auth.scopes.includes("admin"))
              expect(r.status >= 400, `a token without ${needs} got ${r.status}: ${what}`).toBe(true);
          }),
          { numRuns: RUNS, seed, endOnFailure: true },
        );
      }
    }
    const who = auth === "cookie" ? "session" : `token ${auth.scopes.join(",")}`;
    console.log(`[api-fuzz] seed ${seed}, ${who}: ${sent} requests over ${operations.length} operations, by status ${JSON.stringify(Object.fromEntries([...byStatus].sort((a, b) => a[0] - b[0])))}`);
    return sent;
  }

  it(`every operation, generated requests (seed ${seed}): 4xx never 5xx, documented statuses, one error shape`, async () => {
    const sent = await fuzzEveryOperation("cookie");
    // Skipped cases (a valid body on a real resource) must not leave the fuzz with nothing to send.
    expect(sent).toBeGreaterThan(operations.length * RUNS * 0.5);
  }, 600_000);

  it(`the same as a read-only API token (seed ${seed}): never 5xx, never a success its scope does not allow`, async () => {
    const created = await w.call("POST", "/api/v1/tokens", { body: { name: "fuzz-read", scopes: ["devboxes:read"] } });
    expect(created.status, created.text).toBe(201);
    const sent = await fuzzEveryOperation({ token: (created.json as { token: string }).token, scopes: ["devboxes:read"] });
    expect(sent).toBeGreaterThan(operations.length * RUNS * 0.5);
  }, 600_000);

  it("fuzzing changed nothing: the team still has its one stopped devbox", async () => {
    const r = await w.call("GET", `/api/v1/teams/${w.team}/devboxes`);
    expect((r.json as { items: { name: string; desiredState: string }[] }).items.map((d) => [d.name, d.desiredState])).toEqual([["box", "stopped"]]);
    const teams = (await w.call("GET", "/api/v1/teams")).json as { items: unknown[] };
    expect(teams.items).toHaveLength(2);
  });

  it("leaving a team is a membership change: a read-only token cannot, an admin token and the session get past authorization", async () => {
    const me = (await w.call("GET", "/api/v1/user")).json as { id: string };
    const leave = `/api/v1/teams/${w.team}/members/${me.id}`;
    const token = async (name: string, scopes: string[]) => ((await w.call("POST", "/api/v1/tokens", { body: { name, scopes } })).json as { token: string }).token;
    const refused = await w.call("DELETE", leave, { auth: await token("leave-read", ["devboxes:read", "devboxes:write"]) });
    expect(refused.status, refused.text).toBe(403);
    expect((refused.json as { error: { message: string } }).error.message).toMatch(/lacks the admin scope/);
    // Allowed past authorization: what stops the sole owner leaving is the team's last owner, not the scope.
    for (const auth of [await token("leave-admin", ["admin"]), "cookie"]) {
      const r = await w.call("DELETE", leave, { auth });
      expect(r.status, r.text).toBe(400);
      expect((r.json as { error: { message: string } }).error.message).toMatch(/owner/);
    }
    const members = (await w.call("GET", `/api/v1/teams/${w.team}/members`)).json as { items: { userId: string }[] };
    expect(members.items.map((m) => m.userId)).toEqual([me.id]);
  });

  it("instance settings: an out-of-range body changes nothing and names the body's field", async () => {
    const before = (await w.call("GET", "/api/v1/settings")).json as { signupOpen: boolean; maxTeamsPerUser: number };
    const r = await w.call("PATCH", "/api/v1/settings", { body: { signupOpen: !before.signupOpen, maxTeamsPerUser: 5000 } });
    expect(r.json).toEqual({ error: { code: "bad_request", message: "'maxTeamsPerUser' must be a whole number from 0 to 1000.", field: "maxTeamsPerUser" } });
    expect((await w.call("GET", "/api/v1/settings")).json).toEqual(before);
    const ok = await w.call("PATCH", "/api/v1/settings", { body: { maxTeamsPerUser: before.maxTeamsPerUser } });
    expect(ok.json).toEqual(before);
  });

  it("lists are paged: limit + cursor walk every item once", async () => {
    for (const name of ["pg-a", "pg-b"]) {
      expect((await w.call("POST", `/api/v1/teams/${w.team}/devboxes`, { body: { name, templateId: w.templateId, cpuMillis: 250, memoryMiB: 256, diskMiB: 1024 } })).status).toBe(201);
      expect((await w.call("PUT", `/api/v1/teams/${w.team}/devboxes/${name}/state`, { body: { state: "stopped" } })).status).toBe(202);
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const r = await w.call("GET", `/api/v1/teams/${w.team}/devboxes?limit=1${cursor ? `&cursor=${cursor}` : ""}`);
      expect(r.status, r.text).toBe(200);
      const page = r.json as { items: { name: string }[]; nextCursor: string | null };
      seen.push(...page.items.map((d) => d.name));
      cursor = page.nextCursor;
      pages++;
    } while (cursor && pages < 10);
    expect(seen).toEqual(["box", "pg-a", "pg-b"]);
    expect(pages).toBe(3);
    const bad = await w.call("GET", `/api/v1/teams/${w.team}/devboxes?limit=0`);
    expect(bad.status).toBe(400);
    expect(bad.json).toEqual({ error: { code: "bad_request", message: "'limit' must be a whole number from 1 to 200.", field: "limit" } });
    // A cursor this API did not give out is a 400 naming it, on every paged list (not an empty page).
    for (const list of [`/api/v1/teams/${w.team}/devboxes`, `/api/v1/teams/${w.team}/members`, `/api/v1/teams/${w.team}/devboxes/box/snapshots`, `/api/v1/teams/${w.team}/audit`]) {
      const garbage = await w.call("GET", `${list}?cursor=garbage`);
      expect(garbage.status, list).toBe(400);
      expect(garbage.json, list).toEqual({ error: { code: "bad_request", message: "'cursor' is not a cursor of this list: pass the previous page's nextCursor, or leave it out for the first page.", field: "cursor" } });
    }
  });

  it("releases and apps: releases:write is what a token needs to release and deploy, devboxes:write is not; lists are paged", async () => {
    const token = async (name: string, scopes: string[]) => {
      const r = await w.call("POST", "/api/v1/tokens", { body: { name, scopes } });
      expect(r.status, r.text).toBe(201);
      return (r.json as { token: string }).token;
    };
    const write = await token("fuzz-write", ["devboxes:read", "devboxes:write"]);
    const release = await token("fuzz-release", ["devboxes:read", "releases:write"]);
    const box = `/api/v1/teams/${w.team}/devboxes/box/releases`;
    const apps = `/api/v1/teams/${w.team}/apps`;
    const deploy = { name: "site", release: { devbox: "box", tag: "v1" } };
    // devboxes:write: refused before anything is looked at, naming the scope
    for (const [method, url, body] of [
      ["POST", box, { tag: "v1" }],
      ["DELETE", `${box}/v1`, undefined],
      ["POST", apps, deploy],
      ["PATCH", `${apps}/site`, { replicas: 2 }],
      ["POST", `${apps}/site/rollbacks`, undefined],
      ["DELETE", `${apps}/site`, undefined],
    ] as const) {
      const r = await w.call(method, url, { body, auth: write });
      expect(r.status, `${method} ${url}: ${r.text}`).toBe(403);
      expect((r.json as { error: { message: string } }).error.message).toMatch(/lacks the releases:write scope/);
    }
    // releases:write: allowed, and what stops it is the devbox (it never ran) or the missing release/app
    const made = await w.call("POST", box, { body: { tag: "v1" }, auth: release });
    expect(made.status, made.text).toBe(409);
    expect((made.json as { error: { message: string } }).error.message).toMatch(/never run/);
    expect((await w.call("DELETE", `${box}/v1`, { auth: release })).json).toMatchObject({ error: { code: "not_found" } });
    const deployed = await w.call("POST", apps, { body: deploy, auth: release });
    expect(deployed.json, deployed.text).toEqual({ error: { code: "bad_request", message: 'Devbox "box" has no release "v1".', field: "release" } });
    for (const [method, url, body] of [
      ["PATCH", `${apps}/site`, { replicas: 2 }],
      ["POST", `${apps}/site/rollbacks`, undefined],
      ["DELETE", `${apps}/site`, undefined],
    ] as const)
      expect((await w.call(method, url, { body, auth: release })).status, `${method} ${url}`).toBe(404);
    // Forking a release makes a devbox: devboxes:write, not releases:write
    expect((await w.call("POST", `${box}/v1/forks`, { body: { name: "fork" }, auth: release })).status).toBe(403);
    expect((await w.call("POST", `${box}/v1/forks`, { body: { name: "fork" }, auth: write })).json).toMatchObject({ error: { code: "not_found" } });
    // the bodies are read by lib/api/body.ts: one error shape for JSON that is not an object
    const raw = await w.call("POST", apps, { raw: "[1,2", auth: release });
    expect(raw.json).toEqual({ error: { code: "bad_request", message: "The request body must be a JSON object." } });
    const empty = await w.call("PATCH", `${apps}/site`, { body: {}, auth: release });
    expect(empty.json).toMatchObject({ error: { code: "bad_request", message: expect.stringMatching(/^Nothing to change/) } });
    // paged lists, readable with devboxes:read
    for (const url of [box, apps]) {
      const r = await w.call("GET", `${url}?limit=5`, { auth: release });
      expect(r.status, r.text).toBe(200);
      expect(r.json).toEqual({ items: [], nextCursor: null });
      expect((await w.call("GET", `${url}?limit=500`)).json).toMatchObject({ error: { code: "bad_request", field: "limit" } });
    }
    const logs = await w.call("GET", `${apps}/site/logs?tail=0`);
    expect(logs.json).toEqual({ error: { code: "bad_request", message: "'tail' must be a whole number from 1 to 5000.", field: "tail" } });
  });

  it("device login starts are limited per address: 429 with Retry-After, in the one error shape", async () => {
    const statuses: number[] = [];
    let limited: Awaited<ReturnType<ApiWorld["call"]>> | undefined;
    for (let i = 0; i < 25 && !limited; i++) {
      const r = await w.call("POST", "/api/v1/device-authorizations", { body: { clientName: `burst ${i}` }, auth: "none" });
      statuses.push(r.status);
      if (r.status === 429) limited = r;
    }
    expect(statuses.filter((s) => s === 201).length).toBe(20);
    expect(Number(limited?.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(limited?.json).toMatchObject({ error: { code: "rate_limited", message: expect.stringMatching(/^Too many login requests/) } });
  });
});
