#!/usr/bin/env python3
"""Builds the seed corpora of the fuzz targets from testdata/ and the shared
log corpus, at run time (nothing of it is committed).

Usage: seeds.py OUT_DIR [CORPUS_DIR]
  OUT_DIR/<target>/  one file per seed, named by its SHA-1 (as libFuzzer
                     names its own), for the targets line, reader, rules,
                     explain, failon, timespec, by and merge.
  MXTRIAGE=PROG      the program, to write JSON summaries for merge's seeds
                     (without it, only those of testdata/golden)
  CORPUS_DIR         default: ../shared/corpus beside the source tree;
                     skipped with a note when absent.

The line target gets one seed per line *shape* (digits folded, so a log of
a million deliveries gives a few dozen seeds), at most 80 per file, a few
runs of consecutive lines (queue ids joined across lines), and a Postfix
and an Exim line around every reply text of the classification corpus.
The reader target gets whole files cut at 140 KB (two MXT_LINE_MAX), some gzip-compressed.
The framing target gets the line shapes again, bare and in the container
prefixes (docker compose, kubectl --prefix, docker --timestamps, Exim's
foreground output); journal gets lines of the logs as journalctl -o json
lines (byte 0 first) and as -o export streams (byte 1 first, messages with
a line break as binary fields); state gets the states mxtriage --state
writes after a few logs (MXTRIAGE) and hand-made ones; trace gets a
selection line and a run of consecutive lines.
"""
import json
import struct
import tempfile
import gzip
import hashlib
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TESTDATA = os.path.join(ROOT, "testdata")
READER_MAX = 140_000
SHAPES_PER_FILE = 80


def put(out, target, data):
    if isinstance(data, str):
        data = data.encode("utf-8", "surrogateescape")
    d = os.path.join(out, target)
    os.makedirs(d, exist_ok=True)
    name = hashlib.sha1(data).hexdigest()
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def log_files(corpus):
    """Log inputs of testdata and the corpus, as (path, bytes)."""
    paths = []
    for base, names in ((os.path.join(TESTDATA, "sample"), None),
                        (os.path.join(TESTDATA, "golden"), ("stdin", "input.log", "mail.log")),
                        (os.path.join(TESTDATA, "mta", "out"), None)):
        for d, _, files in os.walk(base):
            for n in sorted(files):
                if names is None and (n.endswith(".log") or n in ("mainlog", "rejectlog")):
                    paths.append(os.path.join(d, n))
                elif names is not None and n in names:
                    paths.append(os.path.join(d, n))
    if corpus and os.path.isdir(corpus):
        for d, _, files in os.walk(corpus):
            for n in sorted(files):
                if n.endswith(".log") or n in ("mainlog", "rejectlog") or ".head" in n:
                    paths.append(os.path.join(d, n))
    for p in sorted(paths):
        with open(p, "rb") as f:
            yield p, f.read()


SHAPE = re.compile(rb"[0-9]+|[A-F0-9]{8,}")


WRAPS = (b"mail-1  | ", b"mailserver  | \x1b[36m", b"[pod/mail-0/postfix] ",
         b"2026-11-23T10:00:01.123456789Z ", b"mail-1  | 2026-11-23T10:00:01.123456789Z ")


