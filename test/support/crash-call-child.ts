// The child side of test/support/crash-call.ts: opens the database, makes the one call, prints
// its result as JSON (unless a crash point killed it first).
import path from "node:path";
import { pathToFileURL } from "node:url";
import { openDatabase } from "@/db/client";
import { devboxPodCache } from "@/lib/k8s/pod-cache";

const { module, fn, args, podCache } = JSON.parse(process.env.CRASH_CALL!) as { module: string; fn: string; args: unknown[]; podCache: boolean };
if (podCache) {
  devboxPodCache().start();
  await devboxPodCache().ready();
}
const handle = await openDatabase({ url: process.env.DATABASE_URL! });
try {
  const mod = (await import(pathToFileURL(path.resolve(import.meta.dirname, "../..", `${module}.ts`)).href)) as Record<string, (...a: unknown[]) => Promise<unknown>>;
  const result = await mod[fn](handle.db, ...args);
  process.stdout.write(`RESULT ${JSON.stringify(result ?? null)}\n`);
} finally {
  await handle.close();
  if (podCache) await devboxPodCache().stop();
}
