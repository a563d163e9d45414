#!/usr/bin/env python3
"""Client for mistake_no_close_server.py: reads the answer until b'', which never comes.
mistake_no_close_server.py 的客户端：一直读回复直到 b''，而 b'' 永远不会来。

Reading until b'' is this client's way to know the answer is complete; it
needs the server to close. Without the timeout it would wait forever. See the
server's comments for the mistake and its fix.
读到 b'' 是这个客户端判断回复已完整的方法；这需要服务器关闭连接。如果没有超时，
它会永远等下去。错误及修正见服务器文件里的注释。

Run / 运行:  python3 mistake_no_close_client.py [HOST PORT]    (default 127.0.0.1 7106)
"""
import socket
import sys

sys.stdout.reconfigure(line_buffering=True)  # print at once / 立即打印

if len(sys.argv) not in (1, 3):
    sys.exit("usage: mistake_no_close_client.py [HOST PORT]")
HOST = sys.argv[1] if len(sys.argv) == 3 else "127.0.0.1"
PORT = int(sys.argv[2]) if len(sys.argv) == 3 else 7106
TIMEOUT = 1.0

sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
sock.connect((HOST, PORT))
print("connected from", sock.getsockname())
sock.sendall(b"my question")
print("sendall(b'my question')")

# From now on every recv() waits at most TIMEOUT seconds (Python waits with
# poll() and raises TimeoutError when nothing came).
# 从现在起每次 recv() 最多等 TIMEOUT 秒（Python 用 poll() 等待，超时抛出 TimeoutError）。
sock.settimeout(TIMEOUT)
answer = b""
try:
    while True:
        data = sock.recv(1024)
        print("recv ->", data)
        if not data:
            print("the server closed: answer complete")
            break
        answer += data
except TimeoutError:
    print(f"timed out after {TIMEOUT} s waiting for b'': the server never closed")
print(f"answer so far: {answer!r}")

# Our close() sends a FIN; the server's recv() returns b''.
# 我们的 close() 发出 FIN；服务器的 recv() 返回 b''。
sock.close()
print("closed")
