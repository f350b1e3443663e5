/*
 * event_pipe_test.c - events handed to the writing thread (event_pipe.c):
 * whole copies, in order, on another thread.
 *
 * Random events whose strings and earlier replies live in one scratch
 * buffer that is overwritten after each push (as the pass reuses its line
 * and buffers): the worker must see every field as it was pushed, NULL
 * strings NULL and empty ones empty but not NULL (the null sender), in
 * the order pushed, also for events larger than a batch.
 *
 * mxt_event_pipe_wire: the pass's other callbacks (a message that starts
 * or ends, one received, our own trouble) travel with the events, copied
 * and in the order told, to the callbacks cfg had, on the other thread;
 * the events are classified there as the pass would have.
 *
 * A pass with classify_later leaves each event's id and domains to the
 * pipe's thread (mxt_event_finish): its consumer sees what a pass that
 * does all in line hands over.
 */
#include "testutil.h"
#include "internal.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NEVENTS 5000

/* A canonical text of every field the pipe copies or keeps. */
static char *
describe(const struct mxt_event *ev)
{
	const struct mxt_str *strs[] = {&ev->host, &ev->service,
	    &ev->queue_id, &ev->recipient, &ev->domain, &ev->sender,
	    &ev->sender_domain, &ev->relay, &ev->relay_ip, &ev->text,
	    &ev->message_id, &ev->instance, &ev->warning};
	char *out = NULL;
	size_t n = 0;
	FILE *fp = open_memstream(&out, &n);
	for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++) {
		if (strs[i]->ptr == NULL)
			fputs("NULL|", fp);
		else
			fprintf(fp, "[%.*s]|", (int)strs[i]->len, strs[i]->ptr);
	}
	fprintf(fp, "%s|%s|%ld|%lld|%d|%d|%s|%d|%zu|%d|%s|%s|",
	    ev->source ? ev->source : "NULL", ev->dsn, ev->line_no,
	    (long long)ev->time.sec, ev->code, (int)ev->status,
	    ev->provider ? ev->provider : "NULL", ev->relay_port,
	    ev->nattempts, ev->matters, ev->rule ? ev->rule : "NULL",
	    ev->attempts == NULL ? "no-attempts" : "attempts");
	for (size_t i = 0; i < ev->nattempts; i++) {
		const struct mxt_attempt *a = &ev->attempts[i];
		fprintf(fp, "{%.*s,%.*s,%d,%d,%s,%.*s}", (int)a->relay.len,
		    a->relay.ptr ? a->relay.ptr : "", (int)a->relay_ip.len,
		    a->relay_ip.ptr ? a->relay_ip.ptr : "", a->relay_port,
		    a->code, a->dsn, (int)a->text.len,
		    a->text.ptr ? a->text.ptr : "");
	}
	fclose(fp);
	return out;
}

struct consumer {
	char *want[NEVENTS];
	int seen, wrong, fail_from;
	pthread_t main;
	bool other_thread;
};

static int
consume(void *arg, struct mxt_event *ev)
{
	struct consumer *c = arg;
	char *got = describe(ev);
	if (c->seen >= NEVENTS || strcmp(got, c->want[c->seen]) != 0) {
		if (c->wrong++ == 0)
			printf("# event %d: got %s\n#   want %s\n", c->seen, got,
			    c->seen < NEVENTS ? c->want[c->seen] : "none");
	}
	if (!pthread_equal(pthread_self(), c->main))
		c->other_thread = true;
	free(got);
	c->seen++;
	return c->fail_from > 0 && c->seen >= c->fail_from ? -1 : 0;
}

/* An event's text larger than a batch of the pipe, and room for the
 * strings of an event that carries it. */
#define BIG_TEXT (MXT_PIPE_BATCH_BYTES + MXT_PIPE_BATCH_BYTES / 8)
#define SCRATCH (BIG_TEXT + 200000)

/* A string of n random letters at *pos in scratch, or NULL / empty. */
static struct mxt_str
random_str(char *scratch, size_t *pos, size_t n)
{
	int r = rand() % 10;
	if (r == 0)
		return mxt_str_make(NULL, 0);
	if (r == 1)
		return mxt_str_make(scratch + *pos, 0);
	char *s = scratch + *pos;
	for (size_t i = 0; i < n; i++)
		s[i] = (char)('a' + rand() % 26);
	*pos += n;
	return mxt_str_make(s, n);
}

