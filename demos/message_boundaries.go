//go:build unix

package demos

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"github.com/sockscope/sockscope/decode"
	"github.com/sockscope/sockscope/demos/sockcall"
)

// Where message-boundaries' TCP server listens and its UDP receiver is
// bound.
const (
	BoundariesTCPAddr = "127.0.0.1:7014"
	BoundariesUDPAddr = "127.0.0.1:7015"
)

const (
	boundariesTCPPort = 7014
	boundariesUDPPort = 7015
)

// boundariesPause is the client's time.sleep(0.1) between its two sends
// in step 3: the pause some tutorials give as a cure for 粘包.
const boundariesPause = 100 * time.Millisecond

// The bytes message-boundaries sends.
var (
	boundariesTen      = []byte("0123456789")
	boundariesPair     = [2][]byte{[]byte("hello"), []byte("world")}
	boundariesMessages = [2][]byte{[]byte("hello"), []byte("你好, world")} // 5 and 13 bytes
	boundariesLines    = [2][]byte{[]byte("first li"), []byte("ne\nsecond line\n")}
	boundariesAnswers  = [2][]byte{[]byte("ok: first line\n"), []byte("ok: second line\n")}
	boundariesGrams    = [3][]byte{[]byte("0123456789"), []byte("abcdefghij"), []byte("ABCDEFGHIJ")}
)

// lengthPrefixed is struct.pack('!I', len(msg)) + msg.
func lengthPrefixed(msg []byte) []byte {
	return append(binary.BigEndian.AppendUint32(nil, uint32(len(msg))), msg...)
}

