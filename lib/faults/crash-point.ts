/**
 * Named places where a multi-step state change can be interrupted. Tests set
 * DEVBOX_CRASH_POINTS=<name>[,<name>…] on a dashboard process, and it dies (SIGKILL, no cleanup,
 * no Lease hand-over) the first time it reaches one: the next process must converge from there.
 * Unset in production, where this is one environment lookup.
 */
export const CRASH_POINTS = [
  "create:after-secret", // a new Pod's anchor Secret exists, the Pod not yet
  "commit:after-agent", // the agent pushed the snapshot; nothing recorded yet
  "commit:in-record", // inside the transaction that records the snapshot and switches the image
  "commit:after-record", // recorded and switched; merge, purge and the Pod deletion still to come
  "merge:after-agent", // the merged image is pushed, not recorded
  "merge:after-record", // the merge is recorded and switched
  "purge:after-manifest-delete", // a purged snapshot's manifest is gone, its record not yet
  "removal:before-pod-delete", // the snapshot is safe; the Pod is still there
  "removal:after-pod-delete", // the Pod deletion was requested; the operation is still open
  "release:after-commit", // a release's source snapshot is recorded; no image yet
  "release:after-merge", // the merged image is under build-<id>; config and tag not written
  "release:after-push", // the release image is tagged; the record still says pending
  "audit:before-event", // a grant, revocation or lifecycle request is written, its audit event (same transaction) not yet
  "fork:before-record", // a fork's devbox row is written; its starting snapshot's record not yet
  "team:after-namespace", // a new team's namespace is made; the transaction with its row not committed
  "team:after-namespace-delete", // a team being deleted has lost its namespace; its repositories and row not yet
] as const;

export type CrashPoint = (typeof CRASH_POINTS)[number];

export function crashPoint(name: CrashPoint): void {
  const armed = process.env.DEVBOX_CRASH_POINTS;
  if (!armed || !armed.split(",").includes(name)) return;
  console.error(`[devbox] crash point ${name}: exiting now (DEVBOX_CRASH_POINTS)`);
  process.kill(process.pid, "SIGKILL");
}
