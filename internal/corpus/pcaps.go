package corpus

import (
	"bufio"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// EnvPcaps names the environment variable that overrides the corpus location.
const EnvPcaps = "SOCKSCOPE_PCAPS"

// EnvRequire names the environment variable that makes a missing corpus a
// failure instead of a skip. .ci/run sets it: in CI the corpus is always
// beside the clone, so a golden test must never pass by skipping.
const EnvRequire = "SOCKSCOPE_REQUIRE_CORPUS"

// PcapDir returns the corpus directory: $SOCKSCOPE_PCAPS if set, else
// ../shared/pcaps beside the repository root (found from this source file,
// so it works from any package directory). It skips the test when the
// corpus is absent, or fails it when $SOCKSCOPE_REQUIRE_CORPUS is set.
func PcapDir(t testing.TB) string {
	t.Helper()
	dir, ok := FindPcapDir()
	if !ok && os.Getenv(EnvRequire) != "" {
		t.Fatalf("pcap corpus not found at %q and %s is set (set %s to its location)", dir, EnvRequire, EnvPcaps)
	}
	if !ok {
		t.Skipf("pcap corpus not found at %q (set %s to its location)", dir, EnvPcaps)
	}
	return dir
}

// FindPcapDir is PcapDir without the skip: it returns where the corpus
// should be and whether it is there.
func FindPcapDir() (string, bool) {
	dir := os.Getenv(EnvPcaps)
	if dir == "" {
		_, file, _, ok := runtime.Caller(0)
		if !ok {
			return "", false
		}
		root := filepath.Join(filepath.Dir(file), "..", "..") // internal/testdata -> repo root
		dir = filepath.Join(root, "..", "shared", "pcaps")
	}
	st, err := os.Stat(dir)
	return dir, err == nil && st.IsDir()
}

// Captures lists every capture file under dir (*.pcap, *.pcapng, *.gz),
// as paths relative to dir with forward slashes, sorted.
func Captures(t testing.TB, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		switch filepath.Ext(p) {
		case ".pcap", ".pcapng", ".gz":
			rel, err := filepath.Rel(dir, p)
			if err != nil {
				return err
			}
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		t.Fatalf("walking %s: %v", dir, err)
	}
	slices.Sort(out)
	return out
}

// TSVPath returns the tshark table that sits beside a capture:
// X.pcap, X.pcapng and X.pcap.gz all map to X.tshark.tsv.
func TSVPath(capture string) string {
	base := strings.TrimSuffix(capture, ".gz")
	base = strings.TrimSuffix(base, filepath.Ext(base))
	return base + ".tshark.tsv"
}

// Table is a tab-separated table with a header row.
type Table struct {
	Header []string
	Rows   [][]string
}

// Col returns the index of a column by name, or -1.
func (t *Table) Col(name string) int { return slices.Index(t.Header, name) }

// Get returns row i's value in the named column ("" if the column is absent).
func (t *Table) Get(i int, name string) string {
	c := t.Col(name)
	if c < 0 || c >= len(t.Rows[i]) {
		return ""
	}
	return t.Rows[i][c]
}

// ReadTSV reads a tab-separated table. An empty file gives an empty Table
// (tshark refused the capture).
func ReadTSV(t testing.TB, path string) *Table {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("reading expected table: %v", err)
	}
	defer f.Close()
	tab := &Table{}
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 16<<20)
	for sc.Scan() {
		fields := strings.Split(sc.Text(), "\t")
		if tab.Header == nil {
			tab.Header = fields
			continue
		}
		tab.Rows = append(tab.Rows, fields)
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("reading %s: %v", path, err)
	}
	return tab
}
