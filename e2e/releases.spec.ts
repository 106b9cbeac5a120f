import { Writable } from "node:stream";
import { Exec, KubeConfig, type V1Status } from "@kubernetes/client-node";
import { expect, test } from "./fixtures";
import { adminKube, sameOriginJson, signUp, uniqueEmail } from "./helpers";

/** Runs a script in the devbox container, as a terminal would (the test's side of "the user set up the app"). */
async function inDevbox(namespace: string, pod: string, script: string): Promise<void> {
  const kc = new KubeConfig();
  kc.loadFromFile(process.env.DEVBOX_ADMIN_KUBECONFIG ?? "/var/lib/devbox-cluster/kubeconfig/admin.kubeconfig");
  const sink = new Writable({ write: (_c, _e, cb) => cb() });
  const status = await new Promise<V1Status>((resolve, reject) => {
    new Exec(kc).exec(namespace, pod, "devbox", ["bash", "-c", script], sink, sink, null, false, resolve).catch(reject);
  });
  expect(status.status).toBe("Success");
}

let ns = "";
// Its apps and devbox would keep holding the node's CPU. Removed through the product (its rows
// go too, so no reconciler keeps re-applying them into a namespace being deleted), then the namespace.
test.afterEach(async ({ page }) => {
  if (!ns) return;
  const slug = ns.replace(/^devbox-/, "");
  const list = async (what: string) => ((await (await page.request.get(`/api/v1/teams/${slug}/${what}`)).json()) as { items?: { name: string }[] }).items ?? [];
  // Apps first: a devbox whose release an app runs is not deleted.
  for (const what of ["apps", "devboxes"]) {
    for (const { name } of await list(what)) await page.request.delete(`/api/v1/teams/${slug}/${what}/${name}`, { headers: sameOriginJson() });
    await expect.poll(async () => (await list(what)).length, { timeout: 120_000 }).toBe(0);
  }
  await adminKube().core.deleteNamespace({ name: ns }).catch(() => {});
});

