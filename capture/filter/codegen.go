package filter

import "fmt"

// insn is an instruction with symbolic jump targets, before assembly.
// For conditional jumps jt and jf are labels; for ja, jt is. An insn with
// op opLabel defines label jt at its position.
type insn struct {
	op     uint16
	k      uint32
	jt, jf int
}

const opLabel = 0xffff

// codegen emits the control-flow code of a lowered expression: every
// test jumps to a true or a false label, and "and", "or" and "not" only
// wire labels, so no value is ever materialised for a boolean.
type codegen struct {
	code   []insn
	labels int
	sp     int // scratch memory words in use
}

// genFail is an expression too complex to compile.
type genFail struct{ msg string }

func (g *codegen) newLabel() int {
	g.labels++
	return g.labels
}

func (g *codegen) place(l int) { g.code = append(g.code, insn{op: opLabel, jt: l}) }

func (g *codegen) emit(op uint16, k uint32) { g.code = append(g.code, insn{op: op, k: k}) }

func (g *codegen) jump(op uint16, k uint32, t, f int) {
	g.code = append(g.code, insn{op: opJMP | op, k: k, jt: t, jf: f})
}

func (g *codegen) ja(l int) { g.code = append(g.code, insn{op: opJMP | jmpJA, jt: l}) }

// program generates a whole program: c's code, then "ret #snaplen" for
// frames to keep and "ret #0" for the others.
func (g *codegen) program(c cond, snaplen uint32) {
	if c == nil {
		c = cConst(true)
	}
	if v, ok := c.(cConst); ok {
		if v {
			g.emit(opRET|srcK, snaplen)
		} else {
			g.emit(opRET|srcK, 0)
		}
		return
	}
	accept, reject := g.newLabel(), g.newLabel()
	g.gen(c, accept, reject)
	g.place(accept)
	g.emit(opRET|srcK, snaplen)
	g.place(reject)
	g.emit(opRET|srcK, 0)
}

// gen emits code for c that jumps to t when c holds and to f when not.
func (g *codegen) gen(c cond, t, f int) {
	switch c := c.(type) {
	case cAnd:
		mid := g.newLabel()
		g.gen(c.l, mid, f)
		g.place(mid)
		g.gen(c.r, t, f)
	case cOr:
		mid := g.newLabel()
		g.gen(c.l, t, mid)
		g.place(mid)
		g.gen(c.r, t, f)
	case cNot:
		g.gen(c.x, f, t)
	case cConst:
		if c {
			g.ja(t)
		} else {
			g.ja(f)
		}
	case cCmp:
		g.load(c.ld)
		if c.hasMask {
			g.emit(opALU|aluAND|srcK, c.mask)
		}
		g.jump(c.op, c.k, t, f)
	case cRel:
		if c.pre != nil {
			mid := g.newLabel()
			g.gen(c.pre, mid, f)
			g.place(mid)
		}
		var op uint16
		switch c.op {
		case ">":
			op = jmpJGT
		case ">=":
			op = jmpJGE
		case "=":
			op = jmpJEQ
		case "<":
			op, t, f = jmpJGE, f, t
		case "<=":
			op, t, f = jmpJGT, f, t
		case "!=":
			op, t, f = jmpJEQ, f, t
		}
		if k, ok := c.r.(aConst); ok {
			g.arith(c.l)
			g.jump(op, uint32(k), t, f)
			return
		}
		slot := g.alloc()
		g.arith(c.r)
		g.emit(opST, uint32(slot))
		g.arith(c.l)
		g.emit(opLDX|modeMEM, uint32(slot))
		g.free()
		g.jump(op|srcX, 0, t, f)
	default:
		panic(fmt.Sprintf("filter: unknown cond %T", c))
	}
}

func sizeBits(size uint32) uint16 {
	switch size {
	case 1:
		return szB
	case 2:
		return szH
	}
	return szW
}

// maxFrameOffset is beyond any frame: a constant load offset this large
// is compiled as the rejection it would cause.
const maxFrameOffset = 1 << 31

// load emits a packet load into A.
func (g *codegen) load(ld load) {
	switch {
	case ld.size == 0:
		g.emit(opLD|szW|modeLEN, 0)
	case ld.ipx:
		g.emit(opLDX|szB|modeMSH, ld.xoff)
		g.emit(opLD|sizeBits(ld.size)|modeIND, ld.off)
	default:
		g.emit(opLD|sizeBits(ld.size)|modeABS, ld.off)
	}
}

func (g *codegen) alloc() int {
	if g.sp >= memWords {
		panic(&genFail{"it needs more than 16 scratch memory words"})
	}
	g.sp++
	return g.sp - 1
}

func (g *codegen) free() { g.sp-- }

// arith emits code leaving the value of a in A (X is clobbered).
func (g *codegen) arith(a ar) {
	switch a := a.(type) {
	case aConst:
		g.emit(opLD|modeIMM, uint32(a))
	case aLen:
		g.emit(opLD|szW|modeLEN, 0)
	case aNeg:
		// 0 - x rather than BPF_NEG, which x/net/bpf's VM lacks.
		g.arith(a.x)
		g.emit(opMISC|miscTAX, 0)
		g.emit(opLD|modeIMM, 0)
		g.emit(opALU|aluSUB|srcX, 0)
	case aBin:
		if k, ok := a.r.(aConst); ok {
			g.arith(a.l)
			g.emit(opALU|a.op|srcK, uint32(k))
			return
		}
		slot := g.alloc()
		g.arith(a.r)
		g.emit(opST, uint32(slot))
		g.arith(a.l)
		g.emit(opLDX|modeMEM, uint32(slot))
		g.free()
		g.emit(opALU|a.op|srcX, 0)
	case aLoad:
		sz := sizeBits(a.size)
		if k, ok := a.idx.(aConst); ok {
			off := uint64(a.base) + uint64(k)
			if off >= maxFrameOffset {
				// Past any frame: the load rejects the frame. (Offsets
				// near 2^32 would also mean the kernel's ancillary
				// loads, SKF_AD_OFF and friends.)
				g.emit(opRET|srcK, 0)
				return
			}
			if a.ipx {
				g.emit(opLDX|szB|modeMSH, a.xoff)
				g.emit(opLD|sz|modeIND, uint32(off))
			} else {
				g.emit(opLD|sz|modeABS, uint32(off))
			}
			return
		}
		g.arith(a.idx)
		if a.ipx {
			slot := g.alloc()
			g.emit(opST, uint32(slot))
			g.emit(opLDX|szB|modeMSH, a.xoff)
			g.emit(opLD|modeMEM, uint32(slot))
			g.free()
			g.emit(opALU|aluADD|srcX, 0)
		}
		g.emit(opMISC|miscTAX, 0)
		g.emit(opLD|sz|modeIND, a.base)
	default:
		panic(fmt.Sprintf("filter: unknown arith %T", a))
	}
}
