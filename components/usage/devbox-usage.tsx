"use client";

import { useCallback, useEffect, useMemo, useState } from "react";
import { Alert } from "@/components/ui/alert";
import { Card } from "@/components/ui/card";
import type { DevboxUsageView } from "@/lib/usage/schemas";
import type { UsageWarning } from "@/lib/usage/warnings";
import { formatBytes, formatCores, formatRate } from "./format";
import { fetchDevboxUsage } from "./usage-api";
import { UplotChart, type ChartSeries } from "./uplot-chart";

const POLL_MS = 30_000;

// One poll feeds both: the charts' GET …/usage carries the warnings (whatever the window), and the
// banner listens for them here instead of fetching the same route on its own timer.
const warningsFeed = new EventTarget();
type WarningsEvent = CustomEvent<{ key: string; warnings: UsageWarning[] }>;
const feedKey = (team: string, devbox: string) => `${team}/${devbox}`;

/**
 * Memory or disk near its limit: a banner at the top of the devbox's page, first from the server,
 * then refreshed by DevboxUsage's poll (the warnings of GET …/usage, every 30 s).
 */
export function UsageWarnings({ team, devbox, initial }: { team: string; devbox: string; initial: UsageWarning[] }) {
  const [warnings, setWarnings] = useState(initial);
  useEffect(() => {
    const key = feedKey(team, devbox);
    const onWarnings = (e: Event) => {
      const { detail } = e as WarningsEvent;
      if (detail.key === key) setWarnings(detail.warnings);
    };
    warningsFeed.addEventListener("warnings", onWarnings);
    return () => warningsFeed.removeEventListener("warnings", onWarnings);
  }, [team, devbox]);
  if (warnings.length === 0) return null;
  return (
    <div className="space-y-2" data-testid="usage-warnings">
      {warnings.map((w) => (
        <Alert key={w.kind} tone="warning" testId={`usage-warning-${w.kind}`}>
          {w.message}
        </Alert>
      ))}
    </div>
  );
}

/**
 * The devbox's CPU, memory, disk and network for the last hour or day (uPlot charts from
 * GET …/usage). Polls while the page is open.
 */
export function DevboxUsage({ team, devbox }: { team: string; devbox: string }) {
  const [span, setSpan] = useState<"hour" | "day">("hour");
  const [data, setData] = useState<DevboxUsageView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(
    () =>
      fetchDevboxUsage(team, devbox, span).then(
        (d) => {
          setData(d);
          setError(null);
          warningsFeed.dispatchEvent(new CustomEvent("warnings", { detail: { key: feedKey(team, devbox), warnings: d.warnings } }));
        },
        (e: Error) => setError(e.message),
      ),
    [team, devbox, span],
  );
  useEffect(() => {
    void load();
    const poll = setInterval(load, POLL_MS);
    return () => clearInterval(poll);
  }, [load]);

  const charts = useMemo(() => (data ? chartsOf(data) : null), [data]);
  const sampled = data?.series.cpuMillis.some((v) => v !== null);
  const tab = (w: "hour" | "day", label: string) => (
    <button
      type="button"
      onClick={() => setSpan(w)}
      aria-pressed={span === w}
      data-testid={`usage-window-${w}`}
      className={`rounded px-2 py-1 text-xs ${span === w ? "bg-zinc-200 font-medium dark:bg-zinc-700" : "text-zinc-500 hover:bg-zinc-100 dark:hover:bg-zinc-800"}`}
    >
      {label}
    </button>
  );
  return (
    <Card
        title="Usage"
        description={span === "hour" ? "Last hour, 1-minute points." : "Last day, 15-minute points."}
        actions={
          <div className="flex gap-1" role="group" aria-label="Time window">
            {tab("hour", "Last hour")}
            {tab("day", "Last day")}
          </div>
        }
      >
        <div data-testid="usage-charts" data-state={!data ? "loading" : sampled ? "data" : "empty"}>
          {error && <p className="text-sm text-red-600 dark:text-red-400">{error}</p>}
          {!data && !error && <p className="text-sm text-zinc-500">Loading…</p>}
          {data && !sampled && <p className="mb-3 text-sm text-zinc-500">No samples in this window yet: usage is recorded every 20 s while the devbox runs.</p>}
          {charts && (
            <div className="grid gap-6 md:grid-cols-2">
              {charts.map((c) =>
                c.series.some((s) => !s.dashed && s.values.some((v) => v !== null)) || c.testId !== "usage-chart-network" ? (
                  <UplotChart key={`${span}-${c.title}`} {...c} t={data!.series.t} />
                ) : (
                  // The bundled cluster's kubelet reports no Pod network counters: say so instead of an empty chart.
                  <figure key={c.title} data-testid={c.testId} data-empty="true">
                    <figcaption className="mb-1 text-sm font-medium">{c.title}</figcaption>
                    <p className="text-sm text-zinc-500">No network figures in this window: the cluster&apos;s kubelet does not report them for this devbox.</p>
                  </figure>
                ),
              )}
            </div>
          )}
        </div>
    </Card>
  );
}

function chartsOf(d: DevboxUsageView): { title: string; testId: string; series: ChartSeries[]; format: (v: number) => string }[] {
  const limit = (v: number) => d.series.t.map(() => v);
  return [
    {
      title: "CPU",
      testId: "usage-chart-cpu",
      format: formatCores,
      series: [
        { label: "used (avg)", values: d.series.cpuMillis, color: "#6366f1" },
        { label: "limit", values: limit(d.limits.cpuMillis), color: "#a1a1aa", dashed: true },
      ],
    },
    {
      title: "Memory",
      testId: "usage-chart-memory",
      format: formatBytes,
      series: [
        { label: "working set (peak)", values: d.series.memoryBytes, color: "#0ea5e9" },
        { label: "limit", values: limit(d.limits.memoryBytes), color: "#a1a1aa", dashed: true },
      ],
    },
    {
      title: "Disk (writable layer and logs)",
      testId: "usage-chart-disk",
      format: formatBytes,
      series: [
        { label: "used (peak)", values: d.series.diskBytes, color: "#f59e0b" },
        { label: "limit", values: limit(d.limits.diskBytes), color: "#a1a1aa", dashed: true },
      ],
    },
    {
      title: "Network",
      testId: "usage-chart-network",
      format: formatRate,
      series: [
        { label: "in", values: d.series.rxBytesPerSec, color: "#10b981" },
        { label: "out", values: d.series.txBytesPerSec, color: "#ef4444" },
      ],
    },
  ];
}
