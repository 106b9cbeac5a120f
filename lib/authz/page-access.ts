import { notFound, redirect } from "next/navigation";
import { cache } from "react";
import type { TeamRole } from "@/db/schema/memberships";
import { AppError } from "@/lib/errors";
import { currentUser } from "@/lib/auth/session";
import { requireTeamRole } from "./team-access";

/**
 * For server components: the signed-in user, or a redirect to the sign-in page. Not requireUser:
 * a page renders alongside its layout, so its AppError would be logged as a server error on every
 * signed-out visit even though the layout's redirect answers it.
 */
export const userForPage = cache(async () => {
  const user = await currentUser();
  if (!user) redirect("/login");
  return user;
});

/**
 * For server components: the same check as requireTeamRole, rendered as a redirect or a 404 page.
 * Memoized per request (React cache): the team layout and its page both ask, one DB round serves.
 */
export const teamForPage = cache(async (slug: string, minimum: TeamRole = "viewer") => {
  const user = await currentUser();
  if (!user) redirect("/login");
  try {
    return { user, team: await requireTeamRole(user, slug, minimum) };
  } catch (err) {
    if (err instanceof AppError && (err.code === "not_found" || err.code === "forbidden")) notFound();
    throw err;
  }
});
