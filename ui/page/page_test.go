package page

import (
	"bytes"
	"encoding/xml"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/sockscope/sockscope/decode"
	"github.com/sockscope/sockscope/internal/htmltest"
)

const (
	hostileScript  = `<script>alert(1)</script>`
	hostileOnerror = `<img src=x onerror=alert(1)>`
)

// testLadder is a connection of n rows: a handshake, then data segments
// each way (their previews hostile), a 40 ms wait before the last row.
func testLadder(n int) (*decode.Ladder, [][]byte) {
	l := &decode.Ladder{Conv: decode.ConvRef{Proto: "tcp"}, Lanes: [2]string{"127.0.0.1:40000", "127.0.0.1:7000"},
		Roles: [2]decode.Role{decode.RoleClient, decode.RoleServer}, StartSec: 1_700_000_000}
	var previews [][]byte
	var seq [2]uint32
	for i := range n {
		dir := i % 2
		r := decode.LadderRow{Frame: i + 1, Sec: 1_700_000_000, Nsec: int64(i) * 20_000, Dir: dir, HasAck: i > 0, Window: 65536}
		if i == n-1 {
			r.Nsec += 40_000_000
		}
		var pl []byte
		switch {
		case i == 0:
			r.Flags = decode.TCPSyn
			r.State = [2]decode.TCPState{decode.StateSynSent, decode.StateListen}
			r.Changed = [2]bool{true, true}
		case i == 1:
			r.Flags = decode.TCPSyn | decode.TCPAck
		default:
			r.Flags = decode.TCPPsh | decode.TCPAck
			if i%3 == 0 {
				pl = []byte(hostileScript)
			} else {
				pl = []byte(hostileOnerror)
			}
			r.Len = len(pl)
		}
		r.Seq, r.Ack = seq[dir], seq[1-dir]
		seq[dir] += uint32(r.Len)
		if r.Flags&decode.TCPSyn != 0 {
			seq[dir]++
		}
		r.Label = "PSH, ACK seq=" + strconv.Itoa(int(r.Seq)) + " len=" + strconv.Itoa(r.Len)
		l.Rows = append(l.Rows, r)
		previews = append(previews, pl)
	}
	return l, previews
}

