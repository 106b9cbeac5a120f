package it

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const changes1 = `set -e
mkdir -p /home/u/proj /opt/app/bin /home/u/emptydir
echo hello > /home/u/proj/readme.txt
dd if=/dev/urandom of=/opt/app/bin/blob bs=1024 count=300 2>/dev/null
chmod 0751 /opt/app/bin/blob
ln -s ../proj/readme.txt /home/u/link
ln /home/u/proj/readme.txt /home/u/hard
rm /etc/motd
chmod 0600 /etc/os-release
rm -rf /usr/share/doc
mkdir -p /usr/share/doc && echo C > /usr/share/doc/c
chown 1000:1000 /home/u/proj/readme.txt
mkdir -p /tmp/x && echo junk > /tmp/x/y
`

func TestCommitRestoreMerge(t *testing.T) {
	e := setup(t)
	base := e.pushBase("devbox/testbase", "v1")
	baseMan := e.manifest("devbox/testbase", "v1")

	// auth
	r, _ := http.Post(e.api.URL+"/v1/commits", "application/json", strings.NewReader(`{}`))
	if r.StatusCode != 401 {
		t.Fatalf("no token: HTTP %d", r.StatusCode)
	}
	req, _ := http.NewRequest("POST", e.api.URL+"/v1/commits", strings.NewReader(`{}`))
	req.Header.Set("Authorization", "Bearer wrong")
	if r, _ := http.DefaultClient.Do(req); r.StatusCode != 401 {
		t.Fatalf("wrong token: HTTP %d", r.StatusCode)
	}

	// 1. unchanged container → unchanged commit
	e.run(base, "c0", "pod0")
	res0, _ := e.call("/v1/commits", map[string]any{"namespace": "team-1.x", "pod": "pod0", "container": "devbox",
		"parentImage": base, "targetRepository": "devbox/team1/box0", "targetTag": "s1", "trigger": "stop"})
	if !res0.Unchanged || res0.LayerCount != 2 {
		t.Logf("unchanged commit: %+v (upper dir not empty is acceptable)", res0)
	}

	// 2. a running container with changes: frozen commit, cross-repo
	e.run(base, "c1", "pod-1")
	e.exec("c1", changes1)
	want1 := e.list("c1")
	res1, evs := e.call("/v1/commits", map[string]any{"namespace": "team-1.x", "pod": "pod-1", "container": "devbox",
		"parentImage": base, "targetRepository": "devbox/team1/box1", "targetTag": "s1", "trigger": "commit", "requestId": "req-1"})
	t.Logf("commit 1: %+v (%d events)", res1, len(evs))
	if res1.Mode != "frozen" || res1.LayerCount != 3 || res1.Image != e.reg+"/devbox/team1/box1:s1" {
		t.Fatalf("commit 1: %+v", res1)
	}
	if st := e.ctr("task", "ls"); !strings.Contains(st, "c1") || strings.Contains(lineOf(st, "c1"), "PAUSED") {
		t.Fatalf("c1 not resumed:\n%s", st)
	}
	phases := map[string]bool{}
	for _, ev := range evs {
		phases[ev.Phase] = true
	}
	if !phases["freezing"] || !phases["diffing"] {
		t.Fatalf("phases: %v", phases)
	}
	// idempotent retry
	again, _ := e.call("/v1/commits", map[string]any{"namespace": "team-1.x", "pod": "pod-1", "container": "devbox",
		"parentImage": base, "targetRepository": "devbox/team1/box1", "targetTag": "s1", "trigger": "commit", "requestId": "req-1"})
	if !again.Reused || again.Digest != res1.Digest {
		t.Fatalf("retry not idempotent: %+v", again)
	}

	// 3. restore: run the committed image, compare the tree
	e.run(res1.Image, "c2", "pod2")
	got1 := e.list("c2")
	if got1 != want1 {
		t.Fatalf("restored tree differs\nwant:\n%s\ngot:\n%s", want1, got1)
	}
	for _, must := range []string{"home/u/emptydir D", "home/u/link L 777 0:0 -> ../proj/readme.txt", "etc/os-release F 600", "opt/app/bin/blob F 751", "home/u/proj/readme.txt F 644 1000:1000 6"} {
		if !strings.Contains(got1, must) {
			t.Fatalf("missing %q in\n%s", must, got1)
		}
	}
	for _, gone := range []string{"etc/motd", "usr/share/doc/a"} {
		if strings.Contains(got1, gone) {
			t.Fatalf("%s should be deleted:\n%s", gone, got1)
		}
	}
	if out := e.exec("c2", "stat -c %i /home/u/hard /home/u/proj/readme.txt | sort -u | wc -l"); strings.TrimSpace(out) != "1" {
		t.Fatalf("hardlink not preserved: %q", out)
	}
	if out := e.exec("c2", "cat /tmp/x/y; echo $DEVBOX"); out != "junk\n1\n" {
		t.Fatalf("tmp/env: %q", out)
	}

	// 4. second commit on top (changes: delete a file of the first commit, overwrite one)
	e.exec("c2", `set -e; rm /opt/app/bin/blob; echo v2 > /home/u/proj/readme.txt; rm -rf /home/u/emptydir; mkdir /home/u/newdir; rm /usr/share/doc/c`)
	want2 := e.list("c2")
	res2, _ := e.call("/v1/commits", map[string]any{"namespace": "team-1.x", "pod": "pod2", "container": "devbox",
		"parentImage": res1.Image, "targetRepository": "devbox/team1/box1", "targetTag": "s2", "trigger": "stop", "requestId": "req-2"})
	m2 := e.manifest("devbox/team1/box1", "s2")
	if res2.LayerCount != 4 || len(m2.Layers) != 4 {
		t.Fatalf("commit 2: %+v", res2)
	}
	for i := range baseMan.Layers {
		if m2.Layers[i].Digest != baseMan.Layers[i].Digest {
			t.Fatalf("base layer %d changed", i)
		}
	}
	e.run(res2.Image, "c3", "pod3")
	if got := e.list("c3"); got != want2 {
		t.Fatalf("second restore differs\nwant:\n%s\ngot:\n%s", want2, got)
	}

	// 5. merge the two own layers into one
	resM, _ := e.call("/v1/merges", map[string]any{"image": res2.Image, "ownLayers": 2, "targetRepository": "devbox/team1/box1", "targetTag": "m1", "requestId": "merge-1"})
	mm := e.manifest("devbox/team1/box1", "m1")
	if resM.LayerCount != 3 || len(mm.Layers) != 3 || mm.Layers[0].Digest != baseMan.Layers[0].Digest || mm.Layers[1].Digest != baseMan.Layers[1].Digest {
		t.Fatalf("merge: %+v", resM)
	}
	if resM.LayerSize >= res1.LayerSize {
		t.Errorf("merged layer (%d) should drop the deleted 300 KB blob (first layer %d)", resM.LayerSize, res1.LayerSize)
	}
	e.run(resM.Image, "c4", "pod4")
	if got := e.list("c4"); got != want2 {
		t.Fatalf("merged image differs\nwant:\n%s\ngot:\n%s", want2, got)
	}

	// 6. exited container: commit without freezing
	e.exec("c3", "echo last > /home/u/last")
	want3 := e.list("c3")
	e.ctr("task", "kill", "-s", "SIGKILL", "c3")
	waitFor(t, "c3 exit", func() bool { return strings.Contains(lineOf(e.ctrOut("task", "ls"), "c3"), "STOPPED") })
	res3, _ := e.call("/v1/commits", map[string]any{"containerId": "c3", "parentImage": res2.Image, "targetRepository": "devbox/team1/box1", "targetTag": "s3", "trigger": "stop"})
	if res3.Mode != "exited" || res3.LayerCount != 5 {
		t.Fatalf("exited commit: %+v", res3)
	}
	e.run(res3.Image, "c5", "pod5")
	if got := e.list("c5"); got != want3 {
		t.Fatalf("exited commit differs\nwant:\n%s\ngot:\n%s", want3, got)
	}

	// 7. wrong parent is refused
	b, _ := jsonBody(map[string]any{"containerId": "c5", "parentImage": base, "targetRepository": "devbox/team1/box1", "targetTag": "bad"})
	req, _ = http.NewRequest("POST", e.api.URL+"/v1/commits", bytes.NewReader(b))
	req.Header.Set("Authorization", "Bearer "+e.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body := readAll(resp)
	if !strings.Contains(body, `"phase":"error"`) || !strings.Contains(body, "does not run parent image") {
		t.Fatalf("wrong parent accepted: %s", body)
	}
}

func TestThawAfterCrash(t *testing.T) {
	e := setup(t)
	base := e.pushBase("devbox/testbase", "v1")
	e.run(base, "f1", "podf")
	// an agent killed while f1 was frozen left this record behind
	os.MkdirAll(filepath.Join(e.engine.StateDir, "frozen"), 0o700)
	os.WriteFile(filepath.Join(e.engine.StateDir, "frozen", "f1"), []byte("x"), 0o600)
	e.ctr("task", "pause", "f1")
	if !strings.Contains(lineOf(e.ctrOut("task", "ls"), "f1"), "PAUSED") {
		t.Fatal("not paused")
	}
	ids := e.engine.ThawLeftovers(context.Background())
	if len(ids) != 1 || ids[0] != "f1" || !strings.Contains(lineOf(e.ctrOut("task", "ls"), "f1"), "RUNNING") {
		t.Fatalf("not thawed: %v\n%s", ids, e.ctrOut("task", "ls"))
	}
	if _, err := os.Stat(filepath.Join(e.engine.StateDir, "frozen", "f1")); !os.IsNotExist(err) {
		t.Fatal("record not cleared")
	}
}

func lineOf(s, id string) string {
	for _, l := range strings.Split(s, "\n") {
		if strings.HasPrefix(l, id+" ") {
			return l
		}
	}
	return ""
}
