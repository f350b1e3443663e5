#!/usr/bin/env python3
"""The writers read the summary through summary_read.h alone.

A writer is a lib/*.c file that includes report.h or summary_read.h
itself (the report formats, --fail-on's metrics and evaluation), apart
from summary_read.c, which implements the API. For every writer:
  - the build compiles it with MXT_SUMMARY_READER defined (its entry in
    compile_commands.json), so that summary.h stops the build of a writer
    that includes it;
  - none of the project headers it includes, followed through the
    headers they include, is summary.h.
And summary.h does stop such a build: a file that includes it, compiled
with the same compiler and MXT_SUMMARY_READER, fails with its #error.

Usage: read_api.py SOURCE_ROOT BUILD_DIR   (TAP output)
"""
import json
import os
import re
import shlex
import subprocess
import sys
import tempfile

from tap import Tap

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def local_includes(path, lib, seen):
    """The project headers path includes, directly or through others."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    for name in INCLUDE.findall(text):
        header = os.path.join(lib, name)
        if name in seen or not os.path.exists(header):
            continue
        seen.add(name)
        local_includes(header, lib, seen)
    return seen


def main():
    root, build = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    lib = os.path.join(root, "lib")
    tap = Tap()
    with open(os.path.join(build, "compile_commands.json")) as f:
        commands = json.load(f)
    by_file = {}
    for c in commands:
        path = os.path.normpath(os.path.join(c["directory"], c["file"]))
        by_file.setdefault(path, []).append(c)

    writers = []
    for name in sorted(os.listdir(lib)):
        if not name.endswith(".c") or name.endswith("_test.c") or \
                name == "summary_read.c":
            continue
        with open(os.path.join(lib, name), encoding="utf-8") as f:
            direct = set(INCLUDE.findall(f.read()))
        if direct & {"report.h", "summary_read.h"}:
            writers.append(name)
    tap.check("the writers are found (report_table.c among them)",
              "report_table.c" in writers and "failon.c" in writers,
              writers)

    for name in writers:
        path = os.path.normpath(os.path.join(lib, name))
        entries = by_file.get(path, [])
        defined = bool(entries) and all(
            "-DMXT_SUMMARY_READER" in (e.get("command") or
                                       " ".join(e.get("arguments", [])))
            for e in entries)
        tap.check("%s is built with MXT_SUMMARY_READER" % name, defined,
                  ["%d compile command(s)" % len(entries)])
        headers = local_includes(path, lib, set())
        tap.check("%s does not include summary.h" % name,
                  "summary.h" not in headers, sorted(headers))

    # the guard itself: summary.h under MXT_SUMMARY_READER is an error
    entry = by_file[os.path.normpath(os.path.join(lib, "report_table.c"))][0]
    argv = entry.get("arguments") or shlex.split(entry["command"])
    cc = argv[0]
    flags = [a for a in argv[1:] if a.startswith(("-I", "-D", "-std"))]
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "writer.c")
        with open(src, "w") as f:
            f.write('#include "summary.h"\nint x;\n')
        p = subprocess.run([cc, "-I" + lib] + flags +
                           ["-fsyntax-only", src],
                           cwd=entry["directory"], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True)
    tap.check("summary.h stops the build of a writer that includes it",
              p.returncode != 0 and
              "a writer includes summary_read.h" in p.stdout,
              [p.returncode, p.stdout[-400:]])
    return tap.finish()


if __name__ == "__main__":
    sys.exit(main())
