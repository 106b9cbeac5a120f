// Package snapshot commits a container's writable layer to a new image and
// merges a devbox's own layers into one.
package snapshot

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/klauspost/compress/gzip"

	"devbox.local/agent/internal/ctrd"
	"devbox.local/agent/internal/layer"
	"devbox.local/agent/internal/registry"
)

// Engine does commits and merges.
type Engine struct {
	CT           *ctrd.Client     // nil: merges only
	Reg          *registry.Client // the internal registry
	RegistryHost string           // host:port as it appears in image refs
	GzipLevel    int              // 1 (fastest) .. 9
	TmpDir       string           // merge spool
	StateDir     string           // records frozen tasks, to thaw them after a crash
	// ProgressInterval throttles progress events (default 250ms).
	ProgressInterval time.Duration
}

// Event is one NDJSON progress line; the last one has phase "done" or "error".
type Event struct {
	Phase             string `json:"phase"`
	Bytes             int64  `json:"bytes"`                       // compressed layer bytes pushed so far
	UncompressedBytes int64  `json:"uncompressedBytes,omitempty"` // tar bytes produced so far
	Message           string `json:"message,omitempty"`
	Error             string `json:"error,omitempty"`

	// result (phase "done")
	Image       string `json:"image,omitempty"`
	Digest      string `json:"digest,omitempty"`
	LayerDigest string `json:"layerDigest,omitempty"`
	DiffID      string `json:"diffId,omitempty"`
	LayerSize   int64  `json:"layerSize,omitempty"`
	LayerCount  int    `json:"layerCount,omitempty"`
	DurationMs  int64  `json:"durationMs,omitempty"`
	FrozenMs    int64  `json:"frozenMs,omitempty"`
	Mode        string `json:"mode,omitempty"`   // frozen | exited (commit)
	StopMs      int64  `json:"stopMs,omitempty"` // graceful stop: SIGTERM until the task exited
	Killed      bool   `json:"killed,omitempty"` // graceful stop: processes were still running after the grace and got SIGKILL
	ContainerID string `json:"containerId,omitempty"`
	Parent      string `json:"parent,omitempty"` // parent manifest digest
	Unchanged   bool   `json:"unchanged,omitempty"`
	Reused      bool   `json:"reused,omitempty"` // idempotent replay of an earlier request
	Files       int    `json:"files,omitempty"`
	Whiteouts   int    `json:"whiteouts,omitempty"`
}

// CommitRequest selects a container and where to push its snapshot.
type CommitRequest struct {
	ContainerID      string `json:"containerId,omitempty"`
	Namespace        string `json:"namespace,omitempty"` // pod namespace
	Pod              string `json:"pod,omitempty"`
	Container        string `json:"container,omitempty"`
	ParentImage      string `json:"parentImage,omitempty"` // default: the container's image
	TargetRepository string `json:"targetRepository"`
	TargetTag        string `json:"targetTag"`
	Trigger          string `json:"trigger,omitempty"`
	RequestID        string `json:"requestId,omitempty"`
	// Force skips the check that the container runs exactly the parent image's layers.
	Force bool `json:"force,omitempty"`
	// Stop, when set, stops the container before the commit instead of
	// freezing it, so what its processes write while shutting down is kept.
	Stop *StopRequest `json:"stop,omitempty"`
}

// StopRequest is a graceful stop: SIGTERM to every process of the container,
// GraceSeconds for them to exit, then SIGKILL.
type StopRequest struct {
	GraceSeconds int `json:"graceSeconds"`
}

// MaxGraceSeconds bounds a graceful stop's SIGTERM wait.
const MaxGraceSeconds = 3600

// killWait is how long processes may take to disappear after SIGKILL (only
// uninterruptible sleep, e.g. a hung NFS read, takes longer).
const killWait = 30 * time.Second

// Validate reports what is missing or out of range in a commit request.
func (r *CommitRequest) Validate() error {
	if r.TargetRepository == "" || r.TargetTag == "" || (r.ContainerID == "" && (r.Namespace == "" || r.Pod == "" || r.Container == "")) {
		return errors.New("targetRepository, targetTag and containerId or namespace+pod+container are required")
	}
	if r.Stop != nil && (r.Stop.GraceSeconds < 0 || r.Stop.GraceSeconds > MaxGraceSeconds) {
		return fmt.Errorf("stop.graceSeconds must be between 0 and %d, got %d", MaxGraceSeconds, r.Stop.GraceSeconds)
	}
	return nil
}

func (e *Engine) imageName(repo, tag string) string { return e.RegistryHost + "/" + repo + ":" + tag }

