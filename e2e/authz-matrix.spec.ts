import { randomUUID } from "node:crypto";
import path from "node:path";
import { expect, test } from "./fixtures";
import { actionIds, entryPoints } from "./support/entry-points";
import { Client, rawRequest, signedIn, signedUp } from "./support/client";
import { adminKube, dashboardOrigin, E2E_ADMIN, namespaceExists, PASSWORD, uniqueEmail, uniqueSlug } from "./helpers";

/**
 * The authorization matrix: every entry point found in the code × every kind of user × own,
 * foreign and missing resources, each cell's answer asserted. Then CSRF, DNS rebinding, open
 * redirects and a fuzz run over the REST API. Runs against the production server the Playwright
 * config starts; two devboxes (one per team) exist, stopped, so nothing waits on a Pod.
 *
 * An allowed call is made to stop right after authorization (an invalid body, a stopped devbox,
 * an unknown snapshot), so it changes nothing; its answer (400, 409, "Snapshot not found"…) can
 * only come from past the authorization check. The two destructive cells (DELETE of a devbox and
 * of a team) act on throwaway resources made for them.
 */
test.describe.configure({ mode: "serial" });

const ROOT = path.resolve(import.meta.dirname, "..");
const ROLES = ["anonymous", "viewer", "developer", "admin", "owner", "outsider", "instanceAdmin"] as const;
const RESOURCES = ["own", "foreign", "missing"] as const;
type Role = (typeof ROLES)[number];
type Resource = (typeof RESOURCES)[number];
type TeamRole = "viewer" | "developer" | "admin" | "owner";
const RANK: Record<TeamRole, number> = { viewer: 0, developer: 1, admin: 2, owner: 3 };

interface Target {
  team: string;
  devbox: string;
  snapshot: string;
}

type Surface = "rest" | "action" | "ws";
type Scope = "public" | "user" | "instance" | "team" | "devbox";

interface Entry {
  surface: Surface;
  scope: Scope;
  /** Least team role (team and devbox scopes). */
  min?: TeamRole;
  /** The answer when authorization lets the call through. */
  allowed: string;
  call(c: Client, t: Target, role: Role): Promise<string>;
  /** A throwaway resource for the allowed cells of a destructive call. */
  throwaway?: (role: Role) => Promise<Partial<Target>>;
}

const refusal = {
  rest: { unauthorized: "401", forbidden: "403", notFound: (what: string) => `404:${what}` },
  action: { unauthorized: "unauthorized", forbidden: "forbidden", notFound: (what: string) => `not_found:${what}` },
  ws: { unauthorized: "close 4401", forbidden: "close 4406", notFound: (what: string) => `close 4404:${what}` },
};

/** The policy, cell by cell: what each kind of user must get. */
function expected(e: Entry, role: Role, res: Resource): string {
  const r = refusal[e.surface];
  if (e.scope === "public") return e.allowed;
  if (role === "anonymous") return r.unauthorized;
  if (e.scope === "user") return e.allowed;
  if (e.scope === "instance") return role === "instanceAdmin" ? e.allowed : r.forbidden;
  // Team resources: a team the user is not in is "not found", exactly like a team that does not exist.
  if (role === "outsider" || role === "instanceAdmin" || res === "foreign") return r.notFound("Team");
  if (res === "missing" && e.scope === "team") return r.notFound("Team");
  if (RANK[role] < RANK[e.min!]) return r.forbidden;
  if (res === "missing") return r.notFound("Devbox");
  return e.allowed;
}

const restOutcome = (reply: { status: number; json?: { error?: { message: string } } }) =>
  reply.status === 404 ? `404:${(reply.json?.error?.message ?? "").replace(/ not found$/, "")}` : String(reply.status);

interface World {
  origin: string;
  users: Record<Exclude<Role, "anonymous">, Client> & { foreignOwner: Client };
  anonymous: Client;
  own: string;
  foreign: string;
  spare: string;
  templateId: string;
  actions: Map<string, { id: string; page: string }>;
  created: string[];
  /** podGeneration of each team's devbox after setup: nothing may move it. */
  generations: Record<string, number>;
}
let w: World;

function action(key: string) {
  const a = w.actions.get(key);
  if (!a) throw new Error(`no server action ${key} in this build (.next/server/server-reference-manifest.json): rebuild`);
  return a;
}

function form(fields: Record<string, string>): FormData {
  const f = new FormData();
  for (const [k, v] of Object.entries(fields)) f.set(k, v);
  return f;
}

// The page an action is posted to only selects the code that hosts it: the arguments name the target.
const pageOf = (page: string) => page.replace("[team]", w.own).replace("[name]", "box");
const act = (key: string, args: (t: Target) => unknown[]) => async (c: Client, t: Target) => {
  const a = action(key);
  return (await c.action(a.id, pageOf(a.page), args(t))).outcome;
};
const rest = (method: string, url: (t: Target) => string, body?: (t: Target) => unknown) => async (c: Client, t: Target) =>
  restOutcome(await c.rest(method, url(t), { body: body?.(t) }));
const box = (t: Target) => `/api/v1/teams/${t.team}/devboxes/${encodeURIComponent(t.devbox)}`;

