import { CoreV1Api } from "@kubernetes/client-node";
import { kubeConfig } from "@/lib/k8s/config";
import { getBlob, getManifest, putBlob, putManifest, RegistryError } from "@/lib/snapshots/registry";

/**
 * The image side of a release: a release image is the merged snapshot (template layers + one own
 * layer, made by the node agent's merge or, with one own layer already, a blob-mounting copy)
 * with its config rewritten — entrypoint, cmd, working dir, env, exposed ports, labels. Only the
 * config blob and the manifest are written here; layers are never re-uploaded.
 */

export const RELEASE_ID_LABEL = "dev.devbox.release-id";
export const TINI = ["/usr/bin/tini", "--"];

export interface ReleaseConfig {
  releaseId: string;
  tag: string;
  devbox: string;
  entrypoint: string[];
  cmd: string[];
  workingDir: string;
  env: { name: string; value: string }[];
  ports: { port: number }[];
}

interface OciConfig {
  config?: {
    Env?: string[];
    Entrypoint?: string[] | null;
    Cmd?: string[] | null;
    WorkingDir?: string;
    ExposedPorts?: Record<string, object>;
    Labels?: Record<string, string>;
    [k: string]: unknown;
  };
  history?: { created?: string; created_by?: string; comment?: string; empty_layer?: boolean }[];
  [k: string]: unknown;
}

/** Image env with the release's variables replacing those of the same name. */
function mergeEnv(image: string[] | undefined, extra: { name: string; value: string }[]): string[] {
  const names = new Set(extra.map((e) => e.name));
  return [...(image ?? []).filter((kv) => !names.has(kv.split("=")[0])), ...extra.map((e) => `${e.name}=${e.value}`)];
}

/** Rewrites `config` (a parsed OCI image config) for a release: tini stays PID 1, in front of the entrypoint. */
export function releaseImageConfig(config: OciConfig, r: ReleaseConfig): OciConfig {
  const c = config.config ?? {};
  return {
    ...config,
    config: {
      ...c,
      Entrypoint: [...TINI, ...r.entrypoint],
      Cmd: r.cmd.length ? r.cmd : null,
      WorkingDir: r.workingDir,
      Env: mergeEnv(c.Env, r.env),
      ExposedPorts: Object.fromEntries(r.ports.map((p) => [`${p.port}/tcp`, {}])),
      Labels: { ...(c.Labels ?? {}), [RELEASE_ID_LABEL]: r.releaseId, "dev.devbox.release": r.tag, "dev.devbox.devbox": r.devbox },
    },
    history: [...(config.history ?? []), { created: new Date(0).toISOString(), created_by: "devbox release", comment: `release ${r.tag}`, empty_layer: true }],
  };
}

/** A devbox started from a release runs the devbox main process again, not the app. */
export function devboxImageConfig(config: OciConfig): OciConfig {
  const c = { ...(config.config ?? {}) };
  const labels = { ...(c.Labels ?? {}) };
  delete labels[RELEASE_ID_LABEL];
  return { ...config, config: { ...c, Entrypoint: TINI, Cmd: ["sleep", "infinity"], Labels: labels } };
}

/**
 * Writes the image at `repository:from` again under `repository:tag` with its config passed
 * through `edit`. Returns the new manifest's digest and the image's size (config + layers).
 */
export async function rewriteConfig(repository: string, from: string, tag: string, edit: (c: OciConfig) => OciConfig): Promise<{ digest: string; size: number; layerCount: number }> {
  const m = await getManifest(repository, from);
  if (!m) throw new RegistryError(`The built image ${repository}:${from} is missing.`, 404);
  const config = JSON.parse((await getBlob(repository, m.manifest.config.digest)).toString("utf8")) as OciConfig;
  const bytes = Buffer.from(JSON.stringify(edit(config)));
  const configDigest = await putBlob(repository, bytes);
  const manifest = { ...JSON.parse(m.raw), config: { ...m.manifest.config, digest: configDigest, size: bytes.length } };
  const digest = await putManifest(repository, tag, m.mediaType, JSON.stringify(manifest));
  const size = bytes.length + m.manifest.layers.reduce((n, l) => n + l.size, 0);
  return { digest, size, layerCount: m.manifest.layers.length };
}

/** The release id an existing tag was written for (a resumed build finds its own finished image). */
export async function releaseIdOf(repository: string, tag: string): Promise<{ releaseId?: string; digest: string; size: number } | undefined> {
  const m = await getManifest(repository, tag);
  if (!m) return undefined;
  const config = JSON.parse((await getBlob(repository, m.manifest.config.digest)).toString("utf8")) as OciConfig;
  return { releaseId: config.config?.Labels?.[RELEASE_ID_LABEL], digest: m.digest, size: m.manifest.config.size + m.manifest.layers.reduce((n, l) => n + l.size, 0) };
}

/** A node whose agent can merge (any node: merges read and write only the registry). */
export async function anyAgentNodeIP(): Promise<string> {
  const nodes = await kubeConfig().makeApiClient(CoreV1Api).listNode();
  for (const n of nodes.items) {
    const ready = n.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True");
    const ip = n.status?.addresses?.find((a) => a.type === "InternalIP")?.address;
    if (ready && ip) return ip;
  }
  throw new RegistryError("No ready node to build the release on.");
}
