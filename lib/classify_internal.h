/*
 * classify_internal.h - what rules.c, classify.c, providers.c and their
 * tests share: the compiled rule, the built-in tables and the rules-file
 * loader. Not part of the public API.
 */
#ifndef MXT_CLASSIFY_INTERNAL_H
#define MXT_CLASSIFY_INTERNAL_H

#include "internal.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

/* Exported as mxt_ names (tests/symbols.py); short names inside lib/. */
#define dsn_split mxt_dsn_split
#define rule_compile mxt_rule_compile
#define rule_free mxt_rule_free
#define rule_match mxt_rule_match
#define rule_set_add mxt_rule_set_add
#define rule_set_free mxt_rule_set_free
#define rules_load_file mxt_rules_load_file
#define provider_set_add mxt_provider_set_add
#define provider_set_free mxt_provider_set_free
#define provider_index_create mxt_provider_index_create
#define provider_index_destroy mxt_provider_index_destroy
#define provider_index_find mxt_provider_index_find
#define provider_pattern_error mxt_provider_pattern_error
#define provider_pattern_match mxt_provider_pattern_match

/*
 * A rule as written in the built-in table. Every condition that is not
 * NULL must hold (AND); dir is an enum mxt_direction or -1 for either.
 * code: "550", "5xx", "45x" or "none" (no reply received); dsn: "5.7.1",
 * "5.7.*", "*.7.26", "4.7.500-699" (a range in one part) or "none"; contains: lower-case literals separated
 * by '|', any one of which must occur in the text (cheap, tried before
 * the pattern); pattern: pcre2, matched caseless against the text.
 */
struct rule_def {
	int line; /* __LINE__ of the row: the rule's origin in classify.c */
	const char *name;
	enum mxt_cause cause;
	int dir;
	const char *code;
	const char *dsn;
	const char *contains;
	const char *pattern;
	unsigned flags; /* RULE_RAW, RULE_BROAD */
};

/* RULE_RAW: contains looks at the reply text as logged, not the
 * normalised one (a rule that asks for a domain, such as a blocklist's
 * host name); such a rule has contains and no pattern, so the cache key
 * can hold its verdict (classify.c). */
#define RULE_RAW 1u
/* RULE_BROAD: a family of generic words ("denied", "try again later")
 * that decides only after the provider codes (see enum rule_tier). */
#define RULE_BROAD 4u
/* Facts of the event beside its words (mxt_classify_index computes them,
 * the cache key holds them): FACT_OTHER_NAME, the host name an MTA says
 * it failed to look up is not the recipient domain (a next hop of ours or
 * an MX host; see nexthop_facts in classify.c). A rule with
 * RULE_NEEDS_OTHER_NAME holds only when the fact does. */
#define FACT_OTHER_NAME 1u
#define RULE_NEEDS_OTHER_NAME 8u

/*
 * Rules in tiers; the classifier tries them tier by tier, each in table
 * order, so precedence holds whatever the table order: the user's rules,
 * then wordings (a contains or pattern condition), then provider codes
 * (an enhanced code range a provider defines, no words), then the broad
 * word families (RULE_BROAD: generic words that say little about what
 * the sentence is about), then the fallbacks of mxt_dsn_causes and
 * mxt_reply_causes (explain.c).
 */
enum rule_tier {
	TIER_USER,
	TIER_WORDING,
	TIER_CODE,
	TIER_BROAD,
	TIER_FALLBACK,
	TIER_COUNT
};

extern const struct rule_def mxt_builtin_rules[];
extern const size_t mxt_builtin_rule_count;

/* What a provider's host is to us (see providers.c): a recipient's
 * mailbox service (its domains, its inbound MX), or a submission or
 * smarthost service we relay through ("via"). */
enum provider_kind {
	PROVIDER_MAILBOX,
	PROVIDER_VIA,
};

/* A provider entry: name and one match pattern (see providers.c). */
struct provider_def {
	const char *name;
	const char *match;
	enum provider_kind kind;
};

extern const struct provider_def mxt_builtin_providers[];
extern const size_t mxt_builtin_provider_count;

/* A compiled rule. Strings are owned by the rule. */
struct rule {
	char *name;
	enum mxt_cause cause;
	int dir;
	char *code;           /* as written, NULL = any */
	char code_pat[3];     /* digits or 'x' */
	bool code_none;
	char *dsn;            /* as written, NULL = any */
	int dsn_lo[3];        /* per part: -1 = any, else lo..hi */
	int dsn_hi[3];
	bool dsn_none;
	char **contains;      /* NULL-terminated, lower case; NULL = any */
	size_t *contains_len;
	size_t ncontains;
	char *pattern;
	pcre2_code *re;
	/* kept beside the code, reused per match; NULL until the first
	 * match, which also JIT-compiles re */
	pcre2_match_data *md;
	const char *origin;   /* "lib/classify.c", "lib/explain.c" or the
	                       * rules file (borrowed) */
	enum rule_tier tier;
	bool raw;             /* RULE_RAW (see rule_def) */
	unsigned facts;       /* FACT_* that must hold (0 = words only) */
	/* ids of contains[] in the classifier's literal prefilter */
	uint32_t *lit_id;
	long line, column;
	/* texts on which the pattern hit a limit of the match context
	 * (counted by the classifier; they count as not matching) */
	uint64_t limit_hits;
	/* the pattern ran out of time on a text (RULE_ERROR_TIME): it is not
	 * tried again, the rule's other conditions alone never decide */
	bool slow;
};

