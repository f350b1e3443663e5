#!/usr/bin/env python3
"""Cross-check against pflogsumm on the same Postfix logs.

For each Postfix log (the sample, the real-MTA fixtures, the shared
corpus), pflogsumm's Grand Totals (delivered, deferred messages,
deferrals, bounced, rejected) are compared with what `mxtriage events`
emits for Postfix lines, and the totals of its Warnings, Fatal Errors and
Panics sections with the report's "Our side" levels. Where the numbers differ, the difference must be
listed in KNOWN below with the reason (each one a case where pflogsumm
1.1.5 does not read a line that is a real delivery or rejection, or counts
differently by design); a difference that is not listed, or a listed one
that no longer happens, fails the test.

Usage: pflogsumm_check.py MXTRIAGE TESTDATA_DIR CORPUS_DIR   (TAP)
"""
import collections
import json
import os
import re
import shutil
import subprocess
import sys

from corpus_files import corpus_logs

BRACKETLESS = "pflogsumm needs to=<...>; these lines have to=addr (anonymised or exported logs)"
INSTANCE = "pflogsumm reads only programs named postfix/...; these lines come from multi-instance names (postfix-239.58.50.50/smtp, postfix-smo/...)"
MILTER = "pflogsumm counts neither milter-reject nor proxy-reject lines as rejections"
FORWARDED = "pflogsumm counts local 'status=sent (forwarded as ...)' as forwarded, not delivered"
EXPIRED_RETRY = "deferrals of a multi-instance smtp are invisible to pflogsumm (see postfix-239...)"
CUT = "pflogsumm counts a delivery line that ends inside to=<...>; mxtriage lists it as unparsed"
NOT_POSTFIX = "reject lines of services pflogsumm does not read (postscreen CONNECT, cleanup)"

# file (relative to the corpus, or "sample") -> {field: (mxtriage, pflogsumm, reason)}
KNOWN = {
    "ASO-tcd/entry-demonstrating-connection-removed-before-track.log": {
        "delivered": (2, 1, FORWARDED)},
    "ASO-tcd/random-sample-logs.log": {"delivered": (486, 483, FORWARDED)},
    "elastic-beats-postfix-module/postfix_smtpd.log": {"rejected": (8, 6, MILTER)},
    "fail2ban/postfix.log": {"rejected": (26, 22, MILTER + "; and " + INSTANCE),
                             "warnings": (17, 16, INSTANCE)},
    "lightmeter/go-tests.log": {
        "deferred_msgs": (4, 3, INSTANCE), "deferrals": (4, 3, INSTANCE),
        "bounced": (11, 10, INSTANCE)},
    "lightmeter/individual_files/18_expired.log": {
        "delivered": (2, 0, INSTANCE), "deferred_msgs": (1, 0, INSTANCE),
        "deferrals": (5, 0, INSTANCE)},
    "misc/datadog-postfix-log-samples.log": {"delivered": (1, 0, BRACKETLESS)},
    "misc/msimerson-postfix-parser-lines.log": {"delivered": (2, 1, BRACKETLESS)},
    "pflgviewer/postfix.log": {
        "delivered": (2693, 909, BRACKETLESS), "deferred_msgs": (102, 0, BRACKETLESS),
        "deferrals": (173, 0, BRACKETLESS), "bounced": (294, 0, BRACKETLESS)},
    "sample": {
        "delivered": (16, 14, INSTANCE), "deferred_msgs": (3, 2, INSTANCE),
        "deferrals": (7, 2, INSTANCE), "rejected": (12, 10, MILTER)},
}

FIELDS = ("delivered", "deferred_msgs", "deferrals", "bounced", "rejected",
          "warnings", "fatals", "panics")
# pflogsumm's sections of the MTA's own trouble, and ours ("Our side":
# the JSON summary's our_side.levels)
TROUBLE = (("warnings", "Warnings", "warning"), ("fatals", "Fatal Errors", "fatal"),
           ("panics", "Panics", "panic"))
ENV = {"LC_ALL": "C", "TZ": "UTC", "PATH": "/usr/bin:/bin:/usr/sbin:/sbin"}


