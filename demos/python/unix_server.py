#!/usr/bin/env python3
"""AF_UNIX stream echo server: like echo_server.py, but over a socket file.
AF_UNIX 流式回声服务器：和 echo_server.py 一样，只是通过一个套接字文件通信。

Run / 运行:  python3 unix_server.py [PATH]    (default $TMPDIR/sockscope-echo.sock, or /tmp/...)
Then / 然后: python3 unix_client.py [PATH]
"""
import os
import socket
import stat
import sys

sys.stdout.reconfigure(line_buffering=True)  # print at once / 立即打印

if len(sys.argv) > 2:
    sys.exit("usage: unix_server.py [PATH]")
PATH = sys.argv[1] if len(sys.argv) == 2 else os.path.join(os.environ.get("TMPDIR") or "/tmp", "sockscope-echo.sock")

# bind() creates the file and fails (EADDRINUSE) if it already exists, e.g.
# left over by an earlier run that was killed. Remove it, but only if it
# really is a socket.
# bind() 会创建这个文件；如果文件已存在（例如上次运行被杀掉后留下的），就会失败
# （EADDRINUSE）。所以先删除它，但只在它确实是套接字文件时才删。
try:
    if stat.S_ISSOCK(os.lstat(PATH).st_mode):
        os.unlink(PATH)
        print("removed stale", PATH)
except FileNotFoundError:
    pass

listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
listener.bind(PATH)
try:
    listener.listen()
    print("listening on", repr(listener.getsockname()))

    conn, addr = listener.accept()
    # The client did not bind, so it has no name: addr is ''.
    # 客户端没有 bind，所以它没有名字：addr 是 ''。
    print("connected by", repr(addr))
    while True:
        data = conn.recv(1024)
        print("recv ->", data)
        if not data:  # the client closed / 客户端关闭了
            break
        conn.sendall(data)
        print(f"sendall({data!r})")
    conn.close()
    listener.close()
    print("closed")
finally:
    # Closing the socket does NOT remove its file: unlink it ourselves.
    # 关闭套接字不会删除它的文件：要自己 unlink。
    os.unlink(PATH)
    print("unlinked", PATH)
