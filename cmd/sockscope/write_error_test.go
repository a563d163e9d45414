package main

import (
	"bytes"
	"context"
	byteorder "encoding/binary"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sockscope/sockscope/capture"
)

// Every command that prints to standard output says so when the output
// cannot be written (stdout on /dev/full: ENOSPC): one line on stderr and
// exit status 1, never a silent exit 0 with the text lost.
func TestWriteErrorExits1(t *testing.T) {
	full, err := os.OpenFile("/dev/full", os.O_WRONLY, 0)
	if err != nil {
		t.Skipf("no /dev/full: %v", err)
	}
	defer full.Close()
	bin := sockscopeBinary(t)
	pcap := writeSmallTCPCapture(t)
	for _, args := range [][]string{
		{}, // the usage, when stdout is not a terminal
		{"help"},
		{"--help"},
		{"demo", "list"},
		{"demo", "list", "--lang", "zh"},
		{"demo", "--help"},
		{"replay", "--help"},
		{"capture", "--help"},
		{"capture", "-D"},
		{"replay", pcap},
		{"replay", pcap, "--no-ui"},
		{"replay", pcap, "--json"},
		{"replay", pcap, "--conversations"},
		{"replay", pcap, "--conversations", "--json"},
		{"replay", pcap, "--follow", "0"},
		{"replay", pcap, "--follow", "0", "--format", "hex"},
		{"replay", pcap, "--follow", "0", "--format", "raw"},
		{"replay", pcap, "--ladder", "0"},
		{"replay", pcap, "--ladder", "0", "--format", "mermaid"},
	} {
		name := strings.Join(append([]string{"sockscope"}, args...), " ")
		cmd := exec.Command(bin, args...)
		cmd.Stdout = full
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		code := exitStatus(t, cmd.Run())
		msg := stderr.String()
		if code != 1 || strings.Count(msg, "\n") != 1 || !strings.HasPrefix(msg, "sockscope: ") || !strings.Contains(msg, "no space left on device") {
			t.Errorf("%s >/dev/full: exit %d, stderr %q; want exit 1 and one line saying the write failed", name, code, msg)
		}
	}
}

// --speed and --max-packets are checked when the command line is read, in
// every mode, not only when the inspector opens: a bad value is a usage
// error (exit 2) naming the flag, before any output.
func TestInspectorFlagsCheckedInEveryMode(t *testing.T) {
	bin := sockscopeBinary(t)
	pcap := writeSmallTCPCapture(t)
	for _, tc := range []struct {
		args []string
		flag string
	}{
		{[]string{"replay", pcap, "--no-ui", "--speed", "bogus"}, "--speed"},
		{[]string{"replay", pcap, "--json", "--speed", "bogus"}, "--speed"},
		{[]string{"replay", pcap, "--speed", "NaN"}, "--speed"},
		{[]string{"replay", pcap, "--speed", "Inf", "--no-ui"}, "--speed"},
		{[]string{"replay", pcap, "--speed", "0", "--no-ui"}, "--speed"},
		{[]string{"replay", pcap, "--no-ui", "--max-packets", "-5"}, "--max-packets"},
		{[]string{"replay", pcap, "--json", "--max-packets", "0"}, "--max-packets"},
		{[]string{"replay", pcap, "--conversations", "--max-packets", "-5"}, "--max-packets"},
		{[]string{"capture", "--no-ui", "--max-packets", "-5"}, "--max-packets"},
		{[]string{"capture", "--json", "--max-packets", "-5"}, "--max-packets"},
	} {
		name := strings.Join(append([]string{"sockscope"}, tc.args...), " ")
		// Before the check, capture went on to capture for ever: a bound
		// (not a synchronisation) so that a regression fails, not hangs.
		ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, bin, tc.args...)
		cmd.WaitDelay = time.Second // a killed capture must not hold the test on its pipes
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		code := exitStatus(t, cmd.Run())
		msg := stderr.String()
		if code != 2 || stdout.Len() != 0 || strings.Count(msg, "\n") != 1 || !strings.HasPrefix(msg, "sockscope: ") || !strings.Contains(msg, tc.flag) {
			t.Errorf("%s: exit %d, stdout %q…, stderr %q; want exit 2 and one line naming %s", name, code, stdout.String()[:min(stdout.Len(), 80)], msg, tc.flag)
		}
	}
}

