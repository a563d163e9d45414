package filter

import (
	"net/netip"
	"strings"
)

// tokKind is the kind of a lexical token.
type tokKind uint8

const (
	tEOF     tokKind = iota
	tNum             // number or named constant (tcpflags, icmp-echo, ...)
	tHID             // dotted IPv4 address or prefix of one: 10, 10.1, 10.1.2.3 (only the dotted forms)
	tHID6            // IPv6 address
	tEID             // MAC address
	tID              // any other word, or a backslash-escaped name (\tcp)
	tKeyword         // a reserved word; see keyword
	tOp              // an operator or punctuation; see text
)

// token is one lexical token. pos is the byte offset in the expression.
type token struct {
	kind tokKind
	text string // the source text (operators: the operator; escaped IDs: without the backslash)
	num  uint32 // value of tNum
	kw   keyword
	pos  int
}

// lexError is a scanning error at a byte offset.
type lexError struct {
	pos int
	msg string
}

// lex splits expr into tokens, following the rules of libpcap's scanner:
// the longest match wins, keywords and named constants are case-sensitive.
func lex(expr string) ([]token, *lexError) {
	var toks []token
	i := 0
	for {
		for i < len(expr) && isSpace(expr[i]) {
			i++
		}
		if i >= len(expr) {
			toks = append(toks, token{kind: tEOF, pos: i})
			return toks, nil
		}
		start := i
		c := expr[i]
		// IPv6 addresses may start with "::".
		if c == ':' && i+1 < len(expr) && expr[i+1] == ':' {
			if n, ok := matchV6(expr[i:]); ok {
				toks = append(toks, token{kind: tHID6, text: expr[i : i+n], pos: start})
				i += n
				continue
			}
		}
		if op := matchOp(expr[i:]); op != "" {
			toks = append(toks, token{kind: tOp, text: op, pos: start})
			i += len(op)
			continue
		}
		if c == '\\' {
			j := i + 1
			for j < len(expr) && !strings.ContainsRune(" !()\n\t", rune(expr[j])) {
				j++
			}
			if j == i+1 {
				return nil, &lexError{start, `expected a name after "\"`}
			}
			toks = append(toks, token{kind: tID, text: expr[i+1 : j], pos: start})
			i = j
			continue
		}
		if !isAlnum(c) {
			return nil, &lexError{start, "illegal character " + quoteChar(c)}
		}
		w := matchWord(expr[i:])
		// A word of hex digits, colons and dots may be an IPv6 or MAC
		// address, which wins if it is at least as long as the word.
		if n, kind, ok := matchColonAddr(expr[i:]); ok && n >= len(w) {
			toks = append(toks, token{kind: kind, text: expr[i : i+n], pos: start})
			i += n
			continue
		} else if !ok && n > len(w) {
			return nil, &lexError{start, "bad IPv6 or MAC address " + quote(expr[i:i+n])}
		}
		t, err := classifyWord(w, start)
		if err != nil {
			return nil, err
		}
		toks = append(toks, t)
		i += len(w)
	}
}

var ops2 = []string{">=", "<=", ">>", "<<", "!=", "==", "&&", "||"}

