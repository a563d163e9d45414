#!/usr/bin/env python3
"""MISTAKE: a server that never closes the connection. 错误：服务器从不关闭连接。

The client sends a request and then reads the answer until recv() returns
b'', i.e. until the server closes (as HTTP/1.0 clients do). This server
sends the answer but never calls conn.close(), so no FIN is sent and the
client's recv() just waits: b'' never comes. Here the client gives up after
1 s (settimeout), prints the timeout, closes its socket and exits.
客户端发出请求，然后一直读回复，直到 recv() 返回 b''，也就是直到服务器关闭连接
（HTTP/1.0 客户端就是这样做的）。这个服务器发了回复，却从不调用 conn.close()，
所以不会发出 FIN，客户端的 recv() 只能一直等：b'' 永远不会来。在这里，客户端
1 秒后放弃（settimeout），打印超时，关闭自己的套接字并退出。

What happens next, exactly / 接下来具体发生什么:
1. The client's close() sends its FIN. Our recv() returns b''. Our socket is
   now in CLOSE_WAIT: the peer is done, we are not.
   客户端的 close() 发出 FIN。我们的 recv() 返回 b''。我们的套接字进入
   CLOSE_WAIT：对方已经结束，我们还没有。
2. We still do not close it, and exit. The socket object is kept in the
   `clients` list (as real servers keep their connections), so it stays open
   until the program ends; then Python's own clean-up at exit closes it -- a
   close() you will see in sockscope's trace but that nobody wrote -- and
   only then the kernel sends our FIN. (If the process were killed, or a C
   program forgot close(), the kernel would close it as the process died:
   the same FIN, just as late.)
   我们仍然不关闭它，直接退出。这个套接字对象保存在 `clients` 列表里（真实的
   服务器也会这样保存连接），所以它一直打开到程序结束；这时 Python 退出时的清理
   工作把它关闭——你会在 sockscope 的跟踪里看到这次 close()，但没有人写过它——
   直到这时内核才发出我们的 FIN。（如果进程被杀掉，或 C 程序忘了 close()，内核会在
   进程结束时关闭它：同样的 FIN，同样地晚。）
A long-running server with this bug keeps every such socket open in
CLOSE_WAIT (`ss -tan state close-wait`) until it runs out of file descriptors.
有这个错误的长期运行的服务器会让每个这样的套接字一直停在 CLOSE_WAIT
（`ss -tan state close-wait` 可以看到），直到文件描述符耗尽。

FIX: conn.close() (or `with conn:`) as soon as the answer is sent.
修正：回复发完后立即 conn.close()（或使用 `with conn:`）。

Run / 运行:  python3 mistake_no_close_server.py [HOST PORT]    (default 127.0.0.1 7106)
Then / 然后: python3 mistake_no_close_client.py [HOST PORT]
"""
import socket
import sys

sys.stdout.reconfigure(line_buffering=True)  # print at once / 立即打印

if len(sys.argv) not in (1, 3):
    sys.exit("usage: mistake_no_close_server.py [HOST PORT]")
HOST = sys.argv[1] if len(sys.argv) == 3 else "127.0.0.1"
PORT = int(sys.argv[2]) if len(sys.argv) == 3 else 7106

clients = []  # every connection we accepted / 我们接受的所有连接

listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
listener.bind((HOST, PORT))
listener.listen()
print("listening on", listener.getsockname())
conn, addr = listener.accept()
clients.append(conn)
print("connected by", addr)
listener.close()  # one client only / 只服务一个客户端

request = conn.recv(1024)
print("recv ->", request)
answer = b"the answer to " + request
conn.sendall(answer)
print(f"sendall({answer!r})")
# MISTAKE: no conn.close() here. 错误：这里没有 conn.close()。

# So that this demo ends, wait for the client to give up and leave.
# 为了让这个演示能结束，等客户端放弃并离开。
data = conn.recv(1024)
print("recv ->", data, "(the client closed; we still never close our side)")
print("exiting without conn.close()")
