import { z } from "zod";

export const INVITE_DEFAULT_HOURS = 7 * 24;
export const INVITE_MAX_HOURS = 30 * 24;
export const INVITE_MAX_USES = 100;

const INVITE_ROLES = ["viewer", "developer", "admin"] as const;

/** POST /api/v1/teams/{team}/invites */
export const createInviteBody = z
  .strictObject({
    role: z.enum(INVITE_ROLES).describe("The role the invited person gets (owners are added by hand)"),
    expiresInHours: z.number().int().min(1).max(INVITE_MAX_HOURS).default(INVITE_DEFAULT_HOURS),
    maxUses: z.number().int().min(1).max(INVITE_MAX_USES).default(1),
  })
  .meta({ id: "CreateInvite" });

export type CreateInviteBody = z.infer<typeof createInviteBody>;

export const InviteSchema = z
  .object({
    id: z.string(),
    role: z.string().meta({ description: "viewer, developer or admin." }),
    uses: z.number(),
    maxUses: z.number(),
    createdBy: z.string().nullable().meta({ description: "The email of who created it (null once that account is gone)." }),
    createdAt: z.string().meta({ format: "date-time" }),
    expiresAt: z.string().meta({ format: "date-time" }),
    url: z.string().optional().meta({ description: "Only in the answer that created it: the token is stored hashed." }),
  })
  .meta({ id: "Invite" });

/** What the API answers (and the invites card reads): the one definition, the document's schema. */
export type InviteView = z.infer<typeof InviteSchema>;
