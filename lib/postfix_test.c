/*
 * postfix_test.c - Postfix lines -> events. Each case feeds real lines
 * (sources in testdata/SOURCES) through a pass and checks the fields of
 * the last event, or that no event came and why.
 */
#include "pass.h"
#include "testutil.h"

#include <stdlib.h>

struct pf_case {
	const char *name;
	const char *lines[4]; /* fed in order; the last event is checked */
	struct test_want w;
	int events;      /* events the lines must give */
	int unparsed;    /* lines reported as not understood */
};

static const struct pf_case cases[] = {
	{"smtp sent", {"Mar 24 13:58:01 5mail-gw01 postfix/smtp[25469]: 0D9633D: to=<jos@example.com>, orig_to=<bestuur@example.com>, relay=mail1.example.net[10.74.103.11]:25, delay=11, delays=5.4/0.06/5.1/0.03, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as F12DF84004)"},
	    {"delivered", "smtp", "0D9633D", "out", "jos@example.com",
	    "example.com", "", "mail1.example.net", "10.74.103.11", 25, 250,
	    "2.0.0", NULL, "250 2.0.0 Ok: queued as F12DF84004", NULL, NULL, -1}, 1, 0},
	{"lmtp to a unix socket", {"Mar 24 13:58:01 5mail-gw01 postfix/smtp[25469]: AD6E41CDC05C: to=<admin@example.com>, relay=sub1.example.com[private/dovecot-lmtp], delay=0.15, delays=0.04/0/0.02/0.08, dsn=2.0.0, status=sent (250 2.0.0 <admin@example.com> qYyyBMsl9FRuZQAAA15QOA Saved)"},
	    {"delivered", "smtp", "AD6E41CDC05C", "out", "admin@example.com",
	    "example.com", "", "sub1.example.com", "private/dovecot-lmtp", 0,
	    250, "2.0.0", NULL, "250 2.0.0 <admin@example.com> qYyyBMsl9FRuZQAAA15QOA Saved", NULL, NULL, -1}, 1, 0},
	{"deferred with remote reply, sender from qmgr", {
	    "Mar 24 13:58:01 5mail-gw01 postfix/qmgr[25469]: A0E85200BD: from=<list-bounces@Lists.Example.ORG>, size=4113, nrcpt=1 (queue active)",
	    "Mar 24 13:58:01 5mail-gw01 postfix/smtp[25469]: A0E85200BD: to=<whatever-user@lists.example.org>, relay=open.example.nl[10.49.140.10]:25, delay=2.3, delays=0.25/0.05/2/0.04, dsn=4.2.0, status=deferred (host open.example.nl[10.49.140.10] said: 450 4.2.0 <whatever-user@lists.example.org>: Recipient address rejected: Greylisted, see http://postgrey.schweikert.ch/help/lists.example.org.html (in reply to RCPT TO command))"},
	    {"deferred", "smtp", "A0E85200BD", "out",
	    "whatever-user@lists.example.org", "lists.example.org",
	    "list-bounces@Lists.Example.ORG", "open.example.nl", "10.49.140.10",
	    25, 450, "4.2.0", "rcpt",
	    "host open.example.nl[10.49.140.10] said: 450 4.2.0 <whatever-user@lists.example.org>: Recipient address rejected: Greylisted, see http://postgrey.schweikert.ch/help/lists.example.org.html (in reply to RCPT TO command)", NULL, NULL, -1}, 1, 0},
	{"bounced after end of data", {"Dec 29 03:03:48 mail postfix/smtp[8492]: 732BB407C3: to=<redacted@domain.com>, relay=mail.domain.com[1.1.1.1]:25, delay=582, delays=563/16/1.7/0.81, dsn=5.0.0, status=bounced (host mail.domain.com[1.1.1.1] said: 554 DT:SPM 163 mx9, please see http://mail.example/ (in reply to end of DATA command))"},
	    {"bounced", "smtp", "732BB407C3", "out", "redacted@domain.com",
	    "domain.com", "", "mail.domain.com", "1.1.1.1", 25, 554, "5.0.0",
	    "eod", NULL, NULL, NULL, -1}, 1, 0},
	{"connect timeout, relay from the text", {"2025-11-05T04:52:10.949801+00:00 hostname postfix/relay/smtp[34266]: D7B9C40064: to=<to-user@example.com>, relay=none, delay=52835, delays=52715/0.01/120/0, dsn=4.4.1, status=deferred (connect to some.host.com[111.111.68.12]:25: Connection timed out)"},
	    {"deferred", "smtp", "D7B9C40064", "out", "to-user@example.com",
	    "example.com", "", "some.host.com", "111.111.68.12", 25, 0,
	    "4.4.1", "connect",
	    "connect to some.host.com[111.111.68.12]:25: Connection timed out", NULL, NULL, -1}, 1, 0},
	{"cached suspension has no reply code", {"Mar 24 13:58:01 5mail-gw01 postfix/error[25469]: 2DC5552A34: to=<user@yahoo.com>, relay=none, delay=63495, delays=63350/144/0/0, dsn=4.4.2, status=deferred (delivery temporarily suspended: lost connection with mta7.am0.yahoodns.net[98.136.216.22] while sending RCPT TO)"},
	    {"deferred", "error", "2DC5552A34", "out", "user@yahoo.com",
	    "yahoo.com", "", "mta7.am0.yahoodns.net", "98.136.216.22", 0, 0,
	    "4.4.2", "rcpt", NULL, NULL, NULL, -1}, 1, 0},
	{"address verification probe is no delivery", {"Mar 24 13:58:01 5mail-gw01 postfix/error[25469]: 3E29030F8637E: to=<user@yahoo.com>, relay=none, delay=0.01, delays=0.01/0/0/0, dsn=5.1.1, status=undeliverable-but-not-cached (User unknown in virtual alias table)"},
	    {0}, 0, 0},
	{"pre-2.3 line without dsn=", {"Jun  1 10:00:00 mx postfix/smtp[8909]: 774C14AEF2: to=<rj-bounces@spacedelic.com.br>, relay=127.0.0.1[127.0.0.1], delay=423, status=deferred (host 127.0.0.1[127.0.0.1] said: 451 Local Error (in reply to end of DATA command))"},
	    {"deferred", "smtp", "774C14AEF2", "out", "rj-bounces@spacedelic.com.br",
	    "spacedelic.com.br", "", "127.0.0.1", "127.0.0.1", 0, 451, "",
	    "eod", NULL, NULL, NULL, -1}, 1, 0},
	{"a quoted local part with an @: the domain is after the last", {"Nov 23 10:00:01 mx1 postfix/smtp[101]: 3F2A1C0DA: to=<\"john@home\"@Mail.Example.ORG>, relay=mx.example.org[192.0.2.1]:25, delay=1, delays=0/0/1/0, dsn=2.0.0, status=sent (250 2.0.0 Ok)"},
	    {"delivered", "smtp", "3F2A1C0DA", "out",
	    "\"john@home\"@Mail.Example.ORG", "mail.example.org", "",
	    "mx.example.org", "192.0.2.1", 25, 250, "2.0.0", NULL,
	    "250 2.0.0 Ok", NULL, NULL, -1}, 1, 0},
	{"greeting refused", {"Nov 23 10:00:01 mx1 postfix/smtp[101]: 3F2A1C0D9: to=<a@b.example>, relay=mx.b.example[192.0.2.1]:25, delay=1, delays=0/0/1/0, dsn=4.3.0, status=deferred (host mx.b.example[192.0.2.1] refused to talk to me: 421 4.3.0 Service not available)"},
	    {"deferred", "smtp", "3F2A1C0D9", "out", "a@b.example", "b.example",
	    "", "mx.b.example", "192.0.2.1", 25, 421, "4.3.0", "greeting",
	    NULL, NULL, NULL, -1}, 1, 0},
	{"expired per deferred recipient", {
	    "Nov 23 10:00:01 mx1 postfix/qmgr[100]: 3F2A1C0D9: from=<s@x.example>, size=10, nrcpt=1 (queue active)",
	    "Nov 23 10:00:02 mx1 postfix/smtp[101]: 3F2A1C0D9: to=<a@b.example>, relay=none, delay=1, delays=0/0/1/0, dsn=4.4.1, status=deferred (connect to mx.b.example[192.0.2.1]:25: Connection refused)",
	    "Nov 28 10:00:02 mx1 postfix/qmgr[100]: 3F2A1C0D9: from=<s@x.example>, status=expired, returned to sender"},
	    {"expired", "qmgr", "3F2A1C0D9", "out", "a@b.example", "b.example",
	    "s@x.example", "", "", 0, 0, "4.4.1", NULL,
	    "connect to mx.b.example[192.0.2.1]:25: Connection refused", NULL, NULL, -1}, 2, 0},
	{"expired with no deferral seen", {"Mar 24 13:58:01 5mail-gw01 postfix/qmgr[25469]: 66C15648577B: from=<uvnhbl@yahoo.com.tw>, status=expired, returned to sender"},
	    {"expired", "qmgr", "66C15648577B", "out", "", "", "uvnhbl@yahoo.com.tw",
	    "", "", 0, 0, "", NULL, "message expired, returned to sender", NULL, NULL, -1}, 1, 0},
	{"smtpd NOQUEUE reject", {"Mar 24 13:58:01 5mail-gw01 postfix/smtpd[25469]: NOQUEUE: reject: RCPT from 061238241086.static.ctinets.com[61.238.241.86]: 550 5.1.1 <toernooicommissie@example.com>: Recipient address rejected: User unknown in virtual mailbox table; from=<wumt5@cchfdc.com> to=<toernooicommissie@example.com> proto=ESMTP helo=<ecsolved.com>"},
	    {"rejected", "smtpd", "", "in", "toernooicommissie@example.com",
	    "example.com", "wumt5@cchfdc.com", "061238241086.static.ctinets.com",
	    "61.238.241.86", 0, 550, "5.1.1", "rcpt",
	    "550 5.1.1 <toernooicommissie@example.com>: Recipient address rejected: User unknown in virtual mailbox table", NULL, NULL, -1}, 1, 0},
	{"postscreen reject with port and commas", {"Feb 24 16:18:40 letterman postfix/postscreen[1234]: NOQUEUE: reject: RCPT from [1.2.3.4]:5678: 550 5.7.1 Service unavailable; client [1.2.3.4] blocked using zen.spamhaus.org; from=<a@b.com>, to=<c@d.com>, proto=ESMTP, helo=<x>"},
	    {"rejected", "postscreen", "", "in", "c@d.com", "d.com", "a@b.com",
	    "", "1.2.3.4", 5678, 550, "5.7.1", "rcpt",
	    "550 5.7.1 Service unavailable; client [1.2.3.4] blocked using zen.spamhaus.org", NULL, NULL, -1}, 1, 0},
	{"postscreen CONNECT reject without code", {"Feb 24 16:18:40 letterman postfix/postscreen[1234]: NOQUEUE: reject: CONNECT from [1.2.3.4]:5678: too many connections"},
	    {"rejected", "postscreen", "", "in", "", "", "", "", "1.2.3.4",
	    5678, 0, "", "connect", "too many connections", NULL, NULL, -1}, 1, 0},
	{"milter-reject with queue id", {"Mar 7 02:09:33 server postfix/smtpd[27246]: 1D8CC1CA0A7F: milter-reject: DATA from 66-220-155-151.mail-mail.facebook.com[192.0.2.151]: 550 5.7.1 Command rejected; from=<security@mail.example.com> to=<hostmaster@example.com> proto=ESMTP helo=<192-0-2-151.mail-mail.example.com>"},
	    {"rejected", "smtpd", "1D8CC1CA0A7F", "in", "hostmaster@example.com",
	    "example.com", "security@mail.example.com",
	    "66-220-155-151.mail-mail.facebook.com", "192.0.2.151", 0, 550,
	    "5.7.1", "data", "550 5.7.1 Command rejected", NULL, NULL, -1}, 1, 0},
	{"proxy-reject without client", {"Mar 24 13:58:01 5mail-gw01 postfix/smtpd[25469]: proxy-reject: END-OF-MESSAGE: 554 5.7.0 Reject, contact postmaster@example.com, id=31619-02 - spam; from=<> to=<user2@example2.com> proto=SMTP helo=<17.33.12.53>"},
	    {"rejected", "smtpd", "", "in", "user2@example2.com", "example2.com",
	    "", "", "", 0, 554, "5.7.0", "eod",
	    "554 5.7.0 Reject, contact postmaster@example.com, id=31619-02 - spam", NULL, NULL, -1}, 1, 0},
	{"cleanup header reject, client from smtpd", {
	    "Nov 23 10:00:01 mx1 postfix/smtpd[5]: 4B4D2100AE: client=mail.x.example[192.0.2.9]",
	    "Nov 23 10:00:02 mx1 postfix/cleanup[6]: 4B4D2100AE: reject: header Subject: win big from mail.x.example[192.0.2.9]; from=<a@x.example> to=<b@y.example> proto=ESMTP helo=<mail.x.example>: 5.7.1 message content rejected"},
	    {"rejected", "cleanup", "4B4D2100AE", "in", "b@y.example", "y.example",
	    "a@x.example", "mail.x.example", "192.0.2.9", 0, 0, "5.7.1", "eod",
	    "5.7.1 message content rejected", NULL, NULL, -1}, 1, 0},
	{"reject_warning is no rejection", {"Mar 24 13:58:01 5mail-gw01 postfix/smtpd[25469]: NOQUEUE: reject_warning: RCPT from example.com[93.184.216.34]: 553 5.7.1 <sender@example.com>: Sender address rejected: not owned by user ph123; from=<sender@example.com> to=<recipient@example.com> proto=ESMTP helo=<example.com>"},
	    {0}, 0, 0},
	{"multi-instance program name", {"Nov 23 10:00:01 mx1 postfix-out/smtp[101]: 3F2A1C0D9: to=<a@b.example>, relay=mx.b.example[192.0.2.1]:25, delay=1, delays=0/0/1/0, dsn=2.0.0, status=sent (250 ok)"},
	    {"delivered", "smtp", "3F2A1C0D9", "out", "a@b.example", "b.example",
	    "", "mx.b.example", "192.0.2.1", 25, 250, "2.0.0", NULL, "250 ok", NULL, NULL, -1}, 1, 0},
	{"long queue id, submission instance", {"Jul  5 06:52:11 prd-mx1 postfix/submission/smtpd[22030]: 3mPVKl0Mhjz7sXv: reject: RCPT from unknown[192.0.2.5]: 454 4.7.1 <a@b.test>: Relay access denied; from=<x@y.test> to=<a@b.test> proto=ESMTP helo=<h>"},
	    {"rejected", "smtpd", "3mPVKl0Mhjz7sXv", "in", "a@b.test", "b.test",
	    "x@y.test", "unknown", "192.0.2.5", 0, 454, "4.7.1", "rcpt",
	    "454 4.7.1 <a@b.test>: Relay access denied", NULL, NULL, -1}, 1, 0},
	/* the fields end at ", " and at the first " status=" (postfix.c
	 * delivery): doubled separators, and " status=" again in the text */
	{"odd separators between the fields", {"Nov 23 10:00:01 mx1 postfix/smtp[101]: 3F2A1C0D9: to=<a@b.example>,, relay=mx.b.example[192.0.2.1]:25, , delay=1.5, dsn=4.3.0,, status=deferred (host mx.b.example[192.0.2.1] said: 451 4.3.0 try later, status=sent (in reply to RCPT TO command))"},
	    {"deferred", "smtp", "3F2A1C0D9", "out", "a@b.example", "b.example",
	    "", "mx.b.example", "192.0.2.1", 25, 451, "4.3.0", "rcpt",
	    "host mx.b.example[192.0.2.1] said: 451 4.3.0 try later, status=sent (in reply to RCPT TO command)", NULL, NULL, -1}, 1, 0},
	{"status= without a comma before it", {"Nov 23 10:00:03 mx1 postfix/smtp[101]: 3F2A1C0D7: to=<a@b.example>, relay=mx.b.example[192.0.2.1]:25, delay=3, dsn=2.0.0 status=sent (250 ok)"},
	    {"delivered", "smtp", "3F2A1C0D7", "out", "a@b.example", "b.example",
	    "", "mx.b.example", "192.0.2.1", 25, 250, "2.0.0", NULL, "250 ok",
	    NULL, NULL, -1}, 1, 0},
	{"cut line is unparsed, not dropped", {"Jul  5 06:52:11 prd-mx1 postfix/smtp[22030]: 3mPVKl0Mhjz7sXv: to=<56597@con"},
	    {0}, 0, 1},
	{"delivery without recipient field is unparsed", {"Jan 1 00:00:00 hostname postfix/smtp[12345]: 123456789AB: user@example.com, relay=example.com[123.45.67.89]:25, delay=2, delays=2/2/2/2, dsn=1.2.3, status=deferred (host example.com[123.45.67.89] said: 12 Malformed (in reply to RCPT TO command))"},
	    {0}, 0, 1},
	{"unknown status word is unparsed", {"Nov 23 10:00:01 mx1 postfix/smtp[101]: 3F2A1C0D9: to=<a@b.example>, relay=none, delay=1, status=weird (x)"},
	    {0}, 0, 1},
	{"other programs are ignored", {"Nov 23 10:00:01 mx1 dovecot[101]: 3F2A1C0D9: to=<a@b.example>, relay=none, delay=1, status=sent (x)"},
	    {0}, 0, 0},
};

