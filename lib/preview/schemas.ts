import { z } from "zod";
import { PREVIEW_LEVELS } from "./levels";

/** Request bodies of the preview/sharing REST API (also the source of their OpenAPI schemas). */
export const previewLevelSchema = z.enum(PREVIEW_LEVELS as unknown as ["private", "team", "link", "public"]).describe("Who may open the port's preview URL");

/** PUT /api/v1/teams/{team}/devboxes/{name}/ports/{port} */
export const setPortLevelBody = z.strictObject({ level: previewLevelSchema });

export const SHARE_LINK_DEFAULT_HOURS = 24;
export const SHARE_LINK_MAX_HOURS = 30 * 24;

/** POST /api/v1/teams/{team}/devboxes/{name}/ports/{port}/share-links */
export const createShareLinkBody = z.strictObject({
  label: z.string().trim().max(80).default(""),
  expiresInHours: z.number().int().min(1).max(SHARE_LINK_MAX_HOURS).default(SHARE_LINK_DEFAULT_HOURS),
});

/** PUT /api/v1/teams/{team}/preview-settings */
export const teamPreviewSettingsBody = z.strictObject({ maxLevel: previewLevelSchema });

export type SetPortLevelBody = z.infer<typeof setPortLevelBody>;
export type CreateShareLinkBody = z.infer<typeof createShareLinkBody>;

/** PUT /api/v1/admin/preview-settings */
export const instancePreviewSettingsBody = z.strictObject({ maxLevel: previewLevelSchema });
