import { defineConfig } from "@playwright/test";

// The e2e journey against an installed dashboard (deploy/): no web server of its own; the URL is
// the install's Service (test/integration/install.test.ts sets DEVBOX_INSTALL_URL).
const url = process.env.DEVBOX_INSTALL_URL;
if (!url) throw new Error("DEVBOX_INSTALL_URL is not set: this suite runs from test/integration/install.test.ts");

export default defineConfig({
  testDir: ".",
  timeout: 420_000,
  expect: { timeout: 15_000 },
  workers: 1,
  retries: 0,
  reporter: [["list"]],
  use: {
    baseURL: url,
    trace: "retain-on-failure",
    launchOptions: {
      executablePath: "/usr/bin/chromium",
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
    },
  },
});
