/*
 * attempts_test.c - earlier MX replies: which reply matters (a table of
 * replies and the one that must win), and the pass over Postfix and Exim
 * lines: which final lines get which earlier replies, the cause of the
 * reply that matters, the caps, and the store through --state.
 */
#include "testutil.h"

#include "attempts.h"
#include "pass.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the rule ------------------------------------------------------------ */

struct reply {
	int code;
	const char *dsn;
};

struct rule_case {
	const char *name;
	const char *status;        /* of the event */
	struct reply own;          /* the event's own (final) reply */
	struct reply earlier[4];   /* oldest first; code -1 ends */
	int want;                  /* -1 = own, else index into earlier */
};

static const struct rule_case rule_cases[] = {
	{.name = "554 on mx1 beats a connect time-out on mx2",
	    .status = "deferred", .own = {0, ""},
	    .earlier = {{554, "5.7.1"}, {-1, NULL}}, .want = 0},
	{.name = "a 4xx on mx1 beats no reply on mx2", .status = "deferred",
	    .own = {0, "4.4.1"}, .earlier = {{451, "4.7.1"}, {-1, NULL}},
	    .want = 0},
	{.name = "the final 4xx against an earlier 4xx: the latest",
	    .status = "deferred", .own = {421, "4.7.0"},
	    .earlier = {{450, "4.2.0"}, {-1, NULL}}, .want = -1},
	{.name = "the final 5xx against an earlier 5xx greeting: the latest",
	    .status = "bounced", .own = {550, "5.1.1"},
	    .earlier = {{554, "5.7.1"}, {-1, NULL}}, .want = -1},
	{.name = "5xx beats 4xx, 4xx beats none: the 5xx of mx2 of three",
	    .status = "deferred", .own = {0, ""},
	    .earlier = {{421, "4.3.0"}, {554, ""}, {0, ""}, {-1, NULL}},
	    .want = 1},
	{.name = "two earlier 554s: the later", .status = "deferred",
	    .own = {0, ""},
	    .earlier = {{554, "5.7.1"}, {554, "5.7.1"}, {-1, NULL}}, .want = 1},
	{.name = "an enhanced code without a reply code is no reply",
	    .status = "deferred", .own = {0, "4.4.1"},
	    .earlier = {{0, "5.7.1"}, {-1, NULL}}, .want = -1},
	{.name = "a 4xx on mx1 beats Postfix's own 4.4.1 on mx2",
	    .status = "deferred", .own = {0, "4.4.1"},
	    .earlier = {{421, "4.7.0"}, {-1, NULL}}, .want = 0},
	{.name = "no reply anywhere: the final", .status = "deferred",
	    .own = {0, ""}, .earlier = {{0, ""}, {0, ""}, {-1, NULL}},
	    .want = -1},
	{.name = "delivered: always its own reply", .status = "delivered",
	    .own = {250, "2.0.0"}, .earlier = {{554, "5.7.1"}, {-1, NULL}},
	    .want = -1},
	{.name = "no earlier replies", .status = "deferred",
	    .own = {0, ""}, .earlier = {{-1, NULL}}, .want = -1},
};

static void
test_rule(void)
{
	for (size_t i = 0; i < sizeof rule_cases / sizeof rule_cases[0]; i++) {
		const struct rule_case *c = &rule_cases[i];
		struct mxt_attempt v[4];
		struct mxt_event ev;
		size_t n = 0;
		memset(&ev, 0, sizeof ev);
		memset(v, 0, sizeof v);
		ev.status = (enum mxt_status)mxt_status_lookup(c->status);
		ev.code = c->own.code;
		snprintf(ev.dsn, sizeof ev.dsn, "%s", c->own.dsn);
		for (; n < 4 && c->earlier[n].code >= 0; n++) {
			v[n].code = c->earlier[n].code;
			snprintf(v[n].dsn, sizeof v[n].dsn, "%s",
			    c->earlier[n].dsn);
		}
		ev.attempts = n ? v : NULL;
		ev.nattempts = n;
		test_int(c->name, "matters", mxt_attempts_matter(&ev), c->want);
	}
}

/* ---- the filters ---------------------------------------------------------- */

/* --code and --relay select by the reply that matters, as the groups count
 * it: the event of mx1's 554 greeting and mx2's time-out is a 554 of mx1
 * for events and trace too, not a connection failure of mx2 */
