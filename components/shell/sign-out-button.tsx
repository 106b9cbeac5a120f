"use client";

import { signOut } from "next-auth/react";
import { useState } from "react";
import { signOutEverywhereAction } from "@/app/(app)/actions";
import { Button } from "@/components/ui/button";
import { announceSigningOut } from "./signing-out";

export function SignOutButton() {
  return (
    <Button variant="ghost" data-testid="sign-out" onClick={() => (announceSigningOut(), signOut({ callbackUrl: "/login" }))}>
      Sign out
    </Button>
  );
}

/** Revokes every session of the account (other browsers, copied cookies), then this one. */
export function SignOutEverywhereButton() {
  const [pending, setPending] = useState(false);
  return (
    <Button
      variant="ghost"
      data-testid="sign-out-everywhere"
      disabled={pending}
      title="Sign out on every device and browser"
      onClick={async () => {
        setPending(true);
        announceSigningOut();
        await signOutEverywhereAction();
        await signOut({ callbackUrl: "/login" });
      }}
    >
      Sign out everywhere
    </Button>
  );
}
