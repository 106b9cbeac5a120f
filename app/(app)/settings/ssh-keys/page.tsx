import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { getDb } from "@/db/client";
import { AddSshKeyForm, SshKeyList } from "@/components/ssh/ssh-keys";
import { Card } from "@/components/ui/card";
import { currentUser } from "@/lib/auth/session";
import { listSshKeys } from "@/lib/ssh/user-keys";

export const metadata: Metadata = { title: "SSH keys" };

export default async function SshKeysPage() {
  const user = await currentUser();
  if (!user) redirect("/login");
  const keys = await listSshKeys(await getDb(), user.id);
  return (
    <div className="space-y-6">
      <Card title="SSH keys" description="Your public keys are authorized in every devbox you may open (developer role or higher). Connect with `devbox config-ssh`, then `ssh <devbox>.<team>`.">
        <SshKeyList keys={keys} />
      </Card>
      <Card title="Add a public key" description="Paste the content of ~/.ssh/id_ed25519.pub (or another .pub file). Never paste a private key.">
        <AddSshKeyForm />
      </Card>
    </div>
  );
}
