import { describe, expect, it } from "vitest";
import { z } from "zod";
import { AppError } from "@/lib/errors";
import { check } from "./body";
import { errorCodesOf, openApiDocument } from "./document";
import { paginate, PageQuery } from "./pagination";
import { operations } from "./registry";
import { openApiProblems } from "./validate-document";
import { CreateDevboxBody, DevboxStateBody, ForcedStopBody, UpdateDevboxBody } from "@/lib/devboxes/schemas";
import { CreateTeamBody } from "@/lib/teams/schemas";
import { AppLogsQuery, createAppBody, updateAppBody } from "@/lib/apps/schemas";
import { createReleaseBody, forkReleaseBody } from "@/lib/releases/schemas";

describe("the OpenAPI document", () => {
  const doc = openApiDocument();

  it("is a valid OpenAPI 3.1 document: refs resolve, path params declared, operationIds unique", () => {
    expect(openApiProblems(doc)).toEqual([]);
    expect(doc.openapi).toBe("3.1.0");
    expect(Object.keys(doc.paths).length).toBeGreaterThan(10);
  });

  it("is built while another bundle's copy of a schema module shares zod's global registry", () => {
    // The production build evaluates lib/releases/schemas.ts once per bundle layer (the devbox
    // page's and the route handler's); zod's global registry is one per process, so after the
    // devbox page ran, /api/v1/openapi.json answered 500 "Duplicate schema id \"Release\"".
    const otherCopy = z.object({ tag: z.string() }).meta({ id: "Release", description: "another bundle's copy" });
    try {
      const again = openApiDocument();
      expect(again.components.schemas.Release).toEqual(doc.components.schemas.Release);
      expect(Object.keys(again.components.schemas).sort()).toEqual(Object.keys(doc.components.schemas).sort());
    } finally {
      z.globalRegistry.remove(otherCopy);
    }
  });

  it("the checker finds what is wrong (it is not vacuous)", () => {
    const broken = JSON.parse(JSON.stringify(doc));
    broken.paths["/teams/{team}"].get.operationId = "listTeams";
    broken.paths["/teams/{team}/members"].get.parameters = [];
    broken.paths["/teams"].post.requestBody.content["application/json"].schema.$ref = "#/components/schemas/Nope";
    const problems = openApiProblems(broken);
    expect(problems).toContain("GET /teams/{team}: operationId listTeams is also used by GET /teams");
    expect(problems).toContain("GET /teams/{team}/members: path parameter {team} is not declared");
    expect(problems.some((p) => p.includes("$ref #/components/schemas/Nope does not resolve"))).toBe(true);
  });

  it("every body is a component generated from the schema the handler validates with", () => {
    for (const op of operations.filter((o) => o.body)) {
      const body = (doc.paths as Record<string, Record<string, { requestBody: { content: Record<string, { schema: { $ref: string } }> } }>>)[op.path][op.method.toLowerCase()].requestBody;
      const name = body.content["application/json"].schema.$ref.split("/").pop()!;
      expect(doc.components.schemas[name], `${op.method} ${op.path}`).toBeDefined();
    }
    expect(doc.components.schemas.CreateDevbox).toMatchObject({ type: "object", required: ["name", "templateId"] });
    expect(doc.components.schemas.UpdateDevbox).toMatchObject({ additionalProperties: false });
    expect((doc.components.schemas.CreateDevbox.properties as Record<string, unknown>).cpuMillis).toMatchObject({ minimum: 250, maximum: 16000 });
  });

  it("says which token scope each releases and apps operation needs, as the handlers enforce it", () => {
    const scopes = Object.fromEntries(
      Object.values(doc.paths).flatMap((item) => Object.values(item as Record<string, { operationId: string; "x-devbox-token-scope"?: string }>).map((o) => [o.operationId, o["x-devbox-token-scope"]])),
    );
    expect(scopes).toMatchObject({
      listReleases: "devboxes:read",
      getRelease: "devboxes:read",
      createRelease: "releases:write",
      deleteRelease: "releases:write",
      forkRelease: "devboxes:write",
      listApps: "devboxes:read",
      getApp: "devboxes:read",
      getAppLogs: "devboxes:read",
      createApp: "releases:write",
      updateApp: "releases:write",
      rollbackApp: "releases:write",
      deleteApp: "releases:write",
    });
  });

  it("describes releases and apps with their answers and paged lists", () => {
    expect(doc.components.schemas.Release).toMatchObject({ type: "object", required: expect.arrayContaining(["tag", "status", "apps", "createdAt"]) });
    expect(doc.components.schemas.App).toMatchObject({ type: "object", required: expect.arrayContaining(["name", "status", "pods"]) });
    expect(doc.components.schemas.ReleasePage).toMatchObject({ required: ["items", "nextCursor"] });
    expect(doc.components.schemas.CreateRelease).toMatchObject({ additionalProperties: false, required: ["tag"] });
    expect(doc.components.schemas.Devbox).toMatchObject({ required: expect.arrayContaining(["pendingOperation"]) });
    expect((doc.components.schemas.DevboxStatus.properties as Record<string, unknown>).runningSince).toMatchObject({ type: "string", format: "date-time" });
    const logs = (doc.paths as Record<string, Record<string, { parameters: { name: string }[]; responses: Record<string, { content?: Record<string, unknown> }> }>>)["/teams/{team}/apps/{app}/logs"].get;
    expect(logs.parameters.map((p) => p.name)).toEqual(["team", "app", "pod", "tail"]);
    expect(Object.keys(logs.responses["200"].content!)).toEqual(["text/plain"]);
  });

  it("documents the one error shape and the errors each operation can answer", () => {
    expect(doc.components.schemas.Error).toMatchObject({ required: ["error"] });
    const create = operations.find((o) => o.operationId === "createDevbox")!;
    expect(errorCodesOf(create)).toEqual(["bad_request", "unauthorized", "forbidden", "not_found", "conflict", "quota_exceeded"]);
    const spec = operations.find((o) => o.operationId === "getOpenApiDocument")!;
    expect(errorCodesOf(spec)).toEqual([]);
  });
});

