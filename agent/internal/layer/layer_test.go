package layer

import (
	"archive/tar"
	"bytes"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// ---- a reference model of OCI layer application (what containerd does) ----

type fsEntry struct {
	typ  byte
	mode int64
	data string
	link string
}

type fsMap map[string]fsEntry

func (f fsMap) removeTree(p string) {
	for k := range f {
		if k == p || strings.HasPrefix(k, p+"/") {
			delete(f, k)
		}
	}
}

// apply applies one layer tar to f with OCI semantics: whiteouts hide lower
// entries (applied first), a non-dir replaces anything, a dir over a dir merges.
func apply(t *testing.T, f fsMap, layer []byte) {
	t.Helper()
	type ent struct {
		h    *tar.Header
		data string
	}
	var ents []ent
	tr := tar.NewReader(bytes.NewReader(layer))
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		d, _ := io.ReadAll(tr)
		ents = append(ents, ent{h, string(d)})
	}
	for _, e := range ents {
		name := cleanName(e.h.Name)
		dir, base := path.Split(name)
		dir = strings.TrimSuffix(dir, "/")
		if base == OpaqueWhiteout {
			for k := range f {
				if dir == "" || strings.HasPrefix(k, dir+"/") {
					delete(f, k)
				}
			}
		} else if strings.HasPrefix(base, WhiteoutPrefix) {
			f.removeTree(path.Join(dir, strings.TrimPrefix(base, WhiteoutPrefix)))
		}
	}
	for _, e := range ents {
		name := cleanName(e.h.Name)
		if name == "" || strings.HasPrefix(path.Base(name), WhiteoutPrefix) {
			continue
		}
		// parents implicitly exist as directories
		for d := path.Dir(name); d != "."; d = path.Dir(d) {
			if old, ok := f[d]; ok && old.typ != tar.TypeDir {
				f.removeTree(d)
			}
			if _, ok := f[d]; !ok {
				f[d] = fsEntry{typ: tar.TypeDir, mode: 0o755}
			}
		}
		old, exists := f[name]
		switch e.h.Typeflag {
		case tar.TypeDir:
			if exists && old.typ != tar.TypeDir {
				f.removeTree(name)
			}
			f[name] = fsEntry{typ: tar.TypeDir, mode: e.h.Mode}
		case tar.TypeLink:
			tgt := f[cleanName(e.h.Linkname)]
			f.removeTree(name)
			f[name] = tgt
		default:
			f.removeTree(name)
			f[name] = fsEntry{typ: e.h.Typeflag, mode: e.h.Mode, data: e.data, link: e.h.Linkname}
		}
	}
}

