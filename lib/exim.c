/*
 * exim.c - Exim log messages -> events.
 *
 * Headers (syslog.c does the splitting): Exim's own main log and reject
 * log ("2026-11-23 10:00:01[.mmm] [+zone] [[pid]] msg", program "exim"),
 * syslog lines from exim[pid]/exim4[pid] with or without Exim's own
 * timestamp inside the message (when present, its time replaces the
 * year-less syslog time), the host-first journal form "host exim[pid]:
 * 2021-07-17 23:20:49 msg", and two oddities seen in real collections:
 * "2019-10-22 03:39:17 host exim[pid]: msg" and a "[pid] " repeated
 * inside the message.
 *
 * Lines handled (everything else from Exim is recognised and ignored):
 *   ID <= sender ... H=name (helo) [ip] ... P=proto ...    arrival: the
 *                     sender and client are kept per message id
 *   ID => addr [<top>] [F=<s>] R=r T=t [H=name [ip]] [C="..."] [QT=] [DT=]
 *   ID -> addr ...    another address of the same delivery
 *   ID *> addr ...    delivery suppressed by -N (status delivered, and the
 *                     text says so)
 *   ID >> addr ...    cutthrough delivery, done while receiving
 *   ID == addr [<top>] [R=r] [T=t|routing] defer (errno)[: strerror]
 *                     [H=name [ip]] [DT=]: message          deferral
 *   ID ** addr [<top>] [F=<s>] [R=r] [T=t] [H=name [ip]] [X=...]
 *                     (: | " : ") message [DT=]             failure;
 *                     status expired when Exim gave up on retry time
 *                     ("retry timeout exceeded", "have been failing for a
 *                     long time", "after a long failure period")
 *   ID Completed      the message is gone: its state is dropped
 *   ID => blackhole (RCPT ACL discarded recipients)   an ACL "discard":
 *                     no recipient, no attempt, no event
 *   [ID] [fields] [temporarily ]rejected WHAT[: text]        rejections we
 *                     issued (ACL, local_scan, non-SMTP ACL, protocol
 *                     level "rejected HELO from ...", "rejected MAIL
 *                     from ..."), "SMTP protocol synchronization error
 *                     (...): rejected ...", "H=... dropped by 'connect'
 *                     ACL: ...", "too many recipients: excess
 *                     temporarily rejected".
 * A line with a message id and a flag, or with the rejection shape, that
 * cannot be read is reported as unparsed with the reason.
 * Exim's own complaints (TLS errors, protocol errors, dropped connections,
 * authenticator failures) and every line of the panic log go to the
 * sink as local records (ourside.c); the panic log gives no events.
 *
 * Recipient: Exim writes "addr <top>" when the delivered address differs
 * from the envelope recipient the message arrived with (aliases, forwards,
 * local deliveries). The delivered address is what Postfix logs as to=, so
 * it is the recipient when it has a domain; local deliveries (log_as_local
 * routers, pipes, files, :blackhole:) log only a local part or a path,
 * and then the original <top> address, which has the domain, is used.
 *
 * Reject log and duplicates: Exim writes every rejection to the main log
 * and to the reject log (log_reject_target = main:reject), and with
 * syslog_duplication (the default) twice to syslog, the second copy right
 * after the first. Reading the reject log alone gives the rejections; read
 * beside the main log each must count once. A rejection is keyed by a
 * 64-bit hash of its time (with fraction), host, pid and message text;
 * the last
 * DEDUPE_CAP keys are kept in a ring with a hash index (bounded memory,
 * grown on demand). A new rejection whose key matches a kept, unmatched
 * one is the other copy and gives no event when the kept one came from a
 * different input (main log + reject log), or from the same syslog input
 * a few lines before (syslog_duplication). Identical rejections within
 * one Exim log file (a client repeating a RCPT in the same second) are
 * all kept. In the final input (struct mxt_sink) nothing later can match
 * its keys but a syslog twin, so the ring replaces its own oldest entries
 * there (keeping the newest DEDUPE_SAVE_MAX) rather than growing: one
 * Exim log does not fill it. With --state, the newest DEDUPE_SAVE_MAX
 * unmatched keys go to the next run (exim_save), so copies read by two
 * runs count once.
 * Limits, stated: a reject log whose main-log twin lies more
 * than DEDUPE_CAP rejections back is counted twice (DEDUPE_SAVE_MAX when
 * the twins are read by two --state runs); in syslog with
 * syslog_duplication off, the same rejection repeated within
 * SYSLOG_DUP_WINDOW lines by one process counts once.
 * The header dump the reject log writes after a rejection (Envelope-from:,
 * "P Received:", indented continuations) has no log header and is neither
 * an event nor "unparsed" (exim_dump_line, the dialect's headerless()).
 */
#include "dialect.h"
#include "ourside.h"
#include "framing.h"
#include "smtp.h"

#include <stdlib.h>

#define DEDUPE_CAP (1u << 18)  /* rejections remembered for dedupe */
#define DEDUPE_MIN 1024
#define DEDUPE_SAVE_MAX 8192  /* unmatched keys --state keeps */
#define SYSLOG_DUP_WINDOW 8    /* lines between syslog twins */
#define FG_PROCS 64            /* foreground delivery processes followed */

struct dedupe_entry {
	uint64_t key;
	uint64_t source;  /* hash of the input name */
	long line_no;
	uint32_t next;    /* hash chain, index + 1; 0 ends it */
	bool matched;     /* its twin was seen */
	bool used;
};

struct exim_state {
	struct dedupe_entry *ring;
	uint32_t *buckets;  /* index + 1 of the first entry; 0 = empty */
	uint32_t size;      /* ring slots, power of two */
	uint32_t head;      /* next slot to fill */
	uint32_t count;
	char text[MXT_LINE_MAX]; /* composed reason text of the current line */
	struct mxt_sink *sink;   /* of the line being parsed (borrowed) */
	/* the input of the last line and whether it is the panic log
	 * (ourside.c): asked once per input, not per line */
	const char *source;
	bool paniclog;
	/* foreground output: the message each delivery process said it
	 * delivers ("PID delivering ID"), the oldest replaced when full */
	struct fg_proc {
		char pid[12];
		char id[24];
	} procs[FG_PROCS];
	uint32_t next_proc;
	char fg_line[MXT_LINE_MAX + 32]; /* "ID entry" of the current line */
};

static void *
exim_create(const struct mxt_dialect_options *o)
{
	return xcalloc(1, sizeof(struct exim_state));
}

static void
exim_destroy(void *state)
{
	struct exim_state *st = state;
	if (st == NULL)
		return;
	free(st->ring);
	free(st->buckets);
	free(st);
}

static uint64_t
fnv64(uint64_t h, const void *data, size_t n)
{
	const unsigned char *s = data;
	for (size_t i = 0; i < n; i++)
		h = (h ^ s[i]) * 1099511628211ull;
	return h;
}

#define FNV64_INIT 14695981039346656037ull

static void
dedupe_unlink(struct exim_state *st, uint32_t i)
{
	uint32_t *pp = &st->buckets[st->ring[i].key & (st->size - 1)];
	while (*pp != 0) {
		if (*pp == i + 1) {
			*pp = st->ring[i].next;
			return;
		}
		pp = &st->ring[*pp - 1].next;
	}
}

/* Rebuilds the ring at twice the size, keeping the entries in age order. */
static void
dedupe_grow(struct exim_state *st)
{
	uint32_t nsize = st->size ? st->size * 2 : DEDUPE_MIN;
	struct dedupe_entry *ring = xcalloc(nsize, sizeof *ring);
	uint32_t *buckets = xcalloc(nsize, sizeof *buckets);
	uint32_t n = 0;
	for (uint32_t k = 0; k < st->count; k++) {
		struct dedupe_entry *e =
		    &st->ring[(st->head - st->count + k) & (st->size - 1)];
		ring[n] = *e;
		uint32_t b = (uint32_t)(e->key & (nsize - 1));
		ring[n].next = buckets[b];
		buckets[b] = n + 1;
		n++;
	}
	free(st->ring);
	free(st->buckets);
	st->ring = ring;
	st->buckets = buckets;
	st->size = nsize;
	st->head = n & (nsize - 1);
}

