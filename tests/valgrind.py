#!/usr/bin/env python3
"""mxtriage under valgrind on real logs: no memory error, no leak.

Runs a few commands over the logs that real Postfix and Exim wrote
(testdata/mta/out), through the paths the other tests take with
sanitizers: the table and JSON reports, user rules with patterns,
events as CSV from a gzip file (the inflate path), the report of that
file with --jobs 2 (decompressed on a thread of its own, reader.c's
read-ahead), the report of standard input with --jobs 2 (its summary on
a second thread), events with --why on the writing thread of --jobs 2
(the copies of lib/event_pipe.c),
a damaged gzip file (a fuzzer's finding: no text made of unset bytes),
a rules file check that fails, explain. Each run must exit as expected
with no error valgrind finds and no definitely lost block
(--error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite).

Skipped when valgrind is not installed, and under sanitizers (valgrind
cannot run an AddressSanitizer binary).

Usage: valgrind.py MXTRIAGE TESTDATA SANITIZE   (TAP output)
"""
import gzip
import os
import shutil
import subprocess
import sys
import tempfile


def main():
    binary, testdata, sanitize = sys.argv[1], sys.argv[2], sys.argv[3]
    if sanitize != "none":
        print("1..0 # SKIP built with -Db_sanitize=%s" % sanitize)
        return 0
    valgrind = shutil.which("valgrind")
    if valgrind is None:
        print("1..0 # SKIP valgrind is not installed")
        return 0
    postfix = os.path.join(testdata, "mta", "out", "postfix", "mail.log")
    exim = os.path.join(testdata, "mta", "out", "exim", "mainlog")
    bad_rules = os.path.join(testdata, "golden", "rules-check-bad",
                             "bad.json")
    # damaged gzip that fuzz_reader found: with its state not zeroed,
    # ISA-L's inflate gave text made of unset bytes (reader.c, gz_init)
    damaged_gz = os.path.join(testdata, "fuzz-regress", "reader",
                              "gzip-isal-damage-after-its-buffer")
    with tempfile.TemporaryDirectory() as tmp:
        gz = os.path.join(tmp, "mail.log.1.gz")
        with open(postfix, "rb") as f, gzip.open(gz, "wb") as g:
            g.write(f.read())
        # User rules with patterns that run (JIT-compiled at their first
        # match). Not a pattern that hits the match limit: pcre2's JIT
        # code then makes valgrind report a conditional jump on
        # uninitialised words inside the generated code (no symbols; the
        # same with pcre2's default JIT stack), as Debian's libpcre2 is
        # not built with --enable-valgrind, which would mark that memory.
        # The unit tests run that path under ASan and UBSan instead.
        rules = os.path.join(tmp, "rules.json")
        with open(rules, "w") as f:
            f.write('{"rules": [\n'
                    ' {"name": "quota", "cause": "mailbox_full",'
                    ' "code": "4xx", "pattern": "over ?quota|quota (full|exceeded)"},\n'
                    ' {"name": "refused", "cause": "connection",'
                    ' "contains": ["refused"], "pattern": "connect(ion)? (to|refused)"}\n'
                    ']}\n')
        cases = [
            # name, arguments, expected exit status
            ("summary of Postfix and Exim logs",
             ["summary", "--year", "2024", postfix, exim], 0),
            ("JSON summary by domain and cause with user rules",
             ["summary", "--year", "2024", "-f", "json", "--by",
              "domain,cause", "--rules", rules, postfix, exim], 0),
            ("events as CSV from gzip, one thread",
             ["events", "--jobs", "1", "--year", "2024", "-f", "csv", gz], 0),
            ("summary of gzip, decompressed on a thread of its own "
             "(--jobs 2)",
             ["summary", "--jobs", "2", "--year", "2024", gz], 0),
            ("summary of standard input, its summary on a second thread "
             "(--jobs 2)",
             ["summary", "--jobs", "2", "--year", "2024", "-f", "json",
              "-"], 0, exim),
            ("events with --why on the writing thread (--jobs 2)",
             ["events", "--jobs", "2", "--why", "--year", "2024", postfix,
              exim], 0),
            ("events of a damaged gzip file, one thread",
             ["events", "--jobs", "1", damaged_gz], 3),
            ("summary of a damaged gzip file, decompressed on a thread of "
             "its own (--jobs 2)",
             ["summary", "--jobs", "2", damaged_gz], 3),
            ("rules --check of a bad file", ["rules", "--check", bad_rules], 2),
            ("explain", ["explain", "451", "4.7.1", "greylisting"], 0),
        ]
        print("1..%d" % len(cases))
        failed = 0
        for i, (name, args, want, *stdin) in enumerate(cases, 1):
            cmd = [valgrind, "-q", "--error-exitcode=99",
                   "--leak-check=full", "--errors-for-leak-kinds=definite",
                   binary] + args
            with open(stdin[0] if stdin else os.devnull, "rb") as f:
                data = f.read()
            p = subprocess.run(cmd, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, input=data,
                               env={"LC_ALL": "C", "TZ": "UTC",
                                    "PATH": "/usr/bin:/bin"})
            ok = p.returncode == want
            print("%s %d - %s" % ("ok" if ok else "not ok", i, name))
            if not ok:
                failed += 1
                print("# exit status %d, want %d (99: valgrind found an "
                      "error)" % (p.returncode, want))
                text = p.stderr.decode(errors="replace")
                for line in text.splitlines()[-40:]:
                    print("# " + line)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
