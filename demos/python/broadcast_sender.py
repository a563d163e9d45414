#!/usr/bin/env python3
"""UDP broadcast sender: sends one datagram to every host on the network.
UDP 广播发送端：向网络上的所有主机发送一个数据报。

Run / 运行:  python3 broadcast_sender.py [ADDRESS PORT]    (default 127.255.255.255 7104)

127.255.255.255 is the broadcast address of the loopback network 127.0.0.0/8,
so this works on one machine (and inside sockscope's private network). On a
real LAN use its broadcast address, e.g. 192.168.1.255, or '<broadcast>'
(255.255.255.255).
127.255.255.255 是回环网络 127.0.0.0/8 的广播地址，所以在一台机器上（以及在
sockscope 的私有网络里）就能运行。在真实的局域网上请用它的广播地址，例如
192.168.1.255，或 '<broadcast>'（255.255.255.255）。
"""
import socket
import sys

sys.stdout.reconfigure(line_buffering=True)  # print at once / 立即打印

if len(sys.argv) not in (1, 3):
    sys.exit("usage: broadcast_sender.py [ADDRESS PORT]")
ADDRESS = sys.argv[1] if len(sys.argv) == 3 else "127.255.255.255"
PORT = int(sys.argv[2]) if len(sys.argv) == 3 else 7104

sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
# Without SO_BROADCAST the kernel refuses to send to a broadcast address:
# sendto() fails with PermissionError (EACCES).
# 没有 SO_BROADCAST，内核拒绝向广播地址发送：sendto() 会抛出 PermissionError（EACCES）。
sock.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)

msg = b"hello, everyone"
n = sock.sendto(msg, (ADDRESS, PORT))
print(f"sendto({msg!r}, {(ADDRESS, PORT)}) -> {n} bytes")
sock.close()
print("closed")
