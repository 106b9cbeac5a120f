import { print, progress, type Command } from "../context";
import { formatBytes, type Devbox, type Snapshot } from "../devbox-view";
import { CliError, Exit, usage } from "../errors";
import { devboxTarget } from "../target";

export const commitCommand: Command = {
  name: "commit",
  summary: "Save the running devbox now (a snapshot), with progress",
  usage: "<box>[.<team>]",
  async run(ctx, { positionals }) {
    if (positionals.length !== 1) throw usage("usage: devbox commit <box>[.<team>]");
    const t = devboxTarget(ctx, positionals[0]);
    const now = await ctx.api.request<Devbox>("GET", t.path);
    if (now.status.state !== "Running") throw new CliError(Exit.Error, `${t.name} is ${now.status.state.toLowerCase()}: only a running devbox is committed (stop saves too)`);
    // The request answers once the registry has the snapshot; meanwhile the devbox's status
    // carries the commit's phase and bytes.
    let last = "";
    const watcher = setInterval(() => {
      ctx.api
        .request<Devbox>("GET", t.path)
        .then((d) => {
          const c = d.status.commit;
          const line = c ? `${d.name}: saving — ${c.phase}${c.bytes ? ` (${formatBytes(c.bytes)})` : ""}` : "";
          if (line && line !== last) progress(ctx, line);
          last = line || last;
        })
        .catch(() => {});
    }, 1000);
    try {
      progress(ctx, `${t.name}: committing…`);
      const s = await ctx.api.request<Snapshot>("POST", `${t.path}/snapshots`, undefined, { timeoutMs: 900_000 });
      print(ctx, s, `${t.name}: saved ${formatBytes(s.bytesAdded)} in ${(s.durationMs / 1000).toFixed(1)} s (snapshot ${s.id})`);
    } finally {
      clearInterval(watcher);
    }
  },
};
