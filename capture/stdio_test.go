package capture

import (
	"os"
	"path/filepath"
	"testing"
)

// TestStdio covers "-": Open reads standard input (named "stdin" in errors)
// and Create writes pcapng to standard output; neither closes them.
func TestStdio(t *testing.T) {
	dir := t.TempDir()
	outPath := filepath.Join(dir, "stdout")
	out, err := os.Create(outPath)
	if err != nil {
		t.Fatal(err)
	}
	saved := os.Stdout
	os.Stdout = out
	w, err := Create("-", LinkEthernet)
	if err == nil {
		err = w.WriteFrame(&Frame{Sec: 1, Len: 3, LinkType: LinkEthernet, Data: seq(3)})
	}
	if err == nil {
		err = w.Close()
	}
	os.Stdout = saved
	if err != nil {
		t.Fatal(err)
	}
	if w.Name() != "stdout" {
		t.Errorf("writer name %q", w.Name())
	}
	if _, err := out.Write(nil); err != nil {
		t.Errorf("Close closed stdout: %v", err)
	}
	out.Close()

	in, err := os.Open(outPath)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	savedIn := os.Stdin
	os.Stdin = in
	defer func() { os.Stdin = savedIn }()
	r, err := Open("-")
	if err != nil {
		t.Fatal(err)
	}
	frames, err := readAll(t, r)
	if err != nil || len(frames) != 1 || r.Name() != "stdin" || r.Format() != "pcapng" {
		t.Errorf("%d frames, %v, name %q, format %q", len(frames), err, r.Name(), r.Format())
	}
	r.Close()
	if _, err := in.Stat(); err != nil {
		t.Errorf("Close closed stdin: %v", err)
	}

	junk, _ := os.Open(os.DevNull)
	os.Stdin = junk
	defer junk.Close()
	if _, err := Open("-"); err == nil || err.Error() != "stdin: not a pcap or pcapng file" {
		t.Errorf("error %v", err)
	}
}

func TestOpenErrors(t *testing.T) {
	if _, err := Open(filepath.Join(t.TempDir(), "missing.pcap")); !os.IsNotExist(err) {
		t.Errorf("missing file: %v", err)
	}
	dir := t.TempDir()
	if _, err := Open(dir); err == nil || err.Error() != "read "+dir+": is a directory" {
		t.Errorf("directory: %v", err)
	}
	empty := filepath.Join(dir, "empty.pcap")
	os.WriteFile(empty, nil, 0o644)
	if _, err := Open(empty); err == nil || err.Error() != empty+": not a pcap or pcapng file" {
		t.Errorf("empty file: %v", err)
	}
}
