import { and, desc, eq, isNull, lt, or, sql } from "drizzle-orm";
import type { Database } from "@/db/client";
import { apiTokens, type ApiToken } from "@/db/schema/api-tokens";
import { teams } from "@/db/schema/teams";
import { users, type User } from "@/db/schema/users";
import { recordAudit } from "@/lib/audit/record";
import { AppError, notFound } from "@/lib/errors";
import { findTeamForMember } from "@/lib/teams/queries";
import { DEFAULT_TOKEN_DAYS, maxTokenDays, type CreateTokenBody, type TokenView } from "./schemas";
import type { TokenGrant, TokenScope } from "./scopes";
import { displayPrefix, hashToken, isTokenShaped, newTokenSecret } from "./secret";

const DAY_MS = 86_400_000;
// last_used_at is written at most this often per token: no write per request.
const LAST_USED_GRANULARITY_MS = 60_000;

/** A user authenticated by a token: the user row plus what the token allows. */
export type TokenUser = User & { token: TokenGrant };

export async function createToken(db: Database, user: User, body: CreateTokenBody): Promise<{ token: string; view: TokenView }> {
  const days = body.expiresInDays ?? DEFAULT_TOKEN_DAYS;
  const max = maxTokenDays();
  if (days > max) throw new AppError("bad_request", `A token can live at most ${max} days on this instance.`, { field: "expiresInDays" });
  let teamId: string | null = null;
  if (body.team) {
    const team = await findTeamForMember(db, body.team, user.id);
    if (!team) throw notFound("Team");
    teamId = team.id;
  }
  const token = newTokenSecret();
  // The token and its audit event commit together (a savepoint inside a device login's transaction).
  const row = await db.transaction(async (tx) => {
    const [row] = await tx
      .insert(apiTokens)
      .values({
        userId: user.id,
        name: body.name,
        secretHash: hashToken(token),
        displayPrefix: displayPrefix(token),
        scopes: [...new Set(body.scopes)],
        teamId,
        devboxNames: body.devboxes ? [...new Set(body.devboxes)] : null,
        expiresAt: new Date(Date.now() + days * DAY_MS),
      })
      .returning();
    await recordAudit(tx, {
      actorId: user.id,
      teamId,
      action: "token.create",
      target: row.id,
      details: { name: row.name, scopes: row.scopes, devboxes: row.devboxNames, expiresAt: row.expiresAt.toISOString() },
    });
    return row;
  });
  return { token, view: toView(row, body.team ?? null) };
}

export async function listTokens(db: Database, userId: string): Promise<TokenView[]> {
  const rows = await db
    .select({ token: apiTokens, teamSlug: teams.slug })
    .from(apiTokens)
    .leftJoin(teams, eq(teams.id, apiTokens.teamId))
    .where(and(eq(apiTokens.userId, userId), isNull(apiTokens.revokedAt)))
    .orderBy(desc(apiTokens.createdAt));
  return rows.map((r) => toView(r.token, r.teamSlug));
}

/** Revokes one of the user's tokens; effective on the token's next request. Idempotent. */
export async function revokeToken(db: Database, userId: string, id: string): Promise<void> {
  if (!/^[0-9a-f-]{36}$/i.test(id)) throw notFound("Token");
  // With its audit event: a revoked token leaves the list, so nobody would retry to log it.
  await db.transaction(async (tx) => {
    const [row] = await tx
      .update(apiTokens)
      .set({ revokedAt: sql`coalesce(${apiTokens.revokedAt}, now())` })
      .where(and(eq(apiTokens.id, id), eq(apiTokens.userId, userId)))
      .returning();
    if (!row) throw notFound("Token");
    await recordAudit(tx, { actorId: userId, teamId: row.teamId, action: "token.revoke", target: row.id, details: { name: row.name } });
  });
}

/**
 * The user a bearer token stands for, or an `unauthorized` error saying why not (every request
 * re-reads the row: a revoked or expired token fails on its next request). One query, plus a
 * last-used write at most once a minute per token.
 */
export async function authenticateToken(db: Database, token: string): Promise<TokenUser> {
  const refused = (why: string) => new AppError("unauthorized", `This API token ${why}. Create a new one in the dashboard (Tokens).`);
  if (!isTokenShaped(token)) throw refused("is not valid");
  // One probe of the unique hash index, the user joined (a deleted user deletes its tokens).
  const [found] = await db.select({ row: apiTokens, user: users }).from(apiTokens).innerJoin(users, eq(users.id, apiTokens.userId)).where(eq(apiTokens.secretHash, hashToken(token))).limit(1);
  if (!found) throw refused("is not valid");
  const { row, user } = found;
  if (row.revokedAt) throw refused("was revoked");
  if (row.expiresAt.getTime() <= Date.now()) throw refused(`expired on ${row.expiresAt.toISOString().slice(0, 10)}`);
  await touchLastUsed(db, row);
  return { ...user, token: grantOf(row) };
}

async function touchLastUsed(db: Database, row: ApiToken): Promise<void> {
  if (row.lastUsedAt && Date.now() - row.lastUsedAt.getTime() < LAST_USED_GRANULARITY_MS) return;
  const cutoff = new Date(Date.now() - LAST_USED_GRANULARITY_MS);
  await db
    .update(apiTokens)
    .set({ lastUsedAt: new Date() })
    .where(and(eq(apiTokens.id, row.id), or(isNull(apiTokens.lastUsedAt), lt(apiTokens.lastUsedAt, cutoff))));
}

function grantOf(row: ApiToken): TokenGrant {
  return { id: row.id, name: row.name, scopes: row.scopes as TokenScope[], teamId: row.teamId, devboxNames: row.devboxNames };
}

function toView(row: ApiToken, teamSlug: string | null): TokenView {
  return {
    id: row.id,
    name: row.name,
    prefix: `${row.displayPrefix}…`,
    scopes: row.scopes as TokenScope[],
    team: teamSlug,
    devboxes: row.devboxNames,
    expiresAt: row.expiresAt.toISOString(),
    lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
    revokedAt: row.revokedAt?.toISOString() ?? null,
    createdAt: row.createdAt.toISOString(),
  };
}
