//go:build unix

package demos

import (
	"bufio"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/sockscope/sockscope/demos/sockcall"
	"golang.org/x/net/dns/dnsmessage"
	"golang.org/x/sys/unix"
)

// Name resolution, the calls Python's socket module makes for a name. They
// are recorded like the socket calls, as calls of the endpoint that makes
// them: gethostname and a lookup the hosts file answers use no socket
// (their FD is -1, their Proto ""); a lookup that goes to DNS records the
// socket calls the C library's resolver makes as its Inner calls.

// HostsFile is where the C library's "files" source looks names up.
const HostsFile = "/etc/hosts"

// errNoName is getaddrinfo's EAI_NONAME, "Name or service not known":
// Python raises socket.gaierror.
var errNoName = errors.New("EAI_NONAME")

// isNameCall reports whether op is one of the name calls here, which need
// no socket of their own.
func isNameCall(op string) bool { return op == "gethostname" || op == "gethostbyname" }

// Gethostname returns the host name, Python's socket.gethostname(): the C
// library's gethostname copies uname(2)'s node name, what uname -n prints.
// It is recorded as gethostname(name → 'vm') = 0 with the name as Data; s
// needs no socket (FD -1).
func (s *Sock) Gethostname() (string, error) {
	s.mark()
	var u unix.Utsname
	err := unix.Uname(&u)
	t := s.stamp()
	name := unix.ByteSliceToString(u.Nodename[:])
	c := sockcall.Call{Op: "gethostname", Args: "name"}
	if err == nil {
		c.Args = "name → " + pyStr(name)
		c.Data = []byte(name)
	}
	s.record(t, c, err, nil)
	return name, s.fail("gethostname", err)
}

// GethostbynameFiles looks name up as the C library's "files" source does
// for Python's socket.gethostbyname(name) (getaddrinfo for AF_INET): it
// reads path (HostsFile) and returns the first IPv4 address of a line that
// names name, ignoring case, and the line's number. It makes no socket
// call and sends nothing. It is recorded as
// gethostbyname('localhost' → '127.0.0.1') = 0 with the address as Data,
// path as Path and the line as Len; when no line names it, as
// gethostbyname('localhost') = -1 EAI_NONAME (the C library would go on to
// the next source /etc/nsswitch.conf lists; this lookup stops here).
func (s *Sock) GethostbynameFiles(name, path string) (netip.Addr, int, error) {
	s.mark()
	addr, line, err := hostsLookup(path, name)
	t := s.stamp()
	c := sockcall.Call{Op: "gethostbyname", Args: pyStr(name), Path: path}
	if err == nil {
		c.Args += " → " + pyStr(addr.String())
		c.Data = []byte(addr.String())
		c.Len = line
	}
	s.record(t, c, err, &sockcall.Call{Path: path}) // record would ask the (absent) socket for its path
	return addr, line, s.fail("gethostbyname", err)
}

// hostsLookup is the files source: the first IPv4 address of a line of the
// hosts file at path that names name (as its canonical name or an alias).
func hostsLookup(path, name string) (netip.Addr, int, error) {
	f, err := os.Open(path)
	if err != nil {
		return netip.Addr{}, 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		fields := strings.Fields(line)
		if len(fields) < 2 {
			continue
		}
		a, err := netip.ParseAddr(fields[0])
		if err != nil || !a.Is4() {
			continue // an IPv4 lookup skips IPv6 lines
		}
		for _, h := range fields[1:] {
			if strings.EqualFold(h, name) {
				return a, n, nil
			}
		}
	}
	if err := sc.Err(); err != nil {
		return netip.Addr{}, 0, err
	}
	return netip.Addr{}, 0, errNoName
}

