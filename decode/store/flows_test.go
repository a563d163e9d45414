package store

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/sockscope/sockscope/capture"
	"github.com/sockscope/sockscope/decode"
	"github.com/sockscope/sockscope/internal/flowgen"
)

// A file with more one-SYN flows than the tracker keeps live: the index
// counts the retired ones for the status bar, and at the end the pane
// lists every conversation from the frozen tracker's rows.
func TestIndexRetiresFlowsAndListsThemAll(t *testing.T) {
	const n = decode.DefaultMaxFlows + 5
	path := filepath.Join(t.TempDir(), "syn.pcap")
	if err := flowgen.WriteSYNFlowsFile(path, n, false); err != nil {
		t.Fatal(err)
	}
	ir, err := capture.OpenIndexed(path)
	if err != nil {
		t.Fatal(err)
	}
	defer ir.Close()
	s := NewFile(ir, path)
	tr, err := IndexFile(context.Background(), s, ir, nil)
	s.Finish(err)
	s.SetConvs(tr) // as RunFile: the source is done, so this freezes tr
	if err != nil {
		t.Fatal(err)
	}
	s.mu.RLock()
	convs, retired := s.convs, s.retired
	s.mu.RUnlock()
	if convs.tr == nil || convs.snap != nil {
		t.Errorf("the final list is not the frozen tracker")
	}
	if convs.Len() != n || retired != 5 {
		t.Fatalf("%d conversations, %d retired; want %d, 5", convs.Len(), retired, n)
	}
	for _, i := range []int{0, 4, 5, n - 1} {
		r := convs.At(i)
		if r.ID != i || r.Proto != 6 || r.PktsAB != 1 || r.FirstFrame != i+1 || r.State != "SYN_SENT/LISTEN" {
			t.Errorf("row %d: %+v", i, r)
		}
	}
	if tr.Conn(n-1) != nil {
		t.Error("the frozen tracker still holds a live connection")
	}
}

// Options.Flows reaches the index's tracker, with summaries kept.
func TestIndexTakesFlowLimits(t *testing.T) {
	path := filepath.Join(t.TempDir(), "syn.pcap.gz")
	if err := flowgen.WriteSYNFlowsFile(path, 5, true); err != nil {
		t.Fatal(err)
	}
	ir, err := capture.OpenIndexed(path)
	if err != nil {
		t.Fatal(err)
	}
	defer ir.Close()
	s := NewMem("syn", false, 0, 0)
	s.flows = &decode.Limits{MaxFlows: 2} // Summaries off: the store turns them on
	tr, err := IndexFile(context.Background(), s, ir, nil)
	if err != nil {
		t.Fatal(err)
	}
	s.Finish(nil)
	s.SetConvs(tr)
	if s.retired != 3 || s.convs.Len() != 5 || s.convs.At(0).ID != 0 {
		t.Errorf("%d retired, %d conversations; want 3 and 5", s.retired, s.convs.Len())
	}
}

// While a source runs, the conversations pane reads snapshots that share
// the tracker's rows: reading them as the tracker goes on is no race
// (go test -race) and each lists every flow up to its moment.
func TestConvSnapshotsWhileIndexing(t *testing.T) {
	const n = 3000
	path := filepath.Join(t.TempDir(), "syn.pcap.gz")
	if err := flowgen.WriteSYNFlowsFile(path, n, true); err != nil {
		t.Fatal(err)
	}
	ir, err := capture.OpenIndexed(path)
	if err != nil {
		t.Fatal(err)
	}
	defer ir.Close()
	s := NewMem("syn", false, 0, 0)
	s.flows = &decode.Limits{MaxFlows: 100}
	s.convWanted.Store(true)
	done := make(chan error)
	go func() {
		_, err := IndexFile(context.Background(), s, ir, nil)
		done <- err
	}()
	seen := 0
	for running := true; running; {
		select {
		case err := <-done:
			if err != nil {
				t.Fatal(err)
			}
			running = false
		default:
		}
		s.mu.RLock()
		l := s.convs
		s.mu.RUnlock()
		for i := range l.Len() {
			if r := l.At(i); r.ID != i || r.FirstFrame != i+1 {
				t.Fatalf("snapshot of %d: row %d is %+v", l.Len(), i, r)
			}
		}
		seen = max(seen, l.Len())
	}
	if seen == 0 {
		t.Error("no snapshot was published")
	}
	t.Logf("largest snapshot: %d conversations", seen)
}
