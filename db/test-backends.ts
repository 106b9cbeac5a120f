import { randomBytes } from "node:crypto";
import { openDatabase, type Database } from "./client";

export interface TestBackend {
  name: "pglite" | "postgres";
  /** A fresh, migrated, empty database. */
  open(): Promise<{ db: Database; close(): Promise<void>; url?: string }>;
}

const pglite: TestBackend = {
  name: "pglite",
  async open() {
    const handle = await openDatabase({ pgliteDir: "memory://" });
    await handle.migrate();
    return { db: handle.db, close: handle.close };
  },
};

/** PostgreSQL: each open() creates its own database on TEST_DATABASE_URL's server and drops it on close. */
function postgresBackend(adminUrl: string): TestBackend {
  return {
    name: "postgres",
    async open() {
      const { default: postgres } = await import("postgres");
      const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
      const name = `devbox_test_${randomBytes(6).toString("hex")}`;
      await admin.unsafe(`CREATE DATABASE ${name}`);
      const url = new URL(adminUrl);
      url.pathname = `/${name}`;
      const handle = await openDatabase({ url: url.toString() });
      await handle.migrate();
      return {
        db: handle.db,
        url: url.toString(),
        async close() {
          await handle.close();
          await dropDatabase(admin, name);
          await admin.end();
        },
      };
    },
  };
}

/**
 * FORCE ends the test's leftover connections, but not an autovacuum worker that happens to be
 * vacuuming the database: it runs as the bootstrap superuser, which the test role may not signal
 * (42501). It finishes in moments, so the drop is retried.
 */
async function dropDatabase(admin: import("postgres").Sql, name: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      return;
    } catch (err) {
      if ((err as { code?: string }).code !== "42501" || attempt >= 50) throw err;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

/** PGlite always; PostgreSQL when TEST_DATABASE_URL is set (and required when REQUIRE_POSTGRES_TESTS=1). */
export function testBackends(): TestBackend[] {
  const url = process.env.TEST_DATABASE_URL;
  if (!url && process.env.REQUIRE_POSTGRES_TESTS === "1")
    throw new Error("REQUIRE_POSTGRES_TESTS=1 but TEST_DATABASE_URL is not set");
  return url ? [pglite, postgresBackend(url)] : [pglite];
}

/** PostgreSQL alone, for tests that need a second process on the same database (crash tests). */
export function postgresTestBackend(): TestBackend {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) throw new Error("this test needs PostgreSQL: set TEST_DATABASE_URL (scripts/postgres.sh prints one)");
  return postgresBackend(url);
}
