import type { Provider } from "next-auth/providers/index";

/**
 * An OpenID Connect provider, enabled when OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET are
 * set (OIDC_NAME labels the button). Accounts are matched by (issuer, subject), and by email only
 * when the provider verified it (oidc-link.ts).
 */
export function oidcProvider(): Provider[] {
  const { OIDC_ISSUER, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET } = process.env;
  if (!OIDC_ISSUER || !OIDC_CLIENT_ID || !OIDC_CLIENT_SECRET) return [];
  return [
    {
      id: "oidc",
      name: process.env.OIDC_NAME ?? "Single sign-on",
      type: "oauth",
      wellKnown: `${OIDC_ISSUER.replace(/\/$/, "")}/.well-known/openid-configuration`,
      authorization: { params: { scope: "openid email profile" } },
      idToken: true,
      checks: ["pkce", "state"],
      clientId: OIDC_CLIENT_ID,
      clientSecret: OIDC_CLIENT_SECRET,
      profile(p: { sub: string; email?: string; name?: string; preferred_username?: string }) {
        return { id: p.sub, email: p.email, name: p.name ?? p.preferred_username ?? p.email };
      },
    },
  ];
}

export const oidcEnabled = () => oidcProvider().length > 0;

/** The issuer an identity belongs to: the ID token's `iss`, else the configured OIDC_ISSUER. */
export function oidcIssuerOf(claims: { iss?: string } | undefined): string {
  return (claims?.iss ?? process.env.OIDC_ISSUER ?? "").replace(/\/$/, "");
}
