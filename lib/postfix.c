/*
 * postfix.c - Postfix log messages -> events.
 *
 * Lines handled (everything else from Postfix is counted as recognised
 * and ignored):
 *   delivery agents   QID: to=<r>, [orig_to=<o>,] relay=R, delay=D,
 *                     [delays=a/b/c/d, dsn=X.Y.Z,] status=S (text)
 *                     from smtp, lmtp, local, virtual, pipe, error, retry,
 *                     discard (any service name: the shape decides).
 *                     status=deliverable/undeliverable are address
 *                     verification probes: counted apart, no event.
 *   qmgr              QID: from=<s>, size=...   (sender of the message)
 *                     QID: from=<s>, status=expired, returned to sender
 *                     QID: removed              (end of the message)
 *   smtpd             QID: client=name[ip]   (first line of a message)
 *   cleanup, pickup   QID: message-id=<id>, QID: uid=N from=<s>  (first
 *                     line of a message, whichever comes first)
 *   smtpd/postscreen  NOQUEUE|QID: reject: CMD from client: text; from=<> to=<>
 *   cleanup           QID: reject: header|body ... from client; from=<>
 *                     to=<> proto=P helo=<h>: text
 *   any               milter-reject:, proxy-reject:; reject_warning: is
 *                     counted as a warning, never as a rejection.
 *   any               warning:, error:, fatal:, panic:; postscreen's
 *                     verdicts, anvil's statistics: local records of our
 *                     own trouble (ourside.c), no events.
 * Lines that carry status= or a reject verb but do not have these shapes
 * are reported as unparsed with the reason.
 *
 * Postfix joins lines of one message by queue id; so do we (track.c),
 * keyed by (host, queue id) since ids are unique per host only:
 * sender from qmgr, client from smtpd, deferred recipients so that an
 * expiry can be reported per recipient.
 */
#include "dialect.h"
#include "ourside.h"
#include "smtp.h"

#include <stdlib.h>

struct postfix_state {
	const char *syslog_name; /* NULL = any NAME */
	size_t syslog_name_len;
	char tag[128];           /* "NAME/SERVICE[pid]" (process_tag) */
};

static void *
postfix_create(const struct mxt_dialect_options *o)
{
	struct postfix_state *st = xcalloc(1, sizeof *st);
	st->syslog_name = o->syslog_name;
	if (o->syslog_name != NULL)
		st->syslog_name_len = strlen(o->syslog_name);
	return st;
}


/* Program "NAME/SERVICE" or "NAME/SUB/SERVICE": the service is the last
 * component; with --syslog-name the first must equal it. */
static bool
postfix_claim(void *state, const struct mxt_logline *ll)
{
	const struct postfix_state *st = state;
	const char *s = ll->program.ptr, *end = s + ll->program.len;
	const char *slash = scan_to(s, end, '/');
	if (slash == s || slash + 1 >= end)
		return false;
	if (st->syslog_name != NULL)
		return (size_t)(slash - s) == st->syslog_name_len &&
		    memcmp(s, st->syslog_name, st->syslog_name_len) == 0;
	return true;
}

static struct mxt_str
service_of(struct mxt_str program)
{
	size_t i = program.len;
	while (i > 0 && program.ptr[i - 1] != '/')
		i--;
	return mxt_str_make(program.ptr + i, program.len - i);
}

/* Postfix queue ids: short hex ("3F2A1C0D9") or long ("4Xq7Zq1abcz4dfg"). */
static bool
is_queue_id(const char *p, size_t n)
{
	if (n < 5 || n > 24)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!is_ascii_alnum(p[i]))
			return false;
	return true;
}

struct phase_word {
	const char *text;
	size_t len;
	enum mxt_phase phase;
};

/* "(in reply to X command)" and "while sending X" wordings, most specific
 * first: "end of DATA" before "DATA". */
static const struct phase_word phase_words[] = {
	{MXT_LIT("end of DATA"), MXT_PHASE_EOD},
	{MXT_LIT("end of data"), MXT_PHASE_EOD},
	{MXT_LIT("message body"), MXT_PHASE_EOD},
	{MXT_LIT("RCPT TO"), MXT_PHASE_RCPT},
	{MXT_LIT("MAIL FROM"), MXT_PHASE_MAIL},
	{MXT_LIT("DATA"), MXT_PHASE_DATA},
	{MXT_LIT("EHLO"), MXT_PHASE_HELO},
	{MXT_LIT("HELO"), MXT_PHASE_HELO},
	{MXT_LIT("LHLO"), MXT_PHASE_HELO},
	{MXT_LIT("STARTTLS"), MXT_PHASE_STARTTLS},
	{MXT_LIT("initial server greeting"), MXT_PHASE_GREETING},
	{MXT_LIT("BDAT"), MXT_PHASE_DATA},
};

