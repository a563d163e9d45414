//go:build unix

package demos

import (
	"context"
	"errors"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sockscope/sockscope/decode"
	"github.com/sockscope/sockscope/demos/sockcall"
	"golang.org/x/net/dns/dnsmessage"
)

// TestHostsLookup: the files source takes the first IPv4 line that names
// the name (canonical or alias, any case), skipping comments and IPv6
// lines, and reports EAI_NONAME when none does.
func TestHostsLookup(t *testing.T) {
	path := filepath.Join(t.TempDir(), "hosts")
	hosts := "# a comment naming localhost\n::1 localhost ip6-localhost\n\n192.0.2.7 other # localhost in a comment\n127.0.1.1 box LocalHost\n127.0.0.1 localhost\n"
	if err := os.WriteFile(path, []byte(hosts), 0o644); err != nil {
		t.Fatal(err)
	}
	a, line, err := hostsLookup(path, "localhost")
	if err != nil || a != netip.MustParseAddr("127.0.1.1") || line != 5 {
		t.Errorf("localhost: %v line %d, %v; want 127.0.1.1 from line 5", a, line, err)
	}
	if _, _, err := hostsLookup(path, "ip6-localhost"); !errors.Is(err, errNoName) {
		t.Errorf("ip6-localhost (an IPv6 line only): %v, want EAI_NONAME", err)
	}
	if _, _, err := hostsLookup(filepath.Join(t.TempDir(), "none"), "localhost"); err == nil || errors.Is(err, errNoName) {
		t.Errorf("a missing hosts file: %v", err)
	}
}

// TestHostsFallbackWords: where the hosts file names no IPv4 address for
// localhost, the lookup is recorded as failed with EAI_NONAME and the
// step's words say so, not that the file answered.
func TestHostsFallbackWords(t *testing.T) {
	path := filepath.Join(t.TempDir(), "hosts")
	if err := os.WriteFile(path, []byte("::1 localhost\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var calls []sockcall.Call
	env := &Env{Record: func(c sockcall.Call) { calls = append(calls, c) }}
	env.step.Store(7)
	app := env.NewSock(context.Background(), "app")
	if _, _, err := app.GethostbynameFiles("localhost", path); !errors.Is(err, errNoName) {
		t.Fatalf("lookup: %v", err)
	}
	if len(calls) != 1 {
		t.Fatalf("%d calls", len(calls))
	}
	c := calls[0]
	if c.Op != "gethostbyname" || c.Args != "'localhost'" || c.Ret != -1 || c.Errno != "EAI_NONAME" || c.FD != -1 || c.Path != path || len(c.Data) != 0 {
		t.Errorf("recorded: %+v", c)
	}
	// The rest of the run the words wait for: the resolver's bind and
	// recvfrom, and the query's frame after the lookup.
	end := time.Unix(c.Sec, c.Nsec)
	at := func(d time.Duration) (int64, int64) { t := end.Add(d); return t.Unix(), int64(t.Nanosecond()) }
	bind := sockcall.Call{Number: 0, Endpoint: "resolver", Op: "bind", FD: 9, Proto: "udp"}
	bind.Sec, bind.Nsec = at(-time.Millisecond)
	bind.StartSec, bind.StartNsec = bind.Sec, bind.Nsec
	recv := sockcall.Call{Endpoint: "resolver", Op: "recvfrom", FD: 9, Proto: "udp", Ret: 37}
	recv.Sec, recv.Nsec = at(2 * time.Millisecond)
	recv.StartSec, recv.StartNsec = at(-time.Millisecond / 2)
	c.Number, bind.Number, recv.Number = 2, 1, 3
	query, err := dnsQuery(0x1234, resolvedName)
	if err != nil {
		t.Fatal(err)
	}
	p := decode.Packet{Number: 1, Layers: decode.LayerUDP, SrcPort: 40000, DstPort: 53, Payload: query}
	p.Sec, p.Nsec = at(time.Millisecond)
	run := sockcall.NewRun([]sockcall.Call{bind, c, recv}, []decode.Packet{p})
	en, zh := hostsOutcome(run)
	if !strings.Contains(en, "has no line that names localhost") || !strings.Contains(en, "EAI_NONAME") || strings.Contains(en, "returned '") || !strings.Contains(en, "No frame was captured") {
		t.Errorf("the words: %q", en)
	}
	t.Logf("%s\n%s", en, zh)
	if !strings.Contains(zh, "EAI_NONAME") || !strings.Contains(zh, "没有哪一行") {
		t.Errorf("the Chinese words: %q", zh)
	}
}

// TestDNSMessages: the lab resolver answers the lesson's query with the
// same id and question, authoritative, one A record; any other question
// with NXDOMAIN; and the answer is what the client accepts.
func TestDNSMessages(t *testing.T) {
	q, err := dnsQuery(0xbeef, resolvedName)
	if err != nil {
		t.Fatal(err)
	}
	qm, err := parseDNSMsg(q)
	if err != nil || !qm.isQueryFor(resolvedName) || !qm.RD || qm.ID != 0xbeef || len(q) != 37 || qm.ARCount != 0 {
		t.Errorf("query: %+v %v (%d bytes)", qm, err, len(q))
	}
	a, err := dnsAnswer(q, resolvedName, resolvedAddr, resolvedTTL)
	if err != nil {
		t.Fatal(err)
	}
	am, err := parseDNSMsg(a)
	if err != nil {
		t.Fatal(err)
	}
	rr, ok := am.answerFor(0xbeef, resolvedName)
	if !ok || !am.AA || am.RA || !am.RD || rr.Addr != resolvedAddr || rr.TTL != resolvedTTL || len(a) != 53 {
		t.Errorf("answer: %+v (%d bytes)", am, len(a))
	}
	if _, ok := am.answerFor(0xbeee, resolvedName); ok {
		t.Error("an answer with another id is accepted")
	}
	other, _ := dnsQuery(7, "elsewhere.test")
	nx, err := dnsAnswer(other, resolvedName, resolvedAddr, resolvedTTL)
	if err != nil {
		t.Fatal(err)
	}
	if m, err := parseDNSMsg(nx); err != nil || m.RCode != dnsmessage.RCodeNameError || m.AnswerCount != 0 {
		t.Errorf("another name: %+v %v", m, err)
	}
	if _, err := dnsAnswer(a, resolvedName, resolvedAddr, resolvedTTL); err == nil {
		t.Error("the resolver answers a response")
	}
}

// TestPyStr: a host name reaches the words as Python's repr writes it,
// every character that could drive a terminal escaped.
func TestPyStr(t *testing.T) {
	for in, want := range map[string]string{
		"vm":             `'vm'`,
		"it's":           `"it's"`,
		"a\x1b[31mb":     `'a\x1b[31mb'`,
		"tab\there\n":    `'tab\there\n'`,
		"\u202eevil":     `'\u202eevil'`,
		"bad\xffbyte":    `'bad\xffbyte'`,
		`back\slash`:     `'back\\slash'`,
		"主机":             `'主机'`,
		"\u0085next":     `'\x85next'`,
		"q'\"both":       `'q\'"both'`,
		"\U000e0001 tag": `'\U000e0001 tag'`,
	} {
		if got := pyStr(in); got != want {
			t.Errorf("pyStr(%q) = %s, want %s", in, got, want)
		}
	}
}
