//go:build linux

package netns

import (
	"fmt"
	"net"
	"os"
	"strings"
	"testing"
)

func TestRunPattern(t *testing.T) {
	for name, want := range map[string]string{
		"TestA":               "^TestA$",
		"TestA/sub_1":         "^TestA$/^sub_1$",
		"TestA/any,_snap(64)": `^TestA$/^any,_snap\(64\)$`,
	} {
		if got := runPattern(name); got != want {
			t.Errorf("runPattern(%q) = %q, want %q", name, got, want)
		}
	}
}

// TestIsolatedNeedsANewNamespace: the marker alone does not make a process
// believe it is isolated.
func TestIsolatedNeedsANewNamespace(t *testing.T) {
	if Isolated() {
		t.Skip("already running in a namespace of our own")
	}
	cur, err := current()
	if err != nil {
		t.Skip(err)
	}
	t.Setenv(envChild, cur)
	if Isolated() {
		t.Error("Isolated() with the marker set to our own namespace")
	}
}

// TestReexecTest: in the copy we are isolated, lo is up and usable, and
// nothing of the host's network is visible.
func TestReexecTest(t *testing.T) {
	if ReexecTest(t) {
		return
	}
	if !Isolated() {
		t.Fatal("ReexecTest returned false but we are not isolated")
	}
	ifs, err := net.Interfaces()
	if err != nil {
		t.Fatal(err)
	}
	for _, i := range ifs {
		if i.Flags&net.FlagUp != 0 && i.Flags&net.FlagLoopback == 0 {
			t.Errorf("interface %s is up in a fresh namespace", i.Name)
		}
	}
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("lo is not usable: %v", err)
	}
	ln.Close()
}

// fakeTB records what ReexecTest reports.
type fakeTB struct {
	name                  string
	errors, fatals, skips []string
}

func (f *fakeTB) Helper()                   {}
func (f *fakeTB) Name() string              { return f.name }
func (f *fakeTB) Logf(string, ...any)       {}
func (f *fakeTB) Errorf(s string, a ...any) { f.errors = append(f.errors, fmt.Sprintf(s, a...)) }
func (f *fakeTB) Fatalf(s string, a ...any) { f.fatals = append(f.fatals, fmt.Sprintf(s, a...)) }
func (f *fakeTB) Skipf(s string, a ...any)  { f.skips = append(f.skips, fmt.Sprintf(s, a...)) }

const helperEnv = "SOCKSCOPE_NETNS_HELPER"

// TestHelperChild does what helperEnv says, in a fresh namespace; run
// directly it skips.
func TestHelperChild(t *testing.T) {
	mode := os.Getenv(helperEnv)
	if mode == "" {
		t.Skip("helper for TestReexecTestReportsTheCopysResult")
	}
	if ReexecTest(t) {
		return
	}
	switch mode {
	case "fail":
		t.Error("failing on purpose")
	case "skip":
		t.Skip("skipping on purpose")
	}
}

func TestReexecTestReportsTheCopysResult(t *testing.T) {
	if Isolated() {
		t.Skip("runs in the parent only")
	}
	for _, mode := range []string{"pass", "fail", "skip"} {
		t.Setenv(helperEnv, mode)
		f := &fakeTB{name: "TestHelperChild"}
		if !ReexecTest(f) {
			t.Fatalf("%s: ReexecTest returned false in the parent", mode)
		}
		if len(f.skips) == 1 && strings.Contains(f.skips[0], "cannot create a network namespace") {
			t.Skip(f.skips[0])
		}
		skipped := len(f.skips) == 1 && strings.HasPrefix(f.skips[0], "netns: skipped in its network namespace: netns_linux_test.go:") &&
			strings.HasSuffix(f.skips[0], ": skipping on purpose")
		got := fmt.Sprintf("errors %d fatals %d skipped with the reason %v", len(f.errors), len(f.fatals), skipped)
		want := map[string]string{
			"pass": "errors 0 fatals 0 skipped with the reason false",
			"fail": "errors 1 fatals 0 skipped with the reason false",
			"skip": "errors 0 fatals 0 skipped with the reason true",
		}[mode]
		if got != want {
			t.Logf("skips: %q", f.skips)
			t.Errorf("%s: %s\nwant %s", mode, got, want)
		}
	}
}
