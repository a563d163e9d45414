package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sockscope/sockscope/internal/ptytest"

	"github.com/sockscope/sockscope/internal/corpus"
)

// TestWriteOntoInputRefused: "replay F -w F" used to truncate F and write
// the first packets back over it. It is refused before anything is opened
// for writing, however the output names the input, and F is untouched.
func TestWriteOntoInputRefused(t *testing.T) {
	orig, err := os.ReadFile(filepath.Join(corpus.PcapDir(t), "tcpdump/dns_tcp.pcap"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	t.Chdir(dir)
	in := filepath.Join(dir, "in.pcap")
	gz := filepath.Join(dir, "in.pcap.gz")
	var zbuf bytes.Buffer
	zw := gzip.NewWriter(&zbuf)
	zw.Write(orig)
	zw.Close()
	for name, data := range map[string][]byte{in: orig, gz: zbuf.Bytes()} {
		if err := os.WriteFile(name, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Link(in, filepath.Join(dir, "hard.pcap")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("in.pcap", filepath.Join(dir, "sym.pcapng")); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ input, out string }{
		{in, in},
		{"in.pcap", "./in.pcap"},
		{in, "hard.pcap"},
		{in, "sym.pcapng"},
		{"sym.pcapng", in},
		{gz, "in.pcap.gz"},
	} {
		for _, mode := range [][]string{nil, {"--no-ui"}, {"--json"}, {"-c", "1"}} {
			args := append([]string{"replay", c.input, "-w", c.out}, mode...)
			printed, errOut, code := runCmd(t, nil, args...)
			if code != 2 || printed != "" || lineCount(errOut) != 1 ||
				!strings.Contains(errOut, "replay: -w "+c.out+" is the input ("+c.input+")") {
				t.Errorf("%q: exit %d, stdout %q, stderr %q; want exit 2 and one line saying -w is the input", args, code, printed, errOut)
			}
		}
	}
	if got, _ := os.ReadFile(in); !bytes.Equal(got, orig) {
		t.Errorf("input changed: %d bytes, had %d", len(got), len(orig))
	}
	if got, _ := os.ReadFile(gz); !bytes.Equal(got, zbuf.Bytes()) {
		t.Errorf("gzip input changed")
	}

	// "replay - -w F < F": the shell opened F as stdin.
	f, err := os.Open(in)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	saved := os.Stdin
	os.Stdin = f
	defer func() { os.Stdin = saved }()
	_, errOut, code := runCmd(t, orig, "replay", "-", "-w", "in.pcap")
	if code != 2 || !strings.Contains(errOut, "replay: -w in.pcap is the input (stdin)") {
		t.Errorf("stdin onto itself: exit %d, stderr %q", code, errOut)
	}
	os.Stdin = saved

	// Another file is written as before.
	_, errOut, code = runCmd(t, nil, "replay", in, "-w", "copy.pcapng")
	if code != 0 || !strings.Contains(errOut, "11 packets written to copy.pcapng") {
		t.Errorf("-w another file: exit %d, stderr %q", code, errOut)
	}
}

// TestWriteStdoutMixingRefused: "-w -" puts pcapng on stdout, so text or
// JSON printed there too would garble both.
func TestWriteStdoutMixingRefused(t *testing.T) {
	in := filepath.Join(corpus.PcapDir(t), "tcpdump/dns_tcp.pcap")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"replay", in, "--no-ui", "-w", "-"}, "replay: -w - writes pcapng to stdout, and the --no-ui text goes there too; name a file for -w"},
		{[]string{"replay", "-w", "-", "--json", in}, "replay: -w - writes pcapng to stdout, and the --json output goes there too; name a file for -w"},
		{[]string{"capture", "-i", "lo", "--json", "-w", "-"}, "capture: -w - writes pcapng to stdout, and the --json output goes there too"},
		{[]string{"demo", "tcp-echo", "-w", "-"}, "demo: -w - writes pcapng to stdout, and the demo's timeline goes there too"},
	} {
		printed, errOut, code := runCmd(t, nil, c.args...)
		if code != 2 || printed != "" || lineCount(errOut) != 1 || !strings.Contains(errOut, c.want) {
			t.Errorf("%q: exit %d, stdout %q, stderr %q; want exit 2 and %q", c.args, code, printed, errOut, c.want)
		}
	}
}

// TestWriteStdoutTerminalRefused: "-w -" onto a terminal would spray
// binary on the screen; the user is told to redirect.
func TestWriteStdoutTerminalRefused(t *testing.T) {
	_, tty := ptytest.Open(t)
	in := filepath.Join(corpus.PcapDir(t), "tcpdump/dns_tcp.pcap")
	for _, args := range [][]string{
		{"replay", in, "-w", "-"},
		{"capture", "-i", "lo", "-w", "-"},
	} {
		var errOut bytes.Buffer
		err := run(context.Background(), args, nil, tty, &errOut)
		var ee *exitError
		if !errors.As(err, &ee) || ee.code != 2 || !strings.Contains(err.Error(), "is a terminal; redirect it") {
			t.Errorf("%q onto a terminal: %v, want a usage error saying to redirect", args, err)
		}
	}
}

// TestWriteOntoTerminalOrStderrRefused: -w naming a terminal by a path
// (/dev/tty, /dev/stderr, /dev/pts/N) would put a packet's bytes on the
// screen, where an OSC sequence retitles it or writes the clipboard; -w
// naming the file stderr goes to would mix sockscope's lines into the
// capture. Both are refused before anything is written, and nothing is.
func TestWriteOntoTerminalOrStderrRefused(t *testing.T) {
	bin := sockscopeBinary(t)
	in := filepath.Join(corpus.PcapDir(t), "tcpdump/dns_tcp.pcap")
	master, tty := ptytest.Open(t)
	for _, args := range [][]string{
		{"replay", in, "-w", tty.Name()},
		{"replay", in, "--no-ui", "-w", tty.Name()},
		{"capture", "-i", "lo", "-w", tty.Name()},
	} {
		// A bound, not a synchronisation: unrefused, capture would run on.
		ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, bin, args...)
		var errOut bytes.Buffer
		cmd.Stderr = &errOut
		cmd.WaitDelay = time.Second
		err := cmd.Run()
		var xe *exec.ExitError
		if !errors.As(err, &xe) || xe.ExitCode() != 2 || lineCount(errOut.String()) != 1 || !strings.Contains(errOut.String(), "is a terminal") {
			t.Errorf("%q: %v, stderr %q; want exit 2 and one line saying it is a terminal", args, err, errOut.String())
		}
	}
	// Nothing reached the terminal: a marker written now is the first thing
	// the master reads.
	if _, err := tty.Write([]byte("marker\n")); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 64)
	n, err := master.Read(buf)
	if err != nil || !strings.HasPrefix(string(buf[:n]), "marker") {
		t.Errorf("the terminal got %q before the marker (%v)", buf[:n], err)
	}

	stderrFile := filepath.Join(t.TempDir(), "both.pcapng")
	f, err := os.Create(stderrFile)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cmd := exec.Command(bin, "replay", in, "-w", stderrFile)
	cmd.Stderr = f
	err = cmd.Run()
	var xe *exec.ExitError
	got, _ := os.ReadFile(stderrFile)
	if !errors.As(err, &xe) || xe.ExitCode() != 2 || !strings.Contains(string(got), "is where stderr goes") || lineCount(string(got)) != 1 {
		t.Errorf("-w onto stderr's file: %v, file now %q; want exit 2 and only the one-line refusal in it", err, got)
	}
}