var messageBoundaries = &Demo{
	Name:      "message-boundaries",
	Title:     "Message boundaries: a byte stream, two ways to frame it, and UDP",
	TitleZH:   "消息边界：字节流、两种分帧方法，以及 UDP",
	Summary:   "One send read by three recvs, two sends 0.1 s apart still read by one; then a length prefix and a newline delimiter put the boundaries back. UDP keeps them — and cuts off what does not fit.",
	SummaryZH: "一次 send 要三次 recv 才读完，相隔 0.1 秒的两次 send 仍被一次 recv 读到；然后用长度前缀和换行分隔符把边界找回来。UDP 保留边界——但装不下的部分会被截掉。",
	Steps: []Step{
		{
			Title:   "A TCP connection",
			TitleZH: "一条 TCP 连接",
			Explain: "The server creates a TCP socket, sets SO_REUSEADDR, binds 127.0.0.1:7014 and listens; the client connects and the server accepts (conn, addr = s.accept()). " +
				"From here on each side has a byte stream: TCP numbers bytes, not messages.",
			ExplainZH: "服务器创建 TCP 套接字，设置 SO_REUSEADDR，bind 到 127.0.0.1:7014 并 listen；客户端发起连接，服务器 accept（conn, addr = s.accept()）。" +
				"从这里开始，两端拿到的都是字节流：TCP 给字节编号，而不是给消息编号。",
		},
		{
			Title:   "One send, three recv(4)",
			TitleZH: "一次 send，三次 recv(4)",
			Explain: "The client sends 10 bytes in one call: s.send(b'0123456789'). " +
				"Once all 10 are in its receive buffer, the server calls conn.recv(4) three times and gets b'0123', b'4567' and b'89': 4, 4 and 2 bytes. " +
				"recv returns at most what you ask for and at most what is there, so one send can take several recvs.",
			ExplainZH: "客户端一次调用发送 10 个字节：s.send(b'0123456789')。" +
				"等这 10 个字节都进了接收缓冲区，服务器调用三次 conn.recv(4)，依次得到 b'0123'、b'4567' 和 b'89'：4、4、2 个字节。" +
				"recv 返回的字节数既不超过你要的，也不超过已经到达的，所以一次 send 的数据可能要几次 recv 才能读完。",
			Outcome: boundariesOneSend,
		},
		{
			Title:   "Two sends, one recv (粘包)",
			TitleZH: "两次 send，一次 recv（粘包）",
			Explain: "The client sends b'hello', pauses 0.1 s (time.sleep(0.1), a cure for 粘包 some tutorials give) and sends b'world'. " +
				"Once both have arrived, one conn.recv(1024) returns b'helloworld': the boundary between the two sends is gone, pause or no pause. " +
				"Whether they crossed the wire as two segments or one, the receiving socket holds only a stream of bytes: a pause changes only the timing, and whether a recv gets one send's bytes or two depends on when the reader calls it — only framing, as in the next two steps, marks where a message ends.",
			ExplainZH: "客户端先发送 b'hello'，停 0.1 秒（time.sleep(0.1)，有些教程拿它来治“粘包”），再发送 b'world'。" +
				"两段数据都到达之后，一次 conn.recv(1024) 返回 b'helloworld'：两次 send 之间的边界消失了，停顿也没能保住它。" +
				"不管它们在网络上是两个报文段还是一个，接收方套接字里只有一串字节：停顿只改变时间，一次 recv 读到一次还是两次 send 的数据，取决于接收方什么时候调用它；只有分帧（接下来的两步）才能标出一条消息在哪里结束。",
			Outcome: boundariesTwoSends,
		},
		{
			Title:   "Fix 1: a 4-byte length prefix",
			TitleZH: "方法一：4 字节长度前缀",
			Explain: "Each message now goes out as its length in 4 bytes, big-endian, and then the bytes: struct.pack('!I', len(msg)) + msg. " +
				"The server reads with a receive-exactly loop — buf = b''; while len(buf) < n: chunk = conn.recv(n - len(buf)); if not chunk: raise EOFError; buf += chunk — first 4 bytes for the length, then that many for the message. " +
				"The client sends the first message, b'hello', in two pieces: recv(5) returns only the 3 bytes there, b'hel', and the loop asks again for the other 2. " +
				"The second message, '你好, world'.encode() (13 bytes), arrives right behind the first one's end in the same segment, and the prefix tells the server exactly where each message ends.",
			ExplainZH: "现在每条消息先发 4 字节的大端序长度，再发消息本身：struct.pack('!I', len(msg)) + msg。" +
				"服务器用“恰好读 n 字节”的循环来读——buf = b''; while len(buf) < n: chunk = conn.recv(n - len(buf)); if not chunk: raise EOFError; buf += chunk——先读 4 字节得到长度，再读这么多字节得到消息。" +
				"客户端把第一条消息 b'hello' 分两段发送：recv(5) 只返回已经到达的 3 个字节 b'hel'，循环再去要剩下的 2 个。" +
				"第二条消息 '你好, world'.encode()（13 字节）紧跟在第一条的结尾后面，在同一个报文段里到达，长度前缀准确地告诉服务器每条消息在哪里结束。",
			Outcome: boundariesPrefix,
		},
		{
			Title:   "Fix 2: a delimiter, b'\\n'",
			TitleZH: "方法二：分隔符 b'\\n'",
			Explain: "Each message now ends with b'\\n'. " +
				"The server keeps a buffer: buf += conn.recv(1024), then it cuts complete lines off the front (line, buf = buf.split(b'\\n', 1)) and keeps the rest for the next read. " +
				"The client sends b'first li' and, after the server has read it and found no complete line, b'ne\\nsecond line\\n': one recv, two lines.",
			ExplainZH: "现在每条消息以 b'\\n' 结尾。" +
				"服务器维护一个缓冲区：buf += conn.recv(1024)，然后从前面切下完整的行（line, buf = buf.split(b'\\n', 1)），剩下的留给下一次读取。" +
				"客户端先发送 b'first li'，等服务器读到它、发现还没有完整的一行之后，再发送 b'ne\\nsecond line\\n'：一次 recv，得到两行。",
			Outcome: boundariesLinesOutcome,
		},
		{
			Title:   "Lines through a file object: makefile and readline",
			TitleZH: "通过文件对象读行：makefile 和 readline",
			Explain: "The server answers each line with conn.sendall(b'ok: ' + line + b'\\n'), and the client reads the answers the way many tutorials do, through a file object: f = s.makefile('rb'); f.readline(). " +
				"A file object is no new kind of socket call: readline calls recv underneath (Python's recv_into with an 8192-byte buffer, shown here as recv(8192), inside the readline) and keeps what came after the newline for the next readline. " +
				"Both answers are in the client's receive buffer before it reads (the lesson waits for that), so the first readline's one recv takes both lines and the second readline makes no system call at all. " +
				"Then the client closes, the server's recv returns b'' and it closes too.",
			ExplainZH: "服务器对每一行用 conn.sendall(b'ok: ' + line + b'\\n') 作答，客户端则像很多教程那样通过文件对象读回答：f = s.makefile('rb'); f.readline()。" +
				"文件对象并不是一种新的套接字调用：readline 在底层调用 recv（Python 用 8192 字节缓冲区调用 recv_into，这里显示为 recv(8192)，列在 readline 之内），并把换行符之后的内容留给下一次 readline。" +
				"客户端开始读之前，两条回答都已经在它的接收缓冲区里（本课会等到这一点），所以第一次 readline 的一次 recv 就拿到了两行，第二次 readline 根本不做系统调用。" +
				"然后客户端关闭连接，服务器的 recv 返回 b''，它也关闭。",
		},
		{
			Title:   "UDP keeps boundaries — and cuts what does not fit",
			TitleZH: "UDP 保留边界——也截掉装不下的部分",
			Explain: "A UDP socket bound to 127.0.0.1:7015 receives three 10-byte datagrams: b'0123456789', b'abcdefghij' and b'ABCDEFGHIJ' (recvfrom returns a pair, data first: data, addr = s.recvfrom(4)). " +
				"s.recvfrom(4) returns b'0123': one datagram per call, cut to the 4 bytes asked for, and its other 6 bytes are gone for good. " +
				"With Linux's MSG_TRUNC flag recvfrom returns the datagram's real length, 10, though it kept only 4 bytes, b'abcd' (Python: nbytes, addr = s.recvfrom_into(buf, 4, socket.MSG_TRUNC)). " +
				"s.recvfrom(1024) then returns b'ABCDEFGHIJ' whole: each call starts at the next datagram, never at the rest of the last one.",
			ExplainZH: "一个绑定在 127.0.0.1:7015 的 UDP 套接字收到三个 10 字节的数据报：b'0123456789'、b'abcdefghij' 和 b'ABCDEFGHIJ'（recvfrom 返回一对值，数据在前、地址在后：data, addr = s.recvfrom(4)）。" +
				"s.recvfrom(4) 返回 b'0123'：一次调用只取一个数据报，超出所要的 4 个字节的部分被截掉，这个数据报另外的 6 个字节就永远丢了。" +
				"加上 Linux 的 MSG_TRUNC 标志，recvfrom 返回数据报的真实长度 10，尽管只保留了 4 个字节 b'abcd'（Python：nbytes, addr = s.recvfrom_into(buf, 4, socket.MSG_TRUNC)）。" +
				"接着 s.recvfrom(1024) 完整地返回 b'ABCDEFGHIJ'：每次调用都从下一个数据报开始，绝不会接着读上一个的剩余部分。",
			Outcome: boundariesUDP,
		},
	},
	Run:   runMessageBoundaries,
	Check: checkMessageBoundaries,
}