def pflogsumm(path):
    out = subprocess.run(["pflogsumm", path], stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL, env=ENV, timeout=300).stdout
    out = out.decode("utf-8", "replace")
    got = {}
    for key, pat in (("delivered", r"^\s*(\d+)\s+delivered"),
                     ("deferred_msgs", r"^\s*(\d+)\s+deferred"),
                     ("deferrals", r"deferred\s+\((\d+)\s+deferrals\)"),
                     ("bounced", r"^\s*(\d+)\s+bounced"),
                     ("rejected", r"^\s*(\d+)\s+rejected")):
        m = re.search(pat, out, re.M)
        got[key] = int(m.group(1)) if m else 0  # "(N deferrals)" is left out at 0
    # "Warnings\n--------\n  smtpd (total: 18)\n ...": the totals of a section
    for key, title, _ in TROUBLE:
        m = re.search(r"^%s\n-+\n(.*?)(?:\n\n|\Z)" % re.escape(title), out, re.M | re.S)
        got[key] = sum(int(n) for n in re.findall(r"\(total: (\d+)\)", m.group(1))) if m else 0
    return got


def mxtriage(binary, path):
    out = subprocess.run([binary, "events", "--year", "2024", path], stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL, env=ENV, timeout=300).stdout
    c = collections.Counter()
    deferred = set()
    for line in out.splitlines():
        e = json.loads(line)
        if e["mta"] != "postfix":
            continue
        c[e["status"]] += 1
        if e["status"] == "deferred" and e["queue_id"]:
            deferred.add(e["queue_id"])
    got = {"delivered": c["delivered"], "deferred_msgs": len(deferred),
           "deferrals": c["deferred"], "bounced": c["bounced"], "rejected": c["rejected"]}
    out = subprocess.run([binary, "-f", "json", "--mta", "postfix", "--year", "2024", path],
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=ENV,
                         timeout=300).stdout
    levels = json.loads(out)["our_side"]["levels"]
    for key, _, level in TROUBLE:
        got[key] = levels[level]
    return got


def main():
    binary, testdata, corpus = os.path.abspath(sys.argv[1]), sys.argv[2], sys.argv[3]
    if shutil.which("pflogsumm", path=ENV["PATH"]) is None:
        print("1..0 # SKIP pflogsumm is not installed (apt-get install pflogsumm)")
        return 0
    files = [("sample", os.path.join(testdata, "sample", "mail.log"))]
    for name in ("mail.log", "mail-rfc3339.log"):
        path = os.path.join(testdata, "mta", "out", "postfix", name)
        if os.path.exists(path):
            files.append(("mta/" + name, path))
    if os.path.isdir(corpus):
        files += [(os.path.relpath(p, corpus), p)
                  for p in corpus_logs(corpus, re.compile(rb"postfix/"))]
    files.sort()
    print("1..%d" % len(files))
    failed = 0
    for i, (name, path) in enumerate(files, 1):
        ours, theirs = mxtriage(binary, path), pflogsumm(path)
        known = KNOWN.get(name, {})
        problems = []
        for f in FIELDS:
            if ours[f] == theirs[f]:
                if f in known:
                    problems.append("%s: now agree at %d, but KNOWN says they differ (%s)" % (
                        f, ours[f], known[f][2]))
            elif f not in known:
                problems.append("%s: mxtriage %d, pflogsumm %d, not explained" % (f, ours[f], theirs[f]))
            elif known[f][:2] != (ours[f], theirs[f]):
                problems.append("%s: mxtriage %d, pflogsumm %d, KNOWN expects %d and %d" % (
                    f, ours[f], theirs[f], known[f][0], known[f][1]))
        print("%s %d - %s%s" % ("not ok" if problems else "ok", i, name,
                                "" if problems or not known else " (differences explained)"))
        for p in problems:
            print("# " + p)
        for f, (a, b, why) in sorted(known.items()):
            if not problems:
                print("# %s: mxtriage %d, pflogsumm %d: %s" % (f, a, b, why))
        failed += bool(problems)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
