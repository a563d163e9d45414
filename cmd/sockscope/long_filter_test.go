package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sockscope/sockscope/internal/corpus"
)

// Long capture filters: replay has no instruction limit (tcpdump -r takes
// "port 1 or port 2 or … or port 3000"), errors quote 80 characters of
// the expression with a caret, and every filter error exits 2.

// portList is "port lo or port lo+1 or … or port hi".
func portList(lo, hi int) string {
	var b strings.Builder
	for p := lo; p <= hi; p++ {
		if p > lo {
			b.WriteString(" or ")
		}
		fmt.Fprintf(&b, "port %d", p)
	}
	return b.String()
}

// runBinary runs the built sockscope and returns stdout, stderr and the
// exit status.
func runBinary(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	cmd := exec.Command(sockscopeBinary(t), args...)
	var out, errOut strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	var xe *exec.ExitError
	switch {
	case err == nil:
		return out.String(), errOut.String(), 0
	case errors.As(err, &xe):
		return out.String(), errOut.String(), xe.ExitCode()
	}
	t.Fatalf("running sockscope: %v", err)
	return "", "", 0
}

// frameNumbers lists the frame.number of each --json line, as "1,2,7".
func frameNumbers(t *testing.T, out string) string {
	t.Helper()
	var nums []string
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var p struct {
			N int `json:"frame.number"`
		}
		if err := json.Unmarshal(sc.Bytes(), &p); err != nil {
			t.Fatalf("not JSON: %q: %v", sc.Text(), err)
		}
		nums = append(nums, fmt.Sprint(p.N))
	}
	return strings.Join(nums, ",")
}

// expandRanges turns tcpdump's recorded "1-3,7" into "1,2,3,7".
func expandRanges(t *testing.T, r string) string {
	t.Helper()
	var nums []string
	for _, part := range strings.Split(r, ",") {
		if part == "" {
			continue
		}
		var lo, hi int
		if _, err := fmt.Sscanf(part, "%d-%d", &lo, &hi); err != nil {
			if _, err := fmt.Sscanf(part, "%d", &lo); err != nil {
				t.Fatalf("bad range %q", part)
			}
			hi = lo
		}
		for n := lo; n <= hi; n++ {
			nums = append(nums, fmt.Sprint(n))
		}
	}
	return strings.Join(nums, ",")
}

// tcpdumpSelection is the recorded tcpdump selection of expr on capture.
func tcpdumpSelection(t *testing.T, capture, expr string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "capture", "filter", "testdata", "tcpdump-selections.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if c := strings.Split(line, "\t"); len(c) == 5 && c[0] == capture && c[1] == expr {
			return expandRanges(t, c[3])
		}
	}
	t.Fatalf("no tcpdump selection of %q on %s", expr, capture)
	return ""
}

// The real binary takes a 3000-term expression (183,000 instructions,
// 38 KB in one argument) and selects what "portrange 1-3000" selects; the
// 1023-term one selects what tcpdump selected for "portrange 1-1023".
func TestReplayLongFilter(t *testing.T) {
	dir := corpus.PcapDir(t)
	for _, name := range []string{"pcapplusplus/DnsPackets.pcap", "tcpdump/afs.pcap"} {
		path := filepath.Join(dir, filepath.FromSlash(name))
		long, errOut, code := runBinary(t, "replay", "--json", path, portList(1, 3000))
		if code != 0 || errOut != "" {
			t.Fatalf("%s, 3000 ports: exit %d, stderr %q", name, code, errOut)
		}
		short, _, code := runBinary(t, "replay", "--json", path, "portrange 1-3000")
		if code != 0 || long != short || long == "" {
			t.Errorf("%s: 3000 ports selected %s; portrange 1-3000 (exit %d) %s", name, frameNumbers(t, long), code, frameNumbers(t, short))
		}
		all, _, _ := runBinary(t, "replay", "--json", path)
		if len(long) >= len(all) {
			t.Errorf("%s: the filter kept every frame: the capture does not test it", name)
		}
		out, errOut, code := runBinary(t, "replay", "--json", path, portList(1, 1023))
		if want := tcpdumpSelection(t, name, "portrange 1-1023"); code != 0 || frameNumbers(t, out) != want {
			t.Errorf("%s, 1023 ports: exit %d, stderr %q, selected %s; tcpdump %s", name, code, errOut, frameNumbers(t, out), want)
		}
	}
}

