import os from "node:os";
import { writeConfig } from "../config";
import { print, progress, type Command, type Context } from "../context";
import { CliError, Exit, usage } from "../errors";
import { Api } from "../http";
import { openBrowser } from "./open";

interface DeviceStart {
  deviceCode: string;
  userCode: string;
  verificationUri: string;
  expiresIn: number;
  interval: number;
}

/**
 * `devbox login <url>`: a device-code approval (the CLI asks for a code, the user approves it on
 * the dashboard while signed in, the CLI polls and receives an API token), or `--token` to use a
 * token created in the dashboard. Either way the token is checked before it is saved.
 */
export const loginCommand: Command = {
  name: "login",
  summary: "Log in to a dashboard (approve in the browser, or --token)",
  usage: "<dashboard url> [--token <token>] [--team <team>] [--no-browser]",
  anonymous: true,
  options: { token: { type: "string" }, "no-browser": { type: "boolean" } },
  async run(ctx, { positionals, values }) {
    if (positionals.length !== 1) throw usage("usage: devbox login <dashboard url> [--token <token>]");
    let url: URL;
    try {
      url = new URL(positionals[0]);
      if (url.protocol !== "http:" && url.protocol !== "https:") throw new Error();
    } catch {
      throw usage(`"${positionals[0]}" is not a dashboard URL (http[s]://host[:port])`);
    }
    const origin = url.origin;
    const token = (values.token as string | undefined) ?? (await deviceLogin(ctx, origin, !values["no-browser"]));
    const api = new Api(origin, token);
    const me = await api.request<{ email: string }>("GET", "/user").catch((err: unknown) => {
      if (err instanceof CliError && err.exitCode === Exit.Auth) throw new CliError(Exit.Auth, `the token was refused: ${err.message}`);
      throw err;
    });
    const teams = (await api.request<{ items: { slug: string; personal: boolean }[] }>("GET", "/teams")).items;
    const team = (values.team as string | undefined) ?? ctx.team ?? "";
    if (team && !teams.some((t) => t.slug === team)) throw new CliError(Exit.NotFound, `Team not found: ${team} (yours: ${teams.map((t) => t.slug).join(", ")})`);
    const chosen = team || teams.find((t) => t.personal)?.slug || teams[0]?.slug || "";
    writeConfig({ url: origin, token, team: chosen, email: me.email }, ctx.configFile);
    print(ctx, { url: origin, email: me.email, team: chosen }, `Logged in to ${origin} as ${me.email}${chosen ? ` (team ${chosen})` : ""}.`);
  },
};

async function deviceLogin(ctx: Context, origin: string, browser: boolean): Promise<string> {
  const anon = new Api(origin);
  const start = await anon.request<DeviceStart>("POST", "/device-authorizations", { clientName: `devbox CLI on ${os.hostname()}` });
  progress(ctx, `To log in, open ${start.verificationUri}\nand approve the code ${start.userCode} (it expires in ${Math.round(start.expiresIn / 60)} minutes).`);
  if (browser) openBrowser(start.verificationUri);
  const deadline = Date.now() + start.expiresIn * 1000;
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, start.interval * 1000));
    const res = await anon.raw("POST", "/device-authorizations/token", { deviceCode: start.deviceCode });
    if (res.status === 202) continue;
    const body = (await res.json().catch(() => ({}))) as { token?: string; error?: { message: string } };
    if (res.ok && body.token) return body.token;
    throw new CliError(res.status === 403 ? Exit.Auth : Exit.Error, body.error?.message ?? `login failed: HTTP ${res.status}`);
  }
  throw new CliError(Exit.Auth, "the login request expired before it was approved: run devbox login again");
}