// recvExactly is the receive-exactly loop of step 4; short, if set, is
// called once after a recv that returned less than asked (before the loop
// asks again).
func (s *Sock) recvExactly(n int, short func()) ([]byte, error) {
	var buf []byte
	for len(buf) < n {
		chunk, err := s.Recv(n - len(buf))
		if err != nil {
			return nil, err
		}
		if len(chunk) == 0 {
			return nil, fmt.Errorf("%s: the peer closed after %d of %d bytes", s.Endpoint, len(buf), n)
		}
		buf = append(buf, chunk...)
		if len(buf) < n && short != nil {
			short()
			short = nil
		}
	}
	return buf, nil
}

func runMessageBoundaries(ctx context.Context, env *Env) error {
	listening, accepted := newSignal(), newSignal()
	sentTen, readTen, sentPair, readPair := newSignal(), newSignal(), newSignal(), newSignal()
	sentHalf, readHalf, readPrefixed := newSignal(), newSignal(), newSignal()
	sentLine, readLine, gotLines, closed := newSignal(), newSignal(), newSignal(), newSignal()
	goAnswer, answered := newSignal(), newSignal()
	bound, sentGrams := newSignal(), newSignal()
	g := newGroup(ctx)

	g.Go(func(ctx context.Context) error { // the server, then the UDP receiver
		if err := env.Step(ctx, 1); err != nil {
			return err
		}
		s := env.NewSock(ctx, "server")
		defer s.Close()
		if err := s.ListenTCP(BoundariesTCPAddr, 1); err != nil {
			return err
		}
		listening.fire()
		conn, _, err := s.Accept()
		if err != nil {
			return err
		}
		defer conn.Close()
		accepted.fire()

		// Step 2: three recv(4) once all 10 bytes are there.
		if err := sentTen.wait(ctx); err != nil {
			return err
		}
		if err := conn.waitQueued(len(boundariesTen)); err != nil {
			return err
		}
		var got []byte
		for range 3 {
			data, err := conn.Recv(4)
			if err != nil {
				return err
			}
			got = append(got, data...)
		}
		if !bytes.Equal(got, boundariesTen) {
			return fmt.Errorf("server: read %q, sent %q", got, boundariesTen)
		}
		readTen.fire()

		// Step 3: one recv once both sends are there.
		if err := sentPair.wait(ctx); err != nil {
			return err
		}
		pair := append(append([]byte(nil), boundariesPair[0]...), boundariesPair[1]...)
		if err := conn.waitQueued(len(pair)); err != nil {
			return err
		}
		if data, err := conn.Recv(1024); err != nil {
			return err
		} else if !bytes.Equal(data, pair) {
			return fmt.Errorf("server: recv(1024) = %q, want %q", data, pair)
		}
		readPair.fire()

		// Step 4: length-prefixed messages, read exactly.
		if err := sentHalf.wait(ctx); err != nil {
			return err
		}
		if err := conn.waitQueued(4 + 3); err != nil {
			return err
		}
		for i, want := range boundariesMessages {
			if i == 1 {
				if err := conn.waitQueued(4 + len(want)); err != nil {
					return err
				}
			}
			head, err := conn.recvExactly(4, nil)
			if err != nil {
				return err
			}
			n := int(binary.BigEndian.Uint32(head))
			if n != len(want) {
				return fmt.Errorf("server: length prefix %d, want %d", n, len(want))
			}
			short := readHalf.fire // the client sends the rest of message 1 after a short read
			if i > 0 {
				short = nil
			}
			msg, err := conn.recvExactly(n, short)
			if err != nil {
				return err
			}
			if !bytes.Equal(msg, want) {
				return fmt.Errorf("server: message %q, want %q", msg, want)
			}
		}
		readPrefixed.fire()

		// Step 5: lines.
		if err := sentLine.wait(ctx); err != nil {
			return err
		}
		if err := conn.waitQueued(len(boundariesLines[0])); err != nil {
			return err
		}
		var buf []byte
		var lines []string
		waiting := true // for the rest of the first line
		for len(lines) < 2 {
			data, err := conn.Recv(1024)
			if err != nil {
				return err
			}
			if len(data) == 0 {
				return fmt.Errorf("server: the client closed before two lines")
			}
			buf = append(buf, data...)
			for {
				line, rest, ok := bytes.Cut(buf, []byte("\n"))
				if !ok {
					break
				}
				lines = append(lines, string(line))
				buf = rest
			}
			if len(lines) == 0 && waiting {
				readLine.fire()
				waiting = false
			}
		}
		if strings.Join(lines, "|") != "first line|second line" || len(buf) != 0 {
			return fmt.Errorf("server: lines %q, left %q", lines, buf)
		}
		gotLines.fire()

		// Step 6: the answers, read through a file object.
		if err := goAnswer.wait(ctx); err != nil {
			return err
		}
		for _, a := range boundariesAnswers {
			if err := conn.Sendall(a); err != nil {
				return err
			}
		}
		answered.fire()
		if err := closed.wait(ctx); err != nil {
			return err
		}
		if data, err := conn.Recv(1024); err != nil {
			return err
		} else if len(data) != 0 {
			return fmt.Errorf("server: %q after the last line", data)
		}
		if err := conn.Close(); err != nil {
			return err
		}
		if err := s.Close(); err != nil {
			return err
		}

		// Step 7: UDP.
		if err := env.Step(ctx, 7); err != nil {
			return err
		}
		u := env.NewSock(ctx, "receiver")
		defer u.Close()
		if err := u.Socket(unix.AF_INET, unix.SOCK_DGRAM, 0); err != nil {
			return err
		}
		if err := u.Bind(BoundariesUDPAddr); err != nil {
			return err
		}
		bound.fire()
		if err := sentGrams.wait(ctx); err != nil {
			return err
		}
		if data, _, err := u.Recvfrom(4); err != nil {
			return err
		} else if !bytes.Equal(data, boundariesGrams[0][:4]) {
			return fmt.Errorf("receiver: recvfrom(4) = %q", data)
		}
		if data, _, n, err := u.RecvfromFlags(4, unix.MSG_TRUNC); err != nil {
			return err
		} else if n != len(boundariesGrams[1]) || !bytes.Equal(data, boundariesGrams[1][:4]) {
			return fmt.Errorf("receiver: recvfrom(4, MSG_TRUNC) = %d %q", n, data)
		}
		if data, _, err := u.Recvfrom(1024); err != nil {
			return err
		} else if !bytes.Equal(data, boundariesGrams[2]) {
			return fmt.Errorf("receiver: recvfrom(1024) = %q", data)
		}
		return u.Close()
	})

	g.Go(func(ctx context.Context) error { // the client, then the UDP sender
		if err := listening.wait(ctx); err != nil {
			return err
		}
		c := env.NewSock(ctx, "client")
		defer c.Close()
		if err := c.Socket(unix.AF_INET, unix.SOCK_STREAM, 0); err != nil {
			return err
		}
		if err := c.Connect(BoundariesTCPAddr); err != nil {
			return err
		}
		if err := accepted.wait(ctx); err != nil {
			return err
		}

		if err := env.Step(ctx, 2); err != nil {
			return err
		}
		if _, err := c.Send(boundariesTen); err != nil {
			return err
		}
		sentTen.fire()
		if err := readTen.wait(ctx); err != nil {
			return err
		}

		if err := env.Step(ctx, 3); err != nil {
			return err
		}
		for i, m := range boundariesPair {
			if i > 0 {
				if err := lessonPause(ctx, boundariesPause); err != nil { // time.sleep(0.1)
					return err
				}
			}
			if _, err := c.Send(m); err != nil {
				return err
			}
		}
		sentPair.fire()
		if err := readPair.wait(ctx); err != nil {
			return err
		}

		if err := env.Step(ctx, 4); err != nil {
			return err
		}
		first := lengthPrefixed(boundariesMessages[0])
		if err := c.Sendall(first[:4+3]); err != nil {
			return err
		}
		sentHalf.fire()
		if err := readHalf.wait(ctx); err != nil {
			return err
		}
		if err := c.Sendall(append(first[4+3:], lengthPrefixed(boundariesMessages[1])...)); err != nil {
			return err
		}
		if err := readPrefixed.wait(ctx); err != nil {
			return err
		}

		if err := env.Step(ctx, 5); err != nil {
			return err
		}
		if _, err := c.Send(boundariesLines[0]); err != nil {
			return err
		}
		sentLine.fire()
		if err := readLine.wait(ctx); err != nil {
			return err
		}
		if _, err := c.Send(boundariesLines[1]); err != nil {
			return err
		}
		if err := gotLines.wait(ctx); err != nil {
			return err
		}

		if err := env.Step(ctx, 6); err != nil {
			return err
		}
		goAnswer.fire()
		if err := answered.wait(ctx); err != nil {
			return err
		}
		if err := c.waitQueued(len(boundariesAnswers[0]) + len(boundariesAnswers[1])); err != nil {
			return err
		}
		f := c.Makefile()
		for _, want := range boundariesAnswers {
			line, err := f.Readline()
			if err != nil {
				return err
			}
			if !bytes.Equal(line, want) {
				return fmt.Errorf("client: readline() = %q, want %q", line, want)
			}
		}
		if err := c.Close(); err != nil {
			return err
		}
		closed.fire()

		if err := bound.wait(ctx); err != nil {
			return err
		}
		u := env.NewSock(ctx, "sender")
		defer u.Close()
		if err := u.Socket(unix.AF_INET, unix.SOCK_DGRAM, 0); err != nil {
			return err
		}
		for _, d := range boundariesGrams {
			if _, err := u.Sendto(d, BoundariesUDPAddr); err != nil {
				return err
			}
		}
		sentGrams.fire()
		return u.Close()
	})
	return g.Wait()
}

