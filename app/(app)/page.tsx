import { redirect } from "next/navigation";
import { getDb } from "@/db/client";
import { requireUser } from "@/lib/auth/session";
import { listTeamsForUser } from "@/lib/teams/queries";

// Home is the personal team's devbox list.
export default async function Home() {
  const user = await requireUser();
  const [first] = await listTeamsForUser(await getDb(), user.id);
  redirect(first ? `/t/${first.slug}` : "/teams/new");
}