static void dedupe_remember(struct exim_state *st, uint64_t key,
    uint64_t source, long line_no, bool final);

/*
 * Returns true when this rejection is the second copy of one already
 * counted (see the design comment); otherwise remembers it.
 */
static bool
dedupe_seen(struct exim_state *st, const struct mxt_logline *ll,
    const struct mxt_time *t, const char *msg, const char *end)
{
	const struct mxt_sink *k = st->sink;
	uint64_t key = FNV64_INIT;
	key = fnv64(key, &t->sec, sizeof t->sec);
	key = fnv64(key, &t->frac, sizeof t->frac);
	key = fnv64(key, ll->host.ptr, ll->host.len);
	key = fnv64(key, "|", 1);
	key = fnv64(key, ll->pid.ptr, ll->pid.len);
	key = fnv64(key, "|", 1);
	key = fnv64(key, msg, (size_t)(end - msg));
	const char *src = k->source ? k->source : "";
	uint64_t source = fnv64(FNV64_INIT, src, strlen(src));
	/* foreground output prints a rejection once, for both logs */
	bool syslog = ll->kind != MXT_HDR_EXIM && ll->kind != MXT_HDR_EXIM_FG;

	if (st->size != 0) {
		uint32_t i = st->buckets[key & (st->size - 1)];
		for (; i != 0; i = st->ring[i - 1].next) {
			struct dedupe_entry *e = &st->ring[i - 1];
			if (e->key != key || e->matched)
				continue;
			if (e->source != source || (syslog &&
			    k->line_no > e->line_no &&
			    k->line_no - e->line_no <= SYSLOG_DUP_WINDOW)) {
				e->matched = true;
				return true;
			}
		}
	}
	dedupe_remember(st, key, source, k->line_no, k->final_input);
	return false;
}

/* Keeps a rejection's key as the newest entry of the ring. */
static void
dedupe_remember(struct exim_state *st, uint64_t key, uint64_t source,
    long line_no, bool final)
{
	/* In the final input an entry of that input can be matched only by
	 * a syslog twin a few lines on: the oldest, when it is one, is
	 * replaced rather than the ring grown (the newest DEDUPE_SAVE_MAX
	 * are always kept), so a single Exim log stays in little memory. */
	if (st->count == st->size && st->size < DEDUPE_CAP &&
	    (st->size < DEDUPE_SAVE_MAX || !final ||
	    st->ring[st->head].source != source))
		dedupe_grow(st);
	uint32_t slot = st->head;
	struct dedupe_entry *e = &st->ring[slot];
	if (e->used) {
		dedupe_unlink(st, slot);
		st->count--;
	}
	uint32_t b = (uint32_t)(key & (st->size - 1));
	*e = (struct dedupe_entry){.key = key, .source = source,
	    .line_no = line_no, .next = st->buckets[b], .used = true};
	st->buckets[b] = slot + 1;
	st->head = (slot + 1) & (st->size - 1);
	st->count++;
}

/* ---- small scanners -------------------------------------------------- */

/* Exim message ids: 6-6-2 ("1rAbCd-0001Xy-AB") and, from Exim 4.97,
 * 6-11-4 ("1rAbCd-000000001Xy-ABCD"); base-62 characters. */
static bool
is_message_id(const char *p, size_t n)
{
	/* asked of the first word of every line: the dashes first, then
	 * the three parts, without a test of the place in the loop */
	size_t d2 = n == 16 ? 13 : n == 23 ? 18 : 0;
	if (d2 == 0 || p[6] != '-' || p[d2] != '-')
		return false;
	bool ok = true;
	for (size_t i = 0; i < 6; i++)
		ok &= is_ascii_alnum(p[i]);
	for (size_t i = 7; i < d2; i++)
		ok &= is_ascii_alnum(p[i]);
	for (size_t i = d2 + 1; i < n; i++)
		ok &= is_ascii_alnum(p[i]);
	return ok;
}

static bool
has_at(struct mxt_str s)
{
	return s.len > 0 && memchr(s.ptr, '@', s.len) != NULL;
}

/* Exim times: "1w2d3h4m5s", "3.2s", "0s" (readconf_printtime and the
 * millisecond form of string_timediff). */
static bool
parse_duration(const char *p, const char *end, double *out)
{
	double total = 0;
	bool any = false;
	while (p < end && is_digit(*p)) {
		double v = 0, scale = 1;
		while (p < end && is_digit(*p))
			v = v * 10 + (*p++ - '0');
		if (p < end && *p == '.') {
			p++;
			while (p < end && is_digit(*p)) {
				scale /= 10;
				v += (*p++ - '0') * scale;
			}
		}
		if (p >= end)
			return false;
		switch (*p++) {
		case 'w': total += v * 604800; break;
		case 'd': total += v * 86400; break;
		case 'h': total += v * 3600; break;
		case 'm': total += v * 60; break;
		case 's': total += v; break;
		default: return false;
		}
		any = true;
	}
	if (!any || p != end)
		return false;
	*out = total;
	return true;
}

/* ---- fields ------------------------------------------------------------ */

struct fields {
	struct mxt_str router, transport, sender, conf, qt, dt;
	struct mxt_str msgid; /* id= of an arrival: the Message-ID */
	struct mxt_str size;  /* S=: the message's size */
	struct mxt_str host, ip;
	int port;
	bool has_sender, has_host;
};

/*
 * H= value: "name [ip]:port", "name (helo) [ip]", "(helo) [ip]", "[ip]",
 * or "name" alone (local transports); a trailing '*' marks DNSSEC. Returns
 * the end of what belongs to it; *colon is set when the value ended with
 * "...: " (the message follows).
 */
static const char *
parse_host(const char *p, const char *end, struct mxt_str *name,
    struct mxt_str *ip, int *port, bool *colon)
{
	const char *q = p;
	*name = mxt_str_make("", 0);
	*ip = mxt_str_make("", 0);
	*port = 0;
	*colon = false;
	if (q < end && *q != '(' && *q != '[') {
		const char *e = token_end(q, end);
		*name = mxt_str_make(q, (size_t)(e - q));
		if (name->len > 0 && name->ptr[name->len - 1] == ':' &&
		    (e == end || *e == ' ')) {
			name->len--;
			*colon = true;
			return e;
		}
		q = e;
		if (q + 1 < end && (q[1] == '(' || q[1] == '['))
			q++;
		else
			return q;
	}
	if (q < end && *q == '(') {
		/* the HELO name; it may hold spaces, ends at ") " or ")" end */
		const char *r = q + 1;
		while (r < end && !(*r == ')' && (r + 1 == end || r[1] == ' ')))
			r++;
		if (r >= end)
			return q;
		q = r + 1;
		if (q + 1 < end && q[1] == '[')
			q++;
		else
			return q;
	}
	if (q < end && *q == '[') {
		const char *rb = memchr(q, ']', (size_t)(end - q));
		if (rb == NULL)
			return q;
		*ip = mxt_str_make(q + 1, (size_t)(rb - q - 1));
		q = rb + 1;
		if (q < end && *q == ':' && q + 1 < end &&
		    is_ascii_alnum(q[1])) {
			int v = 0;
			const char *d = q + 1;
			while (d < end && is_digit(*d) && v < 100000)
				v = v * 10 + (*d++ - '0');
			if (v > 0 && v < 65536 &&
			    (d == end || !is_ascii_alnum(*d)))
				*port = v;
			while (d < end && (is_ascii_alnum(*d) || *d == '_'))
				d++; /* the test suite's "PORT_D" */
			q = d;
		}
		if (q < end && *q == '*')
			q++;
		if (q < end && *q == ':' && (q + 1 == end || q[1] == ' ')) {
			*colon = true;
			q++;
		}
	}
	return q;
}