// A typo deep in a 12 KB expression: exit 2, the message with its column,
// then at most 80 characters of the expression with a caret under the
// typo; for replay (text and JSON) and capture alike.
func TestLongFilterSyntaxError(t *testing.T) {
	expr := portList(1, 1040)
	pos := strings.Index(expr, "port 700 ")
	expr = expr[:pos] + "tcp prot 700" + expr[pos+len("port 700"):]
	fault := pos + len("tcp ")
	if len(expr) < 12<<10 {
		t.Fatalf("expression only %d bytes", len(expr))
	}
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty.pcap")
	if err := os.WriteFile(empty, []byte{0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 1, 0, 0, 0}, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"replay", empty, expr},
		{"replay", "--json", empty, expr},
		{"replay", "--no-ui", empty, expr},
		{"capture", "-i", "lo", "--no-ui", expr},
	} {
		out, errOut, code := runBinary(t, args...)
		lines := strings.Split(strings.TrimSuffix(errOut, "\n"), "\n")
		if code != 2 || out != "" || len(lines) != 3 {
			t.Errorf("%s: exit %d, stdout %q, stderr %q; want exit 2 and three lines", args[:len(args)-1], code, out, errOut)
			continue
		}
		if want := fmt.Sprintf("sockscope: filter: syntax error at column %d: unexpected \"prot\" after a complete expression", fault+1); !strings.HasPrefix(lines[0], want) {
			t.Errorf("%s: first line %q, want %q...", args[0], lines[0], want)
		}
		quote := strings.TrimSuffix(strings.TrimPrefix(strings.TrimLeft(lines[1], " "), "..."), "...")
		if len(quote) > 80 || !strings.Contains(expr, quote) {
			t.Errorf("%s: excerpt %q: not at most 80 characters of the expression", args[0], quote)
		}
		caret := strings.Index(lines[2], "^")
		if strings.TrimSpace(lines[2]) != "^" || caret < 0 || !strings.HasPrefix(lines[1][caret:], "prot 700 or port 7") {
			t.Errorf("%s: caret not under the typo:\n%s\n%s", args[0], lines[1], lines[2])
		}
	}
}

// An expression the capture's link type cannot take is a usage error too,
// with the excerpt and caret: replay (text, JSON, conversations) and
// capture (checked before the socket opens, so no privilege is needed).
func TestFilterLinkTypeErrorExits2(t *testing.T) {
	dir := corpus.PcapDir(t)
	cooked := filepath.Join(dir, "tcpdump/mptcp-v1.pcap")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"replay", cooked, "vlan"}, `mptcp-v1.pcap: filter: column 1: "vlan" needs Ethernet frames`},
		{[]string{"replay", "--json", cooked, "tcp or vlan"}, `mptcp-v1.pcap: filter: column 8: "vlan" needs Ethernet frames`},
		{[]string{"replay", cooked, "--conversations", "vlan"}, `mptcp-v1.pcap: filter: column 1: "vlan" needs Ethernet frames`},
		{[]string{"capture", "-i", "lo", "--no-ui", "udp and inbound"}, "sockscope: filter: column 9: inbound/outbound need a Linux cooked capture"},
	} {
		out, errOut, code := runBinary(t, tc.args...)
		if code != 2 || out != "" || !strings.Contains(errOut, tc.want) || !strings.HasSuffix(errOut, "^\n") || lineCount(errOut) != 3 {
			t.Errorf("%q: exit %d, stdout %q, stderr %q; want exit 2, %q and the excerpt", tc.args, code, out, errOut, tc.want)
		}
	}
}
