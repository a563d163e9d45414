package decode_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/sockscope/sockscope/capture"
	"github.com/sockscope/sockscope/decode"
	"github.com/sockscope/sockscope/internal/corpus"
)

// conformanceFields are the Wireshark fields compared with tshark's export
// for every packet of every capture tshark could read.
var conformanceFields = strings.Fields(`frame.len frame.cap_len eth.src eth.dst eth.type vlan.id
	ip.src ip.dst ip.proto ip.id ip.ttl ip.len ip.flags.mf ip.frag_offset
	ipv6.src ipv6.dst ipv6.nxt ipv6.plen ipv6.fraghdr.offset ipv6.fraghdr.more
	tcp.srcport tcp.dstport tcp.flags tcp.seq_raw tcp.ack_raw tcp.len tcp.window_size_value
	tcp.options.mss_val tcp.options.wscale.shift tcp.options.timestamp.tsval tcp.options.timestamp.tsecr
	udp.srcport udp.dstport udp.length icmp.type icmp.code icmpv6.type icmpv6.code
	arp.opcode arp.src.proto_ipv4 arp.dst.proto_ipv4 dns.id dns.flags.response dns.qry.name dns.qry.type
	sll.pkttype sll.ltype
	tcp.seq tcp.ack tcp.nxtseq tcp.stream tcp.window_size udp.stream`)

// knownDifference explains a field on which sockscope and Wireshark
// disagree by design. Keys are "capture-path#frame field" ("#*" for every
// frame of the capture).
var knownDifferences = map[string]string{
	"tcpdump/of13_ericsson.pcapng#* udp.srcport":        "an OpenFlow packet-in inside the TCP payload carries a UDP datagram that Wireshark decodes; sockscope stops at TCP",
	"tcpdump/of13_ericsson.pcapng#* udp.dstport":        "as udp.srcport: OpenFlow payload",
	"tcpdump/of13_ericsson.pcapng#* udp.length":         "as udp.srcport: OpenFlow payload",
	"tcpdump/of13_ericsson.pcapng#* udp.stream":         "as udp.srcport: OpenFlow payload",
	"tcpdump/icmpv6-rfc7112.pcap#1 ipv6.fraghdr.offset": "the only Fragment header is in the packet an ICMPv6 error quotes; sockscope reads only the quoted addresses and ports",
	"tcpdump/icmpv6-rfc7112.pcap#1 ipv6.fraghdr.more":   "as ipv6.fraghdr.offset: quoted packet",
	"pcapplusplus/IcmpPackets.pcap#13 tcp.seq":          "an ICMP error quoting 8 bytes of a TCP header: Wireshark shows the quoted sequence number, sockscope keeps only the quoted ports",
}

// packetRows returns a tshark export's rows as maps of field to value,
// without the rows tshark 4.0 makes of pcapng custom blocks: they carry no
// packet (no timestamp, protocol "data" only).
func packetRows(t *testing.T, path string) []map[string]string {
	table := corpus.ReadTSV(t, path)
	var rows []map[string]string
	for i := range table.Rows {
		if table.Get(i, "frame.time_epoch") == "" && table.Get(i, "frame.protocols") == "data" {
			continue
		}
		row := make(map[string]string, len(table.Header))
		for _, col := range table.Header {
			row[col] = table.Get(i, col)
		}
		rows = append(rows, row)
	}
	return rows
}

// decodeJSON runs the capture through the decoder and returns one map per
// packet, as `sockscope replay --json` prints them.
func decodeJSON(t *testing.T, path string) (out []map[string]any, readErr error) {
	r, err := capture.Open(path)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	dec := decode.NewDecoder()
	var f capture.Frame
	var p decode.Packet
	var line []byte
	for n := 1; ; n++ {
		if err := r.Next(&f); err != nil {
			if errors.Is(err, io.EOF) {
				return out, nil
			}
			return out, err
		}
		dec.Decode(&f, n, &p)
		line = decode.AppendJSON(line[:0], &p)
		m := map[string]any{}
		d := json.NewDecoder(bytes.NewReader(line))
		d.UseNumber()
		if err := d.Decode(&m); err != nil {
			t.Fatalf("%s packet %d: invalid JSON %q: %v", path, n, line, err)
		}
		out = append(out, m)
	}
}

