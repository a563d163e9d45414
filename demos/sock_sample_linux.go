package demos

import (
	"bufio"
	"bytes"
	"os"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"github.com/sockscope/sockscope/demos/sockcall"
	"github.com/sockscope/sockscope/internal/socktable"
)

// After every call the lesson's every open socket is asked for its queues,
// not only the caller's: the bytes of a send sit in the peer's receive
// buffer, and only the peer's socket can say so. Env keeps the open
// sockets; Close takes the same lock, so a sample never asks a descriptor
// number that was closed (and perhaps reused) meanwhile.

// register adds an open socket to the lesson's sample set.
func (e *Env) register(s *Sock) {
	e.kmu.Lock()
	e.open = append(e.open, s)
	e.kmu.Unlock()
}

// closeFD closes s's descriptor and drops it from the sample set, under the
// lock samples take.
func (e *Env) closeFD(s *Sock) error {
	e.kmu.Lock()
	defer e.kmu.Unlock()
	err := unix.Close(s.FD)
	for i, o := range e.open {
		if o == s {
			e.open = append(e.open[:i], e.open[i+1:]...)
			break
		}
	}
	return err
}

// sample asks the kernel about every open socket of the lesson, from
// start for span.
func (e *Env) sample() (out []sockcall.Sample, start time.Time, span time.Duration) {
	e.kmu.Lock()
	defer e.kmu.Unlock()
	start = time.Now()
	defer func() { span = time.Since(start) }()
	out = make([]sockcall.Sample, 0, len(e.open))
	var drops map[uint64]int
	for _, s := range e.open {
		k := sockcall.Sample{Endpoint: s.Endpoint, FD: s.FD, Proto: s.proto, Listener: s.listening, SendQ: -1, RecvQ: -1, Drops: -1}
		k.SendQ, k.RecvQ, k.State = kernelQueues(s.FD, s.proto)
		if s.proto == "udp" {
			if drops == nil {
				drops = udpDrops()
			}
			var st unix.Stat_t
			if unix.Fstat(s.FD, &st) == nil {
				if d, ok := drops[st.Ino]; ok {
					k.Drops = d
				}
			}
		}
		out = append(out, k)
	}
	return out, start, 0
}

// kernelQueues is SIOCOUTQ and SIOCINQ, or for a TCP listener (like ss)
// the backlog and the accept queue, and the TCP state as ss names it.
func kernelQueues(fd int, proto string) (sendQ, recvQ int, state string) {
	sendQ, recvQ = -1, -1
	if proto == "tcp" {
		if ti, err := unix.GetsockoptTCPInfo(fd, unix.IPPROTO_TCP, unix.TCP_INFO); err == nil {
			state = TCPStateName(ti.State)
			if ti.State == 10 { // LISTEN: tcpi_unacked is the accept queue, tcpi_sacked the backlog
				return int(ti.Sacked), int(ti.Unacked), state
			}
		}
	}
	if q, err := unix.IoctlGetInt(fd, unix.SIOCOUTQ); err == nil {
		sendQ = q
	}
	if q, err := unix.IoctlGetInt(fd, unix.SIOCINQ); err == nil {
		recvQ = q
	}
	return
}

// udpDrops reads the drops column of /proc/net/udp and /proc/net/udp6 (this
// network namespace's), by socket inode: datagrams the kernel dropped for
// the socket, most often because its receive buffer was full.
func udpDrops() map[uint64]int {
	m := map[uint64]int{}
	for _, name := range []string{"/proc/net/udp", "/proc/net/udp6"} {
		b, err := os.ReadFile(name)
		if err != nil {
			continue
		}
		sc := bufio.NewScanner(bytes.NewReader(b))
		sc.Scan() // header
		for sc.Scan() {
			f := bytes.Fields(sc.Bytes())
			// sl local rem st tx:rx tr:when retr uid timeout inode ref pointer drops
			if len(f) < 13 {
				continue
			}
			ino, err1 := strconv.ParseUint(string(f[9]), 10, 64)
			d, err2 := strconv.Atoi(string(f[12]))
			if err1 == nil && err2 == nil {
				m[ino] = d
			}
		}
	}
	return m
}

// bufSizes is SO_SNDBUF and SO_RCVBUF as getsockopt returns them.
func bufSizes(fd int) (snd, rcv int) {
	snd, rcv = -1, -1
	if v, err := unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_SNDBUF); err == nil {
		snd = v
	}
	if v, err := unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_RCVBUF); err == nil {
		rcv = v
	}
	return
}

// socketTable lists the namespace's sockets (sock_diag) and which lesson
// endpoint holds each, by the inode of its descriptor.
func (e *Env) socketTable() ([]socktable.Entry, []string, error) {
	es, err := socktable.List()
	if err != nil {
		return nil, nil, err
	}
	e.kmu.Lock()
	byInode := map[uint64]string{}
	for ino, who := range e.traced {
		byInode[ino] = who
	}
	for _, s := range e.open {
		var st unix.Stat_t
		if unix.Fstat(s.FD, &st) == nil {
			byInode[st.Ino] = s.Endpoint
		}
	}
	e.kmu.Unlock()
	owner := make([]string, len(es))
	for i := range es {
		if es[i].Inode != 0 {
			owner[i] = byInode[uint64(es[i].Inode)]
		}
	}
	return es, owner, nil
}

// procCounter reads one counter of this network namespace's SNMP-style
// tables (/proc/net/snmp, /proc/net/netstat): in the pair of lines that
// begin with section ("Icmp:", "TcpExt:"), the value under name; -1 if it
// cannot tell.
func procCounter(path, section, name string) int {
	f, err := os.Open(path)
	if err != nil {
		return -1
	}
	defer f.Close()
	var names []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) == 0 || fields[0] != section {
			continue
		}
		if names == nil {
			names = fields
			continue
		}
		for i, n := range names {
			if n == name && i < len(fields) {
				if v, err := strconv.Atoi(fields[i]); err == nil {
					return v
				}
			}
		}
		return -1
	}
	return -1
}
