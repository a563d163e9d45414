#!/usr/bin/env python3
"""TCP echo server: sends back whatever one client sends, then exits.
TCP 回声服务器：把一个客户端发来的数据原样发回，然后退出。

Run / 运行:  python3 echo_server.py [HOST PORT]    (default 127.0.0.1 7101)
Then / 然后: python3 echo_client.py [HOST PORT]
"""
import socket
import sys

# Print each line at once, even into a pipe, so the order of events shows.
# 即使输出到管道也逐行立即打印，这样事件的顺序一目了然。
sys.stdout.reconfigure(line_buffering=True)

if len(sys.argv) not in (1, 3):
    sys.exit("usage: echo_server.py [HOST PORT]")
HOST = sys.argv[1] if len(sys.argv) == 3 else "127.0.0.1"
PORT = int(sys.argv[2]) if len(sys.argv) == 3 else 7101

listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
# Let a restarted server bind the port again at once, even while the last
# connection on it is still in TIME_WAIT.
# 允许重启的服务器立即重新绑定这个端口，即使上一个连接还处于 TIME_WAIT。
listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
listener.bind((HOST, PORT))
listener.listen()
print("listening on", listener.getsockname())

# accept() waits for a client and returns a NEW socket for that connection;
# the listener itself never carries data.
# accept() 等待客户端连接，并为这个连接返回一个新的套接字；监听套接字本身从不收发数据。
conn, addr = listener.accept()
print("connected by", addr)

while True:
    data = conn.recv(1024)  # up to 1024 bytes, maybe fewer / 最多 1024 字节，可能更少
    print("recv ->", data)
    if not data:
        # b'' means the client closed its side: no more data will come.
        # b'' 表示客户端关闭了它那一端：不会再有数据了。
        break
    # sendall() repeats send() until every byte is handed to the kernel.
    # sendall() 会反复调用 send()，直到所有字节都交给内核。
    conn.sendall(data)
    print(f"sendall({data!r})")

conn.close()
listener.close()  # one client only, so the trace ends / 只服务一个客户端，跟踪随之结束
print("closed")
