package decode

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/sockscope/sockscope/capture"
)

// Follow stream: the payload of one conversation, both directions, in the
// order its bytes became deliverable.
//
// A TCP byte becomes deliverable when every byte before it in its direction
// has been seen: an in-order segment delivers at once, a segment after a gap
// waits until the gap is filled. Interleaving the two directions by the
// packet that made each run deliverable gives the conversation as the
// applications read it (PcapPlusPlus' and Wireshark's "delivery order").
// Retransmitted and overlapping bytes are delivered once: the first copy
// seen wins (what Wireshark's Follow and PcapPlusPlus keep), except that a
// segment that continues the stream is delivered whole, before the bytes
// held beyond it (PcapPlusPlus too hands an in-order packet over whole
// before it looks at its out-of-order list). A gap that will
// not be filled is marked as missing, with its length, when
//   - the other side acknowledges past it: the receiver had the bytes, the
//     capture did not (Wireshark's check_follow_fragments, bug 592);
//   - the bytes waiting behind gaps exceed MaxBuffered (bounded memory:
//     the oldest gap is given up, as gopacket's reassembly does when it
//     reaches MaxBufferedPagesPerConnection);
//   - the capture ends (Close);
//   - or a segment was cut short by the snap length: its uncaptured tail is
//     missing at once.
//
// Why not gopacket's reassembly package (v1.1.19): it delivers in order per
// direction and calls back synchronously, so the interleaving would be
// right, but it cannot give up a gap when the peer's ACK passes it (its
// only per-gap triggers are page limits and FlushWithOptions, which flushes
// every connection and both directions by age), it closes a direction on
// RST and releases the bytes queued behind a gap without a callback (data
// lost silently), and its Sequence.Difference is off by one across the
// 2^32 wrap (it adds 0xFFFFFFFF, not 1<<32). The reassembler below is
// small, keeps only the bytes behind gaps (copies, bounded by MaxBuffered
// per direction, in a tree by offset: O(log n) per segment whatever the
// order, see follow_held.go), and passes in-order bytes through without
// copying.

// DefaultFollowBuffer bounds the bytes a TCPFollower keeps per direction
// behind gaps when MaxBuffered is 0.
const DefaultFollowBuffer = 4 << 20

// queuedOverhead is what one queued segment costs beyond its bytes, counted
// against MaxBuffered so that many tiny segments are bounded too.
const queuedOverhead = 64

// FollowChunk is a run of bytes one direction delivered, or a gap.
type FollowChunk struct {
	// Dir is 0 for bytes from A, the endpoint that opened the conversation
	// (the SYN's sender; else the first packet's sender), to B; 1 for B to A.
	Dir      int
	Src, Dst netip.AddrPort
	// Frame is the frame whose arrival made the bytes deliverable: the one
	// that carried them, filled the gap before them, or acknowledged past a
	// gap. At the end of the capture, the frame that carried them.
	Frame     int
	Sec, Nsec int64
	// Offset counts the bytes (and missing bytes) of this direction before
	// this chunk. Seq is the relative sequence number (tcp.seq) of its first
	// byte; 0 for UDP.
	Offset int64
	Seq    uint32
	// Missing > 0 marks a gap of that many bytes that were never captured;
	// Data is empty then.
	Missing int
	// Data aliases the frame or the follower's buffers: it is valid only
	// until the callback returns.
	Data []byte
}

// FollowFunc receives chunks in delivery order. An error stops the follow
// and is returned by Add or Close.
type FollowFunc func(c *FollowChunk) error

// FollowStats counts what a follower saw, per direction (0: A→B, 1: B→A).
type FollowStats struct {
	Packets   [2]int   // segments or datagrams with payload
	Bytes     [2]int64 // bytes delivered
	Missing   [2]int64 // bytes marked missing
	Gaps      [2]int   // gaps marked
	Duplicate [2]int64 // bytes seen again (retransmissions, overlaps) and dropped
	// Buffered is the most memory held behind gaps at once, in both
	// directions together: bytes plus 64 per queued segment.
	Buffered int
}

// A Follower turns the packets of one conversation into chunks.
type Follower interface {
	// Add takes one packet of the conversation and the transport payload
	// it carried as captured (see Decoder.TransportPayload). Packets
	// between other endpoints are ignored; picking the conversation's
	// packets (its tcp.stream when ports are reused) is the caller's part.
	Add(p *Packet, payload []byte) error
	// Close delivers what is still waiting at the end of the capture.
	Close() error
	// Endpoints returns A and B; ok is false before the first packet.
	Endpoints() (a, b netip.AddrPort, ok bool)
	Stats() FollowStats
}

