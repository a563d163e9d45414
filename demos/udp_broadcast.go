//go:build unix

package demos

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strconv"

	"github.com/sockscope/sockscope/decode"
	"github.com/sockscope/sockscope/demos/sockcall"

	"golang.org/x/sys/unix"
)

// Addresses of the udp-broadcast demo: the receivers bind BroadcastBind,
// the sender sends to BroadcastAddr (the broadcast address of loopback's
// 127.0.0.0/8).
const (
	BroadcastBind = "0.0.0.0:7003"
	BroadcastAddr = "127.255.255.255:7003"
)

// BroadcastReceivers is how many receivers udp-broadcast runs.
const BroadcastReceivers = 3

// BroadcastMessage is the one datagram the sender broadcasts.
const BroadcastMessage = "大家好, hello everyone"

var udpBroadcast = &Demo{
	Name:      "udp-broadcast",
	Title:     "UDP broadcast: one datagram, three receivers",
	TitleZH:   "UDP 广播：一个数据报，三个接收方",
	Summary:   "Three receivers share port 7003 with SO_REUSEADDR; a sender with SO_BROADCAST sends one datagram to 127.255.255.255, and each receiver gets its own copy.",
	SummaryZH: "三个接收方借助 SO_REUSEADDR 共用端口 7003；开启 SO_BROADCAST 的发送方向 127.255.255.255 发出一个数据报，每个接收方都收到一份。",
	Steps: []Step{
		{
			Title:   "Three receivers bind the same port",
			TitleZH: "三个接收方绑定同一个端口",
			Explain: "Each receiver creates a UDP socket, sets SO_REUSEADDR and binds 0.0.0.0:7003 (Python: s.bind((\"\", 7003))). " +
				"0.0.0.0 (INADDR_ANY) means every local address, broadcast addresses included. " +
				"Without SO_REUSEADDR on all of them, the second bind would fail with EADDRINUSE (OSError: [Errno 98] Address already in use).",
			ExplainZH: "每个接收方创建 UDP 套接字，设置 SO_REUSEADDR，再 bind 到 0.0.0.0:7003（Python：s.bind((\"\", 7003))）。" +
				"0.0.0.0（INADDR_ANY）表示本机所有地址，包括广播地址。" +
				"如果不是每个套接字都设置了 SO_REUSEADDR，第二次 bind 就会因 EADDRINUSE 失败（OSError: [Errno 98] Address already in use）。",
		},
		{
			Title:   "Sender: sendto the broadcast address without SO_BROADCAST",
			TitleZH: "发送方：未设置 SO_BROADCAST 就向广播地址 sendto",
			Explain: "The sender creates a UDP socket and tries sendto(data, (\"127.255.255.255\", 7003)). " +
				"The kernel refuses with EACCES (Python: PermissionError: [Errno 13] Permission denied) and nothing goes on the wire: " +
				"a program has to say on purpose that it means to broadcast.",
			ExplainZH: "发送方创建 UDP 套接字，尝试 sendto(data, (\"127.255.255.255\", 7003))。" +
				"内核以 EACCES 拒绝（Python：PermissionError: [Errno 13] Permission denied），网络上什么也没有：" +
				"程序必须明确声明自己要发广播。",
		},
		{
			Title:   "Sender: setsockopt SO_BROADCAST, then one sendto",
			TitleZH: "发送方：setsockopt SO_BROADCAST，然后 sendto 一次",
			Explain: "After setsockopt(SOL_SOCKET, SO_BROADCAST, 1) the same sendto succeeds, and exactly one datagram goes on the wire, to 127.255.255.255, the broadcast address of the loopback network 127.0.0.0/8. " +
				"On an Ethernet LAN you would send to the subnet's broadcast address (say 192.168.1.255, or 255.255.255.255) and the frame would go to MAC ff:ff:ff:ff:ff:ff, for every host on the link.",
			ExplainZH: "执行 setsockopt(SOL_SOCKET, SO_BROADCAST, 1) 之后，同样的 sendto 就成功了，网络上正好出现一个数据报，目的地址是 127.255.255.255，即环回地址段 127.0.0.0/8 的广播地址。" +
				"在以太网局域网里，你会发往子网的广播地址（例如 192.168.1.255，或 255.255.255.255），帧的目的 MAC 是 ff:ff:ff:ff:ff:ff，同一局域网里的每台主机都会收到。",
		},
		{
			Title:   "Each receiver recvfrom()s its own copy",
			TitleZH: "每个接收方用 recvfrom() 各收到一份",
			Explain: "Each of the three receivers calls recvfrom(1024) and gets the same datagram and the sender's address. " +
				"The kernel made the copies when it delivered the one packet to every socket bound to the port: one datagram on the wire, three recvfrom results. " +
				"A unicast datagram to 127.0.0.1:7003, by contrast, would reach just one of them.",
			ExplainZH: "三个接收方各自调用 recvfrom(1024)，都收到同一个数据报和发送方地址。" +
				"副本是内核在投递时做的：这一个数据报被交给绑定在该端口上的每个套接字。网络上只有一个数据报，三次 recvfrom 各收到一份。" +
				"相比之下，发往 127.0.0.1:7003 的单播数据报只会送到其中一个接收方。",
			Outcome: udpBroadcastRecvOutcome,
		},
	},
	Run:   runUDPBroadcast,
	Check: checkUDPBroadcast,
}

