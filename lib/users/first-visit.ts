import type { Database } from "@/db/client";
import { isSignupOpen } from "@/lib/settings/instance";
import { countUsers } from "./queries";

/**
 * A fresh install: nobody can sign in yet, so the first visit belongs on the first-account page
 * (that account becomes the instance admin). With sign-up closed the admin comes from DEVBOX_ADMIN_*.
 */
export async function firstAccountPending(db: Database): Promise<boolean> {
  return (await countUsers(db)) === 0 && (await isSignupOpen(db));
}
