import { CliError, Exit } from "./errors";
import { progress, type Context } from "./context";
import type { Devbox } from "./devbox-view";
import { formatBytes } from "./devbox-view";

/**
 * Follows a devbox until `done` says so, printing each state change (and snapshot progress) on
 * stderr. The Error state ends the wait with its reason (exit 1); so does a timeout (exit 5).
 */
export async function follow(ctx: Context, path: string, done: (d: Devbox) => boolean, opts: { timeoutMs?: number; what: string }): Promise<Devbox> {
  const deadline = Date.now() + (opts.timeoutMs ?? 600_000);
  let last = "";
  for (;;) {
    const d = await ctx.api.request<Devbox>("GET", path);
    const s = d.status;
    const line = `${d.name}: ${s.state}${s.reason ? ` — ${s.reason}` : s.commit ? ` — saving: ${s.commit.phase}${s.commit.bytes ? ` (${formatBytes(s.commit.bytes)})` : ""}` : ""}`;
    if (line !== last) progress(ctx, line);
    last = line;
    if (done(d)) return d;
    if (s.state === "Error") throw new CliError(Exit.Error, `${d.name} is in Error: ${s.reason ?? "see the dashboard"}`);
    if (Date.now() > deadline) throw new CliError(Exit.Unavailable, `timed out waiting for ${d.name} to ${opts.what} (it is ${s.state})`);
    await new Promise((r) => setTimeout(r, 1000));
  }
}
