// Kubernetes resource quantities ("500m", "2", "16Gi", "1G") as plain numbers.

const binary: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50 };
const decimal: Record<string, number> = { k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15 };

/** CPU in millicores ("250m", "2"; the Metrics API's "123456789n" and "12u" give fractions). */
export function parseCpuMillis(q: string): number {
  const m = /^(\d+(?:\.\d+)?)([mun]?)$/.exec(q.trim());
  if (!m) throw new Error(`not a CPU quantity: ${q}`);
  if (m[2] === "n") return Number(m[1]) / 1e6;
  if (m[2] === "u") return Number(m[1]) / 1e3;
  return m[2] ? Number(m[1]) : Math.round(Number(m[1]) * 1000);
}

/** Bytes. */
export function parseBytes(q: string): number {
  const m = /^(\d+(?:\.\d+)?)([KMGTP]i|[kMGTP])?$/.exec(q.trim());
  if (!m) throw new Error(`not a byte quantity: ${q}`);
  const unit = m[2] ? (binary[m[2]] ?? decimal[m[2]]) : 1;
  return Math.round(Number(m[1]) * unit);
}

export const parseMiB = (q: string) => parseBytes(q) / 2 ** 20;
