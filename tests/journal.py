#!/usr/bin/env python3
"""journald input against REAL journal files.

The project's real-MTA logs (testdata/mta/out: Postfix's syslog and
Exim's main log) become journald's export format (tests/journal_export.py),
which Debian's systemd-journal-remote writes into a real journal file.
From that file journalctl itself prints the forms users pipe in (-o json,
json-seq, export, short, short-iso, short-iso-precise, short-precise,
short-full, short-unix), and mxtriage reads the file directly with
--journal=FILE and --journal=DIR. Every one of them must give the same
events as the original log (times compared to the second: the journal
keeps microseconds, the logs seconds; source, line and event_id say where
an event was read, so they differ by design). Also: --since/--until on
the journal give the window's events of the whole run, exactly; each
form also under TZ=Europe/Berlin (short-full prints CET, read as local
time); a journal cut short still gives what it holds. Skipped (77) when
systemd-journal-remote or journalctl is not installed.

Usage: journal.py MXTRIAGE TESTDATA   (TAP)
"""
import calendar
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

REMOTE = "/lib/systemd/systemd-journal-remote"
FORMS = ["json", "json-seq", "export", "short", "short-iso",
         "short-iso-precise", "short-precise", "short-full", "short-unix"]
# forms whose times journalctl prints in the local zone, read back in it
ZONED = ["short", "short-full", "short-unix"]

n = 0
failed = 0


def check(ok, name, detail=""):
    global n, failed
    n += 1
    print(("ok" if ok else "not ok") + " %d - %s" % (n, name))
    if not ok:
        failed += 1
        for l in detail.splitlines()[:20]:
            print("# " + l)


def events(binary, args, tz="UTC"):
    env = {"LC_ALL": "C", "TZ": tz, "PATH": "/usr/bin:/bin"}
    p = subprocess.run([binary, "events"] + args, capture_output=True,
                       env=env, stdin=subprocess.DEVNULL)
    out = []
    for line in p.stdout.decode().splitlines():
        e = json.loads(line)
        for k in ("source", "line", "event_id"):
            e.pop(k, None)
        e["time"] = utc_second(e["time"])
        out.append(json.dumps(e, sort_keys=True))
    return p.returncode, out, p.stderr.decode()


def utc_second(t):
    """ISO 8601 with offset -> seconds since the epoch (the fraction cut:
    the journal keeps microseconds, the logs seconds)."""
    base = calendar.timegm(time.strptime(t[:19], "%Y-%m-%dT%H:%M:%S"))
    z = t[19:].lstrip(".0123456789")
    if z in ("Z", ""):
        return base
    sign = -1 if z[0] == "-" else 1
    return base - sign * (int(z[1:3]) * 3600 + int(z[4:6]) * 60)


def diff(a, b):
    sa, sb = set(a), set(b)
    return "\n".join(["only in got: " + x for x in list(sa - sb)[:5]] +
                     ["only in want: " + x for x in list(sb - sa)[:5]] +
                     ["got %d events, want %d" % (len(a), len(b))])


