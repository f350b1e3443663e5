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
 *   smtpd             QID: client=name[ip]
 *   smtpd/postscreen  NOQUEUE|QID: reject: CMD from client: text; from=<> to=<>
 *   cleanup           QID: reject: header|body ... from client; from=<>
 *                     to=<> proto=P helo=<h>: text
 *   any               milter-reject:, proxy-reject:; reject_warning: is
 *                     counted as a warning, never as a rejection.
 * Lines that carry status= or a reject verb but do not have these shapes
 * are reported as unparsed with the reason.
 *
 * Postfix joins lines of one message by queue id; so do we (track.c):
 * sender from qmgr, client from smtpd, deferred recipients so that an
 * expiry can be reported per recipient.
 */
#include "internal.h"

#include <stdlib.h>

/* Program "NAME/SERVICE" or "NAME/SUB/SERVICE": the service is the last
 * component; with --syslog-name the first must equal it. */
static bool
postfix_claim(const struct mxt_pass *p, const struct mxt_logline *ll)
{
	const char *s = ll->program.ptr, *end = s + ll->program.len;
	const char *slash = memchr(s, '/', ll->program.len);
	if (slash == NULL || slash == s || slash + 1 >= end)
		return false;
	if (p->cfg.syslog_name != NULL)
		return (size_t)(slash - s) == p->syslog_name_len &&
		    memcmp(s, p->cfg.syslog_name, p->syslog_name_len) == 0;
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
	for (size_t i = 0; i < n; i++) {
		char c = p[i];
		if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') ||
		    (c >= 'a' && c <= 'z')))
			return false;
	}
	return true;
}

/* "<addr>" at p: the address without brackets; *after past the '>'.
 * The address ends at the first ">" followed by a separator or the end,
 * since addresses may hold '>' in quoted local parts. */
static bool
angle_addr(const char *p, const char *end, struct mxt_str *addr,
    const char **after)
{
	if (p >= end || *p != '<')
		return false;
	const char *q = p + 1;
	for (;;) {
		const char *gt = memchr(q, '>', (size_t)(end - q));
		if (gt == NULL)
			return false;
		if (gt + 1 == end || gt[1] == ',' || gt[1] == ' ' ||
		    gt[1] == ';' || gt[1] == ':') {
			*addr = mxt_str_make(p + 1, (size_t)(gt - p - 1));
			*after = gt + 1;
			return true;
		}
		q = gt + 1;
	}
}

struct phase_word {
	const char *text;
	enum mxt_phase phase;
};

/* "(in reply to X command)" and "while sending X" wordings, most specific
 * first: "end of DATA" before "DATA". */
static const struct phase_word phase_words[] = {
	{"end of DATA", MXT_PHASE_EOD},
	{"end of data", MXT_PHASE_EOD},
	{"message body", MXT_PHASE_EOD},
	{"RCPT TO", MXT_PHASE_RCPT},
	{"MAIL FROM", MXT_PHASE_MAIL},
	{"DATA", MXT_PHASE_DATA},
	{"EHLO", MXT_PHASE_HELO},
	{"HELO", MXT_PHASE_HELO},
	{"LHLO", MXT_PHASE_HELO},
	{"STARTTLS", MXT_PHASE_STARTTLS},
	{"initial server greeting", MXT_PHASE_GREETING},
	{"BDAT", MXT_PHASE_DATA},
};

