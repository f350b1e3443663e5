/*
 * classify.c - events -> cause: the built-in rule table, the classifier
 * object that holds the compiled rules (the user's first), the result
 * cache and the provider roll-up.
 *
 * The table below is data; mxt_classify() is a loop over it. FIRST MATCH
 * WINS, so the order is the design:
 *
 *   1. consequences of earlier failures (suspended, expired): their text
 *      embeds the original reason, which must not be counted again;
 *   2. greylisting, before anything that "try again later" or "SPF" in a
 *      greylisting reply would otherwise match;
 *   3. provider wordings (Google, Microsoft, Yahoo, Apple, GMX, Orange,
 *      Comcast, Mimecast, Proofpoint, Cisco, NetEase): their codes say
 *      what the bare enhanced code does not (Yahoo's 4.7.0 [TSS04] is
 *      throttling, not a security refusal);
 *   4. texts of the MTAs themselves (Postfix and Exim: loops, DNS
 *      failures, connection failures, TLS, SMTP AUTH);
 *   5. common reply wordings, most specific first, ending with the broad
 *      "policy" and "try again later" families;
 *   6. enhanced status code fallbacks (RFC 3463 subject and detail);
 *   7. reply code fallbacks (RFC 5321).
 * Fallbacks exist only where a real reply text needs them; the meaning
 * of every enhanced code is in explain.c either way.
 *
 * Every built-in rule has at least one real reply text in
 * testdata/classify/ that it decides; classify_test fails otherwise.
 *
 * The cache: reply texts repeat (the same deferral for every queued
 * message), so results are remembered in a direct-mapped table keyed by a
 * hash of (direction, code, dsn, text), with the key stored to rule out
 * collisions. A slot is simply overwritten on conflict: bounded memory,
 * no eviction bookkeeping, and the hot entries win back their slots.
 */
#include "classify_internal.h"

#include <stdlib.h>
#include <string.h>

#define A (-1)
#define IN MXT_DIR_IN
#define OUT MXT_DIR_OUT

