package main

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/sockscope/sockscope/internal/htmltest"
)

// The page export (demo/trace --html, replay --ladder --format html|svg):
// every lesson's page against the same run's --json, parsed here and, where
// Chromium is installed, as a browser builds it.

// pageLessonsEnv: "all" checks the page of every lesson; by default a few
// that between them have TCP, blocked calls and zero windows, UDP
// broadcast and AF_UNIX.
const pageLessonsEnv = "SOCKSCOPE_PAGE_LESSONS"

var defaultPageLessons = []string{"tcp-echo", "slow-reader", "udp-broadcast", "unix-stream"}

// browserLessons are the lessons also opened in Chromium by default (each
// takes a browser start of several seconds); all with
// SOCKSCOPE_PAGE_LESSONS=all.
var browserLessons = []string{"tcp-echo", "slow-reader", "udp-broadcast"}

func pageLessons(t *testing.T) []string {
	switch v := os.Getenv(pageLessonsEnv); v {
	case "":
		return defaultPageLessons
	case "all":
		out, err := exec.Command(sockscopeBinary(t), "demo", "list").Output()
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, line := range strings.Split(string(out), "\n") {
			if strings.HasPrefix(line, "  ") && !strings.HasPrefix(line, "   ") {
				names = append(names, strings.Fields(line)[0])
			}
		}
		return names
	default:
		return strings.Split(v, ",")
	}
}

// runDemoPage runs a lesson once with --json and --html, so that the page
// and the JSON are of the same run.
func runDemoPage(t *testing.T, name string) (*demoRun, string) {
	t.Helper()
	dir := t.TempDir()
	page := filepath.Join(dir, name+".html")
	cmd := exec.Command(sockscopeBinary(t), "demo", name, "--json", "--pace", "0", "--lang", "en", "--html", page)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		if strings.Contains(stderr.String(), "user namespaces") {
			t.Skipf("no private network namespace here: %s", stderr.String())
		}
		t.Fatalf("sockscope demo %s --html: %v\n%s", name, err, stderr.String())
	}
	return parseDemoJSON(t, "demo "+name, out), page
}

// TestDemoPages checks each lesson's page (and, in Chromium, the page as
// a browser builds it) against the --json of the same run: one lane per
// endpoint, every call and packet in the ladder and in the tables, and the
// charts' points equal to the "buffer" objects.
func TestDemoPages(t *testing.T) {
	all := os.Getenv(pageLessonsEnv) == "all"
	for _, name := range pageLessons(t) {
		t.Run(name, func(t *testing.T) {
			r, path := runDemoPage(t, name)
			src, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			checkPage(t, "page", htmltest.Parse(t, src), r)
			if all || slices.Contains(browserLessons, name) {
				t.Run("chromium", func(t *testing.T) {
					checkPage(t, "chromium", htmltest.Parse(t, chromiumDOM(t, path)), r)
				})
			}
			if name == "tcp-echo" {
				t.Run("chromium-highlight", func(t *testing.T) { checkHighlight(t, path, r) })
			}
		})
	}
}

const hostileServer = `import socket
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('127.0.0.1', 7198))
s.listen(5)
conn, addr = s.accept()
while True:
    data = conn.recv(1024)
    if not data:
        break
    conn.sendall(data)
conn.close()
s.close()
`

const hostileClient = `import socket, time
c = socket.create_connection(('127.0.0.1', 7198))
c.sendall(b'<script>alert(1)</script>')
time.sleep(0.05)
c.sendall(b'<img src=x onerror=alert(1)>')
got = b''
while len(got) < 53:
    got += c.recv(1024)
c.close()
`

