#!/usr/bin/env bash
# Smoke test against the bundled cluster (must be up): runs a devbox-like pod
# from the base runtime image, changes files via kubectl exec, commits it with
# the agent CLI through the cluster's containerd, starts a pod from the
# snapshot and compares. Cleans up its namespace afterwards.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
: "${KUBECONFIG:=/var/lib/devbox-cluster/kubeconfig/admin.kubeconfig}"; export KUBECONFIG
K="${KUBECTL:-$(ls "${DEVBOX_CACHE_DIR:-$HOME/.cache/devbox}"/bin/*/kubectl 2>/dev/null | head -1)}"
SOCK="${DEVBOX_CONTAINERD_SOCKET:-/var/lib/devbox-cluster/containerd/containerd.sock}"
REG="${DEVBOX_REGISTRY:-127.0.0.1:5000}"
BASE="${BASE_IMAGE:-$REG/devbox/base:bookworm}"
NS="agent-smoke-$$"
# Image tags unique per run: the node keeps pulled images, and an earlier run's box:s1 (other
# random bytes) must not stand in for this run's commit.
RUN="$(date +%s)-$$"
BIN="$("$here/build.sh")"
cleanup() { "$K" delete namespace "$NS" --wait=false >/dev/null 2>&1 || true; }
trap cleanup EXIT
"$K" create namespace "$NS" >/dev/null
pod() { # name image
  cat <<YAML | "$K" apply -f - >/dev/null
apiVersion: v1
kind: Pod
metadata: {name: $1, namespace: $NS}
spec:
  restartPolicy: Never
  terminationGracePeriodSeconds: 1
  containers:
  - name: devbox
    image: $2
    imagePullPolicy: Always   # tags are per run, but never trust a node's cached copy in a smoke test
    command: ["sleep", "infinity"]
    securityContext: {runAsUser: 0}   # the base image runs as 1000; the changes touch /etc, /opt, /usr
YAML
  "$K" -n "$NS" wait --for=condition=Ready "pod/$1" --timeout=120s >/dev/null
}
listing='cd / && for f in $(find home/smoke opt/smoke etc/smoke-link usr/share/doc/smoke 2>/dev/null | sort); do if [ -L "$f" ]; then echo "$f L $(readlink "$f")"; elif [ -d "$f" ]; then echo "$f D $(stat -c %a "$f")"; else echo "$f F $(stat -c "%a %u:%g %s" "$f") $(md5sum < "$f" | cut -c1-32)"; fi; done; test -e /etc/debian_version && echo debian_version-present || echo debian_version-gone'
pod p1 "$BASE"
"$K" -n "$NS" exec p1 -- sh -c 'set -e; mkdir -p /home/smoke/empty /opt/smoke /usr/share/doc/smoke; echo hi > /home/smoke/a; head -c 2000000 /dev/urandom > /opt/smoke/bin; chmod 751 /opt/smoke/bin; ln -s /home/smoke/a /etc/smoke-link; chown 1000:1000 /home/smoke/a; rm /etc/debian_version; echo doc > /usr/share/doc/smoke/x'
want="$("$K" -n "$NS" exec p1 -- sh -c "$listing")"
echo "--- commit (running pod: frozen)"
"$BIN" commit --containerd "$SOCK" --registry "$REG" --state-dir /tmp/devbox-agent-smoke \
  --pod "$NS/p1/devbox" --parent "$BASE" --target "devbox/agent-smoke/box:s1-$RUN" --trigger smoke --request-id "smoke-$RUN" | tee /tmp/agent-smoke.out | tail -1
img="$(tail -1 /tmp/agent-smoke.out | sed -n 's/.*"image":"\([^"]*\)".*/\1/p')"
[ -n "$img" ] || { echo "FAIL: no image"; exit 1; }
pod p2 "$img"
got="$("$K" -n "$NS" exec p2 -- sh -c "$listing")"
if [ "$want" != "$got" ]; then echo "FAIL: restored content differs"; diff <(echo "$want") <(echo "$got"); exit 1; fi
echo "$got"
echo "PASS: restored pod has the committed changes"

echo "--- graceful stop (kubelet-managed pod; PID 1 'sleep' ignores SIGTERM, a shell saves on it)"
"$K" -n "$NS" exec p2 -- sh -c 'nohup sh -c "trap \"echo saved > /home/smoke/on-term; exit 0\" TERM; touch /tmp/trap-ready; while :; do sleep 1; done" >/dev/null 2>&1 &'
for _ in $(seq 50); do "$K" -n "$NS" exec p2 -- test -e /tmp/trap-ready && break; sleep 0.2; done
"$BIN" commit --containerd "$SOCK" --registry "$REG" --state-dir /tmp/devbox-agent-smoke \
  --pod "$NS/p2/devbox" --parent "$img" --target "devbox/agent-smoke/box:s2-$RUN" --trigger stop --request-id "smoke-stop-$RUN" \
  --stop-grace 2 | tee /tmp/agent-smoke.out | tail -1
last="$(tail -1 /tmp/agent-smoke.out)"
case "$last" in *'"mode":"exited"'*'"killed":true'*) ;; *) echo "FAIL: want an exited commit after SIGKILL: $last"; exit 1 ;; esac
img2="$(echo "$last" | sed -n 's/.*"image":"\([^"]*\)".*/\1/p')"
for _ in $(seq 50); do phase="$("$K" -n "$NS" get pod p2 -o jsonpath='{.status.phase}')"; [ "$phase" = Running ] || break; sleep 0.2; done
[ "$phase" != Running ] || { echo "FAIL: the kubelet still reports p2 Running after the stop"; exit 1; }
pod p3 "$img2"
got3="$("$K" -n "$NS" exec p3 -- cat /home/smoke/on-term /home/smoke/a)"
[ "$got3" = "$(printf 'saved\nhi')" ] || { echo "FAIL: graceful-stop snapshot lacks the SIGTERM write: $got3"; exit 1; }
echo "PASS: graceful stop kept the write made on SIGTERM (pod p2 is now $phase)"