static void
run_case(const struct pf_case *c)
{
	struct test_capture cap = {0};
	struct mxt_pass_config cfg = {
		.year = 2024,
		.on_event = test_capture_event,
		.event_arg = &cap,
		.on_unparsed = test_capture_unparsed,
		.unparsed_arg = &cap,
	};
	struct mxt_pass *p = mxt_pass_create(&cfg);
	for (int i = 0; i < 4 && c->lines[i]; i++)
		mxt_pass_line(p, "test", i + 1, 0, c->lines[i],
		    strlen(c->lines[i]));
	mxt_pass_destroy(p);

	test_int(c->name, "events", cap.events, c->events);
	test_int(c->name, "unparsed", cap.unparsed, c->unparsed);
	if (c->w.status == NULL || cap.events == 0)
		return;
	test_event_fields(c->name, &cap.last, &c->w);
}

/* The tracking table is bounded: at the cap the oldest message goes and
 * is counted, and "removed" frees its entry. */
static void
run_track_cap(void)
{
	struct test_capture cap = {0};
	struct mxt_pass_config cfg = {.year = 2024, .on_event = test_capture_event,
	    .event_arg = &cap, .track_cap = 2};
	struct mxt_pass *p = mxt_pass_create(&cfg);
	const char *lines[] = {
	    "Nov 23 10:00:01 mx postfix/qmgr[1]: AAAAA1: from=<a@x.example>, size=1, nrcpt=1 (queue active)",
	    "Nov 23 10:00:01 mx postfix/qmgr[1]: AAAAA2: from=<b@x.example>, size=1, nrcpt=1 (queue active)",
	    "Nov 23 10:00:01 mx postfix/qmgr[1]: AAAAA2: removed",
	    "Nov 23 10:00:01 mx postfix/qmgr[1]: AAAAA3: from=<c@x.example>, size=1, nrcpt=1 (queue active)",
	    "Nov 23 10:00:01 mx postfix/qmgr[1]: AAAAA4: from=<d@x.example>, size=1, nrcpt=1 (queue active)",
	    "Nov 23 10:00:02 mx postfix/smtp[2]: AAAAA1: to=<r@y.example>, relay=none, delay=1, dsn=4.4.1, status=deferred (connect to y[192.0.2.1]:25: Connection refused)",
	    "Nov 23 10:00:02 mx postfix/smtp[2]: AAAAA4: to=<r@y.example>, relay=none, delay=1, dsn=4.4.1, status=deferred (connect to y[192.0.2.1]:25: Connection refused)",
	};
	for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
		mxt_pass_line(p, "test", (long)i + 1, 0, lines[i],
		    strlen(lines[i]));
		if (i == 5)
			test_str("cap: evicted message lost its sender",
			    "sender", cap.last.sender.ptr, cap.last.sender.len,
			    "");
	}
	test_str("cap: recent message keeps its sender", "sender",
	    cap.last.sender.ptr, cap.last.sender.len, "d@x.example");
	/* AAAAA1 went when AAAAA4 arrived; the deferral of AAAAA1 re-added
	 * it and pushed out AAAAA3 */
	test_int("cap: overflow counted", "track_overflow",
	    (long long)mxt_pass_stats(p)->track_overflow, 2);
	mxt_pass_destroy(p);
}

