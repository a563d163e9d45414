package demoview

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/gdamore/tcell/v2"

	"github.com/sockscope/sockscope/demos"
	"github.com/sockscope/sockscope/demos/sockcall"
	"github.com/sockscope/sockscope/demos/timeline"
	"github.com/sockscope/sockscope/internal/textcol"
	"github.com/sockscope/sockscope/ui/internal/simtest"
)

// Every lesson, drawn from its recorded run (recorded_test.go) at three
// moments — as its first step began, with the cursor on the middle step's
// last packet, and finished — and with the help open, at 80×24, 100×30,
// 160×48 and 250×70 in English and 中文, must lay out without breaking:
// no text cut without "…", no label over a lane's line, no buffer's
// figure without its bar, no line starting with closing punctuation, the
// help's border whole. The 100×30 screens of demoScreenLessons are kept in
// testdata/screens for review (-update rewrites them).
//
// By default the lessons of demoScreenLessons are drawn;
// SOCKSCOPE_DEMO_SCREENS=all draws every lesson's recording (a second or
// two more), and =live also runs every lesson afresh, each in a lab of its
// own, and checks those screens too (TestDemoScreensLive, about 20 s).

var updateScreens = flag.Bool("update", false, "rewrite testdata/screens")

// demoScreenLessons are drawn by default: two endpoints, threads of one
// program, a broadcast to three receivers, and no packets at all.
var demoScreenLessons = []string{"tcp-echo", "tcp-multi", "udp-broadcast", "unix-stream"}

var demoScreenSizes = [][2]int{{80, 24}, {100, 30}, {160, 48}, {250, 70}}

func TestDemoScreensLessons(t *testing.T) {
	names := demoScreenLessons
	switch os.Getenv("SOCKSCOPE_DEMO_SCREENS") {
	case "", "default":
	case "all", "live":
		names = nil
		for _, d := range demos.List() {
			names = append(names, d.Name)
		}
	default:
		t.Fatalf("SOCKSCOPE_DEMO_SCREENS=%q: want all or live", os.Getenv("SOCKSCOPE_DEMO_SCREENS"))
	}
	golden := map[string]bool{}
	for _, n := range demoScreenLessons {
		golden[n] = true
	}
	for _, name := range names {
		r := loadRecording(t, name)
		t.Run(name, func(t *testing.T) { checkLessonScreens(t, r, golden[name]) })
	}
}

// checkLessonScreens draws one recorded run at every size, language and
// moment, checks each screen and compares the 100×30 ones with their
// golden files if keep.
func checkLessonScreens(t *testing.T, r *demoRecording, keep bool) {
	d, _ := demos.Get(r.Lesson)
	mid := len(d.Steps)/2 + 1
	for _, lang := range []string{"en", "zh"} {
		for _, m := range []struct {
			name   string
			step   int // 0: finished
			cursor bool
			help   bool
		}{{"step1", 1, false, false}, {fmt.Sprintf("step%d", mid), mid, true, false}, {"finished", 0, false, false}, {"help", mid, true, true}} {
			for _, size := range demoScreenSizes {
				v := replayView(t, r, lang, m.step)
				if m.cursor {
					v.cursor = lastFrameOrCall(v)
				}
				v.help = m.help
				lines := drawSynth(t, v, size[0], size[1])
				where := fmt.Sprintf("%s %s %s %dx%d", r.Lesson, lang, m.name, size[0], size[1])
				for _, p := range checkDemoScreen(v, lines, m.help) {
					t.Errorf("%s: %s\n%s", where, p, demoDump(lines))
				}
				if keep && size == [2]int{100, 30} && (!m.help || r.Lesson == demoScreenLessons[0]) {
					file := fmt.Sprintf("%s-%s-%s-100x30.txt", lang, r.Lesson, m.name)
					if m.help {
						file = lang + "-help-100x30.txt"
					}
					compareGolden(t, file, demoDump(lines))
				}
			}
		}
	}
}

