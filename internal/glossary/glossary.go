package glossary

import (
	_ "embed"
	"fmt"
	"strings"
)

//go:embed glossary.tsv
var glossaryTSV string

// Term is one line of the glossary.
type Term struct {
	Preferred string   // the tutorials' word
	Forbidden []string // variants a Chinese text must not use
	Allowed   []string // texts that contain a variant and are right
	Note      string   // for translators
	Line      int      // in glossary.tsv
}

// Terms returns the glossary, or an error naming the first bad line of
// glossary.tsv.
func Terms() ([]Term, error) {
	var out []Term
	for i, line := range strings.Split(glossaryTSV, "\n") {
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) != 4 || f[0] == "" || f[1] == "" || f[3] == "" {
			return nil, fmt.Errorf("glossary.tsv:%d: want 4 tab-separated fields (preferred, forbidden, allowed, note), got %d", i+1, len(f))
		}
		out = append(out, Term{Preferred: f[0], Forbidden: splitBar(f[1]), Allowed: splitBar(f[2]), Note: f[3], Line: i + 1})
	}
	return out, nil
}

func splitBar(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, "|")
}
