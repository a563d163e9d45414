package decode

// Name tables for the tcpdump-style text line (text.go). The strings are
// tcpdump 4.99's, from the printer named beside each table, so that a line
// reads the same as tcpdump -n's for the fields sockscope keeps.

// tcpOptionName is tcp_option_values (print-tcp.c). ok is false for kinds
// tcpdump prints as "unknown-N". Kind 13 (CC.ECHO) really is the empty
// string in tcpdump's table.
func tcpOptionName(kind uint8) (name string, ok bool) {
	switch kind {
	case OptEOL:
		return "eol", true
	case OptNOP:
		return "nop", true
	case OptMSS:
		return "mss", true
	case OptWScale:
		return "wscale", true
	case OptSACKPerm:
		return "sackOK", true
	case OptSACK:
		return "sack", true
	case 6:
		return "echo", true
	case 7:
		return "echoreply", true
	case OptTimestamp:
		return "TS", true
	case 11:
		return "cc", true
	case 12:
		return "ccnew", true
	case 13:
		return "", true
	case OptMD5:
		return "md5", true
	case 20:
		return "scps", true
	case OptUserTO:
		return "uto", true
	case OptAuth:
		return "tcp-ao", true
	case OptMPTCP:
		return "mptcp", true
	case OptFastOpen:
		return "tfo", true
	case OptExp2:
		return "exp", true
	}
	return "", false
}

// dnsOps is ns_ops (print-domain.c), indexed by opcode.
var dnsOps = [16]string{
	"", " inv_q", " stat", " op3", " notify", " update", " op6", " op7",
	" op8", " updateA", " updateD", " updateDA",
	" updateM", " updateMA", " zoneInit", " zoneRef",
}

// dnsRcodes is ns_resp (print-domain.c), indexed by the header's 4-bit
// rcode. (tcpdump also folds in an EDNS extended rcode from the OPT record,
// which the summary does not keep.)
var dnsRcodes = [16]string{
	"", " FormErr", " ServFail", " NXDomain",
	" NotImp", " Refused", " YXDomain", " YXRRSet",
	" NXRRSet", " NotAuth", " NotZone", " Resp11",
	" Resp12", " Resp13", " Resp14", " NoChange",
}

// dnsTypeNames is ns_type2str (print-domain.c) for types below 261; see
// dnsTypeName for the rest.
var dnsTypeNames = [...]string{
	1: "A", 2: "NS", 3: "MD", 4: "MF", 5: "CNAME", 6: "SOA", 7: "MB", 8: "MG",
	9: "MR", 10: "NULL", 11: "WKS", 12: "PTR", 13: "HINFO", 14: "MINFO", 15: "MX",
	16: "TXT", 17: "RP", 18: "AFSDB", 19: "X25", 20: "ISDN", 21: "RT", 22: "NSAP",
	23: "NSAP_PTR", 24: "SIG", 25: "KEY", 26: "PX", 27: "GPOS", 28: "AAAA",
	29: "LOC", 30: "NXT", 31: "EID", 32: "NIMLOC", 33: "SRV", 34: "ATMA",
	35: "NAPTR", 36: "KX", 37: "CERT", 38: "A6", 39: "DNAME", 40: "SINK",
	41: "OPT", 42: "APL", 43: "DS", 44: "SSHFP", 45: "IPSECKEY", 46: "RRSIG",
	47: "NSEC", 48: "DNSKEY", 49: "DHCID", 50: "NSEC3", 51: "NSEC3PARAM",
	52: "TLSA", 53: "SMIMEA", 55: "HIP", 56: "NINFO", 57: "RKEY", 58: "TALINK",
	59: "CDS", 60: "CDNSKEY", 61: "OPENPGPKEY", 62: "CSYNC", 63: "ZONEMD",
	64: "SVCB", 65: "HTTPS",
	99: "SPF", 100: "UINFO", 101: "UID", 102: "GID", 103: "UNSPEC", 104: "NID",
	105: "L32", 106: "L64", 107: "LP", 108: "EUI48", 109: "EUI64",
	249: "TKEY", 250: "TSIG", 251: "IXFR", 252: "AXFR", 253: "MAILB", 254: "MAILA",
	255: "ANY", 256: "URI", 257: "CAA", 258: "AVC", 259: "DOA", 260: "AMTRELAY",
}

// dnsTypeName returns tcpdump's name for a DNS type, or "" for the ones it
// prints as "TypeN".
func dnsTypeName(t uint16) string {
	if int(t) < len(dnsTypeNames) {
		return dnsTypeNames[t]
	}
	switch t {
	case 32768:
		return "TA"
	case 32769:
		return "DLV"
	}
	return ""
}

// dnsClassName is ns_class2str; "" means "(Class N)".
func dnsClassName(c uint16) string {
	switch c {
	case 1:
		return "IN"
	case 3:
		return "CHAOS"
	case 4:
		return "HS"
	case 255:
		return "ANY"
	}
	return ""
}

// icmpTypeName is icmp2str (print-icmp.c): the ICMPv4 types printed by name
// alone; "" means "type-#N".
func icmpTypeName(t uint8) string {
	switch t {
	case 0:
		return "echo reply"
	case 4:
		return "source quench"
	case 8:
		return "echo request"
	case 10:
		return "router solicitation"
	case 13:
		return "time stamp request"
	case 14:
		return "time stamp reply"
	case 15:
		return "information request"
	case 16:
		return "information reply"
	case 17:
		return "address mask request"
	case 42:
		return "extended echo request"
	case 43:
		return "extended echo reply"
	}
	return ""
}

