#!/usr/bin/env python3
"""Traffic for the mxtriage MTA lab: what Postfix and Exim are asked to send,
and the inbound test client (swaks) that they refuse.

Usage: inject.py SCENARIOS.json T0_EPOCH OUT_DIR EXIM_ROOT EXIM_CONF

Writes OUT_DIR/injections.jsonl (one line per submitted message: time, MTA,
method, sender, recipients, and what the MTA answered), OUT_DIR/transcripts/
inbound.jsonl (what swaks was told, one line per swaks run) and the raw swaks
output in OUT_DIR/transcripts/swaks.log. Returns at timing.stop_at.

The plan is drawn from a fixed seed, so the same scenarios give the same plan;
the times at which the MTAs act still vary from run to run.
"""
import json
import random
import re
import smtplib
import subprocess
import sys
import threading
import time

SCEN = json.load(open(sys.argv[1]))
T0 = float(sys.argv[2])
OUT = sys.argv[3]
X = sys.argv[4]
EXIM_CONF = sys.argv[5]
TIM = SCEN["timing"]
ADDR = SCEN["addresses"]
DOM = {d["domain"]: d for d in SCEN["domains"]}
SINGLE = {d["domain"] for d in SCEN["domains"] if d["level"] in ("session", "connect", "dns")}
ACCEPT = ["accept-a.test", "accept-b.test", "accept-c.test"]
lock = threading.Lock()
inj = open("%s/injections.jsonl" % OUT, "a", buffering=1)
inb = open("%s/transcripts/inbound.jsonl" % OUT, "a", buffering=1)
swlog = open("%s/transcripts/swaks.log" % OUT, "a", buffering=1)


def iso(t):
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)) + ".%06dZ" % int((t % 1) * 1e6)


def make_plan(mta, rng, n_early, n_late):
    """Messages as (rel_time, sender, [recipients])."""
    letter = mta[0]
    plan = []
    early = [d for d in SCEN["domains"]]
    weights = [d["weight"] for d in early]
    late = SCEN["late_domains"][mta]
    seq = 0

    def rcpts_for(dom, tag):
        boxes = DOM[dom].get("boxes", SCEN["boxes_default"])
        n = 1 if dom in SINGLE else rng.choices([1, 2, 3], [70, 20, 10])[0]
        picked = rng.sample(boxes, min(n, len(boxes)))
        return ["%s+%s%s@%s" % (b, tag, chr(ord("a") + i), dom) for i, b in enumerate(picked)]

    for phase, n, t_start, t_end, pool, pw in (
            ("early", n_early, TIM["early_inject_start"], TIM["early_inject_end"], [d["domain"] for d in early], weights),
            ("late", n_late, TIM["late_inject_start"], TIM["late_inject_end"], late, [3 if d in ACCEPT else 1 for d in late])):
        for i in range(n):
            seq += 1
            tag = "%s%05d" % (letter, seq)
            t = t_start + (t_end - t_start) * i / max(1, n)
            dom = rng.choices(pool, pw)[0]
            rcpts = rcpts_for(dom, tag)
            if rng.random() < SCEN.get("extra_recipient_share", 0.12) and dom not in ACCEPT:
                extra = rng.choice(ACCEPT)
                rcpts += ["%s+%s%s@%s" % (rng.choice(SCEN["boxes_default"]), tag, "x", extra)]
            sender = rng.choice(SCEN["senders"][mta])
            plan.append({"rel": round(t, 3), "phase": phase, "tag": tag, "sender": sender, "rcpts": rcpts})
    return plan


def message(mta, m):
    dom = m["rcpts"][0].split("@")[1]
    return ("From: %s\r\nTo: %s\r\nSubject: lab %s %s to %s\r\nMessage-ID: <%s.%d@%s>\r\n"
            "Date: %s\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n"
            "Test message %s of the mxtriage MTA lab (%s).\r\nIt goes to %d recipient(s).\r\n"
            % (m["sender"], ", ".join(m["rcpts"]), mta, m["tag"], dom, m["tag"], int(T0),
               m["sender"].split("@")[1], time.strftime("%a, %d %b %Y %H:%M:%S +0000", time.gmtime()),
               m["tag"], mta, len(m["rcpts"])))


