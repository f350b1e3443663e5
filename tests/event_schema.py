#!/usr/bin/env python3
"""The event schema mxtriage.event/1 on every log we have.

For every log of testdata/ (the sample, the real-MTA fixtures, the Exim
and rotated fixtures, the inputs of the golden cases) and every log of
the shared corpus, `mxtriage events` as JSON lines and as CSV must give:
  - every field of the schema, in the documented order, on every event
    (the columns of the CSV header, every row that many cells);
  - "schema": "mxtriage.event/1"; host, event_id, source and line set;
    event_id 16 hex digits, unique within the run;
  - null (JSON) or an empty unquoted cell (CSV) for an absent value, never
    "" (a quoted empty cell); code an integer, delay and line numbers
    never in exponent form;
  - the same events in both formats;
  - attempts null or a non-empty array of {relay, relay_ip, code, dsn,
    phase, text} (in that order, null for absent values, code an integer
    or null, phase one of the phases), written in CSV as their number;
    matters null or the text of one of them (null without attempts);
    warning null or a complaint key ("warning: ...", the level first), never
    on a delivery.
Then, on the sample: event_id is stable across runs, across a rename and
gzip compression of the log (identity is content and position), and
differs for another host.

Usage: event_schema.py MXTRIAGE TESTDATA CORPUS   (TAP output)
"""
import csv
import gzip
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from corpus_files import corpus_logs  # noqa: E402

FIELDS = ["schema", "event_id", "time", "host", "mta", "service", "queue_id",
          "direction", "status", "recipient", "domain", "provider", "via", "sender",
          "sender_domain", "relay", "relay_ip", "code", "dsn", "phase", "cause",
          "text", "delay", "message_id", "instance", "source", "line",
          "attempts", "matters", "warning"]
# an earlier MX reply, in "attempts" (JSON; CSV writes how many)
ATTEMPT_FIELDS = ["relay", "relay_ip", "code", "dsn", "phase", "text"]
PHASES = {"connect", "greeting", "helo", "starttls", "mail", "rcpt", "data", "eod"}
NUMBERS = {"code", "delay", "line"}
ENV = {"LC_ALL": "C", "TZ": "UTC", "PATH": "/usr/bin:/bin"}
NUMBER = re.compile(r"^[0-9]+(\.[0-9]+)?$")


def events(binary, path, fmt, extra=()):
    p = subprocess.run([binary, "events", "--year", "2024", "-f", fmt] + list(extra) + [path],
                       env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=300)
    return p.returncode, p.stdout


def check_jsonl(data):
    """(problems, events)"""
    problems, evs, ids = [], [], set()
    for n, line in enumerate(data.split(b"\n")[:-1], 1):
        try:
            pairs = json.loads(line, object_pairs_hook=list)
        except ValueError as e:
            problems.append("event %d: not JSON: %s" % (n, e))
            continue
        keys = [k for k, _ in pairs]
        ev = dict(pairs)
        if keys != FIELDS:
            problems.append("event %d: fields %s" % (n, keys))
            continue
        if ev["schema"] != "mxtriage.event/1":
            problems.append("event %d: schema %r" % (n, ev["schema"]))
        for k in ("host", "source", "line", "event_id"):
            if ev[k] is None:
                problems.append("event %d: %s is null" % (n, k))
        if not re.match(r"^[0-9a-f]{16}$", ev["event_id"] or ""):
            problems.append("event %d: event_id %r" % (n, ev["event_id"]))
        elif ev["event_id"] in ids:
            problems.append("event %d: event_id %s twice" % (n, ev["event_id"]))
        ids.add(ev["event_id"])
        for k, v in pairs:
            if v == "":
                problems.append('event %d: %s is "" (absent values are null)' % (n, k))
            if k in NUMBERS and v is not None and not isinstance(v, (int, float)):
                problems.append("event %d: %s is not a number: %r" % (n, k, v))
            if k == "code" and v is not None and not isinstance(v, int):
                problems.append("event %d: code %r is not an integer" % (n, v))
        # numbers as written: never in exponent form
        for k in ("delay", "line", "code"):
            m = re.search(rb'"%s":([^,}]*)' % k.encode(), line)
            if m and m.group(1) != b"null" and not NUMBER.match(m.group(1).decode()):
                problems.append("event %d: %s written as %s" % (n, k, m.group(1).decode()))
        problems += check_attempts(n, ev)
        evs.append(ev)
    return problems, evs


