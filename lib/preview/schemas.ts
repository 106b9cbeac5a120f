import { z } from "zod";
import { PREVIEW_LEVELS } from "./levels";

/** Bodies and answers of the preview/sharing REST API (validation and the OpenAPI document, lib/api/). */
export const previewLevelSchema = z
  .enum(PREVIEW_LEVELS as unknown as ["private", "team", "link", "public"])
  .meta({ id: "PreviewLevel", description: "Who may open a port's preview URL: only you (private), team members, holders of a share link, anyone." });

/** PUT /api/v1/teams/{team}/devboxes/{name}/ports/{port} */
export const setPortLevelBody = z.strictObject({ level: previewLevelSchema }).meta({ id: "SetPortLevel" });

export const SHARE_LINK_DEFAULT_HOURS = 24;
export const SHARE_LINK_MAX_HOURS = 30 * 24;

/** POST /api/v1/teams/{team}/devboxes/{name}/ports/{port}/share-links */
export const createShareLinkBody = z
  .strictObject({
    label: z.string().trim().max(80).default("").meta({ description: "Shown in the list of links (e.g. who it is for)." }),
    expiresInHours: z.number().int().min(1).max(SHARE_LINK_MAX_HOURS).default(SHARE_LINK_DEFAULT_HOURS),
  })
  .meta({ id: "CreateShareLink" });

/** PUT /api/v1/teams/{team}/preview-settings */
export const teamPreviewSettingsBody = z.strictObject({ maxLevel: previewLevelSchema }).meta({ id: "SetTeamPreviewSettings" });

export type SetPortLevelBody = z.infer<typeof setPortLevelBody>;
export type CreateShareLinkBody = z.infer<typeof createShareLinkBody>;

/** PUT /api/v1/admin/preview-settings */
export const instancePreviewSettingsBody = z.strictObject({ maxLevel: previewLevelSchema }).meta({ id: "SetInstancePreviewSettings" });

export const PreviewPortSchema = z
  .object({
    port: z.number(),
    name: z.string(),
    level: previewLevelSchema,
    effectiveLevel: previewLevelSchema.meta({ description: "The level in force: `level` lowered by the team's and the instance's maximum." }),
    url: z.string().meta({ description: "The port's own preview origin." }),
    pathUrl: z.string().meta({ description: "The same preview under the dashboard's origin." }),
  })
  .meta({ id: "PreviewPort" });

// A devbox declares few ports (LIMITS.ports), so the list is not paged.
export const PreviewPortList = z.object({ ports: z.array(PreviewPortSchema) }).meta({ id: "PreviewPortList" });

export const ShareLinkSchema = z
  .object({
    id: z.string(),
    port: z.number(),
    label: z.string(),
    sharedBy: z.string().nullable().meta({ description: "The email of who created it (null once that account is gone)." }),
    createdAt: z.string().meta({ format: "date-time" }),
    expiresAt: z.string().meta({ format: "date-time" }),
    revokedAt: z.string().nullable().meta({ format: "date-time" }),
    state: z.enum(["active", "expired", "revoked", "creator_gone"]).meta({ description: "`creator_gone`: whoever shared it is no longer a member of the team with the developer role or higher; the link no longer works." }),
    url: z.string().optional().meta({ description: "Only in the answer that created it: the link is not shown again." }),
  })
  .meta({ id: "ShareLink" });

export const TeamPreviewSettingsSchema = z
  .object({ maxLevel: previewLevelSchema, instanceMaxLevel: previewLevelSchema })
  .meta({ id: "TeamPreviewSettings", description: "The team's maximum level and the instance's (the lower one is in force)." });

export const PreviewMaxLevelSchema = z.object({ maxLevel: previewLevelSchema }).meta({ id: "PreviewMaxLevel", description: "A maximum preview level." });

// The one definition of what the handlers send (and the browser reads): the document's schema.
export type PortView = z.infer<typeof PreviewPortSchema>;
export type ShareLinkView = z.infer<typeof ShareLinkSchema>;