def submit(mta, m, rng):
    body = message(mta, m)
    rec = {"mta": mta, "tag": m["tag"], "phase": m["phase"],
           "sender": m["sender"], "rcpts": m["rcpts"]}
    t = time.time()
    method = rng.choices(["smtp", "local"], [60, 40] if mta == "postfix" else [70, 30])[0]
    rec["method"] = method
    try:
        if method == "smtp":
            host = ADDR["postfix_listen"] if mta == "postfix" else ADDR["exim_listen"]
            with smtplib.SMTP(host, 25, local_hostname="app1.lab.test",
                              source_address=("127.0.0.1", 0), timeout=60) as c:
                refused = c.sendmail(m["sender"], m["rcpts"], body.encode())
                rec["result"] = "accepted"
                if refused:
                    rec["refused"] = {k: [v[0], v[1].decode()] for k, v in refused.items()}
        else:
            if mta == "postfix":
                cmd = ["/usr/sbin/sendmail", "-i", "-f", m["sender"], "--"] + m["rcpts"]
            else:
                cmd = [X + "/usr/sbin/exim4", "-C", EXIM_CONF, "-odb", "-i", "-f", m["sender"], "--"] + m["rcpts"]
            p = subprocess.run(cmd, input=body.encode(), capture_output=True, timeout=60)
            rec["result"] = "accepted" if p.returncode == 0 else "failed rc=%d %s" % (p.returncode, p.stderr.decode()[-300:])
    except Exception as e:
        rec["result"] = "failed %r" % (e,)
    rec["t"] = iso(t)
    rec["rel"] = round(t - T0, 3)
    inj.write(json.dumps(rec, separators=(",", ":")) + "\n")


def run_plan(mta, plan, seed):
    rng = random.Random(seed)
    for m in plan:
        delay = T0 + m["rel"] - time.time()
        if delay > 0:
            time.sleep(delay)
        submit(mta, m, rng)


PHASE_BY_CMD = {"EHLO": "ehlo", "HELO": "helo", "MAIL": "mail", "RCPT": "rcpt", "DATA": "data",
                "QUIT": "quit", "STARTTLS": "starttls"}
ENH = re.compile(r"^([245]\d\d)[ -](?:([245]\.\d{1,3}\.\d{1,3})\s)?")


def swaks(mta, case, n):
    server = ADDR["postfix_listen"] if mta == "postfix" else ADDR["exim_listen"]
    cmd = ["swaks", "--server", server, "--port", "25", "--local-interface", case["client"],
           "--ehlo", case["helo"], "--from", case["from"], "--to", case["to"],
           "--header", "Subject: swaks %s %s #%d" % (mta, case["name"], n), "--timeout", "30"]
    t = time.time()
    p = subprocess.run(cmd, capture_output=True, timeout=120)
    out = p.stdout.decode("utf-8", "replace")
    with lock:
        swlog.write("### %s %s %s #%d rc=%d\n%s" % (iso(t), mta, case["name"], n, p.returncode, out))
    last_cmd, err_lines, final = None, [], None
    for ln in out.splitlines():
        if ln.startswith(" -> "):
            if err_lines:
                break
            last_cmd = ln[4:]
        elif ln.startswith("<** "):
            err_lines.append(ln[4:])
        elif ln.startswith("<-  ") and last_cmd and last_cmd.strip() == ".":
            final = ln[4:]
    rec = {"t": iso(t), "rel": round(t - T0, 3), "mta": mta, "case": case["name"], "n": n,
           "client": case["client"], "helo": case["helo"], "from": case["from"], "to": case["to"],
           "swaks_rc": p.returncode, "expected_cause": case["cause"]}
    if err_lines:
        verb = (last_cmd or "").split(" ")[0].split(":")[0].upper()
        m = ENH.match(err_lines[-1])
        rec.update({"result": "rejected", "phase": PHASE_BY_CMD.get(verb, "greeting" if last_cmd is None else verb.lower()),
                    "command": last_cmd, "code": int(m.group(1)) if m else None,
                    "enhanced": m.group(2) if m else None, "text": "\n".join(err_lines)})
    else:
        rec.update({"result": "accepted" if p.returncode == 0 else "error", "final_reply": final})
    with lock:
        inb.write(json.dumps(rec, separators=(",", ":")) + "\n")


def run_inbound():
    jobs = []
    for mta in ("postfix", "exim"):
        for case in SCEN["inbound"][mta]:
            for n in range(1, case["count"] + 1):
                jobs.append((mta, case, n))
    # spread over 20 s .. 140 s; the rate-limit case stays within one minute
    rng = random.Random(6)
    rng.shuffle(jobs)
    jobs.sort(key=lambda j: j[1]["name"] == "rate_limit")
    step = 100.0 / max(1, len(jobs))
    for i, (mta, case, n) in enumerate(jobs):
        rel = 20 + i * step if case["name"] != "rate_limit" else 20 + i * step * 0.3
        delay = T0 + rel - time.time()
        if delay > 0:
            time.sleep(delay)
        swaks(mta, case, n)


def main():
    rng = random.Random(20261123)
    vol = SCEN["volume"]
    plans = {
        "postfix": make_plan("postfix", rng, vol["postfix_messages_early"], vol["postfix_messages_late"]),
        "exim": make_plan("exim", rng, vol["exim_messages_early"], vol["exim_messages_late"]),
    }
    threads = [threading.Thread(target=run_plan, args=(mta, plans[mta], i)) for i, mta in enumerate(plans)]
    threads.append(threading.Thread(target=run_inbound))
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    delay = T0 + TIM["stop_at"] - time.time()
    sys.stderr.write("[inject] all submitted at T0%+.0fs; waiting %.0fs until stop_at\n"
                     % (time.time() - T0, max(0, delay)))
    if delay > 0:
        time.sleep(delay)


main()
