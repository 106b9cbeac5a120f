import { test as base, type BrowserContext, type ConsoleMessage } from "@playwright/test";

export { expect } from "@playwright/test";
export type { Locator, Page } from "@playwright/test";

/**
 * Every spec imports `test` from here, not from @playwright/test: a console error or an uncaught
 * page error in any page the test opened (its own `page`, `browser.newPage()`, `browser.newContext()`)
 * fails the test (on the dashboard's own pages; a fetch the page handles may answer 4xx). A test
 * that provokes an error on purpose says which:
 * `test.use({ allowedConsoleErrors: [/expected text/] })`.
 */
export const test = base.extend<{ allowedConsoleErrors: RegExp[]; consoleGuard: void }>({
  allowedConsoleErrors: [[], { option: true }],
  consoleGuard: [
    async ({ browser, context, allowedConsoleErrors, baseURL }, use) => {
      const ours = new URL(baseURL!).origin;
      const logged: { text: string; resource?: string }[] = [];
      // API calls the page makes and handles (a wrong password's 401, a 429) are answers, not
      // breakage; a document, script, style, image or icon that fails is.
      const handledApiErrors = new Set<string>();
      const guarded = new WeakSet<BrowserContext>();
      const guard = (ctx: BrowserContext) => {
        if (guarded.has(ctx)) return;
        guarded.add(ctx);
        ctx.on("response", (res) => {
          const type = res.request().resourceType();
          if (res.status() >= 400 && (type === "fetch" || type === "xhr")) handledApiErrors.add(res.url());
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
      try {
        await use();
      } finally {
        browser.newContext = newContext;
        browser.newPage = newPage;
      }
      // The devboxes' network interfaces come and go on this same machine: Chromium then aborts
      // requests in flight with ERR_NETWORK_CHANGED (Next.js falls back to a full navigation).
      // That is the test machine, not the product.
      const networkChanged = logged.filter((l) => l.text.includes("net::ERR_NETWORK_CHANGED")).map((l) => l.resource ?? "");
      const problems = logged
        .filter((l) => !l.text.includes("net::ERR_NETWORK_CHANGED"))
        .filter((l) => !(l.text.includes("Failed to fetch RSC payload") && networkChanged.some((url) => url && l.text.includes(url.split("?")[0]))))
        .filter((l) => !(l.resource && l.text.includes("Failed to load resource: the server responded") && handledApiErrors.has(l.resource)))
        .map((l) => l.text)
        .filter((text) => !allowedConsoleErrors.some((re) => re.test(text)));
      if (problems.length > 0) throw new Error(`The pages logged errors:\n${problems.join("\n")}`);
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
 * its status as a console error on the document itself. Subresources (a missing favicon) count.
 */
function isDocumentStatus(msg: ConsoleMessage): boolean {
  const url = msg.location().url;
  return msg.text().startsWith("Failed to load resource") && !!url && url === msg.page()?.url();
}
