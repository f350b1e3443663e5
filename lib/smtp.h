/*
 * smtp.h - the SMTP vocabulary every log line repeats, parsed in one
 * place (internal): reply codes (RFC 5321), enhanced status codes
 * (RFC 3463), <addresses> and "name[ip]:port" client and relay names.
 * Dialects, the classifier and explain use these; none has its own.
 */
#ifndef MXT_SMTP_H
#define MXT_SMTP_H

#include "internal.h"

/* Enough for any "C.SSS.DDD" as written, with its NUL. */
#define MXT_DSN_SIZE 16

/*
 * A reply code at p: three digits, the first 2 to 5, followed by a space,
 * '-' (a multi-line reply) or the end. Returns the code (200..599), 0 when
 * there is none; *after (may be NULL) gets the end of the digits.
 */
int mxt_smtp_reply_code(const char *p, const char *end, const char **after);

/* The parts of an enhanced status code. */
struct mxt_dsn {
	char cls;     /* '2', '4', '5', or 'X' (MXT_DSN_ANY_CLASS only) */
	int subject;  /* 0..999 */
	int detail;   /* 0..999 */
};

/* With it, the class may be 'X' or 'x' ("X.7.1": any class, as explain
 * and the IANA registry write it); cls is then 'X'. */
#define MXT_DSN_ANY_CLASS 1u

/*
 * An enhanced status code at p: class 2, 4 or 5, '.', subject, '.',
 * detail, each part of 1 to 3 digits, not followed by another digit.
 * Returns the end of the code, or NULL when p holds none. out and text
 * may be NULL; text gets the code as written (NUL-terminated).
 */
const char *mxt_smtp_dsn(const char *p, const char *end, unsigned flags,
    struct mxt_dsn *out, char text[MXT_DSN_SIZE]);

/*
 * A reply "NNN X.Y.Z text" or "NNN-X.Y.Z" at p: the code as
 * mxt_smtp_reply_code, and dsn (may be NULL) gets the enhanced code that
 * follows it, or stays untouched when none does.
 */
int mxt_smtp_reply(const char *p, const char *end, char dsn[MXT_DSN_SIZE]);

/*
 * "<addr>" at p: *addr gets the address without brackets ("" for the null
 * sender <>), *after the byte past the '>'. The address ends at the first
 * '>' followed by the end, a space, ',', ';' or ':', since quoted local
 * parts may hold '>'. False when p holds no closed <address>.
 */
bool mxt_smtp_angle_addr(const char *p, const char *end, struct mxt_str *addr,
    const char **after);

/*
 * "name[ip]:port", "name[ip]" or "name" at [p, end): fills name, ip (""
 * when absent) and port (0 when absent or not 1..65535).
 */
void mxt_smtp_hostaddr(const char *p, const char *end, struct mxt_str *name,
    struct mxt_str *ip, int *port);

#endif
