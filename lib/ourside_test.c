/*
 * ourside_test.c - the local MTA's own trouble (ourside.c): lines ->
 * records, the group key, and the link from a failure to the warning of
 * its process (pass.c). Lines are real where the corpus has them
 * (testdata/SOURCES: elastic/beats, fail2ban, the Exim test suite); the
 * anvil and rate-limit lines, which no licensed source holds, are written
 * in Postfix's own format (anvil.c, smtpd.c) with documentation addresses.
 */
#include "pass.h"
#include "testutil.h"

#include <stdlib.h>

struct capture {
	int records, events;
	struct mxt_local last;
	char text[1024], client[256], ip[64], action[64], program[64];
	char warning[MXT_OURSIDE_KEY_MAX];
};

static void
copy(char *dst, size_t size, struct mxt_str s)
{
	size_t n = s.len < size - 1 ? s.len : size - 1;
	if (n > 0)
		memcpy(dst, s.ptr, n);
	dst[n] = '\0';
}

static void
on_local(void *arg, const struct mxt_local *l)
{
	struct capture *c = arg;
	c->records++;
	c->last = *l;
	copy(c->text, sizeof c->text, l->text);
	copy(c->client, sizeof c->client, l->client);
	copy(c->ip, sizeof c->ip, l->client_ip);
	copy(c->action, sizeof c->action, l->action);
	copy(c->program, sizeof c->program, l->program);
}

static void
on_event(void *arg, const struct mxt_event *ev)
{
	struct capture *c = arg;
	c->events++;
	copy(c->warning, sizeof c->warning, ev->warning);
}

struct rec_case {
	const char *name;
	const char *line;
	const char *source;    /* NULL = "test.log" */
	const char *level;     /* NULL = no record */
	const char *topic;
	const char *client, *ip, *action;
	long long value;
	const char *key;       /* mxt_ourside_key of the text */
	int events;            /* events the line still gives */
};