// normalize turns a tshark cell and a JSON value into comparable strings:
// tshark writes some integers in hex (0x0800) and booleans as 0/1.
func normalizeTSV(v string) string {
	if strings.HasPrefix(v, "0x") {
		if n, err := strconv.ParseUint(v[2:], 16, 64); err == nil {
			return strconv.FormatUint(n, 10)
		}
	}
	switch v {
	case "True":
		return "1"
	case "False":
		return "0"
	}
	return v
}

func normalizeJSON(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case json.Number:
		return x.String()
	case bool:
		if x {
			return "1"
		}
		return "0"
	case string:
		return x
	}
	return fmt.Sprint(v)
}

type fieldScore struct{ agree, compared int }

func TestConformanceWithWireshark(t *testing.T) {
	dir := corpus.PcapDir(t)
	scores := map[string]*fieldScore{}
	for _, f := range conformanceFields {
		scores[f] = &fieldScore{}
	}
	var mismatches []string
	usedKnown := map[string]int{}
	knownKey := func(keys ...string) string {
		for _, k := range keys {
			if _, ok := knownDifferences[k]; ok {
				return k
			}
		}
		return ""
	}
	total, agree, files := 0, 0, 0
	for _, rel := range corpus.Captures(t, dir) {
		capPath := filepath.Join(dir, rel)
		tsvPath := corpus.TSVPath(capPath)
		if _, err := os.Stat(tsvPath); err != nil {
			continue
		}
		rows := packetRows(t, tsvPath)
		if len(rows) == 0 {
			continue // tshark could not read the capture, or it is empty
		}
		got, readErr := decodeJSON(t, capPath)
		files++
		if len(got) < len(rows) {
			t.Errorf("%s: decoded %d packets, tshark %d (read error: %v)", rel, len(got), len(rows), readErr)
		}
		for i, want := range rows {
			if i >= len(got) {
				break
			}
			for _, field := range conformanceFields {
				w, g := normalizeTSV(want[field]), normalizeJSON(got[i][field])
				if w == "" && g == "" {
					continue
				}
				key := fmt.Sprintf("%s#%d %s", rel, i+1, field)
				if w != g {
					if k := knownKey(key, fmt.Sprintf("%s#* %s", rel, field)); k != "" {
						usedKnown[k]++
						continue
					}
				}
				s := scores[field]
				s.compared++
				total++
				if w == g {
					s.agree++
					agree++
				} else {
					mismatches = append(mismatches, fmt.Sprintf("%s: wireshark %q, sockscope %q", key, w, g))
				}
			}
		}
	}
	t.Logf("conformance with Wireshark over %d captures:", files)
	t.Logf("  %-32s %9s %9s %8s", "field", "agree", "compared", "%")
	for _, f := range conformanceFields {
		s := scores[f]
		pct := 100.0
		if s.compared > 0 {
			pct = 100 * float64(s.agree) / float64(s.compared)
		}
		t.Logf("  %-32s %9d %9d %8.3f", f, s.agree, s.compared, pct)
	}
	pct := 100 * float64(agree) / float64(max(total, 1))
	t.Logf("  %-32s %9d %9d %8.3f", "all fields", agree, total, pct)
	for i, m := range mismatches {
		if i == 200 {
			t.Logf("  … %d more", len(mismatches)-i)
			break
		}
		t.Logf("  mismatch %s", m)
	}
	reportKnownDifferences(t, knownDifferences, usedKnown)
	if pct < 99.9 {
		t.Errorf("agreement %.3f%% is under 99.9%%", pct)
	}
	if total == 0 {
		t.Errorf("nothing compared")
	}
}

// analysisFlags are Wireshark's TCP expert flags (tcp.analysis.<name>): 1
// where Wireshark sets them. Each is compared over the packets where either
// side sets it.
var analysisFlags = strings.Fields(`tcp.analysis.retransmission tcp.analysis.fast_retransmission
	tcp.analysis.spurious_retransmission tcp.analysis.duplicate_ack tcp.analysis.out_of_order
	tcp.analysis.lost_segment tcp.analysis.ack_lost_segment tcp.analysis.zero_window
	tcp.analysis.zero_window_probe tcp.analysis.zero_window_probe_ack tcp.analysis.window_full
	tcp.analysis.window_update tcp.analysis.keep_alive tcp.analysis.keep_alive_ack
	tcp.analysis.reused_ports`)

