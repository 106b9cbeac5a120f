package registry

import "testing"

func TestParseRef(t *testing.T) {
	cases := []struct{ in, host, repo, tag, dgst string }{
		{"127.0.0.1:5000/devbox/base:bookworm", "127.0.0.1:5000", "devbox/base", "bookworm", ""},
		{"team/box:s1", "reg:5000", "team/box", "s1", ""},
		{"localhost/x", "localhost", "x", "", ""},
		{"127.0.0.1:5000/a/b@sha256:abc", "127.0.0.1:5000", "a/b", "", "sha256:abc"},
		{"127.0.0.1:5000/a/b:t@sha256:abc", "127.0.0.1:5000", "a/b", "t", "sha256:abc"},
		{"http://127.0.0.1:5000/a:1", "127.0.0.1:5000", "a", "1", ""},
	}
	for _, c := range cases {
		r, err := ParseRef(c.in, "reg:5000")
		if err != nil || r.Host != c.host || r.Repo != c.repo || r.Tag != c.tag || r.Digest != c.dgst {
			t.Errorf("%s: %+v %v", c.in, r, err)
		}
	}
	if r, _ := ParseRef("a/b", "h:1"); r.Reference() != "latest" {
		t.Error("default tag")
	}
}
