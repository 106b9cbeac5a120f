import { print, table, type Command } from "../context";
import type { Devbox } from "../devbox-view";
import { usage } from "../errors";

export const lsCommand: Command = {
  name: "ls",
  summary: "List the team's devboxes",
  usage: "[--team <team>]",
  async run(ctx, { positionals }) {
    if (positionals.length) throw usage("ls takes no arguments (usage: devbox ls [--team <team>])");
    if (!ctx.team) throw usage("no team: pass --team <team>");
    const items = await ctx.api.all<Devbox>(`/teams/${encodeURIComponent(ctx.team)}/devboxes`);
    const rows = items.map((d) => [d.name, d.status.state, `${d.cpuMillis / 1000}`, `${d.memoryMiB} MiB`, d.ports.map((p) => p.port).join(",") || "-", d.status.reason ?? ""]);
    print(ctx, items, items.length ? table(rows, ["NAME", "STATE", "CPU", "MEMORY", "PORTS", "REASON"]) : `No devboxes in ${ctx.team}: devbox create <name>`);
  },
};