// TestTracePageHostile traces a program whose payloads are markup: the
// page of the trace shows them as text (in the calls, the packets'
// previews and the tables), no element of the page is theirs, and the
// page otherwise agrees with the trace's JSON as a lesson's does.
func TestTracePageHostile(t *testing.T) {
	python(t)
	dir := t.TempDir()
	srv := writeProgram(t, dir, "server.py", hostileServer)
	cli := writeProgram(t, dir, "client.py", hostileClient)
	path := filepath.Join(dir, "trace.html")
	cmd := exec.Command(sockscopeBinary(t), "trace", "--json", "--lang", "en", "--html", path, "-e", "python3 "+srv, "-e", "python3 "+cli)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if strings.Contains(stderr.String(), "user namespaces") {
		t.Skipf("no private network namespace here: %s", stderr.String())
	}
	if err != nil {
		t.Fatalf("sockscope trace --html: %v\n%s", err, stderr.String())
	}
	r := parseDemoJSON(t, "trace", out)
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	check := func(t *testing.T, doc *html.Node) {
		checkPage(t, "page", doc, r)
		scripts := 0
		var cells strings.Builder
		htmltest.Walk(doc, func(n *html.Node) {
			switch n.Data {
			case "script":
				scripts++
			case "img", "iframe", "object", "embed":
				t.Errorf("the page has a <%s> element", n.Data)
			case "td":
				cells.WriteString(htmltest.Text(n))
				cells.WriteByte('\n')
			}
			for _, a := range n.Attr {
				if strings.HasPrefix(strings.ToLower(a.Key), "on") {
					t.Errorf("<%s %s=%q>: an event handler attribute", n.Data, a.Key, a.Val)
				}
			}
		})
		if scripts != 1 {
			t.Errorf("%d script elements; the page has one of its own", scripts)
		}
		for _, want := range []string{"<script>alert(1)</script>", "<img src=x onerror=alert(1)>"} {
			if !strings.Contains(cells.String(), want) {
				t.Errorf("the tables do not show %s as text:\n%s", want, cells.String())
			}
		}
	}
	check(t, htmltest.Parse(t, src))
	if bytes.Contains(src, []byte("<script>alert")) || bytes.Contains(src, []byte("<img")) {
		t.Errorf("a payload reached the page's bytes unescaped")
	}
	t.Run("chromium", func(t *testing.T) { check(t, htmltest.Parse(t, chromiumDOM(t, path))) })
}

// attrOf is n's attribute name, "" if n has none.
func attrOf(n *html.Node, name string) string {
	v, _ := htmltest.Attr(n, name)
	return v
}

func hasAttr(n *html.Node, name string) bool {
	_, ok := htmltest.Attr(n, name)
	return ok
}

func attrFloat(t *testing.T, n *html.Node, name string) float64 {
	t.Helper()
	f, err := strconv.ParseFloat(attrOf(n, name), 64)
	if err != nil {
		t.Fatalf("<%s %s=%q>: %v", n.Data, name, attrOf(n, name), err)
	}
	return f
}

