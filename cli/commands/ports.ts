import { print, table, type Command } from "../context";
import { usage } from "../errors";
import { devboxTarget } from "../target";

/** GET …/ports (lib/api/operations/preview.ts, listPreviewPorts): what `ports` shows of it. */
interface PreviewPorts {
  ports: { port: number; name: string; level: string; effectiveLevel: string; url: string }[];
}

export const portsCommand: Command = {
  name: "ports",
  summary: "List the ports a devbox serves, with their preview URLs",
  usage: "<box>[.<team>]",
  async run(ctx, { positionals }) {
    if (positionals.length !== 1) throw usage("usage: devbox ports <box>[.<team>]");
    const t = devboxTarget(ctx, positionals[0]);
    const { ports } = await ctx.api.request<PreviewPorts>("GET", `${t.path}/ports`);
    // The preview URL is where a person opens the port; inside the team's namespace the devbox's
    // Service also answers on its name.
    const items = ports.map((p) => ({ port: p.port, name: p.name, access: p.effectiveLevel, url: p.url, service: `${t.name}:${p.port}` }));
    print(
      ctx,
      items,
      items.length ? table(items.map((p) => [String(p.port), p.name, p.access, p.url, p.service]), ["PORT", "NAME", "ACCESS", "PREVIEW URL", "IN-CLUSTER"]) : `${t.name} serves no ports`,
    );
  },
};
