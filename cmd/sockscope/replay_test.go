package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sockscope/sockscope/internal/corpus"
)

// runCmd runs the command in-process and returns stdout, stderr and the
// exit status main would give.
func runCmd(t *testing.T, stdin []byte, args ...string) (string, string, int) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := run(context.Background(), args, bytes.NewReader(stdin), &out, &errOut)
	code := 0
	if err != nil {
		code = 1
		var ee *exitError
		if errors.As(err, &ee) {
			code = ee.code
		}
		if err.Error() != "" {
			fmt.Fprintln(&errOut, errorLine(err)+filterExcerpt(err)) // as main prints it
		}
	}
	return out.String(), errOut.String(), code
}

func lineCount(s string) int { return strings.Count(s, "\n") }

// The deliberately malformed captures of the shared corpus (its README's
// list): none may panic; each either reads fully or ends with one error
// line naming the file, and keeps every packet before the damage.
func TestReplayMalformedCorpus(t *testing.T) {
	dir := corpus.PcapDir(t)
	cases := []struct {
		path    string
		packets int    // lines printed
		errWant string // "" when the file reads to the end
	}{
		{"tcpdump/timestamp_invalid_micro.pcap", 3, ""},
		{"tcpdump/tcp_rst_data-trunc.pcap", 1, ""},
		{"tcpdump/ipv4_invalid_total_length.pcap", 1, ""},
		{"tcpdump/ipv6-bad-version.pcap", 4, ""},
		{"tcpdump/udp-length-heapoverflow.pcap", 1, ""},
		{"tcpdump/dns-zlip-1.pcap", 1, ""},
		{"tcpdump/arp-too-long-tha.pcap", 1, ""},
		{"tcpdump/mptcp-dss-oobr.pcap", 1, ""},
		{"gopacket/pcapng-le/test901.pcapng", 1, "packet 2 at byte offset 480: unsupported pcapng version 2.0"},
		{"gopacket/pcapng-be/test901.pcapng", 1, "packet 2 at byte offset 480: unsupported pcapng version 2.0"},
		{"libpcap/pcap-invalid-version-1.pcap", 0, "unsupported pcap version 1.4"},
		{"libpcap/pcapng-invalid-vers-1.pcapng", 0, "unsupported pcapng version 0.1"},
		{"libpcap/shb-option-too-long.pcapng", 0, "trailer"},
	}
	for _, c := range cases {
		for _, format := range []string{"--no-ui", "--json"} {
			path := filepath.Join(dir, c.path)
			out, errOut, code := runCmd(t, nil, "replay", format, path)
			if got := lineCount(out); got != c.packets {
				t.Errorf("%s %s: %d lines, want %d\n%s", c.path, format, got, c.packets, out)
			}
			if c.errWant == "" {
				if code != 0 || errOut != "" {
					t.Errorf("%s %s: exit %d, stderr %q; want a clean read", c.path, format, code, errOut)
				}
				continue
			}
			if code != 1 || lineCount(errOut) != 1 || !strings.Contains(errOut, path+": ") || !strings.Contains(errOut, c.errWant) {
				t.Errorf("%s %s: exit %d, stderr %q; want one line naming the file with %q", c.path, format, code, errOut, c.errWant)
			}
		}
	}
}

