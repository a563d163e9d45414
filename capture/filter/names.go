package filter

// keyword is a reserved word of the filter language.
type keyword uint8

// Protocol keywords double as the protocol qualifier of a primitive
// (kwNone there means "no protocol given").
const (
	kwNone keyword = iota

	// protocol names (pcap-filter's "proto" qualifiers)
	kwLink // link, ether (and libpcap's aliases ppp, slip, fddi, tr, wlan)
	kwIP
	kwIP6
	kwARP
	kwRARP
	kwTCP
	kwUDP
	kwSCTP
	kwICMP
	kwICMP6
	kwIGMP
	kwIGRP
	kwPIM
	kwVRRP
	kwCARP
	kwAH
	kwESP
	kwOtherProto // recognised by libpcap, not supported here (decnet, iso, ...)

	// direction qualifiers
	kwSrc
	kwDst
	kwOtherDir // ra, ta, addr1..addr4 (802.11)

	// address qualifiers
	kwHost
	kwNet
	kwPort
	kwPortrange
	kwGateway

	kwProto
	kwProtochain
	kwMask
	kwLess
	kwGreater
	kwBroadcast
	kwMulticast
	kwAnd
	kwOr
	kwNot
	kwLen
	kwInbound
	kwOutbound
	kwVlan
	kwOther // other libpcap reserved words (mpls, pppoes, geneve, ...)
)

func (k keyword) isProto() bool { return k >= kwLink && k <= kwOtherProto }
func (k keyword) isDir() bool   { return k >= kwSrc && k <= kwOtherDir }
func (k keyword) isAddr() bool  { return k >= kwHost && k <= kwGateway }

// keywords maps reserved words to keywords, as in libpcap's scanner.
var keywords = map[string]keyword{
	"link": kwLink, "ether": kwLink, "ppp": kwLink, "slip": kwLink,
	"fddi": kwLink, "tr": kwLink, "wlan": kwLink,
	"ip": kwIP, "ip6": kwIP6, "arp": kwARP, "rarp": kwRARP,
	"tcp": kwTCP, "udp": kwUDP, "sctp": kwSCTP,
	"icmp": kwICMP, "icmp6": kwICMP6, "igmp": kwIGMP, "igrp": kwIGRP,
	"pim": kwPIM, "vrrp": kwVRRP, "carp": kwCARP, "ah": kwAH, "esp": kwESP,

	"radio": kwOtherProto, "atalk": kwOtherProto, "aarp": kwOtherProto,
	"decnet": kwOtherProto, "lat": kwOtherProto, "sca": kwOtherProto,
	"moprc": kwOtherProto, "mopdl": kwOtherProto, "iso": kwOtherProto,
	"esis": kwOtherProto, "es-is": kwOtherProto, "isis": kwOtherProto,
	"is-is": kwOtherProto, "l1": kwOtherProto, "l2": kwOtherProto,
	"iih": kwOtherProto, "lsp": kwOtherProto, "snp": kwOtherProto,
	"csnp": kwOtherProto, "psnp": kwOtherProto, "clnp": kwOtherProto,
	"stp": kwOtherProto, "ipx": kwOtherProto, "netbeui": kwOtherProto,

	"src": kwSrc, "dst": kwDst,
	"ra": kwOtherDir, "ta": kwOtherDir, "addr1": kwOtherDir, "address1": kwOtherDir,
	"addr2": kwOtherDir, "address2": kwOtherDir, "addr3": kwOtherDir,
	"address3": kwOtherDir, "addr4": kwOtherDir, "address4": kwOtherDir,

	"host": kwHost, "net": kwNet, "port": kwPort, "portrange": kwPortrange,
	"gateway": kwGateway,

	"proto": kwProto, "protochain": kwProtochain, "mask": kwMask,
	"less": kwLess, "greater": kwGreater,
	"broadcast": kwBroadcast, "multicast": kwMulticast,
	"and": kwAnd, "or": kwOr, "not": kwNot,
	"len": kwLen, "length": kwLen,
	"inbound": kwInbound, "outbound": kwOutbound,
	"vlan": kwVlan,

	"byte": kwOther, "ifindex": kwOther, "mpls": kwOther, "pppoed": kwOther,
	"pppoes": kwOther, "geneve": kwOther, "lane": kwOther, "llc": kwOther,
	"metac": kwOther, "bcc": kwOther, "oam": kwOther, "oamf4": kwOther,
	"oamf4ec": kwOther, "oamf4sc": kwOther, "sc": kwOther, "ilmic": kwOther,
	"vpi": kwOther, "vci": kwOther, "connectmsg": kwOther,
	"metaconnect": kwOther, "on": kwOther, "ifname": kwOther,
	"rnr": kwOther, "rulenum": kwOther, "reason": kwOther, "rset": kwOther,
	"ruleset": kwOther, "srnr": kwOther, "subrulenum": kwOther,
	"action": kwOther, "type": kwOther, "subtype": kwOther,
	"direction": kwOther, "dir": kwOther, "fisu": kwOther, "lssu": kwOther,
	"lsu": kwOther, "sio": kwOther, "opc": kwOther, "dpc": kwOther,
	"sls": kwOther, "hfisu": kwOther, "hlssu": kwOther, "hmsu": kwOther,
	"hsio": kwOther, "hopc": kwOther, "hdpc": kwOther, "hsls": kwOther,
}