// TCPFollower reassembles one TCP conversation. Feed it the conversation's
// packets in capture order, then Close it.
type TCPFollower struct {
	// MaxBuffered bounds the bytes kept behind gaps per direction
	// (DefaultFollowBuffer if 0).
	MaxBuffered int

	emit  FollowFunc
	ends  [2]netip.AddrPort
	seen  bool
	half  [2]followHalf
	stats FollowStats
	chunk FollowChunk
}

type followHalf struct {
	started bool
	next    uint32 // raw sequence number of the next byte to deliver
	base    uint32 // raw minus relative sequence numbers (tcp.seq's base)
	// offset counts the bytes and missing bytes delivered so far: the
	// stream offset of next. Held segments are ordered by their offset,
	// which, unlike a sequence number, does not wrap.
	offset int64
	held   heldTree
	queued int // bytes held, plus queuedOverhead per held segment
}

// seqAfter reports whether sequence number a comes after b (RFC 9293
// modular comparison).
func seqAfter(a, b uint32) bool { return int32(a-b) > 0 }

// NewTCPFollower returns a follower that passes chunks to emit.
func NewTCPFollower(emit FollowFunc) *TCPFollower {
	return &TCPFollower{emit: emit}
}

// Endpoints returns A (the initiator) and B.
func (f *TCPFollower) Endpoints() (a, b netip.AddrPort, ok bool) {
	return f.ends[0], f.ends[1], f.seen
}

// Stats returns the counts so far.
func (f *TCPFollower) Stats() FollowStats { return f.stats }

// direction returns the direction of src→dst in the conversation, -1 if it
// is not one of its two; the first call fixes A and B (swapped when the
// first packet is an answer, such as a SYN/ACK).
func direction(ends *[2]netip.AddrPort, seen *bool, src, dst netip.AddrPort, answer bool) int {
	if !*seen {
		*seen = true
		*ends = [2]netip.AddrPort{src, dst}
		if answer {
			*ends = [2]netip.AddrPort{dst, src}
		}
	}
	switch {
	case src == ends[0] && dst == ends[1]:
		return 0
	case src == ends[1] && dst == ends[0]:
		return 1
	}
	return -1
}

func srcDst(p *Packet) (src, dst netip.AddrPort) {
	return netip.AddrPortFrom(p.Src, p.SrcPort), netip.AddrPortFrom(p.Dst, p.DstPort)
}

// Add takes the next TCP segment of the conversation.
func (f *TCPFollower) Add(p *Packet, payload []byte) error {
	if !p.IsTCP() {
		return nil
	}
	syn := p.TCPFlags&TCPSyn != 0
	src, dst := srcDst(p)
	dir := direction(&f.ends, &f.seen, src, dst, syn && p.TCPFlags&TCPAck != 0)
	if dir < 0 {
		return nil
	}
	if p.MoreFragments() {
		// A first IP fragment: the segment's length is unknown and its
		// payload partial (IP reassembly is not done); its bytes stay a
		// gap unless a whole copy arrives.
		return nil
	}
	if len(payload) > p.PayloadLen {
		payload = payload[:p.PayloadLen]
	}
	h := &f.half[dir]
	seq := p.Seq
	if syn {
		seq++ // the SYN takes one sequence number; data (TFO) follows it
	}
	if !h.started && (syn || p.PayloadLen > 0) {
		h.started, h.next, h.base = true, seq, p.Seq-p.Rel.Seq
	}
	// The ACK first: the peer had those bytes before it sent this segment.
	if p.TCPFlags&TCPAck != 0 {
		if err := f.acked(1-dir, p); err != nil {
			return err
		}
	}
	if h.started && p.PayloadLen > 0 {
		f.stats.Packets[dir]++
		return f.segment(dir, p, seq, payload)
	}
	return nil
}

