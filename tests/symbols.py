#!/usr/bin/env python3
"""The library exports only its API.

Every symbol that libmxtriage.a defines for other objects to link against
(nm -g --defined-only) must start with mxt_: helpers shared between the
library's own modules get mxt_ names too (internal.h maps the short names
used inside lib/). A symbol without the prefix is listed and fails.
Also: MXT_VERSION_MAJOR/MINOR/PATCH and MXT_VERSION in mxtriage.h agree
with each other and with the meson project version.

Usage: symbols.py LIBMXTRIAGE.a MXTRIAGE.H PROJECT_VERSION   (TAP output)
"""
import re
import subprocess
import sys


def main():
    lib, header, version = sys.argv[1:4]
    out = subprocess.run(["nm", "-g", "--defined-only", lib], check=True,
                         stdout=subprocess.PIPE, text=True).stdout
    symbols = set()
    for line in out.splitlines():
        parts = line.split()
        # "ADDRESS TYPE NAME"; object headers ("x.o:") and blanks skipped
        if len(parts) == 3:
            symbols.add(parts[2])
    # a sanitizer build adds its own indicators (__odr_asan.mxt_...)
    symbols = {s for s in symbols if not s.startswith(("__odr_asan", "__asan",
                                                       "__ubsan", "__sanitizer"))}
    bad = sorted(s for s in symbols if not s.startswith("mxt_"))
    print("1..3")
    print("%s 1 - %d exported symbols, all mxt_" % ("ok" if symbols and not bad
                                                    else "not ok", len(symbols)))
    for s in bad:
        print("# not prefixed mxt_: %s" % s)
    if not symbols:
        print("# nm listed no symbol at all in %s" % lib)
    text = open(header).read()
    parts = [re.search(r"#define MXT_VERSION_%s (\d+)" % k, text)
             for k in ("MAJOR", "MINOR", "PATCH")]
    whole = re.search(r'#define MXT_VERSION "([^"]*)"', text)
    nums = ".".join(m.group(1) if m else "?" for m in parts)
    ok = whole is not None and whole.group(1) == nums
    print("%s 2 - MXT_VERSION %s, parts %s" % ("ok" if ok else "not ok",
                                               whole.group(1) if whole else "?", nums))
    ok2 = whole is not None and whole.group(1) == version
    print("%s 3 - MXT_VERSION equals the project version %s" % (
        "ok" if ok2 else "not ok", version))
    return 0 if symbols and not bad and ok and ok2 else 1


if __name__ == "__main__":
    sys.exit(main())
