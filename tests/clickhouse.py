#!/usr/bin/env python3
"""contrib/clickhouse/ against a real ClickHouse server.

Starts Debian's clickhouse-server on 127.0.0.1 (free ports, its own data
directory and configuration in a temporary directory), creates the table
of contrib/clickhouse/events.sql, and for each real-MTA fixture
(testdata/mta/out: Postfix and Exim) loads `mxtriage events` into it
twice (re-shipping: the stable event_id must leave one row per event),
runs every query of contrib/clickhouse/reports.sql and checks each number
against `mxtriage -f json` on the same log: events by status and cached
repeats, failures by domain and cause (events, repeats, statuses,
distinct recipients and messages), causes (events, rejections, domains)
and retry outcomes. The server is stopped at the end.

Skipped with a message when clickhouse-server is not installed (CI
installs it: .ci/run).

Usage: clickhouse.py MXTRIAGE TESTDATA SOURCE_ROOT   (TAP output)
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tap import Tap, free_port  # noqa: E402

SERVER = shutil.which("clickhouse-server")
ENV = {"LC_ALL": "C", "TZ": "UTC", "PATH": "/usr/bin:/bin",
       "MXTRIAGE_HOSTNAME": "exim.test"}

CONFIG = """<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><log>{d}/log/server.log</log>
    <errorlog>{d}/log/error.log</errorlog><console>0</console></logger>
  <http_port>{http}</http_port>
  <tcp_port>{tcp}</tcp_port>
  <listen_host>127.0.0.1</listen_host>
  <path>{d}/data/</path>
  <tmp_path>{d}/tmp/</tmp_path>
  <user_files_path>{d}/user_files/</user_files_path>
  <users_config>{d}/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <mark_cache_size>67108864</mark_cache_size>
</yandex>
"""
USERS = """<?xml version="1.0"?>
<yandex>
  <profiles><default></default></profiles>
  <users><default><password></password>
    <networks><ip>127.0.0.1</ip></networks>
    <profile>default</profile><quota>default</quota></default></users>
  <quotas><default></default></quotas>