/* Every event of a run and every message the pass forgot, as text. */
struct host_log {
	char events[16][160];
	int nevents;
	char ends[8][64];
	int nends;
};

static void
host_log_event(void *arg, const struct mxt_event *ev)
{
	struct host_log *h = arg;
	if (h->nevents < 16)
		snprintf(h->events[h->nevents++], sizeof h->events[0],
		    "%.*s %s from=%.*s start=%d", (int)ev->host.len,
		    ev->host.ptr, mxt_status_name(ev->status),
		    (int)ev->sender.len, ev->sender.ptr, ev->msg_start_seen);
}

static void
host_log_end(void *arg, struct mxt_str host, struct mxt_str qid)
{
	struct host_log *h = arg;
	if (h->nends < 8)
		snprintf(h->ends[h->nends++], sizeof h->ends[0], "%.*s/%.*s",
		    (int)host.len, host.ptr, (int)qid.len, qid.ptr);
}

/*
 * A central syslog host: two servers reuse one queue id. Each message
 * keeps its own sender and deferred recipients (the expiry names mxb's
 * recipient only), "removed" on one host leaves the other's message, and
 * msg_start_seen tells a message seen from its first line from one met
 * in progress. on_message_end hears of each removal, not of evictions.
 */
static void
run_hosts(void)
{
	static const char *const lines[] = {
	    "Nov 23 10:00:01 mxa postfix/cleanup[2]: 4F1A2B3C4D: message-id=<a1@a.example>",
	    "Nov 23 10:00:01 mxa postfix/qmgr[3]: 4F1A2B3C4D: from=<alice@a.example>, size=1, nrcpt=2 (queue active)",
	    "Nov 23 10:00:02 mxb postfix/qmgr[3]: 4F1A2B3C4D: from=<bob@b.example>, size=1, nrcpt=1 (queue active)",
	    "Nov 23 10:00:03 mxa postfix/smtp[4]: 4F1A2B3C4D: to=<x@r.example>, relay=none, delay=1, dsn=4.4.1, status=deferred (connect to r[192.0.2.1]:25: Connection refused)",
	    "Nov 23 10:00:03 mxb postfix/smtp[4]: 4F1A2B3C4D: to=<y@r.example>, relay=none, delay=1, dsn=4.4.1, status=deferred (connect to r[192.0.2.1]:25: Connection refused)",
	    "Nov 23 10:00:04 mxa postfix/qmgr[3]: 4F1A2B3C4D: removed",
	    "Nov 23 10:00:05 mxb postfix/smtp[4]: 4F1A2B3C4D: to=<y@r.example>, relay=none, delay=1, dsn=4.4.1, status=deferred (connect to r[192.0.2.1]:25: Connection refused)",
	    "Nov 23 10:00:06 mxb postfix/qmgr[3]: 4F1A2B3C4D: from=<bob@b.example>, status=expired, returned to sender",
	    "Nov 23 10:00:06 mxb postfix/qmgr[3]: 4F1A2B3C4D: removed",
	    "Nov 23 10:00:07 mxc postfix/smtpd[5]: 1A2B3C4D5E: client=c.example[192.0.2.9]",
	    "Nov 23 10:00:07 mxc postfix/pickup[6]: 2A2B3C4D5E: uid=0 from=<root>",
	    "Nov 23 10:00:08 mxc postfix/qmgr[3]: 3A2B3C4D5E: from=<c@c.example>, size=1, nrcpt=1 (queue active)",
	    "Nov 23 10:00:09 mxc postfix/local[7]: 1A2B3C4D5E: to=<u@c.example>, relay=local, delay=1, dsn=2.0.0, status=sent (delivered to mailbox)",
	};
	static const char *const want_events[] = {
	    "mxa deferred from=alice@a.example start=1",
	    "mxb deferred from=bob@b.example start=0",
	    "mxb deferred from=bob@b.example start=0",
	    "mxb expired from=bob@b.example start=0",
	    "mxc delivered from= start=0",
	};
	/* only messages that left the queue are told: at the cap of 2,
	 * mxc's third message evicts the first, whose delivery re-adds it
	 * (met in progress: start=0) and evicts the second; evictions are
	 * counted, not told */
	static const char *const want_ends[] = {
	    "mxa/4F1A2B3C4D", "mxb/4F1A2B3C4D",
	};
	struct host_log h = {0};
	struct mxt_pass_config cfg = {.year = 2024, .on_event = host_log_event,
	    .on_message_end = host_log_end, .event_arg = &h, .track_cap = 2};
	struct mxt_pass *p = mxt_pass_create(&cfg);
	for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++)
		mxt_pass_line(p, "test", (long)i + 1, 0, lines[i],
		    strlen(lines[i]));
	size_t nw = sizeof want_events / sizeof want_events[0];
	test_int("hosts", "events", h.nevents, (long long)nw);
	for (size_t i = 0; i < nw && i < (size_t)h.nevents; i++)
		test_str("hosts", "event", h.events[i], strlen(h.events[i]),
		    want_events[i]);
	size_t ne = sizeof want_ends / sizeof want_ends[0];
	test_int("hosts", "message ends", h.nends, (long long)ne);
	for (size_t i = 0; i < ne && i < (size_t)h.nends; i++)
		test_str("hosts", "message end", h.ends[i], strlen(h.ends[i]),
		    want_ends[i]);
	test_int("hosts", "track_overflow",
	    (long long)mxt_pass_stats(p)->track_overflow, 2);
	mxt_pass_destroy(p);
}