/* {name, cause, direction, code, dsn, contains, pattern} */
const struct rule_def mxt_builtin_rules[] = {
	/* 1. Consequences of an earlier failure. */
	/* Only outbound, and only where the MTA itself starts the text with
	 * them: a remote reply or a client's address holding these words
	 * must never turn a line into a repeat (issue 9). */
	{"postfix-suspended", MXT_CAUSE_SUSPENDED, OUT, NULL, NULL,
	    "delivery temporarily suspended",
	    "^delivery temporarily suspended:"},
	{"exim-retry-timeout", MXT_CAUSE_EXPIRED, OUT, NULL, NULL,
	    "retry timeout exceeded|have been failing for a long time",
	    "^(?:retry timeout exceeded|all hosts for '[^']*' have been "
	    "failing for a long time)"},
	{"exim-retry-not-reached", MXT_CAUSE_SUSPENDED, OUT, NULL, NULL,
	    "retry time not", "^retry time not (?:yet )?reached"},
	/* Exim held the message for a later queue run by configuration
	 * (queue_smtp_domains, -odqs, control=queue): nothing was tried, so
	 * like a cached repeat it is no fresh failure. */
	{"exim-queued-only", MXT_CAUSE_SUSPENDED, OUT, NULL, NULL,
	    "queue_smtp_domains|smtp delivery explicitly queued", NULL},
	/* A router or ACL of ours said :defer: (local policy). */
	{"exim-forced-defer", MXT_CAUSE_POLICY, A, NULL, NULL,
	    "forced defer|forced to defer|forcibly deferred",
	    "^(?:forced defer|forced to defer|forcibly deferred)|"
	    "has been forced to defer"},

	/* 2. Greylisting. */
	{"greylisting", MXT_CAUSE_GREYLISTING, A, NULL, NULL,
	    "greylist|graylist|grey-list|grey list", NULL},
	{"rspamd-greylisting", MXT_CAUSE_GREYLISTING, A, NULL, NULL,
	    "try again later",
	    "^\\s*(?:4\\d\\d[ -])?4\\.7\\.1\\s+try again later\\.?\\s*$"},
	{"mimecast-greylisting", MXT_CAUSE_GREYLISTING, A, NULL, NULL,
	    "internal resource temporarily unavailable", NULL},
	{"yahoo-greylisting", MXT_CAUSE_GREYLISTING, A, NULL, NULL,
	    "[gl01]", NULL},

	/* 3. Provider wordings. Google (Gmail, Workspace): */
	{"google-unusual-rate", MXT_CAUSE_RATE_LIMIT, A, NULL, NULL,
	    "unusual rate of", NULL},
	{"google-receiving-rate", MXT_CAUSE_RATE_LIMIT, A, NULL, NULL,
	    "receiving mail at a rate|receiving mail too quickly", NULL},
	{"google-sending-quota", MXT_CAUSE_RATE_LIMIT, A, NULL, NULL,
	    "sending quota exceeded|sending limit exceeded", NULL},
	{"google-low-reputation", MXT_CAUSE_BLOCKLIST, A, NULL, NULL,
	    "low reputation of the sending", NULL},
	{"google-unsolicited", MXT_CAUSE_CONTENT, A, NULL, NULL,
	    "likely unsolicited mail", NULL},
	{"google-ip-not-authorized", MXT_CAUSE_BLOCKLIST, A, NULL, NULL,
	    "not authorized to send email directly to our servers", NULL},
	{"google-unauthenticated", MXT_CAUSE_SENDER_AUTH, A, NULL, NULL,
	    "does not have authentication information|"
	    "pass authentication checks|sender is unauthenticated|"
	    "pass spf or dkim", NULL},
	{"google-policy-prohibited", MXT_CAUSE_POLICY, A, NULL, NULL,
	    "has a policy that",
	    "has a policy that (?:\\d{3}[ -]\\d\\.\\d\\.\\d+ )?prohibited"},
	{"google-account-disabled", MXT_CAUSE_UNKNOWN_USER, A, NULL, NULL,
	    "account that you tried to reach is disabled|"
	    "account that you tried to reach is inactive", NULL},
	/* Microsoft (Outlook.com, Exchange Online Protection): */
	{"microsoft-block-list", MXT_CAUSE_BLOCKLIST, A, NULL, NULL, NULL,
	    "\\(S31[45]0\\)|part of their network is on our block list"},
	{"microsoft-banned-sender", MXT_CAUSE_BLOCKLIST, A, NULL, NULL,
	    "banned sending ip|banned sender", NULL},
	{"microsoft-ip-reputation", MXT_CAUSE_RATE_LIMIT, A, NULL, NULL,
	    "rate limited due to ip reputation|temporarily rate limited", NULL},
	/* 4.7.500-699: EOP throttling a sender ("Server busy", "Access
	 * denied, please try again later"), not an overloaded server. */
	{"microsoft-throttling", MXT_CAUSE_RATE_LIMIT, A, NULL, "4.7.500-699",
	    NULL, NULL},
	{"microsoft-banned-ip-dsn", MXT_CAUSE_BLOCKLIST, A, NULL,
	    "5.7.606-649", NULL, NULL},
	{"microsoft-dbeb", MXT_CAUSE_UNKNOWN_USER, A, NULL, NULL,
	    "as(201806281)", NULL},
	{"microsoft-recipient-not-found", MXT_CAUSE_UNKNOWN_USER, A, NULL,
	    NULL, "recipnotfound|recipientnotfound|"
	    "recipient not found by smtp address lookup", NULL},
	{"outlook-rate", MXT_CAUSE_RATE_LIMIT, A, NULL, NULL, "rp-00",
	    "\\bRP-00[1-3]\\b"},
	{"outlook-reputation", MXT_CAUSE_BLOCKLIST, A, NULL, NULL,
	    "sc-00|ou-00|dy-00", "\\b(?:SC|OU|DY)-00[1-4]\\b"},
	/* Yahoo and AOL: */
	{"yahoo-deferred", MXT_CAUSE_RATE_LIMIT, A, NULL, NULL, "[ts",
	    "\\[(?:TS01|TS02|TSS02|TSS04|TSS05|TSS11)\\]"},
	{"yahoo-permanently-deferred", MXT_CAUSE_BLOCKLIST, A, NULL, NULL,
	    NULL, "\\[(?:TS03|TS06|TSS07|TSS09)\\]|permanently deferred"},
	{"yahoo-excessive-unknown", MXT_CAUSE_RATE_LIMIT, A, NULL, NULL,
	    "excessive unknown recipients", NULL},
	{"yahoo-blocklisted", MXT_CAUSE_BLOCKLIST, A, NULL, NULL, "[bl",
	    "\\[BL2\\d\\]"},
	{"yahoo-phishing", MXT_CAUSE_CONTENT, A, NULL, NULL, "[ph01]", NULL},
	{"yahoo-policy", MXT_CAUSE_POLICY, A, NULL, NULL,
	    "message not accepted for policy reasons", NULL},
	/* Apple iCloud (filtering by Cloudmark/Proofpoint): */
	{"apple-reputation", MXT_CAUSE_BLOCKLIST, A, NULL, NULL, "[cs0",
	    "\\[CS0\\d\\]"},
	{"apple-content", MXT_CAUSE_CONTENT, A, NULL, NULL, "[hm0",
	    "\\[HM0\\d\\]"},
	{"apple-volume", MXT_CAUSE_RATE_LIMIT, A, NULL, NULL,
	    "deferred due to excessive volume", NULL},
	/* GMX and WEB.DE (United Internet): */
	{"gmx-blocklisted", MXT_CAUSE_BLOCKLIST, A, NULL, NULL,
	    "ip address is block listed|ip address is black listed", NULL},
	{"gmx-policy", MXT_CAUSE_POLICY, A, NULL, NULL,
	    "reject due to policy restrictions", NULL},
	/* Orange (OFR codes): */
	{"orange-connections", MXT_CAUSE_RATE_LIMIT, A, NULL, NULL, NULL,
	    "OFR004_104|trop de connexions"},
	{"orange-service-refused", MXT_CAUSE_RATE_LIMIT, A, NULL, NULL, NULL,
	    "OFR(?:004_105|_10[5-9]|_999)|service refus"},
	{"orange-rejected", MXT_CAUSE_BLOCKLIST, A, NULL, NULL, "ofr",
	    "OFR_?5\\d\\d|mail rejet"},
	/* Comcast (postmaster.comcast.net codes): */
	{"comcast-blocked", MXT_CAUSE_BLOCKLIST, A, NULL, NULL, NULL,
	    "\\b(?:BL0{3}[01]{3}|BL00\\d{1,2}|ES0000(?:01|10))\\b"},
	{"comcast-rate", MXT_CAUSE_RATE_LIMIT, A, NULL, NULL, NULL,
	    "\\bRL0{3}\\d{3}\\b|\\bRL00\\d\\b|too many sessions opened"},
	/* Security gateways: */
	{"mimecast-anti-spoofing", MXT_CAUSE_SENDER_AUTH, A, NULL, NULL,
	    "anti-spoofing", NULL},
	{"mimecast-envelope-blocked", MXT_CAUSE_POLICY, A, NULL, NULL,
	    "envelope blocked", NULL},
	{"mimecast-busy", MXT_CAUSE_SERVER_BUSY, A, NULL, NULL,
	    "unable to process connection at this time", NULL},
	{"proofpoint-blocked", MXT_CAUSE_BLOCKLIST, A, NULL, NULL,
	    "ipcheck.proofpoint.com|proofpoint.com/dnsbl-lookup", NULL},
	{"cisco-senderbase", MXT_CAUSE_BLOCKLIST, A, NULL, NULL,
	    "senderbase|your access to submit messages to this e-mail system "
	    "has been rejected", NULL},
	{"netease-spam", MXT_CAUSE_CONTENT, A, NULL, NULL, "dt:spm", NULL},

	/* 4. The MTAs' own texts. Local configuration and delivery errors
	 * first: no remote said anything, and their words ("Permission
	 * denied", "cannot use ... in ACL") must not look like a policy. */
	{"mta-config-error", MXT_CAUSE_OTHER, A, "none", NULL,
	    "permission denied|failed to expand|expansion of|"
	    "error in filter file|error in redirect data|is not absolute|"
	    "tainted|transport filter|_transport unset|no command specified|"
	    "never_users|cannot test|cannot use|acl error|unknown acl|"
	    "invalid \"condition\"|filter autoreply|child process of|"
	    "unable to execute|failed to open|failed to lock mailbox", NULL},
	{"mail-loop", MXT_CAUSE_ROUTING, A, NULL, NULL,
	    "mail forwarding loop|loops back to myself|too many hops|"
	    "hop count exceeded|routing loop|mail loop|"
	    "too many \"received\" headers", NULL},
	{"mx-is-local", MXT_CAUSE_ROUTING, A, NULL, NULL,
	    "points to local host|remote host address is the local host|"
	    " to be local", NULL},
	{"postfix-dns-tempfail", MXT_CAUSE_DNS, A, NULL, NULL, "try again",
	    "name service error .*try again|host not found, try again"},
	{"postfix-domain-not-found", MXT_CAUSE_BAD_DOMAIN, A, NULL, NULL,
	    "host or domain name not found", NULL},
	{"null-mx", MXT_CAUSE_BAD_DOMAIN, A, NULL, NULL,
	    "(nullmx)|does not accept mail (null mx)", NULL},
	{"exim-unrouteable-domain", MXT_CAUSE_BAD_DOMAIN, A, NULL, NULL,
	    "unrouteable mail domain", NULL},
	{"tls", MXT_CAUSE_TLS, A, NULL, NULL, NULL,
	    "\\btls\\b|starttls|ssl_connect|certificate (?:not verified|"
	    "verification|revoked|invalid|status)|encryption required|"
	    "must encrypt|unacceptable cipher|\\bdane\\b|\\btlsa\\b|"
	    "handshake"},
	{"dns-lookup", MXT_CAUSE_DNS, A, NULL, NULL,
	    "lookup did not complete|dns timeout|failed to lookup ip address|"
	    "malformed dns server reply|unable to look up|"
	    "temporary failure in name resolution|servfail|"
	    "lookup of host|"
	    "all relevant mx records point to non-existent hosts", NULL},
	{"connection", MXT_CAUSE_CONNECTION, A, NULL, NULL, NULL,
	    "connection (?:refused|timed out|reset)|no route to host|"
	    "network (?:is )?unreachable|lost connection with|"
	    "conversation with .* timed out|"
	    "remote host (?:\\S+ (?:\\[[^]]*\\] )?)?closed connection|"
	    "(?:smtp|lmtp) timeout after|netwk addr not available|"
	    "broken pipe|malformed smtp reply"},
	{"network-error", MXT_CAUSE_CONNECTION, A, NULL, NULL,
	    "network error|operation timed out", NULL},
	/* Our server refused a client that talked before its turn. */
	{"smtp-synchronization", MXT_CAUSE_POLICY, IN, NULL, NULL,
	    "synchronization error", NULL},
	{"unroutable", MXT_CAUSE_ROUTING, A, NULL, NULL, NULL,
	    "can'?t route|cannot route|unable to route|no route to (?!host)"},
	{"smtp-auth", MXT_CAUSE_AUTH, A, NULL, NULL, NULL,
	    "authentication (?:failed|failure|required|credentials invalid|"
	    "unsuccessful|attempt\\(s\\) failed)|smtp auth is required|"
	    "\\bauth(?:entication)? required|not authenticated|"
	    "invalid login|username and password not accepted|"
	    "did not advertise auth|must authenticate|"
	    "authenticator failed"},

	/* 5. Common reply wordings, specific before broad. */
	/* Exim's "rejected RCPT <a@b>" with no text: an ACL deny of ours
	 * without a message. */
	{"acl-deny-without-message", MXT_CAUSE_POLICY, IN, NULL, NULL, NULL,
	    "^\\s*$"},
	{"server-ports-busy", MXT_CAUSE_SERVER_BUSY, A, NULL, NULL,
	    "ports busy|ports are busy", NULL},
	{"mailbox-full", MXT_CAUSE_MAILBOX_FULL, A, NULL, NULL, NULL,
	    "mailbox (?:is )?full|over[ -]?quota|quota (?:exceeded|exceeds|"
	    "full|verification failure)|exceeded storage allocation|"
	    "out of storage space|mailbox size limit|inbox is full|"
	    "disk quota|mailbox (?:has )?exceeded"},
	{"message-size", MXT_CAUSE_MESSAGE_SIZE, A, NULL, NULL, NULL,
	    "message (?:is )?too (?:big|large)|size (?:exceeds|limit)|"
	    "exceeds? (?:the )?(?:fixed )?(?:maximum )?(?:message )?size|"
	    "message length exceeds|size value too big|too big for"},
	{"rate-limit", MXT_CAUSE_RATE_LIMIT, A, NULL, NULL, NULL,
	    "rate ?limit|rate-limit|too many (?:connections|concurrent|"
	    "sessions|messages|mails|e-?mails|recipients|simultaneous)|"
	    "exceeded the maximum number of|throttl|unexpected volume|"
	    "sending too fast|too quickly|concurrency limit|connection limit|"
	    "limit exceeded|try again in \\d+ ?min"},
	{"blocklist", MXT_CAUSE_BLOCKLIST, A, NULL, NULL, NULL,
	    "blocked using|\\brbl\\b|dnsbl|dnslist|black ?list|block ?list|"
	    "listed (?:at|in|on|by)\\b|spamhaus|spamcop|sorbs\\.net|"
	    "barracudacentral|barracuda reputation|reputation|"
	    "\\bblocked - see\\b"},
	{"relay-denied", MXT_CAUSE_RELAY_DENIED, A, NULL, NULL, NULL,
	    "relay(?:ing)? (?:access )?(?:is )?(?:denied|not permitted|"
	    "not allowed|prohibited)|not permitted to relay|unable to relay|"
	    "(?:do|will) not relay|open relay"},
	{"client-hostname", MXT_CAUSE_CLIENT_HOSTNAME, A, NULL, NULL, NULL,
	    "cannot find your (?:reverse )?hostname|reverse (?:dns|hostname|"
	    "lookup)|\\bptr\\b|\\brdns\\b|helo command rejected: (?:host not "
	    "found|need fully-qualified ?hostname|invalid name)|"
	    "syntactically invalid argument"},
	{"sender-auth", MXT_CAUSE_SENDER_AUTH, A, NULL, NULL, NULL,
	    "\\bspf\\b|\\bdkim\\b|\\bdmarc\\b|designated mail ?server|"
	    "not allowed to send mail from|unauthenticated|domainkeys"},
	{"sender-rejected", MXT_CAUSE_SENDER_REJECTED, A, NULL, NULL, NULL,
	    "sender address rejected|sender verif|"
	    "don'?t like (?:that )?sender|sender (?:address |domain )?"
	    "(?:is )?(?:rejected|refused|denied|blocked|not allowed)|"
	    "unacceptable mail-from|domain of sender address|"
	    "need fully-qualified address|no valid sender|"
	    "sender address has null mx|\\bbad sender"},
	{"bad-domain", MXT_CAUSE_BAD_DOMAIN, A, NULL, NULL, NULL,
	    "domain not found|domain (?:does not|doesn't) exist|"
	    "no such domain|unrouteable domain|\\bnxdomain\\b|"
	    "unknown domain|missing mx"},
	/* RFC 5321's own wording for 550; receivers use it for
	 * addresses they do not have. */
	{"mailbox-unavailable", MXT_CAUSE_UNKNOWN_USER, A, "55x", NULL,
	    "mailbox unavailable|mailbox not found", NULL},
	/* Exim says "Unrouteable address" both for a local part no router
	 * accepts and for a remote domain that does not resolve. Unknown
	 * local users are normally refused at RCPT time (in); on a delivery
	 * attempt (out) the domain is the usual reason, which the MTA lab
	 * shows for an NXDOMAIN domain. */
	{"exim-unrouteable-out", MXT_CAUSE_BAD_DOMAIN, OUT, NULL, NULL,
	    "unrouteable address", "^unrouteable address$"},
	{"unknown-user", MXT_CAUSE_UNKNOWN_USER, A, NULL, NULL, NULL,
	    "account has been disabled or discontinued|"
	    "user unknown|unknown user|no such (?:user|person|recipient|"
	    "mailbox|address)|(?:user|mailbox|address|account|recipient|"
	    "email account) (?:that you tried to reach )?(?:does not|"
	    "doesn't|did not) exist|doesn'?t have an? \\S+ account|"
	    "(?:invalid|unknown|bad) (?:recipient|mailbox|user)|"
	    "recipient (?:address )?(?:unknown|not found)|address unknown|"
	    "unrouteable address|undeliverable address|"
	    "previous \\(cached\\) callout verification failure|"
	    "mailbox (?:not found|disabled|inactive)|account (?:is )?"
	    "(?:disabled|inactive)|not our customer|no mailbox|"
	    "this one is unknown|no such recipient|recipient refused"},
	{"content", MXT_CAUSE_CONTENT, A, NULL, NULL, NULL,
	    "\\bspam\\b|virus|malware|infected|content (?:rejected|"
	    "filter|policy|restrictions)|content rejected|"
	    "message (?:content )?(?:rejected|refused) (?:as|due to|because)|"
	    "\\bhits=|\\bscore=|looks like spam|suspicious|phish|"
	    "rejected by local_scan\\(\\): rejected|bcc recipient detected|"
	    "body contains|banned (?:attachment|file)|its content presents|"
	    "junk ?mail|spamassassin|amavis|missing or malformed|malformed address|"
	    "unqualified address not permitted|missing at end of address"},
	{"service-unavailable-temp", MXT_CAUSE_SERVER_BUSY, A, "4xx", NULL,
	    NULL, "service (?:is )?(?:temporarily |currently )?"
	    "(?:not available|unavailable)"},
	{"policy", MXT_CAUSE_POLICY, A, NULL, NULL, NULL,
	    "polic(?:y|ies)|administrative prohibition|not authori[sz]ed|"
	    "access denied|prohibited|not allowed|\\bdenied\\b|"
	    "command rejected|service (?:is )?(?:not available|unavailable)|"
	    "\\bforbidden\\b|\\bblocked\\b|\\bbanned\\b|\\bdeny\\b|go away|"
	    "(?:not|isn'?t) wanted|closed mailing list|don'?t like|"
	    "do not like you|dislike"},
	{"server-busy", MXT_CAUSE_SERVER_BUSY, A, NULL, NULL, NULL,
	    "try (?:again )?later|please try again|temporar(?:il)?y "
	    "(?:unavailable|rejected|deferred|failure|not available)|"
	    "temporary (?:local |system )?(?:problem|error|failure)|"
	    "local error|(?:server|system) (?:is )?(?:busy|overloaded)|"
	    "too busy|i'?m busy|insufficient (?:system )?(?:storage|"
	    "resources)|out of memory|not right now|not just (?:now|yet)|"
	    "temp(?:orary)? ?error|\\btemp problem"},

	/* 6. Enhanced status code fallbacks (RFC 3463 and the registry). */
	{"dsn-bad-sender-syntax", MXT_CAUSE_SENDER_REJECTED, A, NULL, "*.1.7",
	    NULL, NULL},
	{"dsn-message-length", MXT_CAUSE_MESSAGE_SIZE, A, NULL, "*.2.3", NULL,
	    NULL},
	{"dsn-too-many-recipients", MXT_CAUSE_RATE_LIMIT, A, NULL, "*.5.3",
	    NULL, NULL},
	{"dsn-security", MXT_CAUSE_POLICY, A, NULL, "*.7.*", NULL, NULL},

	/* 7. Reply code fallbacks (RFC 5321). */
	{"code-421", MXT_CAUSE_SERVER_BUSY, A, "421", NULL, NULL, NULL},
	{"code-451", MXT_CAUSE_SERVER_BUSY, A, "451", NULL, NULL, NULL},
};

