"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { signIn } from "next-auth/react";
import { useState } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";

export function LoginForm({ callbackUrl, oidc, initialError = null }: { callbackUrl: string; oidc: string | null; initialError?: string | null }) {
  const router = useRouter();
  const [error, setError] = useState<string | null>(initialError);
  const [pending, setPending] = useState(false);

  async function onSubmit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    setPending(true);
    setError(null);
    const form = new FormData(e.currentTarget);
    const res = await signIn("credentials", {
      redirect: false,
      email: String(form.get("email") ?? ""),
      password: String(form.get("password") ?? ""),
    });
    if (!res || res.error) {
      setPending(false);
      // A refusal by the rate limit (429) carries its own sentence; any other is a bad password.
      setError(res?.status === 429 && res.error ? res.error : "Wrong email or password.");
      return;
    }
    router.replace(callbackUrl);
    router.refresh();
  }

  return (
    <form onSubmit={onSubmit} className="space-y-4" data-testid="login-form">
      <h2 className="text-lg font-semibold">Sign in</h2>
      {error && <Alert testId="login-error">{error}</Alert>}
      <Field id="email" name="email" type="email" label="Email" autoComplete="email" required autoFocus />
      <Field id="password" name="password" type="password" label="Password" autoComplete="current-password" required />
      <Button type="submit" className="w-full" disabled={pending}>
        {pending ? "Signing in…" : "Sign in"}
      </Button>
      {oidc && (
        <Button type="button" variant="secondary" className="w-full" onClick={() => signIn("oidc", { callbackUrl })}>
          Continue with {oidc}
        </Button>
      )}
      <p className="text-center text-sm text-zinc-500">
        New here?{" "}
        <Link href="/register" className="font-medium text-indigo-600 hover:underline dark:text-indigo-400">
          Create an account
        </Link>
      </p>
    </form>
  );
}
