# A thread-per-client TCP server and three client threads, in one process.
# It prints the main thread's id and each client thread's id by message.
import socket, threading

srv = socket.socket()
srv.bind(("127.0.0.1", 0))
srv.listen(4)
addr = srv.getsockname()

def handle(c):
    data = c.recv(100)
    c.sendall(data.upper())
    c.close()

out = {}
tids = {}

def client(i):
    tids[i] = threading.get_native_id()
    s = socket.create_connection(addr)
    s.sendall(b"thread %d" % i)
    out[i] = s.recv(100)
    s.close()

clients = [threading.Thread(target=client, args=(i,)) for i in range(3)]
for t in clients:
    t.start()
handlers = []
for _ in range(3):
    c, _ = srv.accept()
    h = threading.Thread(target=handle, args=(c,))
    h.start()
    handlers.append(h)
for t in clients + handlers:
    t.join()
srv.close()
assert [out[i] for i in range(3)] == [b"THREAD 0", b"THREAD 1", b"THREAD 2"], out
print("main", threading.get_native_id())
for i in range(3):
    print("client", i, tids[i])