static enum mxt_phase
phase_in(const char *p, const char *end)
{
	for (size_t i = 0; i < sizeof phase_words / sizeof phase_words[0]; i++)
		if (find_lit(p, end, phase_words[i].text) != NULL)
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
	const char *q;
	char dsn[16] = "";
	bool suspended = false; /* a cached repeat: no reply this time */

	if (p == NULL) /* "status=deferred" with no text after it */
		return;
	end = p + ev->text.len; /* not before: NULL + 0 is undefined too */
	if (has_prefix(p, end, "delivery temporarily suspended: ")) {
		suspended = true;
		p += strlen("delivery temporarily suspended: ");
	}
	if (has_prefix(p, end, "host ") &&
	    ((q = find_lit(p, end, " said: ")) != NULL ||
	    (q = find_lit(p, end, " refused to talk to me: ")) != NULL)) {
		if (ev->relay.len == 0 || mxt_str_eq(ev->relay, "none"))
			mxt_parse_hostaddr(p + 5, q, &ev->relay, &ev->relay_ip,
			    &ev->relay_port);
		bool greeting = q[1] == 'r';
		/* past the ": " that ends " said: " or "... to me: " */
		q += greeting ? strlen(" refused to talk to me: ") :
		    strlen(" said: ");
		if (!suspended && q < end)
			ev->code = mxt_parse_reply_code(q, end, dsn);
		const char *r = find_lit(q, end, "(in reply to ");
		ev->phase = greeting ? MXT_PHASE_GREETING :
		    r ? phase_in(r, end) : MXT_PHASE_NONE;
	} else if (has_prefix(p, end, "connect to ")) {
		q = find_lit(p, end, ": ");
		/* "connect to host[ip]:25: Connection timed out" */
		const char *colon = q;
		while (colon && colon + 2 < end &&
		    (q = find_lit(colon + 2, end, ": ")) != NULL)
			colon = q;
		if (colon && (ev->relay.len == 0 || mxt_str_eq(ev->relay, "none")))
			mxt_parse_hostaddr(p + 11, colon, &ev->relay,
			    &ev->relay_ip, &ev->relay_port);
		ev->phase = MXT_PHASE_CONNECT;
	} else if (has_prefix(p, end, "lost connection with ") ||
	    has_prefix(p, end, "conversation with ")) {
		const char *h = has_prefix(p, end, "lost") ? p + 21 : p + 18;
		q = find_lit(h, end, " while ");
		if (q == NULL)
			q = find_lit(h, end, " timed out");
		if (q && (ev->relay.len == 0 || mxt_str_eq(ev->relay, "none")))
			mxt_parse_hostaddr(h, q, &ev->relay, &ev->relay_ip,
			    &ev->relay_port);
		ev->phase = phase_in(q ? q : h, end);
	} else if (has_prefix(p, end, "TLS is required, but host ") &&
	    (q = find_lit(p, end, " refused to start TLS: ")) != NULL) {
		/* the server answered STARTTLS with an error */
		const char *h = p + strlen("TLS is required, but host ");
		if (ev->relay.len == 0 || mxt_str_eq(ev->relay, "none"))
			mxt_parse_hostaddr(h, q, &ev->relay, &ev->relay_ip,
			    &ev->relay_port);
		q += strlen(" refused to start TLS: ");
		if (!suspended)
			ev->code = mxt_parse_reply_code(q, end, dsn);
		ev->phase = MXT_PHASE_STARTTLS;
	} else if (find_lit(p, end, "TLS") != NULL &&
	    (has_prefix(p, end, "TLS is required") ||
	    has_prefix(p, end, "Cannot start TLS") ||
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
		enum agent_status st;
	} words[] = {
		{"sent", AS_SENT},
		{"deferred", AS_DEFERRED},
		{"bounced", AS_BOUNCED},
		{"expired", AS_EXPIRED},
		{"SOFTBOUNCE", AS_DEFERRED}, /* soft_bounce = yes */
		{"deliverable", AS_PROBE},
		{"undeliverable", AS_PROBE},
		{"undeliverable-but-not-cached", AS_PROBE},
	};
	const char *w = p;
	while (p < end && *p != ' ' && *p != ',')
		p++;
	*after = p;
	for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
		if ((size_t)(p - w) == strlen(words[i].word) &&
		    memcmp(w, words[i].word, (size_t)(p - w)) == 0)
			return words[i].st;
	return AS_UNKNOWN;
}

static const enum mxt_status status_of[] = {
	[AS_SENT] = MXT_STATUS_DELIVERED,
	[AS_DEFERRED] = MXT_STATUS_DEFERRED,
	[AS_BOUNCED] = MXT_STATUS_BOUNCED,
	[AS_EXPIRED] = MXT_STATUS_EXPIRED,
};

/* "to=<r>, [orig_to=<o>,] relay=R, ... status=S (text)" after "QID: ". */
static void
delivery(struct mxt_pass *p, const struct mxt_logline *ll,
    struct mxt_str service, struct mxt_str qid, const char *s,
    const char *end)
{
	struct mxt_event ev;
	const char *q;

	mxt_event_init(&ev, ll, MXT_MTA_POSTFIX);
	ev.service = service;
	ev.queue_id = qid;
	ev.direction = MXT_DIR_OUT;
	if (s[3] != '<') {
		/* "to=user@domain, relay=..." without brackets: not what
		 * Postfix writes, but what log anonymisers and exports make
		 * of it; the address then ends at the first ", ". */
		q = find_lit(s + 3, end, ", ");
		if (q == NULL) {
			mxt_pass_unparsed(p, "delivery line without status=");
			return;
		}
		ev.recipient = mxt_str_make(s + 3, (size_t)(q - s - 3));
	} else if (!angle_addr(s + 3, end, &ev.recipient, &q)) {
		mxt_pass_unparsed(p, "to=<...> address not closed (cut line?)");
		return;
	}
	/* key=value fields up to status= */
	const char *st = find_lit(q, end, " status=");
	if (st == NULL) {
		mxt_pass_unparsed(p, "delivery line without status=");
		return;
	}
	while (q < st) {
		while (q < st && (*q == ',' || *q == ' '))
			q++;
		const char *fe = find_lit(q, st, ", ");
		if (fe == NULL)
			fe = st;
		if (has_prefix(q, fe, "relay=")) {
			mxt_parse_hostaddr(q + 6, fe, &ev.relay, &ev.relay_ip,
			    &ev.relay_port);
		} else if (has_prefix(q, fe, "delay=")) {
			ev.has_delay = parse_number(q + 6, fe, &ev.delay);
		} else if (has_prefix(q, fe, "dsn=")) {
			mxt_parse_dsn(q + 4, fe, ev.dsn, NULL);
		}
		q = fe;
	}
	if (mxt_str_eq(ev.relay, "none"))
		ev.relay = mxt_str_make("", 0);

	const char *after;
	enum agent_status as = agent_status(st + 8, end, &after);
	if (as == AS_UNKNOWN) {
		mxt_pass_unparsed(p, "unknown delivery status");
		return;
	}
	if (as == AS_PROBE) {
		p->stats.probes++;
		return;
	}
	ev.status = status_of[as];
	if (after + 1 < end && after[0] == ' ' && after[1] == '(') {
		const char *te = end;
		if (te[-1] == ')')
			te--;
		ev.text = mxt_str_make(after + 2, (size_t)(te - after - 2));
	}
	/* A delivery's text ("250 2.0.0 Ok: queued as ...") is the server's
	 * reply; "status=sent" may have no text at all (no NULL + 0). */
	if (ev.status != MXT_STATUS_DELIVERED)
		analyse_delivery_text(&ev);
	else if (ev.text.ptr != NULL)
		ev.code = mxt_parse_reply_code(ev.text.ptr,
		    ev.text.ptr + ev.text.len, NULL);

	/* added, not just looked up: mxt_pass_emit would add it anyway */
	struct mxt_msg *m = mxt_track_add(p->track, qid.ptr, qid.len);
	if (m != NULL) {
		if (m->sender != NULL)
			ev.sender = mxt_str_make(m->sender, strlen(m->sender));
		if (ev.status == MXT_STATUS_DEFERRED)
			mxt_msg_defer(m, ev.recipient.ptr, ev.recipient.len,
			    ev.text.ptr, ev.text.len, ev.code, ev.dsn);
		else
			mxt_msg_final(m, ev.recipient.ptr, ev.recipient.len);
	}
	mxt_pass_emit(p, &ev);
}

/* qmgr "from=<s>, status=expired, returned to sender": one expired event
 * per recipient still deferred, with its last reason. */
static void
expired(struct mxt_pass *p, const struct mxt_logline *ll,
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
		ev.text = mxt_str_make("message expired, returned to sender",
		    35);
		mxt_pass_emit(p, &ev);
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
		mxt_pass_emit(p, &e);
		mxt_msg_final(m, r->addr, strlen(r->addr));
	}
}

