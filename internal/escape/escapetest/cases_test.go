package escapetest

import (
	"testing"

	"github.com/sockscope/sockscope/internal/escape"
)

func TestCasesAgreeWithThePolicy(t *testing.T) {
	for _, c := range Cases {
		if got := escape.Text(c.In); got != c.Text {
			t.Errorf("%s: escape.Text = %q, table says %q", c.Name, got, c.Text)
		}
		AssertHarmless(t, c.Name, c.Text)
	}
}
