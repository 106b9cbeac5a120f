// Package server is the agent's HTTP API: POST /v1/commits, POST /v1/merges,
// GET /healthz. Requests are authenticated with a bearer token; progress is
// streamed as NDJSON.
package server

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"log"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"time"

	"devbox.local/agent/internal/snapshot"
)

// Server serves the API.
type Server struct {
	Engine *snapshot.Engine
	Token  func() string // read per request so a rotated Secret is picked up
	// MaxConcurrent bounds concurrent commits/merges (default 2).
	MaxConcurrent int
	// AllowFrom: when not empty, only these source addresses are served (the dashboard's;
	// pods on the node must not reach the agent even with a leaked token). Others get 403.
	AllowFrom []netip.Prefix

	once  sync.Once
	sem   chan struct{}
	mu    sync.Mutex
	locks map[string]*keyLock
}

type keyLock struct {
	mu   sync.Mutex
	refs int
}

func (s *Server) init() {
	s.once.Do(func() {
		n := s.MaxConcurrent
		if n <= 0 {
			n = 2
		}
		s.sem = make(chan struct{}, n)
		s.locks = map[string]*keyLock{}
	})
}

// lock serializes work on one key (a container, a target tag).
func (s *Server) lock(keys ...string) func() {
	var held []*keyLock
	for _, k := range keys {
		if k == "" {
			continue
		}
		s.mu.Lock()
		l := s.locks[k]
		if l == nil {
			l = &keyLock{}
			s.locks[k] = l
		}
		l.refs++
		s.mu.Unlock()
		l.mu.Lock()
		held = append(held, l)
		_ = k
	}
	return func() {
		for i := len(held) - 1; i >= 0; i-- {
			held[i].mu.Unlock()
		}
		s.mu.Lock()
		for _, k := range keys {
			if l := s.locks[k]; l != nil {
				l.refs--
				if l.refs == 0 {
					delete(s.locks, k)
				}
			}
		}
		s.mu.Unlock()
	}
}

// Handler returns the HTTP handler.
func (s *Server) Handler() http.Handler {
	s.init()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"ok":true}` + "\n"))
	})
	mux.HandleFunc("POST /v1/commits", s.auth(s.commit))
	mux.HandleFunc("POST /v1/merges", s.auth(s.merge))
	if len(s.AllowFrom) == 0 {
		return mux
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !s.allowed(r.RemoteAddr) {
			httpError(w, http.StatusForbidden, "forbidden")
			return
		}
		mux.ServeHTTP(w, r)
	})
}

func (s *Server) allowed(remote string) bool {
	host, _, err := net.SplitHostPort(remote)
	if err != nil {
		return false
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return false
	}
	ip = ip.Unmap()
	for _, p := range s.AllowFrom {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// ParseAllowFrom reads a comma-separated list of IPs and CIDRs ("127.0.0.1,10.0.0.5/32").
func ParseAllowFrom(list string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.Split(list, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if p, err := netip.ParsePrefix(f); err == nil {
			out = append(out, p.Masked())
			continue
		}
		ip, err := netip.ParseAddr(f)
		if err != nil {
			return nil, errors.New("allow-from: not an IP or CIDR: " + f)
		}
		out = append(out, netip.PrefixFrom(ip.Unmap(), ip.Unmap().BitLen()))
	}
	return out, nil
}

func (s *Server) auth(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		want := ""
		if s.Token != nil {
			want = s.Token()
		}
		got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if want == "" || !ok || subtle.ConstantTimeCompare([]byte(strings.TrimSpace(got)), []byte(want)) != 1 {
			httpError(w, http.StatusUnauthorized, "unauthorized")
			return
		}
		h(w, r)
	}
}

func httpError(w http.ResponseWriter, code int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(snapshot.Event{Phase: "error", Error: msg})
}

// stream runs job detached from the request (a client that goes away does not
// abort a commit half-way; its retry with the same requestId finds the
// result) and streams its events as NDJSON while the client listens.
func (s *Server) stream(w http.ResponseWriter, r *http.Request, keys []string, job func(ctx context.Context, emit func(snapshot.Event)) (*snapshot.Event, error)) {
	w.Header().Set("Content-Type", "application/x-ndjson")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	flusher, _ := w.(http.Flusher)
	events := make(chan snapshot.Event, 64)
	go func() {
		defer close(events)
		emit := func(ev snapshot.Event) {
			select {
			case events <- ev:
			default: // a slow client misses progress lines, never the result
			}
		}
		unlock := s.lock(keys...)
		defer unlock()
		s.sem <- struct{}{}
		defer func() { <-s.sem }()
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Hour)
		defer cancel()
		res, err := job(ctx, emit)
		if err != nil {
			log.Printf("%s %s: error: %v", r.Method, r.URL.Path, err)
			events <- snapshot.Event{Phase: "error", Error: err.Error()}
			return
		}
		log.Printf("%s %s: done %s %s (%d ms, %d bytes, mode %s)", r.Method, r.URL.Path, res.Image, res.Digest, res.DurationMs, res.LayerSize, res.Mode)
		events <- *res
	}()
	enc := json.NewEncoder(w)
	clientGone := r.Context().Done()
	for {
		select {
		case ev, ok := <-events:
			if !ok {
				return
			}
			if clientGone == nil {
				continue
			}
			if err := enc.Encode(ev); err != nil {
				clientGone = nil
				continue
			}
			if flusher != nil {
				flusher.Flush()
			}
		case <-clientGone:
			clientGone = nil // keep draining until the job ends
		}
	}
}

func decode(r *http.Request, v any) error {
	dec := json.NewDecoder(http.MaxBytesReader(nil, r.Body, 1<<20))
	if err := dec.Decode(v); err != nil {
		return errors.New("bad request body: " + err.Error())
	}
	return nil
}

func (s *Server) commit(w http.ResponseWriter, r *http.Request) {
	var req snapshot.CommitRequest
	if err := decode(r, &req); err != nil {
		httpError(w, http.StatusBadRequest, err.Error())
		return
	}
	if err := req.Validate(); err != nil {
		httpError(w, http.StatusBadRequest, err.Error())
		return
	}
	ckey := "c:" + req.ContainerID
	if req.ContainerID == "" {
		ckey = "p:" + req.Namespace + "/" + req.Pod + "/" + req.Container
	}
	s.stream(w, r, []string{ckey, "t:" + req.TargetRepository + ":" + req.TargetTag}, func(ctx context.Context, emit func(snapshot.Event)) (*snapshot.Event, error) {
		return s.Engine.Commit(ctx, req, emit)
	})
}

func (s *Server) merge(w http.ResponseWriter, r *http.Request) {
	var req snapshot.MergeRequest
	if err := decode(r, &req); err != nil {
		httpError(w, http.StatusBadRequest, err.Error())
		return
	}
	if req.Image == "" || req.OwnLayers < 1 || req.TargetRepository == "" || req.TargetTag == "" {
		httpError(w, http.StatusBadRequest, "image, ownLayers (>= 1), targetRepository and targetTag are required")
		return
	}
	s.stream(w, r, []string{"t:" + req.TargetRepository + ":" + req.TargetTag}, func(ctx context.Context, emit func(snapshot.Event)) (*snapshot.Event, error) {
		return s.Engine.Merge(ctx, req, emit)
	})
}
