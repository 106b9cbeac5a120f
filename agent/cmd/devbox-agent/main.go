// devbox-agent commits devbox containers' writable layers to images in the
// internal registry. See agent/README.md.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"devbox.local/agent/internal/ctrd"
	"devbox.local/agent/internal/registry"
	"devbox.local/agent/internal/server"
	"devbox.local/agent/internal/snapshot"
)

func usage() {
	fmt.Fprint(os.Stderr, `usage:
  devbox-agent serve  --listen NODE_IP:7070 --allow-from IP[,CIDR...] --containerd SOCK --registry HOST:PORT --token-file PATH
  devbox-agent commit --containerd SOCK --registry HOST:PORT (--container-id ID | --pod NS/POD/CONTAINER)
                      [--parent IMAGE] --target REPO:TAG [--trigger T] [--request-id ID] [--stop-grace SECONDS]
  devbox-agent merge  --registry HOST:PORT --image IMAGE --own-layers N --target REPO:TAG [--request-id ID]
`)
	os.Exit(2)
}

type common struct {
	containerd, namespace, registry, tmp, state string
	gzipLevel                                   int
}

func (c *common) flags(fs *flag.FlagSet) {
	fs.StringVar(&c.containerd, "containerd", envOr("DEVBOX_CONTAINERD", "/run/containerd/containerd.sock"), "containerd socket")
	fs.StringVar(&c.namespace, "namespace", "k8s.io", "containerd namespace")
	fs.StringVar(&c.registry, "registry", envOr("DEVBOX_REGISTRY", "127.0.0.1:5000"), "registry host:port (plain HTTP; https://host for TLS)")
	fs.StringVar(&c.tmp, "tmp-dir", os.TempDir(), "spool directory for merges")
	fs.StringVar(&c.state, "state-dir", "/var/lib/devbox-agent", "agent state (tasks frozen by this agent, thawed after a crash)")
	fs.IntVar(&c.gzipLevel, "gzip-level", 1, "gzip level of new layers (1 fastest .. 9 smallest)")
}

func (c *common) engine(needCT bool) *snapshot.Engine {
	host := strings.TrimPrefix(strings.TrimPrefix(c.registry, "http://"), "https://")
	e := &snapshot.Engine{Reg: registry.New(c.registry), RegistryHost: host, GzipLevel: c.gzipLevel, TmpDir: c.tmp, StateDir: c.state}
	if needCT {
		ct, err := ctrd.Dial(c.containerd, c.namespace)
		if err != nil {
			log.Fatalf("containerd: %v", err)
		}
		e.CT = ct
	}
	return e
}

func envOr(k, d string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return d
}

func main() {
	log.SetFlags(log.LstdFlags | log.Lmicroseconds)
	if len(os.Args) < 2 {
		usage()
	}
	switch os.Args[1] {
	case "serve":
		serve(os.Args[2:])
	case "commit":
		commit(os.Args[2:])
	case "merge":
		merge(os.Args[2:])
	case "version":
		fmt.Println("devbox-agent 0.1")
	default:
		usage()
	}
}

func serve(args []string) {
	fs := flag.NewFlagSet("serve", flag.ExitOnError)
	var c common
	c.flags(fs)
	listen := fs.String("listen", envOr("DEVBOX_AGENT_LISTEN", "0.0.0.0:7070"), "listen address (the node IP in a cluster, not 0.0.0.0)")
	allowFrom := fs.String("allow-from", envOr("DEVBOX_AGENT_ALLOW_FROM", ""), "comma-separated source IPs/CIDRs served (the dashboard's); empty: any")
	tokenFile := fs.String("token-file", envOr("DEVBOX_AGENT_TOKEN_FILE", ""), "file holding the bearer token")
	maxConc := fs.Int("max-concurrent", 2, "concurrent commits/merges")
	fs.Parse(args)
	if *tokenFile == "" {
		log.Fatal("--token-file is required")
	}
	readToken := func() string {
		b, err := os.ReadFile(*tokenFile)
		if err != nil {
			log.Printf("token file: %v", err)
			return ""
		}
		return strings.TrimSpace(string(b))
	}
	if readToken() == "" {
		log.Fatalf("token file %s is empty or unreadable", *tokenFile)
	}
	allow, err := server.ParseAllowFrom(*allowFrom)
	if err != nil {
		log.Fatal(err)
	}
	e := c.engine(true)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	if ids := e.ThawLeftovers(ctx); len(ids) > 0 {
		log.Printf("resumed tasks left frozen by a previous run: %v", ids)
	}
	cancel()
	srv := &http.Server{Addr: *listen, Handler: (&server.Server{Engine: e, Token: readToken, MaxConcurrent: *maxConc, AllowFrom: allow}).Handler(),
		ReadHeaderTimeout: 10 * time.Second}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
	go func() {
		<-sig
		log.Print("shutting down (waiting for running commits)")
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
		defer cancel()
		srv.Shutdown(ctx)
	}()
	log.Printf("devbox-agent listening on %s (containerd %s, registry %s, sources %v)", *listen, c.containerd, c.registry, allow)
	if err := srv.ListenAndServe(); err != nil && err != http.ErrServerClosed {
		log.Fatal(err)
	}
}

