/**
 * Kubernetes event reasons a devbox user meets when something went wrong, in plain words. The
 * event's own message stays beside it (scrubbed); this says what it means for the devbox.
 */
const WORDS: Record<string, string> = {
  Evicted: "The node stopped this devbox to get resources back: it used more disk than its limit, or the node itself ran short of memory or disk.",
  OOMKilling: "The devbox used more memory than its limit, so the kernel killed a process in it.",
  Preempted: "A more important workload needed the room this devbox had on its node.",
  FailedScheduling: "No node has room for this devbox yet (CPU, memory or disk); it starts when one has.",
  ExceededGracePeriod: "A process did not stop within the grace period and was killed.",
};

export function explainEvent(reason: string): { explanation?: string } {
  return Object.hasOwn(WORDS, reason) ? { explanation: WORDS[reason] } : {};
}