static void
qmgr(struct mxt_pass *p, const struct mxt_logline *ll, struct mxt_str service,
    struct mxt_str qid, const char *s, const char *end)
{
	if (has_prefix(s, end, "removed")) {
		mxt_pass_message_end(p, ll, qid);
		return;
	}
	if (!has_prefix(s, end, "from=<"))
		return;
	struct mxt_str sender;
	const char *q;
	if (!angle_addr(s + 5, end, &sender, &q))
		return;
	if (has_prefix(q, end, ", status=expired") ||
	    has_prefix(q, end, ", status=force-expired")) {
		struct mxt_msg *m = mxt_track_get(p->track, qid.ptr, qid.len);
		expired(p, ll, service, qid, m, sender);
		return;
	}
	struct mxt_msg *m = mxt_track_add(p->track, qid.ptr, qid.len);
	if (m != NULL)
		mxt_msg_set(&m->sender, sender.ptr, sender.len);
}

struct reject_cmd {
	const char *word;
	enum mxt_phase phase;
};

static const struct reject_cmd reject_cmds[] = {
	{"RCPT", MXT_PHASE_RCPT},
	{"MAIL", MXT_PHASE_MAIL},
	{"CONNECT", MXT_PHASE_CONNECT},
	{"EHLO", MXT_PHASE_HELO},
	{"HELO", MXT_PHASE_HELO},
	{"DATA", MXT_PHASE_DATA},
	{"BDAT", MXT_PHASE_DATA},
	{"END-OF-MESSAGE", MXT_PHASE_EOD},
	{"STARTTLS", MXT_PHASE_STARTTLS},
	{"header", MXT_PHASE_EOD},
	{"body", MXT_PHASE_EOD},
	{"VRFY", MXT_PHASE_NONE},
	{"ETRN", MXT_PHASE_NONE},
	{"AUTH", MXT_PHASE_NONE},
	{"UNKNOWN", MXT_PHASE_NONE},
};

