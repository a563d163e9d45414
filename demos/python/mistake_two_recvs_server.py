#!/usr/bin/env python3
"""MISTAKE: expecting one recv() per send(). 错误：以为一次 send() 对应一次 recv()。

The client sends b"hello" and then b"world" with two sendall() calls. This
server was written as if its first recv() would return b"hello" and its second
b"world". TCP does not work that way: it is a stream of bytes with no message
boundaries, so one recv() may return both messages glued together
(b"helloworld", the "粘包" of Chinese tutorials), or part of one. Which one you
get depends on timing, so it can pass a hundred tests and fail the next day.

客户端用两次 sendall() 先后发送 b"hello" 和 b"world"。这个服务器写得好像第一次
recv() 会返回 b"hello"、第二次返回 b"world"。TCP 不是这样工作的：它是没有消息
边界的字节流，一次 recv() 可能把两条消息粘在一起返回（b"helloworld"，即“粘包”），
也可能只返回一条的一部分。结果取决于时机，所以可能测试一百次都通过，第二天却出错。

FIX: give the bytes a framing the receiver can find: end each message with
b"\n" and read lines (conn.makefile("rb").readline()), or send each message's
length first and recv exactly that many bytes.
修正：给字节加上接收方能识别的分界：每条消息以 b"\n" 结尾并按行读取
（conn.makefile("rb").readline()），或先发送每条消息的长度，再恰好接收那么多字节。

Run / 运行:  python3 mistake_two_recvs_server.py [HOST PORT]    (default 127.0.0.1 7105)
Then / 然后: python3 mistake_two_recvs_client.py [HOST PORT]
"""
import socket
import sys

sys.stdout.reconfigure(line_buffering=True)  # print at once / 立即打印

if len(sys.argv) not in (1, 3):
    sys.exit("usage: mistake_two_recvs_server.py [HOST PORT]")
HOST = sys.argv[1] if len(sys.argv) == 3 else "127.0.0.1"
PORT = int(sys.argv[2]) if len(sys.argv) == 3 else 7105

listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
listener.bind((HOST, PORT))
listener.listen()
print("listening on", listener.getsockname())
conn, addr = listener.accept()
print("connected by", addr)

# We hoped for: recv #1 -> b'hello', recv #2 -> b'world', recv #3 -> b''.
# To show what really happens, read until b'' and print every recv().
# 我们期望：第 1 次 recv -> b'hello'，第 2 次 -> b'world'，第 3 次 -> b''。
# 为了看清实际情况，一直读到 b''，并打印每次 recv() 的结果。
pieces = []
while True:
    data = conn.recv(1024)
    print(f"recv #{len(pieces) + 1} -> {data!r}")
    if not data:
        break
    pieces.append(data)

print(f"got {b''.join(pieces)!r} in {len(pieces)} recv call(s) for 2 messages")
if pieces == [b"hello", b"world"]:
    print("this time each recv returned one message: luck, not a guarantee")
else:
    print("the message boundaries were not kept: TCP is a byte stream")
conn.close()
listener.close()
print("closed")