func splitTarget(t string) (string, string) {
	i := strings.LastIndex(t, ":")
	if i < 0 || strings.Contains(t[i:], "/") {
		return t, "latest"
	}
	return t[:i], t[i+1:]
}

func printer(asJSON bool) func(snapshot.Event) {
	enc := json.NewEncoder(os.Stdout)
	return func(ev snapshot.Event) {
		if asJSON {
			enc.Encode(ev)
			return
		}
		fmt.Fprintf(os.Stderr, "%-9s %12d bytes %s\n", ev.Phase, ev.Bytes, ev.Message)
	}
}

func finish(res *snapshot.Event, err error, asJSON bool) {
	if err != nil {
		json.NewEncoder(os.Stdout).Encode(snapshot.Event{Phase: "error", Error: err.Error()})
		os.Exit(1)
	}
	json.NewEncoder(os.Stdout).Encode(res)
}

func commit(args []string) {
	fs := flag.NewFlagSet("commit", flag.ExitOnError)
	var c common
	c.flags(fs)
	var req snapshot.CommitRequest
	fs.StringVar(&req.ContainerID, "container-id", "", "containerd container ID")
	pod := fs.String("pod", "", "NAMESPACE/POD/CONTAINER instead of --container-id")
	fs.StringVar(&req.ParentImage, "parent", "", "image the container runs (default: the container's image)")
	target := fs.String("target", "", "REPO:TAG to push to (in --registry)")
	fs.StringVar(&req.Trigger, "trigger", "manual", "trigger recorded in the image history")
	fs.StringVar(&req.RequestID, "request-id", "", "idempotency key")
	fs.BoolVar(&req.Force, "force", false, "skip the check that the container runs the parent image")
	stopGrace := fs.Int("stop-grace", -1, "stop the container first: SIGTERM to all its processes, this many seconds to exit, then SIGKILL (-1: freeze it instead)")
	asJSON := fs.Bool("json", true, "print progress as NDJSON on stdout (else human lines on stderr)")
	fs.Parse(args)
	if *pod != "" {
		p := strings.Split(*pod, "/")
		if len(p) != 3 {
			log.Fatal("--pod wants NAMESPACE/POD/CONTAINER")
		}
		req.Namespace, req.Pod, req.Container = p[0], p[1], p[2]
	}
	if *target == "" || (req.ContainerID == "" && req.Pod == "") {
		usage()
	}
	if *stopGrace >= 0 {
		req.Stop = &snapshot.StopRequest{GraceSeconds: *stopGrace}
	}
	req.TargetRepository, req.TargetTag = splitTarget(*target)
	e := c.engine(true)
	res, err := e.Commit(context.Background(), req, printer(*asJSON))
	finish(res, err, *asJSON)
}

func merge(args []string) {
	fs := flag.NewFlagSet("merge", flag.ExitOnError)
	var c common
	c.flags(fs)
	var req snapshot.MergeRequest
	fs.StringVar(&req.Image, "image", "", "image whose last layers to merge")
	fs.IntVar(&req.OwnLayers, "own-layers", 0, "how many of its last layers are the devbox's own")
	target := fs.String("target", "", "REPO:TAG to push to")
	fs.StringVar(&req.RequestID, "request-id", "", "idempotency key")
	asJSON := fs.Bool("json", true, "print progress as NDJSON")
	fs.Parse(args)
	if req.Image == "" || req.OwnLayers < 1 || *target == "" {
		usage()
	}
	req.TargetRepository, req.TargetTag = splitTarget(*target)
	e := c.engine(false)
	res, err := e.Merge(context.Background(), req, printer(*asJSON))
	finish(res, err, *asJSON)
}