def check_attempts(n, ev):
    """The earlier MX replies of event n and the one that matters."""
    problems, a = [], ev["attempts"]
    if a is not None:
        if not isinstance(a, list) or not a:
            return ["event %d: attempts %r (null or a non-empty array)" % (n, a)]
        for i, pairs in enumerate(a):
            # objects are read as lists of pairs (object_pairs_hook=list)
            if not isinstance(pairs, list) or [k for k, _ in pairs] != ATTEMPT_FIELDS:
                problems.append("event %d: attempts[%d] fields %r" % (n, i, pairs))
                continue
            r = dict(pairs)
            for k, v in r.items():
                if v == "":
                    problems.append('event %d: attempts[%d].%s is ""' % (n, i, k))
            if r["code"] is not None and not isinstance(r["code"], int):
                problems.append("event %d: attempts[%d].code %r" % (n, i, r["code"]))
            if r["phase"] is not None and r["phase"] not in PHASES:
                problems.append("event %d: attempts[%d].phase %r" % (n, i, r["phase"]))
    m = ev["matters"]
    texts = [dict(r).get("text") for r in a or [] if isinstance(r, list)]
    if m is not None and m not in texts:
        problems.append("event %d: matters %r is not the text of an attempt" % (n, m))
    w = ev["warning"]
    if w is not None and (not isinstance(w, str) or ev["status"] == "delivered" or
                          not re.match(r"(note|warning|error|fatal|panic): .", w)):
        problems.append("event %d (%s): warning %r" % (n, ev["status"], w))
    return problems


def raw_cells(row):
    """The cells of one CSV record as written (quoted or not)."""
    cells, i, cur, quoted = [], 0, "", False
    while i < len(row):
        c = row[i]
        if quoted:
            if c == '"' and i + 1 < len(row) and row[i + 1] == '"':
                cur += '""'
                i += 1
            elif c == '"':
                quoted = False
                cur += c
            else:
                cur += c
        elif c == '"':
            quoted = True
            cur += c
        elif c == ",":
            cells.append(cur)
            cur = ""
        else:
            cur += c
        i += 1
    cells.append(cur)
    return cells


def check_csv(data, evs):
    problems = []
    text = data.decode("utf-8")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    if not rows:
        return ["no header"] if evs else []
    if rows[0] != FIELDS:
        problems.append("header %s" % rows[0])
    if len(rows) - 1 != len(evs):
        problems.append("%d rows, %d JSON events" % (len(rows) - 1, len(evs)))
    # records as written, to tell "" from an empty unquoted cell
    records = re.findall(r'(?:[^"\r\n]|"(?:[^"]|"")*")*\r\n', text)
    for n, rec in enumerate(records[1:], 1):
        cells = raw_cells(rec[:-2])
        if len(cells) != len(FIELDS):
            problems.append("row %d: %d cells" % (n, len(cells)))
            continue
        for k, c in zip(FIELDS, cells):
            if c == '""':
                problems.append('row %d: %s is "" (absent values are empty, unquoted)' % (n, k))
    for n, (row, ev) in enumerate(zip(rows[1:], evs), 1):
        for k, c in zip(FIELDS, row):
            v = ev[k]
            if k == "attempts" and v is not None:
                v = len(v)  # CSV: how many
            want = "" if v is None else (json.dumps(v) if isinstance(v, (int, float)) else v)
            if isinstance(v, str):
                want = want.replace("\x00", "\ufffd")  # CSV readers cut at NUL
                if v[:1] in ("=", "+", "-", "@", "\t", "\r"):
                    want = "'" + want
            if c != want and not (k == "delay" and v is not None and float(c) == v):
                problems.append("row %d: %s is %r in CSV, %r in JSON" % (n, k, c, want))
    return problems


def logs(testdata, corpus):
    files = [os.path.join(testdata, "sample", "mail.log")]
    for sub in ("mta/out/postfix", "mta/out/exim", "exim", "rotated"):
        d = os.path.join(testdata, sub)
        if os.path.isdir(d):
            files += sorted(os.path.join(d, f) for f in os.listdir(d)
                            if os.path.isfile(os.path.join(d, f)) and f != "SOURCES")
    g = os.path.join(testdata, "golden")
    files += sorted(os.path.join(g, c, "input.log") for c in os.listdir(g)
                    if os.path.exists(os.path.join(g, c, "input.log")))
    if os.path.isdir(corpus):
        files += corpus_logs(corpus)
    return files


