#!/usr/bin/env python3
"""Writes a large, realistic Exim main log for the benchmark (seeded, so the
same arguments give the same bytes). The Exim counterpart of gen_postfix.py.

Mix per message, in the proportions of a busy relay: "SMTP connection
from", arrival (<=) with H=, I=, P=, X= (TLS), S= and id=, one to three
recipients each delivered (=> with R= T= H= X= CV= C="..."), deferred (==
with an SMTP error or a connect/DNS defer, later retried) or failed (** with
the remote server's 5xx), then Completed; rejections we issued at RCPT time
("rejected RCPT") with no message id; and noise Exim writes that is not an
event (connection closed, no host name found, TLS errors, Start queue run).
Times are Exim's own "YYYY-MM-DD HH:MM:SS" with the [pid] log_selector.

Usage: gen_exim.py OUT_FILE SIZE_MB [SEED [START_SECONDS]]
"""
import random
import sys
import time

DOMAINS = ["gmail.com", "outlook.com", "yahoo.com", "example.org", "web.de",
           "icloud.com", "gmx.net", "corp.example", "mail.ru", "orange.fr"]
MX = {"gmail.com": ("gmail-smtp-in.l.google.com", "142.250.102.27"),
      "outlook.com": ("outlook-com.olc.protection.outlook.com", "52.101.42.13"),
      "yahoo.com": ("mta7.am0.yahoodns.net", "98.136.96.75")}
DEFER = [
    "H={h} [{ip}]: SMTP error from remote mail server after end of data: 421-4.7.0 [203.0.113.5] Our system has detected an unusual rate of unsolicited mail originating from your IP address.",
    "H={h} [{ip}]: SMTP error from remote mail server after MAIL FROM:<s@x.example> SIZE=4096: 451 4.7.650 The mail server [203.0.113.5] has been temporarily rate limited due to IP reputation.",
    "H={h} [{ip}]: SMTP error from remote mail server after MAIL FROM:<s@x.example> SIZE=4096: 421 4.7.0 [TSS04] Messages from 203.0.113.5 temporarily deferred due to unexpected volume or user complaints",
    "H={h} [{ip}]: SMTP error from remote mail server after RCPT TO:<{r}>: 450 4.2.0 <{r}>: Recipient address rejected: Greylisted, see http://postgrey.schweikert.ch/help/{d}.html",
    "H={h} [{ip}] Connection timed out",
]
BOUNCE = [
    "H={h} [{ip}]: SMTP error from remote mail server after RCPT TO:<{r}>: 550-5.1.1 The email account that you tried to reach does not exist.",
    "H={h} [{ip}]: SMTP error from remote mail server after RCPT TO:<{r}>: 554 5.7.1 Service unavailable; Client host [203.0.113.5] blocked using zen.spamhaus.org",
]
B62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def b62(n, width):
    s = ""
    for _ in range(width):
        s = B62[n % 62] + s
        n //= 62
    return s


