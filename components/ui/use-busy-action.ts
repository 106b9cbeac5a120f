"use client";

import { useState } from "react";

/**
 * One action at a time for a panel of buttons that call the REST API: `busy` disables the
 * buttons while it runs, its error (the API's message) is kept for an Alert, and the panel's
 * data is refreshed after a success.
 */
export function useBusyAction(refresh: () => Promise<unknown>) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const act = async (work: () => Promise<unknown>) => {
    setError(null);
    setBusy(true);
    try {
      await work();
      await refresh();
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };
  return { act, busy, error, setError };
}
