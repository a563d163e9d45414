package escape

import (
	"errors"
	"strconv"
	"unicode"
	"unicode/utf8"
)

// Dangerous reports whether r must not reach a terminal as it is: a C0
// control, DEL, a C1 control, a format character (category Cf, which holds
// the bidi controls and the zero-width characters) or U+2028/U+2029.
func Dangerous(r rune) bool {
	switch {
	case r < 0x20 || r == 0x7f:
		return true
	case r < 0x80:
		return false
	case r < 0xa0:
		return true
	case r == 0x2028 || r == 0x2029:
		return true
	case r < 0xad: // the first Cf character is U+00AD, the soft hyphen
		return false
	}
	return unicode.Is(unicode.Cf, r)
}

// The three modes of the one escaping loop.
type mode uint8

const (
	modeText     mode = iota // lossless text: dangerous escaped, backslash doubled
	modeSafe                 // already text: dangerous escaped, backslash kept
	modeJSON                 // a JSON string body holding modeText's result
	modeJSONSafe             // a JSON string body holding modeSafe's result
)

// AppendText appends s with every dangerous character and invalid byte
// escaped and every backslash doubled. Unescape gives s back.
func AppendText[S ~string | ~[]byte](dst []byte, s S) []byte {
	return appendEscaped(dst, s, modeText)
}

// AppendSafe appends s with every dangerous character and invalid byte
// escaped as AppendText does, but backslashes kept: for text that was
// escaped where it was made (so escaping it again is a no-op) or composed by
// sockscope itself. The result is safe for a terminal, not lossless.
func AppendSafe[S ~string | ~[]byte](dst []byte, s S) []byte {
	return appendEscaped(dst, s, modeSafe)
}

// AppendJSON appends the body of a JSON string (no quotes) whose value is
// AppendText(s): valid UTF-8, with no dangerous character in the value.
func AppendJSON[S ~string | ~[]byte](dst []byte, s S) []byte {
	return appendEscaped(dst, s, modeJSON)
}

// AppendJSONSafe appends the body of a JSON string whose value is
// AppendSafe(s): for text composed by sockscope (a call's arguments, already
// quoted; an error message), which must not be escaped twice.
func AppendJSONSafe[S ~string | ~[]byte](dst []byte, s S) []byte {
	return appendEscaped(dst, s, modeJSONSafe)
}

// Text returns AppendText(s) as a string; s itself when nothing needs
// escaping (no allocation).
func Text(s string) string {
	if clean(s, modeText) {
		return s
	}
	return string(AppendText(nil, s))
}

// Safe returns AppendSafe(s) as a string; s itself when nothing needs
// escaping.
func Safe(s string) string {
	if clean(s, modeSafe) {
		return s
	}
	return string(AppendSafe(nil, s))
}

// clean reports whether s comes out of mode m unchanged.
func clean[S ~string | ~[]byte](s S, m mode) bool {
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c < 0x7f {
			if c == '\\' && m != modeSafe || c == '"' && m >= modeJSON {
				return false
			}
			i++
			continue
		}
		r, size := decodeRune(s[i:])
		if size == 1 || Dangerous(r) { // size 1 and c ≥ 0x80: an invalid byte
			return false
		}
		i += size
	}
	return true
}

const hexDigits = "0123456789abcdef"

func appendEscaped[S ~string | ~[]byte](dst []byte, s S, m mode) []byte {
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c < 0x7f { // printable ASCII: the fast path
			switch {
			case c == '\\' && m == modeText:
				dst = append(dst, '\\', '\\')
			case c == '\\' && m == modeJSON:
				dst = append(dst, `\\\\`...)
			case c == '\\' && m == modeJSONSafe:
				dst = append(dst, '\\', '\\')
			case c == '"' && m >= modeJSON:
				dst = append(dst, '\\', '"')
			default:
				dst = append(dst, c)
			}
			i++
			continue
		}
		r, size := decodeRune(s[i:])
		switch {
		case size == 1 && c >= 0x80: // not UTF-8: the byte itself
			dst = appendBackslash(dst, m)
			dst = append(dst, 'x', hexDigits[c>>4], hexDigits[c&0xf])
		case !Dangerous(r):
			for j := range size {
				dst = append(dst, s[i+j])
			}
		default:
			dst = appendBackslash(dst, m)
			dst = appendRuneEscape(dst, r)
		}
		i += size
	}
	return dst
}

// appendBackslash starts an escape: one backslash, or in JSON the two that
// stand for one.
func appendBackslash(dst []byte, m mode) []byte {
	if m >= modeJSON {
		return append(dst, '\\', '\\')
	}
	return append(dst, '\\')
}

// appendRuneEscape appends the escape of a dangerous rune after its
// backslash: t, n, r, xNN for the other C0 controls and DEL, uNNNN or
// UNNNNNNNN for the rest.
func appendRuneEscape(dst []byte, r rune) []byte {
	switch {
	case r == '\t':
		return append(dst, 't')
	case r == '\n':
		return append(dst, 'n')
	case r == '\r':
		return append(dst, 'r')
	case r < 0x80:
		return append(dst, 'x', hexDigits[r>>4], hexDigits[r&0xf])
	case r <= 0xffff:
		dst = append(dst, 'u')
		for shift := 12; shift >= 0; shift -= 4 {
			dst = append(dst, hexDigits[r>>shift&0xf])
		}
		return dst
	}
	dst = append(dst, 'U')
	for shift := 28; shift >= 0; shift -= 4 {
		dst = append(dst, hexDigits[r>>shift&0xf])
	}
	return dst
}

// decodeRune is utf8.DecodeRune for either a string or a byte slice,
// without converting one to the other.
func decodeRune[S ~string | ~[]byte](s S) (rune, int) {
	var b [utf8.UTFMax]byte
	n := copy(b[:], s[:min(len(s), utf8.UTFMax)])
	return utf8.DecodeRune(b[:n])
}

// IncompleteSuffix is how many bytes at the end of b begin a UTF-8
// character that the next bytes may complete (0 to 3). A writer that
// escapes a stream chunk by chunk holds them back until the next chunk, so
// a character split between two segments is not shown as invalid bytes.
func IncompleteSuffix(b []byte) int {
	for i := len(b) - 1; i >= 0 && i >= len(b)-utf8.UTFMax+1; i-- {
		if utf8.RuneStart(b[i]) {
			if b[i] >= 0xc0 && !utf8.FullRune(b[i:]) {
				return len(b) - i
			}
			return 0
		}
	}
	return 0
}

// ErrSyntax is returned by Unescape for text that AppendText cannot have
// produced.
var ErrSyntax = errors.New("escape: invalid escape sequence")

// Unescape returns the bytes whose AppendText is s.
func Unescape(s string) ([]byte, error) {
	var out []byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' {
			out = append(out, c)
			continue
		}
		if i+1 >= len(s) {
			return nil, ErrSyntax
		}
		i++
		width := 0
		switch s[i] {
		case '\\':
			out = append(out, '\\')
		case 't':
			out = append(out, '\t')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 'x':
			width = 2
		case 'u':
			width = 4
		case 'U':
			width = 8
		default:
			return nil, ErrSyntax
		}
		if width == 0 {
			continue
		}
		if i+1+width > len(s) {
			return nil, ErrSyntax
		}
		v, err := strconv.ParseUint(s[i+1:i+1+width], 16, 32)
		if err != nil {
			return nil, ErrSyntax
		}
		if width == 2 {
			out = append(out, byte(v))
		} else {
			out = utf8.AppendRune(out, rune(v))
		}
		i += width
	}
	return out, nil
}