static void
run_syslog_name(void)
{
	struct test_capture cap = {0};
	struct mxt_pass_config cfg = {.year = 2024, .on_event = test_capture_event,
	    .event_arg = &cap, .syslog_name = "postfix-out"};
	struct mxt_pass *p = mxt_pass_create(&cfg);
	const char *a = "Nov 23 10:00:01 mx1 postfix-out/smtp[101]: 3F2A1C0D9: to=<a@b.example>, relay=none, delay=1, dsn=4.4.1, status=deferred (x)";
	const char *b = "Nov 23 10:00:01 mx1 postfix/smtp[101]: 3F2A1C0D8: to=<a@b.example>, relay=none, delay=1, dsn=4.4.1, status=deferred (x)";
	mxt_pass_line(p, "test", 1, 0, a, strlen(a));
	mxt_pass_line(p, "test", 2, 0, b, strlen(b));
	test_int("--syslog-name narrows to one instance", "events", cap.events, 1);
	test_int("--syslog-name: other instance not counted as postfix",
	    "lines_mta", (long long)mxt_pass_stats(p)->lines_mta[MXT_MTA_POSTFIX], 1);
	mxt_pass_destroy(p);
}

/* delay= is read without strtod when it can be exact (postfix.c
 * parse_number): every form gives strtod's value, bit for bit. */
