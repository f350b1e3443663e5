#!/usr/bin/env python3
"""`events --jobs 2` gives the bytes of `events --jobs 1` (TAP).

From two threads up, `events` classifies, filters and writes its events on
a thread of its own (lib/event_pipe.c), from copies of the events the pass
made. For every log of testdata/ (the real-MTA fixtures among them) and of
the shared corpus, and for generated logs whose events fill a batch by
their bytes (replies near the line cap, ten earlier MX replies each), the runs
with --jobs 1 and --jobs 2 must give the same standard output, the same
standard error and the same exit status: JSON lines, CSV with --why, a
--cause filter (decided on the second thread, after classification) with
--show-unparsed. MXTRIAGE_JOBS_DEBUG must say that the second thread
wrote them, so the test does not compare one thread with itself. A write
error (standard output on /dev/full) ends both runs alike.

Under the sanitizers (SANITIZE, meson's b_sanitize, not "none") every
third log of testdata (all of testdata/mta, the real-MTA logs) and of the
corpus is run: they look for memory errors of the copies and the threads,
which that sample meets as well. (Every log of testdata was six runs of
1,165 logs, which under the sanitizers reached the test's 900 s limit.)

Usage: events_jobs.py MXTRIAGE SANITIZE TESTDATA [CORPUS]
"""
import os
import subprocess
import sys
import tempfile

ENV = {"LC_ALL": "C", "TZ": "UTC", "PATH": "/usr/bin:/bin",
       "MXTRIAGE_NOW": "1800000000", "MXTRIAGE_HOSTNAME": "mx.test"}

VARIANTS = [
    ["--year", "2026"],
    ["-f", "csv", "--why", "--year", "2026"],
    ["--cause", "greylisting,other,relay_denied,unknown_user", "--why",
     "--show-unparsed", "--year", "2026"],
]


def run(binary, args, stdout=subprocess.PIPE):
    env = dict(ENV)
    env["MXTRIAGE_JOBS_DEBUG"] = "1"
    p = subprocess.run([binary] + args, env=env, stdout=stdout,
                       stderr=subprocess.PIPE)
    return p.returncode, p.stdout, p.stderr


def split_debug(stderr):
    """(the jobs lines, the rest) of a run's standard error."""
    jobs, rest = [], []
    for line in stderr.splitlines(keepends=True):
        (jobs if line.startswith(b"mxtriage: jobs: ") else rest).append(line)
    return jobs, b"".join(rest)


def compare(binary, args):
    """The differences of --jobs 2 from --jobs 1, and the event lines."""
    one = run(binary, ["events", "--jobs", "1"] + args)
    two = run(binary, ["events", "--jobs", "2"] + args)
    jobs1, err1 = split_debug(one[2])
    jobs2, err2 = split_debug(two[2])
    diff = []
    if jobs1 != [b"mxtriage: jobs: one thread\n"]:
        diff.append("--jobs 1 said %r" % jobs1)
    if jobs2 != [b"mxtriage: jobs: events written on a thread of their "
                 b"own\n"]:
        diff.append("--jobs 2 said %r" % jobs2)
    if one[0] != two[0]:
        diff.append("exit status %d, --jobs 1 %d" % (two[0], one[0]))
    if one[1] != two[1]:
        a, b = one[1].splitlines(), two[1].splitlines()
        at = next((i for i in range(min(len(a), len(b))) if a[i] != b[i]),
                  min(len(a), len(b)))
        diff.append("standard output differs at line %d (%d lines, "
                    "--jobs 1 %d)" % (at + 1, len(b), len(a)))
    if err1 != err2:
        diff.append("standard error differs")
    return diff, one[1].count(b"\n")


def logs(testdata, corpus, every):
    """The logs of testdata and of the corpus; with every > 1 (the
    sanitizers) only every every-th of each, but all the real-MTA logs of
    testdata/mta."""
    out, rest = [], []
    for root, dirs, files in os.walk(testdata):
        dirs.sort()
        for f in sorted(files):
            if not f.endswith((".json", ".md", ".golden", ".py", ".sh")):
                p = os.path.join(root, f)
                mta = os.path.relpath(p, testdata).startswith("mta" + os.sep)
                (out if mta else rest).append(p)
    out += rest[::every]
    if corpus and os.path.isdir(corpus):
        found = []
        for root, dirs, files in os.walk(corpus):
            dirs.sort()
            for f in sorted(files):
                if not f.endswith((".md", ".json")):
                    found.append(os.path.join(root, f))
        out += found[::every]
    return [p for p in out if os.path.getsize(p) < 20 << 20]


