//go:build unix

package demos

import (
	"context"
	"errors"
	"fmt"
	"time"

	"golang.org/x/sys/unix"

	"github.com/sockscope/sockscope/decode"
	"github.com/sockscope/sockscope/demos/sockcall"
)

// PartialSendAddr is where the partial-send reader listens.
const PartialSendAddr = "127.0.0.1:7011"

const (
	partialPort  = 7011
	partialAsk   = 4096     // SO_SNDBUF and SO_RCVBUF asked for; the kernel doubles it
	partialTotal = 64 << 10 // the message: 64 KiB
	partialRecv  = 4096     // the reader's recv size
)

var partialSend = &Demo{
	Name:      "partial-send",
	Title:     "Partial send: non-blocking send, EAGAIN, and what sendall does",
	TitleZH:   "部分发送：非阻塞 send、EAGAIN，以及 sendall 做了什么",
	Summary:   "With small buffers and a reader that does not read, a non-blocking send(64 KiB) takes only part of it, the next send fails with EAGAIN, and a blocking sendall waits until the reader drains.",
	SummaryZH: "缓冲区很小、接收方又不读时，非阻塞 send(64 KiB) 只能发出一部分，下一次 send 以 EAGAIN 失败；阻塞的 sendall 则一直等到接收方把数据读走。",
	Steps: []Step{
		{
			Title:   "Reader: a small receive buffer, and no reading",
			TitleZH: "接收方：很小的接收缓冲区，而且先不读",
			Explain: "The reader creates a TCP socket, sets SO_REUSEADDR as servers do, and asks for a small receive buffer before it listens: s.setsockopt(SOL_SOCKET, SO_RCVBUF, 4096). " +
				"s.getsockopt(SOL_SOCKET, SO_RCVBUF) reads back 8192: Linux doubles the value, because every segment costs the kernel more memory than its payload, and it offers the sender only part of that memory as the receive window. " +
				"It binds 127.0.0.1:7011 and listens; nothing appears on the wire.",
			ExplainZH: "接收方创建 TCP 套接字，像服务器一样设置 SO_REUSEADDR，并在 listen 之前申请一个很小的接收缓冲区：s.setsockopt(SOL_SOCKET, SO_RCVBUF, 4096)。" +
				"s.getsockopt(SOL_SOCKET, SO_RCVBUF) 读回来的是 8192：Linux 把这个值翻了一倍，因为每个报文段在内核里占用的内存都比它的载荷多，而内核只把其中一部分作为接收窗口通告给发送方。" +
				"然后 bind 到 127.0.0.1:7011 并 listen；网络上没有任何数据包。",
		},
		{
			Title:   "Sender: a small send buffer, then connect",
			TitleZH: "发送方：很小的发送缓冲区，然后 connect",
			Explain: "The sender asks for a small send buffer as well: s.setsockopt(SOL_SOCKET, SO_SNDBUF, 4096), and getsockopt reads back 8192. " +
				"It connects, and the reader accepts the connection (conn, addr = s.accept()) but does not call recv until step 5: whatever arrives stays in its receive buffer. " +
				"The window the reader offers is in its SYN/ACK (win).",
			ExplainZH: "发送方也申请一个很小的发送缓冲区：s.setsockopt(SOL_SOCKET, SO_SNDBUF, 4096)，getsockopt 读回 8192。" +
				"它发起连接，接收方 accept 了这个连接（conn, addr = s.accept()），但直到第 5 步才调用 recv：收到的数据都留在它的接收缓冲区里。" +
				"接收方通告的窗口大小写在它的 SYN/ACK 里（win）。",
			Outcome: partialSendConnected,
		},
		{
			Title:   "Non-blocking send(64 KiB) returns less than asked",
			TitleZH: "非阻塞 send(64 KiB) 返回的字节数少于请求的",
			Explain: "The sender switches to non-blocking mode (s.setblocking(False), fcntl with O_NONBLOCK) and calls send with 64 KiB, 65536 bytes. " +
				"A non-blocking send never waits: the kernel copies what fits into the send buffer, sends what the reader's window allows, and returns how many bytes it took — fewer than 65536. " +
				"The rest is the program's to keep and send later: Python's s.send returns that count too, and only sendall loops. " +
				"On the wire, data segments go out until they have used up the window the reader offered (less than its SO_RCVBUF, as step 1 said), and the reader's kernel — not the reader program — answers with window 0 (Wireshark: [TCP ZeroWindow]).",
			ExplainZH: "发送方切换到非阻塞模式（s.setblocking(False)，即 fcntl 设置 O_NONBLOCK），然后用 64 KiB（65536 字节）调用 send。" +
				"非阻塞的 send 从不等待：内核把放得下的部分复制进发送缓冲区，按接收方窗口允许的量发出去，然后返回它收下的字节数——少于 65536。" +
				"剩下的数据要由程序自己保存、稍后再发：Python 的 s.send 同样返回这个数，只有 sendall 才会循环。" +
				"网络上，报文段一直发到用完接收方通告的窗口为止（如第 1 步所说，窗口比它的 SO_RCVBUF 小），然后接收方的内核（不是接收方程序）回复窗口为 0 的 ACK（Wireshark：[TCP ZeroWindow]）。",
			Outcome: partialSendFirst,
		},
		{
			Title:   "Send again: EAGAIN",
			TitleZH: "再次 send：EAGAIN",
			Explain: "Once the reader's kernel has acknowledged everything it took and closed its window, the sender calls send again with the rest. " +
				"send takes only what room is left in the send buffer, if any, and the next call fails with EAGAIN, \"try again\" (Python raises BlockingIOError): the send buffer is full, and with the window at 0 nothing can leave it to make room. " +
				"A real program now waits until the socket is writable (select, poll, an event loop) before it tries again.",
			ExplainZH: "等接收方内核确认了它收下的全部数据、并把窗口关到 0 之后，发送方用剩下的数据再次调用 send。" +
				"send 只能收下发送缓冲区里剩余的空间（如果还有的话），下一次调用就以 EAGAIN（“稍后再试”）失败（Python 抛出 BlockingIOError）：发送缓冲区满了，而窗口为 0，没有数据能发出去腾出空间。" +
				"真实的程序这时要等套接字变为可写（select、poll 或事件循环）再重试。",
			Outcome: partialSendAgain,
		},
		{
			Title:   "Blocking sendall waits for the reader",
			TitleZH: "阻塞的 sendall 等待接收方",
			Explain: "The sender switches back to blocking mode (s.setblocking(True)) and calls s.sendall with the rest: sendall calls send until every byte is in the send buffer, and on a blocking socket send waits in the kernel for room. " +
				"Room appears only as the reader drains: it now calls conn.recv(4096) in a loop, and after reading its kernel sends a window update (Wireshark: [TCP Window Update], the same ACK number with a bigger window). " +
				"The sender's kernel sends more into the window, the ACKs free the send buffer, and the waiting send copies more in. " +
				"So sendall returns only after the reader has read more than half of the 64 KiB.",
			ExplainZH: "发送方切回阻塞模式（s.setblocking(True)），用剩下的数据调用 s.sendall：sendall 不断调用 send，直到每个字节都进入发送缓冲区；在阻塞套接字上，send 会在内核里等待空间。" +
				"只有接收方把数据读走，空间才会出现：接收方现在循环调用 conn.recv(4096)，读完之后它的内核发出窗口更新（Wireshark：[TCP Window Update]，ACK 号不变，窗口变大）。" +
				"发送方内核往窗口里发送更多数据，ACK 释放发送缓冲区，正在等待的 send 就能再复制一批进去。" +
				"所以 sendall 要等接收方读完 64 KiB 的一半以上才会返回。",
			Outcome: partialSendAll,
		},
		{
			Title:   "Close: every byte arrived",
			TitleZH: "关闭：每个字节都到了",
			Explain: "The sender closes its socket (FIN) once the reader has all 65536 bytes, in order. " +
				"The reader's next recv returns b'' and it closes too. " +
				"Nothing was lost: when the buffers were full, TCP made the sender wait (sendall) or said so (EAGAIN).",
			ExplainZH: "接收方按顺序收齐 65536 个字节后，发送方关闭套接字（FIN）。" +
				"接收方下一次 recv 返回 b''，它也关闭连接。" +
				"没有丢失任何数据：缓冲区满时，TCP 要么让发送方等待（sendall），要么明确告诉它（EAGAIN）。",
			Outcome: readerDrained(6),
		},
	},
	Run:   runPartialSend,
	Check: checkPartialSend,
}

