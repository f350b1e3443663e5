#!/usr/bin/env python3
"""The progress line (TAP): drawn on stderr when stderr is a terminal (a
pseudo-terminal here, from python's pty module), for a run longer than a
second; cleared at the end; never with --quiet, and never when stderr is
a pipe or a file.

The run is made long by feeding the log slowly through a pipe; the
progress line counts what was read.

Usage: progress.py MXTRIAGE LOG
"""
import os
import pty
import subprocess
import sys
import threading
import time

ENV = {"LC_ALL": "C", "TZ": "UTC", "PATH": "/usr/bin:/bin"}
checks = []


def check(ok, name, detail=()):
    checks.append((bool(ok), name, list(detail)))


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


def main():
    binary, log = sys.argv[1], sys.argv[2]
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
    print("1..%d" % len(checks))
    for i, (ok, name, detail) in enumerate(checks, 1):
        print("%s %d - %s" % ("ok" if ok else "not ok", i, name))
        if not ok:
            for d in detail:
                print("# " + str(d))
    return 0 if all(ok for ok, _, _ in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
