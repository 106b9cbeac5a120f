import { z } from "zod";

export const INVITE_DEFAULT_HOURS = 7 * 24;
export const INVITE_MAX_HOURS = 30 * 24;
export const INVITE_MAX_USES = 100;

/** POST /api/v1/teams/{team}/invites */
export const createInviteBody = z.strictObject({
  role: z.enum(["viewer", "developer", "admin"]).describe("The role the invited person gets (owners are added by hand)"),
  expiresInHours: z.number().int().min(1).max(INVITE_MAX_HOURS).default(INVITE_DEFAULT_HOURS),
  maxUses: z.number().int().min(1).max(INVITE_MAX_USES).default(1),
});

export type CreateInviteBody = z.infer<typeof createInviteBody>;