func runPartialSend(ctx context.Context, env *Env) error {
	listening, accepted, draining, allRead, closed := newSignal(), newSignal(), newSignal(), newSignal(), newSignal()
	msg := lessonBytes(partialTotal)
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
		if err := s.Setsockopt(unix.SOL_SOCKET, unix.SO_RCVBUF, partialAsk); err != nil {
			return err
		}
		if _, err := s.Getsockopt(unix.SOL_SOCKET, unix.SO_RCVBUF); err != nil {
			return err
		}
		if err := s.Bind(PartialSendAddr); err != nil {
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

		// Not a byte is read until the sender is in sendall (step 5).
		if err := draining.wait(ctx); err != nil {
			return err
		}
		if err := conn.readAll(msg, partialRecv, 0); err != nil {
			return err
		}
		allRead.fire()
		if err := closed.wait(ctx); err != nil {
			return err
		}
		data, err := conn.Recv(partialRecv)
		if err != nil {
			return err
		}
		if len(data) != 0 {
			return fmt.Errorf("reader: %d bytes more than the %d sent", len(data), partialTotal)
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
		if err := env.Step(ctx, 2); err != nil {
			return err
		}
		c := env.NewSock(ctx, "sender")
		defer c.Close()
		if err := c.Socket(unix.AF_INET, unix.SOCK_STREAM, 0); err != nil {
			return err
		}
		if err := c.Setsockopt(unix.SOL_SOCKET, unix.SO_SNDBUF, partialAsk); err != nil {
			return err
		}
		if _, err := c.Getsockopt(unix.SOL_SOCKET, unix.SO_SNDBUF); err != nil {
			return err
		}
		if err := c.Connect(PartialSendAddr); err != nil {
			return err
		}
		if err := accepted.wait(ctx); err != nil {
			return err
		}

		if err := env.Step(ctx, 3); err != nil {
			return err
		}
		if err := c.SetBlocking(false); err != nil {
			return err
		}
		sent, err := c.Send(msg)
		if err != nil {
			return err
		}
		// The reader's kernel ACKs what it took and closes its window
		// (its last ACK may be delayed by some 40 ms): wait until
		// nothing is in flight and bytes are left that cannot go.
		if err := waitTCP(ctx, c.FD, 3*time.Second, func(p tcpProgress) bool {
			return p.Unacked == 0 && p.NotSent > 0
		}); err != nil {
			return c.fail("send", err)
		}

		if err := env.Step(ctx, 4); err != nil {
			return err
		}
		for sent < len(msg) {
			n, err := c.Send(msg[sent:])
			if errors.Is(err, unix.EAGAIN) {
				break
			}
			if err != nil {
				return err
			}
			sent += n
		}

		if err := env.Step(ctx, 5); err != nil {
			return err
		}
		if err := c.SetBlocking(true); err != nil {
			return err
		}
		draining.fire()
		if err := c.Sendall(msg[sent:]); err != nil {
			return err
		}
		if err := allRead.wait(ctx); err != nil {
			return err
		}

		if err := env.Step(ctx, 6); err != nil {
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

// partialSent is how many bytes the sends of steps 3 and 4 took.
func partialSent(b bufRun) int {
	n := 0
	for _, c := range b.calls("sender", "send", 0) {
		if (c.Step == 3 || c.Step == 4) && c.Ret > 0 {
			n += c.Ret
		}
	}
	return n
}

func partialSendConnected(r *sockcall.Run) (en, zh string) {
	b := bufRun{r}
	for _, p := range b.from(partialPort) {
		if p.TCPFlags&decode.TCPSyn != 0 && p.TCPFlags&decode.TCPAck != 0 {
			return fmt.Sprintf("The reader's SYN/ACK (frame %d) offers a window of %d bytes.", p.Number, p.Window),
				fmt.Sprintf("接收方的 SYN/ACK（第 %d 帧）通告的窗口是 %d 字节。", p.Number, p.Window)
		}
	}
	return "", ""
}

func partialSendFirst(r *sockcall.Run) (en, zh string) {
	b := bufRun{r}
	s1 := b.first("sender", "send", 3)
	zw := b.flagged(partialPort, decode.ExpertZeroWindow)
	if s1 == nil || s1.Ret <= 0 || len(zw) == 0 {
		return "", "" // the words wait for the zero window
	}
	en = fmt.Sprintf("send took %d of the %d bytes, in %s.", s1.Ret, partialTotal, sockcall.FormatDuration(b.ret(s1).Sub(b.start(s1))))
	zh = fmt.Sprintf("send 收下了 %d 字节中的 %d 字节，用时 %s。", partialTotal, s1.Ret, sockcall.FormatDuration(b.ret(s1).Sub(b.start(s1))))
	if k, ok := kernelSample(s1, "reader"); ok {
		if q, ok := kernelSample(s1, "sender"); ok {
			en += fmt.Sprintf(" Right after it the reader's Recv-Q held %d bytes and the sender's Send-Q %d (sent and not yet acknowledged, or not sent yet).", k.RecvQ, q.SendQ)
			zh += fmt.Sprintf("紧接着，接收方的 Recv-Q 有 %d 字节，发送方的 Send-Q 有 %d 字节（已发送未确认的，加上还没发出的）。", k.RecvQ, q.SendQ)
		}
	}
	if d := b.at(zw[0]).Sub(b.ret(s1)); d >= 0 {
		en += fmt.Sprintf(" The reader's kernel advertised window 0 in frame %d, captured %s after send returned.", zw[0].Number, sockcall.FormatDuration(d))
		zh += fmt.Sprintf("接收方内核在第 %d 帧通告窗口为 0，抓包时间比 send 返回晚 %s。", zw[0].Number, sockcall.FormatDuration(d))
	} else {
		en += fmt.Sprintf(" The reader's kernel advertised window 0 in frame %d, captured before send returned.", zw[0].Number)
		zh += fmt.Sprintf("接收方内核在第 %d 帧通告窗口为 0，抓包时间早于 send 返回。", zw[0].Number)
	}
	return en, zh
}

func partialSendAgain(r *sockcall.Run) (en, zh string) {
	b := bufRun{r}
	sends := b.calls("sender", "send", 4)
	if len(sends) == 0 {
		return "", ""
	}
	took := 0
	for _, c := range sends {
		if c.Ret > 0 {
			if took == 0 {
				en += "send took "
				zh += "send 又收下了 "
			} else {
				en += ", then "
				zh += "，然后 "
			}
			en += fmt.Sprintf("%d bytes", c.Ret)
			zh += fmt.Sprintf("%d 字节", c.Ret)
			took++
		}
	}
	last := sends[len(sends)-1]
	if last.Errno == "" {
		return "", "" // the words wait for the call that fails
	}
	if took == 0 {
		en = fmt.Sprintf("The first send failed at once with %s: the send buffer had no room left.", last.Errno)
		zh = fmt.Sprintf("第一次 send 就立即以 %s 失败：发送缓冲区已经没有空间了。", last.Errno)
	} else {
		en += fmt.Sprintf(" more, then send failed with %s.", last.Errno)
		zh += fmt.Sprintf("，随后 send 以 %s 失败。", last.Errno)
	}
	if q, ok := kernelSample(last, "sender"); ok {
		if k, ok := kernelSample(last, "reader"); ok {
			en += fmt.Sprintf(" The sender's Send-Q holds %d bytes that cannot leave; the reader's Recv-Q %d unread.", q.SendQ, k.RecvQ)
			zh += fmt.Sprintf("发送方的 Send-Q 里有 %d 字节发不出去；接收方的 Recv-Q 里有 %d 字节没人读。", q.SendQ, k.RecvQ)
		}
	}
	sent := partialSent(b)
	en += fmt.Sprintf(" In all the kernel has taken %d of the %d bytes; the program still holds %d.", sent, partialTotal, partialTotal-sent)
	zh += fmt.Sprintf("到目前为止内核一共收下了 %d 字节中的 %d 字节，程序手里还有 %d 字节。", partialTotal, sent, partialTotal-sent)
	return en, zh
}

func partialSendAll(r *sockcall.Run) (en, zh string) {
	b := bufRun{r}
	sa := b.first("sender", "sendall", 5)
	wu := b.flagged(partialPort, decode.ExpertWindowUpdate)
	if sa == nil || sa.Errno != "" || b.first("reader", "recv", 6) == nil || len(wu) == 0 {
		return "", "" // the words wait for the reader's last read
	}
	wait := b.ret(sa).Sub(b.start(sa))
	reads, before, readBefore := 0, 0, 0
	for _, c := range b.calls("reader", "recv", 5) {
		if c.Ret <= 0 {
			continue
		}
		reads++
		if b.ret(c).Before(b.ret(sa)) {
			before++
			readBefore += c.Ret
		}
	}
	calls := fmt.Sprintf("%d send calls", len(sa.Inner))
	if len(sa.Inner) == 1 {
		calls = "one send call"
	}
	recvs := fmt.Sprintf("%d of its %d recv calls", before, reads)
	if before == reads {
		recvs = fmt.Sprintf("all %d of its recv calls", reads)
	}
	en = fmt.Sprintf("sendall(%d bytes) waited %s and made %s; by the time it returned the reader had read %d bytes in %s.",
		sa.Len, sockcall.FormatDuration(wait), calls, readBefore, recvs)
	zh = fmt.Sprintf("sendall（%d 字节）等了 %s，调用了 %d 次 send；它返回时，接收方已经用 %d 次 recv 读了 %d 字节（一共 %d 次 recv）。",
		sa.Len, sockcall.FormatDuration(wait), len(sa.Inner), before, readBefore, reads)
	en += fmt.Sprintf(" The reader's kernel reopened its window with a window update in frame %d.", wu[0].Number)
	zh += fmt.Sprintf("接收方内核在第 %d 帧用窗口更新重新打开了窗口。", wu[0].Number)
	return en, zh
}

// checkPartialSend verifies the fixed words of partial-send against a run.
func checkPartialSend(r *sockcall.Run) error {
	b := bufRun{r}
	var l claimList
	for _, o := range []struct{ endpoint, name string }{{"reader", "SO_RCVBUF"}, {"sender", "SO_SNDBUF"}} {
		g := b.first(o.endpoint, "getsockopt", 0)
		got := -1
		if g != nil {
			got = g.Ret
		}
		l.want(got == 2*partialAsk, "getsockopt(%s) reads back %d, twice the %d asked for (got %d)", o.name, 2*partialAsk, partialAsk, got)
	}
	synack := -1
	for _, p := range b.from(partialPort) {
		if p.TCPFlags&decode.TCPSyn != 0 && p.TCPFlags&decode.TCPAck != 0 {
			synack = int(p.Window)
			break
		}
	}
	l.want(synack > 0 && synack < 2*partialAsk, "the reader's SYN/ACK offers only part of its %d-byte buffer (win %d)", 2*partialAsk, synack)

	s1 := b.first("sender", "send", 3)
	l.want(s1 != nil && s1.Nonblocking && s1.Len == partialTotal && s1.Ret > 0 && s1.Ret < partialTotal,
		"the non-blocking send(%d) returns fewer bytes than asked, at once (%s)", partialTotal, describeCall(s1))
	zw := b.flagged(partialPort, decode.ExpertZeroWindow)
	l.want(len(zw) > 0, "the reader's kernel answers with window 0")

	again := b.calls("sender", "send", 4)
	if l.want(len(again) > 0, "the sender calls send again in step 4"); len(again) > 0 {
		last := again[len(again)-1]
		l.want(last.Errno == "EAGAIN", "send fails with EAGAIN once the send buffer is full (the last send: %s)", describeCall(last))
		for _, c := range again[:len(again)-1] {
			l.want(c.Ret > 0, "each send before the EAGAIN takes some bytes (%s)", describeCall(c))
		}
		// (Read from the sender's TCP_INFO, not from capture times: a
		// frame's capture time can trail the calls it caused.)
		l.want(again[0].TCP != nil && again[0].TCP.SndWnd == 0, "the reader's window is 0 when the sender tries again (%v)", again[0].TCP)
	}

	sa := b.first("sender", "sendall", 5)
	rest := partialTotal - partialSent(b)
	l.want(sa != nil && sa.Errno == "" && sa.Ret == rest && sa.Len == rest, "sendall sends the other %d bytes (%s)", rest, describeCall(sa))
	read, readBefore := 0, 0
	for _, c := range b.calls("reader", "recv", 0) {
		if c.Ret > 0 {
			read += c.Ret
			if sa != nil && b.ret(c).Before(b.ret(sa)) {
				readBefore += c.Ret
			}
		}
	}
	l.want(readBefore > partialTotal/2, "sendall returns only after the reader has read more than half of the %d bytes (%d read before)", partialTotal, readBefore)
	wu := b.flagged(partialPort, decode.ExpertWindowUpdate)
	l.want(len(wu) > 0 && len(zw) > 0 && wu[len(wu)-1].Number > zw[0].Number, "the reader's kernel sends a window update after the zero window")

	eof := b.first("reader", "recv", 6)
	l.want(read == partialTotal, "the reader gets all %d bytes (got %d)", partialTotal, read)
	l.want(eof != nil && eof.Ret == 0, "the reader's recv returns b'' after the sender closes")
	return l.err("partial-send")
}

// describeCall is a call as a person writes it, for Check's messages.
func describeCall(c *sockcall.Call) string {
	if c == nil {
		return "no such call"
	}
	return fmt.Sprintf("call %d: %s", c.Number, sockcall.AppendCallLabel(nil, c))
}
