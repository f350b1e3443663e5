#!/usr/bin/env python3
"""Corpus test: every Exim file in ../shared/corpus/.

For each file, an independent count (plain regexes, written apart from the
C parser) of the Exim delivery-attempt lines (=> -> *> >> == **, after a
message id) and of the rejection lines must equal the events mxtriage
emits, or the difference must be exactly the counted lines it lists as
unparsed. Arrivals (<=) are not events: they only give later events their
sender; nor are ACL discards ("=> blackhole (RCPT ACL discarded
recipients)"), which name no recipient and attempt nothing. mxtriage may list more lines as unparsed than the count holds:
those are reported, not failed.

Rejection lines are those with only log fields (H=, F=, U=, I=, X=, ...)
between the header (and message id) and "[temporarily ]rejected ", or
"dropped by '", plus "SMTP protocol synchronization error (...): rejected"
and "too many recipients: excess temporarily rejected".

One more check: the Exim test suite's main log and reject log were written
by the same test runs, so reading both together must give the main log's
events plus only those reject log rejections the main log does not hold
(compared as a multiset of message texts): no rejection counted twice.

Ratchet: the events and unparsed lines of each file are also compared
with testdata/corpus-baseline.json (see corpus_files.Ratchet): unparsed may
only fall and events only rise, so a parser that rejected every line
fails here even though the counts above would still agree.

Usage: corpus_exim.py MXTRIAGE CORPUS_DIR      (TAP; skips when absent)
"""
import collections
import json
import os
import re
import subprocess
import sys
import tempfile

from corpus_files import Ratchet, corpus_logs

# Exim's own timestamp: date, time, optional fraction, zone and [pid].
EXIM_TS = rb"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)?(?: [+-]\d{4})?(?: \[\d+\])? "
# Syslog forms: "Mmm dd hh:mm:ss host exim[pid]: " (optionally <PRI>),
# ISO "2026-...T... host exim[pid]: ", host-first "host exim[pid]: ",
# and "2019-10-22 03:39:17 host exim[pid]: ".
SYSLOG = (rb"(?:<\d+>)?(?:[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d |\d{4}-\d\d-\d\dT\S+ |"
          rb"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d )?\S+ exim\d*\[\d+\]: (?:\[\d+\] )?")
HEADER = re.compile(rb"^(?:" + SYSLOG + rb"(?:" + EXIM_TS + rb")?|" + EXIM_TS + rb")")
MSGID = rb"[0-9A-Za-z]{6}-(?:[0-9A-Za-z]{6}-[0-9A-Za-z]{2}|[0-9A-Za-z]{11}-[0-9A-Za-z]{4})"
ATTEMPT = re.compile(MSGID + rb" (?:=>|->|\*>|>>|==|\*\*)(?: |$)")
# An ACL "discard" is logged as a delivery to "blackhole" without any
# recipient: nothing was attempted, so it is no event.
DISCARD = re.compile(MSGID + rb" => blackhole \([^)]* discarded recipients\)")
FIELD = (rb"(?:H=(?:[^ (\[]\S*)?(?: ?\([^)]*\))?(?: ?\[[^\]]*\]\S*)?"
         rb"|[A-Za-z0-9]+=(?:\"(?:[^\"\\]|\\.)*\"|\S+)|DS)")
REJECT = re.compile(
    rb"(?:" + MSGID + rb" )?(?:(?:" + FIELD + rb" )*(?:temporarily )?rejected "
    rb"|(?:" + FIELD + rb" )+dropped by '"
    rb"|SMTP protocol synchronization error \(.*\): rejected "
    rb"|too many recipients: excess temporarily rejected)")
EXIM_FILE = re.compile(rb"^(?:" + SYSLOG + rb"|" + EXIM_TS + rb")", re.M)


def message(line):
    """The message after the header, or None for lines without one."""
    m = HEADER.match(line)
    return line[m.end():] if m else None


def independent_count(path):
    """Line numbers (1-based) of the attempt lines and of the rejection
    lines."""
    attempts, rejects = set(), set()
    with open(path, "rb") as f:
        for no, line in enumerate(f, 1):
            msg = message(line.rstrip(b"\r\n"))
            if msg is None:
                continue
            if ATTEMPT.match(msg) and not DISCARD.match(msg):
                attempts.add(no)
            elif REJECT.match(msg):
                rejects.add(no)
    return attempts, rejects


