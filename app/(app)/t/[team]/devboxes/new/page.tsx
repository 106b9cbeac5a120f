import type { Metadata } from "next";
import { getDb } from "@/db/client";
import { Card } from "@/components/ui/card";
import { teamForPage } from "@/lib/authz/page-access";
import { listTemplates } from "@/lib/templates/queries";
import { CreateDevboxForm } from "./create-devbox-form";

export const metadata: Metadata = { title: "New devbox" };

export default async function NewDevboxPage({ params }: { params: Promise<{ team: string }> }) {
  const { team } = await teamForPage((await params).team, "developer");
  const templates = await listTemplates(await getDb());
  return (
    <div className="mx-auto max-w-2xl">
      <Card title="New devbox" description="Pick a runtime; everything you install later is kept across stops.">
        <CreateDevboxForm
          teamSlug={team.slug}
          templates={templates.map((t) => ({
            id: t.id,
            name: t.name,
            displayName: t.displayName,
            description: t.description,
            icon: t.icon,
            cpuMillis: t.defaultCpuMillis,
            memoryMiB: t.defaultMemoryMiB,
            diskMiB: t.defaultDiskMiB,
            ports: t.ports.map((p) => `${p.port}:${p.name}`).join(", "),
          }))}
        />
      </Card>
    </div>
  );
}