static void
random_event(struct mxt_event *ev, struct mxt_attempt *att, char *scratch,
    int k)
{
	static const char *const providers[] = {NULL, "google", "microsoft"};
	size_t pos = 0;
	memset(ev, 0, sizeof *ev);
	/* every 500th event is larger than a batch */
	size_t big = k % 500 == 499 ? BIG_TEXT : 0;
	struct mxt_str *strs[] = {&ev->host, &ev->service, &ev->queue_id,
	    &ev->recipient, &ev->domain, &ev->sender, &ev->sender_domain,
	    &ev->relay, &ev->relay_ip, &ev->text, &ev->message_id,
	    &ev->instance, &ev->warning};
	for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++)
		*strs[i] = random_str(scratch, &pos, (size_t)(rand() % 40) +
		    (strs[i] == &ev->text ? big : 0));
	char *src = scratch + pos;
	snprintf(src, 64, "/var/log/mail.log.%d", k / 1000);
	pos += strlen(src) + 1;
	ev->source = src;
	snprintf(ev->dsn, sizeof ev->dsn, "4.%d.%d", rand() % 8, rand() % 10);
	ev->line_no = k + 1;
	ev->time.sec = 1790000000 + k;
	ev->time.valid = true;
	ev->code = 400 + rand() % 200;
	ev->status = (enum mxt_status)(rand() % MXT_STATUS_COUNT);
	ev->provider = providers[rand() % 3];
	ev->relay_port = rand() % 2 ? 25 : 0;
	ev->nattempts = (size_t)(rand() % 4 == 0 ? rand() % 11 : 0);
	for (size_t i = 0; i < ev->nattempts; i++) {
		att[i] = (struct mxt_attempt){.relay_port = 25,
		    .code = 421 + (int)i};
		att[i].relay = random_str(scratch, &pos, 12);
		att[i].relay_ip = random_str(scratch, &pos, 9);
		att[i].text = random_str(scratch, &pos, (size_t)(rand() % 300));
		snprintf(att[i].dsn, sizeof att[i].dsn, "4.4.%d", (int)i % 10);
	}
	ev->attempts = ev->nattempts > 0 ? att : NULL;
	ev->matters = ev->nattempts > 0 ? (int)ev->nattempts - 1 : -1;
}

static void
run(const char *name, int fail_from)
{
	static char scratch[SCRATCH];
	static struct mxt_attempt att[MXT_ATTEMPTS_MAX];
	struct consumer *c = calloc(1, sizeof *c);
	c->main = pthread_self();
	c->fail_from = fail_from;
	struct mxt_event_pipe *p = mxt_event_pipe_create(consume, c);
	test_ok(p != NULL, name, "no thread started");
	if (p == NULL) {
		free(c);
		return;
	}
	bool failed_early = false;
	srand(7);
	for (int k = 0; k < NEVENTS; k++) {
		struct mxt_event ev;
		random_event(&ev, att, scratch, k);
		c->want[k] = describe(&ev);
		mxt_event_pipe_push(p, &ev);
		/* the pass reuses its buffers at once */
		memset(scratch, 'X', sizeof scratch);
		memset(att, 0x5a, sizeof att);
		if (k == NEVENTS / 2) {
			/* what sync promises: every event so far handed over */
			mxt_event_pipe_sync(p);
			test_int(name, "events seen after sync", c->seen, k + 1);
		}
		if (fail_from > 0 && k + 1 < fail_from && mxt_event_pipe_failed(p))
			failed_early = true;
	}
	mxt_event_pipe_destroy(p);
	test_int(name, "events seen", c->seen, NEVENTS);
	test_int(name, "events that differ", c->wrong, 0);
	test_ok(c->other_thread, name, "fn ran on the calling thread");
	test_ok(!failed_early, name, "failed before fn did");
	for (int k = 0; k < NEVENTS; k++)
		free(c->want[k]);
	free(c);
}

