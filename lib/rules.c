/*
 * rules.c - the rule engine: compiling a rule (built-in or from the
 * user's JSON file), matching one against an event, and loading the
 * rules file with an error for every problem, each with its position.
 *
 * A rule is a conjunction of cheap conditions (direction, reply code or
 * class, enhanced code with wildcards, literal substrings) and at most
 * one pcre2 pattern. The cheap conditions are checked first so that most
 * rules are rejected without running a regex; the pattern is compiled
 * once when loaded, JIT-compiled (when the platform allows) at its first
 * match, and its match data lives beside it so matching allocates
 * nothing; the caller's match context bounds each match (classify.c).
 * Loading is linear in the number of rules: a file of 100,000 rules
 * loads in a fraction of a second. Patterns are caseless and run
 * without UTF checking: reply texts are attacker-controlled bytes and
 * must never make a match fail with an encoding error.
 *
 * The rules file is JSON (parsed with jansson). jansson reports positions
 * of syntax errors only, so a small scanner (element_positions) finds the
 * line and column where each element of the top-level "rules" and
 * "providers" arrays starts; semantic errors ("unknown cause") point
 * there. Format:
 *
 *   {"rules": [{"name": "...", "cause": "rate_limit", "direction": "out",
 *               "code": "4xx", "dsn": "4.7.*", "contains": ["..."],
 *               "pattern": "...", "comment": "..."}],
 *    "providers": [{"name": "acme", "match": ["acme-mx.net"]}]}
 */
#include "classify_internal.h"
#include "smtp.h"

#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

bool
dsn_split(const char *dsn, int part[3])
{
	struct mxt_dsn d;
	const char *end = dsn + strlen(dsn);
	if (mxt_smtp_dsn(dsn, end, 0, &d, NULL) != end)
		return false;
	part[0] = d.cls - '0';
	part[1] = d.subject;
	part[2] = d.detail;
	return true;
}

/* "5.7.1", "5.7.*", "*.7.26", "x.7.1", "4.7.500-699" -> per part a range
 * lo..hi, lo = -1 for a wildcard. */
static bool
dsn_pattern_split(const char *dsn, int lo[3], int hi[3])
{
	const char *p = dsn;
	for (int i = 0; i < 3; i++) {
		if (*p == '*' || *p == 'x' || *p == 'X') {
			lo[i] = hi[i] = -1;
			p++;
		} else {
			for (int k = 0; k < 2; k++) {
				int v = 0, digits = 0;
				while (*p >= '0' && *p <= '9' && digits < 4) {
					v = v * 10 + (*p - '0');
					p++;
					digits++;
				}
				if (digits == 0)
					return false;
				if (k == 0)
					lo[i] = hi[i] = v;
				else
					hi[i] = v;
				if (k == 1 || *p != '-' || i == 0)
					break;
				p++;
			}
			if (hi[i] < lo[i])
				return false;
		}
		if (i < 2 ? *p != '.' : *p != '\0')
			return false;
		if (i < 2)
			p++;
	}
	if (lo[0] != -1 && lo[0] != 2 && lo[0] != 4 && lo[0] != 5)
		return false;
	return true;
}

static char *
lower_dup(const char *s)
{
	size_t n = strlen(s);
	char *d = xmalloc(n + 1);
	for (size_t i = 0; i < n; i++)
		d[i] = (s[i] >= 'A' && s[i] <= 'Z') ? (char)(s[i] + 32) : s[i];
	d[n] = '\0';
	return d;
}

static char *
sdup(const char *s)
{
	return s ? xstrndup(s, strlen(s)) : NULL;
}

