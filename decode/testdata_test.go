package decode_test

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sockscope/sockscope/internal/corpus"
)

// knownTestdataDifferences explains a field of the captures in testdata on
// which sockscope's JSON and tshark's export beside the capture disagree by
// design, keyed "capture#frame field" ("#*": every frame).
var knownTestdataDifferences = map[string]string{
	"malformed.pcap#9 tcp.flags":   "a TCP header whose data offset is under 20 bytes: Wireshark stops after the sequence numbers, sockscope keeps the flags it read too",
	"malformed.pcap#9 tcp.ack_raw": "as tcp.flags: Wireshark stops before the acknowledgment number",
	"malformed.pcap#9 tcp.ack":     "as tcp.ack_raw",
}

// TestTestdataWithWireshark compares every field tshark exported for the
// captures in testdata (written by the make_*.py scripts there, exported by
// make_tsv.sh) with sockscope's JSON for the same frame. Wireshark's
// own bookkeeping fields (_ws.*) are compared by the malformed tests.
func TestTestdataWithWireshark(t *testing.T) {
	caps, _ := filepath.Glob(filepath.Join("testdata", "*.pcap"))
	if len(caps) == 0 {
		t.Fatal("no captures in testdata")
	}
	used := map[string]int{}
	compared := 0
	for _, path := range caps {
		name := filepath.Base(path)
		table := corpus.ReadTSV(t, strings.TrimSuffix(path, ".pcap")+".tshark.tsv")
		got, err := decodeJSON(t, path)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if len(got) != len(table.Rows) {
			t.Fatalf("%s: %d packets, tshark %d", name, len(got), len(table.Rows))
		}
		for i := range table.Rows {
			for _, field := range table.Header {
				if strings.HasPrefix(field, "_ws.") {
					continue
				}
				w, g := normalizeTSV(table.Get(i, field)), normalizeJSON(got[i][field])
				if w == "" && g == "" {
					continue
				}
				compared++
				if w == g {
					continue
				}
				key := fmt.Sprintf("%s#%d %s", name, i+1, field)
				if _, ok := knownTestdataDifferences[key]; ok {
					used[key]++
					continue
				}
				if k := fmt.Sprintf("%s#* %s", name, field); knownTestdataDifferences[k] != "" {
					used[k]++
					continue
				}
				t.Errorf("%s: wireshark %q, sockscope %q", key, w, g)
			}
		}
	}
	t.Logf("%d field values compared over %d captures", compared, len(caps))
	reportKnownDifferences(t, knownTestdataDifferences, used)
}
