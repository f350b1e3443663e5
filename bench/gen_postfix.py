#!/usr/bin/env python3
"""Writes a large, realistic Postfix log for the benchmark (seeded, so the
same arguments give the same bytes).

Mix per message: smtpd connect/client/disconnect, cleanup message-id, qmgr
from=, one to three recipients with deliveries, deferrals, bounces, plus
NOQUEUE rejections and noise from other programs, in the proportions of a
busy relay. A message with a deferred recipient stays in the queue (no
"removed") until the queue manager retries it a little later: the deferred
recipients are delivered then and the message is removed, as Postfix does,
so the messages in flight stay few however long the log.

Usage: gen_postfix.py OUT_FILE SIZE_MB [SEED [START_SECONDS]]
"""
import random
import re
import sys

DOMAINS = ["gmail.com", "outlook.com", "yahoo.com", "example.org", "web.de",
           "icloud.com", "gmx.net", "corp.example", "mail.ru", "orange.fr"]
MX = {"gmail.com": ("gmail-smtp-in.l.google.com", "142.250.102.27"),
      "outlook.com": ("outlook-com.olc.protection.outlook.com", "52.101.42.13"),
      "yahoo.com": ("mta7.am0.yahoodns.net", "98.136.96.75")}
DEFER = [
    "host {h}[{ip}] said: 421-4.7.0 [203.0.113.5] Our system has detected an unusual rate of unsolicited mail originating from your IP address. (in reply to end of DATA command)",
    "host {h}[{ip}] said: 451 4.7.650 The mail server [203.0.113.5] has been temporarily rate limited due to IP reputation. (in reply to MAIL FROM command)",
    "host {h}[{ip}] said: 421 4.7.0 [TSS04] Messages from 203.0.113.5 temporarily deferred due to unexpected volume or user complaints (in reply to MAIL FROM command)",
    "host {h}[{ip}] said: 450 4.2.0 <{r}>: Recipient address rejected: Greylisted, see http://postgrey.schweikert.ch/help/{d}.html (in reply to RCPT TO command)",
    "connect to {h}[{ip}]:25: Connection timed out",
    "Host or domain name not found. Name service error for name={d} type=MX: Host not found, try again",
]
BOUNCE = [
    "host {h}[{ip}] said: 550-5.1.1 The email account that you tried to reach does not exist. (in reply to RCPT TO command)",
    "host {h}[{ip}] said: 554 5.7.1 Service unavailable; Client host [203.0.113.5] blocked using zen.spamhaus.org (in reply to RCPT TO command)",
]


def main():
    out, size_mb = sys.argv[1], float(sys.argv[2])
    rnd = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 1)
    limit = int(size_mb * 1024 * 1024)
    written = 0
    t = int(sys.argv[4]) * 10 if len(sys.argv) > 4 else 0
    qn = 0x10000
    with open(out, "w") as f:
        def w(prog, msg):
            nonlocal written, t
            # t in tenths of a second: ten lines a second, a busy
            # server, so that a gigabyte stays within November (the
            # dates carry no year; a wrap would be time going back)
            t += rnd.randint(0, 2)
            s = t // 10 % 86400
            line = "Nov %2d %02d:%02d:%02d mx1 %s[%d]: %s\n" % (
                1 + (t // 864000) % 30, s // 3600, s // 60 % 60, s % 60,
                prog, rnd.randint(1000, 60000), msg)
            f.write(line)
            written += len(line)
        retry = []  # (queue id, sender, [(recipient, host, ip)]) deferred
        while written < limit:
            qn += rnd.randint(1, 50)
            q = "%X" % qn
            ip = "198.51.100.%d" % rnd.randint(1, 254)
            w("postfix/smtpd", "connect from client.example[%s]" % ip)
            if rnd.random() < 0.15:
                d = rnd.choice(DOMAINS)
                w("postfix/smtpd", "NOQUEUE: reject: RCPT from client.example[%s]: 554 5.7.1 <u@%s>: Relay access denied; from=<s@x.example> to=<u@%s> proto=ESMTP helo=<x>" % (ip, d, d))
                continue
            w("postfix/smtpd", "%s: client=client.example[%s]" % (q, ip))
            w("postfix/cleanup", "%s: message-id=<%d@x.example>" % (q, qn))
            w("postfix/qmgr", "%s: from=<sender%d@x.example>, size=%d, nrcpt=1 (queue active)" % (q, qn % 97, rnd.randint(800, 90000)))
            w("dovecot", "imap(user%d): Logged out in=120 out=5120" % (qn % 13))
            deferred = []
            for _ in range(rnd.randint(1, 3)):
                d = rnd.choice(DOMAINS)
                r = "user%d@%s" % (rnd.randint(1, 5000), d)
                h, mip = MX.get(d, ("mx.%s" % d, "192.0.2.%d" % rnd.randint(1, 254)))
                x = rnd.random()
                if x < 0.80:
                    status, dsn, text = "sent", "2.0.0", "250 2.0.0 OK 1700000000 x-%d - gsmtp" % qn
                elif x < 0.95:
                    status, dsn, text = "deferred", "4.7.0", rnd.choice(DEFER)
                else:
                    status, dsn, text = "bounced", "5.1.1", rnd.choice(BOUNCE)
                text = text.format(h=h, ip=mip, r=r, d=d)
                m = re.search(r" said: \d{3}[ -](\d\.\d{1,3}\.\d{1,3})", text)
                if m:
                    dsn = m.group(1)
                elif status == "deferred":
                    dsn = "4.4.1" if text.startswith("connect") else "4.4.3"
                relay = "none" if text.startswith(("connect", "Host or")) else "%s[%s]:25" % (h, mip)
                w("postfix/smtp", "%s: to=<%s>, relay=%s, delay=%.1f, delays=0.1/0/0.3/0.4, dsn=%s, status=%s (%s)" % (
                    q, r, relay, rnd.random() * 5, dsn, status, text))
                if status == "deferred":
                    deferred.append((r, h, mip))
            if deferred:
                retry.append((q, qn, deferred))
            else:
                w("postfix/qmgr", "%s: removed" % q)
            # the queue manager retries the oldest deferred message: its
            # recipients are delivered now and it leaves the queue
            if len(retry) > 200 or (retry and rnd.random() < 0.05):
                rq, rqn, rl = retry.pop(0)
                w("postfix/qmgr", "%s: from=<sender%d@x.example>, size=%d, nrcpt=%d (queue active)" % (rq, rqn % 97, rnd.randint(800, 90000), len(rl)))
                for r, h, mip in rl:
                    w("postfix/smtp", "%s: to=<%s>, relay=%s[%s]:25, delay=%d, delays=%d/0.1/0.3/0.4, dsn=2.0.0, status=sent (250 2.0.0 OK 1700000000 x-%d - gsmtp)" % (
                        rq, r, h, mip, rnd.randint(300, 3600), rnd.randint(300, 3600), rqn))
                w("postfix/qmgr", "%s: removed" % rq)


if __name__ == "__main__":
    main()
