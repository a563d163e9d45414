//go:build unix

package demos

import (
	"context"
	"fmt"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"github.com/sockscope/sockscope/decode"
	"github.com/sockscope/sockscope/demos/sockcall"
)

// NagleAddr is where the nagle server listens.
const NagleAddr = "127.0.0.1:7016"

const (
	naglePort   = 7016
	nagleRounds = 4 // write, write, read: with Nagle, then with TCP_NODELAY
)

// The request, written in two pieces, and the reply.
var (
	nagleRequest = [2][]byte{[]byte("GET "), []byte("/index")}
	nagleReply   = []byte("OK")
)

var nagle = &Demo{
	Name:      "nagle",
	Title:     "Nagle and delayed ACK: write, write, read",
	TitleZH:   "Nagle 算法与延迟确认：写、写、读",
	Summary:   "A request written in two small sends: with Nagle's algorithm the second piece waits for the first one's ACK, which the server delays (about 40 ms on Linux); with TCP_NODELAY it leaves at once.",
	SummaryZH: "一个请求分两次小 send 写出：开着 Nagle 算法时，第二段要等第一段的 ACK，而服务器会推迟这个 ACK（Linux 上大约 40 ms）；设置 TCP_NODELAY 后它立刻发出。",
	Steps: []Step{
		{
			Title:   "A request/response connection",
			TitleZH: "一条请求/响应连接",
			Explain: "The server creates a TCP socket, sets SO_REUSEADDR, binds 127.0.0.1:7016 and listens; the client connects and the server accepts. " +
				"The protocol: the client sends a 10-byte request, b'GET /index', and the server answers b'OK' once it has all 10 bytes.",
			ExplainZH: "服务器创建 TCP 套接字，设置 SO_REUSEADDR，bind 到 127.0.0.1:7016 并 listen；客户端发起连接，服务器 accept。" +
				"协议是这样的：客户端发送 10 字节的请求 b'GET /index'，服务器收齐这 10 个字节后回复 b'OK'。",
		},
		{
			Title:   "Nagle on: write, write, read",
			TitleZH: "开着 Nagle：写、写、读",
			Explain: "The client writes each request in two pieces, s.send(b'GET ') and then s.send(b'/index'), and waits for the reply with s.recv(1024): four rounds. " +
				"Nagle's algorithm, on by default, holds back a small segment while earlier data is unacknowledged, so the second piece waits for the first one's ACK. " +
				"The server's kernel delays that ACK, hoping to send it with a reply (delayed ACK, about 40 ms on Linux), but the server cannot reply before it has the second piece: each side waits for the other until the delayed-ACK timer fires. " +
				"Linux ACKs at once while a connection is new (quick-ACK mode), so a first round may go at full speed. " +
				"Look at the time between the second send's return and the segment that carries its bytes.",
			ExplainZH: "客户端把每个请求分两段写出：先 s.send(b'GET ')，再 s.send(b'/index')，然后用 s.recv(1024) 等待回复；一共四轮。" +
				"Nagle 算法默认开启：只要还有已发送未确认的数据，它就扣住小报文段不发，所以第二段要等第一段的 ACK。" +
				"服务器内核会推迟这个 ACK，希望能和回复一起发出（延迟确认，Linux 上大约 40 ms），可服务器收不到第二段就没法回复：双方互相等待，直到延迟确认定时器到期。" +
				"连接刚建立时 Linux 会立即确认（quick-ACK 模式），所以第一轮可能全速完成。" +
				"请看第二次 send 返回与携带它的字节的报文段之间隔了多久。",
			Outcome: nagleOutcome(2),
		},
		{
			Title:   "TCP_NODELAY: the second piece leaves at once",
			TitleZH: "TCP_NODELAY：第二段立刻发出",
			Explain: "The client turns Nagle's algorithm off with s.setsockopt(IPPROTO_TCP, TCP_NODELAY, 1) and plays the same four rounds. " +
				"Now each send leaves as its own segment inside the send call, the second one without waiting for any ACK, and no round waits for the delayed-ACK timer. " +
				"Interactive programs (ssh, games, RPC) set TCP_NODELAY; better still, write each request with one call, s.sendall(b'GET /index'), which is fast with Nagle on or off.",
			ExplainZH: "客户端用 s.setsockopt(IPPROTO_TCP, TCP_NODELAY, 1) 关闭 Nagle 算法，再跑同样的四轮。" +
				"现在每次 send 都在调用内部就作为独立的报文段发出，第二段不用等任何 ACK，也没有哪一轮要等延迟确认定时器。" +
				"交互式程序（ssh、游戏、RPC）都会设置 TCP_NODELAY；更好的做法是一次调用写出整个请求，s.sendall(b'GET /index')，这样无论 Nagle 开不开都很快。",
			Outcome: nagleOutcome(3),
		},
		{
			Title:   "Close",
			TitleZH: "关闭",
			Explain: "The client closes; the server's recv returns b'' and it closes too. " +
				"Nagle's algorithm and delayed ACK each make sense alone (fewer tiny packets, fewer pure ACKs), and only together, on write-write-read, do they cost a delayed-ACK timeout per request.",
			ExplainZH: "客户端关闭连接；服务器的 recv 返回 b''，它也关闭。" +
				"Nagle 算法和延迟确认单独看都有道理（更少的小报文段、更少的纯 ACK），只有两者碰到“写、写、读”时，才会让每个请求都多等一次延迟确认超时。",
		},
	},
	Run:   runNagle,
	Check: checkNagle,
}

