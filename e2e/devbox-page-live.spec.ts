import { adminKube, sameOriginJson, signUp, uniqueEmail } from "./helpers";
import { expect, test } from "./fixtures";
import { createRunningDevbox, screenText, typeLine } from "./support/devbox";

// Issue 15, "rough edges": what a new user hit on the devbox page, checked without ever reloading it.
test("devbox page: the button says what is under way, operations and facts stay live, the terminal comes back by itself", async ({ page }) => {
  test.setTimeout(400_000);
  const email = uniqueEmail("live");
  const slug = await signUp(page, email);
  await createRunningDevbox(page, slug, "live");
  const detail = page.getByTestId("devbox-detail");
  const state = detail.getByTestId("devbox-state");

  // What a user looks for first.
  await expect(detail.getByTestId("fact-uptime")).toContainText("running for");
  await expect(detail.getByTestId("fact-created-by")).toContainText(email);
  await expect(detail.getByTestId("fact-last-snapshot")).toContainText("no snapshot yet");

  const terminal = page.locator('[data-testid="terminal"]:visible');
  await expect(terminal).toHaveAttribute("data-status", "connected");
  await typeLine(page, terminal, "echo before-stop > ~/kept.txt");
  // A process that handles SIGTERM and keeps running: the stop waits its grace (10 s), so
  // "Stopping" lasts long enough to click during it.
  await typeLine(page, terminal, "nohup bash -c 'trap \"echo term\" TERM; while :; do sleep 1; done' >/dev/null 2>&1 &");

  // Stop: the same button, in the same place, says "Stopping…" until it is stopped; it never offers Start meanwhile.
  await detail.getByTestId("action-stop").click();
  const primary = detail.locator('[data-testid^="action-st"]').first();
  await expect(primary).toHaveText(/Stopping…/);
  await expect(primary).toHaveAttribute("data-busy", "true");
  await expect(state).toHaveAttribute("data-state", "Stopping");
  // A second click while it stops asks before doing the opposite.
  await expect(primary).toHaveText(/Stopping…/);
  await primary.click();
  await expect(page.getByRole("dialog")).toContainText("Start it again?");
  await page.getByRole("dialog").getByRole("button", { name: "Cancel" }).click();
  await expect(page.getByRole("dialog")).toBeHidden();

  // The terminal says it waits for the devbox.
  await expect(terminal).toHaveAttribute("data-status", "closed", { timeout: 120_000 });
  await expect(terminal.getByTestId("terminal-waiting")).toHaveText("Reconnects when the devbox is running again.");
  await expect(state).toHaveAttribute("data-state", "Stopped", { timeout: 120_000 });
  await expect(detail.getByTestId("action-start")).toHaveText("Start");

  // Recent operations and the last snapshot follow without a reload.
  const ops = page.getByTestId("operations");
  await expect(ops.locator("li").first()).toHaveAttribute("data-kind", "stop");
  await expect(ops.locator("li").first()).toHaveAttribute("data-status", "succeeded", { timeout: 30_000 });
  await expect(detail.getByTestId("fact-last-snapshot")).toContainText("saved", { timeout: 30_000 });

  // Start: the terminal reconnects by itself (no Reconnect click) into the saved devbox.
  await detail.getByTestId("action-start").click();
  await expect(state).toHaveAttribute("data-state", "Running", { timeout: 120_000 });
  await expect(terminal).toHaveAttribute("data-status", "connected", { timeout: 30_000 });
  await expect(ops.locator("li").first()).toHaveAttribute("data-kind", "start");
  await expect(ops.locator("li").first()).toHaveAttribute("data-status", "succeeded", { timeout: 30_000 });
  await typeLine(page, terminal, "cat ~/kept.txt");
  await expect.poll(async () => screenText(terminal), { timeout: 20_000 }).toMatch(/^before-stop\s*$/m);

  // The list shows the same facts.
  await page.goto(`/t/${slug}`);
  const row = page.getByTestId("devbox-row-live");
  await expect(row.getByTestId("fact-uptime")).toContainText("running for");
  await expect(row.getByTestId("fact-last-snapshot")).toContainText("saved");
  await expect(row.getByTestId("fact-created-by")).toContainText(email);

  expect((await page.request.delete(`/api/v1/teams/${slug}/devboxes/live`, { headers: sameOriginJson() })).status()).toBeLessThan(300);
  const { core } = adminKube();
  await expect.poll(async () => (await core.listNamespacedPod({ namespace: `devbox-${slug}` })).items.length, { timeout: 60_000 }).toBe(0);
  await core.deleteNamespace({ name: `devbox-${slug}` });
});
