import path from "node:path";
import fs from "node:fs";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import * as schema from "./schema";

export type Database = PgDatabase<PgQueryResultHKT, typeof schema>;
/** The handle inside `db.transaction(async (tx) => …)`. */
export type Tx = Parameters<Parameters<Database["transaction"]>[0]>[0];

interface DatabaseHandle {
  db: Database;
  kind: "pglite" | "postgres";
  migrate(): Promise<void>;
  close(): Promise<void>;
}

const migrationsFolder = path.join(process.cwd(), "db", "migrations");

/**
 * Opens the metadata DB: PostgreSQL when a URL is given, otherwise embedded PGlite.
 * `pgliteDir` may be "memory://" for throwaway databases in tests.
 */
export async function openDatabase(opts: { url?: string; pgliteDir?: string }): Promise<DatabaseHandle> {
  if (opts.url) {
    const { default: postgres } = await import("postgres");
    const { drizzle } = await import("drizzle-orm/postgres-js");
    const { migrate } = await import("drizzle-orm/postgres-js/migrator");
    const sql = postgres(opts.url, { max: 10, onnotice: () => {} });
    const db = drizzle(sql, { schema });
    return {
      db: db as unknown as Database,
      kind: "postgres",
      migrate: () => migrate(db, { migrationsFolder }),
      close: () => sql.end(),
    };
  }
  const dir = opts.pgliteDir ?? defaultPgliteDir();
  if (!dir.startsWith("memory://")) fs.mkdirSync(dir, { recursive: true });
  const { PGlite } = await import("@electric-sql/pglite");
  const { drizzle } = await import("drizzle-orm/pglite");
  const { migrate } = await import("drizzle-orm/pglite/migrator");
  const client = await PGlite.create(dir);
  const db = drizzle(client, { schema });
  return {
    db: db as unknown as Database,
    kind: "pglite",
    migrate: () => migrate(db, { migrationsFolder }),
    close: () => client.close(),
  };
}

export function defaultPgliteDir(): string {
  return path.resolve(process.env.DEVBOX_DATA_DIR ?? path.join(process.cwd(), ".data"), "pglite");
}

// One handle per process. It lives on globalThis because server.ts and the Next.js bundles load
// separate copies of this module, and PGlite allows a single opener of its data folder.
const globalKey = Symbol.for("devbox.database");
type GlobalWithDb = typeof globalThis & { [globalKey]?: Promise<DatabaseHandle> };

export function databaseHandle(): Promise<DatabaseHandle> {
  const g = globalThis as GlobalWithDb;
  g[globalKey] ??= openDatabase({ url: process.env.DATABASE_URL || undefined }).then(async (handle) => {
    await handle.migrate();
    return handle;
  });
  return g[globalKey];
}

export async function getDb(): Promise<Database> {
  return (await databaseHandle()).db;
}