test("release a running devbox from its page, deploy it, see Ready replicas and logs, update and roll back", async ({ page }) => {
  test.setTimeout(480_000);
  const slug = await signUp(page, uniqueEmail("rel"));
  ns = `devbox-${slug}`;
  await page.getByTestId("new-devbox").click();
  await page.getByLabel("Name").fill("web");
  await page.getByText("Python", { exact: true }).click();
  await page.getByLabel("CPU (cores)").fill("0.5");
  await page.getByLabel("Memory (GiB)").fill("0.5");
  await page.getByLabel("Disk (GiB)").fill("2");
  await page.getByRole("button", { name: "Create devbox" }).click();
  await expect(page).toHaveURL(new RegExp(`/t/${slug}/devboxes/web$`));
  await expect(page.getByTestId("devbox-detail").getByTestId("devbox-state")).toHaveAttribute("data-state", "Running", { timeout: 120_000 });
  const [pod] = (await adminKube().core.listNamespacedPod({ namespace: ns, labelSelector: "devbox.dev/name=web" })).items;
  const write = (text: string) =>
    inDevbox(ns, pod.metadata!.name!, `cd ~/project && echo "${text}" > index.html && printf '#!/bin/sh\\nexec python3 -u -m http.server 8000\\n' > entrypoint.sh && chmod +x entrypoint.sh`);
  await write("hello v1");

  // Release v1 from the devbox page, with its progress, while the devbox keeps running.
  await page.getByTestId("releases-link").click();
  await expect(page).toHaveURL(new RegExp(`/t/${slug}/devboxes/web/releases$`));
  await page.getByLabel("Tag").fill("v1");
  await page.getByLabel("Notes").fill("first release");
  await page.getByTestId("release-submit").click();
  const v1 = page.getByTestId("release-v1");
  await expect(v1).toHaveAttribute("data-status", "ready", { timeout: 180_000 });
  await expect(v1).toContainText("first release");
  // a duplicate tag is refused with a clear message
  await page.getByLabel("Tag").fill("v1");
  await page.getByTestId("release-submit").click();
  await expect(page.getByTestId("release-error")).toContainText('already has a release tagged "v1"');

  await write("hello v2");
  await page.getByLabel("Tag").fill("v2");
  await page.getByTestId("release-submit").click();
  await expect(page.getByTestId("release-v2")).toHaveAttribute("data-status", "ready", { timeout: 180_000 });

  // Deploy v1 with 2 replicas: the app page shows both Ready (from the cluster's watch).
  // With its resources and env; a mistake in the env is named before anything is sent.
  await v1.getByTestId("deploy-release").click();
  await page.getByLabel("App name").fill("site");
  await page.getByLabel("CPU (cores per replica)").fill("0.2");
  await page.getByLabel("Memory (MiB per replica)").fill("128");
  await page.getByLabel("Environment").fill("GREETING=hello there\nbroken line");
  await page.getByTestId("deploy-submit").click();
  await expect(page.getByTestId("release-error")).toContainText('Environment: Line 2: "broken line" has no "="');
  expect((await (await page.request.get(`/api/v1/teams/${slug}/apps`)).json()).items).toEqual([]);
  await page.getByLabel("Environment").fill("GREETING=hello there");
  await page.getByTestId("deploy-submit").click();
  await expect(page).toHaveURL(new RegExp(`/t/${slug}/apps/site$`), { timeout: 30_000 });
  await expect(page.getByTestId("replica").and(page.locator('[data-ready="true"]'))).toHaveCount(2, { timeout: 180_000 });
  await expect(page.getByTestId("app-state")).toHaveAttribute("data-state", "Ready");

  // Logs: the last lines of a replica.
  await page.getByTestId("load-logs").click();
  await expect(page.getByTestId("app-logs")).toContainText("Serving HTTP", { timeout: 30_000 });
  // Follow: the same lines, then live, over the dashboard's websocket.
  await page.getByTestId("follow-logs").click();
  await expect(page.getByTestId("app-logs")).toHaveAttribute("data-following", "true");
  await expect(page.getByTestId("app-logs")).toContainText("Serving HTTP", { timeout: 30_000 });
  await page.getByTestId("follow-logs").click();
  await expect(page.getByTestId("app-logs")).toHaveAttribute("data-following", "false");

  // Update to v2 (rolling), then roll back to v1 with one click.
  await page.getByTestId("update-release").selectOption({ label: "web:v2" });
  await page.getByTestId("update-submit").click();
  await expect(page.getByTestId("rollback")).toContainText("Roll back to v1", { timeout: 30_000 });
  await expect(page.getByTestId("replica").and(page.locator('[data-ready="true"]'))).toHaveCount(2, { timeout: 180_000 });
  await expect(page.getByTestId("app-state")).toHaveAttribute("data-state", "Ready", { timeout: 180_000 });
  await page.getByTestId("rollback").click();
  await expect(page.getByTestId("rollback")).toContainText("Roll back to v2", { timeout: 30_000 });
  await expect(page.getByTestId("app-state")).toHaveAttribute("data-state", "Ready", { timeout: 180_000 });
  const dep = (await adminKube().core.listNamespacedPod({ namespace: ns, labelSelector: "devbox.dev/app=site" })).items;
  expect(dep.length).toBeGreaterThan(0);
  const container = dep[0].spec!.containers[0];
  expect(container.resources?.limits).toMatchObject({ cpu: "200m", memory: "128Mi" });
  expect(container.env).toContainEqual({ name: "GREETING", value: "hello there" });

  // Settings: a new env value is a rolling update; the replicas that serve then have it.
  await expect(page.getByLabel("Environment")).toHaveValue("GREETING=hello there");
  await page.getByLabel("Environment").fill("GREETING=bye");
  await page.getByTestId("app-settings-submit").click();
  const envOfServing = async () =>
    (await adminKube().core.listNamespacedPod({ namespace: ns, labelSelector: "devbox.dev/app=site" })).items
      .filter((p) => !p.metadata?.deletionTimestamp)
      .map((p) => p.spec!.containers[0].env?.find((e) => e.name === "GREETING")?.value);
  await expect.poll(envOfServing, { timeout: 180_000 }).toEqual(["bye", "bye"]);
  await expect(page.getByTestId("app-state")).toHaveAttribute("data-state", "Ready", { timeout: 180_000 });
  await expect(page.getByLabel("Environment")).toHaveValue("GREETING=bye");

  // The apps list shows it; the Releases page shows which app runs v1.
  await page.goto(`/t/${slug}/apps`);
  await expect(page.getByTestId("app-site")).toContainText("v1");
  await page.goto(`/t/${slug}/devboxes/web/releases`);
  await expect(page.getByTestId("release-v1")).toContainText("site");

  // Deleting asks first (the dashboard's dialog): cancelled keeps it, confirmed deletes it. v1 cannot
  // be deleted while the app runs it.
  await expect(page.getByTestId("release-v1").getByTestId("delete-release")).toBeDisabled();
  await page.getByTestId("release-v2").getByTestId("delete-release").click();
  await page.getByRole("dialog").getByRole("button", { name: "Cancel" }).click();
  await expect(page.getByRole("dialog")).toHaveCount(0);
  await expect(page.getByTestId("release-v2")).toHaveAttribute("data-status", "ready");
  await page.getByTestId("release-v2").getByTestId("delete-release").click();
  await page.getByRole("dialog").getByTestId("confirm").click();
  await expect(page.getByTestId("release-v2")).toHaveCount(0, { timeout: 30_000 });
  // The app, from its page: confirmed, it goes and the page returns to the list.
  await page.goto(`/t/${slug}/apps/site`);
  await page.getByTestId("delete-app").click();
  await page.getByRole("dialog").getByTestId("confirm").click();
  await expect(page).toHaveURL(new RegExp(`/t/${slug}/apps$`), { timeout: 30_000 });
  await expect(page.getByTestId("app-site")).toHaveCount(0);
});
