import { z } from "zod";
import { isDnsLabel } from "@/lib/validation/names";
import { TOKEN_SCOPES } from "./scopes";

export const DEFAULT_TOKEN_DAYS = 30;

/** The instance maximum for a token's lifetime (DEVBOX_TOKEN_MAX_DAYS, default 365). */
export function maxTokenDays(): number {
  const n = Number(process.env.DEVBOX_TOKEN_MAX_DAYS ?? 365);
  return Number.isInteger(n) && n >= 1 ? n : 365;
}

const devboxName = z.string().refine((s) => isDnsLabel(s), "Not a devbox name.");

export const createTokenBody = z
  .object({
    name: z.string().trim().min(1, "Give the token a name.").max(80),
    scopes: z.array(z.enum(TOKEN_SCOPES)).min(1, "Pick at least one scope.").max(TOKEN_SCOPES.length),
    expiresInDays: z.number().int().min(1).optional(),
    /** Restrict the token to one team (its slug). */
    team: z.string().min(1).max(64).optional(),
    /** Restrict the token to these devboxes of `team`. */
    devboxes: z.array(devboxName).min(1).max(50).optional(),
  })
  .strict()
  .refine((b) => !b.devboxes || b.team, { message: "Restricting to devboxes needs a team.", path: ["devboxes"] })
  .meta({ id: "CreateToken", description: "A personal access token: scopes, expiry (default 30 days), optionally one team or named devboxes." });

export type CreateTokenBody = z.infer<typeof createTokenBody>;

export const tokenView = z.object({
  id: z.string(),
  name: z.string(),
  prefix: z.string(),
  scopes: z.array(z.enum(TOKEN_SCOPES)),
  team: z.string().nullable(),
  devboxes: z.array(z.string()).nullable(),
  expiresAt: z.string(),
  lastUsedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
  createdAt: z.string(),
}).meta({ id: "Token", description: "A token as listed: never its secret." });
export type TokenView = z.infer<typeof tokenView>;

/** The create response: the only time the secret is ever shown. */
export const createdTokenView = tokenView.extend({ token: z.string() }).meta({ id: "CreatedToken", description: "The new token, with its secret (`token`): shown this once." });
export const tokenList = z.object({ items: z.array(tokenView) }).meta({ id: "TokenList" });