/** The matrix: one row per entry point found in the code. A new entry point fails the first test until it has a row. */
const MATRIX: Record<string, Entry> = {
  "GET /api/health": { surface: "rest", scope: "public", allowed: "200", call: rest("GET", () => "/api/health") },
  "GET /api/auth/[...nextauth]": { surface: "rest", scope: "public", allowed: "200", call: rest("GET", () => "/api/auth/providers") },
  // next-auth's own POSTs need its double-submit token; without one it sends everyone back to sign-in.
  "POST /api/auth/[...nextauth]": {
    surface: "rest",
    scope: "public",
    allowed: "302",
    call: async (c) => String((await c.rest("POST", "/api/auth/signout", { raw: "", headers: { "Content-Type": "application/x-www-form-urlencoded" } })).status),
  },
  "GET /api/v1/openapi.json": { surface: "rest", scope: "public", allowed: "200", call: rest("GET", () => "/api/v1/openapi.json") },
  "GET /api/v1/user": { surface: "rest", scope: "user", allowed: "200", call: rest("GET", () => "/api/v1/user") },
  "POST /api/v1/teams/[team]/members": {
    surface: "rest",
    scope: "team",
    min: "admin",
    allowed: "400",
    call: rest("POST", (t) => `/api/v1/teams/${t.team}/members`, () => ({ email: "nobody@example.com", role: "superuser" })),
  },
  // Removing someone who is not a member: past authorization (admins only) the answer is "Member not found".
  "DELETE /api/v1/teams/[team]/members/[userId]": {
    surface: "rest",
    scope: "team",
    min: "admin",
    allowed: "404:Member",
    call: rest("DELETE", (t) => `/api/v1/teams/${t.team}/members/${randomUUID()}`),
  },
  // Starting a device login grants nothing (a signed-in user must approve it): open to all.
  "POST /api/v1/device-authorizations": { surface: "rest", scope: "public", allowed: "201", call: rest("POST", () => "/api/v1/device-authorizations", () => ({ clientName: "matrix" })) },
  "POST /api/v1/device-authorizations/token": {
    surface: "rest",
    scope: "public",
    allowed: "404",
    call: async (c) => String((await c.rest("POST", "/api/v1/device-authorizations/token", { body: { deviceCode: randomUUID() } })).status),
  },
  // Logs need a running devbox: past authorization, a stopped one answers 409.
  "GET /api/v1/teams/[team]/devboxes/[name]/logs": { surface: "rest", scope: "devbox", min: "developer", allowed: "409", call: rest("GET", (t) => `${box(t)}/logs`) },
  "GET /api/v1/settings": { surface: "rest", scope: "instance", allowed: "200", call: rest("GET", () => "/api/v1/settings") },
  "PATCH /api/v1/settings": { surface: "rest", scope: "instance", allowed: "400", call: rest("PATCH", () => "/api/v1/settings", () => ({ maxTeamsPerUser: "many" })) },
  "POST /api/v1/templates": { surface: "rest", scope: "instance", allowed: "400", call: rest("POST", () => "/api/v1/templates", () => ({ name: "Not A Name", image: "x" })) },
  "GET /api/v1/templates": { surface: "rest", scope: "user", allowed: "200", call: rest("GET", () => "/api/v1/templates") },
  "GET /api/v1/teams": { surface: "rest", scope: "user", allowed: "200", call: rest("GET", () => "/api/v1/teams") },
  "POST /api/v1/teams": { surface: "rest", scope: "user", allowed: "400", call: rest("POST", () => "/api/v1/teams", () => ({ slug: "Not A Slug!" })) },
  "GET /api/v1/teams/[team]": { surface: "rest", scope: "team", min: "viewer", allowed: "200", call: rest("GET", (t) => `/api/v1/teams/${t.team}`) },
  "DELETE /api/v1/teams/[team]": {
    surface: "rest",
    scope: "team",
    min: "owner",
    allowed: "204",
    call: rest("DELETE", (t) => `/api/v1/teams/${t.team}`),
    throwaway: async () => ({ team: w.spare }),
  },
  "GET /api/v1/teams/[team]/members": { surface: "rest", scope: "team", min: "viewer", allowed: "200", call: rest("GET", (t) => `/api/v1/teams/${t.team}/members`) },
  "GET /api/v1/teams/[team]/devboxes": { surface: "rest", scope: "team", min: "viewer", allowed: "200", call: rest("GET", (t) => `/api/v1/teams/${t.team}/devboxes`) },
  "POST /api/v1/teams/[team]/devboxes": {
    surface: "rest",
    scope: "team",
    min: "developer",
    allowed: "400",
    call: rest("POST", (t) => `/api/v1/teams/${t.team}/devboxes`, () => ({ name: "Not A Name!", templateId: w.templateId })),
  },
  "GET /api/v1/teams/[team]/devboxes/events": { surface: "rest", scope: "team", min: "viewer", allowed: "200", call: rest("GET", (t) => `/api/v1/teams/${t.team}/devboxes/events`) },
  "GET /api/v1/teams/[team]/devboxes/[name]": { surface: "rest", scope: "devbox", min: "viewer", allowed: "200", call: rest("GET", box) },
  "PATCH /api/v1/teams/[team]/devboxes/[name]": { surface: "rest", scope: "devbox", min: "developer", allowed: "400", call: rest("PATCH", box, () => ({ cpuMillis: "lots" })) },
  "DELETE /api/v1/teams/[team]/devboxes/[name]": {
    surface: "rest",
    scope: "devbox",
    min: "developer",
    allowed: "202",
    call: rest("DELETE", box),
    throwaway: async (role) => {
      const name = `del-${role}-${Math.random().toString(36).slice(2, 6)}`;
      const r = await w.users.owner.rest("POST", `/api/v1/teams/${w.own}/devboxes`, { body: { name, templateId: w.templateId } });
      expect(r.status, r.text).toBe(201);
      return { devbox: name };
    },
  },
  "PUT /api/v1/teams/[team]/devboxes/[name]/state": { surface: "rest", scope: "devbox", min: "developer", allowed: "400", call: rest("PUT", (t) => `${box(t)}/state`, () => ({ state: "paused" })) },
  "POST /api/v1/teams/[team]/devboxes/[name]/restarts": {
    surface: "rest",
    scope: "devbox",
    min: "developer",
    allowed: "400",
    call: rest("POST", (t) => `${box(t)}/restarts`, () => ({ podGeneration: "one" })),
  },
  "POST /api/v1/teams/[team]/devboxes/[name]/forced-stops": { surface: "rest", scope: "devbox", min: "developer", allowed: "400", call: rest("POST", (t) => `${box(t)}/forced-stops`, () => ({})) },
  "GET /api/v1/teams/[team]/devboxes/[name]/snapshots": { surface: "rest", scope: "devbox", min: "viewer", allowed: "200", call: rest("GET", (t) => `${box(t)}/snapshots`) },
  // A commit needs a running devbox: past authorization, a stopped one answers 409.
  "POST /api/v1/teams/[team]/devboxes/[name]/snapshots": { surface: "rest", scope: "devbox", min: "developer", allowed: "409", call: rest("POST", (t) => `${box(t)}/snapshots`) },
  "POST /api/v1/teams/[team]/devboxes/[name]/snapshots/[id]/forks": {
    surface: "rest",
    scope: "devbox",
    min: "developer",
    allowed: "404:Snapshot",
    call: rest("POST", (t) => `${box(t)}/snapshots/${t.snapshot}/forks`, () => ({ name: "fork-x" })),
  },
  "POST /api/v1/teams/[team]/devboxes/[name]/snapshots/[id]/starts": {
    surface: "rest",
    scope: "devbox",
    min: "developer",
    allowed: "404:Snapshot",
    call: rest("POST", (t) => `${box(t)}/snapshots/${t.snapshot}/starts`),
  },
  // releases and apps (lib/releases, lib/apps): allowed calls stop past authorization (bad body, unknown tag or app)
  "GET /api/v1/teams/[team]/devboxes/[name]/releases": { surface: "rest", scope: "devbox", min: "viewer", allowed: "200", call: rest("GET", (t) => `${box(t)}/releases`) },
  "POST /api/v1/teams/[team]/devboxes/[name]/releases": { surface: "rest", scope: "devbox", min: "developer", allowed: "400", call: rest("POST", (t) => `${box(t)}/releases`, () => ({ tag: "Not A Tag!" })) },
  "GET /api/v1/teams/[team]/devboxes/[name]/releases/[tag]": { surface: "rest", scope: "devbox", min: "viewer", allowed: "404:Release", call: rest("GET", (t) => `${box(t)}/releases/no-such-tag`) },
  "DELETE /api/v1/teams/[team]/devboxes/[name]/releases/[tag]": { surface: "rest", scope: "devbox", min: "developer", allowed: "404:Release", call: rest("DELETE", (t) => `${box(t)}/releases/no-such-tag`) },
  "POST /api/v1/teams/[team]/devboxes/[name]/releases/[tag]/forks": {
    surface: "rest",
    scope: "devbox",
    min: "developer",
    allowed: "404:Release",
    call: rest("POST", (t) => `${box(t)}/releases/no-such-tag/forks`, () => ({ name: "fork-x" })),
  },
  "GET /api/v1/teams/[team]/apps": { surface: "rest", scope: "team", min: "viewer", allowed: "200", call: rest("GET", (t) => `/api/v1/teams/${t.team}/apps`) },
  "POST /api/v1/teams/[team]/apps": { surface: "rest", scope: "team", min: "developer", allowed: "400", call: rest("POST", (t) => `/api/v1/teams/${t.team}/apps`, () => ({ name: "Not An App!" })) },
  "GET /api/v1/teams/[team]/apps/[app]": { surface: "rest", scope: "team", min: "viewer", allowed: "404:App", call: rest("GET", (t) => `/api/v1/teams/${t.team}/apps/no-such-app`) },
  "PATCH /api/v1/teams/[team]/apps/[app]": { surface: "rest", scope: "team", min: "developer", allowed: "404:App", call: rest("PATCH", (t) => `/api/v1/teams/${t.team}/apps/no-such-app`, () => ({ replicas: 1 })) },
  "DELETE /api/v1/teams/[team]/apps/[app]": { surface: "rest", scope: "team", min: "developer", allowed: "404:App", call: rest("DELETE", (t) => `/api/v1/teams/${t.team}/apps/no-such-app`) },
  "POST /api/v1/teams/[team]/apps/[app]/rollbacks": { surface: "rest", scope: "team", min: "developer", allowed: "404:App", call: rest("POST", (t) => `/api/v1/teams/${t.team}/apps/no-such-app/rollbacks`) },
  "GET /api/v1/teams/[team]/apps/[app]/logs": { surface: "rest", scope: "team", min: "developer", allowed: "404:App", call: rest("GET", (t) => `/api/v1/teams/${t.team}/apps/no-such-app/logs`) },

  // Preview ports and share links (lib/preview/). Allowed calls stop at an invalid body or an unknown link.
  "GET /api/v1/teams/[team]/devboxes/[name]/ports": { surface: "rest", scope: "devbox", min: "viewer", allowed: "200", call: rest("GET", (t) => `${box(t)}/ports`) },
  "PUT /api/v1/teams/[team]/devboxes/[name]/ports/[port]": { surface: "rest", scope: "devbox", min: "developer", allowed: "400", call: rest("PUT", (t) => `${box(t)}/ports/3000`, () => ({ level: "everyone" })) },
  "GET /api/v1/teams/[team]/devboxes/[name]/ports/[port]/share-links": { surface: "rest", scope: "devbox", min: "developer", allowed: "200", call: rest("GET", (t) => `${box(t)}/ports/3000/share-links`) },
  "POST /api/v1/teams/[team]/devboxes/[name]/ports/[port]/share-links": {
    surface: "rest",
    scope: "devbox",
    min: "developer",
    allowed: "400",
    call: rest("POST", (t) => `${box(t)}/ports/3000/share-links`, () => ({ expiresInHours: 100000 })),
  },
  "DELETE /api/v1/teams/[team]/devboxes/[name]/share-links/[id]": { surface: "rest", scope: "devbox", min: "developer", allowed: "404:Share link", call: rest("DELETE", (t) => `${box(t)}/share-links/${randomUUID()}`) },
  "GET /api/v1/teams/[team]/devboxes/[name]/idle": { surface: "rest", scope: "devbox", min: "viewer", allowed: "200", call: rest("GET", (t) => `${box(t)}/idle`) },
  "PUT /api/v1/teams/[team]/devboxes/[name]/idle": { surface: "rest", scope: "devbox", min: "developer", allowed: "400", call: rest("PUT", (t) => `${box(t)}/idle`, () => ({ timeoutMinutes: -1 })) },
  // Past authorization, keep-running on a stopped devbox answers 409.
  "POST /api/v1/teams/[team]/devboxes/[name]/idle/keep-running": { surface: "rest", scope: "devbox", min: "developer", allowed: "409", call: rest("POST", (t) => `${box(t)}/idle/keep-running`, () => ({})) },
  "GET /api/v1/teams/[team]/devboxes/[name]/usage": { surface: "rest", scope: "devbox", min: "viewer", allowed: "200", call: rest("GET", (t) => `${box(t)}/usage?window=day`) },
  "GET /api/v1/teams/[team]/usage": { surface: "rest", scope: "team", min: "viewer", allowed: "200", call: rest("GET", (t) => `/api/v1/teams/${t.team}/usage`) },
  "GET /api/v1/teams/[team]/idle-settings": { surface: "rest", scope: "team", min: "viewer", allowed: "200", call: rest("GET", (t) => `/api/v1/teams/${t.team}/idle-settings`) },
  "PUT /api/v1/teams/[team]/idle-settings": { surface: "rest", scope: "team", min: "admin", allowed: "400", call: rest("PUT", (t) => `/api/v1/teams/${t.team}/idle-settings`, () => ({ timeoutMinutes: "soon" })) },
  "GET /api/v1/teams/[team]/preview-settings": { surface: "rest", scope: "team", min: "viewer", allowed: "200", call: rest("GET", (t) => `/api/v1/teams/${t.team}/preview-settings`) },
  "PUT /api/v1/teams/[team]/preview-settings": { surface: "rest", scope: "team", min: "admin", allowed: "400", call: rest("PUT", (t) => `/api/v1/teams/${t.team}/preview-settings`, () => ({ maxLevel: "everyone" })) },
  "GET /api/v1/admin/preview-settings": { surface: "rest", scope: "instance", allowed: "200", call: rest("GET", () => "/api/v1/admin/preview-settings") },
  "PUT /api/v1/admin/preview-settings": { surface: "rest", scope: "instance", allowed: "400", call: rest("PUT", () => "/api/v1/admin/preview-settings", () => ({ maxLevel: "everyone" })) },
  // The hand-off checks the address before the session: an address that names no port is 404 for everyone.
  "GET /preview-auth": { surface: "rest", scope: "public", allowed: "404:", call: rest("GET", () => "/preview-auth?host=not-a-preview") },

  "GET /api/v1/teams/[team]/invites": { surface: "rest", scope: "team", min: "admin", allowed: "200", call: rest("GET", (t) => `/api/v1/teams/${t.team}/invites`) },
  "POST /api/v1/teams/[team]/invites": { surface: "rest", scope: "team", min: "admin", allowed: "400", call: rest("POST", (t) => `/api/v1/teams/${t.team}/invites`, () => ({ role: "owner" })) },
  "DELETE /api/v1/teams/[team]/invites/[id]": { surface: "rest", scope: "team", min: "admin", allowed: "404:Invite", call: rest("DELETE", (t) => `/api/v1/teams/${t.team}/invites/${randomUUID()}`) },
  "GET /api/v1/teams/[team]/audit": { surface: "rest", scope: "team", min: "admin", allowed: "200", call: rest("GET", (t) => `/api/v1/teams/${t.team}/audit?kind=team.invite`) },
  // The token is the authorization (any signed-in user may use one); an unknown token is not found.
  "action app/invite/[token]/actions.ts#acceptInviteAction": {
    surface: "action",
    scope: "user",
    allowed: "not_found:Invite",
    call: async (c) => {
      const a = action("app/invite/[token]/actions.ts#acceptInviteAction");
      return (await c.action(a.id, "/invite/not-a-token", ["not-a-token"])).outcome;
    },
  },

  // Shared terminals: a stopped devbox has no live session, so past authorization it is "not found".
  "GET /api/v1/teams/[team]/devboxes/[name]/terminal-shares": { surface: "rest", scope: "devbox", min: "developer", allowed: "200", call: rest("GET", (t) => `${box(t)}/terminal-shares`) },
  "POST /api/v1/teams/[team]/devboxes/[name]/terminal-shares": {
    surface: "rest",
    scope: "devbox",
    min: "developer",
    allowed: "404:Terminal session",
    call: rest("POST", (t) => `${box(t)}/terminal-shares`, () => ({ sessionId: "no-such-session", email: "x@example.com", mode: "read" })),
  },
  "DELETE /api/v1/teams/[team]/devboxes/[name]/terminal-shares/[id]": { surface: "rest", scope: "devbox", min: "developer", allowed: "404:Terminal share", call: rest("DELETE", (t) => `${box(t)}/terminal-shares/${"0".repeat(32)}`) },

  "action app/(auth)/register/actions.ts#registerAction": {
    surface: "action",
    scope: "public",
    allowed: "bad_request",
    // A new invalid address each time: sign-up attempts per address are rate-limited.
    call: act("app/(auth)/register/actions.ts#registerAction", () => [null, form({ email: `not-an-email-${randomUUID().slice(0, 8)}`, password: PASSWORD })]),
  },
  "action app/(app)/teams/new/actions.ts#createTeamAction": {
    surface: "action",
    scope: "user",
    allowed: "bad_request",
    call: act("app/(app)/teams/new/actions.ts#createTeamAction", () => [null, form({ slug: "Not_A_Slug" })]),
  },
  "action app/(app)/admin/actions.ts#setSignupOpenAction": {
    surface: "action",
    scope: "instance",
    allowed: "ok",
    call: act("app/(app)/admin/actions.ts#setSignupOpenAction", () => [true]),
  },
  "action app/(app)/admin/actions.ts#setTeamLimitAction": {
    surface: "action",
    scope: "instance",
    allowed: "bad_request",
    call: act("app/(app)/admin/actions.ts#setTeamLimitAction", () => [null, form({ maxTeams: "many" })]),
  },
  "action app/(app)/admin/actions.ts#addTemplateAction": {
    surface: "action",
    scope: "instance",
    allowed: "bad_request",
    call: act("app/(app)/admin/actions.ts#addTemplateAction", () => [null, form({ name: "Not A Name", image: "x" })]),
  },
  "action app/(app)/t/[team]/actions.ts#addMemberAction": {
    surface: "action",
    scope: "team",
    min: "admin",
    allowed: "bad_request",
    call: act("app/(app)/t/[team]/actions.ts#addMemberAction", (t) => [t.team, null, form({ email: "nobody@example.com", role: "superuser" })]),
  },
  // Removing someone who is not a member: past authorization (admins only) the answer is "Member not found".
  "action app/(app)/t/[team]/actions.ts#removeMemberAction": {
    surface: "action",
    scope: "team",
    min: "admin",
    allowed: "not_found:Member",
    call: act("app/(app)/t/[team]/actions.ts#removeMemberAction", (t) => [t.team, randomUUID()]),
  },
  "action app/(app)/t/[team]/actions.ts#deleteTeamAction": {
    surface: "action",
    scope: "team",
    min: "owner",
    allowed: "bad_request",
    call: act("app/(app)/t/[team]/actions.ts#deleteTeamAction", (t) => [t.team, null, form({ confirm: "not-the-name" })]),
  },
  "action app/(app)/t/[team]/devboxes/actions.ts#createDevboxAction": {
    surface: "action",
    scope: "team",
    min: "developer",
    allowed: "bad_request",
    call: act("app/(app)/t/[team]/devboxes/actions.ts#createDevboxAction", (t) => [t.team, null, form({ name: "Not A Name!", templateId: w.templateId })]),
  },
  "action app/(app)/t/[team]/devboxes/actions.ts#updateDevboxAction": {
    surface: "action",
    scope: "devbox",
    min: "developer",
    allowed: "conflict",
    call: act("app/(app)/t/[team]/devboxes/actions.ts#updateDevboxAction", (t) => [t.team, t.devbox, null, form({ podGeneration: "999999" })]),
  },
  "action app/(app)/t/[team]/devboxes/actions.ts#devboxLifecycleAction": {
    surface: "action",
    scope: "devbox",
    min: "developer",
    allowed: "conflict",
    call: act("app/(app)/t/[team]/devboxes/actions.ts#devboxLifecycleAction", (t) => [t.team, t.devbox, "restart"]),
  },
  "action app/(app)/t/[team]/devboxes/[name]/snapshots/actions.ts#commitDevboxAction": {
    surface: "action",
    scope: "devbox",
    min: "developer",
    allowed: "conflict",
    call: act("app/(app)/t/[team]/devboxes/[name]/snapshots/actions.ts#commitDevboxAction", (t) => [t.team, t.devbox]),
  },
  // On a stopped devbox a forced stop has nothing to discard.
  "action app/(app)/t/[team]/devboxes/[name]/snapshots/actions.ts#forceStopDevboxAction": {
    surface: "action",
    scope: "devbox",
    min: "developer",
    allowed: "ok",
    call: act("app/(app)/t/[team]/devboxes/[name]/snapshots/actions.ts#forceStopDevboxAction", (t) => [t.team, t.devbox]),
  },
  "action app/(app)/t/[team]/devboxes/[name]/snapshots/actions.ts#startFromSnapshotAction": {
    surface: "action",
    scope: "devbox",
    min: "developer",
    allowed: "not_found:Snapshot",
    call: act("app/(app)/t/[team]/devboxes/[name]/snapshots/actions.ts#startFromSnapshotAction", (t) => [t.team, t.devbox, t.snapshot]),
  },
  "action app/(app)/t/[team]/devboxes/[name]/snapshots/actions.ts#forkSnapshotAction": {
    surface: "action",
    scope: "devbox",
    min: "developer",
    allowed: "not_found:Snapshot",
    call: act("app/(app)/t/[team]/devboxes/[name]/snapshots/actions.ts#forkSnapshotAction", (t) => [t.team, t.devbox, t.snapshot, null, form({ name: "fork-x" })]),
  },

  // It ends every session of the caller: the old cookie must be refused from then on, and the
  // caller signs in again for the cells that follow.
  "action app/(app)/actions.ts#signOutEverywhereAction": {
    surface: "action",
    scope: "user",
    allowed: "ok",
    call: async (c, _t, role) => {
      const a = action("app/(app)/actions.ts#signOutEverywhereAction");
      const outcome = (await c.action(a.id, pageOf(a.page), [])).outcome;
      if (outcome === "ok" && role !== "anonymous") {
        expect((await c.rest("GET", "/api/v1/teams")).status, `${role}'s revoked cookie`).toBe(401);
        w.users[role] = await signedIn(w.origin, c.name, role === "instanceAdmin" ? E2E_ADMIN.password : PASSWORD);
      }
      return outcome;
    },
  },

  // Exec needs a running devbox too.
  "ws server/ws/exec.ts": {
    surface: "ws",
    scope: "devbox",
    min: "developer",
    allowed: "close 4409",
    call: (c, t) => c.ws(`/api/v1/teams/${t.team}/devboxes/${encodeURIComponent(t.devbox)}/exec?argv=true`),
  },
  // Approving an unknown code: past sign-in, "not found".
  "action app/(auth)/device/actions.ts#decideDeviceLoginAction": {
    surface: "action",
    scope: "user",
    allowed: "not_found",
    call: act("app/(auth)/device/actions.ts#decideDeviceLoginAction", () => ["ZZZZ-ZZZZ", false]),
  },
  // API tokens and SSH keys belong to the caller: another user's id is "not found" like a missing one.
  "GET /api/v1/tokens": { surface: "rest", scope: "user", allowed: "200", call: rest("GET", () => "/api/v1/tokens") },
  "POST /api/v1/tokens": { surface: "rest", scope: "user", allowed: "400", call: rest("POST", () => "/api/v1/tokens", () => ({ name: "x", scopes: [] })) },
  "DELETE /api/v1/tokens/[id]": { surface: "rest", scope: "user", allowed: "404:Token", call: rest("DELETE", () => `/api/v1/tokens/${randomUUID()}`) },
  "GET /api/v1/ssh/hosts": { surface: "rest", scope: "user", allowed: "200", call: rest("GET", () => "/api/v1/ssh/hosts") },
  "GET /api/v1/ssh-keys": { surface: "rest", scope: "user", allowed: "200", call: rest("GET", () => "/api/v1/ssh-keys") },
  "POST /api/v1/ssh-keys": { surface: "rest", scope: "user", allowed: "400", call: rest("POST", () => "/api/v1/ssh-keys", () => ({ publicKey: "not a key" })) },
  "DELETE /api/v1/ssh-keys/[id]": { surface: "rest", scope: "user", allowed: "404:SSH key", call: rest("DELETE", () => `/api/v1/ssh-keys/${randomUUID()}`) },
  "action app/(app)/settings/tokens/actions.ts#createTokenAction": {
    surface: "action",
    scope: "user",
    allowed: "bad_request",
    call: act("app/(app)/settings/tokens/actions.ts#createTokenAction", () => [null, form({ name: "x" })]),
  },
  "action app/(app)/settings/tokens/actions.ts#revokeTokenAction": {
    surface: "action",
    scope: "user",
    allowed: "not_found:Token",
    call: act("app/(app)/settings/tokens/actions.ts#revokeTokenAction", () => [randomUUID()]),
  },
  "action app/(app)/settings/ssh-keys/actions.ts#addSshKeyAction": {
    surface: "action",
    scope: "user",
    allowed: "bad_request",
    call: act("app/(app)/settings/ssh-keys/actions.ts#addSshKeyAction", () => [null, form({ publicKey: "not a key" })]),
  },
  "action app/(app)/settings/ssh-keys/actions.ts#deleteSshKeyAction": {
    surface: "action",
    scope: "user",
    allowed: "not_found:SSH key",
    call: act("app/(app)/settings/ssh-keys/actions.ts#deleteSshKeyAction", () => [randomUUID()]),
  },
  // SSH needs a running devbox: past authorization, a stopped one closes with 4409 (a browser
  // session never starts it; a token with devboxes:write would).
  "ws server/ws/ssh.ts": {
    surface: "ws",
    scope: "devbox",
    min: "developer",
    allowed: "close 4409",
    call: (c, t) => c.ws(`/api/v1/teams/${t.team}/devboxes/${encodeURIComponent(t.devbox)}/ssh`),
  },

  // The terminal needs a running devbox: past authorization, a stopped one closes with 4409.
  "ws server/ws/terminal.ts": {
    surface: "ws",
    scope: "devbox",
    min: "developer",
    allowed: "close 4409",
    call: (c, t) => c.ws(`/api/v1/teams/${t.team}/devboxes/${encodeURIComponent(t.devbox)}/terminal?session=matrix${randomUUID().slice(0, 8)}`),
  },
  "ws server/ws/app-logs.ts": {
    surface: "ws",
    scope: "team",
    min: "developer",
    allowed: "close 4404:App",
    call: (c, t) => c.ws(`/api/v1/teams/${t.team}/apps/no-such-app/logs/follow?tail=10`),
  },
};

