package decode

import "net/netip"

// Layer is a bit set of the protocol layers found in a packet.
type Layer uint32

// Layers the fast path decodes.
const (
	LayerEthernet Layer = 1 << iota
	LayerVLAN
	LayerSLL
	LayerSLL2
	LayerLoopback
	LayerARP
	LayerIPv4
	LayerIPv6
	LayerIPv6Frag
	LayerTCP
	LayerUDP
	LayerICMPv4
	LayerICMPv6
	LayerDNS
)

// TCP flag bits as they appear in the header's flags field (tcp.flags).
const (
	TCPFin uint16 = 1 << iota
	TCPSyn
	TCPRst
	TCPPsh
	TCPAck
	TCPUrg
	TCPEce
	TCPCwr
	TCPAE // accurate ECN (formerly NS), bit 8
	// TCPReserved are the three reserved bits above AE (tcp.flags.res).
	TCPReserved uint16 = 7 << 9
)

// Packet is the compact, comparable summary of one frame that every view
// works from. It holds values, not pointers into the frame, except where a
// field says otherwise.
type Packet struct {
	Number int   // 1-based frame number in its source
	Sec    int64 // capture time, as in capture.Frame
	Nsec   int64
	NoTime bool

	Len      int    // length on the wire
	CapLen   int    // bytes captured
	LinkType uint32 // LINKTYPE_* of the frame
	// FrameOptions and FrameOptionsBE are the frame's pcapng options
	// (capture.Frame.Options; nil for most frames), kept for its packet
	// comments (Comments): aliased like Payload.
	FrameOptions   []byte
	FrameOptionsBE bool

	Layers Layer
	// Malformed is set when a layer could not be decoded; the fields of the
	// layers before it are kept. BadLayer names that layer and Err says why.
	Malformed bool
	BadLayer  Layer
	Err       string
	// Note is a problem that did not stop decoding, in Wireshark's words
	// where it has them (an IPv4 option running past the header, an IPv6
	// header behind the IPv4 ethertype): JSON's _ws.expert.message.
	Note string
	// Truncated is set when the frame was cut short by the snap length
	// before the end of what its headers announce.
	Truncated bool

	// Link layer.
	EthSrc, EthDst [6]byte
	EthType        uint16    // Ethernet type/length field of the outer header
	VLANs          [2]uint16 // VLAN IDs, outermost first
	VLANTPIDs      [2]uint16 // the ethertype before each tag: 0x8100 (802.1Q) or 0x88a8 (802.1ad)
	NVLAN          uint8
	SLLPktType     uint16 // Linux cooked: packet type (0 host, 1 broadcast, 4 outgoing, …)
	SLLProto       uint16 // Linux cooked: protocol (ethertype) field
	LoopFamily     uint32 // BSD loopback address family

	// Network layer (IPv4 or IPv6; the outer header).
	Src, Dst   netip.Addr
	IPVersion  uint8
	IPProto    uint8  // IPv4 protocol, or IPv6 upper-layer protocol after extension headers
	IPHdrLen   uint16 // IPv4 header length / 40 + extension headers for IPv6
	IPLen      uint32 // IPv4 total length (ip.len); over 64 KiB when the header says 0 (TSO, BIG TCP)
	IPID       uint16 // IPv4 identification (ip.id)
	IPFlags    uint8  // IPv4 flags: 0x2 DF, 0x1 MF
	FragOffset uint16 // IPv4 fragment offset in 8-byte units (ip.frag_offset)
	TTL        uint8  // IPv4 TTL or IPv6 hop limit
	TOS        uint8  // IPv4 TOS / IPv6 traffic class
	IPv6Next   uint8  // IPv6 header's own Next Header (ipv6.nxt)
	IPv6Plen   uint16 // IPv6 payload length (ipv6.plen)
	IPv6Jumbo  uint32 // the hop-by-hop jumbo payload length when IPv6Plen is 0 (ipv6.opt.jumbo)
	IPv6Flow   uint32
	// IPv6 Fragment header (LayerIPv6Frag).
	V6FragOffset uint16 // in 8-byte units (ipv6.fraghdr.offset)
	V6FragMore   bool
	V6FragID     uint32

	// Transport layer.
	SrcPort, DstPort uint16
	// PayloadLen is the transport payload length as the headers announce it
	// (tcp.len; UDP length minus 8), which may exceed what was captured.
	PayloadLen int
	// Payload is the TCP or UDP payload as captured (JSON's data.data). It
	// aliases the frame's data: copy it to keep it past the next read.
	Payload []byte

	TCPFlags   uint16
	Seq, Ack   uint32 // raw sequence and acknowledgment numbers
	Window     uint16 // raw window field (tcp.window_size_value)
	Urgent     uint16
	TCPHdrLen  uint8
	TCPOptions TCPOptions
	// Rel holds the relative sequence numbers; see SeqTracker.
	Rel RelSeq
	// TCP analysis (filled by the connection tracker): Wireshark's expert
	// flags, the window scaled by the SYNs' window-scale option
	// (tcp.window_size), and the endpoint states this segment implies.
	Analysis TCPAnalysis

	UDPLen uint16 // UDP length field
	// UDPStream numbers UDP conversations (5-tuples) in order of first
	// appearance, like Wireshark's udp.stream; set by the Tracker for UDP
	// datagrams and for the datagram an ICMP error quotes.
	UDPStream int

	ICMPType, ICMPCode uint8 // ICMPv4 or ICMPv6, per Layers
	ICMPID, ICMPSeq    uint16
	ICMPChecksum       uint16
	// ICMP errors quote the offending packet's addresses and ports.
	Quote Quote

	ARPOp            uint16
	ARPHType         uint16 // hardware type (1 Ethernet)
	ARPPType         uint16 // protocol type (0x0800 IPv4)
	ARPSHA, ARPTHA   [6]byte
	ARPSPA, ARPTPA   netip.Addr
	ARPHLen, ARPPLen uint8

	DNS DNSSummary
	// App names the application protocol AppLine describes in tcpdump's
	// words (app.go). The words are kept in the Packet itself (a value, so
	// that a Packet outlives its Decoder's next Decode), at most
	// maxAppLine bytes.
	App    AppKind
	appLen uint8
	appBuf [maxAppLine]byte

	// Tunnel holds the encapsulations crossed to reach the packet the
	// fields above describe (the innermost), and the outermost IP and UDP
	// headers; zero for a packet in no tunnel. See tunnel.go.
	Tunnel TunnelInfo
}

