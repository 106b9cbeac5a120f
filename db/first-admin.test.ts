import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Database } from "./client";
import { users } from "./schema/users";
import { testBackends } from "./test-backends";
import { AppError, StartupError } from "@/lib/errors";
import { setSignupOpen } from "@/lib/settings/instance";
import { insertAccount } from "@/lib/users/register";
import { seedAdminFromEnv } from "@/lib/users/seed-admin";

const account = (i: number) => ({ id: `u${i}`, email: `first-${i}@example.com`, name: `First ${i}`, passwordHash: null });

describe.each(testBackends())("first instance admin on $name", (backend) => {
  let db: Database;
  let close: () => Promise<void>;

  beforeEach(async () => {
    ({ db, close } = await backend.open());
  });
  afterEach(async () => close?.());

  it("makes exactly one of several parallel sign-ups on an empty DB the admin", async () => {
    // Each transaction stays open a while after its insert, as registerUser's does while it
    // provisions the personal team's namespace: the window in which a count outside a lock races.
    const created = await Promise.all(
      [1, 2, 3, 4].map((i) =>
        db.transaction(async (tx) => {
          const u = await insertAccount(tx, account(i));
          await new Promise((r) => setTimeout(r, 300));
          return u;
        }),
      ),
    );
    expect(created).toHaveLength(4);
    const rows = await db.select().from(users);
    expect(rows).toHaveLength(4);
    expect(rows.filter((u) => u.isInstanceAdmin)).toHaveLength(1);
    // And the later ones are plain users.
    const later = await db.transaction((tx) => insertAccount(tx, account(5)));
    expect(later.isInstanceAdmin).toBe(false);
  });

  it("keeps closed sign-up closed for the first account; only the seeding path bypasses it", async () => {
    await setSignupOpen(db, false);
    const err = await db.transaction((tx) => insertAccount(tx, account(1))).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe("forbidden");
    expect(await db.select().from(users)).toHaveLength(0);

    const seeded = await db.transaction((tx) => insertAccount(tx, account(2), { bypassSignupClosed: true }));
    expect(seeded.isInstanceAdmin).toBe(true);
  });

  it("refuses to start when seeding the admin fails or closed sign-up leaves no way in", async () => {
    const saved = { ...process.env };
    try {
      process.env.DEVBOX_ADMIN_EMAIL = "root@example.com";
      process.env.DEVBOX_ADMIN_PASSWORD = "short";
      await expect(seedAdminFromEnv(db)).rejects.toThrow(StartupError);
      await expect(seedAdminFromEnv(db)).rejects.toThrow(/instance admin root@example.com.*at least 10 characters/);

      delete process.env.DEVBOX_ADMIN_EMAIL;
      delete process.env.DEVBOX_ADMIN_PASSWORD;
      await seedAdminFromEnv(db); // open sign-up, nothing to seed: starts
      await setSignupOpen(db, false);
      await expect(seedAdminFromEnv(db)).rejects.toThrow(/DEVBOX_ADMIN_EMAIL/);
      expect(await db.select().from(users)).toHaveLength(0);

      // Once an account exists there is nothing to seed.
      await db.transaction((tx) => insertAccount(tx, account(1), { bypassSignupClosed: true }));
      await seedAdminFromEnv(db);
    } finally {
      process.env = saved;
    }
  });
});
