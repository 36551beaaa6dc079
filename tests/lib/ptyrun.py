#!/usr/bin/env python3
# tests/lib/ptyrun.py COMMAND [ARGS...]: runs COMMAND on a new terminal
# (a pseudo-terminal whose master this copies to stdout and from stdin),
# and exits with its status. tests/apps/run.sh runs /* TTY */ programs
# under it, natively and in Skiff alike. Unlike script(1), it sends the
# program nothing it was not given: script writes an end-of-file
# character (^D) into the terminal when its stdin is not one.
import os
import pty
import sys

status = pty.spawn(sys.argv[1:])
sys.exit(os.waitstatus_to_exitcode(status))