/* The envelope trailer "from=<s> to=<r>" (smtpd) or "from=<s>, to=<r>,"
 * (postscreen), from t to end. */
static void
envelope(const char *t, const char *end, struct mxt_event *ev)
{
	const char *q, *after;
	if ((q = find_lit(t, end, "from=<")) != NULL &&
	    angle_addr(q + 5, end, &ev->sender, &after))
		t = after;
	if ((q = find_lit(t, end, "to=<")) != NULL)
		angle_addr(q + 3, end, &ev->recipient, &after);
}

/* Last occurrence of lit in [p, end). */
static const char *
find_last(const char *p, const char *end, const char *lit)
{
	const char *last = NULL, *q;
	while ((q = find_lit(p, end, lit)) != NULL) {
		last = q;
		p = q + 1;
	}
	return last;
}

/* "CMD from client: text; from=<s> to=<r> proto=P helo=<h>" after
 * "reject: " (smtpd, postscreen, milter-reject, proxy-reject), or the
 * cleanup form "header|body TEXT from client; from=<s> to=<r> ...: text". */
static void
rejection(struct mxt_pass *p, const struct mxt_logline *ll,
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
		size_t n = strlen(reject_cmds[i].word);
		if (has_prefix(s, end, reject_cmds[i].word) && s + n < end &&
		    (s[n] == ' ' || s[n] == ':')) {
			cmd = &reject_cmds[i];
			break;
		}
	}
	if (cmd == NULL) {
		mxt_pass_unparsed(p, "reject of an unknown SMTP command");
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
			mxt_pass_unparsed(p, "content reject without envelope");
			return;
		}
		client = find_last(s, trailer, " from ");
		const char *colon = find_lit(trailer, end, ">: ");
		text = colon ? colon + 3 : end;
		text_end = end;
		envelope(trailer, colon ? colon + 1 : end, &ev);
		if (client != NULL)
			mxt_parse_hostaddr(client + 6, trailer, &ev.relay,
			    &ev.relay_ip, &ev.relay_port);
	} else {
		const char *from = s + strlen(cmd->word);
		if (!has_prefix(from, end, " from ")) {
			/* proxy-reject: "END-OF-MESSAGE: text; from=<>" */
			client = NULL;
			text = from + (from < end && *from == ':' ? 1 : 0);
		} else {
			client = from + 6;
			/* client ends at "]: " or "]:port: " */
			const char *ce = find_lit(client, end, "]: ");
			const char *cp = find_lit(client, end, "]:");
			if (ce == NULL && cp == NULL) {
				mxt_pass_unparsed(p,
				    "reject without client address");
				return;
			}
			if (ce == NULL || (cp != NULL && cp < ce)) {
				/* "[ip]:port: " */
				ce = find_lit(cp + 2, end, ": ");
				if (ce == NULL) {
					mxt_pass_unparsed(p,
					    "reject without reply text");
					return;
				}
			} else {
				ce += 1;
			}
			mxt_parse_hostaddr(client, ce, &ev.relay, &ev.relay_ip,
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
		struct mxt_msg *m = mxt_track_get(p->track, qid.ptr, qid.len);
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
		mxt_pass_unparsed(p, "reject without reply text");
		return;
	}
	ev.text = mxt_str_make(text, (size_t)(text_end - text));
	ev.code = mxt_parse_reply_code(text, text_end, ev.dsn);
	if (ev.code == 0)
		mxt_parse_dsn(text, text_end, ev.dsn, NULL);
	mxt_pass_emit(p, &ev);
}

static void
postfix_parse(struct mxt_pass *p, const struct mxt_logline *ll)
{
	const char *s = ll->msg.ptr, *end = s + ll->msg.len;
	struct mxt_str service = service_of(ll->program);
	struct mxt_str qid = {"", 0};

	/* "QID: " or "NOQUEUE: " prefix */
	const char *colon = memchr(s, ':', (size_t)(end - s));
	if (colon != NULL && colon + 1 < end && colon[1] == ' ') {
		size_t n = (size_t)(colon - s);
		if (n == 7 && memcmp(s, "NOQUEUE", 7) == 0) {
			s = colon + 2;
		} else if (is_queue_id(s, n)) {
			qid = mxt_str_make(s, n);
			s = colon + 2;
		}
	}

	if (has_prefix(s, end, "reject: "))
		rejection(p, ll, service, qid, s + 8, end);
	else if (has_prefix(s, end, "milter-reject: "))
		rejection(p, ll, service, qid, s + 15, end);
	else if (has_prefix(s, end, "proxy-reject: "))
		rejection(p, ll, service, qid, s + 14, end);
	else if (has_prefix(s, end, "reject_warning: ") ||
	    has_prefix(s, end, "milter-reject_warning: "))
		p->stats.reject_warnings++;
	else if (qid.len == 0) {
		if (find_lit(s, end, "status=") != NULL &&
		    find_lit(s, end, "to=<") != NULL)
			mxt_pass_unparsed(p, "delivery line without queue id");
	} else if (has_prefix(s, end, "to=") && s + 3 < end)
		delivery(p, ll, service, qid, s, end);
	else if (has_prefix(s, end, "from=<") || has_prefix(s, end, "removed"))
		qmgr(p, ll, service, qid, s, end);
	else if (has_prefix(s, end, "message-id=") ||
	    has_prefix(s, end, "uid=")) {
		/* cleanup logs message-id= for every new message, pickup
		 * uid= for local submissions: the message starts here */
		mxt_pass_message_start(p, ll, qid);
	} else if (has_prefix(s, end, "client=")) {
		struct mxt_msg *m = mxt_pass_message_start(p, ll, qid);
		const char *ce = find_lit(s, end, ", ");
		struct mxt_str name, ip;
		int port;
		mxt_parse_hostaddr(s + 7, ce ? ce : end, &name, &ip, &port);
		if (m != NULL) {
			mxt_msg_set(&m->client_name, name.ptr, name.len);
			mxt_msg_set(&m->client_ip, ip.ptr, ip.len);
		}
	} else if (find_lit(s, end, "status=") != NULL &&
	    find_lit(s, end, "relay=") != NULL)
		mxt_pass_unparsed(p, "delivery line without to=<address>");
}

const struct mxt_dialect mxt_dialect_postfix = {
	.mta = MXT_MTA_POSTFIX,
	.claim = postfix_claim,
	.parse = postfix_parse,
};
