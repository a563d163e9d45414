package trace

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// The numbers a traced Linux program passes, named here with their Linux
// values (not golang.org/x/sys/unix's, which follow the OS the package is
// compiled for), so the descriptions compile and read the same everywhere.
const (
	afUnix  = 1
	afInet  = 2
	afInet6 = 10

	sockStream   = 1
	sockDgram    = 2
	sockNonblock = 0o4000

	msgDontwait = 0x40
	msgNosignal = 0x4000

	oNonblock = 0o4000

	fDupfd        = 0
	fSetfd        = 2
	fGetfl        = 3
	fSetfl        = 4
	fDupfdCloexec = 1030

	fionbio = 0x5421

	pollIn  = 0x1
	pollPri = 0x2
	pollOut = 0x4
)

var signalNames = [...]string{1: "SIGHUP", 2: "SIGINT", 3: "SIGQUIT", 4: "SIGILL", 5: "SIGTRAP", 6: "SIGABRT",
	7: "SIGBUS", 8: "SIGFPE", 9: "SIGKILL", 10: "SIGUSR1", 11: "SIGSEGV", 12: "SIGUSR2", 13: "SIGPIPE",
	14: "SIGALRM", 15: "SIGTERM", 17: "SIGCHLD", 18: "SIGCONT", 19: "SIGSTOP", 20: "SIGTSTP"}

func signalName(sig int) string {
	if sig > 0 && sig < len(signalNames) && signalNames[sig] != "" {
		return signalNames[sig]
	}
	return "signal " + strconv.Itoa(sig)
}

// quote writes at most the first 32 bytes of data as a Go string literal,
// with "…" when there was more (the lessons' form).
func quote(data []byte) string {
	const max = 32
	if len(data) <= max {
		return strconv.Quote(string(data))
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(data[cut]) {
		cut--
	}
	return strconv.Quote(string(data[:cut])) + "…"
}

// printable writes b with every byte that is not printable UTF-8 as \xNN
// and a backslash as \\: safe on a terminal, and reversible.
func printable(b []byte) string {
	var sb strings.Builder
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		switch {
		case r == utf8.RuneError && size <= 1, r < 0x20, r == 0x7f, r >= 0x80 && r < 0xa0:
			const hexdig = "0123456789abcdef"
			for _, c := range b[:max(size, 1)] {
				sb.WriteString(`\x`)
				sb.WriteByte(hexdig[c>>4])
				sb.WriteByte(hexdig[c&15])
			}
		case r == '\\':
			sb.WriteString(`\\`)
		default:
			sb.Write(b[:size])
		}
		b = b[max(size, 1):]
	}
	return sb.String()
}
