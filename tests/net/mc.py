# tests/net/mc.py: a tiny memcached text-protocol client for tests/net/run.sh.
#   python3 mc.py PORT probe   exits 0 when "version" gets a VERSION line
#   python3 mc.py PORT run     set/get/add/incr/append/delete and a 200 KB
#                              value; prints each command and the reply
# Talks to 127.0.0.1 only; every socket operation times out after 20 s.
import socket
import sys

port = int(sys.argv[1])
s = socket.create_connection(("127.0.0.1", port), timeout=20)
buf = b""


def line():
    global buf
    while b"\r\n" not in buf:
        chunk = s.recv(65536)
        if not chunk:
            raise SystemExit("connection closed")
        buf += chunk
    out, buf = buf.split(b"\r\n", 1)
    return out


def exact(n):
    global buf
    while len(buf) < n:
        chunk = s.recv(65536)
        if not chunk:
            raise SystemExit("connection closed")
        buf += chunk
    out, buf = buf[:n], buf[n:]
    return out


def cmd(text, data=None, replies=1):
    req = text.encode() + b"\r\n"
    if data is not None:
        req += data + b"\r\n"
    s.sendall(req)
    got = [line() for _ in range(replies)]
    print(text, "->", " | ".join(g.decode() for g in got))
    return got


if sys.argv[2] == "probe":
    s.sendall(b"version\r\n")
    sys.exit(0 if line().startswith(b"VERSION ") else 1)

cmd("set greeting 5 0 5", b"hello")
cmd("add greeting 0 0 3", b"bye")
s.sendall(b"get greeting\r\n")
hdr = line()
body = exact(5 + 2)
end = line()
print("get greeting ->", hdr.decode(), body[:5].decode(), end.decode())
cmd("set counter 0 0 2", b"40")
cmd("incr counter 2")
cmd("append greeting 0 0 6", b" world")
s.sendall(b"gets greeting\r\n")
hdr = line().split()
print("gets greeting ->", hdr[0].decode(), hdr[1].decode(), hdr[3].decode(),
      exact(int(hdr[3]) + 2)[:-2].decode(), line().decode())
big = bytes((i * 7 + i // 251) & 0xff for i in range(200000))
cmd("set big 0 0 %d" % len(big), big)
s.sendall(b"get big\r\n")
hdr = line()
got = exact(len(big) + 2)[:-2]
print("get big ->", hdr.decode(), "same bytes" if got == big else "DIFFERENT",
      line().decode())
cmd("delete greeting")
s.sendall(b"get greeting\r\n")
print("get greeting after delete ->", line().decode())
cmd("incr nothere 1")
