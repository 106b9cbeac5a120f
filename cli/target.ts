import { usage } from "./errors";
import type { Context } from "./context";

const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** `<box>` or `<box>.<team>` (the same name `devbox ssh` uses): the devbox and its team. */
export function devboxTarget(ctx: Context, arg: string | undefined): { team: string; name: string; path: string } {
  if (!arg) throw usage("name a devbox: <box> or <box>.<team>");
  const dot = arg.indexOf(".");
  const name = dot < 0 ? arg : arg.slice(0, dot);
  const team = dot < 0 ? ctx.team : arg.slice(dot + 1);
  if (!LABEL.test(name) || name.length > 63) throw usage(`"${arg}" is not a devbox name (lower-case letters, digits and '-')`);
  if (!team) throw usage("no team: pass --team <team> or <box>.<team>, or log in again");
  return { team, name, path: `/teams/${encodeURIComponent(team)}/devboxes/${encodeURIComponent(name)}` };
}
