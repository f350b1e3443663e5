#!/usr/bin/env python3
"""The progress line (TAP): drawn on stderr when stderr is a terminal (a
pseudo-terminal here, from python's pty module), for a run longer than a
second; cleared at the end; never with --quiet, and never when stderr is
a pipe or a file. And the report of --follow on a terminal: drawn on a
cleared screen while following, the final report written on SIGINT.

The run is made long by feeding the log slowly through a pipe; the
progress line counts what was read.

Usage: progress.py MXTRIAGE LOG
"""
import os
import pty
import select
import signal
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tap import Tap  # noqa: E402

ENV = {"LC_ALL": "C", "TZ": "UTC", "PATH": "/usr/bin:/bin"}
TAP = Tap(max_diag=1000)


def check(ok, name, detail=()):
    TAP.check(name, bool(ok), detail)


def slow_feed(f, lines, seconds):
    step = max(1, len(lines) // 40)
    for i in range(0, len(lines), step):
        f.write(b"".join(lines[i:i + step]))
        f.flush()
        time.sleep(seconds / 40)
    f.close()


def run(binary, args, lines, stderr_tty):
    """Runs mxtriage fed slowly; returns (exit status, stderr bytes)."""
    if stderr_tty:
        master, slave = pty.openpty()
        err_target = slave
    else:
        err_target = subprocess.PIPE
    p = subprocess.Popen([binary] + args, env=ENV, stdin=subprocess.PIPE,
                         stdout=subprocess.DEVNULL, stderr=err_target)
    feeder = threading.Thread(target=slow_feed, args=(p.stdin, lines, 2.5))
    feeder.start()
    got = bytearray()
    if stderr_tty:
        os.close(slave)
        while True:
            try:
                b = os.read(master, 4096)
            except OSError:  # EIO: the terminal's other side is closed
                break
            if not b:
                break
            got += b
        os.close(master)
    else:
        got += p.stderr.read()
    feeder.join()
    return p.wait(), bytes(got)


def follow_on_terminal(binary, log):
    master, slave = pty.openpty()
    p = subprocess.Popen([binary, "-F", "--interval", "0.2", "--year",
                          "2026", log], env=dict(ENV, COLUMNS="80"),
                         stdin=subprocess.DEVNULL, stdout=slave,
                         stderr=subprocess.DEVNULL)
    os.close(slave)
    got = bytearray()
    end = time.monotonic() + 10
    while time.monotonic() < end and b"Retry outcome" not in got:
        r, _, _ = select.select([master], [], [], 0.2)
        if r:
            got += os.read(master, 65536)
    p.send_signal(signal.SIGINT)
    while True:
        try:
            b = os.read(master, 65536)
        except OSError:
            break
        if not b:
            break
        got += b
    os.close(master)
    rc = p.wait()
    clear = got.find(b"\x1b[H\x1b[2J")
    check(rc == 130 and clear >= 0 and
          got.count(b"mxtriage report") == 2 and
          got.find(b"mxtriage report") > clear,
          "--follow on a terminal: the report drawn on a cleared screen, "
          "the final one on SIGINT (exit 130)",
          ["exit %d, %d reports, clear at %d" %
           (rc, got.count(b"mxtriage report"), clear)])


def main():
    binary, log = sys.argv[1], sys.argv[2]
    follow_on_terminal(binary, log)
    with open(log, "rb") as f:
        lines = f.read().splitlines(keepends=True)
    args = ["events", "--year", "2026"]
    rc, err = run(binary, args, lines, True)
    check(rc == 0 and b"\rmxtriage: " in err and b" lines, " in err and
          b"MB/s" in err, "stderr a terminal: a progress line with bytes, "
          "lines and MB/s", ["exit %d, stderr %r" % (rc, err[:300])])
    check(err.endswith(b"\r\x1b[K"), "stderr a terminal: the line is "
          "cleared at the end", [repr(err[-60:])])
    rc, err = run(binary, args + ["--quiet"], lines, True)
    check(rc == 0 and b"mxtriage: " not in err, "--quiet: no progress line",
          [repr(err[:200])])
    rc, err = run(binary, args, lines, False)
    check(rc == 0 and err == b"", "stderr a pipe: no progress line",
          [repr(err[:200])])
    return TAP.finish()


if __name__ == "__main__":
    sys.exit(main())
