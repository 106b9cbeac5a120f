"use client";

import { useEffect, useRef } from "react";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";

export interface ChartSeries {
  label: string;
  values: (number | null)[];
  color: string;
  /** A dashed line, e.g. a limit. */
  dashed?: boolean;
}

const AXIS = "#71717a"; // zinc-500: readable on both themes
const GRID = "rgba(113,113,122,0.18)";

/**
 * One time-series chart drawn by uPlot on a canvas, as wide as its container (a ResizeObserver
 * follows it). `t` is Unix seconds; `format` labels the y axis and the legend.
 */
export function UplotChart({ title, t, series, format, testId }: { title: string; t: number[]; series: ChartSeries[]; format: (v: number) => string; testId?: string }) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  // The chart's shape (series, labels) is fixed per mount; new data goes through setData.
  const shape = series.map((s) => `${s.label}|${s.color}|${s.dashed ? 1 : 0}`).join(",");

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const fmt = (_u: uPlot, v: number | null) => (v == null ? "–" : format(v));
    const opts: uPlot.Options = {
      width: Math.max(200, el.clientWidth),
      height: 160,
      legend: { show: true },
      cursor: { drag: { x: false, y: false } },
      scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.1 : 1] } },
      axes: [
        { stroke: AXIS, grid: { stroke: GRID }, ticks: { stroke: GRID }, space: 70 },
        { stroke: AXIS, grid: { stroke: GRID }, ticks: { stroke: GRID }, size: 86, values: (_u, splits) => splits.map((v) => format(v)) },
      ],
      series: [{}, ...series.map((s) => ({ label: s.label, stroke: s.color, width: 1.5, dash: s.dashed ? [4, 4] : undefined, spanGaps: false, value: fmt, points: { size: 4 } }))],
    };
    const u = new uPlot(opts, [t, ...series.map((s) => s.values)] as uPlot.AlignedData, el);
    plot.current = u;
    const ro = new ResizeObserver(() => u.setSize({ width: Math.max(200, el.clientWidth), height: 160 }));
    ro.observe(el);
    return () => {
      ro.disconnect();
      u.destroy();
      plot.current = null;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps -- rebuilt only when the shape changes
  }, [shape]);

  useEffect(() => {
    plot.current?.setData([t, ...series.map((s) => s.values)] as uPlot.AlignedData);
  }, [t, series]);

  return (
    <figure className="min-w-0" data-testid={testId}>
      <figcaption className="mb-1 text-sm font-medium">{title}</figcaption>
      <div ref={box} className="w-full overflow-hidden text-xs" />
    </figure>
  );
}
