#!/usr/bin/env python3
"""Scripted SMTP receivers for the mxtriage MTA lab.

One asyncio listener per scenario domain on its own 127.0.1.x address, port 25.
Each answers the way the scenario in scenarios.json says and appends every reply
it sends to a JSON-lines transcript: time, peer, client, phase, command,
recipient, code, enhanced code and the full reply text. The transcript is the
ground truth on the far side of every SMTP conversation; derive.py reads it,
never the MTA logs.

Usage: peers.py SCENARIOS.json T0_EPOCH TRANSCRIPT.jsonl READY_FILE
Runs until killed (SIGTERM).
"""
import asyncio
import email.utils
import json
import re
import signal
import sys
import time

SCEN = json.load(open(sys.argv[1]))
T0 = float(sys.argv[2])
OUT = open(sys.argv[3], "a", buffering=1)
READY = sys.argv[4]

MTA_BY_CLIENT = {
    SCEN["addresses"]["postfix_smtp_bind"]: "postfix",
    SCEN["addresses"]["exim_smtp_interface"]: "exim",
}
ENH = re.compile(r"^[245]\d\d[ -]([245]\.\d{1,3}\.\d{1,3})(?:\s|$)")

state = {
    "qid": 0,
    "greylist": {},        # (client, sender, rcpt) -> first seen
    "box_accepts": {},     # (domain, box) -> [accept times]
    "seen_sets": set(),    # (domain, client, sender, rcpts) already failed once at eod
    "sessions": {},        # domain -> counter
}


def now_iso(t):
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)) + ".%06dZ" % int((t % 1) * 1e6)


def next_qid():
    state["qid"] += 1
    return "%010X" % (0x4A00000000 + state["qid"])


