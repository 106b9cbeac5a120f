import { z } from "zod";

/** POST /api/v1/teams/{team}/devboxes/{name}/terminal-shares */
export const createTerminalShareBody = z.strictObject({
  sessionId: z.string().regex(/^[A-Za-z0-9_-]{8,64}$/).describe("The owner's terminal session (the id its browser tab chose)"),
  email: z.string().trim().min(3).max(320).describe("The teammate to share with"),
  mode: z.enum(["read", "write"]).default("read"),
});

export type CreateTerminalShareBody = z.infer<typeof createTerminalShareBody>;
