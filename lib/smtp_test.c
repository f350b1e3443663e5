/*
 * smtp_test.c - the one parser of each piece of SMTP vocabulary: the
 * shapes log lines hold, and the near misses each must refuse.
 */
#include "smtp.h"
#include "testutil.h"

#include <stdio.h>

static const struct {
	const char *in;
	int code;        /* 0 = none */
	const char *dsn; /* after the code; "" = none */
} replies[] = {
	{"250 2.0.0 Ok: queued as 4Xq7Zq", 250, "2.0.0"},
	{"451-4.7.1 Greylisted", 451, "4.7.1"},
	{"550 5.7.26 Unauthenticated", 550, "5.7.26"},
	{"554 DT:SPM 163 mx9", 554, ""},
	{"421", 421, ""},
	{"450 4.2.0", 450, "4.2.0"},
	{"550 5.1.1234 four digits is no code", 550, ""},
	{"199 too low", 0, ""},
	{"600 too high", 0, ""},
	{"25 short", 0, ""},
	{"2500 long", 0, ""},
	{"55x letters", 0, ""},
	{"", 0, ""},
};

static const struct {
	const char *in;
	unsigned flags;
	const char *want; /* as parsed, NULL = refused */
	int rest;        /* bytes left after it */
} dsns[] = {
	{"5.7.1", 0, "5.7.1", 0},
	{"4.7.500 more", 0, "4.7.500", 5},
	{"2.0.0)", 0, "2.0.0", 1},
	{"5.7.1234", 0, NULL, 0},
	{"5.7", 0, NULL, 0},
	{"5..1", 0, NULL, 0},
	{"3.1.1", 0, NULL, 0},
	{"X.7.1", 0, NULL, 0},
	{"X.7.1", MXT_DSN_ANY_CLASS, "X.7.1", 0},
	{"x.7.26", MXT_DSN_ANY_CLASS, "x.7.26", 0},
	{"", 0, NULL, 0},
};

static const struct {
	const char *in;
	const char *addr; /* NULL = refused */
	const char *rest;
} addrs[] = {
	{"<a@b.example>, relay=x", "a@b.example", ", relay=x"},
	{"<>", "", ""},
	{"<\"a>b\"@c.example> H=x", "\"a>b\"@c.example", " H=x"},
	{"<a@b.example>: text", "a@b.example", ": text"},
	{"<a@b.example>; from", "a@b.example", "; from"},
	{"<a@b.example", NULL, NULL},
	{"a@b.example", NULL, NULL},
	/* longer than a block of sixteen: '>' before, at and after its
	 * edges, one of them inside the address */
	{"<\"long>local-part\"@mail.sub.example.org>, orig_to=<x>",
	    "\"long>local-part\"@mail.sub.example.org", ", orig_to=<x>"},
	{"<abcdefghijklmn>x>: t", "abcdefghijklmn>x", ": t"},
	{"<>, relay=mx.b.example[192.0.2.1]:25", "",
	    ", relay=mx.b.example[192.0.2.1]:25"},
	{"<abcdefghijklmno>", "abcdefghijklmno", ""},
	{"<abcdefghijklmnop>;", "abcdefghijklmnop", ";"},
	{"<abcdefghijklmnopqrstuvwxyz0123456789@example.org", NULL, NULL},
	{"<abcdefghijklmnopqrstuvwxyz>0123456789>x@example.org", NULL, NULL},
};

static const struct {
	const char *in;
	const char *name, *ip;
	int port;
} hosts[] = {
	{"mx.b.example[192.0.2.1]:25", "mx.b.example", "192.0.2.1", 25},
	{"unknown[2001:db8::1]", "unknown", "2001:db8::1", 0},
	{"sub1.example.com[private/dovecot-lmtp]", "sub1.example.com",
	    "private/dovecot-lmtp", 0},
	{"local", "local", "", 0},
	{"x[192.0.2.1]:99999", "x", "192.0.2.1", 0},
};

int
main(void)
{
	char name[160];
	for (size_t i = 0; i < sizeof replies / sizeof replies[0]; i++) {
		const char *s = replies[i].in;
		char dsn[MXT_DSN_SIZE] = "";
		snprintf(name, sizeof name, "reply '%s'", s);
		test_int(name, "code", mxt_smtp_reply(s, s + strlen(s), dsn),
		    replies[i].code);
		test_str(name, "dsn", dsn, strlen(dsn), replies[i].dsn);
	}
	for (size_t i = 0; i < sizeof dsns / sizeof dsns[0]; i++) {
		const char *s = dsns[i].in, *end = s + strlen(s);
		char text[MXT_DSN_SIZE] = "";
		struct mxt_dsn d;
		snprintf(name, sizeof name, "dsn '%s'", s);
		const char *after = mxt_smtp_dsn(s, end, dsns[i].flags, &d, text);
		if (dsns[i].want == NULL) {
			test_ok(after == NULL, name, "accepted, want refused");
			continue;
		}
		if (!test_ok(after != NULL, name, "refused"))
			continue;
		test_str(name, "text", text, strlen(text), dsns[i].want);
		test_int(name, "rest", end - after, dsns[i].rest);
		char back[MXT_DSN_SIZE];
		snprintf(back, sizeof back, "%c.%d.%d", d.cls, d.subject,
		    d.detail);
		test_ok(back[0] == (dsns[i].want[0] == 'x' ? 'X' :
		    dsns[i].want[0]) && strcmp(back + 1, dsns[i].want + 1) == 0,
		    name, "parts give '%s'", back);
	}
	for (size_t i = 0; i < sizeof addrs / sizeof addrs[0]; i++) {
		const char *s = addrs[i].in, *after = NULL;
		struct mxt_str a = {NULL, 0};
		snprintf(name, sizeof name, "addr '%s'", s);
		bool ok = mxt_smtp_angle_addr(s, s + strlen(s), &a, &after);
		if (addrs[i].addr == NULL) {
			test_ok(!ok, name, "accepted, want refused");
			continue;
		}
		if (!test_ok(ok, name, "refused"))
			continue;
		test_str(name, "address", a.ptr, a.len, addrs[i].addr);
		test_str(name, "rest", after, strlen(after), addrs[i].rest);
	}
	for (size_t i = 0; i < sizeof hosts / sizeof hosts[0]; i++) {
		const char *s = hosts[i].in;
		struct mxt_str n, ip;
		int port;
		snprintf(name, sizeof name, "hostaddr '%s'", s);
		mxt_smtp_hostaddr(s, s + strlen(s), &n, &ip, &port);
		test_str(name, "name", n.ptr, n.len, hosts[i].name);
		test_str(name, "ip", ip.ptr, ip.len, hosts[i].ip);
		test_int(name, "port", port, hosts[i].port);
	}
	/* literal helpers: lengths from sizeof */
	const char *t = "status=sent (250 ok)", *te = t + strlen(t);
	test_ok(skip_lit(t, te, "status=") == t + 7, "skip_lit", "wrong end");
	test_ok(skip_lit(t, te, "status=x") == NULL, "skip_lit miss", "matched");
	test_ok(find_after(t, te, "(") == t + 13, "find_after", "wrong end");
	test_ok(!has_lit(t, t + 3, "status"), "has_lit bounded", "read past end");
	return test_done();
}
