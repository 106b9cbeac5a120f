import { expect, test } from "./fixtures";
import { signUp, uniqueEmail } from "./helpers";

// The API reference page renders the same OpenAPI document /api/v1/openapi.json serves.
test("API reference: operations grouped by tag, schemas, and the document it renders", async ({ page, request }) => {
  await signUp(page, uniqueEmail("apidocs"));
  await page.getByTestId("api-docs-link").click();
  await expect(page).toHaveURL(/\/docs\/api$/);
  const doc = (await (await request.get("/api/v1/openapi.json")).json()) as { paths: Record<string, Record<string, unknown>>; tags: { name: string }[] };
  const operations = Object.values(doc.paths).reduce((n, item) => n + Object.keys(item).length, 0);
  await expect(page.getByTestId("api-operation")).toHaveCount(operations);
  for (const { name } of doc.tags) await expect(page.locator(`[id="tag-${name.replace(/\s+/g, "-")}"]`)).toBeVisible();
  const create = page.locator("#createDevbox");
  await expect(create).toContainText("/api/v1/teams/{team}/devboxes");
  await expect(create).toContainText("Who: team role developer or higher");
  await create.getByRole("link", { name: "CreateDevbox" }).click();
  await expect(page.locator("#schema-CreateDevbox")).toContainText("templateId");
  // No asset from another origin: the page works without the internet.
  const foreign: string[] = [];
  page.on("request", (r) => {
    if (!r.url().startsWith(new URL(page.url()).origin) && !r.url().startsWith("data:")) foreign.push(r.url());
  });
  await page.reload();
  await expect(page.getByTestId("api-reference")).toBeVisible();
  expect(foreign).toEqual([]);
});
