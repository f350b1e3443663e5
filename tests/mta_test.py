#!/usr/bin/env python3
"""Check mxtriage's events against the MTA lab's ground truth (issue 6).

Usage: python3 tests/mta_test.py MXTRIAGE_BINARY TESTDATA_DIR

TESTDATA_DIR is testdata/mta (or its out/ folder). The logs in out/ were written
by real Postfix, Exim and rsyslog; out/expected.json was derived from the
receivers' transcripts and the scenario definitions only (testdata/mta/README.md).
This script runs `MXTRIAGE_BINARY events --format jsonl FILE` on each log and
compares, per MTA and per recipient domain:
  - fresh delivery attempts by (status, code, enhanced code): deferred, bounced,
    delivered. Cached repeats (cause "suspended", or without a cause field a text
    saying "delivery temporarily suspended" / "retry time not reached") are not
    fresh attempts and are left out; an expected entry with "min" is a bound;
  - per-recipient final outcomes (delivered at once / after a deferral, given up,
    pending at the end), and the expired/bounced split of the given-up ones;
  - inbound rejections as told to the test client, by (code, enhanced code);
  - that the traditional and RFC3339 Postfix logs give the same events except
    for the time field;
  - when events carry a "cause": that each scenario domain gets its cause
    (otherwise those checks are reported as TAP "# SKIP");
  - for a domain with several MX hosts (expected "mx", the mxfallback set in
    out-mxfallback/), instead of the attempts by the final lines: the replies
    each host gave, counted over the fresh events' earlier replies
    ("attempts") and own replies, and the failed tries by the class of the
    reply that matters (5xx over 4xx over none); its cause check looks at
    the tries whose reply that matters is the 5xx.
Output is TAP; the exit status is 1 when any check fails.
"""
import collections
import json
import os
import re
import subprocess
import sys

SUSPENDED_TEXT = re.compile(r"delivery temporarily suspended|retry time not reached", re.I)
EXPIRY_TEXT = re.compile(r"retry timeout exceeded|message has expired|expired|have been failing for a long time", re.I)


class Tap:
    def __init__(self):
        self.results = []

    def check(self, name, ok, diag=(), skip=None):
        self.results.append((name, ok, list(diag), skip))

    def emit(self):
        print("1..%d" % len(self.results))
        failed = skipped = 0
        for i, (name, ok, diag, skip) in enumerate(self.results, 1):
            if skip:
                print("ok %d - %s # SKIP %s" % (i, name, skip))
                skipped += 1
                continue
            print("%s %d - %s" % ("ok" if ok else "not ok", i, name))
            if not ok:
                failed += 1
                for d in diag[:40]:
                    print("# " + d)
                if len(diag) > 40:
                    print("# ... %d more" % (len(diag) - 40))
        passed = len(self.results) - failed - skipped
        print("# mta_test: %d passed, %d failed, %d skipped" % (passed, failed, skipped))
        return failed


def run_events(binary, path):
    """Returns (events, error or None)."""
    if not (os.path.isfile(binary) and os.access(binary, os.X_OK)):
        return [], "binary %s does not exist or is not executable" % binary
    env = dict(os.environ, LC_ALL="C", TZ="UTC")
    try:
        p = subprocess.run([binary, "events", "--format", "jsonl", path],
                           capture_output=True, timeout=600, env=env)
    except (OSError, subprocess.TimeoutExpired) as e:
        return [], "could not run %s: %s" % (binary, e)
    events, bad = [], 0
    for line in p.stdout.decode("utf-8", "replace").splitlines():
        if not line.strip():
            continue
        try:
            events.append(json.loads(line))
        except ValueError:
            bad += 1
    err = None
    if p.returncode != 0:
        err = "exit status %d; stderr: %s" % (p.returncode, p.stderr.decode("utf-8", "replace")[-500:].strip())
    elif bad:
        err = "%d output lines are not JSON" % bad
    return events, err


def is_fresh(ev):
    if ev.get("cause") is not None:
        return ev["cause"] != "suspended"
    return not SUSPENDED_TEXT.search(ev.get("text") or "")


