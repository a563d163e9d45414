package filter

// The lowered form of an expression for one link type: boolean tests on
// packet loads (cond) and arithmetic over them (ar). codegen turns it into
// BPF.

// Classic BPF opcode parts (linux/filter.h, pcap/bpf.h).
const (
	opLD   = 0x00
	opLDX  = 0x01
	opST   = 0x02
	opSTX  = 0x03
	opALU  = 0x04
	opJMP  = 0x05
	opRET  = 0x06
	opMISC = 0x07

	szW = 0x00
	szH = 0x08
	szB = 0x10

	modeIMM = 0x00
	modeABS = 0x20
	modeIND = 0x40
	modeMEM = 0x60
	modeLEN = 0x80
	modeMSH = 0xa0

	aluADD = 0x00
	aluSUB = 0x10
	aluMUL = 0x20
	aluDIV = 0x30
	aluOR  = 0x40
	aluAND = 0x50
	aluLSH = 0x60
	aluRSH = 0x70
	aluNEG = 0x80
	aluMOD = 0x90
	aluXOR = 0xa0

	jmpJA   = 0x00
	jmpJEQ  = 0x10
	jmpJGT  = 0x20
	jmpJGE  = 0x30
	jmpJSET = 0x40

	srcK = 0x00
	srcX = 0x08

	retA = 0x10

	miscTAX = 0x00
	miscTXA = 0x80

	// scratch memory words
	memWords = 16
)

// Jump conditions of cmp tests.
const (
	jeq  = jmpJEQ
	jgt  = jmpJGT
	jge  = jmpJGE
	jset = jmpJSET
)

// load is a packet load into A: size bytes at off, or at off plus the IPv4
// header length (4*(byte at xoff & 0xf)) when ipx; size 0 is the frame's
// length on the wire.
type load struct {
	size uint32
	ipx  bool
	xoff uint32
	off  uint32
}

type cond interface{}

type (
	cAnd struct{ l, r cond } // l evaluated first
	cOr  struct{ l, r cond }
	cNot struct{ x cond }
	// cConst is a test whose result is known when compiling.
	cConst bool
	// cCmp is (load [& mask]) op k.
	cCmp struct {
		ld      load
		hasMask bool
		mask    uint32
		op      uint16 // jeq, jgt, jge, jset
		k       uint32
	}
	// cRel evaluates pre (protocol checks of the loads), then compares
	// two arithmetic values.
	cRel struct {
		pre  cond // may be nil
		op   string
		l, r ar
	}
)

// ar is lowered arithmetic.
type ar interface{}

type (
	aConst uint32
	aLen   struct{}
	// aLoad is size bytes at base+idx, plus the IPv4 header length when
	// ipx (xoff is where that header starts).
	aLoad struct {
		size uint32
		idx  ar
		base uint32
		ipx  bool
		xoff uint32
	}
	aBin struct {
		op   uint16 // alu op
		l, r ar
	}
	aNeg struct{ x ar }
)

func cmpK(ld load, op uint16, k uint32) cond { return cCmp{ld: ld, op: op, k: k} }

func cmpMask(ld load, mask uint32, op uint16, k uint32) cond {
	if mask == 0xffffffff {
		return cmpK(ld, op, k)
	}
	return cCmp{ld: ld, hasMask: true, mask: mask, op: op, k: k}
}

// and is l && r, evaluated left to right. A nil operand is "nothing".
// Constants fold only where short-circuit evaluation makes it exact: a
// test whose loads are skipped cannot reject the frame by reading past
// its end.
func and(l, r cond) cond {
	switch {
	case l == nil:
		return r
	case r == nil:
		return l
	}
	if c, ok := l.(cConst); ok {
		if !c {
			return c
		}
		return r
	}
	if c, ok := r.(cConst); ok && bool(c) {
		return l
	}
	return cAnd{l, r}
}

// or is l || r, evaluated left to right; see and.
func or(l, r cond) cond {
	switch {
	case l == nil:
		return r
	case r == nil:
		return l
	}
	if c, ok := l.(cConst); ok {
		if c {
			return c
		}
		return r
	}
	if c, ok := r.(cConst); ok && !bool(c) {
		return l
	}
	return cOr{l, r}
}

func not(x cond) cond {
	switch v := x.(type) {
	case cConst:
		return !v
	case cNot:
		return v.x
	}
	return cNot{x}
}
