import { LogsQuery, MAX_TAIL_LINES } from "@/lib/devboxes/schemas";
import type { Command } from "../context";
import { CliError, exitForStatus, usage } from "../errors";
import { devboxTarget, nameMissingDevbox } from "../target";

export const logsCommand: Command = {
  name: "logs",
  summary: "Print the devbox container's last output lines",
  usage: "<box>[.<team>] [--tail 200]",
  options: { tail: { type: "string" } },
  async run(ctx, { positionals, values }) {
    if (positionals.length !== 1) throw usage("usage: devbox logs <box>[.<team>] [--tail 200]");
    const t = devboxTarget(ctx, positionals[0]);
    const tail = values.tail as string | undefined;
    // The API's own rule, checked here so the message names --tail, not the query field.
    if (tail !== undefined && !LogsQuery.shape.tailLines.safeParse(tail).success) throw usage(`--tail ${tail}: give a number of lines from 1 to ${MAX_TAIL_LINES}`);
    const res = await ctx.api.raw("GET", `${t.path}/logs${tail ? `?tailLines=${tail}` : ""}`);
    const text = await res.text();
    if (!res.ok) {
      let message = `HTTP ${res.status}`;
      try {
        message = (JSON.parse(text) as { error: { message: string } }).error.message;
      } catch {
        /* not JSON */
      }
      throw new CliError(exitForStatus(res.status), nameMissingDevbox(message, t));
    }
    if (ctx.json) ctx.stdout.write(JSON.stringify({ lines: text.split("\n").filter((l, i, a) => l || i < a.length - 1) }, null, 2) + "\n");
    else ctx.stdout.write(text);
  },
};
