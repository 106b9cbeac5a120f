import path from "node:path";
import type { Page } from "@playwright/test";
import { adminKube, sameOriginJson, signUp, uniqueEmail } from "./helpers";
import { expect, test } from "./fixtures";
import { createRunningDevbox } from "./support/devbox";

// Issue 15, "usage and monitoring": the devbox page draws CPU, memory, disk and network charts
// (uPlot, on canvases) from the leader's samples, for the last hour and the last day; the team's
// Usage tab shows what runs, the quota and the top consumers. The fixture fails on any console error.
test("usage: charts with data on the devbox page, hour and day; the team's usage page", async ({ page }) => {
  test.setTimeout(240_000);
  const slug = await signUp(page, uniqueEmail("usage"));
  await createRunningDevbox(page, slug, "meter");

  // The leader samples every 20 s; the card polls every 30 s: reload until a sample is drawn.
  const charts = page.getByTestId("usage-charts");
  await expect(async () => {
    await page.reload();
    await expect(charts).toHaveAttribute("data-state", "data", { timeout: 5_000 });
  }).toPass({ timeout: 120_000, intervals: [5_000] });
  for (const kind of ["cpu", "memory", "disk"]) await expect(page.getByTestId(`usage-chart-${kind}`).locator("canvas")).toHaveCount(1);
  // Network: a chart where the kubelet reports Pod network counters, a sentence where it does not (the bundled cluster).
  const network = page.getByTestId("usage-chart-network");
  if ((await network.getAttribute("data-empty")) === "true") await expect(network).toContainText("does not report them");
  else await expect(network.locator("canvas")).toHaveCount(1);
  // Real figures, not placeholders: the devbox's memory was measured.
  const usage = (await (await page.request.get(`/api/v1/teams/${slug}/devboxes/meter/usage`)).json()) as { series: { memoryBytes: (number | null)[] } };
  expect(Math.max(...usage.series.memoryBytes.map((v) => v ?? 0))).toBeGreaterThan(0);
  // uPlot's legend shows the limit beside the use.
  await expect(page.getByTestId("usage-chart-memory")).toContainText("limit");

  await page.getByTestId("usage-window-day").click();
  await expect(page.getByTestId("usage-window-day")).toHaveAttribute("aria-pressed", "true");
  await expect(charts).toHaveAttribute("data-state", "data");
  await expect(page.getByText("Last day, 15-minute points.")).toBeVisible();
  await expect(page.getByTestId("usage-chart-cpu").locator("canvas")).toHaveCount(1);
  // Nothing near a limit: no banner.
  await expect(page.getByTestId("usage-warnings")).toHaveCount(0);

  await page.goto(`/t/${slug}/usage`);
  await expect(page.getByTestId("usage-devboxes-running")).toContainText("1");
  await expect(page.getByTestId("quota-cpu-limits")).toContainText("of 8.0 cores");
  await expect(page.getByTestId("top-consumers")).toContainText("meter");

  // On a 390 px phone in the dark theme the charts follow the width: nothing sticks out sideways.
  await page.setViewportSize({ width: 390, height: 844 });
  await page.emulateMedia({ colorScheme: "dark" });
  for (const [name, url] of [["devbox", `/t/${slug}/devboxes/meter`], ["team", `/t/${slug}/usage`]] as const) {
    await page.goto(url);
    if (name === "devbox") await expect(page.getByTestId("usage-charts")).toHaveAttribute("data-state", "data");
    expect(await widerThanScreen(page), name).toBe(false);
    await page.screenshot({ path: path.join(test.info().outputDir, `usage-${name}-phone-dark.png`), fullPage: true });
  }

  // Leave the shared node's CPU to the next specs.
  expect((await page.request.delete(`/api/v1/teams/${slug}/devboxes/meter`, { headers: sameOriginJson() })).status()).toBeLessThan(300);
  const { core } = adminKube();
  await expect.poll(async () => (await core.listNamespacedPod({ namespace: `devbox-${slug}` })).items.length, { timeout: 60_000 }).toBe(0);
  await core.deleteNamespace({ name: `devbox-${slug}` });
});

async function widerThanScreen(page: Page): Promise<boolean> {
  // uPlot sizes its canvas after the ResizeObserver fires: give it a frame.
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  return page.evaluate(() => document.documentElement.scrollWidth > document.documentElement.clientWidth);
}
