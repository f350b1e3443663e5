/*
 * testutil.c - see testutil.h.
 */
#include "testutil.h"

#include "internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int test_failures;
static int test_count;

bool
test_ok(bool ok, const char *name, const char *fmt, ...)
{
	test_count++;
	printf("%s %d - %s\n", ok ? "ok" : "not ok", test_count, name);
	if (!ok) {
		va_list ap;
		test_failures++;
		printf("# ");
		va_start(ap, fmt);
		vprintf(fmt, ap);
		va_end(ap);
		printf("\n");
	}
	return ok;
}

bool
test_str(const char *name, const char *field, const char *got,
    size_t got_len, const char *want)
{
	bool ok = strlen(want) == got_len &&
	    (got_len == 0 || memcmp(got, want, got_len) == 0);
	char label[512];
	snprintf(label, sizeof label, "%s: %s", name, field);
	return test_ok(ok, label, "got '%.*s', want '%s'", (int)got_len,
	    got ? got : "", want);
}

bool
test_int(const char *name, const char *field, long long got, long long want)
{
	char label[512];
	snprintf(label, sizeof label, "%s: %s", name, field);
	return test_ok(got == want, label, "got %lld, want %lld", got, want);
}

int
test_done(void)
{
	printf("1..%d\n", test_count);
	if (test_failures)
		printf("# %d of %d checks failed\n", test_failures, test_count);
	return test_failures ? 1 : 0;
}

static void
keep(char *dst, size_t size, struct mxt_str *s)
{
	size_t n = s->len < size - 1 ? s->len : size - 1;
	memcpy(dst, s->ptr ? s->ptr : "", n);
	dst[n] = '\0';
	s->ptr = dst;
	s->len = n;
}

void
test_capture_event(void *arg, const struct mxt_event *ev)
{
	struct test_capture *c = arg;
	c->events++;
	c->last = *ev;
	keep(c->text, sizeof c->text, &c->last.text);
	keep(c->recipient, sizeof c->recipient, &c->last.recipient);
	keep(c->domain, sizeof c->domain, &c->last.domain);
	keep(c->sender, sizeof c->sender, &c->last.sender);
	keep(c->relay, sizeof c->relay, &c->last.relay);
	keep(c->relay_ip, sizeof c->relay_ip, &c->last.relay_ip);
	keep(c->service, sizeof c->service, &c->last.service);
	keep(c->queue_id, sizeof c->queue_id, &c->last.queue_id);
	keep(c->host, sizeof c->host, &c->last.host);
}

void
test_capture_unparsed(void *arg, const char *source, long line_no,
    const char *reason, const char *line, size_t len)
{
	struct test_capture *c = arg;
	(void)source;
	(void)line_no;
	(void)line;
	(void)len;
	c->unparsed++;
	c->reason = reason;
}

#define STR(f) test_str(name, #f, ev->f.ptr, ev->f.len, w->f)

struct mxt_event
test_event(const char *status, const char *cause, const char *rcpt,
    int64_t t)
{
	struct mxt_event ev;
	memset(&ev, 0, sizeof ev);
	ev.status = (enum mxt_status)mxt_status_lookup(status);
	ev.cause = cause ? (enum mxt_cause)mxt_cause_lookup(cause) :
	    MXT_CAUSE_NONE;
	ev.direction = ev.status == MXT_STATUS_REJECTED ? MXT_DIR_IN :
	    MXT_DIR_OUT;
	ev.host = mxt_str_make("mx", 2);
	ev.recipient = mxt_str_make(rcpt, strlen(rcpt));
	const char *at = strchr(rcpt, '@');
	ev.domain = at ? mxt_str_make(at + 1, strlen(at + 1)) :
	    mxt_str_make("", 0);
	ev.time.sec = t;
	ev.time.valid = true;
	if (ev.status == MXT_STATUS_DELIVERED) {
		ev.text = mxt_str_make("250 ok", 6);
		ev.code = 250;
	} else {
		ev.text = mxt_str_make("450 try later", 13);
		ev.code = 450;
	}
	return ev;
}

void
test_event_fields(const char *name, const struct mxt_event *ev,
    const struct test_want *w)
{
	const char *st = mxt_status_name(ev->status);
	test_str(name, "status", st, strlen(st), w->status);
	const char *dir = mxt_direction_name(ev->direction);
	test_str(name, "direction", dir, strlen(dir), w->direction);
	STR(service);
	STR(queue_id);
	STR(recipient);
	STR(domain);
	STR(sender);
	STR(relay);
	STR(relay_ip);
	test_int(name, "port", ev->relay_port, w->port);
	test_int(name, "code", ev->code, w->code);
	test_str(name, "dsn", ev->dsn, strlen(ev->dsn), w->dsn);
	const char *ph = mxt_phase_name(ev->phase);
	test_str(name, "phase", ph ? ph : "", ph ? strlen(ph) : 0,
	    w->phase ? w->phase : "");
	if (w->text != NULL)
		STR(text);
	if (w->host != NULL)
		STR(host);
	if (w->time != NULL) {
		char buf[64];
		mxt_time_format(&ev->time, buf, sizeof buf);
		test_str(name, "time", buf, strlen(buf), w->time);
	}
}
