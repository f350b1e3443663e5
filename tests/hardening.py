#!/usr/bin/env python3
"""Checks that the built binary carries the hardening meson.build asks for.

  PIE              readelf -h: type DYN
  full RELRO       readelf -l: a GNU_RELRO segment, and
                   readelf -d: BIND_NOW (DT_BIND_NOW, FLAGS BIND_NOW or
                   FLAGS_1 NOW), so the GOT is read-only from the start
  stack protector  the dynamic symbols include __stack_chk_fail
  _FORTIFY_SOURCE  the dynamic symbols include glibc's checked functions
                   (__snprintf_chk, __memcpy_chk, ...); skipped when the
                   build leaves fortification out (no optimisation, or a
                   sanitizer build: ASan's interceptors and the _chk
                   variants do not mix, see meson.build)

Each check fails when its flag is dropped from the build.

Usage: hardening.py BINARY fortify|no-fortify   (TAP output)
"""
import re
import shutil
import subprocess
import sys


def readelf(*args):
    return subprocess.run(["readelf", "-W", *args], check=True,
                          stdout=subprocess.PIPE, text=True,
                          env={"LC_ALL": "C", "PATH": "/usr/bin:/bin"}).stdout


def main():
    binary, fortify = sys.argv[1], sys.argv[2] == "fortify"
    if shutil.which("readelf") is None:
        print("1..0 # SKIP readelf (binutils) is not installed")
        return 0
    header = readelf("-h", binary)
    dynamic = readelf("-d", binary)
    segments = readelf("-l", binary)
    # "  27: 0000000000000000  0 FUNC GLOBAL DEFAULT UND __stack_chk_fail@GLIBC_2.4 (6)"
    symbols = set()
    for line in readelf("--dyn-syms", binary).splitlines():
        cols = line.split()
        if len(cols) >= 8 and cols[0].endswith(":"):
            symbols.add(cols[7].split("@")[0])
    m = re.search(r"^\s*Type:\s+(\S+)", header, re.M)
    elf_type = m.group(1) if m else "?"
    bind_now = bool(re.search(r"\(BIND_NOW\)|\(FLAGS\).*\bBIND_NOW\b|"
                              r"\(FLAGS_1\).*\bNOW\b", dynamic))
    chk = sorted(s for s in symbols
                 if s.endswith("_chk") and s != "__stack_chk_fail")

    checks = [
        ("PIE (ELF type DYN)", elf_type == "DYN", "type is %s" % elf_type),
        ("RELRO (GNU_RELRO segment)", "GNU_RELRO" in segments,
         "no GNU_RELRO program header"),
        ("full RELRO (BIND_NOW)", bind_now,
         "no BIND_NOW or FLAGS_1 NOW in the dynamic section"),
        ("stack protector (__stack_chk_fail)",
         "__stack_chk_fail" in symbols, "__stack_chk_fail is not imported"),
    ]
    print("1..%d" % (len(checks) + 1))
    failed = 0
    for i, (name, ok, why) in enumerate(checks, 1):
        print("%s %d - %s" % ("ok" if ok else "not ok", i, name))
        if not ok:
            print("# " + why)
            failed += 1
    n = len(checks) + 1
    if not fortify:
        print("ok %d - _FORTIFY_SOURCE # SKIP not used in this build "
              "(no optimisation, or sanitizers)" % n)
    elif chk:
        print("ok %d - _FORTIFY_SOURCE (%s)" % (n, ", ".join(chk[:4])))
    else:
        print("not ok %d - _FORTIFY_SOURCE" % n)
        print("# no __*_chk function is imported")
        failed += 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
