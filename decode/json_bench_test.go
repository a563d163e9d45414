package decode_test

import (
	"errors"
	"io"
	"path/filepath"
	"testing"

	"github.com/sockscope/sockscope/capture"
	"github.com/sockscope/sockscope/decode"
	"github.com/sockscope/sockscope/internal/corpus"
)

// BenchmarkAppendJSONCorpus formats the packets of real captures (a lossy
// bulk transfer, and DNS queries and answers), decoded beforehand, so ns/op
// is the cost of one JSON line. It must not allocate.
func BenchmarkAppendJSONCorpus(b *testing.B) { benchJSONCorpus(b, false) }

// BenchmarkAppendJSONHeaders is BenchmarkAppendJSONCorpus without the
// payloads (data.data, whose hex dominates a data segment's line): the
// cost of the headers' members, which the protocols write.
func BenchmarkAppendJSONHeaders(b *testing.B) { benchJSONCorpus(b, true) }

func benchJSONCorpus(b *testing.B, headers bool) {
	var pkts []decode.Packet
	for _, name := range []string{"kernel-tcp/lossy_bulk_s1.pcap", "tcpdump/dns_udp.pcap"} {
		r, err := capture.Open(filepath.Join(corpus.PcapDir(b), name))
		if err != nil {
			b.Skip(err)
		}
		dec := decode.NewDecoder()
		var fr capture.Frame
		for {
			if err := r.Next(&fr); err != nil {
				if !errors.Is(err, io.EOF) {
					b.Fatal(err)
				}
				break
			}
			var p decode.Packet
			dec.Decode(&fr, len(pkts)+1, &p)
			if headers {
				p.Payload = nil
			}
			if len(p.DNS.QName) > 0 { // QName aliases the decoder's scratch
				p.DNS.QName = append([]byte(nil), p.DNS.QName...)
			}
			pkts = append(pkts, p)
		}
		r.Close()
	}
	buf := make([]byte, 0, 1024)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		buf = decode.AppendJSON(buf[:0], &pkts[i%len(pkts)])
	}
}
