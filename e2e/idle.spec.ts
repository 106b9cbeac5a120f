import { sameOriginJson, signUp, uniqueEmail } from "./helpers";
import { expect, test } from "./fixtures";
import { createRunningDevbox, typeLine } from "./support/devbox";

// Issue 15, "idle auto-stop": the devbox page says when the devbox stops and why the deadline last
// moved; in the last minutes the page and the open terminal warn, and "keep running" pushes it 2 h.
test("idle auto-stop: deadline and reason, the warning on the page and in the terminal, keep running, timeouts", async ({ page }) => {
  test.setTimeout(300_000);
  const email = uniqueEmail("idle");
  const slug = await signUp(page, email);
  await createRunningDevbox(page, slug, "idle");
  const deadline = page.getByTestId("idle-deadline");
  const reason = page.getByTestId("idle-reason");
  await expect(deadline).toContainText("if idle");

  // Typing moves the deadline and is named as the reason.
  const terminal = page.locator('[data-testid="terminal"]:visible');
  await expect(terminal).toHaveAttribute("data-status", "connected", { timeout: 60_000 });
  await typeLine(page, terminal, "echo hello");
  const name = email.split("@")[0];
  // Written within one coalescing window (30 s), seen by the page's next poll (15 s).
  await expect(reason).toHaveText(new RegExp(`^terminal input at \\d\\d:\\d\\d by ${name}$`), { timeout: 60_000 });

  // A 5-minute timeout puts the devbox in its last 5 minutes at once: the page warns.
  const r = await page.request.put(`/api/v1/teams/${slug}/devboxes/idle/idle`, { headers: sameOriginJson(), data: { timeoutMinutes: 5 } });
  expect(r.status()).toBe(200);
  await page.reload();
  await expect(page.getByTestId("idle-warning")).toContainText("stops in");
  // The open terminal gets the leader's warning too.
  const inTerminal = terminal.getByTestId("terminal-idle-warning");
  await expect(inTerminal).toContainText("stops in", { timeout: 60_000 });
  const before = Date.parse((await deadline.getAttribute("data-stop-at"))!);

  // Keep running for 2 h (from the terminal's banner): the warnings go, the reason says who.
  await inTerminal.getByTestId("terminal-keep-running").click();
  await expect(inTerminal).toBeHidden();
  await expect(reason).toHaveText(new RegExp(`keep running.* clicked at \\d\\d:\\d\\d by ${name}$`), { timeout: 30_000 });
  await expect(page.getByTestId("idle-warning")).toBeHidden();
  await expect.poll(async () => Date.parse((await deadline.getAttribute("data-stop-at"))!) - before).toBeGreaterThan(100 * 60_000);

  // The devbox's own timeout: never.
  await page.getByTestId("devbox-idle-timeout").selectOption("0");
  await expect(deadline).toHaveText("never (no idle timeout)");

  // The team's timeout, on the team settings page (owner = admin).
  await page.goto(`/t/${slug}/settings`);
  await page.getByTestId("team-idle-timeout").selectOption("30");
  await page.reload();
  await expect(page.getByTestId("team-idle-timeout")).toHaveValue("30");
});
