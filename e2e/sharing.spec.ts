import type { Browser } from "@playwright/test";
import { expect, test, type Locator, type Page } from "./fixtures";
import { dashboardOrigin, PASSWORD, sameOriginJson, signUp, uniqueEmail, uniqueSlug } from "./helpers";
import { screenText, typeLine } from "./support/devbox";
import { startViteInDevbox, VITE_APP_DIR } from "./support/vite";

/**
 * Sharing in Chromium: invite links (sign up through one in a fresh context), preview URLs of a
 * devbox port (hand-off sign-in, a real Vite dev server's hot module replacement through the URL,
 * an app page cannot call the dashboard's API), and a shared terminal between two browser contexts.
 *
 * The dev server is Vite 5 (e2e/support/vite.ts copies it into the node devbox, which has no
 * internet) serving test/fixtures/vite-hmr-app; its HMR websocket goes through the preview URL.
 */
test.describe.configure({ mode: "serial" });

const sees = (terminal: Locator, re: RegExp) => expect.poll(async () => re.test(await screenText(terminal)), { timeout: 20_000 }).toBe(true);

/** Signs up in the register form reached from an invite page, then comes back to the invite. */
async function registerHere(page: Page, email: string) {
  await page.getByLabel("Name").fill(email.split("@")[0]);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Create account" }).click();
}

async function createTeam(page: Page, prefix: string): Promise<string> {
  const slug = uniqueSlug(prefix);
  const r = await page.request.post("/api/v1/teams", { headers: sameOriginJson(), data: { slug } });
  expect(r.status(), await r.text()).toBe(201);
  return slug;
}

async function createInvite(page: Page, slug: string, role: string, maxUses = 1): Promise<string> {
  const r = await page.request.post(`/api/v1/teams/${slug}/invites`, { headers: sameOriginJson(), data: { role, maxUses } });
  expect(r.status(), await r.text()).toBe(201);
  return (await r.json()).url;
}