function clientOf(role: Role): Client {
  return role === "anonymous" ? w.anonymous : w.users[role];
}

function targetOf(e: Entry, res: Resource): Target {
  const snapshot = randomUUID();
  if (res === "own") return { team: w.own, devbox: "box", snapshot };
  if (res === "foreign") return { team: w.foreign, devbox: "box", snapshot };
  return e.scope === "team" ? { team: `no-such-${uniqueSlug("team")}`, devbox: "box", snapshot } : { team: w.own, devbox: "no-such-box", snapshot };
}

test.beforeAll(async () => {
  test.setTimeout(240_000);
  const origin = dashboardOrigin();
  const actions = actionIds(ROOT);
  const register = actions.get("app/(auth)/register/actions.ts#registerAction")!;
  const signUp = (who: string) => signedUp(origin, register, uniqueEmail(who), PASSWORD);
  const [owner, admin, developer, viewer, outsider, foreignOwner, instanceAdmin] = await Promise.all([
    signUp("mx-owner"),
    signUp("mx-admin"),
    signUp("mx-dev"),
    signUp("mx-viewer"),
    signUp("mx-outsider"),
    signUp("mx-foreign"),
    signedIn(origin, E2E_ADMIN.email, E2E_ADMIN.password),
  ]);
  w = {
    origin,
    users: { owner, admin, developer, viewer, outsider, instanceAdmin, foreignOwner },
    anonymous: new Client(origin),
    own: uniqueSlug("mx-own"),
    foreign: uniqueSlug("mx-foreign"),
    spare: uniqueSlug("mx-spare"),
    templateId: "",
    actions,
    created: [],
    generations: {},
  };
  for (const [who, slug] of [[owner, w.own], [owner, w.spare], [foreignOwner, w.foreign]] as const) {
    const r = await who.rest("POST", "/api/v1/teams", { body: { slug } });
    expect(r.status, r.text).toBe(201);
    w.created.push(slug);
  }
  const add = action("app/(app)/t/[team]/actions.ts#addMemberAction");
  for (const role of ["admin", "developer", "viewer"] as const) {
    const r = await owner.action(add.id, `/t/${w.own}/members`, [w.own, null, form({ email: w.users[role].name, role })]);
    expect(r.outcome, JSON.stringify(r.result)).toBe("ok");
  }
  const { items } = (await owner.rest("GET", "/api/v1/templates")).json as unknown as { items: { id: string; name: string }[] };
  w.templateId = items.find((t) => t.name === "debian")!.id;
  // One devbox per team, stopped at once: the matrix needs their records, not their Pods.
  for (const [who, slug] of [[owner, w.own], [foreignOwner, w.foreign]] as const) {
    const c = await who.rest("POST", `/api/v1/teams/${slug}/devboxes`, { body: { name: "box", templateId: w.templateId } });
    expect(c.status, c.text).toBe(201);
    const s = await who.rest("PUT", `/api/v1/teams/${slug}/devboxes/box/state`, { body: { state: "stopped" } });
    expect(s.status, s.text).toBe(202);
    w.generations[slug] = (s.json as { podGeneration: number }).podGeneration;
  }
  // Stopped means no Pod left: a Pod the create scheduled may still be going away.
  for (const [who, slug] of [[owner, w.own], [foreignOwner, w.foreign]] as const)
    await expect
      .poll(async () => ((await who.rest("GET", `/api/v1/teams/${slug}/devboxes/box`)).json as { status?: { state?: string } }).status?.state, { timeout: 120_000 })
      .toBe("Stopped");
});