// progress throttles events.
type progress struct {
	emit     func(Event)
	interval time.Duration
	last     time.Time
	mu       sync.Mutex
}

func (p *progress) send(ev Event, force bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !force && time.Since(p.last) < p.interval {
		return
	}
	p.last = time.Now()
	p.emit(ev)
}

// Commit snapshots a container. emit receives progress events (not the final
// result, which is returned).
func (e *Engine) Commit(ctx context.Context, req CommitRequest, emit func(Event)) (*Event, error) {
	start := time.Now()
	if err := req.Validate(); err != nil {
		return nil, err
	}
	if e.CT == nil {
		return nil, errors.New("no containerd connection")
	}
	pr := &progress{emit: emit, interval: e.interval()}
	pr.send(Event{Phase: "resolving"}, true)

	var ct *ctrd.Container
	var err error
	if req.ContainerID != "" {
		ct, err = e.CT.Get(ctx, req.ContainerID)
	} else {
		ct, err = e.CT.FindPodContainer(ctx, req.Namespace, req.Pod, req.Container)
	}
	if err != nil {
		// a retry of a finished request still gets its result when the
		// container has been removed since
		if req.RequestID != "" {
			if res, ok := e.replay(ctx, req.TargetRepository, req.TargetTag, req.RequestID); ok {
				res.DurationMs = time.Since(start).Milliseconds()
				return res, nil
			}
		}
		return nil, err
	}
	upper, snapParent, err := e.CT.UpperDir(ctx, ct)
	if err != nil {
		return nil, err
	}
	parentName := req.ParentImage
	if parentName == "" {
		parentName = ct.Image
	}
	pref, err := registry.ParseRef(parentName, e.RegistryHost)
	if err != nil {
		return nil, err
	}
	parent, err := e.fetchImage(ctx, pref)
	if err != nil {
		return nil, fmt.Errorf("parent image: %w", err)
	}
	if want := chainID(parent.diffIDs); !req.Force && snapParent != want {
		return nil, fmt.Errorf("container %s does not run parent image %s: its snapshot parent is %s, the image's chain ID is %s", ct.ID, parentName, snapParent, want)
	}
	target := req.TargetRepository

	// idempotency: an earlier attempt of this request already pushed the tag
	if req.RequestID != "" {
		if res, ok := e.replay(ctx, target, req.TargetTag, req.RequestID); ok {
			res.ContainerID = ct.ID
			res.DurationMs = time.Since(start).Milliseconds()
			return res, nil
		}
	}

	// base layers and parent config into the target repository (no copy: mount)
	for _, l := range parent.manifest.Layers {
		if _, err := e.Reg.EnsureBlob(ctx, target, pref.Repo, l.Digest); err != nil {
			return nil, fmt.Errorf("base layer %s: %w", l.Digest, err)
		}
	}

	// graceful stop: the container exits, and is committed as exited below
	var stopMs int64
	var killed bool
	if req.Stop != nil {
		stopMs, killed, err = e.stopTask(ctx, ct.ID, time.Duration(req.Stop.GraceSeconds)*time.Second, pr)
		if err != nil {
			return nil, err
		}
	}

	// consistency: freeze a running task for the diff
	state, err := e.CT.Task(ctx, ct.ID)
	if err != nil {
		return nil, err
	}
	mode := "exited"
	var frozenAt time.Time
	var frozenMs int64
	thaw := func() {}
	switch state {
	case ctrd.TaskRunning:
		pr.send(Event{Phase: "freezing"}, true)
		e.recordFrozen(ct.ID)
		if err := e.CT.Pause(ctx, ct.ID); err != nil {
			e.clearFrozen(ct.ID)
			return nil, fmt.Errorf("freeze %s: %w", ct.ID, err)
		}
		mode, frozenAt = "frozen", time.Now()
		var once sync.Once
		thaw = func() {
			once.Do(func() {
				// resume even when the request was cancelled
				rctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
				defer cancel()
				if err := e.CT.Resume(rctx, ct.ID); err == nil {
					e.clearFrozen(ct.ID)
				}
				frozenMs = time.Since(frozenAt).Milliseconds()
			})
		}
		defer thaw()
	case ctrd.TaskPaused:
		mode = "frozen" // paused by someone else: leave it paused
	case ctrd.TaskStopped, ctrd.TaskNone, ctrd.TaskCreated:
		mode = "exited"
	default:
		return nil, fmt.Errorf("container %s task is in an unexpected state", ct.ID)
	}

	empty, err := layer.IsEmptyDir(upper)
	if err != nil {
		return nil, fmt.Errorf("upper dir: %w", err)
	}
	if empty {
		thaw()
		// nothing changed: the snapshot is the parent image, under the new tag
		if _, err := e.Reg.EnsureBlob(ctx, target, pref.Repo, parent.manifest.Config.Digest); err != nil {
			return nil, err
		}
		dgst, err := e.Reg.PutManifest(ctx, target, req.TargetTag, parent.manifest.MediaType, parent.raw)
		if err != nil {
			return nil, err
		}
		return &Event{Phase: "done", Image: e.imageName(target, req.TargetTag), Digest: dgst, LayerCount: len(parent.manifest.Layers),
			DurationMs: time.Since(start).Milliseconds(), FrozenMs: frozenMs, Mode: mode, ContainerID: ct.ID, Parent: parent.digest, Unchanged: true,
			StopMs: stopMs, Killed: killed}, nil
	}

	pr.send(Event{Phase: "diffing"}, true)
	var lst layer.Stats
	desc, diffID, err := e.pushLayer(ctx, target, parent.manifest.MediaType, pr, func(w io.Writer) error {
		var err error
		lst, err = layer.WriteUpperDir(w, upper)
		return err
	})
	thaw()
	if err != nil {
		return nil, err
	}

	pr.send(Event{Phase: "pushing", Bytes: desc.Size, Message: "config and manifest"}, true)
	hist := historyEntry{Created: nowRFC3339(), CreatedBy: "devbox commit", Comment: historyComment("devbox-commit", req.Trigger, req.RequestID)}
	res, err := e.pushImage(ctx, parent, len(parent.manifest.Layers), desc, diffID, hist, target, req.TargetTag)
	if err != nil {
		return nil, err
	}
	res.DurationMs = time.Since(start).Milliseconds()
	res.FrozenMs = frozenMs
	res.Mode = mode
	res.StopMs, res.Killed = stopMs, killed
	res.ContainerID = ct.ID
	res.Files, res.Whiteouts = lst.Files, lst.Whiteouts
	return res, nil
}

