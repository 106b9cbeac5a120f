"use client";

import { useState, useTransition } from "react";
import { decideDeviceLoginAction } from "@/app/(auth)/device/actions";
import { Button } from "@/components/ui/button";

/** The approval card: what asks for access, with which scopes, and two buttons. */
export function DeviceApproval({
  code,
  email,
  request,
  scopes,
}: {
  code: string;
  email: string;
  request: { clientName: string; createdAt: string; userCode: string } | null;
  scopes: string[];
}) {
  const [done, setDone] = useState<"approved" | "denied" | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [pending, startTransition] = useTransition();
  if (!request)
    return (
      <div data-testid="device-missing">
        <h2 className="text-lg font-semibold">No such login request</h2>
        <p className="mt-2 text-sm text-zinc-600 dark:text-zinc-400">
          {code ? `The code ${code} expired or was already used.` : "Open the link devbox login printed."} Run <code>devbox login</code> again.
        </p>
      </div>
    );
  if (done)
    return (
      <p data-testid="device-done" className="text-sm">
        {done === "approved" ? "Approved. You can close this page: the CLI is logged in." : "Refused. The CLI gets no access."}
      </p>
    );
  const decide = (approve: boolean) =>
    startTransition(async () => {
      const r = await decideDeviceLoginAction(request.userCode, approve);
      if (r.ok) setDone(approve ? "approved" : "denied");
      else setError(r.error.message);
    });
  return (
    <div className="space-y-4" data-testid="device-approval">
      <h2 className="text-lg font-semibold">Log in {request.clientName}?</h2>
      <p className="text-sm text-zinc-600 dark:text-zinc-400">
        Check that the CLI shows this code: <span className="font-mono text-base font-semibold text-zinc-900 dark:text-zinc-100" data-testid="device-code">{request.userCode}</span>
      </p>
      <p className="text-sm text-zinc-600 dark:text-zinc-400">
        It gets an API token as {email} with {scopes.join(", ")} for 30 days (revoke it under Tokens).
      </p>
      {error && <p role="alert" className="text-sm text-red-600">{error}</p>}
      <div className="flex gap-2">
        <Button disabled={pending} onClick={() => decide(true)}>Approve</Button>
        <Button variant="ghost" disabled={pending} onClick={() => decide(false)}>Refuse</Button>
      </div>
    </div>
  );
}
