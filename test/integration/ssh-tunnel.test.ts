import { createHash, randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { podName } from "@/lib/devboxes/k8s-objects";
import { createDevbox } from "@/lib/devboxes/service";
import { kubeConfig } from "@/lib/k8s/config";
import { openPortForward, type PodPipe } from "@/lib/ssh/tunnel";
import { eventually, openDevboxWorld, waitForState, type DevboxWorld } from "./devbox-harness";
import { sh } from "./snapshot-helpers";

// lib/ssh/tunnel.ts's port-forward pipe (what server/ws/ssh.ts bridges to sshd) against servers
// inside a real devbox: writes made while a frame is in flight leave coalesced, and must arrive
// whole and in order; the queue counts in `buffered`, so the bridge's high-water rule holds a
// fast writer back against a slow reader.

const HIGH_WATER = 1 << 20; // server/ws/ssh.ts's mark
const sum = (b: Buffer) => createHash("sha256").update(b).digest("hex");

describe("ssh tunnel: the port-forward pipe", () => {
  let w: DevboxWorld;
  let pod: string;

  beforeAll(async () => {
    w = await openDevboxWorld({ who: "tunnel" });
    const d = await createDevbox(w.db, w.team, w.owner.id, { name: "pipe", templateId: w.templateId, cpuMillis: 250, memoryMiB: 256, diskMiB: 1024 });
    await waitForState(w.db, w.team, "pipe", "Running");
    pod = podName(d);
    // perl is in every Debian image: an echo server, and a sink that reads 64 KiB per 10 ms and
    // keeps the count of what it got in a file.
    const echo = `perl -MIO::Socket::INET -e '$s=IO::Socket::INET->new(LocalAddr=>"127.0.0.1",LocalPort=>9100,Listen=>5,ReuseAddr=>1) or die; while($c=$s->accept){while(sysread($c,$b,65536)){syswrite($c,$b)} close $c}'`;
    const sink = `perl -MIO::Socket::INET -e '$s=IO::Socket::INET->new(LocalAddr=>"127.0.0.1",LocalPort=>9101,Listen=>5,ReuseAddr=>1) or die; while($c=$s->accept){$n=0; while($r=sysread($c,$b,65536)){$n+=$r; open(F,">/tmp/sink.tmp"); print F $n; close F; rename("/tmp/sink.tmp","/tmp/sink.count"); select(undef,undef,undef,0.01)} close $c}'`;
    await sh(w.team.namespace, pod, `for s in '${echo.replace(/'/g, `'\\''`)}' '${sink.replace(/'/g, `'\\''`)}'; do setsid nohup sh -c "$s" </dev/null >/dev/null 2>&1 & done; sleep 1; echo ok`);
  }, 300_000);

  afterAll(async () => {
    await w?.close();
  });

  const open = async (port: number) => {
    const got: Buffer[] = [];
    let ended: string | undefined | null = null;
    const pipe = await openPortForward(kubeConfig(), w.team.namespace, pod, port, { data: (b) => got.push(Buffer.from(b)), end: (e) => (ended = e) });
    return { pipe, got, ended: () => ended };
  };
  const write = (pipe: PodPipe, b: Buffer) => new Promise<void>((resolve, reject) => pipe.write(b, (err) => (err ? reject(err) : resolve())));

  it("thousands of small writes issued at once come back from an echo server whole and in order; `buffered` counts the queued ones", async () => {
    const { pipe, got } = await open(9100);
    try {
      const parts = Array.from({ length: 3000 }, () => randomBytes(1 + Math.floor(Math.random() * 4096)));
      const all = Buffer.concat(parts);
      const done = parts.map((p) => write(pipe, p));
      // Everything after the first frame waits in the pipe's queue, and is counted.
      expect(pipe.buffered).toBeGreaterThanOrEqual(all.length - parts[0].length);
      await Promise.all(done);
      await eventually("the echo", async () => (got.reduce((n, b) => n + b.length, 0) >= all.length ? true : undefined), 60_000);
      expect(sum(Buffer.concat(got))).toBe(sum(all));
      expect(pipe.buffered).toBe(0);
    } finally {
      pipe.close();
    }
  }, 120_000);

  it("a writer that stops at the high-water mark (as the bridge does) stays below it plus one write against a slow reader, and every byte arrives", async () => {
    const { pipe } = await open(9101);
    const total = 12 * 1024 * 1024;
    const chunk = 64 * 1024;
    let sent = 0;
    let most = 0;
    let pauses = 0;
    try {
      while (sent < total) {
        if (pipe.buffered >= HIGH_WATER) {
          pauses++;
          // Like server/ws/ssh.ts: paused until a write completes with less than the mark queued.
          await new Promise<void>((resolve) => {
            const tick = setInterval(() => pipe.buffered < HIGH_WATER && (clearInterval(tick), resolve()), 5);
          });
          continue;
        }
        const p = write(pipe, randomBytes(chunk));
        sent += chunk;
        most = Math.max(most, pipe.buffered);
        if (sent >= total) await p;
      }
      // The mark was reached (so `buffered` sees the backlog; a count that missed it would never pause)...
      expect(pauses).toBeGreaterThan(0);
      // ...and never passed by more than one write.
      expect(most).toBeLessThanOrEqual(HIGH_WATER + chunk);
      // The sink reads slowly (≈6 MB/s): had the writes not been held back, `most` would be ~12 MiB.
      const count = () => sh(w.team.namespace, pod, "cat /tmp/sink.count 2>/dev/null || echo 0").then((s) => Number(s.trim()));
      await eventually(`the sink has all ${total} bytes`, async () => ((await count()) === total ? true : undefined), 90_000);
    } finally {
      pipe.close();
    }
  }, 180_000);
});
