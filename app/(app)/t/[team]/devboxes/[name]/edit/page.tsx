import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { getDb } from "@/db/client";
import { Card } from "@/components/ui/card";
import { teamForPage } from "@/lib/authz/page-access";
import { findDevbox } from "@/lib/devboxes/queries";
import { EditDevboxForm } from "./edit-devbox-form";

export const metadata: Metadata = { title: "Edit devbox" };

export default async function EditDevboxPage({ params }: { params: Promise<{ team: string; name: string }> }) {
  const { team: slug, name } = await params;
  const { team } = await teamForPage(slug, "developer");
  const d = await findDevbox(await getDb(), team.id, name);
  if (!d || d.desiredState === "deleted") notFound();
  return (
    <div className="mx-auto max-w-2xl">
      <Card title={`Edit ${d.name}`} description="Changes are applied by replacing the devbox's container.">
        <EditDevboxForm
          teamSlug={team.slug}
          name={d.name}
          running={d.desiredState === "running"}
          values={{
            cpu: d.cpuMillis / 1000,
            memory: d.memoryMiB / 1024,
            disk: d.diskMiB / 1024,
            ports: d.ports.map((p) => `${p.port}:${p.name}`).join(", "),
            env: d.env.map((e) => `${e.name}=${e.value}`).join("\n"),
            podGeneration: d.podGeneration,
          }}
        />
      </Card>
    </div>
  );
}
