import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { getDb } from "@/db/client";
import { currentUser } from "@/lib/auth/session";
import { dashboardOrigin, safeCallbackPath } from "@/lib/auth/callback-url";
import { oidcEnabled } from "@/lib/auth/oidc";
import { oidcRefusalMessage, type OidcRefusal } from "@/lib/auth/oidc-link";
import { firstAccountPending } from "@/lib/users/first-visit";
import { LoginForm } from "./login-form";

export const metadata: Metadata = { title: "Sign in" };

export default async function LoginPage({ searchParams }: { searchParams: Promise<{ callbackUrl?: string; error?: string }> }) {
  if (await currentUser()) redirect("/");
  // Nobody to sign in as yet: the first visit creates the administrator's account.
  if (await firstAccountPending(await getDb())) redirect("/register");
  const { callbackUrl, error } = await searchParams;
  // Only paths on our origin: an open redirect after sign-in would be a phishing aid.
  const safeCallback = safeCallbackPath(callbackUrl, dashboardOrigin());
  // Only known codes are shown (the parameter is attacker-controlled text otherwise).
  const initialError = error && error in oidcRefusalMessage ? oidcRefusalMessage[error as OidcRefusal] : null;
  return <LoginForm initialError={initialError} callbackUrl={safeCallback} oidc={oidcEnabled() ? (process.env.OIDC_NAME ?? "Single sign-on") : null} />;
}