// namedConstants are the numbers pcap-filter(7) lets expressions name.
var namedConstants = map[string]uint32{
	"icmptype": 0, "icmpcode": 1,
	"icmp-echoreply": 0, "icmp-unreach": 3, "icmp-sourcequench": 4,
	"icmp-redirect": 5, "icmp-echo": 8, "icmp-routeradvert": 9,
	"icmp-routersolicit": 10, "icmp-timxceed": 11, "icmp-paramprob": 12,
	"icmp-tstamp": 13, "icmp-tstampreply": 14, "icmp-ireq": 15,
	"icmp-ireqreply": 16, "icmp-maskreq": 17, "icmp-maskreply": 18,

	"icmp6type": 0, "icmp6code": 1,
	"icmp6-destinationunreach": 1, "icmp6-packettoobig": 2,
	"icmp6-timeexceeded": 3, "icmp6-parameterproblem": 4,
	"icmp6-echo": 128, "icmp6-echoreply": 129,
	"icmp6-multicastlistenerquery": 130, "icmp6-multicastlistenerreportv1": 131,
	"icmp6-multicastlistenerdone": 132, "icmp6-routersolicit": 133,
	"icmp6-routeradvert": 134, "icmp6-neighborsolicit": 135,
	"icmp6-neighboradvert": 136, "icmp6-redirect": 137,
	"icmp6-routerrenum": 138, "icmp6-nodeinformationquery": 139,
	"icmp6-nodeinformationresponse":   140,
	"icmp6-ineighbordiscoverysolicit": 141,
	"icmp6-ineighbordiscoveryadvert":  142,
	"icmp6-multicastlistenerreportv2": 143,
	"icmp6-homeagentdiscoveryrequest": 144,
	"icmp6-homeagentdiscoveryreply":   145,
	"icmp6-mobileprefixsolicit":       146, "icmp6-mobileprefixadvert": 147,
	"icmp6-certpathsolicit": 148, "icmp6-certpathadvert": 149,
	"icmp6-multicastrouteradvert": 151, "icmp6-multicastroutersolicit": 152,
	"icmp6-multicastrouterterm": 153,

	"tcpflags": 13,
	"tcp-fin":  0x01, "tcp-syn": 0x02, "tcp-rst": 0x04, "tcp-push": 0x08,
	"tcp-ack": 0x10, "tcp-urg": 0x20, "tcp-ece": 0x40, "tcp-cwr": 0x80,
}

// IP protocol numbers.
const (
	ipprotoICMP     = 1
	ipprotoIGMP     = 2
	ipprotoTCP      = 6
	ipprotoIGRP     = 9
	ipprotoUDP      = 17
	ipprotoFragment = 44
	ipprotoESP      = 50
	ipprotoAH       = 51
	ipprotoICMPv6   = 58
	ipprotoPIM      = 103
	ipprotoVRRP     = 112
	ipprotoSCTP     = 132
)

// EtherTypes.
const (
	ethertypeIP     = 0x0800
	ethertypeARP    = 0x0806
	ethertypeRARP   = 0x8035
	ethertypeIPv6   = 0x86dd
	ethertype8021Q  = 0x8100
	ethertype8021AD = 0x88a8
	ethertypeQinQ   = 0x9100
	etherMTU        = 1500
)