struct delay_log {
	double delay;
	bool has;
};

static void
delay_event(void *arg, const struct mxt_event *ev)
{
	struct delay_log *d = arg;
	d->delay = ev->delay;
	d->has = ev->has_delay;
}

static void
run_delay(void)
{
	static const char *const delays[] = {
	    "0", "0.52", "3612", "0.1", "0.3", "2.675", "1.005", "99999.99",
	    "123456789012345", "1234567890.12345", "0.000000000000001",
	    "1234567890123456", "0.1234567890123456789", "12345678901234567890",
	    "5.", ".5", "00.07", "1.2.3", "9007199254740993", "0.30000000000000004",
	};
	struct delay_log d = {0};
	struct mxt_pass_config cfg = {.year = 2024, .on_event = delay_event,
	    .event_arg = &d};
	struct mxt_pass *p = mxt_pass_create(&cfg);
	for (size_t i = 0; i < sizeof delays / sizeof delays[0]; i++) {
		char line[256];
		snprintf(line, sizeof line, "Nov 23 10:00:01 mx1 postfix/smtp[1]: 3F2A1C0D9: to=<a@b.example>, relay=none, delay=%s, dsn=4.4.1, status=deferred (x)", delays[i]);
		d.has = false;
		mxt_pass_line(p, "test", (long)i + 1, 0, line, strlen(line));
		double want = strtod(delays[i], NULL);
		test_ok(d.has && memcmp(&d.delay, &want, sizeof want) == 0,
		    "delay= as strtod reads it", "%s: got %.17g, want %.17g",
		    delays[i], d.delay, want);
	}
	mxt_pass_destroy(p);
}

