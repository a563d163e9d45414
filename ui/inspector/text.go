package inspector

import (
	"github.com/rivo/uniseg"
)

// asciiCells holds a one-character string for each byte below 0x80, so
// that putting ASCII on the screen allocates nothing.
var asciiCells = func() (t [128]string) {
	for i := range t {
		t[i] = string(rune(i))
	}
	return t
}()

// insPad pads s with spaces to width columns.
func insPad(s string, width int) string {
	for n := uniseg.StringWidth(s); n < width; n++ {
		s += " "
	}
	return s
}
