package main

import (
	"os"
	"path/filepath"
	"testing"
)

// TestMain removes the directory sockscopeBinary built the command into:
// it is made once per test process, outside any test's TempDir, and each
// run left a 13 MB copy behind.
func TestMain(m *testing.M) {
	code := m.Run()
	if binary != "" {
		os.RemoveAll(filepath.Dir(binary))
	}
	os.Exit(code)
}
