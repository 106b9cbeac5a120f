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

// Issue 15, the other automatic stops: a daily stop at a wall-clock time in an IANA zone (team default, devbox
// override) and the team's maximum lifetime; the page shows the earliest of idle/lifetime/daily stop and why, and
// the same warning and "keep running" cover them (keep running postpones the daily stop, never the lifetime).
test("daily stop and maximum lifetime: settings, the next stop and why, the warning, keep running", async ({ page }) => {
  test.setTimeout(300_000);
  const slug = await signUp(page, uniqueEmail("sched"));
  await createRunningDevbox(page, slug, "sched");
  const deadline = page.getByTestId("idle-deadline");
  await expect(deadline).toHaveAttribute("data-cause", "idle");
  await page.goto(`/t/${slug}/settings`);

  // The team's daily stop: a time of day in an IANA zone, checked with Intl in the browser and by the API.
  const utcHHMM = (ms: number) => new Date(ms).toISOString().slice(11, 16);
  await page.getByTestId("team-daily-stop-mode").selectOption("at");
  await page.getByTestId("team-daily-stop-zone").fill("Mars/Olympus");
  await page.getByTestId("team-daily-stop-save").click();
  await expect(page.getByTestId("team-daily-stop")).toContainText("is not a time zone");
  const bad = await page.request.put(`/api/v1/teams/${slug}/idle-settings`, { headers: sameOriginJson(), data: { dailyStop: { time: "20:00", timeZone: "Mars/Olympus" } } });
  expect(bad.status()).toBe(400);
  // Due in 2–3 minutes: within the 5-minute warning at once.
  const soon = utcHHMM(Date.now() + 3 * 60_000);
  await page.getByTestId("team-daily-stop-time").fill(soon);
  await page.getByTestId("team-daily-stop-zone").fill("UTC");
  await page.getByTestId("team-daily-stop-save").click();
  await expect(page.getByTestId("team-daily-stop-save")).toBeHidden();

  // The devbox page: the next stop is the daily stop, saying so; the same warning and "keep running" postpone it.
  await page.goto(`/t/${slug}/devboxes/sched`);
  await expect(deadline).toHaveAttribute("data-cause", "schedule");
  await expect(deadline).toContainText(`daily stop at ${soon} UTC`);
  const pageWarning = page.getByTestId("idle-warning");
  // Set 2–3 min before it: the warning window comes first (the stop waits for it).
  await expect(pageWarning).toContainText(`Daily stop at ${soon} UTC, set just now (after the warning): this devbox stops in`);
  const dailyAt = Date.parse((await deadline.getAttribute("data-stop-at"))!);
  await pageWarning.getByTestId("idle-keep-running").click();
  await expect(pageWarning).toBeHidden();
  await expect.poll(async () => Date.parse((await deadline.getAttribute("data-stop-at"))!) - dailyAt).toBeGreaterThan(100 * 60_000);
  await expect(deadline).toHaveAttribute("data-cause", "schedule");
  await expect(deadline).toContainText(`daily stop at ${soon} UTC, postponed by “keep running”`);
  // Its own daily stop: never (whatever the team says): the idle deadline is next.
  await page.getByTestId("devbox-daily-stop-mode").selectOption("never");
  await expect(deadline).toHaveAttribute("data-cause", "idle");
  await expect(deadline).toContainText("if idle");

  // The team's maximum lifetime: the next stop, and "keep running" is not offered against it.
  await page.goto(`/t/${slug}/settings`);
  await page.getByTestId("team-max-lifetime").selectOption("120");
  await expect(page.getByTestId("team-max-lifetime")).toHaveValue("120");
  await page.goto(`/t/${slug}/devboxes/sched`);
  await expect(page.getByTestId("devbox-max-lifetime")).toHaveText("2 h after each start (team setting)");
  await expect(deadline).toHaveAttribute("data-cause", "lifetime");
  await expect(deadline).toContainText("the team's maximum lifetime (2 h)");
  await expect(page.getByTestId("idle-keep-running")).toBeHidden();
});
