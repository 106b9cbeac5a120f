"use client";

import { signOut } from "next-auth/react";
import { Button } from "@/components/ui/button";

export function SignOutButton() {
  return (
    <Button variant="ghost" data-testid="sign-out" onClick={() => signOut({ callbackUrl: "/login" })}>
      Sign out
    </Button>
  );
}
