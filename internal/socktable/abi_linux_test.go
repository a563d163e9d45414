//go:build linux

package socktable

import (
	"testing"

	"golang.org/x/sys/unix"
)

// TestABI checks abi.go's constants, written out so that the parser builds
// everywhere, against golang.org/x/sys/unix.
func TestABI(t *testing.T) {
	for _, c := range []struct {
		name      string
		ours, sys int
	}{
		{"NLMSG_HDRLEN", nlmsgHdrLen, unix.NLMSG_HDRLEN},
		{"NLMSG_ERROR", nlmsgError, unix.NLMSG_ERROR},
		{"NLMSG_DONE", nlmsgDone, unix.NLMSG_DONE},
		{"NLM_F_REQUEST", nlmFRequest, unix.NLM_F_REQUEST},
		{"NLM_F_DUMP", nlmFDump, unix.NLM_F_DUMP},
		{"SOCK_DIAG_BY_FAMILY", sockDiagByFamily, unix.SOCK_DIAG_BY_FAMILY},
		{"AF_UNIX", afUnix, unix.AF_UNIX},
		{"AF_INET", afInet, unix.AF_INET},
		{"AF_INET6", afInet6, unix.AF_INET6},
		{"IPPROTO_TCP", ipprotoTCP, unix.IPPROTO_TCP},
		{"IPPROTO_UDP", ipprotoUDP, unix.IPPROTO_UDP},
		{"SOCK_STREAM", sockStream, unix.SOCK_STREAM},
		{"SOCK_DGRAM", sockDgram, unix.SOCK_DGRAM},
		{"SOCK_SEQPACKET", sockSeqpacket, unix.SOCK_SEQPACKET},
		{"TCP_ESTABLISHED", int(Established), unix.BPF_TCP_ESTABLISHED},
		{"TCP_TIME_WAIT", int(TimeWait), unix.BPF_TCP_TIME_WAIT},
		{"TCP_CLOSE", int(Close), unix.BPF_TCP_CLOSE},
		{"TCP_LISTEN", int(Listen), unix.BPF_TCP_LISTEN},
		{"TCP_CLOSING", int(Closing), unix.BPF_TCP_CLOSING},
		{"TCP_NEW_SYN_RECV", int(NewSynRecv), unix.BPF_TCP_NEW_SYN_RECV},
	} {
		if c.ours != c.sys {
			t.Errorf("%s: socktable has %d, x/sys/unix %d", c.name, c.ours, c.sys)
		}
	}
}