/* Many messages in flight: the tracker's table grows (track.c
 * grow_buckets) and every message still finds its sender. */
struct sender_log {
	int events, right;
};

static void
sender_event(void *arg, const struct mxt_event *ev)
{
	struct sender_log *l = arg;
	char want[32];
	int n = snprintf(want, sizeof want, "s%.*s@x.example",
	    (int)ev->queue_id.len, ev->queue_id.ptr);
	l->events++;
	if (ev->sender.len == (size_t)n &&
	    memcmp(ev->sender.ptr, want, (size_t)n) == 0)
		l->right++;
}

static void
run_many_in_flight(void)
{
	enum { N = 5000 };
	struct sender_log l = {0};
	struct mxt_pass_config cfg = {.year = 2024, .on_event = sender_event,
	    .event_arg = &l};
	struct mxt_pass *p = mxt_pass_create(&cfg);
	char line[256];
	for (int pass = 0; pass < 2; pass++)
		for (int i = 0; i < N; i++) {
			if (pass == 0)
				snprintf(line, sizeof line, "Nov 23 10:00:01 mx1 postfix/qmgr[1]: A%05X: from=<sA%05X@x.example>, size=1, nrcpt=1 (queue active)", i, i);
			else
				snprintf(line, sizeof line, "Nov 23 10:00:02 mx1 postfix/smtp[2]: A%05X: to=<r@y.example>, relay=none, delay=1, dsn=4.4.1, status=deferred (x)", i);
			mxt_pass_line(p, "test", i + 1, 0, line, strlen(line));
		}
	test_int("many messages in flight", "events", l.events, N);
	test_int("many messages in flight", "events with their sender",
	    l.right, N);
	test_int("many messages in flight", "track_overflow",
	    (long long)mxt_pass_stats(p)->track_overflow, 0);
	mxt_pass_destroy(p);
}

