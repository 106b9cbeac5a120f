// The install with the bundled PostgreSQL (deploy/components/postgres: a StatefulSet from an
// image built here from Debian's postgresql) and 2 dashboard replicas behind the Service
// (sessionAffinity: ClientIP). Shows, with the real install on the bundled cluster:
//  - both replicas run on the one database (a session cookie made through the Service works on
//    each replica directly), one of them holds the reconciler Lease;
//  - terminals through the Service: N attaches from each of two client addresses (the node's and
//    the bridge's) all work, and each re-attach with the same session id through the Service
//    resumes the same shell: every connection of one client address reached the same replica;
//  - why the affinity is needed: a terminal session lives in the replica that opened it — the
//    other replica, asked for the same session id directly (its Pod IP), starts a new shell;
//  - `kubectl delete -k` leaves nothing (the StatefulSet's volume included).
// Needs: cluster up, `npm run build` (the dashboard image carries .next), root (the postgres
// image is built with apt-get in a chroot).
import { randomBytes } from "node:crypto";
import http from "node:http";
import os from "node:os";
import WebSocket from "ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CoreV1Api } from "@kubernetes/client-node";
import { TerminalClient } from "@/lib/terminal/node-client";
import { terminalPath } from "@/lib/terminal/protocol";
import { previewLabel } from "@/lib/preview/host";
import { adminConfig, untilListening, waitFor } from "./cluster-helpers";
import { ApiClient } from "../support/dashboard";
import { credentialsSessionCookie } from "../support/sign-in";
import { dashboardLogs, type Install, kubectl, leftovers, setUpInstall, uninstall, waitForDashboard } from "../support/install";

const ATTACHES_PER_SOURCE = 6;
const REQUESTS_PER_SOURCE = 20;
const APP_PORT = 8000;

/** GET through the Service (its ClusterIP, from a given client address) with a given Host. */
function getViaService(url: string, host: string, pathname: string, localAddress: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    http
      .get({ host: u.hostname, port: Number(u.port || 80), path: pathname, headers: { host }, localAddress, agent: false, timeout: 10_000 }, (res) => {
        let body = "";
        res.on("data", (c) => (body += c));
        res.on("end", () => resolve({ status: res.statusCode!, body }));
      })
      .on("error", reject);
  });
}

/** GET straight to one replica (its Pod IP) with the Host it serves (fetch would send the Pod IP's). */
function getDirect(podIP: string, pathname: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: podIP, port: 3000, path: pathname, headers, timeout: 10_000 }, (res) => {
        let body = "";
        res.on("data", (c) => (body += c));
        res.on("end", () => resolve({ status: res.statusCode!, body }));
      })
      .on("error", reject);
  });
}

/** The host's addresses a connection to a ClusterIP can come from: the node's and the pod bridge's. */
function clientAddresses(): string[] {
  const out: string[] = [];
  for (const [name, list] of Object.entries(os.networkInterfaces()))
    for (const a of list ?? []) if (a.family === "IPv4" && !a.internal && (name === "devbox0" || !a.address.startsWith("10."))) out.push(a.address);
  return out;
}

