"use client";

import { useRouter } from "next/navigation";
import { useEffect, useRef } from "react";
import type { DevboxView } from "@/lib/devboxes/view";

/**
 * Re-renders the page's server parts (recent operations, events, last snapshot) when the live view
 * says something they show has moved: state, request under way, snapshot progress.
 */
export function useRefreshOnChange(d: DevboxView | undefined): void {
  const router = useRouter();
  const key = d ? `${d.status.state}|${d.pendingOperation}|${d.desiredState}|${d.podGeneration}|${d.status.commit?.phase ?? ""}` : "gone";
  const last = useRef(key);
  useEffect(() => {
    if (last.current === key) return;
    last.current = key;
    router.refresh();
  }, [key, router]);
}