test.afterAll(async () => {
  if (!w) return;
  // Devboxes first (a namespace with a devbox would be re-created by the reconciler), then the teams.
  for (const [who, slug] of [[w.users.owner, w.own], [w.users.foreignOwner, w.foreign]] as const) {
    const list = await who.rest("GET", `/api/v1/teams/${slug}/devboxes`);
    for (const d of (list.json as { items?: { name: string }[] } | undefined)?.items ?? []) await who.rest("DELETE", `/api/v1/teams/${slug}/devboxes/${d.name}`);
    await expect.poll(async () => ((await who.rest("GET", `/api/v1/teams/${slug}/devboxes`)).json as { items: unknown[] }).items.length, { timeout: 120_000 }).toBe(0);
    await who.rest("DELETE", `/api/v1/teams/${slug}`);
  }
  // Personal teams of the users made here.
  const { core } = adminKube();
  // (The seeded instance admin's too: no spec uses its team, and each run seeds a new one.)
  for (const c of Object.values(w.users)) {
    const teams = ((await c.rest("GET", "/api/v1/teams")).json as { items?: { namespace: string; personal?: boolean }[] } | undefined)?.items ?? [];
    for (const t of teams.filter((t) => t.personal)) await core.deleteNamespace({ name: t.namespace }).catch(() => {});
  }
});

