/*
 * ourside.h - the local MTA's own trouble (ourside.c): the lines a
 * dialect hands on as struct mxt_local, and the one normalisation that
 * groups them (and names the warning linked to a failure).
 */
#ifndef MXT_OURSIDE_H
#define MXT_OURSIDE_H

#include "internal.h"

/* Bytes of a complaint's text that are normalised and kept: the rest of
 * a longer line (a SASL failure's base64, a TLS library's stack) never
 * decides its group. */
#define MXT_OURSIDE_TEXT_MAX 512
/* Size of a key buffer: keys are cut to MXT_OURSIDE_KEY_MAX - 1 bytes,
 * the same in the pass (the warning linked to an event) and the summary
 * (the group), so the one finds the other. */
#define MXT_OURSIDE_KEY_MAX 256

/*
 * The group key of a complaint: "LEVEL: " and text normalised as the
 * classifier normalises reply texts (mxt_classify_normalise: addresses,
 * hosts, IPs, URLs, long numbers and ids masked), then every remaining
 * word that holds a digit masked as "%n" too (short counts, queue ids,
 * "error:0A000126"), so that one complaint about many clients, files or
 * counts is one group. At most MXT_OURSIDE_TEXT_MAX bytes of text are
 * read. Writes at most size - 1 bytes and a NUL (size >= 1); returns
 * the length written.
 */
size_t mxt_ourside_key(enum mxt_local_level level, const char *text,
    size_t len, char *out, size_t size);

/*
 * Reads a Postfix message (after "program[pid]: " and any "QID: ")
 * into l when it is one of ours: warning:, error:, fatal:, panic:
 * (any process), postscreen's verdicts, anvil's statistics. service is
 * the last part of the program name. Returns false for other lines
 * (l is then undefined).
 */
bool mxt_ourside_postfix(const struct mxt_logline *ll, struct mxt_str service,
    const char *s, const char *end, struct mxt_local *l);

/*
 * Reads an Exim message (after the message id, if any) into l when it is
 * one of Exim's own complaints (TLS errors, protocol errors, dropped
 * connections, authenticator failures) or when panic is set (a line of
 * the panic log: every line is one). Returns false for other lines.
 */
bool mxt_ourside_exim(const struct mxt_logline *ll, bool panic, const char *s,
    const char *end, struct mxt_local *l);

/*
 * True for a failure that a warning of the same process may explain:
 * outbound, cause other, a cause on our side (mxt_cause_side) or a
 * local delivery (local, virtual, pipe); inbound, a rejection we issued
 * with cause other or server_busy or an enhanced code 4.3.x/5.3.x (our
 * own system). Never a cached repeat or an expiry.
 */
bool mxt_ourside_wants_link(const struct mxt_event *ev);

/* True when source names Exim's panic log ("paniclog", "panic.log",
 * rotated or compressed: "paniclog.1", "paniclog.2.gz"). */
bool mxt_ourside_is_paniclog(const char *source);

/* A postscreen action by index, for the report (MXT_OURSIDE_ACTIONS
 * names, in a fixed order). */
#define MXT_OURSIDE_ACTIONS 14
extern const char *const mxt_ourside_actions[MXT_OURSIDE_ACTIONS];
/* index of a postscreen action, -1 when unknown */
int mxt_ourside_action_index(struct mxt_str action);

/* anvil's statistics, for the report: "connection rate", "connection
 * count", "message rate", "recipient rate", "newtls rate" */
#define OURSIDE_ANVIL 5
extern const char *const mxt_ourside_anvil_names[OURSIDE_ANVIL];

/* Caps of the summary's our-side section (summary_ourside.c): a complaint
 * or client past them is counted in by_level and in overflow, not named;
 * an example keeps at most OURSIDE_EXAMPLE_MAX bytes of its line. */
#define OURSIDE_COMPLAINTS_MAX 5000
#define OURSIDE_CLIENTS_MAX 50000
#define OURSIDE_EXAMPLE_MAX 512

#endif
