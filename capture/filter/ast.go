package filter

// The parser turns an expression into this tree once, independently of
// the link type; codegen lowers it for one link type at a time.

// node is a boolean expression.
type node interface{ position() int }

// at records where a primitive starts and how many "vlan" keywords came
// before it: like libpcap, each "vlan" moves the link-layer type and
// payload offsets of everything parsed after it by 4 bytes.
type at struct {
	pos   int // byte offset in the expression
	vlans int
}

func (a at) position() int { return a.pos }

type dir uint8

const (
	dirDefault dir = iota // src or dst
	dirSrc
	dirDst
	dirOr
	dirAnd
)

type (
	andNode struct {
		at
		l, r node
	}
	orNode struct {
		at
		l, r node
	}
	notNode struct {
		at
		x node
	}

	// protoNode is a bare protocol: "tcp", "ip6", "arp".
	protoNode struct {
		at
		proto keyword
	}

	// protoNumNode is "ether proto N", "ip proto N", "ip6 proto N" or
	// "proto N" (proto kwNone: IPv4 or IPv6).
	protoNumNode struct {
		at
		proto keyword
		num   uint32
	}

	// hostNode is an IPv4 or IPv6 host or network. For IPv4 only the
	// first 4 bytes of addr and mask are used.
	hostNode struct {
		at
		proto keyword // kwNone, kwIP, kwARP, kwRARP (IPv4) or kwNone, kwIP6
		dir   dir
		v6    bool
		addr  [16]byte
		mask  [16]byte
	}

	// etherHostNode is "ether host/src/dst MAC".
	etherHostNode struct {
		at
		dir dir
		mac [6]byte
	}

	// portNode is "port N" or "portrange A-B", optionally with tcp, udp
	// or sctp (proto); protos are the transport protocols tested.
	portNode struct {
		at
		dir    dir
		protos []uint32 // transport protocols, in libpcap's order
		ranged bool     // portrange: lo <= port <= hi
		lo, hi uint32
	}

	// castNode is broadcast or multicast, for the link layer (proto
	// kwNone or kwLink), IPv4 or IPv6.
	castNode struct {
		at
		proto     keyword
		multicast bool
	}

	// vlanNode is "vlan" or "vlan N".
	vlanNode struct {
		at
		hasID bool
		id    uint32
	}

	// directionNode is "inbound" or "outbound" (Linux cooked captures).
	directionNode struct {
		at
		outbound bool
	}

	// relNode compares two arithmetic expressions.
	relNode struct {
		at
		op   string // >, >=, <, <=, =, !=
		l, r arith
	}
)

// arith is an arithmetic expression over packet bytes.
type arith interface{ position() int }

type (
	numArith struct {
		at
		v uint32
	}
	lenArith struct{ at }
	// loadArith is proto[idx:size].
	loadArith struct {
		at
		proto keyword
		idx   arith
		size  uint32
	}
	binArith struct {
		at
		op   string // + - * / % & | ^ << >>
		l, r arith
	}
	negArith struct {
		at
		x arith
	}
)
