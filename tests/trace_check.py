#!/usr/bin/env python3
"""mxtriage trace against the report, on the real-MTA logs (testdata/mta).

For the Postfix and the Exim log:
  - every group of the JSON report (by domain and cause, and by provider
    and cause) carries a trace command; run as it is
    (shell words), with -f json, it gives exactly the group's number of
    messages, and each message has an event that belongs to the group;
  - every pending recipient's trace command gives its message, whose
    lines name the recipient and end without a removal;
  - in every traced message the lines are in time order, each line holds
    the message's queue id, and each event's source:line is one of the
    message's lines;
  - --status rejected gives one message per rejection of the report;
  - the same trace read from standard input gives the same messages.

Usage: trace_check.py MXTRIAGE MTA_OUT_DIR   (TAP output)
"""
import ctypes
import json
import os
import re
import shlex
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tap import report as tap_report  # noqa: E402

ENV = {"LC_ALL": "C", "TZ": "UTC", "PATH": "/usr/bin:/bin"}


def run(binary, args, stdin=None):
    p = subprocess.run([binary] + args, env=ENV, stdin=stdin,
                       capture_output=True, timeout=300)
    if p.returncode != 0:
        raise RuntimeError("%s: exit %d: %s" % (" ".join(args), p.returncode,
                                                p.stderr.decode()[:500]))
    return p.stdout


def trace(binary, command):
    words = shlex.split(command)
    assert words[:2] == ["mxtriage", "trace"], words
    return json.loads(run(binary, words[1:] + ["-f", "json"]))


TIME = re.compile(r"^(\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d)|^(\w{3} [ \d]\d \d\d:\d\d:\d\d)")


def message_problems(m):
    problems = []
    lines = [(l["source"], l["line"]) for l in m["lines"]]
    times = [TIME.match(l["text"]).group(0) for l in m["lines"]]
    if times != sorted(times):
        problems.append("lines not in time order: %s" % times)
    for l in m["lines"]:
        if m["queue_id"] and m["queue_id"] not in l["text"]:
            problems.append("line without the queue id: %s" % l["text"])
    for e in m["events"]:
        if (e["source"], e["line"]) not in lines:
            problems.append("event at %s:%d is not among the lines"
                            % (e["source"], e["line"]))
    return problems


def event_in_group(e, keys):
    for k, v in keys.items():
        have = e.get(k)
        if k == "provider" and have is None:
            have = "(other)"
        if have != v:
            return False
    return True


def group_traces(binary, mta, by, report):
    bad = []
    for g in report["groups"]:
        doc = trace(binary, g["trace"])
        if doc["count"] != g["messages"] or len(doc["messages"]) != g["messages"]:
            bad.append("%s: %d messages traced, the group has %d"
                       % (g["keys"], doc["count"], g["messages"]))
        for m in doc["messages"]:
            if not any(event_in_group(e, g["keys"]) for e in m["events"]):
                bad.append("%s: message %s has no event of the group"
                           % (g["keys"], m["queue_id"]))
            bad += ["%s: %s" % (m["queue_id"], p) for p in message_problems(m)]
    return ("%s: each group's trace command gives its messages (%s%d groups)"
            % (mta, " ".join(by) + ", " if by else "", len(report["groups"])), bad)


class _WordExp(ctypes.Structure):
    _fields_ = [("we_wordc", ctypes.c_size_t),
                ("we_wordv", ctypes.POINTER(ctypes.c_char_p)),
                ("we_offs", ctypes.c_size_t)]


def wordexp_words(command):
    """The words glibc's wordexp(3) makes of command (no command
    substitution), or None when it refuses it."""
    libc = ctypes.CDLL(None)
    we = _WordExp()
    if libc.wordexp(command.encode(), ctypes.byref(we), 4 | 32) != 0:
        return None
    words = [we.we_wordv[i].decode() for i in range(we.we_wordc)]
    libc.wordfree(ctypes.byref(we))
    return words