// boundariesRecvs returns the data calls of endpoint with op in step.
func boundariesRecvs(b bufRun, endpoint, op string, step int) []*sockcall.Call {
	var out []*sockcall.Call
	for _, c := range b.calls(endpoint, op, step) {
		if c.Errno == "" {
			out = append(out, c)
		}
	}
	return out
}

// boundariesFrames says which frames carried the client's sends of step;
// ok is false while a send's frames are not in yet.
func boundariesFrames(b bufRun, step int) (en, zh string, ok bool) {
	sends := b.calls("client", "send", step)
	if len(sends) == 0 {
		return "", "", false
	}
	for _, c := range sends {
		fs := b.frames(c)
		if len(fs) == 0 {
			return "", "", false
		}
		if en != "" {
			en += ", "
			zh += "；"
		}
		en += fmt.Sprintf("send(%s) in frame %s", c.Args, frameNumbers(fs, false))
		zh += fmt.Sprintf("send(%s) 在第 %s 帧", c.Args, frameNumbers(fs, true))
	}
	return "On the wire: " + en + ".", "抓包中，" + zh + "。", true
}

// recvList lists what the calls returned and the Recv-Q after each.
func recvList(cs []*sockcall.Call, zh bool) (rets string, queues string) {
	var r, q []int
	for _, c := range cs {
		r = append(r, c.Ret)
		q = append(q, c.RecvQ)
	}
	return intList(r, zh), intList(q, zh)
}

