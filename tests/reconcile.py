#!/usr/bin/env python3
"""Totals reconcile: for the sample log and every log in the shared corpus,
the numbers in each section of the JSON summary add up to the header's, and
the header's counts by status equal what `mxtriage events` emits.

Usage: reconcile.py MXTRIAGE TESTDATA_DIR CORPUS_DIR   (TAP)
"""
import collections
import json
import os
import subprocess
import sys

from corpus_files import corpus_logs

ENV = {"LC_ALL": "C", "TZ": "UTC"}


def run(binary, *args):
    p = subprocess.run([binary] + list(args), stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, env=ENV, timeout=300)
    return p.returncode, p.stdout


def check(binary, path):
    """Returns a list of problems (empty = reconciled)."""
    problems = []
    rc, out = run(binary, "--year", "2024", "--top", "0", "-f", "json", path)
    if rc not in (0, 3):
        return ["summary exit status %d" % rc]
    d = json.loads(out)
    ev = d["header"]["events"]
    fail = ev["deferred"] + ev["bounced"] + ev["expired"]
    groups = d["groups"]

    def same(what, got, want):
        if got != want:
            problems.append("%s: got %s, want %s" % (what, got, want))

    same("groups events + cached repeats = failures",
         sum(g["events"] + g["cached_repeats"] for g in groups), fail)
    for st in ("deferred", "bounced", "expired"):
        same("groups %s" % st, sum(g[st] for g in groups), ev[st])
    same("cached repeats", sum(g["cached_repeats"] for g in groups), ev["cached_repeats"])
    same("causes events = failures", sum(c["events"] for c in d["causes"]), fail)
    same("causes rejections = rejected",
         sum(c["rejections"] for c in d["causes"]), ev["rejected"])
    rej = d["rejections"]
    same("rejections total", rej["total"], ev["rejected"])
    same("rejections by client", sum(c["rejections"] for c in rej["by_client"]), ev["rejected"])
    r = d["retries"]
    same("retry outcomes add up", r["delivered_later"] + r["bounced"] + r["expired"] + r["pending"],
         r["deferred_recipients"])
    same("pending list", len(r["pending_list"]), r["pending"])

    rc, out = run(binary, "events", "--year", "2024", path)
    counts = collections.Counter(json.loads(l)["status"] for l in out.splitlines())
    for st in ("delivered", "deferred", "bounced", "expired", "rejected"):
        same("events command %s" % st, counts.get(st, 0), ev[st])
    return problems


def main():
    binary, testdata, corpus = os.path.abspath(sys.argv[1]), sys.argv[2], sys.argv[3]
    paths = [os.path.join(testdata, "sample", "mail.log")]
    if os.path.isdir(corpus):
        paths += corpus_logs(corpus)
    else:
        print("# corpus not found at %s: only the sample is checked" % corpus)
    paths.sort()
    print("1..%d" % len(paths))
    failed = 0
    for i, path in enumerate(paths, 1):
        problems = check(binary, path)
        name = os.path.relpath(path, corpus) if path.startswith(corpus) else path
        print("%s %d - %s" % ("not ok" if problems else "ok", i, name))
        for p in problems:
            print("# " + p)
        failed += bool(problems)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
