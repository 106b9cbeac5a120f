"use client";

import { Button } from "@/components/ui/button";

export default function ErrorPage({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <div role="alert" className="mx-auto max-w-lg py-16 text-center">
      <h2 className="text-lg font-semibold">This page could not be shown</h2>
      <p className="mt-2 text-sm text-zinc-500">{error.digest ? `Error reference ${error.digest}.` : error.message}</p>
      <Button className="mt-6" onClick={reset}>Try again</Button>
    </div>
  );
}
