# tests/net/reuse.py: a TCP server that closes every connection first, and
# a client that connects to it again and again from one port, for
# tests/net/run.sh (check "port-reuse").
#   python3 reuse.py serve PORT [ADDR]  accepts, sends "bye", closes (its
#                                       side waits in TIME-WAIT)
#   python3 reuse.py probe PORT         exits 0 if 127.0.0.1:PORT says bye
#   python3 reuse.py run PORT [N]       N (20) connections from one port
#                                       (SO_REUSEADDR), each read to the
#                                       server's end of file; prints how
#                                       many came through
# The server's side of each connection is in TIME-WAIT when the next one
# comes from the same port: in Skiff that SYN hung until the client gave
# up (QEMU's user networking hands the guest the host client's own
# port). Each connect and read waits 10 s at most: a bound, not a speed.
import socket
import sys

mode, port = sys.argv[1], int(sys.argv[2])
if mode == "serve":
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((sys.argv[3] if len(sys.argv) > 3 else "", port))
    s.listen(16)
    while True:
        c, _ = s.accept()
        c.sendall(b"bye")
        c.close()


def once(local):
    """One connection from port local (0: any); its bytes and its port."""
    c = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    c.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    c.settimeout(10)
    try:
        c.bind(("127.0.0.1", local))
        c.connect(("127.0.0.1", port))
        got = b""
        while True:
            b = c.recv(100)
            if not b:
                break
            got += b
        return got, c.getsockname()[1]
    finally:
        c.close()


if mode == "probe":
    sys.exit(0 if once(0)[0] == b"bye" else 1)
n = int(sys.argv[3]) if len(sys.argv) > 3 else 20
local = done = 0
for i in range(n):
    try:
        got, local = once(local)
    except OSError as e:
        print(f"connection {i + 1}: {type(e).__name__}")
        break
    if got != b"bye":
        print(f"connection {i + 1}: got {got!r}")
        break
    done += 1
print(f"connections from one port: {done} of {n} said bye")
