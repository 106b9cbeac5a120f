import { test as base, type BrowserContext, type ConsoleMessage } from "@playwright/test";

export { expect } from "@playwright/test";
export type { Locator, Page } from "@playwright/test";

/**
 * Every spec imports `test` from here, not from @playwright/test: a console error or an uncaught
 * page error in any page the test opened (its own `page`, `browser.newPage()`, `browser.newContext()`)
 * fails the test. A test that provokes an error on purpose says which:
 * `test.use({ allowedConsoleErrors: [/expected text/] })`.
 */
export const test = base.extend<{ allowedConsoleErrors: RegExp[]; consoleGuard: void }>({
  allowedConsoleErrors: [[], { option: true }],
  consoleGuard: [
    async ({ browser, context, allowedConsoleErrors }, use) => {
      const problems: string[] = [];
      const guarded = new WeakSet<BrowserContext>();
      const allowed = (text: string) => allowedConsoleErrors.some((re) => re.test(text));
      const guard = (ctx: BrowserContext) => {
        if (guarded.has(ctx)) return;
        guarded.add(ctx);
        ctx.on("console", (msg) => {
          if (msg.type() !== "error" || isDocumentStatus(msg)) return;
          const text = `console error on ${msg.page()?.url() ?? "?"}: ${msg.text()} (${msg.location().url})`;
          if (!allowed(text)) problems.push(text);
        });
        ctx.on("weberror", (err) => {
          const text = `uncaught error on ${err.page()?.url() ?? "?"}: ${err.error().stack ?? err.error().message}`;
          if (!allowed(text)) problems.push(text);
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
      if (problems.length > 0) throw new Error(`The pages logged errors:\n${problems.join("\n")}`);
    },
    { auto: true },
  ],
});

/**
 * A page the test navigated to that answers 403/404 is a page, not a broken one: Chromium logs
 * its status as a console error on the document itself. Subresources (a missing favicon) count.
 */
function isDocumentStatus(msg: ConsoleMessage): boolean {
  const url = msg.location().url;
  return msg.text().startsWith("Failed to load resource") && !!url && url === msg.page()?.url();
}
