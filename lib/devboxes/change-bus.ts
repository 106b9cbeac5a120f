import { EventEmitter } from "node:events";

/**
 * "Devbox X changed" inside this process: from the Pod watch and from user requests. The
 * reconciler wakes on it and open pages (server-sent events) refresh from it. Lives on globalThis
 * because server.ts and the Next.js bundles load separate copies of this module.
 */
const globalKey = Symbol.for("devbox.changeBus");
type GlobalWithBus = typeof globalThis & { [globalKey]?: EventEmitter };

function bus(): EventEmitter {
  const g = globalThis as GlobalWithBus;
  if (!g[globalKey]) {
    g[globalKey] = new EventEmitter();
    g[globalKey].setMaxListeners(0);
  }
  return g[globalKey];
}

export function announceDevboxChange(devboxId: string): void {
  bus().emit("change", devboxId);
}

export function onDevboxChange(listener: (devboxId: string) => void): () => void {
  bus().on("change", listener);
  return () => bus().off("change", listener);
}