func (f fsMap) String() string {
	var ks []string
	for k := range f {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	var b strings.Builder
	for _, k := range ks {
		e := f[k]
		fmt.Fprintf(&b, "%s %c %o %q %q\n", k, e.typ, e.mode, e.data, e.link)
	}
	return b.String()
}

// ---- synthetic layers ----

type te struct {
	name string
	typ  byte
	mode int64
	data string
	link string
}

func mkTar(t *testing.T, ents ...te) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range ents {
		typ := e.typ
		if typ == 0 {
			typ = tar.TypeReg
		}
		mode := e.mode
		if mode == 0 {
			mode = 0o644
			if typ == tar.TypeDir {
				mode = 0o755
			}
		}
		h := &tar.Header{Name: e.name, Typeflag: typ, Mode: mode, Linkname: e.link, Size: int64(len(e.data))}
		if typ != tar.TypeReg {
			h.Size = 0
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if typ == tar.TypeReg {
			tw.Write([]byte(e.data))
		}
	}
	tw.Close()
	return buf.Bytes()
}

func mergeLayers(t *testing.T, base []byte, layers ...[]byte) []byte {
	t.Helper()
	m, err := NewMerger(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if base != nil {
		if err := m.IndexBase(bytes.NewReader(base)); err != nil {
			t.Fatal(err)
		}
	}
	for _, l := range layers {
		if err := m.Apply(bytes.NewReader(l)); err != nil {
			t.Fatal(err)
		}
	}
	var out bytes.Buffer
	if _, err := m.WriteLayer(&out); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

func names(t *testing.T, layer []byte) []string {
	var out []string
	tr := tar.NewReader(bytes.NewReader(layer))
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, h.Name)
	}
}

func checkMerge(t *testing.T, base []byte, own ...[]byte) []byte {
	t.Helper()
	want := fsMap{}
	apply(t, want, base)
	for _, l := range own {
		apply(t, want, l)
	}
	var merged []byte
	for _, withBase := range []bool{false, true} {
		var b []byte
		if withBase {
			b = base
		}
		merged = mergeLayers(t, b, own...)
		got := fsMap{}
		apply(t, got, base)
		apply(t, got, merged)
		if want.String() != got.String() {
			t.Fatalf("merged view differs (base indexed: %v)\nwant:\n%s\ngot:\n%s\nmerged layer: %v", withBase, want, got, names(t, merged))
		}
	}
	// with the base indexed, every whiteout must hide something of the base
	// (overlayfs shows a whiteout hiding nothing as a broken entry)
	bf := fsMap{}
	apply(t, bf, base)
	for _, n := range names(t, merged) {
		b := path.Base(n)
		if strings.HasPrefix(b, WhiteoutPrefix) && b != OpaqueWhiteout {
			p := path.Join(path.Dir(n), strings.TrimPrefix(b, WhiteoutPrefix))
			if _, ok := bf[p]; !ok {
				t.Fatalf("useless whiteout %s in %v", n, names(t, merged))
			}
		}
	}
	return merged
}

var baseLayer = []te{
	{name: "etc/", typ: tar.TypeDir},
	{name: "etc/os-release", data: "debian"},
	{name: "etc/motd", data: "hello"},
	{name: "usr/", typ: tar.TypeDir},
	{name: "usr/share/", typ: tar.TypeDir},
	{name: "usr/share/doc/", typ: tar.TypeDir},
	{name: "usr/share/doc/a", data: "A"},
	{name: "usr/share/doc/b", data: "B"},
	{name: "opt/", typ: tar.TypeDir},
	{name: "opt/tool", data: "tool", mode: 0o755},
}

func TestMergeOverwriteAndDelete(t *testing.T) {
	base := mkTar(t, baseLayer...)
	l1 := mkTar(t,
		te{name: "home/", typ: tar.TypeDir},
		te{name: "home/big", data: strings.Repeat("x", 10000)},
		te{name: "home/keep", data: "v1"},
		te{name: "etc/", typ: tar.TypeDir},
		te{name: "etc/.wh.motd"},
	)
	l2 := mkTar(t,
		te{name: "home/", typ: tar.TypeDir},
		te{name: "home/.wh.big"},
		te{name: "home/keep", data: "v2", mode: 0o600},
		te{name: "home/link", typ: tar.TypeSymlink, link: "keep"},
		te{name: "home/empty/", typ: tar.TypeDir, mode: 0o700},
	)
	l3 := mkTar(t, te{name: "home/.wh.keep"}, te{name: "home/new/", typ: tar.TypeDir}, te{name: "home/new/.wh.gone"})
	checkMerge(t, base, l1, l2, l3)
	merged := checkMerge(t, base, l1, l2)
	// the deleted big file's data is gone; the whiteout of the base file stays
	ns := strings.Join(names(t, merged), " ")
	if !strings.Contains(ns, "etc/.wh.motd") {
		t.Errorf("base whiteout lost: %s", ns)
	}
	if len(merged) > 8000 {
		t.Errorf("superseded data kept: merged layer %d bytes (%s)", len(merged), ns)
	}
}

func TestMergeOpaqueAndRecreate(t *testing.T) {
	base := mkTar(t, baseLayer...)
	// delete a base dir, then recreate it with different content
	l1 := mkTar(t, te{name: "usr/share/.wh.doc"})
	l2 := mkTar(t, te{name: "usr/share/doc/", typ: tar.TypeDir}, te{name: "usr/share/doc/c", data: "C"})
	checkMerge(t, base, l1, l2)
	// opaque dir in one layer, then more files
	l3 := mkTar(t, te{name: "usr/share/doc/", typ: tar.TypeDir}, te{name: "usr/share/doc/.wh..wh..opq"}, te{name: "usr/share/doc/z", data: "Z"})
	l4 := mkTar(t, te{name: "usr/share/doc/y", data: "Y"})
	checkMerge(t, base, l3, l4)
	checkMerge(t, base, l4, l3)
	// a file replaced by a directory and back
	l5 := mkTar(t, te{name: "opt/tool/", typ: tar.TypeDir}, te{name: "opt/tool/bin", data: "bin"})
	l6 := mkTar(t, te{name: "opt/.wh.tool"}, te{name: "opt/tool", data: "tool2"})
	checkMerge(t, base, l5)
	checkMerge(t, base, l5, l6)
	checkMerge(t, base, l6, l5)
	// a base dir replaced by a file, then by a dir again (base children must stay hidden)
	l7 := mkTar(t, te{name: "usr/share/doc", data: "now a file"})
	l8 := mkTar(t, te{name: "usr/share/.wh.doc"}, te{name: "usr/share/doc/", typ: tar.TypeDir}, te{name: "usr/share/doc/n", data: "N"})
	checkMerge(t, base, l7, l8)
	// whiteout then implicit parent via a deeper path only
	l9 := mkTar(t, te{name: "usr/.wh.share"})
	l10 := mkTar(t, te{name: "usr/share/doc/new", data: "new"})
	checkMerge(t, base, l9, l10)
}

func TestMergeHardlinks(t *testing.T) {
	base := mkTar(t, baseLayer...)
	l1 := mkTar(t, te{name: "home/", typ: tar.TypeDir}, te{name: "home/f", data: "data"}, te{name: "home/g", typ: tar.TypeLink, link: "home/f"})
	l2 := mkTar(t, te{name: "home/.wh.f"})
	merged := checkMerge(t, base, l1, l2)
	// g must still carry the data although f is gone
	got := fsMap{}
	apply(t, got, merged)
	if got["home/g"].data != "data" {
		t.Fatalf("hardlink lost its data: %v", got)
	}
	m2 := checkMerge(t, base, l1)
	if !strings.Contains(strings.Join(names(t, m2), " "), "home/g") {
		t.Fatal("link missing")
	}
}

func TestMergeSameLayerWhiteoutOrder(t *testing.T) {
	base := mkTar(t, baseLayer...)
	// entries of a layer before its own opaque marker must survive
	l1 := mkTar(t, te{name: "etc/new", data: "n"}, te{name: "etc/.wh..wh..opq"})
	checkMerge(t, base, l1)
	l2 := mkTar(t, te{name: "etc/x", data: "x"})
	checkMerge(t, base, l2, l1)
}

// ---- upper dir conversion ----

func TestWriteUpperDirWhiteouts(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root for mknod and trusted xattrs")
	}
	up := t.TempDir()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.MkdirAll(filepath.Join(up, "etc"), 0o755))
	must(unix.Mknod(filepath.Join(up, "etc", "motd"), unix.S_IFCHR|0, 0))
	must(os.MkdirAll(filepath.Join(up, "usr/share/doc"), 0o755))
	must(unix.Setxattr(filepath.Join(up, "usr/share/doc"), "trusted.overlay.opaque", []byte("y"), 0))
	must(os.WriteFile(filepath.Join(up, "usr/share/doc/c"), []byte("C"), 0o640))
	must(os.Chown(filepath.Join(up, "usr/share/doc/c"), 1000, 1001))
	must(os.MkdirAll(filepath.Join(up, "home/u/empty"), 0o700))
	must(os.WriteFile(filepath.Join(up, "home/u/f"), []byte("hello"), 0o600))
	must(os.Link(filepath.Join(up, "home/u/f"), filepath.Join(up, "home/u/hard")))
	must(os.Symlink("f", filepath.Join(up, "home/u/sym")))
	must(unix.Setxattr(filepath.Join(up, "home/u/f"), "user.note", []byte("x"), 0))
	must(unix.Mkfifo(filepath.Join(up, "home/u/fifo"), 0o600))
	ln, err := net_listenUnix(filepath.Join(up, "home/u/sock"))
	must(err)
	defer ln.Close()

	var buf bytes.Buffer
	st, err := WriteUpperDir(&buf, up)
	must(err)
	if st.Whiteouts != 1 || st.Opaque != 1 || st.Hardlinks != 1 || st.Skipped != 1 {
		t.Fatalf("stats %+v", st)
	}
	hdrs := map[string]*tar.Header{}
	tr := tar.NewReader(&buf)
	var order []string
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		must(err)
		hdrs[h.Name] = h
		order = append(order, h.Name)
	}
	for _, n := range []string{"etc/.wh.motd", "usr/share/doc/.wh..wh..opq", "usr/share/doc/c", "home/u/empty/", "home/u/sym", "home/u/hard", "home/u/fifo"} {
		if hdrs[n] == nil {
			t.Fatalf("missing %s in %v", n, order)
		}
	}
	if hdrs["home/u/sock"] != nil {
		t.Fatal("socket must be skipped")
	}
	if h := hdrs["usr/share/doc/c"]; h.Uid != 1000 || h.Gid != 1001 || h.Mode != 0o640 {
		t.Fatalf("owner/mode lost: %+v", h)
	}
	if h := hdrs["home/u/sym"]; h.Typeflag != tar.TypeSymlink || h.Linkname != "f" {
		t.Fatalf("symlink: %+v", h)
	}
	if h := hdrs["home/u/hard"]; h.Typeflag != tar.TypeLink || h.Linkname != "home/u/f" {
		t.Fatalf("hardlink: %+v", h)
	}
	if h := hdrs["home/u/f"]; h.PAXRecords["SCHILY.xattr.user.note"] != "x" {
		t.Fatalf("xattr lost: %+v", h.PAXRecords)
	}
	if h := hdrs["usr/share/doc/"]; h.PAXRecords["SCHILY.xattr.trusted.overlay.opaque"] != "" {
		t.Fatal("overlay xattr leaked")
	}
	if h := hdrs["home/u/empty/"]; h.Mode != 0o700 {
		t.Fatalf("dir mode %o", h.Mode)
	}
	// opaque marker comes right after its directory
	for i, n := range order {
		if n == "usr/share/doc/.wh..wh..opq" && order[i-1] != "usr/share/doc/" {
			t.Fatalf("order %v", order)
		}
	}
	// applying it with the reference model: base motd gone, base doc replaced
	f := fsMap{}
	apply(t, f, mkTar(t, baseLayer...))
	apply(t, f, hdrBytes(t, up))
	if _, ok := f["etc/motd"]; ok {
		t.Fatal("whiteout not applied")
	}
	if _, ok := f["usr/share/doc/a"]; ok {
		t.Fatal("opaque not applied")
	}
}

func hdrBytes(t *testing.T, up string) []byte {
	var buf bytes.Buffer
	if _, err := WriteUpperDir(&buf, up); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestUpperDirRedirectRejected(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root")
	}
	up := t.TempDir()
	os.MkdirAll(filepath.Join(up, "d"), 0o755)
	if err := unix.Setxattr(filepath.Join(up, "d"), "trusted.overlay.redirect", []byte("/x"), 0); err != nil {
		t.Fatal(err)
	}
	if _, err := WriteUpperDir(io.Discard, up); err == nil {
		t.Fatal("expected an error for redirect_dir")
	}
}

func TestIsEmptyDir(t *testing.T) {
	d := t.TempDir()
	if e, _ := IsEmptyDir(d); !e {
		t.Fatal("empty")
	}
	os.WriteFile(filepath.Join(d, "x"), nil, 0o644)
	if e, _ := IsEmptyDir(d); e {
		t.Fatal("not empty")
	}
}
