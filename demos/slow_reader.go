//go:build unix

package demos

import (
	"context"
	"fmt"
	"time"

	"golang.org/x/sys/unix"

	"github.com/sockscope/sockscope/decode"
	"github.com/sockscope/sockscope/demos/sockcall"
)

// SlowReaderAddr is where the slow-reader reader listens.
const SlowReaderAddr = "127.0.0.1:7012"

const (
	slowPort   = 7012
	slowAsk    = 4096     // SO_SNDBUF and SO_RCVBUF asked for (the kernel doubles it)
	slowTotal  = 64 << 10 // what the sender sends: 64 KiB
	slowRecv   = 4096     // each read
	slowGap    = 10 * time.Millisecond
	slowProbes = 2 // zero-window probes the reader lets go by before it reads (then 50 ms more)
)

var slowReader = &Demo{
	Name:      "slow-reader",
	Title:     "Slow reader: a full pipe, zero window, persist probes",
	TitleZH:   "慢速接收方：管道塞满、零窗口、坚持定时器探测",
	Summary:   "A sender's sendall(64 KiB) blocks while the reader is busy: both buffers fill, the window drops to 0, the sender's kernel probes it, and then the data moves at the reader's pace.",
	SummaryZH: "接收方忙着别的事时，发送方的 sendall(64 KiB) 被阻塞：两端缓冲区都被填满，窗口降到 0，发送方内核定时探测窗口，之后数据按接收方的节奏流动。",
	Steps: []Step{
		{
			Title:   "Small buffers on both sides, then connect",
			TitleZH: "两端都用小缓冲区，然后建立连接",
			Explain: "The reader sets SO_REUSEADDR and SO_RCVBUF 4096 (the kernel makes it 8192), binds 127.0.0.1:7012 and listens; the sender sets SO_SNDBUF 4096 (8192 too) and connects, and the reader accepts. " +
				"The small buffers make the lesson fit on a screen: with the default sizes (hundreds of KiB, growing on demand) the same happens, only later. " +
				"The path of every byte: send → the sender's send buffer → the wire → the reader's receive buffer → recv.",
			ExplainZH: "接收方设置 SO_REUSEADDR 和 SO_RCVBUF 4096（内核把它变成 8192），bind 到 127.0.0.1:7012 并 listen；发送方设置 SO_SNDBUF 4096（同样变成 8192）并发起连接，接收方 accept。" +
				"小缓冲区让整个过程能在一屏里看完：用默认大小（几百 KiB，还会按需增长）也会发生同样的事，只是晚一些。" +
				"每个字节走的路：send → 发送方的发送缓冲区 → 网络 → 接收方的接收缓冲区 → recv。",
		},
		{
			Title:   "sendall(64 KiB) blocks: zero window, persist probes",
			TitleZH: "sendall(64 KiB) 阻塞：零窗口与坚持定时器探测",
			Explain: "The sender calls s.sendall with 64 KiB on a blocking socket, while the reader is busy elsewhere and does not call recv. " +
				"The reader's kernel takes bytes into the receive buffer until the window it offered is used up (less than SO_RCVBUF: the kernel keeps room for its own overhead) and then advertises window 0 (Wireshark: [TCP ZeroWindow]); the sender's send buffer fills too, and send sleeps in the kernel. " +
				"With bytes to send and a window of 0, the sender's kernel probes the window with its persist timer, after about 200 ms and then at doubling intervals, in case a window update was lost; the reader stays busy until at least two probes have gone by. " +
				"Linux probes with an empty segment one below the next sequence number, which Wireshark labels [TCP Keep-Alive] (its tcp.analysis.zero_window_probe is for stacks that probe with one new byte). " +
				"The reader's kernel answers with window 0, but to at most one such out-of-window segment every 500 ms (net.ipv4.tcp_invalid_ratelimit), so the second probe, sooner than that after the first answer, goes unanswered; a later probe, further apart, is answered again.",
			ExplainZH: "发送方在阻塞套接字上用 64 KiB 调用 s.sendall，而接收方正忙着别的事，没有调用 recv。" +
				"接收方内核把字节收进接收缓冲区，直到它通告的窗口用完（窗口比 SO_RCVBUF 小：内核要留出自己的开销），然后通告窗口为 0（Wireshark：[TCP ZeroWindow]）；发送方的发送缓冲区也被填满，send 在内核里睡眠等待。" +
				"有数据要发而窗口为 0，发送方内核用坚持定时器（persist timer）探测窗口：大约 200 ms 后第一次，之后间隔逐次加倍，以防窗口更新报文丢失；接收方至少要忙到两次探测过去。" +
				"Linux 的探测报文是一个不带数据、序号比下一个字节小 1 的报文段，Wireshark 把它标成 [TCP Keep-Alive]（它的 tcp.analysis.zero_window_probe 是给用一个新字节做探测的协议栈准备的）。" +
				"接收方内核回复窗口 0，但对这种窗口外的报文段每 500 ms 最多回复一次（net.ipv4.tcp_invalid_ratelimit），所以第二次探测离上次回复不到 500 ms，得不到回复；之后相隔更久的探测又会得到回复。",
			Outcome: slowReaderBlocked,
		},
		{
			Title:   "The reader reads 4 KiB at a time",
			TitleZH: "接收方每次读 4 KiB",
			Explain: "Now the reader calls conn.recv(4096) in a loop, pausing 10 ms after each read like a consumer slower than its producer. " +
				"Each read frees room in the receive buffer, so the reader's kernel opens the window ([TCP Window Update] after the zero window, then bigger windows on its ACKs); the sender's kernel sends the next bytes from its send buffer into it, their ACK frees room in the send buffer, and the sleeping send copies more of the 64 KiB in. " +
				"Follow one moving picture in the kernel samples: the reader's Recv-Q filling and emptying, the sender's Send-Q. " +
				"sendall returns when its last byte is in the send buffer — long after it was called, and while the reader still has bytes to read.",
			ExplainZH: "现在接收方循环调用 conn.recv(4096)，每读一次停 10 ms，就像一个比生产者慢的消费者。" +
				"每次读取都会在接收缓冲区里腾出空间，于是接收方内核重新打开窗口（零窗口之后先是 [TCP Window Update]，之后的 ACK 带着更大的窗口）；发送方内核把发送缓冲区里的下一批字节发进这个窗口，它们的 ACK 又在发送缓冲区里腾出空间，正在睡眠的 send 就再复制一批 64 KiB 中的数据进去。" +
				"在内核采样里把它们当作一幅连续的画面来看：接收方的 Recv-Q 时满时空，还有发送方的 Send-Q。" +
				"sendall 在最后一个字节进入发送缓冲区时返回——离它被调用已经过去很久，而此时接收方还有数据没读完。",
			Outcome: slowReaderDraining,
		},
		{
			Title:   "Close",
			TitleZH: "关闭",
			Explain: "Once the reader has all 65536 bytes, in order, the sender closes (FIN), the reader's next recv returns b'' and it closes too. " +
				"TCP's flow control slowed the sender to the reader's pace without losing a byte: the sender never needed to know how fast the reader was.",
			ExplainZH: "接收方按顺序收齐全部 65536 字节后，发送方关闭（FIN），接收方下一次 recv 返回 b''，也关闭连接。" +
				"TCP 的流量控制把发送方的速度压到接收方的节奏，一个字节也没丢：发送方根本不需要知道接收方有多快。",
			Outcome: readerDrained(4),
		},
	},
	Run:   runSlowReader,
	Check: checkSlowReader,
}

