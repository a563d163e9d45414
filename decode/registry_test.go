package decode

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/sockscope/sockscope/capture"
	"github.com/sockscope/sockscope/internal/corpus"
)

// testdataCaptures are the captures of testdata/ the registry tests read,
// besides the corpus.
var testdataCaptures = []string{"testdata/tunnels.pcap", "testdata/malformed.pcap", "testdata/apps.pcap",
	"testdata/bigtcp.pcap", "testdata/tunnel_conn.pcap"}

// registryCaptures lists testdata's captures and, when it is there, every
// capture of the corpus; corpusFound says whether it was.
func registryCaptures(t *testing.T) (paths []string, corpusFound bool) {
	paths = append(paths, testdataCaptures...)
	dir, ok := corpus.FindPcapDir()
	if !ok {
		corpus.PcapDir(t) // fails when the corpus is required
		return paths, false
	}
	for _, name := range corpus.Captures(t, dir) {
		paths = append(paths, filepath.Join(dir, name))
	}
	return paths, true
}

// eachPacket decodes every frame of path (tracked, as replay does).
func eachPacket(t *testing.T, path string, fn func(n int, f *capture.Frame, p *Packet)) {
	r, err := capture.Open(path)
	if err != nil {
		if strings.HasPrefix(path, "testdata/") {
			t.Fatal(err)
		}
		return // a corpus file meant to be refused
	}
	defer r.Close()
	dec := NewDecoder()
	var f capture.Frame
	var p Packet
	for n := 1; ; n++ {
		if err := r.Next(&f); err != nil {
			if !errors.Is(err, io.EOF) && strings.HasPrefix(path, "testdata/") {
				t.Fatal(err)
			}
			return
		}
		dec.Decode(&f, n, &p)
		fn(n, &f, &p)
	}
}

// TestRegistryDrivesViews holds the registered protocols' three views
// together on the testdata captures and the corpus: for every protocol a
// frame has, the details pane has its node, which shows every present
// field's label, and every present field is a JSON key and a display
// field with the same value.
func TestRegistryDrivesViews(t *testing.T) {
	paths, corpusFound := registryCaptures(t)
	seen := map[string]int{}
	for _, path := range paths {
		registryViews(t, path, seen)
	}
	for _, pr := range registered {
		if seen[pr.Name] == 0 && (corpusFound || !slices.Contains([]string{"sll", "null"}, pr.Name)) {
			t.Errorf("no frame of the test captures has %s", pr.Name)
		}
		if seen[pr.Name] > 0 && !pr.NoNode && seen[pr.Name+" node"] == 0 {
			t.Errorf("no frame of the test captures has a %s node in the details", pr.Name)
		}
	}
}

func registryViews(t *testing.T, path string, seen map[string]int) {
	errs := 0
	eachPacket(t, path, func(n int, f *capture.Frame, p *Packet) {
		if errs > 20 {
			return
		}
		fail := func(format string, args ...any) {
			errs++
			t.Errorf("%s frame %d: %s", path, n, fmt.Sprintf(format, args...))
		}
		var obj map[string]any
		d := json.NewDecoder(bytes.NewReader(AppendJSON(nil, p)))
		d.UseNumber()
		if err := d.Decode(&obj); err != nil {
			t.Fatal(err)
		}
		nodes, protos := details(f.Data, p)
		for _, pr := range registered {
			if !pr.present(p) {
				continue
			}
			seen[pr.Name]++
			// The protocol's first node: ip.*, udp.* and eth.* are the
			// first header of their protocol.
			var node *DetailNode
			if i := slices.Index(protos, pr.Name); i >= 0 {
				node = &nodes[i+1]
			}
			switch {
			case node != nil:
				seen[pr.Name+" node"]++
			case pr.Node == nil && !pr.NoNode:
				// A protocol built from gopacket's layer has no node where
				// gopacket stopped before it (a header cut short, the
				// payload of a tunnel gopacket does not know).
				fail("no %s node in the details (%v)", pr.Name, protos)
				continue
			}
			for i := range pr.Fields {
				fd := &pr.Fields[i]
				if !fd.json() || !fd.present(p) {
					continue
				}
				v, ok := obj[fd.Name]
				if !ok {
					fail("JSON lacks %s", fd.Name)
					continue
				}
				df, ok := LookupField(fd.Name)
				if !ok || fmt.Sprint(df.Get(p)) != fmt.Sprint(v) {
					fail("display field %s = %v, JSON %v", fd.Name, df.Get(p), v)
				}
				if pr.OwnDetails || pr.NoNode || node == nil || fd.Label == "" {
					continue
				}
				if pr.Node == nil && !slices.ContainsFunc(node.Children, func(c DetailNode) bool {
					return strings.HasPrefix(c.Label, fd.Label+": ")
				}) || pr.Node != nil && !nodeShows(node, fd.Label) {
					fail("%s node lacks %q", pr.Name, fd.Label)
				}
			}
		}
	})
}