// segment handles the bytes [seq, seq+p.PayloadLen) of direction dir, of
// which payload was captured.
func (f *TCPFollower) segment(dir int, p *Packet, seq uint32, payload []byte) error {
	h := &f.half[dir]
	end := seq + uint32(p.PayloadLen)
	if !seqAfter(end, h.next) { // all delivered before: a retransmission, a keep-alive
		f.stats.Duplicate[dir] += int64(p.PayloadLen)
		return nil
	}
	if seqAfter(seq, h.next) { // after a gap: wait for it
		if err := f.enqueue(dir, p, seq, payload); err != nil {
			return err
		}
		limit := f.MaxBuffered
		if limit <= 0 {
			limit = DefaultFollowBuffer
		}
		for h.queued > limit {
			if err := f.giveUpGap(dir, p); err != nil {
				return err
			}
		}
		return nil
	}
	skip := int(h.next - seq)
	f.stats.Duplicate[dir] += int64(skip)
	if skip < len(payload) {
		if err := f.deliver(dir, p, payload[skip:]); err != nil {
			return err
		}
	}
	if seqAfter(end, h.next) { // cut short by the snap length
		if err := f.gap(dir, p, int(end-h.next)); err != nil {
			return err
		}
	}
	return f.drain(dir, p)
}

// deliver emits data at the direction's next sequence number.
func (f *TCPFollower) deliver(dir int, p *Packet, data []byte) error {
	h := &f.half[dir]
	c := f.fill(dir, p)
	c.Data = data
	err := f.emit(c)
	h.next += uint32(len(data))
	h.offset += int64(len(data))
	f.stats.Bytes[dir] += int64(len(data))
	return err
}

// gap emits n missing bytes at the direction's next sequence number.
func (f *TCPFollower) gap(dir int, p *Packet, n int) error {
	h := &f.half[dir]
	c := f.fill(dir, p)
	c.Missing = n
	err := f.emit(c)
	h.next += uint32(n)
	h.offset += int64(n)
	f.stats.Missing[dir] += int64(n)
	f.stats.Gaps[dir]++
	return err
}

func (f *TCPFollower) fill(dir int, p *Packet) *FollowChunk {
	h := &f.half[dir]
	f.chunk = FollowChunk{
		Dir: dir, Src: f.ends[dir], Dst: f.ends[1-dir],
		Frame: p.Number, Sec: p.Sec, Nsec: p.Nsec,
		Offset: h.offset, Seq: h.next - h.base,
	}
	return &f.chunk
}

// enqueue keeps a copy of the captured bytes of a segment that arrived
// after a gap (seq after h.next), without the parts already held (first
// copy wins): the pieces between held segments are held on their own.
func (f *TCPFollower) enqueue(dir int, p *Packet, seq uint32, data []byte) error {
	h := &f.half[dir]
	pos := h.offset + int64(seq-h.next)
	end := pos + int64(len(data))
	if s := h.held.floor(pos); s != nil && s.end() > pos { // starts inside s
		n := min(s.end(), end) - pos
		f.stats.Duplicate[dir] += n
		pos, data = pos+n, data[n:]
	}
	for len(data) > 0 {
		n := int64(len(data))
		if s := h.held.ceil(pos); s != nil && s.pos < end {
			if s.pos == pos { // s holds these bytes already
				n = min(s.end(), end) - pos
				f.stats.Duplicate[dir] += n
				pos, data = pos+n, data[n:]
				continue
			}
			n = s.pos - pos
		}
		h.held.insert(&heldSeg{
			pos: pos, seq: h.next + uint32(pos-h.offset), data: append([]byte(nil), data[:n]...),
			frame: p.Number, sec: p.Sec, nsec: p.Nsec,
		})
		h.queued += int(n) + queuedOverhead
		pos, data = pos+n, data[n:]
	}
	if b := f.half[0].queued + f.half[1].queued; b > f.stats.Buffered {
		f.stats.Buffered = b
	}
	return nil
}

// drain delivers the queued segments that the direction's next sequence
// number has reached; p made them deliverable (nil at Close).
func (f *TCPFollower) drain(dir int, p *Packet) error {
	h := &f.half[dir]
	for s := h.held.min(); s != nil && s.pos <= h.offset; s = h.held.min() {
		h.held.popMin()
		h.queued -= len(s.data) + queuedOverhead
		skip := int(min(h.offset-s.pos, int64(len(s.data))))
		f.stats.Duplicate[dir] += int64(skip)
		if skip == len(s.data) {
			continue
		}
		from := p
		if from == nil {
			from = &Packet{Number: s.frame, Sec: s.sec, Nsec: s.nsec}
		}
		if err := f.deliver(dir, from, s.data[skip:]); err != nil {
			return err
		}
	}
	return nil
}

