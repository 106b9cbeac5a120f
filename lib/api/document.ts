import { z } from "zod";
import { AppError, type ErrorCode } from "@/lib/errors";
import { scopeForRole, type TokenScope } from "@/lib/tokens/scopes";
import { PATH_PARAMS, type Operation } from "./operation";
import { operations } from "./registry";

/** The one error shape of every failure (lib/errors.ts AppError.toResponse). */
export const ErrorSchema = z
  .object({
    error: z.object({
      code: z.enum(["unauthorized", "forbidden", "not_found", "bad_request", "conflict", "quota_exceeded", "rate_limited", "unavailable", "internal"]),
      message: z.string().meta({ description: "For people: say it as is." }),
      field: z.string().optional().meta({ description: "The body or query field the error is about." }),
    }),
  })
  .meta({ id: "Error", description: "Every failure: HTTP status by `code`, one human sentence, the field when there is one." });

const ERROR_TEXT: Record<ErrorCode, string> = {
  bad_request: "The body, query or a value is invalid (`field` names it), or the path is malformed.",
  unauthorized: "Not signed in, or the token is missing, wrong, expired or revoked.",
  forbidden: "Your role does not allow this, or a browser request that is not same-origin JSON (CSRF).",
  not_found: "No such team, devbox or snapshot — or one you are not a member of (never told apart).",
  conflict: "The resource's state does not allow this now (e.g. the devbox is stopped).",
  quota_exceeded: "Over the team's quota.",
  rate_limited: "Too many requests: retry after `Retry-After` seconds.",
  unavailable: "The cluster or registry is not reachable right now: retry.",
  internal: "A bug: logged on the server.",
};

const statusOf = (code: ErrorCode) => new AppError(code, "").status;
const UNSAFE = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/** The failures an operation can answer: its own plus what its access, input and method imply. */
export function errorCodesOf(op: Operation): ErrorCode[] {
  const codes = new Set<ErrorCode>(op.errors ?? []);
  // A path parameter can make the path malformed (a "." segment once decoded): server/host-guard.ts answers 400.
  if (op.body || op.query || op.path.includes("{")) codes.add("bad_request");
  if (op.access !== "public") codes.add("unauthorized");
  // Forbidden: a role too low, a browser request that is not same-origin JSON, a token without the scope.
  if (op.access === "instanceAdmin" || UNSAFE.has(op.method) || typeof op.access === "object" || tokenScopeOf(op)) codes.add("forbidden");
  if (typeof op.access === "object") codes.add("not_found");
  return [...codes].sort((a, b) => statusOf(a) - statusOf(b));
}

const schemaId = (s: z.ZodType, where: string): string => {
  const id = z.globalRegistry.get(s)?.id;
  if (!id) throw new Error(`${where}: give the schema an id with .meta({ id: "Name" }) so the document can refer to it`);
  return id;
};
const ref = (s: z.ZodType, where: string) => ({ $ref: `#/components/schemas/${schemaId(s, where)}` });

function inline(s: z.ZodType): Record<string, unknown> {
  const { $schema: _, ...rest } = z.toJSONSchema(s, { io: "input", unrepresentable: "any" }) as Record<string, unknown>;
  return rest;
}

export const accessText = (a: Operation["access"]) =>
  a === "public" ? "anyone" : a === "user" ? "any signed-in user" : a === "instanceAdmin" ? "instance administrators" : `team role ${a.team} or higher`;

/** The scope an API token needs (lib/authz: requireTokenAllows / requireTokenScope), or undefined. */
export function tokenScopeOf(op: Operation): TokenScope | "session" | undefined {
  if (op.tokenScope) return op.tokenScope;
  if (op.access === "instanceAdmin") return "admin";
  if (typeof op.access === "object") return scopeForRole(op.access.team);
  return undefined;
}

function operationObject(op: Operation) {
  const where = `${op.method} ${op.path}`;
  const pathParams = [...op.path.matchAll(/\{(\w+)\}/g)].map((m) => ({
    name: m[1],
    in: "path",
    required: true,
    description: PATH_PARAMS[m[1]] ?? m[1],
    schema: { type: "string" },
  }));
  const queryParams = op.query
    ? Object.entries(op.query.shape).map(([name, s]) => {
        const schema = inline(s as z.ZodType);
        const { description, ...rest } = schema;
        return { name, in: "query", required: !(s as z.ZodType).safeParse(undefined).success, ...(description ? { description } : {}), schema: rest };
      })
    : [];
  const responses: Record<string, unknown> = {};
  for (const [status, r] of Object.entries(op.responses))
    responses[status] = {
      description: r.description,
      ...(r.schema ? { content: { [r.contentType ?? "application/json"]: { schema: ref(r.schema, where) } } } : r.contentType ? { content: { [r.contentType]: {} } } : {}),
    };
  for (const code of errorCodesOf(op)) responses[String(statusOf(code))] = { $ref: `#/components/responses/${code}` };
  return {
    operationId: op.operationId,
    summary: op.summary,
    ...(op.description ? { description: op.description } : {}),
    tags: [op.tag],
    ...(op.access === "public" ? { security: [] } : {}),
    "x-devbox-access": accessText(op.access),
    ...(tokenScopeOf(op) ? { "x-devbox-token-scope": tokenScopeOf(op) } : {}),
    ...(pathParams.length || queryParams.length ? { parameters: [...pathParams, ...queryParams] } : {}),
    ...(op.body
      ? { requestBody: { required: !op.bodyOptional, content: { "application/json": { schema: ref(op.body, where) } } } }
      : {}),
    responses,
  };
}

