import type { Database } from "@/db/client";
import { announceDevboxChange, onDevboxChange } from "@/lib/devboxes/change-bus";
import { listAllDevboxesWithNamespace, pendingOperations, setLastError } from "@/lib/devboxes/queries";
import { AgentError } from "@/lib/snapshots/agent-client";
import type { DevboxPodCache } from "@/lib/k8s/pod-cache";
import { appCache, stopAppCache } from "@/lib/apps/app-cache";
import { reconcileApps } from "@/lib/apps/reconcile";
import { resumeStaleReleases } from "@/lib/releases/build";
import { resumeTeamDeletions } from "@/lib/teams/service";
import { IDLE_CHECK_MS } from "@/lib/idle/clock";
import { idlePass } from "@/lib/idle/enforce";
import { MetricsApiSource } from "@/lib/usage/metrics-api";
import { usageSampleMs, UsageSampler } from "@/lib/usage/sampler";
import { LeaderLease } from "./leader-lease";
import { keepNothing, type BeforePodRemoval } from "./pod-removal";
import { needsReconcile, reconcileDevbox } from "./reconcile-devbox";

const RESYNC_MS = 2_000;
const MAX_BACKOFF_MS = 60_000;

/**
 * Converges Kubernetes to the desired state of every devbox, while this replica holds the
 * leader Lease. It wakes on changes in this process and resyncs from the DB every few seconds,
 * which also picks up requests taken by other replicas and work interrupted by a crash.
 */
export class Reconciler {
  private readonly lease: LeaderLease;
  private timer?: NodeJS.Timeout;
  private running = false;
  private again = false;
  private readonly inFlight = new Set<string>();
  private readonly backoff = new Map<string, { until: number; delay: number }>();
  private unsubscribe?: () => void;
  private appsBusy = false;
  private idleBusy = false;
  private idleCheckedAt = 0;
  private usage?: UsageSampler;
  private usageBusy = false;
  private usageSampledAt = 0;

  constructor(
    private readonly db: Database,
    private readonly pods: DevboxPodCache,
    private readonly beforeRemoval: BeforePodRemoval = keepNothing,
  ) {
    this.lease = new LeaderLease((leading) => {
      console.log(`[devbox] reconciler ${leading ? "is now the leader" : "is standing by"} (${this.lease.identity})`);
      if (leading) this.kick();
    });
  }

  async start(): Promise<void> {
    await this.pods.ready();
    this.unsubscribe = onDevboxChange(() => this.kick());
    await this.lease.start();
    const loop = () => {
      this.kick();
      this.timer = setTimeout(loop, RESYNC_MS);
    };
    loop();
  }

  async stop(): Promise<void> {
    clearTimeout(this.timer);
    this.unsubscribe?.();
    await this.lease.stop();
    await stopAppCache();
  }

  get isLeader(): boolean {
    return this.lease.isLeader;
  }

  /** Runs a pass now, or right after the current one. */
  kick(): void {
    if (!this.lease.isLeader) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    void this.pass()
      .catch((err) => console.error("[devbox] reconcile pass failed:", err))
      .finally(() => {
        this.running = false;
        if (this.again) {
          this.again = false;
          this.kick();
        }
      });
  }

  /**
   * A stop waiting for a node agent that is restarting (Kubernetes backs a crashing agent off for
   * up to 5 minutes) says so, and when it tries again, instead of showing a bare error.
   */
  private async showAgentWait(devboxId: string, delayMs: number): Promise<void> {
    const message = `Waiting for the node agent (it is not answering: restarting, or in Kubernetes' crash-loop back-off); the changes stay in the container. Next try in ${Math.round(delayMs / 1000)} s.`;
    await setLastError(this.db, devboxId, message).catch(() => {});
    announceDevboxChange(devboxId);
  }

  private async pass(): Promise<void> {
    // Releases left pending by a crashed process: resumed (to ready) or failed with a reason.
    await resumeStaleReleases(this.db).catch((err) => console.error("[devbox] resuming releases failed:", err instanceof Error ? err.message : err));
    // Team deletions a crash interrupted (their namespace may be gone already): finished.
    await resumeTeamDeletions(this.db).catch((err) => console.error("[devbox] resuming team deletions failed:", err instanceof Error ? err.message : err));
    // Apps whose Deployment differs from their row (a crash between the two): never waits for the app watch.
    const apps = appCache();
    if (apps.isSynced && !this.appsBusy) {
      this.appsBusy = true;
      void reconcileApps(this.db, apps)
        .catch((err) => console.error("[devbox] reconciling apps failed:", err instanceof Error ? err.message : err))
        .finally(() => (this.appsBusy = false));
    }
    // Idle auto-stop: deadlines live in the DB, so whichever replica leads acts on them.
    if (!this.idleBusy && Date.now() - this.idleCheckedAt >= IDLE_CHECK_MS) {
      this.idleBusy = true;
      this.idleCheckedAt = Date.now();
      void idlePass(this.db)
        .catch((err) => console.error("[devbox] idle pass failed:", err instanceof Error ? err.message : err))
        .finally(() => (this.idleBusy = false));
    }
    // Usage charts: sampled by the leader only, so a sample is never counted twice.
    if (!this.usageBusy && Date.now() - this.usageSampledAt >= usageSampleMs()) {
      this.usageBusy = true;
      this.usageSampledAt = Date.now();
      this.usage ??= new UsageSampler(this.db, this.pods, new MetricsApiSource());
      void this.usage
        .pass()
        .catch((err) => console.error("[devbox] usage sampling failed:", err instanceof Error ? err.message : err))
        .finally(() => (this.usageBusy = false));
    }
    const [all, pending] = await Promise.all([listAllDevboxesWithNamespace(this.db), pendingOperations(this.db)]);
    const now = Date.now();
    const work = all.filter((d) => {
      if (this.inFlight.has(d.id)) return false;
      const b = this.backoff.get(d.id);
      if (b && b.until > now) return false;
      return needsReconcile(d, this.pods.podsOf(d.id), pending.get(d.id) ?? []);
    });
    // Devboxes are independent: work on them side by side, each one step at a time.
    await Promise.all(
      work.map(async (d) => {
        this.inFlight.add(d.id);
        try {
          await reconcileDevbox(this.db, d, this.pods.podsOf(d.id), pending.get(d.id) ?? [], this.beforeRemoval);
          this.backoff.delete(d.id);
        } catch (err) {
          const delay = Math.min((this.backoff.get(d.id)?.delay ?? 1000) * 2, MAX_BACKOFF_MS);
          this.backoff.set(d.id, { until: Date.now() + delay, delay });
          console.error(`[devbox] reconcile ${d.namespace}/${d.name} failed (retry in ${delay / 1000} s):`, err instanceof Error ? err.message : err);
          if (err instanceof AgentError && err.unreachable) await this.showAgentWait(d.id, delay);
        } finally {
          this.inFlight.delete(d.id);
        }
      }),
    );
  }
}
