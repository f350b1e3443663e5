/*
 * providers.c - rolls recipient domains up to the mailbox provider that
 * hosts them ("--by provider"), from a built-in table the rules file can
 * extend (its entries are tried first).
 *
 * A provider is recognised by the relay (the MX host we talked to) before
 * the recipient domain, because the MX tells who really runs the mail: a
 * company domain whose MX is aspmx.l.google.com is a Google Workspace
 * customer and gets Google's limits and wordings. The domain is the
 * fallback for events without a relay (DNS failures, suspended retries).
 *
 * Match patterns, all lower case:
 *   "google.com"   the name itself and every name under it
 *   "*.google.com" only names under it
 *   "hotmail.*"    hotmail. followed by a public suffix of one label, or
 *                  two labels whose first is short ("co.uk", "com.br"),
 *                  and names under those
 * The table is ordered; the first entry that matches wins, so specific
 * entries (yahoo.co.jp) come before broad ones (yahoo.*).
 */
#include "classify_internal.h"

#include <string.h>

const struct provider_def mxt_builtin_providers[] = {
	/* Google: Gmail and Workspace (custom domains by MX). */
	{"google", "gmail.com"},
	{"google", "googlemail.com"},
	{"google", "google.com"}, /* aspmx.l.google.com, gmail-smtp-in.l... */
	{"google", "smtp.goog"},
	/* Microsoft: Outlook.com consumer and Exchange Online tenants. */
	{"microsoft", "protection.outlook.com"}, /* *.mail.protection... */
	{"microsoft", "outlook.*"},
	{"microsoft", "hotmail.*"},
	{"microsoft", "live.*"},
	{"microsoft", "msn.com"},
	{"microsoft", "passport.com"},
	{"microsoft", "windowslive.com"},
	{"microsoft", "office365.us"},
	/* Yahoo Japan is a separate company with its own platform. */
	{"yahoo-japan", "yahoo.co.jp"},
	{"yahoo-japan", "yahoo.ne.jp"},
	/* Yahoo Inc.: Yahoo, AOL, and ISPs it hosts (AT&T, Verizon). */
	{"yahoo", "yahoodns.net"}, /* mta5.am0.yahoodns.net */
	{"yahoo", "yahoo.*"},
	{"yahoo", "ymail.com"},
	{"yahoo", "rocketmail.com"},
	{"yahoo", "aol.*"},
	{"yahoo", "aim.com"},
	{"yahoo", "verizon.net"},
	{"yahoo", "att.net"},
	{"yahoo", "sbcglobal.net"},
	{"yahoo", "bellsouth.net"},
	/* Apple iCloud. */
	{"apple", "icloud.com"}, /* mx01.mail.icloud.com */
	{"apple", "me.com"},
	{"apple", "mac.com"},
	/* GMX and WEB.DE: one platform (United Internet), one postmaster. */
	{"gmx", "gmx.*"},
	{"gmx", "web.de"},
	/* Orange (ex-Wanadoo), France. */
	{"orange", "orange.fr"},
	{"orange", "wanadoo.fr"},
	/* Comcast / Xfinity. */
	{"comcast", "comcast.net"},
	/* Security gateways in front of company domains, by MX. */
	{"mimecast", "mimecast.com"},
	{"mimecast", "mimecast.co.za"},
	{"mimecast", "mimecast-offshore.com"},
	{"proofpoint", "pphosted.com"},
	{"proofpoint", "ppe-hosted.com"},
	{"proofpoint", "proofpoint.com"},
	{"barracuda", "barracudanetworks.com"},
	{"cisco", "iphmx.com"}, /* Cisco Secure Email (IronPort) cloud */
	/* Other large mailbox providers. */
	{"yandex", "yandex.*"},
	{"yandex", "yandex.net"},
	{"yandex", "ya.ru"},
	{"mailru", "mail.ru"},
	{"mailru", "inbox.ru"},
	{"mailru", "list.ru"},
	{"mailru", "bk.ru"},
	{"proton", "protonmail.ch"},
	{"proton", "protonmail.com"},
	{"proton", "proton.me"},
	{"zoho", "zoho.com"},
	{"zoho", "zohomail.com"},
	{"fastmail", "fastmail.com"},
	{"fastmail", "fastmail.fm"},
	{"fastmail", "messagingengine.com"},
	{"tencent", "qq.com"},
	{"netease", "163.com"},
	{"netease", "126.com"},
	{"netease", "netease.com"},
	{"t-online", "t-online.de"},
};

