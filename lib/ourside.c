/*
 * ourside.c - "is it us or them?": the lines in which the local MTA
 * tells of its own trouble, read into struct mxt_local records.
 *
 * Postfix: every "warning:", "error:", "fatal:" and "panic:" line of any
 * process (a "QID: warning: header ..." line is a header_checks action
 * about a message, not trouble of ours, and is left alone), with two
 * topics read out of them: SASL authentication failures by client
 * ("warning: unknown[192.0.2.1]: SASL LOGIN authentication failed: ...")
 * and the connection limits anvil made smtpd enforce ("warning:
 * Connection rate limit exceeded: 27 from unknown[192.0.2.1] for service
 * smtp"); postscreen's verdicts (PREGREET, DNSBL rank, HANGUP, COMMAND
 * PIPELINING, ...: notes counted by action) and anvil's statistics (the
 * maxima, notes).
 * Exim: its own complaints in the main log (TLS errors, SMTP protocol
 * errors, connections dropped or timed out, authenticator failures), and
 * every line of its panic log, recognised by the input's name.
 *
 * A record "links" (may explain a later failure of the same process)
 * unless it is about one client: a SASL failure, a limit enforced, a
 * client that broke the protocol or hung up.
 *
 * The dialects (postfix.c, exim.c) call these readers and hand the
 * record to their sink; the pass keeps the last warnings per process to
 * link a failure to (pass.c), the summary groups them (summary_ourside.c)
 * by mxt_ourside_key. Nothing here allocates.
 */
#include "ourside.h"
#include "smtp.h"

#include <string.h>

static const char *const level_names[MXT_LEVEL_COUNT] = {
	[MXT_LEVEL_NOTE] = "note",
	[MXT_LEVEL_WARNING] = "warning",
	[MXT_LEVEL_ERROR] = "error",
	[MXT_LEVEL_FATAL] = "fatal",
	[MXT_LEVEL_PANIC] = "panic",
};

static const char *const topic_names[MXT_TOPIC_COUNT] = {
	[MXT_TOPIC_NONE] = "none",
	[MXT_TOPIC_SASL] = "sasl",
	[MXT_TOPIC_RATE] = "rate_limit",
	[MXT_TOPIC_ANVIL] = "anvil",
	[MXT_TOPIC_POSTSCREEN] = "postscreen",
	[MXT_TOPIC_TLS] = "tls",
	[MXT_TOPIC_PROTOCOL] = "protocol",
	[MXT_TOPIC_DROPPED] = "dropped",
};

const char *
mxt_local_level_name(enum mxt_local_level l)
{
	return (unsigned)l < MXT_LEVEL_COUNT ? level_names[l] : NULL;
}

const char *
mxt_local_topic_name(enum mxt_local_topic t)
{
	return (unsigned)t < MXT_TOPIC_COUNT ? topic_names[t] : NULL;
}

/* ---- the group key ---------------------------------------------------- */

static bool
word_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '_';
}

size_t
mxt_ourside_key(enum mxt_local_level level, const char *text, size_t len,
    char *out, size_t size)
{
	char norm[2 * MXT_OURSIDE_TEXT_MAX + 16];
	if (len > MXT_OURSIDE_TEXT_MAX)
		len = MXT_OURSIDE_TEXT_MAX;
	size_t n = mxt_classify_normalise(text, len, norm, sizeof norm);
	size_t o = 0;
	const char *name = mxt_local_level_name(level);
	for (const char *p = name; *p && o + 1 < size; p++)
		out[o++] = *p;
	for (const char *p = ": "; *p && o + 1 < size; p++)
		out[o++] = *p;
	/* the normaliser keeps words of fewer than four digits and short
	 * ids: mask every word that holds a digit (a placeholder such as
	 * "%i" holds none) */
	for (size_t i = 0; i < n;) {
		if (!word_char((unsigned char)norm[i])) {
			if (o + 1 < size)
				out[o++] = norm[i];
			i++;
			continue;
		}
		size_t j = i;
		bool digit = false;
		while (j < n && word_char((unsigned char)norm[j])) {
			digit |= norm[j] >= '0' && norm[j] <= '9';
			j++;
		}
		if (digit) {
			if (o + 2 < size) {
				out[o++] = '%';
				out[o++] = 'n';
			}
		} else {
			for (size_t k = i; k < j && o + 1 < size; k++)
				out[o++] = norm[k];
		}
		i = j;
	}
	out[o] = '\0';
	return o;
}

/* ---- Postfix ---------------------------------------------------------- */

struct level_word {
	const char *word;
	size_t len;
	enum mxt_local_level level;
};