// Expert is a set of Wireshark's TCP expert-analysis flags
// (tcp.analysis.<name>).
type Expert uint32

// Expert flags, with the Wireshark field each stands for.
const (
	ExpertRetransmission         Expert = 1 << iota // tcp.analysis.retransmission
	ExpertFastRetransmission                        // tcp.analysis.fast_retransmission
	ExpertSpuriousRetransmission                    // tcp.analysis.spurious_retransmission
	ExpertDuplicateAck                              // tcp.analysis.duplicate_ack
	ExpertOutOfOrder                                // tcp.analysis.out_of_order
	ExpertLostSegment                               // tcp.analysis.lost_segment ("previous segment not captured")
	ExpertAckLostSegment                            // tcp.analysis.ack_lost_segment ("ACKed unseen segment")
	ExpertZeroWindow                                // tcp.analysis.zero_window
	ExpertZeroWindowProbe                           // tcp.analysis.zero_window_probe
	ExpertZeroWindowProbeAck                        // tcp.analysis.zero_window_probe_ack
	ExpertWindowFull                                // tcp.analysis.window_full
	ExpertWindowUpdate                              // tcp.analysis.window_update
	ExpertKeepAlive                                 // tcp.analysis.keep_alive
	ExpertKeepAliveAck                              // tcp.analysis.keep_alive_ack
	ExpertReusedPorts                               // tcp.analysis.reused_ports
)