// ipProtoNames are the names "ip proto \NAME" accepts (libpcap asks
// getprotobyname; these are the usual /etc/protocols entries).
var ipProtoNames = map[string]uint32{
	"ip": 0, "icmp": 1, "igmp": 2, "ggp": 3, "ipencap": 4, "st": 5, "tcp": 6,
	"egp": 8, "igp": 9, "pup": 12, "udp": 17, "hmp": 20, "xns-idp": 22,
	"rdp": 27, "iso-tp4": 29, "dccp": 33, "xtp": 36, "ddp": 37,
	"idpr-cmtp": 38, "ipv6": 41, "ipv6-route": 43, "ipv6-frag": 44,
	"idrp": 45, "rsvp": 46, "gre": 47, "esp": 50, "ah": 51, "skip": 57,
	"ipv6-icmp": 58, "icmp6": 58, "ipv6-nonxt": 59, "ipv6-opts": 60,
	"rspf": 73, "vmtp": 81, "eigrp": 88, "ospf": 89, "ax.25": 93,
	"ipip": 94, "etherip": 97, "encap": 98, "pim": 103, "ipcomp": 108,
	"vrrp": 112, "l2tp": 115, "isis": 124, "sctp": 132, "fc": 133,
	"mobility-header": 135, "udplite": 136, "mpls-in-ip": 137, "manet": 138,
	"hip": 139, "shim6": 140, "wesp": 141, "rohc": 142, "ethernet": 143,
}

// etherProtoNames are the names "ether proto \NAME" accepts.
var etherProtoNames = map[string]uint32{
	"ip": ethertypeIP, "ip6": ethertypeIPv6, "arp": ethertypeARP,
	"rarp": ethertypeRARP, "decnet": 0x6003, "lat": 0x6004, "sca": 0x6007,
	"moprc": 0x6002, "mopdl": 0x6001, "loopback": 0x9000,
	"vlan": ethertype8021Q,
}

// Which transport protocols a service name is defined for.
const (
	svcTCP = 1 << iota
	svcUDP
	svcSCTP
)

type service struct {
	port  uint32
	proto uint8
}

// serviceNames are the port names accepted by "port NAME": the common
// entries of /etc/services (Debian netbase), with the protocols they are
// defined for there — libpcap matches a name defined only for TCP on TCP
// only. Any other name is an error.
var serviceNames = map[string]service{
	"echo": {7, svcTCP | svcUDP}, "discard": {9, svcTCP | svcUDP},
	"daytime": {13, svcTCP | svcUDP}, "ftp-data": {20, svcTCP},
	"ftp": {21, svcTCP}, "ssh": {22, svcTCP}, "telnet": {23, svcTCP},
	"smtp": {25, svcTCP}, "time": {37, svcTCP | svcUDP},
	"domain": {53, svcTCP | svcUDP}, "bootps": {67, svcUDP},
	"bootpc": {68, svcUDP}, "tftp": {69, svcUDP}, "gopher": {70, svcTCP},
	"finger": {79, svcTCP}, "http": {80, svcTCP}, "www": {80, svcTCP},
	"kerberos": {88, svcTCP | svcUDP}, "pop3": {110, svcTCP},
	"sunrpc": {111, svcTCP | svcUDP}, "auth": {113, svcTCP},
	"nntp": {119, svcTCP}, "ntp": {123, svcUDP}, "netbios-ns": {137, svcUDP},
	"netbios-dgm": {138, svcUDP}, "netbios-ssn": {139, svcTCP},
	"imap": {143, svcTCP}, "imap2": {143, svcTCP},
	"snmp": {161, svcTCP | svcUDP}, "snmp-trap": {162, svcTCP | svcUDP},
	"bgp": {179, svcTCP}, "ldap": {389, svcTCP | svcUDP},
	"https": {443, svcTCP | svcUDP}, "microsoft-ds": {445, svcTCP},
	"isakmp": {500, svcUDP}, "syslog": {514, svcTCP | svcUDP},
	"rtsp": {554, svcTCP | svcUDP}, "submission": {587, svcTCP},
	"ldaps": {636, svcTCP | svcUDP}, "imaps": {993, svcTCP},
	"pop3s": {995, svcTCP}, "openvpn": {1194, svcTCP | svcUDP},
	"mysql": {3306, svcTCP}, "ms-wbt-server": {3389, svcTCP},
	"sip": {5060, svcTCP | svcUDP}, "mdns": {5353, svcUDP},
	"postgresql": {5432, svcTCP}, "http-alt": {8080, svcTCP},
}
