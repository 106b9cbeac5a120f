package snapshot

import (
	"encoding/json"
	"testing"

	"devbox.local/agent/internal/registry"
)

func TestChainID(t *testing.T) {
	// chain ID of one layer is its diffID; of two: sha256(a + " " + b)
	if chainID([]string{"sha256:a"}) != "sha256:a" {
		t.Fatal("single")
	}
	c := chainID([]string{"sha256:a", "sha256:b"})
	if c == "sha256:b" || len(c) != 71 {
		t.Fatalf("chain %s", c)
	}
}

func TestNewImageKeepsConfigAndTrimsHistory(t *testing.T) {
	cfg := `{"architecture":"amd64","os":"linux","config":{"Env":["A=1"],"User":"u","WorkingDir":"/w","Cmd":["sh"],"Labels":{"l":"v"}},
	  "rootfs":{"type":"layers","diff_ids":["sha256:1","sha256:2","sha256:3"]},
	  "history":[{"created_by":"base"},{"created_by":"env","empty_layer":true},{"created_by":"base2"},{"created_by":"devbox commit","comment":"c1"}]}`
	parent := &image{manifest: &registry.Manifest{MediaType: registry.MediaTypeDockerManifest,
		Config: registry.Descriptor{MediaType: registry.MediaTypeDockerConfig},
		Layers: []registry.Descriptor{{Digest: "sha256:l1"}, {Digest: "sha256:l2"}, {Digest: "sha256:l3"}}}}
	json.Unmarshal([]byte(cfg), &parent.config)
	parent.diffIDs = []string{"sha256:1", "sha256:2", "sha256:3"}
	var h map[string]json.RawMessage
	json.Unmarshal([]byte(cfg), &h)
	json.Unmarshal(h["history"], &parent.historyRaw)
	json.Unmarshal(h["history"], &parent.history)

	// merge-like: keep 2 base layers, add one
	layer := registry.Descriptor{MediaType: layerMediaType(parent.manifest.MediaType), Digest: "sha256:new", Size: 5}
	out, err := newImage(parent, 2, layer, "sha256:n", historyEntry{CreatedBy: "devbox merge", Comment: "devbox-merge request=r1"})
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Config  map[string]any `json:"config"`
		RootFS  rootFS         `json:"rootfs"`
		History []historyEntry `json:"history"`
		Arch    string         `json:"architecture"`
	}
	json.Unmarshal(out, &got)
	if got.Arch != "amd64" || got.Config["User"] != "u" || got.Config["WorkingDir"] != "/w" {
		t.Fatalf("config lost: %s", out)
	}
	if len(got.RootFS.DiffIDs) != 3 || got.RootFS.DiffIDs[2] != "sha256:n" || got.RootFS.DiffIDs[1] != "sha256:2" {
		t.Fatalf("diff_ids %v", got.RootFS.DiffIDs)
	}
	if len(got.History) != 4 || got.History[2].CreatedBy != "base2" || got.History[3].CreatedBy != "devbox merge" {
		t.Fatalf("history %+v", got.History)
	}
	m, _ := manifestFor(parent, 2, layer, "sha256:cfg", 10)
	var man registry.Manifest
	json.Unmarshal(m, &man)
	if man.MediaType != registry.MediaTypeDockerManifest || man.Config.MediaType != registry.MediaTypeDockerConfig ||
		len(man.Layers) != 3 || man.Layers[2].MediaType != registry.MediaTypeDockerLayer || man.Layers[1].Digest != "sha256:l2" {
		t.Fatalf("manifest %s", m)
	}
	if !hasRequest("devbox-commit trigger=stop request=abc", "abc") || hasRequest("devbox-commit request=abcd", "abc") || hasRequest("x", "") {
		t.Fatal("hasRequest")
	}
}
