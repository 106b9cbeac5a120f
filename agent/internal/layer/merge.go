package layer

import (
	"archive/tar"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

var timeZero time.Time

// Merger computes the single layer equivalent to applying several OCI layers
// in order on top of an (unknown) base. File contents are spooled to a temp
// dir; overwritten and deleted files are dropped as soon as they are
// superseded. Whiteouts are always kept (they may hide a base-layer file;
// a whiteout of a path the base does not have is harmless).
type Merger struct {
	root *node
	base *bnode // names present in the base layers (nil: unknown, keep all whiteouts)
	dir  string
	seq  int
	buf  []byte
}

type node struct {
	children map[string]*node
	hdr      *tar.Header // nil: implicit directory (no entry of its own)
	whiteout bool
	opaque   bool // hides everything the lower (base) layers have below it
	data     *blob
}

type blob struct {
	path      string
	size      int64
	refs      int
	emittedAs string
}

// bnode is a name tree of the base layers' final view.
type bnode struct {
	dir      bool
	children map[string]*bnode
}

func (b *bnode) walk(parts []string, create bool) *bnode {
	cur := b
	for _, c := range parts {
		if c == "" {
			continue
		}
		next := cur.children[c]
		if next == nil || !next.dir {
			if !create {
				return nil
			}
			next = &bnode{dir: true, children: map[string]*bnode{}}
			cur.children[c] = next
		}
		cur = next
	}
	return cur
}

// IndexBase reads one base layer (in order, oldest first) to learn which
// paths exist below the merged layers. Overlayfs shows a whiteout that hides
// nothing as a broken entry, so the merged layer may only whiteout paths the
// base has. Without any IndexBase call every whiteout is kept.
func (m *Merger) IndexBase(r io.Reader) error {
	if m.base == nil {
		m.base = &bnode{dir: true, children: map[string]*bnode{}}
	}
	tr := tar.NewReader(r)
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		name := cleanName(hdr.Name)
		if name == "" {
			continue
		}
		dir, base := path.Split(name)
		parent := m.base.walk(strings.Split(strings.TrimSuffix(dir, "/"), "/"), true)
		switch {
		case base == OpaqueWhiteout:
			parent.children = map[string]*bnode{}
		case strings.HasPrefix(base, WhiteoutPrefix):
			delete(parent.children, strings.TrimPrefix(base, WhiteoutPrefix))
		case hdr.Typeflag == tar.TypeDir:
			if old := parent.children[base]; old == nil || !old.dir {
				parent.children[base] = &bnode{dir: true, children: map[string]*bnode{}}
			}
		default:
			parent.children[base] = &bnode{}
		}
	}
}

func (b *bnode) child(name string) *bnode {
	if b == nil || b.children == nil {
		return nil
	}
	return b.children[name]
}

func (n *node) isDir() bool {
	return !n.whiteout && (n.hdr == nil || n.hdr.Typeflag == tar.TypeDir)
}

// NewMerger creates a merger spooling file data under tmpDir (created if needed).
func NewMerger(tmpDir string) (*Merger, error) {
	if tmpDir != "" {
		if err := os.MkdirAll(tmpDir, 0o700); err != nil {
			return nil, err
		}
	}
	d, err := os.MkdirTemp(tmpDir, "devbox-merge-")
	if err != nil {
		return nil, err
	}
	return &Merger{root: &node{children: map[string]*node{}}, dir: d, buf: make([]byte, 1<<20)}, nil
}

// Close removes the spooled data.
func (m *Merger) Close() error { return os.RemoveAll(m.dir) }

func cleanName(n string) string {
	n = strings.TrimPrefix(n, "./")
	n = path.Clean("/" + n)
	return strings.TrimPrefix(n, "/")
}

type pending struct {
	hdr  *tar.Header
	data *blob
}

