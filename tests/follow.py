#!/usr/bin/env python3
"""--follow, live pipes and how a live run ends (TAP).

A log is written a few lines at a time while `mxtriage events -F FILE`
runs, and rotated twice on the way: once as logrotate's create does it
(renamed to FILE.1, a new FILE), once as copytruncate does (copied, then
truncated in place). Checked: every event of the whole log arrives once
-- none lost, none twice -- in order; each event arrives while mxtriage
is still running, soon after its line was written (the output is flushed
when the input waits, not when a buffer fills); SIGINT ends the run with
exit 130 and whole lines. The same for a pipe that stays open without
--follow (`tail -F log | mxtriage events`), where SIGTERM ends the wait
at once (143). The report with --follow -o FILE --interval: the file is
replaced while the run goes on (never half written: each version is a
whole JSON document), and SIGTERM writes the report of everything read
(143).

Usage: follow.py MXTRIAGE LOG   (LOG: a Postfix log with events)
"""
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tap import Tap  # noqa: E402

ENV = {"LC_ALL": "C", "TZ": "UTC", "PATH": "/usr/bin:/bin"}
TAP = Tap(max_diag=1000)


def check(ok, name, detail=()):
    TAP.check(name, bool(ok), detail)


class Out:
    """Collects a stream in a thread, remembering when each line came."""

    def __init__(self, f):
        self.lines, self.buf = [], b""
        self.lock = threading.Lock()
        self.t = threading.Thread(target=self._run, args=(f,), daemon=True)
        self.t.start()

    def _run(self, f):
        while True:
            b = f.read1(65536)
            if not b:
                return
            with self.lock:
                self.buf += b
                while b"\n" in self.buf:
                    line, self.buf = self.buf.split(b"\n", 1)
                    self.lines.append(line)

    def count(self):
        with self.lock:
            return len(self.lines)

    def wait_for(self, n, timeout=10.0):
        end = time.monotonic() + timeout
        while self.count() < n and time.monotonic() < end:
            time.sleep(0.02)
        return self.count() >= n


def events_of(binary, data, tmp):
    path = os.path.join(tmp, "whole.log")
    with open(path, "wb") as f:
        f.write(data)
    p = subprocess.run([binary, "events", "--year", "2026", path], env=ENV,
                       stdout=subprocess.PIPE, check=True)
    return comparable(p.stdout.splitlines())


def comparable(lines):
    """Events without the members that name the input and the position
    in it: the followed files are not the one read whole, and a rotation
    starts line numbers (and so event ids) again."""
    out = []
    for l in lines:
        o = json.loads(l)
        for k in ("source", "line", "event_id"):
            o.pop(k, None)
        out.append(json.dumps(o, sort_keys=True).encode())
    return out


def chunks(lines, n):
    return [lines[i:i + n] for i in range(0, len(lines), n)]


