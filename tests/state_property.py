#!/usr/bin/env python3
"""Property test of --state (TAP): a log written a piece at a time, with a
run after each piece, gives what one run over the whole log gives.

For each log (the real-MTA fixtures, corpus logs, a generated Postfix
log) and each way of cutting it (every N lines for a few N, and cuts at
random lines), the lines are appended to a file piece by piece; after
each piece

  mxtriage events --state S1 FILE       (the new events)
  mxtriage -f json --state S2 -o k.json FILE   (the new lines' summary)
  mxtriage -f prometheus --state S3 FILE       (the counters so far)

run. Checked: the events of the runs, concatenated, equal the events of
one run over the whole log, field for field (every field: none depends
on the time of the run); the summaries merged with `mxtriage merge`
equal the summary of the whole log (as tests/merge_property.py compares
them: the inputs' names and the in-flight entries that describe the
cuts apart); the Prometheus counters never go down from one run to the
next, and the last run's series equal one run's over the whole log
(counters and gauges alike; of the domain series, which --state keeps
once given, those one run writes, with the same values), and pass
`promtool check metrics` where promtool is installed. In one variant the file is rotated between two runs, as
logrotate does it (renamed to FILE.1 with lines still to read in it, a
new FILE), and in another copytruncate's way is refused to go silent:
the run after it says on stderr that the file was truncated. Then the
state file's own failures: a corrupt, foreign, other-version or
incomplete state is an error (exit 2) that names the file, and the log
is not read; so are totals grouped by other --by keys; a state of
version 1 is read (positions kept, counters start over); an events run
carries the totals on unchanged; the main log and reject log copies of
an Exim rejection read by two runs count once.

Usage: state_property.py MXTRIAGE TESTDATA [CORPUS]
"""
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from merge_property import comparable, differences  # noqa: E402
from prometheus import parse as parse_prom  # noqa: E402

PROMTOOL = shutil.which("promtool")

ENV = {"LC_ALL": "C", "TZ": "UTC", "PATH": "/usr/bin:/bin"}
checks = []


def check(ok, name, detail=()):
    checks.append((bool(ok), name, list(detail)))


