package corpus

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestMissingCorpus runs TestPcapDirChild in a child process with the
// corpus pointed at a directory that does not exist: it must skip, unless
// SOCKSCOPE_REQUIRE_CORPUS is set (as .ci/run sets it), when it must fail.
func TestMissingCorpus(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "no-such-corpus")
	for _, require := range []bool{false, true} {
		cmd := exec.Command(os.Args[0], "-test.run=^TestPcapDirChild$", "-test.v", "-test.count=1")
		env := []string{"SOCKSCOPE_CORPUS_CHILD=1", EnvPcaps + "=" + missing}
		for _, kv := range os.Environ() {
			if !strings.HasPrefix(kv, EnvRequire+"=") && !strings.HasPrefix(kv, EnvPcaps+"=") {
				env = append(env, kv)
			}
		}
		if require {
			env = append(env, EnvRequire+"=1")
		}
		cmd.Env = env
		out, err := cmd.CombinedOutput()
		switch {
		case require && (err == nil || !strings.Contains(string(out), "--- FAIL: TestPcapDirChild")):
			t.Errorf("%s set, corpus missing: the test did not fail (%v)\n%s", EnvRequire, err, out)
		case !require && (err != nil || !strings.Contains(string(out), "--- SKIP: TestPcapDirChild")):
			t.Errorf("corpus missing: the test did not skip (%v)\n%s", err, out)
		}
	}
}

// TestPcapDirChild is TestMissingCorpus's child.
func TestPcapDirChild(t *testing.T) {
	if os.Getenv("SOCKSCOPE_CORPUS_CHILD") == "" {
		t.Skip("run by TestMissingCorpus")
	}
	PcapDir(t)
}