static const struct level_word postfix_levels[] = {
	{MXT_LIT("warning: "), MXT_LEVEL_WARNING},
	{MXT_LIT("error: "), MXT_LEVEL_ERROR},
	{MXT_LIT("fatal: "), MXT_LEVEL_FATAL},
	{MXT_LIT("panic: "), MXT_LEVEL_PANIC},
};

/* postscreen(8)'s verdicts, as it logs them; longest first where one
 * begins another. Index = position in mxt_ourside_actions. */
const char *const mxt_ourside_actions[MXT_OURSIDE_ACTIONS] = {
	"PREGREET", "DNSBL", "HANGUP", "COMMAND PIPELINING",
	"NON-SMTP COMMAND", "BARE NEWLINE", "COMMAND TIME LIMIT",
	"COMMAND COUNT LIMIT", "COMMAND LENGTH LIMIT", "PASS NEW",
	"PASS OLD", "ALLOWLISTED", "DENYLISTED", "ALLOWLIST VETO",
};

const char *const mxt_ourside_anvil_names[OURSIDE_ANVIL] = {
	"connection rate", "connection count", "message rate",
	"recipient rate", "newtls rate",
};

/* Older Postfix names of the same verdicts (before 3.6). */
static const struct {
	const char *word;
	int action;
} action_aliases[] = {
	{"WHITELISTED", 11},
	{"BLACKLISTED", 12},
	{"WHITELIST VETO", 13},
};

int
mxt_ourside_action_index(struct mxt_str a)
{
	for (int i = 0; i < MXT_OURSIDE_ACTIONS; i++)
		if (a.len == strlen(mxt_ourside_actions[i]) &&
		    memcmp(a.ptr, mxt_ourside_actions[i], a.len) == 0)
			return i;
	return -1;
}

/* The verdict word(s) at the start of a postscreen line, followed by a
 * space or the end; the longest that matches. */
static bool
postscreen(const char *s, const char *end, struct mxt_local *l)
{
	size_t best = 0;
	const char *name = NULL;
	for (int i = 0; i < MXT_OURSIDE_ACTIONS; i++) {
		size_t n = strlen(mxt_ourside_actions[i]);
		if ((size_t)(end - s) >= n && memcmp(s, mxt_ourside_actions[i],
		    n) == 0 && (s + n == end || s[n] == ' ') && n > best) {
			best = n;
			name = mxt_ourside_actions[i];
		}
	}
	for (size_t i = 0; i < sizeof action_aliases / sizeof *action_aliases;
	    i++) {
		size_t n = strlen(action_aliases[i].word);
		if ((size_t)(end - s) >= n && memcmp(s, action_aliases[i].word,
		    n) == 0 && (s + n == end || s[n] == ' ') && n > best) {
			best = n;
			name = mxt_ourside_actions[action_aliases[i].action];
		}
	}
	if (name == NULL)
		return false;
	l->level = MXT_LEVEL_NOTE;
	l->topic = MXT_TOPIC_POSTSCREEN;
	l->action = mxt_str_make(name, strlen(name));
	/* the client: "[ip]:port" */
	const char *b = memchr(s, '[', (size_t)(end - s));
	if (b != NULL) {
		const char *e = memchr(b, ']', (size_t)(end - b));
		if (e != NULL)
			l->client_ip = mxt_str_make(b + 1, (size_t)(e - b - 1));
	}
	return true;
}

static uint64_t
number_at(const char *p, const char *end, const char **after)
{
	uint64_t v = 0;
	while (p < end && *p >= '0' && *p <= '9' && v < UINT64_MAX / 10)
		v = v * 10 + (uint64_t)(*p++ - '0');
	if (after != NULL)
		*after = p;
	return v;
}

/* anvil: "statistics: max connection rate 12/60s for (smtp:192.0.2.1) at
 * Nov 23 10:00:01" and "... max connection count 3 for (...)" (also
 * message, recipient and newtls rates); the cache size line is not
 * about a client. */
static bool
anvil(const char *s, const char *end, struct mxt_local *l)
{
	const char *p = skip_lit(s, end, "statistics: max ");
	if (p == NULL)
		return false;
	const char *what = p;
	const char *q = find_lit(p, end, " for (");
	if (q == NULL)
		return false;
	/* the words before the number: "connection rate" */
	const char *num = q;
	while (num > what && num[-1] != ' ')
		num--;
	if (num <= what)
		return false;
	l->level = MXT_LEVEL_NOTE;
	l->topic = MXT_TOPIC_ANVIL;
	l->action = mxt_str_make(what, (size_t)(num - 1 - what));
	l->value = number_at(num, q, NULL);
	const char *c = q + MXT_LIT_LEN(" for (");
	const char *ce = memchr(c, ')', (size_t)(end - c));
	if (ce == NULL)
		return false;
	const char *colon = memchr(c, ':', (size_t)(ce - c));
	l->client_ip = colon ? mxt_str_make(colon + 1, (size_t)(ce - colon - 1)) :
	    mxt_str_make(c, (size_t)(ce - c));
	return true;
}

