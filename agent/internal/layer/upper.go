// Package layer turns an overlayfs upper directory into an OCI layer tar and
// merges several OCI layer tars into one.
package layer

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

const (
	// WhiteoutPrefix marks a deleted path in an OCI layer.
	WhiteoutPrefix = ".wh."
	// OpaqueWhiteout inside a directory hides every lower entry of it.
	OpaqueWhiteout = ".wh..wh..opq"
)

// Stats describes what a diff contained.
type Stats struct {
	Entries   int   // tar entries written (including whiteouts)
	Files     int   // regular files with data
	Whiteouts int   // deletions (.wh.<name>)
	Opaque    int   // opaque directories (.wh..wh..opq)
	Hardlinks int   // entries written as hardlinks
	Skipped   int   // sockets and other entries that cannot be in a layer
	DataBytes int64 // file content bytes
}

// ErrUnsupportedOverlay is returned when the upper dir uses overlay features
// (redirect_dir, metacopy) whose data lives in the lower layers.
var ErrUnsupportedOverlay = errors.New("overlay upper dir uses redirect_dir or metacopy, which the upper-dir differ cannot represent")

// overlay xattrs, in both the privileged (trusted.) and userxattr (user.) namespaces.
func overlayXattr(name string) bool {
	return strings.HasPrefix(name, "trusted.overlay.") || strings.HasPrefix(name, "user.overlay.")
}

// IsEmptyDir reports whether dir has no entries (an unchanged container).
func IsEmptyDir(dir string) (bool, error) {
	f, err := os.Open(dir)
	if err != nil {
		return false, err
	}
	defer f.Close()
	_, err = f.Readdirnames(1)
	if err == io.EOF {
		return true, nil
	}
	return false, err
}

// WriteUpperDir writes the overlayfs upper directory `upper` to w as an OCI
// layer tar (uncompressed). Overlay whiteouts (0:0 character devices) become
// `.wh.<name>` entries and opaque directories get a `.wh..wh..opq` entry.
// Only the upper directory is read: the cost is proportional to the change.
func WriteUpperDir(w io.Writer, upper string) (Stats, error) {
	tw := tar.NewWriter(w)
	uw := &upperWriter{tw: tw, root: upper, inodes: map[uint64]string{}, buf: make([]byte, 1<<20)}
	if err := uw.walk(upper, ""); err != nil {
		return uw.st, err
	}
	if err := tw.Close(); err != nil {
		return uw.st, err
	}
	return uw.st, nil
}

type upperWriter struct {
	tw     *tar.Writer
	root   string
	st     Stats
	inodes map[uint64]string // inode -> first tar path (hardlinks)
	buf    []byte
}

// walk writes the children of dir (tar path prefix rel) in lexical order,
// depth first, parents before children.
func (u *upperWriter) walk(dir, rel string) error {
	f, err := os.Open(dir)
	if err != nil {
		return err
	}
	names, err := f.Readdirnames(-1)
	f.Close()
	if err != nil {
		return err
	}
	sort.Strings(names)
	for _, name := range names {
		full := filepath.Join(dir, name)
		trel := path.Join(rel, name)
		if err := u.entry(full, trel, name); err != nil {
			return fmt.Errorf("%s: %w", trel, err)
		}
	}
	return nil
}