static void
test_filter(void)
{
	struct mxt_attempt a;
	struct mxt_event ev;
	memset(&a, 0, sizeof a);
	memset(&ev, 0, sizeof ev);
	a.relay = mxt_str_make("mx1.example", 11);
	a.relay_ip = mxt_str_make("192.0.2.1", 9);
	a.code = 554;
	snprintf(a.dsn, sizeof a.dsn, "5.7.1");
	ev.status = MXT_STATUS_DEFERRED;
	ev.relay = mxt_str_make("mx2.example", 11);
	ev.relay_ip = mxt_str_make("192.0.2.2", 9);
	snprintf(ev.dsn, sizeof ev.dsn, "4.4.2");
	ev.attempts = &a;
	ev.nattempts = 1;
	ev.matters = mxt_attempts_matter(&ev);
	static const struct {
		const char *name;
		int code;             /* --code item; -1 none */
		const char *relay;    /* --relay glob; NULL none */
		bool want;
	} cases[] = {
		{"--code 554 selects the 554 of mx1", 554, NULL, true},
		{"--code 5 (5xx) selects it", 5, NULL, true},
		{"--code 4 (4xx) does not", 4, NULL, false},
		{"--relay mx1.* selects it", -1, "mx1.*", true},
		{"--relay 192.0.2.1 selects it", -1, "192.0.2.1", true},
		{"--relay mx2.* does not", -1, "mx2.*", false},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct mxt_filter f;
		mxt_filter_init(&f);
		if (cases[i].code >= 0) {
			f.codes[0] = cases[i].code;
			f.ncodes = 1;
		}
		f.relay_glob = cases[i].relay;
		test_int(cases[i].name, "match", mxt_filter_match(&f, &ev),
		    cases[i].want);
	}
	/* without the earlier reply, the final line's own reply decides */
	ev.matters = -1;
	struct mxt_filter f;
	mxt_filter_init(&f);
	f.relay_glob = "mx2.*";
	test_int("no reply that matters: --relay mx2.*", "match",
	    mxt_filter_match(&f, &ev), true);
}

/* ---- the pass ------------------------------------------------------------ */

#define MAX_EV 8

struct got_event {
	char recipient[64];
	size_t nattempts;
	char relays[256];  /* "relay[ip] code dsn phase; ..." */
	int matters;
	const char *cause;
	char relay[64];    /* of the reply that matters */
	int code;
	char own[64];      /* the event's own relay */
};

struct capture {
	int n;
	struct got_event e[MAX_EV];
};

static void
on_event(void *arg, const struct mxt_event *ev)
{
	struct capture *c = arg;
	if (c->n >= MAX_EV)
		return;
	struct got_event *g = &c->e[c->n++];
	memset(g, 0, sizeof *g);
	snprintf(g->recipient, sizeof g->recipient, "%.*s",
	    (int)ev->recipient.len, ev->recipient.ptr ? ev->recipient.ptr : "");
	g->nattempts = ev->nattempts;
	size_t off = 0;
	for (size_t i = 0; i < ev->nattempts; i++) {
		const struct mxt_attempt *a = &ev->attempts[i];
		const char *ph = mxt_phase_name(a->phase);
		off += (size_t)snprintf(g->relays + off, sizeof g->relays - off,
		    "%s%.*s[%.*s] %d %s %s", i ? "; " : "", (int)a->relay.len,
		    a->relay.ptr, (int)a->relay_ip.len, a->relay_ip.ptr, a->code,
		    a->dsn[0] ? a->dsn : "-", ph ? ph : "-");
		if (off >= sizeof g->relays)
			off = sizeof g->relays - 1;
	}
	g->matters = ev->matters;
	g->cause = mxt_cause_id(ev->cause);
	struct mxt_event view;
	const struct mxt_event *m = mxt_event_matters(ev, &view);
	snprintf(g->relay, sizeof g->relay, "%.*s", (int)m->relay.len,
	    m->relay.ptr ? m->relay.ptr : "");
	g->code = m->code;
	snprintf(g->own, sizeof g->own, "%.*s", (int)ev->relay.len,
	    ev->relay.ptr ? ev->relay.ptr : "");
}

struct want_event {
	const char *recipient;
	const char *relays;  /* "" = no earlier replies */
	int matters;
	const char *cause;   /* NULL = not checked */
	const char *relay;   /* of the reply that matters */
	const char *own;     /* the event's own relay; NULL = not checked */
};

struct pass_case {
	const char *name;
	const char *lines[8];
	struct want_event want[4];
	int nwant;
};

#define PF "Nov 23 13:33:52 mta-lab postfix/"

