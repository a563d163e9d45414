//go:build amd64 && !purego

package decode

import "golang.org/x/sys/cpu"

// hexSIMD says whether appendHex may use hexSSSE3: data.data, every
// payload in hex, is 40% of a JSON line, and 16 bytes a step with PSHUFB
// take a tenth of the time of table lookups a byte at a time.
var hexSIMD = cpu.X86.HasSSSE3

// hexSSSE3 writes the hex digits of src, whose length is a multiple of 16,
// to dst (hex_amd64.s).
//
//go:noescape
func hexSSSE3(dst, src []byte)
