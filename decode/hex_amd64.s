//go:build amd64 && !purego

#include "textflag.h"

// func hexSSSE3(dst, src []byte)
//
// Writes the lower-case hex digits of src (len(src) a multiple of 16) to
// dst (len(dst) at least 2*len(src)), 16 bytes a step: each byte's high
// and low nibbles are split into two registers, PSHUFB looks each nibble
// up in "0123456789abcdef", and PUNPCKLBW/PUNPCKHBW interleave the high
// and low digits into 32 bytes of output.
TEXT ·hexSSSE3(SB), NOSPLIT, $0-48
	MOVQ  dst_base+0(FP), DI
	MOVQ  src_base+24(FP), SI
	MOVQ  src_len+32(FP), CX
	MOVOU hexDigits16<>(SB), X4
	MOVOU lowNibbles<>(SB), X5

loop:
	CMPQ      CX, $16
	JB        done
	MOVOU     (SI), X0
	MOVO      X0, X1
	PSRLW     $4, X1
	PAND      X5, X0    // low nibbles
	PAND      X5, X1    // high nibbles
	MOVO      X4, X2
	PSHUFB    X1, X2    // digits of the high nibbles
	MOVO      X4, X3
	PSHUFB    X0, X3    // digits of the low nibbles
	MOVO      X2, X0
	PUNPCKLBW X3, X0    // bytes 0-7: high digit, then low digit
	PUNPCKHBW X3, X2    // bytes 8-15
	MOVOU     X0, (DI)
	MOVOU     X2, 16(DI)
	ADDQ      $16, SI
	ADDQ      $32, DI
	SUBQ      $16, CX
	JMP       loop

done:
	RET

DATA hexDigits16<>+0(SB)/8, $"01234567"
DATA hexDigits16<>+8(SB)/8, $"89abcdef"
GLOBL hexDigits16<>(SB), (NOPTR+RODATA), $16

DATA lowNibbles<>+0(SB)/8, $0x0f0f0f0f0f0f0f0f
DATA lowNibbles<>+8(SB)/8, $0x0f0f0f0f0f0f0f0f
GLOBL lowNibbles<>(SB), (NOPTR+RODATA), $16
