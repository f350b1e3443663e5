#!/usr/bin/env python3
"""Expected outcomes of an MTA lab run, derived ONLY from the far side of the
conversations and the scenario definitions, never from the MTA logs.

Usage: derive.py SCENARIOS.json OUT_DIR > expected.json

Inputs (all under OUT_DIR):
  transcripts/peers.jsonl    every reply the scripted receivers sent
  transcripts/inbound.jsonl  what the test client (swaks) was told
  injections.jsonl           what the lab submitted to each MTA, and when
and scenarios.json: the scenarios plus "mta_rules", the documented ways each
MTA turns a reply (or the lack of one) into a log status.

Counting model
  - RCPT and end-of-data replies name their recipients: every 4xx is one
    deferral, every 5xx one bounce, every 2xx after DATA one delivery, for
    each recipient concerned. These counts are exact.
  - Replies that end a session before any recipient is named (greeting,
    STARTTLS, a silent server) concern exactly one recipient, because the
    injector never puts two recipients of such a domain in one message. Each
    is one attempt; the status and DSN the MTA logs for it come from mta_rules.
  - No reply at all (connection refused, DNS failure): the number of attempts
    is not knowable from this side; the expected file says "min" and why.
  - Cached repeats (Postfix "delivery temporarily suspended", Exim "retry time
    not reached") never reach a peer and are not counted here.
  - A recipient's final outcome is delivered (2xx after DATA), bounced (5xx,
    or a permanent failure by mta_rules), or else, when it only ever got
    temporary failures, expired or pending from its age at the end of the run
    against the MTA's queue lifetime / retry cutoff (timing in scenarios.json).
"""
import calendar
import collections
import json
import sys
import time

SCEN = json.load(open(sys.argv[1]))
OUT = sys.argv[2]
RULES = SCEN["mta_rules"]
TIM = SCEN["timing"]
DOM = {d["domain"]: d for d in SCEN["domains"]}
MTAS = ("postfix", "exim")


