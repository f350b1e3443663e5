#!/usr/bin/env python3
"""Messages received and their volume against eximstats (TAP).

For each Exim main log (the real-MTA fixture and the shared corpus's),
eximstats' Grand total "Received" line (volume in bytes with -nvr, and
messages) must equal mxtriage's header.received: both count every "<="
line once with its S= size. Where they differ, the difference must be
listed in KNOWN with the reason; a difference that is not listed, or a
listed one that no longer happens, fails the test. eximstats comes with
Debian's exim4-base; without it the test is skipped (EXIMSTATS names
another copy of the script).

Usage: eximstats_check.py MXTRIAGE TESTDATA_DIR CORPUS_DIR
"""
import json
import os
import re
import shutil
import subprocess
import sys

import known_diff
from corpus_files import corpus_logs

ENV = {"LC_ALL": "C", "TZ": "UTC", "PATH": "/usr/bin:/bin:/usr/sbin:/sbin"}

NEW_IDS = ("Exim 4.97's longer message ids (10HmaX-000000005vi-0000): the eximstats of "
           "Exim 4.96 reads only the lines with an old-style id")

# file (relative to the corpus) -> {field: (mxtriage, eximstats, reason)}
KNOWN = {
    "exim/testsuite-mainlog-newid.log": {"messages": (3247, 37, NEW_IDS)},
}


def eximstats(cmd, path):
    out = subprocess.run(cmd + ["-nr", "-nt", "-nvr", path], stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL, env=ENV, timeout=300).stdout
    out = out.decode("utf-8", "replace")
    # "  Received            420584        527   ..." (no line: nothing received)
    m = re.search(r"^\s*Received\s+(\d+)\s+(\d+)\s", out, re.M)
    return {"messages": int(m.group(2)), "bytes": int(m.group(1))} if m else \
        {"messages": 0, "bytes": 0}


def mxtriage(binary, path):
    out = subprocess.run([binary, "-f", "json", "--mta", "exim", "--year", "2024", path],
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=ENV,
                         timeout=300).stdout
    return json.loads(out)["header"]["received"]


def main():
    binary, testdata, corpus = os.path.abspath(sys.argv[1]), sys.argv[2], sys.argv[3]
    script = os.environ.get("EXIMSTATS") or shutil.which("eximstats", path=ENV["PATH"])
    if script is None:
        print("1..0 # SKIP eximstats is not installed (apt-get install exim4-base)")
        return 0
    cmd = ["perl", script]
    files = [("mta/mainlog", os.path.join(testdata, "mta", "out", "exim", "mainlog"))]
    if os.path.isdir(corpus):
        files += [(os.path.relpath(p, corpus), p)
                  for p in corpus_logs(corpus, re.compile(rb" <= "))]
    files.sort()
    print("1..%d" % len(files))
    failed = 0
    for i, (name, path) in enumerate(files, 1):
        ours, theirs = mxtriage(binary, path), eximstats(cmd, path)
        known = KNOWN.get(name, {})
        bad = known_diff.problems(ours, theirs, ("messages", "bytes"), known,
                                  "eximstats")
        failed += known_diff.print_result(
            i, "%s: %d messages, %d bytes" % (name, ours["messages"],
                                             ours["bytes"]), bad, known,
            "eximstats")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
