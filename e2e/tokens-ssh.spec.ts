import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, test } from "./fixtures";
import { dashboardOrigin, sameOriginJson, signUp, uniqueEmail } from "./helpers";

// API tokens, SSH keys and the editor buttons, through the dashboard's pages and its REST API
// with `Authorization: Bearer` (no cookie, no Origin: the CSRF rules do not apply to tokens).

const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

test("tokens page: create (secret shown once, copy), use it over REST with its scopes, revoke", async ({ page, context }) => {
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  const slug = await signUp(page, uniqueEmail("tok"));
  await page.goto("/settings/tokens");
  await expect(page.getByTestId("token-list-empty")).toBeVisible();
  await page.getByLabel("Name").fill("laptop");
  // Defaults: devboxes:read + devboxes:ssh; nothing else.
  await page.getByRole("button", { name: "Create token" }).click();
  const value = page.getByTestId("new-token-value");
  await expect(value).toHaveText(/^dbx_pat_[A-Za-z0-9_-]{43}$/);
  const token = (await value.textContent())!;
  await page.getByTestId("new-token").getByRole("button", { name: "Copy" }).click();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(token);
  await expect(page.getByTestId("token-row")).toHaveCount(1);
  await expect(page.getByTestId("token-row")).toContainText("devboxes:read, devboxes:ssh");

  // Shown once: a reload lists the token by its prefix only.
  await page.reload();
  await expect(page.getByTestId("new-token")).toHaveCount(0);
  await expect(page.getByTestId("token-row")).toContainText(token.slice(0, 12) + "…");
  expect(await page.content()).not.toContain(token.slice(12));

  // REST with the token, no cookie: reads are in scope, writes are not.
  const origin = dashboardOrigin();
  const teams = await fetch(`${origin}/api/v1/teams/${slug}/devboxes`, { headers: bearer(token) });
  expect(teams.status).toBe(200);
  const write = await fetch(`${origin}/api/v1/teams/${slug}/devboxes`, { method: "POST", headers: { ...bearer(token), "Content-Type": "application/json" }, body: JSON.stringify({ name: "x", templateId: "nope" }) });
  expect(write.status).toBe(403);
  expect(((await write.json()) as { error: { message: string } }).error.message).toMatch(/lacks the devboxes:write scope/);
  // A token cannot mint tokens.
  const mint = await fetch(`${origin}/api/v1/tokens`, { method: "POST", headers: { ...bearer(token), "Content-Type": "application/json" }, body: JSON.stringify({ name: "x", scopes: ["admin"] }) });
  expect(mint.status).toBe(403);
  // The list shows it was used.
  await page.reload();
  await expect(page.getByTestId("token-last-used")).not.toHaveText("never");

  await page.getByTestId("token-row").getByRole("button", { name: "Revoke" }).click();
  await page.getByTestId("confirm").click();
  await expect(page.getByTestId("token-list-empty")).toBeVisible();
  const after = await fetch(`${origin}/api/v1/teams/${slug}/devboxes`, { headers: bearer(token) });
  expect(after.status).toBe(401);
  expect(((await after.json()) as { error: { message: string } }).error.message).toMatch(/This API token was revoked/);
});

test("a write-scoped token passes the CSRF rules without a cookie, never with one", async ({ page }) => {
  const slug = await signUp(page, uniqueEmail("tokw"));
  await page.goto("/settings/tokens");
  await page.getByLabel("Name").fill("ci");
  await page.getByRole("checkbox", { name: /devboxes:write/ }).check();
  await page.getByRole("button", { name: "Create token" }).click();
  const token = (await page.getByTestId("new-token-value").textContent())!;
  const origin = dashboardOrigin();
  // No Origin, no cookie: allowed past CSRF, so the answer is the body's validation (400).
  const bad = await fetch(`${origin}/api/v1/teams/${slug}/devboxes`, { method: "POST", headers: { ...bearer(token), "Content-Type": "application/json" }, body: JSON.stringify({ name: "Not_Valid" }) });
  expect(bad.status).toBe(400);
  // A token plus a cookie is treated as a browser request: the CSRF check applies.
  const cookie = (await page.context().cookies()).map((c) => `${c.name}=${c.value}`).join("; ");
  const withCookie = await fetch(`${origin}/api/v1/teams/${slug}/devboxes`, { method: "POST", headers: { ...bearer(token), Cookie: cookie, "Content-Type": "text/plain" }, body: "{}" });
  expect(withCookie.status).toBe(403);
});

