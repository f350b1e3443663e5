/*
 * fuzz_util.c - helpers of the fuzz targets (see fuzz.h).
 */
#include "fuzz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "mxtriage.h"

void
fuzz_setup(struct mxt_classifier **classifier, FILE **devnull)
{
	struct mxt_error err;
	setenv("TZ", FUZZ_TZ, 1);
	*classifier = mxt_classifier_create(NULL, &err);
	if (*classifier == NULL)
		abort();
	if (devnull != NULL && (*devnull = fopen("/dev/null", "w")) == NULL)
		abort();
}

const char *const fuzz_log_lines[] = {
	"Oct 22 04:05:40 mx postfix/cleanup[6]: ABCDE: "
	    "message-id=<1@example.org>",
	"Oct 22 04:05:40 mx postfix/qmgr[7]: ABCDE: from=<a@example.org>, "
	    "size=1200, nrcpt=3 (queue active)",
	"Oct 22 04:05:41 mx postfix/smtp[8]: ABCDE: to=<u@example.com>, "
	    "relay=mx.example.com[192.0.2.1]:25, delay=1.2, "
	    "delays=0.1/0/0.5/0.6, dsn=2.0.0, status=sent (250 2.0.0 Ok)",
	"Oct 22 04:05:42 mx postfix/smtp[8]: ABCDE: to=<v@example.net>, "
	    "relay=mx.example.net[192.0.2.2]:25, delay=2, delays=0.1/0/1/0.9, "
	    "dsn=4.7.1, status=deferred (host mx.example.net[192.0.2.2] said: "
	    "450 4.7.1 Greylisted, try again later (in reply to RCPT TO "
	    "command))",
	"Oct 22 04:05:43 mx postfix/smtp[8]: ABCDE: to=<w@example.info>, "
	    "relay=mx.example.info[192.0.2.3]:25, delay=2, delays=0.1/0/1/0.9, "
	    "dsn=5.1.1, status=bounced (host mx.example.info[192.0.2.3] said: "
	    "550 5.1.1 No such user (in reply to RCPT TO command))",
	"Oct 22 06:00:00 mx postfix/smtpd[9]: NOQUEUE: reject: RCPT from "
	    "unknown[198.51.100.7]: 554 5.7.1 Service unavailable; Client host "
	    "[198.51.100.7] blocked using zen.spamhaus.org; "
	    "from=<x@spam.example> to=<u@example.org> proto=ESMTP "
	    "helo=<spam.example>",
};
const size_t fuzz_nlog_lines = sizeof fuzz_log_lines / sizeof fuzz_log_lines[0];

struct mxt_summary *
fuzz_summary_of(const char *const *lines, size_t n,
    struct mxt_classifier *classifier, size_t track_cap)
{
	struct mxt_summary_config sc = {
		.by = {MXT_KEY_DOMAIN, MXT_KEY_CAUSE},
		.nby = 2,
	};
	mxt_filter_init(&sc.filter);
	struct mxt_summary *s = mxt_summary_create(&sc);
	struct mxt_pass_config cfg = {
		.year = 2026,
		.classifier = classifier,
		.track_cap = track_cap,
	};
	mxt_summary_attach(s, &cfg);
	struct mxt_pass *p = mxt_pass_create(&cfg);
	for (size_t i = 0; i < n; i++)
		mxt_pass_line(p, "fixed", (long)i + 1, FUZZ_NOW, lines[i],
		    strlen(lines[i]));
	mxt_pass_finish(p);
	mxt_summary_finish(s, mxt_pass_stats(p));
	mxt_pass_destroy(p);
	return s;
}

void
fuzz_touch(const void *p, size_t n)
{
	const volatile unsigned char *b = p;
	volatile unsigned char sink = 0;
	for (size_t i = 0; i < n; i++)
		sink ^= b[i];
	(void)sink;
}

char *
fuzz_string(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, '\0', size);
	size_t n = nul ? (size_t)(nul - data) : size;
	char *s = malloc(n + 1);
	if (s == NULL)
		abort();
	memcpy(s, data, n);
	s[n] = '\0';
	return s;
}

char *
fuzz_next_line(const uint8_t *data, size_t size, size_t *at, size_t *len)
{
	if (*at >= size)
		return NULL;
	const uint8_t *nl = memchr(data + *at, '\n', size - *at);
	*len = nl ? (size_t)(nl - (data + *at)) : size - *at;
	char *line = malloc(*len + 1);
	if (line == NULL)
		abort();
	memcpy(line, data + *at, *len);
	line[*len] = '\0';
	*at += *len + 1;
	return line;
}

const char *
fuzz_file(int slot, const void *data, size_t size)
{
	static int fds[4] = {-1, -1, -1, -1};
	static char names[4][64];

	if (slot < 0 || slot >= 4)
		abort();
	if (fds[slot] < 0) {
		fds[slot] = memfd_create("mxtriage-fuzz", MFD_CLOEXEC);
		if (fds[slot] < 0) {
			perror("memfd_create");
			abort();
		}
		snprintf(names[slot], sizeof names[slot], "/proc/self/fd/%d",
		    fds[slot]);
	}
	if (ftruncate(fds[slot], 0) != 0 ||
	    (size > 0 && pwrite(fds[slot], data, size, 0) != (ssize_t)size)) {
		perror("fuzz_file");
		abort();
	}
	return names[slot];
}
