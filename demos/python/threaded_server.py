#!/usr/bin/env python3
"""Thread-per-client TCP echo server: serves N clients (default 3), then exits.
每个客户端一个线程的 TCP 回声服务器：服务 N 个客户端（默认 3 个）后退出。

Run / 运行:  python3 threaded_server.py [HOST PORT [N]]    (default 127.0.0.1 7102 3)
Then / 然后: python3 threaded_client.py [HOST PORT [N]]
"""
import socket
import sys
import threading

sys.stdout.reconfigure(line_buffering=True)  # print at once / 立即打印

if len(sys.argv) not in (1, 3, 4):
    sys.exit("usage: threaded_server.py [HOST PORT [N]]")
HOST = sys.argv[1] if len(sys.argv) >= 3 else "127.0.0.1"
PORT = int(sys.argv[2]) if len(sys.argv) >= 3 else 7102
N = int(sys.argv[3]) if len(sys.argv) == 4 else 3

# Threads share stdout: one lock keeps their lines whole.
# 各线程共用标准输出：用一把锁保证每行不被打断。
print_lock = threading.Lock()


def log(*args):
    with print_lock:
        print(f"[{threading.current_thread().name}]", *args)


def serve(conn, addr):
    """Echo one client until it closes; runs in its own thread.
    为一个客户端回声直到它关闭；在自己的线程里运行。"""
    while True:
        data = conn.recv(1024)  # blocks only this thread / 只阻塞这个线程
        log("recv ->", data)
        if not data:
            break
        conn.sendall(data)
        log(f"sendall({data!r})")
    conn.close()
    log("closed", addr)


listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
listener.bind((HOST, PORT))
listener.listen()
log("listening on", listener.getsockname())

# The main thread only accepts; each connection gets a thread of its own,
# so one slow client does not keep the others waiting.
# 主线程只负责 accept；每个连接有自己的线程，一个慢客户端不会让其他客户端等待。
threads = []
for i in range(1, N + 1):
    conn, addr = listener.accept()
    log("connected by", addr)
    t = threading.Thread(target=serve, args=(conn, addr), name=f"handler-{i}")
    t.start()
    threads.append(t)

listener.close()  # no more clients / 不再接受新的客户端
for t in threads:
    t.join()  # wait until every client is served / 等所有客户端服务完毕
log("served", N, "clients")