static const struct pass_case pass_cases[] = {
	{.name = "Postfix, real lines: mx1 refused, mx2 took both recipients",
	    .lines = {
		PF "smtp[577]: connect to mx1.backupmx.test[127.0.1.25]:25: Connection refused",
		PF "smtp[577]: 96957A783E1: to=<alice+p00069b@backupmx.test>, relay=mx2.backupmx.test[127.0.1.24]:25, delay=0.01, delays=0/0/0/0, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as 4A0000039A)",
		PF "smtp[577]: 96957A783E1: to=<erin+p00069a@backupmx.test>, relay=mx2.backupmx.test[127.0.1.24]:25, delay=0.01, delays=0/0/0/0, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as 4A0000039A)",
	    },
	    .want = {
		{"alice+p00069b@backupmx.test", "mx1.backupmx.test[127.0.1.25] 0 - connect", -1, "", "mx2.backupmx.test", NULL},
		{"erin+p00069a@backupmx.test", "mx1.backupmx.test[127.0.1.25] 0 - connect", -1, "", "mx2.backupmx.test", NULL},
	    }, .nwant = 2},
	{.name = "Postfix, real lines: the only MX refused, its line repeats the status",
	    .lines = {
		PF "smtp[615]: connect to mx.closed.test[127.0.1.21]:25: Connection refused",
		PF "smtp[615]: 1372DA7848D: to=<dave+p00133a@closed.test>, relay=none, delay=0, delays=0/0/0/0, dsn=4.4.1, status=deferred (connect to mx.closed.test[127.0.1.21]:25: Connection refused)",
	    },
	    .want = {{"dave+p00133a@closed.test", "", -1, "connection", "mx.closed.test", NULL}},
	    .nwant = 1},
	{.name = "Postfix: a 554 greeting on mx1 then mx2 timed out: blocklist, mx1",
	    .lines = {
		PF "smtp[700]: ABCDE12345: host mx1.example.com[192.0.2.1] refused to talk to me: 554 5.7.1 Service unavailable; Client host [198.51.100.7] blocked using zen.spamhaus.org",
		PF "smtp[700]: connect to mx2.example.com[192.0.2.2]:25: Connection timed out",
		PF "smtp[700]: ABCDE12345: to=<u@example.com>, relay=none, delay=31, delays=0/0/31/0, dsn=4.4.1, status=deferred (connect to mx2.example.com[192.0.2.2]:25: Connection timed out)",
	    },
	    .want = {{"u@example.com", "mx1.example.com[192.0.2.1] 554 5.7.1 greeting", 0, "blocklist", "mx1.example.com", NULL}},
	    .nwant = 1},
	{.name = "Postfix: a 451 at RCPT on mx1 then lost connection on mx2",
	    .lines = {
		PF "smtp[701]: ABCDE12346: host mx1.example.com[192.0.2.1] said: 451 4.7.1 Greylisted, please try again later (in reply to RCPT TO command)",
		PF "smtp[701]: ABCDE12346: to=<u@example.com>, relay=mx2.example.com[192.0.2.2]:25, delay=3, delays=0/0/3/0, dsn=4.4.2, status=deferred (lost connection with mx2.example.com[192.0.2.2] while receiving the initial server greeting)",
	    },
	    .want = {{"u@example.com", "mx1.example.com[192.0.2.1] 451 4.7.1 rcpt", 0, "greylisting", "mx1.example.com", NULL}},
	    .nwant = 1},
	{.name = "Postfix: another process's connect line is not this message's",
	    .lines = {
		PF "smtp[702]: connect to mx1.example.com[192.0.2.1]:25: Connection refused",
		PF "smtp[703]: ABCDE12347: to=<u@example.com>, relay=mx2.example.com[192.0.2.2]:25, delay=1, delays=0/0/1/0, dsn=2.0.0, status=sent (250 ok)",
	    },
	    .want = {{"u@example.com", "", -1, "", "mx2.example.com", NULL}},
	    .nwant = 1},
	{.name = "Postfix: a reply for another queue id is dropped",
	    .lines = {
		PF "smtp[704]: AAAAA11111: host mx1.example.com[192.0.2.1] said: 421 4.3.2 busy (in reply to MAIL FROM command)",
		PF "smtp[704]: BBBBB22222: to=<u@example.com>, relay=mx2.example.com[192.0.2.2]:25, delay=1, delays=0/0/1/0, dsn=2.0.0, status=sent (250 ok)",
		PF "smtp[704]: AAAAA11111: to=<v@example.com>, relay=mx2.example.com[192.0.2.2]:25, delay=1, delays=0/0/1/0, dsn=2.0.0, status=sent (250 ok)",
	    },
	    .want = {{"u@example.com", "", -1, "", "mx2.example.com", NULL},
		{"v@example.com", "", -1, "", "mx2.example.com", NULL}},
	    .nwant = 2},
	{.name = "Postfix: the same process delivers the message again later",
	    .lines = {
		PF "smtp[705]: CCCCC33333: host mx1.example.com[192.0.2.1] said: 421 4.3.2 busy (in reply to MAIL FROM command)",
		PF "smtp[705]: CCCCC33333: to=<u@example.com>, relay=mx2.example.com[192.0.2.2]:25, delay=1, delays=0/0/1/0, dsn=4.2.0, status=deferred (host mx2.example.com[192.0.2.2] said: 450 4.2.0 full (in reply to RCPT TO command))",
		"Nov 23 13:40:00 mta-lab postfix/smtp[705]: CCCCC33333: to=<u@example.com>, relay=mx2.example.com[192.0.2.2]:25, delay=400, delays=0/0/1/0, dsn=2.0.0, status=sent (250 ok)",
	    },
	    .want = {{"u@example.com", "mx1.example.com[192.0.2.1] 421 4.3.2 mail", -1, NULL, "mx2.example.com", NULL},
		{"u@example.com", "", -1, "", "mx2.example.com", NULL}},
	    .nwant = 2},
	{.name = "Exim, real lines: mx1 refused, mx2 took it",
	    .lines = {
		"2026-11-23 13:33:40 1xVUAu-0000BS-2q H=mx1.backupmx.test [127.0.1.25] Connection refused",
		"2026-11-23 13:33:40 1xVUAu-0000BS-2q => alice+e00022a@backupmx.test F=<news@ex.lab.test> R=dnslookup T=remote_smtp S=568 H=mx2.backupmx.test [127.0.1.24] I=[127.0.0.2] C=\"250 2.0.0 Ok: queued as 4A00000175\" QT=0s DT=0s",
	    },
	    .want = {{"alice+e00022a@backupmx.test", "mx1.backupmx.test[127.0.1.25] 0 - connect", -1, "", "mx2.backupmx.test", NULL}},
	    .nwant = 1},
	{.name = "Exim, real lines: the only host's error repeats the failure",
	    .lines = {
		"2026-11-23 13:33:43 1xVUAx-0000CB-1d H=mx.rblgreet.test [127.0.1.19]: SMTP error from remote mail server after initial connection: 554 5.7.1 Service unavailable; Client host [127.0.0.2] blocked using zen.spamhaus.org; https://www.spamhaus.org/query/ip/127.0.0.2",
		"2026-11-23 13:33:43 1xVUAx-0000CB-1d ** erin+e00029a@rblgreet.test F=<billing@ex.lab.test> R=dnslookup T=remote_smtp H=mx.rblgreet.test [127.0.1.19] I=[127.0.0.2]: SMTP error from remote mail server after initial connection: 554 5.7.1 Service unavailable; Client host [127.0.0.2] blocked using zen.spamhaus.org; https://www.spamhaus.org/query/ip/127.0.0.2 DT=0s",
	    },
	    .want = {{"erin+e00029a@rblgreet.test", "", -1, "blocklist", "mx.rblgreet.test", NULL}},
	    .nwant = 1},
	{.name = "Exim, real lines: the next domain's delivery in the same second is not that attempt's",
	    .lines = {
		"2026-11-23 13:33:34 1xVUAo-00009Z-0Q H=mx.data451.test [127.0.1.10]: SMTP error from remote mail server after end of data: 451 4.3.0 Error: queue file write error",
		"2026-11-23 13:33:34 1xVUAo-00009Z-0Q == alice+e00004a@data451.test R=dnslookup T=remote_smtp defer (-46) H=mx.data451.test [127.0.1.10] I=[127.0.0.2] DT=0s: SMTP error from remote mail server after end of data: 451 4.3.0 Error: queue file write error",
		"2026-11-23 13:33:34 1xVUAo-00009Z-0Q => bob+e00004x@accept-a.test F=<sender@ex.lab.test> R=dnslookup T=remote_smtp S=563 H=mx.accept-a.test [127.0.1.1] I=[127.0.0.2] C=\"250 2.0.0 Ok: queued as 4A0000004A\" QT=0s DT=0s",
	    },
	    .want = {{"alice+e00004a@data451.test", "", -1, "server_busy", "mx.data451.test", NULL},
		{"bob+e00004x@accept-a.test", "", -1, "", "mx.accept-a.test", NULL}},
	    .nwant = 2},
	{.name = "Exim, real lines: the last host's line in other words than the final line",
	    .lines = {
		"2026-11-23 13:34:29 1xVUBX-0000Mv-0Q H=mx.silent.test [127.0.1.20]: SMTP timeout after initial connection: Connection timed out",
		"2026-11-23 13:34:29 1xVUBX-0000Mv-0Q == bob+e00124a@silent.test R=dnslookup T=remote_smtp defer (110): Connection timed out H=mx.silent.test [127.0.1.20] I=[127.0.0.2] DT=10s: SMTP timeout after initial connection",
	    },
	    .want = {{"bob+e00124a@silent.test", "", -1, "connection", "mx.silent.test", NULL}},
	    .nwant = 1},
	{.name = "Exim, real lines: the expiry after the last try is not another recipient of it",
	    .lines = {
		"2026-11-23 13:37:35 1xVUCq-0000tB-0U H=mx.closed.test [127.0.1.21] Connection refused",
		"2026-11-23 13:37:35 1xVUCq-0000tB-0U == dave+e00340a@closed.test R=dnslookup T=remote_smtp defer (111): Connection refused DT=0s",
		"2026-11-23 13:37:35 1xVUCq-0000tB-0U ** dave+e00340a@closed.test: retry timeout exceeded",
	    },
	    .want = {{"dave+e00340a@closed.test", "", -1, "connection", "", NULL},
		{"dave+e00340a@closed.test", "", -1, "expired", "", NULL}},
	    .nwant = 2},
	{.name = "Exim: a 554 greeting on mx1, mx2 refused (its line is the final reply again)",
	    .lines = {
		"2026-11-23 13:33:43 1xVUAx-0000CC-1d H=mx1.example.com [192.0.2.1]: SMTP error from remote mail server after initial connection: 554 5.7.1 Client host blocked using zen.spamhaus.org",
		"2026-11-23 13:33:43 1xVUAx-0000CC-1d H=mx2.example.com [192.0.2.2] Connection refused",
		"2026-11-23 13:33:43 1xVUAx-0000CC-1d == u@example.com R=dnslookup T=remote_smtp defer (111): Connection refused",
	    },
	    .want = {{"u@example.com", "mx1.example.com[192.0.2.1] 554 5.7.1 greeting", 0, "blocklist", "mx1.example.com", NULL}},
	    .nwant = 1},
	{.name = "Postfix, real lines (mxfallback): mx1's 451 to each RCPT is that recipient's only",
	    .lines = {
		"Nov 30 20:23:41 mta-lab postfix/smtp[580]: 22146AB4813: host mx1.rcpt451-rcpt554.test[127.0.2.7] said: 451 4.7.1 <bob+p00001b@rcpt451-rcpt554.test>: Recipient address rejected: Service is unavailable, try again later (in reply to RCPT TO command)",
		"Nov 30 20:23:41 mta-lab postfix/smtp[580]: 22146AB4813: host mx1.rcpt451-rcpt554.test[127.0.2.7] said: 451 4.7.1 <dave+p00001a@rcpt451-rcpt554.test>: Recipient address rejected: Service is unavailable, try again later (in reply to RCPT TO command)",
		"Nov 30 20:23:41 mta-lab postfix/smtp[580]: 22146AB4813: to=<bob+p00001b@rcpt451-rcpt554.test>, relay=mx2.rcpt451-rcpt554.test[127.0.2.8]:25, delay=0.2, delays=0.08/0.08/0.01/0.03, dsn=5.7.1, status=bounced (host mx2.rcpt451-rcpt554.test[127.0.2.8] said: 554 5.7.1 <bob+p00001b@rcpt451-rcpt554.test>: Recipient address rejected: Access denied (in reply to RCPT TO command))",
		"Nov 30 20:23:41 mta-lab postfix/smtp[580]: 22146AB4813: to=<dave+p00001a@rcpt451-rcpt554.test>, relay=mx2.rcpt451-rcpt554.test[127.0.2.8]:25, delay=0.2, delays=0.08/0.08/0.01/0.03, dsn=5.7.1, status=bounced (host mx2.rcpt451-rcpt554.test[127.0.2.8] said: 554 5.7.1 <dave+p00001a@rcpt451-rcpt554.test>: Recipient address rejected: Access denied (in reply to RCPT TO command))",
	    },
	    .want = {{"bob+p00001b@rcpt451-rcpt554.test", "mx1.rcpt451-rcpt554.test[127.0.2.7] 451 4.7.1 rcpt", -1, "policy", "mx2.rcpt451-rcpt554.test", NULL},
		{"dave+p00001a@rcpt451-rcpt554.test", "mx1.rcpt451-rcpt554.test[127.0.2.7] 451 4.7.1 rcpt", -1, "policy", "mx2.rcpt451-rcpt554.test", NULL}},
	    .nwant = 2},
	{.name = "Postfix: a reply to RCPT naming no address goes to every recipient",
	    .lines = {
		PF "smtp[706]: DDDDD44444: host mx1.example.com[192.0.2.1] said: 451 4.3.0 try later (in reply to RCPT TO command)",
		PF "smtp[706]: DDDDD44444: to=<u@example.com>, relay=mx2.example.com[192.0.2.2]:25, delay=1, delays=0/0/1/0, dsn=2.0.0, status=sent (250 ok)",
		PF "smtp[706]: DDDDD44444: to=<v@example.com>, relay=mx2.example.com[192.0.2.2]:25, delay=1, delays=0/0/1/0, dsn=2.0.0, status=sent (250 ok)",
	    },
	    .want = {{"u@example.com", "mx1.example.com[192.0.2.1] 451 4.3.0 rcpt", -1, "", "mx2.example.com", NULL},
		{"v@example.com", "mx1.example.com[192.0.2.1] 451 4.3.0 rcpt", -1, "", "mx2.example.com", NULL}},
	    .nwant = 2},
	{.name = "Exim, real lines (mxfallback): the final line names mx1, mx2 refused",
	    .lines = {
		"2026-11-30 20:24:03 1xY7ut-0000AT-04 H=mx1.greet554-refused.test [127.0.2.1]: SMTP error from remote mail server after initial connection: 554 5.7.1 mx1.greet554-refused.test Your access to this mail system has been rejected due to the sending MTA's poor reputation. If you believe that this failure is in error, please contact the intended recipient via alternate means.",
		"2026-11-30 20:24:03 1xY7ut-0000AT-04 H=mx2.greet554-refused.test [127.0.2.2] Connection refused",
		"2026-11-30 20:24:03 1xY7ut-0000AT-04 == carol+e00012a@greet554-refused.test R=dnslookup T=remote_smtp defer (111): Connection refused H=mx1.greet554-refused.test [127.0.2.1] I=[127.0.0.2] DT=0s",
	    },
	    .want = {{"carol+e00012a@greet554-refused.test", "mx1.greet554-refused.test[127.0.2.1] 554 5.7.1 greeting", 0, "blocklist", "mx1.greet554-refused.test", "mx2.greet554-refused.test"}},
	    .nwant = 1},
	{.name = "Exim: both hosts refused, the final line without H=",
	    .lines = {
		"2026-11-30 20:24:03 1xY7ut-0000AT-05 H=mx1.example.com [192.0.2.1] Connection refused",
		"2026-11-30 20:24:03 1xY7ut-0000AT-05 H=mx2.example.com [192.0.2.2] Connection refused",
		"2026-11-30 20:24:03 1xY7ut-0000AT-05 == u@example.com R=dnslookup T=remote_smtp defer (111): Connection refused DT=0s",
	    },
	    .want = {{"u@example.com", "mx1.example.com[192.0.2.1] 0 - connect", -1, "connection", "", ""}},
	    .nwant = 1},
	{.name = "Exim: an inbound line with the message id is no attempt",
	    .lines = {
		"2026-11-23 13:33:43 1xVUAx-0000CD-1d H=client.example (helo.example) [198.51.100.1] Warning: listed at dnsbl",
		"2026-11-23 13:33:43 1xVUAx-0000CD-1d H=client.example [198.51.100.1] Warning: listed at dnsbl",
		"2026-11-23 13:33:44 1xVUAx-0000CD-1d => u@example.com R=dnslookup T=remote_smtp H=mx1.example.com [192.0.2.1] C=\"250 ok\"",
	    },
	    .want = {{"u@example.com", "", -1, "", "mx1.example.com", NULL}},
	    .nwant = 1},
};

