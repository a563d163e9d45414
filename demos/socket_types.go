//go:build unix

package demos

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/sockscope/sockscope/decode"
	"github.com/sockscope/sockscope/demos/sockcall"

	"golang.org/x/net/dns/dnsmessage"
	"golang.org/x/sys/unix"
)

// SeqpacketSocketName is the socket file socket-types binds, in Env.Dir.
const SeqpacketSocketName = "seqpacket.sock"

// What socket-types' raw socket sends: an echo request with this id,
// sequence number and payload, to 127.0.0.1.
const (
	rawEchoID  = 0x5353
	rawEchoSeq = 1
	rawEchoTo  = "127.0.0.1:0"
)

var rawEchoPayload = []byte("sockscope ping")

// What socket-types' name lookups ask: a name the hosts file answers, and
// one under .test (reserved for testing, RFC 6761) that the lab's DNS
// server, the resolver, answers from 127.0.0.53 port 53 (where
// systemd-resolved listens on many Linux systems).
const (
	hostsName    = "localhost"
	resolvedName = "echo.sockscope.test"
	resolverAddr = "127.0.0.53:53"
	resolvedTTL  = 60
)

var resolvedAddr = netip.AddrFrom4([4]byte{127, 0, 0, 1})

var socketTypes = &Demo{
	Name:      "socket-types",
	Title:     "Other socket types: SOCK_SEQPACKET and SOCK_RAW; name resolution",
	TitleZH:   "其他套接字类型：SOCK_SEQPACKET 和 SOCK_RAW；名字解析",
	Summary:   "SOCK_SEQPACKET over AF_UNIX is connected and reliable like a stream, but each recv returns one whole send; a SOCK_RAW socket sends an ICMP echo request built by hand, and the kernel's echo reply comes back on the wire and is read with its IP header; gethostname and gethostbyname('localhost') send no packet (the kernel, the hosts file), while a name the hosts file lacks is a DNS query and answer over UDP port 53.",
	SummaryZH: "AF_UNIX 上的 SOCK_SEQPACKET 像字节流一样有连接、可靠，但每次 recv 返回一次完整的 send；SOCK_RAW 套接字发送手工构造的 ICMP 回显请求，内核的回显应答出现在网络上，连同 IP 首部一起被读回；gethostname 和 gethostbyname('localhost') 不发任何数据包（答案来自内核和 hosts 文件），而 hosts 文件里没有的名字则是 UDP 53 端口上的一问一答 DNS。",
	Steps: []Step{
		{
			Title:   "SOCK_SEQPACKET: bind, listen, connect, accept",
			TitleZH: "SOCK_SEQPACKET：bind、listen、connect、accept 建立连接",
			Explain: "The server creates socket.socket(AF_UNIX, SOCK_SEQPACKET), binds a socket file and listens; the client creates the same kind of socket and connects to the file, and accept returns the connection. " +
				"The calls are those of a stream socket: SOCK_SEQPACKET is connected and reliable, and delivers in order. " +
				"Over AF_UNIX nothing goes on the wire.",
			ExplainZH: "服务器创建 socket.socket(AF_UNIX, SOCK_SEQPACKET)，bind 到一个套接字文件并 listen；客户端创建同类套接字，connect 到这个文件，accept 返回这个连接。" +
				"这些调用和字节流套接字一模一样：SOCK_SEQPACKET 有连接、可靠、按序送达。" +
				"走 AF_UNIX，网络上什么也没有。",
		},
		{
			Title:   "Client: three send() calls",
			TitleZH: "客户端：三次 send()",
			Explain: "The client sends the three messages tcp-echo sent: b\"hello\", \"你好\".encode() and b\"world\", one send each. " +
				"Each send hands the server's socket one message, and by the time it returns the message waits in the server's receive queue: all three are there before the server reads.",
			ExplainZH: "客户端发送 tcp-echo 发过的三条消息：b\"hello\"、\"你好\".encode() 和 b\"world\"，每条一次 send。" +
				"每次 send 把一条消息交给服务器的套接字，send 返回时这条消息已经在服务器的接收队列里等着：服务器开始读之前，三条都到了。",
		},
		{
			Title:   "Server: one recv(1024) per send — boundaries kept",
			TitleZH: "服务器：一次 send 对应一次 recv(1024)——保留边界",
			Explain: "The server calls recv(1024) three times and gets 5, 6, then 5 bytes: one whole message per call, although all 16 bytes were waiting and 1024 had room for them all. " +
				"Over SOCK_STREAM (unix-stream, tcp-echo) one recv returned all 16 bytes, the 粘包 of a byte stream; SOCK_SEQPACKET keeps the boundaries like UDP while staying connected and reliable. " +
				"The client closes, the server's next recv returns b'', and the server closes the connection and the listener.",
			ExplainZH: "服务器调用三次 recv(1024)，依次得到 5、6、5 个字节：每次一条完整的消息，尽管 16 个字节都在等着，参数 1024 也容得下全部。" +
				"在 SOCK_STREAM 上（unix-stream、tcp-echo）一次 recv 就拿到了全部 16 个字节，这就是字节流的“粘包”；SOCK_SEQPACKET 像 UDP 一样保留边界，同时仍然有连接、可靠。" +
				"客户端关闭，服务器的下一次 recv 返回 b''，服务器关闭连接和监听套接字。",
			Outcome: seqpacketOutcome,
		},
		{
			Title:   "SOCK_RAW: an ICMP echo request built by hand",
			TitleZH: "SOCK_RAW：手工构造的 ICMP 回显请求",
			Explain: "A pinger creates socket.socket(AF_INET, SOCK_RAW, IPPROTO_ICMP), which needs root or CAP_NET_RAW: the lab's own network namespace gives it, without root on the host. " +
				"It builds what ping sends, an ICMP echo request: type 8, code 0, the Internet checksum it computes itself, an id (0x5353), a sequence number (1) and b\"sockscope ping\". " +
				"sendto(packet, ('127.0.0.1', 0)) sends it (a raw socket has no ports; the 0 is ignored) and the kernel puts the IPv4 header, protocol 1, in front: the request is on the wire.",
			ExplainZH: "ping 程序创建 socket.socket(AF_INET, SOCK_RAW, IPPROTO_ICMP)，这需要 root 或 CAP_NET_RAW：实验室自己的网络命名空间给了它这个权限，宿主机上并不需要 root。" +
				"它自己构造 ping 发送的东西——ICMP 回显请求：类型 8、代码 0、自己算出的互联网校验和、标识符（0x5353）、序号（1），以及 b\"sockscope ping\"。" +
				"sendto(packet, ('127.0.0.1', 0)) 把它发出去（原始套接字没有端口，这个 0 会被忽略），内核在前面加上 IPv4 首部（协议号 1）：请求出现在网络上。",
		},
		{
			Title:   "The kernel's echo reply, read back with its IP header",
			TitleZH: "内核的回显应答，连同 IP 首部读回",
			Explain: "No program answers the request: the kernel's ICMP code does, with an echo reply, type 0, carrying the same id, sequence number and payload back. " +
				"A raw ICMP socket receives a copy of every ICMP message the host receives, and each recvfrom(1024) returns the whole IP packet, the 20-byte IPv4 header first, from ('127.0.0.1', 0). " +
				"So the pinger reads until it finds type 0 with its own id and sequence number, as ping does, and closes the socket.",
			ExplainZH: "没有哪个程序回应这个请求：是内核的 ICMP 代码回的，发出回显应答，类型 0，带回同样的标识符、序号和数据。" +
				"原始 ICMP 套接字会收到主机收到的每一个 ICMP 报文的副本，每次 recvfrom(1024) 返回整个 IP 数据包，前面是 20 字节的 IPv4 首部，来源是 ('127.0.0.1', 0)。" +
				"所以 ping 程序一直读，直到找到类型 0、标识符和序号都是自己的那个，和 ping 的做法一样，然后关闭套接字。",
			Outcome: rawEchoOutcome,
		},
		{
			Title:   "Name resolution: socket.gethostname()",
			TitleZH: "名字解析：socket.gethostname()",
			Explain: "The tutorials' name calls come next, and the first needs no socket: socket.gethostname() returns the machine's host name. " +
				"The C library's gethostname asks the kernel (uname(2), the node name that uname -n prints): no file is read and nothing goes on the wire. " +
				"The lab has a network namespace of its own but keeps the machine's host name, so this is the host's name. In the app's lane it is a call with no descriptor (fd -1).",
			ExplainZH: "接下来是教程里的名字函数，第一个不需要套接字：socket.gethostname() 返回本机的主机名。" +
				"C 库的 gethostname 直接问内核（uname(2)，也就是 uname -n 打印的节点名）：不读文件，网络上也什么都没有。" +
				"实验室有自己的网络命名空间，但主机名沿用本机的，所以这就是宿主机的名字。在 app 的泳道里，它是一个没有文件描述符（fd -1）的调用。",
			Outcome: hostnameOutcome,
		},
		{
			Title:   "gethostbyname('localhost'): the hosts file answers, no packet",
			TitleZH: "gethostbyname('localhost')：hosts 文件作答，没有数据包",
			Explain: "First the lab's DNS server, the resolver, creates socket.socket(AF_INET, SOCK_DGRAM) and binds ('127.0.0.53', 53), where systemd-resolved listens on many Linux systems: from then on a query to it would wait in its receive buffer, and it calls recvfrom(512) to read one. " +
				"Then the app calls socket.gethostbyname('localhost'). CPython hands the name to the C library (getaddrinfo, for IPv4 only), which asks the sources /etc/nsswitch.conf lists for hosts, usually files first: it reads /etc/hosts line by line for the first IPv4 address on a line that names localhost. " +
				"The app does what that files step does, in its own process: a file read, no socket call, so no packet leaves and the resolver is not asked. Were no line to name localhost, the C library would go on to the next source; the app stops there and fails as Python would (socket.gaierror).",
			ExplainZH: "先是实验室的 DNS 服务器——解析器（resolver）——创建 socket.socket(AF_INET, SOCK_DGRAM)，bind 到 ('127.0.0.53', 53)（很多 Linux 系统上 systemd-resolved 就在这里监听）：从此发给它的查询会在它的接收缓冲区里等着，它调用 recvfrom(512) 来读。" +
				"接着 app 调用 socket.gethostbyname('localhost')。CPython 把名字交给 C 库（getaddrinfo，只要 IPv4），C 库按 /etc/nsswitch.conf 为 hosts 列出的来源依次查找，通常先查 files：逐行读 /etc/hosts，找第一行写着 localhost 的 IPv4 地址。" +
				"app 在自己的进程里做的正是 files 这一步：读一个文件，没有套接字调用，所以没有数据包发出，解析器也没有被问到。如果没有哪一行写着 localhost，C 库会去问下一个来源；app 就此停下，像 Python 那样失败（socket.gaierror）。",
			Outcome: hostsOutcome,
		},
		{
			Title:   "gethostbyname('echo.sockscope.test'): a DNS query and its answer on the wire",
			TitleZH: "gethostbyname('echo.sockscope.test')：网络上的 DNS 查询与应答",
			Explain: "echo.sockscope.test ends in .test, a top-level name reserved for testing (RFC 6761): no hosts line names it, so the lookup goes to DNS. " +
				"Inside gethostbyname the C library's resolver makes socket calls that Python never shows (strace does), and the app makes the same ones: socket(AF_INET, SOCK_DGRAM); connect(('127.0.0.53', 53)) to the nameserver /etc/resolv.conf would name (here the lab's resolver), which on a UDP socket sends nothing but binds an ephemeral port; and send of a query: a random 16-bit id, the flag recursion desired, and one question: type A (an IPv4 address), class IN, echo.sockscope.test. " +
				"The resolver's recvfrom returns the query with the app's address, and its sendto sends back the response: the same id and question, flagged response and authoritative (the resolver is the authority for this name, and offers no recursion), with one answer record: type A, class IN, TTL 60 seconds (how long a cache may keep it), 127.0.0.1. " +
				"The app's recvfrom(512) returns it (512 bytes is the most a DNS message over UDP may be without EDNS) and checks what the C library checks — it came from 127.0.0.53:53, carries the query's id and answers the question asked — then closes the socket, and gethostbyname returns '127.0.0.1'. " +
				"(The C library makes its socket non-blocking and waits in poll; the app waits in a blocking recvfrom.)",
			ExplainZH: "echo.sockscope.test 以 .test 结尾，这是专门留给测试用的顶级名字（RFC 6761）：hosts 文件里没有它，所以查询交给 DNS。" +
				"在 gethostbyname 内部，C 库的解析器做的是 Python 从不显示的套接字调用（strace 能看到），app 做的也是这几个：socket(AF_INET, SOCK_DGRAM)；connect(('127.0.0.53', 53))，连向 /etc/resolv.conf 本该写明的域名服务器（这里是实验室的解析器），在 UDP 套接字上它什么也不发送，只绑定一个临时端口；再 send 一个查询：随机的 16 位 id、“期望递归”标志，以及一个问题：类型 A（IPv4 地址）、类 IN、echo.sockscope.test。" +
				"解析器的 recvfrom 连同 app 的地址返回这个查询，它的 sendto 发回应答：同样的 id 和问题，标为“应答”和“权威”（解析器是这个名字的权威，且不提供递归），带一条回答记录：类型 A，类 IN，TTL 60 秒（缓存可以保留它多久），127.0.0.1。" +
				"app 的 recvfrom(512) 收到它（不用 EDNS 时，UDP 上的 DNS 报文最多 512 字节），并做 C 库要做的检查——来自 127.0.0.53:53、带着查询的 id、回答的正是所问的问题——然后关闭套接字，gethostbyname 返回 '127.0.0.1'。" +
				"（C 库把套接字设为非阻塞并在 poll 里等待；app 则在阻塞的 recvfrom 里等待。）",
			Outcome: dnsOutcome,
		},
	},
	Run:   runSocketTypes,
	Check: checkSocketTypes,
}

