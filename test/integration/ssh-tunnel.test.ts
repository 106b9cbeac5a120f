import { createHash, randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { podName } from "@/lib/devboxes/k8s-objects";
import { createDevbox } from "@/lib/devboxes/service";
import { kubeConfig } from "@/lib/k8s/config";
import { devboxPodCache } from "@/lib/k8s/pod-cache";
import { openDirect, openPortForward, openSshPipe, podNetwork, PodNetworkUnreachable, type PodPipe } from "@/lib/ssh/tunnel";
import { eventually, openDevboxWorld, waitForState, type DevboxWorld } from "./devbox-harness";
import { untilListening } from "./cluster-helpers";
import { sh } from "./snapshot-helpers";

// lib/ssh/tunnel.ts's pipes (what server/ws/ssh.ts bridges to sshd) against servers inside a real
// devbox. Port-forward: writes made while a frame is in flight leave coalesced, and must arrive
// whole and in order; the queue counts in `buffered`, so the bridge's high-water rule holds a
// fast writer back against a slow reader. Direct: reads land in reused buffers, and a chunk stays
// intact until its consumer says it is done with it. "auto" falls back to port-forward when the
// Pod network does not answer.

const HIGH_WATER = 1 << 20; // server/ws/ssh.ts's mark
const sum = (b: Buffer) => createHash("sha256").update(b).digest("hex");

describe("ssh tunnel: the port-forward pipe", () => {
  let w: DevboxWorld;
  let pod: string;
  let podIP: string;

  beforeAll(async () => {
    w = await openDevboxWorld({ who: "tunnel" });
    const d = await createDevbox(w.db, w.team, w.owner.id, { name: "pipe", templateId: w.templateId, cpuMillis: 250, memoryMiB: 256, diskMiB: 1024 });
    await waitForState(w.db, w.team, "pipe", "Running");
    pod = podName(d);
    podIP = devboxPodCache().podsOf(d.id).find((p) => p.metadata?.name === pod)!.status!.podIP!;
    // perl is in every Debian image: an echo server, and a sink that reads 64 KiB per 10 ms and
    // keeps the count of what it got in a file.
    const echo = `perl -MIO::Socket::INET -e '$s=IO::Socket::INET->new(LocalAddr=>"127.0.0.1",LocalPort=>9100,Listen=>5,ReuseAddr=>1) or die; while($c=$s->accept){while(sysread($c,$b,65536)){syswrite($c,$b)} close $c}'`;
    const sink = `perl -MIO::Socket::INET -e '$s=IO::Socket::INET->new(LocalAddr=>"127.0.0.1",LocalPort=>9101,Listen=>5,ReuseAddr=>1) or die; while($c=$s->accept){$n=0; while($r=sysread($c,$b,65536)){$n+=$r; open(F,">/tmp/sink.tmp"); print F $n; close F; rename("/tmp/sink.tmp","/tmp/sink.count"); select(undef,undef,undef,0.01)} close $c}'`;
    // The same echo on the Pod IP, for the direct pipe.
    const echoOut = echo.replace('"127.0.0.1",LocalPort=>9100', '"0.0.0.0",LocalPort=>9102');
    await sh(w.team.namespace, pod, `for s in '${[echo, sink, echoOut].map((x) => x.replace(/'/g, `'\\''`)).join("' '")}'; do setsid nohup sh -c "$s" </dev/null >/dev/null 2>&1 & done; ${[9100, 9101, 9102].map((p) => untilListening(p)).join(" && ")} && echo ok`);
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

  it("direct: chunks read into reused buffers stay intact until their consumer is done with them, and a fast echo comes back whole", async () => {
    // The consumer keeps each chunk for a while before done() (as the bridge does until the
    // websocket took it) and copies it only then: a buffer reused too early would show.
    const got: Buffer[] = [];
    const pending: Promise<void>[] = [];
    let ended: string | undefined | null = null;
    const pipe = await openDirect(podIP, 9102, {
      data(chunk, done) {
        const at = pending.length;
        pending.push(
          new Promise<void>((r) =>
            setTimeout(() => {
              got[at] = Buffer.from(chunk);
              done();
              r();
            }, Math.random() * 20),
          ),
        );
      },
      end: (e) => (ended = e),
    });
    try {
      const all = randomBytes(24 * 1024 * 1024);
      for (let at = 0; at < all.length; at += 1 << 20) await write(pipe, all.subarray(at, at + (1 << 20)));
      const received = async () => (await Promise.all([...pending]), got.reduce((n, b) => n + b.length, 0));
      await eventually("the echo", async () => ((await received()) >= all.length ? true : undefined), 90_000);
      expect(sum(Buffer.concat(got))).toBe(sum(all));
      expect(ended).toBe(null);
    } finally {
      pipe.close();
    }
  }, 120_000);

  it("auto: a Pod IP that does not answer falls back to port-forward (and is remembered); direct alone fails; a refused port is not a fallback", async () => {
    podNetwork.unreachableUntil = 0;
    // An unused address next to the Pod's on the node's pod bridge: nothing answers it.
    const silent = podIP.replace(/\.\d+$/, ".254");
    const noop = { data: () => {}, end: () => {} };
    await expect(openSshPipe(kubeConfig(), { namespace: w.team.namespace, name: pod, ip: silent }, 9100, noop, { setting: "direct", connectTimeoutMs: 500 })).rejects.toBeInstanceOf(PodNetworkUnreachable);
    expect(podNetwork.unreachableUntil).toBe(0);
    const got: Buffer[] = [];
    const auto = await openSshPipe(kubeConfig(), { namespace: w.team.namespace, name: pod, ip: silent }, 9100, { data: (b) => got.push(Buffer.from(b)), end: () => {} }, { setting: "auto", connectTimeoutMs: 500 });
    try {
      expect(auto.transport).toBe("port-forward");
      expect(podNetwork.unreachableUntil).toBeGreaterThan(Date.now());
      const hello = randomBytes(1000);
      await write(auto.pipe, hello);
      await eventually("the echo", async () => (Buffer.concat(got).equals(hello) ? true : undefined), 30_000);
    } finally {
      auto.pipe.close();
    }
    // Remembered: the next "auto" connection does not try the Pod IP again, even a good one.
    const next = await openSshPipe(kubeConfig(), { namespace: w.team.namespace, name: pod, ip: podIP }, 9100, noop, { setting: "auto" });
    next.pipe.close();
    expect(next.transport).toBe("port-forward");
    podNetwork.unreachableUntil = 0;
    const direct = await openSshPipe(kubeConfig(), { namespace: w.team.namespace, name: pod, ip: podIP }, 9102, noop, { setting: "auto" });
    direct.pipe.close();
    expect(direct.transport).toBe("direct");
    // sshd not listening (a closed port) is the connection's failure, not a reason to fall back.
    await expect(openSshPipe(kubeConfig(), { namespace: w.team.namespace, name: pod, ip: podIP }, 9199, noop, { setting: "auto" })).rejects.toMatchObject({ code: "ECONNREFUSED" });
    expect(podNetwork.unreachableUntil).toBe(0);
  }, 60_000);
});
