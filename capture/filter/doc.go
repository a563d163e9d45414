// Package filter compiles capture filters written in tcpdump's language
// (pcap-filter(7)) to classic BPF, without cgo and without libpcap, and
// runs them on frames.
//
// Why our own compiler: github.com/packetcap/go-pcap/filter, the
// maintained pure-Go one, was read and set aside. It knows only Ethernet
// framing, has no packet-byte expressions (tcp[tcpflags], ip[6:2] &
// 0x1fff), no greater/less/len, no vlan, keeps program sizes and jump
// offsets in uint8 (so long expressions overflow) and resolves names with
// DNS. This package is a recursive-descent parser of libpcap's grammar
// (parser.go) into a link-type-independent tree (ast.go), lowered per link
// type following libpcap's gencode.c primitive by primitive (lower.go,
// linktypes.go), emitted as control-flow code with symbolic labels
// (codegen.go) and assembled with "ja" trampolines for conditional jumps
// beyond their 8-bit reach (assemble.go), after a small optimisation pass
// (optimize.go: redundant loads, jumps settled by an earlier jump).
//
// Semantics are libpcap 1.10's, checked against tcpdump 4.99.3 on the
// shared capture corpus (testdata/tcpdump-selections.tsv): "and" and "or"
// have equal precedence and group left to right; a bare value after
// and/or takes the previous qualifiers ("port 80 or 443"); "port" without
// tcp/udp means TCP, UDP and SCTP over IPv4 and IPv6, IPv4 first fragments
// only, IPv6 only when the transport header follows the fixed header;
// "tcp" and "ip6 proto N" look through one IPv6 fragment header;
// tcp[...], udp[...] and icmp[...] are IPv4 only; each "vlan" shifts the
// offsets of everything after it by 4; "ip broadcast" uses netmask 0 as
// tcpdump does for files; a load past the end of a frame rejects it.
// Host names, ether names and "gateway" need lookups that sockscope does
// not do: numeric addresses only. A few port names (http, domain, ...)
// come from a built-in copy of the usual /etc/services entries.
//
// Known differences from libpcap: NULL (BSD loopback) frames carry the
// address family in the byte order of the machine that wrote the file,
// which libpcap learns from the file header; Compile does not know it, so
// it accepts both orders. Where libpcap's optimiser proves that an
// expression can never match ("ip6" on raw IPv4 frames) tcpdump refuses
// the expression; here the program simply rejects every frame. The same
// optimiser deletes loads whose value cannot change the outcome, so on a
// frame too short for such a load ("tcp[100] = 0 or tcp" on a bare SYN)
// tcpdump decides by the rest while BPF semantics, kept here, reject the
// frame (known_differences_test.go).
// Programs for live Linux sockets see frames whose VLAN tags the kernel
// has already removed; "vlan" there needs the BPF extensions libpcap uses
// for live captures, which this package does not generate.
//
// Link types: Ethernet (1), Linux cooked v1 (113) and v2 (276), NULL (0),
// LOOP (108), raw IP (12, 101), raw IPv4 (228) and raw IPv6 (229). On any
// other link type only len, greater, less and ether[...] compile.
//
// Use: Compile gives a program for one link type (for SO_ATTACH_FILTER or
// x/net/bpf). A Matcher parses once, compiles per link type on first use
// and matches frames with its own interpreter (vm.go), which reads the
// wire length for "len" and does not allocate.
//
// Length: programs have no limit but the compiler's own (maxInstructions,
// a million). Linux takes at most 4096 instructions in a socket filter
// (MaxSocketInstructions), a limit of live capture only, which then
// filters in user space; tcpdump -r likewise takes "port 1 or … or port
// 3000" (183,000 instructions here, as libpcap's code generator emits
// about 61 per "port" before its optimiser). Conditional jumps have 8-bit
// offsets, so assemble routes the longer ones through "ja" trampolines.
//
// Errors: SyntaxError and LinkTypeError are one line with the column;
// their Excerpt is two more lines for a terminal: at most 80 characters of
// the expression around the fault and a caret under it.
//
// Goroutines: nothing here starts goroutines. A Matcher is used by one
// goroutine at a time (it caches programs without locking); give each
// goroutine its own. Compile is safe for concurrent use.
package filter
