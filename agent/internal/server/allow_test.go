package server

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestAllowFrom(t *testing.T) {
	allow, err := ParseAllowFrom("127.0.0.1, 192.0.2.7,10.1.0.0/16")
	if err != nil {
		t.Fatal(err)
	}
	h := (&Server{Token: func() string { return "t" }, AllowFrom: allow}).Handler()
	for _, c := range []struct {
		remote string
		want   int
	}{
		{"127.0.0.1:5000", http.StatusOK},
		{"192.0.2.7:5000", http.StatusOK},
		{"10.1.200.3:5000", http.StatusOK},
		{"[::ffff:192.0.2.7]:5000", http.StatusOK},
		{"10.88.0.5:5000", http.StatusForbidden}, // a pod on the bridge
		{"192.0.2.8:5000", http.StatusForbidden},
		{"[::1]:5000", http.StatusForbidden},
	} {
		r := httptest.NewRequest("GET", "/healthz", nil)
		r.RemoteAddr = c.remote
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != c.want {
			t.Errorf("%s: got %d, want %d", c.remote, w.Code, c.want)
		}
	}
	// the token is still required from an allowed source
	r := httptest.NewRequest("POST", "/v1/commits", nil)
	r.RemoteAddr = "127.0.0.1:5000"
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if w.Code != http.StatusUnauthorized {
		t.Errorf("allowed source without token: got %d, want 401", w.Code)
	}
	if _, err := ParseAllowFrom("not-an-ip"); err == nil {
		t.Error("bad entry accepted")
	}
	// empty list: every source (tests, a dashboard elsewhere in the cluster)
	h = (&Server{Token: func() string { return "t" }}).Handler()
	r = httptest.NewRequest("GET", "/healthz", nil)
	r.RemoteAddr = "10.88.0.5:5000"
	w = httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if w.Code != http.StatusOK {
		t.Errorf("no allow list: got %d", w.Code)
	}
}