// analysisValues are the expert fields with a value, compared where either
// side has one.
var analysisValues = strings.Fields(`tcp.analysis.duplicate_ack_num tcp.analysis.duplicate_ack_frame
	tcp.analysis.acks_frame`)

// knownAnalysisDifferences explains each packet on which sockscope's expert
// analysis and Wireshark's disagree, keyed "capture-path#frame field".
var knownAnalysisDifferences = map[string]string{}

type flagScore struct{ both, ours, theirs int }

func (s flagScore) agreement() float64 {
	n := s.both + s.ours + s.theirs
	if n == 0 {
		return 100
	}
	return 100 * float64(s.both) / float64(n)
}

func TestExpertAnalysisWithWireshark(t *testing.T) {
	dir := corpus.PcapDir(t)
	fields := append(append([]string(nil), analysisFlags...), analysisValues...)
	scores := map[string]*flagScore{}
	for _, f := range fields {
		scores[f] = &flagScore{}
	}
	var total flagScore
	var mismatches []string
	usedKnown := map[string]int{}
	for _, rel := range corpus.Captures(t, dir) {
		capPath := filepath.Join(dir, rel)
		tsvPath := corpus.TSVPath(capPath)
		if _, err := os.Stat(tsvPath); err != nil {
			continue
		}
		rows := packetRows(t, tsvPath)
		if len(rows) == 0 {
			continue
		}
		got, _ := decodeJSON(t, capPath)
		for i, want := range rows {
			if i >= len(got) {
				break
			}
			for _, field := range fields {
				w, g := normalizeTSV(want[field]), normalizeJSON(got[i][field])
				if w == "" && g == "" {
					continue
				}
				key := fmt.Sprintf("%s#%d %s", rel, i+1, field)
				if _, ok := knownAnalysisDifferences[key]; ok && w != g {
					usedKnown[key]++
					continue
				}
				s := scores[field]
				switch {
				case w == g:
					s.both++
					total.both++
				case w == "":
					s.ours++
					total.ours++
				case g == "":
					s.theirs++
					total.theirs++
				default: // both set, different values
					s.ours++
					s.theirs++
					total.ours++
					total.theirs++
				}
				if w != g {
					mismatches = append(mismatches, fmt.Sprintf("%s: wireshark %q, sockscope %q", key, w, g))
				}
			}
		}
	}
	t.Logf("TCP expert analysis against Wireshark, over the packets where either side sets the field:")
	t.Logf("  %-40s %7s %9s %9s %8s", "field", "both", "ours only", "ws only", "agree %")
	for _, f := range fields {
		s := scores[f]
		t.Logf("  %-40s %7d %9d %9d %8.3f", f, s.both, s.ours, s.theirs, s.agreement())
		if s.agreement() < 99 {
			t.Errorf("%s: agreement %.3f%% is under 99%%", f, s.agreement())
		}
	}
	t.Logf("  %-40s %7d %9d %9d %8.3f", "all", total.both, total.ours, total.theirs, total.agreement())
	for _, m := range mismatches {
		t.Logf("  mismatch %s", m)
	}
	reportKnownDifferences(t, knownAnalysisDifferences, usedKnown)
	if total.both == 0 {
		t.Errorf("nothing compared")
	}
}

// reportKnownDifferences lists a table of known differences with how often
// each was met, and fails for one that no longer occurs, so that the table
// stays true.
func reportKnownDifferences(t *testing.T, table map[string]string, used map[string]int) {
	t.Helper()
	known := make([]string, 0, len(table))
	for k := range table {
		known = append(known, k)
	}
	sort.Strings(known)
	t.Logf("known differences (not counted):")
	for _, k := range known {
		if used[k] == 0 {
			t.Errorf("known difference %q no longer occurs: remove it", k)
		}
		t.Logf("  %-60s %3d  %s", k, used[k], table[k])
	}
}