static const struct rec_case rec_cases[] = {
	{.name = "postfix SASL failure by client",
	    .line = "Mar 24 13:58:01 5mail-gw01 postfix/smtpd[25469]: warning: ec2-3-84-57-208.compute-1.amazonaws.com[3.84.57.208]: SASL LOGIN authentication failed: UGFzc3dvcmQ6",
	    .level = "warning", .topic = "sasl",
	    .client = "ec2-3-84-57-208.compute-1.amazonaws.com",
	    .ip = "3.84.57.208", .action = "",
	    .key = "warning: %d[%i]: sasl login authentication failed: %n"},
	{.name = "submission SASL failure, unknown client",
	    .line = "Sep  6 00:44:56 trianon postfix/submission/smtpd[11538]: warning: unknown[82.221.106.233]: SASL LOGIN authentication failed: UGFzc3dvcmQ6",
	    .level = "warning", .topic = "sasl", .client = "unknown",
	    .ip = "82.221.106.233", .action = "",
	    .key = "warning: unknown[%i]: sasl login authentication failed: %n"},
	{.name = "plain warning, no topic",
	    .line = "Mar 24 13:58:01 5mail-gw01 postfix/qmgr[25469]: warning: bounce_queue_lifetime is larger than maximal_queue_lifetime - adjusting bounce_queue_lifetime",
	    .level = "warning", .topic = "none", .client = "", .ip = "",
	    .action = "",
	    .key = "warning: bounce_queue_lifetime is larger than maximal_queue_lifetime - adjusting bounce_queue_lifetime"},
	{.name = "hostname warning: host and address masked",
	    .line = "Mar 24 13:58:01 5mail-gw01 postfix/smtpd[25469]: warning: hostname exemple.com does not resolve to address 185.14.29.32",
	    .level = "warning", .topic = "none", .client = "", .ip = "",
	    .action = "",
	    .key = "warning: hostname %d does not resolve to address %i"},
	{.name = "connection rate limit we enforced",
	    .line = "Nov 23 10:00:04 mx postfix/smtpd[101]: warning: Connection rate limit exceeded: 27 from unknown[192.0.2.9] for service smtp",
	    .level = "warning", .topic = "rate_limit", .client = "unknown",
	    .ip = "192.0.2.9", .action = "Connection rate", .value = 27,
	    .key = "warning: connection rate limit exceeded: %n from unknown[%i] for service smtp"},
	{.name = "a bare warning: (cut line) is still a warning",
	    .line = "Mar 29 08:41:37 mail postfix/smtpd[8479]: warning:",
	    .level = "warning", .topic = "none", .client = "", .ip = "",
	    .action = "", .key = "warning: "},
	{.name = "warnings: is no warning",
	    .line = "Mar 29 08:41:37 mail postfix/smtpd[8479]: warnings: none"},
	{.name = "fatal of any process",
	    .line = "Nov 23 10:00:08 mx postfix/qmgr[104]: fatal: open database /etc/postfix/transport.db: No such file or directory",
	    .level = "fatal", .topic = "none", .client = "", .ip = "",
	    .action = "",
	    .key = "fatal: open database /etc/postfix/%d: no such file or directory"},
	{.name = "postscreen PREGREET",
	    .line = "Mar 24 13:58:01 anymr01 postfix/postscreen[9891]: PREGREET 6 after 1.2 from [216.81.72.72]:43421: RSET\\r\\n",
	    .level = "note", .topic = "postscreen", .client = "",
	    .ip = "216.81.72.72", .action = "PREGREET"},
	{.name = "postscreen COMMAND PIPELINING, longest verdict",
	    .line = "Mar 24 13:58:01 anymr01 postfix/postscreen[9891]: COMMAND PIPELINING from [88.208.233.4]:42606 after .: \\n",
	    .level = "note", .topic = "postscreen", .client = "",
	    .ip = "88.208.233.4", .action = "COMMAND PIPELINING"},
	{.name = "postscreen warning is a complaint",
	    .line = "Mar 24 13:58:01 anymr01 postfix/postscreen[9891]: warning: getpeername: Transport endpoint is not connected -- dropping this connection",
	    .level = "warning", .topic = "none", .client = "", .ip = "",
	    .action = "",
	    .key = "warning: getpeername: transport endpoint is not connected -- dropping this connection"},
	{.name = "postscreen CONNECT is no verdict",
	    .line = "Mar 24 13:58:01 anymr01 postfix/postscreen[9891]: CONNECT from [216.81.72.72]:43421 to [10.0.0.1]:25"},
	{.name = "anvil statistics: the rate",
	    .line = "Nov 23 10:05:00 mx postfix/anvil[103]: statistics: max connection rate 12/60s for (smtp:192.0.2.9) at Nov 23 10:00:04",
	    .level = "note", .topic = "anvil", .client = "", .ip = "192.0.2.9",
	    .action = "connection rate", .value = 12},
	{.name = "anvil cache size is about no client",
	    .line = "Nov 23 10:05:00 mx postfix/anvil[103]: statistics: max cache size 1 at Nov 23 10:00:04"},
	{.name = "header_checks warning is about a message, not us",
	    .line = "Nov 23 10:00:01 mx postfix/cleanup[105]: 3F2A1C0D9: warning: header Subject: hello from localhost[127.0.0.1]; from=<a@example.org> to=<b@example.net> proto=ESMTP helo=<x>"},
	{.name = "exim authenticator failure by client",
	    .line = "2013-06-12 03:57:58 login authenticator failed for (ylmf-pc) [120.196.140.45]: 535 Incorrect authentication data: 1 Time(s)",
	    .level = "error", .topic = "sasl", .client = "",
	    .ip = "120.196.140.45", .action = "",
	    .key = "error: login authenticator failed for (ylmf-pc) [%i]: %n incorrect authentication data: %n time(s)"},
	{.name = "exim authenticator failure: a HELO literal is not the client",
	    .line = "2013-01-04 17:03:46 login authenticator failed for rrcs-24-106-174-74.se.biz.rr.com ([192.168.2.33]) [24.106.174.74]: 535 Incorrect authentication data (set_id=brian)",
	    .level = "error", .topic = "sasl", .client = "",
	    .ip = "24.106.174.74", .action = ""},
	{.name = "exim TLS error",
	    .line = "1999-03-02 09:44:33 TLS error on connection from (close.rhu.barb) [127.0.0.1] (tls lib accept fn): TCP connection closed by peer",
	    .level = "error", .topic = "tls", .client = "", .ip = "127.0.0.1",
	    .action = "",
	    .key = "error: tls error on connection from (%d) [%i] (tls lib accept fn): tcp connection closed by peer"},
	{.name = "exim dropped connection",
	    .line = "1999-03-02 09:44:33 unexpected disconnection while reading SMTP command from (test) [127.0.0.1] D=qqs",
	    .level = "error", .topic = "dropped", .client = "",
	    .ip = "127.0.0.1", .action = ""},
	{.name = "exim panic log: every line, no event",
	    .line = "2026-11-23 10:00:01 1rAbCd-0001Xy-AB == a@b.example R=dnslookup T=remote_smtp defer (-1): failed to expand \"${lookup\"",
	    .source = "/var/log/exim4/paniclog",
	    .level = "panic", .topic = "none", .client = "", .ip = "",
	    .action = ""},
	{.name = "exim delivery line is not ours",
	    .line = "2026-11-23 10:00:01 1rAbCd-0001Xy-AB => a@b.example R=dnslookup T=remote_smtp H=mx.b.example [192.0.2.1]",
	    .events = 1},
};

