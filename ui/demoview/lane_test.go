package demoview

import (
	"testing"

	"github.com/sockscope/sockscope/internal/textcol"
)

func TestShortLane(t *testing.T) {
	for _, c := range []struct {
		name  string
		width int
		want  string
	}{
		{"server", 10, "server"},
		{"python3 echo_server.py [28516]", 40, "python3 echo_server.py [28516]"},
		{"python3 echo_server.py [28516]", 20, "python3 ech… [28516]"},
		{"python3 threaded_server.py [412] thread 415", 30, "python3 thre… [412] thread 415"},
		{"a-very-long-lesson-endpoint", 10, "a-very-lo…"},
	} {
		got := shortLane(c.name, c.width)
		if got != c.want || textcol.Width(got) > c.width {
			t.Errorf("shortLane(%q, %d) = %q, want %q", c.name, c.width, got, c.want)
		}
	}
}
