import { Card } from "@/components/ui/card";
import type { OpenApiDocument } from "@/lib/api/document";

type Schema = {
  $ref?: string;
  type?: string | string[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  enum?: unknown[];
  const?: unknown;
  anyOf?: Schema[];
  description?: string;
  minimum?: number;
  maximum?: number;
  format?: string;
};
type Param = { name: string; in: string; required?: boolean; description?: string; schema: Schema };
type Op = {
  operationId: string;
  summary: string;
  description?: string;
  tags: string[];
  "x-devbox-access": string;
  "x-devbox-token-scope"?: string;
  parameters?: Param[];
  requestBody?: { required: boolean; content: Record<string, { schema: Schema }> };
  responses: Record<string, { $ref?: string; description?: string; content?: Record<string, { schema?: Schema }> }>;
};

const METHOD_COLOR: Record<string, string> = {
  get: "bg-sky-100 text-sky-800 dark:bg-sky-900 dark:text-sky-200",
  post: "bg-emerald-100 text-emerald-800 dark:bg-emerald-900 dark:text-emerald-200",
  put: "bg-amber-100 text-amber-800 dark:bg-amber-900 dark:text-amber-200",
  patch: "bg-violet-100 text-violet-800 dark:bg-violet-900 dark:text-violet-200",
  delete: "bg-rose-100 text-rose-800 dark:bg-rose-900 dark:text-rose-200",
};

const refName = (ref: string) => ref.split("/").pop()!;

function typeOf(s: Schema): React.ReactNode {
  if (s.$ref) return <a href={`#schema-${refName(s.$ref)}`} className="text-indigo-600 hover:underline dark:text-indigo-400">{refName(s.$ref)}</a>;
  if (s.enum) return s.enum.map((v) => JSON.stringify(v)).join(" | ");
  if (s.const !== undefined) return JSON.stringify(s.const);
  if (s.anyOf) return s.anyOf.map((x, i) => <span key={i}>{i > 0 && " | "}{typeOf(x)}</span>);
  if (s.type === "array" && s.items) return <>{typeOf(s.items)}[]</>;
  const t = Array.isArray(s.type) ? s.type.join(" | ") : (s.type ?? "any");
  const range = s.minimum !== undefined && s.maximum !== undefined && s.maximum < 1e15 ? ` (${s.minimum}–${s.maximum})` : "";
  return `${t}${s.format ? ` (${s.format})` : ""}${range}`;
}

function Fields({ schema }: { schema: Schema }) {
  if (!schema.properties) return <p className="text-sm">{typeOf(schema)}</p>;
  return (
    <table className="w-full text-left text-sm">
      <tbody>
        {Object.entries(schema.properties).map(([name, s]) => (
          <tr key={name} className="border-t border-zinc-100 align-top dark:border-zinc-800">
            <td className="py-1 pr-3 font-mono">{name}{schema.required?.includes(name) ? "" : "?"}</td>
            <td className="py-1 pr-3 font-mono text-xs">{typeOf(s)}</td>
            <td className="py-1 text-zinc-500">{s.description}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Operation({ method, path, op }: { method: string; path: string; op: Op }) {
  const params = op.parameters ?? [];
  const body = op.requestBody?.content["application/json"]?.schema;
  return (
    <div id={op.operationId} className="border-t border-zinc-200 py-4 first:border-t-0 dark:border-zinc-800" data-testid="api-operation">
      <div className="flex flex-wrap items-center gap-2">
        <span className={`rounded px-2 py-0.5 font-mono text-xs font-semibold uppercase ${METHOD_COLOR[method] ?? ""}`}>{method}</span>
        <code className="font-mono text-sm">/api/v1{path}</code>
        <span className="text-sm font-medium">{op.summary}</span>
      </div>
      {op.description && <p className="mt-1 text-sm text-zinc-600 dark:text-zinc-400">{op.description}</p>}
      <p className="mt-1 text-xs text-zinc-500">
        Who: {op["x-devbox-access"]}
        {op["x-devbox-token-scope"] && (op["x-devbox-token-scope"] === "session" ? " · a signed-in browser session only (not an API token)" : ` · API token scope ${op["x-devbox-token-scope"]}`)}
      </p>
      {params.length > 0 && (
        <div className="mt-2">
          <h4 className="text-xs font-semibold uppercase text-zinc-500">Parameters</h4>
          <table className="w-full text-left text-sm">
            <tbody>
              {params.map((p) => (
                <tr key={`${p.in}:${p.name}`} className="align-top">
                  <td className="py-0.5 pr-3 font-mono">{p.name}{p.required ? "" : "?"}</td>
                  <td className="py-0.5 pr-3 text-xs text-zinc-500">{p.in}</td>
                  <td className="py-0.5 pr-3 font-mono text-xs">{typeOf(p.schema)}</td>
                  <td className="py-0.5 text-zinc-500">{p.description}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {body && (
        <div className="mt-2">
          <h4 className="text-xs font-semibold uppercase text-zinc-500">Body{op.requestBody?.required ? "" : " (optional)"}</h4>
          <p className="text-sm">{typeOf(body)}</p>
        </div>
      )}
      <div className="mt-2">
        <h4 className="text-xs font-semibold uppercase text-zinc-500">Responses</h4>
        <ul className="text-sm">
          {Object.entries(op.responses).map(([status, r]) => {
            const schema = r.content && Object.values(r.content)[0]?.schema;
            return (
              <li key={status}>
                <span className="font-mono">{status}</span>{" "}
                {r.$ref ? <a href={`#error-${refName(r.$ref)}`} className="text-zinc-500 hover:underline">{refName(r.$ref)}</a> : <span className="text-zinc-600 dark:text-zinc-400">{r.description}</span>}
                {schema && <span className="font-mono text-xs"> · {typeOf(schema)}</span>}
              </li>
            );
          })}
        </ul>
      </div>
    </div>
  );
}

/** Renders an OpenAPI document: operations grouped by tag, then the schemas and the error shape. */
export function ApiReference({ doc }: { doc: OpenApiDocument }) {
  const byTag = new Map<string, { method: string; path: string; op: Op }[]>();
  for (const [path, item] of Object.entries(doc.paths))
    for (const [method, op] of Object.entries(item as Record<string, Op>)) {
      const tag = op.tags[0] ?? "Other";
      byTag.set(tag, [...(byTag.get(tag) ?? []), { method, path, op }]);
    }
  const schemas = doc.components.schemas as Record<string, Schema>;
  return (
    <div className="space-y-6" data-testid="api-reference">
      <div>
        <h1 className="text-xl font-semibold">API reference</h1>
        <p className="mt-1 max-w-3xl text-sm text-zinc-600 dark:text-zinc-400">{doc.info.description}</p>
        <p className="mt-1 text-sm">
          <a href="/api/v1/openapi.json" className="text-indigo-600 hover:underline dark:text-indigo-400">openapi.json</a> (OpenAPI {doc.openapi}) ·{" "}
          {[...byTag.keys()].map((t, i) => (
            <span key={t}>{i > 0 && " · "}<a href={`#${tagAnchor(t)}`} className="hover:underline">{t}</a></span>
          ))}
        </p>
      </div>
      {[...byTag].map(([tag, ops]) => (
        <div id={tagAnchor(tag)} key={tag}>
          <Card title={tag}>
            {ops.map((o) => <Operation key={`${o.method} ${o.path}`} {...o} />)}
          </Card>
        </div>
      ))}
      <Card title="Errors" description="Every failure has this shape; the status follows the code.">
        <ul className="space-y-1 text-sm">
          {Object.entries(doc.components.responses).map(([code, r]) => (
            <li key={code} id={`error-${code}`}><span className="font-mono">{code}</span> — {r.description}</li>
          ))}
        </ul>
      </Card>
      <Card title="Schemas">
        {Object.entries(schemas).map(([name, s]) => (
          <div key={name} id={`schema-${name}`} className="border-t border-zinc-100 py-3 first:border-t-0 dark:border-zinc-800">
            <h3 className="font-mono text-sm font-semibold">{name}</h3>
            {s.description && <p className="text-sm text-zinc-500">{s.description}</p>}
            <Fields schema={s} />
          </div>
        ))}
      </Card>
    </div>
  );
}

/** An id for a tag's section: ids may not contain spaces ("Idle auto-stop"). */
export function tagAnchor(tag: string): string {
  return `tag-${tag.replace(/\s+/g, "-")}`;
}