func runSlowReader(ctx context.Context, env *Env) error {
	listening, accepted, sending, allRead, closed := newSignal(), newSignal(), newSignal(), newSignal(), newSignal()
	senderFD := make(chan int, 1)
	msg := lessonBytes(slowTotal)
	g := newGroup(ctx)

	g.Go(func(ctx context.Context) error { // the reader
		if err := env.Step(ctx, 1); err != nil {
			return err
		}
		s := env.NewSock(ctx, "reader")
		defer s.Close()
		if err := s.Socket(unix.AF_INET, unix.SOCK_STREAM, 0); err != nil {
			return err
		}
		if err := s.Setsockopt(unix.SOL_SOCKET, unix.SO_REUSEADDR, 1); err != nil {
			return err
		}
		if err := s.Setsockopt(unix.SOL_SOCKET, unix.SO_RCVBUF, slowAsk); err != nil {
			return err
		}
		if err := s.Bind(SlowReaderAddr); err != nil {
			return err
		}
		if err := s.Listen(1); err != nil {
			return err
		}
		listening.fire()
		conn, _, err := s.Accept()
		if err != nil {
			return err
		}
		defer conn.Close()
		accepted.fire()

		var fd int
		select {
		case fd = <-senderFD:
		case <-ctx.Done():
			return ctx.Err()
		}
		if err := sending.wait(ctx); err != nil {
			return err
		}
		// Busy elsewhere — the lesson's pause — until the sender's kernel
		// has probed the zero window twice (its persist timer's backoff
		// counts the probes): about 0.6 s.
		if err := waitTCP(ctx, fd, 5*time.Second, func(p tcpProgress) bool { return p.Backoff >= slowProbes }); err != nil {
			return conn.fail("recv", err)
		}
		// The reader notices a moment later: the second probe reaches the
		// capture (and the reader's kernel) well before the reader reads.
		if err := lessonPause(ctx, 50*time.Millisecond); err != nil {
			return conn.fail("recv", err)
		}

		if err := env.Step(ctx, 3); err != nil {
			return err
		}
		if err := conn.readAll(msg, slowRecv, slowGap); err != nil {
			return err
		}
		allRead.fire()
		if err := closed.wait(ctx); err != nil {
			return err
		}
		data, err := conn.Recv(slowRecv)
		if err != nil {
			return err
		}
		if len(data) != 0 {
			return fmt.Errorf("reader: %d bytes more than the %d sent", len(data), slowTotal)
		}
		if err := conn.Close(); err != nil {
			return err
		}
		return s.Close()
	})

	g.Go(func(ctx context.Context) error { // the sender
		if err := listening.wait(ctx); err != nil {
			return err
		}
		c := env.NewSock(ctx, "sender")
		defer c.Close()
		if err := c.Socket(unix.AF_INET, unix.SOCK_STREAM, 0); err != nil {
			return err
		}
		if err := c.Setsockopt(unix.SOL_SOCKET, unix.SO_SNDBUF, slowAsk); err != nil {
			return err
		}
		if err := c.Connect(SlowReaderAddr); err != nil {
			return err
		}
		senderFD <- c.FD
		if err := accepted.wait(ctx); err != nil {
			return err
		}

		if err := env.Step(ctx, 2); err != nil {
			return err
		}
		sending.fire()
		if err := c.Sendall(msg); err != nil {
			return err
		}
		if err := allRead.wait(ctx); err != nil {
			return err
		}

		if err := env.Step(ctx, 4); err != nil {
			return err
		}
		if err := c.Close(); err != nil {
			return err
		}
		closed.fire()
		return nil
	})
	return g.Wait()
}