def journal_seeds(out, lines):
    """A few log lines as journald's json and export forms."""
    for i, line in enumerate(lines[:6]):
        m = re.match(rb"^(\S+ +\S+ \S+) (\S+) ([^\[: ]+)(?:\[(\d+)\])?: ?(.*)$", line)
        host, ident, pid, msg = (m.group(2), m.group(3), m.group(4) or b"1",
                                 m.group(5)) if m else (b"mx", b"exim4", b"7", line)
        ts = str(1790000000000000 + i * 1234567).encode()
        fields = {"__REALTIME_TIMESTAMP": ts.decode(), "_HOSTNAME": host.decode("latin-1"),
                  "SYSLOG_IDENTIFIER": ident.decode("latin-1"), "SYSLOG_PID": pid.decode(),
                  "MESSAGE": msg.decode("utf-8", "replace")}
        put(out, "journal", b"\x00" + json.dumps(fields).encode())
        fields["MESSAGE"] = list(msg[:200])
        put(out, "journal", b"\x00\x1e" + json.dumps(fields).encode())
        exp = (b"__CURSOR=s=1;i=" + str(i).encode() + b"\n__REALTIME_TIMESTAMP=" + ts +
               b"\n_HOSTNAME=" + host + b"\nSYSLOG_IDENTIFIER=" + ident +
               b"\n_PID=" + pid + b"\n")
        put(out, "journal", b"\x01" + exp + b"MESSAGE=" + msg + b"\n\n" + line + b"\n")
        bin_msg = msg + b"\nsecond line\r\n"
        put(out, "journal", b"\x01" + exp + b"MESSAGE\n" + struct.pack("<Q", len(bin_msg)) +
            bin_msg + b"\n\n" + exp + b"MESSAGE=x\n")


def line_seeds(out, corpus):
    for path, data in log_files(corpus):
        lines = data.split(b"\n")
        seen = set()
        shapes = []
        for line in lines:
            shape = SHAPE.sub(b"0", line)
            if not line or shape in seen or len(seen) >= SHAPES_PER_FILE:
                continue
            seen.add(shape)
            shapes.append(line)
            put(out, "line", line)
            put(out, "framing", line)
            put(out, "framing", WRAPS[len(seen) % len(WRAPS)] + line)
        journal_seeds(out, shapes)
        trace_seeds(out, lines)
        # runs of consecutive lines, for correlation by queue id
        for start in range(0, min(len(lines), 3000), 1000):
            chunk = b"\n".join(lines[start:start + 12])
            if chunk:
                put(out, "line", chunk)
    classify = os.path.join(TESTDATA, "classify", "corpus.txt")
    with open(classify, "rb") as f:
        for row in f:
            parts = row.rstrip(b"\n").split(b"\t")
            if row.startswith(b"#") or len(parts) < 5:
                continue
            _, code, dsn, direction, text = parts[:5]
            dsn = b"" if dsn == b"-" else dsn
            if direction == b"in":
                put(out, "line", b"Nov 23 10:00:01 mx postfix/smtpd[9]: NOQUEUE: "
                    b"reject: RCPT from unknown[192.0.2.7]: " + text +
                    b"; from=<a@example.org> to=<b@example.com> proto=ESMTP helo=<h>")
            else:
                put(out, "line", b"Nov 23 10:00:01 mx postfix/smtp[7]: 3F2A1C0D1: "
                    b"to=<u@example.net>, relay=mx.example.net[192.0.2.1]:25, "
                    b"delay=1, delays=0/0/0/1, dsn=" + (dsn or b"4.0.0") +
                    b", status=deferred (host mx.example.net[192.0.2.1] said: " +
                    text + b" (in reply to RCPT TO command))")
                put(out, "line", b"2026-11-23 10:00:01 1rAbCd-0001Xy-AB == u@example.net "
                    b"R=dnslookup T=remote_smtp defer (-44) H=mx.example.net "
                    b"[192.0.2.1]: SMTP error from remote mail server after RCPT "
                    b"TO:<u@example.net>: " + text)


SELECTIONS = (b"\t\t\t\t\t\t\t", b"*@example.com", b"\t*@*.org\tmx.*", b"\t\t\t2026-11-23",
              b"\t\t\t\t3F2A1C0D1", b"\t\t\t\t\tmx", b"\t\t\t\t\t\t1@example.org",
              b"\t\t\t\t\t\t\tgoogle", b"[a-z]*\t<>\t192.0.2.*")


