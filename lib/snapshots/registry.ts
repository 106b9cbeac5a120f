import { createHash } from "node:crypto";
import { registryHost } from "@/lib/templates/builtin";

/**
 * The few registry calls the dashboard makes itself (the agent does commits and merges): read a
 * manifest, copy an image into another repository (cross-repo blob mount, no data copied), delete
 * a manifest. Distribution v2 API over plain HTTP (or https://host in DEVBOX_REGISTRY_URL).
 */

const MANIFEST_TYPES = [
  "application/vnd.oci.image.manifest.v1+json",
  "application/vnd.docker.distribution.manifest.v2+json",
].join(", ");

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
}
export interface ImageManifest {
  mediaType?: string;
  config: Descriptor;
  layers: Descriptor[];
}

/** The registry failed. `message` names no address (users read it); `detail` is for the log. */
export class RegistryError extends Error {
  constructor(message: string, readonly status?: number, readonly detail?: string) {
    super(message);
    this.name = "RegistryError";
  }
}

const baseUrl = () => process.env.DEVBOX_REGISTRY_URL ?? `http://${registryHost()}`;

/** "127.0.0.1:5000/team-x/box:s-1" → { repository: "team-x/box", reference: "s-1" } (or a @sha256 digest). */
export function parseImageRef(image: string): { host: string; repository: string; reference: string } {
  const slash = image.indexOf("/");
  const host = image.slice(0, slash);
  let rest = image.slice(slash + 1);
  const at = rest.indexOf("@");
  if (at >= 0) return { host, repository: rest.slice(0, at), reference: rest.slice(at + 1) };
  const colon = rest.lastIndexOf(":");
  const reference = colon >= 0 ? rest.slice(colon + 1) : "latest";
  if (colon >= 0) rest = rest.slice(0, colon);
  return { host, repository: rest, reference };
}

async function req(path: string, init: RequestInit = {}): Promise<Response> {
  try {
    return await fetch(`${baseUrl()}${path}`, { ...init, signal: AbortSignal.timeout(30_000) });
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause;
    throw new RegistryError("The image registry is unreachable. Try again shortly.", undefined, `${baseUrl()}: ${cause?.code ?? (err instanceof Error ? err.message : err)}`);
  }
}

export async function getManifest(repository: string, reference: string): Promise<{ digest: string; manifest: ImageManifest; raw: string; mediaType: string } | undefined> {
  const res = await req(`/v2/${repository}/manifests/${reference}`, { headers: { Accept: MANIFEST_TYPES } });
  if (res.status === 404) return undefined;
  if (!res.ok) throw new RegistryError(`Reading ${repository}:${reference} failed: HTTP ${res.status}`, res.status);
  const raw = await res.text();
  const manifest = JSON.parse(raw) as ImageManifest;
  return {
    digest: res.headers.get("docker-content-digest") ?? "",
    manifest,
    raw,
    mediaType: res.headers.get("content-type") ?? manifest.mediaType ?? "application/vnd.oci.image.manifest.v1+json",
  };
}

/** Deletes a manifest (and every tag on it) from a repository. Missing is fine. */
export async function deleteManifest(repository: string, digest: string): Promise<void> {
  const res = await req(`/v2/${repository}/manifests/${digest}`, { method: "DELETE" });
  if (!res.ok && res.status !== 404) throw new RegistryError(`Deleting ${repository}@${digest} failed: HTTP ${res.status}`, res.status);
}

/** Copies an image to `repository:tag` in the same registry: blobs are mounted, not re-uploaded. */
export async function copyImage(from: string, repository: string, tag: string): Promise<{ image: string; digest: string; layerCount: number }> {
  const src = parseImageRef(from);
  const m = await getManifest(src.repository, src.reference);
  if (!m) throw new RegistryError("The snapshot's image is not in the registry any more.", 404, from);
  for (const blob of [m.manifest.config, ...m.manifest.layers]) {
    const head = await req(`/v2/${repository}/blobs/${blob.digest}`, { method: "HEAD" });
    if (head.ok) continue;
    const mount = await req(`/v2/${repository}/blobs/uploads/?mount=${blob.digest}&from=${src.repository}`, { method: "POST" });
    if (mount.status !== 201) throw new RegistryError(`Mounting ${blob.digest} into ${repository} failed: HTTP ${mount.status}`, mount.status);
  }
  const put = await req(`/v2/${repository}/manifests/${tag}`, { method: "PUT", headers: { "Content-Type": m.mediaType }, body: m.raw });
  if (!put.ok) throw new RegistryError(`Writing ${repository}:${tag} failed: HTTP ${put.status}`, put.status);
  return { image: `${src.host}/${repository}:${tag}`, digest: put.headers.get("docker-content-digest") ?? m.digest, layerCount: m.manifest.layers.length };
}

