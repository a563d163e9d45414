package ui

import (
	"strings"
	"testing"

	"github.com/sockscope/sockscope/internal/glossary"
)

// The views' own Chinese words follow the project's glossary and its
// punctuation rules (internal/glossary), as the lessons' do.
func TestViewsChineseFollowsTheGlossary(t *testing.T) {
	texts, err := glossary.Sources("..")
	if err != nil {
		t.Fatal(err)
	}
	terms, err := glossary.Terms()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, x := range texts {
		if !glossary.IsChinese(x.Value) {
			continue
		}
		if !strings.HasPrefix(x.File, "ui/") || strings.HasPrefix(x.File, "ui/page/") || strings.HasSuffix(x.File, "_test.go") {
			continue // ui/page is checked with its own words
		}
		n++
		for _, p := range glossary.Check(x.Value, terms) {
			t.Errorf("%s:%d: %s", x.File, x.Line, p)
		}
	}
	if n < 100 {
		t.Errorf("found %d Chinese texts under ui/: the walk missed files", n)
	}
}
