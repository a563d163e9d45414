package filter

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// checkExcerpt checks the excerpt and caret lines of an error about expr
// at byte offset pos: at most 80 characters of expr, the caret under the
// character at pos.
func checkExcerpt(t *testing.T, lines, expr string, pos int) {
	t.Helper()
	quote, caret, ok := strings.Cut(lines, "\n")
	if !ok || strings.Contains(caret, "\n") {
		t.Fatalf("excerpt is not two lines: %q", lines)
	}
	if !strings.HasPrefix(quote, excerptIndent) || strings.TrimLeft(caret, " ") != "^" {
		t.Fatalf("excerpt lines %q / %q", quote, caret)
	}
	col := len(caret) - 1 // the caret's index in the excerpt line
	body := strings.TrimPrefix(quote, excerptIndent)
	start := 0
	if strings.HasPrefix(body, "...") {
		body, start = body[3:], 3
	}
	body = strings.TrimSuffix(body, "...")
	if len(body) > 80 {
		t.Errorf("excerpt quotes %d characters of the expression, want at most 80: %q", len(body), body)
	}
	off := strings.Index(expr, body)
	if off < 0 {
		t.Fatalf("excerpt %q is not part of the expression", body)
	}
	if strings.Count(expr, body) == 1 {
		// The caret is under expr[pos]: excerpt index = indent + dots + pos - off.
		if want := len(excerptIndent) + start + pos - off; col != want {
			t.Errorf("caret at index %d, want %d:\n%s\n%s", col, want, quote, caret)
		}
	}
}

// A syntax error deep in a 12 KB expression quotes 80 characters around
// the fault with a caret under it, not the whole expression.
func TestSyntaxErrorExcerptInLongExpression(t *testing.T) {
	expr := portList(1, 1040)
	if len(expr) < 12<<10 {
		t.Fatalf("expression only %d bytes", len(expr))
	}
	pos := strings.Index(expr, "port 700 ")
	expr = expr[:pos] + "frobnicate" + expr[pos+len("port 700"):]
	_, err := NewMatcher(expr)
	var se *SyntaxError
	if !errors.As(err, &se) {
		t.Fatalf("got %v, want a *SyntaxError", err)
	}
	msg := err.Error()
	if se.Pos != pos || msg != fmt.Sprintf(`filter: syntax error at column %d: unknown port name "frobnicate" (use a number)`, pos+1) {
		t.Errorf("error at %d, message %q; want the word at %d", se.Pos, msg, pos)
	}
	x := se.Excerpt()
	checkExcerpt(t, x, expr, pos)
	lines := strings.Split(x, "\n")
	if caret := len(lines[1]) - 1; !strings.HasPrefix(lines[0][caret:], "frobnicate or port 7") {
		t.Errorf("caret not under the fault:\n%s", x)
	}
}

func TestExcerptWindows(t *testing.T) {
	long := portList(1, 40) // 350 characters
	for _, tc := range []struct {
		expr       string
		pos        int
		quote      string // the excerpt line without its indent
		caretIndex int    // in the line without its indent
	}{
		{"tcp port", 8, "tcp port", 8}, // end of expression: one past the last character
		{"tcp and frobnicate", 8, "tcp and frobnicate", 8},
		{"host é", 5, "host ?", 5}, // non-ASCII characters show as ?, one column each
		{"ip\x1b[2J", 2, "ip?[2J", 2},
		{long, 0, long[:80] + "...", 0},
		{long, len(long), "..." + long[len(long)-80:], 83},
		{long, 200, "..." + long[140:220] + "...", 63},
	} {
		got := excerpt(tc.expr, tc.pos)
		want := excerptIndent + tc.quote + "\n" + excerptIndent + strings.Repeat(" ", tc.caretIndex) + "^"
		if got != want {
			t.Errorf("excerpt(%q, %d):\n%s\nwant\n%s", tc.expr, tc.pos, got, want)
		}
	}
}

// Link-type errors point at the primitive the same way.
func TestLinkTypeErrorExcerpt(t *testing.T) {
	expr := portList(1, 500) + " or vlan 10"
	m, err := NewMatcher(expr)
	if err != nil {
		t.Fatal(err)
	}
	_, err = m.Program(113)
	var le *LinkTypeError
	if !errors.As(err, &le) || strings.Contains(err.Error(), "port") {
		t.Fatalf("got %v, want a *LinkTypeError that does not quote the expression", err)
	}
	checkExcerpt(t, le.Excerpt(), expr, strings.Index(expr, "vlan"))
	if x := (&LinkTypeError{Pos: -1, LinkType: 239, Msg: "x"}).Excerpt(); x != "" {
		t.Errorf("excerpt %q for an unsupported link type", x)
	}
}