static enum mxt_phase
phase_in(const char *p, const char *end)
{
	for (size_t i = 0; i < sizeof phase_words / sizeof phase_words[0]; i++)
		if (mxt_find_bytes(p, end, phase_words[i].text,
		    phase_words[i].len) != NULL)
			return phase_words[i].phase;
	return MXT_PHASE_NONE;
}

/*
 * The text in "status=S (text)" tells what the remote said, or why there
 * was no conversation. Fills code, dsn (when the dsn= field was absent),
 * phase and the relay when the relay= field did not name one.
 */
static void
analyse_delivery_text(struct mxt_event *ev)
{
	const char *p = ev->text.ptr, *end;
	const char *q, *h, *r;
	char dsn[MXT_DSN_SIZE] = "";
	bool suspended = false; /* a cached repeat: no reply this time */

	if (p == NULL) /* "status=deferred" with no text after it */
		return;
	end = p + ev->text.len; /* not before: NULL + 0 is undefined too */
	if ((q = skip_lit(p, end, "delivery temporarily suspended: ")) != NULL) {
		suspended = true;
		p = q;
	}
	bool no_relay = ev->relay.len == 0 || mxt_str_eq(ev->relay, "none");
	if ((h = skip_lit(p, end, "host ")) != NULL &&
	    ((q = find_lit(h, end, " said: ")) != NULL ||
	    (q = find_lit(h, end, " refused to talk to me: ")) != NULL)) {
		if (no_relay)
			mxt_smtp_hostaddr(h, q, &ev->relay, &ev->relay_ip,
			    &ev->relay_port);
		/* past the ": " that ends " said: " or "... to me: " */
		bool greeting = (r = skip_lit(q, end, " said: ")) == NULL;
		q = greeting ? q + MXT_LIT_LEN(" refused to talk to me: ") : r;
		if (!suspended && q < end)
			ev->code = mxt_smtp_reply(q, end, dsn);
		r = find_lit(q, end, "(in reply to ");
		ev->phase = greeting ? MXT_PHASE_GREETING :
		    r ? phase_in(r, end) : MXT_PHASE_NONE;
	} else if ((h = skip_lit(p, end, "connect to ")) != NULL) {
		/* "connect to host[ip]:25: Connection timed out": the host
		 * ends at the last ": " */
		const char *colon = find_lit(p, end, ": ");
		while (colon && colon + 2 < end &&
		    (q = find_lit(colon + 2, end, ": ")) != NULL)
			colon = q;
		if (colon && no_relay)
			mxt_smtp_hostaddr(h, colon, &ev->relay,
			    &ev->relay_ip, &ev->relay_port);
		ev->phase = MXT_PHASE_CONNECT;
	} else if ((h = skip_lit(p, end, "lost connection with ")) != NULL ||
	    (h = skip_lit(p, end, "conversation with ")) != NULL) {
		q = find_lit(h, end, " while ");
		if (q == NULL)
			q = find_lit(h, end, " timed out");
		if (q && no_relay)
			mxt_smtp_hostaddr(h, q, &ev->relay, &ev->relay_ip,
			    &ev->relay_port);
		ev->phase = phase_in(q ? q : h, end);
	} else if ((h = skip_lit(p, end, "TLS is required, but host ")) != NULL &&
	    (q = find_lit(h, end, " refused to start TLS: ")) != NULL) {
		/* the server answered STARTTLS with an error */
		if (no_relay)
			mxt_smtp_hostaddr(h, q, &ev->relay, &ev->relay_ip,
			    &ev->relay_port);
		q += MXT_LIT_LEN(" refused to start TLS: ");
		if (!suspended)
			ev->code = mxt_smtp_reply(q, end, dsn);
		ev->phase = MXT_PHASE_STARTTLS;
	} else if (find_lit(p, end, "TLS") != NULL &&
	    (has_lit(p, end, "TLS is required") ||
	    has_lit(p, end, "Cannot start TLS") ||
	    find_lit(p, end, "STARTTLS") != NULL)) {
		ev->phase = MXT_PHASE_STARTTLS;
	}
	if (ev->dsn[0] == '\0' && dsn[0] != '\0')
		memcpy(ev->dsn, dsn, sizeof dsn);
}

