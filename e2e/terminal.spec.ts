import { expect, test, type Locator } from "./fixtures";
import { adminKube, sameOriginJson, signUp, uniqueEmail } from "./helpers";
import { createRunningDevbox, screenText, typeLine } from "./support/devbox";

async function outputMatching(terminal: Locator, re: RegExp): Promise<RegExpMatchArray> {
  let m: RegExpMatchArray | null = null;
  await expect.poll(async () => (m = (await screenText(terminal)).match(re)) !== null, { timeout: 20_000 }).toBe(true);
  return m!;
}

test("terminal: type a command and see its output; a reload returns to the same shell and scrollback", async ({ page }) => {
  test.setTimeout(300_000);
  const slug = await signUp(page, uniqueEmail("term"));
  await createRunningDevbox(page, slug, "shell");

  // The full-page terminal.
  await page.getByTestId("terminal-full-page").click();
  await expect(page).toHaveURL(new RegExp(`/t/${slug}/devboxes/shell/terminal$`));
  const terminal = page.locator('[data-testid="terminal"]:visible');
  await expect(terminal).toHaveAttribute("data-status", "connected");
  const session = await terminal.getAttribute("data-session");

  await typeLine(page, terminal, "echo hello-$RANDOM pid-$$");
  // The output line (the command line itself shows `$RANDOM`, not digits).
  const [, hello, pid] = await outputMatching(terminal, /^(hello-\d+) (pid-\d+)\s*$/m);

  await page.reload();
  await expect(terminal).toHaveAttribute("data-status", "connected");
  expect(await terminal.getAttribute("data-session")).toBe(session);
  // The scrollback is back…
  await outputMatching(terminal, new RegExp(`^${hello} ${pid}\\s*$`, "m"));
  // …and it is the same shell.
  await typeLine(page, terminal, "echo again-$$");
  await outputMatching(terminal, new RegExp(`^again-${pid.slice(4)}\\s*$`, "m"));

  // A second tab is another shell; the first one keeps its session.
  await page.getByTestId("terminal-new-tab").click();
  await expect(page.getByTestId("terminal-tab")).toHaveCount(2);
  await expect(terminal).toHaveAttribute("data-status", "connected");
  expect(await terminal.getAttribute("data-session")).not.toBe(session);
  await typeLine(page, terminal, "echo other-$$");
  const [, otherPid] = await outputMatching(terminal, /^other-(\d+)\s*$/m);
  expect(otherPid).not.toBe(pid.slice(4));

  // Exit: the status reaches the page, which says so and offers to reconnect.
  await typeLine(page, terminal, "exit 3");
  await expect(terminal).toHaveAttribute("data-status", "closed");
  await expect(terminal.getByTestId("terminal-close-reason")).toContainText("exited with status 3");
  await terminal.getByTestId("terminal-reconnect").click();
  await expect(terminal).toHaveAttribute("data-status", "connected");

  // Clean up: delete the devbox (the dashboard's reconciler would re-create a namespace that
  // still has a devbox), wait for its Pod to go, then the team's namespace.
  expect((await page.request.delete(`/api/v1/teams/${slug}/devboxes/shell`, { headers: sameOriginJson() })).status()).toBeLessThan(300);
  const { core } = adminKube();
  const namespaces = (await core.listNamespace()).items.map((n) => n.metadata!.name!).filter((n) => n === `devbox-${slug}`);
  for (const ns of namespaces) {
    await expect.poll(async () => (await core.listNamespacedPod({ namespace: ns })).items.length, { timeout: 60_000 }).toBe(0);
    await core.deleteNamespace({ name: ns });
  }
});
