package filter

import (
	"fmt"
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

// Error is one line: filter: syntax error at column N: message.
func (e *SyntaxError) Error() string {
	return fmt.Sprintf("filter: syntax error at column %d: %s", e.Column(), e.Msg)
}

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

// parseErr carries a syntax error through the parser's panics.
type parseErr struct {
	pos int
	msg string
}