def trace_seeds(out, lines):
    for k, start in enumerate(range(0, min(len(lines), 2000), 500)):
        chunk = b"\n".join(lines[start:start + 16])
        if chunk:
            put(out, "trace", SELECTIONS[k % len(SELECTIONS)] + b"\n" + chunk)


JSON_MAX = 32768  # -max_len of the merge and state targets (run.sh)
LOGS = [os.path.join(TESTDATA, "sample", "mail.log"),
        os.path.join(TESTDATA, "mta", "out", "exim", "mainlog"),
        os.path.join(TESTDATA, "mta", "out", "postfix", "mail.log")]


def put_json(out, target, data):
    """A JSON document as a seed, and compacted (no indentation) too: the
    fuzzer cuts a seed at JSON_MAX bytes, and a cut document only ever
    exercises the JSON error path."""
    put(out, target, data)
    try:
        doc = json.loads(data)
    except ValueError:
        return
    put(out, target, json.dumps(doc, separators=(",", ":"),
                                ensure_ascii=False))


def log_heads(tmp):
    """LOGS whole and their first 40 and 150 lines (documents made from
    those are read whole within JSON_MAX), as paths of files in tmp."""
    for i, log in enumerate(LOGS):
        yield log
        with open(log, "rb") as f:
            lines = f.readlines()
        for n in (40, 150):
            head = os.path.join(tmp, "head-%d-%d.log" % (i, n))
            with open(head, "wb") as f:
                f.writelines(lines[:n])
            yield head


def state_seeds(out):
    """States written by mxtriage --state after a few logs (MXTRIAGE), and
    hand-made ones with hex values and several inputs."""
    put(out, "state", b'{"schema": "mxtriage.state/1", "version": "0.1.0", "inputs": [], '
        b'"messages": []}')
    put(out, "state", b'{"schema": "mxtriage.state/1", "version": "0.1.0", "inputs": '
        b'[{"path": "a.log", "dev": 1, "ino": 2, "offset": 300, "line": 4, '
        b'"last_line_length": 80, "last_line_fnv1a64": "0123456789abcdef"}], '
        b'"messages": [{"host": "mx", "id": "ABCDE", "sender": {"hex": "61ff40"}, '
        b'"client_name": "c", "client_ip": "192.0.2.1", "message_id": "1@x", '
        b'"pending": [{"recipient": "u@example.net", "text": "451 greylisted", '
        b'"code": 451, "dsn": "4.7.1"}, {"recipient": {"hex": "7540"}, "text": "", '
        b'"code": 0, "dsn": ""}]}]}')
    prog = os.environ.get("MXTRIAGE")
    if not prog:
        return
    with tempfile.TemporaryDirectory() as tmp:
        for i, log in enumerate(log_heads(tmp)):
            st = os.path.join(tmp, "state-%d" % i)
            subprocess.run([prog, "--state", st, "-f", "json", "--year",
                            "2026", log], capture_output=True,
                           env={"TZ": "UTC", "LC_ALL": "C"})
            if os.path.exists(st):
                with open(st, "rb") as f:
                    put_json(out, "state", f.read())


def reader_seeds(out, corpus):
    n = 0
    for path, data in log_files(corpus):
        if len(data) < 64:
            continue
        cut = data[:READER_MAX]
        put(out, "reader", cut)
        if n % 8 == 0:
            put(out, "reader", gzip.compress(cut[:20000]))
        n += 1
    put(out, "reader", b"a\r\nb\r\n\r\nlast line without newline")
    put(out, "reader", b"x" * 65536 + b"\n" + b"y" * 65537 + b"\r\nz")


