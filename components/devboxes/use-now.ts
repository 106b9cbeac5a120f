"use client";

import { useEffect, useState } from "react";

/**
 * The time, ticking every `everyMs`; null until mounted, so a server-rendered duration never
 * mismatches the browser's clock on hydration.
 */
export function useNow(everyMs = 30_000): number | null {
  const [now, setNow] = useState<number | null>(null);
  useEffect(() => {
    setNow(Date.now());
    const t = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(t);
  }, [everyMs]);
  return now;
}
