// Package decode turns captured frames into facts: a compact, comparable
// Packet per frame (link, IPv4/IPv6 with fragments, TCP with its options,
// UDP, ICMP, ICMPv6, ARP, and a DNS summary); the connection Tracker
// (tcp_tracker.go: stream numbers, relative sequence numbers, Wireshark's
// TCP expert flags in tcp_expert.go, RFC 9293 endpoint states and named
// events in tcp_state.go, conversations in tcp_conv.go); and the printers
// that show a Packet as a tcpdump-style line or a JSON object keyed by
// Wireshark field names. It is the only package that
// interprets protocols. It also holds the TCP connection tracker (tcp_*.go:
// states, expert flags, conversations), Follow stream and ladder models,
// the layer tree of one packet for the
// details pane (detail.go, the only user of gopacket.NewPacket), and the
// display-filter fields and compiler (fields.go, dfilter.go).
//
// The fast path is gopacket's DecodingLayerParser over layers the Decoder
// owns: decoding and printing a packet allocate nothing. Full
// gopacket.NewPacket is for the one packet a person asks to see in detail.
//
// Goroutines: a Decoder, Tracker (SeqTracker) or TextFormatter belongs to one
// goroutine at a time. Packet values are plain data and may be copied and
// shared freely, except Packet.DNS.QName, which aliases the Decoder's
// memory until its next Decode.
package decode
