//go:build unix

package demos

import (
	"context"
	"errors"
	"fmt"

	"golang.org/x/sys/unix"

	"github.com/sockscope/sockscope/decode"
	"github.com/sockscope/sockscope/demos/sockcall"
)

// UDPOverflowAddr is where the udp-overflow receiver is bound.
const UDPOverflowAddr = "127.0.0.1:7013"

const (
	overflowPort  = 7013
	overflowAsk   = 8192 // SO_RCVBUF asked for; the kernel doubles it
	overflowCount = 200  // datagrams sent
	overflowSize  = 1024 // bytes each
	overflowRecv  = 2048 // the receiver's recvfrom size
)

// overflowDatagram is datagram i: "datagram 007 " and then filler to
// overflowSize bytes, so that the receiver can tell which ones it got.
func overflowDatagram(i int) []byte {
	b := []byte(fmt.Sprintf("datagram %03d ", i))
	return append(b, lessonBytes(overflowSize-len(b))...)
}

var udpOverflow = &Demo{
	Name:      "udp-overflow",
	Title:     "UDP overflow: no flow control, silent drops",
	TitleZH:   "UDP 溢出：没有流量控制，静默丢弃",
	Summary:   "200 datagrams of 1 KiB sent as fast as possible to a receiver with a small buffer that reads only afterwards: all 200 on the wire, a few received, the rest dropped and counted by the kernel.",
	SummaryZH: "以最快速度向一个缓冲区很小、事后才读的接收方发送 200 个 1 KiB 的数据报：网络上 200 个都在，收到的只有几个，其余都被丢弃，只有内核记了数。",
	Steps: []Step{
		{
			Title:   "Receiver: a small receive buffer, not read yet",
			TitleZH: "接收方：很小的接收缓冲区，暂时不读",
			Explain: "The receiver creates a UDP socket, asks for a small receive buffer with s.setsockopt(SOL_SOCKET, SO_RCVBUF, 8192) — s.getsockopt reads back 16384, doubled by the kernel — and binds 127.0.0.1:7013. " +
				"It will not call recvfrom until the sender is done. " +
				"Nothing appears on the wire.",
			ExplainZH: "接收方创建 UDP 套接字，用 s.setsockopt(SOL_SOCKET, SO_RCVBUF, 8192) 申请一个很小的接收缓冲区——s.getsockopt 读回 16384，被内核翻了一倍——然后 bind 到 127.0.0.1:7013。" +
				"在发送方发完之前，它不会调用 recvfrom。" +
				"网络上没有任何数据包。",
		},
		{
			Title:   "Sender: 200 × sendto(1 KiB), as fast as it can",
			TitleZH: "发送方：以最快速度 sendto 200 次，每次 1 KiB",
			Explain: "The sender calls s.sendto(data, (\"127.0.0.1\", 7013)) 200 times with 1024 bytes each, numbered \"datagram 000\" to \"datagram 199\", and every call succeeds at once. " +
				"UDP has no flow control and no window: nothing tells the sender that the receiver is not keeping up. " +
				"On the wire: 200 datagrams, one per sendto. " +
				"The receiving kernel queues each datagram that still fits in the receive buffer (each costs more than its 1024 bytes of payload) and drops the others as they arrive — silently: no error for either program, and nothing goes back on the wire.",
			ExplainZH: "发送方调用 200 次 s.sendto(data, (\"127.0.0.1\", 7013))，每次 1024 字节，编号从 \"datagram 000\" 到 \"datagram 199\"，每次调用都立即成功。" +
				"UDP 没有流量控制，也没有窗口：没有任何东西告诉发送方接收方跟不上。" +
				"网络上：200 个数据报，一次 sendto 一个。" +
				"接收方内核把还放得下的数据报放进接收缓冲区（每个占用的内存都多于它的 1024 字节载荷），其余的一到就被丢弃——悄无声息：两个程序都收不到错误，网络上也没有任何回应。",
			Outcome: udpOverflowSent,
		},
		{
			Title:   "Receiver: read what is left, count what is gone",
			TitleZH: "接收方：读出剩下的，数一数丢了多少",
			Explain: "Now the receiver reads: s.setblocking(False), then s.recvfrom(2048) until it raises BlockingIOError (EAGAIN): each call returns one whole datagram, and only the first few are there, those that arrived while the buffer had room. " +
				"The kernel counts the others for the socket in the drops column of /proc/net/udp (ss -uam shows it as d in skmem), and for the whole network namespace as RcvbufErrors in /proc/net/snmp. " +
				"Datagrams read + datagrams dropped = datagrams sent. " +
				"A protocol over UDP that cares must number its datagrams to notice the gaps, and slow down by itself.",
			ExplainZH: "现在接收方开始读：s.setblocking(False)，然后不断调用 s.recvfrom(2048)，直到抛出 BlockingIOError（EAGAIN）：每次调用返回一个完整的数据报，而缓冲区里只有最前面的几个，也就是缓冲区还有空间时到达的那些。" +
				"其余的由内核计数：这个套接字的计数在 /proc/net/udp 的 drops 列（ss -uam 在 skmem 里显示为 d），整个网络命名空间的计数是 /proc/net/snmp 里的 RcvbufErrors。" +
				"读到的数据报 + 丢弃的数据报 = 发送的数据报。" +
				"在 UDP 上设计的协议如果在乎这些，就必须给数据报编号以发现缺口，并且自己放慢速度。",
			Outcome: udpOverflowRead,
		},
	},
	Run:   runUDPOverflow,
	Check: checkUDPOverflow,
}