/* After fn failed, failed says so (the pass then stops). */
static void
failure(void)
{
	struct consumer *c = calloc(1, sizeof *c);
	c->main = pthread_self();
	c->fail_from = 10;
	struct mxt_event_pipe *p = mxt_event_pipe_create(consume, c);
	struct mxt_event ev;
	static char scratch[SCRATCH];
	static struct mxt_attempt att[MXT_ATTEMPTS_MAX];
	srand(7);
	for (int k = 0; k < 20; k++) {
		random_event(&ev, att, scratch, k);
		c->want[k] = describe(&ev);
		mxt_event_pipe_push(p, &ev);
	}
	mxt_event_pipe_sync(p);
	test_ok(mxt_event_pipe_failed(p), "failure", "fn failed, failed false");
	mxt_event_pipe_destroy(p);
	test_int("failure", "events handed over after the failure", c->seen,
	    20);
	for (int k = 0; k < 20; k++)
		free(c->want[k]);
	free(c);
}

/* ---- mxt_event_pipe_wire --------------------------------------------- */

#define NWIRED 4000

struct told {
	char *want[NWIRED];
	int seen, wrong;
	pthread_t main;
	bool other_thread, on_main;
};

static void
told(struct told *t, char *got)
{
	if (t->seen >= NWIRED || strcmp(got, t->want[t->seen]) != 0) {
		if (t->wrong++ == 0)
			printf("# record %d: got %s\n#   want %s\n", t->seen, got,
			    t->seen < NWIRED ? t->want[t->seen] : "none");
	}
	if (pthread_equal(pthread_self(), t->main))
		t->on_main = true;
	else
		t->other_thread = true;
	free(got);
	t->seen++;
}

static char *
describe_msg(const char *what, struct mxt_str host, struct mxt_str id)
{
	char *out;
	if (asprintf(&out, "%s %s[%.*s] %s[%.*s]", what,
	    host.ptr ? "" : "NULL", (int)host.len, host.ptr ? host.ptr : "",
	    id.ptr ? "" : "NULL", (int)id.len, id.ptr ? id.ptr : "") < 0)
		abort();
	return out;
}

static char *
describe_received(const struct mxt_received *r)
{
	char *out;
	if (asprintf(&out, "received %d %d [%.*s] [%.*s] %lld %d %llu %d",
	    (int)r->kind, (int)r->mta, (int)r->host.len, r->host.ptr,
	    (int)r->id.len, r->id.ptr, (long long)r->time.sec, r->time.valid,
	    (unsigned long long)r->bytes, r->refused) < 0)
		abort();
	return out;
}

static char *
describe_local(const struct mxt_local *l)
{
	const struct mxt_str *strs[] = {&l->host, &l->program, &l->pid,
	    &l->text, &l->client, &l->client_ip, &l->action};
	char *out = NULL;
	size_t n = 0;
	FILE *fp = open_memstream(&out, &n);
	fprintf(fp, "local %lld %d %d %d %llu %d", (long long)l->time.sec,
	    (int)l->mta, (int)l->level, (int)l->topic,
	    (unsigned long long)l->value, l->links);
	for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++)
		fprintf(fp, " %s[%.*s]", strs[i]->ptr ? "" : "NULL",
		    (int)strs[i]->len, strs[i]->ptr ? strs[i]->ptr : "");
	fclose(fp);
	return out;
}

static void
w_event(void *arg, const struct mxt_event *ev)
{
	char *d = describe(ev), *out;
	if (asprintf(&out, "event %s cause %d", d, (int)ev->cause) < 0)
		abort();
	free(d);
	told(arg, out);
}

static void
w_start(void *arg, struct mxt_str host, struct mxt_str id)
{
	told(arg, describe_msg("start", host, id));
}

static void
w_end(void *arg, struct mxt_str host, struct mxt_str id)
{
	told(arg, describe_msg("end", host, id));
}

static void
w_received(void *arg, const struct mxt_received *r)
{
	told(arg, describe_received(r));
}

static void
w_local(void *arg, const struct mxt_local *l)
{
	told(arg, describe_local(l));
}

/*
 * Random records through a wired pipe, the strings in a scratch buffer
 * overwritten after each (as the pass reuses them): every record arrives
 * as told, in order, on the other thread; each event with the cause the
 * classifier gives it in line.
 */
