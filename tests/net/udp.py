# tests/net/udp.py: a UDP echo server and its client, for tests/net/run.sh.
#   python3 udp.py serve PORT [ADDR]   answers each datagram with "echo: "
#                                      and the datagram (ADDR default: all)
#   python3 udp.py probe PORT          exits 0 if 127.0.0.1:PORT echoes
#   python3 udp.py run PORT            datagrams of 1, 100, 1400 and 8000
#                                      bytes; prints what came back
# The client waits 3 s at most for each answer.
import socket
import sys

mode, port = sys.argv[1], int(sys.argv[2])
if mode == "serve":
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((sys.argv[3] if len(sys.argv) > 3 else "", port))
    while True:
        data, peer = s.recvfrom(65536)
        s.sendto(b"echo: " + data, peer)

c = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
c.settimeout(3)
c.connect(("127.0.0.1", port))
if mode == "probe":
    c.send(b"ping")
    sys.exit(0 if c.recv(65536) == b"echo: ping" else 1)
for n in (1, 100, 1400, 8000):
    data = bytes((i * 13 + n) & 0xff for i in range(n))
    c.send(data)
    try:
        got = c.recv(65536)
    except socket.timeout:
        print("%d bytes: no answer" % n)
        continue
    print("%d bytes: %s" % (n, "echoed" if got == b"echo: " + data else
                            "a different answer of %d bytes" % len(got)))
