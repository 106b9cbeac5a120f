// What `devbox-cluster node remove 2` (cluster/lib/node2.sh) must have taken away: the network
// namespace, the veth, the host routes, the NAT rules, node 2's entries in the apiserver guard,
// mounts, processes (node 2's own and the relays on the host) and cgroups under node 2's names,
// its state dir. Empty when nothing is left.
import { execFile } from "node:child_process";
import fs from "node:fs";
import { promisify } from "node:util";

const run = promisify(execFile);
const out = (cmd: string, args: string[]) => run(cmd, args).then((r) => r.stdout, () => "");

export interface Node2Names {
  netns: string;
  veth: string;
  podCidr: string;
  ip: string;
  natComment: string;
  apiserverGuardTable: string;
  dir: string;
  /** node 2's relays (socat) name sockets here: $STATE_DIR/run/node2-<part>.sock, outside dir */
  relaySocketPrefix: string;
  cgroupRoot: string;
}

export function node2Names(stateDir: string, env: Record<string, string | undefined> = process.env): Node2Names {
  const network = env.DEVBOX_CNI_NETWORK ?? "devbox";
  return {
    netns: env.DEVBOX_NODE2_NETNS ?? `${network}-node2`,
    veth: env.DEVBOX_NODE2_VETH ?? `${env.DEVBOX_BRIDGE ?? "devbox0"}n2`,
    podCidr: env.DEVBOX_NODE2_POD_CIDR ?? "10.90.0.0/16",
    ip: env.DEVBOX_NODE2_IP ?? "10.91.0.2",
    natComment: `devbox-node2:${network}`,
    apiserverGuardTable: `devbox_apiserver_guard_${network.replace(/[^A-Za-z0-9_]/g, "_")}`,
    dir: `${stateDir}/node2`,
    relaySocketPrefix: `${stateDir}/run/node2-`,
    cgroupRoot: `/${network}-node2`,
  };
}

export async function node2Leftovers(n: Node2Names): Promise<string[]> {
  const left: string[] = [];
  if ((await out("ip", ["netns", "list"])).split("\n").some((l) => l.split(" ")[0] === n.netns)) left.push(`network namespace ${n.netns}`);
  if ((await out("ip", ["-o", "link", "show", "dev", n.veth])).trim()) left.push(`link ${n.veth}`);
  for (const dst of [n.podCidr, `${n.ip}/32`]) {
    const routes = (await out("ip", ["-4", "route", "show", "exact", dst])).trim();
    if (routes) left.push(`route ${routes}`);
  }
  for (const line of (await out("iptables-save", ["-t", "nat"])).split("\n")) if (line.includes(`"${n.natComment}"`) || line.includes(` ${n.natComment} `)) left.push(`nat rule ${line}`);
  const guard = await out("nft", ["list", "table", "inet", n.apiserverGuardTable]);
  for (const src of [n.podCidr, n.ip]) if (guard.includes(src)) left.push(`apiserver guard admits ${src}`);
  for (const line of fs.readFileSync("/proc/self/mountinfo", "utf8").split("\n")) {
    const point = line.split(" ")[4];
    if (point === n.dir || point?.startsWith(`${n.dir}/`)) left.push(`mount ${point}`);
  }
  for (const pid of fs.readdirSync("/proc").filter((p) => /^\d+$/.test(p) && Number(p) !== process.pid)) {
    let cmdline = "";
    try {
      cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ");
    } catch {
      continue;
    }
    if (cmdline.includes(`${n.dir}/`) || cmdline.includes(`/run/netns/${n.netns} `) || cmdline.includes(n.relaySocketPrefix)) left.push(`process ${pid}: ${cmdline.slice(0, 100)}`);
  }
  for (const c of fs.existsSync("/sys/fs/cgroup") ? fs.readdirSync("/sys/fs/cgroup") : [])
    if (fs.existsSync(`/sys/fs/cgroup/${c}${n.cgroupRoot}`)) left.push(`cgroup /sys/fs/cgroup/${c}${n.cgroupRoot}`);
  if (fs.existsSync(`/sys/fs/cgroup${n.cgroupRoot}`)) left.push(`cgroup /sys/fs/cgroup${n.cgroupRoot}`);
  if (fs.existsSync(n.dir)) left.push(`state dir ${n.dir}`);
  return left;
}
