#!/usr/bin/env python3
"""Cross-check against pflogsumm on the same Postfix logs.

For each Postfix log (the sample, the real-MTA fixtures, the shared
corpus), pflogsumm's Grand Totals (delivered, deferred messages,
deferrals, bounced, rejected) are compared with what `mxtriage events`
emits for Postfix lines, and the totals of its Warnings, Fatal Errors and
Panics sections with the report's "Our side" levels. Messages received and their bytes are compared
too: mxtriage's less the messages Postfix makes itself (counted here from
the raw lines, see own_messages) against pflogsumm's "received" and
"bytes received". Where the numbers differ, the difference must be
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

import known_diff
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

NO_QUEUE = ("pflogsumm counts smtpd's client= (or pickup's) line of a message that never "
            "entered the queue in this log (rejected after it, or a fragment without the "
            "message's cleanup and qmgr lines); mxtriage counts a message when it is queued")
NO_CLEANUP = ("the message's cleanup line is not in the log: mxtriage cannot tell its qmgr "
              "line from a retry's and counts it as met in progress; pflogsumm takes smtpd's "
              "client= line")
SAMPLED = ("lines sampled at random: a message's cleanup and qmgr lines are rarely both "
           "there, pflogsumm counts smtpd's client= lines alone")
REUSED = ("queue ids used again in the log: pflogsumm keeps one size per queue id for the "
          "whole log and does not count a later message with the same id")
GROUPED = ("the file is grouped by program, not in time order: smtpd's client= line comes "
           "after the message's qmgr line, which pflogsumm then counts without bytes and "
           "the count here takes for one of Postfix's own")
TEMPLATE = ("a template log ('%(day)s' for the date): neither tool reads the lines, the "
            "count of Postfix's own messages here does")

# received and bytes_received ((mxtriage less Postfix's own messages,
# pflogsumm), bytes in pflogsumm's units), merged into KNOWN
KNOWN_RECEIVED = {
    "ASO-tcd/random-sample-logs.log": {"received": (0, 499, SAMPLED)},
    "elastic-beats-postfix-module/postfix_smtpd.log": {"received": (0, 3, NO_QUEUE)},
    "kdent-postfix_log_analysis/mail2.log": {"received": (855, 856, NO_QUEUE)},
    "kdent-postfix_log_analysis/mail3.log": {"bytes_received": (4027, 4022, REUSED)},
    "lightmeter/go-tests.log": {"received": (0, 12, NO_QUEUE)},
    "lightmeter/individual_files/15_milter-reject.log": {"received": (0, 1, NO_QUEUE)},
    "lightmeter/individual_files/17-smtpd-reject-with-milter-reject.log": {
        "received": (0, 1, NO_QUEUE)},
    "lightmeter/individual_files/17-smtpd-reject.log": {"received": (0, 1, NO_QUEUE)},
    "lightmeter/individual_files/20_rejected.log": {"received": (0, 1, NO_QUEUE)},
    "lightmeter/mail.log": {"received": (108, 109, NO_QUEUE)},
    "misc/Mail-Log-Parse-t-data.log": {"received": (93, 98, NO_QUEUE)},
    "misc/datadog-postfix-log-samples.log": {"received": (0, 1, NO_QUEUE)},
    "misc/msimerson-postfix-parser-lines.log": {"received": (0, 2, NO_QUEUE)},
    "misc/pflogsumm-go-rfc3339.log": {"received": (0, 1, NO_CLEANUP),
                                      "bytes_received": (0, 1234, NO_CLEANUP)},
    "misc/pflogsumm-go-sample.log": {"received": (3, 4, NO_CLEANUP),
                                     "bytes_received": (7412, 9412, NO_CLEANUP)},
    "modoboa/maillog-tests-mail.log": {"received": (-3, 0, TEMPLATE),
                                       "bytes_received": (-143188, 0, TEMPLATE)},
    "pflgviewer/mail.log": {"received": (1505, 1506, NO_QUEUE)},
    "postfix_exporter/adyekjaer-mail_bsd.log": {"received": (0, 1, GROUPED)},
    "postfix_exporter/adyekjaer-mail_iso.log": {"received": (0, 1, GROUPED)},
    "postfix_exporter/digineo-testdata-mail.log": {"received": (1, 3, NO_QUEUE)},
    "postfix_exporter/kumina-go-tests.log": {"received": (0, 2, NO_QUEUE)},
    "sample": {"received": (3, 6, NO_QUEUE)},
}

FIELDS = ("delivered", "deferred_msgs", "deferrals", "bounced", "rejected",
          "warnings", "fatals", "panics", "received", "bytes_received")
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
    # "received" and "bytes received": values over 512k are written in
    # units of 1024 ("8383k"), cut down (mxtriage's numbers are compared
    # in the same units, see pf_units)
    for key, pat in (("received", r"^\s*(\d+)([km]?)\s+received"),
                     ("bytes_received", r"^\s*(\d+)([km]?)\s+bytes received")):
        m = re.search(pat, out, re.M)
        got[key] = (int(m.group(1)), m.group(2)) if m else (0, "")
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
    doc = json.loads(out)
    levels = doc["our_side"]["levels"]
    for key, _, level in TROUBLE:
        got[key] = levels[level]
    got["received"] = doc["header"]["received"]["messages"]
    got["bytes_received"] = doc["header"]["received"]["bytes"]
    return got


# The lines that begin a message in pflogsumm's reading (smtpd's client=,
# pickup's sender= or uid=), its program names (postfix/, postfix/smtps/,
# postfix/submission/), and the lines mxtriage counts a message by.
ORIGIN = re.compile(rb"postfix(?:/(?:smtps|submission))?/(?:smtpd|postscreen|pickup)\[\d+\]: "
                    rb"(?:\[ID \d+ [\w.]+\] )?(\w+): (?:client|sender|uid)=")
CLEANUP = re.compile(rb"postfix[-\w./]*/cleanup\[\d+\]: (?:\[ID \d+ [\w.]+\] )?(\w+): message-id=")
QMGR_SIZE = re.compile(rb"postfix[-\w./]*/qmgr\[\d+\]: (?:\[ID \d+ [\w.]+\] )?(\w+): "
                       rb"from=<[^>]*>, size=(\d+)")
REMOVED = re.compile(rb"postfix[-\w./]*/qmgr\[\d+\]: (?:\[ID \d+ [\w.]+\] )?(\w+): removed$")


def own_messages(path):
    """The messages mxtriage counts as received that have no line pflogsumm
    counts a message by: the notices Postfix makes itself (bounce and delay
    notifications, postmaster's copies of SMTP transcripts, from <> or
    double-bounce@) and messages whose smtpd line came from an instance
    pflogsumm does not read. (messages, bytes), counted here from the raw
    lines as mxtriage counts (the first qmgr size line after cleanup's
    message-id=), apart from its parser. Logs with one host only (the
    queue id alone names a message)."""
    origin, due = set(), set()
    msgs = size = 0
    with open(path, "rb") as f:
        for line in f:
            line = line.rstrip(b"\n")
            m = ORIGIN.search(line)
            if m:
                origin.add(m.group(1))
                continue
            m = CLEANUP.search(line)
            if m:
                due.add(m.group(1))
                continue
            m = QMGR_SIZE.search(line)
            if m and m.group(1) in due:
                due.discard(m.group(1))
                if m.group(1) not in origin:
                    msgs += 1
                    size += int(m.group(2))
                continue
            m = REMOVED.search(line)
            if m:
                origin.discard(m.group(1))
                due.discard(m.group(1))
    return msgs, size


def pf_units(v, unit):
    """v in the units pflogsumm wrote ("k": v // 1024, "m": v // 1048576)."""
    return v // {"": 1, "k": 1024, "m": 1024 * 1024}[unit]


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
        # received: mxtriage counts every message that entered the queue
        # once (the first qmgr size line after its cleanup line), the
        # notices Postfix makes itself included, as Exim's "<=" lines
        # include its bounces; pflogsumm counts smtpd's client= and
        # pickup's lines. So mxtriage less those (own_messages) must
        # equal pflogsumm (the bytes in pflogsumm's units).
        n_msgs, n_bytes = own_messages(path)
        ours["received"] -= n_msgs
        ours["bytes_received"] = pf_units(ours["bytes_received"] - n_bytes,
                                          theirs["bytes_received"][1])
        theirs["received"] = theirs["received"][0]
        theirs["bytes_received"] = theirs["bytes_received"][0]
        known = dict(KNOWN.get(name, {}), **KNOWN_RECEIVED.get(name, {}))
        bad = known_diff.problems(ours, theirs, FIELDS, known, "pflogsumm")
        failed += known_diff.print_result(
            i, name + ("" if bad or not known else " (differences explained)"),
            bad, known, "pflogsumm")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