const size_t mxt_builtin_rule_count =
    sizeof mxt_builtin_rules / sizeof mxt_builtin_rules[0];

/* "No rule decided": an index no rule set can reach. */
#define NO_RULE SIZE_MAX

struct cache_slot {
	uint64_t hash;
	char *key; /* dir, code, dsn, text as hashed; NULL = empty */
	size_t klen;
	enum mxt_cause cause;
	/* index into rules, NO_RULE when none matched: a size_t like the
	 * rule count itself, so no number of rules can make it name
	 * another rule */
	size_t rule;
};

struct mxt_classifier {
	struct rule_set rules; /* user rules, then built-in */
	struct provider_set providers;
	char *origin; /* the rules file's path, or NULL */
	pcre2_match_context *mctx;
	pcre2_jit_stack *jit_stack;
	void (*on_warning)(void *arg, const struct mxt_error *e);
	void *warning_arg;
	char *lower;  /* scratch: lower-cased text */
	char *keybuf; /* scratch: cache key */
	struct cache_slot *cache;
	struct mxt_classify_stats stats;
	/* relay \x1f domain -> provider name (ptr, NULL = none): the
	 * provider patterns are tried one by one, and every event asks */
	struct mxt_strmap provider_cache;
};

#define PROVIDER_CACHE_MAX 65536

