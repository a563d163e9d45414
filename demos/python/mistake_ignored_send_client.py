#!/usr/bin/env python3
"""MISTAKE: ignoring what send() returns. 错误：忽略 send() 的返回值。

send() hands the kernel AS MUCH AS FITS right now and returns that count,
which may be less than you passed. On a non-blocking socket it never waits
for room, so with 1 MiB to send it takes only what fits in the buffers (tens
of KiB) and returns at once. This client ignores the return value, closes,
and believes it sent everything; the rest of the data never leaves this
program. mistake_ignored_send_server.py counts what arrived and prints the
shortfall. (A blocking socket can return short too, e.g. when a signal
interrupts it; the rule is the same.)
send() 只把此刻放得下的数据交给内核，并返回交出的字节数，可能少于你传入的。在非阻塞
套接字上它从不等待空间，所以要发送 1 MiB 时，它只接收缓冲区放得下的部分（几十 KiB），
然后立即返回。这个客户端忽略了返回值就关闭了，还以为全部发出去了；剩下的数据根本没有
离开这个程序。mistake_ignored_send_server.py 会统计收到多少并打印缺少的字节数。
（阻塞套接字也可能只发送一部分，例如被信号打断时；规则是一样的。）

FIX: use sendall() on a blocking socket, or loop: `data = data[sock.send(data):]`
until data is empty, waiting (select/poll) for the socket to be writable
whenever send() raises BlockingIOError.
修正：在阻塞套接字上使用 sendall()；或者循环 `data = data[sock.send(data):]`
直到 data 为空，每当 send() 抛出 BlockingIOError 时用 select/poll 等待套接字可写。

Run / 运行:  python3 mistake_ignored_send_client.py [HOST PORT]    (default 127.0.0.1 7107)
Start mistake_ignored_send_server.py first. / 先启动 mistake_ignored_send_server.py。
"""
import socket
import sys

sys.stdout.reconfigure(line_buffering=True)  # print at once / 立即打印

if len(sys.argv) not in (1, 3):
    sys.exit("usage: mistake_ignored_send_client.py [HOST PORT]")
HOST = sys.argv[1] if len(sys.argv) == 3 else "127.0.0.1"
PORT = int(sys.argv[2]) if len(sys.argv) == 3 else 7107
SIZE = 1024 * 1024  # 1 MiB

sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
# A small send buffer (the kernel doubles the value asked for).
# 一个很小的发送缓冲区（内核会把请求的值加倍）。
sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
sock.connect((HOST, PORT))
print("connected from", sock.getsockname())
sock.setblocking(False)  # send() will never wait / send() 永远不会等待

data = b"x" * SIZE
sock.send(data)  # MISTAKE: the count it returns is thrown away / 错误：返回的字节数被丢掉了
print(f"send() called with {SIZE} bytes; its return value ignored")

sock.close()
print(f"closed, believing the server gets {SIZE} bytes")
