import { z } from "zod";

/** GET …/devboxes/{name}/usage?window= */
export const UsageQuery = z.object({
  window: z.enum(["hour", "day"], { error: "'window' must be 'hour' or 'day'." }).optional(),
});

const column = z.array(z.number().nullable());

export const UsageWarningSchema = z.object({
  kind: z.enum(["memory", "disk"]),
  ratio: z.number().describe("Share of the limit in use"),
  message: z.string(),
});

export const DevboxUsageSchema = z
  .object({
    window: z.enum(["hour", "day"]),
    resolutionSeconds: z.number().int().describe("Bucket width: 60 for the last hour, 900 for the last day"),
    limits: z.object({ cpuMillis: z.number().int(), memoryBytes: z.number().int(), diskBytes: z.number().int() }),
    series: z
      .object({
        t: z.array(z.number()).describe("Bucket starts, Unix seconds"),
        cpuMillis: column.describe("Average CPU in the bucket, millicores"),
        memoryBytes: column.describe("Peak memory working set in the bucket"),
        diskBytes: column.describe("Peak ephemeral storage (writable layer + logs) in the bucket"),
        rxBytesPerSec: column,
        txBytesPerSec: column,
      })
      .describe("Columns, one entry per bucket; null where the devbox was not sampled (stopped)"),
    warnings: z.array(UsageWarningSchema).describe("Memory or disk at 90% of the limit or more, from the last minute sampled"),
  })
  .meta({ id: "DevboxUsage" });
export type DevboxUsageView = z.infer<typeof DevboxUsageSchema>;

const used = z.object({ used: z.number(), hard: z.number().nullable().describe("null: no quota on it") });

export const TeamUsageSchema = z
  .object({
    devboxesRunning: z.number().int(),
    devboxesTotal: z.number().int(),
    appsRunning: z.number().int().describe("Apps with at least one replica asked for"),
    quota: z
      .object({
        cpuRequestsMillis: used,
        memoryRequestsBytes: used,
        cpuLimitsMillis: used,
        memoryLimitsBytes: used,
        diskLimitsBytes: used,
        pods: used,
      })
      .nullable()
      .describe("The namespace's ResourceQuota as Kubernetes counts it; null when it cannot be read"),
    snapshotStorage: z.object({ usedBytes: z.number(), quotaBytes: z.number() }),
    topConsumers: z
      .array(z.object({ name: z.string(), cpuMillis: z.number().describe("Average over the last hour"), memoryBytes: z.number().describe("Peak over the last hour") }))
      .describe("Devboxes that used the most in the last hour"),
  })
  .meta({ id: "TeamUsage" });
export type TeamUsageView = z.infer<typeof TeamUsageSchema>;