// giveUpGap marks the gap before the first queued segment as missing and
// delivers what follows it.
func (f *TCPFollower) giveUpGap(dir int, p *Packet) error {
	h := &f.half[dir]
	s := h.held.min()
	if s == nil {
		return nil
	}
	from := p
	if from == nil {
		from = &Packet{Number: s.frame, Sec: s.sec, Nsec: s.nsec}
	}
	if n := int(s.pos - h.offset); n > 0 {
		if err := f.gap(dir, from, n); err != nil {
			return err
		}
	}
	return f.drain(dir, p)
}

// acked handles an acknowledgment of direction dir's bytes: bytes the
// receiver acknowledged but the capture lacks are missing (Wireshark).
func (f *TCPFollower) acked(dir int, p *Packet) error {
	h := &f.half[dir]
	for h.started && !h.held.empty() && seqAfter(p.Ack, h.held.min().seq) {
		if err := f.giveUpGap(dir, p); err != nil {
			return err
		}
	}
	return nil
}

// Close delivers the bytes still waiting behind gaps, each gap marked.
func (f *TCPFollower) Close() error {
	for dir := range f.half {
		for !f.half[dir].held.empty() {
			if err := f.giveUpGap(dir, nil); err != nil {
				return err
			}
		}
	}
	return nil
}

// UDPFollower follows one UDP conversation: each datagram is a chunk.
type UDPFollower struct {
	emit   FollowFunc
	ends   [2]netip.AddrPort
	seen   bool
	offset [2]int64
	stats  FollowStats
	chunk  FollowChunk
}

// NewUDPFollower returns a follower that passes datagrams to emit.
func NewUDPFollower(emit FollowFunc) *UDPFollower { return &UDPFollower{emit: emit} }

// Endpoints returns A (the first datagram's sender) and B.
func (f *UDPFollower) Endpoints() (a, b netip.AddrPort, ok bool) {
	return f.ends[0], f.ends[1], f.seen
}

// Stats returns the counts so far.
func (f *UDPFollower) Stats() FollowStats { return f.stats }

// Add takes the next datagram; a datagram cut short by the snap length (or
// the first fragment of one) is followed by a gap for the rest.
func (f *UDPFollower) Add(p *Packet, payload []byte) error {
	if !p.IsUDP() {
		return nil
	}
	src, dst := srcDst(p)
	dir := direction(&f.ends, &f.seen, src, dst, false)
	if dir < 0 {
		return nil
	}
	if len(payload) > p.PayloadLen {
		payload = payload[:max(p.PayloadLen, 0)]
	}
	f.stats.Packets[dir]++
	c := &f.chunk
	*c = FollowChunk{Dir: dir, Src: f.ends[dir], Dst: f.ends[1-dir], Frame: p.Number, Sec: p.Sec, Nsec: p.Nsec, Offset: f.offset[dir], Data: payload}
	f.offset[dir] += int64(len(payload))
	f.stats.Bytes[dir] += int64(len(payload))
	if err := f.emit(c); err != nil {
		return err
	}
	if missing := p.PayloadLen - len(payload); missing > 0 {
		*c = FollowChunk{Dir: dir, Src: f.ends[dir], Dst: f.ends[1-dir], Frame: p.Number, Sec: p.Sec, Nsec: p.Nsec, Offset: f.offset[dir], Missing: missing}
		f.offset[dir] += int64(missing)
		f.stats.Missing[dir] += int64(missing)
		f.stats.Gaps[dir]++
		return f.emit(c)
	}
	return nil
}

// Close does nothing: datagrams are never held back.
func (f *UDPFollower) Close() error { return nil }

// TransportPayload returns the TCP or UDP payload of the packet the
// Decoder decoded last, as captured (at most p.PayloadLen bytes, so no
// link-layer padding), or nil. It aliases the frame: valid until the
// frame's next read.
func (d *Decoder) TransportPayload(p *Packet) []byte {
	var pl []byte
	switch {
	case p.Layers&LayerTCP != 0:
		pl = d.tcp.Payload
	case p.Layers&LayerUDP != 0:
		pl = d.udp.Payload
	default:
		return nil
	}
	if len(pl) > p.PayloadLen {
		pl = pl[:max(p.PayloadLen, 0)]
	}
	return pl
}

// ConvRef names a conversation: "tcp" or "udp" and its stream number
// (tcp.stream, udp.stream).
type ConvRef struct {
	Proto  string
	Stream int
}

func (c ConvRef) String() string { return c.Proto + " conversation " + strconv.Itoa(c.Stream) }

