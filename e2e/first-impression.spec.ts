import { expect, test } from "./fixtures";

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

// The guard itself: these must fail, or the suite would not notice a broken page.
test.describe("the console guard (e2e/fixtures.ts)", () => {
  test("fails a test whose page logs a console error", async ({ page }) => {
    test.fail();
    await page.goto("/login");
    await page.evaluate(() => console.error("something broke"));
  });

  test("fails a test whose page throws", async ({ page }) => {
    test.fail();
    await page.goto("/login");
    await page.evaluate(() => setTimeout(() => { throw new Error("uncaught"); }));
    await page.waitForTimeout(200);
  });

  test("fails a test whose page misses an asset", async ({ page }) => {
    test.fail();
    await page.goto("/login");
    await page.evaluate(() => new Promise((done) => {
      const img = document.createElement("img");
      img.onerror = img.onload = done;
      img.src = "/no-such-icon.png";
      document.body.append(img);
    }));
  });
});