def is_expiry(ev):
    if ev.get("status") == "expired":
        return True
    if ev.get("cause") is not None:
        return ev["cause"] == "expired"
    return ev.get("status") == "bounced" and bool(EXPIRY_TEXT.search(ev.get("text") or ""))


def fmt_key(k):
    st, code, dsn = k
    return "%s %s %s" % (st, "null" if code is None else code, "null" if dsn is None else dsn)


def norm_domain(ev):
    d = ev.get("domain")
    if not d and ev.get("recipient") and "@" in ev["recipient"]:
        d = ev["recipient"].rsplit("@", 1)[1]
    return (d or "").lower()


def check_attempts(tap, mta, dom, want, events, err):
    """Fresh outbound attempts by (status, code, dsn) for one domain."""
    got = collections.Counter()
    for ev in events:
        if ev.get("direction") == "out" and norm_domain(ev) == dom and is_fresh(ev) \
                and ev.get("status") in ("deferred", "bounced", "delivered", "expired"):
            if ev.get("status") == "expired" or (ev.get("status") == "bounced" and is_expiry(ev)
                                                  and not ev.get("code")):
                continue  # give-up without a new reply: checked with the outcomes
            got[(ev.get("status"), ev.get("code"), ev.get("dsn"))] += 1
    for status in ("deferred", "bounced", "delivered"):
        diag = []
        if err:
            diag.append("got no events: %s" % err)
        wanted = [w for w in want["attempts"] if w["status"] == status]
        wanted_keys = set()
        for w in wanted:
            k = (w["status"], w["code"], w["dsn"])
            wanted_keys.add(k)
            if "count" in w and got[k] != w["count"]:
                diag.append("%s: got %d, want %d" % (fmt_key(k), got[k], w["count"]))
            if "min" in w and got[k] < w["min"]:
                diag.append("%s: got %d, want at least %d (%s)" % (fmt_key(k), got[k], w["min"], w.get("note", "")))
        for k, n in sorted(got.items(), key=lambda kv: str(kv[0])):
            if k[0] == status and k not in wanted_keys:
                diag.append("%s: got %d, want 0 (not in the transcripts)" % (fmt_key(k), n))
        tap.check("%s %s: %s attempts by code and enhanced code" % (mta, dom, status), not diag, diag)


def matters_reply(ev):
    """(relay_ip, code, dsn) of the reply that matters: the earlier reply
    whose text the event's "matters" names, else the event's own."""
    m = ev.get("matters")
    if m is not None:
        for a in ev.get("attempts") or []:
            if a.get("text") == m:
                return a.get("relay_ip"), a.get("code"), a.get("dsn")
        return None, "matters names no attempt", None
    return ev.get("relay_ip"), ev.get("code"), ev.get("dsn")


def code_class(code):
    if isinstance(code, int) and 500 <= code < 600:
        return "5xx"
    if isinstance(code, int) and 400 <= code < 500:
        return "4xx"
    return "none"


