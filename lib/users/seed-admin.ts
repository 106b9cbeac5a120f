import type { Database } from "@/db/client";
import { StartupError } from "@/lib/errors";
import { isSignupOpen } from "@/lib/settings/instance";
import { countUsers } from "./queries";
import { registerUser } from "./register";

/**
 * On a fresh install, DEVBOX_ADMIN_EMAIL and DEVBOX_ADMIN_PASSWORD create the instance admin, so
 * an operator who closed sign-up still has a way in. Ignored once any account exists.
 *
 * A failure stops the start-up: serving anyway would leave the instance without its admin (or,
 * with open sign-up, hand the role to whoever signs up first).
 */
export async function seedAdminFromEnv(db: Database): Promise<void> {
  const email = process.env.DEVBOX_ADMIN_EMAIL;
  const password = process.env.DEVBOX_ADMIN_PASSWORD;
  if ((await countUsers(db)) > 0) return;
  if (!email || !password) {
    if (!(await isSignupOpen(db)))
      throw new StartupError(
        "Sign-up is closed (DEVBOX_SIGNUP=closed) and no account exists: set DEVBOX_ADMIN_EMAIL and DEVBOX_ADMIN_PASSWORD to create the instance admin.",
      );
    return;
  }
  try {
    await registerUser(db, { email, password, name: "Administrator", bypassSignupClosed: true });
  } catch (err) {
    throw new StartupError(
      `Could not create the instance admin ${email} from DEVBOX_ADMIN_EMAIL/DEVBOX_ADMIN_PASSWORD: ${err instanceof Error ? err.message : String(err)}`,
      { cause: err },
    );
  }
  console.log(`[devbox] created the instance admin ${email}`);
}
