"use client";

import { useEffect, useState } from "react";
import { isSigningOut, onSigningOut } from "@/components/shell/signing-out";
import type { DevboxView } from "@/lib/devboxes/view";

/**
 * The team's devboxes, kept live by the server-sent event stream. Starts from the server-rendered
 * list; EventSource reconnects by itself after a network drop and then sends a fresh snapshot.
 */
export function useDevboxStream(teamSlug: string, initial: DevboxView[]): { devboxes: DevboxView[]; connected: boolean } {
  const [devboxes, setDevboxes] = useState(initial);
  const [connected, setConnected] = useState(false);
  useEffect(() => {
    if (isSigningOut()) return;
    const source = new EventSource(`/api/v1/teams/${teamSlug}/devboxes/events`);
    // This page signs out (the session ends on the server first): stop before it is refused.
    const unsubscribe = onSigningOut(() => source.close());
    source.addEventListener("open", () => setConnected(true));
    source.addEventListener("error", () => setConnected(false));
    source.addEventListener("snapshot", (e) => setDevboxes(JSON.parse((e as MessageEvent).data)));
    source.addEventListener("devbox", (e) => {
      const d = JSON.parse((e as MessageEvent).data) as DevboxView;
      setDevboxes((list) => {
        const i = list.findIndex((x) => x.id === d.id);
        return i < 0 ? [...list, d] : list.map((x) => (x.id === d.id ? d : x));
      });
    });
    source.addEventListener("removed", (e) => {
      const { id } = JSON.parse((e as MessageEvent).data) as { id: string };
      setDevboxes((list) => list.filter((x) => x.id !== id));
    });
    // Access revoked (signed out everywhere, removed from the team): stop, and let the server
    // decide where the page goes (the sign-in page or a 404).
    source.addEventListener("revoked", () => {
      source.close();
      setConnected(false);
      window.location.reload();
    });
    return () => {
      unsubscribe();
      source.close();
    };
  }, [teamSlug]);
  return { devboxes, connected };
}
