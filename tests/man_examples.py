#!/usr/bin/env python3
"""Every EXAMPLES entry of mxtriage(1) is also a golden case.

Each example command in the manual's EXAMPLES section must be the
`man-command` of exactly one case folder in testdata/golden, and that
case's arguments must be the example's mxtriage arguments with paths under
/var/log/ reduced to their file names (the case folder holds files of those
names); the case may put `--year 2024` first so its output does not depend
on the checkout date. The golden runner checks the case's output.

Also: the page formats without a single groff warning (-ww: an escape
groff does not know prints nothing, a misplaced macro runs paragraphs
together); skipped where groff is not installed.

Usage: man_examples.py MAN_PAGE GOLDEN_DIR   (TAP)
"""
import os
import re
import shlex
import shutil
import subprocess
import sys


def examples(man_path):
    text = open(man_path).read()
    section = text.split(".SH EXAMPLES", 1)[1].split("\n.SH ", 1)[0]
    out = []
    for block in re.findall(r"\.nf\n(.*?)\n\.fi", section, re.S):
        block = block.replace("\\e\n", " ").replace("\\-", "-").replace("\\e", "\\")
        out.append(" ".join(block.split()))
    return out


def mxtriage_args(command):
    for part in command.split("|"):
        words = shlex.split(part)
        if words and words[0] == "mxtriage":
            args = [w for w in words[1:] if not w.startswith(">")]
            return [os.path.basename(a) if a.startswith("/var/log/") else a for a in args]
    return None


def main():
    man, golden = sys.argv[1], sys.argv[2]
    cases = {}
    for name in sorted(os.listdir(golden)):
        p = os.path.join(golden, name, "man-command")
        if os.path.exists(p):
            cases[" ".join(open(p).read().split())] = name
    exs = examples(man)
    print("1..%d" % (len(exs) + 2))
    failed = 0

    for i, ex in enumerate(exs, 1):
        name = cases.pop(ex, None)
        problem = None
        if name is None:
            problem = "no golden case has this man-command"
        else:
            with open(os.path.join(golden, name, "args")) as f:
                args = [l.rstrip("\n") for l in f if l.strip()]
            if args[:1] in (["events"], ["trace"]) and args[1:3] == ["--year", "2024"]:
                args = args[:1] + args[3:]
            elif args[:2] == ["--year", "2024"]:
                args = args[2:]
            want = mxtriage_args(ex)
            if args != want:
                problem = "case %s runs %s, the manual shows %s" % (name, args, want)
        print("%s %d - %s" % ("not ok" if problem else "ok", i, ex))
        if problem:
            failed += 1
            print("# " + problem)
    stale = sorted(cases.values())
    print("%s %d - no golden case names an example the manual lost" % (
        "not ok" if stale else "ok", len(exs) + 1))
    if stale:
        failed += 1
        print("# stale: " + ", ".join(stale))
    if shutil.which("groff") is None:
        print("ok %d - groff formats the page without a warning # SKIP "
              "groff not installed" % (len(exs) + 2))
    else:
        p = subprocess.run(["groff", "-t", "-man", "-Tutf8", "-ww", "-z",
                            man], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE,
                           env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"),
                                "LC_ALL": "C.UTF-8"})
        warnings = p.stderr.decode(errors="replace").splitlines()
        bad = p.returncode != 0 or warnings
        print("%s %d - groff formats the page without a warning" % (
            "not ok" if bad else "ok", len(exs) + 2))
        for w in warnings[:10]:
            print("# " + w)
        failed += bool(bad)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
