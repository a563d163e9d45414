package main

import (
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sockscope/sockscope/internal/corpus"
)

// tcpEcho is a capture of `sockscope demo tcp-echo --pace 0 -w`: a
// handshake, three sends of 5, 6 and 5 bytes ("hello", "你好", "world")
// each acknowledged, one 16-byte echo, and the client's close (FIN, FIN/ACK,
// ACK).
const tcpEcho = "testdata/tcp-echo.pcapng"

// needAnalysis skips the CLI tests of the conversation views until
// replay.go registers their flags (analysisOptions.register, check and the
// call of runAnalysis).
func needAnalysis(t *testing.T) {
	t.Helper()
	_, err := parseReplay([]string{tcpEcho, "--ladder", "0"}, io.Discard, io.Discard)
	if err != nil && strings.Contains(err.Error(), "flag provided but not defined") {
		t.Skip("replay.go does not route --conversations/--follow/--ladder to analysis.go yet")
	}
}

// Raw Follow writes exactly PcapPlusPlus' reassembly expectation: both
// directions' payload in delivery order.
func TestFollowRawEqualsStreamBin(t *testing.T) {
	needAnalysis(t)
	dir := filepath.Join(corpus.PcapDir(t), "pcapplusplus")
	for _, name := range []string{"one_tcp_stream", "one_http_stream_fin", "one_ipv6_http_stream"} {
		want, err := os.ReadFile(filepath.Join(dir, name+".stream.bin"))
		if err != nil {
			t.Fatal(err)
		}
		out, errOut, code := runCmd(t, nil, "replay", filepath.Join(dir, name+".pcap"), "--follow", "0", "--format", "raw")
		if code != 0 || errOut != "" || out != string(want) {
			t.Errorf("%s: exit %d, stderr %q, %d bytes; want the %d bytes of %s.stream.bin", name, code, errOut, len(out), len(want), name)
		}
	}
	// The same from stdin, and with the conversation named tcp:0.
	capBytes, err := os.ReadFile(filepath.Join(dir, "one_tcp_stream.pcap"))
	if err != nil {
		t.Fatal(err)
	}
	want, _ := os.ReadFile(filepath.Join(dir, "one_tcp_stream.stream.bin"))
	if out, errOut, code := runCmd(t, capBytes, "replay", "-", "--follow", "tcp:0", "--format", "raw"); code != 0 || out != string(want) {
		t.Errorf("stdin: exit %d, stderr %q, %d bytes, want %d", code, errOut, len(out), len(want))
	}
}

func TestFollowEchoFormats(t *testing.T) {
	needAnalysis(t)
	cases := map[string]string{
		"ascii": `=== A→B 127.0.0.1:60930 → 127.0.0.1:7001 (frame 4)
hello你好world
=== B→A 127.0.0.1:7001 → 127.0.0.1:60930 (frame 10)
hello你好world
=== end of tcp conversation 0: A→B 16 bytes, B→A 16 bytes
`,
		"hex": `=== A→B 127.0.0.1:60930 → 127.0.0.1:7001 (frame 4)
00000000  68 65 6c 6c 6f e4 bd a0  e5 a5 bd 77 6f 72 6c 64  hello......world
=== B→A 127.0.0.1:7001 → 127.0.0.1:60930 (frame 10)
00000000  68 65 6c 6c 6f e4 bd a0  e5 a5 bd 77 6f 72 6c 64  hello......world
=== end of tcp conversation 0: A→B 16 bytes, B→A 16 bytes
`,
		"raw": "hello你好world" + "hello你好world",
	}
	for format, want := range cases {
		out, errOut, code := runCmd(t, nil, "replay", tcpEcho, "--follow", "0", "--format", format)
		if code != 0 || errOut != "" || out != want {
			t.Errorf("--format %s: exit %d, stderr %q, output:\n%s\nwant:\n%s", format, code, errOut, out, want)
		}
	}
	// ascii is the default
	if out, _, _ := runCmd(t, nil, "replay", tcpEcho, "--follow", "0"); out != cases["ascii"] {
		t.Errorf("default format:\n%s", out)
	}
}