func runUDPBroadcast(ctx context.Context, env *Env) error {
	bound := make(chan struct{}, BroadcastReceivers)
	goRecv := newSignal()
	g := newGroup(ctx)
	ctx = g.ctx

	if err := env.Step(ctx, 1); err != nil {
		return err
	}
	msg := []byte(BroadcastMessage)
	for i := 1; i <= BroadcastReceivers; i++ {
		name := "receiver-" + strconv.Itoa(i)
		g.Go(func(ctx context.Context) error {
			r := env.NewSock(ctx, name)
			defer r.Close()
			if err := r.Socket(unix.AF_INET, unix.SOCK_DGRAM, 0); err != nil {
				return err
			}
			if err := r.Setsockopt(unix.SOL_SOCKET, unix.SO_REUSEADDR, 1); err != nil {
				return err
			}
			if err := r.Bind(BroadcastBind); err != nil {
				return err
			}
			bound <- struct{}{}
			if err := goRecv.wait(ctx); err != nil {
				return err
			}
			data, _, err := r.Recvfrom(1024)
			if err != nil {
				return err
			}
			if string(data) != BroadcastMessage {
				return fmt.Errorf("%s: got %q, want %q", name, data, BroadcastMessage)
			}
			return r.Close()
		})
		// One at a time, so that the receivers' calls read in order.
		if err := waitN(ctx, bound, 1); err != nil {
			return g.stop(err)
		}
	}

	if err := env.Step(ctx, 2); err != nil {
		return g.stop(err)
	}
	s := env.NewSock(ctx, "sender")
	defer s.Close()
	if err := s.Socket(unix.AF_INET, unix.SOCK_DGRAM, 0); err != nil {
		return g.stop(err)
	}
	if _, err := s.Sendto(msg, BroadcastAddr); !errors.Is(err, unix.EACCES) {
		if err == nil {
			err = errors.New("sender: sendto a broadcast address without SO_BROADCAST succeeded; expected EACCES")
		}
		return g.stop(err)
	}

	if err := env.Step(ctx, 3); err != nil {
		return g.stop(err)
	}
	if err := s.Setsockopt(unix.SOL_SOCKET, unix.SO_BROADCAST, 1); err != nil {
		return g.stop(err)
	}
	if _, err := s.Sendto(msg, BroadcastAddr); err != nil {
		return g.stop(err)
	}
	if err := s.Close(); err != nil {
		return g.stop(err)
	}

	if err := env.Step(ctx, 4); err != nil {
		return g.stop(err)
	}
	goRecv.fire()
	return g.Wait()
}

// udpBroadcastRecvOutcome: the order the receivers' recvfrom calls came
// back in, all with the one datagram.
func udpBroadcastRecvOutcome(r *sockcall.Run) (en, zh string) {
	f := factsOf(r)
	var got []*sockcall.Call
	var frame *decode.Packet
	for i := 1; i <= BroadcastReceivers; i++ {
		c := f.call("receiver-"+strconv.Itoa(i), "recvfrom", 0)
		fr := f.frames(c)
		if c == nil || c.Ret < 0 || len(fr) != 1 || frame != nil && fr[0] != frame || len(got) > 0 && (c.Ret != got[0].Ret || c.Peer != got[0].Peer) {
			return "", ""
		}
		frame = fr[0]
		got = append(got, c)
	}
	slices.SortFunc(got, func(a, b *sockcall.Call) int { return a.Number - b.Number })
	var names []string
	for _, c := range got {
		names = append(names, c.Endpoint)
	}
	return fmt.Sprintf("The receivers' recvfrom calls returned in the order %s, each with the %d bytes of frame %d from %v.", joinList(names, false), got[0].Ret, frame.Number, got[0].Peer),
		fmt.Sprintf("接收方的 recvfrom 依次返回：%s，每个都拿到第 %d 帧的 %d 个字节，来自 %v。", joinList(names, true), frame.Number, got[0].Ret, got[0].Peer)
}

