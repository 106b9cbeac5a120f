import { z } from "zod";
import type { Assert, JsonOf, Matches } from "@/lib/api/operation";
import { PageQuery, pageOf } from "@/lib/api/pagination";
import type { AuditEventView } from "./service";

/** GET /api/v1/teams/{team}/audit: the audit page's filters, plus paging. */
export const AuditQuery = PageQuery.extend({
  devbox: z
    .string({ error: "'devbox' must be a string." })
    .regex(/^[a-z0-9-]{1,63}$/, { error: "'devbox' is not a devbox name." })
    .optional()
    .meta({ description: "Only events about this devbox (by name)." }),
  // PostgreSQL text cannot hold a NUL: refused here rather than failing in the query.
  user: z
    .string({ error: "'user' must be a string." })
    .regex(/^[^\u0000]{1,200}$/, { error: "'user' is not a user id." })
    .optional()
    .meta({ description: "Only events this user caused (their user id)." }),
  kind: z
    .string({ error: "'kind' must be a string." })
    .regex(/^[a-z_]+(\.[a-z_]+)*$/, { error: "'kind' is an action or its prefix, e.g. share_link or team.invite." })
    .max(100, { error: "'kind' is an action or its prefix, e.g. share_link or team.invite." })
    .optional()
    .meta({ description: "An action or its prefix: preview, share_link, team.invite, terminal.share, team.member, devbox, …" }),
});

export const AuditEventSchema = z
  .object({
    id: z.string(),
    at: z.string().meta({ format: "date-time" }),
    actorId: z.string().nullable().meta({ description: "Who caused it (null: anonymous, e.g. a share link's visitor)." }),
    actorEmail: z.string().nullable().meta({ description: "Null once that account is gone." }),
    action: z.string().meta({ description: "e.g. share_link.created, preview.level_set, team.invite.revoked." }),
    target: z.string().nullable().meta({ description: "What it was about, e.g. the devbox's name." }),
    details: z.record(z.string(), z.unknown()),
  })
  .meta({ id: "AuditEvent" });

export const AuditEventPage = pageOf(AuditEventSchema, "AuditEventPage");

export type AuditEventViewMatches = Assert<Matches<JsonOf<AuditEventView>, z.infer<typeof AuditEventSchema>>>;