// ParseConvRef reads "N" (TCP), "tcp:N" or "udp:N".
func ParseConvRef(s string) (ConvRef, error) {
	c := ConvRef{Proto: "tcp"}
	num := s
	if proto, n, ok := strings.Cut(s, ":"); ok {
		c.Proto, num = strings.ToLower(proto), n
	}
	n, err := strconv.Atoi(num)
	if err != nil || n < 0 || (c.Proto != "tcp" && c.Proto != "udp") {
		return ConvRef{}, fmt.Errorf("conversation %q: want a stream number N (TCP), tcp:N or udp:N", s)
	}
	c.Stream = n
	return c, nil
}

// NoConversationError says a conversation number does not exist.
type NoConversationError struct {
	Conv  ConvRef
	Count int // conversations of Conv.Proto in the capture
}

func (e *NoConversationError) Error() string {
	switch e.Count {
	case 0:
		return fmt.Sprintf("no %s: the capture has no %s conversations", e.Conv, e.Conv.Proto)
	case 1:
		return fmt.Sprintf("no %s: the capture has 1 %s conversation, number 0", e.Conv, e.Conv.Proto)
	}
	return fmt.Sprintf("no %s: the capture has %d %s conversations, numbered 0 to %d", e.Conv, e.Count, e.Conv.Proto, e.Count-1)
}

// FrameSource is where the conversation views read frames: Next fills f
// and returns io.EOF at the end (capture.FileReader). A source that skips
// frames (a filter) also has a FrameNumber() int method returning the
// number in the file of the frame Next returned last; without it, frames
// are numbered 1, 2, … as read.
type FrameSource interface {
	Next(f *capture.Frame) error
}

// FrameNumber returns the number of the frame src returned last: its
// FrameNumber if it has one, else n, the count of frames read.
func FrameNumber(src FrameSource, n int) int {
	if s, ok := src.(interface{ FrameNumber() int }); ok {
		return s.FrameNumber()
	}
	return n
}

// PacketSource gives decoded and tracked packets in order, the frame and
// packet reused by the next call, and io.EOF at the end: decode/pipeline's
// Pipeline, which reads, filters, numbers and decodes. Decoder is the
// decoder it decodes with (its tracker, its TransportPayload).
type PacketSource interface {
	Next(ctx context.Context) (*capture.Frame, *Packet, error)
	Decoder() *Decoder
}

// frameDecoder is the PacketSource of a FrameSource, for the FrameSource
// forms of Follow and BuildLadder.
type frameDecoder struct {
	src FrameSource
	dec *Decoder
	f   capture.Frame
	p   Packet
	n   int
}

func (s *frameDecoder) Decoder() *Decoder { return s.dec }

func (s *frameDecoder) Next(ctx context.Context) (*capture.Frame, *Packet, error) {
	s.n++
	if s.n&1023 == 0 && ctx.Err() != nil {
		return nil, nil, io.EOF
	}
	if err := s.src.Next(&s.f); err != nil {
		return nil, nil, err
	}
	s.dec.Decode(&s.f, FrameNumber(s.src, s.n), &s.p)
	return &s.f, &s.p, nil
}

// ConvEndGrace is how long, in capture time, the conversation views keep
// reading after a TCP connection is over (both endpoints CLOSED or
// TIME_WAIT, or reset) before they stop: long enough for a retransmitted
// FIN or a last ACK, without reading the rest of a large capture.
const ConvEndGrace = time.Second