// stopTask stops every process of the container: SIGTERM, up to grace to
// exit, then SIGKILL. A task that has already exited (a retry after the
// dashboard or the agent died mid-stop) is left as it is.
func (e *Engine) stopTask(ctx context.Context, id string, grace time.Duration, pr *progress) (stopMs int64, killed bool, err error) {
	state, err := e.CT.Task(ctx, id)
	if err != nil {
		return 0, false, err
	}
	switch state {
	case ctrd.TaskStopped, ctrd.TaskNone, ctrd.TaskCreated:
		return 0, false, nil
	case ctrd.TaskPaused:
		// a frozen (cgroup v1) task holds signals until it is thawed
		if err := e.CT.Resume(ctx, id); err != nil {
			return 0, false, fmt.Errorf("thaw %s before stopping it: %w", id, err)
		}
		e.clearFrozen(id)
	}
	start := time.Now()
	pr.send(Event{Phase: "stopping", Message: fmt.Sprintf("SIGTERM to all processes, %d s to exit", int(grace.Seconds()))}, true)
	if err := e.CT.KillAll(ctx, id, syscall.SIGTERM); err != nil {
		return 0, false, err
	}
	exited, err := e.CT.WaitExit(ctx, id, grace)
	if err != nil {
		return 0, false, err
	}
	if !exited {
		pr.send(Event{Phase: "stopping", Message: fmt.Sprintf("still running after %d s: SIGKILL", int(grace.Seconds()))}, true)
		killed = true
		if err := e.CT.KillAll(ctx, id, syscall.SIGKILL); err != nil {
			return 0, true, err
		}
		if exited, err = e.CT.WaitExit(ctx, id, killWait); err != nil {
			return 0, true, err
		}
		if !exited {
			return 0, true, fmt.Errorf("the processes of %s did not exit within %s of SIGKILL", id, killWait)
		}
	}
	return time.Since(start).Milliseconds(), killed, nil
}

func (e *Engine) interval() time.Duration {
	if e.ProgressInterval > 0 {
		return e.ProgressInterval
	}
	return 250 * time.Millisecond
}

// replay returns the result of an earlier run of the same request, if the
// target tag holds it.
func (e *Engine) replay(ctx context.Context, repo, tag, requestID string) (*Event, bool) {
	img, err := e.fetchImage(ctx, registry.Ref{Host: e.RegistryHost, Repo: repo, Tag: tag})
	if err != nil || !hasRequest(img.lastComment(), requestID) {
		return nil, false
	}
	last := img.manifest.Layers[len(img.manifest.Layers)-1]
	return &Event{Phase: "done", Image: e.imageName(repo, tag), Digest: img.digest, LayerDigest: last.Digest, LayerSize: last.Size,
		DiffID: img.diffIDs[len(img.diffIDs)-1], LayerCount: len(img.manifest.Layers), Reused: true}, true
}

