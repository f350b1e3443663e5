#!/usr/bin/env python3
"""SIGINT, SIGTERM and closed pipes: how a run that is cut short ends.

mxtriage is started on a large generated log (repeated copies of a sample
log), fed through a pipe or read from a file; a signal is sent while it
reads. Checked: the exit status (130 for SIGINT, 143 for SIGTERM), that
every line of output is whole (each JSON line parses, each CSV record has
every field), that -o FILE is left as it was with no temporary file beside
it, that an interrupted report writes nothing, and that a closed pipe
(`| head`) ends the run by SIGPIPE with nothing on stderr, also when the
caller ignores SIGPIPE.

Usage: signals.py MXTRIAGE SAMPLE_LOG   (TAP)
"""
import csv
import io
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time

ENV = {"LC_ALL": "C", "TZ": "UTC", "PATH": "/usr/bin:/bin"}
checks = []


def check(ok, name, detail=""):
    checks.append((bool(ok), name, detail))


class Run:
    """mxtriage with stdout and stderr drained by threads, and stdin fed
    from `feed` (bytes, repeated until the process stops reading) when
    not None."""

    def __init__(self, args, cwd, feed=None, preexec=None, fifo=None):
        self.p = subprocess.Popen(
            args, cwd=cwd, env=ENV, preexec_fn=preexec,
            stdin=subprocess.PIPE if feed is not None and fifo is None
            else subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.out, self.err = bytearray(), bytearray()
        self.fed = threading.Event()
        self.threads = [
            threading.Thread(target=self._drain, args=(self.p.stdout, self.out)),
            threading.Thread(target=self._drain, args=(self.p.stderr, self.err)),
        ]
        if feed is not None and fifo is not None:
            # fed through a named pipe given as FILE, not standard input
            self.threads.append(threading.Thread(target=self._feed_fifo,
                                                 args=(fifo, feed)))
        elif feed is not None:
            self.threads.append(threading.Thread(target=self._feed,
                                                 args=(feed,)))
        for t in self.threads:
            t.daemon = True
            t.start()

    def _drain(self, f, buf):
        while True:
            b = f.read1(65536)
            if not b:
                return
            buf += b

    def _feed_fifo(self, path, data):
        try:
            with open(path, "wb") as f:
                self._feed(data, f)
        except OSError:
            self.fed.set()

    def _feed(self, data, f=None):
        # The first copies, then more for as long as mxtriage reads: the
        # pipe stays open, so only a signal can end the run.
        f = f or self.p.stdin
        try:
            for i in range(100000):
                f.write(data)
                f.flush()
                if i == 4:
                    self.fed.set()
                if self.p.poll() is not None:
                    break
                if i >= 5:
                    time.sleep(0.01)
        except (BrokenPipeError, OSError):
            pass
        self.fed.set()

    def wait_output(self, timeout=60):
        end = time.time() + timeout
        while not self.out and time.time() < end and self.p.poll() is None:
            time.sleep(0.005)

    def finish(self, timeout=120):
        try:
            rc = self.p.wait(timeout)
        except subprocess.TimeoutExpired:
            self.p.kill()
            rc = self.p.wait()
        for t in self.threads[:2]:
            t.join(10)
        return rc


def whole_json_lines(data):
    """None when every line is a complete JSON object, else a problem."""
    if data and not data.endswith(b"\n"):
        return "the output ends in the middle of a line: %r" % data[-80:]
    for i, line in enumerate(data.split(b"\n")[:-1], 1):
        try:
            obj = json.loads(line)
        except ValueError as e:
            return "line %d is not JSON (%s): %r" % (i, e, line[:120])
        if not isinstance(obj, dict) or "time" not in obj or "delay" not in obj:
            return "line %d is not a whole event: %r" % (i, line[:120])
    return None


def whole_csv_records(data):
    if data and not data.endswith(b"\r\n"):
        return "the output ends in the middle of a record: %r" % data[-80:]
    rows = list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))
    for i, row in enumerate(rows, 1):
        if len(row) != 30:  # the columns of mxtriage.event/1
            return "record %d has %d fields, not 30" % (i, len(row))
    return None


def without_time_warnings(err):
    """stderr without the warning that time goes back: the test's log is
    the sample repeated, so it goes back at each repetition (told once)."""
    return b"".join(l for l in bytes(err).splitlines(True)
                    if b": time goes back " not in l)


def stopped_message(err, sig, rest=""):
    want = "mxtriage: stopped by %s after " % sig
    text = without_time_warnings(err).decode("utf-8", "replace")
    return text.startswith(want) and text.endswith(rest + "\n") and \
        text.count("\n") == 1