const size_t mxt_builtin_provider_count =
    sizeof mxt_builtin_providers / sizeof mxt_builtin_providers[0];

static bool
label_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
}

const char *
provider_pattern_error(const char *pat)
{
	size_t n = strlen(pat);
	const char *p = pat, *end = pat + n;
	if (n == 0)
		return "empty pattern";
	if (n > 253)
		return "longer than a host name can be";
	if (has_prefix(p, end, "*."))
		p += 2;
	if (n >= 2 && end[-1] == '*' && end[-2] == '.')
		end -= 2;
	if (p >= end)
		return "nothing but wildcards";
	size_t label = 0;
	for (const char *q = p; q < end; q++) {
		if (*q == '.') {
			if (label == 0)
				return "empty label (two dots, or a dot at an end)";
			label = 0;
		} else if (*q == '*') {
			return "'*' is allowed only as a leading \"*.\" or a "
			       "trailing \".*\"";
		} else if (!label_char(*q)) {
			return "only lower-case letters, digits, '-' and '.' "
			       "are allowed";
		} else {
			label++;
		}
	}
	if (label == 0)
		return "empty label (two dots, or a dot at an end)";
	return NULL;
}

/* Is s (length n) a plausible public suffix: one label, or two labels the
 * first of which has at most three characters ("co.uk", "com.au")? */
static bool
tld_like(const char *s, size_t n)
{
	const char *dot = memchr(s, '.', n);
	if (n == 0 || s[0] == '.' || s[n - 1] == '.')
		return false;
	if (dot == NULL)
		return true;
	if (memchr(dot + 1, '.', n - (size_t)(dot + 1 - s)) != NULL)
		return false;
	return dot - s <= 3;
}

/* pat without a leading "*." against exactly s. */
static bool
whole_match(const char *pat, size_t plen, const char *s, size_t n)
{
	if (plen >= 2 && pat[plen - 1] == '*' && pat[plen - 2] == '.') {
		size_t pre = plen - 1; /* keeps the dot */
		return n > pre && memcmp(s, pat, pre) == 0 &&
		    tld_like(s + pre, n - pre);
	}
	return n == plen && memcmp(s, pat, n) == 0;
}

bool
provider_pattern_match(const char *pat, const char *name, size_t len)
{
	size_t plen = strlen(pat);
	bool sub_only = plen > 2 && pat[0] == '*' && pat[1] == '.';
	if (sub_only) {
		pat += 2;
		plen -= 2;
	}
	/* Try the name and every suffix that starts after a dot. */
	for (size_t i = 0; i < len; i++) {
		if (i > 0 && name[i - 1] != '.')
			continue;
		if (i == 0 && sub_only)
			continue;
		if (whole_match(pat, plen, name + i, len - i))
			return true;
	}
	return false;
}

const char *
provider_find(const struct provider *v, size_t n, const char *name,
    size_t len)
{
	char buf[256];
	if (len == 0 || len >= sizeof buf)
		return NULL;
	len = lower_copy(buf, sizeof buf, name, len);
	while (len > 0 && buf[len - 1] == '.') /* absolute names */
		len--;
	for (size_t i = 0; i < n; i++)
		if (provider_pattern_match(v[i].match, buf, len))
			return v[i].name;
	return NULL;
}