func matchOp(s string) string {
	for _, op := range ops2 {
		if strings.HasPrefix(s, op) {
			return op
		}
	}
	if strings.IndexByte("+-*/%:[]!<>()&|^=", s[0]) >= 0 {
		return s[:1]
	}
	return ""
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func isAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// matchWord returns libpcap's ID match: [A-Za-z0-9]([-_.A-Za-z0-9]*[.A-Za-z0-9])?
func matchWord(s string) string {
	j := 1
	for j < len(s) && (isAlnum(s[j]) || s[j] == '-' || s[j] == '_' || s[j] == '.') {
		j++
	}
	for j > 1 && (s[j-1] == '-' || s[j-1] == '_') {
		j--
	}
	return s[:j]
}

// matchColonAddr looks for an IPv6 or MAC address at the start of s. It
// returns the length of the longest valid one; when there is none but the
// run of address characters contains colons, ok is false and n is the run's
// length (a bogus address).
func matchColonAddr(s string) (n int, kind tokKind, ok bool) {
	j := 0
	for j < len(s) && (isHex(s[j]) || s[j] == ':' || s[j] == '.') {
		j++
	}
	run := s[:j]
	if strings.IndexByte(run, ':') < 0 {
		return 0, 0, false
	}
	for k := min(len(run), maxAddrLen); k > 0; k-- {
		cand := run[:k]
		if strings.IndexByte(cand, ':') < 0 {
			break
		}
		if _, err := netip.ParseAddr(cand); err == nil && !strings.Contains(cand, "%") {
			return k, tHID6, true
		}
		if _, ok := parseMAC(cand); ok {
			return k, tEID, true
		}
	}
	// Like libpcap, "1:2" followed by something else is scanned as a
	// number then ":" (as in ip[6:2]); only runs of two or more colon
	// groups are bogus addresses.
	if strings.Count(strings.TrimRight(run, ".:"), ":") >= 2 {
		return len(run), 0, false
	}
	return 0, 0, false
}

// maxAddrLen bounds the IPv6 and MAC candidates tried (the longest IPv6
// text form, with an embedded IPv4 address, has 45 characters).
const maxAddrLen = 45

// matchV6 matches an IPv6 address starting with "::".
func matchV6(s string) (int, bool) {
	j := 0
	for j < len(s) && (isHex(s[j]) || s[j] == ':' || s[j] == '.') {
		j++
	}
	for k := min(j, maxAddrLen); k >= 2; k-- {
		if _, err := netip.ParseAddr(s[:k]); err == nil {
			return k, true
		}
	}
	return 0, false
}

// classifyWord turns a word into a keyword, named constant, number, dotted
// address or plain ID.
func classifyWord(w string, pos int) (token, *lexError) {
	if kw, ok := keywords[w]; ok {
		return token{kind: tKeyword, text: w, kw: kw, pos: pos}, nil
	}
	if v, ok := namedConstants[w]; ok {
		return token{kind: tNum, text: w, num: v, pos: pos}, nil
	}
	if isNumber(w) {
		v, msg := parseNumber(w)
		if msg != "" {
			return token{}, &lexError{pos, msg}
		}
		return token{kind: tNum, text: w, num: v, pos: pos}, nil
	}
	if parts := strings.Split(w, "."); len(parts) >= 2 && len(parts) <= 4 {
		all := true
		for _, p := range parts {
			if p == "" || !isNumber(p) {
				all = false
				break
			}
		}
		if all {
			return token{kind: tHID, text: w, pos: pos}, nil
		}
	}
	// MAC written as three dotted groups of four hex digits.
	if _, ok := parseMAC(w); ok {
		return token{kind: tEID, text: w, pos: pos}, nil
	}
	return token{kind: tID, text: w, pos: pos}, nil
}

// isNumber reports whether w matches libpcap's number syntax: decimal
// (octal with a leading 0) or 0x hexadecimal.
func isNumber(w string) bool {
	if len(w) > 2 && (w[:2] == "0x" || w[:2] == "0X") {
		for i := 2; i < len(w); i++ {
			if !isHex(w[i]) {
				return false
			}
		}
		return true
	}
	for i := 0; i < len(w); i++ {
		if w[i] < '0' || w[i] > '9' {
			return false
		}
	}
	return w != ""
}

// parseNumber converts a number, returning a message for values that do
// not fit in 32 bits or octal numbers with digits 8 or 9.
func parseNumber(w string) (uint32, string) {
	base, digits := uint64(10), w
	switch {
	case len(w) > 2 && (w[:2] == "0x" || w[:2] == "0X"):
		base, digits = 16, w[2:]
	case len(w) > 1 && w[0] == '0':
		base, digits = 8, w[1:]
	}
	var v uint64
	for i := 0; i < len(digits); i++ {
		c := digits[i]
		var d uint64
		switch {
		case c >= '0' && c <= '9':
			d = uint64(c - '0')
		case c >= 'a' && c <= 'f':
			d = uint64(c-'a') + 10
		default:
			d = uint64(c-'A') + 10
		}
		if d >= base {
			return 0, "number " + w + " contains non-octal digit"
		}
		v = v*base + d
		if v > 0xffffffff {
			return 0, "number " + w + " overflows 32 bits"
		}
	}
	return uint32(v), ""
}

// parseMAC parses xx:xx:xx:xx:xx:xx (also with - or . separators, and
// groups of one or two hex digits) and xxxx.xxxx.xxxx.
func parseMAC(s string) ([6]byte, bool) {
	var mac [6]byte
	for _, sep := range []byte{':', '-', '.'} {
		parts := strings.Split(s, string(sep))
		if len(parts) == 6 {
			ok := true
			for i, p := range parts {
				if len(p) < 1 || len(p) > 2 || !allHex(p) {
					ok = false
					break
				}
				mac[i] = byte(hexVal(p))
			}
			if ok {
				return mac, true
			}
		}
	}
	parts := strings.Split(s, ".")
	if len(parts) == 3 {
		for i, p := range parts {
			if len(p) != 4 || !allHex(p) {
				return mac, false
			}
			v := hexVal(p)
			mac[2*i], mac[2*i+1] = byte(v>>8), byte(v)
		}
		return mac, true
	}
	return mac, false
}

func allHex(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isHex(s[i]) {
			return false
		}
	}
	return true
}

func hexVal(s string) uint32 {
	var v uint32
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			v = v<<4 | uint32(c-'0')
		case c >= 'a' && c <= 'f':
			v = v<<4 | uint32(c-'a'+10)
		default:
			v = v<<4 | uint32(c-'A'+10)
		}
	}
	return v
}

func quoteChar(c byte) string {
	if c >= 0x20 && c < 0x7f {
		return `"` + string(c) + `"`
	}
	return "0x" + string("0123456789abcdef"[c>>4]) + string("0123456789abcdef"[c&15])
}

func quote(s string) string { return `"` + s + `"` }
