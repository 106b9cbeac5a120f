import { z } from "zod";
import { operationKind } from "@/db/schema/devbox-operations";
import type { Assert, JsonOf, Matches } from "@/lib/api/operation";
import { DEVBOX_STATES } from "./status";
import { LIMITS } from "./spec-input";
import type { DevboxView } from "./view";

/**
 * The REST API's devbox bodies and answers: route handlers validate with them and the OpenAPI
 * document is generated from them (lib/api/). Shapes only; values (name rules, ranges, unique
 * ports) are checked by the service, which the dashboard's forms share.
 */

const number = (key: string) => z.number({ error: `'${key}' must be a number.` });
const resource = (key: keyof typeof LIMITS & ("cpuMillis" | "memoryMiB" | "diskMiB"), description: string) =>
  number(key).meta({ minimum: LIMITS[key].min, maximum: LIMITS[key].max, description });

export const EnvVar = z.object({ name: z.string(), value: z.string() }).meta({ id: "EnvVar", description: "An environment variable of the devbox's processes." });
export const PortSpec = z
  .object({ port: z.number().meta({ minimum: 1, maximum: 65535 }), name: z.string().optional().meta({ description: "At most 15 characters; default `port-<port>`." }) })
  .meta({ id: "PortSpec", description: "A port the devbox serves (its Service exposes it)." });

const env = z.array(EnvVar, { error: "'env' has the wrong shape." }).meta({ maxItems: LIMITS.envVars });
const ports = z.array(PortSpec, { error: "'ports' has the wrong shape." }).meta({ maxItems: LIMITS.ports });

export const CreateDevboxBody = z
  .object({
    name: z.string({ error: "'name' is required." }).meta({ description: "A DNS label: lower-case letters, digits and '-', at most 40 characters." }),
    templateId: z.string({ error: "'templateId' is required." }).meta({ description: "From GET /templates." }),
    cpuMillis: resource("cpuMillis", "CPU in thousandths of a core (default: the template's).").optional(),
    memoryMiB: resource("memoryMiB", "Memory in MiB (default: the template's).").optional(),
    diskMiB: resource("diskMiB", "Disk in MiB (default: the template's).").optional(),
    env: env.optional(),
    ports: ports.optional().meta({ description: "Default: the template's ports." }),
  })
  .meta({ id: "CreateDevbox", description: "A new devbox; it starts at once." });

export const UPDATE_FIELDS = ["cpuMillis", "memoryMiB", "diskMiB", "env", "ports", "podGeneration"] as const;

// An update replaces the Pod: one that names nothing to change (or only misspelt fields) is a mistake.
export const UpdateDevboxBody = z
  .strictObject(
    {
      cpuMillis: resource("cpuMillis", "CPU in thousandths of a core.").optional(),
      memoryMiB: resource("memoryMiB", "Memory in MiB.").optional(),
      diskMiB: resource("diskMiB", "Disk in MiB.").optional(),
      env: env.optional().meta({ description: "Replaces all variables." }),
      ports: ports.optional().meta({ description: "Replaces all ports." }),
      podGeneration: number("podGeneration").optional().meta({ description: "The podGeneration you saw: a retried update applies once." }),
    },
    { error: (iss) => (iss.code === "unrecognized_keys" ? `Unknown field '${String(iss.keys[0]).slice(0, 40)}'. Send any of: ${UPDATE_FIELDS.join(", ")}.` : undefined) },
  )
  .refine((b) => UPDATE_FIELDS.some((k) => k !== "podGeneration" && b[k] !== undefined), {
    error: "Nothing to change: send cpuMillis, memoryMiB, diskMiB, env or ports.",
  })
  .meta({ id: "UpdateDevbox", description: "Changes resources, env or ports; the Pod is recreated to apply them (a snapshot is taken first)." });

export const DevboxStateBody = z
  .object({ state: z.enum(["running", "stopped"], { error: "'state' must be \"running\" or \"stopped\"." }) })
  .meta({ id: "DevboxState", description: "The state to converge to." });

export const RestartBody = z
  .object({ podGeneration: number("podGeneration").optional().meta({ description: "The podGeneration you saw: a retried restart applies once." }) })
  .meta({ id: "Restart" });

export const ForcedStopBody = z
  .object({
    discardChanges: z.literal(true, { error: 'A forced stop loses the changes since the last snapshot: send {"discardChanges": true}.' }),
  })
  .meta({ id: "ForcedStop", description: "Confirms that changes since the last snapshot are lost." });

export const DevboxStatusSchema = z
  .object({
    state: z.enum(DEVBOX_STATES),
    reason: z.string().optional(),
    podName: z.string().optional(),
    podIP: z.string().optional(),
    runningSince: z.string().optional().meta({ format: "date-time", description: "When its container started, while Running." }),
    commit: z
      .object({ phase: z.string(), bytes: z.number(), startedAt: z.number(), trigger: z.string(), error: z.string().optional() })
      .optional()
      .meta({ description: "A snapshot being taken, or the last attempt's failure." }),
  })
  .meta({ id: "DevboxStatus", description: "What runs, from the Pod and the pending request." });

export const DevboxSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    image: z.string(),
    cpuMillis: z.number(),
    memoryMiB: z.number(),
    diskMiB: z.number(),
    env: z.array(EnvVar),
    ports: z.array(z.object({ port: z.number(), name: z.string() })),
    desiredState: z.enum(["running", "stopped", "deleted"]),
    podGeneration: z.number(),
    status: DevboxStatusSchema,
    pendingOperation: z
      .enum(operationKind.enumValues)
      .nullable()
      .meta({ description: "The newest request still under way (start, stop…), or null." }),
    createdAt: z.string().meta({ format: "date-time" }),
  })
  .meta({ id: "Devbox" });

// The view the handlers send is the shape the document describes (compile-time check).
export type DevboxViewMatches = Assert<Matches<JsonOf<DevboxView>, z.infer<typeof DevboxSchema>>>;

export const MAX_TAIL_LINES = 5000;

/** A "last N lines" query field (devbox logs, app logs): a whole number from 1 to MAX_TAIL_LINES. */
export function tailLinesField(field: string) {
  const error = `'${field}' must be a whole number from 1 to ${MAX_TAIL_LINES}.`;
  return z.coerce.number({ error }).int({ error }).min(1, { error }).max(MAX_TAIL_LINES, { error }).optional().meta({ description: "Lines from the end (default 200)." });
}

export const LogsQuery = z.object({ tailLines: tailLinesField("tailLines") });
