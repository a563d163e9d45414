//go:build unix && !linux

package demos

import (
	"errors"
	"runtime"
	"time"

	"github.com/sockscope/sockscope/demos/sockcall"
	"github.com/sockscope/sockscope/internal/socktable"
)

// The demos measure sockets with Linux's SIOCINQ, SIOCOUTQ and TCP_INFO and
// run in Linux network namespaces; elsewhere a demo fails at its first
// socket call with errNotLinux.
var errNotLinux = errors.New("the demos need Linux (this is " + runtime.GOOS + ")")

const sendFlags = 0

func sysSocket(family, sotype, proto int) (int, error) { return -1, errNotLinux }

func sysAccept(fd int) (int, error) { return -1, errNotLinux }

func (s *Sock) waitQueued(n int) error { return nil }

func (s *Sock) state() (sendQ, recvQ int, info *sockcall.TCPInfo) { return -1, -1, nil }

func (e *Env) register(s *Sock) {}

func (e *Env) closeFD(s *Sock) error { return errNotLinux }

func (e *Env) sample() ([]sockcall.Sample, time.Time, time.Duration) { return nil, time.Now(), 0 }

func bufSizes(fd int) (snd, rcv int) { return -1, -1 }

func sleptDuring(f func()) bool { f(); return false }

func (e *Env) socketTable() ([]socktable.Entry, []string, error) { return nil, nil, errNotLinux }
