package inspector

import (
	"slices"
	"testing"
)

// The status bar counts the flows the tracker retired
// (decode/store's TestIndexRetiresFlowsAndListsThemAll makes them).
func TestStatusSaysFlowsRetired(t *testing.T) {
	const n = 100005
	st := statusSnap{source: "syn.pcap", held: n, shown: n, done: true, progress: -1, retired: 5}
	if seg := statusText(&st, false); !slices.Contains(seg, "5 flows retired") {
		t.Errorf("status bar %q does not say 5 flows retired", seg)
	}
}
