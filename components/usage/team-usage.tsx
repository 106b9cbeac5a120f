import Link from "next/link";
import { Card } from "@/components/ui/card";
import type { TeamUsageView } from "@/lib/usage/schemas";
import { formatBytes, formatCores } from "./format";

function Meter({ label, used, hard, format, testId }: { label: string; used: number; hard: number | null; format: (v: number) => string; testId: string }) {
  const ratio = hard ? Math.min(1, used / hard) : 0;
  const tone = ratio >= 0.9 ? "bg-red-500" : ratio >= 0.75 ? "bg-amber-500" : "bg-indigo-500";
  return (
    <div data-testid={testId}>
      <div className="flex flex-wrap justify-between gap-x-4 text-sm">
        <span>{label}</span>
        <span className="text-zinc-500">
          {format(used)} {hard !== null ? `of ${format(hard)}` : "(no quota)"}
        </span>
      </div>
      {hard !== null && (
        <div className="mt-1 h-2 rounded bg-zinc-200 dark:bg-zinc-800" role="meter" aria-label={label} aria-valuemin={0} aria-valuemax={hard} aria-valuenow={used}>
          <div className={`h-2 rounded ${tone}`} style={{ width: `${Math.round(ratio * 100)}%` }} />
        </div>
      )}
    </div>
  );
}

/** The team's usage page: what runs, requests and limits against the quota, snapshot storage, top consumers. */
export function TeamUsagePanel({ team, usage }: { team: string; usage: TeamUsageView }) {
  const q = usage.quota;
  const count = (n: number) => String(n);
  return (
    <div className="space-y-6" data-testid="team-usage">
      <div className="grid gap-4 sm:grid-cols-3">
        <Card>
          <p className="text-sm text-zinc-500">Devboxes running</p>
          <p className="text-2xl font-semibold" data-testid="usage-devboxes-running">
            {usage.devboxesRunning} <span className="text-sm font-normal text-zinc-500">of {usage.devboxesTotal}</span>
          </p>
        </Card>
        <Card>
          <p className="text-sm text-zinc-500">Apps running</p>
          <p className="text-2xl font-semibold" data-testid="usage-apps-running">{usage.appsRunning}</p>
        </Card>
        <Card>
          <p className="text-sm text-zinc-500">Snapshot storage</p>
          <p className="text-2xl font-semibold">{formatBytes(usage.snapshotStorage.usedBytes)}</p>
          <p className="text-xs text-zinc-500">of {formatBytes(usage.snapshotStorage.quotaBytes)}</p>
        </Card>
      </div>
      <Card title="Quota" description="What the team's Pods ask for and may use at most, as Kubernetes counts it.">
        {q ? (
          <div className="grid gap-4 md:grid-cols-2">
            <Meter label="CPU requests" used={q.cpuRequestsMillis.used} hard={q.cpuRequestsMillis.hard} format={formatCores} testId="quota-cpu-requests" />
            <Meter label="Memory requests" used={q.memoryRequestsBytes.used} hard={q.memoryRequestsBytes.hard} format={formatBytes} testId="quota-memory-requests" />
            <Meter label="CPU limits" used={q.cpuLimitsMillis.used} hard={q.cpuLimitsMillis.hard} format={formatCores} testId="quota-cpu-limits" />
            <Meter label="Memory limits" used={q.memoryLimitsBytes.used} hard={q.memoryLimitsBytes.hard} format={formatBytes} testId="quota-memory-limits" />
            <Meter label="Disk limits" used={q.diskLimitsBytes.used} hard={q.diskLimitsBytes.hard} format={formatBytes} testId="quota-disk-limits" />
            <Meter label="Pods" used={q.pods.used} hard={q.pods.hard} format={count} testId="quota-pods" />
          </div>
        ) : (
          <p className="text-sm text-zinc-500">The quota cannot be read right now (the cluster is not answering).</p>
        )}
      </Card>
      <Card title="Top consumers" description="Devboxes that used the most in the last hour.">
        {usage.topConsumers.length === 0 ? (
          <p className="text-sm text-zinc-500">Nothing sampled in the last hour.</p>
        ) : (
          <div className="overflow-x-auto">
            <table className="w-full text-sm" data-testid="top-consumers">
              <thead className="text-left text-xs text-zinc-500">
                <tr>
                  <th className="py-1 pr-4 font-medium">Devbox</th>
                  <th className="py-1 pr-4 font-medium">CPU (average)</th>
                  <th className="py-1 font-medium">Memory (peak)</th>
                </tr>
              </thead>
              <tbody>
                {usage.topConsumers.map((c) => (
                  <tr key={c.name} className="border-t border-zinc-100 dark:border-zinc-800">
                    <td className="py-1 pr-4">
                      <Link href={`/t/${team}/devboxes/${c.name}`} className="text-indigo-600 hover:underline">{c.name}</Link>
                    </td>
                    <td className="py-1 pr-4">{formatCores(c.cpuMillis)}</td>
                    <td className="py-1">{formatBytes(c.memoryBytes)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Card>
    </div>
  );
}