static bool
parse_number(const char *p, const char *end, double *out)
{
	char buf[32];
	size_t n = 0;
	while (p + n < end && n < sizeof buf - 1 &&
	    ((p[n] >= '0' && p[n] <= '9') || p[n] == '.'))
		n++;
	if (n == 0)
		return false;
	/* The common "0.52", "3612": digits, at most one dot, at most 15
	 * digits. Then the digits as an integer and the power of ten are
	 * both exact doubles, and one division rounds correctly: the value
	 * strtod gives (Clinger's fast path), without its ~600 instructions
	 * per call. Anything else goes to strtod. */
	uint64_t mant = 0;
	int digits = 0, frac = -1;
	for (size_t i = 0; i < n; i++) {
		if (p[i] == '.') {
			if (frac >= 0)
				goto slow;
			frac = 0;
			continue;
		}
		mant = mant * 10 + (uint64_t)(p[i] - '0');
		if (++digits > 15)
			goto slow;
		if (frac >= 0)
			frac++;
	}
	if (digits == 0)
		goto slow;
	static const double pow10[] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6,
	    1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};
	*out = frac > 0 ? (double)mant / pow10[frac] : (double)mant;
	return true;
slow:
	memcpy(buf, p, n);
	buf[n] = '\0';
	*out = strtod(buf, NULL);
	return true;
}

enum agent_status {
	AS_SENT, AS_DEFERRED, AS_BOUNCED, AS_EXPIRED, AS_PROBE, AS_UNKNOWN
};

static enum agent_status
agent_status(const char *p, const char *end, const char **after)
{
	static const struct {
		const char *word;
		size_t len;
		enum agent_status st;
	} words[] = {
		{MXT_LIT("sent"), AS_SENT},
		{MXT_LIT("deferred"), AS_DEFERRED},
		{MXT_LIT("bounced"), AS_BOUNCED},
		{MXT_LIT("expired"), AS_EXPIRED},
		{MXT_LIT("SOFTBOUNCE"), AS_DEFERRED}, /* soft_bounce = yes */
		{MXT_LIT("deliverable"), AS_PROBE},
		{MXT_LIT("undeliverable"), AS_PROBE},
		{MXT_LIT("undeliverable-but-not-cached"), AS_PROBE},
	};
	const char *w = p;
	while (p < end && *p != ' ' && *p != ',')
		p++;
	*after = p;
	for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
		if ((size_t)(p - w) == words[i].len &&
		    memcmp(w, words[i].word, words[i].len) == 0)
			return words[i].st;
	return AS_UNKNOWN;
}

static const enum mxt_status status_of[] = {
	[AS_SENT] = MXT_STATUS_DELIVERED,
	[AS_DEFERRED] = MXT_STATUS_DEFERRED,
	[AS_BOUNCED] = MXT_STATUS_BOUNCED,
	[AS_EXPIRED] = MXT_STATUS_EXPIRED,
};

/*
 * Earlier MX replies (attempts.c): the smtp process that logs them logs
 * the final status lines of the same delivery next, so they wait under
 * the process, "NAME/SERVICE[pid]" (false without a pid: the lines of
 * concurrent processes could not be told apart).
 */
static bool
process_tag(struct postfix_state *st, const struct mxt_logline *ll,
    struct mxt_str *tag)
{
	size_t n = ll->program.len + ll->pid.len + 2;
	if (ll->pid.len == 0 || n > sizeof st->tag)
		return false;
	memcpy(st->tag, ll->program.ptr, ll->program.len);
	st->tag[ll->program.len] = '[';
	memcpy(st->tag + ll->program.len + 1, ll->pid.ptr, ll->pid.len);
	st->tag[n - 1] = ']';
	*tag = mxt_str_make(st->tag, n);
	return true;
}

/*
 * A host's reply before the final line (smtp_trouble.c, smtp_connect.c):
 * "QID: host X[ip] said: ...", "QID: host X[ip] refused to talk to me:
 * ...", "QID: lost connection with X[ip] while ...", "QID: conversation
 * with X[ip] timed out while ...", "QID: TLS is required, but host X[ip]
 * refused to start TLS: ...", and without the queue id "connect to
 * X[ip]:25: reason". s is the text after "QID: " (qid empty: the whole
 * message). True when the line was one.
 */
