import type { recentOperations } from "@/lib/devboxes/queries";

type OperationRow = Awaited<ReturnType<typeof recentOperations>>[number];

/** A devbox's recent operations, newest first: who asked, what the reconciler said, how it ended. */
export function OperationsList({ ops }: { ops: OperationRow[] }) {
  if (ops.length === 0) return <p className="text-sm text-zinc-500">None yet.</p>;
  return (
    <ul className="space-y-2 text-sm" data-testid="operations">
      {ops.map(({ op, actorEmail }) => (
        <li key={op.id} className="flex flex-col gap-x-3 sm:flex-row sm:items-baseline sm:justify-between" data-kind={op.kind} data-status={op.status}>
          <span>
            <span className="font-medium">{op.kind}</span> <span className="break-all text-zinc-500">by {actorEmail ?? "system"}</span>
            {typeof op.details.message === "string" && <span className="block text-xs text-zinc-500" data-testid="operation-message">{op.details.message}</span>}
            {op.error && <span className="block text-xs text-red-600 dark:text-red-400">{op.error}</span>}
          </span>
          <span className="shrink-0 text-xs text-zinc-500">
            {op.status} · <time dateTime={op.requestedAt.toISOString()}>{op.requestedAt.toLocaleString("en-GB", { timeZone: "UTC" })} UTC</time>
          </span>
        </li>
      ))}
    </ul>
  );
}
