import { DevboxUsageSchema, TeamUsageSchema, UsageQuery } from "@/lib/usage/schemas";
import type { Operation } from "../operation";

export const usageOperations: Operation[] = [
  {
    method: "GET",
    path: "/teams/{team}/devboxes/{name}/usage",
    tag: "Usage",
    operationId: "getDevboxUsage",
    summary: "Devbox usage history",
    description:
      "CPU, memory, disk and network of the devbox, sampled every 20 s by the dashboard from the kubelet and kept downsampled: 1-minute points for the last hour (`window=hour`, the default), 15-minute points for the last day (`window=day`). Also its limits and the warnings its page shows (memory or disk at 90% of the limit).",
    access: { team: "viewer" },
    query: UsageQuery,
    responses: { 200: { description: "The usage history.", schema: DevboxUsageSchema } },
    errors: ["bad_request"],
  },
  {
    method: "GET",
    path: "/teams/{team}/usage",
    tag: "Usage",
    operationId: "getTeamUsage",
    summary: "Team usage",
    description: "Devboxes and apps running, the namespace's requests and limits against its quota, snapshot storage against its quota, and the devboxes that used the most in the last hour.",
    access: { team: "viewer" },
    responses: { 200: { description: "The team's usage.", schema: TeamUsageSchema } },
  },
];