class Session:
    def __init__(self, scen, reader, writer):
        self.s = scen
        self.r = reader
        self.w = writer
        peer = writer.get_extra_info("peername")
        self.client = peer[0] if peer else "?"
        self.mta = MTA_BY_CLIENT.get(self.client, "other")
        dom = scen["domain"]
        state["sessions"][dom] = state["sessions"].get(dom, 0) + 1
        self.sid = "%s#%d" % (dom, state["sessions"][dom])
        self.host = scen.get("hostname") or "mx.%s" % dom
        if scen.get("mx"):
            for pref, name, ip in scen["mx"]:
                if ip == scen["ip"]:
                    self.host = name
        self.mx = scen.get("mx_host")  # set for a domain with "hosts"
        self.reset()

    def reset(self):
        self.sender = None
        self.rcpts = []
        self.msgid = ""

    def fmt(self, text, rcpt=None, qid=None):
        lines = text if isinstance(text, list) else [text]
        out = []
        for ln in lines:
            out.append(ln.format(host=self.host, client=self.client, rcpt=rcpt or "",
                                 qid=qid or next_qid(), epoch=int(time.time()),
                                 date=email.utils.formatdate(localtime=False),
                                 msgid=self.msgid or "unknown"))
        return out

    def record(self, phase, command, lines, recipient=None, extra=None):
        t = time.time()
        text = "\n".join(lines) if lines is not None else None
        code = int(lines[-1][:3]) if lines else None
        m = ENH.match(lines[-1]) if lines else None
        # compact on purpose (the transcript is committed): the peer is the part
        # of "session" before '#', the MTA follows from "client"; null fields
        # other than code and text are left out
        rec = {"t": now_iso(t), "session": self.sid, "client": self.client,
               "phase": phase, "code": code, "text": text}
        if command is not None:
            rec["command"] = command
        if m:
            rec["enhanced"] = m.group(1)
        if recipient is not None:
            rec["recipient"] = recipient
        if self.mx:
            rec["mx"] = self.mx
        if extra:
            rec.update(extra)
        OUT.write(json.dumps(rec, separators=(",", ":")) + "\n")

    async def send(self, phase, command, lines, recipient=None, extra=None):
        self.record(phase, command, lines, recipient, extra)
        self.w.write(("\r\n".join(lines) + "\r\n").encode())
        await self.w.drain()

    async def readline(self):
        line = await asyncio.wait_for(self.r.readline(), timeout=120)
        if not line:
            raise EOFError
        return line.decode("utf-8", "replace").rstrip("\r\n")

    def rel(self):
        return time.time() - T0

    async def run(self):
        s = self.s
        if s.get("silent"):
            self.record("greeting", None, None, extra={"note": "silent: connection accepted, no greeting sent"})
            try:
                while await asyncio.wait_for(self.r.read(1024), timeout=300):
                    pass
            except Exception:
                pass
            self.record("close", None, None, extra={"note": "client closed the connection"})
            return
        greet = None
        for rule in s.get("greeting_rules", []):
            if self.rel() < rule.get("until", 1e18):
                greet = rule["reply"]
                break
        if greet is None:
            greet = s.get("greeting", SCEN["greeting_default"])
        lines = self.fmt(greet)
        await self.send("greeting", None, lines)
        refused = lines[-1][0] != "2"
        if refused and lines[-1][0] == "4":
            return  # 421: close at once
        while True:
            try:
                cmd = await self.readline()
            except (EOFError, asyncio.TimeoutError, ConnectionError):
                return
            verb = cmd.split(" ", 1)[0].upper()
            if verb == "QUIT":
                await self.send("quit", cmd, ["221 2.0.0 Bye"])
                return
            if refused:
                await self.send("after_refusal", cmd, ["503 5.5.1 Error: service refused, only QUIT allowed"])
                continue
            if verb in ("EHLO", "HELO"):
                if verb == "HELO":
                    await self.send("helo", cmd, ["250 %s" % self.host])
                    continue
                ehlo = list(s.get("ehlo", SCEN["ehlo_default"]))
                if s.get("starttls", {}).get("advertise"):
                    ehlo.insert(len(ehlo) - 1, "250-STARTTLS")
                await self.send("ehlo", cmd, self.fmt(ehlo))
            elif verb == "STARTTLS":
                await self.send("starttls", cmd, self.fmt(s["starttls"]["reply"]))
            elif verb == "MAIL":
                self.reset()
                m = re.search(r"<([^>]*)>", cmd)
                self.sender = m.group(1) if m else ""
                await self.send("mail", cmd, ["250 2.1.0 Ok"])
            elif verb == "RCPT":
                m = re.search(r"<([^>]*)>", cmd)
                rcpt = m.group(1) if m else ""
                if self.sender is None:
                    await self.send("rcpt", cmd, ["503 5.5.1 Error: need MAIL command"], rcpt)
                    continue
                reply, close = self.rcpt_reply(rcpt)
                if reply is None:
                    self.rcpts.append(rcpt)
                    await self.send("rcpt", cmd, self.fmt(SCEN["accept_rcpt"], rcpt), rcpt)
                else:
                    await self.send("rcpt", cmd, self.fmt(reply, rcpt), rcpt)
                    if close:
                        return
            elif verb == "DATA":
                if not self.rcpts:
                    await self.send("data", cmd, ["554 5.5.1 Error: no valid recipients"])
                    continue
                await self.send("data", cmd, ["354 End data with <CR><LF>.<CR><LF>"])
                while True:
                    try:
                        ln = await self.readline()
                    except (EOFError, asyncio.TimeoutError, ConnectionError):
                        return
                    if ln == ".":
                        break
                    if not self.msgid and ln.lower().startswith("message-id:"):
                        self.msgid = ln.split(":", 1)[1].strip().strip("<>")
                reply = self.eod_reply()
                qid = next_qid()
                lines = self.fmt(reply or s.get("accept_eod", SCEN["accept_eod"]), qid=qid)
                await self.send("eod", ".", lines, extra={"rcpts": list(self.rcpts), "message_id": self.msgid})
                if reply is None:
                    now = time.time()
                    for r in self.rcpts:
                        key = (s["domain"], r.split("@")[0].split("+")[0])
                        state["box_accepts"].setdefault(key, []).append(now)
                self.reset()
            elif verb == "RSET":
                self.reset()
                await self.send("rset", cmd, ["250 2.0.0 Ok"])
            elif verb == "NOOP":
                await self.send("noop", cmd, ["250 2.0.0 Ok"])
            else:
                await self.send("unknown", cmd, ["502 5.5.2 Error: command not recognized"])

    def rcpt_reply(self, rcpt):
        s = self.s
        box = rcpt.split("@")[0].split("+")[0].lower()
        now = time.time()
        for rule in s.get("rcpt_rules", []):
            if "box" in rule and rule["box"] != box:
                continue
            if "until" in rule and self.rel() >= rule["until"]:
                continue
            if "greylist" in rule:
                key = (self.client, self.sender, rcpt.lower())
                first = state["greylist"].setdefault(key, now)
                if now - first >= rule["greylist"]:
                    continue
            if "rate_per_box" in rule:
                key = (s["domain"], box)
                recent = [t for t in state["box_accepts"].get(key, []) if now - t < rule["window"]]
                # count RCPTs accepted in this transaction too
                recent += [now for r in self.rcpts if r.split("@")[0].split("+")[0].lower() == box]
                if len(recent) < rule["rate_per_box"]:
                    continue
            return rule["reply"], rule.get("close", False)
        return None, False

    def eod_reply(self):
        for rule in self.s.get("eod_rules", []):
            if rule.get("first_time_per_rcpt_set"):
                key = (self.s["domain"], self.client, self.sender, tuple(sorted(self.rcpts)))
                if key in state["seen_sets"]:
                    continue
                state["seen_sets"].add(key)
            return rule["reply"]
        return None


def handler_for(scen):
    async def handle(reader, writer):
        sess = Session(scen, reader, writer)
        try:
            await sess.run()
        except Exception as e:  # a peer must never die with a session
            sess.record("error", None, None, extra={"note": "peer exception: %r" % (e,)})
        finally:
            try:
                writer.close()
            except Exception:
                pass
    return handle


def listeners(scen):
    """The receivers of one scenario domain: the domain itself, or, for a
    domain with "hosts" (several MX hosts answering differently), one per
    host, each the domain's scenario with that host's own keys on top."""
    if not scen.get("hosts"):
        return [scen]
    out = []
    for h in scen["hosts"]:
        own = {k: v for k, v in scen.items() if k != "hosts"}
        own.update({k: v for k, v in h.items() if k not in ("pref", "name")})
        own["hostname"] = own["mx_host"] = h["name"]
        out.append(own)
    return out


async def main():
    servers = []
    for scen in SCEN["domains"]:
        for one in listeners(scen):
            if one.get("no_listener") or not one.get("ip"):
                continue
            srv = await asyncio.start_server(handler_for(one), one["ip"], 25, reuse_address=True)
            servers.append(srv)
    open(READY, "w").write("%d listeners\n" % len(servers))
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    loop.add_signal_handler(signal.SIGINT, stop.set)
    await stop.wait()
    for srv in servers:
        srv.close()
    OUT.flush()


asyncio.run(main())
