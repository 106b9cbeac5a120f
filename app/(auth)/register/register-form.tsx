"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { signIn } from "next-auth/react";
import { useEffect, useRef } from "react";
import { Alert } from "@/components/ui/alert";
import { useFormAction } from "@/components/ui/use-form-action";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { registerAction } from "./actions";

export function RegisterForm({ firstUser, callbackUrl = "/" }: { firstUser: boolean; callbackUrl?: string }) {
  const router = useRouter();
  // The password typed, to sign in with it once the account exists.
  const password = useRef("");
  const { state, pending, onSubmit } = useFormAction(registerAction, null);
  const fieldError = (f: string) => (state && !state.ok && state.error.field === f ? state.error.message : undefined);

  // Account created: sign in with the same credentials and go to the personal team.
  useEffect(() => {
    if (!state?.ok) return;
    void signIn("credentials", { redirect: false, email: state.data.email, password: password.current }).then(() => {
      router.replace(callbackUrl);
      router.refresh();
    });
  }, [state, router, callbackUrl]);

  return (
    <form
      onSubmit={(e) => {
        password.current = String(new FormData(e.currentTarget).get("password") ?? "");
        onSubmit(e);
      }}
      className="space-y-4"
      data-testid="register-form"
    >
      <h2 className="text-lg font-semibold">Create an account</h2>
      {firstUser && <Alert tone="info">This is the first account: it becomes the instance administrator.</Alert>}
      {state && !state.ok && !state.error.field && <Alert testId="register-error">{state.error.message}</Alert>}
      <Field id="name" name="name" label="Name" autoComplete="name" error={fieldError("name")} />
      <Field id="email" name="email" type="email" label="Email" autoComplete="email" required error={fieldError("email")} />
      <Field
        id="password"
        name="password"
        type="password"
        label="Password"
        autoComplete="new-password"
        required
        hint="At least 10 characters, mixing letters with digits or symbols."
        error={fieldError("password")}
      />
      <Button type="submit" className="w-full" disabled={pending || state?.ok}>
        {pending ? "Creating your account and team…" : state?.ok ? "Signing in…" : "Create account"}
      </Button>
      <p className="text-center text-sm text-zinc-500">
        Already have an account?{" "}
        <Link href="/login" className="font-medium text-indigo-600 hover:underline dark:text-indigo-400">Sign in</Link>
      </p>
    </form>
  );
}