/* What the pass tells of messages received (struct mxt_received), as
 * "KIND ID BYTES" words in order: R received, M met in progress, X met
 * and refused, D due at the end. */
struct recv_log {
	char text[256];
};

static void
recv_log_add(void *arg, const struct mxt_received *r)
{
	struct recv_log *l = arg;
	static const char kinds[] = {[MXT_RECEIVED] = 'R',
	    [MXT_RECEIVED_MET] = 'M', [MXT_RECEIVED_DUE] = 'D'};
	size_t n = strlen(l->text);
	snprintf(l->text + n, sizeof l->text - n, "%s%c %.*s %llu",
	    n ? ", " : "", r->refused ? 'X' : kinds[r->kind], (int)r->id.len,
	    r->id.ptr, (unsigned long long)r->bytes);
}

static void
ignore_event(void *arg, const struct mxt_event *ev)
{
	(void)arg;
	(void)ev;
}

#define CLEANUP(id) "Nov 23 10:00:01 mx postfix/cleanup[3]: " id \
	": message-id=<m@x.example>"
#define QMGR(id, size) "Nov 23 10:00:01 mx postfix/qmgr[1]: " id \
	": from=<a@x.example>, size=" size ", nrcpt=2 (queue active)"
#define REMOVED(id) "Nov 23 10:00:09 mx postfix/qmgr[1]: " id ": removed"

static const struct {
	const char *name;
	const char *lines[6];
	const char *want;
} recv_cases[] = {
	{"received once, retries not", {CLEANUP("AAAAA1"),
	    QMGR("AAAAA1", "1200"), QMGR("AAAAA1", "1200"),
	    REMOVED("AAAAA1")}, "R AAAAA1 1200"},
	{"met in progress: the first size line only", {
	    QMGR("AAAAA1", "500"), QMGR("AAAAA1", "500")}, "M AAAAA1 500"},
	{"begun, not queued at the end", {CLEANUP("AAAAA1")},
	    "D AAAAA1 0"},
	{"refused by a header check after cleanup", {CLEANUP("AAAAA1"),
	    "Nov 23 10:00:01 mx postfix/cleanup[3]: AAAAA1: reject: header Subject: spam from x[192.0.2.1]; from=<a@x.example> to=<b@y.example> proto=ESMTP helo=<x>: 5.7.1 no",
	    "Nov 23 10:00:02 mx postfix/cleanup[3]: AAAAA1: milter-reject: END-OF-MESSAGE from x[192.0.2.1]: 5.7.1 no; from=<a@x.example> to=<b@y.example> proto=ESMTP helo=<x>"},
	    ""},
	{"refused, begun before the input", {
	    "Nov 23 10:00:02 mx postfix/cleanup[3]: AAAAA1: milter-reject: END-OF-MESSAGE from x[192.0.2.1]: 4.7.1 later; from=<a@x.example> to=<b@y.example> proto=ESMTP helo=<x>"},
	    "X AAAAA1 0"},
	{"a recipient rejected: the message is still queued", {
	    CLEANUP("AAAAA1"),
	    "Nov 23 10:00:01 mx postfix/smtpd[4]: AAAAA1: reject: RCPT from x[192.0.2.1]: 550 5.1.1 <c@y.example>: Recipient address rejected: unknown; from=<a@x.example> to=<c@y.example> proto=ESMTP helo=<x>",
	    QMGR("AAAAA1", "99")}, "R AAAAA1 99"},
	{"an id used again is a new message", {CLEANUP("AAAAA1"),
	    QMGR("AAAAA1", "10"), REMOVED("AAAAA1"), CLEANUP("AAAAA1"),
	    QMGR("AAAAA1", "20"), QMGR("AAAAA1", "20")},
	    "R AAAAA1 10, R AAAAA1 20"},
	{"expiry is no size line", {CLEANUP("AAAAA1"),
	    "Nov 23 10:00:01 mx postfix/qmgr[1]: AAAAA1: from=<a@x.example>, status=expired, returned to sender"},
	    "D AAAAA1 0"},
};