describe("install with the bundled PostgreSQL and 2 dashboard replicas", () => {
  let inst: Install | undefined;
  let uninstalled = false;
  const kc = adminConfig();
  const core = kc.makeApiClient(CoreV1Api);
  const email = `replicas-${randomBytes(3).toString("hex")}@example.com`;
  const password = "replicas horse 7";
  let cookie = "";
  let team = "";
  const box = "twin";

  beforeAll(async () => {
    inst = await setUpInstall({
      replicas: 2,
      postgres: true,
      config: { DEVBOX_ADMIN_EMAIL: email, DEVBOX_ADMIN_PASSWORD: password },
      runtimeImages: ["base", "node"], // the devbox runs node (its preview app)
    });
  }, 1_500_000);

  afterAll(async () => {
    if (inst && !uninstalled) await uninstall(inst).catch((err) => console.error("uninstall after a failure:", err));
  }, 600_000);

  const dashboardPods = async () =>
    (await core.listNamespacedPod({ namespace: inst!.namespace, labelSelector: "app.kubernetes.io/name=devbox-dashboard" })).items.filter((p) =>
      p.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True"),
    );

  /** A terminal websocket: through the Service (inst.url), or straight to one replica's Pod IP with the Service's Host. */
  function attach(session: string, via: { localAddress?: string; podIP?: string }): TerminalClient {
    const i = inst!;
    const host = new URL(i.url).host;
    const base = via.podIP ? `ws://${via.podIP}:3000` : `ws://${host}`;
    const ws = new WebSocket(`${base}${terminalPath(team, box, session)}`, {
      headers: { cookie, host },
      origin: i.url,
      perMessageDeflate: false,
      localAddress: via.localAddress,
    });
    return new TerminalClient(ws, {});
  }

  /** Opens the session, waits for its "session" message; resolves with whether it resumed a shell. */
  async function opened(c: TerminalClient): Promise<boolean> {
    await c.opened;
    const msg = (await c.waitForMessage("session")) as { resumed?: boolean };
    return msg.resumed === true;
  }

  async function run(c: TerminalClient, cmd: string, expect: RegExp): Promise<void> {
    c.send(`${cmd}\r`);
    await c.until(`${expect}`, () => expect.test(c.text), 30_000);
  }

  it("runs 2 replicas on the StatefulSet's PostgreSQL; a session made through the Service works on each replica", async () => {
    const i = inst!;
    await waitForDashboard(i).catch(async (err) => {
      throw new Error(`${err}\n--- dashboard log ---\n${await dashboardLogs(i)}`);
    });
    const pods = await waitFor("2 ready dashboard replicas", 300_000, async () => {
      const p = await dashboardPods();
      return p.length === 2 ? p : undefined;
    });
    const pg = await core.readNamespacedPod({ name: "devbox-postgres-0", namespace: i.namespace });
    expect(pg.status?.phase).toBe("Running");
    expect(pg.spec?.volumes?.find((v) => v.name === "data")?.persistentVolumeClaim?.claimName).toBe("data-devbox-postgres-0");
    // the admin both replicas seed lives once, in the StatefulSet's database
    const rows = await kubectl("-n", i.namespace, "exec", "devbox-postgres-0", "--", "psql", "-h", "/tmp", "-U", "devbox", "-d", "devbox", "-tAc", `select count(*) from users where email = '${email}'`);
    expect(rows.trim()).toBe("1");
    const lease = await waitFor("the reconciler Lease", 60_000, async () => {
      const out = await kubectl("-n", i.namespace, "get", "lease", `devbox-reconciler-install-${i.suffix}`, "-o", "jsonpath={.spec.holderIdentity}", "--ignore-not-found");
      return out.trim() || undefined;
    });
    // the holder identity is the Pod's name plus a per-process suffix
    expect(pods.filter((p) => lease.startsWith(`${p.metadata!.name}-`))).toHaveLength(1);

    cookie = await credentialsSessionCookie(i.url, email, password);
    for (const p of pods) {
      const res = await getDirect(p.status!.podIP!, "/api/v1/teams", { cookie, host: new URL(i.url).host });
      expect(res.status, `${p.metadata!.name}: ${res.body}`).toBe(200);
      const { items } = JSON.parse(res.body) as { items: { slug: string }[] };
      team = items[0].slug;
    }
  }, 700_000);

  it("terminals through the Service: every attach works and every re-attach resumes its shell; the session lives in one replica", async () => {
    const i = inst!;
    const api = new ApiClient(i.url);
    await api.signIn(email, password);
    const { items: templates } = await api.request<{ items: { id: string; name: string }[] }>("GET", "/api/v1/templates");
    await api.request("POST", `/api/v1/teams/${team}/devboxes`, {
      name: box,
      templateId: templates.find((t) => t.name === "node")!.id,
      cpuMillis: 250,
      memoryMiB: 256,
      diskMiB: 1024,
      ports: [{ port: APP_PORT, name: "http" }],
    });
    await waitFor("the devbox Running", 300_000, async () => {
      const v = await api.request<{ status: { state: string } }>("GET", `/api/v1/teams/${team}/devboxes/${box}`);
      return v.status.state === "Running" ? true : undefined;
    }, 500);

    const pods = await dashboardPods();
    const sources = clientAddresses();
    expect(sources.length).toBeGreaterThanOrEqual(2);
    const figures: { source: string; attached: number; resumed: number; replicas: string[] }[] = [];
    for (const source of sources) {
      let attached = 0;
      let resumed = 0;
      const holders = new Set<string>();
      for (let n = 0; n < ATTACHES_PER_SOURCE; n++) {
        const session = randomBytes(9).toString("hex");
        const marker = `m${randomBytes(4).toString("hex")}`;
        const first = attach(session, { localAddress: source });
        expect(await opened(first)).toBe(false);
        await run(first, `export MARK=${marker}; echo set-$MARK`, new RegExp(`set-${marker}`));
        attached++;
        first.ws.close();
        await first.closed;
        // the same session again through the Service, from the same address: the same shell
        const again = attach(session, { localAddress: source });
        const wasResumed = await opened(again);
        await run(again, "echo got-$MARK-end", /got-(m[0-9a-f]{8})?-end/); // not the echoed command line
        // without the Service's affinity this is where it breaks: the other replica starts a new shell
        expect(wasResumed && again.text.includes(`got-${marker}-end`), `re-attach ${n + 1} from ${source} did not resume its shell`).toBe(true);
        resumed++;
        again.ws.close();
        await again.closed;
        // which replica holds it: asked directly, the holder resumes it; the other starts a new shell
        const answers = [];
        for (const p of pods) {
          const direct = attach(session, { podIP: p.status!.podIP! });
          answers.push({ pod: p.metadata!.name!, resumed: await opened(direct) });
          direct.ws.close();
          await direct.closed;
        }
        expect(answers.filter((a) => a.resumed).length, JSON.stringify(answers)).toBe(1);
        holders.add(answers.find((a) => a.resumed)!.pod);
      }
      figures.push({ source, attached, resumed, replicas: [...holders] });
    }
    console.log(`terminal attaches through the Service (${pods.length} replicas, sessionAffinity ClientIP):\n${JSON.stringify(figures, null, 1)}`);
    for (const f of figures) {
      expect(f.attached).toBe(ATTACHES_PER_SOURCE);
      expect(f.resumed).toBe(ATTACHES_PER_SOURCE);
      expect(f.replicas).toHaveLength(1); // one client address, one replica
    }
    // each replica serves terminals on its own (the shared DB authorizes the cookie on both)
    for (const p of pods) {
      const c = attach(randomBytes(9).toString("hex"), { podIP: p.status!.podIP! });
      expect(await opened(c)).toBe(false);
      await run(c, "echo on-$(hostname)-ok", /on-twin-ok/);
      c.ws.close();
      await c.closed;
    }
  }, 600_000);

  it("preview requests through the Service: all answered, from each client address, and each replica proxies them directly", async () => {
    const i = inst!;
    const api = new ApiClient(i.url);
    await api.signIn(email, password);
    const view = await api.request<{ id: string; name: string }>("GET", `/api/v1/teams/${team}/devboxes/${box}`);
    await api.request("PUT", `/api/v1/teams/${team}/devboxes/${box}/ports/${APP_PORT}`, { level: "public" });
    // an app in the devbox that says who it is and which request this was
    const c = attach(randomBytes(9).toString("hex"), {});
    await opened(c);
    const app = `require('http').createServer((q,s)=>s.end('app-'+require('os').hostname()+q.url)).listen(${APP_PORT})`;
    await run(c, `(setsid nohup node -e "${app}" >/dev/null 2>&1 </dev/null &); ${untilListening(APP_PORT, "127.0.0.1", 25)} && echo started-$((6*7))`, /started-42/);
    c.ws.close();
    const previewHost = `${previewLabel(APP_PORT, view, team)}.apps-${i.suffix}.localhost`; // DEVBOX_APPS_DOMAIN of the install
    const figures: { source: string; answered: number; firstMiss?: string }[] = [];
    for (const source of clientAddresses()) {
      let answered = 0;
      let firstMiss: string | undefined;
      for (let n = 0; n < REQUESTS_PER_SOURCE; n++) {
        const res = await getViaService(i.url, previewHost, `/r${n}`, source);
        if (res.status === 200 && res.body === `app-${box}/r${n}`) answered++;
        else firstMiss ??= `request ${n}: ${res.status} ${res.body.slice(0, 200)}`;
      }
      figures.push({ source, answered, firstMiss });
    }
    console.log(`preview requests through the Service (new connection each): ${JSON.stringify(figures)}`);
    // the first miss is in the failure message: CI shows a run's tail, not its log
    for (const f of figures) expect(f.answered, `from ${f.source}, first miss: ${f.firstMiss}`).toBe(REQUESTS_PER_SOURCE);
    // neither replica needs the other: each proxies the preview on its own
    for (const p of await dashboardPods()) {
      const res = await getDirect(p.status!.podIP!, "/direct", { host: previewHost });
      expect([res.status, res.body], p.metadata!.name).toEqual([200, `app-${box}/direct`]);
    }
  }, 300_000);

  it("kubectl delete -k leaves nothing, the bundled PostgreSQL's volume included", async () => {
    const i = inst!;
    expect((await leftovers(i)).some((l) => l.includes("devbox-postgres-"))).toBe(true);
    await uninstall(i);
    uninstalled = true;
    expect(await leftovers(i)).toEqual([]);
  }, 600_000);
});
