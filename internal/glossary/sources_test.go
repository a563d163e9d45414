package glossary

import (
	"strings"
	"testing"
)

// checkUI: the views' Chinese under ui/ is checked like the rest (set it
// false to only log ui/'s problems while reworking a view).
const checkUI = true

// notText are string literals holding Chinese that are data, not words a
// person reads as sockscope's: payloads the lessons send.
var notText = map[string]bool{
	"你好, world":           true, // message-boundaries' second message
	"大家好, hello everyone": true, // udp-broadcast's datagram
}

// TestSources checks every Chinese text in the project's Go sources (string
// literals, found with go/parser) against the glossary and the punctuation
// rules.
func TestSources(t *testing.T) {
	texts, err := Sources("../..")
	if err != nil {
		t.Fatal(err)
	}
	terms, err := Terms()
	if err != nil {
		t.Fatal(err)
	}
	n, lessons := 0, 0
	for _, x := range texts {
		if notText[x.Value] || !IsChinese(x.Value) {
			continue
		}
		n++
		if strings.HasPrefix(x.File, "demos/") {
			lessons++
		}
		for _, p := range Check(x.Value, terms) {
			if strings.HasPrefix(x.File, "ui/") && !checkUI {
				t.Logf("TODO ui: %s:%d: %s", x.File, x.Line, p)
				continue
			}
			t.Errorf("%s:%d: %s", x.File, x.Line, p)
		}
	}
	// The walk must have found the lessons' texts: hundreds of them.
	if n < 500 || lessons < 400 {
		t.Errorf("found %d Chinese texts, %d under demos/: the walk missed files", n, lessons)
	}
}
