import type { Snapshot } from "@/db/schema/snapshots";

/** A snapshot as pages and the API show it. JSON-safe. */
export interface SnapshotView {
  id: string;
  image: string;
  digest: string;
  trigger: Snapshot["trigger"];
  bytesAdded: number;
  layerCount: number;
  ownLayerCount: number;
  durationMs: number;
  actorId: string | null;
  actorEmail?: string | null;
  pinned: boolean;
  createdAt: string;
}

export function snapshotView(s: Snapshot, actorEmail?: string | null): SnapshotView {
  return {
    id: s.id,
    image: s.image,
    digest: s.digest,
    trigger: s.trigger,
    bytesAdded: s.bytesAdded,
    layerCount: s.layerCount,
    ownLayerCount: s.ownLayerCount,
    durationMs: s.durationMs,
    actorId: s.actorId,
    ...(actorEmail !== undefined ? { actorEmail } : {}),
    pinned: s.pinned,
    createdAt: s.createdAt.toISOString(),
  };
}
