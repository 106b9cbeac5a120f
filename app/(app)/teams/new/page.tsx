import type { Metadata } from "next";
import { Card } from "@/components/ui/card";
import { CreateTeamForm } from "./create-team-form";

export const metadata: Metadata = { title: "New team" };

export default function NewTeamPage() {
  return (
    <div className="mx-auto max-w-lg">
      <Card title="Create a team" description="A team shares devboxes and a quota. It gets its own Kubernetes namespace.">
        <CreateTeamForm />
      </Card>
    </div>
  );
}