/* Bare flags Exim writes among the fields of delivery lines. */
static bool
bare_flag(const char *p, const char *e)
{
	static const struct {
		const char *text;
		size_t len;
	} flags[] = {{MXT_LIT("K")}, {MXT_LIT("L")}, {MXT_LIT("L*")},
	    {MXT_LIT("PRDR")}, {MXT_LIT("TFO")}, {MXT_LIT("TFO*")},
	    {MXT_LIT("DS")}, {MXT_LIT("*")}};
	for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++)
		if ((size_t)(e - p) == flags[i].len &&
		    memcmp(p, flags[i].text, flags[i].len) == 0)
			return true;
	return false;
}

/*
 * Reads " KEY=value" fields from p. Stops at the message separator (a
 * lone ":" or a value ending in ':'), returning where the message starts
 * in *msg, or at the first token that is not a field (*stop; *msg NULL).
 */
static void
scan_fields(const char *p, const char *end, struct fields *f,
    const char **msg, const char **stop)
{
	*msg = NULL;
	for (;;) {
		p = skip_spaces(p, end);
		*stop = p;
		if (p >= end)
			return;
		if (*p == ':' && (p + 1 == end || p[1] == ' ')) {
			*msg = skip_spaces(p + 1, end);
			return;
		}
		const char *k = p;
		while (p < end && is_ascii_alnum(*p))
			p++;
		if (p == k || p >= end || *p != '=') {
			const char *e = token_end(k, end);
			if (bare_flag(k, e)) {
				p = e;
				continue;
			}
			return; /* not a field */
		}
		size_t klen = (size_t)(p - k);
		const char *v = ++p, *ve;
		bool colon = false;
		if (klen == 1 && *k == 'H') {
			ve = parse_host(v, end, &f->host, &f->ip, &f->port,
			    &colon);
			f->has_host = true;
			p = ve;
		} else if (v < end && *v == '"') {
			/* quoted: C="...", DN="...", T="subject"; a '"' after
			 * an odd number of backslashes is in the value (read
			 * from the open quote, each backslash takes the byte
			 * after it). memchr for the quotes: subjects and
			 * replies are the longest fields of the line. */
			const char *q = v + 1;
			for (;;) {
				q = memchr(q, '"', (size_t)(end - q));
				if (q == NULL) {
					q = end;
					break;
				}
				size_t bs = 0;
				while (q - bs > v + 1 && q[-1 - (ptrdiff_t)bs] == '\\')
					bs++;
				if (bs % 2 == 0)
					break;
				q++;
			}
			ve = q < end ? q + 1 : end;
			p = ve;
			if (p < end && *p == ':' && (p + 1 == end || p[1] == ' ')) {
				colon = true;
				p++;
			}
		} else {
			ve = token_end(v, end);
			p = ve;
			if (ve > v && ve[-1] == ':') {
				ve--;
				colon = true;
			}
		}
		struct mxt_str val = mxt_str_make(v, (size_t)(ve - v));
		if (klen == 1) {
			switch (*k) {
			case 'R': f->router = val; break;
			case 'T': f->transport = val; break;
			case 'S': f->size = val; break;
			case 'C':
				if (val.len >= 2 && val.ptr[0] == '"')
					f->conf = mxt_str_make(val.ptr + 1,
					    val.len - 2);
				break;
			case 'F':
				f->has_sender = true;
				f->sender = val;
				if (val.len >= 2 && val.ptr[0] == '<' &&
				    val.ptr[val.len - 1] == '>')
					f->sender = mxt_str_make(val.ptr + 1,
					    val.len - 2);
				break;
			}
		} else if (klen == 2 && k[0] == 'Q' && k[1] == 'T') {
			f->qt = val;
		} else if (klen == 2 && k[0] == 'D' && k[1] == 'T') {
			f->dt = val;
		} else if (klen == 2 && k[0] == 'i' && k[1] == 'd') {
			f->msgid = val;
		}
		if (colon) {
			*msg = skip_spaces(p, end);
			return;
		}
	}
}

/* A " KEY=" field, the lone ":" separator or the deferral's "defer (" at p. */
static bool
field_follows(const char *p, const char *end)
{
	const char *k = p;
	if (p < end && *p == ':' && (p + 1 == end || p[1] == ' '))
		return true;
	if (has_lit(p, end, "defer (") || has_lit(p, end, "routing defer"))
		return true;
	while (p < end && is_ascii_alnum(*p))
		p++;
	return p > k && p < end && *p == '=';
}

/*
 * "addr [(parents)] [<top>]" after a flag. *msg is set when the address
 * part ends with ':' (old failure lines: "** addr: reason"). Pipes, files
 * and :fail: texts may hold spaces ("|/bin/cat /etc/aliases <a@b>",
 * "save inbox <a@b>"): when the first word is not followed by what may
 * follow an address, the address runs to the first " <top>" that is.
 */
static bool
parse_addresses(const char *p, const char *end, struct mxt_str *addr,
    struct mxt_str *top, const char **after, const char **msg)
{
	const char *q;
	p = skip_spaces(p, end);
	*msg = NULL;
	*top = mxt_str_make("", 0);
	if (p >= end)
		return false;
	const char *e = token_end(p, end);
	*addr = mxt_str_make(p, (size_t)(e - p));
	if (addr->len > 1 && addr->ptr[addr->len - 1] == ':' &&
	    addr->ptr[0] != ':') {
		addr->len--;
		*msg = skip_spaces(e, end);
		*after = e;
		return true;
	}
	if (e < end && e[1] != '<' && e[1] != '(' && !field_follows(e + 1, end)) {
		for (q = e; (q = find_lit(q, end, " <")) != NULL; q++) {
			const char *a;
			struct mxt_str t;
			if (mxt_smtp_angle_addr(q + 1, end, &t, &a)) {
				*addr = mxt_str_make(p, (size_t)(q - p));
				e = q;
				break;
			}
		}
	}
	p = e;
	if (p + 1 < end && p[1] == '(') {
		/* all_parents / pipe, file and reply parents: "(a, b)" */
		const char *r = memchr(p, ')', (size_t)(end - p));
		if (r != NULL)
			p = r + 1;
	}
	if (p + 1 < end && p[1] == '<' && mxt_smtp_angle_addr(p + 1, end, top, &q)) {
		p = q;
		if (p < end && *p == ':') {
			*msg = skip_spaces(p + 1, end);
			p++;
		}
	}
	*after = p;
	return true;
}

/* The recipient rule of the design comment. */
static struct mxt_str
pick_recipient(struct mxt_str addr, struct mxt_str top)
{
	if (has_at(addr) || top.len == 0)
		return addr;
	return top;
}

/* ---- reasons: phase, code, relay --------------------------------------- */

struct phase_word {
	const char *text;
	size_t len;
	enum mxt_phase phase;
};

/* The command after "after " / "in response to " in Exim's reasons
 * (transport smtp.c); first match wins, "pipelined " already skipped. */
static const struct phase_word phase_words[] = {
	{MXT_LIT("initial connection"), MXT_PHASE_GREETING},
	{MXT_LIT("end of data"), MXT_PHASE_EOD},
	{MXT_LIT("sending data block"), MXT_PHASE_EOD},
	{MXT_LIT("DATA PRDR"), MXT_PHASE_EOD},
	{MXT_LIT("RCPT TO"), MXT_PHASE_RCPT},
	{MXT_LIT("MAIL FROM"), MXT_PHASE_MAIL},
	{MXT_LIT("DATA"), MXT_PHASE_DATA},
	{MXT_LIT("BDAT"), MXT_PHASE_DATA},
	{MXT_LIT("EHLO"), MXT_PHASE_HELO},
	{MXT_LIT("HELO"), MXT_PHASE_HELO},
	{MXT_LIT("LHLO"), MXT_PHASE_HELO},
	{MXT_LIT("STARTTLS"), MXT_PHASE_STARTTLS},
};