static struct mxt_classifier *cls;

static void
test_pass(void)
{
	for (size_t i = 0; i < sizeof pass_cases / sizeof pass_cases[0]; i++) {
		const struct pass_case *c = &pass_cases[i];
		struct capture cap = {0};
		struct mxt_pass_config cfg = {.year = 2026,
		    .on_event = on_event, .event_arg = &cap, .classifier = cls};
		struct mxt_pass *p = mxt_pass_create(&cfg);
		for (size_t k = 0; k < 8 && c->lines[k] != NULL; k++)
			mxt_pass_line(p, "test", (long)k + 1, 0, c->lines[k],
			    strlen(c->lines[k]));
		test_int(c->name, "events", cap.n, c->nwant);
		for (int k = 0; k < c->nwant && k < cap.n; k++) {
			const struct want_event *w = &c->want[k];
			const struct got_event *g = &cap.e[k];
			char name[256];
			snprintf(name, sizeof name, "%s: event %d", c->name, k);
			test_str(name, "recipient", g->recipient,
			    strlen(g->recipient), w->recipient);
			test_str(name, "attempts", g->relays, strlen(g->relays),
			    w->relays);
			test_int(name, "matters", g->matters, w->matters);
			if (w->cause != NULL)
				test_str(name, "cause", g->cause ? g->cause : "",
				    g->cause ? strlen(g->cause) : 0, w->cause);
			test_str(name, "relay that matters", g->relay,
			    strlen(g->relay), w->relay);
			if (w->own != NULL)
				test_str(name, "own relay", g->own,
				    strlen(g->own), w->own);
		}
		mxt_pass_destroy(p);
	}
}

