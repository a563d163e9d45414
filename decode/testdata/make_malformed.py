#!/usr/bin/python3
# Writes malformed.pcap and bigtcp.pcap: headers that are broken or unusual
# in the ways real captures are, for decode's tests. Run with Debian's
# python3-scapy; the expected fields beside each capture come from tshark
# (see README.md in this folder).
from scapy.all import Ether, IP, IPv6, TCP, UDP, ARP, Raw, wrpcap, IPv6ExtHdrHopByHop, Jumbo, PadN
import struct

A = dict(src="02:00:00:00:00:01", dst="02:00:00:00:00:02")

def tcp(**kw):
    return TCP(sport=40000, dport=80, seq=1000, ack=2000, flags="PA", window=512, **kw) / Raw(b"hello")

frames = []
# 1. IPv4 header length 4 (16 bytes): too small.
b = bytes(IP(src="192.0.2.1", dst="192.0.2.2", id=7) / tcp())
frames.append(Ether(type=0x0800, **A) / Raw(bytes([0x44]) + b[1:]))
# 2. IPv4 total length 12, under the header length.
b = bytearray(bytes(IP(src="192.0.2.1", dst="192.0.2.2", id=8) / tcp()))
b[2:4] = struct.pack(">H", 12)
frames.append(Ether(type=0x0800, **A) / Raw(bytes(b)))
# 3. IPv4 option whose length runs past the header.
b = bytearray(bytes(IP(src="192.0.2.1", dst="192.0.2.2", id=9, options=b"\x01\x01\x01\x01") / tcp()))
b[20:24] = b"\x07\x30\x04\x00"  # record route, length 48 in a 4-byte option area
frames.append(Ether(type=0x0800, **A) / Raw(bytes(b)))
# 4. IPv6 behind the IPv4 ethertype.
frames.append(Ether(type=0x0800, **A) / IPv6(src="2001:db8::1", dst="2001:db8::2") / tcp())
# 5. IPv6 hop-by-hop header whose length runs past the packet.
b = bytearray(bytes(IPv6(src="2001:db8::1", dst="2001:db8::2", nh=0) / IPv6ExtHdrHopByHop(nh=6) / tcp()))
b[41] = 200
frames.append(Ether(type=0x86dd, **A) / Raw(bytes(b)))
# 6. TCP with the three reserved bits and AE set.
b = bytearray(bytes(IP(src="192.0.2.1", dst="192.0.2.2", id=10) / tcp()))
b[20 + 12] |= 0x0f
frames.append(Ether(type=0x0800, **A) / Raw(bytes(b)))
# 7. ARP with 16-byte hardware addresses (an IEEE 1394-like size).
arp = struct.pack(">HHBBH", 24, 0x0800, 16, 4, 1) + bytes(range(16)) + bytes([192, 0, 2, 1]) + bytes(16) + bytes([192, 0, 2, 2])
frames.append(Ether(type=0x0806, **A) / Raw(arp))
# 8. ARP whose address sizes announce more than the frame holds.
arp = struct.pack(">HHBBH", 1, 0x0800, 200, 4, 1) + bytes(range(20))
frames.append(Ether(type=0x0806, **A) / Raw(arp))
# 9. TCP data offset 4 (16 bytes): too small; ports and sequence numbers are there.
b = bytearray(bytes(IP(src="192.0.2.1", dst="192.0.2.2", id=11) / tcp()))
b[20 + 12] = 0x40
frames.append(Ether(type=0x0800, **A) / Raw(bytes(b)))
wrpcap("malformed.pcap", frames)

# BIG TCP: an IPv4 packet of 70,000 bytes with total length 0 (Linux's
# form over 64 KiB), and an IPv6 jumbogram (payload length 0, jumbo option).
payload = bytes(70000)
seg = TCP(sport=40000, dport=80, seq=1, ack=1, flags="A", chksum=0) / Raw(payload)  # no checksum: scapy's pseudo-header is 16 bits
big4 = Ether(type=0x0800, **A) / IP(src="192.0.2.1", dst="192.0.2.2", id=12, len=0) / seg
hbh = IPv6ExtHdrHopByHop(nh=6, options=[Jumbo(jumboplen=8 + 20 + len(payload))])
big6 = Ether(type=0x86dd, **A) / IPv6(src="2001:db8::1", dst="2001:db8::2", nh=0, plen=0) / hbh / seg
wrpcap("bigtcp.pcap", [big4, big6], snaplen=262144)
