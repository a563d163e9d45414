package decode

import "context"

// BuildLadderPreviews is BuildLadderPackets that also keeps the start of
// each row's payload (up to keep bytes, copied; nil for a row without
// one), for a view that shows a preview beside each arrow: previews[i]
// belongs to the ladder's Rows[i].
func BuildLadderPreviews(ctx context.Context, src PacketSource, c ConvRef, l Limits, keep int) (*Ladder, [][]byte, error) {
	b := NewLadderBuilder(c)
	var previews [][]byte
	tr, err := convScan(ctx, src, c, l, func(p *Packet, payload []byte) error {
		n := len(b.l.Rows)
		b.Add(p)
		if len(b.l.Rows) == n {
			return nil // not a row (another protocol's packet)
		}
		var pv []byte
		if len(payload) > 0 && b.l.Rows[n].Len > 0 {
			pv = append([]byte(nil), payload[:min(len(payload), keep)]...)
		}
		previews = append(previews, pv)
		return nil
	})
	if len(b.l.Rows) == 0 {
		return nil, nil, err
	}
	if conv, ok := tr.TCPConversation(c.Stream); ok && c.Proto == "tcp" {
		b.Summarize(&conv)
	}
	return b.Ladder(), previews, err
}
