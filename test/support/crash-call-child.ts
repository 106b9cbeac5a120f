// The child side of test/support/crash-call.ts: opens the database, makes the one call, prints
// its result as JSON (unless a crash point killed it first).
import path from "node:path";
import { pathToFileURL } from "node:url";
import { openDatabase } from "@/db/client";

const { module, fn, args } = JSON.parse(process.env.CRASH_CALL!) as { module: string; fn: string; args: unknown[] };
const handle = await openDatabase({ url: process.env.DATABASE_URL! });
try {
  const mod = (await import(pathToFileURL(path.resolve(import.meta.dirname, "../..", `${module}.ts`)).href)) as Record<string, (...a: unknown[]) => Promise<unknown>>;
  const result = await mod[fn](handle.db, ...args);
  process.stdout.write(`RESULT ${JSON.stringify(result ?? null)}\n`);
} finally {
  await handle.close();
}
