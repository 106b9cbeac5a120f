import { randomBytes } from "node:crypto";
import { CoreV1Api, KubeConfig, NetworkingV1Api } from "@kubernetes/client-node";
import { expect, test, type Page } from "@playwright/test";

export const PASSWORD = "correct horse 7";

/** The instance admin playwright.config.ts seeds on the fresh DB of every run. */
export const E2E_ADMIN = { email: "e2e-admin@example.com", password: "E2e admin pass 7" };

export function uniqueEmail(prefix = "user"): string {
  return `${prefix}-${randomBytes(4).toString("hex")}@example.com`;
}

export function uniqueSlug(prefix = "team"): string {
  return `${prefix}-${randomBytes(3).toString("hex")}`;
}

/** Signs up through the form and waits for the personal team page. Returns the team slug. */
export async function signUp(page: Page, email: string, password = PASSWORD): Promise<string> {
  await page.goto("/register");
  await page.getByLabel("Name").fill(email.split("@")[0]);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page).toHaveURL(/\/t\/[a-z0-9-]+$/, { timeout: 30_000 });
  return new URL(page.url()).pathname.split("/")[2];
}

/** The dashboard's origin, as the Playwright config serves it. */
export function dashboardOrigin(): string {
  return new URL(test.info().project.use.baseURL!).origin;
}

/** What the dashboard's own pages send with an unsafe REST call (lib/http/csrf.ts refuses the rest). */
export function sameOriginJson(): Record<string, string> {
  return { Origin: dashboardOrigin(), "Content-Type": "application/json" };
}

export async function signIn(page: Page, email: string, password = PASSWORD): Promise<void> {
  await page.goto("/login");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
}

/** The test's own view of the cluster, as the admin: it checks what the dashboard did. */
export function adminKube() {
  const kc = new KubeConfig();
  kc.loadFromFile(process.env.DEVBOX_ADMIN_KUBECONFIG ?? "/var/lib/devbox-cluster/kubeconfig/admin.kubeconfig");
  return { core: kc.makeApiClient(CoreV1Api), net: kc.makeApiClient(NetworkingV1Api) };
}

export async function namespaceExists(name: string): Promise<boolean> {
  try {
    const ns = await adminKube().core.readNamespace({ name });
    return ns.status?.phase !== "Terminating";
  } catch (err) {
    if ((err as { code?: number }).code === 404) return false;
    throw err;
  }
}
