import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { getDb } from "@/db/client";
import { currentUser } from "@/lib/auth/session";
import { dashboardOrigin, safeCallbackPath } from "@/lib/auth/callback-url";
import { isSignupOpen } from "@/lib/settings/instance";
import { countUsers } from "@/lib/users/queries";
import { RegisterForm } from "./register-form";

export const metadata: Metadata = { title: "Create an account" };

export default async function RegisterPage({ searchParams }: { searchParams: Promise<{ callbackUrl?: string }> }) {
  // Only paths on our origin (an invite link sends people here and back).
  const callbackUrl = safeCallbackPath((await searchParams).callbackUrl, dashboardOrigin());
  if (await currentUser()) redirect(callbackUrl);
  const db = await getDb();
  const firstUser = (await countUsers(db)) === 0;
  if (!(await isSignupOpen(db)))
    return (
      <div className="space-y-3 text-sm" data-testid="signup-closed">
        <h2 className="text-lg font-semibold">Sign-up is closed</h2>
        <p className="text-zinc-500">Ask an administrator of this Devbox instance to create an account for you.</p>
        <Link href="/login" className="font-medium text-indigo-600 hover:underline dark:text-indigo-400">Back to sign in</Link>
      </div>
    );
  return <RegisterForm firstUser={firstUser} callbackUrl={callbackUrl} />;
}
