//go:build unix

package demos

import (
	"strings"
	"testing"
	"unicode"
)

// TestCatalog checks the lesson texts: every demo and step has an English
// and a Chinese title and explanation, in the right script.
func TestCatalog(t *testing.T) {
	names := []string{}
	for _, d := range List() {
		names = append(names, d.Name)
		if got, ok := Get(d.Name); !ok || got != d {
			t.Errorf("Get(%q) = %v, %v", d.Name, got, ok)
		}
		if d.Title == "" || d.Summary == "" || !hasHan(d.TitleZH) || !hasHan(d.SummaryZH) || d.Run == nil {
			t.Errorf("%s: title, summary or Run missing", d.Name)
		}
		if len(d.Steps) < 3 {
			t.Errorf("%s: %d steps", d.Name, len(d.Steps))
		}
		for i, s := range d.Steps {
			if s.Title == "" || s.Explain == "" || !hasHan(s.TitleZH) || !hasHan(s.ExplainZH) {
				t.Errorf("%s step %d: a text is missing", d.Name, i+1)
			}
			if n := sentences(s.Explain); n < 2 || n > 5 {
				t.Errorf("%s step %d: %d sentences in English", d.Name, i+1, n)
			}
			if hasHan(strings.NewReplacer("你好", "", "粘包", "", "四次挥手", "").Replace(s.Explain)) {
				t.Errorf("%s step %d: Chinese in the English text: %q", d.Name, i+1, s.Explain)
			}
		}
	}
	if got := strings.Join(names, " "); got != "tcp-echo tcp-multi blocking ipv6 message-boundaries partial-send slow-reader nagle half-close time-wait backlog peer-close refused udp-echo udp-broadcast udp-overflow unix-stream socket-types" {
		t.Errorf("List: %s", got)
	}
	if _, ok := Get("nope"); ok {
		t.Error("Get(nope) found something")
	}
}

func hasHan(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			return true
		}
	}
	return false
}

func sentences(s string) int {
	n := 0
	for _, part := range strings.SplitAfter(s, ". ") {
		if strings.TrimSpace(part) != "" {
			n++
		}
	}
	return n
}
