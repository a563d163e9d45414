//go:build unix

package demos

import (
	"context"

	"golang.org/x/sys/unix"
)

// TCPEchoAddr is where the tcp-echo server listens.
const TCPEchoAddr = "127.0.0.1:7001"

// EchoMessages are what the tcp-echo, udp-echo and unix-stream clients
// send, one send or sendto each: 5 + 6 + 5 = 16 bytes ("你好" is 6 bytes in
// UTF-8). The same three sends arrive as one recv over a stream and as
// three datagrams over UDP.
var EchoMessages = []string{"hello", "你好", "world"}

func echoTotal() int {
	n := 0
	for _, m := range EchoMessages {
		n += len(m)
	}
	return n
}

var tcpEcho = &Demo{
	Name:      "tcp-echo",
	Title:     "TCP echo: handshake, byte stream, teardown",
	TitleZH:   "TCP 回显：三次握手、字节流、四次挥手",
	Summary:   "A client connects, sends three short messages in a row, gets them back in one piece, and both sides close.",
	SummaryZH: "客户端连上服务器，连发三条短消息，收到一次性原样回显，然后双方关闭连接。",
	Steps: []Step{
		{
			Title:   "Server: socket, SO_REUSEADDR, bind, listen",
			TitleZH: "服务器：socket、SO_REUSEADDR、bind、listen",
			Explain: "The server creates a TCP socket (Python: socket.socket(AF_INET, SOCK_STREAM)), sets SO_REUSEADDR so that a restarted server can bind the port again while old connections linger in TIME_WAIT " +
				"(without it: OSError: [Errno 98] Address already in use), binds 127.0.0.1:7001 and calls listen(5). " +
				"Nothing appears on the wire: these calls only set up state in the kernel. " +
				"For a listening socket, Recv-Q is the accept queue (0 so far) and Send-Q the backlog (5), as `ss -lnt` shows them.",
			ExplainZH: "服务器创建 TCP 套接字（Python：socket.socket(AF_INET, SOCK_STREAM)），并设置 SO_REUSEADDR，这样服务器重启时，即使旧连接还停留在 TIME_WAIT，也能重新绑定这个端口" +
				"（否则会报 OSError: [Errno 98] Address already in use）；然后 bind 到 127.0.0.1:7001，调用 listen(5)。" +
				"线路上没有任何数据包：这些调用只是在内核里建立状态。" +
				"对监听套接字来说，Recv-Q 是全连接（accept）队列的长度（目前为 0），Send-Q 是 backlog（5），与 `ss -lnt` 的显示一致。",
		},
		{
			Title:   "Client: connect — the three-way handshake",
			TitleZH: "客户端：connect——三次握手",
			Explain: "The client creates its socket and calls connect((\"127.0.0.1\", 7001)). Its kernel picks an ephemeral port and sends SYN; the server's kernel answers SYN/ACK, the client's kernel ACKs, and connect returns 0. " +
				"The server program took no part: the kernel completed the handshake and queued the connection. " +
				"accept() then takes it off the queue and returns a new socket for it (conn, addr = s.accept()); both ends are ESTABLISHED in TCP_INFO.",
			ExplainZH: "客户端创建套接字并调用 connect((\"127.0.0.1\", 7001))。客户端内核挑选一个临时端口并发出 SYN，服务器内核回应 SYN/ACK，客户端内核再回 ACK，connect 返回 0。" +
				"服务器程序本身没有参与：握手由内核完成，建立好的连接放进队列。" +
				"accept() 只是从队列里取出这个连接，返回一个新的套接字（conn, addr = s.accept()）；此时两端的 TCP_INFO 状态都是 ESTABLISHED。",
		},
		{
			Title:   "Client: three send() calls in a row",
			TitleZH: "客户端：连续三次 send()",
			Explain: "The client calls send three times: b\"hello\", \"你好\".encode() (6 bytes in UTF-8) and b\"world\". " +
				"Each send returns as soon as the kernel has copied the bytes into the socket's send buffer; it does not wait for the server to read them. " +
				"On the wire the bytes travel in data segments (flags PSH, ACK), numbered by their place in the stream: bytes 1–5, 6–11, 12–16. " +
				"The server's kernel ACKs them although the server program has read nothing yet — on loopback so fast that the client's Send-Q (bytes not yet acknowledged) is back to 0 when send returns.",
			ExplainZH: "客户端连续调用三次 send：b\"hello\"、\"你好\".encode()（UTF-8 编码是 6 个字节）和 b\"world\"。" +
				"只要内核把字节复制进套接字的发送缓冲区，send 就返回，并不等服务器读取。" +
				"在线路上，这些字节装在数据段（标志 PSH, ACK）里传送，按它们在字节流中的位置编号：第 1–5、6–11、12–16 字节。" +
				"服务器程序还一个字节都没读，服务器内核就已经回了 ACK——在回环接口上快到 send 返回时，客户端的 Send-Q（已发送但未被确认的字节数）已经回到 0。",
		},
		{
			Title:   "Server: one recv(1024) returns all 16 bytes (粘包)",
			TitleZH: "服务器：一次 recv(1024) 读到全部 16 个字节（粘包）",
			Explain: "The server calls recv(1024) and gets all 16 bytes in one call: \"hello你好world\". " +
				"TCP is a byte stream: it keeps the order of the bytes but not the boundaries between sends, so three sends can come back as one recv (what Chinese tutorials call 粘包), and one send can also be split over several recvs. " +
				"A protocol over TCP must mark its own message boundaries, with a length prefix or a delimiter. " +
				"The server echoes the bytes with sendall: one data segment back to the client.",
			ExplainZH: "服务器调用 recv(1024)，一次就拿到了全部 16 个字节：\"hello你好world\"。" +
				"TCP 是字节流：它保证字节的顺序，却不保留每次 send 之间的边界，所以三次 send 的数据可能被一次 recv 全部读到（这就是中文教程里常说的“粘包”），一次 send 的数据也可能要分几次 recv 才能读完。" +
				"在 TCP 上设计协议，必须自己标出消息边界：加长度前缀，或者使用分隔符。" +
				"服务器随后用 sendall 原样发回：线路上是一个发给客户端的数据段。",
		},
		{
			Title:   "Client: recv until all 16 bytes are back",
			TitleZH: "客户端：循环 recv，直到收回全部 16 个字节",
			Explain: "The client calls recv(1024) until it has the 16 bytes back. One call is enough here, but a correct program loops: recv may return fewer bytes than there is room for. " +
				"The bytes received are the bytes sent, in the same order.",
			ExplainZH: "客户端循环调用 recv(1024)，直到收回 16 个字节。这里一次就够了，但正确的程序必须循环读取：recv 返回的字节数可能少于缓冲区的大小。" +
				"收到的字节与发出的完全相同，顺序也一样。",
		},
		{
			Title:   "Client: close() — the active close",
			TitleZH: "客户端：close()——主动关闭",
			Explain: "The client calls close(), and its kernel sends FIN: \"I have nothing more to send\". " +
				"The server's kernel acknowledges it (the ACK may wait a few milliseconds and ride on the server's own FIN), and the server's waiting recv returns 0 bytes (Python: b''), the sign that the peer has closed. " +
				"The server's socket is now in CLOSE_WAIT: the kernel waits for the program to close its own side. The client, which closed first, waits in FIN_WAIT2 for the server's FIN.",
			ExplainZH: "客户端调用 close()，它的内核发出 FIN，意思是“我没有数据要发了”。" +
				"服务器内核会确认这个 FIN（这个 ACK 可能延迟几毫秒，搭上服务器自己的 FIN 一起发出），服务器正在等待的 recv 返回 0 个字节（Python 里是 b''），这就表示对方已经关闭。" +
				"服务器套接字此时处于 CLOSE_WAIT：内核在等程序关闭自己这一端。先关闭的客户端处于 FIN_WAIT2，等待服务器的 FIN。",
		},
		{
			Title:   "Server: recv returned 0, so close() — the passive close",
			TitleZH: "服务器：recv 返回 0，于是 close()——被动关闭",
			Explain: "The server leaves its loop and closes the connection, then the listening socket. Its kernel sends its own FIN and the client's kernel ACKs it: FIN, ACK, FIN, ACK in all (四次挥手), or three segments when the server's FIN carries the ACK of the client's. " +
				"The client's end of the connection now waits in TIME_WAIT for 60 seconds, kept by the kernel although the program has no socket left. " +
				"Only the side that closes first goes through TIME_WAIT, which is why servers set SO_REUSEADDR.",
			ExplainZH: "服务器退出循环，先关闭连接套接字，再关闭监听套接字。它的内核发出自己的 FIN，客户端内核回 ACK：一共是 FIN、ACK、FIN、ACK，即“四次挥手”；如果服务器的 FIN 顺带确认了客户端的 FIN，线路上就只有三个报文段。" +
				"连接的客户端一侧随后进入 TIME_WAIT，持续 60 秒；程序里已经没有这个套接字了，状态由内核保留。" +
				"只有先关闭的一方才会经过 TIME_WAIT，这也是服务器要设置 SO_REUSEADDR 的原因。",
		},
	},
	Run: runTCPEcho,
}

