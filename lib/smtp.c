/*
 * smtp.c - one parser for each piece of SMTP vocabulary in log lines
 * (see smtp.h). They are small and hand-written because they run on
 * every delivery and rejection line; each is tested in smtp_test.c with
 * the shapes real logs hold and the near misses they must refuse.
 */
#include "smtp.h"

#include <assert.h>

int
mxt_smtp_reply_code(const char *p, const char *end, const char **after)
{
	if (end - p < 3 || p[0] < '2' || p[0] > '5' || !is_digit(p[1]) ||
	    !is_digit(p[2]))
		return 0;
	if (end - p > 3 && p[3] != ' ' && p[3] != '-')
		return 0;
	if (after != NULL)
		*after = p + 3;
	return (p[0] - '0') * 100 + (p[1] - '0') * 10 + (p[2] - '0');
}

/* 1 to 3 digits at *pp -> *v; false when there is none. */
static bool
dsn_part(const char **pp, const char *end, int *v)
{
	const char *q = *pp, *s = q;
	*v = 0;
	while (q < end && is_digit(*q) && q - s < 3)
		*v = *v * 10 + (*q++ - '0');
	if (q == s)
		return false;
	*pp = q;
	return true;
}

const char *
mxt_smtp_dsn(const char *p, const char *end, unsigned flags,
    struct mxt_dsn *out, char text[MXT_DSN_SIZE])
{
	struct mxt_dsn d;
	const char *q = p;

	if (q >= end)
		return NULL;
	if (*q == '2' || *q == '4' || *q == '5')
		d.cls = *q;
	else if ((flags & MXT_DSN_ANY_CLASS) && (*q == 'X' || *q == 'x'))
		d.cls = 'X';
	else
		return NULL;
	q++;
	if (q >= end || *q++ != '.' || !dsn_part(&q, end, &d.subject) ||
	    q >= end || *q++ != '.' || !dsn_part(&q, end, &d.detail))
		return NULL;
	if (q < end && is_digit(*q))
		return NULL; /* a fourth digit: not a code */
	size_t n = (size_t)(q - p);
	assert(n < MXT_DSN_SIZE);
	if (text != NULL) {
		memcpy(text, p, n);
		text[n] = '\0';
	}
	if (out != NULL)
		*out = d;
	return q;
}

int
mxt_smtp_reply(const char *p, const char *end, char dsn[MXT_DSN_SIZE])
{
	const char *q;
	int code = mxt_smtp_reply_code(p, end, &q);
	if (code != 0 && dsn != NULL && end - q > 1)
		mxt_smtp_dsn(q + 1, end, 0, NULL, dsn);
	return code;
}

bool
mxt_smtp_angle_addr(const char *p, const char *end, struct mxt_str *addr,
    const char **after)
{
	if (p >= end || *p != '<')
		return false;
	/* each '>' found sixteen bytes at a time (scan_to): an address is
	 * some twenty to forty bytes, read one by one before */
	for (const char *q = scan_to(p + 1, end, '>'); q < end;
	    q = scan_to(q + 1, end, '>')) {
		if (q + 1 == end || q[1] == ' ' || q[1] == ',' || q[1] == ';' ||
		    q[1] == ':') {
			*addr = mxt_str_make(p + 1, (size_t)(q - p - 1));
			*after = q + 1;
			return true;
		}
	}
	return false;
}

void
mxt_smtp_hostaddr(const char *p, const char *end, struct mxt_str *name,
    struct mxt_str *ip, int *port)
{
	const char *lb = scan_to(p, end, '[');
	*port = 0;
	if (lb == end) {
		*name = mxt_str_make(p, (size_t)(end - p));
		*ip = mxt_str_make("", 0);
		return;
	}
	const char *rb = scan_to(lb, end, ']');
	*name = mxt_str_make(p, (size_t)(lb - p));
	*ip = mxt_str_make(lb + 1, (size_t)(rb - lb - 1));
	if (rb + 1 < end && rb[1] == ':') {
		int v = 0;
		const char *q = rb + 2;
		while (q < end && is_digit(*q) && v < 100000)
			v = v * 10 + (*q++ - '0');
		if (v > 0 && v < 65536)
			*port = v;
	}
}
