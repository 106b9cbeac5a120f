import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { getDb } from "@/db/client";
import { CreateTokenForm } from "@/components/tokens/create-token-form";
import { TokenList } from "@/components/tokens/token-list";
import { Card } from "@/components/ui/card";
import { currentUser } from "@/lib/auth/session";
import { listTeamsForUser } from "@/lib/teams/queries";
import { maxTokenDays } from "@/lib/tokens/schemas";
import { listTokens } from "@/lib/tokens/service";

export const metadata: Metadata = { title: "API tokens" };

export default async function TokensPage() {
  const user = await currentUser();
  if (!user) redirect("/login");
  const db = await getDb();
  const [tokens, teams] = await Promise.all([listTokens(db, user.id), listTeamsForUser(db, user.id)]);
  return (
    <div className="space-y-6">
      <Card title="API tokens" description="For the devbox CLI, scripts and SSH. A token acts as you, within its scopes, and never beyond your role.">
        <TokenList tokens={tokens} />
      </Card>
      <Card title="Create a token">
        <CreateTokenForm teams={teams.map((t) => t.slug)} maxDays={maxTokenDays()} />
      </Card>
    </div>
  );
}