func boundariesOneSend(r *sockcall.Run) (en, zh string) {
	b := bufRun{r}
	recvs := boundariesRecvs(b, "server", "recv", 2)
	fe, fz, ok := boundariesFrames(b, 2)
	if len(recvs) < 3 || !ok {
		return "", ""
	}
	rets, qs := recvList(recvs, false)
	retsZH, qsZH := recvList(recvs, true)
	return fe + fmt.Sprintf(" The three recv(4) returned %s bytes; the Recv-Q after each: %s.", rets, qs),
		fz + fmt.Sprintf("三次 recv(4) 分别返回 %s 个字节；每次之后的 Recv-Q 依次是 %s。", retsZH, qsZH)
}

func boundariesTwoSends(r *sockcall.Run) (en, zh string) {
	b := bufRun{r}
	recvs := boundariesRecvs(b, "server", "recv", 3)
	sends := b.calls("client", "send", 3)
	fe, fz, ok := boundariesFrames(b, 3)
	if len(recvs) == 0 || len(sends) < 2 || !ok {
		return "", ""
	}
	en = fe + fmt.Sprintf(" recv(1024) returned %d bytes, %s.", recvs[0].Ret, pyBytes(recvs[0].Data))
	zh = fz + fmt.Sprintf("recv(1024) 返回 %d 个字节：%s。", recvs[0].Ret, pyBytes(recvs[0].Data))
	gap := callStart(sends[1]).Sub(callEnd(sends[0]))
	if n := sends[0].Ret + sends[1].Ret; gap > 0 && recvs[0].Ret == n && n > 0 {
		en += fmt.Sprintf(" The second send came %s after the first returned, and one recv still got both: the pause did not keep them apart.", span(gap))
		zh += fmt.Sprintf("第二次 send 在第一次返回 %s 之后才调用，一次 recv 仍然读到了两次的数据：停顿没能把它们分开。", span(gap))
	}
	return en, zh
}