static enum mxt_phase
phase_at(const char *p, const char *end)
{
	if (has_lit(p, end, "pipelined "))
		p += MXT_LIT_LEN("pipelined ");
	for (size_t i = 0; i < sizeof phase_words / sizeof phase_words[0]; i++)
		if (mxt_has_bytes(p, end, phase_words[i].text,
		    phase_words[i].len))
			return phase_words[i].phase;
	return MXT_PHASE_NONE;
}

/* Local errors (errno text) that mean the connection never came up. */
static const struct {
	const char *text;
	size_t len;
} connect_errors[] = {
	{MXT_LIT("Connection refused")},
	{MXT_LIT("Connection timed out")},
	{MXT_LIT("Operation timed out")},
	{MXT_LIT("No route to host")},
	{MXT_LIT("Network is unreachable")},
	{MXT_LIT("Host is unreachable")},
};

/* "NAME [IP]" at h inside a reason: the relay, unless H= gave one. */
static void
relay_in_text(struct mxt_event *ev, const char *h, const char *end)
{
	const char *rb = memchr(h, ']', (size_t)(end - h));
	bool colon;
	if (ev->relay.len > 0 || ev->relay_ip.len > 0 || rb == NULL ||
	    memchr(h, '[', (size_t)(rb - h)) == NULL)
		return;
	parse_host(h, rb + 1, &ev->relay, &ev->relay_ip, &ev->relay_port,
	    &colon);
}

/*
 * Fills phase, code, dsn and (for the old "host NAME [IP]: " form) the
 * relay from a deferral or failure reason.
 */
static void
analyse_reason(struct mxt_event *ev)
{
	const char *p = ev->text.ptr, *end = p + ev->text.len;
	const char *cmd;

	if ((cmd = find_after(p, end, " after ")) == NULL)
		cmd = find_after(p, end, "in response to ");
	if (cmd != NULL)
		ev->phase = phase_at(cmd, end);

	/* "Remote host NAME [IP] closed connection" (older Exim) and
	 * "SMTP timeout while connected to NAME [IP] after" */
	const char *h = find_after(p, end, "Remote host ");
	if (h == NULL)
		h = find_after(p, end, "while connected to ");
	if (h != NULL)
		relay_in_text(ev, h, end);

	bool remote_error = find_lit(p, end, "error from remote mail") != NULL ||
	    has_lit(p, end, "LMTP error after ") ||
	    find_lit(p, end, "PRDR error after ") != NULL;
	if (remote_error && cmd != NULL) {
		/* "...after RCPT TO:<a>: [host NAME [IP]: ]451 4.7.1 text" */
		const char *s = cmd;
		while ((s = find_after(s, end, ": ")) != NULL) {
			const char *hn = skip_lit(s, end, "host ");
			if (hn != NULL) {
				const char *rb = find_lit(hn, end, "]: ");
				if (rb == NULL)
					break;
				relay_in_text(ev, hn, rb + 1);
				s = rb + MXT_LIT_LEN("]: ");
			}
			if ((ev->code = mxt_smtp_reply(s, end, ev->dsn)) != 0)
				break;
		}
	}
	if (ev->phase == MXT_PHASE_NONE) {
		for (size_t i = 0;
		    i < sizeof connect_errors / sizeof connect_errors[0]; i++)
			if (mxt_has_bytes(p, end, connect_errors[i].text,
			    connect_errors[i].len) &&
			    (p + connect_errors[i].len == end ||
			    p[connect_errors[i].len] == ':')) {
				ev->phase = MXT_PHASE_CONNECT;
				break;
			}
	}
	if (ev->phase == MXT_PHASE_NONE &&
	    (has_lit(p, end, "TLS session") ||
	    has_lit(p, end, "TLS error") ||
	    find_lit(p, end, "STARTTLS") != NULL))
		ev->phase = MXT_PHASE_STARTTLS;
}

static void
set_delay(struct mxt_event *ev, const struct fields *f)
{
	/* QT= (time on queue) is what Postfix's delay= means: from arrival
	 * to this attempt; DT= (the attempt alone) only when QT= is absent. */
	if (f->qt.len > 0)
		ev->has_delay = parse_duration(f->qt.ptr, f->qt.ptr + f->qt.len,
		    &ev->delay);
	if (!ev->has_delay && f->dt.len > 0)
		ev->has_delay = parse_duration(f->dt.ptr, f->dt.ptr + f->dt.len,
		    &ev->delay);
}

/* Fills the fields every outbound event shares. */
static void
outbound(struct exim_state *ex, struct mxt_event *ev, struct mxt_str id,
    const struct fields *f)
{
	ev->queue_id = id;
	ev->direction = MXT_DIR_OUT;
	ev->service = f->transport.len > 0 ? f->transport : f->router;
	if (f->has_host) {
		ev->relay = f->host;
		ev->relay_ip = f->ip;
		ev->relay_port = f->port;
	}
	if (f->has_sender) {
		ev->sender = f->sender;
	} else {
		struct mxt_msg *m = mxt_sink_msg_get(ex->sink, ev->host, id);
		if (m != NULL && m->sender != NULL)
			ev->sender = mxt_str_make(m->sender, strlen(m->sender));
	}
	set_delay(ev, f);
}

/* ---- line shapes ------------------------------------------------------ */

/* "<= sender fields... [for rcpt...]" */
static void
arrival(struct exim_state *ex, const struct mxt_logline *ll, struct mxt_str id,
    const char *s, const char *end)
{
	s = skip_spaces(s, end);
	const char *e = token_end(s, end);
	struct mxt_str sender = mxt_str_make(s, (size_t)(e - s));
	if (sender.len == 2 && sender.ptr[0] == '<' && sender.ptr[1] == '>')
		sender.len = 0;
	struct fields f = {0};
	const char *msg, *stop;
	scan_fields(e, end, &f, &msg, &stop);
	struct mxt_msg *m = mxt_sink_msg_get(ex->sink, ll->host, id);
	if (m != NULL && m->start_seen)
		/* the id came back (test suites and clock resets reuse
		 * ids): what was kept belongs to another message */
		mxt_sink_msg_end(ex->sink, ll->host, id);
	m = mxt_sink_msg_start(ex->sink, ll->host, id);
	/* Exim logs one "<=" per message received, with its size */
	struct mxt_received r = {.kind = MXT_RECEIVED, .mta = MXT_MTA_EXIM,
	    .host = ll->host, .id = id, .time = ll->time,
	    .bytes = f.size.len > 0 ? mxt_parse_u64(f.size.ptr,
	    f.size.ptr + f.size.len) : 0};
	mxt_sink_received(ex->sink, &r, NULL);
	if (m == NULL)
		return;
	mxt_msg_set(m, &m->sender, sender.ptr, sender.len);
	mxt_msg_set_message_id(m, f.msgid.ptr, f.msgid.len);
	if (f.has_host) {
		mxt_msg_set(m, &m->client_name, f.host.ptr, f.host.len);
		mxt_msg_set(m, &m->client_ip, f.ip.ptr, f.ip.len);
	}
}

/* "=> addr [<top>] fields", also "->", "*>", ">>" */
static void
delivery(struct exim_state *ex, const struct mxt_logline *ll, struct mxt_str id,
    char flag, const char *s, const char *end)
{
	struct mxt_event ev;
	struct mxt_str addr, top;
	const char *after, *msg, *stop;
	struct fields f = {0};

	if (!parse_addresses(s, end, &addr, &top, &after, &msg)) {
		mxt_sink_unparsed(ex->sink, "delivery line without an address");
		return;
	}
	scan_fields(after, end, &f, &msg, &stop);
	if (f.router.len == 0 && f.transport.len == 0) {
		/* delivery_log always writes T= (R= for :blackhole:) */
		mxt_sink_unparsed(ex->sink, "delivery without R= or T= (cut or wrapped "
		    "line?)");
		return;
	}
	mxt_event_init(&ev, ll, MXT_MTA_EXIM);
	outbound(ex, &ev, id, &f);
	ev.status = MXT_STATUS_DELIVERED;
	ev.recipient = pick_recipient(addr, top);
	if (flag == '*') {
		ev.text = mxt_str_make("delivery suppressed (-N)", 24);
	} else if (f.conf.len > 0) {
		/* the server's 250 reply is the code of the attempt */
		ev.text = f.conf;
		ev.code = mxt_smtp_reply(f.conf.ptr, f.conf.ptr + f.conf.len,
		    ev.dsn);
		if (ev.code == 0)
			ev.dsn[0] = '\0';
	}
	mxt_sink_attempts_take(ex->sink, ll->host, id, &ev);
	mxt_sink_emit(ex->sink, &ev, NULL);
}

