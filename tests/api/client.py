#!/usr/bin/env python3
"""tests/api/client.py: raw HTTP clients for tests/api/run.sh, to
127.0.0.1 only, every wait bounded.

  client.py status PORT TOKEN|- HEAD      send HEAD (Python escapes: \\r\\n)
                                          as is, print the status code
  client.py keepalive PORT TOKEN          two requests on one connection:
                                          print both statuses
  client.py load PORT TOKEN N APPPORT     open N connections at once, send
                                          a request on each and read the
                                          answers for 20 s (200, or 503 past
                                          the API's limit; "other" counts
                                          any other), then a new API request
                                          and one to the program's server,
                                          all of them still open: print
                                          "opened N other N api STATUS app
                                          BODY (counts by status)"
  client.py slow PORT TOKEN APPPORT       a client sending one byte a second
                                          while others ask: print "api
                                          STATUS app BODY slow STATUS|closed"
"""
import socket
import sys
import threading
import time

HOST = "127.0.0.1"


def status_of(data):
    line = data.split(b"\r\n", 1)[0].split()
    return line[1].decode() if len(line) > 1 else "none"


def recv_response(s, timeout=30):
    """One whole response (by Content-Length); b"" if none."""
    s.settimeout(timeout)
    data = b""
    try:
        while b"\r\n\r\n" not in data:
            chunk = s.recv(65536)
            if not chunk:
                return data
            data += chunk
        head, body = data.split(b"\r\n\r\n", 1)
        length = 0
        for line in head.split(b"\r\n")[1:]:
            k, _, v = line.partition(b":")
            if k.strip().lower() == b"content-length":
                length = int(v.strip())
        while len(body) < length:
            chunk = s.recv(65536)
            if not chunk:
                break
            body += chunk
        return head + b"\r\n\r\n" + body
    except OSError:
        return data


def request(port, token, path, close=True):
    auth = "Authorization: Bearer %s\r\n" % token if token != "-" else ""
    conn = "Connection: close\r\n" if close else ""
    return ("GET %s HTTP/1.1\r\nHost: x\r\n%s%s\r\n" % (path, auth, conn)).encode()


def ask(port, data, timeout=30):
    with socket.create_connection((HOST, port), timeout=timeout) as s:
        s.sendall(data)
        return recv_response(s, timeout)


def app_body(port):
    try:
        r = ask(port, b"GET / HTTP/1.0\r\n\r\n")
        return r.split(b"\r\n\r\n", 1)[1].decode().strip() or "empty"
    except (OSError, IndexError):
        return "none"


def cmd_status(port, token, head):
    data = head.encode().decode("unicode_escape").encode("latin-1")
    try:
        print(status_of(ask(port, data)))
    except OSError as e:
        print("error", e)


def cmd_keepalive(port, token):
    with socket.create_connection((HOST, port), timeout=30) as s:
        s.sendall(request(port, token, "/os/name", close=False))
        a = status_of(recv_response(s))
        s.sendall(request(port, token, "/os/uptime", close=False))
        b = status_of(recv_response(s))
    print(a, b)


def open_many(port, n, budget):
    """n connections started at once (non-blocking), waited for at most
    budget seconds: the connected ones."""
    import selectors
    sel = selectors.DefaultSelector()
    pending = 0
    for _ in range(n):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setblocking(False)
        s.connect_ex((HOST, port))
        sel.register(s, selectors.EVENT_WRITE)
        pending += 1
    done = []
    deadline = time.time() + budget
    while pending and time.time() < deadline:
        for key, _ in sel.select(timeout=1):
            s = key.fileobj
            sel.unregister(s)
            pending -= 1
            if s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) == 0:
                done.append(s)
            else:
                s.close()
    for key in list(sel.get_map().values()):
        key.fileobj.close()
    return done


def answer_all(socks, data, budget):
    """Sends data on every socket, then reads until each has a response's
    status line (or was closed): a count by status."""
    import selectors
    sel = selectors.DefaultSelector()
    got = {}
    for s in socks:
        try:
            s.setblocking(True)
            s.settimeout(5)
            s.sendall(data)
            s.setblocking(False)
            sel.register(s, selectors.EVENT_READ, b"")
        except OSError:
            got["unsent"] = got.get("unsent", 0) + 1
    deadline = time.time() + budget
    while sel.get_map() and time.time() < deadline:
        for key, _ in sel.select(timeout=1):
            s = key.fileobj
            try:
                chunk = s.recv(4096)
            except OSError:
                chunk = b""
            buf = key.data + chunk
            if b"\r\n" in buf or not chunk:
                st = status_of(buf) if buf else "closed"
                got[st] = got.get(st, 0) + 1
                sel.unregister(s)
            else:
                sel.modify(s, selectors.EVENT_READ, buf)
    got["none"] = len(sel.get_map())
    return got


def cmd_load(port, token, n, app):
    socks = open_many(port, n, 60)
    got = answer_all(socks, request(port, token, "/os/name", close=False), 20)
    try:
        st = status_of(ask(port, request(port, token, "/os/uptime")))
    except OSError:
        st = "none"
    body = app_body(app)
    for s in socks:
        s.close()
    other = sum(v for k, v in got.items() if k not in ("200", "503", "none"))
    print("opened", len(socks), "other", other, "api", st, "app", body,
          "(%s)" % " ".join("%s: %d" % kv for kv in sorted(got.items())))


def cmd_slow(port, token, app):
    result = {}
    data = request(port, token, "/os/name")

    def slow():
        try:
            with socket.create_connection((HOST, port), timeout=40) as s:
                for i in range(15):
                    s.sendall(data[i:i + 1])
                    time.sleep(1)
                result["slow"] = status_of(recv_response(s, 20)) or "closed"
        except OSError:
            result["slow"] = "closed"

    t = threading.Thread(target=slow)
    t.start()
    time.sleep(3)
    st = status_of(ask(port, request(port, token, "/os/uptime")))
    body = app_body(app)
    t.join(60)
    print("api", st, "app", body, "slow", result.get("slow", "closed"))


def main():
    cmd, port, token = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    if cmd == "status":
        cmd_status(port, token, sys.argv[4])
    elif cmd == "keepalive":
        cmd_keepalive(port, token)
    elif cmd == "load":
        cmd_load(port, token, int(sys.argv[4]), int(sys.argv[5]))
    elif cmd == "slow":
        cmd_slow(port, token, int(sys.argv[4]))


main()
