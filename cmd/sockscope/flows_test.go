package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sockscope/sockscope/internal/flowgen"
)

func TestMaxFlowsRetiresAndSaysSo(t *testing.T) {
	path := filepath.Join(t.TempDir(), "syn.pcap.gz")
	if err := flowgen.WriteSYNFlowsFile(path, 5, true); err != nil {
		t.Fatal(err)
	}
	const line = "sockscope: 3 flows retired (3 over --max-flows, 0 idle past --flow-timeout); a retired flow's later packets start a new stream\n"
	for _, mode := range []string{"--no-ui", "--json", "--conversations"} {
		var out, errOut bytes.Buffer
		if err := run(context.Background(), []string{"replay", path, mode, "--max-flows", "2"}, nil, &out, &errOut); err != nil {
			t.Fatalf("%s: %v", mode, err)
		}
		if errOut.String() != line {
			t.Errorf("%s: stderr %q, want %q", mode, errOut.String(), line)
		}
		if n := strings.Count(out.String(), "\n"); n != 5+map[bool]int{true: 1}[mode == "--conversations"] {
			t.Errorf("%s: %d lines:\n%s", mode, n, out.String())
		}
	}
	var out, errOut bytes.Buffer
	if err := run(context.Background(), []string{"replay", path, "--conversations", "--json", "--max-flows", "2"}, nil, &out, &errOut); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(out.String(), `"conv.retired":"max-flows"`); n != 3 {
		t.Errorf("%d conversations marked retired, want 3:\n%s", n, out.String())
	}
	// The default bounds retire nothing here; --max-flows 0 bounds nothing.
	for _, args := range [][]string{{"--no-ui"}, {"--no-ui", "--max-flows", "0", "--flow-timeout", "0"}} {
		errOut.Reset()
		if err := run(context.Background(), append([]string{"replay", path}, args...), nil, &out, &errOut); err != nil || errOut.Len() != 0 {
			t.Errorf("%v: %v, stderr %q", args, err, errOut.String())
		}
	}
	if err := run(context.Background(), []string{"replay", path, "--no-ui", "--max-flows", "-1"}, nil, &out, &errOut); err == nil || !strings.Contains(err.Error(), "--max-flows") {
		t.Errorf("--max-flows -1: %v", err)
	}
}
