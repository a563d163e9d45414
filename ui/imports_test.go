package ui

import (
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// The rooms' rules, read from the sources: nothing under ui/ imports
// gopacket (the UI draws decode's model); ui/widgets, which every view
// shares, imports no view and no model; a view imports no other view
// (the picker shows a demoview.View, nothing else reaches sideways).
func TestImportRules(t *testing.T) {
	files := 0
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") {
			return err
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		files++
		dir := filepath.ToSlash(filepath.Dir(path))
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			switch {
			case strings.Contains(p, "gopacket"):
				t.Errorf("%s imports %s: ui/ never imports gopacket", path, p)
			case dir == "widgets" && strings.HasPrefix(p, "github.com/sockscope/sockscope/") &&
				p != "github.com/sockscope/sockscope/internal/escape" && p != "github.com/sockscope/sockscope/internal/textcol" &&
				!strings.HasSuffix(path, "_test.go"):
				t.Errorf("%s imports %s: widgets holds what every view shares and knows no model", path, p)
			case dir == "inspector" && strings.Contains(p, "/ui/demoview"),
				dir == "demoview" && strings.Contains(p, "/ui/inspector"),
				dir == "demoview" && strings.Contains(p, "/ui/picker"):
				t.Errorf("%s imports %s: one view does not reach into another", path, p)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 40 {
		t.Fatalf("read only %d files under ui/", files)
	}
}