/* rule_match()'s answer when the pattern used more than its CPU time on
 * one text (a negative value of our own: pcre2's errors are above -100). */
#define RULE_ERROR_TIME (-1000)
/* The CPU time one match of a pattern may take (rules.c). */
#define RULE_MATCH_CPU_MS 100

/* An event reduced to what rules look at, prepared once per lookup. */
struct rule_subject {
	int dir;
	int code;
	bool has_dsn;
	int dsn[3];
	const char *text;  /* the text patterns run on */
	size_t len;
	const char *lower; /* lower-cased copy of text, same length */
	/* the text as logged, lower-cased, for raw rules (NULL = lower) */
	const char *raw_lower;
	size_t raw_len;
	unsigned facts;    /* FACT_* of the event */
};

/*
 * Compiles one rule. contains is a NULL-terminated list (or NULL).
 * Returns 0, or -1 with a message in errbuf (for pattern errors it names
 * the pcre2 offset).
 */
int rule_compile(struct rule *r, const char *name, enum mxt_cause cause,
    int dir, const char *code, const char *dsn, const char *const *contains,
    const char *pattern, pcre2_match_context *mctx, char *errbuf,
    size_t errsize);
void rule_free(struct rule *r);
/*
 * Does r hold for s? Returns 1 (match), 0 (no match), or a negative pcre2
 * error code when the pattern could not decide: a limit of mctx was hit
 * (PCRE2_ERROR_MATCHLIMIT, _DEPTHLIMIT, _HEAPLIMIT, _JIT_STACKLIMIT) or
 * another matching error. The caller decides what that counts as.
 */
int rule_match(struct rule *r, const struct rule_subject *s,
    pcre2_match_context *mctx);

/* Parses "X.Y.Z" into parts; false when it is not one. */
bool dsn_split(const char *dsn, int part[3]);

struct provider {
	char *name;
	char *match;
	const char *origin;
	enum provider_kind kind;
};

/* Collections filled by the loader. */
struct rule_set {
	struct rule *v;
	size_t n, cap;
};
struct provider_set {
	struct provider *v;
	size_t n, cap;
};

void rule_set_free(struct rule_set *rs);
void provider_set_free(struct provider_set *ps);
struct rule *rule_set_add(struct rule_set *rs);
struct provider *provider_set_add(struct provider_set *ps);

/*
 * Loads the rules file at path: its rules are appended to rs, its
 * providers to ps, each tagged with origin. Every error goes to on_error
 * (which may be NULL). Returns the number of errors.
 */
int rules_load_file(const char *path, const char *origin,
    struct rule_set *rs, struct provider_set *ps,
    pcre2_match_context *mctx,
    void (*on_error)(void *arg, const struct mxt_error *e), void *arg);

/* Checks a provider match pattern; returns NULL or what is wrong. */
const char *provider_pattern_error(const char *pat);
/* Does pattern pat match host name (lower case, len bytes)? */
bool provider_pattern_match(const char *pat, const char *name, size_t len);
/*
 * The provider index: built once over v[0..n) (borrowed; user entries
 * first win a name they share with a built-in one), then the entry for a
 * host name (any case, trailing dot ignored): the longest suffix at a
 * label boundary that is an entry, else the first "name.*" entry that
 * matches; NULL when none. Remembers each distinct name (bounded).
 */
struct provider_index;
struct provider_index *provider_index_create(const struct provider *v,
    size_t n);
void provider_index_destroy(struct provider_index *x);
const struct provider *provider_index_find(struct provider_index *x,
    const char *name, size_t len);

/* The first rule of a wording tier (user, wording, broad) that holds
 * for ev, tried one by one without index or prefilter; SIZE_MAX when
 * none. For tests. */
#define classifier_first_wording mxt_classifier_first_wording
size_t mxt_classifier_first_wording(struct mxt_classifier *c,
    const struct mxt_event *ev);

/* The code -> causes table of explain.c (see mxt_code_causes). */
extern const struct mxt_code_causes mxt_dsn_causes[];
extern const size_t mxt_dsn_cause_count;
extern const struct mxt_code_causes mxt_reply_causes[];
extern const size_t mxt_reply_cause_count;

#endif
