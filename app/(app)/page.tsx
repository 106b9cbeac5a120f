import { redirect } from "next/navigation";
import { getDb } from "@/db/client";
import { userForPage } from "@/lib/authz/page-access";
import { listTeamsForUser } from "@/lib/teams/queries";

// Home is the personal team's devbox list.
export default async function Home() {
  const user = await userForPage();
  const [first] = await listTeamsForUser(await getDb(), user.id);
  redirect(first ? `/t/${first.slug}` : "/teams/new");
}
