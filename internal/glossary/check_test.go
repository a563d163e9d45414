package glossary

import (
	"strings"
	"testing"
)

func TestTermsParse(t *testing.T) {
	terms, err := Terms()
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"报文段", "数据报", "数据包", "网络上", "发送方", "接收方", "环回接口", "地址族", "监听队列", "端口复用", "时序图", "高亮", "按 n 继续", "最多读取的字节数", "线程", "处理线程"}
	var got []string
	for _, tm := range terms {
		got = append(got, tm.Preferred)
		for _, f := range tm.Forbidden {
			if f == "" || strings.Contains(tm.Preferred, f) && !strings.Contains(strings.Join(tm.Allowed, "|"), f) {
				t.Errorf("glossary.tsv:%d: forbidden variant %q is empty or part of the preferred term", tm.Line, f)
			}
		}
	}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("terms: %v\nwant %v", got, want)
	}
}

// TestCheck: each rule fires on the text that breaks it and stays quiet
// on the text that follows it.
func TestCheck(t *testing.T) {
	terms, err := Terms()
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		text string
		want []string // "rule: found" prefixes, in order; nil: no problem
	}{
		{"不管它们在网络上是两个报文段还是一个，接收方套接字里只有一串字节。", nil},
		{"不管它们在线路上是两个报文段还是一个，接收端套接字里只有一串字节。", []string{"glossary: 不管它们在线路上", "glossary: 报文段还是一个，接收端"}},
		{"两个 TCP 包", []string{"glossary: 两个 TCP 包"}},
		{"TCP 报文段", nil},
		{"监听队列（accept 队列）满了", nil},
		{"accept 队列满了", []string{"glossary: accept 队列满了"}},
		{"SO_REUSEADDR（地址重用）", []string{"glossary: "}},
		{"梯形图", []string{"glossary: 梯形图"}},
		{"按缓冲区大小截断", []string{"glossary: 按缓冲区大小截断"}},
		{"每个 handler 在自己的连接上", []string{"glossary: ", "english: "}},
		{"启动一个 goroutine 去处理", []string{"glossary: ", "english: "}},
		// punctuation
		{"返回 4 字节,然后", []string{"punctuation: "}},
		{"对端关闭(FIN)", []string{"punctuation: 对端关闭("}},
		{"见“粘包”。", nil},
		{`见"粘包"。`, []string{"punctuation: ", "punctuation: "}},
		{"返回 4 字节 ，然后", []string{"punctuation: "}},
		{"     （没有）", nil},
		{"先读 4 字节。", nil},
		{"读到了.", []string{"punctuation: "}},
		// code keeps its ASCII punctuation and words
		{"（conn, addr = s.accept()）", nil},
		// a number's letters are not English: a DNS id of hex letters only
		{"id 0xfaaf，期望递归", nil},
		{"服务器读 b'hello, world' 之后", nil},
		{`发送 "你好".encode() 和 b"world"。`, nil},
		{"Python 抛出 OSError: [Errno 98] Address already in use。", nil},
		{"报“Address already in use”", nil},
		{"ss -tuanoi 一致", nil},
		{"坚持定时器（persist timer）", nil},
		{"recvfrom 返回 (data, addr)：先数据，后地址。", nil},
		{"地址是 (host, port, flowinfo, scope_id)。", nil},
		{"客户端 client-1、tcp-echo、Linux、IPv6、SO_REUSEADDR、Recv-Q", nil},
		{"三个 client 各自 connect", []string{"english: "}},
		{"the kernel 收下了", []string{"english: ", "english: "}},
		{"连接刚建立时（quick-ACK 模式）", nil},
	}
	for _, c := range cases {
		got := Check(c.text, terms)
		ok := len(got) == len(c.want)
		for i := 0; ok && i < len(got); i++ {
			ok = strings.HasPrefix(got[i].Rule+": "+got[i].Found, c.want[i])
		}
		if !ok {
			t.Errorf("Check(%q) = %v\nwant %q", c.text, got, c.want)
		}
	}
}

func TestIsChinese(t *testing.T) {
	for s, want := range map[string]bool{
		"Two sends, one recv (粘包)":                                    false,
		"TCP is a byte stream, what Chinese tutorials call 粘包.":       false,
		`step 4: one recv(1024) returns all 16 bytes, "hello你好world"`: false,
		"两次 send，一次 recv（粘包）":                                         true,
		"listen(1)：backlog 为 1":                                       true,
		"%d B / 最大 %d B":                                              true,
		"no Chinese at all":                                           false,
	} {
		if IsChinese(s) != want {
			t.Errorf("IsChinese(%q) = %v", s, !want)
		}
	}
}
