package filter

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sockscope/sockscope/capture"
	"github.com/sockscope/sockscope/internal/corpus"
)

// TestRecordTcpdumpSelections regenerates testdata/tcpdump-selections.tsv
// with the tcpdump on this machine (needs tcpdump; CI does not run it):
//
//	SOCKSCOPE_RECORD_FILTERS=1 go test ./capture/filter -run TestRecordTcpdumpSelections
//
// tcpdump -# numbers the packets that pass the filter 1, 2, 3, ..., not by
// their place in the file, so the selections are recovered by writing the
// matching packets (tcpdump -w -) and finding them, in order, among all the
// packets tcpdump reads from the file unfiltered. Identical packets get the
// same verdict from any filter, so the first match is always right.
func TestRecordTcpdumpSelections(t *testing.T) {
	if os.Getenv("SOCKSCOPE_RECORD_FILTERS") == "" {
		t.Skip("set SOCKSCOPE_RECORD_FILTERS=1 to regenerate " + selectionsTSV + " and " + syntheticTSV + " with tcpdump")
	}
	tcpdump, err := exec.LookPath("tcpdump")
	if err != nil {
		t.Fatalf("tcpdump not found: %v", err)
	}
	dir := corpus.PcapDir(t)
	writeTable(t, selectionsTSV, recordSelections(t, tcpdump, dir, corpus.Captures(t, dir), recordedExpressions, "the shared captures"))

	names := writeSyntheticCaptures(t)
	writeTable(t, syntheticTSV, recordSelections(t, tcpdump, syntheticDir, names, syntheticExpressions(), "the synthetic captures in "+syntheticDir))
}

func writeTable(t *testing.T, path string, data []byte) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("wrote %s (%d bytes)", path, len(data))
}

// recordSelections runs tcpdump for every expression on every capture.
func recordSelections(t *testing.T, tcpdump, dir string, captures, exprs []string, what string) []byte {
	version, _ := exec.Command(tcpdump, "--version").Output()
	var out bytes.Buffer
	fmt.Fprintf(&out, "# Frames selected by tcpdump on %s.\n", what)
	fmt.Fprintf(&out, "# %s\n", strings.Join(strings.Fields(strings.ReplaceAll(string(version), "\n", "; ")), " "))
	fmt.Fprintf(&out, "# Regenerate: SOCKSCOPE_RECORD_FILTERS=1 go test ./capture/filter -run TestRecordTcpdumpSelections\n")
	fmt.Fprintf(&out, "capture\texpression\tframes\tselected\tnote\n")
	for _, name := range captures {
		path := filepath.Join(dir, filepath.FromSlash(name))
		all, stderr, err := tcpdumpWrite(tcpdump, path, "")
		if all == nil {
			fmt.Fprintf(&out, "%s\t*\t0\tUNREADABLE\t%s\n", name, oneLine(stderr, err))
			continue
		}
		// Our reader must see the same frames, in the same order.
		ours, _, _ := readFrames(path, len(all))
		if len(ours) != len(all) {
			t.Fatalf("%s: tcpdump read %d frames, sockscope %d", name, len(all), len(ours))
		}
		for i := range all {
			if !sameFrame(all[i], ours[i]) {
				t.Fatalf("%s: frame %d differs between tcpdump and sockscope", name, i+1)
			}
		}
		note := ""
		if stderr != "" || err != nil {
			note = oneLine(stderr, err)
		}
		fmt.Fprintf(&out, "%s\t*\t%d\t\t%s\n", name, len(all), note)
		for _, expr := range exprs {
			sel, stderr, err := tcpdumpWrite(tcpdump, path, expr)
			if sel == nil {
				fmt.Fprintf(&out, "%s\t%s\t%d\tERROR\t%s\n", name, expr, len(all), oneLine(stderr, err))
				continue
			}
			var nums []int
			j := 0
			for _, f := range sel {
				for j < len(all) && !sameFrame(all[j], f) {
					j++
				}
				if j == len(all) {
					t.Fatalf("%s %q: a selected frame is not among the unfiltered ones", name, expr)
				}
				nums = append(nums, j+1)
				j++
			}
			fmt.Fprintf(&out, "%s\t%s\t%d\t%s\t\n", name, expr, len(all), formatRanges(nums))
		}
	}
	return out.Bytes()
}

// sameFrame compares frames; tcpdump -w writes LINKTYPE_RAW (12, the
// DLT_RAW of most systems) as the portable 101.
func sameFrame(a, b frameCopy) bool {
	canon := func(lt uint32) uint32 {
		if lt == 12 {
			return 101
		}
		return lt
	}
	return canon(a.linkType) == canon(b.linkType) && a.wireLen == b.wireLen && bytes.Equal(a.data, b.data)
}

// tcpdumpWrite runs tcpdump -r path -w - [expr] and reads back what it
// wrote. frames is nil when tcpdump wrote nothing (it could not open the
// file or compile the expression).
func tcpdumpWrite(tcpdump, path, expr string) (frames []frameCopy, stderr string, err error) {
	args := []string{"-n", "-r", path, "-w", "-"}
	if expr != "" {
		args = append(args, "--", expr) // "--": an expression may start with "-"
	}
	cmd := exec.Command(tcpdump, args...)
	var so, se bytes.Buffer
	cmd.Stdout, cmd.Stderr = &so, &se
	runErr := cmd.Run()
	msg := cleanStderr(se.String())
	if so.Len() == 0 {
		return nil, msg, runErr
	}
	r, err := capture.NewReader(bytes.NewReader(so.Bytes()), "tcpdump output")
	if err != nil {
		return nil, msg, err
	}
	frames = []frameCopy{}
	var f capture.Frame
	for {
		err := r.Next(&f)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, msg, err
		}
		frames = append(frames, frameCopy{f.LinkType, f.Len, append([]byte(nil), f.Data...)})
	}
	if runErr != nil && msg == "" {
		msg = runErr.Error()
	}
	return frames, msg, nil
}

// cleanStderr drops tcpdump's informational lines.
func cleanStderr(s string) string {
	var keep []string
	for _, l := range strings.Split(s, "\n") {
		l = strings.TrimSpace(l)
		if l == "" || strings.HasPrefix(l, "reading from file") || strings.HasPrefix(l, "Warning: interface names might be incorrect") {
			continue
		}
		keep = append(keep, l)
	}
	return strings.Join(keep, " ")
}

func oneLine(stderr string, err error) string {
	s := stderr
	if s == "" && err != nil {
		s = err.Error()
	}
	return strings.NewReplacer("\t", " ", "\n", " ").Replace(s)
}
