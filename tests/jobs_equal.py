#!/usr/bin/env python3
"""--jobs N gives the bytes of --jobs 1 (TAP).

For every log of testdata/ (the real-MTA fixtures among them), every log
of the shared corpus, a rotated set given as a directory, and generated
Postfix logs (bench/gen_postfix.py, several seeds), the report is run with
--jobs 1 and with --jobs 2, 3 and 7, in the table, JSON and CSV formats
and with other --by keys, and must be the same bytes on standard output,
the same on standard error and the same exit status. The pieces are made
tiny (MXTRIAGE_MIN_CHUNK, bytes), so cuts fall inside many messages: their
retry outcomes, expiries and distinct counts must survive the cut. Each
log is also run with the lines a piece reads before its cut
(MXTRIAGE_WARM_BYTES) reaching back only half a piece, and none: earlier
MX replies and Exim's duplicate rejections that those lines do not hold
must still give one pass's bytes (by a refusal, then).

Every log is also given on standard input, through a pipe: one pass
reads it, and with --jobs 2 the summary is made on a second thread
(lib/event_pipe.c): the same bytes, the same standard error
(--show-unparsed), the same status.

Also checked: the threads really did the work (MXTRIAGE_JOBS_DEBUG says
which runs were refused and why); the runs they refused are listed and
must stay a minority of the runs of logs that can be cut at all (a log of
one piece however small the pieces is not counted), else the test would
only compare one pass with itself.

Under the sanitizers (SANITIZE, meson's b_sanitize, not "none") the runs
are --jobs 2 and 7 only, on every third corpus log: the sanitizers look
for memory errors of the threads, which the testdata logs and that sample
meet as well, and the whole set takes them four minutes; the ordinary
build runs all of it.

Usage: jobs_equal.py MXTRIAGE SANITIZE TESTDATA [CORPUS [GEN_POSTFIX]]
"""
import os
import random
import re
import subprocess
import sys
import tempfile

ENV = {"LC_ALL": "C", "TZ": "UTC", "PATH": "/usr/bin:/bin",
       "MXTRIAGE_NOW": "1800000000", "COLUMNS": "100"}
# what MXTRIAGE_JOBS_DEBUG says of one pass with --jobs 2
ONE_PASS = "one pass, the summary on a thread of its own"

# args of each run after the format, per log
VARIANTS = [
    ["-f", "table", "--top", "0"],
    ["-f", "json"],
    ["-f", "csv"],
    ["-f", "json", "--by", "provider,code,relay"],
    ["-f", "json", "--by", "host,direction,hour"],
    ["-f", "json", "--status", "deferred,expired,bounced", "--code", "4xx"],
]


def run(binary, args, env_extra=None):
    env = dict(ENV)
    env.update(env_extra or {})
    p = subprocess.run([binary] + args, env=env, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE)
    return p.returncode, p.stdout, p.stderr


def logs_of(testdata, corpus, every=1):
    """(log, full): every log of testdata (full: all variants) and of the
    corpus (the JSON report only, to keep the run short)."""
    out = []
    for rel in ("sample/mail.log", "mta/out/postfix/mail.log",
                "mta/out/postfix/mail-rfc3339.log",
                "mta/out/postfix/other.log", "mta/out/exim/mainlog",
                "mta/out/exim/rejectlog", "rotated/mail.log.1"):
        out.append((os.path.join(testdata, rel), True))
    if corpus and os.path.isdir(corpus):
        found = []
        for root, dirs, files in os.walk(corpus):
            dirs.sort()
            for f in sorted(files):
                if f.endswith(".log") or "mainlog" in f or "maillog" in f:
                    found.append((os.path.join(root, f), False))
        out += found[::every]
    return out


