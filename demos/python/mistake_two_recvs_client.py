#!/usr/bin/env python3
"""Client for mistake_two_recvs_server.py: sends two messages back to back.
mistake_two_recvs_server.py 的客户端：连续发送两条消息。

Nothing is wrong in this file by itself; the mistake is the belief that the
server will receive b"hello" and b"world" as two separate pieces. See the
server's comments.
这个文件本身没有错；错的是以为服务器会分两次分别收到 b"hello" 和 b"world"。
详见服务器文件里的注释。

Run / 运行:  python3 mistake_two_recvs_client.py [HOST PORT]    (default 127.0.0.1 7105)
"""
import socket
import sys

sys.stdout.reconfigure(line_buffering=True)  # print at once / 立即打印

if len(sys.argv) not in (1, 3):
    sys.exit("usage: mistake_two_recvs_client.py [HOST PORT]")
HOST = sys.argv[1] if len(sys.argv) == 3 else "127.0.0.1"
PORT = int(sys.argv[2]) if len(sys.argv) == 3 else 7105

sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
sock.connect((HOST, PORT))
print("connected from", sock.getsockname())
# Two sends, no marker between them: the receiver cannot tell where b"hello"
# ends. (Sending b"hello\n" and b"world\n" would let it.)
# 两次发送之间没有任何分隔标记：接收方无法知道 b"hello" 在哪里结束。
# （如果发送 b"hello\n" 和 b"world\n"，接收方就能区分。）
sock.sendall(b"hello")
print("sendall(b'hello')")
sock.sendall(b"world")
print("sendall(b'world')")
sock.close()  # the server's recv() then returns b'' / 服务器的 recv() 随后返回 b''
print("closed")
