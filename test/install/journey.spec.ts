// The user's journey on an installed dashboard (a Pod behind its Service): sign up, create a
// devbox, use its terminal, stop, start, and find the file written before the stop.
import { randomBytes } from "node:crypto";
import { expect, test, type Locator } from "@playwright/test";
import { signUp, uniqueEmail } from "../../e2e/helpers";
import { createRunningDevbox, screenText, typeLine } from "../../e2e/support/devbox";

async function outputMatching(terminal: Locator, re: RegExp): Promise<void> {
  await expect.poll(async () => re.test(await screenText(terminal)), { timeout: 30_000 }).toBe(true);
}

test("installed dashboard: sign up, create, terminal, stop, start, data kept", async ({ page }) => {
  const slug = await signUp(page, uniqueEmail("install"));
  await createRunningDevbox(page, slug, "kept");

  const marker = `kept-${randomBytes(4).toString("hex")}`;
  await page.getByTestId("terminal-full-page").click();
  const terminal = page.locator('[data-testid="terminal"]:visible');
  await expect(terminal).toHaveAttribute("data-status", "connected");
  await typeLine(page, terminal, `echo ${marker} > ~/marker.txt && sync && echo written-$(cat ~/marker.txt | wc -c)`);
  await outputMatching(terminal, new RegExp(`^written-${marker.length + 1}\\s*$`, "m"));

  await page.goto(`/t/${slug}/devboxes/kept`);
  const state = page.getByTestId("devbox-detail").getByTestId("devbox-state");
  await page.getByTestId("action-stop").click();
  await expect(state).toHaveAttribute("data-state", "Stopped", { timeout: 180_000 });
  await page.getByTestId("action-start").click();
  await expect(state).toHaveAttribute("data-state", "Running", { timeout: 180_000 });

  await page.getByTestId("terminal-full-page").click();
  await expect(terminal).toHaveAttribute("data-status", "connected");
  await typeLine(page, terminal, "echo found-$(cat ~/marker.txt)");
  await outputMatching(terminal, new RegExp(`^found-${marker}\\s*$`, "m"));
});
