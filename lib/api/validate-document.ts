/**
 * Structure checks of an OpenAPI 3.1 document (no validator package: these are the rules our
 * generator could get wrong). Returns the problems, each naming where; empty when valid.
 */
export function openApiProblems(doc: unknown): string[] {
  const problems: string[] = [];
  const d = doc as Loose;
  if (typeof d?.openapi !== "string" || !/^3\.1\.\d+$/.test(d.openapi)) problems.push(`openapi: "${d?.openapi}" is not 3.1.x`);
  if (typeof d?.info?.title !== "string" || typeof d?.info?.version !== "string") problems.push("info: title and version are required strings");
  if (!d?.paths || typeof d.paths !== "object") return [...problems, "paths: missing"];

  // Every $ref resolves to something in the document.
  const walk = (node: unknown, at: string) => {
    if (Array.isArray(node)) node.forEach((x, i) => walk(x, `${at}/${i}`));
    else if (node && typeof node === "object") {
      for (const [k, v] of Object.entries(node)) {
        if (k === "$ref") {
          if (typeof v !== "string" || !v.startsWith("#/")) problems.push(`${at}: $ref ${String(v)} is not local`);
          else if (resolve(d, v) === undefined) problems.push(`${at}: $ref ${v} does not resolve`);
        } else walk(v, `${at}/${k.replace(/~/g, "~0").replace(/\//g, "~1")}`);
      }
    }
  };
  walk(d, "#");

  const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];
  const ids = new Map<string, string>();
  const tags = new Set<string>((d.tags ?? []).map((t: { name: string }) => t.name));
  const schemes = new Set(Object.keys(d.components?.securitySchemes ?? {}));
  const templates = new Map<string, string>();
  for (const [p, item] of Object.entries<Record<string, Loose>>(d.paths)) {
    if (!p.startsWith("/")) problems.push(`paths: "${p}" does not start with /`);
    // Two templates that differ only in parameter names are the same path to a router.
    const shape = p.replace(/\{[^}]+\}/g, "{}");
    if (templates.has(shape)) problems.push(`paths: "${p}" and "${templates.get(shape)}" are the same template`);
    templates.set(shape, p);
    const inPath = [...p.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
    for (const [method, op] of Object.entries<Record<string, Loose>>(item)) {
      const where = `${method.toUpperCase()} ${p}`;
      if (!METHODS.includes(method)) {
        if (method !== "parameters" && method !== "summary" && method !== "description") problems.push(`${where}: unknown key`);
        continue;
      }
      if (!op.operationId) problems.push(`${where}: no operationId`);
      else if (ids.has(op.operationId)) problems.push(`${where}: operationId ${op.operationId} is also used by ${ids.get(op.operationId)}`);
      else ids.set(op.operationId, where);
      const params: Loose[] = (op.parameters ?? []).map((x: Loose) => (x.$ref ? resolve(d, x.$ref) : x));
      const seen = new Set<string>();
      for (const x of params) {
        if (!x?.name || !["path", "query", "header", "cookie"].includes(x.in)) problems.push(`${where}: parameter without name or valid "in"`);
        if (seen.has(`${x.in}:${x.name}`)) problems.push(`${where}: parameter ${x.name} in ${x.in} declared twice`);
        seen.add(`${x.in}:${x.name}`);
        if (!x.schema && !x.content) problems.push(`${where}: parameter ${x.name} has no schema`);
        if (x.in === "path" && x.required !== true) problems.push(`${where}: path parameter ${x.name} must be required`);
        if (x.in === "path" && !inPath.includes(x.name)) problems.push(`${where}: path parameter ${x.name} is not in the path`);
      }
      for (const name of inPath) if (!seen.has(`path:${name}`)) problems.push(`${where}: path parameter {${name}} is not declared`);
      const responses = Object.keys(op.responses ?? {});
      if (!responses.length) problems.push(`${where}: no responses`);
      if (!responses.some((s) => /^2\d\d$/.test(s))) problems.push(`${where}: no success response`);
      for (const s of responses) if (!/^([1-5]\d\d|[1-5]XX|default)$/.test(s)) problems.push(`${where}: response key ${s} is not a status`);
      for (const [s, r] of Object.entries<Loose>(op.responses ?? {})) {
        const res = r.$ref ? resolve(d, r.$ref) : r;
        if (typeof res?.description !== "string") problems.push(`${where}: response ${s} has no description`);
      }
      if (op.requestBody && !op.requestBody.content) problems.push(`${where}: requestBody without content`);
      if (["get", "delete", "head"].includes(method) && op.requestBody) problems.push(`${where}: ${method} with a request body`);
      for (const t of op.tags ?? []) if (!tags.has(t)) problems.push(`${where}: tag ${t} is not in the document's tags`);
      for (const req of op.security ?? d.security ?? []) for (const s of Object.keys(req)) if (!schemes.has(s)) problems.push(`${where}: security scheme ${s} is not defined`);
    }
  }
  for (const [name, s] of Object.entries<Loose>(d.components?.schemas ?? {})) {
    if (!/^[a-zA-Z0-9._-]+$/.test(name)) problems.push(`components.schemas: "${name}" is not a valid component name`);
    if (typeof s !== "object" || s === null) problems.push(`components.schemas.${name}: not a schema object`);
  }
  return problems;
}

// Parsed JSON of unknown shape, checked field by field above.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Loose = any;

function resolve(doc: unknown, ref: string): unknown {
  let node: unknown = doc;
  for (const raw of ref.slice(2).split("/")) {
    const key = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    if (!node || typeof node !== "object" || !(key in node)) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}
