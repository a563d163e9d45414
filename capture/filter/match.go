package filter

import (
	"fmt"

	"golang.org/x/net/bpf"
)

// Matcher applies one filter expression to frames of any link type. The
// expression is parsed once, by NewMatcher; the program for a link type is
// compiled the first time a frame of that type is matched and kept (as is
// a link type's compile error). After that, Match does not allocate.
//
// A Matcher is not safe for concurrent use: give each goroutine its own
// (NewMatcher is cheap).
type Matcher struct {
	expr  string
	tree  node
	progs []linkProgram
}

type linkProgram struct {
	linkType uint32
	prog     []bpf.RawInstruction
	err      error
}

// NewMatcher parses expr and reports syntax errors (*SyntaxError) at once.
// Errors that depend on the link type ("vlan" on a Linux cooked capture)
// come from Match and Program. An empty expression matches every frame.
func NewMatcher(expr string) (*Matcher, error) {
	tree, err := parse(expr)
	if err != nil {
		return nil, err
	}
	return &Matcher{expr: expr, tree: tree}, nil
}

// String returns the expression.
func (m *Matcher) String() string { return m.expr }

// MatchesAll reports whether the expression is empty, so that callers can
// skip filtering.
func (m *Matcher) MatchesAll() bool { return m.tree == nil }

func (m *Matcher) program(linkType uint32) *linkProgram {
	for i := range m.progs {
		if m.progs[i].linkType == linkType {
			return &m.progs[i]
		}
	}
	prog, err := compileTree(m.expr, m.tree, linkType, DefaultSnaplen, true)
	if err == nil && !validate(prog) {
		err = fmt.Errorf("filter: internal error: invalid program for %q", m.expr)
	}
	m.progs = append(m.progs, linkProgram{linkType: linkType, prog: prog, err: err})
	return &m.progs[len(m.progs)-1]
}

// Match reports whether the frame passes the filter. data is the captured
// bytes and wireLen the frame's length on the wire (what "len", "greater"
// and "less" test). The error is the link type's compile error (the same
// on every call for that link type).
func (m *Matcher) Match(linkType uint32, data []byte, wireLen int) (bool, error) {
	if m.tree == nil {
		return true, nil
	}
	p := m.program(linkType)
	if p.err != nil {
		return false, p.err
	}
	wl := uint32(wireLen)
	if wireLen < 0 {
		wl = 0
	} else if uint64(wireLen) > 0xffffffff {
		wl = 0xffffffff
	}
	return run(p.prog, data, wl) != 0, nil
}

// MaxSocketInstructions is the most instructions Linux accepts in a socket
// filter (BPF_MAXINSNS). Only a live capture is bound by it, and falls
// back to filtering in user space beyond it; Match and Program are not.
const MaxSocketInstructions = 4096

// Program returns the program for frames of linkType (the caller must not
// modify it): for SO_ATTACH_FILTER on a live socket when it has at most
// MaxSocketInstructions instructions, and to learn before reading frames
// whether the link type can take the expression. Its error is the one
// Match gives for that link type.
func (m *Matcher) Program(linkType uint32) ([]bpf.RawInstruction, error) {
	p := m.program(linkType)
	if p.err != nil {
		return nil, p.err
	}
	return p.prog, nil
}