def load(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


T0 = json.load(open("%s/run.json" % OUT))["t0"]
MTA_BY_CLIENT = {SCEN["addresses"]["postfix_smtp_bind"]: "postfix",
                 SCEN["addresses"]["exim_smtp_interface"]: "exim"}


def rel_time(iso):
    return calendar.timegm(time.strptime(iso[:19], "%Y-%m-%dT%H:%M:%S")) + float("0" + iso[19:-1]) - T0


peers = load("%s/transcripts/peers.jsonl" % OUT)
for r in peers:
    r["peer"] = r["session"].split("#")[0]
    r["mta"] = MTA_BY_CLIENT.get(r["client"], "other")
    r["rel"] = rel_time(r["t"])
    r.setdefault("enhanced", None)
inbound = load("%s/transcripts/inbound.jsonl" % OUT)
injections = load("%s/injections.jsonl" % OUT)

# --- recipients submitted ----------------------------------------------------
rcpt_info = {m: {} for m in MTAS}   # addr -> {domain, rel}
submit_failures = collections.Counter()
for inj in injections:
    if inj.get("result") != "accepted":
        submit_failures[inj["mta"]] += 1
        continue
    refused = inj.get("refused", {})
    for r in inj["rcpts"]:
        if r in refused:
            continue
        rcpt_info[inj["mta"]][r] = {"domain": r.split("@")[1], "rel": inj["rel"], "tag": inj["tag"]}

# --- attempts and per-recipient history from the transcripts ----------------
attempts = {m: collections.defaultdict(collections.Counter) for m in MTAS}  # dom -> (status, code, dsn) -> n
history = {m: collections.defaultdict(list) for m in MTAS}                  # addr -> [(rel, status)]
unattributed = {m: collections.Counter() for m in MTAS}                     # dom -> session-level failures
notes = {m: collections.defaultdict(set) for m in MTAS}
unknown_mta = 0
seen_452 = set()


def status_of(code):
    return {"2": "delivered", "4": "deferred", "5": "bounced"}[str(code)[0]]


def dsn_class(enh, cls):
    return None if enh is None else cls + enh[1:]


for r in peers:
    mta = r["mta"]
    if mta not in MTAS:
        unknown_mta += 1
        continue
    dom, ph, code, enh = r["peer"], r["phase"], r["code"], r["enhanced"]
    rules = RULES[mta]
    if ph == "greeting":
        if code is None:  # silent server: the client gives up waiting
            rule = rules["greeting_timeout"]
            attempts[mta][dom][(rule["status"], None, rule["dsn"])] += 1
            unattributed[mta][dom] += 1
        elif code >= 400:
            if code >= 500:
                rule = rules["greeting_5xx"]
                st = rule["status"]
                d = dsn_class(enh, rule["dsn_class"]) if rule.get("dsn_class") else enh
            else:
                st, d = "deferred", enh
            attempts[mta][dom][(st, code, d)] += 1
            unattributed[mta][dom] += 1
    elif ph == "starttls" and code >= 400:
        rule = rules["starttls_refused_tls_required"]
        c = code if rule.get("keep_code") else None
        d = enh if rule.get("keep_code") else rule.get("dsn")
        attempts[mta][dom][(rule["status"], c, d)] += 1
        unattributed[mta][dom] += 1
    elif ph == "rcpt" and code >= 400:
        st = status_of(code)
        if code == 452 and "rcpt_452_retried_in_session" in rules:
            key = (r["session"], r.get("recipient"))
            if key in seen_452:
                continue
            seen_452.add(key)
        attempts[mta][dom][(st, code, enh)] += 1
        history[mta][r.get("recipient")].append((r["rel"], st))
    elif ph == "eod":
        st = status_of(code)
        for rc in r["rcpts"]:
            attempts[mta][dom][(st, code, enh)] += 1
            history[mta][rc].append((r["rel"], st))


# --- final outcome per recipient --------------------------------------------
def timing_outcome(mta, info):
    t = TIM[mta]
    age = TIM["stop_at"] - info["rel"]
    if mta == "postfix":
        life = t["maximal_queue_lifetime"]
        latest = life + t["maximal_backoff_time"] + t["queue_run_delay"] + TIM["slack"]
    else:
        life = t["cutoff"]
        latest = life + t["retry_interval"] + t["queue_run_interval"] + TIM["slack"]
    if age > latest:
        return "expired"
    if age < life and not (mta == "exim" and DOM[info["domain"]].get("exim_host_level")):
        return "pending"
    return "ambiguous"


outcomes = {m: {} for m in MTAS}
for mta in MTAS:
    for addr, info in sorted(rcpt_info[mta].items()):
        dom = info["domain"]
        sc = DOM.get(dom)
        if sc is None:
            continue
        h = sorted(history[mta].get(addr, []))
        final = None
        dns_rule = RULES[mta]["dns"].get(sc.get("dns") or "", None)
        if any(s == "delivered" for _, s in h):
            t_del = min(t for t, s in h if s == "delivered")
            earlier = any(s == "deferred" and t < t_del for t, s in h)
            if earlier:
                final = "delivered_after_deferral"
            elif sc["level"] == "session":
                # a session-level refusal names no recipient, and it makes the MTA
                # cache the failure (Postfix dead destination, Exim host retry
                # record): other messages may have been deferred without contact
                final = "delivered_unknown_deferral"
            else:
                final = "delivered_first_try"
        elif any(s == "bounced" for _, s in h):
            final = "bounced"
        elif dns_rule and dns_rule["status"] == "bounced":
            final = "bounced"
        elif sc.get("greeting") and sc["greeting"][0] == "5" and RULES[mta]["greeting_5xx"]["status"] == "bounced":
            final = "bounced"
        else:
            final = timing_outcome(mta, info)
        outcomes[mta][addr] = final

# --- assemble ---------------------------------------------------------------
def key_list(counter, exact=True, note=None):
    out = []
    for (st, code, dsn), n in sorted(counter.items(), key=lambda kv: (kv[0][0], kv[0][1] or 0, kv[0][2] or "")):
        e = {"status": st, "code": code, "dsn": dsn}
        if exact:
            e["count"] = n
        else:
            e["min"] = n
            e["note"] = note
        out.append(e)
    return out


expected = {
    "schema": "mxtriage.mta-lab.expected/1",
    "about": ("Derived by lab/derive.py from transcripts/peers.jsonl, transcripts/inbound.jsonl, "
              "injections.jsonl and lab/scenarios.json only; the MTA logs were not read. "
              "'attempts' counts fresh delivery attempts (cached repeats excluded: Postfix "
              "'delivery temporarily suspended', Exim 'retry time not reached'). An entry with "
              "'count' is exact; one with 'min' is a lower bound that cannot be derived exactly "
              "from the far side (see its note). 'outcomes' are per-recipient final states."),
    "files": {"postfix": ["postfix/mail.log", "postfix/mail-rfc3339.log"], "exim": ["exim/mainlog"]},
    "ignored_domains": {"postfix": [SCEN["local_domains"]["postfix"], "localhost"],
                        "exim": [SCEN["local_domains"]["exim"]]},
    "run": {"t0_stop_at": TIM["stop_at"], "submit_failures": dict(submit_failures),
            "transcript_replies": len(peers), "unknown_client_replies": unknown_mta},
    "outbound": {},
    "inbound": {},
    "recipients": {},
}

for mta in MTAS:
    doms = {}
    for sc in SCEN["domains"]:
        dom = sc["domain"]
        rcpts = [a for a, i in rcpt_info[mta].items() if i["domain"] == dom]
        if not rcpts:
            continue
        entry = {"scenario": sc["describe"], "cause": sc["cause"], "level": sc["level"],
                 "recipients": len(rcpts), "attempts": key_list(attempts[mta][dom]), "notes": []}
        if sc["level"] in ("connect", "dns"):
            kind = "no_listener" if sc["level"] == "connect" else sc["dns"]
            rule = RULES[mta]["connect_refused"] if sc["level"] == "connect" else RULES[mta]["dns"][kind]
            n_min = len(rcpts) if rule.get("per_recipient_exact") else 1
            entry["attempts"] = [{"status": rule["status"], "code": None, "dsn": rule["dsn"],
                                  "min": n_min, "note": rule["note"]}]
            if rule["status"] == "deferred" and mta in RULES and RULES[mta].get("expiry_bounce_line"):
                pass
        if sc["cause"] is not None and sc["level"] in ("session", "connect", "dns"):
            entry["cached_repeats"] = {
                "count": None,
                "note": "not derivable: after a failure at this level the MTA caches it (Postfix 'delivery "
                        "temporarily suspended', Exim 'retry time not reached') and logs deferrals that never "
                        "reach a peer; they are not in 'attempts' and their number is unknown here"}
        if unattributed[mta][dom]:
            entry["notes"].append("%d attempt(s) were refused before any recipient was named (greeting, "
                                  "STARTTLS or silence); each concerns the one recipient of this domain in "
                                  "its message" % unattributed[mta][dom])
        oc = collections.Counter(outcomes[mta][a] for a in rcpts)
        entry["outcomes"] = {k: oc.get(k, 0) for k in (
            "delivered_first_try", "delivered_after_deferral", "delivered_unknown_deferral",
            "bounced", "expired", "pending", "ambiguous")}
        if oc.get("expired"):
            entry["notes"].append(RULES[mta]["expiry"]["note"])
        doms[dom] = entry
    expected["outbound"][mta] = doms
    expected["recipients"][mta] = {a: outcomes[mta][a] for a in sorted(outcomes[mta])}

    rej = collections.Counter()
    acc = 0
    for r in inbound:
        if r["mta"] != mta:
            continue
        if r["result"] == "rejected":
            rej[(r["phase"], r["code"], r["enhanced"], r["expected_cause"], r["case"], r["client"], r["to"])] += 1
        elif r["result"] == "accepted":
            acc += 1
    expected["inbound"][mta] = {
        "rejections": [{"phase": p, "code": c, "dsn": d, "count": n, "cause": cause, "case": case,
                        "client": cl, "recipient": to, "code_in_log": RULES[mta]["inbound_code_in_log"]}
                       for (p, c, d, cause, case, cl, to), n in sorted(rej.items(), key=lambda kv: str(kv[0]))],
        "accepted_by_test_client": acc,
    }
    if not RULES[mta]["inbound_code_in_log"]:
        expected["inbound"][mta]["note"] = RULES[mta]["inbound_note"]


# --- domains with several MX hosts (a scenario set such as mxfallback) -------
# The replies each host gave are counted per host: a greeting refusal or a
# silent greeting per session, a reply to RCPT per recipient (a 554 to DATA
# after every RCPT failed, "no valid recipients", is not logged by either MTA
# and is left out). Every such reply is one entry of one delivery attempt in
# the logs: an earlier host's reply (mxtriage "attempts") or the final one.
# A host with nothing listening leaves no transcript: at least one attempt.
#
# Which reply matters (mxtriage(1): 5xx over 4xx over no reply): by
# mta_rules.<mta>.mx_fallback, a try goes on to the next host after a 5xx
# greeting or a 4xx reply and ends at a 5xx reply to RCPT, so a try holds at
# most one 5xx when only one host of the domain answers 5xx (checked below).
# Failed tries whose reply that matters is a 5xx are then exactly the 5xx
# replies; those whose reply that matters is a 4xx are the 4xx replies of the
# last host that answers at all (the tries that end there), less the tries
# that met a 5xx before reaching it (the 5xx replies of earlier hosts).
def mx_section(mta, sc):
    hosts = sorted(sc["hosts"], key=lambda h: h["pref"])
    by_name = {h["name"]: h for h in hosts}
    replies = collections.Counter()
    for r in peers:
        if r["mta"] != mta or r["peer"] != sc["domain"]:
            continue
        ph, code = r["phase"], r["code"]
        if ph == "greeting" and (code is None or code >= 400):
            replies[(r["mx"], ph, code, r["enhanced"])] += 1
        elif ph in ("rcpt", "eod") and code >= 400:
            replies[(r["mx"], ph, code, r["enhanced"])] += len(r["rcpts"]) if ph == "eod" else 1
    five = {n for (n, ph, c, e) in replies if c is not None and c >= 500}
    if len(five) > 1:
        raise SystemExit("derive.py: %s: more than one host answers 5xx; the matters count "
                         "assumes at most one 5xx per try" % sc["domain"])
    listening = [h for h in hosts if not h.get("no_listener")]
    last = listening[-1]["name"] if listening else None
    m5 = sum(n for (h, ph, c, e), n in replies.items() if c is not None and c >= 500)
    last4 = sum(n for (h, ph, c, e), n in replies.items() if h == last and c is not None and 400 <= c < 500)
    before5 = sum(n for (h, ph, c, e), n in replies.items()
                  if c is not None and c >= 500 and by_name[h]["pref"] < by_name[last]["pref"])
    out = {"hosts": [], "matters": []}
    for h in hosts:
        if h.get("no_listener"):
            out["hosts"].append({"host": h["name"], "ip": h["ip"], "phase": "connect", "code": None,
                                 "dsn": None, "min": 1, "note": "nothing listens: connection refused, "
                                 "no transcript; the number of connection attempts is not knowable here"})
            continue
        for (hn, ph, c, e), n in sorted(replies.items(), key=str):
            if hn == h["name"]:
                out["hosts"].append({"host": hn, "ip": h["ip"], "phase": ph, "code": c, "dsn": e, "count": n})
    if m5:
        codes = sorted({(c, e) for (h, ph, c, e) in replies if c is not None and c >= 500}, key=str)
        out["matters"].append({"class": "5xx", "codes": [list(x) for x in codes], "count": m5})
    if last4 - before5 > 0 or last4:
        codes = sorted({(c, e) for (h, ph, c, e) in replies if h == last and c is not None and 400 <= c < 500}, key=str)
        out["matters"].append({"class": "4xx", "codes": [list(x) for x in codes], "count": max(0, last4 - before5)})
    return out


for mta in MTAS:
    for sc in SCEN["domains"]:
        if sc.get("hosts") and sc["domain"] in expected["outbound"][mta]:
            entry = expected["outbound"][mta][sc["domain"]]
            entry["mx"] = mx_section(mta, sc)
            entry["attempts"] = []
            entry["notes"].append("several MX hosts: 'attempts' (the final lines by their own reply) is "
                                  "replaced by 'mx': the replies per host and the tries by the reply that matters")

json.dump(expected, sys.stdout, indent=1, sort_keys=True)
sys.stdout.write("\n")
