# File I/O (not reported) and one socket exchange (reported).
import os, socket, sys

path = sys.argv[1]
with open(path, "wb") as f:
    f.write(b"file bytes " * 10)
with open(path, "rb") as f:
    assert f.read() == b"file bytes " * 10
a, b = socket.socketpair()
a.send(b"sock bytes")
assert b.recv(100) == b"sock bytes"
os.write(1, b"to stdout\n")
r, w = os.pipe()
os.write(w, b"pipe bytes")
assert os.read(r, 100) == b"pipe bytes"