// icmpOf splits what a raw ICMP socket read into the ICMP message after
// the IPv4 header (nil if it is not one).
func icmpOf(pkt []byte) []byte {
	if len(pkt) < 20 || pkt[0]>>4 != 4 {
		return nil
	}
	hl := int(pkt[0]&0x0f) * 4
	if hl < 20 || len(pkt) < hl+8 || pkt[9] != unix.IPPROTO_ICMP {
		return nil
	}
	return pkt[hl:]
}

// isRawEchoReply reports whether pkt, read from the raw socket, is the
// reply to the lesson's request.
func isRawEchoReply(pkt []byte) bool {
	m := icmpOf(pkt)
	return m != nil && m[0] == 0 && m[1] == 0 && binary.BigEndian.Uint16(m[4:]) == rawEchoID &&
		binary.BigEndian.Uint16(m[6:]) == rawEchoSeq && bytes.Equal(m[8:], rawEchoPayload)
}

func runSocketTypes(ctx context.Context, env *Env) error {
	dir := env.Dir
	if dir == "" {
		d, err := os.MkdirTemp("", "sockscope-seqpacket-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(d)
		dir = d
	}
	path := filepath.Join(dir, SeqpacketSocketName)
	listening, accepted, sent, read, closed, done, pinged := newSignal(), newSignal(), newSignal(), newSignal(), newSignal(), newSignal(), newSignal()
	g := newGroup(ctx)

	g.Go(func(ctx context.Context) error { // the SOCK_SEQPACKET server
		if err := env.Step(ctx, 1); err != nil {
			return err
		}
		s := env.NewSock(ctx, "server")
		defer s.Close()
		defer os.Remove(path)
		if err := s.Socket(unix.AF_UNIX, unix.SOCK_SEQPACKET, 0); err != nil {
			return err
		}
		if err := s.Bind(path); err != nil {
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
		if err := sent.wait(ctx); err != nil {
			return err
		}
		if err := env.Step(ctx, 3); err != nil {
			return err
		}
		for _, m := range EchoMessages {
			data, err := conn.Recv(1024)
			if err != nil {
				return err
			}
			if string(data) != m {
				return fmt.Errorf("server: recv %q, want the message %q", data, m)
			}
		}
		read.fire()
		if err := closed.wait(ctx); err != nil {
			return err
		}
		data, err := conn.Recv(1024)
		if err != nil {
			return err
		}
		if len(data) != 0 {
			return fmt.Errorf("server: %q after the client's close, want b''", data)
		}
		if err := conn.Close(); err != nil {
			return err
		}
		if err := s.Close(); err != nil {
			return err
		}
		done.fire()
		return nil
	})

	g.Go(func(ctx context.Context) error { // the SOCK_SEQPACKET client
		if err := listening.wait(ctx); err != nil {
			return err
		}
		c := env.NewSock(ctx, "client")
		defer c.Close()
		if err := c.Socket(unix.AF_UNIX, unix.SOCK_SEQPACKET, 0); err != nil {
			return err
		}
		if err := c.Connect(path); err != nil {
			return err
		}
		if err := accepted.wait(ctx); err != nil {
			return err
		}
		if err := env.Step(ctx, 2); err != nil {
			return err
		}
		for _, m := range EchoMessages {
			if _, err := c.Send([]byte(m)); err != nil {
				return err
			}
		}
		sent.fire()
		if err := read.wait(ctx); err != nil { // close once the server has read the three
			return err
		}
		err := c.Close()
		closed.fire()
		return err
	})

	g.Go(func(ctx context.Context) error { // the pinger
		if err := done.wait(ctx); err != nil {
			return err
		}
		if err := env.Step(ctx, 4); err != nil {
			return err
		}
		p := env.NewSock(ctx, "pinger")
		defer p.Close()
		if err := p.SocketRawICMP(); err != nil {
			return err
		}
		if _, err := p.Sendto(icmpEcho(rawEchoID, rawEchoSeq, rawEchoPayload), rawEchoTo); err != nil {
			return err
		}
		if err := env.Step(ctx, 5); err != nil {
			return err
		}
		for i := 0; ; i++ {
			pkt, _, err := p.Recvfrom(1024)
			if err != nil {
				return err
			}
			if isRawEchoReply(pkt) {
				break
			}
			if i >= 8 {
				return fmt.Errorf("pinger: no echo reply in %d reads", i+1)
			}
		}
		if err := p.Close(); err != nil {
			return err
		}
		pinged.fire()
		return nil
	})

	// Name resolution: the app looks names up, the resolver answers DNS.
	named, resolverUp, resolved := newSignal(), newSignal(), newSignal()
	g.Go(func(ctx context.Context) error { // the app
		if err := pinged.wait(ctx); err != nil {
			return err
		}
		if err := env.Step(ctx, 6); err != nil {
			return err
		}
		app := env.NewSock(ctx, "app") // no socket: the name calls
		if _, err := app.Gethostname(); err != nil {
			return err
		}
		named.fire()
		if err := resolverUp.wait(ctx); err != nil {
			return err
		}
		if _, _, err := app.GethostbynameFiles(hostsName, HostsFile); err != nil && !errors.Is(err, errNoName) {
			return err
		}
		if err := env.Step(ctx, 8); err != nil {
			return err
		}
		conn := env.NewSock(ctx, "app") // the resolver library's socket
		defer conn.Close()
		addr, err := app.GethostbynameDNS(conn, resolvedName, resolverAddr, uint16(rand.Uint32()))
		if err != nil {
			return err
		}
		if addr != resolvedAddr {
			return fmt.Errorf("app: %s is %v, want %v", resolvedName, addr, resolvedAddr)
		}
		resolved.fire()
		return nil
	})

	g.Go(func(ctx context.Context) error { // the resolver, a DNS server
		if err := named.wait(ctx); err != nil {
			return err
		}
		if err := env.Step(ctx, 7); err != nil {
			return err
		}
		r := env.NewSock(ctx, "resolver")
		defer r.Close()
		if err := r.Socket(unix.AF_INET, unix.SOCK_DGRAM, 0); err != nil {
			return err
		}
		if err := r.Bind(resolverAddr); err != nil {
			return err
		}
		resolverUp.fire()
		query, from, err := r.Recvfrom(512)
		if err != nil {
			return err
		}
		answer, err := dnsAnswer(query, resolvedName, resolvedAddr, resolvedTTL)
		if err != nil {
			return fmt.Errorf("resolver: the query from %s: %v", from, err)
		}
		if _, err := r.Sendto(answer, from); err != nil {
			return err
		}
		if err := resolved.wait(ctx); err != nil {
			return err
		}
		return r.Close()
	})
	return g.Wait()
}

// socketTypesFacts are the landmarks of one socket-types run.
type socketTypesFacts struct {
	recvs          []*sockcall.Call // the server's recv calls
	sendto         *sockcall.Call   // the pinger's echo request
	reads          []*sockcall.Call // the pinger's recvfrom calls
	request, reply *decode.Packet   // on the wire
}

func socketTypesOf(r *sockcall.Run) socketTypesFacts {
	f := factsOf(r)
	p := socketTypesFacts{recvs: f.calls("server", "recv"), sendto: f.call("pinger", "sendto", 0), reads: f.calls("pinger", "recvfrom")}
	for _, fr := range f.packets(func(p *decode.Packet) bool { return p.Has(decode.LayerICMPv4) }) {
		switch {
		case fr.ICMPType == 8 && p.request == nil:
			p.request = fr
		case fr.ICMPType == 0 && p.reply == nil:
			p.reply = fr
		}
	}
	return p
}

func seqpacketOutcome(r *sockcall.Run) (en, zh string) {
	p := socketTypesOf(r)
	if len(p.recvs) < len(EchoMessages) {
		return "", ""
	}
	var sizes, queued []int
	for _, c := range p.recvs[:len(EchoMessages)] {
		if c.Ret < 0 {
			return "", ""
		}
		sizes = append(sizes, c.Ret)
		queued = append(queued, c.RecvQ)
	}
	return fmt.Sprintf("The three recv(1024) calls returned %s bytes. Recv-Q (SIOCINQ) right after each: %s — for an AF_UNIX SOCK_SEQPACKET socket the bytes of all the messages still waiting, yet each recv took only one.", intList(sizes, false), intList(queued, false)),
		fmt.Sprintf("三次 recv(1024) 依次返回 %s 个字节。每次刚返回时的 Recv-Q（SIOCINQ）：%s——对 AF_UNIX 的 SOCK_SEQPACKET 套接字来说，这是所有待读消息的字节总数，可每次 recv 只取走一条。", intList(sizes, true), intList(queued, true))
}

func rawEchoOutcome(r *sockcall.Run) (en, zh string) {
	p := socketTypesOf(r)
	if p.request == nil || p.reply == nil || len(p.reads) == 0 || !isRawEchoReply(p.reads[len(p.reads)-1].Data) {
		return "", ""
	}
	var kinds, kindsZH []string
	for _, c := range p.reads {
		m := icmpOf(c.Data)
		if m == nil {
			kinds, kindsZH = append(kinds, fmt.Sprintf("%d bytes", c.Ret)), append(kindsZH, fmt.Sprintf("%d 字节", c.Ret))
			continue
		}
		switch m[0] {
		case 8:
			kinds, kindsZH = append(kinds, fmt.Sprintf("its own request (type 8, %d bytes)", c.Ret)), append(kindsZH, fmt.Sprintf("它自己的请求（类型 8，%d 字节）", c.Ret))
		case 0:
			kinds, kindsZH = append(kinds, fmt.Sprintf("the reply (type 0, %d bytes)", c.Ret)), append(kindsZH, fmt.Sprintf("应答（类型 0，%d 字节）", c.Ret))
		default:
			kinds, kindsZH = append(kinds, fmt.Sprintf("type %d (%d bytes)", m[0], c.Ret)), append(kindsZH, fmt.Sprintf("类型 %d（%d 字节）", m[0], c.Ret))
		}
	}
	en = fmt.Sprintf("The request is frame %d and the kernel's reply frame %d. The pinger's %s returned %s.",
		p.request.Number, p.reply.Number, countWord(len(p.reads))+" recvfrom call"+map[bool]string{true: "s", false: ""}[len(p.reads) != 1], joinList(kinds, false))
	zh = fmt.Sprintf("请求是第 %d 帧，内核的应答是第 %d 帧。ping 程序的 %d 次 recvfrom 依次返回%s。",
		p.request.Number, p.reply.Number, len(p.reads), joinList(kindsZH, true))
	return en, zh
}

// checkSocketTypes verifies the fixed words of socket-types against a run.
func checkSocketTypes(r *sockcall.Run) error {
	f := factsOf(r)
	p := socketTypesOf(r)
	var l claimList
	loop := netip.AddrFrom4([4]byte{127, 0, 0, 1})

	// Steps 1–3: SOCK_SEQPACKET.
	for _, ep := range []string{"server", "client"} {
		c := f.call(ep, "socket", 0)
		l.want(c != nil && c.Args == "AF_UNIX, SOCK_SEQPACKET" && c.Ret >= 0, "the %s's socket is AF_UNIX, SOCK_SEQPACKET (%s)", ep, describeCall(c))
	}
	conn, acc := f.call("client", "connect", 0), f.call("server", "accept", 0)
	l.want(conn != nil && conn.Ret == 0 && acc != nil && acc.Ret > 0, "connect and accept succeed (%s, %s)", describeCall(conn), describeCall(acc))
	sends := f.calls("client", "send")
	l.want(len(sends) == len(EchoMessages), "the client sends three times (%d sends)", len(sends))
	for i, s := range sends {
		if i < len(EchoMessages) {
			l.want(s.Ret == len(EchoMessages[i]) && string(s.Data) == EchoMessages[i] && s.Step == 2, "send %d sends %q (%s)", i+1, EchoMessages[i], describeCall(s))
		}
	}
	if len(sends) == len(EchoMessages) && acc != nil {
		// All three waiting before the first recv: the server's socket
		// held all 16 bytes right after the last send.
		s, ok := sampleAfter(sends[len(sends)-1], "server", acc.Ret)
		l.want(!ok || s.RecvQ == echoTotal(), "all three messages wait before the server reads (the server's Recv-Q %d after the last send, want all %d bytes)", s.RecvQ, echoTotal())
	}
	l.want(len(p.recvs) == len(EchoMessages)+1, "three recv calls and the one that returns b'' (%d recv calls)", len(p.recvs))
	for i, c := range p.recvs {
		switch {
		case i < len(EchoMessages):
			l.want(c.Len == 1024 && c.Ret == len(EchoMessages[i]) && string(c.Data) == EchoMessages[i] && c.Step == 3, "recv(1024) %d returns one whole message, %q (%s)", i+1, EchoMessages[i], describeCall(c))
		case i == len(EchoMessages):
			l.want(c.Ret == 0, "after the client's close recv returns b'' (%s)", describeCall(c))
		}
	}
	for i := range f.r.Packets {
		fr := &f.r.Packets[i]
		l.want(fr.Has(decode.LayerICMPv4) || fr.IsUDP() && (fr.SrcPort == 53 || fr.DstPort == 53),
			"over AF_UNIX nothing goes on the wire: every frame is the ping's or the DNS lookup's (%s)", frameNo(fr))
	}

	// Steps 4–5: SOCK_RAW.
	sock := f.call("pinger", "socket", 0)
	l.want(sock != nil && sock.Args == "AF_INET, SOCK_RAW, IPPROTO_ICMP" && sock.Ret >= 0 && sock.Step == 4, "socket(AF_INET, SOCK_RAW, IPPROTO_ICMP) succeeds in the lab (%s)", describeCall(sock))
	want := icmpEcho(rawEchoID, rawEchoSeq, rawEchoPayload)
	l.want(p.sendto != nil && p.sendto.Ret == len(want) && bytes.Equal(p.sendto.Data, want) && p.sendto.Peer == netip.AddrPortFrom(loop, 0),
		"sendto sends the echo request built by hand to ('127.0.0.1', 0) (%s)", describeCall(p.sendto))
	l.want(p.request != nil && p.request.ICMPCode == 0 && p.request.Src == loop && p.request.Dst == loop && p.request.IPProto == 1 && p.request.IPHdrLen == 20,
		"the request is on the wire: type 8 code 0, IPv4 protocol 1, 127.0.0.1 (%s)", frameNo(p.request))
	l.want(p.reply != nil && p.request != nil && p.reply.Number > p.request.Number && p.reply.ICMPCode == 0 && p.reply.Src == loop && p.reply.Dst == loop,
		"the kernel's echo reply, type 0, follows on the wire (request %s, reply %s)", frameNo(p.request), frameNo(p.reply))
	var last *sockcall.Call
	if len(p.reads) > 0 {
		last = p.reads[len(p.reads)-1]
	}
	l.want(last != nil && isRawEchoReply(last.Data) && last.Step == 5, "the pinger reads the reply: type 0 with its id, sequence number and payload (%s)", describeCall(last))
	for _, c := range p.reads {
		l.want(icmpOf(c.Data) != nil && c.Ret == 20+len(want) && c.Peer == netip.AddrPortFrom(loop, 0),
			"each recvfrom returns the whole IP packet, a 20-byte IPv4 header first, from ('127.0.0.1', 0) (%s from %v)", describeCall(c), peerOf(c))
	}
	cl := f.call("pinger", "close", 0)
	l.want(cl != nil && cl.Ret == 0, "the pinger closes its socket (%s)", describeCall(cl))

	// Steps 6–8: name resolution.
	checkResolve(f, &l)
	return l.err("socket-types")
}

// resolveFacts are the landmarks of socket-types' name lookups.
type resolveFacts struct {
	hostname, local, lookup *sockcall.Call // the app's gethostname and two gethostbyname calls
	// The app's socket calls inside the DNS lookup.
	socket, connect, send, recv, close *sockcall.Call
	// The resolver's.
	rsock, rbind, rrecv, rsend, rclose *sockcall.Call
	// The DNS query and answer on the wire, and what they say.
	query, answer       *decode.Packet
	queryMsg, answerMsg dnsMsg
}

func resolveOf(r *sockcall.Run) resolveFacts {
	f := factsOf(r)
	p := resolveFacts{
		hostname: f.call("app", "gethostname", 0), local: f.call("app", "gethostbyname", 0), lookup: f.call("app", "gethostbyname", 1),
		socket: f.call("app", "socket", 0), connect: f.call("app", "connect", 0), send: f.call("app", "send", 0), recv: f.call("app", "recvfrom", 0), close: f.call("app", "close", 0),
		rsock: f.call("resolver", "socket", 0), rbind: f.call("resolver", "bind", 0), rrecv: f.call("resolver", "recvfrom", 0), rsend: f.call("resolver", "sendto", 0), rclose: f.call("resolver", "close", 0),
	}
	for _, pk := range f.packets(func(p *decode.Packet) bool { return p.IsUDP() && (p.DstPort == 53 || p.SrcPort == 53) }) {
		m, err := parseDNSMsg(pk.Payload)
		switch {
		case err != nil:
		case pk.DstPort == 53 && !m.Response && p.query == nil:
			p.query, p.queryMsg = pk, m
		case pk.SrcPort == 53 && m.Response && p.answer == nil:
			p.answer, p.answerMsg = pk, m
		}
	}
	return p
}

// framesDuring returns the frames captured from c's start to its return.
func framesDuring(f runFacts, c *sockcall.Call) []*decode.Packet {
	from, to := callStart(c), callEnd(c)
	return f.packets(func(p *decode.Packet) bool { t := frameTime(p); return !t.Before(from) && !t.After(to) })
}

func hostnameOutcome(r *sockcall.Run) (en, zh string) {
	c := resolveOf(r).hostname
	if c == nil || c.Ret != 0 {
		return "", ""
	}
	name, took := pyStr(string(c.Data)), span(callEnd(c).Sub(callStart(c)))
	return fmt.Sprintf("socket.gethostname() returned %s (call %d), in %s.", name, c.Number, took),
		fmt.Sprintf("socket.gethostname() 返回 %s（调用 #%d），用时 %s。", name, c.Number, took)
}

func hostsOutcome(r *sockcall.Run) (en, zh string) {
	f := factsOf(r)
	p := resolveOf(r)
	c := p.local
	// The words wait for the query's frame: the capture has passed the
	// lookup, and the resolver's recvfrom has returned with it.
	if c == nil || p.query == nil || p.rbind == nil || p.rrecv == nil || p.rrecv.Ret < 0 {
		return "", ""
	}
	during := framesDuring(f, c)
	took := span(callEnd(c).Sub(callStart(c)))
	var wireEN, wireZH string
	if len(during) == 0 {
		wireEN = fmt.Sprintf("No frame was captured from its start to its return; the first after it is the DNS query (frame %d) of the next step.", p.query.Number)
		wireZH = fmt.Sprintf("从它开始到返回，没有捕获到任何帧；它之后的第一帧是下一步的 DNS 查询（第 %d 帧）。", p.query.Number)
	} else {
		wireEN = fmt.Sprintf("Frame %s was captured while it ran: not the lookup's, which made no socket call.", frameList(during, false))
		wireZH = fmt.Sprintf("它运行期间捕获到第 %s 帧：不是这次查找发的，它没有任何套接字调用。", frameList(during, true))
	}
	waitEN := fmt.Sprintf(" The resolver, bound to 127.0.0.53:53 before the lookup (call %d), got nothing until that query: its recvfrom returned only with it (call %d).", p.rbind.Number, p.rrecv.Number)
	waitZH := fmt.Sprintf("解析器在查找之前就已绑定 127.0.0.53:53（调用 #%d），直到那个查询到达前什么也没收到：它的 recvfrom 到那时才返回（调用 #%d）。", p.rbind.Number, p.rrecv.Number)
	if callStart(p.rrecv).Before(callStart(c)) {
		waitEN = fmt.Sprintf(" The resolver's recvfrom, waiting since before the lookup, returned only with that query (call %d).", p.rrecv.Number)
		waitZH = fmt.Sprintf("解析器的 recvfrom 在查找之前就在等待，直到那个查询到达才返回（调用 #%d）。", p.rrecv.Number)
	}
	if c.Ret == 0 {
		addr := pyStr(string(c.Data))
		return fmt.Sprintf("gethostbyname('localhost') returned %s in %s (call %d): line %d of %s is the first line that names localhost with an IPv4 address. %s%s", addr, took, c.Number, c.Len, c.Path, wireEN, waitEN),
			fmt.Sprintf("gethostbyname('localhost') 用时 %s 返回 %s（调用 #%d）：%s 的第 %d 行是第一个写着 localhost 的 IPv4 行。%s%s", took, addr, c.Number, c.Path, c.Len, wireZH, waitZH)
	}
	if c.Errno != errNoName.Error() {
		return fmt.Sprintf("gethostbyname('localhost') failed with %s in %s (call %d): the app could not read the hosts file. %s%s", c.Errno, took, c.Number, wireEN, waitEN),
			fmt.Sprintf("gethostbyname('localhost') 用时 %s 失败，错误 %s（调用 #%d）：app 读不了 hosts 文件。%s%s", took, c.Errno, c.Number, wireZH, waitZH)
	}
	return fmt.Sprintf("This machine's %s has no line that names localhost with an IPv4 address, so the files lookup found nothing and gethostbyname('localhost') failed with EAI_NONAME in %s (call %d; Python: socket.gaierror). The C library would ask the next source /etc/nsswitch.conf lists (dns, or systemd's myhostname, which knows localhost); the app asks none. %s%s", c.Path, took, c.Number, wireEN, waitEN),
		fmt.Sprintf("本机的 %s 里没有哪一行为 localhost 写了 IPv4 地址，所以 files 查找一无所获，gethostbyname('localhost') 用时 %s 以 EAI_NONAME 失败（调用 #%d；Python：socket.gaierror）。C 库会去问 /etc/nsswitch.conf 列出的下一个来源（dns，或知道 localhost 的 systemd myhostname）；app 不再问。%s%s", c.Path, took, c.Number, wireZH, waitZH)
}

func dnsOutcome(r *sockcall.Run) (en, zh string) {
	p := resolveOf(r)
	if p.query == nil || p.answer == nil || p.send == nil || p.connect == nil || p.recv == nil || p.recv.Ret <= 0 || p.lookup == nil || p.lookup.Ret != 0 || len(p.queryMsg.Questions) != 1 {
		return "", ""
	}
	a, ok := p.answerMsg.answerFor(p.queryMsg.ID, resolvedName)
	if !ok {
		return "", ""
	}
	src, dst := addrOf(p.query)
	q := p.queryMsg.Questions[0]
	typ, class := strings.TrimPrefix(q.Type.String(), "Type"), strings.TrimPrefix(q.Class.String(), "Class")
	if q.Class == dnsmessage.ClassINET {
		class = "IN"
	}
	rd, rdZH := "", ""
	if p.queryMsg.RD {
		rd, rdZH = ", recursion desired", "，期望递归"
	}
	port, portZH := "", " "
	if p.connect.Local == src {
		port, portZH = " (the port the kernel picked when connect bound the socket)", "（connect 绑定套接字时内核选的端口）"
	}
	flags, flagsZH := "response", "应答"
	if p.answerMsg.AA {
		flags, flagsZH = "response, authoritative", "应答、权威"
	}
	name := pyStr(q.Name.String())
	wire, calls := span(frameTime(p.answer).Sub(frameTime(p.query))), span(callEnd(p.recv).Sub(callStart(p.send)))
	en = fmt.Sprintf("The query is frame %d, %d bytes of DNS from %s%s to %s: id %#04x%s, one question: type %s, class %s, %s. "+
		"The answer is frame %d, %d bytes: the same id, %s, %d answer: %s A %s, TTL %d s. "+
		"From the query's frame to the answer's: %s; from the start of the app's send to the return of its recvfrom: %s. gethostbyname returned %s (call %d).",
		p.query.Number, p.queryMsg.Size, src, port, dst, p.queryMsg.ID, rd, typ, class, name,
		p.answer.Number, p.answerMsg.Size, flags, p.answerMsg.AnswerCount, pyStr(a.Name), a.Addr, a.TTL,
		wire, calls, pyStr(string(p.lookup.Data)), p.lookup.Number)
	zh = fmt.Sprintf("查询是第 %d 帧，%d 字节的 DNS，从 %s%s发往 %s：id %#04x%s，一个问题：类型 %s、类 %s、%s。"+
		"应答是第 %d 帧，%d 字节：同一个 id，%s，%d 条回答：%s A %s，TTL %d 秒。"+
		"从查询帧到应答帧：%s；从 app 的 send 开始到它的 recvfrom 返回：%s。gethostbyname 返回 %s（调用 #%d）。",
		p.query.Number, p.queryMsg.Size, src, portZH, dst, p.queryMsg.ID, rdZH, typ, class, name,
		p.answer.Number, p.answerMsg.Size, flagsZH, p.answerMsg.AnswerCount, pyStr(a.Name), a.Addr, a.TTL,
		wire, calls, pyStr(string(p.lookup.Data)), p.lookup.Number)
	return en, zh
}

// checkResolve verifies the fixed words of socket-types' steps 6–8.
func checkResolve(f runFacts, l *claimList) {
	p := resolveOf(f.r)
	server := netip.MustParseAddrPort(resolverAddr)

	// Step 6.
	h := p.hostname
	l.want(h != nil && h.Ret == 0 && h.FD == -1 && len(h.Data) > 0 && h.Step == 6, "gethostname returns the host name in step 6, with no socket (%s)", describeCall(h))
	if h != nil {
		l.want(len(framesDuring(f, h)) == 0, "nothing goes on the wire during gethostname (%d frames)", len(framesDuring(f, h)))
	}

	// Step 7.
	l.want(p.rsock != nil && p.rsock.Args == "AF_INET, SOCK_DGRAM" && p.rsock.Ret >= 0 && p.rsock.Step == 7, "the resolver creates a UDP socket in step 7 (%s)", describeCall(p.rsock))
	l.want(p.rbind != nil && p.rbind.Ret == 0 && p.rbind.Local == server, "the resolver binds 127.0.0.53:53 (%s, local %v)", describeCall(p.rbind), localOf(p.rbind))
	c := p.local
	l.want(c != nil && c.Step == 7 && c.FD == -1 && strings.HasPrefix(c.Args, pyStr(hostsName)), "the app calls gethostbyname('localhost') in step 7, with no socket (%s)", describeCall(c))
	if c != nil {
		a, err := netip.ParseAddr(string(c.Data))
		l.want(c.Ret == 0 && c.Path == HostsFile && c.Len > 0 && err == nil && a.Is4() || c.Ret == -1 && c.Errno == errNoName.Error(),
			"the hosts file answers with an IPv4 address and its line, or the lookup fails with EAI_NONAME (%s, path %q, line %d, data %q)", describeCall(c), c.Path, c.Len, c.Data)
		l.want(len(framesDuring(f, c)) == 0, "no packet leaves during gethostbyname('localhost') (%d frames)", len(framesDuring(f, c)))
		l.want(p.rbind != nil && callEnd(p.rbind).Before(callStart(c)), "the resolver is bound before the hosts lookup (%s)", describeCall(p.rbind))
		l.want(p.rrecv == nil || callEnd(p.rrecv).After(callEnd(c)), "the resolver's recvfrom gets nothing during the hosts lookup (%s)", describeCall(p.rrecv))
		l.want(p.socket == nil || p.socket.Number > c.Number, "the hosts lookup makes no socket call (the app's socket %s)", describeCall(p.socket))
	}

	// Step 8.
	lk := p.lookup
	l.want(lk != nil && lk.Step == 8 && lk.FD == -1 && lk.Ret == 0 && string(lk.Data) == resolvedAddr.String() && strings.HasPrefix(lk.Args, pyStr(resolvedName)),
		"gethostbyname('echo.sockscope.test') returns '127.0.0.1' (%s)", describeCall(lk))
	inner := []*sockcall.Call{p.socket, p.connect, p.send, p.recv, p.close}
	var want []int
	for _, in := range inner {
		if in != nil {
			want = append(want, in.Number)
		}
	}
	l.want(lk != nil && len(want) == len(inner) && slices.Equal(lk.Inner, want), "its inner calls are the app's socket, connect, send, recvfrom and close (inner %v, the app's %v)", innerOf(lk), want)
	l.want(p.socket != nil && p.socket.Args == "AF_INET, SOCK_DGRAM" && p.socket.Ret >= 0 && p.socket.Step == 8, "the lookup's socket is AF_INET, SOCK_DGRAM (%s)", describeCall(p.socket))
	l.want(p.connect != nil && p.connect.Ret == 0 && p.connect.Peer == server && p.connect.Local.Port() != 0, "connect(('127.0.0.53', 53)) binds an ephemeral port (%s, local %v)", describeCall(p.connect), localOf(p.connect))
	var qm dnsMsg
	var qerr error = errors.New("no send")
	if p.send != nil {
		qm, qerr = parseDNSMsg(p.send.Data)
	}
	l.want(qerr == nil && qm.isQueryFor(resolvedName) && qm.RD && qm.AnswerCount == 0 && qm.NSCount == 0 && qm.ARCount == 0 && p.send.Step == 8,
		"send sends a query: recursion desired, one question, A IN echo.sockscope.test (%s: %v)", describeCall(p.send), qerr)
	var client netip.AddrPort
	if p.connect != nil {
		client = p.connect.Local
	}
	onPort := f.packets(func(pk *decode.Packet) bool {
		return pk.IsUDP() && (netip.AddrPortFrom(pk.Src, pk.SrcPort) == client || netip.AddrPortFrom(pk.Dst, pk.DstPort) == client)
	})
	l.want(len(onPort) <= 2, "connect sends nothing: the app's port carries the query and the answer only (%d frames)", len(onPort))
	if p.query != nil {
		src, dst := addrOf(p.query)
		l.want(src == client && dst == server && p.query.Has(decode.LayerDNS) && !p.query.DNS.QR && p.query.DNS.ID == qm.ID && p.send != nil && bytes.Equal(p.query.Payload, p.send.Data),
			"the query is on the wire from the app's port to 127.0.0.53:53, the bytes send sent (%s %v → %v)", frameNo(p.query), src, dst)
	}
	l.want(p.rrecv != nil && p.rrecv.Step == 8 && p.send != nil && bytes.Equal(p.rrecv.Data, p.send.Data) && p.rrecv.Peer == client && p.rrecv.Len == 512,
		"the resolver's recvfrom(512) returns the query with the app's address in step 8 (%s from %v)", describeCall(p.rrecv), peerOf(p.rrecv))
	var am dnsMsg
	var aerr error = errors.New("no sendto")
	if p.rsend != nil {
		am, aerr = parseDNSMsg(p.rsend.Data)
	}
	a, ok := am.answerFor(qm.ID, resolvedName)
	l.want(aerr == nil && ok && am.AA && !am.RA && am.RD == qm.RD && am.AnswerCount == 1 && a.Addr == resolvedAddr && a.TTL == resolvedTTL && p.rsend.Step == 8 && p.rsend.Peer == client,
		"the resolver sends the answer to the app's address: the query's id and question, authoritative, no recursion, A 127.0.0.1 TTL 60 (%s: %v)", describeCall(p.rsend), aerr)
	if p.answer != nil {
		src, dst := addrOf(p.answer)
		l.want(src == server && dst == client && p.answer.Has(decode.LayerDNS) && p.answer.DNS.QR && p.answer.DNS.ID == qm.ID && p.rsend != nil && bytes.Equal(p.answer.Payload, p.rsend.Data),
			"the answer is on the wire from 127.0.0.53:53 to the app's port (%s %v → %v)", frameNo(p.answer), src, dst)
	}
	l.want(p.recv != nil && p.recv.Step == 8 && p.recv.Len == 512 && p.rsend != nil && bytes.Equal(p.recv.Data, p.rsend.Data) && p.recv.Peer == server,
		"the app's recvfrom(512) returns the answer from 127.0.0.53:53 (%s from %v)", describeCall(p.recv), peerOf(p.recv))
	l.want(p.close != nil && p.close.Ret == 0 && p.rclose != nil && p.rclose.Ret == 0, "the app and the resolver close their sockets (%s, %s)", describeCall(p.close), describeCall(p.rclose))
}
