#!/usr/bin/env python3
"""Corpus test: every Postfix file in ../shared/corpus/.

For each file, an independent count (plain regexes, written apart from the
C parser) of the Postfix delivery lines with a final or deferred status and
of the rejection lines must equal the events mxtriage emits for them, or
the difference must be exactly the counted lines it lists as unparsed.
Address verification probes and reject_warning lines are not events and
are not counted. mxtriage may list more lines as unparsed than the count
holds (lines without a header, cut lines): those are reported, not failed.

qmgr's "status=expired, returned to sender" line gives one event per
recipient that was still deferred; those events are folded back to one
per line (queue id + time) before comparing.

Ratchet: the events and unparsed lines of each file are also compared
with testdata/corpus-baseline.json (see corpus_files.Ratchet): unparsed may
only fall and events only rise, so a parser that rejected every line
fails here even though the counts above would still agree.

Usage: corpus_postfix.py MXTRIAGE CORPUS_DIR      (TAP; skips when absent)
"""
import json
import os
import re
import subprocess
import sys
import tempfile

from corpus_files import Ratchet, corpus_logs

PROGRAM = re.compile(rb"postfix[-\w.]*(?:/[-\w.]+)+\[\d+\]: ")
DELIVERY = re.compile(rb" status=(?:sent|deferred|bounced|expired|force-expired|SOFTBOUNCE)\b")
REJECT = re.compile(rb"(?:^|[ :])(?:reject|milter-reject|proxy-reject): ")


def independent_count(path):
    """Line numbers (1-based) of the delivery and rejection lines."""
    counted = set()
    with open(path, "rb") as f:
        for no, line in enumerate(f, 1):
            if not PROGRAM.search(line):
                continue
            if DELIVERY.search(line) or REJECT.search(line):
                counted.add(no)
    return counted


def run(binary, path):
    with tempfile.NamedTemporaryFile() as unp:
        p = subprocess.run([binary, "events", "--year", "2024",
                            "--show-unparsed=" + unp.name, path],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           env={"LC_ALL": "C", "TZ": "UTC"}, timeout=300)
        unparsed = set()
        for l in open(unp.name, "rb").read().split(b"\n"):
            if l:
                # "SOURCE:LINE: reason: line"
                unparsed.add(int(l[len(path) + 1:].split(b":", 1)[0]))
    events = 0
    expired_lines = set()
    for line in p.stdout.splitlines():
        e = json.loads(line)
        if e["service"] == "qmgr" and e["status"] == "expired":
            expired_lines.add((e["queue_id"], e["time"]))
        else:
            events += 1
    return p.returncode, events + len(expired_lines), unparsed, p.stderr


def main():
    binary, corpus = os.path.abspath(sys.argv[1]), sys.argv[2]
    if not os.path.isdir(corpus):
        print("1..0 # SKIP corpus not found at %s (../shared is absent)" % corpus)
        return 0
    files = corpus_logs(corpus, PROGRAM)
    print("1..%d" % len(files))
    failed = 0
    total = [0, 0, 0]
    ratchet = Ratchet("postfix")
    for i, path in enumerate(files, 1):
        rel = os.path.relpath(path, corpus)
        counted = independent_count(path)
        rc, got, unparsed, err = run(binary, path)
        missed = counted & unparsed
        want = len(counted) - len(missed)
        total[0] += len(counted)
        total[1] += got
        total[2] += len(unparsed)
        counted_ok = rc == 0 and got == want
        ratchet_ok, notes = ratchet.check(rel, got, len(unparsed))
        ok = counted_ok and ratchet_ok
        print("%s %d - %s: counted %d, events %d, unparsed %d (%d of them counted)" % (
            "ok" if ok else "not ok", i, rel, len(counted), got, len(unparsed), len(missed)))
        for n in notes:
            print("# " + n)
        if not ok:
            failed += 1
        if not counted_ok:
            print("# exit status %d; events %d, want counted - unparsed = %d" % (rc, got, want))
            for l in err.decode("utf-8", "replace").splitlines()[:5]:
                print("# " + l)
    print("# total: counted %d, events %d, unparsed %d" % tuple(total))
    for gone in ratchet.finish():
        print("# %s is in the baseline but was not read" % gone)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