def run(binary, args, cwd):
    p = subprocess.run([binary] + args, env=ENV, cwd=cwd,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    return p.returncode, p.stdout, p.stderr


def chained(binary, lines, cuts, tmp, extra, rotate_at=None):
    """Appends lines piece by piece to tmp/mail.log, running events, the
    summary and the Prometheus counters with --state after each piece.
    Returns (events, summary files, prometheus texts, stderr texts,
    failures)."""
    for f in os.listdir(tmp):
        os.unlink(os.path.join(tmp, f))
    log = os.path.join(tmp, "mail.log")
    open(log, "wb").close()
    bounds = [0] + cuts + [len(lines)]
    events, docs, proms, errs, bad = [], [], [], [], []
    for k in range(len(bounds) - 1):
        if rotate_at is not None and k == rotate_at:
            # logrotate: the file is renamed (its last lines not read
            # yet: the piece before was written after the last run)...
            os.rename(log, log + ".1")
            open(log, "wb").close()
        with open(log, "ab") as f:
            f.writelines(lines[bounds[k]:bounds[k + 1]])
        if rotate_at is not None and k == rotate_at - 1:
            continue  # the piece is read by the run after the rotation
        rc, out, err = run(binary, ["events", "--state", "ev.state"] +
                           extra + ["mail.log"], tmp)
        if rc != 0:
            bad.append("events run %d: exit %d: %s" % (k, rc, err.decode()))
        events += out.splitlines()
        errs.append(err.decode())
        doc = os.path.join(tmp, "piece%03d.json" % k)
        rc, out, err = run(binary, ["-f", "json", "--state", "sum.state",
                                    "-o", doc] + extra + ["mail.log"], tmp)
        if rc not in (0, 1):
            bad.append("summary run %d: exit %d: %s" % (k, rc, err.decode()))
        docs.append(doc)
        rc, out, err = run(binary, ["-f", "prometheus", "--state",
                                    "prom.state"] + extra + ["mail.log"], tmp)
        if rc not in (0, 1):
            bad.append("prometheus run %d: exit %d: %s" %
                       (k, rc, err.decode()))
        proms.append(out.decode())
    return events, docs, proms, errs, bad


def counter_names(text):
    return {line.split()[2] for line in text.splitlines()
            if line.startswith("# TYPE ") and line.split()[3] == "counter"}


def fmt_series(key):
    return "%s{%s}" % (key[0], ",".join('%s="%s"' % kv
                                         for kv in sorted(key[1])))


def prom_checks(case, proms, whole_text):
    """The counters of consecutive runs never go down, and the last run's
    series are one run's over the whole log."""
    down = []
    before = parse_prom(proms[0])
    for k, text in enumerate(proms[1:], 1):
        now = parse_prom(text)
        counters = counter_names(proms[k - 1])
        for key, v in before.items():
            if key[0] not in counters:
                continue
            if key not in now:
                down.append("run %d: %s gone (was %g)" %
                            (k, fmt_series(key), v))
            elif now[key] < v:
                down.append("run %d: %s went down, %g -> %g" %
                            (k, fmt_series(key), v, now[key]))
        before = now
    check(not down, case + ": prometheus counters never go down", down[:10])
    last, whole = parse_prom(proms[-1]), parse_prom(whole_text)
    diff = []
    domain = "mxtriage_domain_failures_total"
    for key, v in sorted(whole.items(), key=lambda kv: fmt_series(kv[0])):
        if key[0] == domain and ("domain", "(other)") in key[1]:
            continue  # (other) carries what domains had before a series
        if last.get(key) != v:
            diff.append("%s: %s after the runs, %g in one run" %
                        (fmt_series(key), last.get(key), v))
    for key in last:
        if key not in whole and key[0] != domain:
            diff.append("%s: only after the runs" % fmt_series(key))
    # every failure is in one domain series or (other), or more than one
    # when a domain was given its series after it had failures
    for st in ("deferred", "bounced", "expired"):
        total = sum(v for key, v in whole.items() if key[0] == domain and
                    ("status", st) in key[1])
        got = sum(v for key, v in last.items() if key[0] == domain and
                  ("status", st) in key[1])
        if got < total:
            diff.append("%s %s: %g in all series, %g in one run" %
                        (domain, st, got, total))
    check(not diff, case + ": last prometheus run = one run over the "
          "whole log", diff[:10])
    if PROMTOOL:
        p = subprocess.run([PROMTOOL, "check", "metrics"],
                           input=proms[-1].encode(), stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=60)
        out = p.stdout.decode("utf-8", "replace")
        check(p.returncode == 0 and not out.strip(),
              case + ": promtool check metrics on the last run",
              out.splitlines())


def same_fields(events, drop):
    """The events (JSON lines) without the members named in drop."""
    out = []
    for e in events:
        o = json.loads(e)
        for k in drop:
            o.pop(k, None)
        out.append(json.dumps(o, sort_keys=True).encode())
    return out


def property_case(binary, name, path, extra, tmp, cuts_list):
    with open(path, "rb") as f:
        lines = f.read().splitlines(keepends=True)
    if lines and not lines[-1].endswith(b"\n"):
        lines[-1] += b"\n"
    rc, whole_events, err = run(binary, ["events"] + extra + [path], tmp)
    whole_events = whole_events.splitlines()
    rc, out, err = run(binary, ["-f", "json"] + extra + [path], tmp)
    whole_doc = json.loads(out)
    capped = any(g["texts_unnamed"] for g in whole_doc["groups"])
    whole = comparable(whole_doc, texts=not capped)
    rc, whole_prom, err = run(binary, ["-f", "prometheus"] + extra + [path],
                              tmp)
    whole_prom = whole_prom.decode()
    for label, cuts, rotate_at in cuts_list(len(lines)):
        events, docs, proms, errs, bad = chained(binary, lines, cuts, tmp,
                                                 extra, rotate_at)
        case = "%s, %s" % (name, label)
        check(not bad, case + ": every run succeeds", bad)
        # The input's name is not the whole log's; after a rotation the
        # new file's line numbers (and so event ids, which derive from
        # the input and the position) start again: the fields that name a
        # position in a file are compared only where the file is the same.
        drop = ["source"] + (["event_id", "line"] if rotate_at else [])
        events = same_fields(events, drop)
        whole_cmp = same_fields(whole_events, drop)
        detail = []
        if events != whole_cmp:
            for i, (a, b) in enumerate(zip(events, whole_cmp)):
                if a != b:
                    detail = ["event %d: %s" % (i, a[:300]),
                              "whole:   %s" % b[:300]]
                    break
            detail.append("%d events chained, %d in one run" %
                          (len(events), len(whole_events)))
        check(not detail, case + ": events of the runs = one run's", detail)
        rc, out, err = run(binary, ["merge", "-f", "json"] + docs, tmp)
        if rc != 0:
            check(False, case + ": merged summaries = one run's",
                  ["merge exit %d: %s" % (rc, err.decode())])
            continue
        diff = differences(whole, comparable(json.loads(out),
                                             texts=not capped))
        check(not diff, case + ": merged summaries = one run's", diff[:10])
        prom_checks(case, proms, whole_prom)
        # nothing was said to be lost (the rotated file was found)
        said = [e for e in errs if e.strip()]
        check(not said, case + ": nothing said on stderr", said[:3])


def every(n):
    return lambda total: list(range(n, total, n))


def cut_plans(seed):
    def plans(total):
        rnd = random.Random(seed)
        out = []
        for n in (997, 2500):
            if n < total:
                out.append(("every %d lines" % n, every(n)(total), None))
        k = rnd.randint(3, 8)
        cuts = sorted(rnd.sample(range(1, total), k - 1))
        out.append(("%d random pieces" % k, cuts, None))
        out.append(("%d random pieces, rotated before piece 2" % k, cuts, 2))
        return out
    return plans


def totals_cases(binary, log, tmp):
    """What the totals of a state do beside the property: damaged totals
    and totals of other --by keys are errors that leave the state as it
    was; a version 1 state is continued, its counters starting over; an
    events run carries the totals on unchanged."""
    with open(log, "rb") as f:
        lines = f.read().splitlines(keepends=True)
    path = os.path.join(tmp, "t.log")
    st = os.path.join(tmp, "t.state")
    yr = ["--year", "2026"]
    for f in (path, st):
        if os.path.exists(f):
            os.unlink(f)
    with open(path, "wb") as f:
        f.writelines(lines[:300])
    rc, first, _ = run(binary, ["-f", "prometheus", "--state", st] + yr +
                       [path], tmp)
    with open(st, "rb") as f:
        saved = f.read()
    doc = json.loads(saved)
    check(rc == 0 and doc["schema"] == "mxtriage.state/2" and
          doc["totals"]["schema"] == "mxtriage.summary/2",
          "a summary run keeps its totals (a summary) in a version 2 state",
          ["exit %d, schema %s" % (rc, doc.get("schema"))])
    with open(path, "ab") as f:
        f.writelines(lines[300:400])
    # other --by keys than the totals': refused, nothing written
    rc, out, err = run(binary, ["-f", "prometheus", "--by", "provider",
                                "--state", st] + yr + [path], tmp)
    with open(st, "rb") as f:
        after = f.read()
    check(rc == 2 and "--by provider,domain" in err.decode() and
          "this run's --by provider" in err.decode() and st in err.decode()
          and out == b"" and after == saved,
          "a run with other --by keys than the state's totals: exit 2, "
          "named, no report, the state left as it was",
          ["exit %d, stderr %r" % (rc, err.decode())])
    # damaged totals: refused, named
    bad = dict(doc, totals={"schema": "mxtriage.summary/2"})
    bad_st = os.path.join(tmp, "bad-totals.state")
    with open(bad_st, "w") as f:
        json.dump(bad, f)
    rc, out, err = run(binary, ["-f", "prometheus", "--state", bad_st] + yr +
                       [path], tmp)
    check(rc == 2 and "damaged state: totals" in err.decode() and
          "--top" not in err.decode() and out == b"",
          "damaged totals: exit 2, named (not as a --top cut), no report",
          ["exit %d, stderr %r" % (rc, err.decode())])
    # an events run carries the totals on as they were
    ev_st = os.path.join(tmp, "ev-totals.state")
    shutil.copy(st, ev_st)
    rc, out, err = run(binary, ["events", "--state", ev_st] + yr + [path],
                       tmp)
    with open(ev_st, "rb") as f:
        ev_doc = json.load(f)
    check(rc == 0 and ev_doc["totals"] == doc["totals"] and
          ev_doc["prometheus"] == doc["prometheus"] and
          ev_doc["inputs"][0]["offset"] > doc["inputs"][0]["offset"],
          "an events run reads on and carries the totals on unchanged",
          ["exit %d, stderr %r" % (rc, err.decode())])
    # version 1 (no totals): read on from its position; the counters
    # are those of the lines after it
    v1 = {k: doc[k] for k in ("inputs", "messages")}
    v1["schema"] = "mxtriage.state/1"
    v1["version"] = "0.1.0"
    v1_st = os.path.join(tmp, "v1.state")
    with open(v1_st, "w") as f:
        json.dump(v1, f)
    rc, out, err = run(binary, ["-f", "prometheus", "--state", v1_st] + yr +
                       [path], tmp)
    got = parse_prom(out.decode())
    key = ("mxtriage_lines_total", frozenset())
    with open(v1_st) as f:
        schema = json.load(f)["schema"]
    check(rc == 0 and got.get(key) == 100 and schema == "mxtriage.state/2",
          "a version 1 state is read on: counters of the new lines only, "
          "saved as version 2", ["exit %d, lines %s, schema %s, stderr %r" %
                                 (rc, got.get(key), schema, err.decode())])
    rc, out, err = run(binary, ["-f", "prometheus", "--state", st] + yr +
                       [path], tmp)
    got = parse_prom(out.decode())
    check(rc == 0 and got.get(key) == 400 and
          parse_prom(first.decode()).get(key) == 300,
          "the next run of a version 2 state counts on from its totals",
          ["exit %d, lines %s" % (rc, got.get(key))])


def rejectlog_across_runs(binary, testdata, tmp):
    """Exim writes a rejection to its main log and its reject log at
    once; a run reads one file, then the other, so the copies of a
    rejection can fall into two runs: counted once all the same, as in
    one run (the state carries the rejections not yet matched)."""
    src = os.path.join(testdata, "mta", "out", "exim")
    with open(os.path.join(src, "mainlog"), "rb") as f:
        main = f.read().splitlines(keepends=True)
    with open(os.path.join(src, "rejectlog"), "rb") as f:
        reject = f.read().splitlines(keepends=True)
    # the second rejection: its main log copy before the cut, its reject
    # log copy after it
    cut = next(i for i, l in enumerate(main) if l == reject[1]) + 1
    d = os.path.join(tmp, "rejectlog")
    os.makedirs(d, exist_ok=True)
    ml, rl, st = (os.path.join(d, n) for n in ("mainlog", "rejectlog",
                                                "s.state"))
    args = ["events", "--host", "lab"]

    def rejected(out):
        return sorted(json.dumps({k: v for k, v in json.loads(line).items()
                                  if k not in ("source", "line", "event_id")},
                                 sort_keys=True)
                      for line in out.splitlines()
                      if json.loads(line)["status"] == "rejected")

    _, whole, _ = run(binary, args + [os.path.join(src, "mainlog"),
                                      os.path.join(src, "rejectlog")], tmp)
    with open(ml, "wb") as f:
        f.writelines(main[:cut])
    with open(rl, "wb") as f:
        f.writelines(reject[:1])
    rc1, a, e1 = run(binary, args + ["--state", st, ml, rl], tmp)
    with open(ml, "ab") as f:
        f.writelines(main[cut:])
    with open(rl, "ab") as f:
        f.writelines(reject[1:])
    rc2, b, e2 = run(binary, args + ["--state", st, ml, rl], tmp)
    got, want = rejected(a + b), rejected(whole)
    check(rc1 == 0 and rc2 == 0 and got == want,
          "main log and reject log copies of a rejection read by two "
          "--state runs: counted once, as in one run",
          ["exit %d/%d, %d rejections in the runs, %d in one run" %
           (rc1, rc2, len(got), len(want)), e1.decode(), e2.decode()])


def links_across_runs(binary, testdata, tmp):
    """The table of a --state run that linked a failure to a warning
    logged in an earlier run lists that warning with count 0, its key for
    the line and the failure in LINKED."""
    d = os.path.join(tmp, "links")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(testdata, "golden", "ourside-link", "input.log"),
              "rb") as f:
        lines = f.read().splitlines(keepends=True)
    log, st = os.path.join(d, "mail.log"), os.path.join(d, "s.state")
    # the cut: after the aliases warnings, before the deferral they explain
    cut = next(i for i, l in enumerate(lines) if b"status=deferred" in l)
    with open(log, "wb") as f:
        f.writelines(lines[:cut])
    rc1, _, e1 = run(binary, ["--year", "2026", "--state", st, log], d)
    with open(log, "ab") as f:
        f.writelines(lines[cut:])
    rc2, out, e2 = run(binary, ["--year", "2026", "--state", st, log], d)
    rows = out.decode().splitlines()
    want = ('(logged before this run) warning: hash:/etc/aliases lookup '
            'error for "user"')
    i = next((k for k, r in enumerate(rows) if r.strip() == want), None)
    row = rows[i - 1].split() if i else []
    check(rc1 == 0 and rc2 == 0 and i is not None and row[:2] ==
          ["0", "warning"] and row[-1] == "1",
          "a warning of an earlier --state run is listed with count 0 and "
          "the failure it explains in this run",
          ["exit %d/%d" % (rc1, rc2), e1.decode(), e2.decode()] + rows[-30:])


