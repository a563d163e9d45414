package main

import (
	"bytes"
	"context"
	byteorder "encoding/binary"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/sockscope/sockscope/internal/ptytest"

	"github.com/sockscope/sockscope/capture"
	"github.com/sockscope/sockscope/internal/escape"
	"github.com/sockscope/sockscope/internal/escape/escapetest"
)

// Nothing hostile reaches the terminal or a parser: every class of
// escapetest.Cases, carried in a DNS query name and in a TCP payload of a
// capture built here, goes through every output of replay (text, JSON,
// follow ascii, hex and raw), through the error line of a file named with
// it, and through capture -D's listing of an interface named with it.
func TestHostileBytesInEveryOutput(t *testing.T) {
	path := writeHostileCapture(t)

	text, stderr, code := runCmd(t, nil, "replay", "--no-ui", path)
	if code != 0 {
		t.Fatalf("replay --no-ui: exit %d, %s", code, stderr)
	}
	escapetest.AssertHarmless(t, "replay --no-ui", text)

	js, stderr, code := runCmd(t, nil, "replay", "--json", path)
	if code != 0 {
		t.Fatalf("replay --json: exit %d, %s", code, stderr)
	}
	escapetest.AssertHarmless(t, "replay --json", js)
	var names []string
	var payload []byte
	for _, line := range strings.Split(strings.TrimSuffix(js, "\n"), "\n") {
		if !json.Valid([]byte(line)) {
			t.Fatalf("invalid JSON line: %s", line)
		}
		var obj map[string]any
		if err := json.Unmarshal([]byte(line), &obj); err != nil {
			t.Fatal(err)
		}
		for k, v := range obj {
			if s, ok := v.(string); ok {
				escapetest.AssertHarmless(t, "JSON value of "+k, s)
			}
		}
		if n, ok := obj["dns.qry.name"].(string); ok {
			names = append(names, n)
		}
		if d, ok := obj["data.data"].(string); ok {
			b, err := hex.DecodeString(d)
			if err != nil || obj["data.len"] != float64(len(b)) {
				t.Errorf("data.data %q, data.len %v: want hex of data.len bytes (%v)", d, obj["data.len"], err)
			}
			payload = append(payload, b...)
		}
	}
	// Payload bytes are hex in data.data, every one of them.
	if want := hostileStream(); string(payload) != want {
		t.Errorf("data.data of the TCP segments: %q, want %q", payload, want)
	}
	ascii, stderr, code := runCmd(t, nil, "replay", path, "--follow", "0", "--format", "ascii")
	if code != 0 {
		t.Fatalf("--follow ascii: exit %d, %s", code, stderr)
	}
	escapetest.AssertHarmless(t, "--follow 0 --format ascii", ascii)
	hex, _, _ := runCmd(t, nil, "replay", path, "--follow", "0", "--format", "hex")
	escapetest.AssertHarmless(t, "--follow 0 --format hex", hex)

	if len(names) != len(escapetest.Cases) {
		t.Fatalf("%d dns.qry.name values, want %d", len(names), len(escapetest.Cases))
	}
	for i, c := range escapetest.Cases {
		t.Run(c.Name, func(t *testing.T) {
			if want := "? " + c.Text + ".test. "; !strings.Contains(text, want) {
				t.Errorf("text: no %q in\n%s", want, text)
			}
			// JSON holds the text escape: lossless, and the same as the text.
			if names[i] != c.Text+".test" {
				t.Errorf("dns.qry.name = %q, want %q", names[i], c.Text+".test")
			}
			if b, err := escape.Unescape(names[i]); err != nil || string(b) != c.In+".test" {
				t.Errorf("dns.qry.name reads back as %q, %v; want %q", b, err, c.In+".test")
			}
			if want := "\n" + c.Text + "\n"; !strings.Contains(ascii, want) {
				t.Errorf("follow ascii: no line %q in\n%s", c.Text, ascii)
			}

			// A file named with it: the error line shows the name escaped.
			name := filepath.Join(t.TempDir(), "cap-"+c.In+".pcap")
			_, stderr, code := runCmd(t, nil, "replay", "--no-ui", name)
			if code != 1 || !strings.Contains(stderr, "cap-"+c.Text+".pcap") || strings.Count(stderr, "\n") != 1 {
				t.Errorf("missing file: exit %d, stderr %q; want 1 and one line naming %q", code, stderr, "cap-"+c.Text+".pcap")
			}
			escapetest.AssertHarmless(t, "error line", stderr)
			if err := os.WriteFile(name, []byte("not a capture"), 0o600); err != nil {
				t.Fatal(err)
			}
			_, stderr, code = runCmd(t, nil, "replay", "--no-ui", name)
			if want := "cap-" + c.Text + ".pcap: not a pcap or pcapng file\n"; code != 1 || !strings.HasSuffix(stderr, want) {
				t.Errorf("not a capture: exit %d, stderr %q; want 1 and %q", code, stderr, want)
			}
			escapetest.AssertHarmless(t, "error line", stderr)
		})
	}
	// A character split between two segments is shown whole.
	if !strings.Contains(ascii, "\nsplit 中\n") {
		t.Errorf("follow ascii: the split character is not whole:\n%s", ascii)
	}

	// Raw is exactly the bytes into a file or pipe...
	raw, _, code := runCmd(t, nil, "replay", path, "--follow", "0", "--format", "raw")
	if want := hostileStream(); code != 0 || raw != want {
		t.Errorf("--format raw: exit %d, %q; want exactly %q", code, raw, want)
	}
	// ... and refused onto a terminal, before anything is written.
	master, slave := ptytest.Open(t)
	var errOut bytes.Buffer
	err := run(context.Background(), []string{"replay", path, "--follow", "0", "--format", "raw"}, nil, slave, &errOut)
	line := ""
	if err != nil {
		line = errorLine(err)
	}
	if code := exitCode(err); code != 2 || strings.Count(line, "\n") != 0 || !strings.Contains(line, "redirect it") || !strings.Contains(line, "--format hex") {
		t.Errorf("--format raw onto a terminal: exit %d, %q; want 2 and one line saying to redirect or use hex", code, line)
	}
	if got := written(t, master, slave); got != "" {
		t.Errorf("--format raw onto a terminal wrote %q to it", got)
	}
}