// pushLayer streams write → tar bytes → gzip → registry, hashing both the
// uncompressed (diffID) and compressed (digest) streams on the fly.
func (e *Engine) pushLayer(ctx context.Context, repo, manifestType string, pr *progress, write func(io.Writer) error) (registry.Descriptor, string, error) {
	piper, pipew := io.Pipe()
	var tarBytes atomic.Int64
	diffHash := sha256.New()
	go func() {
		level := e.GzipLevel
		if level == 0 {
			level = 1
		}
		bw := bufio.NewWriterSize(pipew, 1<<20)
		gz, err := gzip.NewWriterLevel(bw, level)
		if err != nil {
			pipew.CloseWithError(err)
			return
		}
		cw := &countingHash{h: diffHash, n: &tarBytes}
		err = write(io.MultiWriter(gz, cw))
		if err == nil {
			err = gz.Close()
		}
		if err == nil {
			err = bw.Flush()
		}
		pipew.CloseWithError(err)
	}()
	dgst, size, err := e.Reg.UploadBlob(ctx, repo, piper, func(n int64) {
		pr.send(Event{Phase: "diffing", Bytes: n, UncompressedBytes: tarBytes.Load()}, false)
	})
	piper.CloseWithError(errors.New("upload ended"))
	if err != nil {
		return registry.Descriptor{}, "", err
	}
	diffID := "sha256:" + hex.EncodeToString(diffHash.Sum(nil))
	return registry.Descriptor{MediaType: layerMediaType(manifestType), Digest: dgst, Size: size}, diffID, nil
}

type countingHash struct {
	h hash.Hash
	n *atomic.Int64
}

func (c *countingHash) Write(p []byte) (int, error) {
	c.h.Write(p)
	c.n.Add(int64(len(p)))
	return len(p), nil
}

func (e *Engine) pushImage(ctx context.Context, parent *image, keep int, desc registry.Descriptor, diffID string, hist historyEntry, repo, tag string) (*Event, error) {
	cfg, err := newImage(parent, keep, desc, diffID, hist)
	if err != nil {
		return nil, err
	}
	cfgDigest, err := e.Reg.PutBlobBytes(ctx, repo, cfg)
	if err != nil {
		return nil, fmt.Errorf("push config: %w", err)
	}
	man, err := manifestFor(parent, keep, desc, cfgDigest, int64(len(cfg)))
	if err != nil {
		return nil, err
	}
	dgst, err := e.Reg.PutManifest(ctx, repo, tag, parent.manifest.MediaType, man)
	if err != nil {
		return nil, fmt.Errorf("push manifest: %w", err)
	}
	return &Event{Phase: "done", Image: e.imageName(repo, tag), Digest: dgst, LayerDigest: desc.Digest, LayerSize: desc.Size,
		DiffID: diffID, LayerCount: keep + 1, Parent: parent.digest}, nil
}

// ---- frozen-task bookkeeping: a crash while frozen must not leave the devbox frozen ----

func (e *Engine) frozenPath(id string) string {
	return filepath.Join(e.StateDir, "frozen", id)
}

func (e *Engine) recordFrozen(id string) {
	if e.StateDir == "" {
		return
	}
	os.MkdirAll(filepath.Join(e.StateDir, "frozen"), 0o700)
	os.WriteFile(e.frozenPath(id), []byte(time.Now().UTC().Format(time.RFC3339)), 0o600)
}

func (e *Engine) clearFrozen(id string) {
	if e.StateDir != "" {
		os.Remove(e.frozenPath(id))
	}
}

// ThawLeftovers resumes tasks a previous agent process froze and did not
// resume (it was killed mid-commit). Returns the container IDs thawed.
func (e *Engine) ThawLeftovers(ctx context.Context) []string {
	if e.StateDir == "" || e.CT == nil {
		return nil
	}
	ents, _ := os.ReadDir(filepath.Join(e.StateDir, "frozen"))
	var out []string
	for _, d := range ents {
		id := d.Name()
		if st, err := e.CT.Task(ctx, id); err == nil && st == ctrd.TaskPaused {
			if err := e.CT.Resume(ctx, id); err == nil {
				out = append(out, id)
			}
		}
		e.clearFrozen(id)
	}
	return out
}