int
rule_compile(struct rule *r, const char *name, enum mxt_cause cause,
    int dir, const char *code, const char *dsn, const char *const *contains,
    const char *pattern, pcre2_match_context *mctx, char *errbuf,
    size_t errsize)
{
	(void)mctx;
	memset(r, 0, sizeof *r);
	r->name = sdup(name);
	r->cause = cause;
	r->dir = dir;
	for (int i = 0; i < 3; i++)
		r->dsn_lo[i] = r->dsn_hi[i] = -1;
	if (code != NULL) {
		r->code = sdup(code);
		if (strcmp(code, "none") == 0) {
			r->code_none = true;
		} else {
			bool ok = strlen(code) == 3 && code[0] >= '2' &&
			    code[0] <= '5';
			for (int i = 0; ok && i < 3; i++) {
				char c = code[i];
				if (c == 'X')
					c = 'x';
				ok = (c >= '0' && c <= '9') || (c == 'x' && i > 0);
				r->code_pat[i] = c;
			}
			if (!ok) {
				snprintf(errbuf, errsize, "code \"%s\" is not a "
				    "reply code (expected e.g. \"550\", \"5xx\", "
				    "\"45x\" or \"none\")", code);
				return -1;
			}
		}
	}
	if (dsn != NULL) {
		r->dsn = sdup(dsn);
		if (strcmp(dsn, "none") == 0) {
			r->dsn_none = true;
		} else if (!dsn_pattern_split(dsn, r->dsn_lo, r->dsn_hi)) {
			snprintf(errbuf, errsize, "dsn \"%s\" is not an enhanced "
			    "status code (expected e.g. \"5.7.1\", \"4.7.*\", "
			    "\"*.7.26\", \"4.7.500-699\" or \"none\")", dsn);
			return -1;
		}
	}
	if (contains != NULL && contains[0] != NULL) {
		size_t n = 0;
		while (contains[n] != NULL)
			n++;
		r->contains = xcalloc(n + 1, sizeof *r->contains);
		r->contains_len = xcalloc(n, sizeof *r->contains_len);
		for (size_t i = 0; i < n; i++) {
			if (contains[i][0] == '\0') {
				snprintf(errbuf, errsize,
				    "contains: empty string");
				return -1;
			}
			r->contains[i] = lower_dup(contains[i]);
			r->contains_len[i] = strlen(r->contains[i]);
		}
		r->ncontains = n;
	}
	if (pattern != NULL) {
		int ec;
		PCRE2_SIZE off;
		r->pattern = sdup(pattern);
		/* automatic callouts: the time bound of rule_match() */
		r->re = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED,
		    PCRE2_CASELESS | PCRE2_AUTO_CALLOUT, &ec, &off, NULL);
		if (r->re == NULL) {
			PCRE2_UCHAR msg[160];
			pcre2_get_error_message(ec, msg, sizeof msg);
			snprintf(errbuf, errsize, "pattern does not compile at "
			    "offset %zu: %s", (size_t)off, (const char *)msg);
			return -1;
		}
		/* JIT compilation and the match data wait for the first
		 * match (rule_match): most rules of a long file never get
		 * past their cheap conditions, and `rules --check` matches
		 * nothing. */
	}
	if (r->code == NULL && r->dsn == NULL && r->contains == NULL &&
	    r->pattern == NULL) {
		snprintf(errbuf, errsize, "rule has no condition (give at least "
		    "one of code, dsn, contains, pattern)");
		return -1;
	}
	return 0;
}

void
rule_free(struct rule *r)
{
	if (r == NULL)
		return;
	free(r->name);
	free(r->code);
	free(r->dsn);
	if (r->contains != NULL)
		for (size_t i = 0; r->contains[i] != NULL; i++)
			free(r->contains[i]);
	free(r->contains);
	free(r->contains_len);
	free(r->lit_id);
	free(r->pattern);
	pcre2_match_data_free(r->md);
	pcre2_code_free(r->re);
	memset(r, 0, sizeof *r);
}

/*
 * Reply texts are short (mostly under 300 bytes) and the needles are
 * words: memchr on the first byte then memcmp beats memmem's two-way
 * setup, which profiling showed dominating uncached classification.
 */
static bool
contains_lit(const char *hay, size_t n, const char *needle, size_t m)
{
	if (m == 0)
		return true;
	const char *p = hay, *end = hay + n;
	while ((size_t)(end - p) >= m) {
		p = memchr(p, needle[0], (size_t)(end - p) - m + 1);
		if (p == NULL)
			return false;
		if (memcmp(p + 1, needle + 1, m - 1) == 0)
			return true;
		p++;
	}
	return false;
}

