/*
 * trace_test.c - mxt_trace_run on small logs written here: which
 * messages a selection gives and their lines, whole output compared.
 * The cases are the ones correlation gets wrong when done by grep: a
 * queue id that came back for another message, the same id on two hosts
 * of a central log, a message across two inputs, lines out of time order,
 * a NOQUEUE rejection, a Message-ID, a message still queued at the end.
 */
#include "testutil.h"

#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PF "postfix/"

/* Two inputs at most; each a list of lines. */
struct tcase {
	const char *name;
	const char *a, *b; /* the contents of a.log and b.log (NULL: none) */
	struct mxt_trace_select sel;
	const char *want;
};

static const char log_reuse[] =
    "Nov 23 10:00:01 mx1 " PF "cleanup[2]: ABC123: message-id=<one@x>\n"
    "Nov 23 10:00:02 mx1 " PF "qmgr[3]: ABC123: from=<s@x.test>, size=1, nrcpt=1 (queue active)\n"
    "Nov 23 10:00:03 mx1 " PF "smtp[4]: ABC123: to=<first@a.test>, relay=mx.a.test[192.0.2.1]:25, delay=1, delays=0/0/0/1, dsn=2.0.0, status=sent (250 ok)\n"
    "Nov 23 10:00:04 mx1 " PF "qmgr[3]: ABC123: removed\n"
    "Nov 23 10:01:01 mx1 " PF "cleanup[2]: ABC123: message-id=<two@x>\n"
    "Nov 23 10:01:02 mx1 " PF "qmgr[3]: ABC123: from=<s@x.test>, size=1, nrcpt=1 (queue active)\n"
    "Nov 23 10:01:03 mx1 " PF "smtp[4]: ABC123: to=<second@b.test>, relay=mx.b.test[192.0.2.2]:25, delay=1, delays=0/0/0/1, dsn=4.2.0, status=deferred (host mx.b.test[192.0.2.2] said: 450 4.2.0 try later (in reply to RCPT TO command))\n";

static const char log_hosts[] =
    "Nov 23 10:00:01 mx1 " PF "qmgr[3]: ABC123: from=<s@x.test>, size=1, nrcpt=1 (queue active)\n"
    "Nov 23 10:00:01 mx2 " PF "qmgr[3]: ABC123: from=<t@x.test>, size=1, nrcpt=1 (queue active)\n"
    "Nov 23 10:00:02 mx2 " PF "smtp[4]: ABC123: to=<u@b.test>, relay=mx.b.test[192.0.2.2]:25, delay=1, delays=0/0/0/1, dsn=5.1.1, status=bounced (host mx.b.test[192.0.2.2] said: 550 5.1.1 no such user (in reply to RCPT TO command))\n"
    "Nov 23 10:00:02 mx1 " PF "smtp[4]: ABC123: to=<u@a.test>, relay=mx.a.test[192.0.2.1]:25, delay=1, delays=0/0/0/1, dsn=2.0.0, status=sent (250 ok)\n"
    "Nov 23 10:00:03 mx2 " PF "qmgr[3]: ABC123: removed\n"
    "Nov 23 10:00:03 mx1 " PF "qmgr[3]: ABC123: removed\n";

static const char log_old[] =
    "Nov 23 09:59:58 mx1 " PF "smtpd[1]: DEF456: client=c.test[192.0.2.9]\n"
    "Nov 23 09:59:59 mx1 " PF "qmgr[3]: DEF456: from=<s@x.test>, size=1, nrcpt=1 (queue active)\n"
    "Nov 23 09:59:59 mx1 " PF "smtp[4]: DEF456: to=<v@c.test>, relay=none, delay=1, delays=0/0/0/1, dsn=4.4.1, status=deferred (connect to mx.c.test[192.0.2.3]:25: Connection refused)\n";

