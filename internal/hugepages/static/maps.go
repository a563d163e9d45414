package static

// FindMapping reads lines of /proc/PID/maps ("lo-hi perms offset dev
// inode path", addresses in hex) and returns the range holding addr. The
// lines of /proc/PID/smaps that are not a mapping's first are skipped, so
// it reads that file too (the huge-page tests do, through package smaps).
func FindMapping(maps []byte, addr uintptr) (lo, hi uintptr, ok bool) {
	for len(maps) > 0 {
		line, rest := maps, []byte(nil) // the last line has no newline
		for i, c := range maps {
			if c == '\n' {
				line, rest = maps[:i], maps[i+1:]
				break
			}
		}
		maps = rest
		l, rest, ok1 := hexPrefix(line)
		if !ok1 || len(rest) == 0 || rest[0] != '-' {
			continue
		}
		h, _, ok2 := hexPrefix(rest[1:])
		if ok2 && l <= addr && addr < h {
			return l, h, true
		}
	}
	return 0, 0, false
}

// hexPrefix parses the hex digits that start b.
func hexPrefix(b []byte) (v uintptr, rest []byte, ok bool) {
	i := 0
	for ; i < len(b) && i < 16; i++ {
		c := b[i]
		switch {
		case '0' <= c && c <= '9':
			v = v<<4 | uintptr(c-'0')
		case 'a' <= c && c <= 'f':
			v = v<<4 | uintptr(c-'a'+10)
		default:
			return v, b[i:], i > 0
		}
	}
	return v, b[i:], i > 0
}
