/**
 * The devbox container's main process (tini's child; tini is the images' entrypoint).
 *
 * A stop sends SIGTERM to every process of the container (the node agent, `cluster down`) or to
 * PID 1 only (the kubelet). If the main process simply exited, tini would exit with it and the
 * kernel would kill the rest of the PID namespace at once: an editor or a database saving on
 * SIGTERM would be cut short. So on SIGTERM the main process passes the signal on to every other
 * process and waits until each one that does not ignore SIGTERM has exited (interactive shells
 * ignore it and are not waited for). The stopper's SIGKILL at the end of the grace still ends it.
 * Plain POSIX sh, no subprocess per poll: /proc is read with builtins. Kubernetes expands `$(NAME)`
 * and turns `$$` into `$` in args, so the script uses neither (its own pid comes from /proc/self).
 */
export const MAIN_PROCESS_SCRIPT = `
stop() {
  read -r self _ </proc/self/stat
  kill -s TERM -- -1 2>/dev/null
  while :; do
    busy=
    for d in /proc/[0-9]*; do
      p=\${d#/proc/}
      [ "$p" = 1 ] || [ "$p" = "$self" ] && continue
      st= ig=
      while read -r k v _; do
        case $k in State:) st=$v ;; SigIgn:) ig=$v ;; esac
      done 2>/dev/null <"$d/status"
      [ -n "$st" ] && [ "$st" != Z ] && [ -n "$ig" ] || continue
      [ $(( 0x\${ig#????????} >> 14 & 1 )) = 1 ] && continue
      busy=1
      break
    done
    [ -z "$busy" ] && exit 0
    sleep 0.2
  done
}
trap stop TERM
sleep infinity &
wait
`.trim();

/** The container's args (the image's entrypoint, tini, stays: it reaps orphans). */
export const MAIN_PROCESS_ARGS = ["/bin/sh", "-c", MAIN_PROCESS_SCRIPT];
