package decode_test

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/sockscope/sockscope/capture"
	"github.com/sockscope/sockscope/decode"
	"github.com/sockscope/sockscope/internal/corpus"
)

// The subset of Mermaid's sequenceDiagram grammar (sequenceDiagram.jison)
// that WriteMermaid writes: a header, participants with an alias, messages
// "A->>B: text" and notes "Note over A: text" / "Note over A,B: text",
// each on a line of its own. Mermaid's lexer ends a text at ';', '#' or a
// newline (entities such as "#35;" are decoded before it runs), and reads
// a text starting "wrap:" or "nowrap:" as a directive ("%%" starts a
// comment only at the start of a line, where every line here has a
// keyword); an actor in a message or note must have been declared.
var (
	mermaidParticipant = regexp.MustCompile(`^    participant ([A-Za-z0-9_]+) as (.+)$`)
	mermaidMessage     = regexp.MustCompile(`^    ([A-Za-z0-9_]+)->>([A-Za-z0-9_]+): (.+)$`)
	mermaidNote        = regexp.MustCompile(`^    Note over ([A-Za-z0-9_]+)(?:,([A-Za-z0-9_]+))?: (.+)$`)
	mermaidEntity      = regexp.MustCompile(`#(?:[0-9]+|[A-Za-z]+);`)
)

// mermaidErrors returns what in s a Mermaid sequenceDiagram would not
// read as WriteMermaid means it.
func mermaidErrors(s string) []string {
	var errs []string
	lines := strings.Split(strings.TrimSuffix(s, "\n"), "\n")
	if !strings.HasSuffix(s, "\n") || len(lines) == 0 || lines[0] != "sequenceDiagram" {
		return []string{"does not start with a sequenceDiagram line, or does not end with a newline"}
	}
	actors := map[string]bool{}
	text := func(n int, t string) {
		plain := mermaidEntity.ReplaceAllString(t, "")
		switch {
		case strings.ContainsAny(plain, "#;\r"):
			errs = append(errs, "line "+itoa(n)+": text holds '#', ';' or CR outside an entity: "+t)
		case strings.HasPrefix(t, "wrap:") || strings.HasPrefix(t, "nowrap:"):
			errs = append(errs, "line "+itoa(n)+": text reads as a wrap directive: "+t)
		case strings.TrimSpace(t) == "":
			errs = append(errs, "line "+itoa(n)+": empty text")
		}
	}
	declared := func(n int, ids ...string) {
		for _, id := range ids {
			if id != "" && !actors[id] {
				errs = append(errs, "line "+itoa(n)+": actor "+id+" not declared")
			}
		}
	}
	for i, line := range lines[1:] {
		n := i + 2
		if m := mermaidParticipant.FindStringSubmatch(line); m != nil {
			if len(actors) > 0 && !strings.HasPrefix(lines[i], "    participant ") {
				errs = append(errs, "line "+itoa(n)+": a participant after the messages")
			}
			actors[m[1]] = true
			text(n, m[2])
		} else if m := mermaidMessage.FindStringSubmatch(line); m != nil {
			declared(n, m[1], m[2])
			text(n, m[3])
		} else if m := mermaidNote.FindStringSubmatch(line); m != nil {
			declared(n, m[1], m[2])
			text(n, m[3])
		} else {
			errs = append(errs, "line "+itoa(n)+": not a participant, message or note: "+line)
		}
	}
	return errs
}

func itoa(n int) string { return strconv.Itoa(n) }

// The check itself rejects what Mermaid would misread.
func TestMermaidGrammarCheck(t *testing.T) {
	good := "sequenceDiagram\n    participant A as A 10.0.0.1:1\n    participant B as B [::1]:2\n    A->>B: x#35;y (t=0.1)\n    Note over A,B: handshake\n"
	if errs := mermaidErrors(good); errs != nil {
		t.Errorf("a good diagram: %v", errs)
	}
	for _, bad := range []string{
		"sequenceDiagram\n    participant A as a\n    A->>C: x\n",
		"sequenceDiagram\n    participant A as a\n    A->>A: x;y\n",
		"sequenceDiagram\n    participant A as a\n    A->>A: #1 x\n",
		"sequenceDiagram\n    participant A as a\n%% a comment\n",
		"sequenceDiagram\n    participant A as a\n    A-->B: x\n",
		"graph TD\n",
	} {
		if mermaidErrors(bad) == nil {
			t.Errorf("accepted %q", bad)
		}
	}
}

// Every conversation 0 (TCP and UDP) of the shared corpus, and labels
// holding Mermaid's syntax characters, written as Mermaid pass the grammar.
func TestLadderMermaidGrammar(t *testing.T) {
	l := &decode.Ladder{Conv: decode.ConvRef{Proto: "tcp"}, Lanes: [2]string{"[2001:db8::1]:80", "a;b#c"},
		Rows:   []decode.LadderRow{{Frame: 1, Label: "[TCP Dup ACK 3#1] a;b %% c"}},
		Events: []decode.Event{{Frame: 1}}}
	var mm bytes.Buffer
	if err := l.WriteMermaid(&mm); err != nil {
		t.Fatal(err)
	}
	for _, e := range mermaidErrors(mm.String()) {
		t.Errorf("syntax characters: %s\n%s", e, mm.String())
	}

	dir := corpus.PcapDir(t)
	checked := 0
	for _, rel := range corpus.Captures(t, dir) {
		for _, proto := range []string{"tcp", "udp"} {
			r, err := capture.Open(filepath.Join(dir, rel))
			if err != nil {
				continue
			}
			l, err := decode.BuildLadder(context.Background(), r, decode.ConvRef{Proto: proto, Stream: 0})
			r.Close()
			var nc *decode.NoConversationError
			if l == nil || errors.As(err, &nc) {
				continue
			}
			var mm bytes.Buffer
			if err := l.WriteMermaid(&mm); err != nil {
				t.Fatal(err)
			}
			checked++
			for _, e := range mermaidErrors(mm.String()) {
				t.Errorf("%s %s:0: %s", rel, proto, e)
			}
		}
	}
	if checked == 0 {
		t.Errorf("no conversation in the corpus")
	}
	t.Logf("%d ladders checked", checked)
}
