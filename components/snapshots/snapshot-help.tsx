/**
 * "What is a snapshot?" on the history page: what is saved, when, and what merge and purge keep
 * (the rules of lib/snapshots/README.md in a user's words).
 */
export function SnapshotHelp({ keep, maxLayers }: { keep: number; maxLayers: number }) {
  return (
    <details className="group rounded-lg border border-zinc-200 bg-white px-4 py-3 text-sm dark:border-zinc-800 dark:bg-zinc-900" data-testid="snapshot-help">
      <summary className="cursor-pointer font-medium text-zinc-700 dark:text-zinc-200">What is a snapshot, and what is kept?</summary>
      <div className="mt-3 space-y-2 text-zinc-600 dark:text-zinc-400">
        <p>
          A snapshot is everything the devbox changed on its disk — installed packages, your files, settings anywhere — saved as one
          image layer on top of the one it ran. It is taken on every <b>stop</b> (always: its processes get a moment to save first),
          <b> restart</b> and <b>update</b>, when you press <b>Commit</b>, and periodically if the operator set an interval. The devbox&apos;s
          container is removed only after its snapshot is saved, so stopping never loses work.
        </p>
        <p>
          The next start runs the newest snapshot (marked <i>next start</i>). <b>Start from</b> goes back to an older one; <b>Fork</b> makes a new
          devbox from it and leaves this one as it is.
        </p>
        <p>
          <b>Merge:</b> when a devbox has more than {maxLayers} layers of its own, they are merged into one. Your files stay exactly as they
          were; files you deleted stop taking space. <b>Purge:</b> the newest {keep} snapshots, pinned ones and the one the devbox starts from
          are kept; older ones are deleted and their space is freed at the registry&apos;s next clean-up.
        </p>
      </div>
    </details>
  );
}