static const char log_new[] =
    "Nov 23 10:05:00 mx1 " PF "qmgr[3]: DEF456: from=<s@x.test>, size=1, nrcpt=1 (queue active)\n"
    /* logged a second before the qmgr line it follows */
    "Nov 23 10:05:02 mx1 " PF "smtp[4]: DEF456: to=<v@c.test>, relay=mx.c.test[192.0.2.3]:25, delay=300, delays=0/0/0/1, dsn=2.0.0, status=sent (250 ok)\n"
    "Nov 23 10:05:01 mx1 " PF "smtp[4]: DEF456: host mx0.c.test[192.0.2.4] said: 421 busy (in reply to MAIL FROM command)\n"
    "Nov 23 10:05:03 mx1 " PF "qmgr[3]: DEF456: removed\n"
    "Nov 23 10:05:04 mx1 " PF "smtpd[1]: NOQUEUE: reject: RCPT from c.test[192.0.2.9]: 554 5.7.1 <z@d.test>: Relay access denied; from=<s@x.test> to=<z@d.test> proto=ESMTP helo=<x>\n"
    "Nov 23 10:05:05 mx1 " PF "qmgr[3]: GHI789: from=<s@x.test>, size=1, nrcpt=1 (queue active)\n"
    "Nov 23 10:05:06 mx1 " PF "smtp[4]: GHI789: to=<w@c.test>, relay=none, delay=1, delays=0/0/0/1, dsn=4.4.1, status=deferred (connect to mx.c.test[192.0.2.3]:25: Connection refused)\n";

static char *
write_log(const char *dir, const char *name, const char *text)
{
	char *path = NULL;
	if (asprintf(&path, "%s/%s", dir, name) < 0)
		abort();
	FILE *fp = fopen(path, "w");
	if (fp == NULL || fputs(text, fp) == EOF || fclose(fp) != 0)
		abort();
	return path;
}

static void
run_case(const char *dir, const struct tcase *c)
{
	struct mxt_trace_input in[2];
	size_t n = 0;
	char *pa = write_log(dir, "a.log", c->a), *pb = NULL;
	in[n++] = (struct mxt_trace_input){pa, "a.log"};
	if (c->b != NULL) {
		pb = write_log(dir, "b.log", c->b);
		in[n++] = (struct mxt_trace_input){pb, "b.log"};
	}
	struct mxt_trace_config cfg = {.sel = c->sel};
	cfg.pass.year = 2024;
	cfg.pass.classifier = mxt_classifier_create(NULL, NULL);
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	struct mxt_trace_result res;
	int rc = mxt_trace_run(&cfg, in, n, out, &res);
	fclose(out);
	test_int(c->name, "return", rc, 0);
	test_str(c->name, "output", buf, len, c->want);
	free(buf);
	free(pa);
	free(pb);
	mxt_classifier_destroy(cfg.pass.classifier);
}

static struct mxt_trace_select
sel_none(void)
{
	struct mxt_trace_select s = {0};
	mxt_filter_init(&s.filter);
	return s;
}

