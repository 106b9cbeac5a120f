package snapshot

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"devbox.local/agent/internal/registry"
)

// image is a parsed image from the registry.
type image struct {
	ref        registry.Ref
	manifest   *registry.Manifest
	raw        []byte // manifest bytes
	digest     string // manifest digest
	configRaw  []byte
	config     map[string]json.RawMessage
	diffIDs    []string
	history    []historyEntry
	historyRaw []json.RawMessage
}

type historyEntry struct {
	Created    string `json:"created,omitempty"`
	CreatedBy  string `json:"created_by,omitempty"`
	Author     string `json:"author,omitempty"`
	Comment    string `json:"comment,omitempty"`
	EmptyLayer bool   `json:"empty_layer,omitempty"`
}

type rootFS struct {
	Type    string   `json:"type"`
	DiffIDs []string `json:"diff_ids"`
}

func (e *Engine) fetchImage(ctx context.Context, ref registry.Ref) (*image, error) {
	m, raw, dgst, err := e.Reg.GetManifest(ctx, ref.Repo, ref.Reference())
	if err != nil {
		return nil, err
	}
	if m.MediaType != registry.MediaTypeOCIManifest && m.MediaType != registry.MediaTypeDockerManifest {
		return nil, fmt.Errorf("%s: unsupported manifest media type %q", ref, m.MediaType)
	}
	cfg, err := e.Reg.GetBlobBytes(ctx, ref.Repo, m.Config.Digest)
	if err != nil {
		return nil, fmt.Errorf("%s: config: %w", ref, err)
	}
	img := &image{ref: ref, manifest: m, raw: raw, digest: dgst, configRaw: cfg}
	if err := json.Unmarshal(cfg, &img.config); err != nil {
		return nil, fmt.Errorf("%s: parse config: %w", ref, err)
	}
	var rfs rootFS
	if r, ok := img.config["rootfs"]; ok {
		if err := json.Unmarshal(r, &rfs); err != nil {
			return nil, fmt.Errorf("%s: parse rootfs: %w", ref, err)
		}
	}
	img.diffIDs = rfs.DiffIDs
	if len(img.diffIDs) != len(m.Layers) {
		return nil, fmt.Errorf("%s: %d layers but %d diff_ids", ref, len(m.Layers), len(img.diffIDs))
	}
	if h, ok := img.config["history"]; ok {
		if err := json.Unmarshal(h, &img.historyRaw); err != nil {
			return nil, fmt.Errorf("%s: parse history: %w", ref, err)
		}
		json.Unmarshal(h, &img.history)
	}
	return img, nil
}

// lastComment is the comment of the image's last history entry.
func (img *image) lastComment() string {
	if len(img.history) == 0 {
		return ""
	}
	return img.history[len(img.history)-1].Comment
}

// chainID is the identity of a stack of layers, as containerd names the
// snapshots of unpacked images.
func chainID(diffIDs []string) string {
	if len(diffIDs) == 0 {
		return ""
	}
	c := diffIDs[0]
	for _, d := range diffIDs[1:] {
		s := sha256.Sum256([]byte(c + " " + d))
		c = "sha256:" + hex.EncodeToString(s[:])
	}
	return c
}

// layerMediaType is the gzip layer media type that matches a manifest type.
func layerMediaType(manifestType string) string {
	if manifestType == registry.MediaTypeDockerManifest {
		return registry.MediaTypeDockerLayer
	}
	return registry.MediaTypeOCILayerGzip
}

// newImage builds config and manifest for base layers (with their history
// entries) plus one new layer, keeping everything else of the config.
func newImage(parent *image, keepLayers int, layer registry.Descriptor, diffID string, hist historyEntry) (cfg []byte, err error) {
	out := map[string]json.RawMessage{}
	for k, v := range parent.config {
		out[k] = v
	}
	diffIDs := append(append([]string{}, parent.diffIDs[:keepLayers]...), diffID)
	r, _ := json.Marshal(rootFS{Type: "layers", DiffIDs: diffIDs})
	out["rootfs"] = r
	// keep history entries up to and including the keepLayers-th non-empty one
	// (plus the empty ones that follow it)
	var h []json.RawMessage
	nonEmpty := 0
	for i, raw := range parent.historyRaw {
		if i < len(parent.history) && !parent.history[i].EmptyLayer {
			if nonEmpty == keepLayers {
				break
			}
			nonEmpty++
		}
		h = append(h, raw)
	}
	hb, _ := json.Marshal(hist)
	h = append(h, hb)
	out["history"], _ = json.Marshal(h)
	out["created"], _ = json.Marshal(hist.Created)
	return json.Marshal(out)
}

func manifestFor(parent *image, keepLayers int, layer registry.Descriptor, cfgDigest string, cfgSize int64) ([]byte, error) {
	m := registry.Manifest{
		SchemaVersion: 2,
		MediaType:     parent.manifest.MediaType,
		Config: registry.Descriptor{
			MediaType: parent.manifest.Config.MediaType,
			Digest:    cfgDigest,
			Size:      cfgSize,
		},
	}
	for _, l := range parent.manifest.Layers[:keepLayers] {
		m.Layers = append(m.Layers, l)
	}
	m.Layers = append(m.Layers, layer)
	return json.Marshal(m)
}

func historyComment(kind, trigger, requestID string) string {
	parts := []string{kind}
	if trigger != "" {
		parts = append(parts, "trigger="+trigger)
	}
	if requestID != "" {
		parts = append(parts, "request="+requestID)
	}
	return strings.Join(parts, " ")
}

func hasRequest(comment, requestID string) bool {
	if requestID == "" {
		return false
	}
	for _, f := range strings.Fields(comment) {
		if f == "request="+requestID {
			return true
		}
	}
	return false
}

func nowRFC3339() string { return time.Now().UTC().Format(time.RFC3339Nano) }
