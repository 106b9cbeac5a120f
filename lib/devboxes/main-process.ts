/**
 * The devbox container's main process (tini's child; tini is the images' entrypoint).
 *
 * A stop sends SIGTERM to every process of the container (the node agent, `cluster down`) or to
 * PID 1 only (the kubelet). If the main process simply exited, tini would exit with it and the
 * kernel would kill the rest of the PID namespace at once: an editor or a database saving on
 * SIGTERM would be cut short. So on SIGTERM the main process passes the signal on to every other
 * process and waits until each one that does not ignore SIGTERM has exited (interactive shells
 * ignore it and are not waited for). The stopper's SIGKILL at the end of the grace still ends it.
 * It passes the signal on only when its own child (the `sleep`) did not get it too: when it did,
 * every process got it already, and a second SIGTERM makes many programs quit without saving.
 * Further SIGTERMs (tini hands on the one it got as well) are ignored: one stop, one pass.
 * Plain POSIX sh, no subprocess per poll: /proc is read with builtins. Kubernetes expands `$(NAME)`
 * and turns `$$` into `$` in args, so the script uses neither (its own pid comes from /proc/self).
 *
 * It also starts sshd when the image has one (lib/ssh/README.md): as root through the image's
 * passwordless sudo (the container runs as the devbox user), with the host key from the devbox's
 * Secret (/etc/devbox/ssh, so it is the same after every restart), public keys only, no PAM
 * (pam_loginuid fails in a container). authorized_keys starts as the Secret's and is kept current
 * by the dashboard (lib/ssh/authorized-keys.ts) in /run/devbox/ssh, owned by the devbox user.
 * On stop, sshd (root, which the user's `kill -1` cannot reach) is stopped through sudo too.
 */
export const MAIN_PROCESS_SCRIPT = `
alive() {
  [ -z "$1" ] && return 0
  st=
  read -r _ _ st _ 2>/dev/null <"/proc/$1/stat"
  [ -n "$st" ] && [ "$st" != Z ]
}
stop() {
  trap '' TERM
  read -r self _ </proc/self/stat
  n=0
  while [ $n -lt 3 ] && alive "$child"; do sleep 0.1; n=$((n+1)); done
  if alive "$child"; then
    [ -e /run/devbox/sshd.pid ] && sudo -n pkill -TERM -x sshd 2>/dev/null
    kill -s TERM -- -1 2>/dev/null
  fi
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
if [ -x /usr/sbin/sshd ] && [ -e /etc/devbox/ssh/ssh_host_ed25519_key.pub ]; then
  sudo -n env U="\`id -u\`" G="\`id -g\`" /bin/sh -c '
    install -d -m 0755 /run/sshd /run/devbox &&
    install -d -o "$U" -g "$G" -m 0700 /run/devbox/ssh &&
    install -o "$U" -g "$G" -m 0600 /etc/devbox/ssh/authorized_keys /run/devbox/ssh/authorized_keys &&
    /usr/sbin/sshd -E /run/devbox/sshd.log -o PidFile=/run/devbox/sshd.pid \
      -o HostKey=/etc/devbox/ssh/ssh_host_ed25519_key \
      -o "AuthorizedKeysFile /run/devbox/ssh/authorized_keys .ssh/authorized_keys" \
      -o PasswordAuthentication=no -o KbdInteractiveAuthentication=no -o PermitRootLogin=no \
      -o UsePAM=no -o PrintMotd=no -o UseDNS=no -o ClientAliveInterval=30' </dev/null >/dev/null 2>&1
fi
child=
sleep infinity &
child=$!
wait
`.trim();

/** The container's args (the image's entrypoint, tini, stays: it reaps orphans). */
export const MAIN_PROCESS_ARGS = ["/bin/sh", "-c", MAIN_PROCESS_SCRIPT];
