import { print, type Command, type Context, type Parsed } from "../context";
import type { Devbox } from "../devbox-view";
import { usage } from "../errors";
import { follow } from "../follow";
import { devboxTarget } from "../target";

const waitOption = { "no-wait": { type: "boolean" } } as const;

function one(args: Parsed, cmd: string): string {
  if (args.positionals.length !== 1) throw usage(`usage: devbox ${cmd} <box>[.<team>] [--no-wait]`);
  return args.positionals[0];
}

async function setState(ctx: Context, args: Parsed, state: "running" | "stopped", cmd: string) {
  const t = devboxTarget(ctx, one(args, cmd));
  let d = await ctx.api.request<Devbox>("PUT", `${t.path}/state`, { state });
  const want = state === "running" ? "Running" : "Stopped";
  if (!args.values["no-wait"]) d = await follow(ctx, t.path, (x) => x.status.state === want, { what: cmd });
  print(ctx, d, `${d.name}: ${d.status.state}`);
}

const stateCommand = (name: "start" | "stop", state: "running" | "stopped", summary: string): Command => ({
  name,
  summary,
  usage: "<box>[.<team>] [--no-wait]",
  options: waitOption,
  run: (ctx, args) => setState(ctx, args, state, name),
});

export const startCommand = stateCommand("start", "running", "Start a devbox (from its latest snapshot) and wait until it runs");
export const stopCommand = stateCommand("stop", "stopped", "Stop a devbox (its changes are saved first) and wait until it stopped");

export const restartCommand: Command = {
  name: "restart",
  summary: "Restart a devbox (saved first) and wait until it runs again",
  usage: "<box>[.<team>] [--no-wait]",
  options: waitOption,
  async run(ctx, args) {
    const t = devboxTarget(ctx, one(args, "restart"));
    const before = await ctx.api.request<Devbox>("GET", t.path);
    // The generation seen makes a retried restart count once.
    let d = await ctx.api.request<Devbox>("POST", `${t.path}/restarts`, { podGeneration: before.podGeneration });
    if (!args.values["no-wait"]) d = await follow(ctx, t.path, (x) => x.podGeneration > before.podGeneration && x.status.state === "Running", { what: "restart" });
    print(ctx, d, `${d.name}: ${d.status.state}`);
  },
};