static void
wired(void)
{
	static char scratch[SCRATCH];
	static struct mxt_attempt att[MXT_ATTEMPTS_MAX];
	struct mxt_error err;
	struct mxt_classifier *cls = mxt_classifier_create(NULL, &err);
	/* the reference's own: the pipe's is its thread's alone */
	struct mxt_classifier *ref = mxt_classifier_create(NULL, &err);
	struct told *t = calloc(1, sizeof *t);
	t->main = pthread_self();
	struct mxt_pass_config cfg = {.on_event = w_event, .event_arg = t,
	    .on_message_start = w_start, .on_message_end = w_end,
	    .on_received = w_received, .on_local = w_local, .local_arg = t,
	    .classifier = cls};
	struct mxt_event_pipe *p = mxt_event_pipe_wire(&cfg);
	test_ok(p != NULL, "wire", "no thread started");
	if (p == NULL)
		return;
	test_ok(cfg.classifier == NULL && cfg.classify_later, "wire",
	    "the classifier stays with the pass");
	test_ok(cfg.event_arg == (void *)p && cfg.local_arg == (void *)p &&
	    cfg.on_event != w_event && cfg.on_message_start != w_start &&
	    cfg.on_message_end != w_end && cfg.on_received != w_received &&
	    cfg.on_local != w_local, "wire", "a callback not rewired");
	static const char *const replies[] = {
	    "450 4.2.0 <a@b.example>: Recipient address rejected: "
	    "Greylisted, see http://postgrey.schweikert.ch/",
	    "421 4.7.0 Try again later, closing connection. (EHLO)",
	    "550 5.1.1 <x@y.example>: Recipient address rejected: User "
	    "unknown in virtual mailbox table",
	    "452 4.2.2 The email account that you tried to reach is over "
	    "quota"};
	srand(11);
	for (int k = 0; k < NWIRED; k++) {
		size_t pos = 0;
		int kind = rand() % 5;
		if (kind == 0) {
			struct mxt_event ev;
			random_event(&ev, att, scratch + 200000, k);
			/* a reply the classifier knows, in the scratch too */
			const char *r = replies[rand() % 4];
			ev.text = mxt_str_make(strcpy(scratch + pos, r),
			    strlen(r));
			ev.code = atoi(r);
			ev.status = r[0] == '5' ? MXT_STATUS_BOUNCED :
			    MXT_STATUS_DEFERRED;
			ev.cause = MXT_CAUSE_NONE;
			ev.warning = mxt_str_make(NULL, 0);
			struct mxt_event in_line = ev;
			mxt_event_classify(ref, &in_line);
			char *d = describe(&in_line);
			if (asprintf(&t->want[k], "event %s cause %d", d,
			    (int)in_line.cause) < 0)
				abort();
			free(d);
			cfg.on_event(cfg.event_arg, &ev);
		} else if (kind <= 2) {
			struct mxt_str host = random_str(scratch, &pos, 12);
			struct mxt_str id = random_str(scratch, &pos, 11);
			t->want[k] = describe_msg(kind == 1 ? "start" : "end",
			    host, id);
			(kind == 1 ? cfg.on_message_start :
			    cfg.on_message_end)(cfg.event_arg, host, id);
		} else if (kind == 3) {
			struct mxt_received r = {.kind = rand() % 3,
			    .mta = rand() % 2, .bytes = (uint64_t)rand(),
			    .refused = rand() % 2,
			    .time = {.sec = 1790000000 + k, .valid = true}};
			r.host = random_str(scratch, &pos, 9);
			r.id = random_str(scratch, &pos, 10);
			if (r.host.ptr == NULL)
				r.host = mxt_str_make(scratch, 0);
			if (r.id.ptr == NULL)
				r.id = mxt_str_make(scratch, 0);
			t->want[k] = describe_received(&r);
			cfg.on_received(cfg.event_arg, &r);
		} else {
			struct mxt_local l = {.time = {.sec = 1790000000 + k,
			    .valid = true}, .mta = rand() % 2,
			    .level = rand() % 3, .topic = rand() % 4,
			    .value = (uint64_t)rand(), .links = rand() % 2};
			struct mxt_str *strs[] = {&l.host, &l.program, &l.pid,
			    &l.text, &l.client, &l.client_ip, &l.action};
			for (size_t i = 0; i < 7; i++)
				*strs[i] = random_str(scratch, &pos, (size_t)(
				    rand() % 30) + (i == 3 && k % 700 == 0 ?
				    150000 : 0));
			t->want[k] = describe_local(&l);
			cfg.on_local(cfg.local_arg, &l);
		}
		memset(scratch, 'X', sizeof scratch);
		memset(att, 0x5a, sizeof att);
	}
	mxt_event_pipe_sync(p);
	test_int("wire", "records seen after sync", t->seen, NWIRED);
	mxt_event_pipe_destroy(p);
	test_int("wire", "records that differ", t->wrong, 0);
	test_ok(t->other_thread && !t->on_main, "wire",
	    "a callback ran on the calling thread");
	for (int k = 0; k < NWIRED; k++)
		free(t->want[k]);
	free(t);
	mxt_classifier_destroy(cls);
	mxt_classifier_destroy(ref);
}