func boundariesPrefix(r *sockcall.Run) (en, zh string) {
	b := bufRun{r}
	recvs := boundariesRecvs(b, "server", "recv", 4)
	if _, _, ok := boundariesFrames(b, 4); len(recvs) < 5 || len(b.calls("client", "send", 4)) < 2 || !ok {
		return "", ""
	}
	var parts []string
	for _, c := range recvs {
		parts = append(parts, fmt.Sprintf("recv(%d) = %d", c.Len, c.Ret))
	}
	en = "The server's calls: " + strings.Join(parts, ", ") + "."
	zh = "服务器的调用：" + strings.Join(parts, "、") + "。"
	var frames []string
	for _, c := range b.calls("client", "send", 4) {
		if fs := b.frames(c); len(fs) > 0 {
			frames = append(frames, fmt.Sprintf("%d bytes in frame %s", c.Ret, frameNumbers(fs, false)))
		}
	}
	if len(frames) > 0 {
		en += " The client's sends: " + strings.Join(frames, ", ") + "."
		zh += fmt.Sprintf("客户端分 %d 次发送，分别在第 %s 帧。", len(frames), strings.Join(boundariesFrameNos(b, 4), "、"))
	}
	return en, zh
}

func boundariesFrameNos(b bufRun, step int) []string {
	var out []string
	for _, c := range b.calls("client", "send", step) {
		if fs := b.frames(c); len(fs) > 0 {
			out = append(out, frameNumbers(fs, true))
		}
	}
	return out
}

