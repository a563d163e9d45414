#!/usr/bin/env python3
"""UDP broadcast receiver: waits for one broadcast datagram, prints it, exits.
UDP 广播接收端：等待一个广播数据报，打印出来，然后退出。

Run / 运行:  python3 broadcast_receiver.py [HOST PORT]    (default '' 7104)
Then / 然后: python3 broadcast_sender.py [ADDRESS PORT]
"""
import socket
import sys

sys.stdout.reconfigure(line_buffering=True)  # print at once / 立即打印

if len(sys.argv) not in (1, 3):
    sys.exit("usage: broadcast_receiver.py [HOST PORT]")
HOST = sys.argv[1] if len(sys.argv) == 3 else ""
PORT = int(sys.argv[2]) if len(sys.argv) == 3 else 7104

sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
# Bind to '' (0.0.0.0, every address). A socket bound to 127.0.0.1 would
# NOT get datagrams sent to the broadcast address 127.255.255.255.
# 绑定到 ''（0.0.0.0，所有地址）。如果绑定到 127.0.0.1，就收不到发往广播地址
# 127.255.255.255 的数据报。
sock.bind((HOST, PORT))
print("bound to", sock.getsockname(), "waiting for a broadcast")

data, addr = sock.recvfrom(2048)
print(f"recvfrom -> {data!r} from {addr}")
sock.close()
print("closed")
