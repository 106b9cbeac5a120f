import os from "node:os";
import { CoordinationV1Api, CoreV1Api, type V1Lease } from "@kubernetes/client-node";
import { kubeConfig } from "@/lib/k8s/config";
import { isAlreadyExists, isNotFound } from "@/lib/k8s/errors";
import { MANAGED_BY } from "@/lib/k8s/labels";
import { randomSuffix } from "@/lib/ids";

export const SYSTEM_NAMESPACE = process.env.DEVBOX_SYSTEM_NAMESPACE ?? "devbox-system";
// How long a crashed leader blocks the others. Tests that crash dashboards on purpose shorten it
// (DEVBOX_LEASE_SECONDS); renewals come three times per lease.
const LEASE_SECONDS = Math.max(3, Number(process.env.DEVBOX_LEASE_SECONDS ?? 15) || 15);
const RENEW_EVERY_MS = (LEASE_SECONDS * 1000) / 3;

/**
 * One reconciler across dashboard replicas: whoever holds the Lease leads. Updates use the
 * Lease's resourceVersion, so two replicas can never both take it.
 */
export class LeaderLease {
  readonly identity = `${os.hostname()}-${process.pid}-${randomSuffix(4)}`;
  private leading = false;
  private timer?: NodeJS.Timeout;
  private readonly api = kubeConfig().makeApiClient(CoordinationV1Api);
  // One Lease per install (DEVBOX_INSTANCE), so two installs sharing a cluster each have a leader.
  private readonly leaseName = `devbox-reconciler-${process.env.DEVBOX_INSTANCE ?? "default"}`;

  constructor(private readonly onChange: (leading: boolean) => void) {}

  get isLeader(): boolean {
    return this.leading;
  }

  private namespaceReady = false;

  async start(): Promise<void> {
    const tick = async () => {
      try {
        if (!this.namespaceReady) {
          await ensureSystemNamespace();
          this.namespaceReady = true;
        }
        this.set(await this.tryAcquireOrRenew());
      } catch (err) {
        console.error("[devbox] leader election:", err instanceof Error ? err.message : err);
        this.set(false);
      }
      this.timer = setTimeout(tick, RENEW_EVERY_MS);
    };
    await tick();
  }

  async stop(): Promise<void> {
    clearTimeout(this.timer);
    if (!this.leading) return;
    // Hand over at once instead of making the next leader wait for expiry.
    try {
      const lease = await this.api.readNamespacedLease({ name: this.leaseName, namespace: SYSTEM_NAMESPACE });
      if (lease.spec?.holderIdentity === this.identity) {
        lease.spec.holderIdentity = undefined;
        lease.spec.renewTime = undefined;
        await this.api.replaceNamespacedLease({ name: this.leaseName, namespace: SYSTEM_NAMESPACE, body: lease });
      }
    } catch {
      // Expiry hands it over anyway.
    }
    this.set(false);
  }

  private set(leading: boolean) {
    if (leading === this.leading) return;
    this.leading = leading;
    this.onChange(leading);
  }

  private async tryAcquireOrRenew(): Promise<boolean> {
    const now = microTime(new Date());
    let lease: V1Lease;
    try {
      lease = await this.api.readNamespacedLease({ name: this.leaseName, namespace: SYSTEM_NAMESPACE });
    } catch (err) {
      if (!isNotFound(err)) throw err;
      try {
        await this.api.createNamespacedLease({
          namespace: SYSTEM_NAMESPACE,
          body: {
            metadata: { name: this.leaseName, labels: { ...MANAGED_BY } },
            spec: { holderIdentity: this.identity, leaseDurationSeconds: LEASE_SECONDS, acquireTime: now, renewTime: now, leaseTransitions: 0 },
          },
        });
        return true;
      } catch (e) {
        if (isAlreadyExists(e)) return false;
        throw e;
      }
    }
    const spec = lease.spec ?? {};
    const renewed = spec.renewTime ? new Date(spec.renewTime).getTime() : 0;
    const expired = Date.now() - renewed > (spec.leaseDurationSeconds ?? LEASE_SECONDS) * 1000;
    const mine = spec.holderIdentity === this.identity;
    if (!mine && spec.holderIdentity && !expired) return false;
    lease.spec = {
      ...spec,
      holderIdentity: this.identity,
      leaseDurationSeconds: LEASE_SECONDS,
      renewTime: now,
      ...(mine ? {} : { acquireTime: now, leaseTransitions: (spec.leaseTransitions ?? 0) + 1 }),
    };
    try {
      // replace carries metadata.resourceVersion: a concurrent writer makes this fail with 409.
      await this.api.replaceNamespacedLease({ name: this.leaseName, namespace: SYSTEM_NAMESPACE, body: lease });
      return true;
    } catch (err) {
      if ((err as { code?: number }).code === 409) return false;
      throw err;
    }
  }
}

async function ensureSystemNamespace(): Promise<void> {
  try {
    await kubeConfig().makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: SYSTEM_NAMESPACE, labels: { ...MANAGED_BY } } } });
  } catch (err) {
    if (!isAlreadyExists(err)) throw err;
  }
}

/**
 * Lease times are MicroTime: the apiserver wants six fractional digits, and client-node would
 * send a Date with three. It passes strings through untouched, hence the cast.
 */
function microTime(d: Date): Date {
  return d.toISOString().replace(/\.(\d{3})Z$/, ".$1000Z") as unknown as Date;
}