/* Joins a and b as "a: b" in the state's buffer when both are set. */
static struct mxt_str
join_reason(struct exim_state *st, struct mxt_str a, struct mxt_str b)
{
	if (a.len == 0)
		return b;
	if (b.len == 0)
		return a;
	size_t n = a.len < sizeof st->text ? a.len : sizeof st->text;
	memcpy(st->text, a.ptr, n);
	if (n + 2 < sizeof st->text) {
		memcpy(st->text + n, ": ", 2);
		n += 2;
		size_t m = b.len < sizeof st->text - n ? b.len : sizeof st->text - n;
		memcpy(st->text + n, b.ptr, m);
		n += m;
	}
	return mxt_str_make(st->text, n);
}

/* "== addr [<top>] [R=r] [T=t] defer (errno)[: strerror] [H=h [ip]]
 * [DT=t][: message]" */
static void
deferral(struct exim_state *ex, const struct mxt_logline *ll, struct mxt_str id,
    const char *s, const char *end)
{
	struct mxt_event ev;
	struct mxt_str addr, top, errtext = {"", 0}, message = {"", 0};
	const char *after, *msg, *stop, *q;
	struct fields f = {0};

	if (!parse_addresses(s, end, &addr, &top, &after, &msg)) {
		mxt_sink_unparsed(ex->sink, "deferral without an address");
		return;
	}
	scan_fields(after, end, &f, &msg, &stop);
	q = stop;
	if (has_lit(q, end, "routing "))
		q += 8;
	if (msg != NULL || !has_lit(q, end, "defer (")) {
		mxt_sink_unparsed(ex->sink, "deferral without \"defer (errno)\"");
		return;
	}
	q += 7;
	const char *rp = memchr(q, ')', (size_t)(end - q));
	if (rp == NULL) {
		mxt_sink_unparsed(ex->sink, "deferral without \"defer (errno)\"");
		return;
	}
	/* errno > 0 adds its strerror text; the test suite writes "dd" */
	bool has_errno_text = *q != '-' && !(rp - q == 1 && *q == '0');
	q = rp + 1;
	if (has_errno_text && has_lit(q, end, ": ")) {
		const char *t = q + 2, *te = end, *x;
		if ((x = find_lit(t, te, " H=")) != NULL)
			te = x;
		if ((x = find_lit(t, te, " DT=")) != NULL)
			te = x;
		if ((x = find_lit(t, te, ": ")) != NULL)
			te = x;
		errtext = mxt_str_make(t, (size_t)(te - t));
		q = te;
	}
	if (has_lit(q, end, " H=") || has_lit(q, end, " DT=")) {
		struct fields g = {0};
		scan_fields(q, end, &g, &msg, &stop);
		if (g.has_host) {
			f.host = g.host;
			f.ip = g.ip;
			f.port = g.port;
			f.has_host = true;
		}
		if (g.dt.len > 0)
			f.dt = g.dt;
		if (msg != NULL)
			message = mxt_str_make(msg, (size_t)(end - msg));
	} else if (has_lit(q, end, ": ")) {
		message = mxt_str_make(q + 2, (size_t)(end - q - 2));
	}
	mxt_event_init(&ev, ll, MXT_MTA_EXIM);
	outbound(ex, &ev, id, &f);
	ev.status = MXT_STATUS_DEFERRED;
	ev.recipient = pick_recipient(addr, top);
	ev.text = join_reason(ex, errtext, message);
	analyse_reason(&ev);
	mxt_sink_attempts_take(ex->sink, ll->host, id, &ev);
	mxt_sink_emit(ex->sink, &ev, NULL);
}

/*
 * A host's reply before the final line (transports/smtp.c write_logs):
 * "ID H=name [ip][:port]: message[: strerror]" or "ID H=name [ip]
 * Connection refused" (errno text), for every host that deferred, the last
 * one too. It waits for the message's final lines (attempts.c). s is the
 * text after the id. Inbound lines with a message id ("H=name (helo)
 * [ip] F=<...> rejected ...", ACL warnings) are not this: false.
 */
static bool
host_reply(struct exim_state *ex, const struct mxt_logline *ll,
    struct mxt_str id, const char *s, const char *end)
{
	const char *h = skip_lit(s, end, "H=");
	struct mxt_str name, ip, text;
	int port;
	bool colon;
	if (h == NULL || h == end || *h == '(' || *h == '[')
		return false;
	const char *q = parse_host(h, end, &name, &ip, &port, &colon);
	if (ip.len == 0 || memchr(h, '(', (size_t)(ip.ptr - h)) != NULL)
		return false;
	if (colon) {
		q = skip_spaces(q, end);
		text = mxt_str_make(q, (size_t)(end - q));
		/* inbound lines put fields after the address, not ": "
		 * (a reply text may well say "rejected") */
		if (has_lit(q, end, "Warning:"))
			return false;
	} else {
		bool errno_text = false;
		if (q < end && *q == ' ')
			q++;
		for (size_t i = 0; !errno_text &&
		    i < sizeof connect_errors / sizeof connect_errors[0]; i++)
			errno_text = mxt_has_bytes(q, end, connect_errors[i].text,
			    connect_errors[i].len);
		if (!errno_text)
			return false;
		text = mxt_str_make(q, (size_t)(end - q));
	}
	struct mxt_event ev;
	mxt_event_init(&ev, ll, MXT_MTA_EXIM);
	ev.relay = name;
	ev.relay_ip = ip;
	ev.text = text;
	analyse_reason(&ev);
	struct mxt_attempt a = {.relay = name, .relay_ip = ip,
	    .relay_port = port, .code = ev.code, .phase = ev.phase,
	    .text = text};
	memcpy(a.dsn, ev.dsn, sizeof a.dsn);
	mxt_sink_attempt(ex->sink, ll->host, id, id, &ll->time, &a);
	return true;
}

/* Failures that are Exim giving up on retry time: expiry, not a reply. */
static const char *const expiry_texts[] = {
	"retry timeout exceeded",
	"have been failing for a long time",
	"retry time not reached for any host after a long failure period",
};

