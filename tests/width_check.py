#!/usr/bin/env python3
"""The table report fits its width: the first screen at 80 columns.

On the real-MTA logs (Postfix, Exim), the sample log, the hostile and the
CJK golden inputs, at 40, 80, 100 and 132 columns (all rows, --top 0):
  - no line is wider than the width, in display columns counted here
    independently of mxtriage (Python's unicodedata: East Asian wide and
    full-width characters 2, combining marks 0);
  - from 80 columns on, the Pending table keeps QUEUE ID and RECIPIENT,
    and every pending recipient's queue id is on the screen;
  - no reply note starts with Postfix's "host X said:" or Exim's "SMTP
    error from remote mail server after" (RELAY is a column);
  - suspended and expired are never rows of the Causes table.

Usage: width_check.py MXTRIAGE TESTDATA   (TAP output)
"""
import json
import os
import subprocess
import sys
import unicodedata

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tap import report as tap_report  # noqa: E402


def columns(line):
    w = 0
    for ch in line:
        if unicodedata.combining(ch):
            continue
        w += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return w


def run(binary, args, width):
    env = {"LC_ALL": "C", "TZ": "UTC", "PATH": "/usr/bin:/bin",
           "COLUMNS": str(width)}
    p = subprocess.run([binary] + args, env=env, capture_output=True,
                       timeout=120)
    return p.stdout.decode("utf-8")


def section(text, title):
    out, on = [], False
    for line in text.split("\n"):
        if line.startswith(title):
            on = True
            continue
        if on and line == "":
            break
        if on:
            out.append(line)
    return out


def main():
    binary, td = sys.argv[1], sys.argv[2]
    mta = os.path.join(td, "mta", "out")
    inputs = {
        "postfix": ["--top", "0", os.path.join(mta, "postfix", "mail.log")],
        "exim": ["--top", "0", os.path.join(mta, "exim", "mainlog"),
                 os.path.join(mta, "exim", "rejectlog")],
        "sample": ["--top", "0", "--year", "2024",
                   os.path.join(td, "sample", "mail.log")],
        "hostile": ["--top", "0", "--year", "2024",
                    os.path.join(td, "golden", "hostile-terminal-table", "input.log")],
        "cjk": ["--top", "0", "--year", "2024",
                os.path.join(td, "golden", "summary-cjk-80", "mail.log")],
    }
    results = []
    for name, args in inputs.items():
        for width in (40, 80, 100, 132):
            text = run(binary, args, width)
            bad = ["%d columns: %s" % (columns(l), l)
                   for l in text.split("\n") if columns(l) > width]
            if not text:
                bad.append("no output")
            results.append(("%s at %d columns: no line wider" % (name, width), bad))
        text = run(binary, args, 80)
        bad = []
        doc = json.loads(run(binary, args + ["-f", "json"], 80))
        pending = doc["retries"]["pending_list"]
        rows = section(text, "Pending")
        if pending:
            head = [l for l in rows if "AGE" in l]
            if not head or "QUEUE ID" not in head[0] or "RECIPIENT" not in head[0]:
                bad.append("Pending header without QUEUE ID and RECIPIENT: %s" % head)
            screen = "\n".join(rows)
            for p in pending:
                if p["queue_id"] not in screen:
                    bad.append("queue id %s not on the screen" % p["queue_id"])
        for l in section(text, "Failures by"):
            note = l.strip()
            if l.startswith("    ") and (note.startswith("host ") and " said: " in note
                                         or note.startswith("SMTP error from remote")):
                bad.append("note with the prefix: %s" % l)
        for l in section(text, "Causes"):
            if l.split(" ")[0] in ("suspended", "expired"):
                bad.append("a Causes row for %s" % l)
        results.append(("%s at 80 columns: queue ids, recipients, replies; "
                        "repeats and expiries apart" % name, bad))

    return tap_report(results, 10)


if __name__ == "__main__":
    sys.exit(main())