/*
 * Many small records, more than a batch counts: the pass's starts and
 * ends of messages whose id is their number arrive in order, none lost
 * at the batches' seams (a batch is full by its count of records long
 * before its bytes).
 */
struct counted {
	int seen, wrong;
};

static void
c_msg(void *arg, struct mxt_str host, struct mxt_str id)
{
	struct counted *c = arg;
	char want[16];
	int n = snprintf(want, sizeof want, "%d", c->seen);
	if (host.len != 1 || (size_t)n != id.len ||
	    memcmp(want, id.ptr, id.len) != 0)
		if (c->wrong++ == 0)
			printf("# record %d: got id %.*s\n", c->seen,
			    (int)id.len, id.ptr);
	c->seen++;
}

static void
many_small(void)
{
	enum { N = 3 * MXT_PIPE_BATCH_RECORDS + 5 };
	struct counted c = {0};
	struct mxt_pass_config cfg = {.on_message_start = c_msg,
	    .on_message_end = c_msg, .event_arg = &c};
	struct mxt_event_pipe *p = mxt_event_pipe_wire(&cfg);
	test_ok(p != NULL, "many small", "no thread started");
	if (p == NULL)
		return;
	char id[16];
	for (int k = 0; k < N; k++) {
		int n = snprintf(id, sizeof id, "%d", k);
		(k % 2 ? cfg.on_message_end : cfg.on_message_start)(
		    cfg.event_arg, mxt_str_make("h", 1),
		    mxt_str_make(id, (size_t)n));
		memset(id, 'X', sizeof id);
	}
	mxt_event_pipe_destroy(p);
	test_int("many small", "records seen", c.seen, N);
	test_int("many small", "records that differ", c.wrong, 0);
}

/* ---- a pass that leaves the events' finishing to the pipe ------------ */

/* Lines of both MTAs whose events have ids, domains in mixed case, a
 * quoted local part holding an '@', the null sender and two hosts, and
 * Postfix deliveries: two after an earlier MX's refusal (the second
 * recipient shares the attempt by its relay), one of another process,
 * one with orig_to= holding ", ", one with relay=none and no text. */
