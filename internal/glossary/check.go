package glossary

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Problem is one place where a Chinese text breaks the glossary or the
// punctuation rules.
type Problem struct {
	Rule   string // "glossary", "punctuation" or "english"
	Found  string // the offending text, with a little context
	Advice string // what to write instead
}

func (p Problem) String() string { return p.Rule + ": " + p.Found + " → " + p.Advice }

// codeSpan matches what a Chinese text quotes as code or data and may
// spell with ASCII punctuation and English words: Python literals ('…',
// b'…', b"…", "你好".encode()), `…`, "…" holding Latin letters or digits
// (a %q of data), English a program prints quoted as “…”, Python's error
// messages ([Errno 98] Address already in use), a shell
// command with options (ss -tuanoi, ls -l), sockscope's subcommands, and
// an English term glossed in full-width parentheses after its Chinese
// name (坚持定时器（persist timer）).
var codeSpan = regexp.MustCompile(strings.Join([]string{
	`b?'[^'\n]*'`,
	`b"[^"\n]*"`,
	"`[^`\n]*`",
	`"[^"\n]*"\.encode\(\)`,
	`“[ -~]+”`,
	`"[^"\n]*[A-Za-z0-9][^"\n]*"`,
	`\[Errno \d+\][ A-Za-z']*`,
	`\b[a-z]+( --?[A-Za-z][A-Za-z-]*)+\b`,
	`\bsockscope( [a-z]+)+\b`,
	`\p{Han}（[A-Za-z][A-Za-z -]*）`,
}, "|"))

// maskCode replaces the code spans of s with §, one per rune, so that
// the checks below see neither their punctuation nor their words (a
// gloss keeps its Chinese character, which is not code).
func maskCode(s string) string {
	return codeSpan.ReplaceAllStringFunc(s, func(m string) string {
		r, w := utf8.DecodeRuneInString(m)
		if IsHan(r) {
			return m[:w] + "（" + strings.Repeat("§", utf8.RuneCountInString(m)-3) + "）"
		}
		return strings.Repeat("§", utf8.RuneCountInString(m))
	})
}

// Check returns the problems of one Chinese text: glossary variants,
// ASCII punctuation or quotes next to Chinese, spaces around full-width
// punctuation, and English words in the prose (API names, constants,
// identifiers and proper nouns are code and allowed; see englishOK).
func Check(text string, terms []Term) []Problem {
	var out []Problem
	masked := maskCode(text)
	for _, t := range terms {
		s := masked
		for _, a := range t.Allowed {
			s = strings.ReplaceAll(s, a, strings.Repeat("□", utf8.RuneCountInString(a)))
		}
		for _, f := range t.Forbidden {
			if i := strings.Index(s, f); i >= 0 {
				out = append(out, Problem{Rule: "glossary", Found: around(s, i, len(f)), Advice: "write " + t.Preferred + " (not " + f + "): " + t.Note})
				break // one finding a term: 线路上 hides 线路
			}
		}
	}
	out = append(out, punctuation(masked)...)
	out = append(out, english(masked)...)
	return out
}

// around is s[i:i+n] with up to 8 runes either side.
func around(s string, i, n int) string {
	lo, hi := i, i+n
	for k := 0; k < 8 && lo > 0; k++ {
		_, w := utf8.DecodeLastRuneInString(s[:lo])
		lo -= w
	}
	for k := 0; k < 8 && hi < len(s); k++ {
		_, w := utf8.DecodeRuneInString(s[hi:])
		hi += w
	}
	return s[lo:hi]
}

// IsChinese reports whether s is Chinese text rather than English that
// names a Chinese term (like "what Chinese tutorials call 粘包"): outside
// code spans it has full-width punctuation, or at least as many Chinese
// characters as Latin words of two letters or more.
func IsChinese(s string) bool {
	m := maskCode(s)
	han := 0
	for _, r := range m {
		if IsHan(r) {
			han++
		}
	}
	if han == 0 {
		return false
	}
	if strings.ContainsAny(m, strings.Trim(fullWidth, "—…")) {
		return true
	}
	words := 0
	for _, w := range word.FindAllString(m, -1) {
		if len(w) > 1 {
			words++
		}
	}
	return han >= words
}

// IsHan reports whether r is a Chinese character.
func IsHan(r rune) bool { return unicode.Is(unicode.Han, r) }

// fullWidth is the full-width punctuation of Chinese text.
const fullWidth = "，。、；：！？（）“”‘’「」『』《》【】—…"

// spaceless is the full-width punctuation that takes no space beside it
// (a run of spaces that aligns columns is not checked).
const spaceless = "，。、；：！？（）“”‘’「」『』《》【】"

