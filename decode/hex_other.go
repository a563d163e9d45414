//go:build !amd64 || purego

package decode

// hexSIMD is false where there is no hexSSSE3 (see hex_amd64.go).
var hexSIMD = false

func hexSSSE3(dst, src []byte) { panic("decode: hexSSSE3 without SSSE3") }
