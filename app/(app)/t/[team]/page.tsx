import type { Metadata } from "next";
import { EmptyState } from "@/components/ui/empty-state";
import { teamForPage } from "@/lib/authz/page-access";

export const metadata: Metadata = { title: "Devboxes" };

export default async function DevboxesPage({ params }: { params: Promise<{ team: string }> }) {
  await teamForPage((await params).team);
  return (
    <EmptyState title="No devboxes yet">
      A devbox is a container that behaves like a VM: a terminal in the browser, packages installed anywhere, and everything
      kept across stops.
    </EmptyState>
  );
}
