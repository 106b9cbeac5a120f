import { expect, test } from "./fixtures";
import { adminKube, namespaceExists, signUp, uniqueEmail, uniqueSlug } from "./helpers";

test("creating a team creates its namespace with quota, limits and a default-deny policy", async ({ page }) => {
  await signUp(page, uniqueEmail("owner"));
  const slug = uniqueSlug("apollo");
  await page.getByTestId("new-team-link").click();
  await page.getByLabel("Team name").fill(slug);
  await page.getByRole("button", { name: "Create team" }).click();
  await expect(page).toHaveURL(new RegExp(`/t/${slug}$`));
  await expect(page.getByTestId("team-switcher")).toHaveValue(slug);

  const ns = `devbox-${slug}`;
  const { core, net } = adminKube();
  const namespace = await core.readNamespace({ name: ns });
  expect(namespace.metadata?.labels?.["app.kubernetes.io/managed-by"]).toBe("devbox");
  expect(namespace.metadata?.labels?.["pod-security.kubernetes.io/enforce"]).toBe("baseline");
  const quota = await core.readNamespacedResourceQuota({ name: "devbox-quota", namespace: ns });
  expect(quota.spec?.hard?.["limits.cpu"]).toBeDefined();
  const limits = await core.readNamespacedLimitRange({ name: "devbox-limits", namespace: ns });
  expect(limits.spec?.limits[0]?._default?.memory).toBeDefined();
  const policy = await net.readNamespacedNetworkPolicy({ name: "default-deny-ingress", namespace: ns });
  expect(policy.spec?.policyTypes).toEqual(["Ingress"]);
  expect(policy.spec?.ingress ?? []).toEqual([]);

  // Deleting the team deletes its namespace.
  await page.getByRole("link", { name: "Settings" }).click();
  await page.getByLabel(`Type "${slug}" to confirm`).fill(slug);
  await page.getByTestId("delete-team").click();
  await expect(page).not.toHaveURL(new RegExp(`/t/${slug}`));
  await expect.poll(() => namespaceExists(ns), { timeout: 60_000 }).toBe(false);
});

test("a personal team's members page says how to work with others and leads to a new team", async ({ page }) => {
  const personal = await signUp(page, uniqueEmail("solo"));
  await page.goto(`/t/${personal}/members`);
  await expect(page.getByTestId("member-list")).toHaveCount(1);
  await expect(page.getByTestId("personal-team-members-hint")).toContainText("To invite people, create a team");
  await page.getByTestId("personal-team-members-hint").getByRole("link", { name: "create a team" }).click();
  await expect(page).toHaveURL(/\/teams\/new$/);
  await expect(page.getByLabel("Team name")).toBeVisible();
});

test("a team name that cannot be a namespace is refused and nothing is created", async ({ page }) => {
  await signUp(page, uniqueEmail("badname"));
  await page.goto("/teams/new");
  await page.getByLabel("Team name").fill("Bad_Name");
  await page.getByRole("button", { name: "Create team" }).click();
  await expect(page.locator("#slug-error")).toContainText("lower-case letters");
  expect(await namespaceExists("devbox-Bad_Name".toLowerCase())).toBe(false);
  const res = await page.request.get("/api/v1/teams");
  const { items } = (await res.json()) as { items: { slug: string }[] };
  expect(items.map((t) => t.slug)).not.toContain("bad_name");
  expect(items).toHaveLength(1);
});

test("an owner removes a member from the members page; the member no longer sees the team", async ({ browser }) => {
  const memberEmail = uniqueEmail("member");
  const memberPage = await (await browser.newContext()).newPage();
  await signUp(memberPage, memberEmail);

  const ownerPage = await (await browser.newContext()).newPage();
  await signUp(ownerPage, uniqueEmail("owner"));
  const slug = uniqueSlug("crew");
  await ownerPage.getByTestId("new-team-link").click();
  await ownerPage.getByLabel("Team name").fill(slug);
  await ownerPage.getByRole("button", { name: "Create team" }).click();
  await expect(ownerPage).toHaveURL(new RegExp(`/t/${slug}$`));
  await ownerPage.goto(`/t/${slug}/members`);
  await ownerPage.getByLabel("Email").fill(memberEmail);
  await ownerPage.getByRole("button", { name: "Add" }).click();
  const row = ownerPage.getByTestId("member-list").locator("li", { hasText: memberEmail });
  await expect(row).toContainText("developer");

  await memberPage.goto(`/t/${slug}/members`);
  await expect(memberPage.getByTestId("member-list")).toContainText(memberEmail);

  await row.getByRole("button", { name: "Remove" }).click();
  await ownerPage.getByRole("dialog").getByRole("button", { name: "Remove" }).click();
  await expect(ownerPage.getByTestId("member-list")).not.toContainText(memberEmail);

  // The removed member is refused the team's pages ("not found", like a team that does not exist).
  await memberPage.goto(`/t/${slug}/members`);
  await expect(memberPage.getByTestId("not-found")).toBeVisible();
  await expect(memberPage.getByText(slug)).toHaveCount(0);
});