</yandex>
"""


class Server:
    def __init__(self, tmp):
        self.dir = tmp
        for sub in ("log", "data", "tmp", "user_files"):
            os.mkdir(os.path.join(tmp, sub))
        self.http = free_port()
        tcp = free_port()
        with open(os.path.join(tmp, "config.xml"), "w") as f:
            f.write(CONFIG.format(d=tmp, http=self.http, tcp=tcp))
        with open(os.path.join(tmp, "users.xml"), "w") as f:
            f.write(USERS)
        self.out = open(os.path.join(tmp, "log", "stdout.log"), "wb")
        self.p = subprocess.Popen([SERVER, "--config-file=" + os.path.join(tmp, "config.xml")],
                                  stdout=self.out, stderr=subprocess.STDOUT, cwd=tmp)

    def wait(self, seconds=60):
        deadline = time.time() + seconds
        while time.time() < deadline and self.p.poll() is None:
            try:
                with urllib.request.urlopen("http://127.0.0.1:%d/ping" % self.http,
                                            timeout=5) as r:
                    if r.read().strip() == b"Ok.":
                        return True
            except OSError:
                time.sleep(0.3)
        return False

    def query(self, sql, data=None, **settings):
        url = "http://127.0.0.1:%d/?" % self.http
        if data is not None:
            settings["query"] = sql
            body = data
        else:
            body = sql.encode()
        url += urllib.parse.urlencode(settings)
        try:
            with urllib.request.urlopen(urllib.request.Request(url, data=body),
                                        timeout=120) as r:
                return r.read().decode()
        except urllib.error.HTTPError as e:
            raise RuntimeError("%s: %s" % (sql[:60], e.read().decode()[:500]))

    def rows(self, sql):
        """The result as a list of dicts (JSON output, numbers as numbers)."""
        out = self.query(sql + " FORMAT JSON", output_format_json_quote_64bit_integers=0)
        return json.loads(out)["data"]

    def stop(self):
        self.p.terminate()
        try:
            self.p.wait(30)
        except subprocess.TimeoutExpired:
            self.p.kill()
            self.p.wait()
        self.out.close()

    def log_tail(self):
        lines = []
        for name in ("stdout.log", "error.log"):
            path = os.path.join(self.dir, "log", name)
            if os.path.exists(path):
                lines += open(path, errors="replace").read().splitlines()[-15:]
        return lines


def run(binary, args):
    p = subprocess.run([binary] + args, env=ENV, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=300)
    if p.returncode != 0:
        raise RuntimeError("mxtriage %s: status %d: %s" % (" ".join(args), p.returncode,
                                                            p.stderr.decode()[-500:]))
    return p.stdout


def reports(root):
    sql = open(os.path.join(root, "contrib", "clickhouse", "reports.sql")).read()
    return {m.group(1): m.group(2) for m in re.finditer(r"-- name: (\w+)\n(.*?);", sql, re.S)}


def differences(got, want, what):
    """got, want: {key: {column: number}}."""
    diag = []
    for k in sorted(set(got) | set(want), key=str):
        g, w = got.get(k), want.get(k)
        if g is None or w is None:
            diag.append("%s %s: only in %s" % (what, k, "ClickHouse" if w is None else "mxtriage"))
            continue
        for col, v in sorted(w.items()):
            if int(g[col]) != v:
                diag.append("%s %s: %s = %s in ClickHouse, %s in mxtriage" % (what, k, col, g[col], v))
    return diag


def check_fixture(tap, server, binary, q, name, path):
    events = run(binary, ["events", path])
    doc = json.loads(run(binary, ["-f", "json", path]))
    server.query("TRUNCATE TABLE mxtriage_events")
    for _ in range(2):  # shipped twice: event_id makes it idempotent
        server.query("INSERT INTO mxtriage_events FORMAT JSONEachRow", data=events,
                     input_format_skip_unknown_fields=1)
    n = int(server.query("SELECT count() FROM mxtriage_events FINAL").strip())
    tap.check("%s: loaded twice, one row per event (event_id)" % name,
              n == events.count(b"\n") and n > 0,
              ["%d rows with FINAL, %d events" % (n, events.count(b"\n"))])

    h = doc["header"]["events"]
    got = {r["status"]: r for r in server.rows(q["events_by_status"])}
    want = {st: {"events": h[st]} for st in ("delivered", "deferred", "bounced", "expired", "rejected")
            if h[st]}
    diag = differences(got, want, "status")
    repeats = sum(int(r["cached_repeats"] or 0) for r in got.values())
    if repeats != h["cached_repeats"]:
        diag.append("cached repeats: %d in ClickHouse, %d in mxtriage" % (repeats, h["cached_repeats"]))
    tap.check("%s: events_by_status equals the report's header" % name, not diag, diag)

    got = {(r["domain"], r["cause"]): r for r in server.rows(q["failures_by_domain_cause"])}
    cols = ("events", "cached_repeats", "deferred", "bounced", "expired", "recipients", "messages")
    want = {(g["keys"]["domain"], g["keys"]["cause"]): {c: g[c] for c in cols}
            for g in doc["groups"]}
    diag = differences(got, want, "group")
    tap.check("%s: failures_by_domain_cause equals the report's %d groups" % (name, len(want)),
              not diag and want, diag)

    got = {r["cause"]: r for r in server.rows(q["causes"])}
    want = {c["cause"]: {k: c[k] for k in ("events", "rejections", "domains")}
            for c in doc["causes"]}
    diag = differences(got, want, "cause")
    tap.check("%s: causes equal the report's %d causes" % (name, len(want)), not diag and want, diag)

    r = doc["retries"]
    got = {"retries": server.rows(q["retry_outcomes"])[0]}
    want = {"retries": {k: r[k] for k in ("deferred_recipients", "delivered_later", "bounced",
                                            "expired", "pending")}}
    diag = differences(got, want, "retry outcomes")
    tap.check("%s: retry_outcomes equal the report's (%d deferred recipients)"
              % (name, r["deferred_recipients"]), not diag, diag)


def main():
    binary, testdata, root = os.path.abspath(sys.argv[1]), sys.argv[2], sys.argv[3]
    if not SERVER:
        print("1..0 # SKIP clickhouse-server not installed (Debian package clickhouse-server)")
        return 0
    tap = Tap()
    tmp = tempfile.mkdtemp(prefix="mxtriage-clickhouse-")
    server = Server(tmp)
    try:
        up = server.wait()
        tap.check("clickhouse-server answers on 127.0.0.1:%d" % server.http, up, server.log_tail())
        if up:
            server.query(open(os.path.join(root, "contrib", "clickhouse", "events.sql")).read())
            tap.check("events.sql creates the table",
                      "mxtriage_events" in server.query("SHOW TABLES"))
            version = server.query("SELECT version()").strip()
            print("# ClickHouse %s" % version)
            q = reports(root)
            tap.check("reports.sql holds the four queries", sorted(q) == sorted(
                ["events_by_status", "failures_by_domain_cause", "causes", "retry_outcomes"]),
                [sorted(q)])
            out = os.path.join(testdata, "mta", "out")
            for name, rel in (("postfix", "postfix/mail.log"), ("exim", "exim/mainlog")):
                try:
                    check_fixture(tap, server, binary, q, name, os.path.join(out, rel))
                except RuntimeError as e:
                    tap.check("%s: queries ran" % name, False, str(e).splitlines())
    finally:
        server.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    return tap.finish()


if __name__ == "__main__":
    sys.exit(main())
