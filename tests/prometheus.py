#!/usr/bin/env python3
"""`-f prometheus` against Prometheus' own tools and node_exporter.

For each input (the sample, the real-MTA fixtures, a hostile log):
  - `promtool check metrics` accepts the output (format and naming lint);
  - every series carries the number of the JSON report of the same run
    (events by status, messages, causes, rejections, retry outcomes,
    pending, lines, last log time, failures per provider and per domain
    with the --top N bound and the rest under domain="(other)").
Then node_exporter (Debian's prometheus-node-exporter) is started on
127.0.0.1 at a free port with its textfile collector pointed at a
directory mxtriage writes into with -o, /metrics is scraped, and every
mxtriage_ series must be there with the file's value; the server is
stopped at the end. Last, the alert rules the README shows
(contrib/prometheus/mxtriage-alerts.yml, the README's copy must be the
same) pass `promtool check rules` and their unit tests
(`promtool test rules`).

Without promtool or node_exporter the checks that need them are skipped
with a message (CI installs both: .ci/run).

Usage: prometheus.py MXTRIAGE TESTDATA SOURCE_ROOT   (TAP output)
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
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tap import Tap, free_port  # noqa: E402

ENV = {"LC_ALL": "C", "TZ": "UTC", "PATH": "/usr/bin:/bin"}
NODE_EXPORTER = shutil.which("prometheus-node-exporter") or shutil.which("node_exporter")
PROMTOOL = shutil.which("promtool")


LABEL = re.compile(r'(\w+)="((?:[^"\\]|\\.)*)"')


def unescape(v):
    return re.sub(r'\\(.)', lambda m: "\n" if m.group(1) == "n" else m.group(1), v)


def parse(text, prefix="mxtriage_"):
    """{(name, frozenset(labels)): value} of the samples named prefix*."""
    out = {}
    for line in text.splitlines():
        if not line or line.startswith("#") or not line.startswith(prefix):
            continue
        m = re.match(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$', line)
        if not m:
            raise ValueError("not a sample line: %r" % line)
        labels = frozenset((k, unescape(v)) for k, v in LABEL.findall(m.group(3) or ""))
        out[(m.group(1), labels)] = float(m.group(4))
    return out


def key(name, **labels):
    return (name, frozenset(labels.items()))


def run(binary, args):
    p = subprocess.run([binary] + args, env=ENV, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=300)
    return p.returncode, p.stdout


def epoch(iso):
    """2024-12-09T10:18:26Z or ...+01:00 -> seconds since the epoch."""
    m = re.match(r'(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.\d+)?(Z|([+-])(\d\d):(\d\d))$', iso)
    t = calendar.timegm(tuple(int(m.group(i)) for i in range(1, 7)))
    if m.group(7) != "Z":
        off = int(m.group(9)) * 3600 + int(m.group(10)) * 60
        t -= off if m.group(8) == "+" else -off
    return t


def expected(doc, top):
    """The series the JSON report (run with --by provider,domain) implies."""
    h = doc["header"]
    want = {}
    statuses = ["delivered", "deferred", "bounced", "expired", "rejected"]
    for st in statuses:
        want[key("mxtriage_events_total", status=st)] = h["events"][st]
        want[key("mxtriage_messages_total", status=st)] = h["messages"][st]
    want[key("mxtriage_cached_repeats_total")] = h["events"]["cached_repeats"]
    want[key("mxtriage_lines_total")] = h["lines"]["read"]
    want[key("mxtriage_unparsed_lines_total")] = h["lines"]["unparsed"]
    want[key("mxtriage_received_messages_total")] = h["received"]["messages"]
    want[key("mxtriage_received_bytes_total")] = h["received"]["bytes"]
    want[key("mxtriage_failures_total")] = (h["events"]["deferred"] + h["events"]["bounced"]
                                            + h["events"]["expired"] - h["events"]["cached_repeats"])
    # the rates of mxtriage(1) "RATES AND TREND": cached repeats in
    # neither; bounces and expiries of the recipients that reached a
    # final status
    t = doc["rates"]["total"]
    att = t["delivered"] + t["deferred"] + t["bounced"] + t["expired"]
    fin = t["delivered"] + t["bounced"] + t["expired"]
    want[key("mxtriage_bounce_ratio")] = (t["bounced"] + t["expired"]) / fin if fin else 0
    want[key("mxtriage_defer_ratio")] = t["deferred"] / att if att else 0
    for c in doc["causes"]:
        want[key("mxtriage_cause_events_total", cause=c["cause"])] = c["events"] + c["rejections"]
        want[key("mxtriage_rejections_total", cause=c["cause"])] = c["rejections"]
    r = doc["retries"]
    want[key("mxtriage_retry_outcomes_total", outcome="delivered")] = r["delivered_later"]
    want[key("mxtriage_retry_outcomes_total", outcome="bounced")] = r["bounced"]
    want[key("mxtriage_retry_outcomes_total", outcome="expired")] = r["expired"]
    want[key("mxtriage_pending_recipients")] = r["pending"]
    want[key("mxtriage_oldest_pending_age_seconds")] = max(
        [p["age"] for p in r["pending_list"]], default=0)
    if h["span"]["last"]:
        want[key("mxtriage_last_log_timestamp_seconds")] = epoch(h["span"]["last"])
    fail = ["deferred", "bounced", "expired"]
    by = {"provider": {}, "domain": {}}
    for g in doc["groups"]:
        for k in by:
            t = by[k].setdefault(g["keys"][k], dict.fromkeys(fail, 0))
            for st in fail:
                t[st] += g[st]
    for p, t in by["provider"].items():
        for st in fail:
            want[key("mxtriage_provider_failures_total", provider=p, status=st)] = t[st]
    doms = sorted(by["domain"].items(), key=lambda kv: (-sum(kv[1].values()), kv[0]))
    rest = dict.fromkeys(fail, 0)
    for i, (d, t) in enumerate(doms):
        for st in fail:
            if top == 0 or i < top:
                want[key("mxtriage_domain_failures_total", domain=d, status=st)] = t[st]
            else:
                rest[st] += t[st]
    if top and len(doms) > top:
        for st in fail:
            want[key("mxtriage_domain_failures_total", domain="(other)", status=st)] = rest[st]
    return want


def compare(got, want):
    """Differences: series missing, or with another value; a series the
    JSON does not imply must be 0 (causes that did not occur)."""
    diag = []
    for k, v in sorted(want.items(), key=str):
        if k not in got:
            diag.append("missing %s (want %s)" % (fmt(k), v))
        elif abs(got[k] - v) > 1e-9 * max(1, abs(v)):
            diag.append("%s = %s, want %s" % (fmt(k), got[k], v))
    for k, v in sorted(got.items(), key=str):
        if k not in want and v != 0:
            diag.append("unexpected %s = %s" % (fmt(k), v))
    return diag


def fmt(k):
    return "%s{%s}" % (k[0], ",".join('%s="%s"' % kv for kv in sorted(k[1])))


def promtool(args, stdin=None):
    p = subprocess.run([PROMTOOL] + args, input=stdin, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, timeout=60)
    return p.returncode, p.stdout.decode("utf-8", "replace")


def scrape_node_exporter(textdir, tap):
    """Starts node_exporter on the textfile directory, returns /metrics."""
    for attempt in range(3):
        port = free_port()
        log = open(os.path.join(textdir, "..", "node_exporter.log"), "wb")
        p = subprocess.Popen([NODE_EXPORTER, "--web.listen-address=127.0.0.1:%d" % port,
                              "--collector.disable-defaults", "--collector.textfile",
                              "--collector.textfile.directory=" + textdir],
                             stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.time() + 20
            while time.time() < deadline and p.poll() is None:
                try:
                    with urllib.request.urlopen("http://127.0.0.1:%d/metrics" % port,
                                                timeout=5) as r:
                        return r.read().decode("utf-8")
                except OSError:
                    time.sleep(0.2)
        finally:
            p.terminate()
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
            log.close()
    return None


def main():
    binary, testdata, root = os.path.abspath(sys.argv[1]), sys.argv[2], sys.argv[3]
    tap = Tap()
    inputs = [
        ("sample", ["--year", "2024", os.path.join(testdata, "sample", "mail.log")], 20),
        ("sample --top 2", ["--year", "2024", os.path.join(testdata, "sample", "mail.log")], 2),
        ("real postfix", [os.path.join(testdata, "mta", "out", "postfix", "mail.log")], 20),
        ("real exim", [os.path.join(testdata, "mta", "out", "exim", "mainlog")], 20),
        ("hostile", ["--year", "2024", os.path.join(testdata, "golden", "hostile-terminal-table", "input.log")], 20),
    ]
    if not PROMTOOL:
        print("# promtool not found (Debian package prometheus): format checks skipped")
    for name, args, top in inputs:
        rc, prom = run(binary, ["-f", "prometheus", "--top", str(top)] + args)
        rj, js = run(binary, ["-f", "json", "--by", "provider,domain"] + args)
        tap.check("%s: mxtriage ran" % name, rc == 0 and rj == 0 and prom,
                  ["status %s / %s" % (rc, rj)])
        if PROMTOOL:
            prc, out = promtool(["check", "metrics"], prom)
            tap.check("%s: promtool check metrics" % name, prc == 0 and not out.strip(),
                      out.splitlines())
        else:
            tap.skip("%s: promtool check metrics" % name, "promtool not installed")
        try:
            got = parse(prom.decode("utf-8"))
            diag = compare(got, expected(json.loads(js), top))
        except (ValueError, KeyError) as e:
            diag = ["cannot compare: %r" % e]
        tap.check("%s: the series carry the JSON report's numbers" % name, not diag, diag)

    # node_exporter's textfile collector reads what -o wrote
    tmp = tempfile.mkdtemp(prefix="mxtriage-prom-")
    try:
        textdir = os.path.join(tmp, "textfile")
        os.mkdir(textdir)
        target = os.path.join(textdir, "mxtriage.prom")
        rc, _ = run(binary, ["-f", "prometheus", "-o", target,
                             os.path.join(testdata, "mta", "out", "postfix", "mail.log")])
        tap.check("node_exporter: -o wrote the textfile", rc == 0 and os.path.exists(target)
                  and os.listdir(textdir) == ["mxtriage.prom"], [os.listdir(textdir)])
        if not NODE_EXPORTER:
            tap.skip("node_exporter: scraped /metrics carries the file's series",
                     "prometheus-node-exporter not installed")
        else:
            text = scrape_node_exporter(textdir, tap)
            if text is None:
                log = open(os.path.join(tmp, "node_exporter.log"), errors="replace").read()
                tap.check("node_exporter: scraped /metrics", False, log.splitlines()[-20:])
            else:
                want = parse(open(target).read())
                got = parse(text)
                errors = parse(text, "node_textfile_scrape_error")
                diag = compare(got, want)
                if list(errors.values()) != [0.0]:
                    diag.append("node_textfile_scrape_error: %s" % errors)
                tap.check("node_exporter: scraped /metrics carries the file's %d series"
                          % len(want), not diag and len(want) > 50, diag)
                rj, js = run(binary, ["-f", "json", os.path.join(testdata, "mta", "out",
                                                               "postfix", "mail.log")])
                h = json.loads(js)["header"]
                diag = ["%s: scraped %s, JSON %s" % (st, got.get(key("mxtriage_events_total", status=st)),
                                                     h["events"][st])
                        for st in ("delivered", "deferred", "bounced", "rejected")
                        if got.get(key("mxtriage_events_total", status=st)) != h["events"][st]]
                tap.check("node_exporter: scraped events equal the JSON report", not diag, diag)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    # the README's alert rules
    rules = os.path.join(root, "contrib", "prometheus", "mxtriage-alerts.yml")
    readme = open(os.path.join(root, "README.md")).read()
    m = re.search(r"<!-- alert rules: contrib/prometheus/mxtriage-alerts.yml -->\n```yaml\n(.*?)```",
                  readme, re.S)
    tap.check("README shows contrib/prometheus/mxtriage-alerts.yml as it is",
              m is not None and m.group(1) == open(rules).read(),
              ["the README's block and the file differ (or the marker is gone)"])
    if PROMTOOL:
        prc, out = promtool(["check", "rules", rules])
        tap.check("promtool check rules", prc == 0, out.splitlines())
        prc, out = promtool(["test", "rules", os.path.join(root, "contrib", "prometheus",
                                                           "mxtriage-alerts.test.yml")])
        tap.check("promtool test rules: the alerts fire when they should", prc == 0,
                  out.splitlines())
    else:
        tap.skip("promtool check rules", "promtool not installed")
    return tap.finish()


if __name__ == "__main__":
    sys.exit(main())
