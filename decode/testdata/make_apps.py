#!/usr/bin/python3
# Writes apps.pcap: the application protocols whose line decode prints in
# tcpdump's words (DNS answers, NTP, DHCP, HTTP/1, a TLS ClientHello's
# server name, a QUIC Initial). tcpdump's lines are in apps.tcpdump.txt
# (tcpdump -n -r apps.pcap, 4.99.3), tshark's fields in apps.tshark.tsv.
from scapy.all import Ether, IP, IPv6, TCP, UDP, Raw, DNS, DNSQR, DNSRR, NTP, BOOTP, DHCP, wrpcap
from scapy.layers.tls.all import TLS, TLSClientHello, TLS_Ext_ServerName, ServerName
import struct

E = dict(src="02:00:00:00:00:01", dst="02:00:00:00:00:02")
c, s = "192.0.2.1", "192.0.2.53"
frames = [
    Ether(**E) / IP(src=c, dst=s) / UDP(sport=33333, dport=53) / DNS(id=1, rd=1, qd=DNSQR(qname="www.example.com")),
    Ether(**E) / IP(src=s, dst=c) / UDP(sport=53, dport=33333) / DNS(id=1, qr=1, rd=1, ra=1, qd=DNSQR(qname="www.example.com"),
        an=DNSRR(rrname="www.example.com", type="CNAME", rdata="web.example.com") / DNSRR(rrname="web.example.com", type="A", rdata="192.0.2.80")),
    Ether(**E) / IP(src=s, dst=c) / UDP(sport=53, dport=33334) / DNS(id=2, qr=1, rd=1, ra=1, qd=DNSQR(qname="example.com", qtype="AAAA"),
        an=DNSRR(rrname="example.com", type="AAAA", rdata="2001:db8::80")),
    Ether(**E) / IP(src=s, dst=c) / UDP(sport=53, dport=33335) / DNS(id=3, qr=1, rd=1, ra=1, qd=DNSQR(qname="example.com", qtype="MX"),
        an=DNSRR(rrname="example.com", type="MX", rdata=b"\x00\x0a\x04mail\x07example\x03com\x00")),
    Ether(**E) / IP(src=c, dst="192.0.2.123") / UDP(sport=40123, dport=123) / NTP(version=4, mode=3),
    Ether(src="02:00:00:00:00:01", dst="ff:ff:ff:ff:ff:ff") / IP(src="0.0.0.0", dst="255.255.255.255") / UDP(sport=68, dport=67)
        / BOOTP(op=1, chaddr=bytes.fromhex("020000000001"), xid=0x1234) / DHCP(options=[("message-type", "discover"), "end"]),
    Ether(**E) / IP(src=c, dst="192.0.2.80") / TCP(sport=40080, dport=80, flags="PA", seq=1, ack=1) / Raw(b"GET /index.html HTTP/1.1\r\nHost: example.com\r\n\r\n"),
    Ether(**E) / IP(src="192.0.2.80", dst=c) / TCP(sport=80, dport=40080, flags="PA", seq=1, ack=48) / Raw(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"),
    Ether(**E) / IP(src=c, dst="192.0.2.43") / TCP(sport=40443, dport=443, flags="PA", seq=1, ack=1)
        / TLS(msg=[TLSClientHello(ext=[TLS_Ext_ServerName(servernames=[ServerName(servername=b"secure.example.com")])])]),
]
quic = bytes([0xc3]) + struct.pack(">I", 1) + bytes([8]) + bytes.fromhex("0102030405060708") + bytes([0]) + bytes([0]) + struct.pack(">H", 0x4000 | 1100) + bytes(1100)
frames.append(Ether(**E) / IP(src=c, dst="192.0.2.43") / UDP(sport=40444, dport=443) / Raw(quic))
# ICMP and ICMPv6 echo requests, and a port unreachable quoting a datagram.
from scapy.all import ICMP, ICMPv6EchoRequest
frames.append(Ether(**E) / IP(src=c, dst=s) / ICMP(type=8, id=7, seq=1) / Raw(b"ping"))
frames.append(Ether(**E) / IPv6(src="2001:db8::1", dst="2001:db8::2") / ICMPv6EchoRequest(id=7, seq=2) / Raw(b"ping"))
frames.append(Ether(**E) / IP(src=s, dst=c) / ICMP(type=3, code=3) / IP(src=c, dst=s) / UDP(sport=33336, dport=9))
wrpcap("apps.pcap", frames)
