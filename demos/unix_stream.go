//go:build unix

package demos

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/sockscope/sockscope/demos/sockcall"

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
			Outcome: unixStreamSendOutcome,
		},
		{
			Title:   "Server: accept finds 16 bytes waiting; one recv(1024) takes them all",
			TitleZH: "服务器：accept 时已有 16 个字节在等待；一次 recv(1024) 全部读走",
			Explain: "accept returns the server's end of the connection, and its Recv-Q (SIOCINQ) already shows the 16 bytes waiting. " +
				"As with TCP, one recv(1024) returns all of them: a SOCK_STREAM socket is a byte stream in any family, so 粘包 happens here too (SOCK_SEQPACKET or SOCK_DGRAM would keep the boundaries). " +
				"The server echoes them with conn.sendall(data), shown as in tcp-echo: the sendall call and the send calls it made.",
			ExplainZH: "accept 返回服务器这一端的连接套接字，它的 Recv-Q（SIOCINQ）已经显示有 16 个字节在等待。" +
				"和 TCP 一样，一次 recv(1024) 就把它们全部读走：无论哪个地址族，SOCK_STREAM 都是字节流，所以这里同样会“粘包”（换成 SOCK_SEQPACKET 或 SOCK_DGRAM 才会保留消息边界）。" +
				"服务器用 conn.sendall(data) 原样发回，显示方式和 tcp-echo 一样：sendall 这次调用，以及它发起的 send 调用。",
			Outcome: unixStreamEchoOutcome,
		},
		{
			Title:   "Close both ends; the socket file stays",
			TitleZH: "关闭两端；套接字文件还在",
			Explain: "The client reads its echo and closes; the server's recv returns 0 and it closes too. No FIN, no TIME-WAIT, no packets at all: AF_UNIX never touches a network interface, everything stays inside one kernel. " +
				"The socket file outlives close(): it stays in the directory, and a new bind to that path fails with EADDRINUSE until someone removes the file (Python: os.unlink(path)), which is why servers unlink the path before they bind. " +
				"unlink is a file-system call, not a socket call, so the list does not show it: this lesson removes its file when it ends.",
			ExplainZH: "客户端读回显后关闭；服务器的 recv 返回 0，随后也关闭。没有 FIN，没有 TIME-WAIT，根本没有数据包：AF_UNIX 从不经过网卡，一切都发生在同一个内核里。" +
				"close() 之后套接字文件仍然存在：它留在目录里，在有人删掉它（Python：os.unlink(path)）之前，再 bind 这个路径会因 EADDRINUSE 失败，所以服务器通常在 bind 之前先 unlink 这个路径。" +
				"unlink 是文件系统调用，不是套接字调用，所以列表里看不到它：本课在结束时删除自己的套接字文件。",
		},
	},
	Run:   runUnixStream,
	Check: checkUnixStream,
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
		if err := socketFile(path, "after bind"); err != nil { // step 1's words: bind creates a socket file
			return err
		}
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
		if err := socketFile(path, "after close"); err != nil { // step 5's words: the file outlives close
			return err
		}
		return os.Remove(path) // os.unlink(path), not recorded: not a socket call
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

// socketFile checks that path is a socket file, as the words say it is.
func socketFile(path, when string) error {
	fi, err := os.Lstat(path)
	if err != nil {
		return fmt.Errorf("server: no socket file %s: %w", when, err)
	}
	if fi.Mode().Type() != os.ModeSocket {
		return fmt.Errorf("server: %s is not a socket file %s (mode %v)", path, when, fi.Mode())
	}
	return nil
}

// unixStreamSendOutcome: the client's Send-Q after each send, against the
// bytes it sent.
func unixStreamSendOutcome(r *sockcall.Run) (en, zh string) {
	sends := factsOf(r).calls("client", "send")
	if len(sends) < len(EchoMessages) {
		return "", ""
	}
	var sendQ, bytes []int
	total := 0
	for _, s := range sends[:len(EchoMessages)] {
		if s.Ret < 0 {
			return "", ""
		}
		total += s.Ret
		sendQ = append(sendQ, s.SendQ)
		bytes = append(bytes, total)
	}
	return fmt.Sprintf("The client's Send-Q right after each send was %s (kernel memory), while %s bytes were waiting to be read.", intList(sendQ, false), intList(bytes, false)),
		fmt.Sprintf("每次 send 刚返回时，客户端的 Send-Q 依次是 %s（内核内存），而等待读取的字节是 %s 个。", intList(sendQ, true), intList(bytes, true))
}

// unixStreamEchoOutcome: the client's Send-Q once the server had read, and
// the sends sendall made.
func unixStreamEchoOutcome(r *sockcall.Run) (en, zh string) {
	f := factsOf(r)
	recv, sa, sock := f.call("server", "recv", 0), f.call("server", "sendall", 0), f.call("client", "socket", 0)
	if recv == nil || recv.Ret <= 0 || sa == nil || sa.Ret <= 0 || sock == nil {
		return "", ""
	}
	k, ok := sampleAfter(recv, "client", sock.Ret)
	inner := f.inner(sa)
	if !ok || len(inner) == 0 || len(inner) != len(sa.Inner) {
		return "", ""
	}
	en = fmt.Sprintf("Right after the server's recv (#%d) took the %d bytes, the kernel reported the client's Send-Q as %d. ", recv.Number, recv.Ret, k.SendQ)
	zh = fmt.Sprintf("服务器的 recv（#%d）读走 %d 个字节之后，内核报告客户端的 Send-Q 为 %d。", recv.Number, recv.Ret, k.SendQ)
	var nums, rets []int
	for _, in := range inner {
		nums = append(nums, in.Number)
		rets = append(rets, in.Ret)
	}
	if len(inner) == 1 {
		return en + fmt.Sprintf("sendall (#%d) made one send call (#%d), which took all %d bytes.", sa.Number, nums[0], sa.Ret),
			zh + fmt.Sprintf("sendall（#%d）调用了 1 次 send（#%d），内核一次收下全部 %d 个字节。", sa.Number, nums[0], sa.Ret)
	}
	return en + fmt.Sprintf("sendall (#%d) made %d send calls (#%s), which took %s bytes.", sa.Number, len(inner), intList(nums, false), intList(rets, false)),
		zh + fmt.Sprintf("sendall（#%d）调用了 %d 次 send（#%s），分别收下 %s 个字节。", sa.Number, len(inner), intList(nums, true), intList(rets, true))
}