func runNagle(ctx context.Context, env *Env) error {
	listening, accepted, done := newSignal(), newSignal(), newSignal()
	request := append(append([]byte(nil), nagleRequest[0]...), nagleRequest[1]...)
	g := newGroup(ctx)

	g.Go(func(ctx context.Context) error { // the server
		if err := env.Step(ctx, 1); err != nil {
			return err
		}
		s := env.NewSock(ctx, "server")
		defer s.Close()
		if err := s.ListenTCP(NagleAddr, 1); err != nil {
			return err
		}
		listening.fire()
		conn, _, err := s.Accept()
		if err != nil {
			return err
		}
		defer conn.Close()
		accepted.fire()
		for range 2 * nagleRounds {
			if err := conn.readAll(request, 1024, 0); err != nil {
				return err
			}
			if _, err := conn.Send(nagleReply); err != nil {
				return err
			}
		}
		if err := done.wait(ctx); err != nil {
			return err
		}
		data, err := conn.Recv(1024)
		if err != nil {
			return err
		}
		if len(data) != 0 {
			return fmt.Errorf("server: %q after the last request", data)
		}
		if err := conn.Close(); err != nil {
			return err
		}
		return s.Close()
	})

	g.Go(func(ctx context.Context) error { // the client
		if err := listening.wait(ctx); err != nil {
			return err
		}
		c := env.NewSock(ctx, "client")
		defer c.Close()
		if err := c.Socket(unix.AF_INET, unix.SOCK_STREAM, 0); err != nil {
			return err
		}
		if err := c.Connect(NagleAddr); err != nil {
			return err
		}
		if err := accepted.wait(ctx); err != nil {
			return err
		}
		rounds := func() error {
			for range nagleRounds {
				for _, piece := range nagleRequest {
					if _, err := c.Send(piece); err != nil {
						return err
					}
				}
				if err := c.recvEcho(nagleReply); err != nil {
					return err
				}
			}
			return nil
		}
		if err := env.Step(ctx, 2); err != nil {
			return err
		}
		if err := rounds(); err != nil {
			return err
		}
		if err := env.Step(ctx, 3); err != nil {
			return err
		}
		if err := c.Setsockopt(unix.IPPROTO_TCP, unix.TCP_NODELAY, 1); err != nil {
			return err
		}
		if err := rounds(); err != nil {
			return err
		}
		if err := env.Step(ctx, 4); err != nil {
			return err
		}
		if err := c.Close(); err != nil {
			return err
		}
		done.fire()
		return nil
	})
	return g.Wait()
}

// nagleRound is one write, write, read.
type nagleRound struct {
	first, second, reply *sockcall.Call
	frame                *decode.Packet // the first segment carrying the second piece
	ack                  *decode.Packet // the segment acknowledging the first piece
	hold                 time.Duration  // from the second send's return to frame
}