def big_events(tmp):
    """Postfix deferrals with ten earlier MX replies of 3,000 bytes each
    and a final reply of 60,000 bytes: each event's strings take 69 KB
    (the earlier replies are cut at 1 KiB), so a batch of the pipe (512
    KiB of strings) is handed over full of bytes after seven events, not
    of events (an event larger than a batch is event_pipe_test's)."""
    lines = []
    for n in range(40):
        qid = "%010X" % (0xA1000 + n)
        for k in range(10):
            lines.append(
                "Nov 23 10:%02d:0%d mx postfix/smtp[%d]: %s: host "
                "mx%d.big.test[192.0.2.%d] said: 451 4.7.1 %s (in reply to "
                "RCPT TO command)\n" % (n, k % 10, 700 + n, qid, k, k + 1,
                                        ("slow down %d " % k) * 230))
        lines.append(
            "Nov 23 10:%02d:10 mx postfix/smtp[%d]: %s: to=<u%d@big.test>, "
            "relay=mx10.big.test[192.0.2.11]:25, delay=1, delays=0/0/1/0, "
            "dsn=4.7.1, status=deferred (host mx10.big.test[192.0.2.11] "
            "said: 451 4.7.1 %s (in reply to RCPT TO command))\n" % (
                n, 700 + n, qid, n, "greylisted, come back later " * 2100))
    path = os.path.join(tmp, "big-events.log")
    with open(path, "w") as f:
        f.writelines(lines)
    return path


def compressed_three(binary, testdata, tmp):
    """From --jobs 3, a compressed input is also decompressed on a thread
    of its own (reader.c's read-ahead): the compressed logs of testdata
    (damaged ones among them) and the lab log compressed by gzip, bzip2
    and xz give the bytes and exit status of --jobs 1."""
    import bz2
    import gzip
    import lzma
    paths = [p for p in logs(testdata, "", 1)
             if open(p, "rb").read(2) == b"\x1f\x8b"]
    with open(os.path.join(testdata, "mta", "out", "postfix",
                           "mail.log"), "rb") as f:
        text = f.read()
    for name, pack in (("gz", gzip.compress), ("bz2", bz2.compress),
                       ("xz", lzma.compress)):
        path = os.path.join(tmp, "lab.log." + name)
        with open(path, "wb") as f:
            f.write(pack(text))
        paths.append(path)
    bad = []
    for p in paths:
        args = ["--why", "--year", "2026", p]
        one = run(binary, ["events", "--jobs", "1"] + args)
        three = run(binary, ["events", "--jobs", "3"] + args)
        if one[0] != three[0] or one[1] != three[1] or \
                split_debug(one[2])[1] != split_debug(three[2])[1]:
            bad.append("%s: exit %d, --jobs 1 %d; output %s" % (
                p, three[0], one[0],
                "same" if one[1] == three[1] else "differs"))
    return (not bad and len(paths) > 3,
            "%d compressed logs, events --jobs 3 (read ahead) is --jobs 1"
            % len(paths), bad)


def main():
    binary, sanitize, testdata = sys.argv[1:4]
    corpus = sys.argv[4] if len(sys.argv) > 4 else ""
    every = 3 if sanitize not in ("", "none") else 1
    tests = []
    with tempfile.TemporaryDirectory() as tmp:
        paths = logs(testdata, corpus, every)
        big = big_events(tmp)
        for i, variant in enumerate(VARIANTS):
            bad, events = [], 0
            for p in paths:
                diff, n = compare(binary, variant + [p])
                events += n
                if diff:
                    bad.append("%s: %s" % (p, "; ".join(diff)))
            tests.append((not bad and events > 0,
                          "%d logs, events %s (%d event lines): --jobs 2 is "
                          "--jobs 1" % (len(paths), " ".join(variant), events),
                          bad[:10] + ([] if events else ["no event at all"])))
        diff, n = compare(binary, ["--year", "2026", big])
        if n != 40:
            diff.append("%d events, want 40" % n)
        tests.append((not diff, "events of 69 KB, batches of the pipe "
                      "handed over full of bytes", diff))
        # a write error: the same message and exit status either way
        with open("/dev/full", "wb") as full:
            one = run(binary, ["events", "--jobs", "1", "--year", "2026",
                               big], stdout=full)
        with open("/dev/full", "wb") as full:
            two = run(binary, ["events", "--jobs", "2", "--year", "2026",
                               big], stdout=full)
        diff = []
        if one[0] != two[0] or one[0] == 0:
            diff.append("exit status %d, --jobs 1 %d" % (two[0], one[0]))
        if split_debug(one[2])[1] != split_debug(two[2])[1]:
            diff.append("standard error %r, --jobs 1 %r" % (
                split_debug(two[2])[1], split_debug(one[2])[1]))
        tests.append((not diff, "a write error (/dev/full) ends --jobs 2 as "
                      "it ends --jobs 1", diff))
        tests.append(compressed_three(binary, testdata, tmp))
    print("1..%d" % len(tests))
    for i, (ok, name, diff) in enumerate(tests, 1):
        print("%s %d - %s" % ("ok" if ok else "not ok", i, name))
        for d in diff:
            print("#   %s" % d)
    return 0 if all(t[0] for t in tests) else 1


if __name__ == "__main__":
    sys.exit(main())