// Damage made here: every packet before the damage is printed, then one
// line names the file, the packet number and the byte offset.
func TestReplayDamagedFiles(t *testing.T) {
	dir := corpus.PcapDir(t)
	good, err := os.ReadFile(filepath.Join(dir, "tcpdump/ssh.pcap")) // 54 packets
	if err != nil {
		t.Fatal(err)
	}
	// Record offsets: 24-byte file header, then 16-byte headers.
	var offsets []int
	for off := 24; off+16 <= len(good); {
		offsets = append(offsets, off)
		caplen := int(good[off+8]) | int(good[off+9])<<8 | int(good[off+10])<<16 | int(good[off+11])<<24
		off += 16 + caplen
	}
	if len(offsets) != 54 {
		t.Fatalf("ssh.pcap: %d records, want 54", len(offsets))
	}
	tmp := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(tmp, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	flipped := bytes.Clone(good)
	flipped[offsets[20]+8], flipped[offsets[20]+11] = 0xff, 0x7f // record 21's caplen → 2 GB
	cases := []struct {
		name    string
		data    []byte
		packets int
		want    string
	}{
		{"truncated-mid-record.pcap", good[:offsets[30]+40], 30, fmt.Sprintf("packet 31 at byte offset %d: ", offsets[30])},
		{"truncated-mid-header.pcap", good[:offsets[10]+7], 10, fmt.Sprintf("packet 11 at byte offset %d: ", offsets[10])},
		{"flipped-length.pcap", flipped, 20, fmt.Sprintf("packet 21 at byte offset %d: ", offsets[20])},
	}
	for _, c := range cases {
		path := write(c.name, c.data)
		out, errOut, code := runCmd(t, nil, "replay", "--no-ui", path)
		if lineCount(out) != c.packets || code != 1 || lineCount(errOut) != 1 ||
			!strings.HasPrefix(errOut, "sockscope: "+path+": "+c.want) {
			t.Errorf("%s: %d lines, exit %d, stderr %q; want %d lines, exit 1, %q", c.name, lineCount(out), code, errOut, c.packets, path+": "+c.want)
		}
	}

	rng := rand.New(rand.NewSource(1))
	random := make([]byte, 4096)
	rng.Read(random)
	for _, name := range []string{"random.pcap", "empty.pcap"} {
		data := random
		if name == "empty.pcap" {
			data = nil
		}
		path := write(name, data)
		out, errOut, code := runCmd(t, nil, "replay", "--json", path)
		if out != "" || code != 1 || errOut != "sockscope: "+path+": not a pcap or pcapng file\n" {
			t.Errorf("%s: out %q exit %d stderr %q", name, out, code, errOut)
		}
	}
	_, errOut, code := runCmd(t, nil, "replay", filepath.Join(tmp, "missing.pcap"))
	if code != 1 || lineCount(errOut) != 1 || !strings.Contains(errOut, "missing.pcap") {
		t.Errorf("missing file: exit %d stderr %q", code, errOut)
	}
}

// -w writes what was read; reading the copy gives the same packets, the
// same decode and the same timestamps, for both output formats.
func TestReplayWriteRoundTrip(t *testing.T) {
	dir := corpus.PcapDir(t)
	for _, src := range []string{"tcpdump/tcp-handshake-nano.pcap", "pcapplusplus/sll2.pcap", "pcapplusplus/many_interfaces-1.pcapng", "scapy/http_tcp_psh.pcap.gz"} {
		path := filepath.Join(dir, src)
		want, _, code := runCmd(t, nil, "replay", "--json", path)
		if code != 0 {
			t.Fatalf("%s: exit %d", src, code)
		}
		for _, ext := range []string{".pcapng", ".pcap"} {
			if src == "pcapplusplus/many_interfaces-1.pcapng" && ext == ".pcap" {
				continue // three link types: classic pcap holds one
			}
			out := filepath.Join(t.TempDir(), "copy"+ext)
			printed, errOut, code := runCmd(t, nil, "replay", "-w", out, path)
			if code != 0 || printed != "" || !strings.Contains(errOut, "packets written to "+out) {
				t.Fatalf("%s -w %s: exit %d, out %q, stderr %q", src, ext, code, printed, errOut)
			}
			got, _, code := runCmd(t, nil, "replay", "--json", out)
			if code != 0 || got != want {
				t.Errorf("%s -w %s: read back differs:\n got %.300s\nwant %.300s", src, ext, got, want)
			}
		}
	}
	// A second link type cannot go into classic pcap: one line, exit 1,
	// and the packets before it are kept in the file.
	out := filepath.Join(t.TempDir(), "mixed.pcap")
	_, errOut, code := runCmd(t, nil, "replay", "-w", out, filepath.Join(dir, "pcapplusplus/many_interfaces-1.pcapng"))
	if code != 1 || lineCount(errOut) != 1 || !strings.Contains(errOut, ".pcapng") {
		t.Errorf("mixed link types to .pcap: exit %d stderr %q", code, errOut)
	}
	kept, _, _ := runCmd(t, nil, "replay", "--json", out)
	if lineCount(kept) == 0 {
		t.Errorf("mixed link types to .pcap: the packets before the refusal were not kept")
	}
}

func TestReplayStdinCountAndUsage(t *testing.T) {
	dir := corpus.PcapDir(t)
	data, err := os.ReadFile(filepath.Join(dir, "tcpdump/ssh.pcap"))
	if err != nil {
		t.Fatal(err)
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(data)
	zw.Close()
	fromFile, _, _ := runCmd(t, nil, "replay", "--no-ui", filepath.Join(dir, "tcpdump/ssh.pcap"))
	fromStdin, errOut, code := runCmd(t, gz.Bytes(), "replay", "-", "--no-ui")
	if code != 0 || fromStdin != fromFile || lineCount(fromFile) != 54 {
		t.Errorf("gzip on stdin: exit %d stderr %q, %d lines vs %d from the file", code, errOut, lineCount(fromStdin), lineCount(fromFile))
	}
	three, _, code := runCmd(t, nil, "replay", "-c", "3", filepath.Join(dir, "tcpdump/ssh.pcap"))
	if code != 0 || three != strings.Join(strings.SplitAfter(fromFile, "\n")[:3], "") {
		t.Errorf("-c 3: exit %d, got %q", code, three)
	}
	for _, args := range [][]string{
		{"replay"},
		{"replay", "--json", "--no-ui", "x.pcap"},
		{"replay", "-c", "-1", "x.pcap"},
		{"replay", "--bogus", "x.pcap"},
		{"frobnicate"},
	} {
		_, errOut, code := runCmd(t, nil, args...)
		if code != 2 || lineCount(errOut) != 1 {
			t.Errorf("%q: exit %d stderr %q; want exit 2 and one line", args, code, errOut)
		}
	}
	help, _, code := runCmd(t, nil, "replay", "--help")
	if code != 0 || !strings.Contains(help, "opens the inspector") {
		t.Errorf("replay --help: exit %d, %q", code, help)
	}
}

// A filter expression selects packets as tcpdump's would; they keep their
// numbers in the file. A bad expression is one line with its column, then
// the expression and a caret under the fault; exit status 2.
func TestReplayFilter(t *testing.T) {
	dir := corpus.PcapDir(t)
	ssh := filepath.Join(dir, "tcpdump/ssh.pcap")
	out, errOut, code := runCmd(t, nil, "replay", "--json", ssh, "tcp[tcpflags] & tcp-syn != 0")
	if code != 0 || lineCount(out) != 2 || !strings.Contains(out, `"frame.number":1,`) || !strings.Contains(out, `"frame.number":2,`) {
		t.Errorf("SYN filter: exit %d stderr %q, got\n%s", code, errOut, out)
	}
	out, _, _ = runCmd(t, nil, "replay", "--json", ssh, "tcp", "and", "src", "port", "22", "and", "greater", "500")
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		if !strings.Contains(line, `"tcp.srcport":22,`) {
			t.Errorf("src port 22 filter let through %s", line)
		}
	}
	if lineCount(out) == 0 || lineCount(out) >= 54 {
		t.Errorf("src port 22 and greater 500: %d packets", lineCount(out))
	}
	_, errOut, code = runCmd(t, nil, "replay", ssh, "tcp port")
	if code != 2 || lineCount(errOut) != 3 || !strings.Contains(errOut, "column 9: ") || !strings.HasSuffix(errOut, "\n    tcp port\n            ^\n") {
		t.Errorf("bad expression: exit %d, stderr %q", code, errOut)
	}
	_, errOut, code = runCmd(t, nil, "replay", filepath.Join(dir, "tcpdump/mptcp-v1.pcap"), "vlan")
	if code != 2 || lineCount(errOut) != 3 || !strings.Contains(errOut, "mptcp-v1.pcap") { // a filter error is a usage error
		t.Errorf("vlan on Linux cooked capture: exit %d, stderr %q", code, errOut)
	}
}
