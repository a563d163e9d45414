package main

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"
)

// A lesson's own -w capture, replayed, shows its packet comments: under
// each text line and as frame.comment in JSON, the same words.
func TestReplayShowsComments(t *testing.T) {
	const file = "testdata/tcp-echo.pcapng" // recorded by sockscope demo tcp-echo -w
	stdout, stderr, code := runBinary(t, "replay", "--no-ui", file)
	if code != 0 {
		t.Fatalf("replay: status %d: %s", code, stderr)
	}
	var text []string
	lines := strings.Split(strings.TrimSuffix(stdout, "\n"), "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, "    comment: ") {
			if i == 0 || strings.HasPrefix(lines[i-1], " ") {
				t.Errorf("line %d: a comment not under a packet line", i+1)
			}
			text = append(text, strings.TrimPrefix(l, "    comment: "))
		}
	}
	stdout, stderr, code = runBinary(t, "replay", "--json", file)
	if code != 0 {
		t.Fatalf("replay --json: status %d: %s", code, stderr)
	}
	var fromJSON []string
	call := regexp.MustCompile(`^#\d+ (client|server) [a-z]+\(`)
	for _, l := range strings.Split(strings.TrimSpace(stdout), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatal(err)
		}
		c, _ := m["frame.comment"].(string)
		if c == "" {
			// The lesson comments the frames its calls caused: the
			// handshake, data and FINs; a bare ACK has none.
			n, _ := m["tcp.len"].(float64)
			flags, _ := m["tcp.flags"].(float64)
			if n > 0 || int(flags)&0x03 != 0 { // data, SYN or FIN
				t.Errorf("frame %v (data, SYN or FIN) has no frame.comment", m["frame.number"])
			}
			continue
		}
		if !call.MatchString(c) {
			t.Errorf("frame %v: comment %q does not name a call", m["frame.number"], c)
		}
		fromJSON = append(fromJSON, c)
	}
	if len(fromJSON) == 0 || strings.Join(text, "\n") != strings.Join(fromJSON, "\n") {
		t.Errorf("text comments %q\nJSON comments %q", text, fromJSON)
	}
}