/* Texts longer than this are classified but not cached. */
#define CACHE_KEY_MAX 2048

static void
error_from(struct mxt_error *err, const struct mxt_error *e)
{
	if (err != NULL)
		*err = *e;
}

static void
first_error(void *arg, const struct mxt_error *e)
{
	struct mxt_error *err = arg;
	if (err->text[0] == '\0')
		*err = *e;
}

static char *
split_contains(const char *s, const char ***out)
{
	size_t n = 1;
	for (const char *p = s; *p; p++)
		n += *p == '|';
	char *copy = xstrndup(s, strlen(s));
	const char **v = xcalloc(n + 1, sizeof *v);
	size_t i = 0;
	char *p = copy;
	for (;;) {
		v[i++] = p;
		char *bar = strchr(p, '|');
		if (bar == NULL)
			break;
		*bar = '\0';
		p = bar + 1;
	}
	*out = v;
	return copy;
}

static int
add_builtin(struct mxt_classifier *c, struct mxt_error *err)
{
	for (size_t i = 0; i < mxt_builtin_rule_count; i++) {
		const struct rule_def *d = &mxt_builtin_rules[i];
		const char **contains = NULL;
		char *copy = d->contains ? split_contains(d->contains,
		    &contains) : NULL;
		char eb[256];
		struct rule r;
		int rc = rule_compile(&r, d->name, d->cause, d->dir, d->code,
		    d->dsn, contains, d->pattern, c->mctx, eb, sizeof eb);
		free(copy);
		free(contains);
		if (rc != 0) {
			struct mxt_error e = {.line = 0};
			snprintf(e.source, sizeof e.source, "builtin");
			snprintf(e.text, sizeof e.text, "rule %.60s: %.180s", d->name,
			    eb);
			error_from(err, &e);
			rule_free(&r);
			return -1;
		}
		r.origin = "builtin";
		*rule_set_add(&c->rules) = r;
	}
	for (size_t i = 0; i < mxt_builtin_provider_count; i++) {
		struct provider *p = provider_set_add(&c->providers);
		p->name = xstrndup(mxt_builtin_providers[i].name,
		    strlen(mxt_builtin_providers[i].name));
		p->match = xstrndup(mxt_builtin_providers[i].match,
		    strlen(mxt_builtin_providers[i].match));
		p->origin = "builtin";
	}
	return 0;
}

