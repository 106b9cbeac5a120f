import type { Database } from "@/db/client";
import { countUsers } from "./queries";
import { registerUser } from "./register";

/**
 * On a fresh install, DEVBOX_ADMIN_EMAIL and DEVBOX_ADMIN_PASSWORD create the instance admin, so
 * an operator who closed sign-up still has a way in. Ignored once any account exists.
 */
export async function seedAdminFromEnv(db: Database): Promise<void> {
  const email = process.env.DEVBOX_ADMIN_EMAIL;
  const password = process.env.DEVBOX_ADMIN_PASSWORD;
  if (!email || !password || (await countUsers(db)) > 0) return;
  try {
    await registerUser(db, { email, password, name: "Administrator", bypassSignupClosed: true });
    console.log(`[devbox] created the instance admin ${email}`);
  } catch (err) {
    console.error(`[devbox] could not create the instance admin ${email}:`, err instanceof Error ? err.message : err);
  }
}
