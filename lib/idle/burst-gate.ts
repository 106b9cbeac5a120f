/**
 * Encrypted SSH hides what its packets are, and an idle session still exchanges keepalives
 * (ServerAliveInterval 30 in our ssh config: one small packet each way every 30 s). So SSH bytes
 * count as activity only in bursts: at least `minPackets` packets (either direction) within
 * `windowMs`. Typing (a packet per key, plus its echo) and output (a build) pass; keepalives do not.
 */
export class BurstGate {
  private times: number[] = [];

  constructor(
    private readonly minPackets = 6,
    private readonly windowMs = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** One packet seen; true when it is part of a burst (then it is activity). */
  packet(): boolean {
    const t = this.now();
    const from = t - this.windowMs;
    while (this.times.length && this.times[0] < from) this.times.shift();
    this.times.push(t);
    // Bounded: only the last minPackets matter.
    if (this.times.length > this.minPackets) this.times.shift();
    return this.times.length >= this.minPackets;
  }
}
