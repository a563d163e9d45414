# A UDP pair and AF_UNIX sockets (a socketpair, an abstract datagram
# address, a path), as a learner writes them. The traced calls are checked
# against what this program prints.
import os, socket, sys

r = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
r.bind(("127.0.0.1", 0))
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
print("receiver", r.getsockname()[1], "sender", s.getsockname()[1])
s.sendto(b"ping", r.getsockname())
data, addr = r.recvfrom(1024)
assert data == b"ping" and addr == s.getsockname(), (data, addr)
r.sendto(b"pong!", addr)
data, addr = s.recvfrom(1024)
assert data == b"pong!", data

a, b = socket.socketpair()
a.sendall(b"over unix")
assert b.recv(100) == b"over unix"

name = b"\0sockscope-trace-test-%d" % os.getpid()
u = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
u.bind(name)
v = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
v.sendto(b"abstract", name)
assert u.recv(100) == b"abstract"

path = sys.argv[1]
w = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
w.bind(path)
v.sendto(b"by path", path)
data, addr = w.recvfrom(100)
assert data == b"by path", data
for x in (r, s, a, b, u, v, w):
    x.close()
print("ok")