static bool
earlier_reply(struct postfix_state *st, struct mxt_sink *sink,
    const struct mxt_logline *ll, struct mxt_str qid, const char *s,
    const char *end)
{
	static const struct {
		const char *text;
		size_t len;
	} shapes[] = {
		{MXT_LIT("host ")},
		{MXT_LIT("lost connection with ")},
		{MXT_LIT("conversation with ")},
		{MXT_LIT("TLS is required, but host ")},
	};
	bool found = qid.len == 0 ? has_lit(s, end, "connect to ") : false;
	for (size_t i = 0; !found && i < sizeof shapes / sizeof shapes[0]; i++)
		found = mxt_has_bytes(s, end, shapes[i].text, shapes[i].len);
	if (!found)
		return false;
	struct mxt_str tag;
	if (!process_tag(st, ll, &tag))
		return true;
	/* the same words as a status line's text: read them the same way */
	struct mxt_event ev;
	mxt_event_init(&ev, ll, MXT_MTA_POSTFIX);
	ev.text = mxt_str_make(s, (size_t)(end - s));
	analyse_delivery_text(&ev);
	if (ev.relay_ip.len == 0)
		return false; /* not a remote host's: no "[address]" */
	struct mxt_attempt a = {.relay = ev.relay, .relay_ip = ev.relay_ip,
	    .relay_port = ev.relay_port, .code = ev.code, .phase = ev.phase,
	    .text = ev.text};
	memcpy(a.dsn, ev.dsn, sizeof a.dsn);
	mxt_sink_attempt(sink, ll->host, tag, qid, &ll->time, &a);
	return true;
}

/* One field of a delivery line, from p (after the ", " before it) to
 * fe: relay=, delay= and dsn= are read, the others skipped. */
static void
field(struct mxt_event *ev, const char *p, const char *fe)
{
	const char *v;
	while (p < fe && (*p == ',' || *p == ' '))
		p++;
	if ((v = skip_lit(p, fe, "relay=")) != NULL)
		mxt_smtp_hostaddr(v, fe, &ev->relay, &ev->relay_ip,
		    &ev->relay_port);
	else if ((v = skip_lit(p, fe, "delay=")) != NULL)
		ev->has_delay = parse_number(v, fe, &ev->delay);
	else if ((v = skip_lit(p, fe, "dsn=")) != NULL)
		mxt_smtp_dsn(v, fe, 0, NULL, ev->dsn);
}

/* The first " status=" after a delivery's key=value fields, from q
 * (after its recipient) to end; NULL when there is none. With ev, the
 * fields on the way, each ending at ", " (the last at the status), are
 * read into it: relay=, delay= and dsn=. One pass over the spaces finds
 * both, where searching for the one and then for the other read the
 * fields twice. */
static inline const char *
delivery_fields(struct mxt_event *ev, const char *q, const char *end)
{
	for (const char *sp = q; sp < end; sp++) {
		sp = scan_to(sp, end, ' ');
		if (sp == end)
			break;
		if (has_lit(sp, end, " status=")) {
			if (ev != NULL) {
				field(ev, q, sp);
				if (mxt_str_eq(ev->relay, "none"))
					ev->relay = mxt_str_make("", 0);
			}
			return sp;
		}
		if (ev != NULL && sp > q && sp[-1] == ',') {
			field(ev, q, sp - 1);
			q = sp - 1;
		}
	}
	return NULL;
}

/* A delivery's text ("250 2.0.0 Ok: queued as ...") is the server's
 * reply; "status=sent" may have no text at all (no NULL + 0). */
static void
delivered_code(struct mxt_event *ev)
{
	if (ev->text.ptr != NULL)
		ev->code = mxt_smtp_reply(ev->text.ptr,
		    ev->text.ptr + ev->text.len, NULL);
}

/* The rest of a delivered event whose fields parse left unread (struct
 * mxt_sink.later), on the consumer's thread: most events are deliveries
 * (three in four on the Postfix bench log), and reading their relay,
 * delay, dsn and code there took 7% of the reading thread's instructions
 * to the thread that waits for it. */
static void
postfix_finish(struct mxt_event *ev)
{
	struct mxt_str f = ev->unread; /* up to " status=" and it */
	ev->unread = mxt_str_make(NULL, 0);
	delivery_fields(ev, f.ptr, f.ptr + f.len);
	delivered_code(ev);
}

/* "to=<r>, [orig_to=<o>,] relay=R, ... status=S (text)" after "QID: ";
 * a points past "to=". */