/*
 * The match context every pattern runs with. A user pattern with
 * catastrophic backtracking ("(a+)+$" against a long run of 'a') must not
 * stall the run, and reply texts are chosen by strangers: each match gets
 * a budget of backtracking steps (match limit, which JIT counts too), of
 * nesting (depth limit) and of heap for the interpreter's frames (heap
 * limit, in KiB). A pattern that runs out of one is reported by
 * mxt_classify_rule(), never taken silently as "no match". JIT code runs
 * on its own stack, allocated once here and grown up to JIT_STACK_MAX
 * (the default 32 KiB machine stack fails on long texts that need more).
 */
#define MATCH_LIMIT 200000
#define DEPTH_LIMIT 10000
#define HEAP_LIMIT_KIB (64 * 1024)
#define JIT_STACK_START (32 * 1024)
#define JIT_STACK_MAX (1024 * 1024)

static pcre2_match_context *
match_context_create(pcre2_jit_stack **stack)
{
	pcre2_match_context *m = pcre2_match_context_create(NULL);
	*stack = pcre2_jit_stack_create(JIT_STACK_START, JIT_STACK_MAX, NULL);
	if (m == NULL || *stack == NULL)
		abort(); /* out of memory, as xmalloc */
	pcre2_set_match_limit(m, MATCH_LIMIT);
	pcre2_set_depth_limit(m, DEPTH_LIMIT);
	pcre2_set_heap_limit(m, HEAP_LIMIT_KIB);
	pcre2_jit_stack_assign(m, NULL, *stack);
	return m;
}

