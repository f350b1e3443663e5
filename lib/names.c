/*
 * names.c - the one name table of each public enum. Reporters print names
 * from these tables and option parsers look names up in them, so a name is
 * spelled in exactly one place.
 */
#include "internal.h"

static const char *const mta_names[MXT_MTA_COUNT] = {
	[MXT_MTA_POSTFIX] = "postfix",
	[MXT_MTA_EXIM] = "exim",
};

static const char *const direction_names[MXT_DIR_COUNT] = {
	[MXT_DIR_OUT] = "out",
	[MXT_DIR_IN] = "in",
};

static const char *const status_names[MXT_STATUS_COUNT] = {
	[MXT_STATUS_DELIVERED] = "delivered",
	[MXT_STATUS_DEFERRED] = "deferred",
	[MXT_STATUS_BOUNCED] = "bounced",
	[MXT_STATUS_EXPIRED] = "expired",
	[MXT_STATUS_REJECTED] = "rejected",
};

static const char *const phase_names[MXT_PHASE_COUNT] = {
	[MXT_PHASE_NONE] = NULL,
	[MXT_PHASE_CONNECT] = "connect",
	[MXT_PHASE_GREETING] = "greeting",
	[MXT_PHASE_HELO] = "helo",
	[MXT_PHASE_STARTTLS] = "starttls",
	[MXT_PHASE_MAIL] = "mail",
	[MXT_PHASE_RCPT] = "rcpt",
	[MXT_PHASE_DATA] = "data",
	[MXT_PHASE_EOD] = "eod",
};

static const char *const evfmt_names[MXT_EVFMT_COUNT] = {
	[MXT_EVFMT_JSONL] = "jsonl",
	[MXT_EVFMT_CSV] = "csv",
};

static int
lookup(const char *const *table, int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (table[i] != NULL && strcmp(table[i], name) == 0)
			return i;
	return -1;
}

const char *mxt_mta_name(enum mxt_mta v) { return mta_names[v]; }
const char *mxt_direction_name(enum mxt_direction v) { return direction_names[v]; }
const char *mxt_status_name(enum mxt_status v) { return status_names[v]; }
const char *mxt_phase_name(enum mxt_phase v) { return phase_names[v]; }

int
mxt_status_lookup(const char *name)
{
	return lookup(status_names, MXT_STATUS_COUNT, name);
}

int
mxt_direction_lookup(const char *name)
{
	return lookup(direction_names, MXT_DIR_COUNT, name);
}

int
mxt_event_format_lookup(const char *name)
{
	return lookup(evfmt_names, MXT_EVFMT_COUNT, name);
}

const char *
mxt_version(void)
{
	return MXT_VERSION;
}
