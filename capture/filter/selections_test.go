package filter

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/sockscope/sockscope/capture"
	"github.com/sockscope/sockscope/internal/corpus"
)

const selectionsTSV = "testdata/tcpdump-selections.tsv"

// selectionRow is one line of the selections table: which frames tcpdump
// printed for an expression on a capture.
//
//	capture     path relative to the corpus
//	expression  the filter ("*" for the capture's own row)
//	frames      frames tcpdump read from the capture (it stops at damage)
//	selected    frame numbers (1-based, original numbering) as ranges
//	            "1-3,7"; "ERROR" when tcpdump refused the expression;
//	            "UNREADABLE" on the "*" row when tcpdump cannot open the file
//	note        tcpdump's error message, if any
type selectionRow struct {
	capture, expr string
	frames        int
	selected      string
	note          string
}

func readSelections(t testing.TB, tsv string) []selectionRow {
	t.Helper()
	f, err := os.Open(tsv)
	if err != nil {
		t.Fatalf("reading %s: %v", tsv, err)
	}
	defer f.Close()
	var rows []selectionRow
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 16<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, "capture\t") {
			continue
		}
		c := strings.Split(line, "\t")
		if len(c) != 5 {
			t.Fatalf("%s: bad line %q", tsv, line)
		}
		n, err := strconv.Atoi(c[2])
		if err != nil {
			t.Fatalf("%s: bad frame count in %q", tsv, line)
		}
		rows = append(rows, selectionRow{c[0], c[1], n, c[3], c[4]})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return rows
}

// formatRanges writes sorted frame numbers as "1-3,7".
func formatRanges(nums []int) string {
	var b strings.Builder
	for i := 0; i < len(nums); {
		j := i
		for j+1 < len(nums) && nums[j+1] == nums[j]+1 {
			j++
		}
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		if j == i {
			fmt.Fprintf(&b, "%d", nums[i])
		} else {
			fmt.Fprintf(&b, "%d-%d", nums[i], nums[j])
		}
		i = j + 1
	}
	return b.String()
}

type frameCopy struct {
	linkType uint32
	wireLen  int
	data     []byte
}

// readFrames reads up to max frames (all when max < 0) with sockscope's
// own reader; it returns the frames read before any error, and the error.
//
// Like libpcap, it cuts a frame whose captured length exceeds the file's
// snapshot length down to that length (tcpdump/mptcp-dss-oobr.pcap has a
// 74-byte record in a file with snaplen 73): filters see what tcpdump sees.
// linkType is the file's (first) link type: the one libpcap compiles for.
func readFrames(path string, max int) (frames []frameCopy, linkType uint32, err error) {
	r, err := capture.Open(path)
	if err != nil {
		return nil, 0, err
	}
	defer r.Close()
	var out []frameCopy
	var f capture.Frame
	for max < 0 || len(out) < max {
		err := r.Next(&f)
		if errors.Is(err, io.EOF) {
			return out, r.LinkType(), nil
		}
		if err != nil {
			return out, r.LinkType(), err
		}
		data := f.Data
		if snap := int(r.SnapLen()); snap > 0 && len(data) > snap {
			data = data[:snap]
		}
		out = append(out, frameCopy{f.LinkType, f.Len, append([]byte(nil), data...)})
	}
	return out, r.LinkType(), nil
}

// TestSelectionsMatchTcpdump checks that Matcher selects exactly the frames
// tcpdump 4.99.3 (libpcap 1.10.3) selected, for every expression of
// recordedExpressions on every capture of the shared corpus.
//
// Known, accepted difference: where libpcap's optimizer proves that an
// expression can never match frames of the link type (say "ip6" on a raw
// IPv4 capture), tcpdump refuses it with "expression rejects all packets";
// Matcher compiles it to a program that rejects every frame, so the
// selection is the same (empty) without the error.
func TestSelectionsMatchTcpdump(t *testing.T) {
	checkSelections(t, corpus.PcapDir(t), selectionsTSV, recordedExpressions)
}

// checkSelections compares Matcher with a selections table recorded from
// the captures under dir.
func checkSelections(t *testing.T, dir, tsv string, exprs []string) {
	rows := readSelections(t, tsv)
	byCapture := map[string][]selectionRow{}
	var order []string
	for _, r := range rows {
		if _, ok := byCapture[r.capture]; !ok {
			order = append(order, r.capture)
		}
		byCapture[r.capture] = append(byCapture[r.capture], r)
	}
	matchers := map[string]*Matcher{}
	var agree, total, skipped, rejectAll int
	for _, name := range order {
		rs := byCapture[name]
		if rs[0].expr != "*" {
			t.Fatalf("%s: first row of %s is not its \"*\" row", tsv, name)
		}
		if rs[0].selected == "UNREADABLE" {
			skipped++
			continue
		}
		path := filepath.Join(dir, filepath.FromSlash(name))
		if _, err := os.Stat(path); err != nil {
			t.Errorf("%s: capture missing: %v", name, err)
			continue
		}
		frames, fileLink, err := readFrames(path, rs[0].frames)
		if len(frames) != rs[0].frames {
			t.Errorf("%s: read %d frames (err %v), tcpdump read %d", name, len(frames), err, rs[0].frames)
			continue
		}
		for _, r := range rs[1:] {
			total++
			m := matchers[r.expr]
			if m == nil {
				m, err = NewMatcher(r.expr)
				if err != nil {
					t.Errorf("%q: %v", r.expr, err)
					continue
				}
				matchers[r.expr] = m
			}
			var sel []int
			// tcpdump compiles for the file's link type before reading.
			_, matchErr := m.Program(fileLink)
			for i, f := range frames {
				if matchErr != nil {
					break
				}
				ok, err := m.Match(f.linkType, f.data, f.wireLen)
				if err != nil {
					matchErr = err
					break
				}
				if ok {
					sel = append(sel, i+1)
				}
			}
			got := formatRanges(sel)
			switch {
			case r.selected == "ERROR" && strings.Contains(r.note, "expression rejects all packets"):
				if matchErr == nil && got != "" {
					t.Errorf("%s %q: tcpdump: %s; we selected %s", name, r.expr, r.note, got)
					continue
				}
				rejectAll++
			case r.selected == "ERROR":
				if matchErr == nil {
					t.Errorf("%s %q: tcpdump refused it (%s); we selected %q", name, r.expr, r.note, got)
					continue
				}
			case matchErr != nil:
				t.Errorf("%s %q: %v; tcpdump selected %q", name, r.expr, matchErr, r.selected)
				continue
			case got != r.selected:
				t.Errorf("%s %q: selected %q, tcpdump %q", name, r.expr, got, r.selected)
				continue
			}
			agree++
		}
	}
	t.Logf("agreement with tcpdump: %d of %d (capture, expression) pairs; %d of them tcpdump refused as rejecting all packets (we select nothing); %d captures tcpdump cannot read skipped",
		agree, total, rejectAll, skipped)
	if total == 0 {
		t.Fatal("no selections checked")
	}
	if !slices.Equal(exprsOf(rows), exprs) {
		t.Errorf("%s was recorded for another expression list: regenerate it (SOCKSCOPE_RECORD_FILTERS=1)", tsv)
	}
}

// exprsOf lists the distinct expressions of rows in first-seen order.
func exprsOf(rows []selectionRow) []string {
	seen := map[string]bool{}
	var out []string
	for _, r := range rows {
		if r.expr != "*" && !seen[r.expr] {
			seen[r.expr] = true
			out = append(out, r.expr)
		}
	}
	return out
}
