// Package registry is a small OCI distribution client: manifests, blobs,
// streaming uploads and cross-repository mounts. Plain HTTP by default (the
// internal registry); prefix the host with https:// for TLS.
package registry

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"runtime"
	"strings"
	"time"
)

const (
	MediaTypeOCIManifest    = "application/vnd.oci.image.manifest.v1+json"
	MediaTypeOCIIndex       = "application/vnd.oci.image.index.v1+json"
	MediaTypeOCIConfig      = "application/vnd.oci.image.config.v1+json"
	MediaTypeOCILayerGzip   = "application/vnd.oci.image.layer.v1.tar+gzip"
	MediaTypeOCILayer       = "application/vnd.oci.image.layer.v1.tar"
	MediaTypeDockerManifest = "application/vnd.docker.distribution.manifest.v2+json"
	MediaTypeDockerList     = "application/vnd.docker.distribution.manifest.list.v2+json"
	MediaTypeDockerConfig   = "application/vnd.docker.container.image.v1+json"
	MediaTypeDockerLayer    = "application/vnd.docker.image.rootfs.diff.tar.gzip"
)

// Descriptor is an OCI content descriptor.
type Descriptor struct {
	MediaType   string            `json:"mediaType"`
	Digest      string            `json:"digest"`
	Size        int64             `json:"size"`
	Annotations map[string]string `json:"annotations,omitempty"`
	Platform    *struct {
		Architecture string `json:"architecture"`
		OS           string `json:"os"`
		Variant      string `json:"variant,omitempty"`
	} `json:"platform,omitempty"`
}

// Manifest is an OCI image manifest or a Docker v2 schema2 manifest.
type Manifest struct {
	SchemaVersion int               `json:"schemaVersion"`
	MediaType     string            `json:"mediaType,omitempty"`
	Config        Descriptor        `json:"config"`
	Layers        []Descriptor      `json:"layers"`
	Annotations   map[string]string `json:"annotations,omitempty"`
	Manifests     []Descriptor      `json:"manifests,omitempty"` // index only
}

// Ref is a parsed image reference.
type Ref struct {
	Host, Repo, Tag, Digest string
}

func (r Ref) String() string {
	s := r.Host + "/" + r.Repo
	if r.Tag != "" {
		s += ":" + r.Tag
	}
	if r.Digest != "" {
		s += "@" + r.Digest
	}
	return s
}

// Reference returns the tag or digest to ask the registry for.
func (r Ref) Reference() string {
	if r.Digest != "" {
		return r.Digest
	}
	if r.Tag == "" {
		return "latest"
	}
	return r.Tag
}

// ParseRef parses host/repo[:tag][@digest]; a reference without a registry
// host gets defaultHost.
func ParseRef(s, defaultHost string) (Ref, error) {
	var r Ref
	s = strings.TrimPrefix(strings.TrimPrefix(s, "http://"), "https://")
	if i := strings.Index(s, "@"); i >= 0 {
		r.Digest = s[i+1:]
		s = s[:i]
	}
	first, rest, found := strings.Cut(s, "/")
	if found && (strings.ContainsAny(first, ".:") || first == "localhost") {
		r.Host = first
		s = rest
	} else {
		r.Host = strings.TrimPrefix(strings.TrimPrefix(defaultHost, "http://"), "https://")
	}
	if i := strings.LastIndex(s, ":"); i >= 0 && !strings.Contains(s[i:], "/") {
		r.Tag = s[i+1:]
		s = s[:i]
	}
	r.Repo = s
	if r.Repo == "" || r.Host == "" {
		return r, fmt.Errorf("invalid image reference %q", s)
	}
	return r, nil
}

// Client talks to one registry host.
type Client struct {
	Base string // http://host:port
	HTTP *http.Client
}

// New returns a client for host ("127.0.0.1:5000" → plain HTTP; "https://..." → TLS).
func New(host string) *Client {
	base := host
	if !strings.HasPrefix(host, "http://") && !strings.HasPrefix(host, "https://") {
		base = "http://" + host
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 8
	tr.ResponseHeaderTimeout = 5 * time.Minute
	return &Client{Base: strings.TrimSuffix(base, "/"), HTTP: &http.Client{Transport: tr}}
}

// Error is a registry error response.
type Error struct {
	Status int
	Op     string
	Body   string
}

func (e *Error) Error() string {
	return fmt.Sprintf("registry %s: HTTP %d: %s", e.Op, e.Status, strings.TrimSpace(e.Body))
}

// IsNotFound reports a 404 from the registry.
func IsNotFound(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Status == http.StatusNotFound
}

func respErr(op string, resp *http.Response) error {
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	return &Error{Status: resp.StatusCode, Op: op, Body: string(b)}
}

func (c *Client) do(ctx context.Context, method, u string, body io.Reader, hdr map[string]string) (*http.Response, error) {
	if !strings.HasPrefix(u, "http") {
		u = c.Base + u
	}
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return nil, err
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return nil, fmt.Errorf("registry %s %s: %w", method, u, err)
	}
	return resp, nil
}