/* "** addr [<top>] fields: [strerror: ]message [DT=t]" */
static void
failure(struct exim_state *ex, const struct mxt_logline *ll, struct mxt_str id,
    const char *s, const char *end)
{
	struct mxt_event ev;
	struct mxt_str addr, top;
	const char *after, *msg, *stop;
	struct fields f = {0};

	if (!parse_addresses(s, end, &addr, &top, &after, &msg)) {
		mxt_sink_unparsed(ex->sink, "failure without an address");
		return;
	}
	if (msg == NULL)
		scan_fields(after, end, &f, &msg, &stop);
	else
		stop = msg;
	if (msg == NULL && stop == end) {
		mxt_sink_unparsed(ex->sink, "failure without a reason (cut or wrapped "
		    "line?)");
		return;
	}
	if (msg == NULL) {
		/* mua_wrapper: "** a@x.y routing yielded a local delivery" */
		if (!has_at(addr) || f.router.len > 0 || f.transport.len > 0) {
			mxt_sink_unparsed(ex->sink, "failure line not understood");
			return;
		}
		msg = stop;
	}
	const char *te = end;
	if (msg != NULL) {
		/* failure_log puts DT= after the message */
		const char *dt = NULL, *x = msg;
		while ((x = find_lit(x, end, " DT=")) != NULL)
			dt = x++;
		double d;
		const char *dv = dt ? dt + MXT_LIT_LEN(" DT=") : NULL;
		if (dv != NULL && parse_duration(dv, end, &d)) {
			f.dt = mxt_str_make(dv, (size_t)(end - dv));
			te = dt;
		}
	}
	mxt_event_init(&ev, ll, MXT_MTA_EXIM);
	outbound(ex, &ev, id, &f);
	ev.status = MXT_STATUS_BOUNCED;
	ev.recipient = pick_recipient(addr, top);
	if (msg != NULL)
		ev.text = mxt_str_make(msg, (size_t)(te - msg));
	for (size_t i = 0; i < sizeof expiry_texts / sizeof expiry_texts[0]; i++)
		if (find_str(ev.text.ptr, ev.text.ptr + ev.text.len,
		    expiry_texts[i]) != NULL)
			ev.status = MXT_STATUS_EXPIRED;
	analyse_reason(&ev);
	mxt_sink_attempts_take(ex->sink, ll->host, id, &ev);
	mxt_sink_emit(ex->sink, &ev, NULL);
}

/* ---- rejections ------------------------------------------------------- */

struct reject_what {
	const char *word;
	size_t len;
	enum mxt_phase phase;
	bool from;  /* "WHAT from HOST: text" (smtp_in.c protocol rejects) */
};

/* What follows "rejected "; first match wins (longer words first). */
static const struct reject_what reject_whats[] = {
	{MXT_LIT("RCPT "), MXT_PHASE_RCPT, false},
	{MXT_LIT("MAIL from "), MXT_PHASE_MAIL, true},
	{MXT_LIT("MAIL FROM:"), MXT_PHASE_MAIL, false},
	{MXT_LIT("MAIL command"), MXT_PHASE_MAIL, false},
	{MXT_LIT("MAIL "), MXT_PHASE_MAIL, false},
	{MXT_LIT("connection"), MXT_PHASE_CONNECT, false},
	{MXT_LIT("EHLO or HELO"), MXT_PHASE_HELO, false},
	{MXT_LIT("EHLO from "), MXT_PHASE_HELO, true},
	{MXT_LIT("HELO from "), MXT_PHASE_HELO, true},
	{MXT_LIT("after DATA"), MXT_PHASE_EOD, false},
	{MXT_LIT("DATA"), MXT_PHASE_DATA, false},
	{MXT_LIT("during MIME ACL checks"), MXT_PHASE_EOD, false},
	{MXT_LIT("DKIM"), MXT_PHASE_EOD, false},
	{MXT_LIT("by local_scan()"), MXT_PHASE_EOD, false},
	{MXT_LIT("by non-SMTP ACL"), MXT_PHASE_NONE, false},
	{MXT_LIT("from <"), MXT_PHASE_EOD, false}, /* message too big, while reading */
	{MXT_LIT("STARTTLS"), MXT_PHASE_STARTTLS, false},
	{MXT_LIT("AUTH"), MXT_PHASE_NONE, false},
	{MXT_LIT("VRFY"), MXT_PHASE_NONE, false},
	{MXT_LIT("EXPN"), MXT_PHASE_NONE, false},
	{MXT_LIT("ETRN"), MXT_PHASE_NONE, false},
	{MXT_LIT("ATRN"), MXT_PHASE_NONE, false},
	{MXT_LIT("XCLIENT from "), MXT_PHASE_NONE, true},
	{MXT_LIT("WELLKNOWN"), MXT_PHASE_NONE, false},
};


/* Starts a rejection event from the fields before "rejected". */
static void
rejection_init(struct mxt_event *ev, const struct mxt_logline *ll,
    struct mxt_str id, const struct fields *f)
{
	mxt_event_init(ev, ll, MXT_MTA_EXIM);
	ev->queue_id = id;
	ev->direction = MXT_DIR_IN;
	ev->status = MXT_STATUS_REJECTED;
	/* service stays empty: Exim names no transport for what it receives,
	 * and "smtp" would read as the outbound transport of that name */
	if (f->has_host) {
		ev->relay = f->host;
		ev->relay_ip = f->ip;
		ev->relay_port = f->port;
	}
	if (f->has_sender)
		ev->sender = f->sender;
}

/*
 * Hands a rejection on unless it is the second copy of one already
 * counted; msg is the whole message after the header, the dedupe key.
 */
static void
emit_rejection(struct exim_state *ex, const struct mxt_logline *ll,
    struct mxt_event *ev, const char *msg, const char *end)
{
	if (dedupe_seen(ex, ll, &ev->time, msg, end))
		return;
	/* the code only where Exim logged one: an ACL message may start
	 * with it ("550 5.7.1 ..."); Exim's default codes are not logged */
	const char *t = ev->text.ptr, *te = t + ev->text.len;
	ev->dsn[0] = '\0';
	if (ev->text.len > 0 &&
	    (ev->code = mxt_smtp_reply(t, te, ev->dsn)) == 0) {
		/* or with the enhanced code alone ("4.7.1 Rate limit ...") */
		ev->dsn[0] = '\0';
		mxt_smtp_dsn(t, te, 0, NULL, ev->dsn);
	}
	mxt_sink_emit(ex->sink, ev, NULL);
}

/* Text after the first ": " in [p, end), or empty. */
static struct mxt_str
text_after_colon(const char *p, const char *end)
{
	const char *q = find_lit(p, end, ": ");
	if (q == NULL)
		return mxt_str_make("", 0);
	return mxt_str_make(q + 2, (size_t)(end - q - 2));
}

/*
 * "[fields] [temporarily ]rejected WHAT[: text]": kw points at WHAT,
 * [msg, end) is the whole message for the dedupe key.
 */
static void
rejection(struct exim_state *ex, const struct mxt_logline *ll, struct mxt_str id,
    const struct fields *f, const char *msg, const char *kw, const char *end)
{
	struct mxt_event ev;
	const struct reject_what *w = NULL;
	const char *q, *after;

	for (size_t i = 0; i < sizeof reject_whats / sizeof reject_whats[0]; i++)
		if (mxt_has_bytes(kw, end, reject_whats[i].word,
		    reject_whats[i].len)) {
			w = &reject_whats[i];
			break;
		}
	if (w == NULL) {
		mxt_sink_unparsed(ex->sink, "rejection of an unknown kind");
		return;
	}
	rejection_init(&ev, ll, id, f);
	ev.phase = w->phase;
	q = kw + w->len;
	if (q[-1] == '<')
		q--; /* "from <s>": the address starts there */

	if (w->phase == MXT_PHASE_RCPT) {
		/* "RCPT <addr>: text", older "RCPT addr: text" */
		if (mxt_smtp_angle_addr(q, end, &ev.recipient, &after)) {
			q = after;
		} else {
			const char *e = token_end(q, end);
			ev.recipient = mxt_str_make(q, (size_t)(e - q));
			if (ev.recipient.len > 0 &&
			    ev.recipient.ptr[ev.recipient.len - 1] == ':') {
				ev.recipient.len--;
				e--;
			}
			q = e;
		}
		ev.text = text_after_colon(q, end);
	} else if (w->from) {
		/* "HELO from HOST: text": the host ends at "]: " or ": " */
		const char *ce = find_lit(q, end, "]: ");
		const char *c2 = find_lit(q, end, ": ");
		if (ce != NULL && memchr(q, '[', (size_t)(ce - q)) != NULL &&
		    (c2 == NULL || memchr(q, '[', (size_t)(c2 - q)) != NULL))
			ce += 1;
		else
			ce = c2;
		if (ce == NULL)
			ce = end;
		if (!f->has_host) {
			bool colon;
			parse_host(q, ce, &ev.relay, &ev.relay_ip,
			    &ev.relay_port, &colon);
		}
		ev.text = ce < end ? mxt_str_make(ce + 2,
		    (size_t)(end - ce - 2)) : mxt_str_make("", 0);
	} else if (kw[0] == 'M' || kw[0] == 'f') {
		/* "MAIL <s>: text", "MAIL FROM:<s> U=u: text",
		 * "from <s> H=h [ip]: message too big: ..." */
		struct mxt_str s;
		if (mxt_smtp_angle_addr(q, end, &s, &after)) {
			if (!f->has_sender)
				ev.sender = s;
			q = after;
			struct fields g = {0};
			const char *m, *stop;
			scan_fields(q, end, &g, &m, &stop);
			if (g.has_host && !f->has_host) {
				ev.relay = g.host;
				ev.relay_ip = g.ip;
				ev.relay_port = g.port;
			}
			if (m != NULL)
				ev.text = mxt_str_make(m, (size_t)(end - m));
			else
				ev.text = text_after_colon(q, end);
		} else {
			ev.text = text_after_colon(q, end);
		}
	} else {
		ev.text = text_after_colon(q, end);
	}
	emit_rejection(ex, ll, &ev, msg, end);
}

