#!/usr/bin/env python3
"""UDP client: sends 3 datagrams and reads the answer to each.
UDP 客户端：发送 3 个数据报，并读取每个的回复。

Run / 运行:  python3 udp_client.py [HOST PORT]    (default 127.0.0.1 7103)
Start udp_server.py first. / 先启动 udp_server.py。
"""
import socket
import sys

sys.stdout.reconfigure(line_buffering=True)  # print at once / 立即打印

if len(sys.argv) not in (1, 3):
    sys.exit("usage: udp_client.py [HOST PORT]")
HOST = sys.argv[1] if len(sys.argv) == 3 else "127.0.0.1"
PORT = int(sys.argv[2]) if len(sys.argv) == 3 else 7103
COUNT = 3

sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
# UDP may lose a datagram, and then recvfrom() would wait forever: give up
# after 2 seconds instead.
# UDP 可能丢包，那样 recvfrom() 会永远等下去：所以 2 秒后放弃。
sock.settimeout(2.0)

ok = True
for i in range(1, COUNT + 1):
    msg = f"ping {i}".encode()
    sock.sendto(msg, (HOST, PORT))
    print(f"sendto({msg!r})")
    if i == 1:
        # No bind() was called: the kernel gave us a port at the first sendto().
        # 没有调用 bind()：内核在第一次 sendto() 时给我们分配了端口。
        print("our address, picked by the kernel:", sock.getsockname())
    try:
        data, addr = sock.recvfrom(2048)
    except socket.timeout:
        print("no answer within 2 s (datagram lost, or no server)")
        ok = False
        break
    print(f"recvfrom -> {data!r} from {addr}")
    ok = ok and data == msg.upper()

sock.close()
print("closed")
sys.exit(0 if ok else 1)