def rules_seeds(out):
    for d, _, files in os.walk(os.path.join(TESTDATA, "golden")):
        for n in files:
            if n.endswith(".json"):
                with open(os.path.join(d, n), "rb") as f:
                    put(out, "rules", f.read())
    put(out, "rules", b'{"rules": [{"name": "acme-limit", "cause": "rate_limit", '
        b'"direction": "out", "code": "4xx", "dsn": "4.7.*", "contains": '
        b'["too many"], "pattern": "rate (limit|exceeded)", "comment": "x"}], '
        b'"providers": [{"name": "acme", "match": ["acme-mx.net", "acme.*"]}]}')
    put(out, "rules", b'{"rules": [{"name": "a", "cause": "policy", "code": "none", '
        b'"dsn": "*.7.26", "pattern": "(a+)+$"}], "comment": "c"}')


def merge_seeds(out, corpus):
    """JSON summaries: those of the golden cases, and when MXTRIAGE names
    the program, summaries of a few logs and their first lines
    (log_heads) with several --by keys."""
    for d, _, files in os.walk(os.path.join(TESTDATA, "golden")):
        for n in files:
            p = os.path.join(d, n)
            if n.endswith(".json"):
                with open(p, "rb") as f:
                    data = f.read()
                if b"mxtriage.summary/" in data:
                    put_json(out, "merge", data)
    prog = os.environ.get("MXTRIAGE")
    if not prog:
        return
    with tempfile.TemporaryDirectory() as tmp:
        logs = list(log_heads(tmp))
        for by in ("domain,cause", "sender,relay,hour",
                   "provider,code,host,day"):
            for log in logs:
                r = subprocess.run([prog, "-f", "json", "--by", by,
                                    "--year", "2026", log],
                                   capture_output=True,
                                   env={"TZ": "UTC", "LC_ALL": "C"})
                if r.returncode == 0:
                    put_json(out, "merge", r.stdout)


EXPLAIN = ["451", "4.7.1", "451 4.3.0", "550\x005.1.1", "X.7.26", "greylisting",
           "blocklist\x00rate_limit\x00421", "5.7.0", "2.0.0", "554 5.7.1", "999"]
FAILON = ["deferred>100", "bounce_rate>2%", "cause:blocklist>0", "pending_age>4h",
          "failures>=1000", "defer_rate<=0.5%", "unparsed!=0", "pending=3",
          " rejected < 10 ", "expired>1e3", "pending_age>90m"]
TIMESPEC = ["2026-11-23", "2026-11-23T10:30", "2026-11-23T10:30:15", "2026-11-23 10:30",
            "10:30", "10:30:15", "today", "yesterday", "now", "2h", "30m", "1d", "90s",
            "1w", "2026-11-23T12:34:12Z", "2026-11-23T12:34:12+01:00", "2026-02-30"]
BY = ["domain,cause", "sender,cause", "domain", "cause,code,relay,sender",
      "sender-domain,host,mta,direction", "provider,hour,day", "domain,,cause,"]


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    out = sys.argv[1]
    corpus = sys.argv[2] if len(sys.argv) > 2 else os.path.join(ROOT, "..", "shared", "corpus")
    if not os.path.isdir(corpus):
        print(f"seeds: no corpus at {corpus}; seeds from testdata only", file=sys.stderr)
        corpus = None
    line_seeds(out, corpus)
    reader_seeds(out, corpus)
    rules_seeds(out)
    merge_seeds(out, corpus)
    state_seeds(out)
    for fg in (b"LOG: MAIN\n  <= a@example.org H=(h) [192.0.2.1] P=esmtp S=300\n",
               b"2026-11-23T10:00:01.123456789Z LOG: MAIN REJECT\n"
               b"2026-11-23T10:00:01.123456789Z   H=(h) [192.0.2.1] F=<a@b> "
               b"rejected RCPT <u@example.org>: relay not permitted\n"):
        put(out, "framing", fg)
    for target, seeds in (("explain", EXPLAIN), ("failon", FAILON),
                          ("timespec", TIMESPEC), ("by", BY)):
        for s in seeds:
            put(out, target, s)
    for t in sorted(os.listdir(out)):
        print(f"seeds: {t}: {len(os.listdir(os.path.join(out, t)))}", file=sys.stderr)


if __name__ == "__main__":
    main()
