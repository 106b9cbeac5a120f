import { randomBytes } from "node:crypto";
import { credentialsSessionCookie } from "../test/support/sign-in";
import { expect, test } from "./fixtures";
import { PASSWORD, dashboardOrigin, namespaceExists, signIn, signUp, uniqueEmail } from "./helpers";
import { Client } from "./support/client";

test("sign up, sign out, sign in; a wrong password shows an error", async ({ page }) => {
  const email = uniqueEmail("ada");
  const slug = await signUp(page, email);
  await expect(page.getByTestId("current-user")).toHaveText(email);
  await expect(page.getByText("No devboxes yet")).toBeVisible();
  // The personal team got its namespace.
  expect(await namespaceExists(`devbox-${slug}`)).toBe(true);

  await page.getByTestId("sign-out").click();
  await expect(page).toHaveURL(/\/login/);
  await page.goto(`/t/${slug}`);
  await expect(page).toHaveURL(/\/login/);

  await signIn(page, email, "wrong password 1");
  await expect(page.getByTestId("login-error")).toHaveText("Wrong email or password.");
  await expect(page).toHaveURL(/\/login/);

  await signIn(page, email, PASSWORD);
  await expect(page).toHaveURL(new RegExp(`/t/${slug}$`));
  await expect(page.getByTestId("team-title")).toBeVisible();
});

test("sign-up rejects a weak password and a duplicate email with messages in the form", async ({ page, browser }) => {
  await page.goto("/register");
  await page.getByLabel("Email").fill(uniqueEmail("weak"));
  await page.getByLabel("Password").fill("short");
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.locator("#password-error")).toContainText("at least 10 characters");

  const email = uniqueEmail("dup");
  const other = await browser.newPage();
  await signUp(other, email);
  await other.close();

  await page.goto("/register");
  await page.getByLabel("Email").fill(email.toUpperCase());
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.locator("#email-error")).toHaveText("An account with this email already exists.");
});

test("the 11th wrong password for an account within the window is refused with 429 and Retry-After; the form says why", async ({ page }) => {
  const email = uniqueEmail("guess");
  await signUp(page, email);
  await page.getByTestId("sign-out").click();
  await expect(page).toHaveURL(/\/login/);

  const attempt = async (password: string) => {
    const { csrfToken } = (await (await page.request.get("/api/auth/csrf")).json()) as { csrfToken: string };
    return page.request.post("/api/auth/callback/credentials", {
      form: { email, password, csrfToken, json: "true", callbackUrl: "/" },
      headers: { Origin: new URL(page.url()).origin },
    });
  };
  for (let i = 1; i <= 10; i++) expect((await attempt(`wrong password ${i}`)).status()).not.toBe(429);
  const refused = await attempt("wrong password 11");
  expect(refused.status()).toBe(429);
  expect(Number(refused.headers()["retry-after"])).toBeGreaterThan(0);

  // Even the right password waits out the window, and the login page says so.
  await signIn(page, email, PASSWORD);
  await expect(page.getByTestId("login-error")).toContainText("Too many sign-in attempts");
  await expect(page).toHaveURL(/\/login/);
});

test("sign out everywhere: a copied session cookie stops working at once, and its open page is closed", async ({ page, browser }) => {
  const slug = await signUp(page, uniqueEmail("copy"));
  const copied = await page.context().cookies();
  const thief = await browser.newContext();
  await thief.addCookies(copied);
  const other = await thief.newPage();
  const stream = other.waitForResponse((r) => r.url().endsWith(`/api/v1/teams/${slug}/devboxes/events`));
  await other.goto(`/t/${slug}`);
  await expect(other.getByTestId("team-title")).toBeVisible(); // the copy works before
  await stream; // and its live event stream is open

  await page.getByTestId("sign-out-everywhere").click();
  await expect(page).toHaveURL(/\/login/);

  // The open page's event stream is told `revoked` within seconds and the page leaves, untouched.
  await expect(other).toHaveURL(/\/login/, { timeout: 15_000 });
  await other.goto(`/t/${slug}`);
  await expect(other).toHaveURL(/\/login/);
  expect((await other.request.get("/api/v1/teams")).status()).toBe(401);
  await thief.close();
});

test("plain sign-out ends that session on the server: a copied cookie is refused by the API and the terminal websocket; the user's other session goes on", async ({ page }) => {
  const email = uniqueEmail("plain");
  const slug = await signUp(page, email);
  const origin = dashboardOrigin();
  const copy = new Client(origin, (await page.context().cookies()).map((c) => `${c.name}=${c.value}`).join("; "), "copy");
  const other = new Client(origin, await credentialsSessionCookie(origin, email, PASSWORD), "other sign-in");
  const terminal = `/api/v1/teams/${slug}/devboxes/nobox/terminal?session=plain${randomBytes(4).toString("hex")}`;
  for (const c of [copy, other]) {
    expect((await c.rest("GET", "/api/v1/teams")).status, c.name).toBe(200);
    expect(await c.ws(terminal), c.name).toBe("close 4404:Devbox"); // signed in: only the devbox is missing
  }

  await page.getByTestId("sign-out").click();
  await expect(page).toHaveURL(/\/login/);

  expect((await copy.rest("GET", "/api/v1/teams")).status).toBe(401);
  expect(await copy.ws(terminal)).toBe("close 4401");
  // Nor can the copy be refreshed into a newer cookie (that would outlive its revocation).
  const refreshed = await copy.rest("GET", "/api/auth/session");
  expect(refreshed.json ?? {}).toEqual({});
  await page.goto(`/t/${slug}`);
  await expect(page).toHaveURL(/\/login/);
  // Only that session ended.
  expect((await other.rest("GET", "/api/v1/teams")).status).toBe(200);
  expect(await other.ws(terminal)).toBe("close 4404:Devbox");
});

test("signing out while the page's live stream is still connecting: the stream stops first, nothing is refused on the way out", async ({ page }) => {
  const slug = await signUp(page, uniqueEmail("race"));
  // The page's event stream is held back until the sign-out has ended the session on the server
  // (the race a fast click after a page load runs into): then it would be refused with a 401.
  let release!: () => void;
  const signedOut = new Promise<void>((r) => (release = r));
  await page.route(`**/api/v1/teams/${slug}/devboxes/events`, async (route) => {
    await signedOut;
    await route.continue().catch(() => {}); // the page may have dropped it meanwhile
  });
  const streamAsked = page.waitForRequest((r) => r.url().endsWith(`/api/v1/teams/${slug}/devboxes/events`));
  await page.reload();
  await streamAsked; // hydrated: the stream is being opened
  const signOutDone = page.waitForResponse((r) => r.url().endsWith("/api/auth/signout"));
  await page.getByTestId("sign-out").click();
  await signOutDone;
  release();
  await expect(page).toHaveURL(/\/login/);
});
