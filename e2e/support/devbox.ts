import { expect, type Locator, type Page } from "@playwright/test";

/** Creates a small Debian devbox from the form and waits until it runs (its page shows Running). */
export async function createRunningDevbox(page: Page, slug: string, name: string): Promise<void> {
  await page.goto(`/t/${slug}/devboxes/new`);
  await page.getByLabel("Name").fill(name);
  await page.getByText("Debian", { exact: true }).click();
  await page.getByLabel("CPU (cores)").fill("0.5");
  await page.getByLabel("Memory (GiB)").fill("0.5");
  await page.getByLabel("Disk (GiB)").fill("2");
  await page.getByRole("button", { name: "Create devbox" }).click();
  await expect(page).toHaveURL(new RegExp(`/t/${slug}/devboxes/${name}$`));
  await expect(page.getByTestId("devbox-detail").getByTestId("devbox-state")).toHaveAttribute("data-state", "Running", { timeout: 120_000 });
}

/** The terminal's buffer as text (xterm's, since the WebGL renderer leaves no text in the DOM). */
export async function screenText(terminal: Locator): Promise<string> {
  return terminal.getByTestId("terminal-screen").evaluate((el) => {
    const t = (el as HTMLElement & { xterm?: { buffer: { active: { length: number; getLine(i: number): { translateToString(trim: boolean): string } | undefined } } } }).xterm;
    if (!t) return "";
    const b = t.buffer.active;
    const lines: string[] = [];
    for (let i = 0; i < b.length; i++) lines.push(b.getLine(i)?.translateToString(true) ?? "");
    return lines.join("\n");
  });
}

export async function typeLine(page: Page, terminal: Locator, line: string): Promise<void> {
  await terminal.getByTestId("terminal-screen").click();
  await page.keyboard.type(line);
  await page.keyboard.press("Enter");
}