def versus_one(binary, args, env, expect, want=None):
    """--jobs 2 against --jobs 1 (want, when already run) with env: the
    differences, and that MXTRIAGE_JOBS_DEBUG says expect."""
    if want is None:
        want = run(binary, ["--jobs", "1"] + args, env)
    got = run(binary, ["--jobs", "2"] + args, env)
    dbg = [l for l in got[2].decode(errors="replace").splitlines()
           if l.startswith("mxtriage: jobs: ")]
    diff = []
    if got[1] != want[1] or got[0] != want[0]:
        diff.append("the report differs from --jobs 1")
    # a refused run is one pass's, its summary on the second thread
    want_dbg = ["mxtriage: jobs: " + expect]
    if expect != "threads":
        want_dbg.append("mxtriage: jobs: " + ONE_PASS)
    if dbg != want_dbg:
        diff.append("jobs: %r, want %r" % (dbg, want_dbg))
    return diff


def one_stream(binary, logs):
    """The report of one stream: every log given on standard input through
    a pipe (one pass, never cut) with --jobs 2 has the summary made on a
    second thread (lib/event_pipe.c, mxt_event_pipe_wire): the same bytes
    as --jobs 1 on standard output and standard error (--show-unparsed),
    the same exit status."""
    tests = []
    for log, full in logs:
        with open(log, "rb") as f:
            data = f.read()
        args = ["-f", "json", "--year", "2026", "--show-unparsed", "-"]
        res = []
        for jobs in ("1", "2"):
            env = dict(ENV)
            env["MXTRIAGE_JOBS_DEBUG"] = "1"
            p = subprocess.run([binary, "--jobs", jobs] + args, env=env,
                               input=data, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
            lines = p.stderr.splitlines(keepends=True)
            dbg = [l.decode(errors="replace").rstrip("\n") for l in lines
                   if l.startswith(b"mxtriage: jobs: ")]
            err = b"".join(l for l in lines
                           if not l.startswith(b"mxtriage: jobs: "))
            res.append((p.returncode, p.stdout, err, dbg))
        diff = []
        if res[1][:3] != res[0][:3]:
            diff.append("exit %d/%d, stdout %s, stderr %s" % (
                res[1][0], res[0][0],
                "same" if res[1][1] == res[0][1] else "differs",
                "same" if res[1][2] == res[0][2] else "differs"))
        want_dbg = ["mxtriage: jobs: standard input, a pipe or a missing "
                    "file", "mxtriage: jobs: " + ONE_PASS]
        if res[1][3] != want_dbg:
            diff.append("jobs: %r, want %r" % (res[1][3], want_dbg))
        tests.append((not diff, "%s on standard input, --jobs 2" %
                      os.path.basename(log), diff))
    return tests


def straddled(binary, tmp):
    """Cuts right inside a delivery attempt and between a warning and the
    failure it explains: --jobs 2 cuts the log in the middle of a line
    that is followed by the line that needs it. With the warm lines (the
    default) the threads read it; without them (MXTRIAGE_WARM_BYTES=0)
    the run is refused; the bytes are one pass's either way."""
    pairs = {
        "a warning and the failure it explains": (
            "Nov 23 10:00:05 mx postfix/local[300]: warning: hash:/etc/aliases "
            "is unavailable. open database /etc/aliases.db: No such file or "
            "directory",
            "Nov 23 10:00:05 mx postfix/local[300]: 3F2A1C0D9: to=<user@example.net>, "
            "relay=local, delay=1, delays=0/0/0/1, dsn=4.3.0, status=deferred "
            "(alias database unavailable)",
            "a warning before a cut may explain a failure after it"),
        "an earlier MX reply and the final line": (
            "Nov 23 10:00:05 mx postfix/smtp[577]: connect to "
            "mx1.backup.test[192.0.2.25]:25: Connection refused",
            "Nov 23 10:00:06 mx postfix/smtp[577]: 96957A783E1: "
            "to=<alice@backup.test>, relay=mx2.backup.test[192.0.2.24]:25, "
            "delay=1, delays=0/0/1/0, dsn=4.7.1, status=deferred (host "
            "mx2.backup.test[192.0.2.24] said: 451 4.7.1 Try again later "
            "(in reply to RCPT TO command))",
            "earlier MX replies on both sides of a cut"),
    }
    tests = []
    for name, (before, after, reason) in sorted(pairs.items()):
        filler = []
        n = 0
        while sum(len(l) for l in filler) < 40000:
            filler.append("Nov 23 10:00:0%d mx postfix/smtpd[%d]: connect from "
                          "unknown[198.51.100.%d]\n" % (n % 5, 900 + n % 50,
                                                        n % 250))
            n += 1
        head = "".join(filler)
        lines = [before + "\n", after + "\n"]
        # the middle byte falls inside the first of the pair: the cut
        # (the next line start) comes right before the second
        tail_len = len(head) - len(lines[1])
        tail = (head * 2)[:tail_len]
        tail = tail[:tail.rfind("\n") + 1]
        tail += "x" * (tail_len - len(tail) - 1) + "\n"
        path = os.path.join(tmp, "straddled-%d.log" % len(tests))
        with open(path, "w") as f:
            f.write(head + "".join(lines) + tail)
        args = ["-f", "json", "--year", "2026", path]
        want = run(binary, ["--jobs", "1"] + args)
        for warm, expect in (("", "threads"), ("0", reason)):
            env = {"MXTRIAGE_JOBS_DEBUG": "1", "MXTRIAGE_MIN_CHUNK": "1000"}
            if warm:
                env["MXTRIAGE_WARM_BYTES"] = warm
            diff = versus_one(binary, args, env, expect, want)
            tests.append((not diff, "%s across the cut, %s: %s" % (
                name, "warm lines" if not warm else "no warm lines",
                expect), diff))
    return tests


def not_cut(binary, testdata, tmp):
    """Files the reader does not read as raw lines: compressed ones (every
    compressor the reader knows, by magic bytes) and journald's exports
    (`journalctl -o export` and `-o json`, whose entries the reader makes
    into lines) are never cut into pieces, however small the pieces; a
    log whose journal entries begin further in is cut, and the run is
    refused when a piece meets one. The bytes are one pass's in every
    case. (A piece that read such a file as raw lines once reported
    nothing of a .xz log, and 2173 "unparsed" lines of an export.)"""
    import bz2
    import gzip
    import json
    import lzma
    import shutil
    log = os.path.join(testdata, "mta", "out", "postfix", "mail-rfc3339.log")
    with open(log, "rb") as f:
        text = f.read()
    files = {}
    for name, pack in (("gzip", gzip.compress), ("bzip2", bz2.compress),
                       ("xz", lzma.compress)):
        files[name] = (pack(text), "one piece")
    for tool in ("zstd", "lz4"):
        exe = shutil.which(tool)
        if exe:
            files[tool] = (subprocess.run([exe, "-q", "-c"], input=text,
                                          stdout=subprocess.PIPE,
                                          check=True).stdout, "one piece")
    trad = os.path.join(testdata, "mta", "out", "postfix", "mail.log")
    export = subprocess.run(
        [sys.executable, os.path.join(os.path.dirname(__file__),
                                      "journal_export.py"),
         "--year", "2026", trad], stdout=subprocess.PIPE, check=True).stdout
    files["journal export"] = (export, "one piece")
    jl = []
    trad_re = re.compile(r"^\w{3} +\d+ [\d:]+ (\S+) ([^\[: ]+)(?:\[(\d+)\])?: (.*)$")
    with open(trad, encoding="utf-8", errors="replace") as f:
        for n, line in enumerate(f):
            m = trad_re.match(line.rstrip("\n"))
            if m:
                jl.append(json.dumps({
                    "__REALTIME_TIMESTAMP": str(1795440792000000 + n),
                    "_HOSTNAME": m.group(1), "SYSLOG_IDENTIFIER": m.group(2),
                    "_PID": m.group(3) or "", "MESSAGE": m.group(4)}) + "\n")
    files["journal json"] = ("".join(jl).encode(), "one piece")
    half = len(text) // 2
    half = text.index(b"\n", half) + 1
    files["log, then journal json"] = (
        text[:half] + "".join(jl[len(jl) // 2:]).encode(),
        "journal entries in a file cut into pieces")
    tests = []
    for name, (data, expect) in sorted(files.items()):
        path = os.path.join(tmp, "notcut-" + name.replace(" ", "-"))
        with open(path, "wb") as f:
            f.write(data)
        args = ["-f", "json", "--year", "2026", path]
        env = {"MXTRIAGE_JOBS_DEBUG": "1", "MXTRIAGE_MIN_CHUNK": "1000"}
        want = run(binary, ["--jobs", "1"] + args, env)
        diff = versus_one(binary, args, env, expect, want)
        try:
            delivered = json.loads(want[1])["header"]["events"]["delivered"]
        except (ValueError, KeyError):
            delivered = 0
        if not delivered:
            diff.append("--jobs 1 counted no delivery: not a log read")
        tests.append((not diff, "%s, pieces of 1000 bytes: %s" % (
            name, expect), diff))
    return tests


def exim_rotated(binary, testdata, tmp):
    """Exim's rejections and MX replies in two inputs. The first piece of
    an input after a plain file reads that file's end as warm lines, as
    a piece after a cut inside a file does: a rotated set of main logs
    (the lab's main log cut in two where the second changes, in pieces
    of 20 kB) is read by the threads, and a Postfix pair cut between
    earlier MX replies and their final line (each file one piece) too;
    without the warm lines (MXTRIAGE_WARM_BYTES=0) the runs are refused. A copy of a rejection
    from another input has the same time: a rotated set whose second
    file repeats the first file's last rejection is read by the threads
    when the warm lines hold the first copy, else it is one pass's (the
    same second's rejections in two inputs), which counts each copy
    once; so is the main log with its small reject log (the warm lines
    are at most a sixteenth of the file after the cut). The bytes are
    one pass's in every case."""
    mainlog = os.path.join(testdata, "mta", "out", "exim", "mainlog")
    rejectlog = os.path.join(testdata, "mta", "out", "exim", "rejectlog")
    with open(mainlog, "rb") as f:
        lines = f.readlines()
    # cut after the last rejection before the middle, where the second
    # changes: the warm lines (a sixteenth of the second file) hold it
    last_rej = max(i for i in range(len(lines) // 2)
                   if b" rejected RCPT " in lines[i])
    cut = last_rej + 1
    while cut < len(lines) and lines[cut][:19] == lines[cut - 1][:19]:
        cut += 1
    def write(name, data):
        path = os.path.join(tmp, name)
        with open(path, "wb") as f:
            f.write(b"".join(data))
        return path

    older = write("mainlog.1", lines[:cut])
    newer = write("mainlog", lines[cut:])
    repeat = write("mainlog-repeat", [lines[last_rej]] + lines[cut:])
    # the last line of a file without its newline is a line all the same
    no_newline = write("mainlog.1-no-newline", [b"".join(lines[:cut])[:-1]])
    overlap = "Exim rejections of the same second in two inputs"
    # Postfix's earlier MX replies in one file, their delivery's final
    # line in the next (the mxfallback lab: a 554 greeting from mx1 and a
    # refused connection to mx2, then the status line), each file one
    # piece: only the file before holds the replies
    mxlog = os.path.join(testdata, "mta", "out-mxfallback", "postfix",
                         "mail.log")
    with open(mxlog, "rb") as f:
        mxlines = f.readlines()
    at = next(i for i, l in enumerate(mxlines) if b": connect to " in l) + 1
    mx_older = write("mx-mail.log.1", mxlines[:at])
    mx_newer = write("mx-mail.log", mxlines[at:])
    mx = "earlier MX replies on both sides of a cut"
    # (name, inputs, with the warm lines, without them, piece bytes)
    cases = [
        ("a rotated set of Exim main logs", [older, newer], "threads", mx,
         "20000"),
        ("a rotated set whose first file lacks its last newline",
         [no_newline, newer], "threads", mx, "20000"),
        # the reject log is too small to read much of the main log
        ("the Exim main log and its reject log", [mainlog, rejectlog],
         overlap, overlap, "20000"),
        ("a rotated set whose second file repeats a rejection of the "
         "first", [older, repeat], "threads", overlap, "20000"),
        ("a rotated Postfix pair cut between MX replies and their final "
         "line", ["--year", "2026", mx_older, mx_newer], "threads", mx,
         "10000000"),
    ]
    tests = []
    for name, paths, hot, cold, chunk in cases:
        args = ["-f", "json"] + paths
        for warm, expect in ((None, hot), ("0", cold)):
            env = {"MXTRIAGE_JOBS_DEBUG": "1", "MXTRIAGE_MIN_CHUNK": chunk}
            if warm is not None:
                env["MXTRIAGE_WARM_BYTES"] = warm
            diff = versus_one(binary, args, env, expect)
            tests.append((not diff, "%s, %s: %s" % (
                name, "no warm lines" if warm else "warm lines", expect),
                diff))
    return tests


def main():
    binary, sanitize, testdata = sys.argv[1], sys.argv[2], sys.argv[3]
    corpus = sys.argv[4] if len(sys.argv) > 4 else ""
    gen = sys.argv[5] if len(sys.argv) > 5 else ""
    light = sanitize not in ("", "none")
    jobs_list = ("2", "7") if light else ("2", "3", "7")
    tmp = tempfile.mkdtemp(prefix="mxt-jobs-")
    cases = []  # (name, args, min chunk)
    for log, full in logs_of(testdata, corpus, 3 if light else 1):
        size = os.path.getsize(log)
        # pieces of about 1/40 of the log, at least 200 bytes: many cuts
        chunk = str(max(200, size // 40))
        name = os.path.relpath(log, os.path.dirname(testdata))
        for v in VARIANTS if full else VARIANTS[1:2]:
            cases.append((name, v + ["--year", "2026", log], chunk))
        # the lines a piece reads before its cut (MXTRIAGE_WARM_BYTES)
        # reaching back half a piece, or none: earlier MX replies and
        # Exim twins older than the warm lines must still refuse
        for warm in ("0", str(max(100, size // 80))) if full else (
                str(max(100, size // 80)),):
            cases.append((name + " warm " + warm,
                          VARIANTS[1] + ["--year", "2026", log],
                          (chunk, warm)))
    # a rotated set as a directory (plain, gzip, another compression)
    cases.append(("rotated set", ["-f", "json", "--year", "2026",
                                  os.path.join(testdata, "rotated")], "300"))
    # windows: coverage, and events and deferrals outside them
    for day in ("2026-11-23", "2026-12-07"):
        cases.append(("window " + day, ["-f", "json", "--year", "2026",
                                         "--day", day, os.path.join(
                                             testdata, "sample",
                                             "mail.log")], "500"))
    for since in ("2026-11-23T13:36", "2026-11-23T13:40"):
        cases.append(("window since " + since, [
            "-f", "json", "--year", "2026", "--since", since, os.path.join(
                testdata, "mta", "out", "postfix", "mail.log")], "3000"))
    # reply texts past the cap of 64 per group, in random order with
    # repeats: which texts are named depends on the order they first came
    rnd = random.Random(11)
    path = os.path.join(tmp, "texts.log")
    with open(path, "w") as f:
        for i in range(4000):
            d = rnd.choice(("cap.example", "cap2.example"))
            ip = rnd.randint(1, 40) if i < 1500 else rnd.randint(1, 200)
            st = rnd.choice(("deferred", "deferred", "bounced"))
            f.write("Nov 23 10:%02d:%02d mx postfix/smtp[7]: Q%05X: to=<u%d@%s>, "
                    "relay=none, delay=1, delays=0/0/1/0, dsn=4.4.1, status=%s "
                    "(connect to mx.%s[192.0.2.%d]:25: Connection refused)\n"
                    % (i // 60 % 60, i % 60, rnd.randint(0, 900), i % 50, d,
                       st, d, ip))
    for v in VARIANTS[:2]:
        cases.append(("texts past the cap", v + ["--year", "2026", path],
                      "5000"))
    if gen:
        for seed in (1, 2, 3):
            path = os.path.join(tmp, "gen%d.log" % seed)
            subprocess.run([sys.executable, gen, path, "2", str(seed)],
                           check=True)
            for v in VARIANTS[:2]:
                cases.append(("generated seed %d" % seed,
                              v + ["--year", "2024", path], "20000"))
            cases.append(("generated seed %d, default pieces" % seed,
                          ["-f", "json", "--year", "2024", path], None))

    tests = []
    refused = {}
    for name, args, chunk in cases:
        env = {"MXTRIAGE_JOBS_DEBUG": "1"}
        if isinstance(chunk, tuple):
            chunk, env["MXTRIAGE_WARM_BYTES"] = chunk
        if chunk:
            env["MXTRIAGE_MIN_CHUNK"] = chunk
        want = run(binary, ["--jobs", "1"] + args, env)
        for jobs in jobs_list:
            got = run(binary, ["--jobs", jobs] + args, env)
            lines = got[2].decode(errors="replace").splitlines()
            dbg = [l for l in lines if l.startswith("mxtriage: jobs: ")]
            err = "".join(l + "\n" for l in lines if l not in dbg).encode()
            if dbg and dbg[0] != "mxtriage: jobs: threads":
                refused.setdefault(dbg[0][len("mxtriage: jobs: "):],
                                   []).append(name)
            diff = []
            if got[0] != want[0]:
                diff.append("exit %d, want %d" % (got[0], want[0]))
            if got[1] != want[1]:
                diff.append("standard output differs")
                a = want[1].decode(errors="replace").splitlines()
                b = got[1].decode(errors="replace").splitlines()
                for i, (x, y) in enumerate(zip(a, b)):
                    if x != y:
                        diff.append("line %d: got %r" % (i + 1, y[:300]))
                        diff.append("line %d: want %r" % (i + 1, x[:300]))
                        break
            want_err = b"".join(l + b"\n" for l in want[2].splitlines()
                               if not l.startswith(b"mxtriage: jobs: "))
            if err != want_err:
                diff.append("standard error differs: got %r, want %r" % (
                    err[:600], want[2][:600]))
            tests.append((not diff, "%s %s --jobs %s" % (
                name, " ".join(args[:-1]), jobs), diff))
    tests += one_stream(binary, logs_of(testdata, corpus, 3 if light
                                        else 1))
    tests += straddled(binary, tmp)
    tests += not_cut(binary, testdata, tmp)
    tests += exim_rotated(binary, testdata, tmp)
    # a log that gives one piece however small the pieces has nothing to
    # cut: it is not a refusal, and not a run that could have threads
    uncut = len(refused.pop("one piece", []))
    nrefused = sum(len(v) for v in refused.values())
    total = len(cases) * len(jobs_list) - uncut
    tests.append((nrefused * 4 < total,
                  "threads did the work in most runs that could be cut "
                  "(%d of %d refused; %d runs of one piece)" % (
                      nrefused, total, uncut),
                  ["%s: %s" % (k, ", ".join(sorted(set(v)))) for k, v in
                   sorted(refused.items())]))

    print("1..%d" % len(tests))
    failed = 0
    for i, (ok, name, diff) in enumerate(tests, 1):
        print("%s %d - %s" % ("ok" if ok else "not ok", i, name))
        for d in diff[:20]:
            print("# " + d)
        failed += not ok
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