/** A fresh browser context that signs up through an invite link and joins. */
async function joinThroughInvite(browser: Browser, url: string, email: string): Promise<Page> {
  const ctx = await browser.newContext();
  const p = await ctx.newPage();
  await p.goto(url);
  await p.getByTestId("invite-signup").click();
  await registerHere(p, email);
  await expect(p).toHaveURL(/\/invite\//, { timeout: 30_000 });
  await p.getByTestId("invite-accept").click();
  await expect(p).toHaveURL(/\/t\/[a-z0-9-]+$/, { timeout: 30_000 });
  return p;
}

test("invite link: sign up through it in a fresh context, land in the team with its role; used-up and revoked links refused", async ({ page, browser }) => {
  await signUp(page, uniqueEmail("inviter"));
  const slug = await createTeam(page, "inv");
  await page.goto(`/t/${slug}/members`);
  await page.getByTestId("invite-role-select").selectOption("developer");
  await page.getByTestId("invite-create").click();
  const url = (await page.getByTestId("invite-url").textContent())!;
  expect(url).toMatch(new RegExp(`^${dashboardOrigin()}/invite/`));
  await expect(page.getByTestId("pending-invite")).toHaveCount(1);

  const email = uniqueEmail("joiner");
  const joined = await joinThroughInvite(browser, url, email);
  await expect(joined).toHaveURL(new RegExp(`/t/${slug}$`));
  const team = await joined.request.get(`/api/v1/teams/${slug}`);
  expect((await team.json()).role).toBe("developer");
  await page.reload();
  await expect(page.getByTestId("member-list")).toContainText(email);
  await expect(page.getByTestId("pending-invite")).toHaveCount(0);

  // Used up (one use): a third person gets a clear page.
  const late = await (await browser.newContext()).newPage();
  await late.goto(url);
  await expect(late.getByTestId("invite-refused")).toHaveAttribute("data-state", "used_up");

  // Revoked from the members page.
  await page.getByTestId("invite-create").click();
  const url2 = (await page.getByTestId("invite-url").textContent())!;
  await expect(page.getByTestId("pending-invite")).toHaveCount(1);
  await page.getByTestId("invite-revoke").click();
  await expect(page.getByTestId("pending-invite")).toHaveCount(0);
  await late.goto(url2);
  await expect(late.getByTestId("invite-refused")).toHaveAttribute("data-state", "revoked");
  await expect(late.getByRole("heading")).toHaveText("This invite was revoked");

  // The audit page (admins): every grant, use and revocation, filtered by kind and by user.
  await page.goto(`/t/${slug}/audit?kind=team.invite`);
  const actions = page.getByTestId("audit-event");
  await expect(actions.and(page.locator('[data-action="team.invite.created"]'))).toHaveCount(2);
  await expect(actions.and(page.locator('[data-action="team.invite.accepted"]'))).toHaveCount(1);
  await expect(actions.and(page.locator('[data-action="team.invite.revoked"]'))).toHaveCount(1);
  await page.getByLabel("User").selectOption({ label: email });
  await page.getByRole("button", { name: "Filter" }).click();
  await expect(actions).toHaveCount(1);
  await expect(actions).toHaveAttribute("data-action", "team.invite.accepted");
  // A developer is not shown the team's audit trail.
  await joined.goto(`/t/${slug}/audit`);
  await expect(joined.getByTestId("not-found")).toBeVisible();
  await expect(joined.getByTestId("audit-events")).toHaveCount(0);
});

test("preview URL: hand-off sign-in, Vite hot module replacement through the URL, the app cannot call the dashboard; shared terminal between two contexts", async ({ page, browser }) => {
  test.setTimeout(400_000);
  await signUp(page, uniqueEmail("sharer"));
  const slug = await createTeam(page, "prev");
  const templates = await (await page.request.get("/api/v1/templates")).json();
  const node = (templates.items ?? templates).find((t: { name: string }) => t.name === "node");
  const created = await page.request.post(`/api/v1/teams/${slug}/devboxes`, { headers: sameOriginJson(), data: { name: "web", templateId: node.id, cpuMillis: 1000, memoryMiB: 1024, diskMiB: 2048 } });
  expect(created.status(), await created.text()).toBe(201);
  await page.goto(`/t/${slug}/devboxes/web`);
  await expect(page.getByTestId("devbox-detail").getByTestId("devbox-state")).toHaveAttribute("data-state", "Running", { timeout: 180_000 });

  // The teammate joins through an invite link (developer: may type in a shared terminal).
  const guestEmail = uniqueEmail("guest");
  const guest = await joinThroughInvite(browser, await createInvite(page, slug, "developer"), guestEmail);

  // Vite in the devbox, on its declared port 3000.
  const team = await (await page.request.get(`/api/v1/teams/${slug}`)).json();
  const box = await (await page.request.get(`/api/v1/teams/${slug}/devboxes/web`)).json();
  const pod = box.podName ?? box.status?.podName ?? `web-${box.podGeneration ?? 1}`;
  await startViteInDevbox(team.namespace, pod);

  // Level "team" from the devbox page; the URL shown there is the one we open.
  const port = page.getByTestId("preview-port-3000");
  await port.getByTestId("preview-level").selectOption("team");
  await expect(port.getByTestId("preview-level")).toHaveValue("team");
  const previewUrl = (await port.getByTestId("preview-url").textContent())!;
  expect(previewUrl).toBe(`http://3000--web--${slug}.localhost:${new URL(dashboardOrigin()).port}/`);

  // Hand-off: apps host → dashboard (signed in) → back with a code → the app, served by Vite.
  const appPage = await page.context().newPage();
  await appPage.goto(previewUrl);
  await expect(appPage).toHaveURL(previewUrl);
  await expect(appPage.locator('script[src="/@vite/client"]')).toHaveCount(1);
  await expect(appPage.locator("#v")).toHaveText("version-1");
  await expect(appPage.locator("#v")).toHaveCSS("color", "rgb(0, 0, 255)");
  // Vite's HMR websocket is open through the preview URL (a message went there and back).
  await appPage.waitForFunction(() => (window as unknown as { __hmrConnected?: boolean }).__hmrConnected === true, undefined, { timeout: 30_000 });
  const appCookies = await page.context().cookies(previewUrl);
  expect(appCookies.map((c) => c.name)).toEqual(["devbox_preview"]); // its own cookie only, never the dashboard's
  expect(appCookies[0].httpOnly).toBe(true);

  // The app's page cannot call the dashboard's API with the user's session.
  const attempt = await appPage.evaluate(async (api) => {
    try {
      const r = await fetch(api, { credentials: "include" });
      return `read ${r.status}`;
    } catch {
      return "refused";
    }
  }, `${dashboardOrigin()}/api/v1/teams`);
  expect(attempt).toBe("refused");
  const direct = await page.request.get(`${dashboardOrigin()}/api/v1/teams`, { headers: { Origin: previewUrl.slice(0, -1) } });
  expect(direct.status()).toBe(403);

  // Edit a module, then the CSS, in the dashboard's terminal: Vite pushes hot updates through the
  // URL and the page changes without reloading (a reload would lose the mark set here, and
  // vite:afterUpdate — recorded in __hotUpdates — fires only for hot updates).
  type AppWindow = { __notReloaded?: boolean; __hotUpdates: string[] };
  await appPage.evaluate(() => void ((window as unknown as AppWindow).__notReloaded = true));
  const hotUpdates = () => appPage.evaluate(() => (window as unknown as AppWindow).__hotUpdates);
  const termPage = await page.context().newPage();
  await termPage.goto(`/t/${slug}/devboxes/web/terminal`);
  const terminal = termPage.locator('[data-testid="terminal"]:visible');
  await expect(terminal).toHaveAttribute("data-status", "connected");
  await typeLine(termPage, terminal, `echo "export const message = 'version-2';" > ${VITE_APP_DIR}/message.js`);
  await expect(appPage.locator("#v")).toHaveText("version-2");
  await expect.poll(hotUpdates).toContain("/message.js");
  await typeLine(termPage, terminal, `echo 'h1 { color: rgb(0, 128, 0); }' > ${VITE_APP_DIR}/style.css`);
  await expect(appPage.locator("#v")).toHaveCSS("color", "rgb(0, 128, 0)");
  await expect.poll(hotUpdates).toContain("/style.css");
  expect(await appPage.evaluate(() => (window as unknown as AppWindow).__notReloaded)).toBe(true);

  // Shared terminal, read-write: keystrokes of either side appear for both.
  await terminal.getByTestId("terminal-share").click();
  const panel = terminal.getByTestId("terminal-share-panel");
  await panel.getByTestId("terminal-share-email").fill(guestEmail);
  await panel.getByTestId("terminal-share-mode-select").selectOption("write");
  await panel.getByTestId("terminal-share-submit").click();
  const link = await panel.getByTestId("terminal-share-link").getAttribute("href");
  await guest.goto(link!);
  const guestTerm = guest.locator('[data-testid="terminal"]:visible');
  await expect(guestTerm).toHaveAttribute("data-status", "connected");
  await expect(guestTerm).toHaveAttribute("data-mode", "write");
  await typeLine(termPage, terminal, "echo owner-$((20+1))");
  await sees(guestTerm, /^owner-21\s*$/m);
  await typeLine(guest, guestTerm, "echo guest-$((30+2))");
  await sees(terminal, /^guest-32\s*$/m);
  await sees(guestTerm, /^guest-32\s*$/m);

  // Read-only: sharing again changes the mode (the old view closes); the guest cannot type.
  await panel.getByTestId("terminal-share-email").fill(guestEmail);
  await panel.getByTestId("terminal-share-mode-select").selectOption("read");
  await panel.getByTestId("terminal-share-submit").click();
  await expect(guestTerm).toHaveAttribute("data-status", "closed");
  // The list is reloaded after the answer: wait for the new share (its link differs from the old one).
  await expect(panel.getByTestId("terminal-share-item")).toHaveCount(1);
  await expect(panel.getByTestId("terminal-share-item")).toContainText("read-only");
  await expect(panel.getByTestId("terminal-share-link")).not.toHaveAttribute("href", link!);
  const roLink = await panel.getByTestId("terminal-share-link").getAttribute("href");
  await guest.goto(roLink!);
  await expect(guestTerm).toHaveAttribute("data-mode", "read");
  await expect(guestTerm).toHaveAttribute("data-status", "connected");
  await typeLine(guest, guestTerm, "echo readonly-$((40+3))");
  await typeLine(termPage, terminal, "echo owner-again-$((50+4))");
  await sees(guestTerm, /^owner-again-54\s*$/m);
  expect(await screenText(terminal)).not.toMatch(/readonly/);

  // Revoke: the guest's view closes at once and says why.
  await panel.getByTestId("terminal-share-revoke").click();
  await expect(guestTerm).toHaveAttribute("data-status", "closed");
  await expect(guestTerm.getByTestId("terminal-close-reason")).toContainText("stopped sharing");
});

test("preview hand-off: a user's 61st within the window is refused with 429 and Retry-After; another user from the same address goes on", async ({ page, browser }) => {
  await signUp(page, uniqueEmail("handoff"));
  // A port nobody may open: each hand-off is counted, then answered 404 (not found or not yours).
  const handoff = (p: Page) => p.request.get(`/preview-auth?host=3000--nope--${uniqueSlug("gone")}&path=%2F`, { maxRedirects: 0 });
  for (let i = 0; i < 60; i++) expect((await handoff(page)).status()).toBe(404);
  const refused = await handoff(page);
  expect(refused.status()).toBe(429);
  expect(Number(refused.headers()["retry-after"])).toBeGreaterThan(0);
  expect(await refused.text()).toMatch(/Too many preview sign-ins\. Try again in \d+ (seconds?|minutes)\./);

  const other = await (await browser.newContext()).newPage();
  await signUp(other, uniqueEmail("handoff-other"));
  expect((await handoff(other)).status()).toBe(404);
});
