/*
 * report.c - the registry of report formats: each writer is a function
 * over the finished summary, looked up by name (OpenSMTPD table_backend
 * style), so adding a format touches this table and one new file.
 */
#include "report.h"


static const struct {
	const char *name;
	int (*write)(const struct mxt_summary *,
	    const struct mxt_report_options *, FILE *);
} writers[MXT_REPORT_COUNT] = {
	[MXT_REPORT_TABLE] = {"table", mxt_report_table},
	[MXT_REPORT_JSON] = {"json", mxt_report_json},
	[MXT_REPORT_CSV] = {"csv", mxt_report_csv},
	[MXT_REPORT_PROMETHEUS] = {"prometheus", mxt_report_prom},
	[MXT_REPORT_HTML] = {"html", mxt_report_html},
};

int
mxt_report_format_lookup(const char *name)
{
	for (int i = 0; i < MXT_REPORT_COUNT; i++)
		if (strcmp(writers[i].name, name) == 0)
			return i;
	return -1;
}

int
mxt_report_write(const struct mxt_summary *s,
    const struct mxt_report_options *o, FILE *fp)
{
	return writers[o->format].write(s, o, fp);
}
