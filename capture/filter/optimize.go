package filter

// regState is what the A and X registers are known to hold: the packet
// load (opcode and offset) that last set them, or nothing (known false).
type regState struct {
	aKnown bool
	aOp    uint16
	aK     uint32
	xKnown bool
	xK     uint32 // offset of the ldx 4*([k]&0xf) that set X
}

func meet(a, b regState) regState {
	if !a.aKnown || !b.aKnown || a.aOp != b.aOp || a.aK != b.aK {
		a.aKnown = false
	}
	if !a.xKnown || !b.xKnown || a.xK != b.xK {
		a.xKnown = false
	}
	return a
}

// dropRedundantLoads removes loads of a value a register already holds on
// every path to them: the EtherType that the previous test loaded, the
// IPv4 header length of the previous port test. The removed load would
// read the same bytes of the same frame (and could not fail, since the
// first one succeeded), so results do not change. All jumps go forward,
// so one pass sees every predecessor of a label before the label.
func dropRedundantLoads(code []insn) []insn {
	atLabel := map[int]regState{}
	seen := map[int]bool{}
	arrive := func(l int, s regState) {
		if seen[l] {
			atLabel[l] = meet(atLabel[l], s)
		} else {
			atLabel[l], seen[l] = s, true
		}
	}
	var cur regState
	live := true // reached by falling through
	out := code[:0]
	for _, in := range code {
		if in.op == opLabel {
			switch {
			case seen[in.jt] && live:
				cur = meet(cur, atLabel[in.jt])
			case seen[in.jt]:
				cur = atLabel[in.jt]
			case !live:
				cur = regState{}
			}
			live = live || seen[in.jt]
			out = append(out, in)
			continue
		}
		if !live {
			cur = regState{}
		}
		switch {
		case in.op == opLD|szW|modeABS || in.op == opLD|szH|modeABS || in.op == opLD|szB|modeABS || in.op == opLD|szW|modeLEN:
			if cur.aKnown && cur.aOp == in.op && cur.aK == in.k {
				continue
			}
			cur.aKnown, cur.aOp, cur.aK = true, in.op, in.k
		case in.op == opLDX|szB|modeMSH:
			if cur.xKnown && cur.xK == in.k {
				continue
			}
			cur.xKnown, cur.xK = true, in.k
		case in.op&0x07 == opLD || in.op&0x07 == opALU || in.op == opMISC|miscTXA:
			cur.aKnown = false
		case in.op&0x07 == opLDX || in.op == opMISC|miscTAX:
			cur.xKnown = false
		case isCondJump(in.op):
			arrive(in.jt, cur)
			arrive(in.jf, cur)
			live = false
		case isJA(in.op):
			arrive(in.jt, cur)
			live = false
		case isRet(in.op):
			live = false
		}
		out = append(out, in)
	}
	return out
}

// decide says whether a jump "A top tk" must be taken (true) or not
// (false), given that the jump "A jop jk" was just taken (branch true) or
// not (branch false), with A unchanged since; known is false when the
// first outcome does not settle the second.
func decide(jop uint16, jk uint32, branch bool, top uint16, tk uint32) (result, known bool) {
	if jop == top && jk == tk {
		return branch, true
	}
	switch jop {
	case jmpJEQ:
		if branch {
			return eval(top, jk, tk), true
		}
	case jmpJGT:
		switch {
		case branch && top == jmpJGT && tk <= jk:
			return true, true
		case branch && top == jmpJGE && uint64(tk) <= uint64(jk)+1:
			return true, true
		case !branch && top == jmpJGT && tk >= jk:
			return false, true
		case !branch && top == jmpJGE && tk > jk:
			return false, true
		}
	case jmpJGE:
		switch {
		case branch && top == jmpJGE && tk <= jk:
			return true, true
		case branch && top == jmpJGT && tk < jk:
			return true, true
		case !branch && top == jmpJGE && tk >= jk:
			return false, true
		case !branch && top == jmpJGT && jk > 0 && tk >= jk-1:
			return false, true
		}
	case jmpJSET:
		switch {
		case !branch && top == jmpJSET && tk&^jk == 0:
			return false, true
		case !branch && top == jmpJEQ && tk&jk != 0:
			return false, true
		}
	}
	return false, false
}

func eval(op uint16, a, k uint32) bool {
	switch op {
	case jmpJEQ:
		return a == k
	case jmpJGT:
		return a > k
	case jmpJGE:
		return a >= k
	}
	return a&k != 0
}

// threadKnownJumps sends each branch of a conditional jump past the
// jumps it lands on whose outcome that branch already settles: after
// "ldh [12]; jeq #0x800" is false, a "jeq #0x800" on the same A is too.
func threadKnownJumps(insns []asmInsn, final func(int) int) {
	for i := range insns {
		in := &insns[i]
		if !isCondJump(in.op) || in.op&srcX != 0 {
			continue
		}
		jop := in.op & 0xf0
		for _, branch := range []bool{true, false} {
			target := in.jf
			if branch {
				target = in.jt
			}
			for steps := 0; steps < len(insns); steps++ {
				t := insns[target]
				if !isCondJump(t.op) || t.op&srcX != 0 {
					break
				}
				res, known := decide(jop, in.k, branch, t.op&0xf0, t.k)
				if !known {
					break
				}
				if res {
					target = final(t.jt)
				} else {
					target = final(t.jf)
				}
			}
			if branch {
				in.jt = target
			} else {
				in.jf = target
			}
		}
	}
}
