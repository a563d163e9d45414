//go:build unix

package demos

import (
	"context"
	"fmt"

	"golang.org/x/sys/unix"
)

// UDPEchoAddr is where the udp-echo server is bound.
const UDPEchoAddr = "127.0.0.1:7004"

var udpEcho = &Demo{
	Name:      "udp-echo",
	Title:     "UDP echo: no connection, one datagram per call",
	TitleZH:   "UDP 回显：没有连接，一次调用一个数据报",
	Summary:   "The same three messages as tcp-echo, sent with sendto: three datagrams on the wire, three recvfrom results, boundaries kept.",
	SummaryZH: "用 sendto 发送与 tcp-echo 相同的三条消息：线路上三个数据报，三次 recvfrom 各得一个，消息边界保持不变。",
	Steps: []Step{
		{
			Title:   "Server: socket(SOCK_DGRAM) and bind",
			TitleZH: "服务器：socket(SOCK_DGRAM) 和 bind",
			Explain: "The server creates a UDP socket (Python: socket.socket(AF_INET, SOCK_DGRAM)) and binds 127.0.0.1:7004. " +
				"There is no listen and no accept: once bound, a UDP socket takes datagrams from anyone. Nothing goes on the wire.",
			ExplainZH: "服务器创建 UDP 套接字（Python：socket.socket(AF_INET, SOCK_DGRAM)），bind 到 127.0.0.1:7004。" +
				"没有 listen，也没有 accept：UDP 套接字一旦绑定，就能接收任何人发来的数据报。线路上没有数据包。",
		},
		{
			Title:   "Client: three sendto() calls, no handshake",
			TitleZH: "客户端：三次 sendto()，没有握手",
			Explain: "The client creates its socket and calls sendto three times with the bytes tcp-echo sent: b\"hello\", \"你好\".encode() and b\"world\", each to (\"127.0.0.1\", 7004). " +
				"There is no handshake: the very first packet on the wire carries data. " +
				"The first sendto also binds the client to an ephemeral port (see its local address), and each sendto is exactly one datagram on the wire.",
			ExplainZH: "客户端创建套接字，调用三次 sendto，发送与 tcp-echo 相同的字节：b\"hello\"、\"你好\".encode() 和 b\"world\"，目的地都是 (\"127.0.0.1\", 7004)。" +
				"没有握手：线路上的第一个数据包就带着数据。" +
				"第一次 sendto 还会让内核给客户端自动绑定一个临时端口（看它的本地地址）；每次 sendto 在线路上正好是一个数据报。",
		},
		{
			Title:   "Server: each recvfrom(1024) returns exactly one datagram",
			TitleZH: "服务器：每次 recvfrom(1024) 恰好返回一个数据报",
			Explain: "All three datagrams are already waiting, yet each recvfrom(1024) returns exactly one of them — 5, 6, then 5 bytes — with the sender's address: UDP keeps message boundaries, so there is no 粘包. " +
				"(Had the buffer been smaller than the datagram, the rest would have been thrown away, not kept for the next call.) " +
				"For UDP, Recv-Q (SIOCINQ) is the size of the next datagram waiting. The server sends each datagram back with sendto(data, addr).",
			ExplainZH: "三个数据报都已经在等待，但每次 recvfrom(1024) 恰好只返回其中一个——依次是 5、6、5 个字节——同时返回发送方地址：UDP 保留消息边界，所以不存在粘包。" +
				"（如果缓冲区比数据报小，多出的部分会被丢弃，而不是留给下一次调用。）" +
				"对 UDP 来说，Recv-Q（SIOCINQ）是下一个待读数据报的大小。服务器用 sendto(data, addr) 把每个数据报发回去。",
		},
		{
			Title:   "Client: recvfrom the three echoes, then close",
			TitleZH: "客户端：recvfrom 收回三个回显，然后关闭",
			Explain: "The client calls recvfrom three times and gets the three echoes, one datagram each. " +
				"close() puts nothing on the wire: there is no connection to tear down, so no FIN. " +
				"Nothing guaranteed delivery either: on a real network a datagram can be lost, duplicated or reordered, and a UDP program must cope with that itself.",
			ExplainZH: "客户端调用三次 recvfrom，收回三个回显，每次一个数据报。" +
				"close() 不会在线路上产生任何数据包：没有连接需要拆除，也就没有 FIN。" +
				"同样也没有任何机制保证送达：在真实网络上数据报可能丢失、重复或乱序，UDP 程序必须自己处理这些情况。",
		},
	},
	Run: runUDPEcho,
}

func runUDPEcho(ctx context.Context, env *Env) error {
	bound, sent, echoed := newSignal(), newSignal(), newSignal()
	g := newGroup(ctx)

	g.Go(func(ctx context.Context) error { // server
		if err := env.Step(ctx, 1); err != nil {
			return err
		}
		s := env.NewSock(ctx, "server")
		defer s.Close()
		if err := s.Socket(unix.AF_INET, unix.SOCK_DGRAM, 0); err != nil {
			return err
		}
		if err := s.Bind(UDPEchoAddr); err != nil {
			return err
		}
		bound.fire()
		if err := sent.wait(ctx); err != nil {
			return err
		}
		if err := env.Step(ctx, 3); err != nil {
			return err
		}
		for range EchoMessages {
			data, addr, err := s.Recvfrom(1024)
			if err != nil {
				return err
			}
			if _, err := s.Sendto(data, addr); err != nil {
				return err
			}
		}
		if err := s.Close(); err != nil {
			return err
		}
		echoed.fire()
		return nil
	})

	g.Go(func(ctx context.Context) error { // client
		if err := bound.wait(ctx); err != nil {
			return err
		}
		if err := env.Step(ctx, 2); err != nil {
			return err
		}
		c := env.NewSock(ctx, "client")
		defer c.Close()
		if err := c.Socket(unix.AF_INET, unix.SOCK_DGRAM, 0); err != nil {
			return err
		}
		for _, m := range EchoMessages {
			if _, err := c.Sendto([]byte(m), UDPEchoAddr); err != nil {
				return err
			}
		}
		sent.fire()
		if err := echoed.wait(ctx); err != nil {
			return err
		}
		if err := env.Step(ctx, 4); err != nil {
			return err
		}
		for _, m := range EchoMessages {
			data, _, err := c.Recvfrom(1024)
			if err != nil {
				return err
			}
			if string(data) != m {
				return fmt.Errorf("client: echo %q, sent %q", data, m)
			}
		}
		return c.Close()
	})
	return g.Wait()
}
