import v8 from "node:v8";

/** The old generation may grow to (1 + this/100) × the live heap before its next full collection. */
export const HEAP_GROWING_PERCENT = 100;

/**
 * Fixes how far V8 lets the heap grow between full collections, for the dashboard's process
 * (server.ts, and the processes that stand in for it: bench/proxy.ts, the preview replica).
 *
 * Why: every byte the preview proxy streams passes through short-lived 64 KiB buffers (a socket
 * read, the HTTP parser's copy) whose off-heap memory V8 counts against that growth until they
 * are swept. V8 picks the growth itself (1.1–4×) from how fast its last collections were; on a
 * busy machine it shrinks to ~1.35× of a heap of ~70 MB, the in-flight buffers alone reach the
 * limit, and a 200 MB download set off ~8 full collections, each marking the whole heap on helper
 * threads: 0.86 CPU s per 200 MB in the proxy's process instead of ~0.25 (bench/proxy.ts, which
 * counts the collections per download). 2× is within V8's own range; it costs at most one live
 * heap's worth of memory.
 *
 * Set at run time (Node lets V8 flags change after start); V8 reads it whenever it sizes the heap
 * after a collection.
 */
export function tuneHeapForStreaming(): void {
  v8.setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
}
