#!/usr/bin/env python3
# tests/lib/ptyrun.py [--typed TEXT] COMMAND [ARGS...]: runs COMMAND on a
# new terminal (a pseudo-terminal whose master this copies to stdout and
# from stdin), and exits with its status. tests/apps/run.sh runs /* TTY */
# programs under it, natively and in Skiff alike. Unlike script(1), it
# sends the program nothing it was not given: script writes an
# end-of-file character (^D) into the terminal when its stdin is not one.
# --typed TEXT (Python escapes: '\x04' is ^D) is written into the
# terminal before COMMAND starts, as keys typed ahead: the terminal's
# line discipline (canonical mode, echo) takes them first.
import os
import pty
import sys

args = sys.argv[1:]
typed = None
if args[:1] == ["--typed"]:
    typed = args[1].encode().decode("unicode_escape").encode("latin-1")
    args = args[2:]
if typed is None:
    status = pty.spawn(args)
    sys.exit(os.waitstatus_to_exitcode(status))

master, slave = pty.openpty()
os.write(master, typed)
pid = os.fork()
if pid == 0:
    os.close(master)
    os.setsid()
    import fcntl
    import termios
    fcntl.ioctl(slave, termios.TIOCSCTTY, 0)
    for fd in range(3):
        os.dup2(slave, fd)
    if slave > 2:
        os.close(slave)
    os.execvp(args[0], args)
os.close(slave)
out = sys.stdout.buffer
while True:
    try:
        data = os.read(master, 65536)
    except OSError:
        break
    if not data:
        break
    out.write(data)
    out.flush()
_, status = os.waitpid(pid, 0)
sys.exit(os.waitstatus_to_exitcode(status))