def check_mx(tap, mta, dom, want, events, err):
    """A domain with several MX hosts (expected "mx"): the replies each host
    gave, as the fresh events' earlier replies ("attempts") and own replies,
    and the failed tries by the class of the reply that matters."""
    fresh = [ev for ev in events if ev.get("direction") == "out" and norm_domain(ev) == dom
             and is_fresh(ev) and ev.get("status") in ("deferred", "bounced", "delivered")
             and not (ev.get("status") == "bounced" and is_expiry(ev) and not ev.get("code"))]
    got = collections.Counter()
    for ev in fresh:
        for a in ev.get("attempts") or []:
            got[(a.get("relay_ip"), a.get("code"))] += 1
        if ev.get("status") != "delivered":
            got[(ev.get("relay_ip"), ev.get("code"))] += 1
    diag = ["got no events: %s" % err] if err else []
    wanted = set()
    for w in want["mx"]["hosts"]:
        k = (w["ip"], w["code"])
        wanted.add(k)
        if "count" in w and got[k] != w["count"]:
            diag.append("%s [%s] %s %s: got %d, want %d" % (w["host"], w["ip"], w["phase"], w["code"], got[k], w["count"]))
        if "min" in w and got[k] < w["min"]:
            diag.append("%s [%s] %s: got %d, want at least %d (%s)" % (w["host"], w["ip"], w["phase"], got[k], w["min"], w["note"]))
    for k, n in sorted(got.items(), key=str):
        if k not in wanted:
            diag.append("reply %s from [%s]: got %d, want 0 (no such reply in the transcripts)" % (k[1], k[0], n))
    tap.check("%s %s: replies per MX host, earlier (attempts) and final" % (mta, dom), not diag, diag)
    cls = collections.Counter()
    codes = collections.defaultdict(set)
    for ev in fresh:
        if ev.get("status") == "delivered":
            continue
        ip, code, dsn = matters_reply(ev)
        c = code_class(code)
        cls[c] += 1
        codes[c].add((code, dsn))
    diag = ["got no events: %s" % err] if err else []
    for w in want["mx"]["matters"]:
        c = w["class"]
        if cls[c] != w["count"]:
            diag.append("tries whose reply that matters is %s: got %d, want %d" % (c, cls[c], w["count"]))
        bad = codes[c] - {tuple(x) for x in w["codes"]}
        if bad:
            diag.append("%s replies that matter not in the transcripts: %s" % (c, sorted(bad, key=str)))
    for c in ("5xx", "4xx"):
        if cls[c] and c not in {w["class"] for w in want["mx"]["matters"]}:
            diag.append("tries whose reply that matters is %s: got %d, want 0" % (c, cls[c]))
    tap.check("%s %s: failed tries by the reply that matters (%s)" % (
        mta, dom, ", ".join("%s %d" % (w["class"], w["count"]) for w in want["mx"]["matters"]) or "none"),
        not diag, diag)


def outcome_of(evs):
    """Final outcome of one recipient from its events (time order as logged)."""
    delivered = [i for i, e in enumerate(evs) if e.get("status") == "delivered"]
    if delivered:
        first = delivered[0]
        after = any(e.get("status") == "deferred" for e in evs[:first])
        return "delivered_after_deferral" if after else "delivered_first_try"
    gave = [e for e in evs if e.get("status") in ("bounced", "expired")]
    if gave:
        return "expired" if any(is_expiry(e) for e in gave) else "bounced"
    return "pending"


def recipient_events(events):
    """Outbound events per recipient. A give-up logged once per message without
    a recipient (Postfix qmgr "status=expired, returned to sender") applies to
    the recipients of that queue id seen so far."""
    per = collections.defaultdict(list)
    by_qid = collections.defaultdict(set)
    for ev in events:
        if ev.get("direction") != "out":
            continue
        r = (ev.get("recipient") or "").lower()
        if r:
            per[r].append(ev)
            if ev.get("queue_id"):
                by_qid[ev["queue_id"]].add(r)
        elif ev.get("queue_id") and ev.get("status") in ("expired", "bounced"):
            for rr in by_qid.get(ev["queue_id"], ()):
                per[rr].append(ev)
    return per


