import { expect, test } from "@playwright/test";
import { PASSWORD, namespaceExists, signIn, signUp, uniqueEmail } from "./helpers";

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