def main():
    binary, testdata, corpus = os.path.abspath(sys.argv[1]), sys.argv[2], sys.argv[3]
    n = failed = 0
    total = 0

    def check(name, ok, diag=()):
        nonlocal n, failed
        n += 1
        print("%s %d - %s" % ("ok" if ok else "not ok", n, name))
        if not ok:
            failed += 1
            for d in list(diag)[:20]:
                print("# " + d)

    if not os.path.isdir(corpus):
        print("# corpus %s not found: only testdata/ is checked" % corpus)
    for path in logs(testdata, corpus):
        rel = os.path.relpath(path, os.path.dirname(os.path.abspath(testdata)))
        rc, js = events(binary, path, "jsonl")
        rc2, cs = events(binary, path, "csv")
        problems, evs = check_jsonl(js)
        if rc not in (0, 3) or rc2 != rc:
            problems.append("exit status %d (jsonl), %d (csv)" % (rc, rc2))
        problems += check_csv(cs, evs)
        total += len(evs)
        check("%s: %d events follow mxtriage.event/1" % (rel, len(evs)), not problems, problems)
    check("the logs gave events at all", total > 1000, ["%d events" % total])

    # event_id: content and position, not the file's name or compression
    tmp = tempfile.mkdtemp(prefix="mxtriage-schema-")
    try:
        sample = os.path.join(testdata, "sample", "mail.log")
        renamed = os.path.join(tmp, "maillog.renamed")
        shutil.copy(sample, renamed)
        with open(sample, "rb") as f, gzip.open(os.path.join(tmp, "mail.log.1.gz"), "wb") as g:
            g.write(f.read())
        ids = lambda p, *extra: [e["event_id"] for e in check_jsonl(events(binary, p, "jsonl", extra)[1])[1]]
        a = ids(sample)
        check("event_id: the same in a second run", a and ids(sample) == a)
        check("event_id: the same for the log renamed", ids(renamed) == a)
        check("event_id: the same for the log gzip-compressed",
              ids(os.path.join(tmp, "mail.log.1.gz")) == a)
        exim = os.path.join(testdata, "mta", "out", "exim", "mainlog")
        b1, b2 = ids(exim, "--host", "mx1"), ids(exim, "--host", "mx2")
        check("event_id: another host (Exim's own log, --host) gives other ids",
              b1 and len(b1) == len(b2) and not set(b1) & set(b2))
        # the writers read plain text sixteen, then eight bytes at a time:
        # every byte that needs more than a copy, at every place of a
        # block and of a word
        special = [(b'"', '"'), (b"\\", "\\"), (b"\t", "\t"), (b"\x01", "\x01"),
                   (b"\x7f", "\x7f"), (b"\xc3\xa9", "\u00e9"), (b"\xff", "\ufffd"),
                   (b"\xe2\x82", "\ufffd\ufffd")]
        lines, want = [], []
        for k, (raw, text) in enumerate(special):
            # texts of 1 to 40 plain bytes around it, at every place: up
            # to two blocks of sixteen and a word of eight (the writers
            # copy plain bytes sixteen, then eight at a time), and a last
            # one to seven bytes read as the eight that end the text,
            # which overlap what came before
            for size in range(1, 41):
                for at in range(size):
                    body = b"a" * at + raw + b"b" * (size - 1 - at)
                    lines.append(b"Nov 23 10:00:01 mx1 postfix/smtp[101]: 3F2A1C%04X: to=<a@b.example>, "
                                 b"relay=none, delay=1, dsn=4.4.1, status=deferred (%s)" % (len(lines), body))
                    want.append("a" * at + text + "b" * (size - 1 - at))
        special_log = os.path.join(tmp, "special.log")
        with open(special_log, "wb") as f:
            f.write(b"\n".join(lines) + b"\n")
        js = [json.loads(l)["text"] for l in events(binary, special_log, "jsonl")[1].split(b"\n")[:-1]]
        wrong = ["%r: %r" % (w, g) for w, g in zip(want, js) if w != g]
        check("JSON lines: escapes and UTF-8 repair at every place of a word",
              len(js) == len(want) and not wrong, wrong or ["%d events" % len(js)])
        rows = list(csv.reader(io.StringIO(events(binary, special_log, "csv")[1].decode("utf-8"), newline="")))
        col = rows[0].index("text") if rows else 0
        cs = [r[col] for r in rows[1:]]
        # a cell a spreadsheet would evaluate (a tab first) gets an apostrophe
        want_csv = ["'" + w if w.startswith("\t") else w for w in want]
        wrong = ["%r: %r" % (w, g) for w, g in zip(want_csv, cs) if w != g]
        check("CSV: quotes doubled and UTF-8 repaired at every place of a word",
              len(cs) == len(want) and not wrong, wrong or ["%d rows" % len(cs)])
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("1..%d" % n)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
