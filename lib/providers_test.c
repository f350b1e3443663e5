/*
 * providers_test.c - the provider roll-up: by MX/relay host first, then
 * by recipient domain; pattern forms; pattern validation.
 */
#include "classify_internal.h"
#include "testutil.h"

#include <string.h>

static const struct {
	const char *name, *domain, *relay, *want; /* want NULL = unknown */
} cases[] = {
	{"gmail", "gmail.com", "", "google"},
	{"googlemail", "googlemail.com", "", "google"},
	{"workspace by MX", "example.org", "aspmx.l.google.com", "google"},
	{"workspace alt MX upper case", "example.org", "ALT2.ASPMX.L.GOOGLE.com",
	    "google"},
	{"gmail MX", "gmail.com", "gmail-smtp-in.l.google.com", "google"},
	{"exchange online by MX", "contoso.com",
	    "contoso-com.mail.protection.outlook.com", "microsoft"},
	{"outlook.com MX", "hotmail.com",
	    "hotmail-com.olc.protection.outlook.com", "microsoft"},
	{"hotmail.co.uk", "hotmail.co.uk", "", "microsoft"},
	{"hotmail.fr", "hotmail.fr", "", "microsoft"},
	{"live.com", "live.com", "", "microsoft"},
	{"outlook.de", "outlook.de", "", "microsoft"},
	{"msn", "msn.com", "", "microsoft"},
	{"live.* is not any name", "live.example.org", "", NULL},
	{"hotmail.* not three labels", "hotmail.evil.example.com", "", NULL},
	{"yahoo", "yahoo.com", "", "yahoo"},
	{"yahoo.co.uk", "yahoo.co.uk", "", "yahoo"},
	{"yahoo japan is separate", "yahoo.co.jp", "", "yahoo-japan"},
	{"aol by MX", "aol.com", "mx-aol.mail.gm0.yahoodns.net", "yahoo"},
	{"ymail", "ymail.com", "", "yahoo"},
	{"icloud", "icloud.com", "mx01.mail.icloud.com", "apple"},
	{"me.com", "me.com", "", "apple"},
	{"mac.com", "mac.com", "", "apple"},
	{"gmx.de", "gmx.de", "", "gmx"},
	{"gmx.net MX", "example.de", "mx00.emig.gmx.net", "gmx"},
	{"web.de", "web.de", "mx-ha03.web.de", "gmx"},
	{"orange", "orange.fr", "smtp-in.orange.fr", "orange"},
	{"wanadoo", "wanadoo.fr", "", "orange"},
	{"comcast", "comcast.net", "mx1a1.comcast.net", "comcast"},
	{"mimecast by MX", "example.co.uk", "eu-smtp-inbound-1.mimecast.com",
	    "mimecast"},
	{"proofpoint by MX", "example.com", "mxa-001.pphosted.com",
	    "proofpoint"},
	{"barracuda by MX", "example.com",
	    "d123.a.ess.barracudanetworks.com", "barracuda"},
	{"ironport by MX", "example.com", "mx1.hc1234-56.iphmx.com", "cisco"},
	{"relay none falls back to domain", "gmail.com", "none", "google"},
	{"trailing dot", "example.org", "aspmx.l.google.com.", "google"},
	{"unknown", "example.org", "mx.example.org", NULL},
	{"lookalike is not google", "notgoogle.com", "", NULL},
	{"empty", "", "", NULL},
	/* issue 14: typo domains are someone else's registrable domain */
	{"hotmail.co is not microsoft", "hotmail.co", "", NULL},
	{"live.org is not microsoft", "live.org", "", NULL},
	{"yahoo.co is not yahoo", "yahoo.co", "", NULL},
	{"free.fr", "free.fr", "mx1.free.fr", "free"},
	{"ionos by MX", "example.de", "mx00.kundenserver.de", "ionos"},
	{"mail.com is gmx", "mail.com", "", "gmx"},
	{"prodigy.net is att", "prodigy.net", "", "att"},
	{"apple private relay", "privaterelay.appleid.com", "", "apple"},
	{"t-online", "t-online.de", "mx00.t-online.de", "t-online"},
	{"qq", "qq.com", "mx3.qq.com", "tencent"},
	{"naver", "naver.com", "", "naver"},
	{"zoho eu", "zoho.eu", "", "zoho"},
	/* a smarthost is not the recipient's provider: the domain decides */
	{"gmail via office365 smarthost", "gmail.com", "smtp.office365.com",
	    "google"},
	{"company via office365 smarthost", "example.org",
	    "smtp.office365.com", NULL},
	{"submission relay with port", "example.org", "smtp.gmail.com:587",
	    NULL},
};

static const struct {
	const char *name, *domain, *relay, *want, *want_via;
	enum mxt_direction dir;
} rolls[] = {
	{"office365 smarthost", "gmail.com", "smtp.office365.com", "google",
	    "microsoft", MXT_DIR_OUT},
	{"gmail submission with port", "example.org", "smtp.gmail.com:587",
	    NULL, "google", MXT_DIR_OUT},
	{"sendgrid", "yahoo.com", "smtp.sendgrid.net", "yahoo", "sendgrid",
	    MXT_DIR_OUT},
	{"inbound MX is the provider", "example.org", "aspmx.l.google.com",
	    "google", NULL, MXT_DIR_OUT},
	{"inbound rejection has none", "gmail.com", "mail-wr1-f41.google.com",
	    NULL, NULL, MXT_DIR_IN},
};

