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

/**
 * The API answers a missing devbox with "Devbox not found", naming nothing (the same answer for
 * one in a team the caller cannot see); the CLI knows which one it asked for and names it.
 */
export function nameMissingDevbox(message: string, t: { team: string; name: string }): string {
  return /^Devbox not found\.?$/.test(message) ? `Devbox "${t.name}" not found in team "${t.team}"` : message;
}

/** The devbox a REST path is about (`/teams/<team>/devboxes/<name>…`, devboxTarget's path), if any. */
export function devboxOfPath(path: string): { team: string; name: string } | null {
  const m = /^\/teams\/([^/?]+)\/devboxes\/([^/?]+)/.exec(path);
  return m ? { team: decodeURIComponent(m[1]), name: decodeURIComponent(m[2]) } : null;
}
