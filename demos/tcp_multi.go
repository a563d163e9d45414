//go:build unix

package demos

import (
	"bytes"
	"context"
	"fmt"
	"strconv"
	"sync"

	"golang.org/x/sys/unix"
)

// TCPMultiAddr is where the tcp-multi server listens.
const TCPMultiAddr = "127.0.0.1:7002"

// TCPMultiClients is how many clients tcp-multi runs at once.
const TCPMultiClients = 3

// TCPMultiMessage is what client-i sends (i from 1).
func TCPMultiMessage(i int) string { return "client-" + strconv.Itoa(i) + " 你好" }

var tcpMulti = &Demo{
	Name:      "tcp-multi",
	Title:     "TCP server with a thread per client: three connections at once",
	TitleZH:   "每个客户端一个线程的 TCP 服务器：同时处理三个连接",
	Summary:   "Three clients connect and talk at the same time; the server hands each connection to its own goroutine, and the wire interleaves the three connections.",
	SummaryZH: "三个客户端同时连接、同时收发；服务器把每个连接交给各自的 goroutine（线程）处理，线路上三个连接的报文交错出现。",
	Steps: []Step{
		{
			Title:   "Server: listen on 127.0.0.1:7002",
			TitleZH: "服务器：在 127.0.0.1:7002 上监听",
			Explain: "The same start as tcp-echo: socket(AF_INET, SOCK_STREAM), SO_REUSEADDR, bind and listen(5). " +
				"The backlog, 5, is how many connections the kernel may hold ready for accept; three clients fit. " +
				"Nothing goes on the wire yet.",
			ExplainZH: "开头和 tcp-echo 一样：socket(AF_INET, SOCK_STREAM)、SO_REUSEADDR、bind、listen(5)。" +
				"backlog 为 5，表示内核最多可以替程序保留 5 个已建立、等待 accept 的连接；三个客户端足够放下。" +
				"线路上还没有数据包。",
		},
		{
			Title:   "Three clients connect at once; one thread per client",
			TitleZH: "三个客户端同时连接；每个客户端一个线程",
			Explain: "Three clients call connect at the same moment, and three handshakes (SYN, SYN/ACK, ACK) interleave on the wire, told apart by the clients' ports. " +
				"The server loops on accept(); for each new socket it starts a goroutine — the tutorials' threading.Thread(target=handle, args=(conn, addr)).start() — named handler-1 to handler-3 in the order accepted. " +
				"While one handler waits in recv, the others and the accept loop carry on: a slow client holds up no one.",
			ExplainZH: "三个客户端在同一时刻调用 connect，线路上三次握手（SYN、SYN/ACK、ACK）交错出现，靠客户端端口号区分。" +
				"服务器循环调用 accept()，每得到一个新套接字就启动一个 goroutine 去处理它——相当于教程里的 threading.Thread(target=handle, args=(conn, addr)).start()——按 accept 的先后命名为 handler-1 到 handler-3。" +
				"某个 handler 阻塞在 recv 时，其他 handler 和 accept 循环照常运行：一个慢客户端不会拖住别人。",
		},
		{
			Title:   "Everyone talks at once",
			TitleZH: "大家同时收发",
			Explain: "The three clients send their messages at the same time, and each handler recv()s and sendall()s the bytes back on its own connection. " +
				"On the wire the three connections' segments are mixed together, yet nothing gets mixed up: the kernel files every segment under its connection by four numbers — source address, source port, destination address, destination port. " +
				"All three server-side sockets share local port 7002 with the listening socket.",
			ExplainZH: "三个客户端同时发送各自的消息，每个 handler 在自己的连接上 recv()，再用 sendall() 原样发回。" +
				"线路上三个连接的报文段混在一起，却不会串线：内核按四元组——源地址、源端口、目的地址、目的端口——把每个报文段归到它所属的连接。" +
				"服务器这边的三个连接套接字和监听套接字共用本地端口 7002。",
		},
		{
			Title:   "Clients read their echo and close; handlers close; the server stops",
			TitleZH: "客户端读回显后关闭；handler 关闭；服务器停止",
			Explain: "Each client recv()s until its own message is back, then closes (FIN). " +
				"Each handler's recv returns 0, so it closes its connection and its thread ends. " +
				"When all three handlers are done, the server closes the listening socket: three teardowns, one per connection, in whatever order the clients finished.",
			ExplainZH: "每个客户端循环 recv()，直到收回自己的消息，然后关闭（发出 FIN）。" +
				"每个 handler 的 recv 返回 0，于是关闭自己的连接，线程随之结束。" +
				"三个 handler 都结束后，服务器关闭监听套接字：三个连接各自挥手，先后顺序取决于哪个客户端先完成。",
		},
	},
	Run: runTCPMulti,
}

