#!/usr/bin/env python3
"""Mail log lines -> journald's export format (systemd's
JOURNAL_EXPORT_FORMATS.md), the way journald stores them when the MTA
logs to it through syslog(3): one entry per line, with
__REALTIME_TIMESTAMP from the line's time, _HOSTNAME, SYSLOG_IDENTIFIER,
SYSLOG_PID/_PID, MESSAGE, and the fields systemd-journal-remote needs
(__MONOTONIC_TIMESTAMP, _BOOT_ID). Reads traditional syslog lines
(`Nov 23 13:33:12 host prog[pid]: msg`, dated in --year, UTC) and Exim's
own main log (`2026-11-23 13:33:09 msg`, logged as exim4 on --host).
Lines of neither form are left out. tests/journal.py feeds the result to
systemd-journal-remote; a message with a newline or a control byte is
written as a binary field, as journald does.

Usage: journal_export.py --year Y [--host H] LOG... > out.export
"""
import argparse
import calendar
import re
import struct
import sys

TRAD = re.compile(rb"^([A-Z][a-z]{2}) +(\d+) (\d\d):(\d\d):(\d\d) (\S+) ([^\[: ]+)(?:\[(\d+)\])?: ?(.*)$")
EXIM = re.compile(rb"^(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)(?:\.(\d{3}))? (?:\[(\d+)\] )?(.*)$")
MONTHS = {m.encode(): i for i, m in enumerate(
    "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split(), 1)}
BOOT = b"0123456789abcdef0123456789abcdef"


def field(out, name, value):
    if b"\n" in value or any(c < 32 and c != 9 for c in value):
        out.write(name + b"\n" + struct.pack("<Q", len(value)) + value + b"\n")
    else:
        out.write(name + b"=" + value + b"\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--year", type=int, required=True)
    ap.add_argument("--host", default="mta-lab")
    ap.add_argument("logs", nargs="+")
    a = ap.parse_args()
    out = sys.stdout.buffer
    seq = 0
    for path in a.logs:
        for raw in open(path, "rb"):
            raw = raw.rstrip(b"\n")
            m = TRAD.match(raw)
            if m:
                mon = MONTHS.get(m.group(1))
                if mon is None:
                    continue
                t = calendar.timegm((a.year, mon, int(m.group(2)),
                                     int(m.group(3)), int(m.group(4)),
                                     int(m.group(5)), 0, 0, 0))
                usec = 0
                host, ident, pid, msg = m.group(6), m.group(7), m.group(8), m.group(9)
            else:
                m = EXIM.match(raw)
                if not m:
                    continue
                g = [int(x) for x in m.groups()[:6]]
                t = calendar.timegm((g[0], g[1], g[2], g[3], g[4], g[5], 0, 0, 0))
                usec = int(m.group(7)) * 1000 if m.group(7) else 0
                host, ident, pid, msg = a.host.encode(), b"exim4", m.group(8), m.group(9)
            seq += 1
            # distinct times in the order of the lines, within the second
            rt = t * 1000000 + usec + seq % 1000
            field(out, b"__REALTIME_TIMESTAMP", str(rt).encode())
            field(out, b"__MONOTONIC_TIMESTAMP", str(seq * 1000).encode())
            field(out, b"_BOOT_ID", BOOT)
            field(out, b"PRIORITY", b"6")
            field(out, b"SYSLOG_FACILITY", b"2")
            field(out, b"SYSLOG_IDENTIFIER", ident)
            if pid:
                field(out, b"SYSLOG_PID", pid)
                field(out, b"_PID", pid)
            field(out, b"_TRANSPORT", b"syslog")
            field(out, b"_HOSTNAME", host)
            field(out, b"MESSAGE", msg)
            out.write(b"\n")


if __name__ == "__main__":
    main()
