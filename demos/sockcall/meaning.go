package sockcall

// Meaning says what a call's outcome means: what the kernel did and what
// it looks like on the wire, and the Python the tutorials' readers meet
// it as. One catalogue serves every view (the text timeline under a call,
// the demo view's details, call.meaning in JSON) and any program traced
// later.
type Meaning struct {
	// Key names the outcome: an errno name ("EPIPE"), or "b''" (a stream
	// recv returned 0), "MSG_TRUNC" (a datagram longer than the buffer),
	// "short send" (send took fewer bytes than offered).
	Key string
	// Python is what Python shows for it.
	Python string
	// EN and ZH say in two sentences what happened in the kernel and on
	// the wire.
	EN, ZH string
}

// Text is the meaning in English or Chinese.
func (m *Meaning) Text(zh bool) string {
	if zh {
		return m.ZH
	}
	return m.EN
}

// Unfinished is the Errno of a traced call the program never returned
// from: it was killed (or another of its threads called execve) while the
// call was in progress, so the call has no result (strace shows "= ?").
const Unfinished = "UNFINISHED"

// unfinishedMeaning explains Unfinished. It is not in Meanings, the
// catalogue of what the kernel returns: no call returns it.
var unfinishedMeaning = &Meaning{
	Key: Unfinished, Python: "(no result: the program ended inside the call)",
	EN: "The program never came back from this call: it was killed (or another of its threads replaced the program with execve) while the call was waiting, so the call has no result. Whatever the kernel still held for the socket is dealt with as the process's descriptors are closed at its end: an open TCP connection sends its FIN then (or RST, with unread bytes).",
	ZH: "程序没能从这个调用返回：调用还在等待时它被杀死了（或者它的另一个线程用 execve 换掉了程序），所以这个调用没有结果。内核里这个套接字剩下的事，会在进程结束、描述符被关闭时处理：打开着的 TCP 连接这时发出 FIN（若还有未读的字节，则发出 RST）。",
}

// LibcNSCD is the Libc of glibc's calls to the name-service cache daemon.
const LibcNSCD = "nscd"

// nscdMeaning and nscdAbsentMeaning explain the calls glibc makes for
// itself to reach nscd. Like unfinishedMeaning they are not kernel
// outcomes, so not in Meanings.
var nscdMeaning = &Meaning{
	Key: "libc: nscd", Python: "(no Python call of its own: made inside pwd.getpwuid, os.path.expanduser, socket.getaddrinfo …)",
	EN: "The C library made this call for itself, not the program's code: before glibc looks up a user, a group or a host name in /etc/passwd, /etc/group or /etc/hosts, it asks the name-service cache daemon (nscd) over an AF_UNIX socket. Python's start-up makes such a lookup when HOME is not set, to find the home directory.",
	ZH: "这个调用是 C 库自己发起的，不是程序代码里的：glibc 在 /etc/passwd、/etc/group 或 /etc/hosts 里查用户、组或主机名之前，先通过一个 AF_UNIX 套接字去问名字服务缓存守护进程（nscd）。没有设置 HOME 时，Python 启动时就会做这样的查询，以找到主目录。",
}

var nscdAbsentMeaning = &Meaning{
	Key: "libc: nscd (ENOENT)", Python: nscdMeaning.Python,
	EN: "The C library made this call for itself, not the program's code: glibc tried the name-service cache daemon (nscd) at its socket path before reading /etc/passwd, /etc/group or /etc/hosts. No such socket exists here (ENOENT: nscd is not running), so glibc closes the socket and reads the files itself; nothing went on the wire.",
	ZH: "这个调用是 C 库自己发起的，不是程序代码里的：glibc 在读 /etc/passwd、/etc/group 或 /etc/hosts 之前，先尝试连接名字服务缓存守护进程（nscd）的套接字路径。这里没有这个套接字（ENOENT：nscd 没有运行），于是 glibc 关闭套接字，自己去读这些文件；网络上什么也没有。",
}

