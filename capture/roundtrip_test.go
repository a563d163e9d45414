package capture

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/sockscope/sockscope/internal/corpus"
)

// corpusFrames reads every corpus capture that opens; frames before a read
// error (test901) count.
func corpusFrames(t *testing.T) (dir string, names []string, frames map[string][]Frame, links map[string]uint32) {
	dir = corpus.PcapDir(t)
	frames = map[string][]Frame{}
	links = map[string]uint32{}
	for _, name := range corpus.Captures(t, dir) {
		r, err := Open(filepath.Join(dir, name))
		if err != nil {
			continue // the libpcap reject files
		}
		fs, _ := readAll(t, r)
		frames[name], links[name] = fs, r.LinkType()
		names = append(names, name)
		r.Close()
	}
	return dir, names, frames, links
}

// normTime is the timestamp a writer stores for f: 0 for NoTime frames,
// out-of-range sub-seconds folded into the seconds.
func normTime(f *Frame) (int64, int64) {
	if f.NoTime {
		return 0, 0
	}
	return f.Sec + f.Nsec/1e9, f.Nsec % 1e9
}

func singleLinkType(fs []Frame, header uint32) bool {
	for i := range fs {
		if fs[i].LinkType != header {
			return false
		}
	}
	return true
}

// writeCapture writes frames to path, stopping at the first error.
func writeCapture(path string, link uint32, fs []Frame) error {
	w, err := Create(path, link)
	if err != nil {
		return err
	}
	for i := range fs {
		if err := w.WriteFrame(&fs[i]); err != nil {
			w.Close()
			return err
		}
	}
	return w.Close()
}

// TestRoundTrip writes every readable corpus capture to pcapng, and to
// classic pcap when it has one link type, reads it back and compares frame
// by frame.
func TestRoundTrip(t *testing.T) {
	_, names, corpus, links := corpusFrames(t)
	tmp := t.TempDir()
	for _, name := range names {
		in, link := corpus[name], links[name]
		t.Run(name, func(t *testing.T) {
			exts := []string{".pcapng", ".pcapng.gz"}
			if singleLinkType(in, link) {
				exts = append(exts, ".pcap")
			}
			for _, ext := range exts {
				out := filepath.Join(tmp, strings.ReplaceAll(name, "/", "_")+ext)
				err := writeCapture(out, link, in)
				if ext == ".pcap" && name == "tcpdump/time_2107.pcapng" {
					// 2107 does not fit pcap's 32-bit seconds.
					if err == nil || !strings.Contains(err.Error(), "outside classic pcap's range (1970 to 2106); write to a .pcapng name instead") {
						t.Errorf("%s: error %v, want a time-range error", ext, err)
					}
					continue
				}
				if err != nil {
					t.Fatalf("%s: %v", ext, err)
				}
				r, err := Open(out)
				if err != nil {
					t.Fatalf("%s: %v", ext, err)
				}
				back, err := readAll(t, r)
				r.Close()
				if err != nil || len(back) != len(in) {
					t.Fatalf("%s: %d frames back of %d, %v", ext, len(back), len(in), err)
				}
				if r.LinkType() != link {
					t.Errorf("%s: link type %d, want %d", ext, r.LinkType(), link)
				}
				for i := range in {
					a, b := &in[i], &back[i]
					sec, nsec := normTime(a)
					if !bytes.Equal(a.Data, b.Data) || a.Len != b.Len || a.LinkType != b.LinkType ||
						b.Sec != sec || b.Nsec != nsec || b.NoTime {
						t.Fatalf("%s frame %d: read back %d.%09d len %d cap %d lt %d, wrote %d.%09d len %d cap %d lt %d",
							ext, i+1, b.Sec, b.Nsec, b.Len, len(b.Data), b.LinkType,
							sec, nsec, a.Len, len(a.Data), a.LinkType)
					}
				}
			}
		})
	}
}

// TestWrittenFilesReadByTools checks our output with the reference readers
// when they are installed: tcpdump must print one packet line per frame, and
// tshark must see every frame with our lengths and timestamps. It runs a few
// hundred tool processes, so -short skips it.
func TestWrittenFilesReadByTools(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: not running tcpdump/tshark on every written file")
	}
	tcpdump, errTcpdump := exec.LookPath("tcpdump")
	tshark, errTshark := exec.LookPath("tshark")
	if errTcpdump != nil && errTshark != nil {
		t.Skip("neither tcpdump nor tshark is installed")
	}
	_, names, corpus, links := corpusFrames(t)
	tmp := t.TempDir()
	for _, name := range names {
		in, link := corpus[name], links[name]
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			single := singleLinkType(in, link)
			exts := []string{".pcapng"}
			if single && name != "tcpdump/time_2107.pcapng" {
				exts = append(exts, ".pcap")
			}
			for _, ext := range exts {
				out := filepath.Join(tmp, strings.ReplaceAll(name, "/", "_")+ext)
				if err := writeCapture(out, link, in); err != nil {
					t.Fatal(err)
				}
				// libpcap 1.10 refuses pcapng files whose interfaces differ
				// in link type, so tcpdump only checks single-type output.
				if errTcpdump == nil && single {
					n, err := tcpdumpCount(tcpdump, out)
					if err != nil {
						t.Errorf("%s: tcpdump: %v", ext, err)
					} else if n != len(in) {
						t.Errorf("%s: tcpdump printed %d packets, we wrote %d", ext, n, len(in))
					}
				}
				if errTshark == nil {
					tsharkCompare(t, tshark, out, ext, in)
				}
			}
		})
	}
}

var tcpdumpPacketLine = regexp.MustCompile(`^\d+\.\d+ `)

// tcpdumpCount runs tcpdump -r out -n -tt and counts the lines that start a
// packet (continuation lines start with white space).
func tcpdumpCount(tcpdump, out string) (int, error) {
	cmd := exec.Command(tcpdump, "-r", out, "-n", "-tt")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.Output()
	if err != nil {
		return 0, fmt.Errorf("%v: %s", err, stderr.String())
	}
	n := 0
	sc := bufio.NewScanner(bytes.NewReader(stdout))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		if tcpdumpPacketLine.Match(sc.Bytes()) {
			n++
		}
	}
	return n, nil
}

// tsharkCompare runs tshark on out and compares its frame.len, frame.cap_len
// and frame.time_epoch with the frames we wrote.
func tsharkCompare(t *testing.T, tshark, out, ext string, in []Frame) {
	t.Helper()
	cmd := exec.Command(tshark, "-n", "-r", out, "-T", "fields",
		"-e", "frame.len", "-e", "frame.cap_len", "-e", "frame.time_epoch")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.Output()
	if err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			t.Errorf("%s: tshark: %v", ext, err)
			return
		}
		t.Errorf("%s: tshark: %v: %s", ext, err, stderr.String())
	}
	lines := strings.Split(strings.TrimSuffix(string(stdout), "\n"), "\n")
	if len(in) == 0 && lines[0] == "" {
		lines = nil
	}
	if len(lines) != len(in) {
		t.Errorf("%s: tshark read %d packets, we wrote %d", ext, len(lines), len(in))
		return
	}
	for i, line := range lines {
		f := strings.Split(line, "\t")
		sec, nsec := normTime(&in[i])
		want := []string{strconv.Itoa(in[i].Len), strconv.Itoa(len(in[i].Data)), fmt.Sprintf("%d.%09d", sec, nsec)}
		if len(f) != 3 || f[0] != want[0] || f[1] != want[1] || f[2] != want[2] {
			t.Errorf("%s frame %d: tshark %q, want %q", ext, i+1, f, want)
		}
	}
}