// Apply applies one uncompressed layer tar on top of the current state.
// Whiteouts of a layer only affect lower layers, so they are applied first,
// then the layer's entries in order.
func (m *Merger) Apply(r io.Reader) error {
	tr := tar.NewReader(r)
	var entries []pending
	var whiteouts []string
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		name := cleanName(hdr.Name)
		if name == "" {
			continue // the root itself
		}
		base := path.Base(name)
		if strings.HasPrefix(base, WhiteoutPrefix) {
			whiteouts = append(whiteouts, name)
			continue
		}
		h := normalizeHeader(hdr, name)
		p := pending{hdr: h}
		if h.Typeflag == tar.TypeReg {
			b, err := m.spool(tr, h.Size)
			if err != nil {
				return err
			}
			p.data = b
		}
		entries = append(entries, p)
	}
	for _, w := range whiteouts {
		dir, base := path.Split(w)
		parent := m.lookupCreate(strings.TrimSuffix(dir, "/"))
		if base == OpaqueWhiteout {
			for _, c := range parent.children {
				m.release(c)
			}
			parent.children = map[string]*node{}
			parent.opaque = true
			continue
		}
		target := strings.TrimPrefix(base, WhiteoutPrefix)
		if old := parent.children[target]; old != nil {
			m.release(old)
		}
		parent.children[target] = &node{whiteout: true}
	}
	for _, e := range entries {
		m.add(e)
	}
	return nil
}

func normalizeHeader(hdr *tar.Header, name string) *tar.Header {
	h := *hdr
	h.Name = name
	h.Format = tar.FormatPAX
	h.AccessTime, h.ChangeTime = timeZero, timeZero
	h.Xattrs = nil //nolint:staticcheck // superseded by PAXRecords
	var rec map[string]string
	for k, v := range hdr.PAXRecords {
		if strings.HasPrefix(k, "SCHILY.xattr.") {
			if rec == nil {
				rec = map[string]string{}
			}
			rec[k] = v
		}
	}
	h.PAXRecords = rec
	if h.Typeflag == tar.TypeRegA { //nolint:staticcheck
		h.Typeflag = tar.TypeReg
	}
	if h.Typeflag == tar.TypeLink {
		h.Linkname = cleanName(h.Linkname)
	}
	return &h
}

func (m *Merger) spool(r io.Reader, size int64) (*blob, error) {
	m.seq++
	p := filepath.Join(m.dir, fmt.Sprintf("%d", m.seq))
	f, err := os.Create(p)
	if err != nil {
		return nil, err
	}
	n, err := io.CopyBuffer(f, r, m.buf)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, err
	}
	if n != size {
		return nil, fmt.Errorf("short file data: %d of %d bytes", n, size)
	}
	return &blob{path: p, size: n, refs: 1}, nil
}

// release drops a subtree, deleting spooled data nobody references any more.
func (m *Merger) release(n *node) {
	if n.data != nil {
		n.data.refs--
		if n.data.refs <= 0 {
			os.Remove(n.data.path)
		}
		n.data = nil
	}
	for _, c := range n.children {
		m.release(c)
	}
	n.children = nil
}

// lookupCreate returns the directory node for dir, creating implicit
// directories. Passing through a whiteout or a non-directory turns it into an
// opaque directory: the base's version of that path is gone.
func (m *Merger) lookupCreate(dir string) *node {
	cur := m.root
	if dir == "" || dir == "." {
		return cur
	}
	for _, c := range strings.Split(dir, "/") {
		child := cur.children[c]
		switch {
		case child == nil:
			child = &node{children: map[string]*node{}}
			cur.children[c] = child
		case !child.isDir():
			m.release(child)
			child = &node{children: map[string]*node{}, opaque: true}
			cur.children[c] = child
		}
		if child.children == nil {
			child.children = map[string]*node{}
		}
		cur = child
	}
	return cur
}

func (m *Merger) lookup(p string) *node {
	cur := m.root
	if p == "" {
		return cur
	}
	for _, c := range strings.Split(p, "/") {
		if cur.children == nil {
			return nil
		}
		cur = cur.children[c]
		if cur == nil {
			return nil
		}
	}
	return cur
}

