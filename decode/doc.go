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
// Tunnels (tunnel.go, with one file per encapsulation: gre.go, vxlan.go,
// mpls.go, pppoe.go, pim.go, macsec.go, nsh.go): GRE with keys, sequence
// numbers and checksums, ERSPAN I/II/III, WCCP, VXLAN, Geneve, MPLS label
// stacks over Ethernet and in UDP, PPPoE discovery and sessions, IP-in-IP
// (4in4, 6in4, 4in6, 6in6), PIM Register, MACsec without encryption and
// NSH are decoded to the innermost packet, whose fields are the Packet's own,
// so the tracker, conversations, Follow and the ladder work on the inner
// connection; the outermost IP and UDP headers are in Packet.Tunnel.
// JSON key rule: ip.*, ipv6.*, udp.* and eth.* are the outermost header of
// their protocol (tshark's first occurrence), the innermost is written
// again under "inner." + Wireshark's name.
//
// Application lines (app.go): DNS answers, NTP, DHCP/BOOTP, the HTTP/1
// request or status line, a TLS ClientHello's server name and a QUIC
// Initial are read at decode time into the Packet (Packet.AppLine) in
// tcpdump's words, so the text line needs no payload.
//
// Broken headers decode as far as the bytes allow (ipv4.go, arp.go, and
// Decoder.failed): the fields read before the problem are kept, the frame
// is marked malformed with the reason (_ws.malformed, _ws.expert.message).
// A panic inside a decoding layer is a bug: Decode recovers it as a last
// net and counts it (Decoder.Recovered), and TestNoRecoveredPanic fails if
// that ever happens on the test captures or fuzz inputs.
//
// One file per protocol: its decoding layer (or gopacket's), its fields,
// its JSON, its text printer and its details node live in arp.go, dns.go,
// icmp.go, ipv4.go, ipv6.go, link.go (Ethernet, VLAN tags, Linux cooked,
// loopback), tcp.go, udp.go and the tunnel files; text.go, detail.go,
// json.go and fields.go keep the dispatch, the frame's own fields
// (frame.*, data.*, _ws.*) and the shared helpers.
//
// The protocol registry (registry.go): a protocol registers once, in its
// own file, its fields (Wireshark's display-field name, which is also the
// JSON key; the filter's type; the details label and byte range; how to
// read the value) and its tcpdump-style words. AppendJSON, the display
// filter and Details are driven from it: every display field of a
// protocol is a registered one, AppendJSON writes the registered
// protocols a packet has in Order, and the details pane labels a field
// with its registered Label. A protocol on the hot path (the link layers,
// IP, TCP, UDP) writes its JSON with one hand-written function
// (Proto.JSON, in the Fields' order) rather than a call per field, and
// builds its details node from gopacket's layer (Proto.Node);
// TestProtoJSONKeys holds every JSON function to its registered fields on
// every packet of the corpus and testdata, and every registered field to
// some packet that has it (or to the list of fields no capture has).
//
// Recipe for a new protocol:
//  1. a file named after it with its header reader, bounds-checked, that
//     fills its part of the Packet, and an init that calls registerProto
//     with its Name, Order (where its JSON members go among the others),
//     the quick test (Layer or Tunnel bits) and Has, its Fields (name,
//     Label, Kind, Has, how to read the value; Alone, FilterOnly and Pair
//     for the odd ones) and Text. JSON and the details node come from the
//     Fields; write Proto.JSON only for a protocol on the hot path, and
//     Proto.Node only to show what the Fields do not hold.
//     An encapsulation's reader returns (Tunnel bit, the inner packet's
//     first layer, its bytes) and gets a case in tunnelAt (tunnel.go) for
//     the protocol number, port or ethertype that announces it; another
//     protocol gets its Layer bit (packet.go) and its place in the
//     Decoder's layer list (decoder.go);
//  2. frames in testdata (make_tunnels.py or make_apps.py, scapy), then
//     make_tsv.sh for tshark's fields beside the capture (add the fields
//     to its list); TestTestdataWithWireshark compares them,
//     TestRegistryDrivesViews and TestProtoJSONKeys hold JSON, filter and
//     details together, TestNoRecoveredPanic and FuzzDecode (add a seed)
//     look for panics.
//
// Decoding allocates nothing. The commonest frame shapes (Ethernet, Linux
// cooked, BSD loopback or raw IP; IPv4 without options or fragments, or
// IPv6 without extension headers; TCP or UDP) are read straight from the
// bytes into the Packet (fastpath.go); everything else goes through
// gopacket's DecodingLayerParser over layers the Decoder owns. Both make
// the same Packet: TestFastPathSameAsGeneral and FuzzFastPath compare them
// field by field, so a field added to collect* must be added to the fast
// path too. Full gopacket.NewPacket is for the one packet a person asks to
// see in detail.
//
// Goroutines: a Decoder, Tracker (SeqTracker) or TextFormatter belongs to one
// goroutine at a time. Packet values are plain data and may be copied and
// shared freely, except Packet.DNS.QName, which aliases the Decoder's
// memory until its next Decode.
package decode
