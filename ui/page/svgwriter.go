package page

import (
	"strconv"

	"github.com/sockscope/sockscope/internal/escape"
)

// svgBuf accumulates SVG markup. Every string that is not a constant of
// this package goes through attr or text, which make it terminal-safe
// (escape.AppendSafe: control, bidi and invisible characters written as
// \x… escapes) and then escape it for HTML and XML: a payload of
// "<script>" or "onerror=" can only ever be characters.
type svgBuf struct{ b []byte }

// raw appends markup written by this package.
func (s *svgBuf) raw(m string) { s.b = append(s.b, m...) }

// text appends v as character data.
func (s *svgBuf) text(v string) { s.b = appendHTMLEscaped(s.b, v) }

// attr appends ` name="v"`, v escaped.
func (s *svgBuf) attr(name, v string) {
	s.b = append(s.b, ' ')
	s.b = append(s.b, name...)
	s.b = append(s.b, '=', '"')
	s.b = appendHTMLEscaped(s.b, v)
	s.b = append(s.b, '"')
}

// num appends ` name="f"` with f rounded to 0.1.
func (s *svgBuf) num(name string, f float64) {
	s.b = append(s.b, ' ')
	s.b = append(s.b, name...)
	s.b = append(s.b, '=', '"')
	s.b = appendNum(s.b, f)
	s.b = append(s.b, '"')
}

// int appends ` name="n"`.
func (s *svgBuf) int(name string, n int) {
	s.b = append(s.b, ' ')
	s.b = append(s.b, name...)
	s.b = append(s.b, '=', '"')
	s.b = strconv.AppendInt(s.b, int64(n), 10)
	s.b = append(s.b, '"')
}

func appendNum(b []byte, f float64) []byte {
	return strconv.AppendFloat(b, float64(int64(f*10+0.5*sign(f)))/10, 'f', -1, 64)
}

func sign(f float64) float64 {
	if f < 0 {
		return -1
	}
	return 1
}

// appendHTMLEscaped appends v made terminal-safe, then with & < > " '
// written as character references.
func appendHTMLEscaped(b []byte, v string) []byte {
	var tmp [256]byte
	safe := escape.AppendSafe(tmp[:0], v)
	for _, c := range safe {
		switch c {
		case '&':
			b = append(b, "&amp;"...)
		case '<':
			b = append(b, "&lt;"...)
		case '>':
			b = append(b, "&gt;"...)
		case '"':
			b = append(b, "&#34;"...)
		case '\'':
			b = append(b, "&#39;"...)
		default:
			b = append(b, c)
		}
	}
	return b
}

// cut shortens s to n characters (runes), the last one "…".
func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:max(n-1, 0)]) + "…"
}
