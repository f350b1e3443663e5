#!/usr/bin/env python3
"""Hostile input that is too big to commit (TAP), generated on the fly into
a pipe to mxtriage's standard input; the peak RSS of that one process is
taken from wait4(2).

  - a 100 MiB line (a deferral whose reply text never ends) between two
    ordinary lines: exit 0, the line is cut at 65536 bytes and counted in
    lines.truncated (and its head read as the deferral it starts), the
    line after it is read, and memory does not grow with the line;
  - queue ids that never complete (a qmgr line each, nothing after): the
    tracker keeps 200000 messages in flight, the rest are evicted and
    counted (overflow.tracked_messages, and a note on stderr), and peak
    memory is the same for COUNT ids as for 250,000 (both past the cap):
    bounded by the caps, not by the log. COUNT is 1,000,000 (750,000
    under the sanitizers, where the memory check is skipped: ASan's
    quarantine holds freed memory); HOSTILE_IDS=10000000 runs ten million;
  - a rules file whose pattern has adjacent repeats, a{1,600}a{1,600}b,
    which no pcre2 step limit counts, against a 60 KB reply text (45 s
    per match without the time bound): the run ends in seconds, exit 0,
    stderr names the rule and its place in the file, and the texts
    are classified as without the rules file;
  - events dated 1999 and 9999 (log text chooses the year): the daily
    timeline lists the days with events, not a row per day of eight
    thousand years, in seconds and little memory; a span under ten years
    still lists every day, the empty ones included.

Usage: hostile_input.py MXTRIAGE SANITIZE
"""
import json
import os
import subprocess
import sys
import tempfile
import threading
import time

from tap import Tap

ENV = {"LC_ALL": "C", "TZ": "UTC", "PATH": "/usr/bin:/bin"}
MIB = 1024 * 1024


