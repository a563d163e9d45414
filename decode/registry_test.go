package decode

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/sockscope/sockscope/capture"
)

// TestRegistryDrivesViews holds the registered protocols' three views
// together on testdata/tunnels.pcap: for every protocol a frame has, the
// details pane has its node with every present field's label, and every
// present field is a JSON key and a display field with the same value.
func TestRegistryDrivesViews(t *testing.T) {
	seen := map[string]int{}
	for _, path := range []string{"testdata/tunnels.pcap", "testdata/malformed.pcap", "testdata/apps.pcap"} {
		registryViews(t, path, seen)
	}
	for _, pr := range registered {
		if seen[pr.Name] == 0 {
			t.Errorf("no frame of the testdata captures has %s", pr.Name)
		}
	}
}

func registryViews(t *testing.T, path string, seen map[string]int) {
	r, err := capture.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	dec := NewDecoder()
	var f capture.Frame
	var p Packet
	for n := 1; ; n++ {
		if err := r.Next(&f); err != nil {
			if !errors.Is(err, io.EOF) {
				t.Fatal(err)
			}
			break
		}
		dec.Decode(&f, n, &p)
		var obj map[string]any
		if err := json.Unmarshal(AppendJSON(nil, &p), &obj); err != nil {
			t.Fatal(err)
		}
		nodes := Details(f.Data, &p)
		for _, pr := range registered {
			if !pr.present(&p) {
				continue
			}
			seen[pr.Name]++
			var node *DetailNode
			for i := range nodes {
				if nodes[i].Label == pr.Title || pr.TitleOf != nil && nodes[i].Label == pr.TitleOf(&p) ||
					pr.OwnDetails && strings.HasPrefix(nodes[i].Label, pr.Title) {
					node = &nodes[i]
				}
			}
			if node == nil {
				t.Errorf("%s frame %d: no %q node in the details", path, n, pr.Title)
				continue
			}
			for i := range pr.Fields {
				fd := &pr.Fields[i]
				if !fd.present(&p) {
					continue
				}
				v, ok := obj[fd.Name]
				if !ok {
					t.Errorf("%s frame %d: JSON lacks %s", path, n, fd.Name)
					continue
				}
				df, ok := LookupField(fd.Name)
				if !ok || fmt.Sprint(df.Get(&p)) != fmt.Sprint(v) {
					t.Errorf("%s frame %d: display field %s = %v, JSON %v", path, n, fd.Name, df.Get(&p), v)
				}
				if pr.OwnDetails {
					continue
				}
				found := false
				for _, c := range node.Children {
					found = found || strings.HasPrefix(c.Label, fd.Label+": ")
				}
				if !found {
					t.Errorf("%s frame %d: %s node lacks %q", path, n, pr.Title, fd.Label)
				}
			}
		}
	}
}
