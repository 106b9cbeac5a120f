import { getServerSession } from "next-auth";
import { cache } from "react";
import { getDb } from "@/db/client";
import type { User } from "@/db/schema/users";
import { AppError } from "@/lib/errors";
import { findUserById } from "@/lib/users/queries";
import { authOptions } from "./options";

/**
 * The signed-in user, re-read from the DB so a deleted account loses access at once. Memoized per
 * request (React cache): the shell layout and the page both ask.
 */
export const currentUser = cache(async (): Promise<User | null> => {
  const session = await getServerSession(authOptions);
  const id = (session?.user as { id?: string } | undefined)?.id;
  if (!id) return null;
  return (await findUserById(await getDb(), id)) ?? null;
});

export async function requireUser(): Promise<User> {
  const user = await currentUser();
  if (!user) throw new AppError("unauthorized", "Sign in to continue.");
  return user;
}