func (u *upperWriter) entry(full, trel, name string) error {
	var st unix.Stat_t
	if err := unix.Lstat(full, &st); err != nil {
		return err
	}
	mode := st.Mode & unix.S_IFMT
	// Overlay whiteout: character device 0:0.
	if mode == unix.S_IFCHR && st.Rdev == 0 {
		u.st.Whiteouts++
		return u.writeHeader(&tar.Header{
			Typeflag: tar.TypeReg,
			Name:     path.Join(path.Dir(trel), WhiteoutPrefix+name),
			Mode:     0,
			ModTime:  time.Unix(st.Mtim.Sec, 0),
			Format:   tar.FormatPAX,
		})
	}
	if mode == unix.S_IFSOCK {
		u.st.Skipped++
		return nil
	}
	xattrs, opaque, err := readXattrs(full)
	if err != nil {
		return err
	}
	hdr := &tar.Header{
		Name:    trel,
		Mode:    int64(st.Mode & 07777),
		Uid:     int(st.Uid),
		Gid:     int(st.Gid),
		ModTime: time.Unix(st.Mtim.Sec, st.Mtim.Nsec).Truncate(time.Second),
		Format:  tar.FormatPAX,
	}
	if len(xattrs) > 0 {
		hdr.PAXRecords = map[string]string{}
		for k, v := range xattrs {
			hdr.PAXRecords["SCHILY.xattr."+k] = v
		}
	}
	switch mode {
	case unix.S_IFDIR:
		hdr.Typeflag = tar.TypeDir
		hdr.Name = trel + "/"
		if err := u.writeHeader(hdr); err != nil {
			return err
		}
		if opaque {
			u.st.Opaque++
			if err := u.writeHeader(&tar.Header{Typeflag: tar.TypeReg, Name: trel + "/" + OpaqueWhiteout, ModTime: hdr.ModTime, Format: tar.FormatPAX}); err != nil {
				return err
			}
		}
		return u.walk(full, trel)
	case unix.S_IFLNK:
		target, err := os.Readlink(full)
		if err != nil {
			return err
		}
		hdr.Typeflag = tar.TypeSymlink
		hdr.Linkname = target
		return u.writeHeader(hdr)
	case unix.S_IFREG:
		if st.Nlink > 1 {
			if first, ok := u.inodes[st.Ino]; ok {
				hdr.Typeflag = tar.TypeLink
				hdr.Linkname = first
				u.st.Hardlinks++
				return u.writeHeader(hdr)
			}
			u.inodes[st.Ino] = trel
		}
		hdr.Typeflag = tar.TypeReg
		hdr.Size = st.Size
		if err := u.writeHeader(hdr); err != nil {
			return err
		}
		fh, err := os.Open(full)
		if err != nil {
			return err
		}
		defer fh.Close()
		n, err := io.CopyBuffer(u.tw, io.LimitReader(fh, st.Size), u.buf)
		if err != nil {
			return err
		}
		if n != st.Size {
			return fmt.Errorf("file changed size while reading (%d != %d)", n, st.Size)
		}
		u.st.Files++
		u.st.DataBytes += n
		return nil
	case unix.S_IFCHR, unix.S_IFBLK:
		if mode == unix.S_IFCHR {
			hdr.Typeflag = tar.TypeChar
		} else {
			hdr.Typeflag = tar.TypeBlock
		}
		hdr.Devmajor = int64(unix.Major(st.Rdev))
		hdr.Devminor = int64(unix.Minor(st.Rdev))
		return u.writeHeader(hdr)
	case unix.S_IFIFO:
		hdr.Typeflag = tar.TypeFifo
		return u.writeHeader(hdr)
	default:
		u.st.Skipped++
		return nil
	}
}

func (u *upperWriter) writeHeader(h *tar.Header) error {
	u.st.Entries++
	return u.tw.WriteHeader(h)
}

// readXattrs returns the xattrs worth keeping in a layer (not overlay's own,
// not SELinux labels) and whether the directory is overlay-opaque.
func readXattrs(p string) (map[string]string, bool, error) {
	sz, err := unix.Llistxattr(p, nil)
	if err != nil {
		if errors.Is(err, unix.ENOTSUP) {
			return nil, false, nil
		}
		return nil, false, err
	}
	if sz == 0 {
		return nil, false, nil
	}
	buf := make([]byte, sz)
	sz, err = unix.Llistxattr(p, buf)
	if err != nil {
		return nil, false, err
	}
	var out map[string]string
	opaque := false
	for _, name := range strings.Split(string(buf[:sz]), "\x00") {
		if name == "" || name == "security.selinux" {
			continue
		}
		val, err := lgetxattr(p, name)
		if err != nil {
			if errors.Is(err, unix.ENODATA) {
				continue
			}
			return nil, false, err
		}
		if overlayXattr(name) {
			suffix := name[strings.Index(name, ".overlay.")+len(".overlay."):]
			switch suffix {
			case "opaque":
				if string(val) == "y" {
					opaque = true
				}
			case "redirect", "metacopy":
				return nil, false, ErrUnsupportedOverlay
			}
			continue
		}
		if out == nil {
			out = map[string]string{}
		}
		out[name] = string(val)
	}
	return out, opaque, nil
}

func lgetxattr(p, name string) ([]byte, error) {
	buf := make([]byte, 256)
	for {
		n, err := unix.Lgetxattr(p, name, buf)
		if err == unix.ERANGE {
			sz, err2 := unix.Lgetxattr(p, name, nil)
			if err2 != nil {
				return nil, err2
			}
			buf = make([]byte, sz+1)
			continue
		}
		if err != nil {
			return nil, err
		}
		return buf[:n], nil
	}
}