// slowFirstRecv is the reader's first recv of data, or nil.
func slowFirstRecv(b bufRun) *sockcall.Call {
	for _, c := range b.calls("reader", "recv", 0) {
		if c.Ret > 0 {
			return c
		}
	}
	return nil
}

// slowStall is the wire picture of step 2: the sender's data before the
// window closed, the first zero window, and the probes before the reader
// read (all of them when it has not read yet).
func slowStall(b bufRun) (data []*decode.Packet, zero *decode.Packet, probes []*decode.Packet) {
	zw := b.flagged(slowPort, decode.ExpertZeroWindow)
	if len(zw) == 0 {
		return nil, nil, nil
	}
	zero = zw[0]
	for _, p := range b.to(slowPort) {
		if p.PayloadLen > 0 && p.Number < zero.Number {
			data = append(data, p)
		}
	}
	first := slowFirstRecv(b)
	for _, p := range b.windowProbes(slowPort) {
		if first == nil || b.at(p).Before(b.start(first)) {
			probes = append(probes, p)
		}
	}
	return data, zero, probes
}

// slowAnswer is the reader's answer to probe p: its next segment, if it
// came before the next probe (then it answers that one) and before the
// reader began to read (then it is a window update, not an answer).
func slowAnswer(b bufRun, p *decode.Packet) *decode.Packet {
	first := slowFirstRecv(b)
	next := 0 // the next probe's frame
	for _, q := range b.windowProbes(slowPort) {
		if q.Number > p.Number {
			next = q.Number
			break
		}
	}
	for _, q := range b.from(slowPort) {
		if q.Number > p.Number {
			if next != 0 && q.Number > next || first != nil && !b.at(q).Before(b.start(first)) {
				return nil
			}
			return q
		}
	}
	return nil
}

