/*
 * providers.c - rolls recipient domains up to the mailbox provider that
 * hosts them ("--by provider"), from a built-in table the rules file can
 * extend (its entries are tried first), and tells a smarthost or
 * submission service we sent through ("via") apart from the recipient's
 * provider.
 *
 * The provider is always the RECIPIENT's (man page, "Providers"):
 *   - an inbound rejection (we refused a client) has none;
 *   - an outbound event: the relay (the host we talked to) when it is a
 *     provider's inbound MX, because the MX tells who really runs the
 *     mail (a company domain whose MX is aspmx.l.google.com is a Google
 *     Workspace customer and gets Google's limits and wordings); else
 *     the recipient domain's own entry (gmail.com, hotmail.fr);
 *   - a relay that is a submission or smarthost service
 *     (smtp.office365.com, smtp.gmail.com, SendGrid, Amazon SES, ...)
 *     is never the recipient's provider: it goes to "via", and the
 *     provider comes from the recipient domain alone.
 *
 * Entries are host names: "google.com" matches the name and every name
 * under it, "*.google.com" only names under it. Lookup is a hash lookup
 * per label suffix of the name ("a.b.google.com", "b.google.com",
 * "google.com", "com"), the longest entry wins; each distinct name is
 * looked up once per classifier (a cache). There are no "hotmail.*"
 * wildcards in the built-in table: a provider's country domains are
 * listed one by one, so a typo domain (hotmail.co, live.org: someone
 * else's registrable domain) is nobody's. A user's "name.*" entry (the
 * rules file still accepts it) means the name under a public suffix of
 * one label or two whose first is short, and is tried after the hash.
 *
 * Sources of the MX names in the comments below: each provider's
 * published MX records (`dig MX domain`, as documented on its
 * postmaster or help pages).
 */
#include "classify_internal.h"

#include <stdlib.h>
#include <string.h>

#define MBOX PROVIDER_MAILBOX
#define VIA PROVIDER_VIA

