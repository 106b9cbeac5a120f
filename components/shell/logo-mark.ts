/**
 * The product's mark: a prompt on an indigo tile. The one source for the header logo and for
 * public/icon.svg (scripts/make-icons.ts writes that file and the PNG/ICO sizes from it).
 */
export const LOGO_TILE = "#4f46e5";
export const LOGO_PATHS = ["M18 22l12 10-12 10", "M34 43h12"];

export function logoSvg(): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64">`,
    `<rect width="64" height="64" rx="14" fill="${LOGO_TILE}"/>`,
    ...LOGO_PATHS.map((d) => `<path d="${d}" fill="none" stroke="#fff" stroke-width="6" stroke-linecap="round" stroke-linejoin="round"/>`),
    `</svg>`,
    "",
  ].join("\n");
}