// Meanings is the catalogue, by Key.
var Meanings = map[string]*Meaning{
	"b''": {
		Key: "b''", Python: "b'' (recv returns an empty bytes object)",
		EN: "The peer closed its side (over TCP: its FIN arrived) and every byte before that has been read, so recv returns 0 instead of waiting. This is the only way a connection says \"no more data\"; a loop that reads until b'' is how a reader finds the end.",
		ZH: "对端关闭了它那一侧（TCP 上就是它的 FIN 到达了），之前的字节也都读完了，所以 recv 不再等待而是返回 0。连接只有这一种方式表示“没有更多数据”；循环读到 b'' 为止，接收方就知道到头了。",
	},
	"EAGAIN": {
		Key: "EAGAIN", Python: "BlockingIOError: [Errno 11] Resource temporarily unavailable (after settimeout: TimeoutError: timed out)",
		EN: "The call would have had to wait longer than it may: the socket is non-blocking (or MSG_DONTWAIT was given), or its timeout (SO_RCVTIMEO, SO_SNDTIMEO) ran out — for recv nothing has arrived, for send the send buffer has no room. Nothing happened on the wire because of this call; try again later, or poll for readable or writable first.",
		ZH: "这次调用需要等待，但不允许等那么久：套接字是非阻塞的（或者带了 MSG_DONTWAIT），或者它的超时（SO_RCVTIMEO、SO_SNDTIMEO）已到——对 recv 来说没有数据到达，对 send 来说发送缓冲区没有空间。这次调用在网络上没有引起任何数据包；稍后重试，或先用 poll 等到可读或可写。",
	},
	"EPIPE": {
		Key: "EPIPE", Python: "BrokenPipeError: [Errno 32] Broken pipe",
		EN: "The connection can no longer carry data from this side: the peer has gone (its kernel answered with RST) or this side shut down writing. The bytes are refused at once; without MSG_NOSIGNAL the process would also get SIGPIPE, which Python ignores.",
		ZH: "这个连接已经不能再从这一侧发送数据：对端已经不在了（它的内核回了 RST），或者本端已经关闭了写方向。字节被立即拒绝；如果没有 MSG_NOSIGNAL，进程还会收到 SIGPIPE，而 Python 忽略了这个信号。",
	},
	"ECONNRESET": {
		Key: "ECONNRESET", Python: "ConnectionResetError: [Errno 104] Connection reset by peer",
		EN: "The peer's kernel sent RST: the connection was torn down without the orderly FIN exchange, for example because the peer closed with unread data in its receive buffer or no longer had the connection. Bytes still in flight or unread are lost.",
		ZH: "对端内核发来了 RST：连接没有经过正常的 FIN 交换就被拆除，例如对端在接收缓冲区还有未读数据时关闭，或者它已经没有这个连接了。还在路上或未读的字节都丢了。",
	},
	"ECONNREFUSED": {
		Key: "ECONNREFUSED", Python: "ConnectionRefusedError: [Errno 111] Connection refused (connect_ex returns 111)",
		EN: "Nobody listens there: for TCP the peer's kernel answered the SYN with RST/ACK; for a connected UDP socket an ICMP port unreachable came back and the kernel reports it on the next call. No connection exists and nothing was delivered.",
		ZH: "那里没有人在监听：对 TCP 来说，对端内核用 RST/ACK 回应了 SYN；对已 connect 的 UDP 套接字来说，返回了一个 ICMP 端口不可达，内核在下一次调用时报告它。连接不存在，也没有任何数据被送达。",
	},
	"EADDRINUSE": {
		Key: "EADDRINUSE", Python: "OSError: [Errno 98] Address already in use",
		EN: "Another socket already holds this address and port — a listener, or often a connection still in TIME-WAIT from an earlier run, which has no file descriptor but keeps the port. On Linux a bind with SO_REUSEADDR gets past TIME-WAIT connections only if the socket that left them had set it too (so servers set it from their first run); nothing appears on the wire.",
		ZH: "已有别的套接字占用了这个地址和端口——一个监听套接字，或者常见的是上一次运行留下的、仍处于 TIME-WAIT 的连接，它没有文件描述符，却占着端口。在 Linux 上，带 SO_REUSEADDR 的 bind 只有在留下这些连接的套接字当初也设置了它时，才能越过 TIME-WAIT 连接（所以服务器从第一次运行起就设置它）；网络上什么也没有。",
	},
	"EINPROGRESS": {
		Key: "EINPROGRESS", Python: "BlockingIOError: [Errno 115] Operation now in progress (connect_ex returns 115)",
		EN: "A non-blocking connect has sent its SYN and returned before the handshake finished. Wait until the socket is writable (poll or select), then read SO_ERROR: 0 means connected, otherwise it is the error connect would have returned.",
		ZH: "非阻塞的 connect 已经发出 SYN，在握手完成之前就返回了。等套接字变为可写（poll 或 select），再读取 SO_ERROR：0 表示已连接，否则就是 connect 本该返回的错误。",
	},
	"ETIMEDOUT": {
		Key: "ETIMEDOUT", Python: "TimeoutError: [Errno 110] Connection timed out",
		EN: "The kernel gave up: its SYN (or its data) was retransmitted until the retry limit (net.ipv4.tcp_syn_retries, tcp_retries2) without an answer. Python's settimeout is a different timer, in the library, and raises TimeoutError('timed out') without this errno.",
		ZH: "内核放弃了：它的 SYN（或数据）一再重传，直到重试上限（net.ipv4.tcp_syn_retries、tcp_retries2）都没有回应。Python 的 settimeout 是库里的另一个计时器，它抛出 TimeoutError('timed out')，不带这个 errno。",
	},
	"EACCES": {
		Key: "EACCES", Python: "PermissionError: [Errno 13] Permission denied",
		EN: "The kernel refused the call by policy; for a sendto to a broadcast address it is because SO_BROADCAST is not set, so that a program cannot flood a network by mistake. Nothing was sent.",
		ZH: "内核出于策略拒绝了这次调用；对发往广播地址的 sendto 来说，原因是没有设置 SO_BROADCAST，这样程序不会因为失误把整个网络淹没。什么也没有发出。",
	},
	"EINTR": {
		Key: "EINTR", Python: "InterruptedError: [Errno 4] Interrupted system call (rare: Python 3.5 and later make the call again, PEP 475)",
		EN: "A signal came while the call was waiting in the kernel (one the process has a handler for, or on Linux a stop and continue such as Ctrl-Z and fg), and the call returned EINTR unfinished, having moved no bytes; an interrupted TCP connect's handshake goes on in the background. With SA_RESTART the kernel itself restarts most blocking calls once the handler returns, but never poll or select, nor a socket call waiting under a timeout (SO_RCVTIMEO, SO_SNDTIMEO); Python 3.5 and later make the call again themselves (PEP 475) unless the signal handler raised, as Ctrl-C's KeyboardInterrupt does, so Python programs rarely see InterruptedError.",
		ZH: "调用在内核里等待时来了一个信号（进程为它设了处理函数，或者在 Linux 上是一次暂停再继续，比如 Ctrl-Z 之后 fg），调用没有完成就返回 EINTR，一个字节也没有收发；被打断的 TCP connect，握手仍在后台继续。带 SA_RESTART 时，内核在处理函数返回后会自己重新开始大多数阻塞调用，但 poll、select 从不重新开始，在超时（SO_RCVTIMEO、SO_SNDTIMEO）之下等待的套接字调用也不会；Python 3.5 及以后会自己再调用一次（PEP 475），除非信号处理函数抛出了异常（比如 Ctrl-C 的 KeyboardInterrupt），所以 Python 程序很少见到 InterruptedError。",
	},
	"MSG_TRUNC": {
		Key: "MSG_TRUNC", Python: "recvfrom returns the first bufsize bytes; the rest of the datagram is gone",
		EN: "The datagram was longer than bufsize, the most bytes this call may return: recvfrom returned its first bufsize bytes and the kernel discarded the rest of that datagram. With MSG_TRUNC the call returns the datagram's real length, so a program can tell.",
		ZH: "数据报比 bufsize（这次调用最多读取的字节数）长：recvfrom 只返回它的前 bufsize 个字节，内核丢弃了这个数据报剩下的内容。带上 MSG_TRUNC 时，调用返回数据报的真实长度，程序就能发现。",
	},
	"short send": {
		Key: "short send", Python: "send returns the number of bytes taken, fewer than len(data)",
		EN: "The send buffer had room for only part of the bytes, and a non-blocking send does not wait for more: the rest is the program's to send later. sendall loops over send (and waits) until every byte is in.",
		ZH: "发送缓冲区只放得下一部分字节，而非阻塞的 send 不会等待更多空间：剩下的要由程序稍后再发。sendall 会循环调用 send（并等待），直到所有字节都放进去。",
	},
}