func boundariesLinesOutcome(r *sockcall.Run) (en, zh string) {
	b := bufRun{r}
	recvs := boundariesRecvs(b, "server", "recv", 5)
	fe, fz, ok := boundariesFrames(b, 5)
	if len(recvs) < 2 || len(b.calls("client", "send", 5)) < 2 || !ok {
		return "", ""
	}
	return fe + fmt.Sprintf(" recv(1024) returned %s, then %s.", pyBytes(recvs[0].Data), pyBytes(recvs[1].Data)),
		fz + fmt.Sprintf("recv(1024) 先返回 %s，再返回 %s。", pyBytes(recvs[0].Data), pyBytes(recvs[1].Data))
}

func boundariesUDP(r *sockcall.Run) (en, zh string) {
	b := bufRun{r}
	recvs := boundariesRecvs(b, "receiver", "recvfrom", 7)
	sends := b.calls("sender", "sendto", 7)
	if len(recvs) < 3 || len(sends) < 3 {
		return "", ""
	}
	for _, c := range sends {
		if len(b.frames(c)) == 0 {
			return "", "" // the words wait for the datagrams' frames
		}
	}
	var parts []string
	for _, c := range recvs {
		parts = append(parts, fmt.Sprintf("recvfrom(%s) = %d %s", c.Args, c.Ret, pyBytes(c.Data)))
	}
	en = strings.Join(parts, "; ") + "."
	zh = strings.Join(parts, "；") + "。"
	var frames []string
	for _, c := range sends {
		frames = append(frames, frameNumbers(b.frames(c), false))
	}
	en = fmt.Sprintf("The datagrams: frames %s. ", strings.Join(frames, ", ")) + en
	zh = fmt.Sprintf("数据报：第 %s 帧。", strings.Join(frames, "、")) + zh
	if boundariesEachOne(recvs) && boundariesMerged(b) {
		en += " So it was TCP that put two sends into one recv (step 3) and UDP that kept every datagram apart — the opposite of the saying that only UDP has 粘包."
		zh += "所以，把两次 send 的数据并进一次 recv 的是 TCP（第 3 步），让每个数据报各自分开的是 UDP——与“只有 UDP 才会粘包”的说法正好相反。"
	}
	return en, zh
}

// boundariesEachOne reports whether each of step 7's recvfrom calls
// returned bytes of one datagram only, in order: the first n bytes of it.
func boundariesEachOne(recvs []*sockcall.Call) bool {
	if len(recvs) != len(boundariesGrams) {
		return false
	}
	for i, c := range recvs {
		if len(c.Data) == 0 || !bytes.HasPrefix(boundariesGrams[i], c.Data) {
			return false
		}
	}
	return true
}

// boundariesMerged reports whether step 3's one recv returned the bytes
// of both sends.
func boundariesMerged(b bufRun) bool {
	recvs, sends := boundariesRecvs(b, "server", "recv", 3), b.calls("client", "send", 3)
	return len(recvs) == 1 && len(sends) == 2 && sends[0].Ret > 0 && sends[1].Ret > 0 &&
		bytes.Equal(recvs[0].Data, append(append([]byte(nil), sends[0].Data...), sends[1].Data...))
}