func runUDPOverflow(ctx context.Context, env *Env) error {
	bound, sent := newSignal(), newSignal()
	g := newGroup(ctx)

	g.Go(func(ctx context.Context) error { // the receiver
		if err := env.Step(ctx, 1); err != nil {
			return err
		}
		s := env.NewSock(ctx, "receiver")
		defer s.Close()
		if err := s.Socket(unix.AF_INET, unix.SOCK_DGRAM, 0); err != nil {
			return err
		}
		if err := s.Setsockopt(unix.SOL_SOCKET, unix.SO_RCVBUF, overflowAsk); err != nil {
			return err
		}
		if _, err := s.Getsockopt(unix.SOL_SOCKET, unix.SO_RCVBUF); err != nil {
			return err
		}
		if err := s.Bind(UDPOverflowAddr); err != nil {
			return err
		}
		bound.fire()
		if err := sent.wait(ctx); err != nil {
			return err
		}

		if err := env.Step(ctx, 3); err != nil {
			return err
		}
		if err := s.SetBlocking(false); err != nil {
			return err
		}
		for i := 0; ; i++ {
			data, _, err := s.Recvfrom(overflowRecv)
			if errors.Is(err, unix.EAGAIN) {
				break
			}
			if err != nil {
				return err
			}
			if i >= overflowCount || string(data) != string(overflowDatagram(i)) {
				return fmt.Errorf("receiver: datagram %d is %q…", i+1, data[:min(len(data), 13)])
			}
		}
		return s.Close()
	})

	g.Go(func(ctx context.Context) error { // the sender
		if err := bound.wait(ctx); err != nil {
			return err
		}
		if err := env.Step(ctx, 2); err != nil {
			return err
		}
		c := env.NewSock(ctx, "sender")
		defer c.Close()
		if err := c.Socket(unix.AF_INET, unix.SOCK_DGRAM, 0); err != nil {
			return err
		}
		for i := range overflowCount {
			if _, err := c.Sendto(overflowDatagram(i), UDPOverflowAddr); err != nil {
				return err
			}
		}
		if err := c.Close(); err != nil {
			return err
		}
		sent.fire()
		return nil
	})
	return g.Wait()
}

// overflowWire returns the datagrams to the receiver's port on the wire.
func overflowWire(b bufRun) int {
	if b.r == nil {
		return 0
	}
	n := 0
	for i := range b.r.Packets {
		if p := &b.r.Packets[i]; p.IsUDP() && p.DstPort == overflowPort {
			n++
		}
	}
	return n
}

// overflowDrops is the receiver's drops counter in the kernel sample after
// c, or -1.
func overflowDrops(c *sockcall.Call) int {
	if k, ok := kernelSample(c, "receiver"); ok {
		return k.Drops
	}
	return -1
}

