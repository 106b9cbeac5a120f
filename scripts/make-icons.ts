/**
 * Writes public/: the icon (SVG from components/shell/logo-mark.ts), its PNG sizes, favicon.ico,
 * the apple-touch icon and the Open Graph image, rendered by Debian's Chromium (the browser the
 * e2e suite uses; no image tool to install). Run after changing the mark: `npx tsx scripts/make-icons.ts`.
 */
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { chromium } from "playwright-core";
import { LOGO_TILE, logoSvg } from "../components/shell/logo-mark";

const OUT = path.resolve(import.meta.dirname, "..", "public");
const svg = logoSvg();
const dataUrl = `data:image/svg+xml;base64,${Buffer.from(svg).toString("base64")}`;

/** ICO with PNG entries (read by every current browser and Windows since Vista). */
function ico(pngs: { size: number; data: Buffer }[]): Buffer {
  const header = Buffer.alloc(6);
  header.writeUInt16LE(0, 0);
  header.writeUInt16LE(1, 2);
  header.writeUInt16LE(pngs.length, 4);
  let offset = 6 + 16 * pngs.length;
  const dir = pngs.map(({ size, data }) => {
    const e = Buffer.alloc(16);
    e.writeUInt8(size >= 256 ? 0 : size, 0);
    e.writeUInt8(size >= 256 ? 0 : size, 1);
    e.writeUInt16LE(1, 4); // colour planes
    e.writeUInt16LE(32, 6); // bits per pixel
    e.writeUInt32LE(data.length, 8);
    e.writeUInt32LE(offset, 12);
    offset += data.length;
    return e;
  });
  return Buffer.concat([header, ...dir, ...pngs.map((p) => p.data)]);
}

async function main() {
  await mkdir(OUT, { recursive: true });
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium", args: ["--no-sandbox", "--disable-gpu"] });
  try {
    const page = await browser.newPage();
    const render = async (size: number, pad = 0, background = "transparent") => {
      await page.setViewportSize({ width: size, height: size });
      await page.setContent(
        `<html><body style="margin:0;background:${background}"><img src="${dataUrl}" style="display:block;margin:${pad}px;width:${size - 2 * pad}px;height:${size - 2 * pad}px"></body></html>`,
      );
      return page.screenshot({ omitBackground: background === "transparent" });
    };
    const png = async (size: number) => ({ size, data: await render(size) });
    const sizes: { size: number; data: Buffer }[] = [];
    for (const s of [16, 32, 48]) sizes.push(await png(s));
    await writeFile(path.join(OUT, "icon.svg"), svg);
    await writeFile(path.join(OUT, "favicon.ico"), ico(sizes));
    await writeFile(path.join(OUT, "icon-192.png"), await render(192));
    await writeFile(path.join(OUT, "icon-512.png"), await render(512));
    // iOS puts its own rounded mask on an opaque square.
    await writeFile(path.join(OUT, "apple-touch-icon.png"), await render(180, 0, LOGO_TILE));

    await page.setViewportSize({ width: 1200, height: 630 });
    await page.setContent(`<html><body style="margin:0;width:1200px;height:630px;display:flex;align-items:center;justify-content:center;gap:48px;
      background:linear-gradient(135deg,#18181b,#27272a);font-family:'DejaVu Sans',sans-serif;color:#fafafa">
      <img src="${dataUrl}" style="width:200px;height:200px">
      <div><div style="font-size:96px;font-weight:700;letter-spacing:-2px">Devbox</div>
      <div style="font-size:34px;color:#a1a1aa;margin-top:8px">Cloud development environments<br>on your own Kubernetes</div></div></body></html>`);
    await writeFile(path.join(OUT, "og.png"), await page.screenshot());
  } finally {
    await browser.close();
  }
}

await main();
