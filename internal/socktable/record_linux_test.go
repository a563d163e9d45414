//go:build linux

package socktable

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/sockscope/sockscope/internal/netns"
)

// TestRecord writes the kernel's replies to the lab's dumps into
// testdata/*.bin, for TestRecorded to parse anywhere. It runs only when
// asked:
//
//	SOCKTABLE_RECORD=1 go test ./internal/socktable -run TestRecord
func TestRecord(t *testing.T) {
	if os.Getenv("SOCKTABLE_RECORD") == "" {
		t.Skip("set SOCKTABLE_RECORD=1 to record testdata/*.bin from this kernel")
	}
	if netns.ReexecTest(t) {
		return
	}
	openLab(t)
	for i, r := range requests {
		reply, err := dump(r, uint32(i+1))
		must(t, "dump "+r.String(), err)
		if _, done, err := Parse(reply, r.family, r.protocol); err != nil || !done {
			t.Fatalf("%s: done=%v err=%v", r, done, err)
		}
		name := filepath.Join("testdata", r.String()+".bin")
		must(t, "write", os.WriteFile(name, reply, 0o644))
		t.Logf("%s: %d bytes", name, len(reply))
	}
}
