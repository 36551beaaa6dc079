#!/usr/bin/env python3
"""tests/skiff/redis_client.py PORT: a redis client that stays connected
to 127.0.0.1:PORT while tests/skiff/instances.sh migrates the server, and
says what it saw: "connected", then one last line, "ended by EOF after N
PONGs", "ended by a reset after N PONGs", "ended: no reply for 30 s after
N PONGs", or "still connected after 120 s, N PONGs". It sends PING every
50 ms on one connection (RESP inline commands)."""
import socket
import sys
import time

port = int(sys.argv[1])
s = socket.create_connection(("127.0.0.1", port), timeout=30)
print("connected", flush=True)
pongs = 0
end = time.monotonic() + 120
outcome = None
while time.monotonic() < end:
    try:
        s.sendall(b"PING\r\n")
        reply = b""
        while not reply.endswith(b"\r\n"):
            chunk = s.recv(64)
            if not chunk:
                outcome = "ended by EOF"
                break
            reply += chunk
    except socket.timeout:
        outcome = "ended: no reply for 30 s"
    except (ConnectionResetError, BrokenPipeError):
        outcome = "ended by a reset"
    if outcome:
        break
    if reply != b"+PONG\r\n":
        outcome = "ended by an unexpected reply %r" % reply
        break
    pongs += 1
    time.sleep(0.05)
if outcome:
    print("%s after %d PONGs" % (outcome, pongs))
else:
    print("still connected after 120 s, %d PONGs" % pongs)
