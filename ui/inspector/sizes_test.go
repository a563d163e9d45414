package inspector

import (
	"context"
	"flag"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rivo/uniseg"
	"github.com/sockscope/sockscope/ui/internal/simtest"
	"github.com/sockscope/sockscope/ui/widgets"
)

// Every pane and the help at 80×24, 100×30, 160×48 and 250×70, in English and
// 中文, read cell by cell: the help's border is whole, the ladder keeps
// both lanes, expert markers show in the Info column, no line of 中文
// starts with closing punctuation, the hints end the status line. The
// 100×30 screens are kept in testdata/screens for review (-update writes
// them).

var updateScreens = flag.Bool("update", false, "rewrite testdata/screens")

// closingPunct may not start a line (Unicode's line breaking, class CL/EX/IS).
const closingPunct = "，。：；、）！？」』】"

var screenViews = []struct {
	name string
	keys []widgets.Key
}{
	// frame 5, the retransmission
	{"packet", []widgets.Key{widgets.Rune('n'), widgets.Rune('n'), widgets.Rune('n'), widgets.Rune('n')}},
	{"conversations", []widgets.Key{widgets.Rune('c')}},
	{"follow", []widgets.Key{widgets.Rune('n'), widgets.Rune('n'), widgets.Rune('n'), widgets.Rune('n'), widgets.Rune('f')}},
	{"ladder", []widgets.Key{widgets.Rune('n'), widgets.Rune('n'), widgets.Rune('n'), widgets.Rune('n'), widgets.Rune('l')}},
	{"help", []widgets.Key{widgets.Rune('?')}},
}

func TestInspectorScreens(t *testing.T) {
	path := writeCapture(t, testConversation())
	for _, lang := range []string{"en", "zh"} {
		zh := lang == "zh"
		for _, size := range [][2]int{{80, 24}, {100, 30}, {160, 48}, {250, 70}} {
			for _, view := range screenViews {
				name := lang + "-" + view.name + "-" + itoa(size[0]) + "x" + itoa(size[1])
				t.Run(name, func(t *testing.T) {
					t.Parallel()
					h := newHarnessSize(t, size[0], size[1], Options{Lang: lang}, func(ctx context.Context, opts Options) error { return RunFile(ctx, path, opts) })
					h.waitText("Frame 1:")
					for _, k := range view.keys {
						h.stable()
						h.press(k)
					}
					h.stable()
					rows := h.screen()
					screen := strings.Join(rows, "\n")
					checkScreen(t, rows, view.name, zh)
					if size[0] == 100 {
						golden(t, name, screen)
					}
				})
			}
		}
	}
}

func itoa(n int) string {
	s := ""
	for ; n > 0; n /= 10 {
		s = string(rune('0'+n%10)) + s
	}
	return s
}

func checkScreen(t *testing.T, rows []string, view string, zh bool) {
	t.Helper()
	dump := strings.Join(rows, "\n")
	status := strings.TrimRight(rows[len(rows)-1], " ")
	if want := (widgets.Text{"? keys", "? 按键"}).In(zh); view != "help" && !strings.HasSuffix(status, want) {
		t.Errorf("the status line does not end with %q: %q", want, status)
	}
	if zh {
		for i, r := range rows {
			inner := strings.TrimLeft(r, " │║┃")
			for _, p := range closingPunct {
				if strings.HasPrefix(inner, string(p)) {
					t.Errorf("row %d starts with %q: %q", i, string(p), r)
				}
			}
		}
	}
	// The inspector's own words in the language asked for, units named.
	words := map[string][2][]string{
		"packet":        {{"Packets", "Details", "Bytes", "packets"}, {"数据包", "详细信息", "字节", "个数据包", "序号"}},
		"conversations": {{"Conversations (2)", "frame bytes"}, {"会话（2）", "帧字节"}},
		"follow":        {{"Follow TCP stream 0", "payload bytes"}, {"跟踪 TCP 流 0", "载荷字节"}},
		"ladder":        {{"Ladder of tcp conversation 0"}, {"的时序图"}},
		"help":          {{"Keys"}, {"按键"}},
	}
	lang := 0
	if zh {
		lang = 1
	}
	for _, w := range words[view][lang] {
		if !strings.Contains(dump, w) {
			t.Errorf("%s lacks %q:\n%s", view, w, dump)
		}
	}
	switch view {
	case "packet":
		found := false
		for _, r := range rows {
			if strings.Contains(r, "[TCP Retransmission]") {
				found = true
			}
		}
		if !found {
			t.Errorf("no [TCP Retransmission] in the packet list:\n%s", dump)
		}
	case "ladder":
		arrows := 0
		for i, r := range rows {
			if strings.Contains(r, "|-- ") {
				arrows++
				if !strings.Contains(r, ">|") {
					t.Errorf("row %d: an A→B arrow does not reach B's lane: %q", i, r)
				}
			}
			if strings.Contains(r, "|<-- ") {
				arrows++
				if !strings.Contains(r, "-|") {
					t.Errorf("row %d: a B→A arrow does not start at B's lane: %q", i, r)
				}
			}
		}
		if arrows < 3 {
			t.Errorf("only %d arrows in the ladder:\n%s", arrows, dump)
		}
	case "help":
		top := -1
		for i, r := range rows {
			if strings.Contains(r, "┌") && strings.Contains(r, (widgets.Text{"Keys", "按键"}).In(zh)) {
				top = i
				break
			}
		}
		if top < 0 {
			t.Fatalf("no help box:\n%s", dump)
		}
		left := runeCol(rows[top], '┌')
		right := runeCol(rows[top], '┐')
		bottom := -1
		for i := top + 1; i < len(rows); i++ {
			if runeCol(rows[i], '└') == left {
				bottom = i
				break
			}
			if runeAt(rows[i], left) != '│' || runeAt(rows[i], right) != '│' {
				t.Errorf("help row %d has no side border: %q", i, rows[i])
			}
		}
		if bottom < 0 || runeAt(rows[bottom], right) != '┘' {
			t.Errorf("the help's bottom border is not whole:\n%s", dump)
		}
	}
}

// runeCol is the column of r's first occurrence in row (rows are read a
// column a rune, wide characters once).
func runeCol(row string, r rune) int {
	col := 0
	for _, c := range row {
		if c == r {
			return col
		}
		col += runeWidth(c)
	}
	return -1
}

func runeAt(row string, col int) rune {
	x := 0
	for _, c := range row {
		if x == col {
			return c
		}
		x += runeWidth(c)
	}
	return 0
}

func runeWidth(c rune) int { return uniseg.StringWidth(string(c)) }

// golden compares screen with testdata/screens/name.txt (or writes it).
func golden(t *testing.T, name, screen string) {
	t.Helper()
	path := filepath.Join("testdata", "screens", name+".txt")
	var b strings.Builder
	for _, r := range strings.Split(screen, "\n") {
		b.WriteString(strings.TrimRight(r, " "))
		b.WriteByte('\n')
	}
	simtest.Golden(t, path, b.String(), *updateScreens, "TestInspectorScreens")
}