// lastFrameOrCall is the last packet shown (or the last call, in a
// lesson with no packets).
func lastFrameOrCall(v *View) demoSel {
	var sel demoSel
	end := v.visibleEnd()
	for i := 0; i < end; i++ {
		r := &v.tl.Rows[i]
		if r.Kind == timeline.KindFrame || r.Kind == timeline.KindCall && (sel.kind != timeline.KindFrame) {
			sel = demoSel{r.Kind, r.Num}
		}
	}
	return sel
}

func compareGolden(t *testing.T, file, got string) {
	t.Helper()
	simtest.Golden(t, filepath.Join("testdata", "screens", file), got, *updateScreens, "TestDemoScreensLessons")
}

// laneGlyphs are what a lane's column may show on a call's or a packet's
// row: its line, a call's mark, an arrow crossing it, starting or ending
// at it.
const laneGlyphs = "│┼├┤●○◌"

// demoQueueRE finds a buffer's figure in a lane's head; its bar follows.
var demoQueueRE = regexp.MustCompile(`(Send-Q|Recv-Q) (≥ )?\d+ B( / (max |最大 )?\d+ B)?|^ *[SR] (\d+|–)|accept queue \d+( / backlog \d+)?|accept \d+(/\d+)?|监听队列 \d+( / backlog \d+|/\d+)?`)

// demoStripRE is a strip's label with no strip after it.
var demoStripRE = regexp.MustCompile(`(Send-Q|Recv-Q|accept) +(peak|峰值)`)

// checkDemoScreen checks one drawn screen and returns what is wrong
// with it (the first problem of each kind it looks for).
func checkDemoScreen(v *View, lines []demoScreenLine, help bool) (problems []string) {
	fail := func(format string, args ...any) {
		problems = append(problems, fmt.Sprintf(format, args...))
	}
	w := len(lines[0].cols)
	if len(lines) > 0 {
		w = lines[0].cols[len(lines[0].cols)-1] + 1
	}
	// No line starts with closing CJK punctuation (and none runs past the
	// screen: screenLines reads the cells).
	for i, l := range lines {
		inner := strings.TrimLeft(l.text, " │┌└─")
		if r, _ := utf8.DecodeRuneInString(inner); inner != "" && r >= 0x3000 && textcol.NoLineStart(r) {
			fail("line %d starts with %q: %q", i, string(r), l.text)
			return
		}
	}
	if help {
		if p := checkHelpBox(lines); p != "" {
			fail("%s", p)
		}
		return
	}
	// Text that reaches the right edge is cut with "…" (or is a rule, or
	// a bar's end).
	for i, l := range lines {
		last := l.at(w - 1)
		if last != "" && !strings.Contains(" …─│┐┘┤]", last) && (i != len(lines)-1 && i != 0) {
			fail("line %d runs into the screen's edge without …: %q", i, l.text)
			return
		}
	}
	tl := v.tl
	// The ladder's rows: every lane's line whole, nothing touching a line
	// from the left, and a label whole or cut with "…".
	g := &v.geo
	for k, row := range g.shown[demoPaneLadder] {
		y := g.rowsY[demoPaneLadder] + k
		if row < 0 || y >= len(lines) {
			continue
		}
		r := &tl.Rows[row]
		l := lines[y]
		switch r.Kind {
		case timeline.KindCall, timeline.KindReturn, timeline.KindWaiting, timeline.KindFrame:
		default:
			if r.Kind == timeline.KindStep && !strings.Contains(l.text, r.Text) && !strings.Contains(l.text, "…") {
				fail("the rule of step %d is cut without …: %q", r.Num, l.text)
			}
			continue
		}
		if r.Kind == timeline.KindFrame && (r.Lane < 0 || len(r.To) == 0) {
			continue // not between lanes: written out
		}
		for i, lx := range v.laneX {
			if c := l.at(lx); c == "" || !strings.Contains(laneGlyphs, c) {
				fail("line %d: lane %s's line at column %d shows %q: %q", y, tl.Lanes[i], lx, c, l.text)
				return
			}
			if c := l.at(lx - 1); lx-1 > v.laneLeft(i, 0) && !strings.Contains(" ─▶", c) {
				fail("line %d: text runs into lane %s's line (column %d, %q): %q", y, tl.Lanes[i], lx, c, l.text)
				return
			}
		}
		switch r.Kind {
		case timeline.KindCall, timeline.KindReturn:
			c := tl.Run.Call(r.Num)
			if c == nil {
				continue
			}
			full := string(sockcall.AppendCallLabel(nil, c))
			if !strings.Contains(l.text, full) && !strings.Contains(l.text, "…") {
				fail("line %d: the call %q is cut without …: %q", y, full, l.text)
				return
			}
		case timeline.KindFrame:
			if !strings.Contains(l.text, r.Text) && !strings.Contains(l.text, "…") {
				fail("line %d: the packet's label %q is cut without …: %q", y, r.Text, l.text)
				return
			}
		}
	}
	// The lane heads: each name whole or cut with "…", each buffer's
	// figure with its bar, no strip's label without its strip.
	heads := -1
	for i, l := range lines {
		if strings.HasPrefix(l.text, "─ Ladder ") || strings.HasPrefix(l.text, "─ 时序图 ") {
			heads = i + 1
			break
		}
	}
	if heads < 0 || heads >= len(lines) {
		return
	}
	for i := range tl.Lanes {
		name := strings.TrimSpace(lines[heads].span(v.laneX[i], v.laneEnd[i]+1))
		if want := v.laneName(i); !strings.HasPrefix(name, want) && !strings.Contains(name, "…") {
			fail("lane %s's head reads %q", want, name)
			return
		}
		for y := heads + 1; y < g.rowsY[demoPaneLadder] && y < len(lines); y++ {
			seg := lines[y].span(v.laneX[i], v.laneEnd[i]+1)
			for _, m := range demoQueueRE.FindAllStringIndex(seg, -1) {
				if !strings.HasPrefix(strings.TrimLeft(seg[m[1]:], " "), "[") {
					fail("lane %s: %q has no bar: %q", tl.Lanes[i], seg[m[0]:m[1]], seg)
					return
				}
			}
			if demoStripRE.MatchString(seg) {
				fail("lane %s: a strip's label without its strip: %q", tl.Lanes[i], seg)
				return
			}
		}
	}
	return problems
}

