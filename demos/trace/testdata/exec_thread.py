# A thread that is not the main one execs, while another thread waits in
# recv: the process keeps its pid, the exec'ing thread takes it as its
# tid, the waiting thread is gone, and the new program's calls are traced.
import os, socket, sys, threading, time

if len(sys.argv) > 1:
    a, b = socket.socketpair()
    a.send(b"after exec")
    assert b.recv(100) == b"after exec"
    print(os.getpid(), threading.get_native_id())
    sys.exit(0)

a, b = socket.socketpair()
a.send(b"before exec")
waiting = {}

def wait():
    waiting["tid"] = threading.get_native_id()
    b.recv(100)  # the first recv returns the bytes above
    b.recv(100)  # nothing more will come: it waits here until the exec

def is_waiting(tid):
    # the thread sleeps inside recvfrom (the tracer has let the call in)
    try:
        with open("/proc/self/task/%d/stat" % tid) as f:
            state = f.read().rsplit(")", 1)[1].split()[0]
        with open("/proc/self/task/%d/syscall" % tid) as f:
            nr = int(f.read().split()[0])
    except (OSError, ValueError):
        return False
    return state == "S" and nr == {"x86_64": 45, "aarch64": 207}[os.uname().machine]

def execer():
    while "tid" not in waiting or not is_waiting(waiting["tid"]):
        time.sleep(0.001)  # polls the thread's state, which has no event
    print(os.getpid(), threading.get_native_id(), waiting["tid"], flush=True)
    os.execv(sys.executable, [sys.executable, __file__, "again"])

threading.Thread(target=wait).start()
threading.Thread(target=execer).start()
threading.Event().wait()  # the main thread waits too (in futex, untraced)