def main():
    out, size_mb = sys.argv[1], float(sys.argv[2])
    rnd = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 1)
    limit = int(size_mb * 1024 * 1024)
    written = 0
    t0 = 1730419200  # 2024-11-01 00:00:00 UTC
    t = int(sys.argv[4]) if len(sys.argv) > 4 else 0
    qn = 0x10000
    with open(out, "w") as f:
        def w(msg, pid=None):
            nonlocal written, t
            t += rnd.randint(0, 2)
            line = "%s [%d] %s\n" % (
                time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(t0 + t)),
                pid if pid is not None else rnd.randint(1000, 60000), msg)
            f.write(line)
            written += len(line)
        retry = []  # (id, recipient, domain) deferred earlier: retried later
        while written < limit:
            qn += rnd.randint(1, 50)
            pid = rnd.randint(1000, 60000)
            q = "%s-%s-%s" % (b62(t0 + t, 6), b62(pid, 6), b62(qn, 2))
            ip = "198.51.100.%d" % rnd.randint(1, 254)
            port = rnd.randint(1024, 65535)
            w("SMTP connection from client.example [%s]:%d I=[203.0.113.5]:25 (TCP/IP connection count = %d)" % (ip, port, rnd.randint(1, 20)), pid)
            if rnd.random() < 0.15:
                d = rnd.choice(DOMAINS)
                w("H=client.example [%s]:%d I=[203.0.113.5]:25 F=<s@x.example> rejected RCPT <u@%s>: relay not permitted" % (ip, port, d), pid)
                w("SMTP connection from client.example [%s]:%d I=[203.0.113.5]:25 closed by QUIT" % (ip, port), pid)
                continue
            w("%s <= sender%d@x.example H=client.example (x.example) [%s]:%d I=[203.0.113.5]:25 P=esmtps X=TLS1.3:ECDHE_X25519__RSA_PSS_RSAE_SHA256__AES_256_GCM:256 CV=no S=%d id=%d@x.example" % (
                q, qn % 97, ip, port, rnd.randint(800, 90000), qn), pid)
            w("SMTP connection from client.example [%s]:%d I=[203.0.113.5]:25 closed by QUIT" % (ip, port), pid)
            if rnd.random() < 0.05:
                w("no host name found for IP address 192.0.2.%d" % rnd.randint(1, 254))
            dpid = rnd.randint(1000, 60000)
            deferred = []
            for _ in range(rnd.randint(1, 3)):
                d = rnd.choice(DOMAINS)
                r = "user%d@%s" % (rnd.randint(1, 5000), d)
                h, mip = MX.get(d, ("mx.%s" % d, "192.0.2.%d" % rnd.randint(1, 254)))
                x = rnd.random()
                if x < 0.80:
                    w("%s => %s R=dnslookup T=remote_smtp H=%s [%s] X=TLS1.3:ECDHE_X25519__RSA_PSS_RSAE_SHA256__AES_256_GCM:256 CV=yes K C=\"250 2.0.0 OK 1700000000 x-%d - gsmtp\" QT=%ds DT=%ds" % (
                        q, r, h, mip, qn, rnd.randint(1, 9), rnd.randint(0, 5)), dpid)
                elif x < 0.95:
                    text = rnd.choice(DEFER).format(h=h, ip=mip, r=r, d=d)
                    errno = "-53" if "SMTP error" in text else "110"
                    w("%s == %s R=dnslookup T=remote_smtp defer (%s): %s" % (q, r, errno, text), dpid)
                    deferred.append((r, h, mip))
                else:
                    text = rnd.choice(BOUNCE).format(h=h, ip=mip, r=r, d=d)
                    w("%s ** %s R=dnslookup T=remote_smtp %s" % (q, r, text), dpid)
            if deferred:
                retry.append((q, deferred))
            else:
                w("%s Completed QT=%ds" % (q, rnd.randint(1, 9)), dpid)
            # a queue runner retries the oldest deferred message: delivered
            # now, so the tracker holds a bounded number of messages
            if len(retry) > 200 or (retry and rnd.random() < 0.05):
                rq, rl = retry.pop(0)
                rpid = rnd.randint(1000, 60000)
                w("Start queue run: pid=%d" % rpid, rpid)
                for rr, rh, rip in rl:
                    w("%s => %s R=dnslookup T=remote_smtp H=%s [%s] X=TLS1.3:ECDHE_X25519__RSA_PSS_RSAE_SHA256__AES_256_GCM:256 CV=yes C=\"250 2.0.0 OK\" QT=%ds DT=0s" % (
                        rq, rr, rh, rip, rnd.randint(300, 3600)), rpid)
                w("%s Completed QT=%ds" % (rq, rnd.randint(300, 3600)), rpid)
                w("End queue run: pid=%d" % rpid, rpid)


if __name__ == "__main__":
    main()