// nodeShows reports whether n or a node below it shows label.
func nodeShows(n *DetailNode, label string) bool {
	if strings.Contains(n.Label, label) {
		return true
	}
	for i := range n.Children {
		if nodeShows(&n.Children[i], label) {
			return true
		}
	}
	return false
}

// notInCaptures are the registered fields no packet of the testdata
// captures or the corpus has, with the reason; TestProtoJSONKeys fails
// if one of them appears (take it off the list) or if any other field
// never does.
var notInCaptures = map[string]string{
	"sll.ltype":                            "no Linux cooked capture of a non-Ethernet protocol (802.2, CAN)",
	"tcp.analysis.spurious_retransmission": "no retransmission of data already acknowledged",
	"tcp.analysis.zero_window_probe":       "no zero-window probe",
	"tcp.analysis.zero_window_probe_ack":   "no zero-window probe",
	"tcp.analysis.reused_ports":            "no new connection on the ports of a closed one",
}

// TestProtoJSONKeys holds each protocol's JSON function to its registered
// fields, on every packet of the corpus and the testdata captures: every
// key it writes is one of the protocol's fields, in their order, and the
// protocols' members together are AppendJSON's; and every registered field
// is written for some packet (or listed in notInCaptures).
func TestProtoJSONKeys(t *testing.T) {
	paths, corpusFound := registryCaptures(t)
	written := map[string]int{}
	packets, errs := 0, 0
	for _, path := range paths {
		eachPacket(t, path, func(n int, _ *capture.Frame, p *Packet) {
			packets++
			for k, pr := range registered {
				if in := quickSet(p)&(1<<k) != 0; in != pr.quick(p) {
					errs++
					t.Errorf("%s frame %d: quickSet has %s: %v, its quick test says %v", path, n, pr.Name, in, pr.quick(p))
				}
			}
			var all jsonObj
			for _, pr := range registered {
				// A protocol's members come after frame.* (jsonObj.next
				// writes their commas): one stands in for them here.
				const first = `{"frame.number":0`
				o := jsonObj{b: []byte(first), more: true}
				switch {
				case pr.JSON != nil && pr.quick(p):
					o = pr.JSON(o, p)
				case pr.JSON == nil && pr.present(p):
					pr.appendFieldsJSON(&o, p)
				}
				if len(o.b) == len(first) {
					continue
				}
				all.b = append(all.b, o.b[len(first)+1:]...)
				all.b = append(all.b, ',')
				last := -1
				for _, k := range jsonKeys(t, append(o.b, '}'))[1:] {
					i := slices.IndexFunc(pr.Fields, func(f ProtoField) bool { return f.Name == k && f.json() })
					switch {
					case i < 0:
						errs++
						t.Errorf("%s frame %d: %s's JSON writes %s, which is not one of its fields", path, n, pr.Name, k)
					case i < last:
						errs++
						t.Errorf("%s frame %d: %s's JSON writes %s out of the fields' order", path, n, pr.Name, k)
					default:
						last = i
						written[k]++
					}
				}
			}
			// The members between frame.* and data.* are the protocols'.
			if got := AppendJSON(nil, p); !bytes.Contains(got, bytes.TrimSuffix(all.b, []byte{','})) {
				errs++
				t.Errorf("%s frame %d: AppendJSON %s lacks the protocols' members %s", path, n, got, all.b)
			}
			if errs > 20 {
				t.FailNow()
			}
		})
	}
	for _, pr := range registered {
		for _, f := range pr.Fields {
			if !f.json() {
				continue
			}
			why, listed := notInCaptures[f.Name]
			switch {
			case listed && written[f.Name] > 0:
				t.Errorf("%s is listed as absent from the captures (%s) but %d packets have it", f.Name, why, written[f.Name])
			case !listed && written[f.Name] == 0 && corpusFound:
				t.Errorf("no packet of the captures has %s (%s): add one, or list it in notInCaptures", f.Name, pr.Name)
			}
		}
	}
	t.Logf("%d packets, %d fields of %d protocols written", packets, len(written), len(registered))
}

// jsonKeys returns the keys of a JSON object in order, repeats included.
func jsonKeys(t *testing.T, obj []byte) []string {
	d := json.NewDecoder(bytes.NewReader(obj))
	var keys []string
	if _, err := d.Token(); err != nil {
		t.Fatalf("%s: %v", obj, err)
	}
	for d.More() {
		k, err := d.Token()
		if err != nil {
			t.Fatalf("%s: %v", obj, err)
		}
		keys = append(keys, k.(string))
		var v json.RawMessage
		if err := d.Decode(&v); err != nil {
			t.Fatalf("%s: %v", obj, err)
		}
	}
	return keys
}