static const char *const finish_lines[] = {
    "Nov  3 10:00:00 mx1 postfix/qmgr[11]: 4AbC1: from=<Bounce@Lists.Example.NET>, size=900, nrcpt=1 (queue active)",
    "Nov  3 10:00:01 mx1 postfix/smtp[12]: 4AbC1: to=<John.Doe@Mail.Example.ORG>, relay=mx.example.org[192.0.2.7]:25, delay=1.2, delays=0.1/0/0.5/0.6, dsn=4.7.1, status=deferred (host mx.example.org[192.0.2.7] said: 450 4.7.1 <John.Doe@Mail.Example.ORG>: Recipient address rejected: Greylisted, see http://postgrey.schweikert.ch/ (in reply to RCPT TO command))",
    "Nov  3 10:00:02 mx1 postfix/smtp[12]: 4AbC1: to=<\"john@home\"@Other.Example.COM>, relay=none, delay=2, delays=0.1/0/2/0, dsn=4.4.1, status=deferred (connect to other.example.com[192.0.2.8]:25: Connection timed out)",
    "Nov  3 10:00:03 mx2 postfix/smtpd[13]: NOQUEUE: reject: RCPT from unknown[198.51.100.4]: 554 5.7.1 <spam@Victim.Example>: Relay access denied; from=<> to=<spam@Victim.Example> proto=ESMTP helo=<x>",
    "Nov  3 10:00:04 mx2 postfix/smtp[14]: connect to mx1.b.example[192.0.2.11]:25: Connection refused",
    "Nov  3 10:00:04 mx2 postfix/smtp[14]: 5DeF2: to=<a@B.example>, relay=b.example[192.0.2.9]:25, delay=0.3, delays=0/0/0.1/0.2, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as 99)",
    "Nov  3 10:00:04 mx2 postfix/smtp[14]: 5DeF2: to=<b@B.example>, relay=b.example[192.0.2.9]:25, delay=0.3, delays=0/0/0.1/0.2, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as 99)",
    "Nov  3 10:00:04 mx2 postfix/smtp[17]: 5DeF2: to=<e@E.example>, relay=e.example[192.0.2.12]:2525, delay=0.5, delays=0/0/0.2/0.3, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as 77)",
    "Nov  3 10:00:04 mx2 postfix/local[15]: 5DeF2: to=<c@mx2.example>, orig_to=<\"x, y\"@Alias.example>, relay=local, delay=0.75, delays=0.5/0/0/0.25, dsn=2.0.0, status=sent (delivered to mailbox)",
    "Nov  3 10:00:04 mx2 postfix/lmtp[16]: 5DeF2: to=d@mx2.example, relay=none, delay=4, dsn=2.0.0, status=sent",
    "2024-11-03 10:00:05 1rAbCd-0001Xy-AB ** Mixed@Case.Example.DE R=dnslookup T=remote_smtp H=mx.case.example.de [192.0.2.10]: SMTP error from remote mail server after RCPT TO:<Mixed@Case.Example.DE>: 550 5.1.1 User unknown",
    "2024-11-03 10:00:06 1rAbCd-0001Xy-AB == Other@Case.Example.DE R=dnslookup T=remote_smtp defer (-53): retry time not reached for any host",
};
enum { NFINISH = sizeof finish_lines / sizeof finish_lines[0] };

struct finished {
	char *got[64];
	int n, unfinished_pushed, ids_pushed, unread_pushed;
	struct mxt_classifier *cls;
	struct mxt_event_pipe *pipe;
};

static char *
describe_finished(const struct mxt_event *ev)
{
	char *d = describe(ev), *out;
	if (asprintf(&out, "%s id %016llx cause %d delay %d %g unread %s", d,
	    (unsigned long long)ev->event_id, (int)ev->cause,
	    (int)ev->has_delay, ev->delay,
	    ev->unread.ptr == NULL ? "NULL" : "set") < 0)
		abort();
	free(d);
	return out;
}

static void
in_line_event(void *arg, const struct mxt_event *ev)
{
	struct finished *f = arg;
	if (f->n < 64)
		f->got[f->n++] = describe_finished(ev);
}

static int
finish_consume(void *arg, struct mxt_event *ev)
{
	struct finished *f = arg;
	mxt_event_classify(f->cls, ev);
	if (f->n < 64)
		f->got[f->n++] = describe_finished(ev);
	return 0;
}

static void
finish_push(void *arg, const struct mxt_event *ev)
{
	struct finished *f = arg;
	f->unfinished_pushed += ev->unfinished;
	f->ids_pushed += ev->event_id != 0;
	f->unread_pushed += ev->unread.ptr != NULL && !ev->has_delay &&
	    ev->dsn[0] == '\0' && ev->code == 0;
	mxt_event_pipe_push(f->pipe, ev);
}

/* The same lines through a pass that classifies and finishes its events
 * in line, and one with classify_later whose events the pipe finishes:
 * the consumer sees the same events, ids and lower-cased domains. */
