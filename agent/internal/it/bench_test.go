package it

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"devbox.local/agent/internal/snapshot"
)

// TestBenchCommitCLI times `devbox-agent commit` (the CLI, as a process) for a
// 1 KB change on a container that already holds a large tree in its upper
// dir's lower layers... and for a large change.
//
//	DEVBOX_AGENT_IT=1 DEVBOX_AGENT_BENCH=1 DEVBOX_BENCH_MB=200 go test ./internal/it/ -run Bench -v
func TestBenchCommitCLI(t *testing.T) {
	if os.Getenv("DEVBOX_AGENT_BENCH") != "1" {
		t.Skip("set DEVBOX_AGENT_BENCH=1")
	}
	e := setup(t)
	bin := filepath.Join(e.dir, "devbox-agent")
	_, file, _, _ := runtime.Caller(0)
	build := exec.Command("go", "build", "-o", bin, "./cmd/devbox-agent")
	build.Dir = filepath.Join(filepath.Dir(file), "..", "..")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	mb := os.Getenv("DEVBOX_BENCH_MB")
	if mb == "" {
		mb = "200"
	}
	base := e.pushBase("devbox/benchbase", "v1")
	e.run(base, "b1", "bench1")
	// a large devbox: many files committed once (the first commit)
	e.exec("b1", `set -e; mkdir -p /home/u/big; i=0; while [ $i -lt 2000 ]; do dd if=/dev/urandom of=/home/u/big/f$i bs=1k count=50 2>/dev/null; i=$((i+1)); done`)
	cli := func(args ...string) (snapshot.Event, time.Duration) {
		t.Helper()
		start := time.Now()
		cmd := exec.Command(bin, append([]string{"commit", "--containerd", e.sock, "--registry", e.reg, "--state-dir", filepath.Join(e.dir, "st")}, args...)...)
		var out bytes.Buffer
		cmd.Stdout = &out
		cmd.Stderr = os.Stderr
		if err := cmd.Run(); err != nil {
			t.Fatalf("commit: %v\n%s", err, out.String())
		}
		d := time.Since(start)
		lines := strings.Split(strings.TrimSpace(out.String()), "\n")
		var ev snapshot.Event
		json.Unmarshal([]byte(lines[len(lines)-1]), &ev)
		if ev.Phase != "done" {
			t.Fatalf("commit: %s", out.String())
		}
		return ev, d
	}
	ev0, d0 := cli("--container-id", "b1", "--parent", base, "--target", "devbox/bench/box:s1", "--trigger", "stop")
	t.Logf("BENCH first commit of ~100 MB (2000 random 50 KB files): %v wall, %d ms in agent, layer %d bytes, frozen %d ms", d0, ev0.DurationMs, ev0.LayerSize, ev0.FrozenMs)

	// restart from the snapshot: the 100 MB are now in a lower layer
	e.run(ev0.Image, "b2", "bench2")
	e.exec("b2", `head -c 1024 /dev/urandom > /home/u/onek`)
	ev1, d1 := cli("--pod", "team-1.x/bench2/devbox", "--parent", ev0.Image, "--target", "devbox/bench/box:s2", "--trigger", "stop")
	t.Logf("BENCH 1 KB change (devbox holding ~100 MB): %v wall, %d ms in agent, layer %d bytes, frozen %d ms, mode %s", d1, ev1.DurationMs, ev1.LayerSize, ev1.FrozenMs, ev1.Mode)

	// a big change: half compressible text, half random
	e.exec("b2", `set -e; mkdir -p /opt/big; n=`+mb+`; half=$((n/2)); dd if=/dev/urandom of=/opt/big/random bs=1M count=$half 2>/dev/null; i=0; while [ $i -lt $half ]; do find / -xdev -type d 2>/dev/null | head -c 1048576 >> /opt/big/text; i=$((i+1)); done; ls -la /opt/big`)
	ev2, d2 := cli("--container-id", "b2", "--parent", ev0.Image, "--target", "devbox/bench/box:s3", "--trigger", "stop")
	t.Logf("BENCH %s MB change: %v wall, %d ms in agent, layer %d bytes, frozen %d ms", mb, d2, ev2.DurationMs, ev2.LayerSize, ev2.FrozenMs)
}