func render(t testing.TB, p *Page) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := p.WritePage(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestHostilePayloadIsText(t *testing.T) {
	l, pv := testLadder(8)
	out := render(t, Connection(l, pv, Options{}))
	doc, err := html.Parse(bytes.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	scripts, imgs := 0, 0
	var svgText, tableText strings.Builder
	htmltest.Walk(doc, func(n *html.Node) {
		switch n.Data {
		case "script":
			scripts++
			if htmltest.Text(n) != pageScript {
				t.Errorf("a script that is not the page's own: %q", htmltest.Text(n))
			}
		case "img":
			imgs++
		case "text":
			svgText.WriteString(htmltest.Text(n))
		case "td":
			tableText.WriteString(htmltest.Text(n))
		}
		for _, a := range n.Attr {
			if strings.HasPrefix(strings.ToLower(a.Key), "on") {
				t.Errorf("<%s> has an event handler attribute %s=%q", n.Data, a.Key, a.Val)
			}
		}
	})
	if scripts != 1 || imgs != 0 {
		t.Errorf("%d script elements (want the page's one), %d img elements (want none)", scripts, imgs)
	}
	for _, want := range []string{`"<script>alert(1)</script>"`, `"<img src=x onerror=alert(1)>"`} {
		if !strings.Contains(tableText.String(), want) {
			t.Errorf("the table does not show %s as text", want)
		}
		if !strings.Contains(svgText.String(), want[:12]) {
			t.Errorf("the ladder does not show %s as text", want[:12])
		}
	}
	if bytes.Contains(out, []byte(hostileScript)) || bytes.Contains(out, []byte("<img")) {
		t.Errorf("a payload reached the page unescaped")
	}
	if !bytes.Contains(out, []byte(strings.Trim(scriptHash, "'"))) {
		t.Errorf("the content policy does not name the page's script")
	}
}

// TestControlCharactersEscaped: a lane name or label holding terminal
// controls and a bidi override is shown with them escaped.
func TestControlCharactersEscaped(t *testing.T) {
	l, pv := testLadder(4)
	l.Lanes[0] = "evil\x1b]0;x\x07\u202e"
	out := render(t, Connection(l, pv, Options{}))
	if bytes.ContainsAny(out, "\x1b\x07\u202e") {
		t.Fatalf("a control character reached the page")
	}
	if !bytes.Contains(out, []byte(`evil\x1b]0;x\x07\u202e`)) {
		t.Errorf("the escaped lane name is not shown")
	}
}

// TestSVGWellFormed: --format svg is an XML document with the ladder's
// lanes, an arrow group per row and the charts.
func TestSVGWellFormed(t *testing.T) {
	l, pv := testLadder(12)
	var b bytes.Buffer
	if err := Connection(l, pv, Options{}).WriteSVG(&b); err != nil {
		t.Fatal(err)
	}
	d := xml.NewDecoder(bytes.NewReader(b.Bytes()))
	d.Strict = true
	frames, lanes, charts := 0, 0, 0
	for {
		tok, err := d.Token()
		if err != nil {
			if err.Error() != "EOF" {
				t.Fatalf("not well-formed XML: %v", err)
			}
			break
		}
		if se, ok := tok.(xml.StartElement); ok && se.Name.Local == "g" {
			for _, a := range se.Attr {
				if a.Name.Local != "class" {
					continue
				}
				switch {
				case strings.HasPrefix(a.Value, "frame"):
					frames++
				case a.Value == "lanehead":
					lanes++
				case a.Value == "chart":
					charts++
				}
			}
		}
	}
	if frames != 12 || lanes != 4 || charts != 2 { // each lane's head drawn at the top and the foot
		t.Errorf("%d frames, %d lane heads, %d charts; want 12, 4, 2", frames, lanes, charts)
	}
}

// TestBoundSummarises: past MaxRows the picture draws the first and last
// half of the bound, one band counts the rest, and the table still lists
// every row.
func TestBoundSummarises(t *testing.T) {
	l, pv := testLadder(1000)
	out := render(t, Connection(l, pv, Options{MaxRows: 100}))
	doc, err := html.Parse(bytes.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	drawn, rows, bands := 0, 0, 0
	htmltest.Walk(doc, func(n *html.Node) {
		c, _ := htmltest.Attr(n, "class")
		switch {
		case n.Data == "g" && strings.HasPrefix(c, "frame"):
			drawn++
		case n.Data == "tr" && strings.HasPrefix(c, "frame"):
			rows++
		case n.Data == "g" && c == "band":
			bands++
			if got := htmltest.Text(n); !strings.HasPrefix(got, "900 rows not drawn (900 packets, 0 calls") {
				t.Errorf("band: %q", got)
			}
		}
	})
	if drawn != 100 || rows != 1000 || bands != 1 {
		t.Errorf("drew %d frames, listed %d, %d bands; want 100, 1000, 1", drawn, rows, bands)
	}
	if !bytes.Contains(out, []byte("The ladder draws at most 100 rows")) {
		t.Errorf("the page does not state its bound")
	}
}

// TestAxisMonotone: a longer wait is never drawn shorter, and a 40 ms
// wait is drawn several times as tall as a 20 µs one.
func TestAxisMonotone(t *testing.T) {
	prev := -1.0
	for d := time.Duration(0); d < 100*time.Second; d = d*3/2 + time.Microsecond {
		g := gapFor(d)
		if g < prev {
			t.Fatalf("gapFor(%v) = %v < gapFor of a shorter wait %v", d, g, prev)
		}
		prev = g
	}
	if short, long := gapFor(20*time.Microsecond)+rowH, gapFor(40*time.Millisecond)+rowH; long < 3*short {
		t.Errorf("a 40 ms wait takes %.0f, a 20 µs one %.0f: the long wait does not look long", long, short)
	}
	if g := gapFor(60 * time.Second); g > 200 {
		t.Errorf("a 60 s wait takes %.0f: not compressed", g)
	}
}

// TestConnectionCharts: each endpoint's chart has its bytes in flight
// (its last sent byte not yet acknowledged) after each row.
func TestConnectionCharts(t *testing.T) {
	l, pv := testLadder(6)
	p := Connection(l, pv, Options{})
	if len(p.Charts) != 2 {
		t.Fatalf("%d charts", len(p.Charts))
	}
	a := p.Charts[0].Points
	// Row 3 (frame 3) is A's first data, 28 bytes, not yet acked.
	found := false
	for _, pt := range a {
		if pt.After == "frame 3" {
			found = true
			if pt.SendQ != len(hostileOnerror) || pt.Window != 65536 {
				t.Errorf("after frame 3: in flight %d, window %d", pt.SendQ, pt.Window)
			}
		}
	}
	if !found {
		t.Errorf("no point after frame 3: %+v", a)
	}
}

// BenchmarkConnectionPage10k: the page of a 10,000-packet connection (the
// export's bound: well under 2 s).
func BenchmarkConnectionPage10k(b *testing.B) {
	l, pv := testLadder(10_000)
	b.ReportAllocs()
	var n int
	for b.Loop() {
		var buf bytes.Buffer
		if err := Connection(l, pv, Options{}).WritePage(&buf); err != nil {
			b.Fatal(err)
		}
		n = buf.Len()
	}
	b.ReportMetric(float64(n), "bytes")
}