// exitStatus is the exit status of a finished command (0 for a nil error).
func exitStatus(t *testing.T, err error) int {
	t.Helper()
	var xe *exec.ExitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &xe):
		return xe.ExitCode()
	}
	t.Fatal(err)
	return -1
}

// writeSmallTCPCapture writes a raw-IP pcap of one TCP conversation with
// payload both ways, enough for every replay output to print something.
func writeSmallTCPCapture(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "small.pcap")
	w, err := capture.Create(path, capture.LinkRaw)
	if err != nil {
		t.Fatal(err)
	}
	cli, srv := [4]byte{10, 0, 0, 1}, [4]byte{10, 0, 0, 2}
	seqs := [2]uint32{1000, 5000}
	sec := int64(1700000000)
	seg := func(dir int, flags byte, payload string) {
		src, dst, sp, dp := cli, srv, uint16(40000), uint16(80)
		if dir == 1 {
			src, dst, sp, dp = srv, cli, 80, 40000
		}
		tcp := byteorder.BigEndian.AppendUint16(nil, sp)
		tcp = byteorder.BigEndian.AppendUint16(tcp, dp)
		tcp = byteorder.BigEndian.AppendUint32(tcp, seqs[dir])
		tcp = byteorder.BigEndian.AppendUint32(tcp, seqs[1-dir])
		tcp = append(tcp, 5<<4, flags, 0xff, 0xff, 0, 0, 0, 0)
		tcp = append(tcp, payload...)
		ip := []byte{0x45, 0, 0, 0, 0, 1, 0x40, 0, 64, 6, 0, 0}
		byteorder.BigEndian.PutUint16(ip[2:], uint16(20+len(tcp)))
		ip = append(append(append(ip, src[:]...), dst[:]...), tcp...)
		sec++
		if err := w.WriteFrame(&capture.Frame{Sec: sec, Len: len(ip), LinkType: capture.LinkRaw, Data: ip}); err != nil {
			t.Fatal(err)
		}
		seqs[dir] += uint32(len(payload))
		if flags&0x03 != 0 { // SYN and FIN take a sequence number
			seqs[dir]++
		}
	}
	const fin, syn, psh, ack = 0x01, 0x02, 0x08, 0x10
	seg(0, syn, "")
	seg(1, syn|ack, "")
	seg(0, ack, "")
	seg(0, psh|ack, "hello\n")
	seg(1, psh|ack, "HELLO\n")
	seg(0, fin|ack, "")
	seg(1, fin|ack, "")
	seg(0, ack, "")
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestDisplayFilterCheckedInEveryMode: a bad -Y is a usage error before any
// screen opens, and -Y where no inspector opens (text, JSON, -w, -c, the
// conversation views) is refused rather than silently ignored.
func TestDisplayFilterCheckedInEveryMode(t *testing.T) {
	pcap := writeSmallTCPCapture(t)
	for _, args := range [][]string{
		{"replay", pcap, "-Y", "tcp.port =="},
		{"replay", pcap, "--no-ui", "-Y", "tcp.port == 80"},
		{"replay", pcap, "--json", "-Y", "tcp"},
		{"replay", pcap, "-c", "1", "-Y", "tcp"},
		{"replay", pcap, "--conversations", "-Y", "tcp"},
		{"capture", "--no-ui", "-Y", "udp"},
	} {
		printed, errOut, code := runCmd(t, nil, args...)
		if code != 2 || printed != "" || lineCount(errOut) != 1 || !strings.Contains(errOut, "-Y") {
			t.Errorf("%q: exit %d, stdout %q, stderr %q; want exit 2 and one line naming -Y", args, code, printed, errOut)
		}
	}
}