static const struct {
	const char *pat;
	bool ok;
} patterns[] = {
	{"google.com", true},
	{"*.google.com", true},
	{"hotmail.*", true},
	{"*.outlook.*", true},
	{"", false},
	{"*", false},
	{"*.", false},
	{"goo*gle.com", false},
	{"google..com", false},
	{".google.com", false},
	{"Google.com", false},
	{"google com", false},
};

int
main(void)
{
	struct mxt_error err;
	struct mxt_classifier *c = mxt_classifier_create(NULL, &err);
	if (!test_ok(c != NULL, "classifier", "%s", err.text))
		return test_done();
	/* twice: the second time every name comes from the cache */
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
			const char *got = mxt_provider_of(c,
			    mxt_str_make(cases[i].domain,
			    strlen(cases[i].domain)),
			    mxt_str_make(cases[i].relay,
			    strlen(cases[i].relay)));
			test_ok(got == cases[i].want || (got &&
			    cases[i].want && strcmp(got, cases[i].want) == 0),
			    cases[i].name, "pass %d: got %s, want %s", pass + 1,
			    got ? got : "(none)",
			    cases[i].want ? cases[i].want : "(none)");
		}
	}
	/* the cache keeps names as met: each spelling of a name is an
	 * entry of its own, with the same answer, whichever came first */
	static const struct {
		const char *name, *want;
	} spellings[] = {
		{"ASPMX.L.Google.COM.", "google"}, {"aspmx.l.google.com", "google"},
		{"aspmx.l.google.com.", "google"}, {"ASPMX.L.GOOGLE.COM", "google"},
		{"MX.Example.ORG", NULL}, {"mx.example.org.", NULL},
		{"mx.example.org", NULL}, {".", NULL}, {"..", NULL},
		{"ASPMX.L.Google.COM.", "google"}, {"mx.example.org", NULL},
	};
	for (size_t i = 0; i < sizeof spellings / sizeof spellings[0]; i++) {
		const char *n = spellings[i].name, *p, *via;
		struct mxt_event ev;
		memset(&ev, 0, sizeof ev);
		ev.direction = MXT_DIR_OUT;
		ev.relay = mxt_str_make(n, strlen(n));
		mxt_provider_roll(c, &ev, &p, &via);
		test_ok(via == NULL && (p == spellings[i].want || (p &&
		    spellings[i].want && strcmp(p, spellings[i].want) == 0)),
		    "relay spelling", "%s: got %s (via %s), want %s", n,
		    p ? p : "(none)", via ? via : "(none)",
		    spellings[i].want ? spellings[i].want : "(none)");
	}
	for (size_t i = 0; i < sizeof rolls / sizeof rolls[0]; i++) {
		struct mxt_event ev;
		memset(&ev, 0, sizeof ev);
		ev.direction = rolls[i].dir;
		ev.domain = mxt_str_make(rolls[i].domain, strlen(rolls[i].domain));
		ev.relay = mxt_str_make(rolls[i].relay, strlen(rolls[i].relay));
		const char *p, *via;
		mxt_provider_roll(c, &ev, &p, &via);
		test_str(rolls[i].name, "provider", p ? p : "(none)",
		    strlen(p ? p : "(none)"), rolls[i].want ? rolls[i].want :
		    "(none)");
		test_str(rolls[i].name, "via", via ? via : "(none)",
		    strlen(via ? via : "(none)"), rolls[i].want_via ?
		    rolls[i].want_via : "(none)");
	}
	/* Built-in entries are distinct names (a second one would never
	 * be reached by the hash lookup). */
	for (size_t i = 0; i < mxt_builtin_provider_count; i++)
		for (size_t j = 0; j < i; j++)
			if (strcmp(mxt_builtin_providers[i].match,
			    mxt_builtin_providers[j].match) == 0)
				test_ok(false, mxt_builtin_providers[i].match,
				    "built-in entry listed twice");
	for (size_t i = 0; i < sizeof patterns / sizeof patterns[0]; i++) {
		const char *why = provider_pattern_error(patterns[i].pat);
		test_ok((why == NULL) == patterns[i].ok, patterns[i].pat,
		    "got %s, want %s", why ? why : "valid",
		    patterns[i].ok ? "valid" : "an error");
	}
	/* Every built-in pattern is valid. */
	for (size_t i = 0; i < mxt_builtin_provider_count; i++) {
		const char *why =
		    provider_pattern_error(mxt_builtin_providers[i].match);
		if (why != NULL)
			test_ok(false, mxt_builtin_providers[i].match,
			    "built-in pattern: %s", why);
	}
	/* "*.x" matches only below x. */
	test_ok(!provider_pattern_match("*.google.com", "google.com", 10),
	    "*. excludes the name itself", "matched");
	test_ok(provider_pattern_match("*.google.com", "a.google.com", 12),
	    "*. includes subdomains", "did not match");
	mxt_classifier_destroy(c);
	return test_done();
}
