import { print, table, type Command } from "../context";
import type { Devbox } from "../devbox-view";
import { usage } from "../errors";
import { devboxTarget } from "../target";

export const portsCommand: Command = {
  name: "ports",
  summary: "List the ports a devbox serves",
  usage: "<box>[.<team>]",
  async run(ctx, { positionals }) {
    if (positionals.length !== 1) throw usage("usage: devbox ports <box>[.<team>]");
    const t = devboxTarget(ctx, positionals[0]);
    const d = await ctx.api.request<Devbox>("GET", t.path);
    // Inside the team's namespace the devbox's Service answers on its name.
    const items = d.ports.map((p) => ({ port: p.port, name: p.name, service: `${d.name}:${p.port}` }));
    print(ctx, items, items.length ? table(items.map((p) => [String(p.port), p.name, p.service]), ["PORT", "NAME", "IN-CLUSTER"]) : `${d.name} serves no ports`);
  },
};