// checkUnixStream verifies the fixed claims of unix-stream's words.
func checkUnixStream(r *sockcall.Run) error {
	f := factsOf(r)
	r = f.r // never nil
	var ck claims
	echo := strings.Join(EchoMessages, "")

	ck.expect(len(r.Packets) == 0, "no packets at all (in the lab, where lo carries nothing else)", "%d frames", len(r.Packets))
	for _, c := range r.Calls {
		ck.expect(c.Proto == "unix" && c.TCP == nil, "AF_UNIX: no TCP state anywhere", "%s by %s", describe(&c), c.Endpoint)
	}

	// Step 1.
	bind, listen := f.call("server", "bind", 0), f.call("server", "listen", 0)
	ck.expect(bind != nil && bind.Ret == 0 && bind.Path != "" && listen != nil && listen.Ret == 0, "step 1: the server binds a path and listens", "%s, %s", describe(bind), describe(listen))

	// Step 2.
	conn, acc := f.call("client", "connect", 0), f.call("server", "accept", 0)
	ck.expect(conn != nil && conn.Ret == 0 && bind != nil && conn.Args == bind.Args, "step 2: the client connects to the same path, and connect returns 0", "%s", describe(conn))
	ck.expect(conn != nil && acc != nil && callEnd(conn).Before(callStart(acc)), "step 2: connect returns before the server has called accept", "connect %s, accept %s", describe(conn), describe(acc))

	// Step 3.
	sends := f.calls("client", "send")
	ck.expect(len(sends) == len(EchoMessages), "step 3: three sends", "%d sends", len(sends))
	total, last := 0, 0
	for i, s := range sends {
		if i >= len(EchoMessages) {
			break
		}
		total += s.Ret
		ck.expect(s.Ret == len(EchoMessages[i]) && string(s.Data) == EchoMessages[i], "step 3: the client sends the three messages of tcp-echo", "%s", describe(s))
		ck.expect(acc != nil && callEnd(s).Before(callStart(acc)), "step 3: the sends complete before the connection is accepted", "%s, accept %s", describe(s), describe(acc))
		ck.expect(s.SendQ > last && s.SendQ > total, "step 3: Send-Q is kernel memory, more than the bytes, and grows with each send", "%s after %d bytes, %d before", describe(s), total, last)
		last = s.SendQ
	}
	recv := f.call("server", "recv", 0)
	sock := f.call("client", "socket", 0)
	var k sockcall.Sample
	ok := false
	if sock != nil {
		k, ok = sampleAfter(recv, "client", sock.Ret)
	}
	ck.expect(ok && k.SendQ == 0, "step 3: the client's Send-Q drops to 0 when the server reads", "the client's socket after %s: %+v", describe(recv), k)

	// Step 4.
	ck.expect(acc != nil && acc.Ret > 0 && acc.RecvQ == len(echo), "step 4: accept finds the 16 bytes waiting in Recv-Q", "%s", describe(acc))
	ck.expect(recv != nil && acc != nil && recv.FD == acc.Ret && recv.Len == 1024 && string(recv.Data) == echo, "step 4: one recv(1024) takes all 16 bytes", "%s", describe(recv))
	sa := f.call("server", "sendall", 0)
	inner := f.inner(sa)
	ck.expect(sa != nil && sa.Ret == len(echo) && len(inner) > 0 && len(inner) == len(sa.Inner) && allOp(inner, "send") && string(dataOf(inner)) == echo,
		"step 4: the server echoes with sendall, which calls send", "%s, inner %v", describe(sa), innerOf(sa))

	// Step 5.
	var back []*sockcall.Call
	for _, c := range f.calls("client", "recv") {
		if c.Ret > 0 {
			back = append(back, c)
		}
	}
	cclose := f.call("client", "close", 0)
	ck.expect(string(dataOf(back)) == echo && cclose != nil && cclose.Ret == 0 && len(back) > 0 && callStart(cclose).After(callEnd(back[len(back)-1])),
		"step 5: the client reads its echo and closes", "got %q, close %s", dataOf(back), describe(cclose))
	recvs := f.calls("server", "recv")
	eof := -1
	for i, c := range recvs {
		if c.Ret == 0 {
			eof = i
		}
	}
	closes := f.calls("server", "close")
	ck.expect(eof >= 0 && cclose != nil && callEnd(recvs[eof]).After(callStart(cclose)) && len(closes) == 2 && acc != nil && closes[0].FD == acc.Ret && closes[1].FD == acc.FD &&
		callStart(closes[0]).After(callEnd(recvs[eof])), "step 5: the server's recv returns 0 and it closes too", "recv %v, closes %v", eofOf(recvs, eof), closesOf(closes))
	return ck.err()
}

func eofOf(recvs []*sockcall.Call, i int) string {
	if i < 0 || i >= len(recvs) {
		return "none returned 0"
	}
	return describe(recvs[i])
}
