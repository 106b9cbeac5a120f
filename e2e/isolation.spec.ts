import { expect, test } from "./fixtures";
import { namespaceExists, sameOriginJson, signUp, uniqueEmail, uniqueSlug } from "./helpers";

test("a member of team A cannot see or act on team B through pages, route handlers or server actions", async ({ browser }) => {
  // browser.newPage() opens a fresh context each time: separate cookies, separate users.
  const alice = await browser.newPage();
  const bobPage = await browser.newPage();

  await signUp(alice, uniqueEmail("alice"));
  const aliceTeam = uniqueSlug("alpha");
  await alice.goto("/teams/new");
  await alice.getByLabel("Team name").fill(aliceTeam);
  await alice.getByRole("button", { name: "Create team" }).click();
  await expect(alice).toHaveURL(new RegExp(`/t/${aliceTeam}$`));

  await signUp(bobPage, uniqueEmail("bob"));
  const bobTeam = uniqueSlug("bravo");
  await bobPage.goto("/teams/new");
  await bobPage.getByLabel("Team name").fill(bobTeam);
  await bobPage.getByRole("button", { name: "Create team" }).click();
  await expect(bobPage).toHaveURL(new RegExp(`/t/${bobTeam}$`));

  // Pages: Bob's team is "not found" for Alice, exactly like a team that does not exist.
  for (const path of [`/t/${bobTeam}`, `/t/${bobTeam}/members`, `/t/${bobTeam}/settings`]) {
    await alice.goto(path);
    await expect(alice.getByTestId("not-found")).toBeVisible();
    await expect(alice.getByText(bobTeam)).toHaveCount(0);
  }

  // Route handlers: 404 for reading and for deleting, the same answer as for a missing team.
  for (const [method, path] of [
    ["GET", `/api/v1/teams/${bobTeam}`],
    ["GET", `/api/v1/teams/${bobTeam}/members`],
    ["DELETE", `/api/v1/teams/${bobTeam}`],
    ["GET", `/api/v1/teams/no-such-team-zz`],
  ] as const) {
    const res = await alice.request.fetch(path, { method, headers: sameOriginJson() });
    expect(res.status(), `${method} ${path}`).toBe(404);
    expect(await res.json()).toEqual({ error: { code: "not_found", message: "Team not found" } });
  }
  const list = (await (await alice.request.get("/api/v1/teams")).json()) as { items: { slug: string }[] };
  expect(list.items.map((t) => t.slug)).not.toContain(bobTeam);

  // Server actions: Alice submits her own delete form, with the bound team argument rewritten to
  // Bob's team on the wire. The action must authorize by resource and refuse.
  await alice.goto(`/t/${aliceTeam}/settings`);
  await alice.route(`**/t/${aliceTeam}/settings`, async (route) => {
    const req = route.request();
    if (req.method() !== "POST") return route.continue();
    const body = req.postDataBuffer()?.toString("latin1") ?? "";
    expect(body).toContain(aliceTeam);
    await route.continue({ postData: Buffer.from(body.split(aliceTeam).join(bobTeam), "latin1") });
  });
  await alice.getByLabel(`Type "${aliceTeam}" to confirm`).fill(aliceTeam);
  await alice.getByTestId("delete-team").click();
  await expect(alice.getByRole("main").getByRole("alert")).toHaveText("Team not found");
  expect(await namespaceExists(`devbox-${bobTeam}`)).toBe(true);
  expect(await namespaceExists(`devbox-${aliceTeam}`)).toBe(true);
  await bobPage.reload();
  await expect(bobPage.getByTestId("team-title")).toBeVisible();
});