int
main(void)
{
	char dir[] = "/tmp/mxtriage-trace-test.XXXXXX";
	if (mkdtemp(dir) == NULL)
		abort();

	struct tcase cases[16];
	size_t n = 0;
	struct mxt_trace_select s;

	s = sel_none();
	s.recipient = "second@*";
	cases[n++] = (struct tcase){
		.name = "an id that came back: only the message that matches",
		.a = log_reuse, .sel = s,
		.want = "# mx1 ABC123 (postfix): 1 deferred (server_busy)\n"
		    "a.log:5: Nov 23 10:01:01 mx1 postfix/cleanup[2]: ABC123: message-id=<two@x>\n"
		    "a.log:6: Nov 23 10:01:02 mx1 postfix/qmgr[3]: ABC123: from=<s@x.test>, size=1, nrcpt=1 (queue active)\n"
		    "a.log:7: Nov 23 10:01:03 mx1 postfix/smtp[4]: ABC123: to=<second@b.test>, relay=mx.b.test[192.0.2.2]:25, delay=1, delays=0/0/0/1, dsn=4.2.0, status=deferred (host mx.b.test[192.0.2.2] said: 450 4.2.0 try later (in reply to RCPT TO command))\n",
	};
	s = sel_none();
	s.queue_id = "ABC123";
	cases[n++] = (struct tcase){
		.name = "a queue id alone: each message that had it",
		.a = log_reuse, .sel = s,
		.want = "# mx1 ABC123 (postfix): 1 delivered\n"
		    "a.log:1: Nov 23 10:00:01 mx1 postfix/cleanup[2]: ABC123: message-id=<one@x>\n"
		    "a.log:2: Nov 23 10:00:02 mx1 postfix/qmgr[3]: ABC123: from=<s@x.test>, size=1, nrcpt=1 (queue active)\n"
		    "a.log:3: Nov 23 10:00:03 mx1 postfix/smtp[4]: ABC123: to=<first@a.test>, relay=mx.a.test[192.0.2.1]:25, delay=1, delays=0/0/0/1, dsn=2.0.0, status=sent (250 ok)\n"
		    "a.log:4: Nov 23 10:00:04 mx1 postfix/qmgr[3]: ABC123: removed\n"
		    "\n"
		    "# mx1 ABC123 (postfix): 1 deferred (server_busy)\n"
		    "a.log:5: Nov 23 10:01:01 mx1 postfix/cleanup[2]: ABC123: message-id=<two@x>\n"
		    "a.log:6: Nov 23 10:01:02 mx1 postfix/qmgr[3]: ABC123: from=<s@x.test>, size=1, nrcpt=1 (queue active)\n"
		    "a.log:7: Nov 23 10:01:03 mx1 postfix/smtp[4]: ABC123: to=<second@b.test>, relay=mx.b.test[192.0.2.2]:25, delay=1, delays=0/0/0/1, dsn=4.2.0, status=deferred (host mx.b.test[192.0.2.2] said: 450 4.2.0 try later (in reply to RCPT TO command))\n",
	};
	s = sel_none();
	s.message_id = "one@x";
	cases[n++] = (struct tcase){
		.name = "a Message-ID: the message whose cleanup line has it",
		.a = log_reuse, .sel = s,
		.want = "# mx1 ABC123 (postfix): 1 delivered\n"
		    "a.log:1: Nov 23 10:00:01 mx1 postfix/cleanup[2]: ABC123: message-id=<one@x>\n"
		    "a.log:2: Nov 23 10:00:02 mx1 postfix/qmgr[3]: ABC123: from=<s@x.test>, size=1, nrcpt=1 (queue active)\n"
		    "a.log:3: Nov 23 10:00:03 mx1 postfix/smtp[4]: ABC123: to=<first@a.test>, relay=mx.a.test[192.0.2.1]:25, delay=1, delays=0/0/0/1, dsn=2.0.0, status=sent (250 ok)\n"
		    "a.log:4: Nov 23 10:00:04 mx1 postfix/qmgr[3]: ABC123: removed\n",
	};
	s = sel_none();
	s.filter.any_status = false;
	s.filter.statuses[MXT_STATUS_BOUNCED] = true;
	cases[n++] = (struct tcase){
		.name = "the same id on two hosts: only the host whose message matches",
		.a = log_hosts, .sel = s,
		.want = "# mx2 ABC123 (postfix): 1 bounced (unknown_user)\n"
		    "a.log:2: Nov 23 10:00:01 mx2 postfix/qmgr[3]: ABC123: from=<t@x.test>, size=1, nrcpt=1 (queue active)\n"
		    "a.log:3: Nov 23 10:00:02 mx2 postfix/smtp[4]: ABC123: to=<u@b.test>, relay=mx.b.test[192.0.2.2]:25, delay=1, delays=0/0/0/1, dsn=5.1.1, status=bounced (host mx.b.test[192.0.2.2] said: 550 5.1.1 no such user (in reply to RCPT TO command))\n"
		    "a.log:5: Nov 23 10:00:03 mx2 postfix/qmgr[3]: ABC123: removed\n",
	};
	s = sel_none();
	s.recipient = "v@c.test";
	cases[n++] = (struct tcase){
		.name = "a message across two inputs, its lines in time order",
		.a = log_old, .b = log_new, .sel = s,
		.want = "# mx1 DEF456 (postfix): 1 delivered, 1 deferred (connection)\n"
		    "a.log:1: Nov 23 09:59:58 mx1 postfix/smtpd[1]: DEF456: client=c.test[192.0.2.9]\n"
		    "a.log:2: Nov 23 09:59:59 mx1 postfix/qmgr[3]: DEF456: from=<s@x.test>, size=1, nrcpt=1 (queue active)\n"
		    "a.log:3: Nov 23 09:59:59 mx1 postfix/smtp[4]: DEF456: to=<v@c.test>, relay=none, delay=1, delays=0/0/0/1, dsn=4.4.1, status=deferred (connect to mx.c.test[192.0.2.3]:25: Connection refused)\n"
		    "b.log:1: Nov 23 10:05:00 mx1 postfix/qmgr[3]: DEF456: from=<s@x.test>, size=1, nrcpt=1 (queue active)\n"
		    "b.log:3: Nov 23 10:05:01 mx1 postfix/smtp[4]: DEF456: host mx0.c.test[192.0.2.4] said: 421 busy (in reply to MAIL FROM command)\n"
		    "b.log:2: Nov 23 10:05:02 mx1 postfix/smtp[4]: DEF456: to=<v@c.test>, relay=mx.c.test[192.0.2.3]:25, delay=300, delays=0/0/0/1, dsn=2.0.0, status=sent (250 ok)\n"
		    "b.log:4: Nov 23 10:05:03 mx1 postfix/qmgr[3]: DEF456: removed\n",
	};
	s = sel_none();
	s.filter.domain_glob = "*.test";
	s.filter.any_status = false;
	s.filter.statuses[MXT_STATUS_REJECTED] = true;
	s.filter.statuses[MXT_STATUS_DEFERRED] = true;
	cases[n++] = (struct tcase){
		.name = "NOQUEUE is one line; a message still queued comes last",
		.a = log_new, .sel = s,
		.want = "# mx1 NOQUEUE (postfix): 1 rejected (relay_denied)\n"
		    "a.log:5: Nov 23 10:05:04 mx1 postfix/smtpd[1]: NOQUEUE: reject: RCPT from c.test[192.0.2.9]: 554 5.7.1 <z@d.test>: Relay access denied; from=<s@x.test> to=<z@d.test> proto=ESMTP helo=<x>\n"
		    "\n"
		    "# mx1 GHI789 (postfix): 1 deferred (connection)\n"
		    "a.log:6: Nov 23 10:05:05 mx1 postfix/qmgr[3]: GHI789: from=<s@x.test>, size=1, nrcpt=1 (queue active)\n"
		    "a.log:7: Nov 23 10:05:06 mx1 postfix/smtp[4]: GHI789: to=<w@c.test>, relay=none, delay=1, delays=0/0/0/1, dsn=4.4.1, status=deferred (connect to mx.c.test[192.0.2.3]:25: Connection refused)\n",
	};
	s = sel_none();
	s.recipient = "nobody@*";
	cases[n++] = (struct tcase){
		.name = "nothing matches: nothing printed",
		.a = log_new, .sel = s, .want = "",
	};

	for (size_t i = 0; i < n; i++)
		run_case(dir, &cases[i]);

	/* the selection of one event, field by field */
	struct mxt_event ev;
	memset(&ev, 0, sizeof ev);
	ev.recipient = mxt_str_make("Bob@Example.ORG", 15);
	ev.host = mxt_str_make("mx1", 3);
	ev.queue_id = mxt_str_make("ABC", 3);
	ev.status = MXT_STATUS_DEFERRED;
	ev.time.valid = true;
	ev.time.sec = 1700000000; /* 2023-11-14T22:13:20Z */
	s = sel_none();
	s.recipient = "bob@example.org";
	test_ok(mxt_trace_select_event(&s, &ev), "recipient glob ignores case",
	    "got no match");
	s.log_host = "mx2";
	test_ok(!mxt_trace_select_event(&s, &ev), "another host", "got a match");
	s = sel_none();
	s.when = "2023-11-14T22";
	test_ok(mxt_trace_select_event(&s, &ev), "--when an hour", "got no match");
	s.when = "2023-11-14T23";
	test_ok(!mxt_trace_select_event(&s, &ev), "--when another hour",
	    "got a match");
	s = sel_none();
	s.no_code = true;
	test_ok(mxt_trace_select_event(&s, &ev), "--code none, no code",
	    "got no match");
	ev.code = 450;
	test_ok(!mxt_trace_select_event(&s, &ev), "--code none, a code",
	    "got a match");
	s.filter.codes[s.filter.ncodes++] = 4;
	test_ok(mxt_trace_select_event(&s, &ev), "--code none,4xx, a 450",
	    "got no match");
	ev.code = 550;
	test_ok(!mxt_trace_select_event(&s, &ev), "--code none,4xx, a 550",
	    "got a match");
	ev.code = 0;
	test_ok(mxt_trace_select_event(&s, &ev), "--code none,4xx, no code",
	    "got no match");
	ev.code = 450;
	s = sel_none();
	s.filter.providers[s.filter.nproviders++] = "none";
	test_ok(mxt_trace_select_event(&s, &ev), "--provider none: none known",
	    "got no match");
	s.filter.providers[0] = "google";
	test_ok(!mxt_trace_select_event(&s, &ev), "--provider google",
	    "got a match");

	char cmd[64];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		test_ok(false, "cleanup", "rm failed");
	return test_done();
}
