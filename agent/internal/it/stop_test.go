package it

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"devbox.local/agent/internal/snapshot"
)

// PID 1 saves on SIGTERM (after a second, a 512 KB file and its checksum),
// waits for its child, which saves on SIGTERM too: only a signal to every
// process of the container reaches the child, and PID 1's exit would kill it.
const savesOnTerm = `trap 'sleep 1; dd if=/dev/urandom of=/home/late bs=1024 count=512 2>/dev/null; md5sum /home/late > /home/late.md5; echo bye > /home/pid1-term; wait; exit 0' TERM
( trap 'echo child > /opt/child-term; exit 0' TERM; touch /tmp/child-ready; while :; do sleep 1; done ) &
touch /tmp/pid1-ready
while :; do sleep 1; done`

// waitTraps waits until both processes of savesOnTerm have set their traps.
func (e *env) waitTraps(id string) {
	waitFor(e.t, id+"'s traps", func() bool {
		execN++
		out := e.ctrOut("task", "exec", "--exec-id", fmt.Sprintf("r%d", execN), id, "sh", "-c", "test -e /tmp/child-ready && test -e /tmp/pid1-ready && echo ok")
		return strings.TrimSpace(out) == "ok"
	})
}

func stopBody(pod, parent, tag, requestID string, grace int) map[string]any {
	return map[string]any{"namespace": "team-1.x", "pod": pod, "container": "devbox", "parentImage": parent,
		"targetRepository": "devbox/team1/stop", "targetTag": tag, "trigger": "stop", "requestId": requestID,
		"stop": map[string]any{"graceSeconds": grace}}
}

func phases(evs []snapshot.Event) map[string]bool {
	m := map[string]bool{}
	for _, ev := range evs {
		m[ev.Phase] = true
	}
	return m
}