// nagleRounds returns the finished rounds of step (2 or 3) that r holds
// so far; a round whose segments are missing has no frame.
func nagleRoundsOf(r *sockcall.Run, step int) []nagleRound {
	b := bufRun{r}
	var out []nagleRound
	var cur []*sockcall.Call
	for _, c := range b.calls("client", "", step) {
		switch c.Op {
		case "send":
			cur = append(cur, c)
		case "recv":
			if len(cur) == 2 {
				rd := nagleRound{first: cur[0], second: cur[1], reply: c}
				if fs := b.frames(rd.second); len(fs) > 0 {
					rd.frame = fs[0]
					rd.hold = b.at(rd.frame).Sub(b.ret(rd.second))
				}
				if l := b.links(rd.first); l != nil && l.AckFrame != 0 {
					rd.ack = r.Frame(l.AckFrame)
				}
				out = append(out, rd)
			}
			cur = nil
		}
	}
	return out
}

func nagleOutcome(step int) func(r *sockcall.Run) (en, zh string) {
	return func(r *sockcall.Run) (en, zh string) {
		b := bufRun{r}
		rounds := nagleRoundsOf(r, step)
		if len(rounds) < nagleRounds {
			return "", "" // the words wait for the last round
		}
		for _, rd := range rounds {
			if rd.frame == nil {
				return "", "" // and for its frames
			}
		}
		var ens, zhs []string
		for i, rd := range rounds {
			took := sockcall.FormatDuration(b.ret(rd.reply).Sub(b.start(rd.first)))
			switch {
			case rd.hold <= 0:
				ens = append(ens, fmt.Sprintf("round %d: the second piece left at once, inside its send call (frame %d); the round took %s", i+1, rd.frame.Number, took))
				zhs = append(zhs, fmt.Sprintf("第 %d 轮：第二段在 send 调用内部就立刻发出（第 %d 帧），这一轮用了 %s", i+1, rd.frame.Number, took))
			default:
				after := ""
				afterZH := ""
				if rd.ack != nil && rd.ack.Number < rd.frame.Number {
					after = fmt.Sprintf(", right after the ACK of the first piece in frame %d", rd.ack.Number)
					afterZH = fmt.Sprintf("，紧跟在第 %d 帧对第一段的 ACK 之后", rd.ack.Number)
				}
				ens = append(ens, fmt.Sprintf("round %d: the second piece waited %s (frame %d%s); the round took %s", i+1, sockcall.FormatDuration(rd.hold), rd.frame.Number, after, took))
				zhs = append(zhs, fmt.Sprintf("第 %d 轮：第二段等了 %s（第 %d 帧%s），这一轮用了 %s", i+1, sockcall.FormatDuration(rd.hold), rd.frame.Number, afterZH, took))
			}
		}
		return strings.Join(ens, "; ") + ".", strings.Join(zhs, "；") + "。"
	}
}

// checkNagle verifies the fixed words of nagle against a run.
func checkNagle(r *sockcall.Run) error {
	var l claimList
	on, off := nagleRoundsOf(r, 2), nagleRoundsOf(r, 3)
	l.want(len(on) == nagleRounds && len(off) == nagleRounds, "%d rounds with Nagle and %d with TCP_NODELAY (%d, %d)", nagleRounds, nagleRounds, len(on), len(off))
	held := false
	for i, rd := range on {
		l.want(rd.frame != nil && rd.ack != nil && rd.ack.Number < rd.frame.Number,
			"with Nagle the second piece waits for the first one's ACK (round %d)", i+1)
		held = held || rd.hold >= 30*time.Millisecond
		l.want(rd.hold <= 80*time.Millisecond, "the delayed ACK comes after about 40 ms (round %d: %s)", i+1, sockcall.FormatDuration(rd.hold))
	}
	l.want(held, "with Nagle a round waits some 40 ms for the delayed ACK (no round waited 30 ms)")
	b := bufRun{r}
	for i, rd := range off {
		l.want(rd.frame != nil && rd.hold <= 5*time.Millisecond, "with TCP_NODELAY the second piece leaves at once (round %d: %s)", i+1, sockcall.FormatDuration(rd.hold))
		for _, c := range []*sockcall.Call{rd.first, rd.second} {
			fs := b.frames(c)
			l.want(len(fs) == 1 && fs[0].PayloadLen == c.Ret, "with TCP_NODELAY each send leaves as its own segment (round %d, %s: frames %s)", i+1, describeCall(c), frameNumbers(fs, false))
		}
	}
	opt := b.first("client", "setsockopt", 3)
	l.want(opt != nil && opt.Args == "IPPROTO_TCP, TCP_NODELAY, 1" && opt.Ret == 0, "the client sets TCP_NODELAY (%s)", describeCall(opt))
	return l.err("nagle")
}
