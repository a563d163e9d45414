package filter

import (
	"fmt"

	"golang.org/x/net/bpf"
)

// maxInstructions bounds compiled programs, so that a runaway expression
// fails rather than eating memory. It is not the kernel's limit (4096,
// MaxSocketInstructions): the Go interpreter runs programs of any length,
// and "ja" has a 32-bit offset. A "port N" term compiles to about 61
// instructions, so this takes about 17,000 of them "or"ed together, a
// 200 KB expression (one command-line argument is at most 128 KB).
const maxInstructions = 1 << 20

type asmInsn struct {
	op     uint16
	k      uint32
	jt, jf int // target instruction ids
}

func isCondJump(op uint16) bool { return op&0x07 == opJMP && op&0xf0 != jmpJA }
func isJA(op uint16) bool       { return op&0x07 == opJMP && op&0xf0 == jmpJA }
func isRet(op uint16) bool      { return op&0x07 == opRET }

// assemble resolves labels, threads jumps to jumps, drops unreachable code
// and jumps to the next instruction, and turns conditional jumps whose
// targets are more than 255 instructions away into jumps to nearby "ja"
// trampolines (ja has a 32-bit offset).
//
// With optimize, it also drops redundant loads and threads jumps whose
// outcome an earlier jump settles (a small part of what libpcap's
// optimizer does); without, tests compare against the plain translation.
func assemble(code []insn, optimize bool) ([]bpf.RawInstruction, error) {
	// Real instructions get ids; labels resolve to the id of the next
	// real instruction.
	if optimize {
		code = dropRedundantLoads(code)
	}
	var insns []asmInsn
	labelTarget := map[int]int{}
	var pending []int
	for _, in := range code {
		if in.op == opLabel {
			pending = append(pending, in.jt)
			continue
		}
		for _, l := range pending {
			labelTarget[l] = len(insns)
		}
		pending = pending[:0]
		insns = append(insns, asmInsn{op: in.op, k: in.k, jt: in.jt, jf: in.jf})
	}
	if len(pending) > 0 {
		return nil, fmt.Errorf("filter: internal error: label at end of program")
	}
	for i := range insns {
		in := &insns[i]
		if isCondJump(in.op) || isJA(in.op) {
			in.jt = labelTarget[in.jt]
		}
		if isCondJump(in.op) {
			in.jf = labelTarget[in.jf]
		}
	}
	// Thread: a jump to a "ja" goes straight to the ja's target.
	final := func(id int) int {
		for n := 0; isJA(insns[id].op) && n < len(insns); n++ {
			id = insns[id].jt
		}
		return id
	}
	for i := range insns {
		in := &insns[i]
		if isCondJump(in.op) {
			in.jt, in.jf = final(in.jt), final(in.jf)
		} else if isJA(in.op) {
			in.jt = final(in.jt)
		}
	}
	if optimize {
		threadKnownJumps(insns, final)
	}
	// Keep reachable instructions in their order; drop a ja to the
	// instruction that follows it.
	order := make([]int, 0, len(insns))
	reach := make([]bool, len(insns))
	reach[0] = true
	for id := range insns {
		if !reach[id] {
			continue
		}
		in := insns[id]
		switch {
		case isRet(in.op):
		case isJA(in.op):
			reach[in.jt] = true
		case isCondJump(in.op):
			reach[in.jt], reach[in.jf] = true, true
		default:
			reach[id+1] = true
		}
	}
	for id := range insns {
		if reach[id] {
			order = append(order, id)
		}
	}
	kept := order[:0]
	for i, id := range order {
		if isJA(insns[id].op) && i+1 < len(order) && order[i+1] == insns[id].jt {
			continue
		}
		kept = append(kept, id)
	}
	order = kept

	// Long conditional jumps.
	pos := make([]int, len(insns))
	for {
		if len(order) > maxInstructions {
			return nil, &ComplexityError{Msg: fmt.Sprintf("it compiles to more than %d instructions", maxInstructions)}
		}
		if len(pos) < len(insns) {
			pos = append(pos, make([]int, len(insns)-len(pos))...)
		}
		for i, id := range order {
			pos[id] = i
		}
		changed := false
		next := make([]int, 0, len(order)+8)
		for i, id := range order {
			next = append(next, id)
			if !isCondJump(insns[id].op) {
				continue
			}
			if pos[insns[id].jt]-i-1 > 255 {
				insns = append(insns, asmInsn{op: opJMP | jmpJA, jt: insns[id].jt})
				insns[id].jt = len(insns) - 1
				next = append(next, len(insns)-1)
				changed = true
			}
			if pos[insns[id].jf]-i-1 > 255 {
				insns = append(insns, asmInsn{op: opJMP | jmpJA, jt: insns[id].jf})
				insns[id].jf = len(insns) - 1
				next = append(next, len(insns)-1)
				changed = true
			}
		}
		order = next
		if !changed {
			break
		}
	}
	if len(pos) < len(insns) {
		pos = append(pos, make([]int, len(insns)-len(pos))...)
	}
	for i, id := range order {
		pos[id] = i
	}
	out := make([]bpf.RawInstruction, len(order))
	for i, id := range order {
		in := insns[id]
		r := bpf.RawInstruction{Op: in.op, K: in.k}
		switch {
		case isJA(in.op):
			r.K = uint32(pos[in.jt] - i - 1)
		case isCondJump(in.op):
			r.Jt, r.Jf = uint8(pos[in.jt]-i-1), uint8(pos[in.jf]-i-1)
		}
		out[i] = r
	}
	return out, nil
}