struct mxt_classifier *
mxt_classifier_create(const char *rules_path, struct mxt_error *err)
{
	struct mxt_classifier *c = xcalloc(1, sizeof *c);
	mxt_strmap_init(&c->provider_cache, PROVIDER_CACHE_MAX);
	c->mctx = match_context_create(&c->jit_stack);
	c->lower = xmalloc(MXT_LINE_MAX + 1);
	c->keybuf = xmalloc(CACHE_KEY_MAX + 64);
	c->cache = xcalloc(MXT_CLASSIFY_CACHE, sizeof *c->cache);
	if (err != NULL)
		memset(err, 0, sizeof *err);
	if (rules_path != NULL) {
		struct mxt_error first;
		memset(&first, 0, sizeof first);
		c->origin = xstrndup(rules_path, strlen(rules_path));
		if (rules_load_file(rules_path, c->origin, &c->rules,
		    &c->providers, c->mctx, first_error, &first) != 0) {
			error_from(err, &first);
			mxt_classifier_destroy(c);
			return NULL;
		}
	}
	if (add_builtin(c, err) != 0) {
		mxt_classifier_destroy(c);
		return NULL;
	}
	return c;
}

void
mxt_classifier_destroy(struct mxt_classifier *c)
{
	if (c == NULL)
		return;
	rule_set_free(&c->rules);
	provider_set_free(&c->providers);
	mxt_strmap_finish(&c->provider_cache);
	for (size_t i = 0; c->cache != NULL && i < MXT_CLASSIFY_CACHE; i++)
		free(c->cache[i].key);
	free(c->cache);
	free(c->lower);
	free(c->keybuf);
	free(c->origin);
	pcre2_match_context_free(c->mctx);
	pcre2_jit_stack_free(c->jit_stack);
	free(c);
}

void
mxt_classifier_set_warning(struct mxt_classifier *c,
    void (*on_warning)(void *arg, const struct mxt_error *e), void *arg)
{
	c->on_warning = on_warning;
	c->warning_arg = arg;
}

static uint64_t
fnv1a(const char *p, size_t n)
{
	uint64_t h = 1469598103934665603ULL;
	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)p[i];
		h *= 1099511628211ULL;
	}
	return h;
}

/* Rule r could not decide on ev's text (pcre2 error rc): count it, and
 * the first time for this rule, warn naming the rule and the text's
 * line, so a slow pattern is not mistaken for one that never matches. */
static void
limit_hit(struct mxt_classifier *c, struct rule *r, int rc,
    const struct mxt_event *ev)
{
	c->stats.limit_hits++;
	if (r->limit_hits++ > 0 || c->on_warning == NULL)
		return;
	PCRE2_UCHAR msg[120];
	if (pcre2_get_error_message(rc, msg, sizeof msg) < 0)
		snprintf((char *)msg, sizeof msg, "error %d", rc);
	struct mxt_error e;
	memset(&e, 0, sizeof e);
	snprintf(e.source, sizeof e.source, "%s", r->origin);
	e.line = r->line;
	e.column = r->column;
	char where[100] = "";
	if (ev->source != NULL && ev->line_no > 0)
		snprintf(where, sizeof where, " (%.60s line %ld)", ev->source,
		    ev->line_no);
	snprintf(e.text, sizeof e.text, "rule \"%.40s\": the pattern gave up "
	    "on a reply text%s: %.50s; taken as no match (said once per rule)",
	    r->name, where, (char *)msg);
	c->on_warning(c->warning_arg, &e);
}

