#!/usr/bin/env python3
"""Corpus ratchet: the share of failures classified `other`, per file.

For every log file of ../shared/corpus, the failure events mxtriage gives
(deferred, bounced, rejected; cached repeats, cause `suspended`, left out)
and how many of them no rule explains (cause `other`). The share may only
fall: each file is compared with the "other" section of
testdata/corpus-baseline.json, and a file whose share of `other` rose
fails. A fall passes with a note asking to lower the baseline
(UPDATE_BASELINE=1 rewrites the section; review the diff like code).
A file whose failures vanish also fails: a classifier that dropped events
must not pass as one that explains them.

Usage: corpus_other.py MXTRIAGE CORPUS_DIR      (TAP; skips when absent)
"""
import json
import os
import subprocess
import sys

from corpus_files import BASELINE, corpus_logs

SECTION = "other"


def failures(binary, path):
    p = subprocess.run([binary, "events", "--year", "2024", path],
                       stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                       env={"LC_ALL": "C", "TZ": "UTC"}, timeout=300)
    total = other = 0
    for line in p.stdout.splitlines():
        e = json.loads(line)
        if e["status"] not in ("deferred", "bounced", "rejected"):
            continue
        if e["cause"] == "suspended":
            continue
        total += 1
        other += e["cause"] == "other"
    return total, other


def main():
    binary, corpus = os.path.abspath(sys.argv[1]), sys.argv[2]
    if not os.path.isdir(corpus):
        print("1..0 # SKIP corpus not found at %s (../shared is absent)" % corpus)
        return 0
    update = os.environ.get("UPDATE_BASELINE") == "1"
    with open(BASELINE) as f:
        everything = json.load(f)
    base = everything.get(SECTION, {})
    files = corpus_logs(corpus)
    print("1..%d" % len(files))
    failed, seen, grand = 0, {}, [0, 0]
    for i, path in enumerate(files, 1):
        rel = os.path.relpath(path, corpus)
        total, other = failures(binary, path)
        grand[0] += total
        grand[1] += other
        seen[rel] = {"failures": total, "other": other}
        ok, notes = True, []
        b = base.get(rel)
        if update:
            pass
        elif b is None:
            ok = False
            notes.append("not in the baseline; run with UPDATE_BASELINE=1 "
                         "and review the diff")
        else:
            # other/total > b_other/b_total, in integers
            if other * b["failures"] > b["other"] * total:
                ok = False
                notes.append("share of other rose from %d/%d to %d/%d" % (
                    b["other"], b["failures"], other, total))
            elif other * b["failures"] < b["other"] * total:
                notes.append("share of other fell from %d/%d to %d/%d: "
                             "lower the baseline with UPDATE_BASELINE=1" % (
                                 b["other"], b["failures"], other, total))
            if total < b["failures"]:
                ok = False
                notes.append("failures fell from %d to %d" % (
                    b["failures"], total))
        print("%s %d - %s: %d failures, %d other" % (
            "ok" if ok else "not ok", i, rel, total, other))
        for n in notes:
            print("# " + n)
        failed += not ok
    print("# total: %d failures, %d other (%.2f%%)" % (
        grand[0], grand[1], 100.0 * grand[1] / max(grand[0], 1)))
    if update:
        everything[SECTION] = dict(sorted(seen.items()))
        with open(BASELINE, "w") as f:
            json.dump(everything, f, indent=1, sort_keys=True)
            f.write("\n")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
