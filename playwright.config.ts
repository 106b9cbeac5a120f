import { defineConfig } from "@playwright/test";

const port = Number(process.env.E2E_PORT ?? 3300);
const dataDir = process.env.E2E_DATA_DIR ?? ".cache/e2e-data";

// Debian's Chromium, never a downloaded browser. These flags keep it from reaching for the
// network this machine does not have.
export default defineConfig({
  testDir: "./e2e",
  timeout: 90_000,
  expect: { timeout: 15_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [["list"]],
  use: {
    baseURL: `http://localhost:${port}`,
    trace: "retain-on-failure",
    launchOptions: {
      executablePath: "/usr/bin/chromium",
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
    },
  },
  webServer: {
    // Against the production build: `npm run build` must have run.
    // Every run starts from an empty metadata DB (removed here: Playwright starts the web server
    // before globalSetup, and PGlite must not lose its folder while it runs).
    // The instance admin is seeded (e2e/helpers.ts E2E_ADMIN): no spec depends on signing up first.
    // Every spec signs up from this one address: the per-address sign-up limit (20 an hour) would
    // refuse the later specs' users, so it is raised here (the per-account limits stay).
    // The specs that hit a per-minute limit (sign-in, preview hand-off) make their attempts in a
    // row; on a loaded machine a row can outlast a minute and open a new window, so those windows
    // are 10 minutes here (the per-address sign-in limit is raised with it: every spec's wrong
    // passwords come from this one address).
    command: `rm -rf ${dataDir} && PORT=${port} DEVBOX_INSTANCE=e2e-${port} DEVBOX_DATA_DIR=${dataDir} DEVBOX_ADMIN_EMAIL=e2e-admin@example.com DEVBOX_ADMIN_PASSWORD='E2e admin pass 7' DEVBOX_SIGNUP_LIMIT_PER_IP=1000 DEVBOX_SIGNIN_WINDOW_SECONDS=600 DEVBOX_SIGNIN_LIMIT_PER_IP=1000 DEVBOX_PREVIEW_AUTH_WINDOW_SECONDS=600 npm start`,
    url: `http://localhost:${port}/api/health`,
    reuseExistingServer: false,
    timeout: 120_000,
    stdout: "pipe",
  },
});
