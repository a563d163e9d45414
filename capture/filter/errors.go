package filter

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// SyntaxError reports an expression that cannot be parsed, or a value in
// it that no link type could accept (a host name, an out-of-range
// port). Pos is the byte offset of the offending token in Expr.
type SyntaxError struct {
	Expr string
	Pos  int
	Msg  string
}

// Column is the 1-based column (in characters) of the error.
func (e *SyntaxError) Column() int {
	p := min(max(e.Pos, 0), len(e.Expr))
	return utf8.RuneCountInString(e.Expr[:p]) + 1
}

// Error is one line: filter: syntax error at column N: message. It does
// not quote the expression, which may be 40 KB long: Excerpt does.
func (e *SyntaxError) Error() string {
	return fmt.Sprintf("filter: syntax error at column %d: %s", e.Column(), e.Msg)
}

// Excerpt is two lines to print under Error: at most 80 characters of the
// expression around the fault, and a caret under it.
func (e *SyntaxError) Excerpt() string { return excerpt(e.Expr, e.Pos) }

// LinkTypeError reports an expression that is valid but cannot be
// compiled for frames of one link type: a link type sockscope cannot
// filter at all, or a primitive that needs something the link layer
// lacks ("vlan" or "ether host" on Linux cooked captures).
type LinkTypeError struct {
	Expr     string
	Pos      int // byte offset of the primitive, or -1 when the link type itself is unsupported
	LinkType uint32
	Msg      string
}

func (e *LinkTypeError) Error() string {
	if e.Pos < 0 {
		return fmt.Sprintf("filter: cannot filter %s frames: %s", linkTypeName(e.LinkType), e.Msg)
	}
	col := (&SyntaxError{Expr: e.Expr, Pos: e.Pos}).Column()
	return fmt.Sprintf("filter: column %d: %s (link type %s)", col, e.Msg, linkTypeName(e.LinkType))
}

// Excerpt is SyntaxError's: the expression around the primitive at fault
// and a caret under it; "" when the link type itself is unsupported.
func (e *LinkTypeError) Excerpt() string {
	if e.Pos < 0 {
		return ""
	}
	return excerpt(e.Expr, e.Pos)
}

// ComplexityError reports a valid expression whose program is beyond what
// the compiler builds: more than 16 scratch memory words, or more than
// maxInstructions instructions. No one place of the expression is at
// fault, so it quotes none.
type ComplexityError struct {
	Msg string
}

func (e *ComplexityError) Error() string { return "filter: expression too complex: " + e.Msg }

// excerptWidth is the most characters of an expression an error quotes:
// a 40 KB expression must not flood the terminal.
const excerptWidth = 80

// excerptIndent starts the excerpt and caret lines. They stand on lines of
// their own, under the message, so that the caret lines up whatever
// prefix the message gets ("sockscope: ", a file name).
const excerptIndent = "    "

// excerpt returns two lines (no trailing newline): at most excerptWidth
// characters of expr around byte offset pos, with "..." where it is cut,
// and a caret under the character at pos (one past the end when pos is
// the end of the expression). Characters other than printable ASCII show
// as '?', so that each takes one column and none can control the terminal:
// the lines can be printed as they are.
func excerpt(expr string, pos int) string {
	pos = min(max(pos, 0), len(expr))
	runes := []rune(expr)
	at := utf8.RuneCountInString(expr[:pos])
	start, end := 0, len(runes)
	if end > excerptWidth {
		// Keep more context before the fault than after it: what led
		// there explains the error.
		start = max(0, at-excerptWidth*3/4)
		end = min(len(runes), start+excerptWidth)
		start = max(0, end-excerptWidth)
	}
	var b strings.Builder
	b.WriteString(excerptIndent)
	lead := 0
	if start > 0 {
		b.WriteString("...")
		lead = 3
	}
	for _, r := range runes[start:end] {
		if r < ' ' || r > '~' {
			r = '?'
		}
		b.WriteRune(r)
	}
	if end < len(runes) {
		b.WriteString("...")
	}
	b.WriteByte('\n')
	b.WriteString(excerptIndent)
	b.WriteString(strings.Repeat(" ", lead+at-start))
	b.WriteByte('^')
	return b.String()
}

// parseErr carries a syntax error through the parser's panics.
type parseErr struct {
	pos int
	msg string
}