// The ladder of the tcp-echo demo: every segment with its flags and
// relative numbers, each endpoint's state where it changes (from the
// tracker), the handshake and the close under their frames.
func TestLadderEcho(t *testing.T) {
	needAnalysis(t)
	out, errOut, code := runCmd(t, nil, "replay", tcpEcho, "--ladder", "0")
	if code != 0 || errOut != "" {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	want := `tcp conversation 0: A 127.0.0.1:60930 (client), B 127.0.0.1:7001 (server)
frame      time  A state       A                                  B  B state
    1  0.000000  SYN_SENT      |-- SYN seq=0 len=0 -------------->|  LISTEN
    2  0.000014  ESTABLISHED   |<-- SYN, ACK seq=0 ack=1 len=0 ---|  SYN_RECEIVED
    3  0.000027                |-- ACK seq=1 ack=1 len=0 -------->|  ESTABLISHED
                               |   * handshake #3 (SYN→SYN/ACK 0.000014487, SYN/ACK→ACK 0.000012062)
    4  0.000181                |-- PSH, ACK seq=1 ack=1 len=5 --->|
    5  0.000187                |<-- ACK seq=1 ack=6 len=0 --------|
    6  0.000215                |-- PSH, ACK seq=6 ack=1 len=6 --->|
    7  0.000219                |<-- ACK seq=1 ack=12 len=0 -------|
    8  0.000291                |-- PSH, ACK seq=12 ack=1 len=5 -->|
    9  0.000308                |<-- ACK seq=1 ack=17 len=0 -------|
   10  0.000375                |<-- PSH, ACK seq=1 ack=17 len=16 -|
   11  0.000380                |-- ACK seq=17 ack=17 len=0 ------>|
   12  0.000591  FIN_WAIT_1    |-- FIN, ACK seq=17 ack=17 len=0 ->|  CLOSE_WAIT
   13  0.000662  TIME_WAIT     |<-- FIN, ACK seq=17 ack=18 len=0 -|  LAST_ACK
                               |   * three-way close #13 by client
   14  0.000675                |-- ACK seq=18 ack=18 len=0 ------>|  CLOSED
`
	if out != want {
		t.Errorf("ladder:\n%s\nwant:\n%s", out, want)
	}

	out, _, code = runCmd(t, nil, "replay", tcpEcho, "--ladder", "0", "--format", "mermaid")
	for _, line := range []string{
		"participant A as A 127.0.0.1:60930 (client)",
		"participant B as B 127.0.0.1:7001 (server)",
		"A->>B: SYN seq=0 len=0 (t=0.000000)\n    Note over A: SYN_SENT\n    Note over B: LISTEN\n",
		"B->>A: SYN, ACK seq=0 ack=1 len=0 (t=0.000014)\n    Note over A: ESTABLISHED\n    Note over B: SYN_RECEIVED\n",
		"Note over A,B: handshake #35;3 (",
		"B->>A: PSH, ACK seq=1 ack=17 len=16 (t=0.000375)\n",
		"A->>B: ACK seq=18 ack=18 len=0 (t=0.000675)\n    Note over B: CLOSED\n",
	} {
		if !strings.Contains(out, line) {
			t.Errorf("mermaid lacks %q", line)
		}
	}
	if code != 0 || !strings.HasPrefix(out, "sequenceDiagram\n") || strings.Count(out, "->>") != 14 {
		t.Errorf("mermaid: exit %d, %d arrows:\n%s", code, strings.Count(out, "->>"), out)
	}

	// -c stops reading: the first three packets only.
	out, _, _ = runCmd(t, nil, "replay", tcpEcho, "--ladder", "0", "-c", "3")
	if n := strings.Count(out, "|--") + strings.Count(out, "|<--"); n != 3 {
		t.Errorf("-c 3: %d arrows:\n%s", n, out)
	}
}

// The kernel's half-close capture: the client's FIN leaves it in
// FIN_WAIT_1 and the server in CLOSE_WAIT.
func TestLadderHalfClose(t *testing.T) {
	needAnalysis(t)
	path := filepath.Join(corpus.PcapDir(t), "kernel-tcp", "half_close_s1.pcap")
	out, _, code := runCmd(t, nil, "replay", path, "--ladder", "0")
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	last := lines[len(lines)-1]
	if code != 0 || !strings.HasPrefix(out, "tcp conversation 0: A 127.0.0.1:43704 (client), B 127.0.0.1:9006 (server)\n") ||
		!strings.Contains(last, "FIN_WAIT_1    |-- FIN, ACK seq=21 ack=1 len=0 ->|  CLOSE_WAIT") {
		t.Errorf("exit %d:\n%s", code, out)
	}
}

func TestConversationsEcho(t *testing.T) {
	needAnalysis(t)
	out, errOut, code := runCmd(t, nil, "replay", tcpEcho, "--conversations")
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if code != 0 || errOut != "" || len(lines) != 2 || !strings.HasPrefix(strings.TrimSpace(lines[0]), "id proto A") {
		t.Fatalf("exit %d, stderr %q:\n%s", code, errOut, out)
	}
	for _, f := range []string{"0", "tcp", "127.0.0.1:60930", "127.0.0.1:7001", "TIME_WAIT/CLOSED", "three-way"} {
		if !strings.Contains(" "+lines[1]+" ", " "+f+" ") {
			t.Errorf("row lacks %q: %s", f, lines[1])
		}
	}

	out, _, code = runCmd(t, nil, "replay", tcpEcho, "--conversations", "--json")
	var obj map[string]any
	if err := json.Unmarshal([]byte(out), &obj); code != 0 || err != nil || lineCount(out) != 1 {
		t.Fatalf("exit %d, %v:\n%s", code, err, out)
	}
	for _, key := range strings.Fields(`conv.proto conv.id conv.a conv.b conv.state conv.handshake conv.teardown
		conv.rtt conv.packets_ab conv.packets_ba conv.bytes_ab conv.bytes_ba conv.start conv.duration conv.retransmissions`) {
		if _, ok := obj[key]; !ok {
			t.Errorf("--json lacks %s: %s", key, out)
		}
	}
	if obj["conv.proto"] != "tcp" || obj["conv.id"] != 0.0 || obj["conv.packets_ab"] != 8.0 || obj["conv.packets_ba"] != 6.0 {
		t.Errorf("--json: %s", out)
	}
}

// With a capture filter, the views see only the matching packets, as the
// packet list does.
func TestConversationsFiltered(t *testing.T) {
	needAnalysis(t)
	path := filepath.Join(corpus.PcapDir(t), "pcapplusplus", "many_interfaces-1.pcapng")
	all, _, _ := runCmd(t, nil, "replay", path, "--conversations", "--json")
	udp, errOut, code := runCmd(t, nil, "replay", path, "--conversations", "--json", "udp")
	if code != 0 || errOut != "" || lineCount(udp) == 0 || lineCount(udp) >= lineCount(all) || strings.Contains(udp, `"conv.proto":"tcp"`) {
		t.Errorf("exit %d, stderr %q: %d of %d conversations:\n%s", code, errOut, lineCount(udp), lineCount(all), udp)
	}
}

func TestAnalysisErrors(t *testing.T) {
	needAnalysis(t)
	cases := []struct {
		args []string
		code int
		err  string // the whole stderr
	}{
		{[]string{tcpEcho, "--follow", "7"}, 1, "sockscope: no tcp conversation 7: the capture has 1 tcp conversation, number 0\n"},
		{[]string{tcpEcho, "--ladder", "udp:0"}, 1, "sockscope: no udp conversation 0: the capture has no udp conversations\n"},
		{[]string{tcpEcho, "--follow", "0", "--ladder", "0"}, 2, "sockscope: replay: choose one of --conversations, --follow and --ladder\n"},
		{[]string{tcpEcho, "--follow", "x"}, 2, "sockscope: replay: conversation \"x\": want a stream number N (TCP), tcp:N or udp:N\n"},
		{[]string{tcpEcho, "--follow", "0", "--format", "mermaid"}, 2, "sockscope: replay: --follow: follow format \"mermaid\": want ascii, hex or raw\n"},
		{[]string{tcpEcho, "--ladder", "0", "--format", "raw"}, 2, "sockscope: replay: --ladder: format \"raw\": want text, mermaid, html or svg\n"},
		{[]string{tcpEcho, "--ladder", "0", "--json"}, 2, "sockscope: replay: --json goes with --conversations (use --format for --follow and --ladder)\n"},
		{[]string{tcpEcho, "--format", "hex"}, 2, "sockscope: replay: --format goes with --follow or --ladder\n"},
		{[]string{tcpEcho, "--conversations", "-w", filepath.Join(t.TempDir(), "x.pcapng")}, 2, "sockscope: replay: -w writes packets; it does not go with --conversations, --follow or --ladder\n"},
	}
	for _, c := range cases {
		out, errOut, code := runCmd(t, nil, append([]string{"replay"}, c.args...)...)
		if code != c.code || errOut != c.err || out != "" {
			t.Errorf("%q: exit %d, stderr %q, stdout %q; want exit %d, stderr %q", c.args, code, errOut, out, c.code, c.err)
		}
	}
}