/* ---- caps and --state ---------------------------------------------------- */

static void
test_caps(void)
{
	uint64_t overflow = 0, dropped = 0;
	struct mxt_attempts *s = mxt_attempts_create(&overflow, &dropped);
	struct mxt_time t = {.sec = 1000, .valid = true};
	struct mxt_attempt a = {.relay = mxt_str_make("mx", 2),
	    .relay_ip = mxt_str_make("192.0.2.1", 9), .code = 421,
	    .text = mxt_str_make("421 busy", 8)};
	char tag[32];
	/* one attempt with more replies than kept */
	for (int i = 0; i < MXT_ATTEMPTS_MAX + 3; i++)
		mxt_attempts_add(s, mxt_str_make("h", 1), mxt_str_make("p1", 2),
		    mxt_str_make("Q1", 2), &t, 0, &a);
	test_int("replies past the cap", "dropped", (long long)dropped, 3);
	struct mxt_event ev;
	memset(&ev, 0, sizeof ev);
	ev.queue_id = mxt_str_make("Q1", 2);
	ev.time = t;
	ev.text = mxt_str_make("connect to x", 12);
	mxt_attempts_take(s, mxt_str_make("h", 1), mxt_str_make("p1", 2), &ev);
	test_int("replies past the cap", "kept", (long long)ev.nattempts,
	    MXT_ATTEMPTS_MAX);
	/* more attempts waiting than the store keeps */
	for (int i = 0; i < MXT_ATTEMPTS_PENDING_MAX + 5; i++) {
		int n = snprintf(tag, sizeof tag, "q%d", i);
		mxt_attempts_add(s, mxt_str_make("h", 1), mxt_str_make(tag,
		    (size_t)n), mxt_str_make("", 0), &t, 0, &a);
	}
	/* the taken entry p1 was the oldest: six forgotten */
	test_int("attempts past the store cap", "overflow",
	    (long long)overflow, 6);
	test_int("attempts past the store cap", "waiting",
	    (long long)mxt_attempts_waiting(s), MXT_ATTEMPTS_PENDING_MAX);
	/* a reply older than the wait is gone when the next one comes */
	struct mxt_time later = {.sec = 1000 + MXT_ATTEMPTS_WAIT + 1,
	    .valid = true};
	mxt_attempts_add(s, mxt_str_make("h", 1), mxt_str_make("late", 4),
	    mxt_str_make("", 0), &later, 0, &a);
	test_int("replies past the wait", "waiting",
	    (long long)mxt_attempts_waiting(s), 1);
	test_int("replies past the wait", "overflow (not counted)",
	    (long long)overflow, 6);
	mxt_attempts_destroy(s);

	/* a delivery dropped and the same process's next one: a new entry
	 * in the slot the old one left */
	s = mxt_attempts_create(NULL, NULL);
	mxt_attempts_add(s, mxt_str_make("h", 1), mxt_str_make("p9", 2),
	    mxt_str_make("Q1", 2), &t, 0, &a);
	memset(&ev, 0, sizeof ev);
	ev.queue_id = mxt_str_make("Q2", 2);
	ev.time = t;
	mxt_attempts_take(s, mxt_str_make("h", 1), mxt_str_make("p9", 2), &ev);
	test_int("another queue id's replies", "nattempts",
	    (long long)ev.nattempts, 0);
	test_int("another queue id's replies", "waiting",
	    (long long)mxt_attempts_waiting(s), 0);
	mxt_attempts_add(s, mxt_str_make("h", 1), mxt_str_make("p9", 2),
	    mxt_str_make("Q3", 2), &t, 0, &a);
	ev.queue_id = mxt_str_make("Q3", 2);
	mxt_attempts_take(s, mxt_str_make("h", 1), mxt_str_make("p9", 2), &ev);
	test_int("the slot used again", "nattempts", (long long)ev.nattempts,
	    1);
	mxt_attempts_destroy(s);
}