/* Inside a warning: the SASL failure and the enforced limit. */
/*
 * Warnings of smtpd and postscreen about the one client of a session (its
 * address, its name, its HELO, its hang-up), in Postfix's own words
 * (smtpd_peer.c, smtpd.c, postscreen.c, and Cyrus SASL's message through
 * smtpd): like a SASL failure they explain nothing about the next client,
 * so they link to no later failure of the process. A long-lived
 * postscreen otherwise "explains" every later busy or protocol refusal
 * with one client's getpeername.
 */
static const struct {
	const char *p;
	size_t n;
} about_one_client[] = {
	{MXT_LIT("dropping this connection")},
	{MXT_LIT(": address not listed for hostname ")},
	{MXT_LIT(" does not resolve to address ")},
	{MXT_LIT(": hostname verification failed")},
	{MXT_LIT("valid_hostname: ")},
	{MXT_LIT("SASL authentication failure: ")},
	{MXT_LIT("non-SMTP command from ")},
	{MXT_LIT("Illegal address syntax from ")},
};

static bool
is_about_one_client(const char *t, const char *end)
{
	for (size_t i = 0; i < sizeof about_one_client /
	    sizeof *about_one_client; i++)
		if (mxt_find_bytes(t, end, about_one_client[i].p,
		    about_one_client[i].n) != NULL)
			return true;
	return false;
}

static void
warning_topic(const char *t, const char *end, struct mxt_local *l)
{
	const char *q;
	if ((q = find_lit(t, end, "]: SASL ")) != NULL &&
	    find_lit(q, end, " authentication failed") != NULL) {
		/* "name[ip]: SASL LOGIN authentication failed: ..." */
		int port;
		l->topic = MXT_TOPIC_SASL;
		mxt_smtp_hostaddr(t, q + 1, &l->client, &l->client_ip, &port);
		return;
	}
	if ((q = find_lit(t, end, " limit exceeded: ")) != NULL) {
		/* "Connection rate limit exceeded: 27 from name[ip] for
		 * service smtp" */
		const char *p = q + MXT_LIT_LEN(" limit exceeded: "), *after;
		const char *from, *svc;
		l->value = number_at(p, end, &after);
		if ((from = skip_lit(after, end, " from ")) != NULL &&
		    (svc = find_lit(from, end, " for service ")) != NULL) {
			int port;
			l->topic = MXT_TOPIC_RATE;
			l->action = mxt_str_make(t, (size_t)(q - t));
			mxt_smtp_hostaddr(from, svc, &l->client, &l->client_ip,
			    &port);
		}
		return;
	}
	if (has_lit(t, end, "TLS library problem") ||
	    find_lit(t, end, "SSL_accept error") != NULL ||
	    find_lit(t, end, "SSL_connect error") != NULL)
		l->topic = MXT_TOPIC_TLS;
}

bool
mxt_ourside_postfix(const struct mxt_logline *ll, struct mxt_str service,
    const char *s, const char *end, struct mxt_local *l)
{
	memset(l, 0, sizeof *l);
	l->time = ll->time;
	l->mta = MXT_MTA_POSTFIX;
	l->host = ll->host;
	l->program = ll->program;
	l->pid = ll->pid;
	for (size_t i = 0; i < sizeof postfix_levels / sizeof *postfix_levels;
	    i++) {
		const struct level_word *w = &postfix_levels[i];
		/* "warning: text", or a bare "warning:" (a cut line, or a
		 * text of spaces that the collector trimmed) */
		size_t n = (size_t)(end - s);
		if (n >= w->len - 1 && memcmp(s, w->word, w->len - 1) == 0 &&
		    (n == w->len - 1 || s[w->len - 1] == ' ')) {
			size_t skip = n == w->len - 1 ? n : w->len;
			l->level = w->level;
			l->links = true;
			l->text = mxt_str_make(s + skip, n - skip);
			warning_topic(l->text.ptr, end, l);
			/* a complaint about one client (its password, its
			 * rate) explains nothing about the next client */
			l->links = l->topic != MXT_TOPIC_SASL &&
			    l->topic != MXT_TOPIC_RATE &&
			    !is_about_one_client(l->text.ptr, end);
			return true;
		}
	}
	l->text = mxt_str_make(s, (size_t)(end - s));
	if (mxt_str_eq(service, "postscreen"))
		return postscreen(s, end, l);
	if (mxt_str_eq(service, "anvil"))
		return anvil(s, end, l);
	return false;
}

