#!/usr/bin/python3
# Writes tunnel_conn.pcap: one whole TCP connection (handshake, a request,
# a reply, both FINs) carried in GRE with a key, for testing that the
# tracker, Follow and the ladder work on the inner connection.
from scapy.all import Ether, IP, TCP, GRE, Raw, wrpcap

E = dict(src="02:00:00:00:00:01", dst="02:00:00:00:00:02")
def wrap(inner, outer_src="198.51.100.1", outer_dst="198.51.100.2"):
    return Ether(**E) / IP(src=outer_src, dst=outer_dst) / GRE(key_present=1, key=7) / inner

c, s = "192.0.2.1", "192.0.2.2"
C = lambda **kw: IP(src=c, dst=s) / TCP(sport=40000, dport=7, **kw)
S = lambda **kw: IP(src=s, dst=c) / TCP(sport=7, dport=40000, **kw)
frames = [
    wrap(C(flags="S", seq=100)),
    wrap(S(flags="SA", seq=500, ack=101), "198.51.100.2", "198.51.100.1"),
    wrap(C(flags="A", seq=101, ack=501)),
    wrap(C(flags="PA", seq=101, ack=501) / Raw(b"hello, tunnel")),
    wrap(S(flags="PA", seq=501, ack=114) / Raw(b"HELLO, TUNNEL"), "198.51.100.2", "198.51.100.1"),
    wrap(C(flags="FA", seq=114, ack=514)),
    wrap(S(flags="FA", seq=514, ack=115), "198.51.100.2", "198.51.100.1"),
    wrap(C(flags="A", seq=115, ack=515)),
]
wrpcap("tunnel_conn.pcap", frames)
