package capture

// File-format numbers shared by the readers and writers.

// MaxCapLen is the largest captured length this package reads or writes
// (16 MiB). Real link layers stay far below it (libpcap and Wireshark cap
// most link types at 256 KiB); a larger length field is damage, and refusing
// it means a hostile file can never make a reader allocate more than this.
const MaxCapLen = 16 << 20

// Classic pcap magic numbers as read little-endian from the first 4 bytes:
// the first two mean a little-endian file, the swapped ones a big-endian one.
const (
	pcapMagicMicro        = 0xa1b2c3d4 // timestamps in µs
	pcapMagicNano         = 0xa1b23c4d // timestamps in ns
	pcapMagicMicroSwapped = 0xd4c3b2a1
	pcapMagicNanoSwapped  = 0x4d3cb2a1
)

// Classic pcap layout.
const (
	pcapHeaderLen = 24 // global header
	pcapRecordLen = 16 // per-record header
)

// pcapng block types (https://www.ietf.org/archive/id/draft-ietf-opsawg-pcapng).
const (
	blockSHB        = 0x0A0D0D0A // Section Header; palindromic, so byte order does not matter
	blockIDB        = 0x00000001 // Interface Description
	blockPB         = 0x00000002 // Packet (obsolete)
	blockSPB        = 0x00000003 // Simple Packet
	blockNRB        = 0x00000004 // Name Resolution
	blockISB        = 0x00000005 // Interface Statistics
	blockEPB        = 0x00000006 // Enhanced Packet
	blockDSB        = 0x0000000A // Decryption Secrets
	blockCustom     = 0x00000BAD // Custom, may be copied
	blockCustomNoCp = 0x40000BAD // Custom, must not be copied
)

// pcapng framing.
const (
	ngByteOrderMagic = 0x1A2B3C4D
	ngMinBlockLen    = 12 // type, length, trailing length
	ngMinSHBLen      = 28 // + byte-order magic, version, section length
	ngMinIDBLen      = 20 // + link type, reserved, snaplen
	ngMinSPBLen      = 16 // + original length
	ngMinEPBLen      = 32 // + interface, timestamp (2), captured and original length
	// ngMaxBlockLen bounds every block we read: the largest packet plus
	// generous room for options.
	ngMaxBlockLen = MaxCapLen + 1<<16
)

// pcapng option codes used here.
const (
	optEndOfOpt  = 0
	optSHBUserAp = 4  // shb_userappl
	optTSResol   = 9  // if_tsresol
	optTSOffset  = 14 // if_tsoffset
)