static void
record_cases(struct mxt_classifier *cls)
{
	for (size_t i = 0; i < sizeof rec_cases / sizeof *rec_cases; i++) {
		const struct rec_case *c = &rec_cases[i];
		struct capture cap = {0};
		struct mxt_pass_config cfg = {.year = 2026, .on_event = on_event,
		    .event_arg = &cap, .on_local = on_local, .local_arg = &cap,
		    .classifier = cls};
		struct mxt_pass *p = mxt_pass_create(&cfg);
		mxt_pass_line(p, c->source ? c->source : "test.log", 1, 0,
		    c->line, strlen(c->line));
		mxt_pass_destroy(p);
		test_int(c->name, "events", cap.events, c->events);
		if (c->level == NULL) {
			test_int(c->name, "records", cap.records, 0);
			continue;
		}
		if (!test_int(c->name, "records", cap.records, 1))
			continue;
		const char *lv = mxt_local_level_name(cap.last.level);
		const char *tp = mxt_local_topic_name(cap.last.topic);
		test_str(c->name, "level", lv, strlen(lv), c->level);
		test_str(c->name, "topic", tp, strlen(tp), c->topic);
		test_str(c->name, "client", cap.client, strlen(cap.client),
		    c->client);
		test_str(c->name, "client_ip", cap.ip, strlen(cap.ip), c->ip);
		test_str(c->name, "action", cap.action, strlen(cap.action),
		    c->action);
		test_int(c->name, "value", (long long)cap.last.value, c->value);
		if (c->key != NULL) {
			char key[MXT_OURSIDE_KEY_MAX];
			size_t n = mxt_ourside_key(cap.last.level, cap.text,
			    strlen(cap.text), key, sizeof key);
			test_str(c->name, "key", key, n, c->key);
		}
	}
}

/* Lines fed in order; the warning linked to the last event. */
struct link_case {
	const char *name;
	const char *lines[4];
	int filler;            /* other lines between the first and the rest */
	const char *warning;   /* "" = none */
};