def main():
    binary, sample = os.path.abspath(sys.argv[1]), sys.argv[2]
    log = open(sample, "rb").read()
    tmp = tempfile.mkdtemp(prefix="mxtriage-signals-")
    big = os.path.join(tmp, "big.log")
    with open(big, "wb") as f:
        for _ in range(2000):  # about 70 MB: seconds of work
            f.write(log)
    base = [binary]

    # 1. events from a file, SIGINT once output flows: 130, whole lines
    r = Run(base + ["events", "--year", "2024", big], tmp)
    r.wait_output()
    r.p.send_signal(signal.SIGINT)
    rc = r.finish()
    check(rc == 130, "events file SIGINT: status 130", "got %s" % rc)
    problem = whole_json_lines(bytes(r.out))
    check(problem is None and r.out, "events file SIGINT: every line is whole JSON",
          problem or "no output")
    check(stopped_message(r.err, "SIGINT", "lines"),
          "events file SIGINT: says it stopped", repr(bytes(r.err)))

    # 2. events from a pipe, SIGTERM while it waits for input: 143
    r = Run(base + ["events", "--year", "2024"], tmp, feed=log)
    r.fed.wait(30)
    r.wait_output()
    r.p.send_signal(signal.SIGTERM)
    rc = r.finish()
    check(rc == 143, "events pipe SIGTERM: status 143", "got %s" % rc)
    problem = whole_json_lines(bytes(r.out))
    check(problem is None and r.out, "events pipe SIGTERM: every line is whole JSON",
          problem or "no output")

    # 3. events as CSV from a file, SIGTERM: whole records
    r = Run(base + ["events", "-f", "csv", "--year", "2024", big], tmp)
    r.wait_output()
    r.p.send_signal(signal.SIGTERM)
    rc = r.finish()
    check(rc == 143, "events csv SIGTERM: status 143", "got %s" % rc)
    problem = whole_csv_records(bytes(r.out))
    check(problem is None and r.out, "events csv SIGTERM: every record is whole",
          problem or "no output")

    # 4. events -o FILE, SIGINT: FILE as it was, no temporary file left
    out_dir = os.path.join(tmp, "out")
    os.mkdir(out_dir)
    target = os.path.join(out_dir, "events.jsonl")
    with open(target, "wb") as f:
        f.write(b"an earlier run\n")
    r = Run(base + ["events", "--year", "2024", "-o", target], tmp, feed=log)
    r.fed.wait(30)
    time.sleep(0.3)
    r.p.send_signal(signal.SIGINT)
    rc = r.finish()
    check(rc == 130, "events -o SIGINT: status 130", "got %s" % rc)
    check(open(target, "rb").read() == b"an earlier run\n",
          "events -o SIGINT: the target is unchanged")
    check(sorted(os.listdir(out_dir)) == ["events.jsonl"],
          "events -o SIGINT: no temporary file left", str(os.listdir(out_dir)))
    check(stopped_message(r.err, "SIGINT", "; left unchanged: " + target),
          "events -o SIGINT: says the target was left", repr(bytes(r.err)))

    # 5. the report, SIGINT while reading: 130, nothing written
    r = Run(base + ["--year", "2024"], tmp, feed=log)
    r.fed.wait(30)
    time.sleep(0.3)
    r.p.send_signal(signal.SIGINT)
    rc = r.finish()
    check(rc == 130, "report SIGINT: status 130", "got %s" % rc)
    check(not r.out, "report SIGINT: no half report", repr(bytes(r.out[:80])))
    check(stopped_message(r.err, "SIGINT", "; no report written"),
          "report SIGINT: says no report was written", repr(bytes(r.err)))

    # 6. the JSON report to -o, SIGTERM while reading a FILE: the target
    # is kept
    target = os.path.join(out_dir, "report.json")
    with open(target, "wb") as f:
        f.write(b"{}\n")
    # The FILE is a named pipe kept open: the run cannot end before the
    # signal, however fast it reads (a file of fixed size may be read
    # whole before the signal on a fast or a loaded machine).
    fifo = os.path.join(tmp, "mail.fifo")
    os.mkfifo(fifo)
    r = Run(base + ["-f", "json", "--year", "2024", "-o", target, fifo], tmp,
            feed=log, fifo=fifo)
    r.fed.wait(30)
    time.sleep(0.3)
    r.p.send_signal(signal.SIGTERM)
    rc = r.finish()
    check(rc == 143, "report -o SIGTERM: status 143", "got %s" % rc)
    check(open(target, "rb").read() == b"{}\n", "report -o SIGTERM: target unchanged")
    check(sorted(os.listdir(out_dir)) == ["events.jsonl", "report.json"],
          "report -o SIGTERM: no temporary file left", str(os.listdir(out_dir)))

    # 7. a closed pipe (| head): quiet, killed by SIGPIPE as before
    for name, preexec in (("default", None),
                          ("ignored by the caller",
                           lambda: signal.signal(signal.SIGPIPE, signal.SIG_IGN))):
        p = subprocess.Popen(base + ["events", "--year", "2024", big], cwd=tmp,
                             env=ENV, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, preexec_fn=preexec)
        p.stdout.read(1000)
        p.stdout.close()
        err = without_time_warnings(p.stderr.read())
        rc = p.wait(120)
        check(rc == -signal.SIGPIPE, "closed pipe, SIGPIPE %s: ends by SIGPIPE" % name,
              "got %s" % rc)
        check(err == b"", "closed pipe, SIGPIPE %s: nothing on stderr" % name,
              repr(err[:200]))

    for name in os.listdir(out_dir):
        os.remove(os.path.join(out_dir, name))
    os.rmdir(out_dir)
    os.remove(big)
    os.remove(fifo)
    os.rmdir(tmp)

    print("1..%d" % len(checks))
    failed = 0
    for i, (ok, name, detail) in enumerate(checks, 1):
        print("%s %d - %s" % ("ok" if ok else "not ok", i, name))
        if not ok:
            failed += 1
            print("# " + detail)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