/*
 * The time bound of a match. The match context's limits count pcre2's
 * backtracking steps, but a pattern with adjacent repeats over the same
 * characters (a{1,600}a{1,600}b) backtracks inside single repeats, which
 * no limit counts: 45 s on 60 KB of reply text, JIT or not. So patterns
 * are compiled with automatic callouts (one before each item, which such
 * backtracking passes too), and a match gives up when it has used
 * RULE_MATCH_CPU_MS of the thread's CPU time, looked at every 1024
 * callouts (CPU time: a busy machine does not make a match give up). A
 * pattern that gave up on time is not tried again in the run (r->slow),
 * so hostile texts cost that time once per rule, not once per line.
 */
struct budget {
	int64_t start_ns;
	unsigned calls;
};

static int64_t
cpu_ns(void)
{
	struct timespec ts;
	if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) != 0)
		return 0;
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int
budget_callout(pcre2_callout_block *cb, void *arg)
{
	(void)cb;
	struct budget *b = arg;
	if ((++b->calls & 1023) == 0 &&
	    cpu_ns() - b->start_ns > RULE_MATCH_CPU_MS * 1000000LL)
		return RULE_ERROR_TIME;
	return 0;
}

int
rule_match(struct rule *r, const struct rule_subject *s,
    pcre2_match_context *mctx)
{
	if (r->dir >= 0 && r->dir != s->dir)
		return 0;
	if ((r->facts & s->facts) != r->facts)
		return 0;
	if (r->code_none) {
		if (s->code != 0)
			return 0;
	} else if (r->code != NULL) {
		if (s->code < 100 || s->code > 999)
			return 0;
		char c[3] = {(char)('0' + s->code / 100),
		    (char)('0' + s->code / 10 % 10), (char)('0' + s->code % 10)};
		for (int i = 0; i < 3; i++)
			if (r->code_pat[i] != 'x' && r->code_pat[i] != c[i])
				return 0;
	}
	if (r->dsn_none) {
		if (s->has_dsn)
			return 0;
	} else if (r->dsn != NULL) {
		if (!s->has_dsn)
			return 0;
		for (int i = 0; i < 3; i++)
			if (r->dsn_lo[i] >= 0 && (s->dsn[i] < r->dsn_lo[i] ||
			    s->dsn[i] > r->dsn_hi[i]))
				return 0;
	}
	if (r->contains != NULL) {
		bool any = false;
		const char *hay = s->lower;
		size_t hlen = s->len;
		if (r->raw && s->raw_lower != NULL) {
			hay = s->raw_lower;
			hlen = s->raw_len;
		}
		for (size_t i = 0; !any && i < r->ncontains; i++)
			any = contains_lit(hay, hlen, r->contains[i],
			    r->contains_len[i]);
		if (!any)
			return 0;
	}
	if (r->re != NULL) {
		if (r->slow)
			return 0;
		if (r->md == NULL) {
			/* JIT is an optimisation: without it (a platform
			 * pcre2 has no JIT for), the interpreter runs. */
			(void)pcre2_jit_compile(r->re, PCRE2_JIT_COMPLETE);
			r->md = pcre2_match_data_create(1, NULL);
			if (r->md == NULL)
				abort(); /* out of memory, as xmalloc */
		}
		struct budget b = {.start_ns = cpu_ns()};
		if (mctx != NULL)
			pcre2_set_callout(mctx, budget_callout, &b);
		int rc = pcre2_match(r->re, (PCRE2_SPTR)s->text, s->len, 0, 0,
		    r->md, mctx);
		if (mctx != NULL)
			pcre2_set_callout(mctx, NULL, NULL);
		if (rc == RULE_ERROR_TIME)
			r->slow = true;
		/* A limit (match, depth, heap, JIT stack) is not a "no":
		 * the caller counts it and says which rule it was. */
		if (rc == PCRE2_ERROR_NOMATCH)
			return 0;
		if (rc < 0)
			return rc;
	}
	return 1;
}

struct rule *
rule_set_add(struct rule_set *rs)
{
	if (rs->n == rs->cap) {
		rs->cap = rs->cap ? rs->cap * 2 : 64;
		rs->v = xrealloc(rs->v, rs->cap * sizeof *rs->v);
	}
	struct rule *r = &rs->v[rs->n++];
	memset(r, 0, sizeof *r);
	return r;
}