static void
delivery(struct postfix_state *ps, struct mxt_sink *sink,
    const struct mxt_logline *ll, struct mxt_str service, struct mxt_str qid,
    const char *a, const char *end)
{
	struct mxt_event ev;
	const char *q;

	mxt_event_init(&ev, ll, MXT_MTA_POSTFIX);
	ev.service = service;
	ev.queue_id = qid;
	ev.direction = MXT_DIR_OUT;
	if (*a != '<') {
		/* "to=user@domain, relay=..." without brackets: not what
		 * Postfix writes, but what log anonymisers and exports make
		 * of it; the address then ends at the first ", ". */
		q = find_lit(a, end, ", ");
		if (q == NULL) {
			mxt_sink_unparsed(sink, "delivery line without status=");
			return;
		}
		ev.recipient = mxt_str_make(a, (size_t)(q - a));
	} else if (!mxt_smtp_angle_addr(a, end, &ev.recipient, &q)) {
		mxt_sink_unparsed(sink, "to=<...> address not closed (cut line?)");
		return;
	}
	/* with a consumer on a thread of its own (sink->later) most
	 * deliveries leave their fields to it (postfix_finish): read later */
	const char *st = sink->later ? delivery_fields(NULL, q, end) :
	    delivery_fields(&ev, q, end);
	if (st == NULL) {
		mxt_sink_unparsed(sink, "delivery line without status=");
		return;
	}

	const char *after;
	enum agent_status as = agent_status(st + MXT_LIT_LEN(" status="), end,
	    &after);
	if (as == AS_UNKNOWN) {
		mxt_sink_unparsed(sink, "unknown delivery status");
		return;
	}
	if (as == AS_PROBE) {
		mxt_sink_count(sink, MXT_COUNTER_PROBES);
		return;
	}
	ev.status = status_of[as];
	if (after + 1 < end && after[0] == ' ' && after[1] == '(') {
		const char *te = end;
		if (te[-1] == ')')
			te--;
		ev.text = mxt_str_make(after + 2, (size_t)(te - after - 2));
	}
	struct mxt_str tag;
	bool tagged = process_tag(ps, ll, &tag);
	if (sink->later) {
		/* the earlier replies of the attempt, if any wait, are
		 * matched by the event's relay and code
		 * (mxt_sink_attempts_take); nothing else on this thread reads
		 * a delivery's fields */
		const char *fe = st + MXT_LIT_LEN(" status=");
		if (ev.status == MXT_STATUS_DELIVERED && !(tagged &&
		    mxt_sink_attempts_pending(sink, ll->host, tag, &ev.time)))
			ev.unread = mxt_str_make(q, (size_t)(fe - q));
		else
			delivery_fields(&ev, q, fe);
	}
	if (ev.unread.ptr == NULL) {
		if (ev.status != MXT_STATUS_DELIVERED)
			analyse_delivery_text(&ev);
		else
			delivered_code(&ev);
	}

	/* added, not just looked up: the sink would add it anyway */
	struct mxt_msg *m = mxt_sink_msg_add(sink, ev.host, qid);
	if (m != NULL) {
		if (m->sender != NULL)
			ev.sender = mxt_str_make(m->sender, strlen(m->sender));
		if (ev.status == MXT_STATUS_DEFERRED)
			mxt_msg_defer(m, ev.recipient.ptr, ev.recipient.len,
			    ev.text.ptr, ev.text.len, ev.code, ev.dsn);
		else
			mxt_msg_final(m, ev.recipient.ptr, ev.recipient.len);
	}
	/* a take with no reply waiting would do nothing (unread) */
	if (tagged && ev.unread.ptr == NULL)
		mxt_sink_attempts_take(sink, ll->host, tag, &ev);
	mxt_sink_emit(sink, &ev, m);
}

/* qmgr "from=<s>, status=expired, returned to sender": one expired event
 * per recipient still deferred, with its last reason. */
static void
expired(struct mxt_sink *sink, const struct mxt_logline *ll,
    struct mxt_str service, struct mxt_str qid, struct mxt_msg *m,
    struct mxt_str sender)
{
	struct mxt_event ev;

	mxt_event_init(&ev, ll, MXT_MTA_POSTFIX);
	ev.service = service;
	ev.queue_id = qid;
	ev.direction = MXT_DIR_OUT;
	ev.status = MXT_STATUS_EXPIRED;
	ev.sender = sender;
	if (m == NULL || m->pending == NULL) {
		static const char why[] = "message expired, returned to sender";
		ev.text = mxt_str_make(why, sizeof why - 1);
		mxt_sink_emit(sink, &ev, m);
		return;
	}
	while (m->pending != NULL) {
		struct mxt_pending_rcpt *r = m->pending;
		struct mxt_event e = ev;
		e.recipient = mxt_str_make(r->addr, strlen(r->addr));
		e.text = mxt_str_make(r->text ? r->text : "",
		    r->text ? strlen(r->text) : 0);
		e.code = r->code;
		memcpy(e.dsn, r->dsn, sizeof e.dsn);
		mxt_sink_emit(sink, &e, m);
		mxt_msg_final(m, r->addr, strlen(r->addr));
	}
}

