package escapetest

import (
	"testing"
	"unicode/utf8"

	"github.com/sockscope/sockscope/internal/escape"
)

// Case is one hostile input: its bytes, and how the text escape shows it.
type Case struct {
	Name string
	In   string // the bytes, as they come from the wire or a file name
	Text string // escape.AppendText(In)
}

// Cases has one input of each dangerous class, and a plain one. None
// holds a '.', a '/' or a NUL, so each fits a DNS label and a file name.
var Cases = []Case{
	{"plain", "example", "example"},
	{"OSC 0 window title", "\x1b]0;pwned\x07", `\x1b]0;pwned\x07`},
	{"OSC 52 clipboard write", "\x1b]52;c;ZWNobyBoaQ==\x07", `\x1b]52;c;ZWNobyBoaQ==\x07`},
	{"CSI 2J clear screen", "\x1b[2J\x1b[H", `\x1b[2J\x1b[H`},
	{"other C0", "a\bb\x0bc\rd", `a\x08b\x0bc\rd`},
	{"DEL", "a\x7fb", `a\x7fb`},
	{"C1 CSI as UTF-8", "a\u009b2Jb", `a\u009b2Jb`},
	{"C1 CSI as a raw byte", "a\x9b2Jb", `a\x9b2Jb`},
	{"RLO bidi override", "txt\u202eexe", `txt\u202eexe`},
	{"LRI bidi isolate", "a\u2066b\u2069", `a\u2066b\u2069`},
	{"zero width space", "pay\u200bpal", `pay\u200bpal`},
	{"BOM", "\ufeffbom", `\ufeffbom`},
	{"line separator", "a\u2028b", `a\u2028b`},
	{"invalid 0xff", "a\xffb", `a\xffb`},
	{"lone continuation byte", "a\x80b", `a\x80b`},
	{"overlong encoding", "a\xc1\xbfb", `a\xc1\xbfb`},
	{"backslash", `a\x1bb`, `a\\x1bb`},
	{"printable non-ASCII", "中文ÿé", "中文ÿé"},
}

// Dangerous returns a description of the first thing in s that must not
// reach a terminal (a dangerous rune or an invalid byte), or "". Newline
// and tab are the layout of multi-line output, not content, and pass.
func Dangerous(s string) string {
	for i, r := range s {
		if r == '\n' || r == '\t' {
			continue
		}
		if r == utf8.RuneError {
			if _, size := utf8.DecodeRuneInString(s[i:]); size == 1 {
				return "an invalid byte " + escape.Text(s[i:i+1])
			}
		}
		if escape.Dangerous(r) {
			return "the rune " + escape.Text(string(r))
		}
	}
	return ""
}

// AssertHarmless fails t when s holds anything that must not reach a
// terminal; what says which output s is.
func AssertHarmless(t testing.TB, what, s string) {
	t.Helper()
	if d := Dangerous(s); d != "" {
		t.Errorf("%s holds %s: %q", what, d, s)
	}
}