// convScan reads src, decoding every frame, and calls fn for each packet
// of conversation c with its captured payload: the TCP segments of
// tcp.stream c.Stream, or the datagrams of udp.stream c.Stream and the
// ICMP errors that quote them. A UDP conversation is read to the end of
// the capture; a TCP connection until ConvEndGrace of capture time after
// it is over (so --follow 0 of a large capture reads its start only). It
// returns a *NoConversationError when c is not in the capture, and the
// tracker that saw every packet read. A cancelled ctx ends the reading as
// the end of the capture would.
//
// The tracker runs with limits l (numbering streams as a packet list
// decoded with the same limits does) but keeps no summary row for a
// retired flow other than c's, whatever l.Summaries says: memory stays
// bounded however many flows the capture holds, and c's conversation is
// still there at the end (TCPConversation) when it was retired before.
func convScan(ctx context.Context, src PacketSource, c ConvRef, l Limits, fn func(p *Packet, payload []byte) error) (*Tracker, error) {
	dec := src.Decoder()
	l.Summaries = false
	dec.Seq.SetLimits(l)
	dec.Seq.KeepSummary(c)
	var (
		found  bool
		overAt int64 // capture time (ns) when c was last seen over; 0: not over
	)
	for {
		_, p, err := src.Next(ctx)
		if err != nil {
			if errors.Is(err, io.EOF) {
				break
			}
			return dec.Seq, err
		}
		if c.Proto == "udp" && p.Tunnel.Outer.UDP && p.Tunnel.Outer.UDPStream == c.Stream {
			// the tunnel's own UDP flow: follow the outer datagrams
			q, payload, _ := dec.OuterUDP(p)
			found = true
			if err := fn(&q, payload); err != nil {
				return dec.Seq, err
			}
			continue
		}
		if !inConv(p, c) {
			if overAt != 0 && !p.NoTime && p.Sec*1e9+p.Nsec-overAt > int64(ConvEndGrace) {
				break
			}
			continue
		}
		found = true
		if err := fn(p, dec.TransportPayload(p)); err != nil {
			return dec.Seq, err
		}
		if c.Proto == "tcp" {
			overAt = 0
			if connOver(p) && !p.NoTime {
				overAt = max(p.Sec*1e9+p.Nsec, 1)
			}
		}
	}
	if !found {
		count := dec.Seq.Conns()
		if c.Proto == "udp" {
			count = dec.Seq.UDPConvs()
		}
		return dec.Seq, &NoConversationError{Conv: c, Count: count}
	}
	return dec.Seq, nil
}

// connOver reports whether the TCP segment p leaves its connection over:
// both endpoints CLOSED or TIME_WAIT (a reset closes both).
func connOver(p *Packet) bool {
	done := func(s TCPState) bool { return s == StateClosed || s == StateTimeWait }
	return done(p.Analysis.SrcState) && done(p.Analysis.DstState)
}

// inConv reports whether p belongs to conversation c.
func inConv(p *Packet, c ConvRef) bool {
	if c.Proto == "udp" {
		// The tracker leaves a UDP header cut short out of every
		// conversation (as Wireshark does); its UDPStream stays 0.
		udp := p.IsUDP() && p.BadLayer != LayerUDP
		return p.UDPStream == c.Stream && (udp || quotesUDP(p))
	}
	return p.IsTCP() && p.Rel.Stream == c.Stream
}

// quotesUDP reports whether p is an ICMP error quoting a UDP datagram (the
// tracker files it under that datagram's udp.stream, as Wireshark does).
func quotesUDP(p *Packet) bool {
	return p.Quote.Valid && p.Quote.Proto == 17 && p.Layers&(LayerICMPv4|LayerICMPv6) != 0 && !p.IsUDP()
}

// FollowResult describes a followed conversation.
type FollowResult struct {
	Conv  ConvRef
	A, B  netip.AddrPort
	Stats FollowStats
}

// Follow reads src (to the end, or shortly after a TCP connection is over:
// see convScan) and passes conversation c's payload to emit
// in delivery order (see TCPFollower). A conversation that does not exist
// gives a *NoConversationError before anything is emitted. When the capture
// is damaged part way, what was read is delivered (Close) before the error
// is returned. The tracker runs with DefaultLimits (see FollowWithLimits).
func Follow(ctx context.Context, src FrameSource, c ConvRef, emit FollowFunc) (FollowResult, error) {
	return FollowWithLimits(ctx, src, c, DefaultLimits(), emit)
}

// FollowWithLimits is Follow with the tracker's limits l, so that stream
// numbers are those of a packet list decoded with the same limits. No
// summary row is kept for the retired flows (l.Summaries is ignored):
// memory stays bounded however many flows the capture holds.
func FollowWithLimits(ctx context.Context, src FrameSource, c ConvRef, l Limits, emit FollowFunc) (FollowResult, error) {
	return FollowPackets(ctx, &frameDecoder{src: src, dec: NewDecoder()}, c, l, emit)
}

// FollowPackets is FollowWithLimits over packets src decodes (a
// decode/pipeline Pipeline); it sets src's tracker's limits to l.
func FollowPackets(ctx context.Context, src PacketSource, c ConvRef, l Limits, emit FollowFunc) (FollowResult, error) {
	var fl Follower
	if c.Proto == "udp" {
		fl = NewUDPFollower(emit)
	} else {
		fl = NewTCPFollower(emit)
	}
	_, err := convScan(ctx, src, c, l, fl.Add)
	var nc *NoConversationError
	if !errors.As(err, &nc) {
		err = errors.Join(err, fl.Close())
	}
	a, b, _ := fl.Endpoints()
	return FollowResult{Conv: c, A: a, B: b, Stats: fl.Stats()}, err
}
