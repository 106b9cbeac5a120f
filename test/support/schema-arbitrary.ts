import fc from "fast-check";

/** The JSON Schema subset z.toJSONSchema emits for our bodies and queries. */
export interface JsonSchema {
  $ref?: string;
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean;
  items?: JsonSchema;
  maxItems?: number;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  minimum?: number;
  maximum?: number;
  maxLength?: number;
}

/**
 * Values that conform to a schema of an OpenAPI document: fast-check arbitraries built from the
 * document itself, so a new body field is fuzzed without anyone writing a generator for it.
 */
export function arbitraryOf(schema: JsonSchema, components: Record<string, JsonSchema>, depth = 0): fc.Arbitrary<unknown> {
  if (schema.$ref) return arbitraryOf(components[schema.$ref.split("/").pop()!], components, depth);
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.enum) return fc.constantFrom(...schema.enum);
  if (schema.anyOf) return fc.oneof(...schema.anyOf.map((s) => arbitraryOf(s, components, depth)));
  const types = Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : ["string"];
  return fc.oneof(...types.map((t) => ofType(t, schema, components, depth)));
}

function ofType(type: string, s: JsonSchema, components: Record<string, JsonSchema>, depth: number): fc.Arbitrary<unknown> {
  const min = s.minimum !== undefined && s.minimum > -1e15 ? s.minimum : -1e6;
  const max = s.maximum !== undefined && s.maximum < 1e15 ? s.maximum : 1e6;
  switch (type) {
    case "null":
      return fc.constant(null);
    case "boolean":
      return fc.boolean();
    case "integer":
      return fc.integer({ min: Math.ceil(min), max: Math.floor(max) });
    case "number":
      return fc.oneof(fc.integer({ min: Math.ceil(min), max: Math.floor(max) }), fc.double({ min, max, noNaN: true, noDefaultInfinity: true }));
    case "string":
      return fc.oneof(
        fc.string({ maxLength: s.maxLength ?? 30 }),
        fc.stringMatching(/^[a-z][a-z0-9-]{0,20}[a-z0-9]$/),
        fc.string({ unit: "grapheme", maxLength: 20 }),
      );
    case "array":
      return depth > 3 ? fc.constant([]) : fc.array(arbitraryOf(s.items ?? {}, components, depth + 1), { maxLength: Math.min(s.maxItems ?? 5, 5) });
    case "object": {
      if (depth > 3) return fc.constant({});
      const props = s.properties ?? {};
      const required = new Set(s.required ?? []);
      const record = Object.fromEntries(Object.entries(props).map(([k, v]) => [k, arbitraryOf(v, components, depth + 1)]));
      return fc.record(record, { requiredKeys: Object.keys(props).filter((k) => required.has(k)) });
    }
    default:
      return fc.jsonValue();
  }
}

/**
 * Values the schema should refuse: a conforming value with one field replaced by anything JSON
 * can carry, or JSON of the wrong type altogether. The caller keeps the ones its validator
 * really refuses (a replacement can happen to conform).
 */
export function mutantOf(schema: JsonSchema, components: Record<string, JsonSchema>): fc.Arbitrary<unknown> {
  const resolved = schema.$ref ? components[schema.$ref.split("/").pop()!] : schema;
  const keys = Object.keys(resolved.properties ?? {});
  const oneFieldWrong = keys.length
    ? fc.tuple(arbitraryOf(resolved, components), fc.constantFrom(...keys), fc.jsonValue({ maxDepth: 2 })).map(([v, k, bad]) => ({ ...(v as object), [k]: bad }))
    : fc.constant({});
  const unknownField = fc.tuple(arbitraryOf(resolved, components), fc.string({ minLength: 1, maxLength: 12 }), fc.jsonValue({ maxDepth: 1 })).map(([v, k, x]) => ({ ...(v as object), [k]: x }));
  const missingField = keys.length
    ? fc.tuple(arbitraryOf(resolved, components), fc.constantFrom(...keys)).map(([v, k]) => {
        const copy = { ...(v as Record<string, unknown>) };
        delete copy[k];
        return copy;
      })
    : fc.constant({});
  return fc.oneof(oneFieldWrong, oneFieldWrong, unknownField, missingField, fc.jsonValue({ maxDepth: 3 }));
}