// runTCPEcho: the server.py and client.py of every socket tutorial, as two
// goroutines. Signals order their steps; nothing waits on a timer.
func runTCPEcho(ctx context.Context, env *Env) error {
	listening, accepted, sent, echoed, closed := newSignal(), newSignal(), newSignal(), newSignal(), newSignal()
	g := newGroup(ctx)

	g.Go(func(ctx context.Context) error { // server.py
		if err := env.Step(ctx, 1); err != nil {
			return err
		}
		s := env.NewSock(ctx, "server")
		defer s.Close()
		if err := s.Socket(unix.AF_INET, unix.SOCK_STREAM, 0); err != nil {
			return err
		}
		if err := s.Setsockopt(unix.SOL_SOCKET, unix.SO_REUSEADDR, 1); err != nil {
			return err
		}
		if err := s.Bind(TCPEchoAddr); err != nil {
			return err
		}
		if err := s.Listen(5); err != nil {
			return err
		}
		listening.fire()

		conn, _, err := s.Accept()
		if err != nil {
			return err
		}
		defer conn.Close()
		accepted.fire()

		// Let the client's three sends land first, so that the lesson of
		// step 4 shows: one recv returns all of them.
		if err := sent.wait(ctx); err != nil {
			return err
		}
		if err := env.Step(ctx, 4); err != nil {
			return err
		}
		if err := conn.waitQueued(echoTotal()); err != nil {
			return err
		}
		for first := true; ; first = false {
			data, err := conn.Recv(1024)
			if err != nil {
				return err
			}
			if len(data) == 0 { // the client closed
				break
			}
			if err := conn.Sendall(data); err != nil {
				return err
			}
			if first {
				echoed.fire()
			}
		}

		// The FIN can wake this recv before the client's close has
		// returned; step 7 begins once it has.
		if err := closed.wait(ctx); err != nil {
			return err
		}
		if err := env.Step(ctx, 7); err != nil {
			return err
		}
		if err := conn.Close(); err != nil {
			return err
		}
		return s.Close()
	})

	g.Go(func(ctx context.Context) error { // client.py
		if err := listening.wait(ctx); err != nil {
			return err
		}
		if err := env.Step(ctx, 2); err != nil {
			return err
		}
		c := env.NewSock(ctx, "client")
		defer c.Close()
		if err := c.Socket(unix.AF_INET, unix.SOCK_STREAM, 0); err != nil {
			return err
		}
		if err := c.Connect(TCPEchoAddr); err != nil {
			return err
		}
		if err := accepted.wait(ctx); err != nil {
			return err
		}

		if err := env.Step(ctx, 3); err != nil {
			return err
		}
		var want []byte
		for _, m := range EchoMessages {
			if _, err := c.Send([]byte(m)); err != nil {
				return err
			}
			want = append(want, m...)
		}
		sent.fire()

		if err := echoed.wait(ctx); err != nil {
			return err
		}
		if err := env.Step(ctx, 5); err != nil {
			return err
		}
		if err := c.recvEcho(want); err != nil {
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
