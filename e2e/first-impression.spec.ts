import { expect, test } from "./fixtures";
import { E2E_ADMIN, signIn } from "./helpers";

test("the icon, manifest and Open Graph image are served and linked from every page's head", async ({ page, request }) => {
  for (const [path, type] of [
    ["/favicon.ico", /image\/(x-icon|vnd\.microsoft\.icon)/],
    ["/icon.svg", /image\/svg\+xml/],
    ["/icon-192.png", /image\/png/],
    ["/icon-512.png", /image\/png/],
    ["/apple-touch-icon.png", /image\/png/],
    ["/og.png", /image\/png/],
    ["/manifest.webmanifest", /application\/manifest\+json/],
  ] as const) {
    const res = await request.get(path);
    expect(res.status(), path).toBe(200);
    expect(res.headers()["content-type"], path).toMatch(type);
  }
  const manifest = await (await request.get("/manifest.webmanifest")).json();
  expect(manifest).toMatchObject({ name: "Devbox", display: "standalone" });

  await page.goto("/login");
  const head = page.locator("head");
  await expect(head.locator('link[rel="icon"][href^="/favicon.ico"]')).toHaveCount(1);
  await expect(head.locator('link[rel="icon"][href^="/icon.svg"]')).toHaveCount(1);
  await expect(head.locator('link[rel="apple-touch-icon"]')).toHaveAttribute("href", /\/apple-touch-icon\.png/);
  await expect(head.locator('link[rel="manifest"]')).toHaveAttribute("href", /\/manifest\.webmanifest/);
  await expect(head.locator('meta[property="og:image"]')).toHaveAttribute("content", /^http:\/\/localhost:\d+\/og\.png$/);
  // The header's mark is the favicon's.
  await expect(page.getByTestId("logo")).toBeVisible();
});

test("the header is one row for an instance admin on a desktop; on a phone it wraps without sideways scrolling", async ({ page }) => {
  // The admin's header has one link more than anyone's: it wrapped to two rows at every desktop width.
  await signIn(page, E2E_ADMIN.email, E2E_ADMIN.password);
  await expect(page).toHaveURL(/\/t\/[a-z0-9-]+$/);
  await expect(page.getByRole("link", { name: "Admin" })).toBeVisible();
  const header = page.locator("header > div").first();
  for (const width of [1024, 1280, 1440]) {
    await page.setViewportSize({ width, height: 800 });
    expect((await header.boundingBox())!.height, `header height at ${width}px`).toBeLessThan(64);
    expect((await page.getByTestId("new-team-link").boundingBox())!.height, `"+ Team" on one line at ${width}px`).toBeLessThan(40);
    await expect(page.getByRole("button", { name: "Sign out everywhere" })).toBeInViewport();
  }
  await expect(page.getByTestId("current-user")).toHaveAttribute("title", E2E_ADMIN.email);
  await page.setViewportSize({ width: 375, height: 800 });
  expect(await page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth)).toBe(true);
});

// The guard itself. What it catches and what it lets through, asserted on its own record; then
// that a record left at the end fails the test (test.fail: the guard's throw is the only error).
test.describe("the console guard (e2e/fixtures.ts)", () => {
  test("lets a clean page and an API call refused with our JSON error through; catches errors, throws, missing assets, 5xx and HTML 404s", async ({ page, consoleGuard }) => {
    const caught = async (text: RegExp) => {
      await expect.poll(() => consoleGuard.problems()).toEqual([expect.stringMatching(text)]);
      consoleGuard.clear();
    };
    await page.goto("/login");
    expect(await page.evaluate(async () => (await fetch("/api/v1/user")).status)).toBe(401);
    await page.waitForTimeout(300); // Chromium's console message for the 401 arrives after the answer
    expect(consoleGuard.problems()).toEqual([]);

    await page.evaluate(() => console.error("something broke"));
    await caught(/something broke/);
    await page.evaluate(() => setTimeout(() => { throw new Error("uncaught boom"); }));
    await caught(/uncaught error .*uncaught boom/);
    await page.evaluate(() => new Promise((done) => {
      const img = document.createElement("img");
      img.onerror = img.onload = done;
      img.src = "/no-such-icon.png";
      document.body.append(img);
    }));
    await caught(/status of 404.*no-such-icon/);
    await page.route("**/api/v1/boom", (r) => r.fulfill({ status: 500, contentType: "application/json", body: JSON.stringify({ error: { code: "internal", message: "x" } }) }));
    await page.evaluate(() => fetch("/api/v1/boom"));
    await caught(/status of 500/);
    await page.evaluate(() => fetch("/api/v1/no-such-route"));
    await caught(/status of 404.*no-such-route/);
  });

  test("fails a test whose page logs a console error", async ({ page, consoleGuard }) => {
    test.fail();
    await page.goto("/login");
    await page.evaluate(() => console.error("something broke"));
    await expect.poll(() => consoleGuard.problems().length).toBe(1);
  });

  test("fails a test whose page throws", async ({ page, consoleGuard }) => {
    test.fail();
    await page.goto("/login");
    await page.evaluate(() => setTimeout(() => { throw new Error("uncaught"); }));
    await expect.poll(() => consoleGuard.problems().length).toBe(1);
  });
});
