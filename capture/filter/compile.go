package filter

import "golang.org/x/net/bpf"

// DefaultSnaplen is what programs made by NewMatcher return for frames to
// keep: libpcap's maximum snapshot length.
const DefaultSnaplen = 262144

// Compile parses a tcpdump/pcap-filter expression for frames of the given
// link type (a LINKTYPE_* value) and returns a classic BPF program that
// returns snaplen for frames to keep and 0 for the others, the shape
// libpcap's compiler produces. It suits SO_ATTACH_FILTER on an AF_PACKET
// socket and golang.org/x/net/bpf's VM. An empty expression keeps every
// frame.
//
// Errors are *SyntaxError for expressions that cannot be parsed,
// *LinkTypeError for ones the link type cannot support and
// *ComplexityError for programs beyond the compiler's limits. Programs
// may be longer than the 4096 instructions Linux takes in a socket
// filter: the caller of SO_ATTACH_FILTER checks (see
// MaxSocketInstructions). Protocol tests
// work on Ethernet, Linux cooked v1 and v2, NULL, LOOP, RAW, IPV4 and
// IPV6 frames; on any other link type only len, greater, less and
// ether[...] (the raw frame bytes) compile, as with libpcap.
func Compile(expr string, linkType uint32, snaplen uint32) ([]bpf.Instruction, error) {
	raw, err := compileExpr(expr, linkType, snaplen)
	if err != nil {
		return nil, err
	}
	out := make([]bpf.Instruction, len(raw))
	for i, r := range raw {
		out[i] = r.Disassemble()
	}
	return out, nil
}

func compileExpr(expr string, linkType uint32, snaplen uint32) ([]bpf.RawInstruction, error) {
	tree, err := parse(expr)
	if err != nil {
		return nil, err
	}
	return compileTree(expr, tree, linkType, snaplen, true)
}

// compileTree lowers a parsed expression for one link type and assembles
// it (see assemble for optimize).
func compileTree(expr string, tree node, linkType uint32, snaplen uint32, optimize bool) (prog []bpf.RawInstruction, err error) {
	l := linkFor(linkType)
	defer func() {
		switch r := recover().(type) {
		case nil:
		case *lowerFail:
			prog, err = nil, &LinkTypeError{Expr: expr, Pos: r.pos, LinkType: linkType, Msg: r.msg}
		case *genFail:
			prog, err = nil, &ComplexityError{Msg: r.msg}
		default:
			panic(r)
		}
	}()
	lw := &lowerer{link: l}
	var c cond
	if tree != nil {
		c = lw.lower(tree)
	}
	g := &codegen{}
	g.program(c, snaplen)
	return assemble(g.code, optimize)
}