void
rule_set_free(struct rule_set *rs)
{
	for (size_t i = 0; i < rs->n; i++)
		rule_free(&rs->v[i]);
	free(rs->v);
	memset(rs, 0, sizeof *rs);
}

struct provider *
provider_set_add(struct provider_set *ps)
{
	if (ps->n == ps->cap) {
		ps->cap = ps->cap ? ps->cap * 2 : 64;
		ps->v = xrealloc(ps->v, ps->cap * sizeof *ps->v);
	}
	struct provider *p = &ps->v[ps->n++];
	memset(p, 0, sizeof *p);
	return p;
}

void
provider_set_free(struct provider_set *ps)
{
	for (size_t i = 0; i < ps->n; i++) {
		free(ps->v[i].name);
		free(ps->v[i].match);
	}
	free(ps->v);
	memset(ps, 0, sizeof *ps);
}

/* ---- the rules file ---------------------------------------------------- */

struct pos {
	long line, column;
};

struct positions {
	struct pos *rules, *providers;
	size_t nrules, nproviders;
	size_t caprules, capproviders;
};

/* Appends, doubling the array: a file may hold 100,000 rules. */
static void
pos_push(struct pos **v, size_t *n, size_t *cap, long line, long col)
{
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 64;
		*v = xrealloc(*v, *cap * sizeof **v);
	}
	(*v)[*n].line = line;
	(*v)[*n].column = col;
	(*n)++;
}

/*
 * Finds where each element of the top-level arrays "rules" and
 * "providers" starts. Only called on text jansson has accepted, so the
 * scanner can be simple: it tracks strings (with escapes), nesting depth
 * and the last key seen in the root object.
 */
static void
element_positions(const char *s, size_t n, struct positions *out)
{
	long line = 1, col = 0;
	int depth = 0;
	bool expect_key = false, want_elem = false;
	int array_kind = 0; /* 1 rules, 2 providers, 0 other */
	char key[32] = "";
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		col++;
		if (c == '\n') {
			line++;
			col = 0;
			continue;
		}
		if (c == ' ' || c == '\t' || c == '\r')
			continue;
		if (depth == 2 && want_elem) {
			want_elem = false;
			if (c != ']') {
				if (array_kind == 1)
					pos_push(&out->rules, &out->nrules,
					    &out->caprules, line, col);
				else if (array_kind == 2)
					pos_push(&out->providers,
					    &out->nproviders, &out->capproviders,
					    line, col);
			}
		}
		if (c == '"') {
			size_t start = i + 1;
			for (i++; i < n && s[i] != '"'; i++) {
				if (s[i] == '\\') {
					i++;
					col++;
				}
				col++;
			}
			col++; /* the closing quote */
			if (depth == 1 && expect_key) {
				size_t len = i - start;
				if (len >= sizeof key)
					len = sizeof key - 1;
				memcpy(key, s + start, len);
				key[len] = '\0';
			}
			continue;
		}
		switch (c) {
		case '{':
		case '[':
			depth++;
			if (depth == 1)
				expect_key = c == '{';
			if (depth == 2 && c == '[') {
				array_kind = strcmp(key, "rules") == 0 ? 1 :
				    strcmp(key, "providers") == 0 ? 2 : 0;
				want_elem = true;
			}
			break;
		case '}':
		case ']':
			depth--;
			break;
		case ':':
			if (depth == 1)
				expect_key = false;
			break;
		case ',':
			if (depth == 1)
				expect_key = true;
			if (depth == 2)
				want_elem = true;
			break;
		default:
			break;
		}
	}
}

struct loader {
	const char *path;
	void (*on_error)(void *arg, const struct mxt_error *e);
	void *arg;
	int errors;
	/* names of this file's rules so far: a hash set, so that checking
	 * for a duplicate stays O(1) per rule (a file may hold 100,000) */
	struct mxt_strmap names;
};