/* ---- Exim ------------------------------------------------------------- */

struct exim_complaint {
	const char *word;
	size_t len;
	enum mxt_local_topic topic;
	bool anywhere; /* else at the start of the message */
};

/* Exim's own complaints (main log), by the words that begin them. */
static const struct exim_complaint exim_complaints[] = {
	{MXT_LIT("TLS error on connection "), MXT_TOPIC_TLS, false},
	{MXT_LIT("SMTP protocol synchronization error "), MXT_TOPIC_PROTOCOL,
	    false},
	{MXT_LIT("SMTP protocol error in "), MXT_TOPIC_PROTOCOL, false},
	{MXT_LIT("SMTP syntax error in "), MXT_TOPIC_PROTOCOL, false},
	{MXT_LIT("unexpected disconnection while reading SMTP command "),
	    MXT_TOPIC_DROPPED, false},
	{MXT_LIT("SMTP command timeout on "), MXT_TOPIC_DROPPED, false},
	{MXT_LIT("SMTP data timeout (message abandoned) on "),
	    MXT_TOPIC_DROPPED, false},
	{MXT_LIT(" authenticator failed for "), MXT_TOPIC_SASL, true},
};

/* The client's address: the first " [ip]" after from ("H=name (helo)
 * [ip]:port"; a HELO address literal "([192.0.2.1])" is not it). */
static void
exim_client(const char *from, const char *end, struct mxt_local *l)
{
	const char *b = find_lit(from - 1, end, " [");
	if (b == NULL)
		return;
	b++;
	const char *e = memchr(b, ']', (size_t)(end - b));
	if (e != NULL)
		l->client_ip = mxt_str_make(b + 1, (size_t)(e - b - 1));
}

/* l as an Exim line of ll whose message is [s, end) tells it. */
static void
exim_local(struct mxt_local *l, const struct mxt_logline *ll, const char *s,
    const char *end)
{
	memset(l, 0, sizeof *l);
	l->time = ll->time;
	l->mta = MXT_MTA_EXIM;
	l->host = ll->host;
	l->program = ll->program;
	l->pid = ll->pid;
	l->text = mxt_str_make(s, (size_t)(end - s));
	l->links = true;
}

bool
mxt_ourside_exim(const struct mxt_logline *ll, bool panic, const char *s,
    const char *end, struct mxt_local *l)
{
	if (panic) {
		exim_local(l, ll, s, end);
		l->level = MXT_LEVEL_PANIC;
		return s < end;
	}
	/* l is filled for a complaint only: this is asked of every line
	 * without a message id, and most are none */
	for (size_t i = 0; i < sizeof exim_complaints / sizeof *exim_complaints;
	    i++) {
		const struct exim_complaint *c = &exim_complaints[i];
		const char *at = c->anywhere ?
		    mxt_find_bytes(s, end, c->word, c->len) :
		    mxt_has_bytes(s, end, c->word, c->len) ? s : NULL;
		if (at == NULL)
			continue;
		exim_local(l, ll, s, end);
		l->level = MXT_LEVEL_ERROR;
		l->topic = c->topic;
		/* about one client, except a TLS error (our certificate) */
		l->links = c->topic == MXT_TOPIC_TLS;
		exim_client(at + c->len, end, l);
		return true;
	}
	return false;
}

bool
mxt_ourside_is_paniclog(const char *source)
{
	if (source == NULL)
		return false;
	const char *base = strrchr(source, '/');
	base = base ? base + 1 : source;
	return strstr(base, "paniclog") != NULL ||
	    strstr(base, "panic.log") != NULL;
}

bool
mxt_ourside_wants_link(const struct mxt_event *ev)
{
	if (ev->status == MXT_STATUS_DELIVERED ||
	    ev->status == MXT_STATUS_EXPIRED || ev->cause == MXT_CAUSE_NONE ||
	    mxt_cause_is_repeat(ev->cause))
		return false;
	if (ev->cause == MXT_CAUSE_OTHER)
		return true;
	if (ev->direction == MXT_DIR_IN)
		return ev->cause == MXT_CAUSE_SERVER_BUSY ||
		    (ev->dsn[0] != '\0' && ev->dsn[1] == '.' && ev->dsn[2] == '3' &&
		    ev->dsn[3] == '.');
	return mxt_cause_side(ev->cause) == MXT_SIDE_US ||
	    mxt_str_eq(ev->service, "local") ||
	    mxt_str_eq(ev->service, "virtual") ||
	    mxt_str_eq(ev->service, "pipe");
}
