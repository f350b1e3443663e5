/*
 * report.h - what the report writers share beyond summary_read.h
 * (internal): the reading of a failure text that the table and the HTML
 * report both show.
 */
#ifndef MXT_REPORT_H
#define MXT_REPORT_H

#include "summary_read.h"

/* Where the remote server's own reply starts in a failure text: past
 * Postfix's "host NAME[IP] said: " / "refused to talk to me: " and
 * Exim's "SMTP error from remote mail server after CMD: "; text itself
 * otherwise (report_table.c). */
const char *mxt_reply_start(const char *text);
/* A group's reply as the server sent it, "554 5.7.1", with the DSN
 * Postfix logged apart when it differs: "554 5.7.1 (4.7.1)", "none
 * (4.4.1)". malloc'd. */
char *mxt_reply_cell(const struct mxt_strmap_slot *code,
    const struct mxt_strmap_slot *text);

#endif