// exitCode is the status main gives err.
func exitCode(err error) int {
	if err == nil {
		return 0
	}
	if ee, ok := err.(*exitError); ok {
		return ee.code
	}
	return 1
}

// capture -D's listing, with interfaces named with each case (Linux
// refuses only '/', ':', whitespace and NUL in a name).
func TestInterfaceListEscapesNames(t *testing.T) {
	var ifs []capture.IfaceInfo
	for i, c := range escapetest.Cases {
		ifs = append(ifs, capture.IfaceInfo{Name: c.In, Index: i + 1, Up: true, Running: true})
	}
	var out bytes.Buffer
	if err := writeInterfaceList(&out, ifs); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(out.String(), "\n")
	if len(lines) != len(ifs)+2 || lines[len(lines)-1] != "" {
		t.Fatalf("%d lines, want %d:\n%s", len(lines)-1, len(ifs)+1, out.String())
	}
	for i, c := range escapetest.Cases {
		if want := strconv.Itoa(i+1) + "." + c.Text + " (up)"; lines[i] != want {
			t.Errorf("line %d = %q, want %q", i+1, lines[i], want)
		}
	}
	if want := strconv.Itoa(len(ifs)+1) + ".any (all interfaces, Linux cooked capture)"; lines[len(ifs)] != want {
		t.Errorf("last line %q, want %q", lines[len(ifs)], want)
	}
	escapetest.AssertHarmless(t, "capture -D", out.String())
}

// hostileStream is the A→B payload of the capture, then B→A's.
func hostileStream() string {
	var b strings.Builder
	for _, c := range escapetest.Cases {
		b.WriteString(c.In + "\n")
	}
	b.WriteString("split 中\n")
	b.WriteString("ok\n")
	return b.String()
}