static void
finish_later(void)
{
	struct mxt_error err;
	struct finished a = {0}, b = {0};
	struct mxt_pass_config cfg = {.year = 2024, .on_event = in_line_event,
	    .event_arg = &a, .classifier = mxt_classifier_create(NULL, &err)};
	struct mxt_pass *p = mxt_pass_create(&cfg);
	for (int i = 0; i < NFINISH; i++)
		mxt_pass_line(p, "finish", i + 1, 0, finish_lines[i],
		    strlen(finish_lines[i]));
	mxt_pass_destroy(p);

	b.cls = mxt_classifier_create(NULL, &err);
	b.pipe = mxt_event_pipe_create(finish_consume, &b);
	test_ok(b.pipe != NULL, "finish", "no thread started");
	if (b.pipe == NULL)
		return;
	struct mxt_pass_config later = {.year = 2024, .on_event = finish_push,
	    .event_arg = &b, .classify_later = true};
	p = mxt_pass_create(&later);
	for (int i = 0; i < NFINISH; i++)
		mxt_pass_line(p, "finish", i + 1, 0, finish_lines[i],
		    strlen(finish_lines[i]));
	mxt_pass_destroy(p);
	mxt_event_pipe_destroy(b.pipe);

	test_int("finish", "events in line", a.n, 10);
	test_int("finish", "events through the pipe", b.n, a.n);
	test_int("finish", "pushed unfinished", b.unfinished_pushed, a.n);
	test_int("finish", "pushed with an id", b.ids_pushed, 0);
	/* the Postfix deliveries' fields are read on the pipe's thread,
	 * but for the two an earlier reply waits for (matched by relay and
	 * code on the reading thread) */
	test_int("finish", "deliveries pushed unread", b.unread_pushed, 3);
	for (int i = 0; i < a.n && i < b.n; i++)
		test_str("finish", "event through the pipe", b.got[i],
		    strlen(b.got[i]), a.got[i]);
	/* what the in-line pass gave is right, not only equal */
	bool lowered = false, quoted = false, sender = false, ids = true;
	for (int i = 0; i < a.n; i++) {
		lowered |= strstr(a.got[i], "|[mail.example.org]|") != NULL;
		quoted |= strstr(a.got[i], "|[other.example.com]|") != NULL;
		sender |= strstr(a.got[i], "|[lists.example.net]|") != NULL;
		ids &= strstr(a.got[i], " id 0000000000000000 ") == NULL;
	}
	test_ok(lowered && quoted && sender, "finish",
	    "a domain not found lower-cased after the last '@'");
	test_ok(ids, "finish", "an event without an id");
	/* and the deliveries' fields are read: relay, address and port,
	 * dsn, code, delay; relay=none is no relay */
	static const char *const delivered[] = {
	    "[b.example]|[192.0.2.9]|[250 2.0.0 Ok: queued as 99]|",
	    "|2.0.0|6|",
	    "|250|0|NULL|25|1|-1|NULL|attempts|{mx1.b.example,192.0.2.11,25,",
	    " delay 1 0.3 unread NULL",
	    "[e.example]|[192.0.2.12]|[250 2.0.0 Ok: queued as 77]|",
	    "|250|0|NULL|2525|0|-1|NULL|no-attempts| id ",
	    " delay 1 0.5 unread NULL",
	    "[local]|[]|[delivered to mailbox]|",
	    " delay 1 0.75 unread NULL",
	    "[d@mx2.example]|[mx2.example]|NULL|[]|[]|[]|NULL|",
	    " delay 1 4 unread NULL",
	};
	for (size_t k = 0; k < sizeof delivered / sizeof delivered[0]; k++) {
		bool found = false;
		for (int i = 0; i < a.n; i++)
			found |= strstr(a.got[i], delivered[k]) != NULL;
		if (!found)
			printf("# not in any event: %s\n", delivered[k]);
		test_ok(found, "finish", "a delivery's fields not read");
	}
	/* both recipients of the attempt carry the refusal before it */
	int shared = 0;
	for (int i = 0; i < b.n; i++)
		shared += strstr(b.got[i], "@B.example]|[b.example]|NULL|[]|"
		    "[b.example]|[192.0.2.9]|") != NULL &&
		    strstr(b.got[i], "{mx1.b.example,192.0.2.11,25,") != NULL;
	test_int("finish", "deliveries with the earlier refusal", shared, 2);
	for (int i = 0; i < a.n; i++)
		free(a.got[i]);
	for (int i = 0; i < b.n; i++)
		free(b.got[i]);
	mxt_classifier_destroy(cfg.classifier);
	mxt_classifier_destroy(b.cls);
}

int
main(void)
{
	run("copies in order", 0);
	run("copies in order, fn failing from the 4000th", 4000);
	failure();
	wired();
	many_small();
	finish_later();
	mxt_event_pipe_destroy(NULL);
	return test_done();
}
