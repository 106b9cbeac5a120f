import { print, table, type Command } from "../context";
import { formatBytes, type Snapshot } from "../devbox-view";
import { usage } from "../errors";
import { devboxTarget } from "../target";

export const snapshotsCommand: Command = {
  name: "snapshots",
  summary: "List a devbox's snapshots, newest first",
  usage: "<box>[.<team>]",
  async run(ctx, { positionals }) {
    if (positionals.length !== 1) throw usage("usage: devbox snapshots <box>[.<team>]");
    const t = devboxTarget(ctx, positionals[0]);
    const items = await ctx.api.all<Snapshot>(`${t.path}/snapshots`);
    const rows = items.map((s) => [s.id, s.createdAt.replace("T", " ").slice(0, 19), s.trigger, formatBytes(s.bytesAdded), String(s.layerCount), s.pinned ? "pinned" : ""]);
    print(ctx, items, items.length ? table(rows, ["ID", "CREATED (UTC)", "TRIGGER", "ADDED", "LAYERS", ""]) : `${t.name} has no snapshots yet (stop or commit makes one)`);
  },
};