// checkPage compares a page with the JSON of the same run.
func checkPage(t *testing.T, what string, doc *html.Node, r *demoRun) {
	t.Helper()
	// Lanes: one per endpoint that made a call (heads at the top; a lane
	// marked extra is for frames whose other end is no socket of the run).
	var lanes []string
	svgIDs, rowIDs := map[string]bool{}, map[string]bool{}
	rowY := map[string]float64{}
	var charts []*html.Node
	htmltest.Walk(doc, func(n *html.Node) {
		class := attrOf(n, "class")
		switch {
		case n.Data == "g" && class == "lanehead" && !hasAttr(n, "data-foot"):
			lanes = append(lanes, attrOf(n, "data-lane"))
		case n.Data == "g" && class == "chart":
			charts = append(charts, n)
		case n.Data == "tr" && hasAttr(n, "data-id"):
			rowIDs[attrOf(n, "data-id")] = true
		case n.Data == "g" && hasAttr(n, "data-id"):
			id := attrOf(n, "data-id")
			if hasAttr(n, "id") {
				svgIDs[id] = true
			}
			for c := n.FirstChild; c != nil; c = c.NextSibling {
				switch c.Data {
				case "circle":
					rowY[id] = attrFloat(t, c, "cy")
				case "line":
					if attrOf(c, "class") == "arrow" {
						rowY[id] = attrFloat(t, c, "y1")
					}
				}
				if _, ok := rowY[id]; ok {
					break
				}
			}
		}
	})
	endpoints := map[string]bool{}
	for _, c := range append(slices.Clone(r.calls), r.libc...) {
		endpoints[str(c["call.endpoint"])] = true
	}
	var want []string
	for e := range endpoints {
		want = append(want, e)
	}
	slices.Sort(want)
	slices.Sort(lanes)
	if !slices.Equal(lanes, want) {
		t.Errorf("%s: lanes %q, want one per endpoint %q", what, lanes, want)
	}
	// Every call and every packet, in the ladder and in the tables.
	for _, c := range append(slices.Clone(r.calls), r.libc...) {
		id := "c" + strconv.Itoa(num(c["call.number"]))
		if !svgIDs[id] || !rowIDs[id] {
			t.Errorf("%s: call %s: in the ladder %v, in the tables %v", what, id, svgIDs[id], rowIDs[id])
		}
	}
	for _, p := range r.packets {
		id := "f" + strconv.Itoa(num(p["frame.number"]))
		if !svgIDs[id] || !rowIDs[id] {
			t.Errorf("%s: frame %s: in the ladder %v, in the tables %v", what, id, svgIDs[id], rowIDs[id])
		}
	}
	// The charts' points are the "buffer" objects: same socket, same
	// row, same values, drawn where the values say and level with their row.
	got := map[string][]*html.Node{}
	points := 0
	for _, ch := range charts {
		htmltest.Walk(ch, func(n *html.Node) {
			if n.Data != "g" || attrOf(n, "class") != "pt" {
				return
			}
			points++
			k := attrOf(n, "data-endpoint") + "|" + attrOf(n, "data-fd") + "|" + attrOf(n, "data-after")
			got[k] = append(got[k], n)
			checkPointDrawn(t, what, ch, n, rowY)
		})
	}
	if points != len(r.buffers) {
		t.Errorf("%s: %d chart points, %d buffer objects in the JSON", what, points, len(r.buffers))
	}
	for _, b := range r.buffers {
		k := str(b["buffer.endpoint"]) + "|" + strconv.Itoa(num(b["buffer.fd"])) + "|" + str(b["buffer.after"])
		ns := got[k]
		if len(ns) == 0 {
			t.Errorf("%s: no chart point for the buffer object %v", what, b)
			continue
		}
		pt := ns[0]
		got[k] = ns[1:]
		fields := []string{"sendq", "unsent", "recvq", "sndbuf", "rcvbuf", "window"}
		if str(b["buffer.proto"]) == "udp" {
			fields = append(fields, "datagrams", "dropped")
		}
		for _, f := range fields {
			if g, w := attrOf(pt, "data-"+f), strconv.Itoa(num(b["buffer."+f])); g != w {
				t.Errorf("%s: %s: the chart's %s is %s, the JSON's %s", what, k, f, g, w)
			}
		}
		if g, w := attrOf(pt, "data-time"), str(b["buffer.time_epoch"]); g != w {
			t.Errorf("%s: %s: the chart's point is at %s, the JSON's at %s", what, k, g, w)
		}
	}
}

// checkPointDrawn: a point's circles sit at x = the column's start + the
// value scaled by the column's full scale, and level with its row.
func checkPointDrawn(t *testing.T, what string, ch, pt *html.Node, rowY map[string]float64) {
	t.Helper()
	w := attrFloat(t, ch, "data-w")
	for c := pt.FirstChild; c != nil; c = c.NextSibling {
		if c.Data != "circle" {
			continue
		}
		class := attrOf(c, "class")
		x0, full := attrFloat(t, ch, "data-recv-x"), attrFloat(t, ch, "data-recv-max")
		if class == "sendq" {
			x0, full = attrFloat(t, ch, "data-send-x"), attrFloat(t, ch, "data-send-max")
		}
		v := attrFloat(t, pt, "data-"+class)
		if want, got := x0+v*w/full, attrFloat(t, c, "cx"); math.Abs(want-got) > 0.11 {
			t.Errorf("%s: %s %s=%v drawn at x=%v, want %v", what, attrOf(pt, "data-after"), class, v, got, want)
		}
		row := attrOf(pt, "data-row")
		if y, ok := rowY[row]; !ok || math.Abs(y-attrFloat(t, c, "cy")) > 0.11 {
			t.Errorf("%s: %s's point at y=%v, its row %s at %v (%v)", what, attrOf(pt, "data-after"), attrOf(c, "cy"), row, y, ok)
		}
	}
}