def state_errors(binary, testdata, tmp):
    log = os.path.join(testdata, "sample", "mail.log")
    cases = [
        ("not JSON", b"{\"schema\": \"mxtriage.state/1\", \"inputs\": [",
         "not a state file (not JSON"),
        ("foreign JSON (a summary)", b"{\"schema\": \"mxtriage.summary/2\"}\n",
         "not an mxtriage state file"),
        ("another version", b"{\"schema\": \"mxtriage.state/9\", "
         b"\"inputs\": [], \"messages\": []}\n", "another version"),
        ("incomplete", b"{\"schema\": \"mxtriage.state/1\"}\n",
         "incomplete state"),
        ("a damaged position", b"{\"schema\": \"mxtriage.state/1\", "
         b"\"inputs\": [{\"path\": \"x\"}], \"messages\": []}\n",
         "inputs[0] is not a position"),
        ("a damaged message", b"{\"schema\": \"mxtriage.state/1\", "
         b"\"inputs\": [], \"messages\": [{\"id\": 5}]}\n",
         "messages[0] is not a message"),
        ("version 2 without totals", b"{\"schema\": \"mxtriage.state/2\", "
         b"\"inputs\": [], \"messages\": []}\n", "incomplete state"),
        ("version 2 with damaged domain series",
         b"{\"schema\": \"mxtriage.state/2\", \"inputs\": [], "
         b"\"messages\": [], \"dialects\": {}, \"totals\": null, \"prometheus\": "
         b"{\"domains\": [\"b.test\", \"a.test\"], \"other\": null}}\n",
         "prometheus.domains[1]"),
        ("version 2 with a damaged Exim part",
         b"{\"schema\": \"mxtriage.state/2\", \"inputs\": [], "
         b"\"messages\": [], \"dialects\": {\"exim\": \"d zz\\n\"}, "
         b"\"totals\": null, \"prometheus\": {\"domains\": [], "
         b"\"other\": null}}\n", "dialects.exim is not what it saved"),
    ]
    for name, data, want in cases:
        st = os.path.join(tmp, "bad.state")
        with open(st, "wb") as f:
            f.write(data)
        rc, out, err = run(binary, ["events", "--state", st, log], tmp)
        err = err.decode()
        check(rc == 2 and want in err and st in err and out == b"",
              "a state file that is %s: exit 2, named, nothing read" % name,
              ["exit %d, stderr %r, %d bytes out" % (rc, err, len(out))])
        with open(st, "rb") as f:
            check(f.read() == data, "a state file that is %s is left as it "
                  "was" % name)
    totals_cases(binary, os.path.join(testdata, "mta", "out", "postfix",
                                      "mail.log"), tmp)
    rejectlog_across_runs(binary, testdata, tmp)
    links_across_runs(binary, testdata, tmp)
    # standard input and directories have no place to continue from
    for args, want in ((["-"], "standard input"),
                       ([testdata], "is a directory")):
        rc, out, err = run(binary, ["events", "--state",
                                    os.path.join(tmp, "s")] + args, tmp)
        check(rc == 2 and want in err.decode(),
              "--state with %s: exit 2" % want, [err.decode()])
    # compressed files are never continued: an offset in them is not one
    # of their text (each compressor by its magic, not gzip alone)
    import bz2
    import gzip
    import lzma
    with open(log, "rb") as f:
        text = f.read()
    for name, pack in (("gzip", gzip.compress), ("bzip2", bz2.compress),
                       ("xz", lzma.compress)):
        path = os.path.join(tmp, "mail.log.1." + name)
        with open(path, "wb") as f:
            f.write(pack(text))
        rc, out, err = run(binary, ["events", "--state",
                                    os.path.join(tmp, "c.state"), path], tmp)
        err = err.decode()
        check(rc == 3 and "is compressed (%s)" % name in err and out == b"",
              "--state with a %s file: refused by name, exit 3" % name,
              ["exit %d, stderr %r" % (rc, err)])
    # copytruncate between two runs: said, and the new lines are read
    path = os.path.join(tmp, "ct.log")
    with open(log, "rb") as f:
        lines = f.read().splitlines(keepends=True)
    with open(path, "wb") as f:
        f.writelines(lines[:200])
    st = os.path.join(tmp, "ct.state")
    run(binary, ["events", "--year", "2024", "--state", st, path], tmp)
    with open(path, "wb") as f:  # truncated, then a few new lines
        f.writelines(lines[200:230])
    rc, out, err = run(binary, ["events", "--year", "2024", "--state", st,
                                path], tmp)
    rc2, want, _ = run(binary, ["events", "--year", "2024", path], tmp)
    check(rc == 0 and "truncated" in err.decode() and out == want,
          "copytruncate between runs: said on stderr, the new file read "
          "whole", [err.decode(), "%d vs %d bytes" % (len(out), len(want))])
    # a line completed after the run: the partial line waits for it
    path = os.path.join(tmp, "partial.log")
    with open(path, "wb") as f:
        f.writelines(lines[:50])
        f.write(lines[50][:30])
    st = os.path.join(tmp, "partial.state")
    _, a, _ = run(binary, ["events", "--year", "2024", "--state", st, path],
                  tmp)
    with open(path, "ab") as f:
        f.write(lines[50][30:])
        f.writelines(lines[51:100])
    _, b, _ = run(binary, ["events", "--year", "2024", "--state", st, path],
                  tmp)
    _, whole, _ = run(binary, ["events", "--year", "2024", path], tmp)
    check(a + b == whole, "a line half written at the end of a run is "
          "read whole by the next", ["%d + %d vs %d bytes" %
                                     (len(a), len(b), len(whole))])