/*
 * For --jobs: mxt_attempts_cut tells the line of an attempt's first
 * reply (a new attempt of the process starts it again), and while
 * warming (the lines before a piece's cut) every key met is noted,
 * whatever its time; after, the horizon starts at the next key met.
 */
static void
test_cut_lines(void)
{
	struct mxt_attempts *s = mxt_attempts_create(NULL, NULL);
	struct mxt_attempt a = {.relay = mxt_str_make("mx", 2),
	    .relay_ip = mxt_str_make("192.0.2.1", 9), .code = 421,
	    .text = mxt_str_make("421 busy", 8)};
	struct mxt_time t = {.sec = 1000, .valid = true};
	mxt_attempts_watch(s);
	mxt_attempts_warm(s, true);
	mxt_attempts_add(s, mxt_str_make("h", 1), mxt_str_make("p1", 2),
	    mxt_str_make("Q1", 2), &t, -7, &a);
	mxt_attempts_add(s, mxt_str_make("h", 1), mxt_str_make("p1", 2),
	    mxt_str_make("Q1", 2), &t, -5, &a);
	/* a key met long after the first: noted while warming */
	struct mxt_time late = {.sec = 1000 + 2 * MXT_ATTEMPTS_WAIT,
	    .valid = true};
	mxt_attempts_add(s, mxt_str_make("h", 1), mxt_str_make("p2", 2),
	    mxt_str_make("Q2", 2), &late, -2, &a);
	mxt_attempts_warm(s, false);
	/* p1 taken, then a new attempt of p1 at line 3 */
	struct mxt_event ev;
	memset(&ev, 0, sizeof ev);
	ev.queue_id = mxt_str_make("Q1", 2);
	ev.time = late;
	mxt_attempts_take(s, mxt_str_make("h", 1), mxt_str_make("p1", 2), &ev);
	struct mxt_time later = {.sec = late.sec + 5, .valid = true};
	mxt_attempts_add(s, mxt_str_make("h", 1), mxt_str_make("p1", 2),
	    mxt_str_make("Q3", 2), &later, 3, &a);
	/* after warming the horizon starts at the first key met: p3 is */
	mxt_attempts_add(s, mxt_str_make("h", 1), mxt_str_make("p3", 2),
	    mxt_str_make("Q4", 2), &later, 4, &a);
	mxt_attempts_add(s, mxt_str_make("h", 1), mxt_str_make("p3", 2),
	    mxt_str_make("Q4", 2), &later, 6, &a);
	struct mxt_strmap touched;
	bool over;
	struct mxt_attempts_key *open;
	size_t nopen;
	mxt_attempts_cut(s, &later, &touched, &over, &open, &nopen);
	long first[4] = {0};
	for (size_t i = 0; i < nopen; i++)
		for (int k = 1; k <= 3; k++) {
			char name[3] = {'p', (char)('0' + k), '\0'};
			if (open[i].len >= 2 && memcmp(open[i].key +
			    open[i].len - 2, name, 2) == 0)
				first[k] = open[i].first_line;
		}
	test_int("cut lines", "a new attempt starts the first line again",
	    first[1], 3);
	test_int("cut lines", "a warm line's number", first[2], -2);
	test_int("cut lines", "the first of two replies", first[3], 4);
	test_int("cut lines", "keys met while warming and after",
	    (long long)touched.count, 3);
	for (size_t i = 0; i < nopen; i++)
		free(open[i].key);
	free(open);
	mxt_attempts_touched_finish(&touched);
	mxt_attempts_destroy(s);
}