test("every entry point in the code has a row in the matrix", () => {
  const found = entryPoints(ROOT);
  const missing = found.filter((k) => !MATRIX[k]);
  const stale = Object.keys(MATRIX).filter((k) => !found.includes(k));
  expect(missing, "entry points without a matrix row: add them to MATRIX in e2e/authz-matrix.spec.ts").toEqual([]);
  expect(stale, "matrix rows for entry points that no longer exist").toEqual([]);
  // The scan itself must see each kind, or the check above would pass vacuously.
  expect(found.filter((k) => k.startsWith("action ")).length).toBeGreaterThan(5);
  expect(found.filter((k) => k.startsWith("ws ")).length).toBeGreaterThan(0);
  expect(found.filter((k) => / \/api\/v1\//.test(k)).length).toBeGreaterThan(10);
  console.log(`[matrix] entry points in the code: ${found.length} (${found.filter((k) => k.startsWith("action ")).length} server actions, ${found.filter((k) => k.startsWith("ws ")).length} websockets)`);
});

test("authorization matrix: every entry point × every kind of user × own, foreign, missing", async () => {
  test.setTimeout(300_000);
  const failures: string[] = [];
  let cells = 0;
  let allowedCells = 0;
  for (const [key, e] of Object.entries(MATRIX)) {
    const resources: readonly Resource[] = e.scope === "team" || e.scope === "devbox" ? RESOURCES : ["own"];
    for (const role of ROLES) {
      for (const res of resources) {
        const want = expected(e, role, res);
        let target = targetOf(e, res);
        if (e.throwaway && want === e.allowed && res === "own" && e.scope !== "public") target = { ...target, ...(await e.throwaway(role)) };
        const got = await e.call(clientOf(role), target, role);
        cells++;
        if (want === e.allowed && e.scope !== "public") allowedCells++;
        if (got !== want) failures.push(`${key} · ${role} · ${res}: expected ${want}, got ${got}`);
      }
    }
  }
  console.log(`[matrix] cells checked: ${cells} (${allowedCells} allowed, ${cells - allowedCells} refused or public), entry points: ${Object.keys(MATRIX).length}, failures: ${failures.length}`);
  expect(failures).toEqual([]);

  // Nothing moved but the two throwaway targets: both teams, their devboxes and the members are as they were.
  await expectUntouched();
  const members = (await w.users.owner.rest("GET", `/api/v1/teams/${w.own}/members`)).json as { items: { role: string }[] };
  expect(members.items.map((m) => m.role).sort()).toEqual(["admin", "developer", "owner", "viewer"]);
  expect((await w.users.owner.rest("GET", `/api/v1/teams/${w.spare}`)).status).toBe(404);
  await expect.poll(() => namespaceExists(`devbox-${w.spare}`), { timeout: 60_000 }).toBe(false);
  const devboxes = ((await w.users.owner.rest("GET", `/api/v1/teams/${w.own}/devboxes`)).json as { items: { name: string; status: { state: string } }[] }).items;
  expect(devboxes.filter((d) => d.name !== "box" && !["Deleting"].includes(d.status.state)).map((d) => d.name)).toEqual([]);
});

/** Both teams' devboxes are where setup left them (stopped, same Pod generation). */
async function expectUntouched(): Promise<void> {
  for (const [who, slug] of [[w.users.owner, w.own], [w.users.foreignOwner, w.foreign]] as const) {
    const r = await who.rest("GET", `/api/v1/teams/${slug}/devboxes/box`);
    expect(r.status, r.text).toBe(200);
    expect(r.json, slug).toMatchObject({ name: "box", desiredState: "stopped", podGeneration: w.generations[slug] });
  }
}

async function teamSlugsOf(c: Client): Promise<string[]> {
  return ((await c.rest("GET", "/api/v1/teams")).json as { items: { slug: string }[] }).items.map((t) => t.slug);
}

async function devboxNames(c: Client, team: string): Promise<string[]> {
  return ((await c.rest("GET", `/api/v1/teams/${team}/devboxes`)).json as { items: { name: string }[] }).items.map((d) => d.name).sort();
}

test("CSRF: unsafe requests that are not same-origin JSON are refused and change nothing", async ({ browser }) => {
  test.setTimeout(180_000);
  const owner = w.users.owner;
  const port = new URL(w.origin).port;
  const bad = uniqueSlug("csrf");
  const before = { teams: await teamSlugsOf(owner), devboxes: await devboxNames(owner, w.own) };
  const b = `/api/v1/teams/${w.own}/devboxes/box`;
  const targets: [string, string, unknown][] = [
    ["POST", "/api/v1/teams", { slug: bad }],
    ["POST", `/api/v1/teams/${w.own}/devboxes`, { name: "csrf-box", templateId: w.templateId }],
    ["PUT", `${b}/state`, { state: "running" }],
    ["POST", `${b}/restarts`, {}],
    ["POST", `${b}/forced-stops`, { discardChanges: true }],
    ["POST", `${b}/snapshots`, {}],
    ["POST", `${b}/snapshots/${randomUUID()}/forks`, { name: "csrf-fork" }],
    ["POST", `${b}/snapshots/${randomUUID()}/starts`, {}],
    ["PATCH", b, { memoryMiB: 1024 }],
    ["DELETE", b, undefined],
    ["DELETE", `/api/v1/teams/${w.own}`, undefined],
  ];
  const variants: [string, Record<string, string>, (body: unknown) => string][] = [
    ["text/plain, our Origin", { "Content-Type": "text/plain", Origin: w.origin }, (x) => JSON.stringify(x ?? {})],
    ["form-encoded, our Origin", { "Content-Type": "application/x-www-form-urlencoded", Origin: w.origin }, () => "slug=x&name=y"],
    ["multipart, our Origin", { "Content-Type": "multipart/form-data; boundary=zz", Origin: w.origin }, () => '--zz\r\nContent-Disposition: form-data; name="slug"\r\n\r\nx\r\n--zz--\r\n'],
    ["no Content-Type, our Origin", { "Content-Type": "", Origin: w.origin }, () => ""],
    ["JSON, no Origin", { Origin: "" }, (x) => JSON.stringify(x ?? {})],
    ["JSON, Origin on another port", { Origin: "http://localhost:8080" }, (x) => JSON.stringify(x ?? {})],
    ["JSON, Origin of a sibling subdomain", { Origin: `http://app.localhost:${port}` }, (x) => JSON.stringify(x ?? {})],
    ["JSON, Origin null", { Origin: "null" }, (x) => JSON.stringify(x ?? {})],
    ["JSON, Origin https on our port", { Origin: `https://localhost:${port}` }, (x) => JSON.stringify(x ?? {})],
    ["text/plain, Origin on another port", { "Content-Type": "text/plain", Origin: "http://localhost:8080" }, (x) => JSON.stringify(x ?? {})],
  ];
  let tried = 0;
  const accepted: string[] = [];
  for (const [method, url, body] of targets)
    for (const [name, headers, encode] of variants) {
      const r = await owner.rest(method, url, { raw: encode(body), headers });
      tried++;
      if (r.status !== 403 || r.json?.error?.code !== "forbidden") accepted.push(`${method} ${url} (${name}): ${r.status} ${r.text.slice(0, 120)}`);
    }

  // Server actions: the same forgeries against createTeamAction and deleteTeamAction.
  const create = action("app/(app)/teams/new/actions.ts#createTeamAction");
  const del = action("app/(app)/t/[team]/actions.ts#deleteTeamAction");
  for (const origin of ["", "null", "http://localhost:8080", `http://app.localhost:${port}`, `https://localhost:${port}`]) {
    for (const [a, args] of [[create, [null, form({ slug: bad })]], [del, [w.spare, null, form({ confirm: w.spare })]]] as const) {
      const r = await owner.action(a.id, a.page.replace("[team]", w.own), [...args], { Origin: origin });
      tried++;
      if (r.outcome !== "http 403") accepted.push(`action ${a.page} (Origin ${origin || "none"}): ${r.outcome}`);
    }
  }

  // A real page on another port of the same site, in Chromium, with the owner's cookie: a no-cors
  // fetch and an auto-submitted text/plain form. The page is served by the test (never the network).
  const context = await browser.newContext();
  await context.addCookies(owner.cookie.split("; ").map((kv) => ({ name: kv.slice(0, kv.indexOf("=")), value: kv.slice(kv.indexOf("=") + 1), domain: "localhost", path: "/" })));
  await context.route("http://localhost:8080/**", (route) =>
    route.fulfill({
      contentType: "text/html",
      body: `<!doctype html><form id=f method=POST enctype="text/plain" action="${w.origin}/api/v1/teams"><input name='{"slug":"${bad}","x":"' value='"}'></form>
        <script>fetch("${w.origin}/api/v1/teams",{method:"POST",mode:"no-cors",credentials:"include",headers:{"Content-Type":"text/plain"},body:JSON.stringify({slug:"${bad}"})}).finally(()=>{document.title="sent";document.getElementById("f").submit();});</script>`,
    }),
  );
  const page = await context.newPage();
  const formPost = page.waitForResponse((r) => r.url() === `${w.origin}/api/v1/teams` && r.request().method() === "POST" && r.request().resourceType() === "document");
  await page.goto("http://localhost:8080/attack");
  const res = await formPost;
  tried += 2;
  if (res.status() !== 403) accepted.push(`browser form post: ${res.status()}`);
  await context.close();

  // The websocket: a page on another origin, even with the user's cookie.
  for (const origin of ["http://localhost:8080", `http://app.localhost:${port}`, "null"]) {
    const got = await owner.ws(`/api/v1/teams/${w.own}/devboxes/box/terminal?session=csrf${randomUUID().slice(0, 8)}`, { origin });
    tried++;
    if (got !== "close 4403") accepted.push(`terminal websocket from ${origin}: ${got}`);
  }

  console.log(`[csrf] attacks tried: ${tried}, refused: ${tried - accepted.length}`);
  expect(accepted).toEqual([]);
  expect(await teamSlugsOf(owner)).toEqual(before.teams);
  expect(await devboxNames(owner, w.own)).toEqual(before.devboxes);
  expect(await namespaceExists(`devbox-${bad}`)).toBe(false);
  await expectUntouched();
  // The same calls, same-origin JSON, do go through (the refusals above were about the forgery).
  const ok = await owner.rest("POST", "/api/v1/teams", { body: { slug: bad } });
  expect(ok.status, ok.text).toBe(201);
  expect((await owner.rest("DELETE", `/api/v1/teams/${bad}`)).status).toBe(204);
});

test("DNS rebinding: a Host that is not the dashboard's gets 421, for requests and websockets", async () => {
  const owner = w.users.owner;
  const port = new URL(w.origin).port;
  const bad = uniqueSlug("rebind");
  const tried: string[] = [];
  const accepted: string[] = [];
  for (const host of [`attacker.example:${port}`, `127.0.0.1:${port}`, `localhost.attacker.example:${port}`, `localhost:${Number(port) + 1}`]) {
    const origin = `http://${host}`;
    for (const [method, url, body] of [
      ["GET", "/", undefined],
      ["GET", "/api/v1/teams", undefined],
      ["GET", `/api/v1/teams/${w.own}/devboxes/box`, undefined],
      ["POST", "/api/v1/teams", JSON.stringify({ slug: bad })],
      ["DELETE", `/api/v1/teams/${w.own}/devboxes/box`, undefined],
    ] as const) {
      const r = await rawRequest(w.origin, { method, path: url, body, headers: { Host: host, Origin: origin, Cookie: owner.cookie, "Content-Type": "application/json" } });
      tried.push(`${method} ${url} Host ${host}`);
      if (r.status !== 421) accepted.push(`${method} ${url} with Host ${host}: ${r.status}`);
    }
    const ws = await owner.ws(`/api/v1/teams/${w.own}/devboxes/box/terminal?session=rebind${randomUUID().slice(0, 8)}`, { host, origin });
    tried.push(`ws Host ${host}`);
    if (ws !== "http 421") accepted.push(`terminal websocket with Host ${host}: ${ws}`);
  }
  // The old check admitted Origin == Host; with our Host, a rebinding page's Origin is still foreign.
  const ws = await owner.ws(`/api/v1/teams/${w.own}/devboxes/box/terminal?session=rebind${randomUUID().slice(0, 8)}`, { origin: `http://attacker.example:${port}` });
  tried.push("ws foreign Origin, our Host");
  if (ws !== "close 4403") accepted.push(`terminal websocket, Origin attacker: ${ws}`);
  console.log(`[rebinding] attacks tried: ${tried.length}, refused: ${tried.length - accepted.length}`);
  expect(accepted).toEqual([]);
  expect(await teamSlugsOf(owner)).not.toContain(bad);
  await expectUntouched();
  // Our own Host is served.
  expect((await rawRequest(w.origin, { method: "GET", path: "/api/health", headers: { Host: new URL(w.origin).host } })).status).toBe(200);
});

test("open redirect: the sign-in callback only ever lands on our origin", async ({ browser }) => {
  test.setTimeout(180_000);
  const email = w.users.viewer.name;
  const variants = ["/\\evil.example", "%2F%5Cevil.example", "//evil.example", "%2F%09%2Fevil.example", "https://evil.example/", "http://localhost:8080/", `${w.origin}@evil.example/`, "javascript:alert(1)", "/\\/evil.example"];
  let tried = 0;
  const escaped: string[] = [];
  for (const v of variants) {
    const context = await browser.newContext();
    // Nothing may leave this machine: any request to another host is answered here and noted.
    const offsite: string[] = [];
    await context.route((url) => url.origin !== w.origin, (route) => {
      offsite.push(route.request().url());
      return route.fulfill({ status: 200, contentType: "text/html", body: "<h1>evil</h1>" });
    });
    const page = await context.newPage();
    const raw = v.includes("%") ? v : encodeURIComponent(v);
    await page.goto(`/login?callbackUrl=${raw}`);
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await expect(page).not.toHaveURL(/\/login/, { timeout: 30_000 });
    await page.waitForLoadState("networkidle").catch(() => {});
    tried++;
    if (new URL(page.url()).origin !== w.origin || offsite.some((u) => u.includes("evil") || u.includes(":8080"))) escaped.push(`${v} → ${page.url()} ${offsite.join(" ")}`);
    await context.close();
  }
  // next-auth's own redirect (callbackUrl of the credentials callback) follows the same rule.
  for (const v of ["https://evil.example/", "/\\evil.example", "//evil.example"]) {
    const jar: string[] = [];
    const csrf = await fetch(`${w.origin}/api/auth/csrf`);
    for (const c of csrf.headers.getSetCookie()) jar.push(c.split(";")[0]);
    const { csrfToken } = (await csrf.json()) as { csrfToken: string };
    const res = await fetch(`${w.origin}/api/auth/callback/credentials`, {
      method: "POST",
      redirect: "manual",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Cookie: jar.join("; "), Origin: w.origin },
      body: new URLSearchParams({ csrfToken, email, password: PASSWORD, callbackUrl: v, json: "true" }),
    });
    const { url } = (await res.json()) as { url: string };
    tried++;
    if (new URL(url).origin !== w.origin || new URL(url).pathname.startsWith("//")) escaped.push(`next-auth callbackUrl ${v} → ${url}`);
  }
  console.log(`[open-redirect] attempts: ${tried}, kept on our origin: ${tried - escaped.length}`);
  expect(escaped).toEqual([]);
  // And a same-origin callback is honoured: the user lands where they were going.
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`/login?callbackUrl=${encodeURIComponent(`/t/${w.own}/members`)}`);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page).toHaveURL(new RegExp(`/t/${w.own}/members$`));
  await context.close();
});