static void
report(struct loader *ld, long line, long col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void
report(struct loader *ld, long line, long col, const char *fmt, ...)
{
	struct mxt_error e;
	va_list ap;
	memset(&e, 0, sizeof e);
	snprintf(e.source, sizeof e.source, "%s", ld->path);
	e.line = line > 0 ? line : 0;
	e.column = col > 0 ? col : 0;
	va_start(ap, fmt);
	vsnprintf(e.text, sizeof e.text, fmt, ap);
	va_end(ap);
	ld->errors++;
	if (ld->on_error != NULL)
		ld->on_error(ld->arg, &e);
}

static const char *
json_type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: return "an object";
	case JSON_ARRAY: return "an array";
	case JSON_STRING: return "a string";
	case JSON_INTEGER: return "an integer";
	case JSON_REAL: return "a number";
	case JSON_TRUE:
	case JSON_FALSE: return "a boolean";
	case JSON_NULL: return "null";
	}
	return "?";
}

/* A string or an array of non-empty strings -> NULL-terminated list
 * (borrowed strings). Returns false when the type is wrong. */
static bool
string_list(json_t *v, const char ***out)
{
	if (json_is_string(v)) {
		*out = xcalloc(2, sizeof **out);
		(*out)[0] = json_string_value(v);
		return true;
	}
	if (!json_is_array(v) || json_array_size(v) == 0)
		return false;
	size_t n = json_array_size(v);
	*out = xcalloc(n + 1, sizeof **out);
	for (size_t i = 0; i < n; i++) {
		json_t *e = json_array_get(v, i);
		if (!json_is_string(e)) {
			free(*out);
			*out = NULL;
			return false;
		}
		(*out)[i] = json_string_value(e);
	}
	return true;
}