/*
 * "SMTP protocol synchronization error (why): rejected connection from
 * H=[ip] input=..." or "...: rejected "CMD" H=name [ip] ...": Exim
 * answered 554 and dropped the client.
 */
static void
sync_error(struct exim_state *ex, const struct mxt_logline *ll, struct mxt_str id,
    const char *msg, const char *s, const char *end)
{
	struct mxt_event ev;
	struct fields f = {0};
	const char *kw = find_lit(s, end, "): rejected ");
	if (kw == NULL) {
		mxt_sink_unparsed(ex->sink, "synchronization error without rejection");
		return;
	}
	const char *h = find_lit(kw, end, " H=");
	if (h != NULL) {
		const char *m, *stop;
		scan_fields(h, end, &f, &m, &stop);
	}
	rejection_init(&ev, ll, id, &f);
	ev.phase = has_lit(kw + MXT_LIT_LEN("): rejected "), end, "connection") ?
	    MXT_PHASE_CONNECT : MXT_PHASE_NONE;
	ev.text = mxt_str_make(s, (size_t)(kw + 1 - s));
	emit_rejection(ex, ll, &ev, msg, end);
}

/* Lines that carry the rejection shape without "rejected WHAT". */
static bool
other_rejection(struct exim_state *ex, const struct mxt_logline *ll,
    struct mxt_str id, const struct fields *f, const char *msg,
    const char *stop, const char *end)
{
	struct mxt_event ev;
	const char *q;
	if ((q = skip_lit(stop, end, "dropped by '")) != NULL) {
		/* "H=[ip] dropped by 'connect' ACL: text" */
		rejection_init(&ev, ll, id, f);
		if (has_lit(q, end, "connect'"))
			ev.phase = MXT_PHASE_CONNECT;
		ev.text = text_after_colon(stop, end);
		emit_rejection(ex, ll, &ev, msg, end);
		return true;
	}
#define TOO_MANY "too many recipients: excess temporarily rejected"
	if (has_lit(stop, end, TOO_MANY)) {
		/* "...: sender=<s> H=h [ip]": the RCPTs over the limit */
		struct fields g = {0};
		q = find_lit(stop, end, "sender=<");
		rejection_init(&ev, ll, id, f);
		ev.phase = MXT_PHASE_RCPT;
		ev.text = mxt_str_make(stop, MXT_LIT_LEN(TOO_MANY));
		const char *after, *m, *st;
		if (q != NULL && mxt_smtp_angle_addr(q + MXT_LIT_LEN("sender="),
		    end, &ev.sender, &after)) {
			scan_fields(after, end, &g, &m, &st);
			if (g.has_host) {
				ev.relay = g.host;
				ev.relay_ip = g.ip;
				ev.relay_port = g.port;
			}
		}
		emit_rejection(ex, ll, &ev, msg, end);
		return true;
	}
	return false;
}

/* ---- the dialect ------------------------------------------------------ */

/* Program "exim" (Exim's own files, and syslog's default ident), "exim4"
 * (Debian), or "exim" followed by digits. */
static bool
exim_claim(void *state, const struct mxt_logline *ll)
{
	return mxt_framing_is_exim(ll->program);
}

static struct fg_proc *
fg_proc(struct exim_state *ex, struct mxt_str pid)
{
	for (size_t i = 0; pid.len > 0 && i < FG_PROCS; i++)
		if (strlen(ex->procs[i].pid) == pid.len &&
		    memcmp(ex->procs[i].pid, pid.ptr, pid.len) == 0)
			return &ex->procs[i];
	return NULL;
}

/*
 * Exim's foreground output (framing.c): its entries have no message id.
 * A delivery process first says "delivering ID" (with its pid in front
 * once the daemon runs); its deliveries, deferrals, failures and
 * "Completed" that follow get that id back here, so they read as main
 * log lines. Returns false when the line was all there is to it. What
 * has no id to get back stays without one: arrivals ("<=", written by
 * the receiving process, which never prints its id; so the deliveries
 * of foreground output have no sender), and deliveries of an output
 * without pids (a delivery by "exim -v -M" alone has one process: its
 * "delivering ID" line counts for it).
 */
static bool
foreground(struct exim_state *ex, struct mxt_logline *ll)
{
	const char *s = ll->msg.ptr, *end = s + ll->msg.len;
	const char *e;
	struct fg_proc *p;
	if (has_lit(s, end, "delivering ")) {
		s += MXT_LIT_LEN("delivering ");
		e = token_end(s, end);
		if (!is_message_id(s, (size_t)(e - s)) ||
		    ll->pid.len >= sizeof p->pid)
			return false;
		if ((p = fg_proc(ex, ll->pid)) == NULL) {
			p = &ex->procs[ex->next_proc];
			ex->next_proc = (ex->next_proc + 1) % FG_PROCS;
		}
		snprintf(p->pid, sizeof p->pid, "%.*s", (int)ll->pid.len,
		    ll->pid.ptr);
		snprintf(p->id, sizeof p->id, "%.*s", (int)(e - s), s);
		return false;
	}
	bool flag = end - s >= 3 && s[2] == ' ' && (
	    (s[1] == '>' && strchr("=-*>", s[0]) != NULL) ||
	    (s[0] == '=' && s[1] == '=') || (s[0] == '*' && s[1] == '*'));
	bool completed = has_lit(s, end, "Completed") &&
	    (end - s == 9 || s[9] == ' ');
	if ((!flag && !completed) ||
	    (p = ll->pid.len > 0 ? fg_proc(ex, ll->pid) : NULL) == NULL)
		return true;
	int n = snprintf(ex->fg_line, sizeof ex->fg_line, "%s %.*s", p->id,
	    (int)(end - s), s);
	ll->msg = mxt_str_make(ex->fg_line, (size_t)n < sizeof ex->fg_line ?
	    (size_t)n : sizeof ex->fg_line - 1);
	if (completed)
		p->pid[0] = '\0'; /* the process ends */
	return true;
}

/*
 * Whether [s, end) holds "rejected" or "dropped by '": the test every
 * line without a message id meets (most are "SMTP connection from"
 * lines), in one pass for the rare byte of each, 'j' and the quote,
 * sixteen bytes at a time (scan_to3), where a search per word read the
 * line twice.
 */
static bool
mentions_rejection(const char *s, const char *end)
{
	static const char rej[] = "rejected", drop[] = "dropped by '";
	for (const char *q = scan_to3(s, end, 'j', '\'', '\''); q < end;
	    q = scan_to3(q + 1, end, 'j', '\'', '\'')) {
		if (*q == 'j' ? q - s >= 2 && end - q >= 6 &&
		    memcmp(q - 2, rej, sizeof rej - 1) == 0 :
		    q - s >= 11 && memcmp(q - 11, drop, sizeof drop - 1) == 0)
			return true;
	}
	return false;
}