def check_outcomes(tap, mta, dom, want, expected_rcpts, per, err):
    rcpts = {a: o for a, o in expected_rcpts.items() if a.rsplit("@", 1)[1] == dom}
    diag = ["got no events: %s" % err] if err else []
    # coarse classes: delivered / given up / pending; delivered after deferral when known
    cls = {"delivered_first_try": "delivered", "delivered_after_deferral": "delivered",
           "delivered_unknown_deferral": "delivered", "bounced": "gave_up", "expired": "gave_up",
           "pending": "pending", "ambiguous": None}
    mism = collections.Counter()
    split = collections.Counter()
    for addr, want_o in sorted(rcpts.items()):
        got_o = outcome_of(per.get(addr.lower(), []))
        w, g = cls[want_o], cls[got_o]
        if w is None:
            continue
        if w != g:
            mism[(want_o, got_o)] += 1
            if len(diag) < 12:
                diag.append("%s: got %s, want %s" % (addr, got_o, want_o))
        elif want_o in ("delivered_first_try", "delivered_after_deferral") and got_o != want_o:
            mism[(want_o, got_o)] += 1
            if len(diag) < 12:
                diag.append("%s: got %s, want %s" % (addr, got_o, want_o))
        elif w == "gave_up":
            split[(want_o, got_o)] += 1
    for (w, g), n in sorted(mism.items()):
        diag.append("recipients wanted %s but got %s: %d" % (w, g, n))
    oc = want["outcomes"]
    tap.check("%s %s: final outcome of %d recipients (delivered %d, after deferral %d, bounced %d, expired %d, pending %d)"
              % (mta, dom, len(rcpts), oc["delivered_first_try"] + oc["delivered_after_deferral"] + oc["delivered_unknown_deferral"],
                 oc["delivered_after_deferral"], oc["bounced"], oc["expired"], oc["pending"]), not diag, diag)
    if oc["expired"]:
        bad = sum(n for (w, g), n in split.items() if w != g)
        d2 = ["%d recipients: got %s, want %s" % (n, g, w) for (w, g), n in sorted(split.items()) if w != g]
        if err:
            d2.insert(0, "got no events: %s" % err)
        tap.check("%s %s: given-up recipients split into expired and bounced" % (mta, dom),
                  not err and bad == 0 and sum(split.values()) > 0, d2 or ["no given-up recipients found"])


def check_inbound(tap, mta, want, events, err):
    got = collections.Counter()
    for ev in events:
        if ev.get("direction") == "in" and ev.get("status") == "rejected":
            got[(ev.get("code"), ev.get("dsn"))] += 1
    wanted = collections.Counter()
    for w in want["rejections"]:
        wanted[(w["code"], w["dsn"])] += w["count"]
    diag = ["got no events: %s" % err] if err else []
    code_in_log = all(w.get("code_in_log", True) for w in want["rejections"])
    if code_in_log:
        for k in sorted(set(got) | set(wanted), key=str):
            if got[k] != wanted[k]:
                diag.append("rejected %s %s: got %d, want %d" % (k[0], k[1], got[k], wanted[k]))
    else:
        # the MTA does not log the reply code of its rejections (Exim): an event
        # may carry the code the client was told or null; the dsn and the counts
        # per dsn must still be right
        codes = collections.defaultdict(set)
        want_dsn, got_dsn = collections.Counter(), collections.Counter()
        for (c, d), n in wanted.items():
            codes[d].add(c)
            want_dsn[d] += n
        for (c, d), n in got.items():
            if c is not None and c not in codes.get(d, ()):
                diag.append("rejected %s %s: got %d, want 0" % (c, d, n))
            else:
                got_dsn[d] += n
        for d in sorted(set(want_dsn) | set(got_dsn), key=str):
            if got_dsn[d] != want_dsn[d]:
                diag.append("rejected with dsn %s (code %s or null, the log has no code): got %d, want %d"
                            % (d, "/".join(str(c) for c in sorted(codes.get(d, ()))) or "-", got_dsn[d], want_dsn[d]))
    tap.check("%s inbound rejections by code and enhanced code (%d told to the test client)"
              % (mta, sum(wanted.values())), not diag, diag)


def check_causes(tap, mta, exp, events, err):
    have_cause = any("cause" in ev for ev in events)
    for dom, want in sorted(exp["outbound"][mta].items()):
        name = "%s %s: failures carry cause %s" % (mta, dom, want["cause"])
        if want["cause"] is None:
            continue
        if err or not have_cause:
            tap.check(name, True, skip="events carry no cause field" if not err else "no events: " + err)
            continue
        got = collections.Counter()
        for ev in events:
            if ev.get("direction") == "out" and norm_domain(ev) == dom \
                    and ev.get("status") in ("deferred", "bounced") and is_fresh(ev) and not is_expiry(ev):
                # several MX hosts: the scenario's cause is that of its 5xx
                # host; a try that never reached it has another cause
                if "mx" in want and code_class(matters_reply(ev)[1]) != "5xx":
                    continue
                got[ev.get("cause")] += 1
        diag = ["cause %s: %d events" % (c, n) for c, n in sorted(got.items(), key=str) if c != want["cause"]]
        if not got:
            diag.append("no fresh failure events for this domain")
        tap.check(name, not diag, diag + ["want every fresh failure to be %s" % want["cause"]])
    for w in exp["inbound"][mta]["rejections"]:
        name = "%s inbound %s (%s %s from %s to %s): cause %s" % (
            mta, w["case"], w["code"], w["dsn"], w["client"], w["recipient"], w["cause"])
        if err or not have_cause:
            tap.check(name, True, skip="events carry no cause field" if not err else "no events: " + err)
            continue
        got = collections.Counter(ev.get("cause") for ev in events
                                  if ev.get("direction") == "in" and ev.get("status") == "rejected"
                                  and (ev.get("recipient") or "").lower() == w["recipient"]
                                  and ev.get("relay_ip") == w["client"])
        diag = ["cause %s: %d events" % (c, n) for c, n in sorted(got.items(), key=str) if c != w["cause"]]
        tap.check(name, bool(got) and not diag, diag or ["no matching events"])


