import type { V1Pod } from "@kubernetes/client-node";
import type { Devbox } from "@/db/schema/devboxes";

/**
 * Runs before the reconciler deletes a devbox Pod on stop, restart or update. This is where the
 * snapshot step ("commit, then delete") slots in: it resolves once the container's changes are
 * saved, or throws to keep the Pod (the reconciler retries with backoff and shows the error).
 * Deleting a devbox skips it: nothing is kept.
 */
export type BeforePodRemoval = (devbox: Devbox & { namespace: string }, pod: V1Pod) => Promise<void>;

export const keepNothing: BeforePodRemoval = async () => {};