def quoted_values(binary, tmp):
    """Values with a quote at their start, end or alone (domains and
    senders from the log): each row's trace command is the same words to
    sh, to Python's shlex and to glibc's wordexp (which once split
    ''\\''x' in two), and run through sh it lists the row's message."""
    log = os.path.join(tmp, "quotes.log")
    values = ["'lead.example", "trail.example'", "mid'dle.example",
              "'", "''twice.example"]
    with open(log, "w") as f:
        for i, d in enumerate(values):
            f.write("Nov 23 10:00:%02d mx postfix/qmgr[9]: Q%04d: from=<%s@s'%d.test>, "
                    "size=1, nrcpt=1 (queue active)\n" % (i, i, d.strip("'") or "x", i))
            f.write("Nov 23 10:00:%02d mx postfix/smtp[7]: Q%04d: to=<u@%s>, "
                    "relay=none, delay=1, delays=0/0/1/0, dsn=4.4.1, "
                    "status=deferred (connect to mx.test[192.0.2.1]:25: "
                    "Connection refused)\n" % (i, i, d))
    doc = json.loads(run(binary, ["-f", "json", "--year", "2026", "--by",
                                  "domain,sender", log]))
    bad = []
    for g in doc["groups"]:
        cmd = g["trace"]
        words = shlex.split(cmd)
        if wordexp_words(cmd) != words:
            bad.append("wordexp reads %r as %r, shlex as %r"
                       % (cmd, wordexp_words(cmd), words))
        sh = subprocess.run(["sh", "-c", 'printf "%s\\n" ' + cmd[len("mxtriage trace "):]],
                            capture_output=True, env=ENV)
        if sh.stdout.decode().split("\n")[:-1] != words[2:]:
            bad.append("sh reads %r as %r" % (cmd, sh.stdout))
        got = trace(binary, cmd)
        if got["count"] != g["messages"]:
            bad.append("%s: %d messages, the row has %d"
                       % (cmd, got["count"], g["messages"]))
    if len(doc["groups"]) != len(values):
        bad.append("%d rows, want %d" % (len(doc["groups"]), len(values)))
    return ("quotes at the start or end of a value: each row's trace command "
            "is the same words to sh, shlex and wordexp, and lists its "
            "message", bad)


def main():
    binary, out = sys.argv[1], sys.argv[2]
    logs = {
        "postfix": [os.path.join(out, "postfix", "mail.log")],
        "exim": [os.path.join(out, "exim", "mainlog"),
                 os.path.join(out, "exim", "rejectlog")],
    }
    results = []
    for mta, files in logs.items():
        report = json.loads(run(binary, ["-f", "json"] + files))
        # the default groups (domain, cause), and provider groups, whose
        # "(other)" row traces as --provider none
        for by in ([], ["--by", "provider,cause"]):
            doc = report if not by else json.loads(
                run(binary, ["-f", "json"] + by + files))
            results.append(group_traces(binary, mta, by, doc))

        bad = []
        for p in report["retries"]["pending_list"]:
            doc = trace(binary, p["trace"])
            ms = [m for m in doc["messages"] if m["queue_id"] == p["queue_id"]]
            if len(ms) != 1:
                bad.append("%s: %d messages" % (p["queue_id"], len(ms)))
                continue
            text = "\n".join(l["text"] for l in ms[0]["lines"])
            if p["recipient"] not in text:
                bad.append("%s: the recipient %s is not in its lines"
                           % (p["queue_id"], p["recipient"]))
            last = ms[0]["lines"][-1]["text"]
            if last.endswith(": removed") or last.endswith(" Completed"):
                bad.append("%s: pending, but its last line is %s"
                           % (p["queue_id"], last))
        results.append(("%s: each pending recipient's trace gives its message (%d)"
                        % (mta, len(report["retries"]["pending_list"])), bad))

        doc = json.loads(run(binary, ["trace", "--status", "rejected", "-f", "json"] + files))
        want = report["header"]["events"]["rejected"] if isinstance(
            report["header"].get("events"), dict) else None
        bad = []
        if want is not None and doc["count"] != want:
            bad.append("%d rejections traced, the report has %d" % (doc["count"], want))
        for m in doc["messages"]:
            if len(m["lines"]) != 1 or m["queue_id"] is not None:
                bad.append("a rejection is not one NOQUEUE line: %s" % m)
        results.append(("%s: --status rejected gives each rejection as one line"
                        % mta, bad))

        # from standard input: the same messages, source named <stdin>
        one = files[0]
        args = ["trace", "--status", "expired", "-f", "json"]
        from_file = json.loads(run(binary, args + [one]))
        with open(one, "rb") as f:
            from_stdin = json.loads(run(binary, args, stdin=f))
        strip = lambda d: [[(l["line"], l["text"]) for l in m["lines"]] for m in d["messages"]]
        bad = [] if strip(from_file) == strip(from_stdin) and from_file["count"] > 0 else [
            "stdin gave %d messages, the file %d" % (from_stdin["count"], from_file["count"])]
        if any(l["source"] != "<stdin>" for m in from_stdin["messages"] for l in m["lines"]):
            bad.append("lines read from standard input are not named <stdin>")
        results.append(("%s: a trace of standard input equals that of the file" % mta, bad))

    with tempfile.TemporaryDirectory(prefix="mxt-trace-") as tmp:
        results.append(quoted_values(binary, tmp))
    return tap_report(results, 20)


if __name__ == "__main__":
    sys.exit(main())