def test_follow(binary, lines, tmp):
    want = events_of(binary, b"".join(lines), tmp)
    log = os.path.join(tmp, "mail.log")
    open(log, "wb").close()
    p = subprocess.Popen([binary, "events", "-F", "--year", "2026", log],
                         env=ENV, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE)
    out, err = Out(p.stdout), Out(p.stderr)
    parts = chunks(lines, max(1, len(lines) // 12))
    late = []
    written = []
    for i, part in enumerate(parts):
        if i == 4:
            # logrotate's create: rename, then a new file; the old one
            # gets one more piece before the writer reopens
            os.rename(log, log + ".1")
            with open(log + ".1", "ab") as f:
                f.writelines(part)
            written += part
            open(log, "wb").close()
            continue
        if i == 8:
            # copytruncate: copy, then truncate in place, once mxtriage
            # has read what was there
            if not out.wait_for(len(events_of(binary, b"".join(written),
                                              tmp))):
                late.append("before copytruncate")
            with open(log, "rb") as f, open(log + ".2", "wb") as g:
                g.write(f.read())
            with open(log, "r+b") as f:
                f.truncate(0)
            time.sleep(0.5)  # a file shorter than what was read
        with open(log, "ab") as f:
            f.writelines(part)
        written += part
        n = len(events_of(binary, b"".join(written), tmp))
        if not out.wait_for(n):
            late.append("piece %d: %d events of %d arrived" %
                        (i, out.count(), n))
    check(not late, "follow: each piece's events arrive while it runs "
          "(flushed as the file waits)", late)
    p.send_signal(signal.SIGINT)
    try:
        rc = p.wait(timeout=10)
    except subprocess.TimeoutExpired:
        p.kill()
        rc = p.wait()
    out.t.join(5)
    err.t.join(5)
    check(rc == 130, "follow: SIGINT ends it with exit 130", ["exit %d" % rc])
    got = comparable(out.lines)
    missing = len([w for w in want if w not in got])
    twice = len(got) - len(set(got))
    check(got == want, "follow across rotation and copytruncate: every "
          "event once, in order",
          ["%d events, want %d; %d missing, %d twice" %
           (len(got), len(want), missing, twice)])
    check(all(json.loads(l) for l in out.lines) and out.buf == b"",
          "follow: whole JSON lines only")
    said = b"\n".join(err.lines).decode()
    check("rotated" in said and "truncated" in said,
          "follow: rotation and truncation are said on stderr", [said])


def test_pipe(binary, lines, tmp):
    want = events_of(binary, b"".join(lines), tmp)
    p = subprocess.Popen([binary, "events", "--year", "2026"], env=ENV,
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE)
    out = Out(p.stdout)
    late = []
    written = []
    for i, part in enumerate(chunks(lines, max(1, len(lines) // 6))):
        p.stdin.write(b"".join(part))
        p.stdin.flush()
        written += part
        n = len(events_of(binary, b"".join(written), tmp))
        if not out.wait_for(n):
            late.append("piece %d: %d events of %d" % (i, out.count(), n))
    check(not late, "pipe kept open: events arrive as their lines do", late)
    t0 = time.monotonic()
    p.send_signal(signal.SIGTERM)  # the pipe is still open and idle
    try:
        rc = p.wait(timeout=5)
    except subprocess.TimeoutExpired:
        p.kill()
        rc = p.wait()
    took = time.monotonic() - t0
    out.t.join(5)
    check(rc == 143 and took < 3, "pipe kept open: one SIGTERM ends the "
          "wait (exit 143)", ["exit %d after %.1fs" % (rc, took)])
    check(comparable(out.lines) == want, "pipe kept open: every event once",
          ["%d of %d" % (len(out.lines), len(want))])
    p.stdin.close()


def test_report(binary, lines, tmp):
    log = os.path.join(tmp, "report.log")
    rep = os.path.join(tmp, "report.json")
    with open(log, "wb") as f:
        f.writelines(lines[:len(lines) // 2])
    p = subprocess.Popen([binary, "-F", "--interval", "0.2", "-f", "json",
                          "--year", "2026", "-o", rep, log], env=ENV,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    seen, bad = set(), []
    end = time.monotonic() + 10
    appended = False
    while time.monotonic() < end:
        try:
            with open(rep) as f:
                doc = json.load(f)
            seen.add(doc["header"]["lines"]["read"])
        except FileNotFoundError:
            pass
        except ValueError as e:
            bad.append(str(e))
        if seen and not appended:
            with open(log, "ab") as f:
                f.writelines(lines[len(lines) // 2:])
            appended = True
        if len(seen) >= 2:
            break
        time.sleep(0.05)
    check(len(seen) >= 2 and not bad, "report -F -o FILE: replaced while "
          "running, always a whole document", ["lines seen %s" % sorted(seen)]
          + bad)
    p.send_signal(signal.SIGTERM)
    try:
        rc = p.wait(timeout=10)
    except subprocess.TimeoutExpired:
        p.kill()
        rc = p.wait()
    with open(rep) as f:
        final = json.load(f)
    whole = subprocess.run([binary, "-f", "json", "--year", "2026", log],
                           env=ENV, stdout=subprocess.PIPE).stdout
    whole = json.loads(whole)
    check(rc == 143 and final["header"]["lines"]["read"] == len(lines) and
          final["groups"] == whole["groups"],
          "report -F: SIGTERM writes the report of all that was read "
          "(exit 143)", ["exit %d, lines %s of %d" %
                         (rc, final["header"]["lines"]["read"], len(lines))])
    leftovers = [f for f in os.listdir(tmp) if f.startswith(".report")]
    check(not leftovers, "report -F: no temporary file left", leftovers)


def main():
    binary, log = sys.argv[1], sys.argv[2]
    with open(log, "rb") as f:
        lines = f.read().splitlines(keepends=True)[:1500]
    tmp = tempfile.mkdtemp(prefix="mxt-follow-")
    test_follow(binary, lines, tmp)
    test_pipe(binary, lines, tmp)
    test_report(binary, lines, tmp)
    shutil.rmtree(tmp, ignore_errors=True)
    return TAP.finish()


if __name__ == "__main__":
    sys.exit(main())