/* The index of the first rule that matches ev, NO_RULE when none does. */
static size_t
match_rules(struct mxt_classifier *c, const struct mxt_event *ev)
{
	struct rule_subject s;
	size_t len = ev->text.len;
	if (len > MXT_LINE_MAX)
		len = MXT_LINE_MAX;
	s.dir = (int)ev->direction;
	s.code = ev->code;
	s.has_dsn = ev->dsn[0] != '\0' && dsn_split(ev->dsn, s.dsn);
	s.text = ev->text.ptr ? ev->text.ptr : "";
	s.len = len;
	lower_copy(c->lower, MXT_LINE_MAX + 1, s.text, len);
	s.lower = c->lower;
	for (size_t i = 0; i < c->rules.n; i++) {
		int rc = rule_match(&c->rules.v[i], &s, c->mctx);
		if (rc > 0)
			return i;
		if (rc < 0)
			limit_hit(c, &c->rules.v[i], rc, ev);
	}
	return NO_RULE;
}

enum mxt_cause
mxt_classify_rule(struct mxt_classifier *c, const struct mxt_event *ev,
    const char **rule)
{
	if (rule != NULL)
		*rule = "";
	if (ev->status == MXT_STATUS_DELIVERED)
		return MXT_CAUSE_NONE;
	if (ev->status == MXT_STATUS_EXPIRED)
		return MXT_CAUSE_EXPIRED;

	c->stats.lookups++;
	struct cache_slot *slot = NULL;
	size_t klen = 0;
	if (ev->text.len <= CACHE_KEY_MAX) {
		int n = snprintf(c->keybuf, 64, "%d|%d|%.15s|",
		    (int)ev->direction, ev->code, ev->dsn);
		klen = (size_t)n;
		if (ev->text.len > 0)
			memcpy(c->keybuf + klen, ev->text.ptr, ev->text.len);
		klen += ev->text.len;
		uint64_t h = fnv1a(c->keybuf, klen);
		slot = &c->cache[h & (MXT_CLASSIFY_CACHE - 1)];
		if (slot->key != NULL && slot->hash == h && slot->klen == klen &&
		    memcmp(slot->key, c->keybuf, klen) == 0) {
			c->stats.hits++;
			if (rule != NULL && slot->rule != NO_RULE)
				*rule = c->rules.v[slot->rule].name;
			return slot->cause;
		}
		if (slot->key == NULL)
			c->stats.entries++;
		free(slot->key);
		slot->key = xmalloc(klen ? klen : 1);
		memcpy(slot->key, c->keybuf, klen);
		slot->klen = klen;
		slot->hash = h;
	}
	size_t i = match_rules(c, ev);
	enum mxt_cause cause = i != NO_RULE ? c->rules.v[i].cause :
	    MXT_CAUSE_OTHER;
	if (slot != NULL) {
		slot->cause = cause;
		slot->rule = i;
	}
	if (rule != NULL && i != NO_RULE)
		*rule = c->rules.v[i].name;
	return cause;
}

enum mxt_cause
mxt_classify(struct mxt_classifier *c, const struct mxt_event *ev)
{
	return mxt_classify_rule(c, ev, NULL);
}

static const char *
provider_lookup(struct mxt_classifier *c, struct mxt_str domain,
    struct mxt_str relay)
{
	const char *p = NULL;
	if (relay.len > 0 && relay.ptr != NULL &&
	    !(relay.len == 4 && memcmp(relay.ptr, "none", 4) == 0))
		p = provider_find(c->providers.v, c->providers.n, relay.ptr,
		    relay.len);
	if (p == NULL && domain.len > 0 && domain.ptr != NULL)
		p = provider_find(c->providers.v, c->providers.n, domain.ptr,
		    domain.len);
	return p;
}

const char *
mxt_provider_of(struct mxt_classifier *c, struct mxt_str domain,
    struct mxt_str relay)
{
	char key[512];
	bool added;
	if (relay.len + domain.len + 1 >= sizeof key)
		return provider_lookup(c, domain, relay);
	if (relay.len > 0)
		memcpy(key, relay.ptr, relay.len);
	key[relay.len] = '\x1f';
	if (domain.len > 0)
		memcpy(key + relay.len + 1, domain.ptr, domain.len);
	size_t n = relay.len + 1 + domain.len;
	struct mxt_strmap_slot *slot = mxt_strmap_get(&c->provider_cache, key, n);
	if (slot != NULL)
		return slot->ptr;
	const char *p = provider_lookup(c, domain, relay);
	slot = mxt_strmap_put(&c->provider_cache, key, n, &added);
	if (slot != NULL) /* NULL when the cache is full: not cached */
		slot->ptr = (void *)p;
	return p;
}

void
mxt_classifier_stats(const struct mxt_classifier *c,
    struct mxt_classify_stats *out)
{
	*out = c->stats;
}

size_t
mxt_classifier_rule_count(const struct mxt_classifier *c)
{
	return c->rules.n;
}

bool
mxt_classifier_rule(const struct mxt_classifier *c, size_t i,
    struct mxt_rule_info *out)
{
	if (i >= c->rules.n)
		return false;
	const struct rule *r = &c->rules.v[i];
	out->name = r->name;
	out->cause = r->cause;
	out->origin = r->origin;
	out->line = r->line;
	out->column = r->column;
	out->direction = r->dir;
	out->code = r->code;
	out->dsn = r->dsn;
	out->contains = (const char *const *)r->contains;
	out->pattern = r->pattern;
	out->limit_hits = r->limit_hits;
	return true;
}

size_t
mxt_classifier_provider_count(const struct mxt_classifier *c)
{
	return c->providers.n;
}

