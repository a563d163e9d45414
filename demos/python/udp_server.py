#!/usr/bin/env python3
"""UDP server: answers 3 datagrams (each with its upper-case copy), then exits.
UDP 服务器：回复 3 个数据报（回复内容为大写），然后退出。

Run / 运行:  python3 udp_server.py [HOST PORT]    (default 127.0.0.1 7103)
Then / 然后: python3 udp_client.py [HOST PORT]
"""
import socket
import sys

sys.stdout.reconfigure(line_buffering=True)  # print at once / 立即打印

if len(sys.argv) not in (1, 3):
    sys.exit("usage: udp_server.py [HOST PORT]")
HOST = sys.argv[1] if len(sys.argv) == 3 else "127.0.0.1"
PORT = int(sys.argv[2]) if len(sys.argv) == 3 else 7103
COUNT = 3

# SOCK_DGRAM: no listen(), no accept(), no connection. One socket talks to
# everybody; each recvfrom() says who sent the datagram.
# SOCK_DGRAM：没有 listen()、accept()，也没有连接。一个套接字和所有人通信；
# 每次 recvfrom() 都会告诉你数据报是谁发的。
sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.bind((HOST, PORT))
print("bound to", sock.getsockname(), "waiting for", COUNT, "datagrams")

for _ in range(COUNT):
    # One recvfrom() returns exactly one datagram, never part of one and
    # never two glued together (a longer datagram than 2048 bytes is cut).
    # 一次 recvfrom() 恰好返回一个数据报：不会只返回一部分，也不会把两个粘在一起
    # （超过 2048 字节的数据报会被截断）。
    data, addr = sock.recvfrom(2048)
    print(f"recvfrom -> {data!r} from {addr}")
    reply = data.upper()
    sock.sendto(reply, addr)  # answer whoever sent it / 回复给发送者
    print(f"sendto({reply!r}, {addr})")

sock.close()
print("closed")