var manifestAccept = strings.Join([]string{MediaTypeOCIManifest, MediaTypeDockerManifest, MediaTypeOCIIndex, MediaTypeDockerList}, ", ")

// GetManifest fetches a manifest; an index is resolved to the linux manifest
// for this machine's architecture. Returns the manifest, its raw bytes and digest.
func (c *Client) GetManifest(ctx context.Context, repo, ref string) (*Manifest, []byte, string, error) {
	for i := 0; i < 2; i++ {
		resp, err := c.do(ctx, http.MethodGet, "/v2/"+repo+"/manifests/"+ref, nil, map[string]string{"Accept": manifestAccept})
		if err != nil {
			return nil, nil, "", err
		}
		raw, err := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
		resp.Body.Close()
		if err != nil {
			return nil, nil, "", err
		}
		if resp.StatusCode != http.StatusOK {
			return nil, nil, "", &Error{Status: resp.StatusCode, Op: "get manifest " + repo + ":" + ref, Body: string(raw)}
		}
		var m Manifest
		if err := json.Unmarshal(raw, &m); err != nil {
			return nil, nil, "", fmt.Errorf("parse manifest %s:%s: %w", repo, ref, err)
		}
		if m.MediaType == "" {
			m.MediaType = strings.Split(resp.Header.Get("Content-Type"), ";")[0]
		}
		sum := sha256.Sum256(raw)
		dgst := "sha256:" + hex.EncodeToString(sum[:])
		if m.MediaType == MediaTypeOCIIndex || m.MediaType == MediaTypeDockerList || (len(m.Manifests) > 0 && len(m.Layers) == 0) {
			next := ""
			for _, d := range m.Manifests {
				if d.Platform == nil || (d.Platform.OS == "linux" && d.Platform.Architecture == runtime.GOARCH) {
					next = d.Digest
					break
				}
			}
			if next == "" {
				return nil, nil, "", fmt.Errorf("%s:%s: no linux/%s manifest in index", repo, ref, runtime.GOARCH)
			}
			ref = next
			continue
		}
		return &m, raw, dgst, nil
	}
	return nil, nil, "", fmt.Errorf("%s:%s: nested index", repo, ref)
}

// GetBlob opens a blob for reading.
func (c *Client) GetBlob(ctx context.Context, repo, dgst string) (io.ReadCloser, int64, error) {
	resp, err := c.do(ctx, http.MethodGet, "/v2/"+repo+"/blobs/"+dgst, nil, nil)
	if err != nil {
		return nil, 0, err
	}
	if resp.StatusCode != http.StatusOK {
		defer resp.Body.Close()
		return nil, 0, respErr("get blob "+repo+"@"+dgst, resp)
	}
	return resp.Body, resp.ContentLength, nil
}

// GetBlobBytes reads a small blob (a config) and verifies its digest.
func (c *Client) GetBlobBytes(ctx context.Context, repo, dgst string) ([]byte, error) {
	rc, _, err := c.GetBlob(ctx, repo, dgst)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, 64<<20))
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(b)
	if got := "sha256:" + hex.EncodeToString(sum[:]); got != dgst {
		return nil, fmt.Errorf("blob %s: digest mismatch (%s)", dgst, got)
	}
	return b, nil
}

// BlobExists checks a blob in repo.
func (c *Client) BlobExists(ctx context.Context, repo, dgst string) (bool, error) {
	resp, err := c.do(ctx, http.MethodHead, "/v2/"+repo+"/blobs/"+dgst, nil, nil)
	if err != nil {
		return false, err
	}
	resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusOK:
		return true, nil
	case http.StatusNotFound:
		return false, nil
	}
	return false, &Error{Status: resp.StatusCode, Op: "head blob " + repo + "@" + dgst}
}

