# tests/net/sendexit.py: a server that answers and exits at once, with its
# answer still in the kernel's send queue (tests/net/run.sh, check
# "send-exit"). On Linux the kernel delivers it after the process is gone;
# in Skiff the program's exit ends the VM, which must first deliver it.
#   python3 sendexit.py serve PORT [ADDR]  "probe" -> "ok"; "big" -> 8 MiB
#                                          sent, then _exit(0), no close
#   python3 sendexit.py probe PORT         exits 0 if the server answers ok
#   python3 sendexit.py fetch PORT         prints the size and sha256 of
#                                          what "big" brings until EOF
# Every client socket times out after 30 s.
import hashlib
import os
import socket
import sys

mode, port = sys.argv[1], int(sys.argv[2])
if mode == "serve":
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((sys.argv[3] if len(sys.argv) > 3 else "", port))
    s.listen(8)
    data = bytes((i * 7) & 0xff for i in range(1 << 16)) * 128
    while True:
        c, _ = s.accept()
        if c.recv(16).startswith(b"big"):
            c.sendall(data)
            os._exit(0)
        c.sendall(b"ok")
        c.close()

c = socket.create_connection(("127.0.0.1", port), timeout=30)
if mode == "probe":
    c.sendall(b"probe")
    sys.exit(0 if c.recv(16) == b"ok" else 1)
c.sendall(b"big")
h, n = hashlib.sha256(), 0
while True:
    b = c.recv(1 << 20)
    if not b:
        break
    h.update(b)
    n += len(b)
print("after the server's exit: %d bytes, sha256 %s" % (n, h.hexdigest()[:16]))