static void
qmgr(struct mxt_sink *sink, const struct mxt_logline *ll, struct mxt_str service,
    struct mxt_str qid, const char *s, const char *end)
{
	if (has_lit(s, end, "removed")) {
		mxt_sink_msg_end(sink, ll->host, qid);
		return;
	}
	if (!has_lit(s, end, "from=<"))
		return;
	struct mxt_str sender;
	const char *q;
	if (!mxt_smtp_angle_addr(s + MXT_LIT_LEN("from="), end, &sender, &q))
		return;
	if (has_lit(q, end, ", status=expired") ||
	    has_lit(q, end, ", status=force-expired")) {
		struct mxt_msg *m = mxt_sink_msg_get(sink, ll->host, qid);
		expired(sink, ll, service, qid, m, sender);
		return;
	}
	struct mxt_msg *m = mxt_sink_msg_add(sink, ll->host, qid);
	if (m != NULL)
		mxt_msg_set(m, &m->sender, sender.ptr, sender.len);
	/* ", size=N, nrcpt=M (queue active)": the queue file's size, logged
	 * each time the message enters the active queue; the pass tells the
	 * first (struct mxt_received) */
	const char *v = skip_lit(q, end, ", size=");
	if (v != NULL && m != NULL && m->recv != MXT_RECV_DONE) {
		struct mxt_received r = {.kind = MXT_RECEIVED,
		    .mta = MXT_MTA_POSTFIX, .host = ll->host, .id = qid,
		    .time = ll->time, .bytes = mxt_parse_u64(v, end)};
		mxt_sink_received(sink, &r, m);
	}
}

struct reject_cmd {
	const char *word;
	size_t len;
	enum mxt_phase phase;
};

static const struct reject_cmd reject_cmds[] = {
	{MXT_LIT("RCPT"), MXT_PHASE_RCPT},
	{MXT_LIT("MAIL"), MXT_PHASE_MAIL},
	{MXT_LIT("CONNECT"), MXT_PHASE_CONNECT},
	{MXT_LIT("EHLO"), MXT_PHASE_HELO},
	{MXT_LIT("HELO"), MXT_PHASE_HELO},
	{MXT_LIT("DATA"), MXT_PHASE_DATA},
	{MXT_LIT("BDAT"), MXT_PHASE_DATA},
	{MXT_LIT("END-OF-MESSAGE"), MXT_PHASE_EOD},
	{MXT_LIT("STARTTLS"), MXT_PHASE_STARTTLS},
	{MXT_LIT("header"), MXT_PHASE_EOD},
	{MXT_LIT("body"), MXT_PHASE_EOD},
	{MXT_LIT("VRFY"), MXT_PHASE_NONE},
	{MXT_LIT("ETRN"), MXT_PHASE_NONE},
	{MXT_LIT("AUTH"), MXT_PHASE_NONE},
	{MXT_LIT("UNKNOWN"), MXT_PHASE_NONE},
};

/* The envelope trailer "from=<s> to=<r>" (smtpd) or "from=<s>, to=<r>,"
 * (postscreen), from t to end. */
static void
envelope(const char *t, const char *end, struct mxt_event *ev)
{
	const char *q, *after;
	if ((q = find_lit(t, end, "from=<")) != NULL &&
	    mxt_smtp_angle_addr(q + MXT_LIT_LEN("from="), end, &ev->sender,
	    &after))
		t = after;
	if ((q = find_lit(t, end, "to=<")) != NULL)
		mxt_smtp_angle_addr(q + MXT_LIT_LEN("to="), end, &ev->recipient,
		    &after);
}

/* Last occurrence of lit in [p, end). */
#define find_last(p, end, lit) \
	find_last_bytes((p), (end), "" lit "", MXT_LIT_LEN(lit))
static const char *
find_last_bytes(const char *p, const char *end, const char *b, size_t n)
{
	const char *last = NULL, *q;
	while ((q = mxt_find_bytes(p, end, b, n)) != NULL) {
		last = q;
		p = q + 1;
	}
	return last;
}

/* "CMD from client: text; from=<s> to=<r> proto=P helo=<h>" after
 * "reject: " (smtpd, postscreen, milter-reject, proxy-reject), or the
 * cleanup form "header|body TEXT from client; from=<s> to=<r> ...: text". */
static void
rejection(struct mxt_sink *sink, const struct mxt_logline *ll,
    struct mxt_str service, struct mxt_str qid, const char *s, const char *end)
{
	struct mxt_event ev;
	const struct reject_cmd *cmd = NULL;

	mxt_event_init(&ev, ll, MXT_MTA_POSTFIX);
	ev.service = service;
	ev.queue_id = qid;
	ev.direction = MXT_DIR_IN;
	ev.status = MXT_STATUS_REJECTED;