// MeaningOf returns what c's outcome means, or nil for a plain success.
func MeaningOf(c *Call) *Meaning {
	if c.Errno == Unfinished {
		return unfinishedMeaning
	}
	if c.Libc == LibcNSCD {
		// Told once, at the connect that names nscd; the socket and close
		// around it carry only their "libc: nscd" tag.
		switch {
		case c.Op != "connect":
			return nil
		case c.Errno == "ENOENT":
			return nscdAbsentMeaning
		}
		return nscdMeaning
	}
	if c.Errno != "" {
		key := c.Errno
		if key == "EWOULDBLOCK" {
			key = "EAGAIN"
		}
		return Meanings[key]
	}
	switch c.Op {
	case "recv", "read":
		if c.Ret == 0 && c.Len > 0 && (c.Proto == "tcp" || c.Proto == "unix") {
			return Meanings["b''"]
		}
		if c.Ret > len(c.Data) && c.Proto == "udp" {
			return Meanings["MSG_TRUNC"]
		}
	case "recvfrom":
		if c.Ret > len(c.Data) {
			return Meanings["MSG_TRUNC"]
		}
	case "send", "write":
		if c.Ret >= 0 && c.Ret < c.Len && c.Proto != "udp" {
			return Meanings["short send"]
		}
	}
	return nil
}