def run(binary, paths):
    with tempfile.NamedTemporaryFile() as unp:
        p = subprocess.run([binary, "events", "--year", "2024",
                            "--show-unparsed=" + unp.name] + paths,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           env={"LC_ALL": "C", "TZ": "UTC"}, timeout=300)
        unparsed = set()
        for l in open(unp.name, "rb").read().split(b"\n"):
            if l and len(paths) == 1:
                # "SOURCE:LINE: reason: line"
                unparsed.add(int(l[len(paths[0]) + 1:].split(b":", 1)[0]))
    events = [json.loads(l) for l in p.stdout.splitlines()]
    return p.returncode, events, unparsed, p.stderr


def rejection_texts(path):
    """Multiset of the rejection lines' messages (time included)."""
    texts = collections.Counter()
    with open(path, "rb") as f:
        for line in f:
            line = line.rstrip(b"\r\n")
            msg = message(line)
            if msg is not None and REJECT.match(msg):
                texts[line] += 1
    return texts


def check_dedupe(binary, corpus, n):
    main = os.path.join(corpus, "exim", "testsuite-mainlog-newid.log")
    rej = os.path.join(corpus, "exim", "testsuite-rejectlog.log")
    if not (os.path.exists(main) and os.path.exists(rej)):
        print("ok %d - dedupe # SKIP test suite logs absent" % n)
        return True
    _, ev_main, _, _ = run(binary, [main])
    _, ev_rej, _, _ = run(binary, [rej])
    rc, ev_both, _, _ = run(binary, [main, rej])
    only_in_rej = rejection_texts(rej) - rejection_texts(main)
    want = len(ev_main) + sum(only_in_rej.values())
    ok = rc == 0 and len(ev_both) == want
    print("%s %d - dedupe: main log %d events, reject log alone %d, both %d, "
          "want %d (%d rejections only in the reject log)" % (
              "ok" if ok else "not ok", n, len(ev_main), len(ev_rej),
              len(ev_both), want, sum(only_in_rej.values())))
    return ok


def main():
    binary, corpus = os.path.abspath(sys.argv[1]), sys.argv[2]
    if not os.path.isdir(corpus):
        print("1..0 # SKIP corpus not found at %s (../shared is absent)" % corpus)
        return 0
    files = corpus_logs(corpus, EXIM_FILE)
    print("1..%d" % (len(files) + 1))
    failed = 0
    total = [0, 0, 0]
    ratchet = Ratchet("exim")
    for i, path in enumerate(files, 1):
        rel = os.path.relpath(path, corpus)
        attempts, rejects = independent_count(path)
        counted = attempts | rejects
        rc, events, unparsed, err = run(binary, [path])
        got = len(events)
        missed = counted & unparsed
        # attempts and rejections are compared apart, so that an error in
        # one cannot hide behind an error in the other
        got_out = sum(1 for e in events if e["direction"] == "out")
        got_in = sum(1 for e in events if e["direction"] == "in")
        want_out = len(attempts - unparsed)
        want_in = len(rejects - unparsed)
        total[0] += len(counted)
        total[1] += got
        total[2] += len(unparsed)
        bad_mta = [e for e in events if e["mta"] != "exim"]
        counted_ok = (rc == 0 and got_out == want_out and got_in == want_in
                      and not bad_mta)
        ratchet_ok, notes = ratchet.check(rel, got, len(unparsed))
        ok = counted_ok and ratchet_ok
        print("%s %d - %s: counted %d (%d attempts, %d rejections), events %d, "
              "unparsed %d (%d of them counted)" % (
                  "ok" if ok else "not ok", i, rel, len(counted), len(attempts),
                  len(rejects), got, len(unparsed), len(missed)))
        for n in notes:
            print("# " + n)
        if not ok:
            failed += 1
        if not counted_ok:
            print("# exit status %d; out events %d, want %d; in events %d, want %d; "
                  "%d events not from exim" % (rc, got_out, want_out, got_in, want_in,
                                               len(bad_mta)))
            for l in err.decode("utf-8", "replace").splitlines()[:5]:
                print("# " + l)
    print("# total: counted %d, events %d, unparsed %d" % tuple(total))
    for gone in ratchet.finish():
        print("# %s is in the baseline but was not read" % gone)
    if not check_dedupe(binary, corpus, len(files) + 1):
        failed += 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
