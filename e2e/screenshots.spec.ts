import { mkdirSync } from "node:fs";
import path from "node:path";
import type { Browser, Page } from "@playwright/test";
import { adminKube, E2E_ADMIN, sameOriginJson, signIn, signUp, uniqueEmail } from "./helpers";
import { expect, test } from "./fixtures";
import { createRunningDevbox, screenText, typeLine } from "./support/devbox";

/**
 * Every page in both themes, on a desktop and a 390 px phone: screenshots in
 * test-results/screenshots/ to look at, and a check that nothing is cut off sideways (the page
 * never scrolls horizontally; wide tables scroll inside their own box).
 * With README_SCREENSHOTS=1 (scripts/readme-screenshots.sh) it also writes the README's pictures.
 */
const OUT = path.resolve(import.meta.dirname, "..", "test-results", "screenshots");
const README_IMAGES = path.resolve(import.meta.dirname, "..", "docs", "images");
const VIEWPORTS = [
  { name: "desktop", width: 1280, height: 800 },
  { name: "phone", width: 390, height: 844 },
] as const;
const THEMES = ["light", "dark"] as const;

async function shoot(page: Page, name: string, url: string, problems: string[], ready?: (page: Page) => Promise<void>) {
  for (const vp of VIEWPORTS)
    for (const theme of THEMES) {
      await page.setViewportSize({ width: vp.width, height: vp.height });
      await page.emulateMedia({ colorScheme: theme });
      await page.goto(url);
      await page.evaluate(() => localStorage.removeItem("theme"));
      await page.reload();
      await expect(page.locator("html")).toHaveClass(theme === "dark" ? /dark/ : /^(?!.*dark)/);
      await ready?.(page);
      await page.evaluate(() => document.fonts.ready);
      const overflow = await page.evaluate(() => {
        const width = document.documentElement.clientWidth;
        if (document.documentElement.scrollWidth <= width) return null;
        // The widest things that stick out, to name in the failure.
        return [...document.querySelectorAll("body *")]
          .filter((el) => el.getBoundingClientRect().right > width + 1 && !el.closest(".overflow-x-auto, .xterm"))
          .slice(0, 3)
          .map((el) => `${el.tagName.toLowerCase()}.${(el.getAttribute("class") ?? "").split(" ").slice(0, 3).join(".")} "${(el.textContent ?? "").slice(0, 40)}"`);
      });
      if (overflow) problems.push(`${name} (${vp.name}, ${theme}) is wider than the screen: ${overflow.join(" | ")}`);
      await page.screenshot({ path: path.join(OUT, `${name}-${vp.name}-${theme}.png`), fullPage: true });
    }
}

async function signedOutPage(browser: Browser): Promise<Page> {
  return (await browser.newContext()).newPage();
}

test("every page looks right in both themes and at 390 px", async ({ page, browser }) => {
  test.setTimeout(600_000);
  mkdirSync(OUT, { recursive: true });
  const problems: string[] = [];

  const anon = await signedOutPage(browser);
  await shoot(anon, "sign-in", "/login", problems);
  await shoot(anon, "sign-up", "/register", problems);

  const slug = await signUp(page, uniqueEmail("ana"));
  await shoot(page, "devboxes-empty", `/t/${slug}`, problems);
  await createRunningDevbox(page, slug, "web");
  const terminal = page.locator('[data-testid="terminal"]:visible');
  await expect(terminal).toHaveAttribute("data-status", "connected");
  await typeLine(page, terminal, "cd ~ && echo 'print(\"hello\")' > app.py && python3 --version 2>/dev/null; uname -sr; ls");
  await expect.poll(() => screenText(terminal), { timeout: 20_000 }).toMatch(/app\.py/);
  // Two snapshots in the history: a Commit and a stop.
  await page.getByTestId("action-commit").click();
  await expect(page.getByTestId("commit-result")).toBeVisible({ timeout: 120_000 });
  await page.getByTestId("action-stop").click();
  const state = page.getByTestId("devbox-detail").getByTestId("devbox-state");
  await expect(state).toHaveAttribute("data-state", "Stopped", { timeout: 120_000 });
  await shoot(page, "devbox-stopped", `/t/${slug}/devboxes/web`, problems, async (p) => {
    await expect(p.getByTestId("terminal-unavailable")).toBeVisible();
  });
  await page.getByTestId("action-start").click();
  await expect(state).toHaveAttribute("data-state", "Running", { timeout: 120_000 });
  await expect(terminal).toHaveAttribute("data-status", "connected", { timeout: 30_000 });
  await typeLine(page, terminal, "clear; ls ~ && cat ~/app.py");
  await expect.poll(() => screenText(terminal), { timeout: 20_000 }).toMatch(/print\("hello"\)/);

  const connected = async (p: Page) => {
    await expect(p.locator('[data-testid="terminal"]:visible')).toHaveAttribute("data-status", "connected", { timeout: 30_000 });
    await expect(p.locator('[data-testid="terminal"]:visible').locator(".xterm-screen")).toBeVisible();
  };
  const snapshotsShown = async (p: Page) => {
    await expect(p.getByTestId("snapshot-row")).toHaveCount(2, { timeout: 30_000 });
  };
  await shoot(page, "devboxes", `/t/${slug}`, problems);
  await shoot(page, "devbox-new", `/t/${slug}/devboxes/new`, problems);
  await shoot(page, "devbox", `/t/${slug}/devboxes/web`, problems, connected);
  await shoot(page, "devbox-edit", `/t/${slug}/devboxes/web/edit`, problems);
  await shoot(page, "snapshots", `/t/${slug}/devboxes/web/snapshots`, problems, snapshotsShown);
  await shoot(page, "terminal", `/t/${slug}/devboxes/web/terminal`, problems, connected);
  await shoot(page, "team-usage", `/t/${slug}/usage`, problems);
  await shoot(page, "members", `/t/${slug}/members`, problems);
  await shoot(page, "team-settings", `/t/${slug}/settings`, problems);
  await shoot(page, "team-new", `/teams/new`, problems);
  await shoot(page, "not-found", `/t/${slug}/devboxes/no-such-box`, problems);

  if (process.env.README_SCREENSHOTS) {
    mkdirSync(README_IMAGES, { recursive: true });
    await page.setViewportSize({ width: 1100, height: 760 });
    await page.emulateMedia({ colorScheme: "light" });
    await page.goto(`/t/${slug}/devboxes/web`);
    await connected(page);
    await page.screenshot({ path: path.join(README_IMAGES, "devbox-page.png") });
    await page.goto(`/t/${slug}/devboxes/web/snapshots`);
    await snapshotsShown(page);
    await page.getByTestId("snapshot-help").locator("summary").click();
    await page.screenshot({ path: path.join(README_IMAGES, "snapshot-history.png"), fullPage: true });
  }

  const admin = await signedOutPage(browser);
  await signIn(admin, E2E_ADMIN.email, E2E_ADMIN.password);
  await expect(admin).not.toHaveURL(/\/login/);
  await shoot(admin, "admin", "/admin", problems);

  expect((await page.request.delete(`/api/v1/teams/${slug}/devboxes/web`, { headers: sameOriginJson() })).status()).toBeLessThan(300);
  const { core } = adminKube();
  await expect.poll(async () => (await core.listNamespacedPod({ namespace: `devbox-${slug}` })).items.length, { timeout: 60_000 }).toBe(0);
  await core.deleteNamespace({ name: `devbox-${slug}` });

  expect(problems, "pages wider than the screen").toEqual([]);
});