// TCPState is an endpoint's RFC 9293 connection state as the packets imply it.
type TCPState uint8

// The states of RFC 9293 section 3.3.2, plus Unknown for an endpoint not yet seen.
const (
	StateUnknown TCPState = iota
	StateClosed
	StateListen
	StateSynSent
	StateSynReceived
	StateEstablished
	StateFinWait1
	StateFinWait2
	StateClosing
	StateTimeWait
	StateCloseWait
	StateLastAck
)

// TCPAnalysis is what the connection tracker concludes about one segment.
type TCPAnalysis struct {
	Flags Expert
	// DupAckNum and DupAckFrame: "duplicate ACK number n of frame m"
	// (tcp.analysis.duplicate_ack_num, tcp.analysis.duplicate_ack_frame).
	DupAckNum, DupAckFrame int
	// WindowSize is the advertised window scaled by the sender's window-scale
	// shift (tcp.window_size); WindowScaled says whether the shift was known.
	WindowSize   uint32
	WindowScaled bool
	// SrcState and DstState are the states of the sending and the receiving
	// endpoint after this segment; StateChanged says whether either changed.
	SrcState, DstState TCPState
	StateChanged       bool
	// SrcChanged and DstChanged say which changed; SrcRole and DstRole name
	// the two endpoints (client/server, or A/B without a handshake).
	SrcChanged, DstChanged bool
	SrcRole, DstRole       Role
	// AcksFrame is the frame whose data this segment acknowledges (tcp.analysis.acks_frame), 0 if none.
	AcksFrame int
}

// Quote is the start of the datagram an ICMP error quotes.
type Quote struct {
	Valid            bool
	Proto            uint8
	Src, Dst         netip.Addr
	SrcPort, DstPort uint16
	UDPLen           uint16 // quoted UDP header's length field
}

// TCPOptions are the options of a TCP header. Kinds keeps the order in which
// they appeared, for printing; the values of known kinds are in the fields.
type TCPOptions struct {
	Kinds    [maxTCPOptions]uint8
	NKinds   uint8
	MSS      uint16
	HasMSS   bool
	WScale   uint8
	HasWS    bool
	SACKPerm bool
	HasTS    bool
	TSVal    uint32
	TSEcr    uint32
	NSACK    uint8
	SACK     [4][2]uint32 // left and right edges, raw
	// Bad is set when the option list ran past the header or had a bad length.
	Bad bool
}

const maxTCPOptions = 20 // a 40-byte option area holds at most 40 one-byte options; more are counted only

// DNSSummary is the header and first question of a DNS message.
type DNSSummary struct {
	ID               uint16
	QR               bool
	Opcode, RCode    uint8
	AA, TC, RD, RA   bool
	QDCount, ANCount uint16
	NSCount, ARCount uint16
	QType, QClass    uint16
	// QName is the first question's name without the trailing dot. It
	// aliases the Decoder's memory: valid until its next Decode.
	QName []byte
	// MsgLen is the DNS message length (without the TCP length prefix).
	MsgLen int
}

// AppLine returns the application line's words (App says whose): bytes
// from the wire in it are escaped. It aliases p.
func (p *Packet) AppLine() []byte { return p.appBuf[:p.appLen] }

// Has reports whether all layers in l were decoded.
func (p *Packet) Has(l Layer) bool { return p.Layers&l == l }

// IsTCP and friends read better at call sites than Has(LayerTCP).
func (p *Packet) IsTCP() bool { return p.Layers&LayerTCP != 0 }

// IsUDP reports whether a UDP header was decoded.
func (p *Packet) IsUDP() bool { return p.Layers&LayerUDP != 0 }

// MoreFragments reports whether p is a fragment other than the last of an
// IPv4 or IPv6 datagram.
func (p *Packet) MoreFragments() bool {
	return p.IPVersion == 4 && p.IPFlags&1 != 0 || p.Layers&LayerIPv6Frag != 0 && p.V6FragMore
}
