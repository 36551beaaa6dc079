#!/usr/bin/env python3
# bench/linux/consdrive.py FILE QEMU-ARGS...: runs the Linux guest of
# bench/console.sh (its /init: bench/linux/consinit.c) with FILE's bytes
# on its serial console: waits for the guest's ready byte 'R', then sends
# FILE while reading as many bytes back, and prints their sha256 and the
# seconds from QEMU's launch to its exit (the boot included, as the Skiff
# rows include theirs). Exit status 1 when QEMU fails or the guest does
# not answer within 600 s.
import hashlib, subprocess, sys, threading, time

data = open(sys.argv[1], 'rb').read()
t0 = time.monotonic()
q = subprocess.Popen(sys.argv[2:], stdin=subprocess.PIPE,
                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
timer = threading.Timer(600, q.kill)
timer.start()
first = q.stdout.read(1)
if first != b'R':
    q.kill()
    sys.exit(1)
def feed():
    try:
        q.stdin.write(data)
        q.stdin.close()
    except BrokenPipeError:
        pass
threading.Thread(target=feed, daemon=True).start()
h, left = hashlib.sha256(), len(data)
while left > 0:
    chunk = q.stdout.read(min(left, 65536))
    if not chunk:
        break
    h.update(chunk)
    left -= len(chunk)
rc = q.wait()
timer.cancel()
print(h.hexdigest(), '%.3f' % (time.monotonic() - t0))
sys.exit(0 if left == 0 and rc == 1 else 1)