// GethostbynameDNS looks name up in DNS as the C library's resolver does
// for socket.gethostbyname(name) once no hosts line names it: over conn, a
// Sock of the same endpoint with no socket yet, socket(AF_INET,
// SOCK_DGRAM), connect(server), send(a query for name's A record with this
// id), recvfrom(512) (the answer), close. Each of those is recorded, and
// then the lookup itself, as gethostbyname('name' → '127.0.0.1') = 0 with
// those calls as its Inner and the address as Data. The answer must come
// from server and carry the query's id and question and an A record for
// name; otherwise the lookup fails with EAI_NONAME.
func (s *Sock) GethostbynameDNS(conn *Sock, name, server string, id uint16) (netip.Addr, error) {
	s.mark()
	s.announce("gethostbyname", pyStr(name), "")
	start, startStep := s.start, s.startStep
	var inner []int
	waited := false
	note := func() { // the call conn just recorded, if it recorded one
		if conn.recorded != 0 {
			inner = append(inner, conn.recorded)
			waited = waited || conn.last == conn.recorded && conn.lastWaited
			conn.recorded = 0
		}
	}
	conn.recorded = 0
	addr, err := resolveOver(conn, name, server, id, note)
	if conn.FD >= 0 {
		if cerr := conn.Close(); err == nil {
			err = cerr
		}
		note()
	}
	s.start, s.startStep = start, startStep
	t := s.stamp()
	c := sockcall.Call{Op: "gethostbyname", Args: pyStr(name), Inner: inner, Waited: waited}
	if err == nil {
		c.Args += " → " + pyStr(addr.String())
		c.Data = []byte(addr.String())
	}
	recErr := err
	var serr *SockError
	if err != nil && !errors.As(err, &serr) {
		recErr = errNoName // an answer that does not answer: no address
	}
	s.record(t, c, recErr, nil)
	if err != nil {
		return netip.Addr{}, s.fail("gethostbyname", err)
	}
	return addr, nil
}

// resolveOver makes the resolver's calls on conn up to the answer,
// calling note after each.
func resolveOver(conn *Sock, name, server string, id uint16, note func()) (netip.Addr, error) {
	query, err := dnsQuery(id, name)
	if err != nil {
		return netip.Addr{}, err
	}
	err = conn.Socket(unix.AF_INET, unix.SOCK_DGRAM, 0)
	note()
	if err != nil {
		return netip.Addr{}, err
	}
	err = conn.Connect(server)
	note()
	if err != nil {
		return netip.Addr{}, err
	}
	_, err = conn.Send(query)
	note()
	if err != nil {
		return netip.Addr{}, err
	}
	data, from, err := conn.Recvfrom(512)
	note()
	if err != nil {
		return netip.Addr{}, err
	}
	if from != server {
		return netip.Addr{}, fmt.Errorf("%s: an answer from %s, not the nameserver %s", conn.Endpoint, from, server)
	}
	m, err := parseDNSMsg(data)
	if err != nil {
		return netip.Addr{}, fmt.Errorf("%s: the answer: %v", conn.Endpoint, err)
	}
	a, ok := m.answerFor(id, name)
	if !ok {
		return netip.Addr{}, fmt.Errorf("%s: the answer (id %#04x, rcode %v) does not answer query %#04x for %s", conn.Endpoint, m.ID, m.RCode, id, name)
	}
	return a.Addr, nil
}

// dnsQuery builds what the C library's resolver sends for an IPv4 lookup:
// the id, recursion desired, one question (name, type A, class IN), no
// EDNS record.
func dnsQuery(id uint16, name string) ([]byte, error) {
	n, err := dnsmessage.NewName(name + ".")
	if err != nil {
		return nil, err
	}
	b := dnsmessage.NewBuilder(nil, dnsmessage.Header{ID: id, RecursionDesired: true})
	b.EnableCompression()
	if err := b.StartQuestions(); err != nil {
		return nil, err
	}
	if err := b.Question(dnsmessage.Question{Name: n, Type: dnsmessage.TypeA, Class: dnsmessage.ClassINET}); err != nil {
		return nil, err
	}
	return b.Finish()
}

// dnsAnswer is the lab resolver's response to query: for one question,
// type A, class IN, for name, an authoritative answer with one A record
// (addr, ttl seconds); for any other question NXDOMAIN. It copies the id,
// the question and the recursion-desired flag, and offers no recursion.
func dnsAnswer(query []byte, name string, addr netip.Addr, ttl uint32) ([]byte, error) {
	var p dnsmessage.Parser
	h, err := p.Start(query)
	if err != nil {
		return nil, err
	}
	qs, err := p.AllQuestions()
	if err != nil {
		return nil, err
	}
	if h.Response || len(qs) != 1 {
		return nil, fmt.Errorf("not a query with one question (response %v, %d questions)", h.Response, len(qs))
	}
	q := qs[0]
	ours := strings.EqualFold(q.Name.String(), name+".") && q.Type == dnsmessage.TypeA && q.Class == dnsmessage.ClassINET
	hdr := dnsmessage.Header{ID: h.ID, Response: true, Authoritative: true, RecursionDesired: h.RecursionDesired}
	if !ours {
		hdr.RCode = dnsmessage.RCodeNameError
	}
	b := dnsmessage.NewBuilder(nil, hdr)
	b.EnableCompression()
	if err := b.StartQuestions(); err != nil {
		return nil, err
	}
	if err := b.Question(q); err != nil {
		return nil, err
	}
	if ours {
		if err := b.StartAnswers(); err != nil {
			return nil, err
		}
		rh := dnsmessage.ResourceHeader{Name: q.Name, Type: dnsmessage.TypeA, Class: dnsmessage.ClassINET, TTL: ttl}
		if err := b.AResource(rh, dnsmessage.AResource{A: addr.As4()}); err != nil {
			return nil, err
		}
	}
	return b.Finish()
}