	for (size_t i = 0; i < sizeof reject_cmds / sizeof reject_cmds[0]; i++) {
		size_t n = reject_cmds[i].len;
		if (mxt_has_bytes(s, end, reject_cmds[i].word, n) && s + n < end &&
		    (s[n] == ' ' || s[n] == ':')) {
			cmd = &reject_cmds[i];
			break;
		}
	}
	if (cmd == NULL) {
		mxt_sink_unparsed(sink, "reject of an unknown SMTP command");
		return;
	}
	ev.phase = cmd->phase;

	const char *trailer;
	const char *text, *text_end, *client;
	if (cmd->word[0] == 'h' || cmd->word[0] == 'b') {
		/* cleanup: the client comes before the trailer, text after */
		trailer = find_last(s, end, "; from=<");
		if (trailer == NULL)
			trailer = find_last(s, end, "; to=<");
		if (trailer == NULL) {
			mxt_sink_unparsed(sink, "content reject without envelope");
			return;
		}
		client = find_last(s, trailer, " from ");
		const char *colon = find_lit(trailer, end, ">: ");
		text = colon ? colon + MXT_LIT_LEN(">: ") : end;
		text_end = end;
		envelope(trailer, colon ? colon + 1 : end, &ev);
		if (client != NULL)
			mxt_smtp_hostaddr(client + MXT_LIT_LEN(" from "),
			    trailer, &ev.relay,
			    &ev.relay_ip, &ev.relay_port);
	} else {
		const char *from = s + cmd->len;
		if ((client = skip_lit(from, end, " from ")) == NULL) {
			/* proxy-reject: "END-OF-MESSAGE: text; from=<>" */
			text = from + (from < end && *from == ':' ? 1 : 0);
		} else {
			/* client ends at "]: " or "]:port: " */
			const char *ce = find_lit(client, end, "]: ");
			const char *cp = find_lit(client, end, "]:");
			if (ce == NULL && cp == NULL) {
				mxt_sink_unparsed(sink,
				    "reject without client address");
				return;
			}
			if (ce == NULL || (cp != NULL && cp < ce)) {
				/* "[ip]:port: " */
				ce = find_lit(cp + MXT_LIT_LEN("]:"), end, ": ");
				if (ce == NULL) {
					mxt_sink_unparsed(sink,
					    "reject without reply text");
					return;
				}
			} else {
				ce += 1;
			}
			mxt_smtp_hostaddr(client, ce, &ev.relay, &ev.relay_ip,
			    &ev.relay_port);
			text = ce + 1;
		}
		while (text < end && *text == ' ')
			text++;
		/* the envelope trailer follows the reply text; one found
		 * before it (inside the client part: "from ; from=<]: ")
		 * is no trailer */
		trailer = find_last(text, end, "; from=<");
		if (trailer == NULL)
			trailer = find_last(text, end, "; to=<");
		text_end = trailer ? trailer : end;
		if (trailer)
			envelope(trailer, end, &ev);
	}
	if (ev.relay.len == 0 && ev.relay_ip.len == 0 && client == NULL) {
		struct mxt_msg *m = mxt_sink_msg_get(sink, ll->host, qid);
		if (m && m->client_name)
			ev.relay = mxt_str_make(m->client_name,
			    strlen(m->client_name));
		if (m && m->client_ip)
			ev.relay_ip = mxt_str_make(m->client_ip,
			    strlen(m->client_ip));
	}
	if (text >= text_end && client != NULL) {
		/* smtpd always logs the reply it sent (proxy-reject may
		 * have none: "END-OF-MESSAGE: ; from=<...>") */
		mxt_sink_unparsed(sink, "reject without reply text");
		return;
	}
	if (qid.len > 0 && (cmd->phase == MXT_PHASE_EOD ||
	    cmd->phase == MXT_PHASE_DATA)) {
		/* rejected with its content (cleanup, milter, proxy): it
		 * will not enter the queue, so it is not received */
		struct mxt_msg *m = mxt_sink_msg_add(sink, ll->host, qid);
		if (m != NULL && m->recv != MXT_RECV_DONE) {
			struct mxt_received r = {.kind = MXT_RECEIVED,
			    .mta = MXT_MTA_POSTFIX, .host = ll->host,
			    .id = qid, .time = ll->time, .refused = true};
			mxt_sink_received(sink, &r, m);
		}
	}
	ev.text = mxt_str_make(text, (size_t)(text_end - text));
	ev.code = mxt_smtp_reply(text, text_end, ev.dsn);
	if (ev.code == 0)
		mxt_smtp_dsn(text, text_end, 0, NULL, ev.dsn);
	mxt_sink_emit(sink, &ev, NULL);
}