static void
load_rule(struct loader *ld, json_t *obj, size_t idx, struct pos at,
    const char *origin, struct rule_set *rs, pcre2_match_context *mctx)
{
	char where[160];
	const char *name = NULL;
	snprintf(where, sizeof where, "rules[%zu]", idx);
	if (!json_is_object(obj)) {
		report(ld, at.line, at.column, "%s: is %s, expected an object "
		    "with name, cause and conditions", where,
		    json_type_name(obj));
		return;
	}
	json_t *jname = json_object_get(obj, "name");
	if (json_is_string(jname) && json_string_length(jname) > 0) {
		name = json_string_value(jname);
		snprintf(where, sizeof where, "rules[%zu] \"%.100s\"", idx, name);
	}
	int errs = ld->errors;
	const char *key;
	json_t *v;
	json_object_foreach(obj, key, v) {
		static const char *const known[] = {"name", "cause",
		    "direction", "code", "dsn", "contains", "pattern",
		    "comment"};
		bool ok = false;
		for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
			ok = ok || strcmp(key, known[i]) == 0;
		if (!ok)
			report(ld, at.line, at.column, "%s: unknown key \"%.60s\" "
			    "(expected name, cause, direction, code, dsn, "
			    "contains, pattern, comment)", where, key);
	}
	if (jname == NULL)
		report(ld, at.line, at.column, "%s: missing \"name\"", where);
	else if (name == NULL)
		report(ld, at.line, at.column, "%s: \"name\" is %s, expected a "
		    "non-empty string", where, json_type_name(jname));
	if (name != NULL) {
		bool added;
		mxt_strmap_put(&ld->names, name, strlen(name), &added);
		if (!added)
			report(ld, at.line, at.column, "%s: name used "
			    "twice in this file", where);
	}

	int cause = -1;
	json_t *jc = json_object_get(obj, "cause");
	if (jc == NULL) {
		report(ld, at.line, at.column, "%s: missing \"cause\"", where);
	} else if (!json_is_string(jc)) {
		report(ld, at.line, at.column, "%s: \"cause\" is %s, expected a "
		    "cause id string", where, json_type_name(jc));
	} else {
		cause = mxt_cause_lookup(json_string_value(jc));
		if (cause <= MXT_CAUSE_NONE) {
			/* The id list does not fit an error line: point to
			 * where it is printed. */
			report(ld, at.line, at.column, "%s: unknown cause "
			    "\"%.40s\" (expected a cause id such as "
			    "rate_limit; 'mxtriage explain --help' lists them)",
			    where, json_string_value(jc));
			cause = -1;
		}
	}

	int dir = -1;
	json_t *jd = json_object_get(obj, "direction");
	if (jd != NULL) {
		const char *d = json_is_string(jd) ? json_string_value(jd) : "";
		if (strcmp(d, "in") == 0)
			dir = MXT_DIR_IN;
		else if (strcmp(d, "out") == 0)
			dir = MXT_DIR_OUT;
		else if (strcmp(d, "any") != 0)
			report(ld, at.line, at.column, "%s: \"direction\" must "
			    "be \"in\", \"out\" or \"any\"", where);
	}

	char codebuf[16];
	const char *code = NULL;
	json_t *jcode = json_object_get(obj, "code");
	if (jcode != NULL) {
		if (json_is_integer(jcode)) {
			snprintf(codebuf, sizeof codebuf, "%lld",
			    (long long)json_integer_value(jcode));
			code = codebuf;
		} else if (json_is_string(jcode)) {
			code = json_string_value(jcode);
		} else {
			report(ld, at.line, at.column, "%s: \"code\" is %s, "
			    "expected a string such as \"550\" or \"4xx\"",
			    where, json_type_name(jcode));
		}
	}
	const char *dsn = NULL;
	json_t *jdsn = json_object_get(obj, "dsn");
	if (jdsn != NULL) {
		if (json_is_string(jdsn))
			dsn = json_string_value(jdsn);
		else
			report(ld, at.line, at.column, "%s: \"dsn\" is %s, "
			    "expected a string such as \"5.7.1\" or \"4.7.*\"",
			    where, json_type_name(jdsn));
	}
	const char **contains = NULL;
	json_t *jcon = json_object_get(obj, "contains");
	if (jcon != NULL && !string_list(jcon, &contains))
		report(ld, at.line, at.column, "%s: \"contains\" is %s, "
		    "expected a string or a non-empty array of strings", where,
		    json_type_name(jcon));
	const char *pattern = NULL;
	json_t *jpat = json_object_get(obj, "pattern");
	if (jpat != NULL) {
		if (json_is_string(jpat))
			pattern = json_string_value(jpat);
		else
			report(ld, at.line, at.column, "%s: \"pattern\" is %s, "
			    "expected a string", where, json_type_name(jpat));
	}
	json_t *jcom = json_object_get(obj, "comment");
	if (jcom != NULL && !json_is_string(jcom))
		report(ld, at.line, at.column, "%s: \"comment\" is %s, expected "
		    "a string", where, json_type_name(jcom));

	/* Compile even after errors, to report the pattern's own. */
	struct rule r;
	char eb[256];
	if (rule_compile(&r, name ? name : "", cause < 0 ? MXT_CAUSE_OTHER :
	    (enum mxt_cause)cause, dir, code, dsn, contains, pattern, mctx, eb,
	    sizeof eb) != 0) {
		report(ld, at.line, at.column, "%s: %s", where, eb);
		rule_free(&r);
	} else if (ld->errors != errs) {
		rule_free(&r);
	} else {
		r.origin = origin;
		r.line = at.line;
		r.column = at.column;
		*rule_set_add(rs) = r;
	}
	free(contains);
}

static void
load_provider(struct loader *ld, json_t *obj, size_t idx, struct pos at,
    const char *origin, struct provider_set *ps)
{
	char where[160];
	snprintf(where, sizeof where, "providers[%zu]", idx);
	if (!json_is_object(obj)) {
		report(ld, at.line, at.column, "%s: is %s, expected an object "
		    "with name and match", where, json_type_name(obj));
		return;
	}
	const char *key;
	json_t *v;
	json_object_foreach(obj, key, v) {
		if (strcmp(key, "name") != 0 && strcmp(key, "match") != 0 &&
		    strcmp(key, "comment") != 0)
			report(ld, at.line, at.column, "%s: unknown key \"%.60s\" "
			    "(expected name, match, comment)", where, key);
	}
	json_t *jn = json_object_get(obj, "name");
	const char *name = NULL;
	if (json_is_string(jn) && json_string_length(jn) > 0)
		name = json_string_value(jn);
	else
		report(ld, at.line, at.column, "%s: \"name\" must be a "
		    "non-empty string", where);
	const char **list = NULL;
	json_t *jm = json_object_get(obj, "match");
	if (jm == NULL || !string_list(jm, &list)) {
		report(ld, at.line, at.column, "%s: \"match\" must be a domain "
		    "pattern or a non-empty array of them", where);
		return;
	}
	for (size_t i = 0; list[i] != NULL; i++) {
		const char *why = provider_pattern_error(list[i]);
		if (why != NULL) {
			report(ld, at.line, at.column, "%s: match \"%.80s\": %s",
			    where, list[i], why);
			continue;
		}
		if (name == NULL)
			continue;
		struct provider *p = provider_set_add(ps);
		p->name = sdup(name);
		p->match = lower_dup(list[i]);
		p->origin = origin;
	}
	free(list);
}