test("a token restricted to one team sees only that team: not in the team list, not by name; an unrestricted one sees both", async ({ page }) => {
  const mine = await signUp(page, uniqueEmail("tokt"));
  const other = `other-${Date.now().toString(36)}`;
  expect((await page.request.post("/api/v1/teams", { headers: sameOriginJson(), data: { slug: other } })).status()).toBe(201);
  const mint = async (body: object) => {
    const r = await page.request.post("/api/v1/tokens", { headers: sameOriginJson(), data: { name: "t", scopes: ["devboxes:read"], ...body } });
    expect(r.status()).toBe(201);
    return ((await r.json()) as { token: string }).token;
  };
  const origin = dashboardOrigin();
  const slugs = async (token: string) => ((await (await fetch(`${origin}/api/v1/teams`, { headers: bearer(token) })).json()) as { items: { slug: string }[] }).items.map((t) => t.slug).sort();
  const restricted = await mint({ team: mine });
  const everyTeam = await mint({});
  // The allowed side: the unrestricted token lists both, and reads the other team.
  expect(await slugs(everyTeam)).toEqual([mine, other].sort());
  expect((await fetch(`${origin}/api/v1/teams/${other}`, { headers: bearer(everyTeam) })).status).toBe(200);
  // The restricted token: only its team, and the other one does not exist for it.
  expect(await slugs(restricted)).toEqual([mine]);
  expect((await fetch(`${origin}/api/v1/teams/${mine}`, { headers: bearer(restricted) })).status).toBe(200);
  expect((await fetch(`${origin}/api/v1/teams/${other}`, { headers: bearer(restricted) })).status).toBe(404);
  expect((await fetch(`${origin}/api/v1/teams/${other}/devboxes`, { headers: bearer(restricted) })).status).toBe(404);
});

test("SSH keys page: add a public key (fingerprint as ssh-keygen prints it), refuse a private key, remove", async ({ page }) => {
  await signUp(page, uniqueEmail("keys"));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "e2e-key-"));
  try {
    execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "me@laptop", "-f", path.join(dir, "k")]);
    const pub = fs.readFileSync(path.join(dir, "k.pub"), "utf8");
    const fp = execFileSync("ssh-keygen", ["-lf", path.join(dir, "k.pub")], { encoding: "utf8" }).split(" ")[1];
    await page.goto("/settings/ssh-keys");
    await expect(page.getByTestId("ssh-key-list-empty")).toBeVisible();
    await page.getByLabel("Public key").fill(fs.readFileSync(path.join(dir, "k"), "utf8"));
    await page.getByRole("button", { name: "Add key" }).click();
    await expect(page.getByText("That is a private key")).toBeVisible();
    await page.getByLabel("Public key").fill(pub);
    await page.getByRole("button", { name: "Add key" }).click();
    await expect(page.getByTestId("ssh-key-row")).toHaveCount(1);
    await expect(page.getByTestId("ssh-key-row")).toHaveAttribute("data-key-name", "me@laptop");
    await expect(page.getByTestId("ssh-key-fingerprint")).toHaveText(fp);
    await page.getByTestId("ssh-key-row").getByRole("button", { name: "Remove" }).click();
    await expect(page.getByTestId("ssh-key-list-empty")).toBeVisible();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("the devbox page's editor buttons are the documented links", async ({ page, context }) => {
  test.setTimeout(120_000);
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  const slug = await signUp(page, uniqueEmail("ide"));
  const origin = dashboardOrigin();
  const cookie = (await context.cookies()).map((c) => `${c.name}=${c.value}`).join("; ");
  const json = { Cookie: cookie, Origin: origin, "Content-Type": "application/json" };
  const templates = (await (await fetch(`${origin}/api/v1/templates`, { headers: { Cookie: cookie } })).json()) as { items: { id: string; name: string }[] };
  const templateId = templates.items.find((t) => t.name === "debian")!.id;
  const created = await fetch(`${origin}/api/v1/teams/${slug}/devboxes`, { method: "POST", headers: json, body: JSON.stringify({ name: "ide", templateId }) });
  expect(created.status).toBe(201);
  await fetch(`${origin}/api/v1/teams/${slug}/devboxes/ide/state`, { method: "PUT", headers: json, body: JSON.stringify({ state: "stopped" }) });
  await page.goto(`/t/${slug}/devboxes/ide`);
  const host = `ide.${slug}`;
  await expect(page.getByTestId("open-vscode")).toHaveAttribute("href", `vscode://vscode-remote/ssh-remote+${host}/home/devbox/project`);
  await expect(page.getByTestId("open-cursor")).toHaveAttribute("href", `cursor://vscode-remote/ssh-remote+${host}/home/devbox/project`);
  await expect(page.getByTestId("open-gateway")).toHaveAttribute(
    "href",
    `jetbrains-gateway://connect#host=${host}&port=22&user=devbox&type=ssh&deploy=false&projectPath=%2Fhome%2Fdevbox%2Fproject`,
  );
  await page.getByTestId("copy-ssh").click();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(`ssh ${host}`);
  await page.getByTestId("copy-config-ssh").click();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe("devbox config-ssh");
  // Never a private key in the page.
  expect(await page.content()).not.toMatch(/PRIVATE KEY/);
  await fetch(`${origin}/api/v1/teams/${slug}/devboxes/ide`, { method: "DELETE", headers: json });
});