#define RESTRICTION "Nov 23 10:00:01 mx postfix/smtpd[100]: warning: unknown smtpd restriction: \"chek_foo\""
#define CONFIG_451 "Nov 23 10:00:02 mx postfix/smtpd[100]: NOQUEUE: reject: RCPT from unknown[192.0.2.1]: 451 4.3.5 Server configuration error; from=<a@example.org> to=<b@example.net> proto=ESMTP helo=<x>"
#define CONFIG_451_OTHER_PID "Nov 23 10:00:02 mx postfix/smtpd[101]: NOQUEUE: reject: RCPT from unknown[192.0.2.1]: 451 4.3.5 Server configuration error; from=<a@example.org> to=<b@example.net> proto=ESMTP helo=<x>"
#define USER_UNKNOWN "Nov 23 10:00:02 mx postfix/smtpd[100]: NOQUEUE: reject: RCPT from unknown[192.0.2.1]: 550 5.1.1 <b@example.net>: Recipient address rejected: User unknown in local recipient table; from=<a@example.org> to=<b@example.net> proto=ESMTP helo=<x>"

static const struct link_case link_cases[] = {
	{"restriction explains the 451 of the same smtpd",
	    {RESTRICTION, CONFIG_451},
	    .warning = "warning: unknown smtpd restriction: \"chek_foo\""},
	{"another smtpd process: no link",
	    {RESTRICTION, CONFIG_451_OTHER_PID}, .warning = ""},
	{"a SASL failure is about its client: no link",
	    {"Nov 23 10:00:01 mx postfix/smtpd[100]: warning: unknown[82.221.106.233]: SASL LOGIN authentication failed: UGFzc3dvcmQ6",
	    CONFIG_451}, .warning = ""},
	{"postscreen: one client's hang-up is about that client: no link",
	    {"Mar 24 13:58:01 anymr01 postfix/postscreen[9891]: warning: getpeername: Transport endpoint is not connected -- dropping this connection",
	    "Mar 24 13:58:01 anymr01 postfix/postscreen[9891]: NOQUEUE: reject: CONNECT from [5.6.7.8]:37382: all server ports busy"},
	    .warning = ""},
	{"smtpd: one client's reverse DNS is about that client: no link",
	    {"Nov 23 10:00:01 mx postfix/smtpd[100]: warning: 192.0.2.7: address not listed for hostname mail.example.org",
	    CONFIG_451}, .warning = ""},
	{"smtpd: a client's unresolvable name: no link",
	    {"Nov 23 10:00:01 mx postfix/smtpd[100]: warning: hostname mail.example.org does not resolve to address 192.0.2.7: Name or service not known",
	    CONFIG_451}, .warning = ""},
	{"a rejection of theirs wants no link",
	    {RESTRICTION, USER_UNKNOWN}, .warning = ""},
	{"the newest warning of the process wins",
	    {"Nov 23 10:00:00 mx postfix/smtpd[100]: warning: database /etc/postfix/virtual.db is older than source file /etc/postfix/virtual",
	    RESTRICTION, CONFIG_451},
	    .warning = "warning: unknown smtpd restriction: \"chek_foo\""},
	{"within the look-back",
	    {RESTRICTION, CONFIG_451}, .filler = MXT_LINK_LINES - 1,
	    .warning = "warning: unknown smtpd restriction: \"chek_foo\""},
	{"past the look-back: no link",
	    {RESTRICTION, CONFIG_451}, .filler = MXT_LINK_LINES,
	    .warning = ""},
};

static void
link_cases_run(struct mxt_classifier *cls)
{
	static const char filler[] = "Nov 23 10:00:01 mx postfix/smtpd[999]: connect from unknown[192.0.2.50]";
	for (size_t i = 0; i < sizeof link_cases / sizeof *link_cases; i++) {
		const struct link_case *c = &link_cases[i];
		struct capture cap = {0};
		struct mxt_pass_config cfg = {.year = 2026, .on_event = on_event,
		    .event_arg = &cap, .on_local = on_local, .local_arg = &cap,
		    .classifier = cls};
		struct mxt_pass *p = mxt_pass_create(&cfg);
		long no = 0;
		for (size_t k = 0; k < 4 && c->lines[k] != NULL; k++) {
			mxt_pass_line(p, "test.log", ++no, 0, c->lines[k],
			    strlen(c->lines[k]));
			for (int f = 0; k == 0 && f < c->filler; f++)
				mxt_pass_line(p, "test.log", ++no, 0, filler,
				    sizeof filler - 1);
		}
		mxt_pass_destroy(p);
		test_int(c->name, "events", cap.events, 1);
		test_str(c->name, "warning", cap.warning, strlen(cap.warning),
		    c->warning);
	}
}