def feed(binary, args, chunks):
    """Runs binary args with the chunks (bytes) written to its standard
    input; returns (status, stdout, stderr, peak RSS in KiB, seconds)."""
    start = time.monotonic()
    p = subprocess.Popen([binary] + args, env=ENV, stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = [], []
    readers = [threading.Thread(target=lambda: out.append(p.stdout.read())),
               threading.Thread(target=lambda: err.append(p.stderr.read()))]
    for t in readers:
        t.start()
    try:
        for c in chunks:
            p.stdin.write(c)
        p.stdin.close()
    except BrokenPipeError:
        pass
    for t in readers:
        t.join()
    _, status, usage = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(status)
    return (p.returncode, out[0], err[0].decode("utf-8", "replace"),
            usage.ru_maxrss, time.monotonic() - start)


def deferral(i, qid, text):
    return (b"Nov 23 10:%02d:%02d mx postfix/smtp[7]: %s: to=<u%d@example.net>, "
            b"relay=mx.example.net[192.0.2.1]:25, delay=1, delays=0/0/0/1, "
            b"dsn=4.7.1, status=deferred (host mx.example.net[192.0.2.1] said: "
            b"450 4.7.1 %s (in reply to RCPT TO command))\n"
            % (i // 60 % 60, i % 60, qid, i, text))


def long_line(tap, binary):
    head = (b"Nov 23 10:00:01 mx postfix/smtp[7]: 3F2A1C0D1: to=<a@example.net>, "
            b"relay=mx.example.net[192.0.2.1]:25, delay=1, delays=0/0/0/1, "
            b"dsn=4.7.1, status=deferred (host mx.example.net[192.0.2.1] said: "
            b"450 4.7.1 try later ")

    def chunks():
        yield deferral(0, b"1A2B3C4D5", b"greylisted")
        yield head
        for _ in range(100):
            yield b"x" * MIB
        yield b")\n"
        yield deferral(2, b"5D4C3B2A1", b"greylisted")

    rc, out, err, rss, secs = feed(binary, ["-f", "json", "--year", "2026"],
                                   chunks())
    tap.check("100 MiB line: exit 0", rc == 0, [rc, err[:300]])
    try:
        doc = json.loads(out)
    except ValueError as e:
        tap.check("100 MiB line: a JSON report", False, [e])
        return
    lines = doc["header"]["lines"]
    tap.check("100 MiB line: three lines read, one counted as cut",
              lines["read"] == 3 and lines["truncated"] == 1, [lines])
    tap.check("100 MiB line: the lines before and after it are read, and "
              "its head too", doc["header"]["events"]["deferred"] == 3,
              [doc["header"]["events"]])
    # the reader's buffers are a few times 64 KiB: the line never is held
    tap.check("100 MiB line: peak RSS under 64 MiB", rss < 64 * 1024,
              ["%d KiB" % rss])
    print("# 100 MiB line: %.1f s, peak RSS %d KiB" % (secs, rss))


def qmgr_lines(n):
    batch = []
    for i in range(n):
        batch.append(b"Nov 23 %02d:%02d:%02d mx postfix/qmgr[7]: %X: "
                     b"from=<s@example.org>, size=1200, nrcpt=1 (queue active)\n"
                     % (10 + i // 3600000, i // 60000 % 60, i // 1000 % 60,
                        0x10000000 + i))
        if len(batch) == 10000:
            yield b"".join(batch)
            batch = []
    if batch:
        yield b"".join(batch)


def never_complete(tap, binary, n, small, sanitized):
    results = {}
    for count in (small, n):
        rc, out, err, rss, secs = feed(
            binary, ["-f", "json", "--year", "2026"], qmgr_lines(count))
        # only the header is kept: the parsed document (its
        # received_in_flight lists hold 200,000 entries) would otherwise
        # be in this process when the next run starts, and a child's
        # peak RSS counts the parent's memory up to its exec
        doc = {}
        if rc == 0:
            text = out.decode()
            at = text.index('"header": ') + len('"header": ')
            doc = {"header": json.JSONDecoder().raw_decode(text, at)[0]}
            del text
        del out
        results[count] = (rc, doc, err, rss)
        print("# %d queue ids: %.1f s, peak RSS %d KiB" % (count, secs, rss))
    rc, doc, err, rss = results[n]
    small_rss = results[small][3]
    tap.check("%d queue ids: exit 0" % n, rc == 0, [rc, err[:300]])
    if rc != 0:
        return
    over = doc["header"]["overflow"]
    tap.check("%d queue ids: the tracker's evictions counted in JSON "
              "(overflow.tracked_messages = all but 200000)" % n,
              over["tracked_messages"] == n - 200000, [over])
    tap.check("%d queue ids: stderr counts the evictions at the tracker's "
              "cap" % n, "%d messages in flight were forgotten at the "
              "tracking cap" % (n - 200000) in err, [err[:400]])
    # both counts are past the tracker's cap: memory of n is that of small
    # (not under AddressSanitizer: its quarantine holds freed memory back,
    # up to 256 MiB, so the evicted messages' memory shows as growth)
    if sanitized:
        tap.skip("%d queue ids: peak RSS bounded" % n, "AddressSanitizer's "
                 "quarantine keeps freed memory (%d KiB, %d KiB for %d)"
                 % (rss, small_rss, small))
        return
    tap.check("%d queue ids: peak RSS bounded (%d KiB, %d KiB for %d)"
              % (n, rss, small_rss, small), rss < small_rss * 1.25 + 16 * 1024,
              ["%d KiB against %d KiB" % (rss, small_rss)])


def slow_pattern(tap, binary):
    rules = {"rules": [{"name": "adjacent-repeats", "cause": "policy",
                        "pattern": "a{1,600}a{1,600}b"}]}
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "rules.json")
        with open(path, "w") as f:
            json.dump(rules, f)
        log = (deferral(0, b"1A2B3C4D5", b"a" * 60000 + b"!b") +
               deferral(1, b"5D4C3B2A1", b"a" * 60000 + b"!b") +
               deferral(2, b"2B3C4D5E6", b"Greylisted, try again later"))
        rc, out, err, rss, secs = feed(
            binary, ["-f", "json", "--year", "2026", "--rules", path], [log])
        _, plain, _, _, _ = feed(binary, ["-f", "json", "--year", "2026"],
                                 [log])
    tap.check("slow pattern: exit 0", rc == 0, [rc, err[:300]])
    tap.check("slow pattern: done in seconds, not minutes", secs < 20,
              ["%.1f s" % secs])
    tap.check("slow pattern: stderr names the rule, its place and the limit",
              'rules.json:1:' in err and '"adjacent-repeats"' in err and
              "CPU time limit" in err, [err[:500]])
    def causes(doc):
        return {c["cause"]: c["events"] for c in json.loads(doc)["causes"]}
    got = causes(out) if rc == 0 else {}
    tap.check("slow pattern: the texts are classified as without the rule",
              got == causes(plain) and got.get("greylisting") == 1,
              [got, causes(plain)])
    print("# slow pattern: %.1f s" % secs)


def years_apart(tap, binary):
    def line(date):
        return (b"%s 09:44:33 H=(x) [127.0.0.1] F=<a@b.example> rejected "
                b"RCPT <u@test.example>: Greylisted, try later\n" % date)
    far = line(b"1999-03-02") + line(b"1999-06-09") + line(b"9999-12-30")
    rc, out, err, rss, secs = feed(binary, ["-f", "json"], [far])
    # the RSS of a child counts what the forked Python held before exec:
    # compared with the run of the shorter span, not with a constant
    rc2, out2, err2, rss2, _ = feed(binary, ["-f", "json"],
                                    [far[:far.rindex(b"9999-")]])
    t = json.loads(out)["timeline"] if rc == 0 else {}
    starts = [b["start"] for b in t.get("buckets", [])]
    tap.check("years apart: exit 0, daily, the three days with events only",
              rc == 0 and t["unit"] == "day" and starts ==
              ["1999-03-02T00:00:00Z", "1999-06-09T00:00:00Z",
               "9999-12-30T00:00:00Z"], [rc, err[:300], starts[:5]])
    tap.check("years apart: seconds, and no more memory than 100 days take",
              secs < 20 and rss < rss2 + 16 * 1024,
              ["%.1f s, %d KiB against %d KiB" % (secs, rss, rss2)])
    b = json.loads(out2)["timeline"]["buckets"] if rc2 == 0 else []
    tap.check("years apart: under ten years every day is a row",
              rc2 == 0 and len(b) == 100 and b[1]["start"] ==
              "1999-03-03T00:00:00Z" and b[1]["rejected"] == 0 and
              b[-1]["rejected"] == 1, [rc2, err2[:300], len(b), b[:2]])


def main():
    binary, sanitize = sys.argv[1], sys.argv[2]
    tap = Tap()
    long_line(tap, binary)
    n = int(os.environ.get("HOSTILE_IDS",
                           "1000000" if sanitize == "none" else "750000"))
    never_complete(tap, binary, max(n, 750000), 250000, sanitize != "none")
    slow_pattern(tap, binary)
    years_apart(tap, binary)
    return tap.finish()


if __name__ == "__main__":
    sys.exit(main())
