#!/usr/bin/env python3
"""Summarise dnsmasq's query log (log-queries=extra) for the lab's proof folder.

Usage: dnssum.py DNSMASQ_LOG SUMMARY_TXT   (exit 1 if a non-loopback address shows up)
"""
import collections
import re
import sys

queries = 0
clients, fwd, types, answers = (collections.Counter() for _ in range(4))
pat = re.compile(r"\]: \d+ (\S+)/\d+ (?:query\[(\w+)\]|forwarded \S+ to (\S+)|reply \S+ is (.*)|config \S+ is (.*))")
for ln in open(sys.argv[1], errors="replace"):
    m = pat.search(ln)
    if not m:
        continue
    if m.group(2):
        queries += 1
        clients[m.group(1)] += 1
        types[m.group(2)] += 1
    elif m.group(3):
        fwd[m.group(3)] += 1
    else:
        a = (m.group(4) or m.group(5)).strip()
        answers["address or name" if re.match(r"^[a-z0-9.-]+$", a) else a] += 1
bad = [c for c in clients if not c.startswith("127.")] + [f for f in fwd if not f.startswith("127.")]
with open(sys.argv[2], "w") as o:
    o.write("# summary of dnsmasq's query log for the whole run (the full log stays in the scratch dir)\n")
    o.write("queries: %d\n" % queries)
    o.write("clients: %s\n" % dict(clients))
    o.write("query types: %s\n" % dict(types))
    o.write("forwarded to: %s (the SERVFAIL/REFUSED stub; dnsmasq has no other upstream)\n" % dict(fwd))
    o.write("answers: %s\n" % dict(answers))
    o.write("CHECK %s: every client and every forward target is a loopback address\n"
            % ("FAILED" if bad else "PASSED"))
sys.exit(1 if bad else 0)
