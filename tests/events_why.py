#!/usr/bin/env python3
"""events --why: each event names the rule that decided its cause, and it
is the rule `explain` names for the same reply text.

For the real-MTA logs (testdata/mta/out) and the sample log, `events
--why` in JSON and CSV: every event carries "rule" and "rule_origin"
after the schema's fields (and nothing else changes: the same events
without --why are these minus the two members); a failure other than
`other` names a rule, `other` names none. Then every outbound failure
text explain accepts is given to `explain -f json`; where explain reads the same reply
code and enhanced code from the text as the event has (explain knows
only the text), or reads none and the event's rule asks for no code,
enhanced code or direction (`rules -f json`), its deciding rule and
origin FILE:LINE must be the event's. At least 20 such comparisons must be made, so the check cannot
pass by comparing nothing.

Usage: events_why.py MXTRIAGE TESTDATA      (TAP)
"""
import csv
import io
import json
import os
import subprocess
import sys

from tap import Tap

ENV = {"LC_ALL": "C", "TZ": "UTC", "MXTRIAGE_HOSTNAME": "test"}


def run(binary, *args):
    p = subprocess.run([binary] + list(args), stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, env=ENV, timeout=300)
    return p.returncode, p.stdout.decode("utf-8")


def main():
    binary, testdata = os.path.abspath(sys.argv[1]), sys.argv[2]
    logs = [os.path.join(testdata, "mta", "out", "postfix", "mail.log"),
            os.path.join(testdata, "mta", "out", "exim", "mainlog"),
            os.path.join(testdata, "sample", "mail.log")]
    t = Tap()
    texts = {}
    for log in logs:
        name = os.path.relpath(log, testdata)
        rc, plain = run(binary, "events", "--year", "2024", log)
        rc2, why = run(binary, "events", "--why", "--year", "2024", log)
        plain_ev = [json.loads(l) for l in plain.splitlines()]
        why_ev = [json.loads(l) for l in why.splitlines()]
        bad = []
        for a, b in zip(plain_ev, why_ev):
            keys = list(b.keys())
            if keys[-2:] != ["rule", "rule_origin"]:
                bad.append("line %s: last members %s" % (b["line"], keys[-2:]))
            stripped = {k: v for k, v in b.items()
                        if k not in ("rule", "rule_origin")}
            if stripped != a or "rule" in a:
                bad.append("line %s: --why changed the event" % b["line"])
            failure = b["status"] in ("deferred", "bounced", "rejected")
            if failure and (b["cause"] == "other") != (b["rule"] is None):
                bad.append("line %s: cause %s with rule %s" % (
                    b["line"], b["cause"], b["rule"]))
            if b["rule"] is not None and ":" not in b["rule_origin"]:
                bad.append("line %s: origin %r" % (b["line"],
                                                   b["rule_origin"]))
            if failure and b["direction"] == "out" and b["rule"] and \
                    b["text"]:
                texts.setdefault(b["text"], b)
        t.check("%s: --why adds rule and rule_origin, nothing else" % name,
                rc == rc2 == 0 and len(plain_ev) == len(why_ev) > 0 and
                not bad, bad)
        rc, out = run(binary, "events", "--why", "-f", "csv", "--year",
                      "2024", log)
        rows = list(csv.reader(io.StringIO(out)))
        jrule = [(e["rule"] or "", e["rule_origin"] or "") for e in why_ev]
        crule = [(r[-2], r[-1]) for r in rows[1:]]
        t.check("%s: CSV ends with the columns rule, rule_origin" % name,
                rc == 0 and rows and rows[0][-2:] == ["rule", "rule_origin"]
                and crule == jrule,
                ["header %s" % rows[0][-2:] if rows else "no output"])
    rc, out = run(binary, "rules", "-f", "json")
    # rules whose verdict needs more than the words
    facts = set(r["name"] for r in json.loads(out)["rules"]
                if "code" in r or "dsn" in r or r["direction"] != "any")
    compared, bad = 0, []
    for text, ev in sorted(texts.items()):
        # explain takes a text it can tell is a reply (a leading code, or
        # words a rule knows); the others are left out
        rc, out = run(binary, "explain", "-f", "json", text)
        if rc != 0:
            continue
        it = json.loads(out)["items"][0]
        code = (it.get("code") or {}).get("code") or None
        dsn = (it.get("dsn") or {}).get("dsn") or None
        same = code == ev["code"] and dsn == ev["dsn"]
        if not same and (code is not None or ev["rule"] in facts):
            continue
        compared += 1
        d = it["decided"]
        origin = "%s:%s" % (d.get("origin"), d.get("line"))
        if d.get("rule") != ev["rule"] or origin != ev["rule_origin"]:
            bad.append("%r: events says %s %s, explain %s %s" % (
                text[:100], ev["rule"], ev["rule_origin"], d.get("rule"),
                origin))
    t.check("the rule of an event is the rule explain names for its text "
            "(%d compared)" % compared, compared >= 20 and not bad,
            bad or ["only %d texts compared" % compared])
    return t.finish()


if __name__ == "__main__":
    sys.exit(main())
