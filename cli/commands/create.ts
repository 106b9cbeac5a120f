import { print, type Command } from "../context";
import type { Devbox } from "../devbox-view";
import { usage } from "../errors";
import { follow } from "../follow";

/** "2", "1.5" cores → millicores; "512M", "2G", "2Gi", "2048" (MiB) → MiB. */
function cores(v: string): number {
  if (!/^\d+(\.\d+)?$/.test(v)) throw usage(`--cpu ${v}: give cores, e.g. 0.5 or 2`);
  return Math.round(Number(v) * 1000);
}
function mebibytes(flag: string, v: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(m|mi|mb|g|gi|gb)?$/i.exec(v);
  if (!m) throw usage(`--${flag} ${v}: give a size, e.g. 512M or 2G`);
  const n = Number(m[1]);
  return Math.round(m[2] && m[2].toLowerCase().startsWith("g") ? n * 1024 : n);
}

export const createCommand: Command = {
  name: "create",
  summary: "Create a devbox from a template and wait until it runs",
  usage: "<name> [--template debian] [--cpu 1] [--memory 2G] [--disk 10G] [--env K=V]… [--port 3000[:name]]… [--no-wait]",
  options: {
    template: { type: "string", default: "debian" },
    cpu: { type: "string" },
    memory: { type: "string" },
    disk: { type: "string" },
    env: { type: "string", multiple: true },
    port: { type: "string", multiple: true },
    "no-wait": { type: "boolean" },
  },
  async run(ctx, { values, positionals }) {
    const [name, extra] = positionals;
    if (!name || extra) throw usage("usage: devbox create <name> [--template debian] …");
    if (!ctx.team) throw usage("no team: pass --team <team>");
    const templates = (await ctx.api.request<{ items: { id: string; name: string }[] }>("GET", "/templates")).items;
    const template = templates.find((t) => t.name === values.template || t.id === values.template);
    if (!template) throw usage(`no template "${values.template}" (there are: ${templates.map((t) => t.name).join(", ")})`);
    const env = ((values.env as string[] | undefined) ?? []).map((kv) => {
      const eq = kv.indexOf("=");
      if (eq <= 0) throw usage(`--env ${kv}: use KEY=value`);
      return { name: kv.slice(0, eq), value: kv.slice(eq + 1) };
    });
    const ports = ((values.port as string[] | undefined) ?? []).map((p) => {
      const [port, pname] = p.split(":");
      if (!/^\d+$/.test(port)) throw usage(`--port ${p}: use 3000 or 3000:http`);
      return { port: Number(port), ...(pname ? { name: pname } : {}) };
    });
    const body = {
      name,
      templateId: template.id,
      ...(values.cpu ? { cpuMillis: cores(values.cpu as string) } : {}),
      ...(values.memory ? { memoryMiB: mebibytes("memory", values.memory as string) } : {}),
      ...(values.disk ? { diskMiB: mebibytes("disk", values.disk as string) } : {}),
      ...(env.length ? { env } : {}),
      ...(ports.length ? { ports } : {}),
    };
    const path = `/teams/${encodeURIComponent(ctx.team)}/devboxes`;
    let d = await ctx.api.request<Devbox>("POST", path, body);
    if (!values["no-wait"]) d = await follow(ctx, `${path}/${d.name}`, (x) => x.status.state === "Running", { what: "start" });
    print(ctx, d, `${d.name}: ${d.status.state} (team ${ctx.team})`);
  },
};
