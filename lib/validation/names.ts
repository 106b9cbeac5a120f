import { AppError } from "@/lib/errors";

// RFC 1123 label, as Kubernetes checks namespace and object names.
const dnsLabel = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export const TEAM_SLUG_MAX = 40;

/** Checks a team slug; it becomes part of the team's namespace name, so it must be a DNS-1123 label. */
export function validateTeamSlug(slug: string): string {
  const s = slug.trim();
  if (s.length === 0) throw new AppError("bad_request", "Choose a team name.", { field: "slug" });
  if (s.length > TEAM_SLUG_MAX)
    throw new AppError("bad_request", `Team names are at most ${TEAM_SLUG_MAX} characters.`, { field: "slug" });
  if (!dnsLabel.test(s))
    throw new AppError(
      "bad_request",
      "Team names use lower-case letters, digits and '-', and start and end with a letter or digit.",
      { field: "slug" },
    );
  return s;
}

/** A best-effort slug from free text (an email's local part, a display name). */
export function slugify(text: string, max = TEAM_SLUG_MAX): string {
  const s = text
    .toLowerCase()
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, max)
    .replace(/-+$/g, "");
  return s || "team";
}

export function isDnsLabel(s: string, max = 63): boolean {
  return s.length <= max && dnsLabel.test(s);
}