// icmpUnreachFormat describes how print-icmp.c words a destination
// unreachable with a given code: prefix, then the quoted destination, then
// suffix. (Codes 2 and 3, protocol and port, are handled apart.)
func icmpUnreachFormat(code uint8) (prefix, suffix string, ok bool) {
	switch code {
	case 0:
		return "net ", " unreachable", true
	case 1:
		return "host ", " unreachable", true
	case 4:
		return "", " unreachable - need to frag", true
	case 5:
		return "", " unreachable - source route failed", true
	case 6:
		return "net ", " unreachable - unknown", true
	case 7:
		return "host ", " unreachable - unknown", true
	case 8:
		return "", " unreachable - source host isolated", true
	case 9:
		return "net ", " unreachable - admin prohibited", true
	case 10:
		return "host ", " unreachable - admin prohibited", true
	case 11:
		return "net ", " unreachable - tos prohibited", true
	case 12:
		return "host ", " unreachable - tos prohibited", true
	case 13:
		return "host ", " unreachable - admin prohibited filter", true
	case 14:
		return "host ", " unreachable - host precedence violation", true
	case 15:
		return "host ", " unreachable - precedence cutoff", true
	}
	return "", "", false
}

// icmp6TypeName is icmp6_type_values (print-icmp6.c); "" means
// "unknown icmp6 type (N)". Types 139 and 140 have two entries there (node
// information and who-are-you); tok2str returns the first.
func icmp6TypeName(t uint8) string {
	switch t {
	case 1:
		return "destination unreachable"
	case 2:
		return "packet too big"
	case 3:
		return "time exceeded in-transit"
	case 4:
		return "parameter problem"
	case 128:
		return "echo request"
	case 129:
		return "echo reply"
	case 130:
		return "multicast listener query"
	case 131:
		return "multicast listener report"
	case 132:
		return "multicast listener done"
	case 133:
		return "router solicitation"
	case 134:
		return "router advertisement"
	case 135:
		return "neighbor solicitation"
	case 136:
		return "neighbor advertisement"
	case 137:
		return "redirect"
	case 138:
		return "router renumbering"
	case 139:
		return "who-are-you request"
	case 140:
		return "who-are-you reply"
	case 141:
		return "inverse neighbor solicitation"
	case 142:
		return "inverse neighbor advertisement"
	case 143:
		return "multicast listener report v2"
	case 144:
		return "ha discovery request"
	case 145:
		return "ha discovery reply"
	case 146:
		return "mobile router solicitation"
	case 147:
		return "mobile router advertisement"
	case 155:
		return "RPL"
	case 160:
		return "extended echo request"
	case 161:
		return "extended echo reply"
	case 200:
		return "mtrace response"
	case 201:
		return "mtrace message"
	}
	return ""
}

// icmp6UnreachName is icmp6_dst_unreach_code_values; the leading space of
// code 1 is tcpdump's.
func icmp6UnreachName(code uint8) string {
	switch code {
	case 0:
		return "unreachable route"
	case 1:
		return " unreachable prohibited"
	case 2:
		return "beyond scope"
	case 3:
		return "unreachable address"
	case 4:
		return "unreachable port"
	}
	return ""
}

// arpOpName is arpop_values (print-arp.c); "" means "Unknown (N)".
func arpOpName(op uint16) string {
	switch op {
	case 1:
		return "Request"
	case 2:
		return "Reply"
	case 3:
		return "Reverse Request"
	case 4:
		return "Reverse Reply"
	case 8:
		return "Inverse Request"
	case 9:
		return "Inverse Reply"
	case 10:
		return "NACK Reply"
	}
	return ""
}

// etherTypeName is a subset of ethertype_values (ethertype.c) for the
// "ethertype NAME (0xNNNN)" fallback; "" means "Unknown".
func etherTypeName(t uint16) string {
	switch t {
	case 0x0800:
		return "IPv4"
	case 0x0806:
		return "ARP"
	case 0x86dd:
		return "IPv6"
	case 0x8035:
		return "Reverse ARP"
	case 0x8100:
		return "802.1Q"
	case 0x88a8:
		return "802.1Q-QinQ"
	case 0x9100:
		return "802.1Q-9100"
	case 0x8847:
		return "MPLS unicast"
	case 0x8848:
		return "MPLS multicast"
	case 0x8863:
		return "PPPoE D"
	case 0x8864:
		return "PPPoE S"
	case 0x888e:
		return "EAPOL"
	case 0x88cc:
		return "LLDP"
	case 0x88e5:
		return "MACsec"
	case 0x88f7:
		return "PTP"
	case 0x8809:
		return "Slow Protocols"
	case 0x880b:
		return "PPP"
	case 0x809b:
		return "Appletalk"
	case 0x80f3:
		return "Appletalk ARP"
	case 0x8137:
		return "IPX"
	case 0x6558:
		return "TEB"
	case 0x9000:
		return "Loopback"
	case 0x22f0:
		return "AVTP"
	case 0x893a:
		return "IEEE1905.1"
	case 0x88b5, 0x88b6:
		return "Local Experimental"
	}
	return ""
}

// sllPktTypeName is sll_pkttype_values (print-sll.c); "" means
// "Unknown (N)".
func sllPktTypeName(t uint16) string {
	switch t {
	case 0:
		return "In"
	case 1:
		return "B"
	case 2:
		return "M"
	case 3:
		return "P"
	case 4:
		return "Out"
	}
	return ""
}

// bsdAFName is bsd_af_values (print-null.c) for the loopback fallback; ""
// means "Unknown".
func bsdAFName(af uint32) string {
	switch af {
	case 2:
		return "IPv4"
	case 7:
		return "OSI"
	case 16:
		return "Appletalk"
	case 23:
		return "IPX"
	case 24, 28, 30:
		return "IPv6"
	}
	return ""
}