// dnsMsg is what a lesson reads from a DNS message.
type dnsMsg struct {
	ID                uint16
	Response, AA, RD  bool
	RA                bool
	RCode             dnsmessage.RCode
	Questions         []dnsmessage.Question
	Answers           []dnsA // the A records among the answers
	AnswerCount, Size int
	NSCount, ARCount  int // authority and additional records (an EDNS OPT record is one)
}

// dnsA is one A record.
type dnsA struct {
	Name string // with its final dot
	Addr netip.Addr
	TTL  uint32
}

// parseDNSMsg reads a whole DNS message.
func parseDNSMsg(msg []byte) (dnsMsg, error) {
	var p dnsmessage.Parser
	h, err := p.Start(msg)
	if err != nil {
		return dnsMsg{}, err
	}
	m := dnsMsg{ID: h.ID, Response: h.Response, AA: h.Authoritative, RD: h.RecursionDesired, RA: h.RecursionAvailable, RCode: h.RCode, Size: len(msg)}
	if m.Questions, err = p.AllQuestions(); err != nil {
		return dnsMsg{}, err
	}
	rs, err := p.AllAnswers()
	if err != nil {
		return dnsMsg{}, err
	}
	m.AnswerCount = len(rs)
	ns, err := p.AllAuthorities()
	if err != nil {
		return dnsMsg{}, err
	}
	ar, err := p.AllAdditionals()
	if err != nil {
		return dnsMsg{}, err
	}
	m.NSCount, m.ARCount = len(ns), len(ar)
	for _, r := range rs {
		if a, ok := r.Body.(*dnsmessage.AResource); ok {
			m.Answers = append(m.Answers, dnsA{Name: r.Header.Name.String(), Addr: netip.AddrFrom4(a.A), TTL: r.Header.TTL})
		}
	}
	return m, nil
}

// isQueryFor reports whether m is a query with the one question the
// lesson's lookup asks: name, type A, class IN.
func (m dnsMsg) isQueryFor(name string) bool {
	return !m.Response && len(m.Questions) == 1 && m.asks(name)
}

func (m dnsMsg) asks(name string) bool {
	if len(m.Questions) != 1 {
		return false
	}
	q := m.Questions[0]
	return strings.EqualFold(q.Name.String(), name+".") && q.Type == dnsmessage.TypeA && q.Class == dnsmessage.ClassINET
}

// answerFor returns the A record of m if m answers query id for name as
// the C library's resolver accepts it: a response with that id and
// question, no error, and an A record for the name.
func (m dnsMsg) answerFor(id uint16, name string) (dnsA, bool) {
	if !m.Response || m.ID != id || m.RCode != dnsmessage.RCodeSuccess || !m.asks(name) {
		return dnsA{}, false
	}
	for _, a := range m.Answers {
		if strings.EqualFold(a.Name, name+".") {
			return a, true
		}
	}
	return dnsA{}, false
}

// pyStr writes s as Python's repr writes a str ('localhost'), with every
// character that is not printable escaped, so that a host name never
// reaches a terminal raw.
func pyStr(s string) string {
	q := byte('\'')
	if strings.IndexByte(s, '\'') >= 0 && strings.IndexByte(s, '"') < 0 {
		q = '"'
	}
	b := []byte{q}
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, `\x`...)
			b = append(b, hex2(s[i])...)
		case r == '\\' || r == rune(q):
			b = append(b, '\\', byte(r))
		case r == '\n':
			b = append(b, `\n`...)
		case r == '\r':
			b = append(b, `\r`...)
		case r == '\t':
			b = append(b, `\t`...)
		case unicode.IsPrint(r):
			b = utf8.AppendRune(b, r)
		case r < 0x100:
			b = append(b, `\x`...)
			b = append(b, hex2(byte(r))...)
		case r < 0x10000:
			b = append(b, `\u`...)
			b = append(b, fmt.Sprintf("%04x", r)...)
		default:
			b = append(b, `\U`...)
			b = append(b, fmt.Sprintf("%08x", r)...)
		}
		i += size
	}
	return string(append(b, q))
}

func hex2(c byte) string {
	s := strconv.FormatUint(uint64(c), 16)
	if len(s) < 2 {
		s = "0" + s
	}
	return s
}
