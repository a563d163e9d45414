#!/usr/bin/env python3
"""TCP echo client: sends two messages, reads each echo, closes.
TCP 回声客户端：发送两条消息，读回每条的回声，然后关闭。

Run / 运行:  python3 echo_client.py [HOST PORT]    (default 127.0.0.1 7101)
Start echo_server.py first. / 先启动 echo_server.py。
"""
import socket
import sys

sys.stdout.reconfigure(line_buffering=True)  # print at once / 立即打印

if len(sys.argv) not in (1, 3):
    sys.exit("usage: echo_client.py [HOST PORT]")
HOST = sys.argv[1] if len(sys.argv) == 3 else "127.0.0.1"
PORT = int(sys.argv[2]) if len(sys.argv) == 3 else 7101

MESSAGES = [b"hello", "你好, socket".encode("utf-8")]  # bytes, not str / 发送的是字节，不是字符串

sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
# connect() does the three-way handshake; the kernel picks our own port.
# connect() 完成三次握手；我们这一端的端口由内核选择。
sock.connect((HOST, PORT))
print("connected to", sock.getpeername(), "from", sock.getsockname())

ok = True
for msg in MESSAGES:
    sock.sendall(msg)
    print(f"sendall({msg!r})")
    # TCP is a byte stream: the echo may arrive in pieces, so keep reading
    # until we have as many bytes as we sent.
    # TCP 是字节流：回声可能分几次到达，所以一直读，直到收到和发送一样多的字节。
    echo = b""
    while len(echo) < len(msg):
        chunk = sock.recv(1024)
        print("recv ->", chunk)
        if not chunk:  # the server closed early / 服务器提前关闭了
            break
        echo += chunk
    print(f"sent {msg!r}, echo {echo!r}")
    ok = ok and echo == msg

# close() sends our FIN; the server's recv() then returns b''.
# close() 发出 FIN；服务器的 recv() 随后返回 b''。
sock.close()
print("closed")
sys.exit(0 if ok else "the echo differs from what was sent")
