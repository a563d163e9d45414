// Package socktable lists the sockets of the current network namespace as
// `ss -tuanoi` (and `ss -xan`) shows them: TCP and UDP over IPv4 and IPv6,
// and AF_UNIX stream, datagram and seqpacket sockets, each with its state,
// Recv-Q and Send-Q, local and peer address, timer, inode and owner.
//
// It reads the kernel's own table through the sock_diag netlink interface
// (NETLINK_SOCK_DIAG, SOCK_DIAG_BY_FAMILY): an inet_diag_req_v2 dump for
// each of TCP and UDP over AF_INET and AF_INET6, every state, and a
// unix_diag_req dump for AF_UNIX with UDIAG_SHOW_NAME|UDIAG_SHOW_PEER|
// UDIAG_SHOW_RQLEN. So it sees what has no file descriptor: a connection in
// TIME-WAIT (or FIN-WAIT-2 after close), and the connections that completed
// their handshake into a listener's accept queue but were not accepted yet.
// No /proc scraping, no ss, no root: any process may list the sockets of
// the namespace it runs in.
//
// The numbers are the kernel's, taken as ss takes them: Recv-Q and Send-Q
// are idiag_rqueue and idiag_wqueue (for a TCP listener the accept queue's
// length and its backlog; for TCP otherwise bytes not yet read and bytes
// not yet acknowledged; for UDP the memory the queued datagrams take), and
// for AF_UNIX the UNIX_DIAG_RQLEN pair (a listener: queue and backlog).
// States are named as ss names them (ESTAB, TIME-WAIT, UNCONN …), the timer
// as `ss -o` prints it: timer:(timewait,52sec,0) — on (retransmit),
// keepalive, timewait or persist (zero-window probe), the time left in
// milliseconds, and the retransmission count.
//
// One thing differs from ss on purpose: an AF_UNIX socket's peer is shown
// by name (the path or @abstract name of the socket it is connected to, as
// found in the same listing), where ss shows "*" and the peer's inode.
//
// # Parts
//
// The netlink messages are encoded and decoded here, by hand: two request
// structures and two reply structures, fixed layouts in host byte order
// (little-endian on every machine sockscope is built for) with ports and
// addresses in network order as the kernel sends them, followed by a few
// route attributes. That is about two hundred lines; a netlink library
// would bring a dependency and a generic message model for no gain.
//
// Parse turns recorded reply bytes (one or more recv buffers of a dump) into
// entries; it does no I/O, runs on every system, and is tested on replies
// recorded on Linux (testdata/*.bin) and fuzzed. List (Linux only; elsewhere
// it returns an error saying so) opens a NETLINK_SOCK_DIAG socket per dump
// through golang.org/x/sys/unix, sends the request, reads until NLMSG_DONE
// and parses. AppendTable and the Entry methods render the result as text.
//
// # Goroutines
//
// None. List blocks in the calling goroutine until the kernel has answered
// (a dump of a namespace's sockets takes well under a millisecond for the
// few sockets a lesson has); it opens and closes its own netlink sockets, so
// calls from several goroutines are independent. Entries are plain values.
package socktable
