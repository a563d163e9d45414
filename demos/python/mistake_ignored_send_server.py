#!/usr/bin/env python3
"""Server for mistake_ignored_send_client.py: counts the bytes that really arrive.
mistake_ignored_send_client.py 的服务器：统计实际收到的字节数。

The client means to send 1 MiB but ignores send()'s return value; this
server reads until b'' and prints how many bytes are missing. See the
client's comments for the mistake and its fix.
客户端想发送 1 MiB，却忽略了 send() 的返回值；这个服务器一直读到 b''，
并打印缺少了多少字节。错误及修正见客户端文件里的注释。

Run / 运行:  python3 mistake_ignored_send_server.py [HOST PORT]    (default 127.0.0.1 7107)
Then / 然后: python3 mistake_ignored_send_client.py [HOST PORT]
"""
import socket
import sys

sys.stdout.reconfigure(line_buffering=True)  # print at once / 立即打印

if len(sys.argv) not in (1, 3):
    sys.exit("usage: mistake_ignored_send_server.py [HOST PORT]")
HOST = sys.argv[1] if len(sys.argv) == 3 else "127.0.0.1"
PORT = int(sys.argv[2]) if len(sys.argv) == 3 else 7107
EXPECTED = 1024 * 1024  # what the client means to send / 客户端打算发送的量

listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
listener.bind((HOST, PORT))
listener.listen()
print("listening on", listener.getsockname())
conn, addr = listener.accept()
print("connected by", addr)

total = 0
while True:
    data = conn.recv(65536)
    if not data:  # the client closed: nothing more will come / 客户端已关闭：不会再有数据
        print("recv -> b''")
        break
    print(f"recv -> {len(data)} bytes")
    total += len(data)

print(f"received {total} of {EXPECTED} bytes; shortfall {EXPECTED - total} bytes")
conn.close()
listener.close()
print("closed")
