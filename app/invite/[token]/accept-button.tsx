"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { Button } from "@/components/ui/button";
import { acceptInviteAction } from "./actions";

export function AcceptInviteButton({ token }: { token: string }) {
  const router = useRouter();
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  return (
    <div className="space-y-2">
      <Button
        data-testid="invite-accept"
        disabled={pending}
        onClick={async () => {
          setPending(true);
          const r = await acceptInviteAction(token);
          if (r.ok) {
            router.replace(`/t/${r.data.team}`);
            router.refresh();
          } else {
            setError(r.error.message);
            setPending(false);
          }
        }}
      >
        {pending ? "Joining…" : "Join the team"}
      </Button>
      {error && <p className="text-sm text-red-600" role="alert" data-testid="invite-error">{error}</p>}
    </div>
  );
}