func slowReaderBlocked(r *sockcall.Run) (en, zh string) {
	b := bufRun{r}
	data, zero, probes := slowStall(b)
	// The words wait until the reader reads and a frame captured since is
	// in: then every frame of the stall is.
	first := slowFirstRecv(b)
	if zero == nil || first == nil || len(b.packets(func(p *decode.Packet) bool { return !b.at(p).Before(b.start(first)) })) == 0 {
		return "", ""
	}
	n := 0
	for _, p := range data {
		n += p.PayloadLen
	}
	en = fmt.Sprintf("The sender's kernel sent %d bytes in %d segments before the reader's window closed (frame %d).", n, len(data), zero.Number)
	zh = fmt.Sprintf("接收方窗口关闭（第 %d 帧）之前，发送方内核用 %d 个报文段发出了 %d 字节。", zero.Number, len(data), n)
	if len(probes) > 0 {
		times := fmt.Sprintf("%d times", len(probes))
		if len(probes) == 1 {
			times = "once"
		}
		en += " The persist timer probed " + times + ":"
		zh += fmt.Sprintf("坚持定时器探测了 %d 次：", len(probes))
		prev := zero
		for i, p := range probes {
			sep := ","
			switch {
			case i == 0:
				sep = ""
			case i == len(probes)-1:
				sep = " and"
			}
			en += fmt.Sprintf("%s frame %d (%s after frame %d", sep, p.Number, sockcall.FormatDuration(b.at(p).Sub(b.at(prev))), prev.Number)
			if i > 0 {
				zh += "，"
			}
			zh += fmt.Sprintf("第 %d 帧（比第 %d 帧晚 %s", p.Number, prev.Number, sockcall.FormatDuration(b.at(p).Sub(b.at(prev))))
			if a := slowAnswer(b, p); a != nil {
				en += fmt.Sprintf("; answered in frame %d, window %d)", a.Number, a.Window)
				zh += fmt.Sprintf("；第 %d 帧回复，窗口 %d）", a.Number, a.Window)
			} else {
				en += "; no answer)"
				zh += "；没有回复）"
			}
			prev = p
		}
		en += "."
		zh += "。"
	}
	return en, zh
}

func slowReaderDraining(r *sockcall.Run) (en, zh string) {
	b := bufRun{r}
	sa := b.first("sender", "sendall", 0)
	first := slowFirstRecv(b)
	wu := b.flagged(slowPort, decode.ExpertWindowUpdate)
	if sa == nil || sa.Errno != "" || first == nil || b.first("reader", "recv", 4) == nil || len(wu) == 0 {
		return "", "" // the words wait for the reader's last read
	}
	reads, readBefore := 0, 0
	var last *sockcall.Call
	for _, c := range b.calls("reader", "recv", 3) {
		if c.Ret <= 0 {
			continue
		}
		reads++
		last = c
		if b.ret(c).Before(b.ret(sa)) {
			readBefore += c.Ret
		}
	}
	en = fmt.Sprintf("sendall returned %s after it was called, %s after the reader's first recv; the reader had read %d of the %d bytes by then.",
		sockcall.FormatDuration(b.ret(sa).Sub(b.start(sa))), sockcall.FormatDuration(b.ret(sa).Sub(b.ret(first))), readBefore, slowTotal)
	zh = fmt.Sprintf("sendall 在调用 %s 之后返回，比接收方第一次 recv 晚 %s；那时接收方已经读了 %d 字节中的 %d 字节。",
		sockcall.FormatDuration(b.ret(sa).Sub(b.start(sa))), sockcall.FormatDuration(b.ret(sa).Sub(b.ret(first))), slowTotal, readBefore)
	if rq, ok := kernelSample(first, "reader"); ok {
		if sq, ok := kernelSample(first, "sender"); ok {
			en += fmt.Sprintf(" Right after the first recv the reader's Recv-Q still held %d bytes and the sender's Send-Q %d.", rq.RecvQ, sq.SendQ)
			zh += fmt.Sprintf("第一次 recv 刚返回时，接收方的 Recv-Q 里还有 %d 字节，发送方的 Send-Q 有 %d 字节。", rq.RecvQ, sq.SendQ)
		}
	}
	if last != nil {
		en += fmt.Sprintf(" The reader made %d recv calls in %s.", reads, sockcall.FormatDuration(b.ret(last).Sub(b.start(first))))
		zh += fmt.Sprintf("接收方在 %s 内调用了 %d 次 recv。", sockcall.FormatDuration(b.ret(last).Sub(b.start(first))), reads)
	}
	en += fmt.Sprintf(" The reader's kernel reopened the window with a window update in frame %d.", wu[0].Number)
	zh += fmt.Sprintf("接收方内核在第 %d 帧用窗口更新重新打开了窗口。", wu[0].Number)
	return en, zh
}