func runTCPMulti(ctx context.Context, env *Env) error {
	listening, acceptedAll, goSend, goClose := newSignal(), newSignal(), newSignal(), newSignal()
	connected := make(chan struct{}, TCPMultiClients)
	sent := make(chan struct{}, TCPMultiClients)
	echoed := make(chan struct{}, TCPMultiClients)
	g := newGroup(ctx)
	ctx = g.ctx

	if err := env.Step(ctx, 1); err != nil {
		return err
	}
	g.Go(func(ctx context.Context) error { // the server: accept loop, a handler per client
		s := env.NewSock(ctx, "server")
		defer s.Close()
		if err := s.Socket(unix.AF_INET, unix.SOCK_STREAM, 0); err != nil {
			return err
		}
		if err := s.Setsockopt(unix.SOL_SOCKET, unix.SO_REUSEADDR, 1); err != nil {
			return err
		}
		if err := s.Bind(TCPMultiAddr); err != nil {
			return err
		}
		if err := s.Listen(5); err != nil {
			return err
		}
		listening.fire()

		var handlers sync.WaitGroup
		for i := 1; i <= TCPMultiClients; i++ { // a tutorial loops forever; we stop after three
			conn, _, err := s.Accept()
			if err != nil {
				return err
			}
			conn.Endpoint = "handler-" + strconv.Itoa(i)
			handlers.Add(1)
			g.Go(func(ctx context.Context) error {
				defer handlers.Done()
				defer conn.Close()
				for first := true; ; first = false {
					data, err := conn.Recv(1024)
					if err != nil {
						return err
					}
					if len(data) == 0 {
						break
					}
					if err := conn.Sendall(data); err != nil {
						return err
					}
					if first {
						echoed <- struct{}{}
					}
				}
				return conn.Close()
			})
		}
		acceptedAll.fire()
		handlers.Wait()
		return s.Close()
	})
	if err := listening.wait(ctx); err != nil {
		return g.stop(err)
	}

	if err := env.Step(ctx, 2); err != nil {
		return g.stop(err)
	}
	for i := 1; i <= TCPMultiClients; i++ {
		name := "client-" + strconv.Itoa(i)
		msg := []byte(TCPMultiMessage(i))
		g.Go(func(ctx context.Context) error {
			c := env.NewSock(ctx, name)
			defer c.Close()
			if err := c.Socket(unix.AF_INET, unix.SOCK_STREAM, 0); err != nil {
				return err
			}
			if err := c.Connect(TCPMultiAddr); err != nil {
				return err
			}
			connected <- struct{}{}
			if err := goSend.wait(ctx); err != nil {
				return err
			}
			if err := c.Sendall(msg); err != nil {
				return err
			}
			sent <- struct{}{}
			if err := goClose.wait(ctx); err != nil {
				return err
			}
			var got []byte
			for len(got) < len(msg) {
				data, err := c.Recv(1024)
				if err != nil {
					return err
				}
				if len(data) == 0 {
					return fmt.Errorf("%s: the server closed after %d of %d bytes", name, len(got), len(msg))
				}
				got = append(got, data...)
			}
			if !bytes.Equal(got, msg) {
				return fmt.Errorf("%s: echo %q, sent %q", name, got, msg)
			}
			return c.Close()
		})
	}
	if err := waitN(ctx, connected, TCPMultiClients); err != nil {
		return g.stop(err)
	}
	if err := acceptedAll.wait(ctx); err != nil {
		return g.stop(err)
	}

	if err := env.Step(ctx, 3); err != nil {
		return g.stop(err)
	}
	goSend.fire()
	// Step 4 begins when every send has returned and every handler has
	// echoed (the echo can come back before the send returns).
	if err := waitN(ctx, sent, TCPMultiClients); err != nil {
		return g.stop(err)
	}
	if err := waitN(ctx, echoed, TCPMultiClients); err != nil {
		return g.stop(err)
	}

	if err := env.Step(ctx, 4); err != nil {
		return g.stop(err)
	}
	goClose.fire()
	return g.Wait()
}

// waitN receives n events from ch, or returns ctx's error.
func waitN(ctx context.Context, ch <-chan struct{}, n int) error {
	for range n {
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}
