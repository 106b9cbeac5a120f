import { LOGO_PATHS, LOGO_TILE } from "./logo-mark";

/** The header's logo: the same mark as the favicon (public/icon.svg). */
export function Logo({ size = 28 }: { size?: number }) {
  return (
    <svg viewBox="0 0 64 64" width={size} height={size} aria-hidden data-testid="logo">
      <rect width="64" height="64" rx="14" fill={LOGO_TILE} />
      {LOGO_PATHS.map((d) => (
        <path key={d} d={d} fill="none" stroke="#fff" strokeWidth={6} strokeLinecap="round" strokeLinejoin="round" />
      ))}
    </svg>
  );
}
