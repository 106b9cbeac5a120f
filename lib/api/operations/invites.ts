import { pageOf, PageQuery } from "@/lib/api/pagination";
import { createInviteBody, InviteSchema } from "@/lib/invites/schemas";
import type { Operation } from "../operation";

export const InvitePage = pageOf(InviteSchema, "InvitePage");

export const inviteOperations: Operation[] = [
  {
    method: "GET",
    path: "/teams/{team}/invites",
    tag: "Teams",
    operationId: "listInvites",
    summary: "List pending invite links",
    description: "Not expired, revoked or used up; newest first. Their URLs are not shown again.",
    access: { team: "admin" },
    query: PageQuery,
    responses: { 200: { description: "A page of invite links.", schema: InvitePage } },
  },
  {
    method: "POST",
    path: "/teams/{team}/invites",
    tag: "Teams",
    operationId: "createInvite",
    summary: "Create an invite link",
    description: "Whoever opens it signs in or signs up and joins with its role. Its URL is in this answer only. Not for personal teams.",
    access: { team: "admin" },
    body: createInviteBody,
    responses: { 201: { description: "The invite, with its URL.", schema: InviteSchema } },
    errors: ["rate_limited"],
  },
  {
    method: "DELETE",
    path: "/teams/{team}/invites/{id}",
    tag: "Teams",
    operationId: "revokeInvite",
    summary: "Revoke an invite link",
    description: "At once. Idempotent.",
    access: { team: "admin" },
    responses: { 204: { description: "Revoked." } },
  },
];