// checkHelpBox checks the help's box: its four corners, its top and bottom
// borders, and a side border on every line between ("" if whole).
func checkHelpBox(lines []demoScreenLine) string {
	top, bottom := -1, -1
	for i, l := range lines {
		if strings.Contains(l.text, "┌") && top < 0 {
			top = i
		}
		if strings.Contains(l.text, "└") && strings.Contains(l.text, "┘") {
			bottom = i
		}
	}
	if top < 0 || bottom <= top {
		return fmt.Sprintf("no help box (top %d, bottom %d)", top, bottom)
	}
	left, right := lines[top].col("┌"), lines[top].col("┐")
	if left < 0 || right <= left || lines[bottom].col("└") != left || lines[bottom].col("┘") != right {
		return "the help box's corners do not line up"
	}
	for c := left + 1; c < right; c++ {
		if lines[bottom].at(c) != "─" {
			return fmt.Sprintf("the help box's bottom border is broken at column %d", c)
		}
	}
	if lines[top].at(left+1) != "─" || lines[top].at(right-1) != "─" {
		return "the help box's top border is broken"
	}
	for y := top + 1; y < bottom; y++ {
		if lines[y].at(left) != "│" || lines[y].at(right) != "│" {
			return fmt.Sprintf("the help box's side border is missing on line %d: %q", y, lines[y].text)
		}
	}
	return ""
}

