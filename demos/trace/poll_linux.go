//go:build linux && (amd64 || arm64)

package trace

import "time"

// The poll family: poll and ppoll (an array of struct pollfd), select and
// pselect6 (three fd_set bitmaps), epoll_wait, epoll_pwait and
// epoll_pwait2 (an epoll instance, whose watched descriptors come from
// /proc/pid/fdinfo/epfd and whose returned events are matched to them by
// their epoll_data). A call is reported when at least one of the
// descriptors it waits on is a socket.

var selectBits = [3]uint32{pollIn, pollOut, pollPri} // readfds, writefds, exceptfds

// pollEntry fills c.PollFDs, c.OtherFDs and c.Timeout; false when no
// socket is among the descriptors.
func (t *tracer) pollEntry(th *thread, pd *pending) bool {
	c, a, tid, p := pd.c, t.si.Args, th.tid, th.p
	switch pd.kind {
	case kPoll, kPpoll:
		nfds := int(min(a[1]&0xffffffff, 4096))
		b := t.mem.read(tid, a[0], nfds*8)
		for i := 0; i+8 <= len(b); i += 8 {
			fd := int(int32(le.Uint32(b[i:])))
			if fd < 0 {
				continue // poll ignores negative descriptors
			}
			if e := t.fdKind(p, fd); e != nil && e.socket {
				c.PollFDs = append(c.PollFDs, PollFD{FD: fd, Inode: e.inode, Events: uint32(le.Uint16(b[i+4:]))})
				pd.pollFDs = append(pd.pollFDs, i/8)
			} else {
				c.OtherFDs++
			}
		}
		if pd.kind == kPoll {
			c.Timeout = msTimeout(int32(a[2]))
		} else {
			c.Timeout = time.Duration(t.mem.timeout(tid, a[2], false))
		}
	case kSelect, kPselect6:
		nfds := int(min(a[0]&0xffffffff, 4096))
		n := (nfds + 63) / 64 * 8
		ev := make([]uint32, nfds)
		for s := range 3 {
			if a[1+s] == 0 {
				continue
			}
			set := t.mem.read(tid, a[1+s], n)
			pd.sets[s] = set
			for fd := 0; fd < nfds && fd/8 < len(set); fd++ {
				if set[fd/8]&(1<<(fd%8)) != 0 {
					ev[fd] |= selectBits[s]
				}
			}
		}
		for fd, e := range ev {
			if e == 0 {
				continue
			}
			if fe := t.fdKind(p, fd); fe != nil && fe.socket {
				c.PollFDs = append(c.PollFDs, PollFD{FD: fd, Inode: fe.inode, Events: e})
			} else {
				c.OtherFDs++
			}
		}
		c.Timeout = time.Duration(t.mem.timeout(tid, a[4], pd.kind == kSelect))
	case kEpollWait, kEpollPwait, kEpollPwait2:
		pd.epoll = t.epollTargets(p, int(int32(a[0])))
		for _, tg := range pd.epoll {
			if e := t.fdKind(p, tg.fd); e != nil && e.socket {
				if pd.epollSet == nil {
					pd.epollSet = map[uint64]int{}
				}
				pd.epollSet[tg.data] = len(c.PollFDs)
				c.PollFDs = append(c.PollFDs, PollFD{FD: tg.fd, Inode: e.inode, Events: tg.events})
			} else {
				c.OtherFDs++
			}
		}
		if pd.kind == kEpollPwait2 {
			c.Timeout = time.Duration(t.mem.timeout(tid, a[3], false))
		} else {
			c.Timeout = msTimeout(int32(a[3]))
		}
	}
	return len(c.PollFDs) > 0
}

func msTimeout(ms int32) time.Duration {
	if ms < 0 {
		return -1
	}
	return time.Duration(ms) * time.Millisecond
}

// pollExit fills each PollFD's Revents from what the call returned.
func (t *tracer) pollExit(th *thread, pd *pending) {
	c, a, tid := pd.c, pd.c.Args, th.tid
	switch pd.kind {
	case kPoll, kPpoll:
		if len(pd.pollFDs) == 0 {
			return
		}
		last := pd.pollFDs[len(pd.pollFDs)-1]
		b := t.mem.read(tid, a[0], (last+1)*8)
		for j, idx := range pd.pollFDs {
			if idx*8+8 <= len(b) {
				c.PollFDs[j].Revents = uint32(le.Uint16(b[idx*8+6:]))
			}
		}
	case kSelect, kPselect6:
		if c.Ret <= 0 {
			return
		}
		for s := range 3 {
			if pd.sets[s] == nil {
				continue
			}
			set := t.mem.read(tid, a[1+s], len(pd.sets[s]))
			for j := range c.PollFDs {
				fd := c.PollFDs[j].FD
				if fd/8 < len(set) && set[fd/8]&(1<<(fd%8)) != 0 {
					c.PollFDs[j].Revents |= selectBits[s]
				}
			}
		}
	case kEpollWait, kEpollPwait, kEpollPwait2:
		n := int(min(c.Ret, 4096))
		if n <= 0 || pd.epollSet == nil {
			return
		}
		b := t.mem.read(tid, a[1], n*epollEventSize)
		for i := 0; i+epollEventSize <= len(b); i += epollEventSize {
			if j, ok := pd.epollSet[le.Uint64(b[i+epollEventDataAt:])]; ok {
				c.PollFDs[j].Revents |= le.Uint32(b[i:])
			}
		}
	}
}