const struct provider_def mxt_builtin_providers[] = {
	/* Submission and smarthost services: a relay, never a recipient's
	 * provider (listed first: their names sit under a provider's
	 * domain, and the longer entry wins anyway). */
	{"microsoft", "smtp.office365.com", VIA},
	{"microsoft", "smtp-mail.outlook.com", VIA},
	{"microsoft", "smtp.live.com", VIA},
	{"google", "smtp.gmail.com", VIA},
	{"google", "smtp-relay.gmail.com", VIA},
	{"google", "smtp.googlemail.com", VIA},
	{"yahoo", "smtp.mail.yahoo.com", VIA},
	{"apple", "smtp.mail.me.com", VIA},
	{"amazon-ses", "email-smtp.us-east-1.amazonaws.com", VIA},
	{"amazon-ses", "email-smtp.us-east-2.amazonaws.com", VIA},
	{"amazon-ses", "email-smtp.us-west-2.amazonaws.com", VIA},
	{"amazon-ses", "email-smtp.eu-west-1.amazonaws.com", VIA},
	{"amazon-ses", "email-smtp.eu-central-1.amazonaws.com", VIA},
	{"amazon-ses", "email-smtp.ap-southeast-2.amazonaws.com", VIA},
	{"sendgrid", "smtp.sendgrid.net", VIA},
	{"mailgun", "smtp.mailgun.org", VIA},
	{"mailgun", "smtp.eu.mailgun.org", VIA},
	{"mailjet", "in-v3.mailjet.com", VIA},
	{"mailjet", "in.mailjet.com", VIA},
	{"postmark", "smtp.postmarkapp.com", VIA},
	{"sparkpost", "smtp.sparkpostmail.com", VIA},
	{"sparkpost", "smtp.eu.sparkpostmail.com", VIA},
	{"brevo", "smtp-relay.sendinblue.com", VIA},
	{"brevo", "smtp-relay.brevo.com", VIA},
	{"smtp2go", "mail.smtp2go.com", VIA},
	{"ionos", "smtp.ionos.de", VIA},
	{"ionos", "smtp.1und1.de", VIA},
	{"gmx", "mail.gmx.net", VIA},         /* GMX submission */
	{"t-online", "securesmtp.t-online.de", VIA},
	{"orange", "smtp.orange.fr", VIA},
	{"free", "smtp.free.fr", VIA},

	/* Google: Gmail and Workspace (custom domains by MX:
	 * aspmx.l.google.com, gmail-smtp-in.l.google.com, smtp.google.com). */
	{"google", "gmail.com", MBOX},
	{"google", "googlemail.com", MBOX},
	{"google", "google.com", MBOX},
	{"google", "smtp.goog", MBOX},
	/* Microsoft: Outlook.com consumer domains and Exchange Online
	 * tenants (MX <tenant>.mail.protection.outlook.com; consumer MX
	 * hotmail-com.olc.protection.outlook.com). */
	{"microsoft", "protection.outlook.com", MBOX},
	{"microsoft", "outlook.com", MBOX},
	{"microsoft", "outlook.fr", MBOX},
	{"microsoft", "outlook.de", MBOX},
	{"microsoft", "outlook.it", MBOX},
	{"microsoft", "outlook.es", MBOX},
	{"microsoft", "outlook.jp", MBOX},
	{"microsoft", "outlook.com.br", MBOX},
	{"microsoft", "outlook.com.au", MBOX},
	{"microsoft", "hotmail.com", MBOX},
	{"microsoft", "hotmail.co.uk", MBOX},
	{"microsoft", "hotmail.fr", MBOX},
	{"microsoft", "hotmail.de", MBOX},
	{"microsoft", "hotmail.it", MBOX},
	{"microsoft", "hotmail.es", MBOX},
	{"microsoft", "hotmail.be", MBOX},
	{"microsoft", "hotmail.nl", MBOX},
	{"microsoft", "hotmail.se", MBOX},
	{"microsoft", "hotmail.dk", MBOX},
	{"microsoft", "hotmail.no", MBOX},
	{"microsoft", "hotmail.fi", MBOX},
	{"microsoft", "hotmail.gr", MBOX},
	{"microsoft", "hotmail.ca", MBOX},
	{"microsoft", "hotmail.com.au", MBOX},
	{"microsoft", "hotmail.com.br", MBOX},
	{"microsoft", "hotmail.com.ar", MBOX},
	{"microsoft", "hotmail.co.jp", MBOX},
	{"microsoft", "live.com", MBOX},
	{"microsoft", "live.co.uk", MBOX},
	{"microsoft", "live.fr", MBOX},
	{"microsoft", "live.de", MBOX},
	{"microsoft", "live.it", MBOX},
	{"microsoft", "live.nl", MBOX},
	{"microsoft", "live.be", MBOX},
	{"microsoft", "live.ca", MBOX},
	{"microsoft", "live.se", MBOX},
	{"microsoft", "live.dk", MBOX},
	{"microsoft", "live.no", MBOX},
	{"microsoft", "live.ie", MBOX},
	{"microsoft", "live.at", MBOX},
	{"microsoft", "live.com.au", MBOX},
	{"microsoft", "live.jp", MBOX},
	{"microsoft", "msn.com", MBOX},
	{"microsoft", "passport.com", MBOX},
	{"microsoft", "windowslive.com", MBOX},
	{"microsoft", "office365.us", MBOX},
	/* Yahoo Japan is a separate company with its own platform. */
	{"yahoo-japan", "yahoo.co.jp", MBOX},
	{"yahoo-japan", "yahoo.ne.jp", MBOX},
	/* Yahoo Inc.: Yahoo, AOL, and the ISPs it hosts (AT&T's
	 * att.net/sbcglobal/prodigy, Verizon's verizon.net); MX
	 * mta5.am0.yahoodns.net, mx-aol.mail.gm0.yahoodns.net. */
	{"yahoo", "yahoodns.net", MBOX},
	{"yahoo", "yahoo.com", MBOX},
	{"yahoo", "yahoo.co.uk", MBOX},
	{"yahoo", "yahoo.fr", MBOX},
	{"yahoo", "yahoo.de", MBOX},
	{"yahoo", "yahoo.it", MBOX},
	{"yahoo", "yahoo.es", MBOX},
	{"yahoo", "yahoo.ca", MBOX},
	{"yahoo", "yahoo.in", MBOX},
	{"yahoo", "yahoo.co.in", MBOX},
	{"yahoo", "yahoo.com.au", MBOX},
	{"yahoo", "yahoo.com.br", MBOX},
	{"yahoo", "yahoo.com.mx", MBOX},
	{"yahoo", "yahoo.com.ar", MBOX},
	{"yahoo", "yahoo.com.sg", MBOX},
	{"yahoo", "yahoo.com.tw", MBOX},
	{"yahoo", "yahoo.com.hk", MBOX},
	{"yahoo", "yahoo.gr", MBOX},
	{"yahoo", "yahoo.ie", MBOX},
	{"yahoo", "ymail.com", MBOX},
	{"yahoo", "rocketmail.com", MBOX},
	{"yahoo", "aol.com", MBOX},
	{"yahoo", "aol.co.uk", MBOX},
	{"yahoo", "aol.fr", MBOX},
	{"yahoo", "aol.de", MBOX},
	{"yahoo", "aim.com", MBOX},
	{"yahoo", "verizon.net", MBOX},
	/* AT&T mailboxes (att.net, sbcglobal.net, bellsouth.net,
	 * prodigy.net ...): MX al-ip4-mx-vip1.prodigy.net, hosted by
	 * Yahoo until 2024, its own since; a provider of their own. */
	{"att", "att.net", MBOX},
	{"att", "sbcglobal.net", MBOX},
	{"att", "bellsouth.net", MBOX},
	{"att", "prodigy.net", MBOX},
	{"att", "pacbell.net", MBOX},
	{"att", "swbell.net", MBOX},
	{"att", "flash.net", MBOX},
	{"att", "ameritech.net", MBOX},
	{"att", "snet.net", MBOX},
	{"att", "nvbell.net", MBOX},
	{"att", "wans.net", MBOX},
	/* Apple iCloud: MX mx01.mail.icloud.com; Hide My Email relay. */
	{"apple", "icloud.com", MBOX},
	{"apple", "me.com", MBOX},
	{"apple", "mac.com", MBOX},
	{"apple", "privaterelay.appleid.com", MBOX},
	/* GMX, WEB.DE and mail.com: one platform (United Internet), one
	 * postmaster; MX mx00.emig.gmx.net, mx-ha03.web.de, mx00.mail.com. */
	{"gmx", "gmx.net", MBOX},
	{"gmx", "gmx.de", MBOX},
	{"gmx", "gmx.at", MBOX},
	{"gmx", "gmx.ch", MBOX},
	{"gmx", "gmx.com", MBOX},
	{"gmx", "gmx.fr", MBOX},
	{"gmx", "gmx.co.uk", MBOX},
	{"gmx", "gmx.us", MBOX},
	{"gmx", "web.de", MBOX},
	{"gmx", "mail.com", MBOX},
	/* IONOS / 1&1 (also United Internet, its own MX and postmaster):
	 * mx00.ionos.de, mx01.kundenserver.de, mx00.1and1.co.uk. */
	{"ionos", "ionos.de", MBOX},
	{"ionos", "ionos.com", MBOX},
	{"ionos", "ionos.co.uk", MBOX},
	{"ionos", "kundenserver.de", MBOX},
	{"ionos", "1and1.com", MBOX},
	{"ionos", "1and1.co.uk", MBOX},
	{"ionos", "1und1.de", MBOX},
	{"ionos", "online.de", MBOX},
	/* Orange (ex-Wanadoo), France: MX smtp-in.orange.fr. */
	{"orange", "orange.fr", MBOX},
	{"orange", "wanadoo.fr", MBOX},
	/* Free, France: MX mx1.free.fr; aliceadsl.fr is hosted there. */
	{"free", "free.fr", MBOX},
	{"free", "aliceadsl.fr", MBOX},
	/* SFR, France: MX mx1.sfr.fr; neuf.fr, 9online.fr, club-internet. */
	{"sfr", "sfr.fr", MBOX},
	{"sfr", "neuf.fr", MBOX},
	{"sfr", "9online.fr", MBOX},
	{"sfr", "club-internet.fr", MBOX},
	/* La Poste, Laposte.net: MX smtp-in.laposte.net. */
	{"laposte", "laposte.net", MBOX},
	/* T-Online, Germany: MX mx00.t-online.de. */
	{"t-online", "t-online.de", MBOX},
	/* Freenet, Germany: MX mx.freenet.de. */
	{"freenet", "freenet.de", MBOX},
	/* Libero / Italiaonline: MX smtp-in.libero.it. */
	{"italiaonline", "libero.it", MBOX},
	{"italiaonline", "virgilio.it", MBOX},
	{"italiaonline", "iol.it", MBOX},
	/* Seznam, Czech Republic: MX mx1.seznam.cz. */
	{"seznam", "seznam.cz", MBOX},
	{"seznam", "email.cz", MBOX},
	/* Onet and WP, Poland: MX mx.poczta.onet.pl, mx.wp.pl. */
	{"onet", "onet.pl", MBOX},
	{"onet", "op.pl", MBOX},
	{"wp", "wp.pl", MBOX},
	{"wp", "o2.pl", MBOX},
	/* Comcast / Xfinity: MX mx1a1.comcast.net. */
	{"comcast", "comcast.net", MBOX},
	/* Cox: MX cox-net.mx.cloudfilter.net (Cloudmark). */
	{"cox", "cox.net", MBOX},
	/* Charter/Spectrum: MX dnvrco-cmedge.email.rr.com. */
	{"charter", "charter.net", MBOX},
	{"charter", "rr.com", MBOX},
	{"charter", "spectrum.net", MBOX},
	/* Security gateways in front of company domains, by MX. */
	{"mimecast", "mimecast.com", MBOX},
	{"mimecast", "mimecast.co.za", MBOX},
	{"mimecast", "mimecast-offshore.com", MBOX},
	{"proofpoint", "pphosted.com", MBOX},
	{"proofpoint", "ppe-hosted.com", MBOX},
	{"proofpoint", "proofpoint.com", MBOX},
	{"barracuda", "barracudanetworks.com", MBOX},
	{"cisco", "iphmx.com", MBOX}, /* Cisco Secure Email (IronPort) */
	{"trendmicro", "trendmicro.com", MBOX}, /* *.in.tmes.trendmicro.com */
	{"trendmicro", "trendmicro.eu", MBOX},
	{"symantec", "messagelabs.com", MBOX},  /* cluster*.eu.messagelabs.com */
	{"sophos", "hydra.sophos.com", MBOX},
	{"cloudmark", "cloudfilter.net", MBOX},
	/* Russia: Yandex (mx.yandex.ru), Mail.ru (mxs.mail.ru). */
	{"yandex", "yandex.ru", MBOX},
	{"yandex", "yandex.com", MBOX},
	{"yandex", "yandex.net", MBOX},
	{"yandex", "yandex.ua", MBOX},
	{"yandex", "yandex.by", MBOX},
	{"yandex", "yandex.kz", MBOX},
	{"yandex", "ya.ru", MBOX},
	{"mailru", "mail.ru", MBOX},
	{"mailru", "inbox.ru", MBOX},
	{"mailru", "list.ru", MBOX},
	{"mailru", "bk.ru", MBOX},
	/* Proton: MX mail.protonmail.ch. */
	{"proton", "protonmail.ch", MBOX},
	{"proton", "protonmail.com", MBOX},
	{"proton", "proton.me", MBOX},
	{"proton", "pm.me", MBOX},
	/* Zoho: MX mx.zoho.com, mx.zoho.eu. */
	{"zoho", "zoho.com", MBOX},
	{"zoho", "zoho.eu", MBOX},
	{"zoho", "zohomail.com", MBOX},
	{"zoho", "zohomail.eu", MBOX},
	/* Fastmail: MX in1-smtp.messagingengine.com. */
	{"fastmail", "fastmail.com", MBOX},
	{"fastmail", "fastmail.fm", MBOX},
	{"fastmail", "messagingengine.com", MBOX},
	/* China: Tencent QQ (mx3.qq.com; foxmail, exmail for companies),
	 * NetEase (163mx01.mxmail.netease.com), Sina, Sohu, Aliyun. */
	{"tencent", "qq.com", MBOX},
	{"tencent", "foxmail.com", MBOX},
	{"netease", "163.com", MBOX},
	{"netease", "126.com", MBOX},
	{"netease", "yeah.net", MBOX},
	{"netease", "netease.com", MBOX},
	{"sina", "sina.com", MBOX},
	{"sina", "sina.cn", MBOX},
	{"sohu", "sohu.com", MBOX},
	{"aliyun", "aliyun.com", MBOX},
	/* Korea: Naver (mx1.naver.com), Daum/Kakao (mx1.hanmail.net). */
	{"naver", "naver.com", MBOX},
	{"kakao", "hanmail.net", MBOX},
	{"kakao", "daum.net", MBOX},
	/* Japan: NTT Docomo, au (KDDI), SoftBank mobile mail. */
	{"docomo", "docomo.ne.jp", MBOX},
	{"kddi", "ezweb.ne.jp", MBOX},
	{"kddi", "au.com", MBOX},
	{"softbank", "softbank.ne.jp", MBOX},
	/* India: Rediffmail (mx.rediffmail.rediff.akadns.net). */
	{"rediff", "rediffmail.com", MBOX},
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


/* ---- the index: one hash lookup per label suffix ------------------- */

struct provider_index {
	struct mxt_strmap exact;  /* entry name -> index+1 (ptr as int) */
	struct mxt_strmap sub;    /* "*.x" entries: x -> index+1 */
	const struct provider *v; /* borrowed */
	size_t *wild;             /* entries with a trailing ".*" */
	size_t nwild;
	struct mxt_strmap cache;  /* name as met -> index+1, 0 = none */
};

#define NAME_CACHE_MAX 65536

static void
put_first(struct mxt_strmap *m, const char *k, size_t n, size_t idx)
{
	bool added;
	struct mxt_strmap_slot *s = mxt_strmap_put(m, k, n, &added);
	if (s != NULL && added) /* the first entry for a name wins */
		s->ptr = (void *)(uintptr_t)(idx + 1);
}

struct provider_index *
provider_index_create(const struct provider *v, size_t n)
{
	struct provider_index *x = xcalloc(1, sizeof *x);
	mxt_strmap_init(&x->exact, 0);
	mxt_strmap_init(&x->sub, 0);
	mxt_strmap_init(&x->cache, NAME_CACHE_MAX);
	x->v = v;
	x->wild = xcalloc(n + 1, sizeof *x->wild);
	for (size_t i = 0; i < n; i++) {
		const char *m = v[i].match;
		size_t len = strlen(m);
		if (len >= 2 && m[len - 1] == '*' && m[len - 2] == '.')
			x->wild[x->nwild++] = i;
		else if (len > 2 && m[0] == '*' && m[1] == '.')
			put_first(&x->sub, m + 2, len - 2, i);
		else
			put_first(&x->exact, m, len, i);
	}
	return x;
}

void
provider_index_destroy(struct provider_index *x)
{
	if (x == NULL)
		return;
	mxt_strmap_finish(&x->exact);
	mxt_strmap_finish(&x->sub);
	mxt_strmap_finish(&x->cache);
	free(x->wild);
	free(x);
}

static size_t
slot_index(const struct mxt_strmap_slot *s)
{
	return s == NULL ? 0 : (size_t)(uintptr_t)s->ptr;
}

/* Index+1 of the entry for name (lower case, no trailing dot), 0 when
 * none: the longest matching suffix; a user's "name.*" entries after. */
static size_t
index_find(const struct provider_index *x, const char *name, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (i > 0 && name[i - 1] != '.')
			continue;
		size_t k = slot_index(mxt_strmap_get(&x->exact, name + i,
		    len - i));
		if (k == 0 && i > 0)
			k = slot_index(mxt_strmap_get(&x->sub, name + i, len - i));
		if (k != 0)
			return k;
	}
	for (size_t j = 0; j < x->nwild; j++)
		if (provider_pattern_match(x->v[x->wild[j]].match, name, len))
			return x->wild[j] + 1;
	return 0;
}

const struct provider *
provider_index_find(struct provider_index *x, const char *name, size_t len)
{
	char buf[256];
	if (x == NULL || len == 0 || len >= sizeof buf)
		return NULL;
	/* The cache is keyed by the name as the log wrote it: nearly every
	 * name comes again, and a hit then needs no lower-case copy (a name
	 * in two spellings takes two entries, with the same answer). */
	struct mxt_strmap_slot *s = mxt_strmap_get(&x->cache, name, len);
	size_t k;
	if (s != NULL) {
		k = slot_index(s);
	} else {
		size_t n = lower_copy(buf, sizeof buf, name, len);
		while (n > 0 && buf[n - 1] == '.') /* absolute names */
			n--;
		k = n > 0 ? index_find(x, buf, n) : 0;
		bool added;
		s = mxt_strmap_put(&x->cache, name, len, &added);
		if (s != NULL) /* NULL when the cache is full: not cached */
			s->ptr = (void *)(uintptr_t)k;
	}
	return k == 0 ? NULL : &x->v[k - 1];
}