static void
test_state(void)
{
	struct mxt_attempts *s = mxt_attempts_create(NULL, NULL);
	struct mxt_time t = {.sec = 5000, .valid = true};
	/* a text that is not UTF-8 comes back byte for byte */
	struct mxt_attempt a = {.relay = mxt_str_make("mx1.example", 11),
	    .relay_ip = mxt_str_make("192.0.2.1", 9), .relay_port = 25,
	    .code = 554, .dsn = "5.7.1", .phase = MXT_PHASE_GREETING,
	    .text = mxt_str_make("554 5.7.1 \xff blocked", 19)};
	mxt_attempts_add(s, mxt_str_make("h", 1),
	    mxt_str_make("postfix/smtp[9]", 15), mxt_str_make("QQ1", 3), &t, 0, &a);
	json_t *saved = mxt_attempts_save(s);
	mxt_attempts_destroy(s);
	char why[128] = "";
	struct mxt_attempts *r = mxt_attempts_create(NULL, NULL);
	test_int("state round trip", "restore",
	    mxt_attempts_restore(r, saved, why, sizeof why), 0);
	struct mxt_event ev;
	memset(&ev, 0, sizeof ev);
	ev.queue_id = mxt_str_make("QQ1", 3);
	ev.time = t;
	ev.text = mxt_str_make("connect to mx2", 14);
	mxt_attempts_take(r, mxt_str_make("h", 1),
	    mxt_str_make("postfix/smtp[9]", 15), &ev);
	test_int("state round trip", "nattempts", (long long)ev.nattempts, 1);
	if (ev.nattempts == 1) {
		const struct mxt_attempt *b = &ev.attempts[0];
		test_str("state round trip", "text", b->text.ptr, b->text.len,
		    "554 5.7.1 \xff blocked");
		test_str("state round trip", "relay_ip", b->relay_ip.ptr,
		    b->relay_ip.len, "192.0.2.1");
		test_int("state round trip", "code", b->code, 554);
		test_int("state round trip", "port", b->relay_port, 25);
		test_int("state round trip", "phase", b->phase,
		    MXT_PHASE_GREETING);
		test_str("state round trip", "dsn", b->dsn, strlen(b->dsn),
		    "5.7.1");
	}
	mxt_attempts_destroy(r);
	/* a damaged state is refused with the place named */
	json_t *bad = json_pack("[{s:s}]", "key", "x");
	r = mxt_attempts_create(NULL, NULL);
	test_int("damaged state", "restore",
	    mxt_attempts_restore(r, bad, why, sizeof why), -1);
	test_str("damaged state", "why", why, strlen(why),
	    "attempts[0] is not a delivery attempt (key, qid, last, taken, "
	    "taken_by, taken_n, replies)");
	mxt_attempts_destroy(r);
	json_decref(bad);
	json_decref(saved);
}

