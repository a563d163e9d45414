package flowgen

import (
	"bufio"
	"compress/gzip"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"strconv"
)

// FrameLen is the length of each frame: Ethernet, IPv4 and a TCP SYN with
// the options Linux sends (MSS, SACK permitted, timestamps, window scale).
const FrameLen = 14 + 20 + 40

// Epoch is the capture time of the first SYN, seconds since 1970.
const Epoch = 1_700_000_000

// WriteSYNFlows writes a classic pcap (microsecond timestamps, Ethernet)
// of n SYNs 1 µs apart, each from its own source address and port (flow i
// from 10.x.y.z, port 1024 + i%60000) to 192.0.2.1:80, gzip-compressed if
// gz.
func WriteSYNFlows(w io.Writer, n int, gz bool) error {
	var zw *gzip.Writer
	if gz {
		var err error
		if zw, err = gzip.NewWriterLevel(w, gzip.BestSpeed); err != nil {
			return err
		}
		w = zw
	}
	bw := bufio.NewWriterSize(w, 1<<16)
	var hdr [24]byte
	binary.LittleEndian.PutUint32(hdr[0:], 0xa1b2c3d4)
	binary.LittleEndian.PutUint16(hdr[4:], 2)
	binary.LittleEndian.PutUint16(hdr[6:], 4)
	binary.LittleEndian.PutUint32(hdr[16:], 262144)
	binary.LittleEndian.PutUint32(hdr[20:], 1) // Ethernet
	bw.Write(hdr[:])
	var rec [16 + FrameLen]byte
	for i := range n {
		us := int64(i)
		binary.LittleEndian.PutUint32(rec[0:], uint32(Epoch+us/1e6))
		binary.LittleEndian.PutUint32(rec[4:], uint32(us%1e6))
		binary.LittleEndian.PutUint32(rec[8:], FrameLen)
		binary.LittleEndian.PutUint32(rec[12:], FrameLen)
		SYN(rec[16:], i)
		if _, err := bw.Write(rec[:]); err != nil {
			return err
		}
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	if zw != nil {
		return zw.Close()
	}
	return nil
}

// WriteSYNFlowsFile writes WriteSYNFlows' capture to path.
func WriteSYNFlowsFile(path string, n int, gz bool) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := WriteSYNFlows(f, n, gz); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// SYN fills b (FrameLen bytes) with the SYN of flow i.
func SYN(b []byte, i int) {
	b = b[:FrameLen]
	copy(b[0:6], []byte{0x02, 0, 0, 0, 0, 0x01})
	copy(b[6:12], []byte{0x02, 0, 0, 0, 0, 0x02})
	b[12], b[13] = 0x08, 0x00
	ip := b[14:34]
	a := i / 60000
	src := [4]byte{10, byte(a >> 16), byte(a >> 8), byte(a)}
	ip[0], ip[1] = 0x45, 0
	binary.BigEndian.PutUint16(ip[2:], 20+40)
	binary.BigEndian.PutUint16(ip[4:], uint16(i))
	ip[6], ip[7] = 0x40, 0 // DF
	ip[8], ip[9] = 64, 6
	ip[10], ip[11] = 0, 0
	copy(ip[12:16], src[:])
	copy(ip[16:20], []byte{192, 0, 2, 1})
	binary.BigEndian.PutUint16(ip[10:], checksum(ip, 0))
	tcp := b[34:]
	sport := uint16(1024 + i%60000)
	binary.BigEndian.PutUint16(tcp[0:], sport)
	binary.BigEndian.PutUint16(tcp[2:], 80)
	binary.BigEndian.PutUint32(tcp[4:], uint32(i)*2654435761) // the ISN
	binary.BigEndian.PutUint32(tcp[8:], 0)
	tcp[12], tcp[13] = 10<<4, 0x02 // 40-byte header, SYN
	binary.BigEndian.PutUint16(tcp[14:], 64240)
	tcp[16], tcp[17], tcp[18], tcp[19] = 0, 0, 0, 0
	copy(tcp[20:], []byte{
		2, 4, 0x05, 0xb4, // MSS 1460
		4, 2, // SACK permitted
		8, 10, 0, 0, 0, 0, 0, 0, 0, 0, // timestamps
		1,       // NOP
		3, 3, 7, // window scale 7
	})
	binary.BigEndian.PutUint32(tcp[28:], uint32(i))
	// The TCP checksum over the pseudo-header.
	var pseudo uint32
	pseudo += uint32(src[0])<<8 | uint32(src[1])
	pseudo += uint32(src[2])<<8 | uint32(src[3])
	pseudo += 192<<8 | 0
	pseudo += 2<<8 | 1
	pseudo += 6 + 40
	binary.BigEndian.PutUint16(tcp[16:], checksum(tcp, pseudo))
}

func checksum(b []byte, sum uint32) uint16 {
	for i := 0; i+1 < len(b); i += 2 {
		sum += uint32(b[i])<<8 | uint32(b[i+1])
	}
	for sum > 0xffff {
		sum = sum>>16 + sum&0xffff
	}
	return ^uint16(sum)
}

// EnvFlows names the environment variable that sets how many flows the
// memory benchmarks generate (default DefaultFlows).
const EnvFlows = "SOCKSCOPE_FLOWS"

// DefaultFlows is the benchmarks' flow count: the million.
const DefaultFlows = 1_000_000

// Count is the benchmarks' flow count: $SOCKSCOPE_FLOWS, or DefaultFlows.
func Count() (int, error) {
	s := os.Getenv(EnvFlows)
	if s == "" {
		return DefaultFlows, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("%s=%q: want a positive count of flows", EnvFlows, s)
	}
	return n, nil
}
