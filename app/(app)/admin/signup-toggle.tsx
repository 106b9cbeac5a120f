"use client";

import { useTransition } from "react";
import { Button } from "@/components/ui/button";
import { setSignupOpenAction } from "./actions";

export function SignupToggle({ open }: { open: boolean }) {
  const [pending, start] = useTransition();
  return (
    <div className="flex items-center justify-between gap-4 text-sm">
      <span data-testid="signup-state">Sign-up is {open ? "open to anyone who can reach this dashboard" : "closed"}.</span>
      <Button variant="secondary" className="shrink-0 whitespace-nowrap" disabled={pending} onClick={() => start(async () => void (await setSignupOpenAction(!open)))}>
        {open ? "Close sign-up" : "Open sign-up"}
      </Button>
    </div>
  );
}
