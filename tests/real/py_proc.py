# tests/real/py_proc.py: Python making processes, run by tests/real/run.sh
# natively and in Skiff. With the argument "subprocess": subprocess.run of
# python itself (argv, exit status, captured stdout and stderr), of a
# shell pipeline (shell=True), of env with a chosen environment, a Popen
# with communicate() moving 40 KB each way, a missing program
# (FileNotFoundError), os.fork and os.waitpid, os.pipe between processes.
# With "pool": a multiprocessing.Pool of 2 workers (the fork start
# method) mapping a function over 20 numbers, and a Process with a
# Queue. Prints one line per check.
import multiprocessing
import os
import subprocess
import sys


def square(x):
    return x * x


def worker(q, n):
    q.put(sum(range(n)))


def subprocesses():
    r = subprocess.run([sys.executable, "-c",
                        "import sys; print('child argv', sys.argv[1:]); "
                        "print('to stderr', file=sys.stderr); sys.exit(3)", "x", "y z"],
                       capture_output=True, text=True)
    print("python child:", r.returncode, r.stdout.strip(), "|", r.stderr.strip())
    r = subprocess.run("echo hi there | tr a-z A-Z", shell=True, capture_output=True, text=True)
    print("shell pipeline:", r.returncode, r.stdout.strip())
    r = subprocess.run(["/usr/bin/env"], env={"A": "1", "B": "two"}, capture_output=True, text=True)
    print("env:", r.stdout.split())
    p = subprocess.Popen(["cat"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    out, _ = p.communicate(b"data" * 10000)
    print("cat via communicate:", len(out), out == b"data" * 10000, p.returncode)
    try:
        subprocess.run(["/nonexistent/program"])
    except FileNotFoundError:
        print("missing program: FileNotFoundError")
    rfd, wfd = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(rfd)
        os.write(wfd, b"from the forked child")
        os._exit(7)
    os.close(wfd)
    data = os.read(rfd, 100)
    _, st = os.waitpid(pid, 0)
    print("os.fork:", data.decode(), os.waitstatus_to_exitcode(st))


def pool():
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(2) as p:
        print("pool map:", p.map(square, range(20)))
    q = ctx.Queue()
    pr = ctx.Process(target=worker, args=(q, 1000))
    pr.start()
    print("process and queue:", q.get(timeout=60))
    pr.join()
    print("process exit code:", pr.exitcode)


if __name__ == "__main__":
    if sys.argv[1] == "subprocess":
        subprocesses()
    else:
        pool()