static int
load_file(struct loader *ld, const char *origin, struct rule_set *rs,
    struct provider_set *ps, pcre2_match_context *mctx)
{
	const char *path = ld->path;
	FILE *fp = fopen(path, "rb");
	if (fp == NULL) {
		report(ld, 0, 0, "cannot open rules file: %s", strerror(errno));
		return ld->errors;
	}
	size_t cap = 65536, n = 0;
	char *buf = xmalloc(cap);
	size_t got;
	while ((got = fread(buf + n, 1, cap - n, fp)) > 0) {
		n += got;
		if (n == cap) {
			if (cap >= (size_t)64 << 20) {
				report(ld, 0, 0, "rules file is larger than "
				    "64 MiB");
				fclose(fp);
				free(buf);
				return ld->errors;
			}
			cap *= 2;
			buf = xrealloc(buf, cap);
		}
	}
	if (ferror(fp)) {
		report(ld, 0, 0, "cannot read rules file: %s", strerror(errno));
		fclose(fp);
		free(buf);
		return ld->errors;
	}
	fclose(fp);

	json_error_t je;
	json_t *root = json_loadb(buf, n, JSON_REJECT_DUPLICATES, &je);
	if (root == NULL) {
		report(ld, je.line, je.column, "invalid JSON: %s", je.text);
		free(buf);
		return ld->errors;
	}
	struct positions pos = {0};
	element_positions(buf, n, &pos);
	free(buf);

	if (!json_is_object(root)) {
		report(ld, 1, 1, "the file is %s, expected an object with "
		    "\"rules\" and/or \"providers\"", json_type_name(root));
		json_decref(root);
		return ld->errors;
	}
	const char *key;
	json_t *v;
	json_object_foreach(root, key, v) {
		if (strcmp(key, "rules") != 0 && strcmp(key, "providers") != 0 &&
		    strcmp(key, "comment") != 0)
			report(ld, 1, 1, "unknown top-level key \"%.60s\" "
			    "(expected rules, providers, comment)", key);
	}
	json_t *jr = json_object_get(root, "rules");
	if (jr != NULL && !json_is_array(jr)) {
		report(ld, 1, 1, "\"rules\" is %s, expected an array",
		    json_type_name(jr));
	} else if (jr != NULL) {
		for (size_t i = 0; i < json_array_size(jr); i++) {
			struct pos at = {0, 0};
			if (i < pos.nrules)
				at = pos.rules[i];
			load_rule(ld, json_array_get(jr, i), i, at, origin, rs,
			    mctx);
		}
	}
	json_t *jp = json_object_get(root, "providers");
	if (jp != NULL && !json_is_array(jp)) {
		report(ld, 1, 1, "\"providers\" is %s, expected an array",
		    json_type_name(jp));
	} else if (jp != NULL) {
		for (size_t i = 0; i < json_array_size(jp); i++) {
			struct pos at = {0, 0};
			if (i < pos.nproviders)
				at = pos.providers[i];
			load_provider(ld, json_array_get(jp, i), i, at, origin,
			    ps);
		}
	}
	free(pos.rules);
	free(pos.providers);
	json_decref(root);
	return ld->errors;
}

int
rules_load_file(const char *path, const char *origin, struct rule_set *rs,
    struct provider_set *ps, pcre2_match_context *mctx,
    void (*on_error)(void *arg, const struct mxt_error *e), void *arg)
{
	struct loader ld = {.path = path, .on_error = on_error, .arg = arg};
	int errors = load_file(&ld, origin, rs, ps, mctx);
	mxt_strmap_finish(&ld.names);
	return errors;
}
