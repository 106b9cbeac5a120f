// Integration test against a real containerd and a real registry. It starts
// its own throwaway containerd (overlayfs, own root/state/socket) and
// docker-registry under a temp dir, builds a tiny busybox image and pushes
// it, runs containers, changes files inside them via `ctr task exec`,
// commits through the HTTP API, runs the committed images and compares.
//
//	DEVBOX_AGENT_IT=1 go test ./internal/it/ -v
package it

import (
	"archive/tar"
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"devbox.local/agent/internal/ctrd"
	"devbox.local/agent/internal/registry"
	"devbox.local/agent/internal/server"
	"devbox.local/agent/internal/snapshot"
)

const ns = "k8s.io"

type env struct {
	t      *testing.T
	dir    string
	sock   string
	reg    string // host:port
	rc     *registry.Client
	api    *httptest.Server
	token  string
	ctrs   []string
	engine *snapshot.Engine
}

func freePort(t *testing.T) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func startDaemon(t *testing.T, logPath string, name string, args ...string) {
	lf, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(name, args...)
	cmd.Stdout, cmd.Stderr = lf, lf
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
		}
		lf.Close()
	})
}

func waitFor(t *testing.T, what string, ok func() bool) {
	for i := 0; i < 200; i++ {
		if ok() {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("timed out waiting for %s", what)
}

func setup(t *testing.T) *env {
	if os.Getenv("DEVBOX_AGENT_IT") != "1" {
		t.Skip("set DEVBOX_AGENT_IT=1 (needs root, containerd, runc, docker-registry, busybox-static)")
	}
	for _, b := range []string{"containerd", "ctr", "runc", "docker-registry"} {
		if _, err := exec.LookPath(b); err != nil {
			t.Fatalf("%s not installed", b)
		}
	}
	dir, err := os.MkdirTemp("/var/tmp", "devbox-agent-it-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		// containerd's overlay mounts are gone once its tasks are deleted
		if !t.Failed() || os.Getenv("DEVBOX_AGENT_IT_KEEP") == "" {
			exec.Command("umount", "-R", filepath.Join(dir, "state")).Run()
			os.RemoveAll(dir)
		}
	})
	e := &env{t: t, dir: dir, sock: filepath.Join(dir, "containerd.sock"), token: "s3cret-token"}
	e.reg = fmt.Sprintf("127.0.0.1:%d", freePort(t))
	os.WriteFile(filepath.Join(dir, "registry.yml"), []byte(fmt.Sprintf(`version: 0.1
log: {level: warn, accesslog: {disabled: true}}
storage:
  filesystem: {rootdirectory: %s/registry}
  delete: {enabled: true}
http: {addr: %s}
`, dir, e.reg)), 0o644)
	startDaemon(t, filepath.Join(dir, "registry.log"), "docker-registry", "serve", filepath.Join(dir, "registry.yml"))
	os.WriteFile(filepath.Join(dir, "containerd.toml"), []byte(fmt.Sprintf(`version = 2
root = "%[1]s/root"
state = "%[1]s/state"
disabled_plugins = ["io.containerd.grpc.v1.cri", "io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper"]
[grpc]
  address = "%[1]s/containerd.sock"
[ttrpc]
  address = "%[1]s/containerd.sock.ttrpc"
[debug]
  address = "%[1]s/debug.sock"
[plugins."io.containerd.runtime.v1.linux"]
  runtime_root = "%[1]s/runc-v1"
[plugins."io.containerd.internal.v1.opt"]
  path = "%[1]s/opt"
`, dir)), 0o644)
	startDaemon(t, filepath.Join(dir, "containerd.log"), "containerd", "--config", filepath.Join(dir, "containerd.toml"))
	e.rc = registry.New(e.reg)
	waitFor(t, "registry", func() bool {
		r, err := http.Get("http://" + e.reg + "/v2/")
		if err == nil {
			r.Body.Close()
		}
		return err == nil && r.StatusCode == 200
	})
	waitFor(t, "containerd", func() bool { return exec.Command("ctr", "-a", e.sock, "version").Run() == nil })

	ct, err := ctrd.Dial(e.sock, ns)
	if err != nil {
		t.Fatal(err)
	}
	e.engine = &snapshot.Engine{CT: ct, Reg: e.rc, RegistryHost: e.reg, GzipLevel: 1, TmpDir: dir, StateDir: filepath.Join(dir, "agent-state"), ProgressInterval: time.Millisecond}
	srv := &server.Server{Engine: e.engine, Token: func() string { return e.token }}
	e.api = httptest.NewServer(srv.Handler())
	t.Cleanup(e.api.Close)
	t.Cleanup(func() {
		for _, c := range e.ctrs {
			e.ctrQuiet("task", "kill", "-s", "SIGKILL", c)
		}
		time.Sleep(300 * time.Millisecond)
		for _, c := range e.ctrs {
			e.ctrQuiet("task", "delete", "-f", c)
			e.ctrQuiet("containers", "delete", c)
		}
	})
	return e
}

func (e *env) ctr(args ...string) string {
	e.t.Helper()
	out, err := exec.Command("ctr", append([]string{"-a", e.sock, "-n", ns}, args...)...).CombinedOutput()
	if err != nil {
		e.t.Fatalf("ctr %v: %v\n%s", args, err, out)
	}
	return string(out)
}

func (e *env) ctrQuiet(args ...string) {
	exec.Command("ctr", append([]string{"-a", e.sock, "-n", ns}, args...)...).Run()
}

// ---- building and pushing a base image without any external registry ----

type file struct {
	name string
	typ  byte
	mode int64
	data []byte
	link string
}

func gzTar(t *testing.T, files []file) (gz []byte, diffID string) {
	var raw bytes.Buffer
	tw := tar.NewWriter(&raw)
	for _, f := range files {
		h := &tar.Header{Name: f.name, Typeflag: f.typ, Mode: f.mode, Linkname: f.link, ModTime: time.Unix(1700000000, 0)}
		if f.typ == tar.TypeReg {
			h.Size = int64(len(f.data))
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		tw.Write(f.data)
	}
	tw.Close()
	s := sha256.Sum256(raw.Bytes())
	var out bytes.Buffer
	zw := gzip.NewWriter(&out)
	zw.Write(raw.Bytes())
	zw.Close()
	return out.Bytes(), "sha256:" + hex.EncodeToString(s[:])
}

func (e *env) pushBase(repo, tag string) string {
	t := e.t
	bb, err := os.ReadFile("/bin/busybox")
	if err != nil {
		t.Fatal(err)
	}
	if out, _ := exec.Command("sh", "-c", "ldd /bin/busybox 2>&1").Output(); !bytes.Contains(out, []byte("not a dynamic")) {
		t.Fatal("/bin/busybox is not static (apt-get install busybox-static)")
	}
	l1 := []file{{name: "bin/", typ: tar.TypeDir, mode: 0o755}, {name: "bin/busybox", typ: tar.TypeReg, mode: 0o755, data: bb}}
	for _, a := range []string{"sh", "ls", "cat", "md5sum", "find", "stat", "sleep", "mkdir", "rm", "ln", "chmod", "chown", "dd", "sort", "readlink", "echo", "touch", "mv", "head", "xargs", "true", "sync"} {
		l1 = append(l1, file{name: "bin/" + a, typ: tar.TypeSymlink, mode: 0o777, link: "busybox"})
	}
	l2 := []file{
		{name: "etc/", typ: tar.TypeDir, mode: 0o755},
		{name: "etc/motd", typ: tar.TypeReg, mode: 0o644, data: []byte("welcome\n")},
		{name: "etc/os-release", typ: tar.TypeReg, mode: 0o644, data: []byte("ID=test\n")},
		{name: "usr/", typ: tar.TypeDir, mode: 0o755},
		{name: "usr/share/", typ: tar.TypeDir, mode: 0o755},
		{name: "usr/share/doc/", typ: tar.TypeDir, mode: 0o755},
		{name: "usr/share/doc/a", typ: tar.TypeReg, mode: 0o644, data: []byte("A")},
		{name: "usr/share/doc/b", typ: tar.TypeReg, mode: 0o644, data: []byte("B")},
		{name: "opt/", typ: tar.TypeDir, mode: 0o755},
		{name: "home/", typ: tar.TypeDir, mode: 0o755},
		{name: "tmp/", typ: tar.TypeDir, mode: 0o1777},
		{name: "proc/", typ: tar.TypeDir, mode: 0o555},
		{name: "sys/", typ: tar.TypeDir, mode: 0o555},
		{name: "dev/", typ: tar.TypeDir, mode: 0o755},
		{name: "root/", typ: tar.TypeDir, mode: 0o700},
	}
	ctx := context.Background()
	var layers []registry.Descriptor
	var diffIDs []string
	for _, l := range [][]file{l1, l2} {
		gz, d := gzTar(t, l)
		dg, n, err := e.rc.UploadBlob(ctx, repo, bytes.NewReader(gz), nil)
		if err != nil {
			t.Fatal(err)
		}
		layers = append(layers, registry.Descriptor{MediaType: registry.MediaTypeOCILayerGzip, Digest: dg, Size: n})
		diffIDs = append(diffIDs, d)
	}
	cfg, _ := json.Marshal(map[string]any{
		"architecture": "amd64", "os": "linux",
		"config":  map[string]any{"Env": []string{"PATH=/bin", "DEVBOX=1"}, "Cmd": []string{"sh"}, "WorkingDir": "/", "Labels": map[string]string{"devbox.base": "test"}},
		"rootfs":  map[string]any{"type": "layers", "diff_ids": diffIDs},
		"history": []map[string]any{{"created_by": "busybox"}, {"created_by": "etc"}},
	})
	cd, err := e.rc.PutBlobBytes(ctx, repo, cfg)
	if err != nil {
		t.Fatal(err)
	}
	man, _ := json.Marshal(registry.Manifest{SchemaVersion: 2, MediaType: registry.MediaTypeOCIManifest,
		Config: registry.Descriptor{MediaType: registry.MediaTypeOCIConfig, Digest: cd, Size: int64(len(cfg))}, Layers: layers})
	if _, err := e.rc.PutManifest(ctx, repo, tag, registry.MediaTypeOCIManifest, man); err != nil {
		t.Fatal(err)
	}
	return e.reg + "/" + repo + ":" + tag
}

// run starts a container from image with pod labels; its PID 1 is `sleep`
// (which, as PID 1, ignores SIGTERM) unless cmd is given.
func (e *env) run(image, id, pod string, cmd ...string) {
	if len(cmd) == 0 {
		cmd = []string{"sleep", "100000"}
	}
	e.ctr("images", "pull", "--plain-http", image)
	e.ctr(append([]string{"run", "-d", "--snapshotter", "overlayfs",
		"--label", "io.kubernetes.pod.namespace=team-1.x", "--label", "io.kubernetes.pod.name=" + pod, "--label", "io.kubernetes.container.name=devbox",
		image, id}, cmd...)...)
	e.ctrs = append(e.ctrs, id)
}

var execN int

func (e *env) exec(id, script string) string {
	e.t.Helper()
	execN++
	return e.ctr("task", "exec", "--exec-id", fmt.Sprintf("x%d", execN), id, "sh", "-c", script)
}

// listing describes the interesting part of a container's filesystem.
const listing = `cd / && find etc home opt usr root | sort | while read f; do
  if [ -L "$f" ]; then echo "$f L $(stat -c '%a %u:%g' "$f") -> $(readlink "$f")";
  elif [ -d "$f" ]; then echo "$f D $(stat -c '%a %u:%g' "$f")";
  else echo "$f F $(stat -c '%a %u:%g %s' "$f") $(md5sum < "$f" | cut -c1-32 2>/dev/null || md5sum "$f")"; fi
done`

func (e *env) list(id string) string {
	return e.exec(id, listing)
}

// call POSTs to the API and returns the final event and all events.
func (e *env) call(path string, body any) (snapshot.Event, []snapshot.Event) {
	e.t.Helper()
	last, evs, err := e.post(path, body)
	if err != nil {
		e.t.Fatal(err)
	}
	return last, evs
}

// post is call without failing the test (usable from other goroutines).
func (e *env) post(path string, body any) (snapshot.Event, []snapshot.Event, error) {
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest("POST", e.api.URL+path, bytes.NewReader(b))
	req.Header.Set("Authorization", "Bearer "+e.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return snapshot.Event{}, nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		return snapshot.Event{}, nil, fmt.Errorf("%s: HTTP %d", path, resp.StatusCode)
	}
	var evs []snapshot.Event
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		var ev snapshot.Event
		if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
			return snapshot.Event{}, evs, fmt.Errorf("bad NDJSON line %q: %v", sc.Text(), err)
		}
		evs = append(evs, ev)
	}
	if len(evs) == 0 {
		return snapshot.Event{}, nil, fmt.Errorf("%s: no events", path)
	}
	last := evs[len(evs)-1]
	if last.Phase != "done" {
		return last, evs, fmt.Errorf("%s failed: %+v", path, last)
	}
	return last, evs, nil
}

func (e *env) manifest(repo, tag string) *registry.Manifest {
	m, _, _, err := e.rc.GetManifest(context.Background(), repo, tag)
	if err != nil {
		e.t.Fatal(err)
	}
	return m
}

func (e *env) ctrOut(args ...string) string {
	out, _ := exec.Command("ctr", append([]string{"-a", e.sock, "-n", ns}, args...)...).CombinedOutput()
	return string(out)
}

func jsonBody(v any) ([]byte, error) { return json.Marshal(v) }

func readAll(r *http.Response) string {
	defer r.Body.Close()
	var b bytes.Buffer
	b.ReadFrom(r.Body)
	return b.String()
}
