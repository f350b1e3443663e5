#!/usr/bin/env python3
"""The tables of -f csv --csv-table against the JSON report of the same run.

Each table is a list of the JSON report named by its path there: for the
real-MTA logs (testdata/mta/out), the our-side logs of the golden cases
and the hostile log of hostile-html, every table but groups (whose
columns are its own, checked by golden cases) must hold, row for row,
the elements of its JSON list: the same columns under the JSON's member
names in the JSON's order (timeline.buckets: the object "causes" as one
column causes.ID per cause, 0 where the JSON has none), strings equal
(a formula cell with its leading apostrophe, as the CSV writes it),
numbers equal and unquoted, a rate the same double written with the same
digits as in the JSON text, null an empty unquoted cell. Lines end in
CR LF; every row has the header's number of cells.

Usage: csv_tables.py MXTRIAGE TESTDATA   (TAP output)
"""
import json
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tap import report as tap_report  # noqa: E402

ENV = {"LC_ALL": "C", "TZ": "UTC", "PATH": "/usr/bin:/bin"}
TABLES = ["rates.total", "rates.providers", "rates.domains", "timeline.buckets",
          "our_side.complaints", "our_side.sasl_failures",
          "our_side.rate_limited", "our_side.anvil"]


def run(binary, args):
    p = subprocess.run([binary] + args, env=ENV, capture_output=True, timeout=120)
    if p.returncode not in (0, 1):
        raise RuntimeError("%s: exit %d: %s" % (args, p.returncode, p.stderr[:300]))
    return p.stdout


def parse_csv(data):
    """RFC 4180 with CR LF: rows of (value, quoted) cells. Raises
    ValueError on a bare LF, a quote inside an unquoted cell, or text
    after a closing quote."""
    rows, row, i, n = [], [], 0, len(data)
    while i < n:
        if data[i] == '"':
            j, buf = i + 1, []
            while True:
                k = data.index('"', j)
                buf.append(data[j:k])
                if data.startswith('"', k + 1):
                    buf.append('"')
                    j = k + 2
                    continue
                i = k + 1
                break
            row.append(("".join(buf), True))
        else:
            m = re.compile(r'[^,"\r\n]*').match(data, i)
            row.append((m.group(0), False))
            i = m.end()
        if data.startswith(",", i):
            i += 1
        elif data.startswith("\r\n", i):
            rows.append(row)
            row = []
            i += 2
        else:
            raise ValueError("at byte %d: %r" % (i, data[i:i + 20]))
    if row:
        raise ValueError("last line without CR LF")
    return rows


def formula(s):
    return s[:1] in ("=", "+", "-", "@", "\t", "\r")


def json_rows(report, name):
    if name == "rates.total":
        return [report["rates"]["total"]]
    a, b = name.split(".")
    return report[a][b]


def real_texts(raw):
    """The digits of every "defer_rate"/"bounce_rate" in the JSON text."""
    return set(re.findall(rb'"(?:defer|bounce)_rate": ([-0-9.e]+)', raw))


def check_table(name, raw_csv, report, rates_text):
    bad = []
    try:
        rows = parse_csv(raw_csv.decode("utf-8"))
    except (ValueError, UnicodeDecodeError) as e:
        return ["not RFC 4180 CSV: %s" % e]
    if not rows:
        return ["no header line"]
    head = [v for v, _ in rows[0]]
    want = json_rows(report, name)
    if len(rows) - 1 != len(want):
        bad.append("%d rows, the JSON list has %d" % (len(rows) - 1, len(want)))
    for r, (row, elem) in enumerate(zip(rows[1:], want), 1):
        if len(row) != len(head):
            bad.append("row %d: %d cells, the header has %d" % (r, len(row), len(head)))
            continue
        flat = {}
        for k, v in elem.items():
            if k == "causes":
                continue
            flat[k] = v
        if name == "timeline.buckets":
            cols = [c for c in head if not c.startswith("causes.")]
            for c in head[len(cols):]:
                flat[c] = elem["causes"].get(c[len("causes."):], 0)
            if set(elem["causes"]) - {c[len("causes."):] for c in head}:
                bad.append("row %d: causes without a column" % r)
        if list(flat) != head:
            bad.append("row %d: columns %s, the JSON has %s" % (r, head, list(flat)))
            continue
        for (cell, quoted), col in zip(row, head):
            v = flat[col]
            where = "row %d %s" % (r, col)
            if v is None:
                if cell != "" or quoted:
                    bad.append("%s: %r for null" % (where, cell))
            elif isinstance(v, bool) or isinstance(v, str):
                w = str(v)
                if formula(w):
                    w = "'" + w
                if cell != w or not quoted:
                    bad.append("%s: %r (quoted %s), the JSON has %r" % (where, cell, quoted, v))
            elif isinstance(v, int):
                if cell != str(v) or quoted:
                    bad.append("%s: %r (quoted %s), the JSON has %d" % (where, cell, quoted, v))
            elif isinstance(v, float):
                if quoted or float(cell) != v or cell.encode() not in rates_text:
                    bad.append("%s: %r, the JSON has %r" % (where, cell, v))
    return bad[:20]


def main():
    binary, td = sys.argv[1], sys.argv[2]
    mta = os.path.join(td, "mta", "out")
    g = os.path.join(td, "golden")
    logs = {
        "postfix": ["--year", "2026", os.path.join(mta, "postfix", "mail.log")],
        "exim": ["--year", "2026", os.path.join(mta, "exim", "mainlog"),
                 os.path.join(mta, "exim", "rejectlog")],
        "ourside-postfix": ["--year", "2026", os.path.join(g, "ourside-postfix-80", "input.log")],
        "ourside-exim": ["--year", "2026", os.path.join(g, "ourside-exim-132", "mainlog"),
                         os.path.join(g, "ourside-exim-132", "paniclog")],
        "hostile": ["--year", "2024", os.path.join(g, "hostile-html", "input.log")],
    }
    results = []
    for log, args in logs.items():
        raw_json = run(binary, ["-f", "json"] + args)
        report = json.loads(raw_json)
        rates_text = real_texts(raw_json)
        for name in TABLES:
            raw = run(binary, ["-f", "csv", "--csv-table", name] + args)
            results.append(("%s: %s is the JSON list, row for row" % (log, name),
                            check_table(name, raw, report, rates_text)))
        # the tables are not all empty: the check above compared something
        seen = [n for n in TABLES if json_rows(report, n)]
        results.append(("%s: tables with rows: %s" % (log, ", ".join(seen)),
                        [] if len(seen) >= 3 else ["fewer than 3 tables with rows"]))
    return tap_report(results, 20)


if __name__ == "__main__":
    sys.exit(main())