// checkMessageBoundaries verifies the fixed words of message-boundaries.
func checkMessageBoundaries(r *sockcall.Run) error {
	b := bufRun{r}
	var l claimList
	want := func(step int, endpoint, op string, rets []int, data []string) {
		got := boundariesRecvs(b, endpoint, op, step)
		ok := len(got) == len(rets)
		for i := 0; ok && i < len(got); i++ {
			ok = got[i].Ret == rets[i] && string(got[i].Data) == data[i]
		}
		var seen []string
		for _, c := range got {
			seen = append(seen, fmt.Sprintf("%d %q", c.Ret, c.Data))
		}
		l.want(ok, "step %d: the %s's %s calls return %v %q (got %s)", step, endpoint, op, rets, data, strings.Join(seen, ", "))
	}
	s := b.first("client", "send", 2)
	l.want(s != nil && s.Ret == 10, "the client sends 10 bytes in one call (%s)", describeCall(s))
	want(2, "server", "recv", []int{4, 4, 2}, []string{"0123", "4567", "89"})
	want(3, "server", "recv", []int{10}, []string{"helloworld"})
	if sends := b.calls("client", "send", 3); len(sends) == 2 {
		gap := callStart(sends[1]).Sub(callEnd(sends[0]))
		l.want(gap >= boundariesPause, "step 3: the client pauses 0.1 s between its two sends (%s)", span(gap))
	}
	m0, m1 := lengthPrefixed(boundariesMessages[0]), lengthPrefixed(boundariesMessages[1])
	want(4, "server", "recv", []int{4, 3, 2, 4, 13}, []string{string(m0[:4]), "hel", "lo", string(m1[:4]), string(boundariesMessages[1])})
	want(5, "server", "recv", []int{8, 15}, []string{"first li", "ne\nsecond line\n"})
	want(6, "server", "recv", []int{0}, []string{""})
	both := string(boundariesAnswers[0]) + string(boundariesAnswers[1])
	want(6, "client", "recv", []int{len(both)}, []string{both})
	want(6, "client", "readline", []int{len(boundariesAnswers[0]), len(boundariesAnswers[1])}, []string{string(boundariesAnswers[0]), string(boundariesAnswers[1])})
	if rl, rc := b.calls("client", "readline", 6), b.calls("client", "recv", 6); len(rl) == 2 && len(rc) == 1 {
		l.want(len(rl[0].Inner) == 1 && rl[0].Inner[0] == rc[0].Number && rc[0].Len == FileBufSize,
			"step 6: the first readline made one recv(8192) (%s inside %s)", describeCall(rc[0]), describeCall(rl[0]))
		l.want(len(rl[1].Inner) == 0, "step 6: the second readline made no system call (inner %v)", rl[1].Inner)
	}
	if sends := b.calls("client", "send", 4); len(sends) == 2 {
		fs := b.frames(sends[1])
		l.want(len(fs) == 1 && fs[0].PayloadLen == 2+4+len(boundariesMessages[1]),
			"the rest of message 1 and all of message 2 arrive in one segment (frames %s)", frameNumbers(fs, false))
	}
	rf := boundariesRecvs(b, "receiver", "recvfrom", 7)
	want(7, "receiver", "recvfrom", []int{4, 10, 10}, []string{"0123", "abcd", "ABCDEFGHIJ"})
	if len(rf) == 3 {
		l.want(rf[1].Flags == "MSG_TRUNC" && rf[1].Len == 4, "the second recvfrom passes MSG_TRUNC with a 4-byte buffer (%s)", describeCall(rf[1]))
	}
	grams := b.packets(func(p *decode.Packet) bool { return p.IsUDP() && p.DstPort == boundariesUDPPort })
	lens := true
	for _, p := range grams {
		lens = lens && p.PayloadLen == 10
	}
	l.want(len(grams) == 3 && lens, "three 10-byte datagrams on the wire (%d)", len(grams))
	return l.err("message-boundaries")
}