bool
mxt_classifier_provider(const struct mxt_classifier *c, size_t i,
    struct mxt_provider_info *out)
{
	if (i >= c->providers.n)
		return false;
	out->name = c->providers.v[i].name;
	out->match = c->providers.v[i].match;
	out->origin = c->providers.v[i].origin;
	return true;
}

int
mxt_rules_check(const char *path,
    void (*on_error)(void *arg, const struct mxt_error *e), void *arg)
{
	struct rule_set rs = {0};
	struct provider_set ps = {0};
	pcre2_jit_stack *stack;
	pcre2_match_context *mctx = match_context_create(&stack);
	int n = rules_load_file(path, path, &rs, &ps, mctx, on_error, arg);
	rule_set_free(&rs);
	provider_set_free(&ps);
	pcre2_match_context_free(mctx);
	pcre2_jit_stack_free(stack);
	return n;
}

/* ---- `mxtriage rules`: the active tables as text or JSON -------------- */

#include <jansson.h>
#include <stdarg.h>


static const char *
dir_name(int dir)
{
	return dir < 0 ? "any" : mxt_direction_name((enum mxt_direction)dir);
}

static char *
rules_json(const struct mxt_classifier *c)
{
	json_t *rules = json_array(), *provs = json_array();
	struct mxt_rule_info ri;
	for (size_t i = 0; mxt_classifier_rule(c, i, &ri); i++) {
		json_t *o = json_pack("{s:s, s:s, s:s, s:s}", "name", ri.name,
		    "cause", mxt_cause_id(ri.cause), "origin", ri.origin,
		    "direction", dir_name(ri.direction));
		if (ri.line > 0) {
			json_object_set_new(o, "line", json_integer(ri.line));
			json_object_set_new(o, "column", json_integer(ri.column));
		}
		if (ri.code)
			json_object_set_new(o, "code", json_string(ri.code));
		if (ri.dsn)
			json_object_set_new(o, "dsn", json_string(ri.dsn));
		if (ri.contains) {
			json_t *a = json_array();
			for (size_t k = 0; ri.contains[k]; k++)
				json_array_append_new(a,
				    json_string(ri.contains[k]));
			json_object_set_new(o, "contains", a);
		}
		if (ri.pattern)
			json_object_set_new(o, "pattern",
			    json_string(ri.pattern));
		json_array_append_new(rules, o);
	}
	struct mxt_provider_info pi;
	for (size_t i = 0; mxt_classifier_provider(c, i, &pi); i++)
		json_array_append_new(provs, json_pack("{s:s, s:s, s:s}",
		    "name", pi.name, "match", pi.match, "origin", pi.origin));
	json_t *root = json_pack("{s:s, s:s, s:o, s:o}", "schema",
	    "mxtriage.rules/1", "order", "first match wins; user rules first",
	    "rules", rules, "providers", provs);
	return mxt_json_text(root);
}

/* A string of a rules file for the text table: escaped like log text
 * (a rule name or pattern could carry terminal controls). Freed by the
 * caller. */
static char *
esc(const char *s)
{
	return mxt_escape_terminal(s, strlen(s), 0);
}

char *
mxt_rules_format(const struct mxt_classifier *c, bool json)
{
	if (json)
		return rules_json(c);
	struct mxt_buf b = {xmalloc(4096), 0, 4096};
	b.p[0] = '\0';
	mxt_buf_printf(&b, "# rules, first match wins (%zu)\n",
	    mxt_classifier_rule_count(c));
	mxt_buf_printf(&b, "%-4s %-30s %-16s %-4s %-5s %-7s %s\n", "#", "NAME",
	    "CAUSE", "DIR", "CODE", "DSN", "MATCH");
	struct mxt_rule_info ri;
	for (size_t i = 0; mxt_classifier_rule(c, i, &ri); i++) {
		char *name = esc(ri.name);
		mxt_buf_printf(&b, "%-4zu %-30s %-16s %-4s %-5s %-7s ", i + 1,
		    name, mxt_cause_id(ri.cause), dir_name(ri.direction),
		    ri.code ? ri.code : "-", ri.dsn ? ri.dsn : "-");
		free(name);
		bool any = false;
		if (ri.contains) {
			mxt_buf_printf(&b, "contains ");
			for (size_t k = 0; ri.contains[k]; k++) {
				char *e = esc(ri.contains[k]);
				mxt_buf_printf(&b, "%s\"%s\"", k ? "|" : "", e);
				free(e);
			}
			any = true;
		}
		if (ri.pattern) {
			char *e = esc(ri.pattern);
			mxt_buf_printf(&b, "%s/%s/i", any ? " and " : "", e);
			free(e);
			any = true;
		}
		if (!any)
			mxt_buf_printf(&b, "-");
		if (ri.line > 0) {
			char *e = esc(ri.origin);
			mxt_buf_printf(&b, "  (%s:%ld)", e, ri.line);
			free(e);
		}
		mxt_buf_printf(&b, "\n");
	}
	mxt_buf_printf(&b, "\n# providers, first match wins (%zu)\n",
	    mxt_classifier_provider_count(c));
	mxt_buf_printf(&b, "%-16s %-28s %s\n", "PROVIDER", "MATCH", "ORIGIN");
	struct mxt_provider_info pi;
	for (size_t i = 0; mxt_classifier_provider(c, i, &pi); i++) {
		char *n = esc(pi.name), *m = esc(pi.match), *o = esc(pi.origin);
		mxt_buf_printf(&b, "%-16s %-28s %s\n", n, m, o);
		free(n);
		free(m);
		free(o);
	}
	return b.p;
}