// The checks find what they look for: a lane's line overwritten, a label
// cut without "…", a figure without its bar, a strip without its strip,
// closing punctuation starting a line, a help box without a side.
func TestDemoScreenChecksFail(t *testing.T) {
	r := loadRecording(t, "tcp-echo")
	draw := func(help bool, spoil func(sim tcell.SimulationScreen, v *View)) []string {
		v := replayView(t, r, "en", 3)
		v.help = help
		sim := tcell.NewSimulationScreen("UTF-8")
		if err := sim.Init(); err != nil {
			t.Fatal(err)
		}
		defer sim.Fini()
		sim.SetSize(100, 30)
		v.SetRect(0, 0, 100, 30)
		v.Draw(sim)
		sim.Show()
		if spoil != nil {
			spoil(sim, v)
		}
		sim.Show()
		return checkDemoScreen(v, screenLines(sim), help)
	}
	if p := draw(false, nil); len(p) > 0 {
		t.Fatalf("the unspoilt screen fails: %q", p)
	}
	if p := draw(true, nil); len(p) > 0 {
		t.Fatalf("the unspoilt help fails: %q", p)
	}
	// The first ladder row that is a call or a packet, and its line.
	callLine := func(v *View) (int, *timeline.Row) {
		for k, row := range v.geo.shown[demoPaneLadder] {
			if row >= 0 && (v.tl.Rows[row].Kind == timeline.KindCall) {
				return v.geo.rowsY[demoPaneLadder] + k, &v.tl.Rows[row]
			}
		}
		t.Fatal("no call row shown")
		return 0, nil
	}
	put := func(sim tcell.SimulationScreen, x, y int, s string) {
		for _, c := range s {
			sim.SetContent(x, y, c, nil, tcell.StyleDefault)
			x++
		}
	}
	for _, c := range []struct {
		what  string
		help  bool
		spoil func(sim tcell.SimulationScreen, v *View)
		want  string
	}{
		{"a label over a lane's line", false, func(sim tcell.SimulationScreen, v *View) {
			y, _ := callLine(v)
			put(sim, v.laneX[1]-3, y, "abcdef")
		}, "line at column"},
		{"a call cut without …", false, func(sim tcell.SimulationScreen, v *View) {
			y, r := callLine(v)
			put(sim, v.laneX[r.Lane]+2, y, strings.Repeat(" ", 12))
		}, "cut without …"},
		{"a bar gone", false, func(sim tcell.SimulationScreen, v *View) {
			lines := screenLines(sim)
			for y, l := range lines {
				if i := strings.Index(l.text, "B  ["); i >= 0 {
					put(sim, l.cols[i]+3, y, " ")
					return
				}
			}
			t.Fatal("no bar on the screen")
		}, "has no bar"},
		{"a strip gone", false, func(sim tcell.SimulationScreen, v *View) {
			lines := screenLines(sim)
			for y, l := range lines {
				i := strings.LastIndex(l.text, "Recv-Q ")
				j := strings.LastIndex(l.text, "peak")
				if i >= 0 && j > i && strings.Contains(l.text[i:j], "▁") {
					put(sim, l.cols[i]+7, y, strings.Repeat(" ", l.cols[j]-l.cols[i]-7))
					return
				}
			}
			t.Fatal("no strip on the screen")
		}, "without its strip"},
		{"a line starting with ，", false, func(sim tcell.SimulationScreen, v *View) {
			put(sim, 0, 2, "  ，")
		}, "starts with"},
		{"text into the right edge", false, func(sim tcell.SimulationScreen, v *View) {
			put(sim, 90, 2, "abcdefghij")
		}, "edge without …"},
		{"a help box without its right side", true, func(sim tcell.SimulationScreen, v *View) {
			lines := screenLines(sim)
			for y, l := range lines {
				if strings.Contains(l.text, "┐") {
					put(sim, l.col("┐"), y+2, " ")
					return
				}
			}
		}, "side border"},
	} {
		p := draw(c.help, c.spoil)
		if len(p) == 0 || !strings.Contains(strings.Join(p, "\n"), c.want) {
			t.Errorf("%s: the checks said %q, want %q", c.what, p, c.want)
		}
	}
}
