import { AuditEventPage, AuditQuery } from "@/lib/audit/schemas";
import type { Operation } from "../operation";

export const auditOperations: Operation[] = [
  {
    method: "GET",
    path: "/teams/{team}/audit",
    tag: "Teams",
    operationId: "listAuditEvents",
    summary: "The team's audit trail",
    description: "Who granted, used and revoked access (preview levels, share links, invites, shared terminals, members, devboxes); newest first, filtered like the Audit page.",
    access: { team: "admin" },
    query: AuditQuery,
    responses: { 200: { description: "A page of events.", schema: AuditEventPage } },
  },
];