// checkSlowReader verifies the fixed words of slow-reader against a run.
func checkSlowReader(r *sockcall.Run) error {
	b := bufRun{r}
	var l claimList
	if ls := b.first("reader", "listen", 1); ls != nil {
		l.want(ls.RcvBuf == 2*slowAsk, "the reader's receive buffer is %d after SO_RCVBUF %d (%d)", 2*slowAsk, slowAsk, ls.RcvBuf)
	}
	cn := b.first("sender", "connect", 1)
	l.want(cn != nil && cn.SndBuf == 2*slowAsk, "the sender's send buffer is %d after SO_SNDBUF %d (%s)", 2*slowAsk, slowAsk, describeCall(cn))
	_, zero, probes := slowStall(b)
	l.want(zero != nil, "the reader's kernel advertises window 0")
	first := slowFirstRecv(b)
	l.want(len(probes) >= slowProbes, "the sender's kernel probes the zero window at least %d times before the reader reads (%d probes)", slowProbes, len(probes))
	if zero != nil && len(probes) >= 2 {
		gap1, gap2 := b.at(probes[0]).Sub(b.at(zero)), b.at(probes[1]).Sub(b.at(probes[0]))
		l.want(gap1 >= 150*time.Millisecond && gap1 <= 1500*time.Millisecond, "the first probe comes about 200 ms after the zero window (%s)", sockcall.FormatDuration(gap1))
		l.want(gap2 > gap1*3/2, "the probes come at doubling intervals (%s, then %s)", sockcall.FormatDuration(gap1), sockcall.FormatDuration(gap2))
	}
	// The first probe is answered with window 0; the second, less than
	// 500 ms after that answer, is not answered before the reader reads.
	if len(probes) >= 2 {
		a1, a2 := slowAnswer(b, probes[0]), slowAnswer(b, probes[1])
		l.want(a1 != nil && a1.Window == 0, "the reader's kernel answers the first probe (frame %d) with window 0", probes[0].Number)
		l.want(a2 == nil, "the second probe (frame %d) goes unanswered", probes[1].Number)
	}
	for _, p := range probes {
		l.want(p.PayloadLen == 0 && p.Analysis.Flags&decode.ExpertKeepAlive != 0, "Linux probes with an empty segment Wireshark labels TCP Keep-Alive (frame %d: %d bytes)", p.Number, p.PayloadLen)
	}

	sa := b.first("sender", "sendall", 0)
	l.want(sa != nil && sa.Errno == "" && sa.Ret == slowTotal, "sendall sends all %d bytes (%s)", slowTotal, describeCall(sa))
	if sa != nil && first != nil {
		l.want(b.ret(sa).After(b.ret(first)), "sendall returns only after the reader has begun to read")
		later := false
		for _, c := range b.calls("reader", "recv", 0) {
			later = later || c.Ret > 0 && b.ret(c).After(b.ret(sa))
		}
		l.want(later, "the reader still has bytes to read when sendall returns")
	}
	wu := b.flagged(slowPort, decode.ExpertWindowUpdate)
	l.want(len(wu) > 0 && zero != nil && wu[len(wu)-1].Number > zero.Number, "the reader's kernel sends a window update after the zero window")
	read := 0
	for _, c := range b.calls("reader", "recv", 0) {
		if c.Ret > 0 {
			read += c.Ret
			l.want(c.Len == slowRecv, "the reader reads with recv(%d) (%s)", slowRecv, describeCall(c))
		}
	}
	l.want(read == slowTotal, "the reader gets all %d bytes (got %d)", slowTotal, read)
	eof := b.first("reader", "recv", 4)
	l.want(eof != nil && eof.Ret == 0, "the reader's recv returns b'' after the sender closes")
	return l.err("slow-reader")
}
