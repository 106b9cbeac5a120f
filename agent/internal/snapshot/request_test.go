package snapshot

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestCommitRequestValidate(t *testing.T) {
	pod := CommitRequest{Namespace: "team-x", Pod: "box-y", Container: "devbox", TargetRepository: "team-x/box-y", TargetTag: "s1"}
	grace := func(n int) CommitRequest { r := pod; r.Stop = &StopRequest{GraceSeconds: n}; return r }
	for _, tc := range []struct {
		name string
		req  CommitRequest
		want string // "" = valid
	}{
		{"pod, frozen", pod, ""},
		{"container id", CommitRequest{ContainerID: "abc", TargetRepository: "r", TargetTag: "t"}, ""},
		{"graceful stop", grace(10), ""},
		{"graceful stop without grace", grace(0), ""},
		{"longest grace", grace(MaxGraceSeconds), ""},
		{"negative grace", grace(-1), "stop.graceSeconds must be between 0 and 3600, got -1"},
		{"too long grace", grace(MaxGraceSeconds + 1), "got 3601"},
		{"no target", CommitRequest{ContainerID: "abc"}, "targetRepository, targetTag"},
		{"pod without container", CommitRequest{Namespace: "n", Pod: "p", TargetRepository: "r", TargetTag: "t"}, "namespace+pod+container"},
	} {
		err := tc.req.Validate()
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: unexpected error %v", tc.name, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%s: error %v, want one containing %q", tc.name, err, tc.want)
		}
	}
}

// The dashboard sends the field as documented in the README.
func TestStopRequestWireFormat(t *testing.T) {
	var req CommitRequest
	if err := json.Unmarshal([]byte(`{"pod":"p","stop":{"graceSeconds":10}}`), &req); err != nil {
		t.Fatal(err)
	}
	if req.Stop == nil || req.Stop.GraceSeconds != 10 {
		t.Fatalf("stop not decoded: %+v", req.Stop)
	}
	var frozen CommitRequest
	json.Unmarshal([]byte(`{"pod":"p"}`), &frozen)
	if frozen.Stop != nil {
		t.Fatal("no stop field must mean the frozen path")
	}
	b, _ := json.Marshal(Event{Phase: "done", Mode: "exited", StopMs: 1200, Killed: true})
	if !strings.Contains(string(b), `"stopMs":1200`) || !strings.Contains(string(b), `"killed":true`) {
		t.Fatalf("result: %s", b)
	}
}