func udpOverflowSent(r *sockcall.Run) (en, zh string) {
	b := bufRun{r}
	sends := b.calls("sender", "sendto", 2)
	if len(sends) < overflowCount || overflowWire(b) < len(sends) {
		return "", "" // the words wait for every datagram
	}
	ok := 0
	for _, c := range sends {
		if c.Ret == overflowSize {
			ok++
		}
	}
	last := sends[len(sends)-1]
	en = fmt.Sprintf("%d sendto calls returned %d each, in %s; the capture saw %d datagrams to port %d.",
		ok, overflowSize, sockcall.FormatDuration(b.ret(last).Sub(b.start(sends[0]))), overflowWire(b), overflowPort)
	zh = fmt.Sprintf("%d 次 sendto 各返回 %d，用时 %s；抓包看到 %d 个发往端口 %d 的数据报。",
		ok, overflowSize, sockcall.FormatDuration(b.ret(last).Sub(b.start(sends[0]))), overflowWire(b), overflowPort)
	if d := overflowDrops(last); d >= 0 {
		en += fmt.Sprintf(" Right after the last one, the kernel's drops counter for the receiver's socket already said %d.", d)
		zh += fmt.Sprintf("最后一次 sendto 刚返回时，内核给接收方套接字记的丢弃数已经是 %d。", d)
	}
	return en, zh
}

func udpOverflowRead(r *sockcall.Run) (en, zh string) {
	b := bufRun{r}
	reads := b.calls("receiver", "recvfrom", 3)
	if len(reads) == 0 {
		return "", ""
	}
	last := reads[len(reads)-1]
	if last.Errno == "" {
		return "", ""
	}
	got := len(reads) - 1
	en = fmt.Sprintf("%d recvfrom calls returned a datagram (\"datagram 000\" to \"datagram %03d\"), then recvfrom failed with %s.", got, got-1, last.Errno)
	zh = fmt.Sprintf("%d 次 recvfrom 各返回一个数据报（\"datagram 000\" 到 \"datagram %03d\"），随后 recvfrom 以 %s 失败。", got, got-1, last.Errno)
	if got == 0 {
		en = fmt.Sprintf("recvfrom failed at once with %s: not one datagram was left.", last.Errno)
		zh = fmt.Sprintf("recvfrom 立即以 %s 失败：一个数据报都没剩下。", last.Errno)
	}
	if d := overflowDrops(last); d >= 0 {
		sent := 0
		for _, c := range b.calls("sender", "sendto", 0) {
			if c.Ret > 0 {
				sent++
			}
		}
		en += fmt.Sprintf(" The kernel dropped %d: %d read + %d dropped = %d, of %d sent.", d, got, d, got+d, sent)
		zh += fmt.Sprintf("内核丢弃了 %d 个：读到 %d + 丢弃 %d = %d，发送的是 %d 个。", d, got, d, got+d, sent)
	}
	return en, zh
}

// checkUDPOverflow verifies the fixed words of udp-overflow against a run.
func checkUDPOverflow(r *sockcall.Run) error {
	b := bufRun{r}
	var l claimList
	g := b.first("receiver", "getsockopt", 1)
	l.want(g != nil && g.Ret == 2*overflowAsk, "getsockopt(SO_RCVBUF) reads back %d (%s)", 2*overflowAsk, describeCall(g))
	sends := b.calls("sender", "sendto", 2)
	ok := 0
	for _, c := range sends {
		if c.Ret == overflowSize && c.Errno == "" {
			ok++
		}
	}
	l.want(len(sends) == overflowCount && ok == overflowCount, "all %d sendto calls succeed (%d of %d)", overflowCount, ok, len(sends))
	wire := overflowWire(b)
	l.want(wire == overflowCount, "%d datagrams on the wire (%d)", overflowCount, wire)
	back := b.packets(func(p *decode.Packet) bool {
		return p.Layers&(decode.LayerICMPv4|decode.LayerICMPv6) != 0 || p.IsUDP() && p.SrcPort == overflowPort
	})
	l.want(len(back) == 0, "nothing goes back on the wire (%d packets)", len(back))

	reads := b.calls("receiver", "recvfrom", 3)
	got := 0
	for i, c := range reads {
		if i == len(reads)-1 {
			l.want(c.Errno == "EAGAIN" && c.Nonblocking, "the last recvfrom fails with EAGAIN (%s)", describeCall(c))
			break
		}
		l.want(c.Ret == overflowSize && string(c.Data) == string(overflowDatagram(i)), "recvfrom %d returns datagram %03d whole (%s)", i+1, i, describeCall(c))
		got++
	}
	l.want(got > 0, "the first few datagrams are there (%d)", got)
	l.want(got*overflowSize < 2*overflowAsk, "each datagram costs the buffer more than its %d bytes: %d of them filled the %d-byte buffer", overflowSize, got, 2*overflowAsk)
	drops := -1
	if len(reads) > 0 {
		drops = overflowDrops(reads[len(reads)-1])
	}
	l.want(drops > 0 && got+drops == overflowCount, "read + dropped = sent: %d + %d = %d", got, drops, overflowCount)
	return l.err("udp-overflow")
}