/**
 * Deletes every manifest of a repository (each tag's, and `digests` known from the DB whose tags
 * are already gone), for a deleted devbox: its blobs go with the next garbage collection.
 * Distribution has no "delete repository"; an emptied one lingers in the catalog, harmlessly.
 */
export async function deleteRepository(repository: string, digests: string[] = []): Promise<number> {
  const res = await req(`/v2/${repository}/tags/list`);
  const tags = res.status === 404 ? [] : res.ok ? (((await res.json()) as { tags?: string[] | null }).tags ?? []) : undefined;
  if (!tags) throw new RegistryError(`Listing ${repository} failed: HTTP ${res.status}`, res.status);
  const all = new Set(digests);
  for (const tag of tags) {
    const head = await req(`/v2/${repository}/manifests/${tag}`, { method: "HEAD", headers: { Accept: MANIFEST_TYPES } });
    const digest = head.headers.get("docker-content-digest");
    if (head.ok && digest) all.add(digest);
  }
  for (const digest of all) await deleteManifest(repository, digest);
  return all.size;
}

/** Every repository under `prefix/` (a deleted team's namespace), emptied like deleteRepository. */
export async function deleteRepositoriesUnder(prefix: string): Promise<number> {
  // Paged: the registry refuses pages above 1000 entries (PAGINATION_NUMBER_INVALID).
  const repos: string[] = [];
  for (let last = ""; ; ) {
    const res = await req(`/v2/_catalog?n=1000${last ? `&last=${encodeURIComponent(last)}` : ""}`);
    if (!res.ok) throw new RegistryError(`Listing the registry's repositories failed: HTTP ${res.status}`, res.status);
    const page = ((await res.json()) as { repositories?: string[] }).repositories ?? [];
    repos.push(...page.filter((r) => r.startsWith(`${prefix}/`)));
    if (page.length < 1000 || !res.headers.get("link")) break;
    last = page[page.length - 1];
  }
  let n = 0;
  for (const r of repos) n += await deleteRepository(r);
  return n;
}

/** A blob's bytes (image configs: small). */
export async function getBlob(repository: string, digest: string): Promise<Buffer> {
  const res = await req(`/v2/${repository}/blobs/${digest}`);
  if (!res.ok) throw new RegistryError(`Reading ${repository}@${digest} failed: HTTP ${res.status}`, res.status);
  return Buffer.from(await res.arrayBuffer());
}

/** Uploads a small blob in one request (monolithic upload); returns its descriptor digest. */
export async function putBlob(repository: string, bytes: Buffer): Promise<string> {
  const digest = `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
  const head = await req(`/v2/${repository}/blobs/${digest}`, { method: "HEAD" });
  if (head.ok) return digest;
  const start = await req(`/v2/${repository}/blobs/uploads/`, { method: "POST" });
  const location = start.headers.get("location");
  if (start.status !== 202 || !location) throw new RegistryError(`Starting an upload to ${repository} failed: HTTP ${start.status}`, start.status);
  const url = new URL(location, baseUrl());
  url.searchParams.set("digest", digest);
  const put = await req(`${url.pathname}${url.search}`, { method: "PUT", headers: { "Content-Type": "application/octet-stream" }, body: new Uint8Array(bytes) });
  if (put.status !== 201) throw new RegistryError(`Uploading to ${repository} failed: HTTP ${put.status}`, put.status);
  return digest;
}

/** Writes a manifest under `reference`; returns its digest. */
export async function putManifest(repository: string, reference: string, mediaType: string, raw: string): Promise<string> {
  const put = await req(`/v2/${repository}/manifests/${reference}`, { method: "PUT", headers: { "Content-Type": mediaType }, body: raw });
  if (!put.ok) throw new RegistryError(`Writing ${repository}:${reference} failed: HTTP ${put.status}`, put.status);
  return put.headers.get("docker-content-digest") ?? "";
}
