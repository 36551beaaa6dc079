#!/usr/bin/python3
# tests/net/netns_skiff.py: a stand-in for `skiff run`, to check the Skiff
# side of tests/net/run.sh without a VM (a developer's tool, not part of
# make test; needs root for its network namespace):
#
#   NET_SKIFF=tests/net/netns_skiff.py tests/net/run.sh redis nginx
#
# Runs PROGRAM natively in a fresh network namespace (only lo, up), the way
# the guest has its own addresses, and forwards each `-p 127.0.0.1:H:G[/udp]`
# from the host's 127.0.0.1:H to 127.0.0.1:G inside. Like QEMU's hostfwd it
# accepts a connection before anything listens inside (then drops it). A
# SIGTERM goes to the program (as skiff passes it on); the exit status is
# the program's, 128+N if a signal N killed it. Other skiff options are
# accepted and ignored (--dir and --file: the host's files are there);
# -e KEY=VAL is honoured. 10.0.2.2 does not exist inside: the "fetch" check
# fails here, and no kernel log means "hostile" fails on its memory lines.
import ctypes
import fcntl
import os
import signal
import socket
import struct
import sys
import threading

CLONE_NEWNET = 0x40000000
SIOCGIFFLAGS, SIOCSIFFLAGS, IFF_UP = 0x8913, 0x8914, 1

args = sys.argv[1:]
if not args or args.pop(0) != "run":
    sys.exit("usage: netns_skiff.py run [OPTIONS] PROGRAM [ARGS...]")
fwd = []
env = {"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
       "HOME": "/"}
while args and args[0].startswith("-"):
    o = args.pop(0)
    if o in ("--machine", "--accel", "-m", "--memory", "--dir", "--file"):
        args.pop(0)
    elif o == "-p":
        h = args.pop(0).split(":")
        g = h[-1].split("/")
        fwd.append((int(h[-2]), int(g[0]), g[1:] == ["udp"]))
    elif o == "-e":
        k, _, v = args.pop(0).partition("=")
        env[k] = v
libc = ctypes.CDLL(None, use_errno=True)

tcp, udp = [], []
for h, g, is_udp in fwd:
    s = socket.socket(type=socket.SOCK_DGRAM if is_udp else socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", h))
    if is_udp:
        udp.append((s, g))
    else:
        s.listen(128)
        tcp.append((s, g))

# The child makes the namespace and brings lo up, then waits until the
# parent has joined it before it execs the program.
unshared_r, unshared_w = os.pipe()
go_r, go_w = os.pipe()
pid = os.fork()
if pid == 0:
    if libc.unshare(CLONE_NEWNET) != 0:
        os._exit(125)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    ifr = fcntl.ioctl(s, SIOCGIFFLAGS, struct.pack("16sH", b"lo", 0))
    flags = struct.unpack("16sH", ifr[:18])[1]
    fcntl.ioctl(s, SIOCSIFFLAGS, struct.pack("16sH", b"lo", flags | IFF_UP))
    os.write(unshared_w, b"x")
    os.read(go_r, 1)
    os.execve(args[0], args, env)
if os.read(unshared_r, 1) != b"x":
    sys.exit(125)
if libc.setns(os.open("/proc/%d/ns/net" % pid, os.O_RDONLY), CLONE_NEWNET):
    sys.exit(125)
os.write(go_w, b"x")


def reset(s):
    try:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        s.close()
    except OSError:
        pass


def pump(a, b):
    try:
        while True:
            d = a.recv(65536)
            if not d:
                b.shutdown(socket.SHUT_WR)
                return
            b.sendall(d)
    except OSError:
        reset(a)
        reset(b)


def serve_tcp(lsock, g):
    while True:
        c, _ = lsock.accept()
        try:
            u = socket.create_connection(("127.0.0.1", g))
        except OSError:
            c.close()
            continue
        threading.Thread(target=pump, args=(c, u), daemon=True).start()
        threading.Thread(target=pump, args=(u, c), daemon=True).start()


def serve_udp(hsock, g):
    peers = {}

    def back(b, peer):
        try:
            while True:
                hsock.sendto(b.recv(65536), peer)
        except OSError:
            return

    while True:
        d, peer = hsock.recvfrom(65536)
        if peer not in peers:
            b = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            b.connect(("127.0.0.1", g))
            peers[peer] = b
            threading.Thread(target=back, args=(b, peer), daemon=True).start()
        try:
            peers[peer].send(d)
        except OSError:
            pass


for s, g in tcp:
    threading.Thread(target=serve_tcp, args=(s, g), daemon=True).start()
for s, g in udp:
    threading.Thread(target=serve_udp, args=(s, g), daemon=True).start()
for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGQUIT):
    signal.signal(sig, lambda signo, frame: os.kill(pid, signo))
_, status = os.waitpid(pid, 0)
if os.WIFSIGNALED(status):
    signal.signal(os.WTERMSIG(status), signal.SIG_DFL)
    os.kill(os.getpid(), os.WTERMSIG(status))
sys.exit(os.waitstatus_to_exitcode(status))
