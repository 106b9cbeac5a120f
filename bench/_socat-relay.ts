import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";

/**
 * A reference relay for the throughput benches: socat on 127.0.0.1 forwarding each connection to
 * `host:port`, one process doing nothing but read and write with 256 KiB buffers. It measures
 * what any process in the byte path costs on this machine (its copies and its share of the CPUs),
 * so a figure through our relays can be read against the cheapest relay there is, not only
 * against no relay at all.
 */
export interface SocatRelay {
  port: number;
  /** CPU seconds (user + system) socat and its per-connection children have used so far. */
  cpuSeconds(): number;
  stop(): void;
}

export async function startSocatRelay(host: string, port: number): Promise<SocatRelay> {
  const listenPort = await freePort();
  const child: ChildProcess = spawn("socat", ["-b", "262144", `TCP-LISTEN:${listenPort},bind=127.0.0.1,reuseaddr,fork`, `TCP:${host}:${port}`], { stdio: ["ignore", "ignore", "inherit"] });
  const exited = new Promise<never>((_, reject) => child.once("exit", (code) => reject(new Error(`socat exited (${code}) before listening: is socat installed?`))));
  await Promise.race([waitForListen(listenPort), exited]);
  return { port: listenPort, cpuSeconds: () => processTreeCpu(child.pid!), stop: () => void child.kill() };
}

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** A process's own CPU, that of its children it has reaped, and that of its live children (socat forks one per connection). */
function processTreeCpu(pid: number): number {
  const stat = (p: number) => {
    try {
      // The fields after the command's closing parenthesis, from the 3rd (state): utime, stime,
      // cutime and cstime (14th–17th) are at 11–14.
      const line = fs.readFileSync(`/proc/${p}/stat`, "utf8");
      return line.slice(line.lastIndexOf(")") + 2).split(" ").map(Number);
    } catch {
      return null;
    }
  };
  const own = stat(pid);
  if (!own) return 0;
  let ticks = own[11] + own[12] + own[13] + own[14];
  let children: number[] = [];
  try {
    children = fs.readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {}
  for (const c of children) {
    const s = stat(c);
    if (s) ticks += s[11] + s[12];
  }
  return ticks / TICKS_PER_SECOND;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
    s.once("error", reject);
  });
}

async function waitForListen(port: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const ok = await new Promise<boolean>((resolve) => {
      const c = net.connect(port, "127.0.0.1", () => (c.destroy(), resolve(true)));
      c.once("error", () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`socat did not listen on 127.0.0.1:${port}`);
}