/* One complaint about many clients, counts or ids is one group; other
 * words make other groups. */
static void
key_cases(void)
{
	static const struct {
		const char *a, *b;
		bool same;
	} pairs[] = {
		{"unknown[192.0.2.1]: SASL LOGIN authentication failed: UGFzc3dvcmQ6",
		    "unknown[198.51.100.7]: SASL LOGIN authentication failed: UGFzc3dvcmQ6", true},
		{"Connection rate limit exceeded: 27 from unknown[192.0.2.9] for service smtp",
		    "Connection rate limit exceeded: 3 from unknown[192.0.2.8] for service smtp", true},
		{"open active 4AC0B2: No such file or directory",
		    "open active 9F1E3D7: No such file or directory", true},
		{"unknown smtpd restriction: \"chek_foo\"",
		    "unknown smtpd restriction: \"chek_bar\"", false},
		{"TLS library problem: error:0A000126:SSL routines::unexpected eof while reading:../ssl/record/rec_layer_s3.c:308:",
		    "TLS library problem: error:0A000126:SSL routines::unexpected eof while reading:../ssl/record/rec_layer_s3.c:322:", true},
	};
	for (size_t i = 0; i < sizeof pairs / sizeof *pairs; i++) {
		char ka[MXT_OURSIDE_KEY_MAX], kb[MXT_OURSIDE_KEY_MAX];
		size_t na = mxt_ourside_key(MXT_LEVEL_WARNING, pairs[i].a,
		    strlen(pairs[i].a), ka, sizeof ka);
		size_t nb = mxt_ourside_key(MXT_LEVEL_WARNING, pairs[i].b,
		    strlen(pairs[i].b), kb, sizeof kb);
		bool same = na == nb && memcmp(ka, kb, na) == 0;
		test_ok(same == pairs[i].same, pairs[i].a,
		    "got keys %s and %s, want them %s", ka, kb,
		    pairs[i].same ? "equal" : "different");
	}
	/* a key is cut, never overrun */
	char longtext[4096], key[MXT_OURSIDE_KEY_MAX];
	memset(longtext, 'a', sizeof longtext);
	size_t n = mxt_ourside_key(MXT_LEVEL_PANIC, longtext, sizeof longtext,
	    key, sizeof key);
	test_int("long text", "key length", (long long)n, MXT_OURSIDE_KEY_MAX - 1);
}

/* Every cause has a side, named from the one table. */
static void
side_cases(void)
{
	static const struct {
		enum mxt_cause c;
		const char *side;
	} want[] = {
		{MXT_CAUSE_GREYLISTING, "them"},
		{MXT_CAUSE_MAILBOX_FULL, "them"},
		{MXT_CAUSE_BLOCKLIST, "us"},
		{MXT_CAUSE_SENDER_AUTH, "us"},
		{MXT_CAUSE_CLIENT_HOSTNAME, "us"},
		{MXT_CAUSE_OTHER, "either"},
	};
	for (size_t i = 0; i < sizeof want / sizeof *want; i++) {
		const char *s = mxt_cause_side_name(mxt_cause_side(want[i].c));
		test_str(mxt_cause_id(want[i].c), "side", s, strlen(s),
		    want[i].side);
	}
	for (int c = 0; c < MXT_CAUSE_COUNT; c++)
		test_ok(mxt_cause_side_name(mxt_cause_side(c)) != NULL,
		    "every cause has a side", "cause %d has none", c);
}

int
main(void)
{
	struct mxt_error err;
	struct mxt_classifier *cls = mxt_classifier_create(NULL, &err);
	if (!test_ok(cls != NULL, "classifier", "%s", err.text))
		return test_done();
	record_cases(cls);
	link_cases_run(cls);
	key_cases();
	side_cases();
	mxt_classifier_destroy(cls);
	return test_done();
}
