#!/usr/bin/env python3
"""AF_UNIX stream echo client: sends two messages over a socket file.
AF_UNIX 流式回声客户端：通过套接字文件发送两条消息。

Run / 运行:  python3 unix_client.py [PATH]    (default $TMPDIR/sockscope-echo.sock, or /tmp/...)
Start unix_server.py first. / 先启动 unix_server.py。
"""
import os
import socket
import sys

sys.stdout.reconfigure(line_buffering=True)  # print at once / 立即打印

if len(sys.argv) > 2:
    sys.exit("usage: unix_client.py [PATH]")
PATH = sys.argv[1] if len(sys.argv) == 2 else os.path.join(os.environ.get("TMPDIR") or "/tmp", "sockscope-echo.sock")

# Same calls as over TCP; the address is a file name instead of (host, port),
# and no packet ever reaches a network interface.
# 调用和 TCP 完全一样；地址是文件名而不是 (主机, 端口)，数据包也不会经过任何网卡。
sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
sock.connect(PATH)
print("connected to", repr(sock.getpeername()))

ok = True
for msg in [b"hello", b"over a socket file"]:
    sock.sendall(msg)
    print(f"sendall({msg!r})")
    echo = b""
    while len(echo) < len(msg):  # a stream may deliver in pieces / 字节流可能分段到达
        chunk = sock.recv(1024)
        print("recv ->", chunk)
        if not chunk:
            break
        echo += chunk
    print(f"sent {msg!r}, echo {echo!r}")
    ok = ok and echo == msg

sock.close()
print("closed")
sys.exit(0 if ok else "the echo differs from what was sent")
