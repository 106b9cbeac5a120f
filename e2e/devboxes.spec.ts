import { expect, test } from "./fixtures";
import { adminKube, signUp, uniqueEmail } from "./helpers";

test("create a devbox from the UI, watch it reach Running without reloading, stop, start, delete", async ({ page }) => {
  test.setTimeout(300_000);
  const slug = await signUp(page, uniqueEmail("dev"));
  await page.getByTestId("new-devbox").click();
  await page.getByLabel("Name").fill("hello");
  await page.getByText("Debian", { exact: true }).click();
  await page.getByLabel("CPU (cores)").fill("0.5");
  await page.getByLabel("Memory (GiB)").fill("0.5");
  await page.getByLabel("Disk (GiB)").fill("2");
  await page.getByRole("button", { name: "Create devbox" }).click();
  await expect(page).toHaveURL(new RegExp(`/t/${slug}/devboxes/hello$`));

  const state = page.getByTestId("devbox-detail").getByTestId("devbox-state");
  // Server-sent events move the badge; the page is never reloaded.
  await expect(state).toHaveAttribute("data-state", "Running", { timeout: 120_000 });
  const { core } = adminKube();
  const pods = await core.listNamespacedPod({ namespace: `devbox-${slug}`, labelSelector: "devbox.dev/name=hello" });
  expect(pods.items.map((p) => p.status?.phase)).toEqual(["Running"]);

  await page.getByTestId("action-stop").click();
  await expect(state).toHaveAttribute("data-state", "Stopped", { timeout: 120_000 });
  await page.getByTestId("action-start").click();
  await expect(state).toHaveAttribute("data-state", "Running", { timeout: 120_000 });

  // The list shows the same live state.
  await page.goto(`/t/${slug}`);
  await expect(page.getByTestId("devbox-row-hello").getByTestId("devbox-state")).toHaveAttribute("data-state", "Running");

  await page.getByTestId("devbox-row-hello").getByTestId("action-delete").click();
  await page.getByTestId("confirm").click();
  await expect(page.getByTestId("devbox-row-hello")).toHaveCount(0, { timeout: 120_000 });
  await expect
    .poll(async () => (await core.listNamespacedPod({ namespace: `devbox-${slug}`, labelSelector: "devbox.dev/name=hello" })).items.length, { timeout: 60_000 })
    .toBe(0);
});

test("a new devbox's page says 1 core, and its release form says what a tag may be", async ({ page }) => {
  const slug = await signUp(page, uniqueEmail("plain"));
  await page.getByTestId("new-devbox").click();
  await page.getByLabel("Name").fill("plain");
  await page.getByLabel("CPU (cores)").fill("1");
  await page.getByRole("button", { name: "Create devbox" }).click();
  await expect(page).toHaveURL(new RegExp(`/t/${slug}/devboxes/plain$`));
  await expect(page.getByTestId("resources")).toContainText(/CPU\s*1 core\s*Memory/);

  await page.goto(`/t/${slug}/devboxes/plain/releases`);
  const tag = page.getByLabel("Tag");
  await expect(page.getByText("1–64 of a-z, 0-9, '.', '_', '-', starting with a letter or digit.")).toBeVisible();
  await tag.fill("V 1");
  await page.getByRole("button", { name: "Release", exact: true }).click();
  // The browser's bubble says only "Please match the requested format." (plus the title): the field names the rule.
  expect(await tag.evaluate((e: HTMLInputElement) => e.validity.patternMismatch)).toBe(true);
  await expect(tag).toHaveAccessibleDescription("1–64 of a-z, 0-9, '.', '_', '-', starting with a letter or digit.");
  await expect(page.getByText("No releases yet.")).toBeVisible();
});

test("a devbox name that is not a DNS label is refused in the form", async ({ page }) => {
  await signUp(page, uniqueEmail("badbox"));
  await page.getByTestId("new-devbox").click();
  await page.getByLabel("Name").fill("Not_Valid");
  await page.getByRole("button", { name: "Create devbox" }).click();
  await expect(page.locator("#name-error")).toContainText("lower-case letters");
});
