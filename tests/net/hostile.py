# tests/net/hostile.py: hostile traffic against an HTTP server on the
# host's loopback, for tests/net/hostile.sh.
#
#   python3 hostile.py PORT CONNS BATCH HALFOPEN RCONNS RBYTES DEADLINE
#
# 1. HALFOPEN connections send a partial request line and hang;
# 2. CONNS connections are opened BATCH at a time (all of a batch open at
#    once), then dropped: a third closed with an RST (SO_LINGER {1, 0}), a
#    third after sending a whole request without reading the answer, a third
#    with a plain close;
# 3. RCONNS connections each send RBYTES bytes from os.urandom, then read
#    what comes back until the server closes (or 10 s pass);
# 4. while the half-open connections still hang, curl fetches /index.html;
# 5. the half-open connections are dropped, half of them with an RST.
# Prints one line per step (the counts, which both runs must print alike)
# and exits 1 if a connection could not be made, the curl did not get 200,
# or DEADLINE seconds passed. The server is at $HOSTILE_HOST (default
# 127.0.0.1; the tests give a tap address in their own network namespace);
# every socket times out.
import os
import socket
import struct
import subprocess
import sys
import time

port, conns, batch, halfopen, rconns, rbytes, deadline = map(int, sys.argv[1:8])
HOST = os.environ.get("HOSTILE_HOST", "127.0.0.1")
end = time.monotonic() + deadline
errors = []


def connect():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(10)
    try:
        s.connect((HOST, port))
    except OSError as e:
        errors.append("connect: %s" % e)
        s.close()
        return None
    return s


def rst_close(s):
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.close()


def late():
    if time.monotonic() > end:
        errors.append("deadline of %d s reached" % deadline)
        return True
    return False


hanging = [s for s in (connect() for _ in range(halfopen)) if s]
for s in hanging:
    try:
        s.sendall(b"GET /index.html HTT")
    except OSError as e:
        errors.append("half-open send: %s" % e)
print("half-open: %d connections hang on a partial request line" % len(hanging))

done = resets = 0
while done < conns and not late():
    group = [connect() for _ in range(min(batch, conns - done))]
    for i, s in enumerate(group):
        if s is None:
            continue
        n = done + i
        if n % 3 == 0:
            rst_close(s)
            resets += 1
            continue
        if n % 3 == 1:
            try:
                s.sendall(b"GET /index.html HTTP/1.1\r\nHost: x\r\n\r\n")
            except OSError:
                pass
        s.close()
    done += len(group)
print("flood: %d connections opened and dropped, %d with an RST" % (done, resets))

sent = 0
for _ in range(rconns):
    if late():
        break
    s = connect()
    if s is None:
        continue
    try:
        s.sendall(os.urandom(rbytes))
        s.shutdown(socket.SHUT_WR)
        while s.recv(65536):
            if late():
                break
    except OSError:
        pass  # the server may reset a connection that sends garbage
    s.close()
    sent += 1
print("random: %d connections sent %d random bytes each" % (sent, rbytes))

code = subprocess.run(
    ["curl", "-s", "-o", "/dev/null", "--max-time", "30", "-w", "%{http_code}",
     "http://%s:%d/index.html" % (HOST, port)],
    capture_output=True, text=True).stdout
print("while %d connections hang: GET /index.html answers %s" % (len(hanging), code))
if code != "200":
    errors.append("curl got %r while connections hang" % code)
for i, s in enumerate(hanging):
    if i % 2:
        rst_close(s)
    else:
        s.close()
print("half-open: %d dropped" % len(hanging))
for e in errors[:10]:
    print("error:", e, file=sys.stderr)
sys.exit(1 if errors else 0)
