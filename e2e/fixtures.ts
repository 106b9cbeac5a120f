import { test as base, type BrowserContext, type ConsoleMessage } from "@playwright/test";

export { expect } from "@playwright/test";
export type { Locator, Page } from "@playwright/test";

/** What the guard has seen so far that would fail the test; `clear()` forgets it (the guard's own tests). */
export interface ConsoleGuard {
  problems(): string[];
  clear(): void;
}

/**
 * Every spec imports `test` from here, not from @playwright/test: a console error or an uncaught
 * page error in any page the test opened (its own `page`, `browser.newPage()`, `browser.newContext()`)
 * fails the test (on the dashboard's own pages; an API call may be refused with a 4xx and our JSON
 * error, which the page shows). A test that provokes an error on purpose says which:
 * `test.use({ allowedConsoleErrors: [/expected text/] })`.
 */
export const test = base.extend<{ allowedConsoleErrors: RegExp[]; consoleGuard: ConsoleGuard }>({
  allowedConsoleErrors: [[], { option: true }],
  consoleGuard: [
    async ({ browser, context, allowedConsoleErrors, baseURL }, use) => {
      const ours = new URL(baseURL!).origin;
      const logged: { text: string; resource?: string }[] = [];
      // API calls the page makes and handles (a wrong password's 401, a 429) are answers, not
      // breakage: a 4xx with our JSON error body (lib/errors.ts). A 5xx, a 404 for a URL no route
      // has (HTML, or the API's marked JSON) and a document, script, style, image or icon that fails are breakage.
      const refusedApiCalls = new Set<string>();
      const guarded = new WeakSet<BrowserContext>();
      const guard = (ctx: BrowserContext) => {
        if (guarded.has(ctx)) return;
        guarded.add(ctx);
        ctx.on("response", (res) => {
          const type = res.request().resourceType();
          // A path no API route has is answered in JSON too (server/api-not-found.ts), marked: still breakage.
          const json = (res.headers()["content-type"] ?? "").includes("application/json") && !res.headers()["x-devbox-no-route"];
          if (res.status() >= 400 && res.status() < 500 && json && (type === "fetch" || type === "xhr")) refusedApiCalls.add(res.url());
        });
        ctx.on("console", (msg) => {
          if (msg.type() !== "error" || !isOurs(msg.page()?.url(), ours) || isDocumentStatus(msg)) return;
          logged.push({ text: `console error on ${msg.page()?.url()}: ${msg.text()} (${msg.location().url})`, resource: msg.location().url });
        });
        ctx.on("weberror", (err) => {
          if (!isOurs(err.page()?.url(), ours)) return;
          logged.push({ text: `uncaught error on ${err.page()?.url()}: ${err.error().stack ?? err.error().message}` });
        });
      };
      guard(context);
      // Contexts the test makes itself (other users) are guarded too.
      const newContext = browser.newContext.bind(browser);
      const newPage = browser.newPage.bind(browser);
      browser.newContext = async (...args) => {
        const ctx = await newContext(...args);
        guard(ctx);
        return ctx;
      };
      browser.newPage = async (...args) => {
        const page = await newPage(...args);
        guard(page.context());
        return page;
      };
      // The devboxes' network interfaces come and go on this same machine: Chromium then aborts
      // requests in flight with ERR_NETWORK_CHANGED (Next.js falls back to a full navigation).
      // That is the test machine, not the product.
      const problems = () => {
        const networkChanged = logged.filter((l) => l.text.includes("net::ERR_NETWORK_CHANGED")).map((l) => l.resource ?? "");
        return logged
          .filter((l) => !l.text.includes("net::ERR_NETWORK_CHANGED"))
          .filter((l) => !(l.text.includes("Failed to fetch RSC payload") && networkChanged.some((url) => url && l.text.includes(url.split("?")[0]))))
          .filter((l) => !(l.resource && /Failed to load resource: the server responded with a status of 4\d\d/.test(l.text) && refusedApiCalls.has(l.resource)))
          .map((l) => l.text)
          .filter((text) => !allowedConsoleErrors.some((re) => re.test(text)));
      };
      try {
        await use({ problems, clear: () => void logged.splice(0) });
      } finally {
        browser.newContext = newContext;
        browser.newPage = newPage;
      }
      const left = problems();
      if (left.length > 0) throw new Error(`The pages logged errors:\n${left.join("\n")}`);
    },
    { auto: true },
  ],
});

/** Only the dashboard's own pages: a test's attacker page on another origin is meant to fail. */
function isOurs(url: string | undefined, origin: string): boolean {
  try {
    return !!url && new URL(url).origin === origin;
  } catch {
    return false;
  }
}

/**
 * A page the test navigated to that answers 403/404 is a page, not a broken one: Chromium logs
 * its status as a console error on the document itself. A 5xx document counts, and so do
 * subresources (a missing favicon).
 */
function isDocumentStatus(msg: ConsoleMessage): boolean {
  const url = msg.location().url;
  return /^Failed to load resource: the server responded with a status of 4\d\d/.test(msg.text()) && !!url && url === msg.page()?.url();
}