// writeHostileCapture writes a raw-IP pcap: one DNS query per case, its
// name "<case>.test"; then a TCP connection whose client sends each case
// on a line of its own, one segment each, and "split 中" with the
// character cut between two segments; the server answers "ok".
func writeHostileCapture(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "hostile.pcap")
	w, err := capture.Create(path, capture.LinkRaw)
	if err != nil {
		t.Fatal(err)
	}
	cli, srv := [4]byte{10, 0, 0, 1}, [4]byte{10, 0, 0, 2}
	sec := int64(1700000000)
	put := func(pkt []byte) {
		sec++
		if err := w.WriteFrame(&capture.Frame{Sec: sec, Len: len(pkt), LinkType: capture.LinkRaw, Data: pkt}); err != nil {
			t.Fatal(err)
		}
	}
	for i, c := range escapetest.Cases {
		q := byteorder.BigEndian.AppendUint16(nil, uint16(0x1000+i)) // id
		q = append(q, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0)            // RD; 1 question
		q = append(q, byte(len(c.In)))
		q = append(q, c.In...)
		q = append(q, 4, 't', 'e', 's', 't', 0, 0, 1, 0, 1) // .test, A, IN
		udp := byteorder.BigEndian.AppendUint16(nil, 33000)
		udp = byteorder.BigEndian.AppendUint16(udp, 53)
		udp = byteorder.BigEndian.AppendUint16(udp, uint16(8+len(q)))
		udp = append(udp, 0, 0)
		put(hostileIPv4(17, cli, srv, append(udp, q...)))
	}
	seqC, seqS := uint32(1000), uint32(5000)
	seg := func(fromClient bool, flags byte, payload []byte) {
		src, dst, sp, dp, seq, ack := cli, srv, uint16(40000), uint16(80), seqC, seqS
		if !fromClient {
			src, dst, sp, dp, seq, ack = srv, cli, 80, 40000, seqS, seqC
		}
		h := byteorder.BigEndian.AppendUint16(nil, sp)
		h = byteorder.BigEndian.AppendUint16(h, dp)
		h = byteorder.BigEndian.AppendUint32(h, seq)
		h = byteorder.BigEndian.AppendUint32(h, ack)
		h = append(h, 5<<4, flags, 0xff, 0xff, 0, 0, 0, 0)
		put(hostileIPv4(6, src, dst, append(h, payload...)))
		n := uint32(len(payload))
		if flags&0x03 != 0 { // SYN or FIN
			n++
		}
		if fromClient {
			seqC += n
		} else {
			seqS += n
		}
	}
	const syn, ack, psh = 0x02, 0x10, 0x08
	seg(true, syn, nil)
	seg(false, syn|ack, nil)
	seg(true, ack, nil)
	for _, c := range escapetest.Cases {
		seg(true, psh|ack, []byte(c.In+"\n"))
	}
	split := []byte("split 中\n")
	seg(true, psh|ack, split[:8]) // "split " and two of 中's three bytes
	seg(true, psh|ack, split[8:])
	seg(false, psh|ack, []byte("ok\n"))
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// hostileIPv4 wraps payload in an IPv4 header with a correct checksum.
func hostileIPv4(proto byte, src, dst [4]byte, payload []byte) []byte {
	h := []byte{0x45, 0, 0, 0, 0, 1, 0x40, 0, 64, proto, 0, 0}
	byteorder.BigEndian.PutUint16(h[2:], uint16(20+len(payload)))
	h = append(append(h, src[:]...), dst[:]...)
	var sum uint32
	for i := 0; i < 20; i += 2 {
		sum += uint32(byteorder.BigEndian.Uint16(h[i:]))
	}
	for sum > 0xffff {
		sum = sum>>16 + sum&0xffff
	}
	byteorder.BigEndian.PutUint16(h[10:], ^uint16(sum))
	return append(h, payload...)
}

// written is what was written to the terminal so far: it writes a marker
// to the slave and reads the master up to it (the tty layer passes bytes on
// asynchronously, so counting what is queued could miss them).
func written(t *testing.T, master, slave *os.File) string {
	t.Helper()
	const marker = "END-OF-OUTPUT"
	if _, err := slave.WriteString(marker); err != nil {
		t.Fatal(err)
	}
	var got []byte
	buf := make([]byte, 4096)
	for !bytes.HasSuffix(got, []byte(marker)) {
		n, err := master.Read(buf)
		if err != nil {
			t.Fatalf("reading the terminal: %v", err)
		}
		got = append(got, buf[:n]...)
	}
	return string(got[:len(got)-len(marker)])
}
