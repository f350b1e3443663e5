#!/usr/bin/env python3
"""The manual's EXIT STATUS names, for each status, the golden case (or
test script) that proves it; check that each named case exists and exits
with that status, and that every status of cli.h's enum is listed.

Usage: man_exit_status.py MAN_PAGE GOLDEN_DIR CLI_H   (TAP)
"""
import os
import re
import sys


def statuses(man_path):
    """{status: [names in brackets]} from the .TP items of EXIT STATUS."""
    text = open(man_path).read()
    section = text.split(".SH EXIT STATUS", 1)[1].split("\n.SH ", 1)[0]
    out = {}
    for item in section.split(".TP\n")[1:]:
        head, _, body = item.partition("\n")
        nums = [int(n) for n in re.findall(r"\d+", head)]
        body = body.split("\n.PP\n", 1)[0]
        # names in brackets: ".RI [ a ," then ".IR b ," ... up to "]"
        names, inside = [], False
        for line in body.split("\n"):
            m = re.match(r"\.(RI \[|IR) (\S+)(.*)", line)
            if m and (m.group(1) == "RI [" or inside):
                inside = "]" not in m.group(3)
                names.append(m.group(2).replace("\\-", "-"))
            elif inside and not line.startswith("."):
                inside = "]" not in line  # "and the other" text
            elif inside:
                inside = False
        for n in nums:
            out[n] = names
    return out


def enum_statuses(cli_h):
    text = open(cli_h).read()
    body = text.split("enum mxt_exit {", 1)[1].split("};", 1)[0]
    vals = [int(v) for v in re.findall(r"= (\d+)", body)]
    # MXT_EXIT_SIGNAL is 128 + the signal: SIGINT 130, SIGTERM 143
    return sorted(v for v in vals if v != 128) + [130, 143]


def main():
    man, golden, cli_h = sys.argv[1:4]
    listed = statuses(man)
    checks = []
    for status in enum_statuses(cli_h):
        checks.append(("status %d is listed with a proof" % status,
                       bool(listed.get(status)), "missing or no case named"))
    root = os.path.dirname(os.path.dirname(os.path.abspath(man)))
    for status, names in sorted(listed.items()):
        for name in names:
            if "*" in name:
                continue
            if name.startswith("tests/"):
                ok = os.path.exists(os.path.join(root, name))
                checks.append(("%d: %s exists" % (status, name), ok, "no such file"))
                continue
            path = os.path.join(golden, name, "status")
            got = open(path).read().strip() if os.path.exists(path) else None
            # status 0 also lists cases that only say something on stderr
            checks.append(("%d: case %s exits %d" % (status, name, status),
                           got == str(status), "got %s" % got))
    print("1..%d" % len(checks))
    failed = 0
    for i, (name, ok, why) in enumerate(checks, 1):
        print("%s %d - %s" % ("ok" if ok else "not ok", i, name))
        if not ok:
            failed += 1
            print("# " + why)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
