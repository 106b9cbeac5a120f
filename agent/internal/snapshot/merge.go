package snapshot

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"sync/atomic"
	"time"

	"github.com/klauspost/compress/gzip"

	"devbox.local/agent/internal/layer"
	"devbox.local/agent/internal/registry"
)

// MergeRequest merges the last OwnLayers layers of Image into one.
type MergeRequest struct {
	Image            string `json:"image"`
	OwnLayers        int    `json:"ownLayers"`
	TargetRepository string `json:"targetRepository"`
	TargetTag        string `json:"targetTag"`
	RequestID        string `json:"requestId,omitempty"`
}

// Merge produces an image with the base layers of req.Image plus one layer
// equal to its last OwnLayers layers applied in order.
func (e *Engine) Merge(ctx context.Context, req MergeRequest, emit func(Event)) (*Event, error) {
	start := time.Now()
	if req.TargetRepository == "" || req.TargetTag == "" || req.Image == "" {
		return nil, errors.New("image, targetRepository and targetTag are required")
	}
	pr := &progress{emit: emit, interval: e.interval()}
	pr.send(Event{Phase: "resolving"}, true)
	ref, err := registry.ParseRef(req.Image, e.RegistryHost)
	if err != nil {
		return nil, err
	}
	src, err := e.fetchImage(ctx, ref)
	if err != nil {
		return nil, err
	}
	total := len(src.manifest.Layers)
	if req.OwnLayers < 1 || req.OwnLayers > total {
		return nil, fmt.Errorf("ownLayers %d out of range (image has %d layers)", req.OwnLayers, total)
	}
	target := req.TargetRepository
	if req.RequestID != "" {
		if res, ok := e.replay(ctx, target, req.TargetTag, req.RequestID); ok {
			res.DurationMs = time.Since(start).Milliseconds()
			return res, nil
		}
	}
	keep := total - req.OwnLayers
	for _, l := range src.manifest.Layers[:keep] {
		if _, err := e.Reg.EnsureBlob(ctx, target, ref.Repo, l.Digest); err != nil {
			return nil, fmt.Errorf("base layer %s: %w", l.Digest, err)
		}
	}

	m, err := layer.NewMerger(e.TmpDir)
	if err != nil {
		return nil, err
	}
	defer m.Close()
	var read int64
	// the base's file names: whiteouts may only hide what the base has
	for i, l := range src.manifest.Layers[:keep] {
		pr.send(Event{Phase: "reading", Bytes: read, Message: fmt.Sprintf("base layer %d/%d (names)", i+1, keep)}, true)
		if err := e.readBlob(ctx, ref.Repo, l, &read, pr, m.IndexBase); err != nil {
			return nil, fmt.Errorf("base layer %s: %w", l.Digest, err)
		}
	}
	for i, l := range src.manifest.Layers[keep:] {
		pr.send(Event{Phase: "reading", Bytes: read, Message: fmt.Sprintf("layer %d/%d", i+1, req.OwnLayers)}, true)
		if err := e.readBlob(ctx, ref.Repo, l, &read, pr, m.Apply); err != nil {
			return nil, fmt.Errorf("layer %s: %w", l.Digest, err)
		}
	}
	pr.send(Event{Phase: "pushing"}, true)
	var st layer.Stats
	desc, diffID, err := e.pushLayer(ctx, target, src.manifest.MediaType, pr, func(w io.Writer) error {
		var err error
		st, err = m.WriteLayer(w)
		return err
	})
	if err != nil {
		return nil, err
	}
	hist := historyEntry{Created: nowRFC3339(), CreatedBy: "devbox merge", Comment: historyComment("devbox-merge", fmt.Sprintf("merged-%d-layers", req.OwnLayers), req.RequestID)}
	res, err := e.pushImage(ctx, src, keep, desc, diffID, hist, target, req.TargetTag)
	if err != nil {
		return nil, err
	}
	res.Parent = src.digest
	res.DurationMs = time.Since(start).Milliseconds()
	res.Files, res.Whiteouts = st.Files, st.Whiteouts
	return res, nil
}

func (e *Engine) readBlob(ctx context.Context, repo string, l registry.Descriptor, read *int64, pr *progress, apply func(io.Reader) error) error {
	rc, _, err := e.Reg.GetBlob(ctx, repo, l.Digest)
	if err != nil {
		return err
	}
	defer rc.Close()
	var n atomic.Int64
	counted := io.TeeReader(rc, writerFunc(func(p []byte) (int, error) {
		v := n.Add(int64(len(p)))
		pr.send(Event{Phase: "reading", Bytes: *read + v}, false)
		return len(p), nil
	}))
	br := bufio.NewReaderSize(counted, 1<<20)
	magic, _ := br.Peek(4)
	var r io.Reader = br
	switch {
	case len(magic) >= 2 && magic[0] == 0x1f && magic[1] == 0x8b:
		gz, err := gzip.NewReader(br)
		if err != nil {
			return err
		}
		defer gz.Close()
		r = gz
	case len(magic) == 4 && magic[0] == 0x28 && magic[1] == 0xb5 && magic[2] == 0x2f && magic[3] == 0xfd:
		return errors.New("zstd layers are not supported")
	}
	if err := apply(r); err != nil {
		return err
	}
	// drain trailing padding so the digest-verified body is fully read
	io.Copy(io.Discard, r)
	*read += n.Load()
	return nil
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }
