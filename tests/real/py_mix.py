# tests/real/py_mix.py: a Python program using what most Python programs
# use (threading, json, re, hashlib, tempfile, time.sleep, asyncio over a
# socketpair and AF_UNIX), printing only what is the same on every run and
# every machine. Run by tests/real/run.sh natively and in Skiff; the two
# outputs must be equal.
import hashlib
import json
import os
import re
import sys
import tempfile
import threading
import time

# threads with a lock and a condition
counter = 0
lock = threading.Lock()
done = threading.Event()


def work(n):
    global counter
    for _ in range(n):
        with lock:
            counter += 1


threads = [threading.Thread(target=work, args=(2000,)) for _ in range(4)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print("threads: counter", counter)

results = []
cond = threading.Condition()


def producer():
    for i in range(5):
        with cond:
            results.append(i * i)
            cond.notify()
        time.sleep(0.01)


p = threading.Thread(target=producer)
p.start()
got = []
while len(got) < 5:
    with cond:
        while not results:
            cond.wait(timeout=5)
        got.extend(results)
        results.clear()
p.join()
print("condition: received", got)

# json round trip, sorted keys so the text is fixed
data = {"name": "skiff", "list": [1, 2.5, None, True], "nested": {"a": "é", "b": []}}
text = json.dumps(data, sort_keys=True)
print("json:", text)
print("json round trip equal:", json.loads(text) == data)

# regular expressions
log = "2024-01-02 ERROR disk full\n2024-01-03 INFO ok\n2024-01-04 ERROR net down"
errors = re.findall(r"^(\d{4})-(\d\d)-(\d\d) ERROR (.*)$", log, re.M)
print("re: errors", errors)
print("re: sub", re.sub(r"(\w+)@(\w+)\.com", r"\2 at \1", "mail bob@example.com now"))

# hashes
print("sha256:", hashlib.sha256(b"skiff" * 1000).hexdigest())
print("md5:", hashlib.md5(b"hello").hexdigest())
print("blake2b:", hashlib.blake2b(b"x", digest_size=16).hexdigest())

# temporary files and directories
with tempfile.TemporaryDirectory() as d:
    path = os.path.join(d, "f.txt")
    with open(path, "w") as f:
        f.write("line1\nline2\n")
    with open(path) as f:
        print("tempfile: read back", f.read().split())
    print("tempfile: listing", os.listdir(d))
with tempfile.NamedTemporaryFile("w+") as f:
    f.write("abc")
    f.seek(0)
    print("named tempfile:", f.read())

# time.sleep sleeps at least as asked
t0 = time.monotonic()
time.sleep(0.05)
print("sleep 50 ms: monotonic moved >= 50 ms:", time.monotonic() - t0 >= 0.05)

# asyncio starts with a socketpair (its self-pipe); a unix stream server
import asyncio
import socket


async def aio_main():
    loop = asyncio.get_running_loop()
    a, b = socket.socketpair()
    await loop.sock_sendall(a, b"ping")
    print("asyncio socketpair:", await loop.sock_recv(b, 4))
    path = os.path.join(tempfile.mkdtemp(), "s.sock")

    async def echo(r, w):
        w.write((await r.readline()).upper())
        await w.drain()
        w.close()

    srv = await asyncio.start_unix_server(echo, path)
    r, w = await asyncio.open_unix_connection(path)
    w.write(b"hello unix\n")
    print("asyncio unix server:", await r.readline())
    w.close()
    srv.close()
    await srv.wait_closed()
    print("asyncio executor:", await loop.run_in_executor(None, sum, [1, 2, 3]))


asyncio.run(aio_main())
sys.exit(4)
