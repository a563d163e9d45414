package filter

import "golang.org/x/net/bpf"

// run executes a classic BPF program the way the kernel and libpcap's
// bpf_filter do, with wireLen as the packet length ("len", "greater",
// "less") and data as the captured bytes: a load past the end of data, or
// a division by zero, ends the program with 0. prog must have passed
// validate. run does not allocate.
func run(prog []bpf.RawInstruction, data []byte, wireLen uint32) uint32 {
	var a, x uint32
	var mem [memWords]uint32
	n := uint64(len(data))
	for pc := 0; pc < len(prog); pc++ {
		in := &prog[pc]
		k := in.K
		switch in.Op {
		case opLD | szW | modeABS:
			if uint64(k)+4 > n {
				return 0
			}
			d := data[k : k+4]
			a = uint32(d[0])<<24 | uint32(d[1])<<16 | uint32(d[2])<<8 | uint32(d[3])
		case opLD | szH | modeABS:
			if uint64(k)+2 > n {
				return 0
			}
			a = uint32(data[k])<<8 | uint32(data[k+1])
		case opLD | szB | modeABS:
			if uint64(k) >= n {
				return 0
			}
			a = uint32(data[k])
		case opLD | szW | modeIND:
			o := uint64(x) + uint64(k)
			if o+4 > n {
				return 0
			}
			d := data[o : o+4]
			a = uint32(d[0])<<24 | uint32(d[1])<<16 | uint32(d[2])<<8 | uint32(d[3])
		case opLD | szH | modeIND:
			o := uint64(x) + uint64(k)
			if o+2 > n {
				return 0
			}
			a = uint32(data[o])<<8 | uint32(data[o+1])
		case opLD | szB | modeIND:
			o := uint64(x) + uint64(k)
			if o >= n {
				return 0
			}
			a = uint32(data[o])
		case opLD | szW | modeLEN:
			a = wireLen
		case opLD | modeIMM:
			a = k
		case opLD | modeMEM:
			a = mem[k&(memWords-1)]
		case opLDX | szW | modeLEN:
			x = wireLen
		case opLDX | modeIMM:
			x = k
		case opLDX | modeMEM:
			x = mem[k&(memWords-1)]
		case opLDX | szB | modeMSH:
			if uint64(k) >= n {
				return 0
			}
			x = uint32(data[k]&0xf) << 2
		case opST:
			mem[k&(memWords-1)] = a
		case opSTX:
			mem[k&(memWords-1)] = x
		case opALU | aluADD | srcK:
			a += k
		case opALU | aluSUB | srcK:
			a -= k
		case opALU | aluMUL | srcK:
			a *= k
		case opALU | aluDIV | srcK:
			if k == 0 {
				return 0
			}
			a /= k
		case opALU | aluMOD | srcK:
			if k == 0 {
				return 0
			}
			a %= k
		case opALU | aluAND | srcK:
			a &= k
		case opALU | aluOR | srcK:
			a |= k
		case opALU | aluXOR | srcK:
			a ^= k
		case opALU | aluLSH | srcK:
			a = shl(a, k)
		case opALU | aluRSH | srcK:
			a = shr(a, k)
		case opALU | aluADD | srcX:
			a += x
		case opALU | aluSUB | srcX:
			a -= x
		case opALU | aluMUL | srcX:
			a *= x
		case opALU | aluDIV | srcX:
			if x == 0 {
				return 0
			}
			a /= x
		case opALU | aluMOD | srcX:
			if x == 0 {
				return 0
			}
			a %= x
		case opALU | aluAND | srcX:
			a &= x
		case opALU | aluOR | srcX:
			a |= x
		case opALU | aluXOR | srcX:
			a ^= x
		case opALU | aluLSH | srcX:
			a = shl(a, x)
		case opALU | aluRSH | srcX:
			a = shr(a, x)
		case opALU | aluNEG:
			a = -a
		case opJMP | jmpJA:
			pc += int(k)
		case opJMP | jmpJEQ | srcK:
			pc += jump(a == k, in)
		case opJMP | jmpJGT | srcK:
			pc += jump(a > k, in)
		case opJMP | jmpJGE | srcK:
			pc += jump(a >= k, in)
		case opJMP | jmpJSET | srcK:
			pc += jump(a&k != 0, in)
		case opJMP | jmpJEQ | srcX:
			pc += jump(a == x, in)
		case opJMP | jmpJGT | srcX:
			pc += jump(a > x, in)
		case opJMP | jmpJGE | srcX:
			pc += jump(a >= x, in)
		case opJMP | jmpJSET | srcX:
			pc += jump(a&x != 0, in)
		case opRET | srcK:
			return k
		case opRET | retA:
			return a
		case opMISC | miscTAX:
			x = a
		case opMISC | miscTXA:
			a = x
		default:
			return 0
		}
	}
	return 0
}

func jump(cond bool, in *bpf.RawInstruction) int {
	if cond {
		return int(in.Jt)
	}
	return int(in.Jf)
}

func shl(a, n uint32) uint32 {
	if n >= 32 {
		return 0
	}
	return a << n
}

func shr(a, n uint32) uint32 {
	if n >= 32 {
		return 0
	}
	return a >> n
}

// validate checks that prog is one run can execute: known opcodes, jumps
// inside the program, scratch memory indexes in range, and a return at the
// end. It is what Matcher checks before running a program it did not
// compile; compiled programs always pass.
func validate(prog []bpf.RawInstruction) bool {
	if len(prog) == 0 || !isRet(prog[len(prog)-1].Op) {
		return false
	}
	for pc, in := range prog {
		switch in.Op & 0x07 {
		case opJMP:
			if isJA(in.Op) {
				if uint64(pc)+1+uint64(in.K) >= uint64(len(prog)) {
					return false
				}
			} else if pc+1+int(in.Jt) >= len(prog) || pc+1+int(in.Jf) >= len(prog) {
				return false
			}
		case opLD, opLDX, opST, opSTX:
			if (in.Op&0xe0 == modeMEM || in.Op&0x07 == opST || in.Op&0x07 == opSTX) && in.K >= memWords {
				return false
			}
		}
	}
	return true
}