static void
exim_parse(void *state, struct mxt_sink *sink, const struct mxt_logline *ll0)
{
	struct exim_state *ex = state;
	struct mxt_logline ll = *ll0;
	ex->sink = sink;
	if (ll.kind == MXT_HDR_EXIM_FG && !foreground(ex, &ll))
		return;
	const char *s = ll.msg.ptr, *end = s + ll.msg.len;
	const char *q;

	const char *msg = s;
	if (sink->source != ex->source) {
		ex->source = sink->source;
		ex->paniclog = mxt_ourside_is_paniclog(sink->source);
	}
	struct mxt_local local;
	if (ex->paniclog) {
		/* the panic log: every line is a panic of ours, no event */
		if (mxt_ourside_exim(&ll, true, s, end, &local))
			mxt_sink_local(sink, &local);
		return;
	}

	struct mxt_str id = {"", 0};
	const char *e = token_end(s, end);
	if (is_message_id(s, (size_t)(e - s))) {
		id = mxt_str_make(s, (size_t)(e - s));
		s = skip_spaces(e, end);
		if (end - s >= 2 && s[1] == '>' && (end - s == 2 || s[2] == ' ')) {
			/* "=> blackhole (RCPT ACL discarded recipients)": an
			 * ACL discard, no recipient and no attempt */
			if (has_lit(s, end, "=> blackhole (") &&
			    find_lit(s, end, "discarded recipients)") != NULL)
				return;
			switch (s[0]) {
			case '=': case '-': case '*': case '>':
				delivery(ex, &ll, id, s[0], s + 2, end);
				return;
			}
		}
		if (end - s >= 2 && (end - s == 2 || s[2] == ' ')) {
			if (s[0] == '<' && s[1] == '=') {
				arrival(ex, &ll, id, s + 2, end);
				return;
			}
			if (s[0] == '=' && s[1] == '=') {
				deferral(ex, &ll, id, s + 2, end);
				return;
			}
			if (s[0] == '*' && s[1] == '*') {
				failure(ex, &ll, id, s + 2, end);
				return;
			}
		}
		if (host_reply(ex, &ll, id, s, end))
			return;
		if (has_lit(s, end, "Completed") &&
		    (end - s == 9 || s[9] == ' ')) {
			mxt_sink_msg_end(ex->sink, ll.host, id);
			return;
		}
	}
	/* Exim's own complaints (ourside.c); a synchronization error is
	 * also the rejection it caused */
	if (id.len == 0 && mxt_ourside_exim(&ll, false, s, end, &local))
		mxt_sink_local(sink, &local);
	if (has_lit(s, end, "SMTP protocol synchronization error (")) {
		sync_error(ex, &ll, id, msg, s, end);
		return;
	}
	/* rejections: only fields before "[temporarily ]rejected " */
	if (!mentions_rejection(s, end))
		return;
	struct fields f = {0};
	const char *m, *stop;
	scan_fields(s, end, &f, &m, &stop);
	if (m != NULL)
		return;
	if ((q = skip_lit(stop, end, "rejected ")) != NULL ||
	    (q = skip_lit(stop, end, "temporarily rejected ")) != NULL)
		rejection(ex, &ll, id, &f, msg, q, end);
	else
		other_rejection(ex, &ll, id, &f, msg, stop, end);
}

/* "Name:" at p: a header field name and its colon. */
static bool
header_name(const char *p, const char *end)
{
	const char *q = p;
	while (q < end && (is_ascii_alnum(*q) || *q == '-' || *q == '_'))
		q++;
	return q > p && q < end && *q == ':';
}

/*
 * The reject log's header dump: "Envelope-from: <s>", "Envelope-to: <r>",
 * then each header with a one-character flag or two spaces ("P Received:
 * ...", "I Message-Id: ...", "* X-Old: ...", "  Date: ...") and folded
 * continuations led by a tab. Other indented lines are not claimed: a
 * headerless mail line with a leading space must still be reported.
 */
static bool
exim_dump_line(const char *line, size_t len)
{
	const char *end = line + len;
	if (len < 3)
		return false;
	if (line[0] == '\t')
		return true;
	if (has_lit(line, end, "Envelope-from: ") ||
	    has_lit(line, end, "Envelope-to: "))
		return true;
	if (line[1] == ' ' && ((line[0] >= 'A' && line[0] <= 'Z') ||
	    line[0] == '*' || line[0] == ' '))
		return header_name(line + 2, end);
	return false;
}

/*
 * --state: what the next run needs, as text, one entry a line, oldest
 * first:
 *   "d KEY SOURCE LINE"  a rejection not matched by its other copy yet
 *                        (hex key and input hash, line number), the
 *                        newest DEDUPE_SAVE_MAX of them: a rejection whose
 *                        main log copy was read by this run and whose
 *                        reject log copy comes in the next (Exim writes
 *                        both at once, but a run reads one file after
 *                        the other) counts once, as in one run
 *   "p PID ID"           a foreground delivery process and its message
 */
static char *
exim_save(const void *state)
{
	const struct exim_state *st = state;
	struct mxt_buf b = {0};
	uint32_t unmatched = 0, skip;
	for (uint32_t k = 0; k < st->count; k++) {
		const struct dedupe_entry *e =
		    &st->ring[(st->head - st->count + k) & (st->size - 1)];
		unmatched += !e->matched;
	}
	skip = unmatched > DEDUPE_SAVE_MAX ? unmatched - DEDUPE_SAVE_MAX : 0;
	for (uint32_t k = 0; k < st->count; k++) {
		const struct dedupe_entry *e =
		    &st->ring[(st->head - st->count + k) & (st->size - 1)];
		if (e->matched)
			continue;
		if (skip > 0) {
			skip--;
			continue;
		}
		char line[80];
		int n = snprintf(line, sizeof line, "d %016llx %016llx %ld\n",
		    (unsigned long long)e->key, (unsigned long long)e->source,
		    e->line_no);
		mxt_buf_append(&b, line, (size_t)n);
	}
	for (uint32_t i = 0; i < FG_PROCS; i++) {
		/* in order of age: next_proc is the oldest */
		const struct fg_proc *p =
		    &st->procs[(st->next_proc + i) % FG_PROCS];
		if (p->pid[0] == '\0')
			continue;
		char line[64];
		int n = snprintf(line, sizeof line, "p %s %s\n", p->pid, p->id);
		mxt_buf_append(&b, line, (size_t)n);
	}
	if (b.len == 0) {
		free(b.p);
		return NULL;
	}
	mxt_buf_append(&b, "", 1);
	return b.p;
}

static int
exim_restore(void *state, const char *text)
{
	struct exim_state *st = state;
	const char *p = text;
	while (*p != '\0') {
		unsigned long long key, source;
		long line_no;
		char pid[12], id[24];
		int used = 0;
		if (sscanf(p, "d %16llx %16llx %ld%n", &key, &source, &line_no,
		    &used) == 3 && used > 0) {
			dedupe_remember(st, key, source, line_no, false);
		} else if (sscanf(p, "p %11s %23s%n", pid, id, &used) == 2 &&
		    used > 0 && is_message_id(id, strlen(id))) {
			struct fg_proc *f = &st->procs[st->next_proc];
			st->next_proc = (st->next_proc + 1) % FG_PROCS;
			snprintf(f->pid, sizeof f->pid, "%s", pid);
			snprintf(f->id, sizeof f->id, "%s", id);
		} else {
			return -1;
		}
		p += used;
		if (*p != '\n')
			return -1;
		p++;
	}
	return 0;
}

const struct mxt_dialect mxt_dialect_exim = {
	.name = "exim",
	.mta = MXT_MTA_EXIM,
	.create = exim_create,
	.destroy = exim_destroy,
	.claim = exim_claim,
	.parse = exim_parse,
	.headerless = exim_dump_line,
	.save = exim_save,
	.restore = exim_restore,
};
