import type { Database } from "@/db/client";
import type { Devbox } from "@/db/schema/devboxes";
import { findTemplate } from "@/lib/templates/queries";
import { getManifest, parseImageRef } from "./registry";
import { listSnapshots } from "./service";

export interface StorageUse {
  /** Bytes of layers only this devbox's snapshots hold (template layers are shared and not counted). */
  perDevbox: Map<string, number>;
  /** The team's total: each layer once, also when forks share it. */
  total: number;
}

async function layersOf(image: string): Promise<{ digest: string; size: number }[]> {
  const ref = parseImageRef(image);
  return (await getManifest(ref.repository, ref.reference))?.manifest.layers ?? [];
}

/** Registry storage the devboxes' snapshots use, read from their manifests (compressed sizes). */
export async function snapshotStorage(db: Database, list: Devbox[]): Promise<StorageUse> {
  const perDevbox = new Map<string, number>();
  const all = new Map<string, number>();
  const baseByTemplate = new Map<string, Set<string>>();
  for (const d of list) {
    if (!baseByTemplate.has(d.templateId)) {
      const t = await findTemplate(db, d.templateId);
      baseByTemplate.set(d.templateId, new Set(t ? (await layersOf(t.image).catch(() => [])).map((l) => l.digest) : []));
    }
    const base = baseByTemplate.get(d.templateId)!;
    const mine = new Map<string, number>();
    for (const s of await listSnapshots(db, d.id)) {
      for (const l of await layersOf(s.image).catch(() => [])) if (!base.has(l.digest)) mine.set(l.digest, l.size);
    }
    perDevbox.set(d.id, [...mine.values()].reduce((a, b) => a + b, 0));
    for (const [k, v] of mine) all.set(k, v);
  }
  return { perDevbox, total: [...all.values()].reduce((a, b) => a + b, 0) };
}
