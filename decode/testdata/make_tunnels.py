#!/usr/bin/python3
# Writes tunnels.pcap: one TCP connection's segments (and a UDP DNS query)
# inside each encapsulation decode reads, for decode's tests; the fields
# tshark shows for it are in tunnels.tshark.tsv (make_tsv.sh).
from scapy.all import Ether, Dot1Q, IP, IPv6, TCP, UDP, DNS, DNSQR, Raw, GRE, wrpcap, PPPoE, PPPoED, PPP
from scapy.contrib.mpls import MPLS
from scapy.contrib.geneve import GENEVE
from scapy.layers.vxlan import VXLAN
from scapy.contrib.erspan import ERSPAN_II, ERSPAN_III
import struct

E = dict(src="02:00:00:00:00:01", dst="02:00:00:00:00:02")
IE = dict(src="02:00:00:00:01:01", dst="02:00:00:00:01:02")
o4 = IP(src="198.51.100.1", dst="198.51.100.2", id=1)
o6 = IPv6(src="2001:db8:ff::1", dst="2001:db8:ff::2")

def syn(n, v6=False):
    ip = IPv6(src="2001:db8::1", dst="2001:db8::2") if v6 else IP(src="192.0.2.1", dst="192.0.2.2", id=100 + n)
    return ip / TCP(sport=40000 + n, dport=80, seq=1000, flags="S", window=64240)

frames = [
    Ether(**E) / o4 / GRE() / syn(1),                                           # 1 GRE, IPv4
    Ether(**E) / o4 / GRE(key_present=1, key=0x1234, seqnum_present=1, seqence_number=7, chksum_present=1) / syn(2),  # 2 GRE key, seq, checksum
    Ether(**E) / o4 / GRE(proto=0x6558) / Ether(**IE) / syn(3),                  # 3 GRE transparent Ethernet
    Ether(**E) / o4 / GRE(seqnum_present=1, seqence_number=1, proto=0x88be) / ERSPAN_II(ver=1, session_id=5) / Ether(**IE) / syn(4),  # 4 ERSPAN II
    Ether(**E) / o4 / GRE(proto=0x22eb) / ERSPAN_III(session_id=6) / Ether(**IE) / syn(5),  # 5 ERSPAN III
    Ether(**E) / o4 / GRE(proto=0x883e) / Raw(struct.pack(">I", 0)) / syn(6),    # 6 WCCP redirect header
    Ether(**E) / o4 / syn(7),                                                    # 7 IPv4 in IPv4
    Ether(**E) / o4 / syn(8, v6=True),                                           # 8 IPv6 in IPv4 (6in4)
    Ether(**E) / o6 / syn(9),                                                    # 9 IPv4 in IPv6
    Ether(**E) / o4 / UDP(sport=50000, dport=4789) / VXLAN(vni=100) / Ether(**IE) / syn(10),  # 10 VXLAN
    Ether(**E) / o4 / UDP(sport=50001, dport=6081) / GENEVE(vni=200, proto=0x6558, options=b"\x01\x02\x03\x01\x00\x00\x00\x2a", optionlen=2) / Ether(**IE) / syn(11),  # 11 Geneve with an option
    Ether(**E, type=0x8847) / MPLS(label=100, s=0, ttl=64) / MPLS(label=200, s=1, ttl=63) / syn(12),  # 12 MPLS stack over Ethernet
    Ether(**E) / o4 / UDP(sport=50002, dport=6635) / MPLS(label=300, s=1, ttl=10) / syn(13),  # 13 MPLS in UDP
    Ether(**E) / Dot1Q(vlan=10) / PPPoED(code=0x09, sessionid=0),               # 14 PPPoE discovery (PADI) in 802.1Q
    Ether(**E) / Dot1Q(vlan=10) / PPPoE(sessionid=0x11) / PPP(proto=0x0021) / syn(15),  # 15 PPPoE session in 802.1Q
    Ether(**E) / o4 / UDP(sport=50003, dport=4789) / VXLAN(vni=100) / Ether(**IE) / IP(src="192.0.2.1", dst="192.0.2.53", id=16) / UDP(sport=33333, dport=53) / DNS(id=0x77, rd=1, qd=DNSQR(qname="example.com")),  # 16 DNS in VXLAN
]
# PIM Register (type 1, flags word), a PIM Hello (no packet inside), an
# integrity-only MACsec frame (SecTAG with SCI, data, 16-byte ICV), an
# encrypted one, and NSH (MD type 2, no context) carrying IPv4.
inner = bytes(IP(src="192.0.2.1", dst="239.1.2.3", id=17) / UDP(sport=5000, dport=5001) / Raw(b"mcast"))
pim_register = bytes([0x21, 0, 0, 0]) + bytes(4) + inner
frames.append(Ether(**E) / IP(src="198.51.100.1", dst="198.51.100.2", proto=103, id=2) / Raw(pim_register))  # 17
frames.append(Ether(**E) / IP(src="198.51.100.1", dst="224.0.0.13", proto=103, id=3, ttl=1) / Raw(bytes([0x20, 0, 0, 0]) + bytes([0, 1, 0, 2, 0, 105])))  # 18 Hello
data = bytes(IP(src="192.0.2.1", dst="192.0.2.2", id=19) / TCP(sport=40019, dport=80, seq=1000, flags="S", window=64240))
sectag = bytes([0x20, 0]) + struct.pack(">I", 9) + bytes([2, 0, 0, 0, 0, 1, 0, 1])
frames.append(Ether(**E, type=0x88e5) / Raw(sectag + b"\x08\x00" + data + bytes(16)))  # 19 MACsec, integrity only
sectag = bytes([0x2c, 0]) + struct.pack(">I", 10) + bytes([2, 0, 0, 0, 0, 1, 0, 1])
frames.append(Ether(**E, type=0x88e5) / Raw(sectag + bytes(56)))  # 20 MACsec, encrypted
data = bytes(IP(src="192.0.2.1", dst="192.0.2.2", id=21) / TCP(sport=40021, dport=80, seq=1000, flags="S", window=64240))
nshdr = struct.pack(">HBB", (0 << 14) | (63 << 6) | 2, 2, 1) + struct.pack(">I", (42 << 8) | 255)
frames.append(Ether(**E, type=0x894f) / Raw(nshdr + data))  # 21 NSH carrying IPv4
wrpcap("tunnels.pcap", frames)
