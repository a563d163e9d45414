package static

import "testing"

func TestFindMapping(t *testing.T) {
	maps := []byte("00400000-00961000 r-xp 00000000 00:1e 123 /x/sockscope\n" +
		"00f74000-00ffa000 rw-p 00b74000 00:1e 123 /x/sockscope\n" +
		"00ffa000-03764000 rw-p 00000000 00:00 0 \n" +
		"c000000000-c004000000 rw-p 00000000 00:00 0")
	for _, c := range []struct {
		addr   uintptr
		lo, hi uintptr
		ok     bool
	}{
		{0x400000, 0x400000, 0x961000, true},
		{0x1047a60, 0xffa000, 0x3764000, true},
		{0x3763fff, 0xffa000, 0x3764000, true},
		{0x3764000, 0, 0, false},
		{0xc000001000, 0xc000000000, 0xc004000000, true}, // last line, no newline
		{0x10, 0, 0, false},
	} {
		lo, hi, ok := FindMapping(maps, c.addr)
		if lo != c.lo || hi != c.hi || ok != c.ok {
			t.Errorf("FindMapping(%#x) = %#x, %#x, %v; want %#x, %#x, %v", c.addr, lo, hi, ok, c.lo, c.hi, c.ok)
		}
	}
	// A line as long as all that follows it is not the last one.
	even := []byte("00001000-00002000 rw-p\n00003000-00004000 rw-p")
	if lo, hi, ok := FindMapping(even, 0x3000); lo != 0x3000 || hi != 0x4000 || !ok {
		t.Errorf("FindMapping(%#x) after a line as long as the rest = %#x, %#x, %v; want 0x3000, 0x4000, true", 0x3000, lo, hi, ok)
	}
	if _, _, ok := FindMapping([]byte("garbage\n-\nzz-yy\n"), 5); ok {
		t.Error("findMapping found a range in garbage")
	}
}
