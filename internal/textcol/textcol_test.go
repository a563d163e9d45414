package textcol

import (
	"strings"
	"testing"

	"github.com/sockscope/sockscope/internal/glossary"
)

func TestWrap(t *testing.T) {
	cases := []struct {
		in    string
		width int
		want  []string
	}{
		// English breaks between words.
		{"one send read by three recvs", 12, []string{"one send", "read by", "three recvs"}},
		// Chinese between characters, never before "，" or "。": the
		// character before them goes down with them.
		{"客户端发起连接，服务器接受。", 8, []string{"客户端发", "起连接，", "服务器接", "受。"}},
		{"一二三，四五六七。", 6, []string{"一二", "三，四", "五六", "七。"}},
		// Mixed: an English word and the punctuation after it stay together.
		{"调用 recv(1024)，返回 16 字节", 16, []string{"调用", "recv(1024)，返回", "16 字节"}},
		// Opening punctuation stays with what follows it.
		{"对端关闭（FIN）之后", 10, []string{"对端关闭", "（FIN）之", "后"}},
		{"他说：“粘包”不是 bug。", 10, []string{"他说：“粘", "包”不是", "bug。"}},
		// A word longer than the line is cut, but never right before "，"
		// nor right after "(": 127.0.0.1:7035， is 16 columns.
		{"bind 127.0.0.1:7035，然后 listen", 14, []string{"bind", "127.0.0.1:703", "5，然后 listen"}},
		{"s.listen(1)，然后", 11, []string{"s.listen", "(1)，然后"}},
		{"abcdefghij(klm", 10, []string{"abcdefghij", "(klm"}},
		{"abcdefghi(klm", 10, []string{"abcdefghi", "(klm"}},
		// Names of capitals joined by - or / stay whole, as one word.
		{"进入 TIME-WAIT 状态", 10, []string{"进入", "TIME-WAIT", "状态"}},
		{"得到 SYN/ACK 了", 8, []string{"得到", "SYN/ACK", "了"}},
		{"FIN-WAIT-2（第 5 帧）", 12, []string{"FIN-WAIT-2", "（第 5 帧）"}},
		{"well-known names", 6, []string{"well-", "known", "names"}},
		// A newline always breaks.
		{"第一行\n第二行", 20, []string{"第一行", "第二行"}},
	}
	for _, c := range cases {
		got := Wrap(c.in, c.width)
		if strings.Join(got, "|") != strings.Join(c.want, "|") {
			t.Errorf("Wrap(%q, %d) = %q, want %q", c.in, c.width, got, c.want)
		}
		for _, l := range got {
			if Width(l) > c.width {
				t.Errorf("Wrap(%q, %d): %q is %d columns", c.in, c.width, l, Width(l))
			}
		}
	}
}

func TestBadBreak(t *testing.T) {
	for _, c := range []struct {
		lines []string
		want  int
	}{
		{[]string{"客户端发", "起连接，"}, -1},
		{[]string{"客户端发起连接", "，服务器"}, 1},
		{[]string{"a", "b（", "c"}, 2},
		{[]string{"段落一", "", "：段落"}, -1}, // after an empty line: a new paragraph
		{[]string{"x", "  )y"}, 1},
	} {
		if got := BadBreak(c.lines); got != c.want {
			t.Errorf("BadBreak(%q) = %d, want %d", c.lines, got, c.want)
		}
	}
}

// TestWrapProjectTexts wraps every Chinese text of the project's sources
// at every width from 8 to 100 columns: no line is wider than asked, none
// starts with closing punctuation and none ends with opening punctuation.
func TestWrapProjectTexts(t *testing.T) {
	texts, err := glossary.Sources("../..")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, x := range texts {
		if !glossary.IsChinese(x.Value) {
			continue
		}
		n++
		for w := 8; w <= 100; w++ {
			lines := Wrap(x.Value, w)
			if i := BadBreak(lines); i >= 0 {
				t.Errorf("%s:%d at %d columns: line %d %q after %q", x.File, x.Line, w, i, lines[i], lines[i-1])
				break
			}
			for _, l := range lines {
				if Width(l) > w {
					t.Errorf("%s:%d at %d columns: %q is %d wide", x.File, x.Line, w, l, Width(l))
				}
			}
		}
	}
	if n < 500 {
		t.Errorf("only %d Chinese texts found", n)
	}
}

func TestTruncate(t *testing.T) {
	for _, c := range []struct {
		in    string
		width int
		want  string
	}{
		{"hello", 5, "hello"},
		{"hello world", 8, "hello w…"},
		{"客户端发起连接", 7, "客户端…"},
		{"客户端", 0, ""},
	} {
		if got := Truncate(c.in, c.width); got != c.want {
			t.Errorf("Truncate(%q, %d) = %q, want %q", c.in, c.width, got, c.want)
		}
	}
}