func (m *Merger) add(e pending) {
	h := e.hdr
	dir, base := path.Split(h.Name)
	parent := m.lookupCreate(strings.TrimSuffix(dir, "/"))
	old := parent.children[base]
	switch h.Typeflag {
	case tar.TypeDir:
		if old != nil && old.isDir() {
			old.hdr = h // keep children and opacity
			return
		}
		n := &node{hdr: h, children: map[string]*node{}}
		if old != nil {
			// replaces a whiteout or a non-directory: whatever the base had
			// at this path must not show through
			m.release(old)
			n.opaque = true
		}
		parent.children[base] = n
		return
	case tar.TypeLink:
		n := &node{hdr: h}
		if t := m.lookup(h.Linkname); t != nil && t.data != nil && t.hdr != nil {
			th := *t.hdr
			th.Name = h.Name
			n.hdr = &th
			n.data = t.data
			t.data.refs++
		}
		if old != nil {
			m.release(old)
		}
		parent.children[base] = n
		return
	default:
		if old != nil {
			m.release(old)
		}
		parent.children[base] = &node{hdr: h, data: e.data}
	}
}

// WriteLayer writes the merged layer as an uncompressed tar.
func (m *Merger) WriteLayer(w io.Writer) (Stats, error) {
	tw := tar.NewWriter(w)
	var st Stats
	if m.root.opaque {
		st.Opaque++
		st.Entries++
		if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: OpaqueWhiteout, Format: tar.FormatPAX}); err != nil {
			return st, err
		}
	}
	if err := m.emitChildren(tw, m.root, "", m.base, m.base != nil && m.root.opaque, &st); err != nil {
		return st, err
	}
	return st, tw.Close()
}

// emitChildren writes n's children; b is the base's node for the same path
// (nil: the base has nothing there, or unknown when m.base is nil) and
// hidden tells that the base content here is hidden by an opaque directory.
func (m *Merger) emitChildren(tw *tar.Writer, n *node, p string, b *bnode, hidden bool, st *Stats) error {
	names := make([]string, 0, len(n.children))
	for k := range n.children {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, name := range names {
		if err := m.emit(tw, n.children[name], path.Join(p, name), b.child(name), hidden, st); err != nil {
			return err
		}
	}
	return nil
}

func (m *Merger) emit(tw *tar.Writer, n *node, p string, b *bnode, hidden bool, st *Stats) error {
	if n.whiteout {
		if m.base != nil && (hidden || b == nil) {
			return nil // nothing below to hide
		}
		st.Whiteouts++
		st.Entries++
		return tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: path.Join(path.Dir(p), WhiteoutPrefix+path.Base(p)), Format: tar.FormatPAX})
	}
	if n.hdr == nil {
		if n.opaque {
			// implicit directory recreated after a deletion: needs an entry
			st.Entries++
			if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: p + "/", Mode: 0o755, Format: tar.FormatPAX}); err != nil {
				return err
			}
		}
	} else {
		h := *n.hdr
		h.Name = p
		if h.Typeflag == tar.TypeDir {
			h.Name = p + "/"
		}
		if n.data != nil {
			if n.data.emittedAs != "" {
				h.Typeflag = tar.TypeLink
				h.Linkname = n.data.emittedAs
				h.Size = 0
				st.Hardlinks++
			} else {
				h.Typeflag = tar.TypeReg
				h.Size = n.data.size
				h.Linkname = ""
			}
		}
		st.Entries++
		if err := tw.WriteHeader(&h); err != nil {
			return err
		}
		if n.data != nil && h.Typeflag == tar.TypeReg {
			f, err := os.Open(n.data.path)
			if err != nil {
				return err
			}
			c, err := io.CopyBuffer(tw, f, m.buf)
			f.Close()
			if err != nil {
				return err
			}
			n.data.emittedAs = p
			st.Files++
			st.DataBytes += c
		}
	}
	if n.isDir() {
		if n.opaque && (m.base == nil || (!hidden && b != nil && b.dir)) {
			st.Opaque++
			st.Entries++
			if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: p + "/" + OpaqueWhiteout, Format: tar.FormatPAX}); err != nil {
				return err
			}
		}
		if m.base != nil {
			if n.opaque || b == nil || !b.dir {
				hidden = true
			}
		}
		return m.emitChildren(tw, n, p, b, hidden, st)
	}
	return nil
}