/* Whether a take could do anything: a key with replies waiting, not
 * another key, not once they are taken and dropped; any key while the
 * store watches (a piece of --jobs notes keys met without replies). */
static void
test_pending(void)
{
	struct mxt_attempts *s = mxt_attempts_create(NULL, NULL);
	struct mxt_attempt a = {.relay = mxt_str_make("mx", 2),
	    .relay_ip = mxt_str_make("192.0.2.1", 9), .code = 421,
	    .text = mxt_str_make("421 busy", 8)};
	struct mxt_time t = {.sec = 1000, .valid = true};
	struct mxt_str h = mxt_str_make("h", 1), p1 = mxt_str_make("p1", 2),
	    p2 = mxt_str_make("p2", 2);
	test_ok(!mxt_attempts_pending(s, h, p1, &t), "pending",
	    "an empty store");
	mxt_attempts_add(s, h, p1, mxt_str_make("Q1", 2), &t, 1, &a);
	test_ok(mxt_attempts_pending(s, h, p1, &t), "pending",
	    "a reply waits under the key");
	test_ok(!mxt_attempts_pending(s, h, p2, &t), "pending",
	    "another process's key");
	test_ok(!mxt_attempts_pending(s, mxt_str_make("h2", 2), p1, &t),
	    "pending", "another host's key");
	/* a take by another queue id drops them */
	struct mxt_event ev;
	memset(&ev, 0, sizeof ev);
	ev.queue_id = mxt_str_make("Q9", 2);
	ev.time = t;
	mxt_attempts_take(s, h, p1, &ev);
	test_ok(!mxt_attempts_pending(s, h, p1, &t), "pending",
	    "replies dropped by a take");
	mxt_attempts_destroy(s);

	s = mxt_attempts_create(NULL, NULL);
	mxt_attempts_watch(s);
	test_ok(mxt_attempts_pending(s, h, p2, &t), "pending",
	    "a watching store notes every key");
	mxt_attempts_destroy(s);
}

int
main(void)
{
	struct mxt_error err;
	cls = mxt_classifier_create(NULL, &err);
	if (cls == NULL) {
		fprintf(stderr, "classifier: %s\n", err.text);
		return 1;
	}
	test_rule();
	test_filter();
	test_pass();
	test_caps();
	test_cut_lines();
	test_pending();
	test_state();
	mxt_classifier_destroy(cls);
	return test_done();
}
