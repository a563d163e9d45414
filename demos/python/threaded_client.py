#!/usr/bin/env python3
"""Starts N client threads (default 3) that each talk to threaded_server.py at once.
启动 N 个客户端线程（默认 3 个），同时与 threaded_server.py 通信。

Run / 运行:  python3 threaded_client.py [HOST PORT [N]]    (default 127.0.0.1 7102 3)
"""
import socket
import sys
import threading

sys.stdout.reconfigure(line_buffering=True)  # print at once / 立即打印

if len(sys.argv) not in (1, 3, 4):
    sys.exit("usage: threaded_client.py [HOST PORT [N]]")
HOST = sys.argv[1] if len(sys.argv) >= 3 else "127.0.0.1"
PORT = int(sys.argv[2]) if len(sys.argv) >= 3 else 7102
N = int(sys.argv[3]) if len(sys.argv) == 4 else 3

print_lock = threading.Lock()
failures = []  # names of clients whose echo was wrong / 回声不对的客户端


def log(*args):
    with print_lock:
        print(f"[{threading.current_thread().name}]", *args)


def client(i):
    """One connection: send one message, read its echo, close.
    一个连接：发送一条消息，读回回声，关闭。"""
    msg = f"hello from client {i}".encode()
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.connect((HOST, PORT))
    log("connected from", sock.getsockname())
    sock.sendall(msg)
    log(f"sendall({msg!r})")
    echo = b""
    while len(echo) < len(msg):  # a stream may deliver in pieces / 字节流可能分段到达
        chunk = sock.recv(1024)
        log("recv ->", chunk)
        if not chunk:
            break
        echo += chunk
    log(f"sent {msg!r}, echo {echo!r}")
    if echo != msg:
        failures.append(threading.current_thread().name)
    sock.close()
    log("closed")


threads = [threading.Thread(target=client, args=(i,), name=f"client-{i}") for i in range(1, N + 1)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print("done:", N - len(failures), "of", N, "echoes correct")
sys.exit(1 if failures else 0)
