package timeline

import (
	"fmt"
	"testing"
	"time"

	"github.com/sockscope/sockscope/decode"
	"github.com/sockscope/sockscope/demos"
	"github.com/sockscope/sockscope/demos/sockcall"
)

// BenchmarkBuild measures a rebuild of a lesson-sized timeline (the views
// rebuild at most 20 times a second, the text printer 10): a connection
// carrying n 1 KiB sends, each a data segment and its ACK, read 4 KiB at a
// time, with both sockets sampled after every call — slow-reader makes
// about 30 calls and 45 frames, udp-overflow about 215 calls and 200.
func BenchmarkBuild(b *testing.B) {
	for _, n := range []int{100, 1000} {
		b.Run(fmt.Sprintf("sends=%d", n), func(b *testing.B) {
			f := newFakeRun(&demos.Demo{Steps: make([]demos.Step, 1)})
			f.step(1)
			f.call(sockcall.Call{Endpoint: "server", Op: "socket", Ret: 3, FD: 3}, 0)
			f.call(sockcall.Call{Endpoint: "server", Op: "listen", Args: "5", FD: 3, Local: srvAddr, SendQ: 5}, 0)
			f.call(sockcall.Call{Endpoint: "client", Op: "socket", Ret: 4, FD: 4}, 0)
			f.call(sockcall.Call{Endpoint: "client", Op: "connect", FD: 4, Local: cliAddr, Peer: srvAddr}, 0)
			f.packet(states(seg(cliAddr, srvAddr, syn, 0, 0, 0, 65495), decode.StateSynSent, decode.StateUnknown))
			f.packet(states(seg(srvAddr, cliAddr, syn|ack, 0, 1, 0, 65483), decode.StateSynReceived, decode.StateEstablished))
			f.packet(states(seg(cliAddr, srvAddr, ack, 1, 1, 0, 64), decode.StateUnknown, decode.StateEstablished))
			f.call(sockcall.Call{Endpoint: "server", Op: "accept", FD: 3, Ret: 5, Local: srvAddr, Peer: cliAddr}, 0)
			data := make([]byte, 1024)
			samples := func() []sockcall.Sample {
				return []sockcall.Sample{
					{Endpoint: "server", FD: 5, Proto: "tcp", SendQ: 0, RecvQ: 0, Drops: -1},
					{Endpoint: "client", FD: 4, Proto: "tcp", SendQ: 0, RecvQ: 0, Drops: -1},
				}
			}
			seq := uint32(1)
			for i := 0; i < n; i++ {
				f.call(sockcall.Call{Endpoint: "client", Op: "send", Len: 1024, Ret: 1024, FD: 4, Data: data,
					Local: cliAddr, Peer: srvAddr, SndBuf: 8192, RcvBuf: 8192}, 0, samples()...)
				f.packet(seg(cliAddr, srvAddr, psh|ack, seq, 1, 1024, 64))
				seq += 1024
				f.packet(seg(srvAddr, cliAddr, ack, 1, seq, 0, 4096))
				if i%4 == 3 {
					f.call(sockcall.Call{Endpoint: "server", Op: "recv", Len: 4096, Ret: 4096, FD: 5, Data: make([]byte, 4096),
						Local: srvAddr, Peer: cliAddr, SndBuf: 8192, RcvBuf: 8192}, time.Microsecond, samples()...)
				}
			}
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				f.b.Build()
			}
		})
	}
}
