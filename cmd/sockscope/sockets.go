package main

import (
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/sockscope/sockscope/internal/socktable"
)

const socketsUsage = `Usage: sockscope sockets [--json]

Lists every socket of the network namespace sockscope runs in, as
"ss -tuanoi" and "ss -xan" do: TCP and UDP over IPv4 and IPv6, and AF_UNIX
stream, datagram and seqpacket sockets. Read from the kernel's sock_diag
netlink interface; no root needed for one's own namespace.

Sockets without a file descriptor are listed too: a connection in
TIME-WAIT (the side that closed first keeps it about 60 s), and
connections that finished their handshake but wait in a listener's accept
queue (ESTAB, inode 0).

Columns:
  Netid    tcp, udp, unix-stream, unix-dgram, unix-seqpacket
  State    ESTAB, LISTEN, TIME-WAIT, SYN-SENT, SYN-RECV, FIN-WAIT-1,
           FIN-WAIT-2, CLOSE-WAIT, LAST-ACK, CLOSING, UNCONN (not connected)
  Recv-Q   bytes received and not yet read; for a listener, connections
           waiting to be accepted
  Send-Q   bytes sent and not yet acknowledged; for a listener, its backlog
  Local    address:port ("*" for a port not bound yet, "*:P" for a
           dual-stack IPv6 socket), or an AF_UNIX path, @abstract name or *
  Peer     the other end; for AF_UNIX the name of the connected socket
  Timer    timer:(KIND,TIME LEFT,RETRANSMISSIONS): on (retransmission),
           keepalive, timewait, persist (zero-window probe)
  Inode    the socket's inode (0: no file descriptor)

Options:
  --json   one JSON object per socket ("type":"socket"; keys socket.proto,
           socket.state, socket.local, socket.peer, socket.recvq,
           socket.sendq, socket.timer, socket.timer_ms, socket.inode,
           socket.uid, and socket.peer_inode for AF_UNIX)
`

func runSockets(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("sockets", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	asJSON := fs.Bool("json", false, "")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return printed(fmt.Fprint(stdout, socketsUsage))
		}
		return usageError("sockets: %v (run \"sockscope sockets --help\")", err)
	}
	if fs.NArg() > 0 {
		return usageError("sockets: unexpected argument %q (run \"sockscope sockets --help\")", fs.Arg(0))
	}
	es, err := socktable.List()
	if err != nil {
		return &exitError{code: 1, msg: "sockets: " + err.Error()}
	}
	var b []byte
	if *asJSON {
		for i := range es {
			b = append(socktable.AppendJSON(b, &es[i], 0, ""), '\n')
		}
	} else {
		b = socktable.AppendTable(b, es)
	}
	return printed(stdout.Write(b))
}