static void
postfix_parse(void *state, struct mxt_sink *sink,
    const struct mxt_logline *ll)
{
	const char *s = ll->msg.ptr, *end = s + ll->msg.len;
	struct mxt_str service = service_of(ll->program);
	struct mxt_str qid = {"", 0};
	const char *q;

	/* the MTA's own trouble (ourside.c): warning:, error:, fatal:,
	 * panic:, postscreen's verdicts, anvil's statistics; no events */
	if (s < end && (*s == 'w' || *s == 'e' || *s == 'f' || *s == 'p' ||
	    mxt_str_eq(service, "postscreen") || mxt_str_eq(service, "anvil"))) {
		struct mxt_local local;
		if (mxt_ourside_postfix(ll, service, s, end, &local)) {
			mxt_sink_local(sink, &local);
			return;
		}
	}

	/* "QID: " or "NOQUEUE: " prefix */
	const char *colon = scan_to(s, end, ':');
	if (colon + 1 < end && colon[1] == ' ') {
		size_t n = (size_t)(colon - s);
		if (n == MXT_LIT_LEN("NOQUEUE") && has_lit(s, colon, "NOQUEUE")) {
			s = colon + 2;
		} else if (is_queue_id(s, n)) {
			qid = mxt_str_make(s, n);
			s = colon + 2;
		}
	}

	if ((q = skip_lit(s, end, "reject: ")) != NULL ||
	    (q = skip_lit(s, end, "milter-reject: ")) != NULL ||
	    (q = skip_lit(s, end, "proxy-reject: ")) != NULL)
		rejection(sink, ll, service, qid, q, end);
	else if (has_lit(s, end, "reject_warning: ") ||
	    has_lit(s, end, "milter-reject_warning: "))
		mxt_sink_count(sink, MXT_COUNTER_REJECT_WARNINGS);
	else if (qid.len == 0) {
		if (earlier_reply(state, sink, ll, qid, s, end))
			return;
		if (find_lit(s, end, "status=") != NULL &&
		    find_lit(s, end, "to=<") != NULL)
			mxt_sink_unparsed(sink, "delivery line without queue id");
	} else if ((q = skip_lit(s, end, "to=")) != NULL && q < end)
		delivery(state, sink, ll, service, qid, q, end);
	/* the prefixes below and earlier_reply's shapes exclude each other:
	 * the message's own lines, most of a log, are tested first */
	else if (has_lit(s, end, "from=<") || has_lit(s, end, "removed"))
		qmgr(sink, ll, service, qid, s, end);
	else if (has_lit(s, end, "message-id=") ||
	    has_lit(s, end, "uid=")) {
		/* cleanup logs message-id= for every new message, pickup
		 * uid= for local submissions: the message starts here */
		struct mxt_msg *m = mxt_sink_msg_start(sink, ll->host, qid);
		if (m != NULL && s[0] == 'm') {
			/* cleanup logs message-id= once per message, the
			 * header absent or not (an id used again begins a
			 * new one): the message is received when qmgr first
			 * logs its size (struct mxt_received) */
			m->recv = MXT_RECV_DUE;
			const char *v = s + MXT_LIT_LEN("message-id=");
			mxt_msg_set_message_id(m, v,
			    (size_t)(token_end(v, end) - v));
		}
	} else if (has_lit(s, end, "client=")) {
		struct mxt_msg *m = mxt_sink_msg_start(sink, ll->host, qid);
		const char *ce = find_lit(s, end, ", ");
		struct mxt_str name, ip;
		int port;
		mxt_smtp_hostaddr(s + MXT_LIT_LEN("client="), ce ? ce : end,
		    &name, &ip, &port);
		if (m != NULL) {
			mxt_msg_set(m, &m->client_name, name.ptr, name.len);
			mxt_msg_set(m, &m->client_ip, ip.ptr, ip.len);
		}
	} else if (earlier_reply(state, sink, ll, qid, s, end)) {
		return;
	} else if (find_lit(s, end, "status=") != NULL &&
	    find_lit(s, end, "relay=") != NULL)
		mxt_sink_unparsed(sink, "delivery line without to=<address>");
}

const struct mxt_dialect mxt_dialect_postfix = {
	.name = "postfix",
	.mta = MXT_MTA_POSTFIX,
	.create = postfix_create,
	.destroy = free,
	.claim = postfix_claim,
	.parse = postfix_parse,
	.finish = postfix_finish,
};