def check_no_strays(tap, mta, exp, events, err):
    known = set(exp["outbound"][mta]) | set(exp["ignored_domains"][mta])
    stray = collections.Counter(norm_domain(ev) for ev in events
                                if ev.get("direction") == "out" and norm_domain(ev) not in known
                                and not (not ev.get("recipient") and ev.get("status") in ("expired", "bounced")))
    wrong_mta = sum(1 for ev in events if ev.get("mta") != mta)
    diag = ["got no events: %s" % err] if err else []
    diag += ["events for unknown domain %r: %d" % (d, n) for d, n in sorted(stray.items())]
    if wrong_mta:
        diag.append("%d events with mta other than %r" % (wrong_mta, mta))
    tap.check("%s: every outbound event is for a lab domain and says mta=%s" % (mta, mta),
              not diag and bool(events), diag)


def main():
    if len(sys.argv) != 3:
        sys.stderr.write("usage: mta_test.py MXTRIAGE_BINARY TESTDATA_DIR\n")
        return 2
    binary, data = sys.argv[1], sys.argv[2]
    if os.path.isdir(os.path.join(data, "out")):
        data = os.path.join(data, "out")
    with open(os.path.join(data, "expected.json")) as f:
        exp = json.load(f)
    tap = Tap()
    runs = {}
    for mta, files in sorted(exp["files"].items()):
        for rel in files:
            runs[rel] = run_events(binary, os.path.join(data, rel))
    for mta, files in sorted(exp["files"].items()):
        events, err = runs[files[0]]
        tap.check("%s: events from %s" % (mta, files[0]), not err and bool(events),
                  [err or "no events at all"])
        check_no_strays(tap, mta, exp, events, err)
        per = recipient_events(events)
        for dom, want in sorted(exp["outbound"][mta].items()):
            if "mx" in want:
                check_mx(tap, mta, dom, want, events, err)
            else:
                check_attempts(tap, mta, dom, want, events, err)
            check_outcomes(tap, mta, dom, want, exp["recipients"][mta], per, err)
        check_inbound(tap, mta, exp["inbound"][mta], events, err)
        check_causes(tap, mta, exp, events, err)
    # the two Postfix files hold the same syslog messages in two formats
    a, ea = runs[exp["files"]["postfix"][0]]
    b, eb = runs[exp["files"]["postfix"][1]]
    # the time is written in two forms; the input (source, and event_id,
    # which is derived from the input's first line) differs by design
    other = ("time", "event_id", "source")
    strip = lambda evs: [json.dumps({k: v for k, v in e.items() if k not in other}, sort_keys=True) for e in evs]
    sa, sb = strip(a), strip(b)
    diag = [x for x in (ea, eb) if x]
    if not diag and sa != sb:
        diag.append("got %d events from the traditional file and %d from the RFC3339 file" % (len(sa), len(sb)))
        for i, (x, y) in enumerate(zip(sa, sb)):
            if x != y:
                diag += ["first difference at event %d:" % (i + 1), "traditional: " + x, "rfc3339:     " + y]
                break
    tap.check("postfix: traditional and RFC3339 logs give identical events except time and input",
              not diag and bool(sa), diag or ["no events"])
    failed = tap.emit()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
