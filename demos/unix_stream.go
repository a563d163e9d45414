//go:build unix

package demos

import (
	"context"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// UnixSocketName is the socket file unix-stream binds, in Env.Dir.
const UnixSocketName = "echo.sock"

var unixStream = &Demo{
	Name:      "unix-stream",
	Title:     "AF_UNIX stream echo: calls and buffers, no packets",
	TitleZH:   "AF_UNIX 流式回显：只有调用和缓冲区，没有数据包",
	Summary:   "tcp-echo over a socket file instead of an IP address: the same calls and the same byte stream, but the bytes go from one socket's buffer to the other's inside the kernel, and no packet is ever sent.",
	SummaryZH: "把 tcp-echo 的 IP 地址换成套接字文件：调用相同，同样是字节流，但字节在内核里从一个套接字的缓冲区直接进入另一个的缓冲区，从不产生数据包。",
	Steps: []Step{
		{
			Title:   "Server: AF_UNIX socket bound to a file",
			TitleZH: "服务器：绑定到文件的 AF_UNIX 套接字",
			Explain: "The server creates socket(AF_UNIX, SOCK_STREAM) (Python: socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)), binds it to a path, which creates a socket file there (ls -l shows type s), and listens. " +
				"The file is only a name by which clients find the socket; no data is ever stored in it.",
			ExplainZH: "服务器创建 socket(AF_UNIX, SOCK_STREAM)（Python：socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)），bind 到一个路径——这会在那里创建一个套接字文件（ls -l 显示类型为 s）——然后 listen。" +
				"这个文件只是客户端用来找到套接字的名字，数据从来不会写进文件。",
		},
		{
			Title:   "Client: connect to the path — before anyone accepts",
			TitleZH: "客户端：connect 到该路径——此时还没有人 accept",
			Explain: "The client connects to the same path, and connect returns 0 although the server has not called accept yet: the kernel links the two sockets at once and holds the new connection in the listen queue. " +
				"There is no handshake and nothing on any network interface; a capture shows nothing for this demo, now or later.",
			ExplainZH: "客户端 connect 到同一个路径。虽然服务器还没有调用 accept，connect 仍然返回 0：内核直接把两个套接字连起来，新连接放在监听队列里等待。" +
				"没有握手，任何网卡上都没有数据；抓包在这个演示里自始至终什么也看不到。",
		},
		{
			Title:   "Client: three sends; the bytes wait in the server's queue",
			TitleZH: "客户端：三次 send；字节在服务器的队列里等待",
			Explain: "The client sends the three messages of tcp-echo. Each send copies the bytes straight into the receive queue of the server's end of the connection, even though it has not been accepted yet. " +
				"The client's Send-Q (SIOCOUTQ) counts the kernel memory these unread messages take — bytes plus bookkeeping — not the bytes themselves: it grows with each send and drops to 0 when the server reads.",
			ExplainZH: "客户端发送 tcp-echo 的三条消息。每次 send 都把字节直接复制进服务器那一端的接收队列，即使这个连接还没被 accept。" +
				"客户端的 Send-Q（SIOCOUTQ）统计的是这些未读消息占用的内核内存（字节加上管理开销），而不是字节数：每 send 一次就增加，服务器读走之后回到 0。",
		},
		{
			Title:   "Server: accept finds 16 bytes waiting; one recv(1024) takes them all",
			TitleZH: "服务器：accept 时已有 16 个字节在等待；一次 recv(1024) 全部读走",
			Explain: "accept returns the server's end of the connection, and its Recv-Q (SIOCINQ) already shows the 16 bytes waiting. " +
				"As with TCP, one recv(1024) returns all of them: a SOCK_STREAM socket is a byte stream in any family, so 粘包 happens here too (SOCK_SEQPACKET or SOCK_DGRAM would keep the boundaries). " +
				"The server echoes them with sendall.",
			ExplainZH: "accept 返回服务器这一端的连接套接字，它的 Recv-Q（SIOCINQ）已经显示有 16 个字节在等待。" +
				"和 TCP 一样，一次 recv(1024) 就把它们全部读走：无论哪个协议族，SOCK_STREAM 都是字节流，所以这里同样会粘包（换成 SOCK_SEQPACKET 或 SOCK_DGRAM 才会保留消息边界）。" +
				"服务器用 sendall 原样发回。",
		},
		{
			Title:   "Close both ends and remove the socket file",
			TitleZH: "关闭两端，删除套接字文件",
			Explain: "The client reads its echo and closes; the server's recv returns 0 and it closes too. No FIN, no TIME_WAIT, no packets at all: AF_UNIX never touches a network interface, everything stays inside one kernel. " +
				"The socket file outlives close(): the server removes it (Python: os.unlink(path)), or the next bind to that path would fail with EADDRINUSE.",
			ExplainZH: "客户端读回显后关闭；服务器的 recv 返回 0，随后也关闭。没有 FIN，没有 TIME_WAIT，根本没有数据包：AF_UNIX 从不经过网卡，一切都发生在同一个内核里。" +
				"close() 之后套接字文件仍然存在：服务器要删掉它（Python：os.unlink(path)），否则下次 bind 同一路径会因 EADDRINUSE 失败。",
		},
	},
	Run: runUnixStream,
}

// runUnixStream puts its socket file in a new directory under Env.Dir or
// the temporary directory, and removes both on every return. In the lab the
// temporary directory is the lab's own tmpfs (lab_tmp_linux.go), so even a
// SIGKILL, which runs no deferred call, leaves nothing on the host. With
// --host-net there is no lab: the deferred removals cover every end but
// SIGKILL (Ctrl-C and SIGTERM cancel ctx and return through them), and a
// SIGKILL leaves the directory and its socket file behind; no process can
// clean up after its own SIGKILL.
func runUnixStream(ctx context.Context, env *Env) error {
	dir := env.Dir
	if dir == "" {
		d, err := os.MkdirTemp("", "sockscope-unix-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(d)
		dir = d
	}
	path := filepath.Join(dir, UnixSocketName)
	listening, sent, echoed := newSignal(), newSignal(), newSignal()
	g := newGroup(ctx)

	g.Go(func(ctx context.Context) error { // server
		if err := env.Step(ctx, 1); err != nil {
			return err
		}
		s := env.NewSock(ctx, "server")
		defer s.Close()
		if err := s.Socket(unix.AF_UNIX, unix.SOCK_STREAM, 0); err != nil {
			return err
		}
		if err := s.Bind(path); err != nil {
			return err
		}
		defer os.Remove(path)
		if err := s.Listen(5); err != nil {
			return err
		}
		listening.fire()

		if err := sent.wait(ctx); err != nil { // accept late, on purpose
			return err
		}
		if err := env.Step(ctx, 4); err != nil {
			return err
		}
		conn, _, err := s.Accept()
		if err != nil {
			return err
		}
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
				echoed.fire()
			}
		}
		if err := conn.Close(); err != nil {
			return err
		}
		if err := s.Close(); err != nil {
			return err
		}
		return os.Remove(path) // os.unlink(path)
	})

	g.Go(func(ctx context.Context) error { // client
		if err := listening.wait(ctx); err != nil {
			return err
		}
		if err := env.Step(ctx, 2); err != nil {
			return err
		}
		c := env.NewSock(ctx, "client")
		defer c.Close()
		if err := c.Socket(unix.AF_UNIX, unix.SOCK_STREAM, 0); err != nil {
			return err
		}
		if err := c.Connect(path); err != nil {
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
		return c.Close()
	})
	return g.Wait()
}