def main():
    # absolute: the runs work in a directory of their own
    binary, testdata = os.path.abspath(sys.argv[1]), sys.argv[2]
    corpus = sys.argv[3] if len(sys.argv) > 3 else ""
    tmp = tempfile.mkdtemp(prefix="mxt-state-")
    work = os.path.join(tmp, "run")
    os.mkdir(work)
    logs = [
        ("postfix lab log", os.path.join(testdata, "mta/out/postfix/mail.log"),
         ["--year", "2026"]),
        ("postfix lab log, RFC 3339",
         os.path.join(testdata, "mta/out/postfix/mail-rfc3339.log"), []),
        ("exim lab main log", os.path.join(testdata, "mta/out/exim/mainlog"),
         []),
    ]
    for rel in ("ddgrey/mainlog",):
        if corpus and os.path.exists(os.path.join(corpus, rel)):
            logs.append(("corpus " + rel, os.path.join(corpus, rel), []))
    gen = os.path.join(tmp, "generated.log")
    subprocess.run([sys.executable, os.path.join(os.path.dirname(
        os.path.abspath(__file__)), "..", "bench", "gen_postfix.py"), gen,
        "2", "7", "1764000000"], check=True)
    logs.append(("generated postfix log", gen, ["--year", "2025"]))
    for i, (name, path, extra) in enumerate(logs):
        property_case(binary, name, path, extra, work, cut_plans(i))
    # a warning in one run explains a failure of the same process in the
    # next (the state carries the warnings): a run after every line; the
    # run that links a failure to a warning of an earlier run keeps the
    # count on a complaint of count 0, so the merge of the runs equals
    # one run
    property_case(binary, "our-side links",
                  os.path.join(testdata, "golden", "ourside-link",
                               "input.log"), ["--year", "2026"], work,
                  lambda total: [("a run per line", list(range(1, total)),
                                  None)])
    state_errors(binary, testdata, tmp)

    shutil.rmtree(tmp, ignore_errors=True)
    print("1..%d" % len(checks))
    for i, (ok, name, detail) in enumerate(checks, 1):
        print("%s %d - %s" % ("ok" if ok else "not ok", i, name))
        if not ok:
            for d in detail:
                print("# " + str(d))
    return 0 if all(ok for ok, _, _ in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