/**
 * The schemas with an id that the operations (and the error shape) use, nested ones included, in
 * a registry of their own. Not zod's global registry: it lives on globalThis, and the production
 * build evaluates a schema module once per bundle layer that imports it (a page and a route
 * handler), so it holds two "Release" schemas once both ran, and converting it fails with
 * "Duplicate schema id". Walking from this copy's operations finds this copy's schemas only.
 */
function documentRegistry(list: Operation[]) {
  const own = z.registry<{ id: string }>();
  const seen = new Set<unknown>();
  const visit = (value: unknown, depth: number): void => {
    if (!value || typeof value !== "object" || seen.has(value) || depth > 64) return;
    seen.add(value);
    if (Array.isArray(value)) return value.forEach((v) => visit(v, depth + 1));
    const zod = (value as { _zod?: { def: Record<string, unknown> } })._zod;
    if (!zod) return Object.values(value).forEach((v) => visit(v, depth + 1));
    const id = z.globalRegistry.get(value as z.ZodType)?.id;
    if (id) own.add(value as z.ZodType, { id });
    for (const [key, v] of Object.entries(zod.def)) {
      // A lazy schema's getter and an object's shape getter are how nested schemas are reached.
      if (key === "getter" && typeof v === "function") visit((v as () => unknown)(), depth + 1);
      else visit(v, depth + 1);
    }
  };
  visit(ErrorSchema, 0);
  for (const op of list) {
    visit(op.body, 0);
    visit(op.query, 0);
    for (const r of Object.values(op.responses)) visit(r.schema, 0);
  }
  return own;
}

/** The OpenAPI 3.1 document of /api/v1, from the registry (lib/api/registry.ts) and its zod schemas. */
export function openApiDocument(list: Operation[] = operations) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of list) (paths[op.path] ??= {})[op.method.toLowerCase()] = operationObject(op);
  // Every schema with an id that the operations use becomes a component; they refer to them.
  const { schemas } = z.toJSONSchema(documentRegistry(list), { io: "input", unrepresentable: "any", uri: (id) => `#/components/schemas/${id}` }) as {
    schemas: Record<string, Record<string, unknown>>;
  };
  for (const s of Object.values(schemas)) {
    delete s.$schema;
    delete s.$id;
  }
  const errorResponses = Object.fromEntries(
    (Object.keys(ERROR_TEXT) as ErrorCode[]).map((code) => [code, { description: ERROR_TEXT[code], content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } } }]),
  );
  return {
    openapi: "3.1.0",
    info: {
      title: "Devbox API",
      version: "1",
      description:
        "The dashboard's REST API. Authenticate with a personal access token (`Authorization: Bearer …`) or, from the dashboard's own pages, the session cookie; a cookie request that changes something must be same-origin JSON (CSRF). Lists are paged: `limit` and `cursor`, answered with `items` and `nextCursor`. Every failure has one shape: `{\"error\": {\"code\", \"message\", \"field\"?}}`.",
    },
    servers: [{ url: "/api/v1" }],
    tags: [...new Set(list.map((o) => o.tag))].map((name) => ({ name })),
    security: [{ bearerAuth: [] }, { sessionCookie: [] }],
    paths,
    components: {
      schemas,
      responses: errorResponses,
      securitySchemes: {
        bearerAuth: { type: "http", scheme: "bearer", description: "A personal access token (created in the dashboard, or by `devbox login`)." },
        sessionCookie: { type: "apiKey", in: "cookie", name: "next-auth.session-token", description: "The dashboard's own session (browser); `__Host-next-auth.session-token` when the dashboard is served over https." },
      },
    },
  };
}

export type OpenApiDocument = ReturnType<typeof openApiDocument>;

let served: OpenApiDocument | undefined;

/**
 * The document of this build's registry, built once per process: it never changes while the
 * process runs, and building it (~50 ms of zod → JSON Schema) on every request of a public
 * endpoint would let anyone spend the dashboard's CPU.
 */
export function servedOpenApiDocument(): OpenApiDocument {
  return (served ??= openApiDocument());
}