func TestGracefulStop(t *testing.T) {
	e := setup(t)
	base := e.pushBase("devbox/testbase", "v1")

	t.Run("writes made on SIGTERM are in the snapshot", func(t *testing.T) {
		e.t = t
		e.run(base, "g1", "pod-g1", "sh", "-c", savesOnTerm)
		e.waitTraps("g1")
		e.exec("g1", "echo before > /home/before")
		res, evs := e.call("/v1/commits", stopBody("pod-g1", base, "g1", "stop-g1", 10))
		t.Logf("graceful stop: %+v", res)
		if res.Mode != "exited" || res.Killed || res.StopMs < 1000 || res.StopMs >= 10000 {
			t.Fatalf("want an exit on SIGTERM within the grace, after the 1 s save: %+v", res)
		}
		if p := phases(evs); !p["stopping"] || p["freezing"] {
			t.Fatalf("phases: %v", p)
		}
		if st := lineOf(e.ctrOut("task", "ls"), "g1"); !strings.Contains(st, "STOPPED") {
			t.Fatalf("g1 should have exited: %q", st)
		}
		e.run(res.Image, "g1r", "pod-g1r")
		got := e.exec("g1r", "cat /home/before /home/pid1-term /opt/child-term; md5sum -c /home/late.md5")
		if got != "before\nbye\nchild\n/home/late: OK\n" {
			t.Fatalf("restored snapshot lacks what was written on SIGTERM: %q", got)
		}
	})

	t.Run("a process ignoring SIGTERM is killed after the grace", func(t *testing.T) {
		e.t = t
		e.run(base, "g2", "pod-g2") // PID 1 is sleep: ignores SIGTERM
		e.exec("g2", "echo kept > /home/kept")
		res, evs := e.call("/v1/commits", stopBody("pod-g2", base, "g2", "stop-g2", 2))
		t.Logf("stop after grace: %+v", res)
		if res.Mode != "exited" || !res.Killed || res.StopMs < 2000 || res.StopMs > 2000+5000 {
			t.Fatalf("want SIGKILL after the 2 s grace: %+v", res)
		}
		n := 0
		for _, ev := range evs {
			if ev.Phase == "stopping" {
				n++
			}
		}
		if n != 2 {
			t.Fatalf("want a stopping event for SIGTERM and one for SIGKILL, got %d: %+v", n, evs)
		}
		e.run(res.Image, "g2r", "pod-g2r")
		if got := e.exec("g2r", "cat /home/kept"); got != "kept\n" {
			t.Fatalf("restored: %q", got)
		}

		// the same request again (the dashboard died before recording the
		// result): the same snapshot, nothing redone
		again, evs := e.call("/v1/commits", stopBody("pod-g2", base, "g2", "stop-g2", 2))
		if !again.Reused || again.Digest != res.Digest || phases(evs)["stopping"] {
			t.Fatalf("retry: %+v, first: %+v", again, res)
		}
	})

	t.Run("a retry while the stop is running gets the same result", func(t *testing.T) {
		e.t = t
		e.run(base, "g3", "pod-g3")
		e.exec("g3", "echo three > /home/three")
		type out struct {
			ev  snapshot.Event
			err error
		}
		first := make(chan out, 1)
		go func() {
			ev, _, err := e.post("/v1/commits", stopBody("pod-g3", base, "g3", "stop-g3", 2))
			first <- out{ev, err}
		}()
		time.Sleep(500 * time.Millisecond) // inside the first one's 2 s grace
		second, _, err := e.post("/v1/commits", stopBody("pod-g3", base, "g3", "stop-g3", 2))
		if err != nil {
			t.Fatal(err)
		}
		f := <-first
		if f.err != nil {
			t.Fatal(f.err)
		}
		if f.ev.Digest != second.Digest || f.ev.Reused == second.Reused {
			t.Fatalf("want one commit and one replay of it: %+v / %+v", f.ev, second)
		}
	})

	t.Run("a task that already exited is just committed", func(t *testing.T) {
		e.t = t
		// an earlier attempt stopped it, then the agent died before pushing
		e.run(base, "g4", "pod-g4")
		e.exec("g4", "echo four > /home/four")
		e.ctr("task", "kill", "-s", "SIGKILL", "g4")
		waitFor(t, "g4 exit", func() bool { return strings.Contains(lineOf(e.ctrOut("task", "ls"), "g4"), "STOPPED") })
		res, evs := e.call("/v1/commits", stopBody("pod-g4", base, "g4", "stop-g4", 10))
		if res.Mode != "exited" || res.Killed || res.StopMs != 0 || phases(evs)["stopping"] {
			t.Fatalf("exited task: %+v", res)
		}
		e.run(res.Image, "g4r", "pod-g4r")
		if got := e.exec("g4r", "cat /home/four"); got != "four\n" {
			t.Fatalf("restored: %q", got)
		}
	})

	t.Run("a frozen task is thawed and stopped", func(t *testing.T) {
		e.t = t
		e.run(base, "g5", "pod-g5", "sh", "-c", savesOnTerm)
		e.waitTraps("g5")
		e.ctr("task", "pause", "g5")
		res, _ := e.call("/v1/commits", stopBody("pod-g5", base, "g5", "stop-g5", 10))
		if res.Mode != "exited" || res.Killed {
			t.Fatalf("paused task: %+v", res)
		}
		e.run(res.Image, "g5r", "pod-g5r")
		if got := e.exec("g5r", "cat /home/pid1-term /opt/child-term"); got != "bye\nchild\n" {
			t.Fatalf("restored: %q", got)
		}
	})

	t.Run("a grace out of range is refused and stops nothing", func(t *testing.T) {
		e.t = t
		e.run(base, "g6", "pod-g6")
		b, _ := jsonBody(stopBody("pod-g6", base, "g6", "stop-g6", -1))
		req, _ := http.NewRequest("POST", e.api.URL+"/v1/commits", strings.NewReader(string(b)))
		req.Header.Set("Authorization", "Bearer "+e.token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		if body := readAll(resp); resp.StatusCode != 400 || !strings.Contains(body, "graceSeconds") {
			t.Fatalf("HTTP %d %s", resp.StatusCode, body)
		}
		if st := lineOf(e.ctrOut("task", "ls"), "g6"); !strings.Contains(st, "RUNNING") {
			t.Fatalf("g6 must keep running: %q", st)
		}
	})
}
