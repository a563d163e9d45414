package escape

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"
)

// Every class of dangerous input, as bytes, and what the text escape shows.
var classes = []struct {
	name, in, text string
}{
	{"plain", "www.example.com", "www.example.com"},
	{"OSC 0 title", "\x1b]0;pwned\x07", `\x1b]0;pwned\x07`},
	{"OSC 52 clipboard", "\x1b]52;c;ZWNobyBoaQ==\x07", `\x1b]52;c;ZWNobyBoaQ==\x07`},
	{"CSI 2J", "\x1b[2J", `\x1b[2J`},
	{"other C0", "a\x00b\x08c\td\ne\rf", `a\x00b\x08c\td\ne\rf`},
	{"DEL", "a\x7fb", `a\x7fb`},
	{"C1 CSI as UTF-8", "a\u009b2Jb", `a\u009b2Jb`},
	{"C1 CSI as a raw byte", "a\x9b2Jb", `a\x9b2Jb`},
	{"RLO", "abc\u202egnp.exe", `abc\u202egnp.exe`},
	{"LRI", "a\u2066b", `a\u2066b`},
	{"LRM, ALM", "\u200e\u061c", `\u200e\u061c`},
	{"zero width space", "a\u200bb", `a\u200bb`},
	{"BOM", "\ufeffa", `\ufeffa`},
	{"tag character", "a\U000e0041", `a\U000e0041`},
	{"line separator", "a\u2028b\u2029", `a\u2028b\u2029`},
	{"invalid 0xff", "a\xffb", `a\xffb`},
	{"lone continuation byte", "a\x80b", `a\x80b`},
	{"overlong slash", "a\xc0\xafb", `a\xc0\xafb`},
	{"surrogate", "\xed\xa0\x80", `\xed\xa0\x80`},
	{"backslash", `a\x1bb`, `a\\x1bb`},
	{"printable non-ASCII", "中文 ÿ é \ufffd", "中文 ÿ é \ufffd"},
}

func TestAppendText(t *testing.T) {
	for _, c := range classes {
		got := string(AppendText(nil, c.in))
		if got != c.text {
			t.Errorf("%s: AppendText(%q) = %q, want %q", c.name, c.in, got, c.text)
		}
		if b := string(AppendText(nil, []byte(c.in))); b != got {
			t.Errorf("%s: []byte and string forms differ: %q, %q", c.name, b, got)
		}
		if Text(c.in) != got {
			t.Errorf("%s: Text = %q, want %q", c.name, Text(c.in), got)
		}
		back, err := Unescape(got)
		if err != nil || string(back) != c.in {
			t.Errorf("%s: Unescape(%q) = %q, %v; want %q", c.name, got, back, err, c.in)
		}
		assertHarmless(t, c.name, got)
	}
}

func TestAppendJSON(t *testing.T) {
	for _, c := range classes {
		doc := `"` + string(AppendJSON(nil, c.in+`"q`)) + `"`
		if !json.Valid([]byte(doc)) {
			t.Errorf("%s: invalid JSON %s", c.name, doc)
			continue
		}
		var v string
		if err := json.Unmarshal([]byte(doc), &v); err != nil {
			t.Fatal(err)
		}
		if want := c.text + `"q`; v != want {
			t.Errorf("%s: JSON value %q, want the text escape %q", c.name, v, want)
		}
		assertHarmless(t, c.name, v)
	}
}

func TestAppendJSONSafe(t *testing.T) {
	for _, c := range classes {
		doc := `"` + string(AppendJSONSafe(nil, c.in+`"q`)) + `"`
		var v string
		if err := json.Unmarshal([]byte(doc), &v); err != nil {
			t.Errorf("%s: invalid JSON %s: %v", c.name, doc, err)
			continue
		}
		if want := Safe(c.in) + `"q`; v != want {
			t.Errorf("%s: JSON value %q, want the safe escape %q", c.name, v, want)
		}
		assertHarmless(t, c.name, v)
	}
}

func TestAppendSafe(t *testing.T) {
	for _, c := range classes {
		got := string(AppendSafe(nil, c.in))
		want := strings.ReplaceAll(c.text, `\\`, `\`)
		if got != want {
			t.Errorf("%s: AppendSafe(%q) = %q, want %q", c.name, c.in, got, want)
		}
		// Idempotent: text escaped at its source passes through unchanged.
		if again := Safe(c.text); again != c.text {
			t.Errorf("%s: Safe(%q) = %q, want it unchanged", c.name, c.text, again)
		}
		assertHarmless(t, c.name, got)
	}
}

// assertHarmless fails unless s is valid UTF-8 without a dangerous rune.
func assertHarmless(t *testing.T, name, s string) {
	t.Helper()
	if !utf8.ValidString(s) {
		t.Errorf("%s: %q is not valid UTF-8", name, s)
	}
	for _, r := range s {
		if Dangerous(r) {
			t.Errorf("%s: %q holds %U", name, s, r)
		}
	}
}

func TestIncompleteSuffix(t *testing.T) {
	for _, c := range []struct {
		in   string
		want int
	}{
		{"", 0}, {"abc", 0}, {"a\xe4", 1}, {"a\xe4\xb8", 2}, {"a\xe4\xb8\xad", 0},
		{"a\xf0\x9f\x98", 3}, {"a\xff", 0}, {"a\x80", 0}, {"\xc0", 0},
	} {
		if got := IncompleteSuffix([]byte(c.in)); got != c.want {
			t.Errorf("IncompleteSuffix(%q) = %d, want %d", c.in, got, c.want)
		}
	}
}

func TestUnescapeRejects(t *testing.T) {
	for _, s := range []string{`\`, `\q`, `\x1`, `\u20`, `\xzz`} {
		if _, err := Unescape(s); err == nil {
			t.Errorf("Unescape(%q): no error", s)
		}
	}
}

func BenchmarkAppendJSONPlain(b *testing.B) {
	dst := make([]byte, 0, 256)
	name := []byte("www.example.com")
	b.ReportAllocs()
	for b.Loop() {
		dst = AppendJSON(dst[:0], name)
	}
}