/** mulberry32: a small seeded generator, so a failing fuzz run can be replayed with FUZZ_SEED. */
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

test("fuzz: malformed, mistyped, huge and unicode input to the REST API is 4xx, never 5xx, and creates nothing", async () => {
  test.setTimeout(300_000);
  const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 100000);
  const rand = rng(seed);
  const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
  const owner = w.users.owner;
  const big = "a".repeat(10 * 1024);
  const unicode = ["ünïcødé", "😀😀😀", "\u202etxt.exe", "a\u0000b", "\u200b", "名前", "\ud800", "../../etc/passwd", "<script>x</script>", "a b", "A", "-a", "a-"];
  // No valid slug or name among them ("null" or "12" would be one).
  const strings = [big, ...unicode, "", " "];
  const numbers = [1e308, -1e308, 2 ** 63, 2 ** 53 + 1, -1, 0, -0.0001, 1e-300];
  const wrongTypes = [null, true, false, [], {}, [1, 2], { $ne: 1 }, "12", "1e3"];
  const anyBad = () => pick([...strings, ...numbers, ...wrongTypes] as unknown[]);
  // Invalid values only: each generated body has at least one field no validator accepts.
  const badName = () => pick([...strings, ...wrongTypes.filter((x) => typeof x !== "string")] as unknown[]);
  const badNumber = () => pick([...numbers.filter((n) => n > 1e12 || n <= 0), ...wrongTypes.filter((x) => typeof x !== "number"), ...strings] as unknown[]);
  const malformed = ["{", '{"slug":', "[1,2", "nul", '{"a":1}}', "\u0000", "[".repeat(10_000) + "]".repeat(10_000), big, "{" + '"k":1,'.repeat(2000) + "}", '{"name": "\ud800"}', "\xff\xfe"];
  const b = `/api/v1/teams/${w.own}/devboxes/box`;
  const bodyRoutes: [string, string, () => unknown][] = [
    ["POST", "/api/v1/teams", () => pick([{ slug: badName() }, { slug: badName(), displayName: anyBad() }, { displayName: "x" }, { slug: 42 }])],
    ["POST", `/api/v1/teams/${w.own}/devboxes`, () => {
      const body: Record<string, unknown> = { name: `fz-${Math.floor(rand() * 1e6)}`, templateId: w.templateId };
      const field = pick(["name", "templateId", "cpuMillis", "memoryMiB", "diskMiB", "env", "ports"]);
      body[field] = field === "name" || field === "templateId" ? badName() : field === "env" ? pick(["x", [{ name: 5 }], [{ name: "A", value: {} }], [null], 7]) : field === "ports" ? pick(["80", [{ port: "80" }], [{ port: 1e308 }], [{ port: -1 }], [{ port: 70000 }], [null]]) : badNumber();
      return body;
    }],
    ["PATCH", b, () => ({ [pick(["cpuMillis", "memoryMiB", "diskMiB", "podGeneration"])]: badNumber(), ...(rand() < 0.3 ? { env: "nope" } : {}) })],
    ["PUT", `${b}/state`, () => ({ state: anyBad() })],
    ["POST", `${b}/restarts`, () => ({ podGeneration: pick([...strings, ...wrongTypes.filter((x) => typeof x !== "number" && x !== null)] as unknown[]) })],
    ["POST", `${b}/forced-stops`, () => ({ discardChanges: pick([...strings, ...numbers, null, false, [], {}, "true", 1] as unknown[]) })],
    ["POST", `${b}/snapshots/${randomUUID()}/forks`, () => ({ name: anyBad() })],
  ];
  // Path parameters that name nothing: every route, every method.
  const badParams = [big, "ünïcødé", "😀", "%00", "..%2F..%2Fetc", "%ff%fe", "a%2Fb", "%2e%2e%2f%2e%2e", "-", "A", "a".repeat(300)];
  // Team-level routes always get a bad team; devbox-level ones a bad devbox in our team or a bad team.
  const teamRoutes: [string, (t: string) => string][] = [
    ["GET", (t) => `/api/v1/teams/${t}`],
    ["DELETE", (t) => `/api/v1/teams/${t}`],
    ["GET", (t) => `/api/v1/teams/${t}/members`],
    ["GET", (t) => `/api/v1/teams/${t}/devboxes`],
    ["POST", (t) => `/api/v1/teams/${t}/devboxes`],
  ];
  const pathRoutes: [string, (t: string, n: string) => string][] = [
    ["GET", (t, n) => `/api/v1/teams/${t}/devboxes/${n}`],
    ["DELETE", (t, n) => `/api/v1/teams/${t}/devboxes/${n}`],
    ["POST", (t, n) => `/api/v1/teams/${t}/devboxes/${n}/snapshots`],
    ["POST", (t, n) => `/api/v1/teams/${t}/devboxes/${n}/snapshots/${n}/starts`],
    ["GET", (t, n) => `/api/v1/teams/${t}/devboxes/${n}/snapshots`],
    ["PUT", (t, n) => `/api/v1/teams/${t}/devboxes/${n}/state`],
  ];
  const before = { teams: await teamSlugsOf(owner), devboxes: await devboxNames(owner, w.own) };
  const byStatus = new Map<number, number>();
  const bad5xx: string[] = [];
  const not4xx: string[] = [];
  let sent = 0;
  const note = (what: string, status: number) => {
    sent++;
    byStatus.set(status, (byStatus.get(status) ?? 0) + 1);
    if (status >= 500) bad5xx.push(`${what}: ${status}`);
    else if (status < 400 || status >= 500) not4xx.push(`${what}: ${status}`);
  };
  for (let i = 0; i < 240; i++) {
    const [method, url, gen] = pick(bodyRoutes);
    const raw = rand() < 0.3 ? pick(malformed) : JSON.stringify(gen());
    const r = await owner.rest(method, url, { raw });
    note(`${method} ${url} ${raw.slice(0, 80)}`, r.status);
  }
  for (const [method, url] of teamRoutes)
    for (const t of badParams) {
      const r = await owner.rest(method, url(t), { body: method === "POST" ? { name: "x", templateId: w.templateId } : undefined });
      note(`${method} ${url(t).slice(0, 100)}`, r.status);
    }
  for (const [method, url] of pathRoutes)
    for (const t of badParams) {
      const inTeam = rand() < 0.5;
      const u = url(inTeam ? w.own : t, t);
      const r = await owner.rest(method, u, { body: method === "GET" || method === "DELETE" ? undefined : { state: "x" } });
      note(`${method} ${u.slice(0, 100)}`, r.status);
    }
  console.log(`[fuzz] seed ${seed}: ${sent} requests, by status ${JSON.stringify(Object.fromEntries([...byStatus].sort()))}, 5xx: ${bad5xx.length}, other non-4xx: ${not4xx.length}`);
  expect(bad5xx, `replay with FUZZ_SEED=${seed}`).toEqual([]);
  expect(not4xx, `replay with FUZZ_SEED=${seed}`).toEqual([]);
  expect(await teamSlugsOf(owner)).toEqual(before.teams);
  expect(await devboxNames(owner, w.own)).toEqual(before.devboxes);
  await expectUntouched();
});
