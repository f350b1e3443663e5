/*
 * dialects.c - the registry of MTA log dialects (see dialect.h): one row
 * per MTA, in the order their claim() is tried.
 */
#include "dialect.h"

extern const struct mxt_dialect mxt_dialect_postfix;
extern const struct mxt_dialect mxt_dialect_exim;

const struct mxt_dialect *const mxt_dialects[] = {
	&mxt_dialect_postfix,
	&mxt_dialect_exim,
};
const size_t mxt_dialect_count = sizeof mxt_dialects / sizeof mxt_dialects[0];