// chromiumDOM opens the page in headless Chromium (skipping the test when
// it is not installed), takes a screenshot beside it, fails on any script
// error or refused resource in the console, and returns the DOM as the
// browser built it.
func chromiumDOM(t *testing.T, path string, flags ...string) []byte {
	t.Helper()
	bin := ""
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			bin = p
			break
		}
	}
	if bin == "" {
		t.Skip("Chromium is not installed (Debian: apt-get install chromium): the page is not checked in a browser")
	}
	shot := strings.TrimSuffix(path, ".html") + ".png"
	args := []string{"--headless", "--disable-gpu", "--no-first-run", "--disable-dev-shm-usage",
		"--user-data-dir=" + t.TempDir(), "--enable-logging=stderr", "--v=0",
		"--window-size=1400,1600", "--screenshot=" + shot, "--dump-dom"}
	args = append(append(args, flags...), "file://"+path)
	if os.Geteuid() == 0 {
		args = append([]string{"--no-sandbox"}, args...) // Chromium refuses root without it
	}
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), "DBUS_SESSION_BUS_ADDRESS=unix:path=/nonexistent")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	cmd.Dir = filepath.Dir(path)
	dom, err := cmd.Output()
	if err != nil {
		t.Fatalf("chromium: %v\n%s", err, stderr.String())
	}
	for _, line := range strings.Split(stderr.String(), "\n") {
		if strings.Contains(line, "CONSOLE") || strings.Contains(line, "Uncaught") || strings.Contains(line, "Content Security Policy") {
			t.Errorf("chromium's console: %s", line)
		}
	}
	if st, err := os.Stat(shot); err != nil || st.Size() == 0 {
		t.Errorf("chromium took no screenshot: %v", err)
	}
	if !bytes.Contains(dom, []byte("</html>")) {
		t.Fatalf("chromium gave no DOM:\n%s", fmt.Sprint(stderr.String()))
	}
	return dom
}

// replay --ladder --format html and svg: the connection's lanes, an arrow
// and a table row per packet with its payload preview, the states where
// they change, each side's bytes in flight after every packet; the SVG
// alone is well-formed XML with the same arrows.
func TestReplayLadderPage(t *testing.T) {
	out, errOut, code := runCmd(t, nil, "replay", tcpEcho, "--ladder", "0", "--format", "html")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	doc := htmltest.Parse(t, []byte(out))
	var lanes, states, frames, rows []string
	inflight := map[string]string{}
	htmltest.Walk(doc, func(n *html.Node) {
		class := attrOf(n, "class")
		switch {
		case n.Data == "g" && class == "lanehead" && !hasAttr(n, "data-foot"):
			lanes = append(lanes, attrOf(n, "data-lane"))
		case n.Data == "g" && class == "state":
			states = append(states, htmltest.Text(n))
		case n.Data == "g" && strings.HasPrefix(class, "frame"):
			frames = append(frames, attrOf(n, "id"))
		case n.Data == "tr" && strings.HasPrefix(class, "frame"):
			rows = append(rows, htmltest.Text(n))
		case n.Data == "g" && class == "chart":
			side := attrOf(n, "data-endpoint")[:1]
			htmltest.Walk(n, func(pt *html.Node) {
				if attrOf(pt, "class") == "pt" {
					inflight[side+" "+attrOf(pt, "data-after")] = attrOf(pt, "data-sendq")
				}
			})
		}
	})
	if want := []string{"A 127.0.0.1:60930 (client)", "B 127.0.0.1:7001 (server)"}; !slices.Equal(lanes, want) {
		t.Errorf("lanes %q, want %q", lanes, want)
	}
	if len(frames) != 14 || len(rows) != 14 {
		t.Fatalf("%d arrows, %d table rows; want 14", len(frames), len(rows))
	}
	if !strings.Contains(rows[3], `PSH, ACK seq=1 ack=1 len=5 "hello"`) {
		t.Errorf("frame 4 without its payload preview: %q", rows[3])
	}
	if got := strings.Join(states, " "); got != "SYN_SENT LISTEN ESTABLISHED SYN_RECEIVED ESTABLISHED FIN_WAIT_1 CLOSE_WAIT TIME_WAIT LAST_ACK CLOSED" {
		t.Errorf("states: %s", got)
	}
	// After frame 4 (5 bytes from A), A has 5 in flight; B's ACK (frame 5)
	// brings it back to 0.
	if g := inflight["A frame 4"]; g != "5" {
		t.Errorf("A's bytes in flight after frame 4: %q (%v)", g, inflight)
	}
	if g := inflight["A frame 5"]; g != "0" {
		t.Errorf("A's bytes in flight after frame 5: %q", g)
	}
	if g := inflight["B frame 10"]; g != "16" {
		t.Errorf("B's bytes in flight after frame 10: %q", g)
	}

	svg, errOut, code := runCmd(t, nil, "replay", tcpEcho, "--ladder", "0", "--format", "svg")
	if code != 0 {
		t.Fatalf("svg: exit %d: %s", code, errOut)
	}
	d := xml.NewDecoder(strings.NewReader(svg))
	d.Strict = true
	arrows := 0
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("the SVG is not well-formed: %v", err)
		}
		if se, ok := tok.(xml.StartElement); ok && se.Name.Local == "line" {
			for _, a := range se.Attr {
				if a.Name.Local == "class" && a.Value == "arrow" {
					arrows++
				}
			}
		}
	}
	if arrows != 14 || !strings.HasPrefix(svg, "<?xml") || strings.Contains(svg, "<script") {
		t.Errorf("the SVG has %d arrows (want 14), or no XML prologue, or a script", arrows)
	}
}