// EnsureBlob makes blob dgst available in repo: already there, mounted from
// repository `from` without copying, or (when the mount is refused) copied.
// Returns whether any bytes had to be transferred.
func (c *Client) EnsureBlob(ctx context.Context, repo, from, dgst string) (copied bool, err error) {
	if ok, err := c.BlobExists(ctx, repo, dgst); err != nil || ok {
		return false, err
	}
	if from != "" && from != repo {
		q := url.Values{"mount": {dgst}, "from": {from}}
		resp, err := c.do(ctx, http.MethodPost, "/v2/"+repo+"/blobs/uploads/?"+q.Encode(), nil, map[string]string{"Content-Length": "0"})
		if err != nil {
			return false, err
		}
		resp.Body.Close()
		if resp.StatusCode == http.StatusCreated {
			return false, nil
		}
		if resp.StatusCode == http.StatusAccepted {
			// the registry opened a regular upload instead; cancel it
			if loc := resp.Header.Get("Location"); loc != "" {
				if r2, err := c.do(ctx, http.MethodDelete, c.abs(loc), nil, nil); err == nil {
					r2.Body.Close()
				}
			}
		}
	}
	if from == "" {
		return false, fmt.Errorf("blob %s missing in %s", dgst, repo)
	}
	rc, _, err := c.GetBlob(ctx, from, dgst)
	if err != nil {
		return false, err
	}
	defer rc.Close()
	d, _, err := c.UploadBlob(ctx, repo, rc, nil)
	if err != nil {
		return true, err
	}
	if d != dgst {
		return true, fmt.Errorf("copied blob digest %s != %s", d, dgst)
	}
	return true, nil
}

func (c *Client) abs(loc string) string {
	if strings.HasPrefix(loc, "http://") || strings.HasPrefix(loc, "https://") {
		return loc
	}
	return c.Base + loc
}

// UploadBlob streams r to repo in one chunked PATCH and completes the upload
// with the digest computed on the fly. progress (optional) is called with
// the bytes sent so far.
func (c *Client) UploadBlob(ctx context.Context, repo string, r io.Reader, progress func(int64)) (string, int64, error) {
	resp, err := c.do(ctx, http.MethodPost, "/v2/"+repo+"/blobs/uploads/", nil, map[string]string{"Content-Length": "0"})
	if err != nil {
		return "", 0, err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		return "", 0, &Error{Status: resp.StatusCode, Op: "start upload " + repo}
	}
	loc := c.abs(resp.Header.Get("Location"))
	h := sha256.New()
	var n int64
	body := io.TeeReader(r, writerFunc(func(p []byte) (int, error) {
		h.Write(p)
		n += int64(len(p))
		if progress != nil {
			progress(n)
		}
		return len(p), nil
	}))
	req, err := http.NewRequestWithContext(ctx, http.MethodPatch, loc, io.NopCloser(body))
	if err != nil {
		return "", 0, err
	}
	req.Header.Set("Content-Type", "application/octet-stream")
	req.ContentLength = -1 // chunked: the size is not known before the end
	resp, err = c.HTTP.Do(req)
	if err != nil {
		return "", n, fmt.Errorf("registry upload %s: %w", repo, err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted && resp.StatusCode != http.StatusNoContent {
		return "", n, &Error{Status: resp.StatusCode, Op: "upload " + repo}
	}
	if l := resp.Header.Get("Location"); l != "" {
		loc = c.abs(l)
	}
	dgst := "sha256:" + hex.EncodeToString(h.Sum(nil))
	u, err := url.Parse(loc)
	if err != nil {
		return "", n, err
	}
	q := u.Query()
	q.Set("digest", dgst)
	u.RawQuery = q.Encode()
	resp, err = c.do(ctx, http.MethodPut, u.String(), nil, map[string]string{"Content-Length": "0"})
	if err != nil {
		return "", n, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		return "", n, respErr("complete upload "+repo, resp)
	}
	return dgst, n, nil
}

// PutBlobBytes uploads a small blob (config) unless it is already there.
func (c *Client) PutBlobBytes(ctx context.Context, repo string, b []byte) (string, error) {
	sum := sha256.Sum256(b)
	dgst := "sha256:" + hex.EncodeToString(sum[:])
	if ok, err := c.BlobExists(ctx, repo, dgst); err == nil && ok {
		return dgst, nil
	}
	d, _, err := c.UploadBlob(ctx, repo, bytes.NewReader(b), nil)
	return d, err
}

// PutManifest stores a manifest under tag and returns its digest.
func (c *Client) PutManifest(ctx context.Context, repo, tag, mediaType string, raw []byte) (string, error) {
	resp, err := c.do(ctx, http.MethodPut, "/v2/"+repo+"/manifests/"+tag, bytes.NewReader(raw), map[string]string{"Content-Type": mediaType})
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusCreated && resp.StatusCode != http.StatusOK {
		return "", respErr("put manifest "+repo+":"+tag, resp)
	}
	sum := sha256.Sum256(raw)
	return "sha256:" + hex.EncodeToString(sum[:]), nil
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }
