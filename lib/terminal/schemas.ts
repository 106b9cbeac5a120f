import { z } from "zod";

/** POST /api/v1/teams/{team}/devboxes/{name}/terminal-shares */
export const createTerminalShareBody = z
  .strictObject({
    sessionId: z.string().regex(/^[A-Za-z0-9_-]{8,64}$/).describe("The owner's terminal session (the id its browser tab chose)"),
    email: z.string().trim().min(3).max(320).describe("The teammate to share with"),
    mode: z.enum(["read", "write"]).default("read"),
  })
  .meta({ id: "CreateTerminalShare" });

export type CreateTerminalShareBody = z.infer<typeof createTerminalShareBody>;

export const TerminalShareSchema = z
  .object({
    id: z.string(),
    sessionId: z.string(),
    guest: z.string().meta({ description: "The teammate's email." }),
    mode: z.enum(["read", "write"]),
    createdAt: z.string().meta({ format: "date-time" }),
    url: z.string().meta({ description: "The dashboard page where the guest watches (or types)." }),
  })
  .meta({ id: "TerminalShare" });

// Shares live as long as the owner's terminal sessions (in memory, a handful per person): not paged.
export const TerminalShareList = z.object({ shares: z.array(TerminalShareSchema) }).meta({ id: "TerminalShareList" });

/** What the API answers (and the share button reads): the one definition, the document's schema. */
export type TerminalShareView = z.infer<typeof TerminalShareSchema>;