def main():
    binary, testdata = sys.argv[1], sys.argv[2]
    if not os.access(REMOTE, os.X_OK) or shutil.which("journalctl") is None:
        print("1..0 # SKIP systemd-journal-remote or journalctl not installed")
        return 0
    here = os.path.dirname(os.path.abspath(__file__))
    mta = os.path.join(testdata, "mta", "out")
    logs = {
        "postfix": [os.path.join(mta, "postfix", "mail.log")],
        "exim": [os.path.join(mta, "exim", "mainlog")],
    }
    tmp = tempfile.mkdtemp(prefix="mxt-journal-")
    try:
        for mta_name, files in logs.items():
            export = os.path.join(tmp, mta_name + ".export")
            with open(export, "wb") as f:
                subprocess.run([sys.executable,
                                os.path.join(here, "journal_export.py"),
                                "--year", "2026", "--host", "mta-lab"] + files,
                               stdout=f, check=True)
            jdir = os.path.join(tmp, mta_name)
            os.mkdir(jdir)
            jfile = os.path.join(jdir, "remote.journal")
            r = subprocess.run([REMOTE, "--output=" + jfile, export],
                               capture_output=True)
            check(r.returncode == 0 and os.path.getsize(jfile) > 0,
                  "%s: systemd-journal-remote wrote a journal" % mta_name,
                  r.stderr.decode())
            base = ["--year", "2026", "--host", "mta-lab"] + files
            rc, want, err = events(binary, base)
            check(rc == 0 and len(want) > 100,
                  "%s: events of the log itself" % mta_name, err)
            for tz in ("UTC", "Europe/Berlin"):
                for form in FORMS if tz == "UTC" else ZONED:
                    path = os.path.join(tmp, "%s.%s" % (mta_name, form))
                    with open(path, "wb") as f:
                        subprocess.run(["journalctl", "--file=" + jfile,
                                        "-o", form], stdout=f, check=True,
                                       env={"TZ": tz, "LC_ALL": "C",
                                            "PATH": "/usr/bin:/bin"})
                    rc, got, err = events(binary, ["--year", "2026", path], tz)
                    check(rc == 0 and got == want,
                          "%s: journalctl -o %s, TZ=%s" % (mta_name, form, tz),
                          err + diff(got, want))
            for what in (jfile, jdir):
                rc, got, err = events(binary, ["--journal=" + what])
                check(rc == 0 and got == want,
                      "%s: --journal=%s" % (mta_name,
                                            "FILE" if what == jfile else "DIR"),
                      err + diff(got, want))
            # the window pushed down as a seek: exactly the window's events
            times = sorted({json.loads(e)["time"] for e in want})
            since, until = [time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(
                times[len(times) * k // 3])) for k in (1, 2)]
            env = {"LC_ALL": "C", "TZ": "UTC", "PATH": "/usr/bin:/bin"}
            p = subprocess.run([binary, "-f", "json", "--journal=" + jfile,
                                "--since", since, "--until", until],
                               capture_output=True, env=env)
            q = subprocess.run([binary, "-f", "json", "--since", since,
                                "--until", until] + base,
                               capture_output=True, env=env)
            try:
                # times to the second, as above
                frac = re.compile(rb"(T\d\d:\d\d:\d\d)\.\d+")
                a = json.loads(frac.sub(rb"\1", p.stdout))
                b = json.loads(frac.sub(rb"\1", q.stdout))
                keys = ("groups", "causes", "rejections")
                # a group's trace command names the inputs it was read from
                for doc in (a, b):
                    for g in doc.get("groups", []):
                        g.pop("trace", None)
                ok = all(a[k] == b[k] for k in keys) and \
                    a["header"]["events"] == b["header"]["events"] and \
                    a["header"]["lines"]["read"] < b["header"]["lines"]["read"]
                detail = "journal %s\nlog %s" % (a["header"]["events"],
                                                  b["header"]["events"])
            except (ValueError, KeyError) as e:
                ok, detail = False, str(e) + p.stderr.decode()
            check(ok and p.returncode == 0 and b"no log data" not in p.stderr,
                  "%s: --since/--until on the journal read fewer lines, "
                  "same totals" % mta_name, detail + p.stderr.decode())
        # a journal file cut short: what it holds, no crash
        cut = os.path.join(tmp, "cut.journal")
        src = os.path.join(tmp, "postfix", "remote.journal")
        with open(src, "rb") as f, open(cut, "wb") as g:
            g.write(f.read(os.path.getsize(src) // 3))
        rc, got, err = events(binary, ["--journal=" + cut])
        check(rc in (0, 3) and len(got) < len(want),
              "a journal file cut short", err)
    finally:
        shutil.rmtree(tmp)
    print("1..%d" % n)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