describe("request validation by the same schemas", () => {
  const err = (f: () => unknown) => {
    try {
      f();
    } catch (e) {
      expect(e).toBeInstanceOf(AppError);
      return { code: (e as AppError).code, message: e instanceof Error ? e.message : "", field: (e as AppError).field };
    }
    throw new Error("no error");
  };

  it("keeps the messages clients and tests know", () => {
    expect(err(() => check(CreateDevboxBody, { templateId: "t" }))).toEqual({ code: "bad_request", message: "'name' is required.", field: "name" });
    expect(err(() => check(CreateDevboxBody, { name: "a", templateId: "t", cpuMillis: "lots" }))).toMatchObject({ message: "'cpuMillis' must be a number.", field: "cpuMillis" });
    expect(err(() => check(CreateDevboxBody, { name: "a", templateId: "t", env: [{ name: 5 }] }))).toMatchObject({ field: "env" });
    expect(err(() => check(UpdateDevboxBody, { cpu: 1 }))).toEqual({
      code: "bad_request",
      message: "Unknown field 'cpu'. Send any of: cpuMillis, memoryMiB, diskMiB, env, ports, podGeneration.",
      field: "cpu",
    });
    expect(err(() => check(UpdateDevboxBody, { podGeneration: 3 })).message).toBe("Nothing to change: send cpuMillis, memoryMiB, diskMiB, env or ports.");
    expect(err(() => check(DevboxStateBody, { state: "paused" })).message).toBe("'state' must be \"running\" or \"stopped\".");
    expect(err(() => check(ForcedStopBody, {})).field).toBe("discardChanges");
    expect(err(() => check(CreateTeamBody, { slug: 42 })).message).toBe("Body must be JSON with a string 'slug'.");
    expect(check(CreateDevboxBody, { name: "a", templateId: "t", extra: 1 })).toEqual({ name: "a", templateId: "t" });
  });

  it("checks release and app bodies with their schemas' own words", () => {
    expect(err(() => check(createReleaseBody, {}))).toEqual({ code: "bad_request", message: "'tag' is required.", field: "tag" });
    expect(err(() => check(createReleaseBody, { tag: "V 1" }))).toMatchObject({ message: expect.stringMatching(/^A tag is 1–64 of a-z/), field: "tag" });
    expect(err(() => check(createReleaseBody, { tag: "v1", notes: "x".repeat(2001) }))).toMatchObject({ message: "Notes are at most 2000 characters.", field: "notes" });
    expect(err(() => check(createReleaseBody, { tag: "v1", bogus: 1 }))).toMatchObject({ field: "bogus" });
    expect(check(createReleaseBody, { tag: "v1" })).toMatchObject({ tag: "v1", notes: "", cmd: [], env: [] });
    expect(err(() => check(forkReleaseBody, {}))).toMatchObject({ message: 'Send {"name": "<new devbox name>"}.', field: "name" });
    expect(err(() => check(createAppBody, { release: { devbox: "web", tag: "v1" } }))).toMatchObject({ message: "'name' is required.", field: "name" });
    expect(err(() => check(createAppBody, { name: "site", release: { devbox: "web", tag: "v1" }, replicas: 11 }))).toMatchObject({ field: "replicas" });
    expect(err(() => check(createAppBody, { name: "Site", release: { devbox: "web", tag: "v1" } }))).toMatchObject({ message: expect.stringMatching(/^An app name is/), field: "name" });
    expect(err(() => check(createAppBody, { name: "site", release: { devbox: "web", tag: "v1" }, env: [{ name: "1X", value: "" }] }))).toMatchObject({ message: expect.stringMatching(/^A variable name is/), field: "env" });
    expect(err(() => check(updateAppBody, {}))).toEqual({ code: "bad_request", message: "Nothing to change: send release, replicas, cpuMillis, memoryMiB, env or command." });
    expect(check(updateAppBody, { command: null })).toEqual({ command: null });
    expect(check(updateAppBody, { replicas: 0 })).toEqual({ replicas: 0 });
    expect(check(AppLogsQuery, { tail: "20", pod: "site-abc" })).toEqual({ tail: 20, pod: "site-abc" });
    expect(err(() => check(AppLogsQuery, { tail: "0" }))).toEqual({ code: "bad_request", message: "'tail' must be a whole number from 1 to 5000.", field: "tail" });
  });

  it("pages lists by limit and cursor, and a cursor survives removals", () => {
    const items = ["e", "a", "d", "b", "c"];
    const p1 = paginate(items, (x) => x, check(PageQuery, { limit: "2" }));
    expect(p1).toEqual({ items: ["a", "b"], nextCursor: expect.any(String) });
    const p2 = paginate(items.filter((x) => x !== "b"), (x) => x, check(PageQuery, { limit: "2", cursor: p1.nextCursor! }));
    expect(p2.items).toEqual(["c", "d"]);
    const p3 = paginate(items, (x) => x, { limit: 2, cursor: p2.nextCursor! });
    expect(p3).toEqual({ items: ["e"], nextCursor: null });
    expect(paginate(items, (x) => x, {}, "desc").items).toEqual(["e", "d", "c", "b", "a"]);
    expect(err(() => check(PageQuery, { limit: "0" })).field).toBe("limit");
    expect(err(() => check(PageQuery, { limit: "abc" })).message).toBe("'limit' must be a whole number from 1 to 200.");
    // Anything but a nextCursor this API gave out is a 400 naming the parameter, not an empty page.
    for (const cursor of ["../x", "garbage", "abc", "x", "YWJj="])
      expect(err(() => paginate(items, (x) => x, { cursor })), cursor).toEqual({
        code: "bad_request",
        message: "'cursor' is not a cursor of this list: pass the previous page's nextCursor, or leave it out for the first page.",
        field: "cursor",
      });
  });
});