// checkHighlight hovers over the first send of the run in Chromium and
// checks that the page's script highlights exactly the send and what it is
// tied to (the frames that carried its bytes and the ACK of the last, the
// calls that read them), in the picture and in the tables.
func checkHighlight(t *testing.T, path string, r *demoRun) {
	var send map[string]any
	for _, c := range r.calls {
		if str(c["call.op"]) == "send" || str(c["call.op"]) == "sendall" {
			send = c
			break
		}
	}
	if send == nil {
		t.Fatal("no send in the run")
	}
	id := "c" + strconv.Itoa(num(send["call.number"]))
	want := map[string]bool{id: true}
	for _, f := range ints(send["call.frames"]) {
		want["f"+strconv.Itoa(f)] = true
	}
	if f, ok := send["call.ack_frame"]; ok && num(f) > 0 {
		f := num(f)
		want["f"+strconv.Itoa(f)] = true // the ACK of its last byte
	}
	for _, c := range ints(send["call.peers"]) {
		want["c"+strconv.Itoa(c)] = true
	}
	// The page in a frame of a harness page, which dispatches the hover
	// once it has loaded and writes what is highlighted into its own body
	// (Chromium lets file: pages reach each other with
	// --allow-file-access-from-files).
	harness := filepath.Join(filepath.Dir(path), "harness.html")
	src := `<!DOCTYPE html><html><body><iframe id="p" src="` + filepath.Base(path) + `" onload="
var d=this.contentDocument, el=d.querySelector('g[data-id=` + id + `]');
el.dispatchEvent(new MouseEvent('mouseover',{bubbles:true}));
var out=[], hs=d.querySelectorAll('.hl');
for (var i=0;i<hs.length;i++) out.push(hs[i].tagName.toLowerCase()+':'+hs[i].getAttribute('data-id'));
document.getElementById('out').textContent=out.join(' ');
"></iframe><pre id="out">none</pre></body></html>`
	if err := os.WriteFile(harness, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	dom := chromiumDOM(t, harness, "--allow-file-access-from-files")
	doc := htmltest.Parse(t, dom)
	var out string
	htmltest.Walk(doc, func(n *html.Node) {
		if attrOf(n, "id") == "out" {
			out = htmltest.Text(n)
		}
	})
	inSVG, inTable := map[string]bool{}, map[string]bool{}
	for _, f := range strings.Fields(out) {
		tag, id, _ := strings.Cut(f, ":")
		switch tag {
		case "g":
			inSVG[id] = true
		case "tr":
			inTable[id] = true
		}
	}
	for id := range want {
		if !inSVG[id] || !inTable[id] {
			t.Errorf("hovering over %s: %s is not highlighted in the picture and the table (%s)", "c"+strconv.Itoa(num(send["call.number"])), id, out)
		}
	}
	for id := range inSVG {
		if !want[id] {
			t.Errorf("hovering over the send highlights %s too, tied to it? (want %v)", id, want)
		}
	}
}
