package simtest

import (
	"os"
	"path/filepath"
	"testing"
)

// Golden compares a screen with the file at path or, with update (the
// tests' -update flag), writes it there. run names the test that rewrites
// it, for the message when they differ.
func Golden(t testing.TB, path, got string, update bool, run string) {
	t.Helper()
	if update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test -run %s -update writes it)", err, run)
	}
	if string(want) != got {
		t.Errorf("%s differs (go test -run %s -update rewrites it); the screen now:\n%s", path, run, got)
	}
}
