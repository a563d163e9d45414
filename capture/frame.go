package capture

// Frame is one captured frame as read from a file or (later) a live socket.
//
// Data is owned by the source that filled the Frame and is valid only until
// the next call to that source's Next: copy what you keep.
type Frame struct {
	// Sec and Nsec are the capture time since the Unix epoch. Nsec is below
	// 1e9 except when the file's own sub-second field is out of range (a pcap
	// microsecond field ≥ 1e6); it is then kept as written so that printers
	// can flag it the way tcpdump does ("(invalid us)").
	Sec  int64
	Nsec int64
	// NoTime is set for records that carry no timestamp (pcapng Simple
	// Packet Blocks).
	NoTime bool

	// Len is the frame's length on the wire; len(Data) is the captured length.
	Len int
	// LinkType is the LINKTYPE_* value of the frame's interface with the pcap
	// header's FCS and reserved bits cleared (so it may exceed 255, e.g. 276
	// for Linux cooked v2).
	LinkType uint32
	// Interface is the pcapng interface index within its section (0 for pcap).
	Interface int
	// Offset is the byte offset of the frame's record (pcap) or block
	// (pcapng) in the file, counted in the decompressed stream for gzip files.
	Offset int64

	Data []byte

	// Options are a pcapng packet block's options as the file holds them
	// (nil for pcap, for live frames and for blocks without options), in
	// the section's byte order (OptionsBE); Comments reads the packet
	// comments from them. Like Data, valid until the source's next Next.
	Options   []byte
	OptionsBE bool
}

// CapLen is the number of bytes captured.
func (f *Frame) CapLen() int { return len(f.Data) }

// Link types sockscope knows by name (LINKTYPE_* values from tcpdump.org).
const (
	LinkNull      uint32 = 0   // BSD loopback, host byte order family
	LinkEthernet  uint32 = 1   // Ethernet
	LinkRawOld    uint32 = 12  // raw IP (12 on Linux/most BSDs)
	LinkRaw       uint32 = 101 // raw IP
	LinkLoop      uint32 = 108 // OpenBSD loopback, network byte order family
	LinkLinuxSLL  uint32 = 113 // Linux cooked capture v1
	LinkIPv4      uint32 = 228 // raw IPv4
	LinkIPv6      uint32 = 229 // raw IPv6
	LinkNFLog     uint32 = 239 // Linux netfilter log
	LinkLinuxSLL2 uint32 = 276 // Linux cooked capture v2
)
