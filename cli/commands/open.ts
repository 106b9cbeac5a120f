import { spawn } from "node:child_process";
import { print, type Command } from "../context";
import { usage } from "../errors";
import { devboxTarget } from "../target";

/** Opens a URL with $BROWSER, else xdg-open/open; never fails the command (the URL is printed). */
export function openBrowser(url: string): boolean {
  const cmd = process.env.BROWSER || (process.platform === "darwin" ? "open" : "xdg-open");
  try {
    const child = spawn(cmd, [url], { stdio: "ignore", detached: true });
    child.on("error", () => {});
    child.unref();
    return true;
  } catch {
    return false;
  }
}

export const openCommand: Command = {
  name: "open",
  summary: "Open a devbox's page in the browser",
  usage: "<box>[.<team>] [--print]",
  options: { print: { type: "boolean" } },
  async run(ctx, { positionals, values }) {
    if (positionals.length !== 1) throw usage("usage: devbox open <box>[.<team>]");
    const t = devboxTarget(ctx, positionals[0]);
    // Checked first: a typo should say "not found", not open a 404 page.
    await ctx.api.request("GET", t.path);
    const url = new URL(`/t/${encodeURIComponent(t.team)}/devboxes/${encodeURIComponent(t.name)}`, ctx.url).toString();
    if (!values.print) openBrowser(url);
    print(ctx, { url }, values.print ? url : `Opening ${url}`);
  },
};