// checkUDPBroadcast verifies the fixed claims of udp-broadcast's words.
func checkUDPBroadcast(r *sockcall.Run) error {
	f := factsOf(r)
	var ck claims
	bcast := netip.MustParseAddrPort(BroadcastAddr)
	bind := netip.MustParseAddrPort(BroadcastBind)
	onPort := f.packets(func(p *decode.Packet) bool { return datagramTo(p, bcast.Port()) })

	// Step 1.
	for i := 1; i <= BroadcastReceivers; i++ {
		name := "receiver-" + strconv.Itoa(i)
		opt, b := f.call(name, "setsockopt", 0), f.call(name, "bind", 0)
		ck.expect(opt != nil && opt.Ret == 0 && opt.Args == "SOL_SOCKET, SO_REUSEADDR, 1" && b != nil && b.Ret == 0 && b.Local == bind && callEnd(opt).Before(callEnd(b)),
			"step 1: each receiver sets SO_REUSEADDR and binds 0.0.0.0:7003", "%s: %s, %s", name, describe(opt), describe(b))
	}

	// Step 2.
	sends := f.calls("sender", "sendto")
	opt := f.call("sender", "setsockopt", 0)
	ck.expect(len(sends) == 2 && opt != nil, "steps 2–3: sendto, setsockopt SO_BROADCAST, sendto", "%d sendto calls, setsockopt %s", len(sends), describe(opt))
	if len(sends) != 2 || opt == nil {
		return ck.err()
	}
	refused, sent := sends[0], sends[1]
	ck.expect(refused.Ret == -1 && refused.Errno == "EACCES" && refused.Peer == bcast && callEnd(refused).Before(callStart(opt)),
		"step 2: without SO_BROADCAST the kernel refuses sendto to 127.255.255.255 with EACCES", "%s to %v", describe(refused), refused.Peer)
	early := 0
	for _, p := range onPort {
		if frameTime(p).Before(callStart(sent)) {
			early++
		}
	}
	ck.expect(len(f.frames(refused)) == 0 && early == 0, "step 2: nothing goes on the wire", "%d datagrams to port 7003 before the second sendto", early)

	// Step 3.
	ck.expect(opt.Ret == 0 && opt.Args == "SOL_SOCKET, SO_BROADCAST, 1", "step 3: setsockopt(SOL_SOCKET, SO_BROADCAST, 1)", "%s", describe(opt))
	ck.expect(sent.Ret == len(BroadcastMessage) && string(sent.Data) == BroadcastMessage && sent.Peer == bcast, "step 3: the same sendto then succeeds", "%s", describe(sent))
	ck.expect(len(onPort) == 1 && onPort[0].Dst == bcast.Addr() && onPort[0].SrcPort == sent.Local.Port() && onPort[0].PayloadLen == len(BroadcastMessage),
		"step 3: exactly one datagram goes on the wire, to 127.255.255.255", "%d datagrams to port 7003", len(onPort))

	// Step 4.
	from := netip.AddrPortFrom(netip.AddrFrom4([4]byte{127, 0, 0, 1}), sent.Local.Port())
	for i := 1; i <= BroadcastReceivers; i++ {
		name := "receiver-" + strconv.Itoa(i)
		c := f.call(name, "recvfrom", 0)
		fr := f.frames(c)
		ck.expect(c != nil && c.Len == 1024 && string(c.Data) == BroadcastMessage && c.Peer == from && len(fr) == 1 && len(onPort) == 1 && fr[0] == onPort[0],
			"step 4: each receiver's recvfrom(1024) gets the one datagram and the sender's address", "%s: %s from %v", name, describe(c), peerOf(c))
	}
	return ck.err()
}