// halfToFull maps the ASCII punctuation a Chinese sentence must not use to
// its full-width form.
var halfToFull = map[rune]string{',': "，", '.': "。", ';': "；", ':': "：", '!': "！", '?': "？", '(': "（", ')': "）", '"': "“ ”"}

func punctuation(s string) []Problem {
	var out []Problem
	rs := []rune(s)
	cjk := func(i int) bool {
		return i >= 0 && i < len(rs) && (IsHan(rs[i]) || strings.ContainsRune(fullWidth, rs[i]) && rs[i] != '—' && rs[i] != '…')
	}
	at := func(i int) string {
		lo, hi := max(i-8, 0), min(i+9, len(rs))
		return string(rs[lo:hi])
	}
	for i, r := range rs {
		full, ok := halfToFull[r]
		switch {
		case ok && r == '(' && (i > 0 && IsHan(rs[i-1]) || cjk(i+1)), // after "：" a ( opens code
			ok && r == ')' && cjk(i-1),
			ok && r == '"' && (cjk(i-1) || cjk(i+1)),
			ok && strings.ContainsRune(",.;:!?", r) && cjk(i-1) && !(r == '.' && i+1 < len(rs) && rs[i+1] == '.'):
			out = append(out, Problem{Rule: "punctuation", Found: at(i), Advice: "full-width " + full + " in Chinese text, not " + string(r)})
		case r == ' ' && i > 0 && i+1 < len(rs) && rs[i-1] != ' ' && rs[i+1] != ' ' &&
			(strings.ContainsRune(spaceless, rs[i-1]) || strings.ContainsRune(spaceless, rs[i+1])):
			out = append(out, Problem{Rule: "punctuation", Found: at(i), Advice: "no space beside full-width punctuation"})
		}
	}
	return out
}

// word is a run of Latin letters with what may join them in a name.
var word = regexp.MustCompile(`[A-Za-z][A-Za-z0-9_\-./:=+@]*`)

// proseOK are the lowercase words a Chinese text may use as they are:
// names of socket calls and Python methods, variables of the tutorials'
// code, tools, units and keys.
var proseOK = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`
		socket bind listen accept connect send recv sendall sendto recvfrom recvmsg sendmsg recv_into
		close shutdown setsockopt getsockopt setblocking settimeout makefile readline fileno poll select epoll
		getsockname getpeername gethostname gethostbyname getaddrinfo socketpair read write
		conn addr s c f buf chunk data msg line n bufsize backlog errno
		python python3 strace tcpdump tshark wireshark ss ping nc lo localhost glibc nscd sockscope uname root
		while if not raise for def return import lambda
		host port flowinfo path nbytes packet request id fd ack win
		netstat sysctl fcntl unlink execve fg ssh systemd myhostname dns files hosts skmem drops app
		ms µs s ns b
		q h j k esc tab enter`) {
		proseOK[w] = true
	}
}

// englishOK reports whether the Latin word w (at rune index i of rs, the
// masked text) may stand in Chinese prose: the rest of a number (0xfaaf),
// code (a call, a name with _ .
// / : or a digit, a hyphenated name such as tcp-echo or client-1), an
// acronym or constant (TCP, SO_REUSEADDR), a proper noun (Linux, Python,
// IPv6, Recv-Q), a format verb, or a word of proseOK.
func englishOK(w string, next rune, prev rune) bool {
	if unicode.IsDigit(prev) { // the rest of a number: 0xfaaf, 60ms
		return true
	}
	if prev == '%' || prev == '.' || prev == '-' || next == '(' || next == '[' || strings.ContainsAny(w, "_./:=+@0123456789") {
		return true
	}
	if strings.Contains(w, "-") {
		return true
	}
	if unicode.IsUpper(rune(w[0])) {
		return true
	}
	return proseOK[w] || proseOK[strings.ToLower(w)]
}

func english(s string) []Problem {
	var out []Problem
	for _, m := range word.FindAllStringIndex(s, -1) {
		w := strings.TrimRight(s[m[0]:m[1]], ".:")
		var next, prev rune
		if m[1] < len(s) {
			next, _ = utf8.DecodeRuneInString(s[m[1]:])
		}
		if m[0] > 0 {
			prev, _ = utf8.DecodeLastRuneInString(s[:m[0]])
		}
		if len(w) < 2 && w != "" || englishOK(w, next, prev) {
			continue
		}
		out = append(out, Problem{Rule: "english", Found: around(s, m[0], m[1]-m[0]), Advice: "say " + w + " in Chinese (only API names, constants and code stay in English)"})
	}
	return out
}