static void
run_received(void)
{
	for (size_t i = 0; i < sizeof recv_cases / sizeof recv_cases[0]; i++) {
		struct recv_log l = {""};
		struct mxt_pass_config cfg = {.year = 2024,
		    .on_event = ignore_event, .on_received = recv_log_add,
		    .event_arg = &l};
		struct mxt_pass *p = mxt_pass_create(&cfg);
		for (size_t k = 0; k < 6 && recv_cases[i].lines[k]; k++)
			mxt_pass_line(p, "test", (long)k + 1, 0,
			    recv_cases[i].lines[k],
			    strlen(recv_cases[i].lines[k]));
		mxt_pass_finish(p);
		test_str(recv_cases[i].name, "received", l.text,
		    strlen(l.text), recv_cases[i].want);
		mxt_pass_destroy(p);
	}
}

/* With no_event_ids the events are the same but for event_id, left 0;
 * without it every event has one, and the events of one line differ. */
static void
run_no_event_ids(void)
{
	static const char *const lines[] = {
	    "Nov 23 10:00:01 mx postfix/smtpd[1]: NOQUEUE: reject: RCPT from x[192.0.2.9]: 554 5.7.1 <u@y.example>: Relay access denied; from=<s@x.example> to=<u@y.example> proto=ESMTP helo=<x>",
	    "Nov 23 10:00:02 mx postfix/smtp[2]: AAAAA1: to=<r@y.example>, relay=none, delay=1, dsn=4.4.1, status=deferred (connect to y[192.0.2.1]:25: Connection refused)",
	    "Nov 23 10:00:03 mx postfix/smtp[2]: AAAAA1: to=<r@y.example>, relay=y[192.0.2.1]:25, delay=2, dsn=2.0.0, status=sent (250 ok)",
	};
	enum { N = sizeof lines / sizeof lines[0] };
	struct mxt_event got[2][N];
	for (int mode = 0; mode < 2; mode++) {
		struct test_capture cap = {0};
		struct mxt_pass_config cfg = {.year = 2024,
		    .on_event = test_capture_event, .event_arg = &cap,
		    .no_event_ids = mode == 1};
		struct mxt_pass *p = mxt_pass_create(&cfg);
		for (size_t i = 0; i < N; i++) {
			mxt_pass_line(p, "test", (long)i + 1, 0, lines[i],
			    strlen(lines[i]));
			got[mode][i] = cap.last;
		}
		mxt_pass_destroy(p);
		test_int("no_event_ids", "events", cap.events, N);
	}
	for (size_t i = 0; i < N; i++) {
		test_ok(got[0][i].event_id != 0, "an event has an id",
		    "line %zu: 0", i + 1);
		test_ok(got[1][i].event_id == 0, "no id with no_event_ids",
		    "line %zu: %016llx", i + 1,
		    (unsigned long long)got[1][i].event_id);
		test_ok(got[0][i].status == got[1][i].status &&
		    got[0][i].line_no == got[1][i].line_no &&
		    got[0][i].code == got[1][i].code,
		    "the same event with no_event_ids", "line %zu", i + 1);
	}
	test_ok(got[0][0].event_id != got[0][1].event_id &&
	    got[0][1].event_id != got[0][2].event_id,
	    "events of other lines have other ids", "equal ids");
}

int
main(void)
{
	setenv("TZ", "UTC", 1);
	run_no_event_ids();
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		run_case(&cases[i]);
	run_track_cap();
	run_hosts();
	run_syslog_name();
	run_delay();
	run_many_in_flight();
	run_received();
	return test_done();
}
