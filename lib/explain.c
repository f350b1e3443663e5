/*
 * explain.c - what reply codes and enhanced status codes mean, for
 * `mxtriage explain 451 4.3.0`, `explain 4.7.1`, `explain greylisting`.
 *
 * Two reference tables: every reply code of RFC 5321 plus the ones later
 * RFCs added (AUTH in RFC 4954, null MX in RFC 7504), and the enhanced
 * status codes of RFC 3463 with the additions in the IANA "SMTP Enhanced
 * Status Codes" registry (RFC 3886, 4468, 4954, 5248, 6531, 6710, 7293,
 * 7372, 7505, 8617, 8689). Meanings are paraphrased, not quoted. The
 * likely causes link the codes to the cause table of causes.c.
 *
 * Output is built into a string (text or JSON via jansson) so the CLI
 * only prints it.
 */
#include "classify_internal.h"
#include "smtp.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct mxt_reply_code_info replies[] = {
	{211, "System status or help reply.", "RFC 5321"},
	{214, "Help message for a human reader.", "RFC 5321"},
	{220, "Service ready: the server's greeting.", "RFC 5321"},
	{221, "Service closing the connection (answer to QUIT).", "RFC 5321"},
	{235, "Authentication succeeded.", "RFC 4954"},
	{250, "Requested action completed: OK.", "RFC 5321"},
	{251, "User not local; the server will forward the message.",
	    "RFC 5321"},
	{252, "Cannot verify the user, but the message will be accepted and "
	    "delivery attempted.", "RFC 5321"},
	{334, "Server challenge during authentication.", "RFC 4954"},
	{354, "Start mail input; end it with <CRLF>.<CRLF>.", "RFC 5321"},
	{421, "Service not available, the server is closing the connection: "
	    "overloaded, shutting down, or refusing this client for now. "
	    "Temporary; the client retries later.", "RFC 5321"},
	{432, "A password transition is needed before this mechanism can be "
	    "used.", "RFC 4954"},
	{450, "Requested action not taken: mailbox unavailable for now "
	    "(busy, or blocked by a temporary policy such as greylisting).",
	    "RFC 5321"},
	{451, "Requested action aborted: local error in processing. "
	    "Temporary.", "RFC 5321"},
	{452, "Requested action not taken: insufficient system storage "
	    "(also used for \"too many recipients\"). Temporary.",
	    "RFC 5321"},
	{454, "Temporary authentication failure, or TLS not available for a "
	    "temporary reason.", "RFC 4954, RFC 3207"},
	{455, "Server unable to accommodate the parameters (of MAIL or RCPT) "
	    "for now.", "RFC 5321"},
	{500, "Syntax error, command unrecognised (or line too long).",
	    "RFC 5321"},
	{501, "Syntax error in parameters or arguments.", "RFC 5321"},
	{502, "Command not implemented.", "RFC 5321"},
	{503, "Bad sequence of commands.", "RFC 5321"},
	{504, "Command parameter not implemented.", "RFC 5321"},
	{521, "This host does not accept mail at all.", "RFC 7504"},
	{523, "Encryption is required for the requested authentication "
	    "mechanism (historic; see 538).", "RFC 4954"},
	{530, "Authentication required.", "RFC 4954"},
	{534, "Authentication mechanism is too weak.", "RFC 4954"},
	{535, "Authentication credentials invalid.", "RFC 4954"},
	{538, "Encryption required for the requested authentication "
	    "mechanism.", "RFC 4954"},
	{550, "Requested action not taken: mailbox unavailable (not found, no "
	    "access, or refused by policy). Permanent.", "RFC 5321"},
	{551, "User not local; the client should try the path given.",
	    "RFC 5321"},
	{552, "Requested mail action aborted: exceeded storage allocation "
	    "(message too big, or mailbox full).", "RFC 5321"},
	{553, "Requested action not taken: mailbox name not allowed "
	    "(bad address syntax, or a sender not permitted).", "RFC 5321"},
	{554, "Transaction failed (or, as a greeting, no SMTP service here). "
	    "Permanent.", "RFC 5321"},
	{555, "MAIL FROM or RCPT TO parameters not recognised or not "
	    "implemented.", "RFC 5321"},
	{556, "The recipient's domain does not accept mail (null MX).",
	    "RFC 7504"},
};

static const char *const dsn_classes[] = {
	['2' - '2'] = "Success: the action was completed.",
	['4' - '2'] = "Persistent transient failure: the message is valid "
	    "but a temporary condition stopped it; a later attempt may "
	    "succeed.",
	['5' - '2'] = "Permanent failure: resending the same message will "
	    "not succeed without a change.",
};

static const char *const dsn_subjects[] = {
	"Other or undefined status.",
	"Addressing: the sender's or recipient's address.",
	"Mailbox: the recipient's mailbox (full, disabled, ...).",
	"Mail system: the receiving system (resources, capabilities, "
	"size).",
	"Network and routing: DNS, connections, routes, delays.",
	"Mail delivery protocol: the SMTP conversation itself.",
	"Message content or media: encoding and conversion.",
	"Security or policy: authorisation, authentication, reputation, "
	"encryption.",
};

static const struct mxt_dsn_info dsns[] = {
	{"X.0.0", "Other undefined status", "No further detail is "
	    "available; the text is the only clue.", "RFC 3463"},
	{"X.1.0", "Other address status", "Something about an address is "
	    "wrong.", "RFC 3463"},
	{"X.1.1", "Bad destination mailbox address", "The mailbox does not "
	    "exist at the destination.", "RFC 3463"},
	{"X.1.2", "Bad destination system address", "The destination system "
	    "(domain) does not exist or cannot take mail.", "RFC 3463"},
	{"X.1.3", "Bad destination mailbox address syntax", "The recipient "
	    "address is syntactically invalid.", "RFC 3463"},
	{"X.1.4", "Destination mailbox address ambiguous", "The address "
	    "matches more than one mailbox.", "RFC 3463"},
	{"X.1.5", "Destination address valid", "The address is valid (a "
	    "success detail).", "RFC 3463"},
	{"X.1.6", "Destination mailbox has moved, no forwarding address",
	    "The mailbox existed but is gone with no forwarding.",
	    "RFC 3463"},
	{"X.1.7", "Bad sender's mailbox address syntax", "The sender address "
	    "is syntactically invalid.", "RFC 3463"},
	{"X.1.8", "Bad sender's system address", "The sender's domain does "
	    "not exist or cannot receive replies.", "RFC 3463"},
	{"X.1.9", "Message relayed to non-compliant mailer", "The message "
	    "went to a system that does not support delivery reports.",
	    "RFC 3886"},
	{"X.1.10", "Recipient address has null MX", "The recipient's domain "
	    "publishes a null MX: it accepts no mail.", "RFC 7505"},
	{"X.2.0", "Other or undefined mailbox status", "The mailbox exists "
	    "but something about it prevents delivery.", "RFC 3463"},
	{"X.2.1", "Mailbox disabled, not accepting messages", "The mailbox "
	    "exists but is disabled.", "RFC 3463"},
	{"X.2.2", "Mailbox full", "The mailbox is over its storage quota.",
	    "RFC 3463"},
	{"X.2.3", "Message length exceeds administrative limit", "The "
	    "message is bigger than the mailbox's per-message limit.",
	    "RFC 3463"},
	{"X.2.4", "Mailing list expansion problem", "The recipient is a "
	    "list that could not be expanded.", "RFC 3463"},
	{"X.3.0", "Other or undefined mail system status", "The receiving "
	    "system has a problem not covered elsewhere.", "RFC 3463"},
	{"X.3.1", "Mail system full", "The receiving system is out of "
	    "storage.", "RFC 3463"},
	{"X.3.2", "System not accepting network messages", "The system is "
	    "not taking mail now (shutting down, maintenance).", "RFC 3463"},
	{"X.3.3", "System not capable of selected features", "A feature the "
	    "message needs is not supported there.", "RFC 3463"},
	{"X.3.4", "Message too big for system", "The message exceeds the "
	    "system's size limit.", "RFC 3463"},
	{"X.3.5", "System incorrectly configured", "The receiving system's "
	    "configuration prevents delivery.", "RFC 3463"},
	{"X.3.6", "Requested priority was changed", "The message was "
	    "accepted with a different priority.", "RFC 6710"},
	{"X.4.0", "Other or undefined network or routing status", "A "
	    "network or routing problem not covered elsewhere.", "RFC 3463"},
	{"X.4.1", "No answer from host", "The destination host did not "
	    "answer the connection.", "RFC 3463"},
	{"X.4.2", "Bad connection", "The connection was made but broke or "
	    "misbehaved.", "RFC 3463"},
	{"X.4.3", "Directory server failure", "A directory lookup, usually "
	    "DNS, failed.", "RFC 3463"},
	{"X.4.4", "Unable to route", "No route to the destination could be "
	    "found (often: the domain has no usable MX or address).",
	    "RFC 3463"},
	{"X.4.5", "Mail system congestion", "The system is congested; try "
	    "later.", "RFC 3463"},
	{"X.4.6", "Routing loop detected", "The message is looping.",
	    "RFC 3463"},
	{"X.4.7", "Delivery time expired", "The message stayed queued too "
	    "long and was given up.", "RFC 3463"},
	{"X.5.0", "Other or undefined protocol status", "An SMTP protocol "
	    "problem.", "RFC 3463"},
	{"X.5.1", "Invalid command", "The command was not valid here.",
	    "RFC 3463"},
	{"X.5.2", "Syntax error", "The command could not be parsed.",
	    "RFC 3463"},
	{"X.5.3", "Too many recipients", "More recipients than the server "
	    "takes in one message.", "RFC 3463"},
	{"X.5.4", "Invalid command arguments", "A command argument was not "
	    "valid.", "RFC 3463"},
	{"X.5.5", "Wrong protocol version", "The protocol version is not "
	    "supported.", "RFC 3463"},
	{"X.5.6", "Authentication exchange line is too long", "An AUTH "
	    "line was longer than allowed.", "RFC 4954"},
	{"X.6.0", "Other or undefined media error", "A content or encoding "
	    "problem.", "RFC 3463"},
	{"X.6.1", "Media not supported", "The content type is not "
	    "supported.", "RFC 3463"},
	{"X.6.2", "Conversion required and prohibited", "Delivery needs a "
	    "conversion the message forbids.", "RFC 3463"},
	{"X.6.3", "Conversion required but not supported", "Delivery needs "
	    "a conversion the system cannot do.", "RFC 3463"},
	{"X.6.4", "Conversion with loss performed", "The message was "
	    "converted and lost information.", "RFC 3463"},
	{"X.6.5", "Conversion failed", "A needed conversion failed.",
	    "RFC 3463"},
	{"X.6.6", "Message content not available", "Referenced content "
	    "could not be fetched.", "RFC 4468"},
	{"X.6.7", "Non-ASCII addresses not permitted", "The sender or "
	    "recipient cannot use internationalised addresses.", "RFC 6531"},
	{"X.6.8", "UTF-8 string reply required but not permitted", "The "
	    "reply needs UTF-8 the client did not ask for.", "RFC 6531"},
	{"X.6.9", "UTF-8 header cannot be transferred", "A UTF-8 header "
	    "message cannot go to some recipients.", "RFC 6531"},
	{"X.6.10", "UTF-8 string reply required but not permitted",
	    "Registered again with the meaning of X.6.8.", "RFC 6531"},
	{"X.7.0", "Other or undefined security status", "A security or "
	    "policy refusal with no more detail.", "RFC 3463"},
	{"X.7.1", "Delivery not authorized, message refused", "The sender "
	    "is not allowed to send to this recipient: a policy, block list "
	    "or filter refused it.", "RFC 3463"},
	{"X.7.2", "Mailing list expansion prohibited", "The sender may not "
	    "send to this list.", "RFC 3463"},
	{"X.7.3", "Security conversion required but not possible", "A "
	    "security conversion could not be made.", "RFC 3463"},
	{"X.7.4", "Security features not supported", "A required security "
	    "feature is not supported.", "RFC 3463"},
	{"X.7.5", "Cryptographic failure", "A signature or encryption could "
	    "not be processed.", "RFC 3463"},
	{"X.7.6", "Cryptographic algorithm not supported", "The algorithm "
	    "used is not supported.", "RFC 3463"},
	{"X.7.7", "Message integrity failure", "The message failed an "
	    "integrity check.", "RFC 3463"},
	{"X.7.8", "Authentication credentials invalid", "SMTP AUTH failed: "
	    "wrong credentials.", "RFC 4954"},
	{"X.7.9", "Authentication mechanism is too weak", "The AUTH "
	    "mechanism is not accepted.", "RFC 4954"},
	{"X.7.10", "Encryption needed", "TLS is required for this "
	    "operation.", "RFC 5248"},
	{"X.7.11", "Encryption required for requested authentication "
	    "mechanism", "The AUTH mechanism needs TLS first.", "RFC 4954"},
	{"X.7.12", "A password transition is needed", "The password must "
	    "be changed before AUTH works.", "RFC 4954"},
	{"X.7.13", "User account disabled", "The account used is "
	    "disabled.", "RFC 5248"},
	{"X.7.14", "Trust relationship required", "The server requires a "
	    "trust relationship it does not have with the client.",
	    "RFC 5248"},
	{"X.7.15", "Priority level is too low", "The message's priority is "
	    "too low to be accepted now.", "RFC 6710"},
	{"X.7.16", "Message is too big for the specified priority", "Large "
	    "messages need a higher priority.", "RFC 6710"},
	{"X.7.17", "Mailbox owner has changed", "The mailbox changed owner "
	    "since the sender's last contact.", "RFC 7293"},
	{"X.7.18", "Domain owner has changed", "The domain changed owner.",
	    "RFC 7293"},
	{"X.7.19", "RRVS test cannot be completed", "The owner-change test "
	    "could not be made.", "RFC 7293"},
	{"X.7.20", "No passing DKIM signature found", "The message had no "
	    "valid DKIM signature.", "RFC 7372"},
	{"X.7.21", "No acceptable DKIM signature found", "No DKIM signature "
	    "met the receiver's requirements.", "RFC 7372"},
	{"X.7.22", "No valid author-matched DKIM signature found", "No valid "
	    "DKIM signature matched the From: domain.", "RFC 7372"},
	{"X.7.23", "SPF validation failed", "The sending address is not "
	    "authorised by the domain's SPF record.", "RFC 7372"},
	{"X.7.24", "SPF validation error", "The SPF check itself failed "
	    "(DNS or record error).", "RFC 7372"},
	{"X.7.25", "Reverse DNS validation failed", "The client's address "
	    "has no matching PTR record.", "RFC 7372"},
	{"X.7.26", "Multiple authentication checks failed", "Several "
	    "authentication checks (SPF, DKIM, DMARC) failed together.",
	    "RFC 7372"},
	{"X.7.27", "Sender address has null MX", "The sender's domain "
	    "publishes a null MX and cannot receive replies.", "RFC 7505"},
	{"X.7.28", "Mail flood detected", "The message looks like part of "
	    "a flood of similar messages (rate of unsolicited mail).",
	    "IANA registry"},
	{"X.7.29", "ARC validation failure", "The ARC chain of the message "
	    "did not validate.", "RFC 8617"},
	{"X.7.30", "REQUIRETLS support required", "The message requires TLS "
	    "all the way but a hop cannot guarantee it.", "RFC 8689"},
};

const struct mxt_reply_code_info *
mxt_explain_reply(int code)
{
	for (size_t i = 0; i < sizeof replies / sizeof replies[0]; i++)
		if (replies[i].code == code)
			return &replies[i];
	return NULL;
}

const char *
mxt_explain_dsn_class(char cls)
{
	if (cls != '2' && cls != '4' && cls != '5')
		return NULL;
	return dsn_classes[cls - '2'];
}

const char *
mxt_explain_dsn_subject(int subject)
{
	if (subject < 0 || subject > 7)
		return NULL;
	return dsn_subjects[subject];
}

/* "4.7.1" -> class, subject, detail; also accepts "X.7.1". The whole
 * string must be the code (smtp.c parses it). */
static bool
parse_dsn(const char *s, char *cls, int *subject, int *detail)
{
	struct mxt_dsn d;
	if (s == NULL)
		return false;
	const char *end = s + strlen(s);
	if (mxt_smtp_dsn(s, end, MXT_DSN_ANY_CLASS, &d, NULL) != end)
		return false;
	*cls = d.cls;
	*subject = d.subject;
	*detail = d.detail;
	return true;
}

const struct mxt_dsn_info *
mxt_explain_dsn(const char *dsn)
{
	char cls, key[16];
	int subj, det;
	if (!parse_dsn(dsn, &cls, &subj, &det))
		return NULL;
	snprintf(key, sizeof key, "X.%d.%d", subj, det);
	for (size_t i = 0; i < sizeof dsns / sizeof dsns[0]; i++)
		if (strcmp(dsns[i].code, key) == 0)
			return &dsns[i];
	return NULL;
}

/*
 * Likely causes, from the enhanced code when there is one (it is more
 * precise), else from the reply code. Ordered by how often each is the
 * answer in practice.
 *
 * ONE TABLE for explain and the classifier: where .fallback is set, the
 * first cause is what the classifier gives a reply whose words no rule
 * recognises (classify.c builds its fallback rules from these rows, named
 * "dsn-X.1.1" / "code-421" with this file and line as their origin). So
 * `explain 5.2.1` and a "550 5.2.1 <unfamiliar words>" event cannot
 * disagree; classify_test walks every row to check it. A row without
 * .fallback lists causes only: the code alone does not decide (550,
 * 5.1.0, X.2.0 are used for too many different things).
 */
const struct mxt_code_causes mxt_dsn_causes[] = {
	{__LINE__, "X.1.1", true, {MXT_CAUSE_UNKNOWN_USER}},
	{__LINE__, "X.1.2", true, {MXT_CAUSE_BAD_DOMAIN}},
	{__LINE__, "X.1.3", true, {MXT_CAUSE_UNKNOWN_USER}},
	{__LINE__, "X.1.6", true, {MXT_CAUSE_UNKNOWN_USER}},
	{__LINE__, "X.1.7", true, {MXT_CAUSE_SENDER_REJECTED}},
	{__LINE__, "X.1.8", true, {MXT_CAUSE_SENDER_REJECTED}},
	{__LINE__, "X.1.10", true, {MXT_CAUSE_BAD_DOMAIN}},
	{__LINE__, "X.2.0", false, {MXT_CAUSE_GREYLISTING,
	    MXT_CAUSE_UNKNOWN_USER}},
	/* disabled or inactive: the address is as good as gone */
	{__LINE__, "X.2.1", true, {MXT_CAUSE_UNKNOWN_USER}},
	{__LINE__, "X.2.2", true, {MXT_CAUSE_MAILBOX_FULL}},
	{__LINE__, "X.2.3", true, {MXT_CAUSE_MESSAGE_SIZE}},
	{__LINE__, "X.3.4", true, {MXT_CAUSE_MESSAGE_SIZE}},
	{__LINE__, "X.3", true, {MXT_CAUSE_SERVER_BUSY}},
	{__LINE__, "X.4.1", true, {MXT_CAUSE_CONNECTION}},
	{__LINE__, "X.4.2", true, {MXT_CAUSE_CONNECTION}},
	{__LINE__, "X.4.3", true, {MXT_CAUSE_DNS}},
	/* RFC 3463: the next hop could not be determined */
	{__LINE__, "X.4.4", true, {MXT_CAUSE_ROUTING, MXT_CAUSE_BAD_DOMAIN,
	    MXT_CAUSE_DNS}},
	{__LINE__, "X.4.5", true, {MXT_CAUSE_SERVER_BUSY,
	    MXT_CAUSE_RATE_LIMIT}},
	{__LINE__, "X.4.6", true, {MXT_CAUSE_ROUTING}},
	{__LINE__, "X.4.7", false, {MXT_CAUSE_EXPIRED}},
	{__LINE__, "X.4", false, {MXT_CAUSE_ROUTING, MXT_CAUSE_CONNECTION}},
	{__LINE__, "X.5.3", true, {MXT_CAUSE_RATE_LIMIT}},
	{__LINE__, "X.6", false, {MXT_CAUSE_CONTENT}},
	{__LINE__, "X.7.0", true, {MXT_CAUSE_POLICY, MXT_CAUSE_RATE_LIMIT,
	    MXT_CAUSE_GREYLISTING, MXT_CAUSE_TLS}},
	{__LINE__, "X.7.1", true, {MXT_CAUSE_POLICY, MXT_CAUSE_BLOCKLIST,
	    MXT_CAUSE_CONTENT, MXT_CAUSE_RELAY_DENIED}},
	{__LINE__, "X.7.8", true, {MXT_CAUSE_AUTH}},
	{__LINE__, "X.7.9", true, {MXT_CAUSE_AUTH}},
	{__LINE__, "X.7.10", true, {MXT_CAUSE_TLS}},
	{__LINE__, "X.7.11", true, {MXT_CAUSE_TLS, MXT_CAUSE_AUTH}},
	{__LINE__, "X.7.12", true, {MXT_CAUSE_AUTH}},
	{__LINE__, "X.7.13", true, {MXT_CAUSE_AUTH}},
	{__LINE__, "X.7.14", true, {MXT_CAUSE_AUTH}},
	{__LINE__, "X.7.20", true, {MXT_CAUSE_SENDER_AUTH}},
	{__LINE__, "X.7.21", true, {MXT_CAUSE_SENDER_AUTH}},
	{__LINE__, "X.7.22", true, {MXT_CAUSE_SENDER_AUTH}},
	{__LINE__, "X.7.23", true, {MXT_CAUSE_SENDER_AUTH}},
	{__LINE__, "X.7.24", true, {MXT_CAUSE_SENDER_AUTH, MXT_CAUSE_DNS}},
	{__LINE__, "X.7.25", true, {MXT_CAUSE_CLIENT_HOSTNAME}},
	{__LINE__, "X.7.26", true, {MXT_CAUSE_SENDER_AUTH}},
	{__LINE__, "X.7.27", true, {MXT_CAUSE_SENDER_REJECTED}},
	{__LINE__, "X.7.28", true, {MXT_CAUSE_RATE_LIMIT,
	    MXT_CAUSE_BLOCKLIST}},
	{__LINE__, "X.7.29", true, {MXT_CAUSE_SENDER_AUTH}},
	{__LINE__, "X.7.30", true, {MXT_CAUSE_TLS}},
	{__LINE__, "X.7", true, {MXT_CAUSE_POLICY}},
};
const size_t mxt_dsn_cause_count =
    sizeof mxt_dsn_causes / sizeof mxt_dsn_causes[0];

const struct mxt_code_causes mxt_reply_causes[] = {
	{__LINE__, "421", true, {MXT_CAUSE_SERVER_BUSY, MXT_CAUSE_RATE_LIMIT,
	    MXT_CAUSE_BLOCKLIST}},
	{__LINE__, "450", false, {MXT_CAUSE_GREYLISTING, MXT_CAUSE_POLICY,
	    MXT_CAUSE_CLIENT_HOSTNAME, MXT_CAUSE_MAILBOX_FULL}},
	{__LINE__, "451", true, {MXT_CAUSE_SERVER_BUSY, MXT_CAUSE_GREYLISTING,
	    MXT_CAUSE_DNS}},
	{__LINE__, "452", false, {MXT_CAUSE_SERVER_BUSY, MXT_CAUSE_RATE_LIMIT,
	    MXT_CAUSE_MAILBOX_FULL}},
	{__LINE__, "454", false, {MXT_CAUSE_TLS, MXT_CAUSE_AUTH,
	    MXT_CAUSE_RELAY_DENIED}},
	{__LINE__, "521", true, {MXT_CAUSE_BAD_DOMAIN, MXT_CAUSE_POLICY}},
	{__LINE__, "530", true, {MXT_CAUSE_AUTH, MXT_CAUSE_TLS}},
	{__LINE__, "534", true, {MXT_CAUSE_AUTH}},
	{__LINE__, "535", true, {MXT_CAUSE_AUTH}},
	{__LINE__, "538", true, {MXT_CAUSE_TLS, MXT_CAUSE_AUTH}},
	{__LINE__, "550", false, {MXT_CAUSE_UNKNOWN_USER, MXT_CAUSE_POLICY,
	    MXT_CAUSE_BLOCKLIST, MXT_CAUSE_RELAY_DENIED}},
	{__LINE__, "551", true, {MXT_CAUSE_ROUTING}},
	{__LINE__, "552", false, {MXT_CAUSE_MESSAGE_SIZE,
	    MXT_CAUSE_MAILBOX_FULL}},
	{__LINE__, "553", false, {MXT_CAUSE_SENDER_REJECTED,
	    MXT_CAUSE_UNKNOWN_USER, MXT_CAUSE_RELAY_DENIED}},
	{__LINE__, "554", false, {MXT_CAUSE_POLICY, MXT_CAUSE_BLOCKLIST,
	    MXT_CAUSE_CONTENT}},
	{__LINE__, "556", true, {MXT_CAUSE_BAD_DOMAIN}},
};
const size_t mxt_reply_cause_count =
    sizeof mxt_reply_causes / sizeof mxt_reply_causes[0];

static size_t
copy_causes(const enum mxt_cause *src, enum mxt_cause *out, size_t n)
{
	size_t k = 0;
	for (size_t i = 0; i < 4 && src[i] != MXT_CAUSE_NONE && k < n; i++)
		out[k++] = src[i];
	return k;
}

/* The row of mxt_dsn_causes for "X.s.d" (or its subject "X.s"), and the
 * row of mxt_reply_causes for code; NULL when none. */
const struct mxt_code_causes *
mxt_explain_dsn_row(const char *dsn)
{
	char cls;
	int subj, det;
	if (dsn == NULL || !parse_dsn(dsn, &cls, &subj, &det))
		return NULL;
	char full[16], part[16];
	snprintf(full, sizeof full, "X.%d.%d", subj, det);
	snprintf(part, sizeof part, "X.%d", subj);
	for (size_t i = 0; i < mxt_dsn_cause_count; i++)
		if (strcmp(mxt_dsn_causes[i].code, full) == 0)
			return &mxt_dsn_causes[i];
	for (size_t i = 0; i < mxt_dsn_cause_count; i++)
		if (strcmp(mxt_dsn_causes[i].code, part) == 0)
			return &mxt_dsn_causes[i];
	return NULL;
}

const struct mxt_code_causes *
mxt_explain_reply_row(int code)
{
	char key[8];
	snprintf(key, sizeof key, "%d", code);
	for (size_t i = 0; i < mxt_reply_cause_count; i++)
		if (strcmp(mxt_reply_causes[i].code, key) == 0)
			return &mxt_reply_causes[i];
	return NULL;
}

size_t
mxt_explain_likely_causes(int code, const char *dsn, enum mxt_cause *out,
    size_t n)
{
	const struct mxt_code_causes *r = mxt_explain_dsn_row(dsn);
	if (r == NULL)
		r = mxt_explain_reply_row(code);
	return r != NULL ? copy_causes(r->causes, out, n) : 0;
}

/* ---- arguments ------------------------------------------------------- */

static bool
is_reply_code(const char *s, int *code)
{
	const char *end = s + strlen(s), *after;
	int c = mxt_smtp_reply_code(s, end, &after);
	if (c == 0 || after != end)
		return false;
	*code = c;
	return true;
}

static bool
is_dsn(const char *s, char dsn[16])
{
	char cls;
	int subj, det;
	if (strlen(s) >= 16 || !parse_dsn(s, &cls, &subj, &det))
		return false;
	snprintf(dsn, 16, "%c.%d.%d", cls, subj, det);
	return true;
}

/* The classifier of the built-in rules, made for one call. */
static struct mxt_classifier *
builtin_classifier(void)
{
	struct mxt_classifier *c = mxt_classifier_create(NULL, NULL);
	if (c == NULL)
		abort(); /* the built-in rules always compile (classify_test) */
	return c;
}

static int parse_queries(char *const *args, int nargs,
    struct mxt_explain_query *out, size_t max, struct mxt_classifier *c,
    struct mxt_error *err);

/*
 * Is s a reply text (or a vendor code) the rules recognise? A reply
 * "NNN X.Y.Z words" always is (its codes alone explain something); other
 * words only when a wording rule decides them ("S3140", "TSS04": the
 * provider rules know them). q gets the code and dsn the text starts
 * with.
 */
static bool
is_reply_text(const char *s, struct mxt_explain_query *q,
    struct mxt_classifier *c)
{
	const char *end = s + strlen(s);
	char dsn[MXT_DSN_SIZE] = "";
	int code = mxt_smtp_reply(s, end, dsn);
	if (code == 0) {
		/* an enhanced code alone at the start: "4.7.1 Try again" */
		struct mxt_dsn d;
		if (mxt_smtp_dsn(s, end, 0, &d, NULL) != NULL)
			snprintf(dsn, sizeof dsn, "%c.%d.%d", d.cls, d.subject,
			    d.detail);
	}
	q->code = code;
	snprintf(q->dsn, sizeof q->dsn, "%s", dsn);
	if (code != 0 && strchr(s, ' ') != NULL)
		return true;
	struct mxt_event ev;
	memset(&ev, 0, sizeof ev);
	ev.status = MXT_STATUS_DEFERRED;
	ev.direction = MXT_DIR_OUT;
	ev.code = code;
	snprintf(ev.dsn, sizeof ev.dsn, "%s", dsn);
	ev.text = mxt_str_make(s, strlen(s));
	size_t ri;
	mxt_classify_index(c, &ev, &ri);
	struct mxt_rule_info info;
	bool words = ri != SIZE_MAX && mxt_classifier_rule(c, ri, &info) &&
	    strcmp(info.origin, "lib/explain.c") != 0;
	return words;
}

int
mxt_explain_parse(char *const *args, int nargs, struct mxt_explain_query *out,
    size_t max, struct mxt_classifier *given, struct mxt_error *err)
{
	struct mxt_error scratch; /* err may be NULL (mxtriage.h) */
	if (err == NULL)
		err = &scratch;
	struct mxt_classifier *c = given ? given : builtin_classifier();
	int n = parse_queries(args, nargs, out, max, c, err);
	if (given == NULL)
		mxt_classifier_destroy(c);
	return n;
}

static int
parse_queries(char *const *args, int nargs, struct mxt_explain_query *out,
    size_t max, struct mxt_classifier *c, struct mxt_error *err)
{
	size_t n = 0;
	for (int i = 0; i < nargs; i++) {
		struct mxt_explain_query q;
		char a[64], b[64] = "";
		memset(&q, 0, sizeof q);
		snprintf(a, sizeof a, "%s", args[i]);
		/* "451 4.3.0" as one argument */
		char *sp = strchr(a, ' ');
		if (sp != NULL) {
			*sp = '\0';
			snprintf(b, sizeof b, "%s", sp + 1);
		}
		int cause;
		if (strlen(args[i]) > 9 && strchr(args[i], ' ') != NULL &&
		    is_reply_text(args[i], &q, c)) {
			/* a whole reply: "451 4.7.1 Greylisted, see ..." */
			q.kind = MXT_EXPLAIN_TEXT;
			q.text = args[i];
		} else if (is_reply_code(a, &q.code)) {
			q.kind = MXT_EXPLAIN_REPLY;
			if (b[0] != '\0') {
				if (!is_dsn(b, q.dsn))
					goto bad;
				q.kind = MXT_EXPLAIN_BOTH;
			} else if (i + 1 < nargs && is_dsn(args[i + 1], q.dsn)) {
				q.kind = MXT_EXPLAIN_BOTH;
				i++;
			}
		} else if (b[0] == '\0' && is_dsn(a, q.dsn)) {
			q.kind = MXT_EXPLAIN_DSN;
		} else if (b[0] == '\0' && (cause = mxt_cause_lookup(a)) > 0) {
			q.kind = MXT_EXPLAIN_CAUSE;
			q.cause = (enum mxt_cause)cause;
		} else if (is_reply_text(args[i], &q, c)) {
			q.kind = MXT_EXPLAIN_TEXT;
			q.text = args[i];
		} else {
			goto bad;
		}
		if (n == max) {
			snprintf(err->text, sizeof err->text,
			    "too many arguments (at most %zu)", max);
			return -1;
		}
		out[n++] = q;
		continue;
	bad:
		memset(err, 0, sizeof *err);
		snprintf(err->text, sizeof err->text, "'%.30s' is not a reply "
		    "code (451), an enhanced code (4.7.1), a cause id "
		    "(greylisting), a reply text (\"451 4.7.1 ...\") or a "
		    "provider code a rule knows (S3140; see 'mxtriage rules')",
		    args[i]);
		return -1;
	}
	return (int)n;
}

/* ---- output -------------------------------------------------------- */

/* Reply texts are strangers' bytes: JSON strings must be valid UTF-8. */
static json_t *
json_string_or_null(const char *s)
{
	json_t *j = json_string(s);
	if (j == NULL) {
		char *e = mxt_escape_terminal(s, strlen(s), 0);
		j = json_string(e);
		free(e);
	}
	return j != NULL ? j : json_null();
}


/* Writes s wrapped at 76 columns: the first line starts with first, the
 * others with indent. */
static void
bwrap(struct mxt_buf *b, const char *indent, const char *first, const char *s)
{
	size_t col = strlen(first);
	bool at_start = true;
	mxt_buf_printf(b, "%s", first);
	while (*s) {
		while (*s == ' ')
			s++;
		const char *w = s;
		while (*s && *s != ' ')
			s++;
		size_t wl = (size_t)(s - w);
		if (wl == 0)
			break;
		if (!at_start && col + 1 + wl > 76) {
			mxt_buf_printf(b, "\n%s", indent);
			col = strlen(indent);
			at_start = true;
		}
		if (!at_start) {
			mxt_buf_printf(b, " ");
			col++;
		}
		mxt_buf_printf(b, "%.*s", (int)wl, w);
		col += wl;
		at_start = false;
	}
	mxt_buf_printf(b, "\n");
}

static void
text_cause(struct mxt_buf *b, enum mxt_cause c)
{
	mxt_buf_printf(b, "cause %s: %s (%s)\n", mxt_cause_id(c), mxt_cause_title(c),
	    mxt_cause_kind_name(mxt_cause_kind(c)));
	bwrap(b, "  ", "  ", mxt_cause_explanation(c));
	for (int d = 0; d < MXT_DIR_COUNT; d++) {
		const char *const *st = mxt_cause_steps(c, (enum mxt_direction)d);
		if (st[0] == NULL)
			continue;
		mxt_buf_printf(b, "  next steps when %s:\n", d == MXT_DIR_OUT ?
		    "we are the sender (out)" : "we rejected a client (in)");
		for (size_t i = 0; st[i] != NULL; i++)
			bwrap(b, "      ", "    - ", st[i]);
	}
}

/* What the classifier makes of q: the cause and the rule that decided
 * (from the one table the classifier and explain share). */
struct decided {
	enum mxt_cause cause;
	struct mxt_rule_info rule; /* name NULL when no rule decided */
	char norm[1024];
};

static void
decide(struct mxt_classifier *c, const struct mxt_explain_query *q,
    struct decided *d)
{
	memset(d, 0, sizeof *d);
	struct mxt_event ev;
	memset(&ev, 0, sizeof ev);
	ev.status = MXT_STATUS_DEFERRED;
	ev.direction = MXT_DIR_OUT;
	ev.code = q->code;
	if (q->dsn[0] != '\0' && q->dsn[0] != 'X')
		snprintf(ev.dsn, sizeof ev.dsn, "%s", q->dsn);
	const char *text = q->kind == MXT_EXPLAIN_TEXT ? q->text : "";
	ev.text = mxt_str_make(text, strlen(text));
	size_t ri;
	d->cause = mxt_classify_index(c, &ev, &ri);
	if (ri == SIZE_MAX || !mxt_classifier_rule(c, ri, &d->rule))
		memset(&d->rule, 0, sizeof d->rule);
	mxt_classify_normalise(text, strlen(text), d->norm, sizeof d->norm);
}

static void
text_decided(struct mxt_buf *b, const struct mxt_explain_query *q,
    const struct decided *d)
{
	if (q->kind == MXT_EXPLAIN_TEXT) {
		char *t = mxt_escape_terminal(q->text, strlen(q->text), 0);
		char *n = mxt_escape_terminal(d->norm, strlen(d->norm), 0);
		bwrap(b, "          ", "reply:    ", t);
		bwrap(b, "          ", "as rules see it: ", n);
		free(t);
		free(n);
	}
	const char *what = q->kind == MXT_EXPLAIN_TEXT ? "this reply" :
	    "a reply with these codes and no words a rule knows";
	if (d->rule.name != NULL) {
		char *rn = mxt_escape_terminal(d->rule.name,
		    strlen(d->rule.name), 0);
		char *ro = mxt_escape_terminal(d->rule.origin,
		    strlen(d->rule.origin), 0);
		mxt_buf_printf(b, "cause of %s: %s (rule %s, %s:%ld)\n", what,
		    mxt_cause_id(d->cause), rn, ro, d->rule.line);
		free(rn);
		free(ro);
	} else {
		mxt_buf_printf(b, "cause of %s: %s (no rule decided)\n", what,
		    mxt_cause_id(d->cause));
	}
}

static void
text_query(struct mxt_buf *b, const struct mxt_explain_query *q,
    const struct decided *dc)
{
	if (q->kind == MXT_EXPLAIN_CAUSE) {
		text_cause(b, q->cause);
		return;
	}
	if (q->kind == MXT_EXPLAIN_TEXT)
		text_decided(b, q, dc);
	if (q->code != 0) {
		const struct mxt_reply_code_info *r = mxt_explain_reply(q->code);
		char first[64];
		snprintf(first, sizeof first, "%d: ", q->code);
		if (r != NULL) {
			char line[512];
			snprintf(line, sizeof line, "%s [%s]", r->meaning,
			    r->reference);
			bwrap(b, "     ", first, line);
		} else {
			mxt_buf_printf(b, "%d: not a registered reply code; class %c "
			    "means %s.\n", q->code, '0' + q->code / 100,
			    q->code / 100 == 4 ? "a temporary failure" :
			    q->code / 100 == 5 ? "a permanent failure" :
			    q->code / 100 == 2 ? "success" : "intermediate");
		}
	}
	if (q->dsn[0] != '\0') {
		const struct mxt_dsn_info *d = mxt_explain_dsn(q->dsn);
		char cls = q->dsn[0];
		int subj = atoi(q->dsn + 2);
		mxt_buf_printf(b, "%s:\n", q->dsn);
		if (cls != 'X')
			bwrap(b, "    ", "  class   ", mxt_explain_dsn_class(cls));
		if (mxt_explain_dsn_subject(subj) != NULL)
			bwrap(b, "    ", "  subject ", mxt_explain_dsn_subject(subj));
		if (d != NULL) {
			char line[512];
			snprintf(line, sizeof line, "%s: %s [%s]", d->title,
			    d->meaning, d->reference);
			bwrap(b, "    ", "  detail  ", line);
		} else {
			mxt_buf_printf(b, "  detail  not registered (a vendor's own "
			    "code)\n");
		}
		if (q->code != 0 && cls != 'X' && cls != '0' + q->code / 100)
			mxt_buf_printf(b, "  note    the reply code class (%d) and the "
			    "enhanced code class (%c) disagree\n", q->code / 100,
			    cls);
	}
	enum mxt_cause lc[4];
	size_t n = mxt_explain_likely_causes(q->code,
	    q->dsn[0] ? q->dsn : NULL, lc, 4);
	if (n > 0) {
		mxt_buf_printf(b, "likely causes:");
		for (size_t i = 0; i < n; i++)
			mxt_buf_printf(b, "%s %s", i ? "," : "", mxt_cause_id(lc[i]));
		mxt_buf_printf(b, "\n");
		for (size_t i = 0; i < n; i++) {
			const char *const *st = mxt_cause_steps(lc[i],
			    MXT_DIR_OUT);
			char first[96];
			snprintf(first, sizeof first, "  %s: ",
			    mxt_cause_id(lc[i]));
			if (st[0] != NULL)
				bwrap(b, "      ", first, st[0]);
		}
		mxt_buf_printf(b, "(the reply text decides; 'mxtriage explain CAUSE' "
		    "for details)\n");
	}
	if (q->kind == MXT_EXPLAIN_TEXT) {
		mxt_buf_printf(b, "\n");
		text_cause(b, dc->cause);
	} else {
		text_decided(b, q, dc);
	}
}

static json_t *
json_steps(enum mxt_cause c, enum mxt_direction d)
{
	json_t *a = json_array();
	const char *const *st = mxt_cause_steps(c, d);
	for (size_t i = 0; st[i] != NULL; i++)
		json_array_append_new(a, json_string(st[i]));
	return a;
}

static json_t *
json_cause(enum mxt_cause c)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:b, s:{s:o, s:o}}",
	    "id", mxt_cause_id(c), "title", mxt_cause_title(c),
	    "kind", mxt_cause_kind_name(mxt_cause_kind(c)),
	    "explanation", mxt_cause_explanation(c),
	    "repeat", mxt_cause_is_repeat(c),
	    "steps", "out", json_steps(c, MXT_DIR_OUT),
	    "in", json_steps(c, MXT_DIR_IN));
}

static json_t *
json_query(const struct mxt_explain_query *q, const struct decided *dc)
{
	static const char *const kinds[MXT_EXPLAIN_COUNT] = {"reply", "dsn",
	    "reply+dsn", "cause", "text"};
	json_t *o = json_object();
	json_object_set_new(o, "kind", json_string(kinds[q->kind]));
	if (q->kind == MXT_EXPLAIN_CAUSE) {
		json_object_set_new(o, "cause", json_cause(q->cause));
		return o;
	}
	if (q->kind == MXT_EXPLAIN_TEXT) {
		json_object_set_new(o, "text", json_string_or_null(q->text));
		json_object_set_new(o, "normalised",
		    json_string_or_null(dc->norm));
	}
	json_t *dj = json_pack("{s:s}", "cause", mxt_cause_id(dc->cause));
	if (dc->rule.name != NULL) {
		json_object_set_new(dj, "rule", json_string_or_null(dc->rule.name));
		json_object_set_new(dj, "origin",
		    json_string_or_null(dc->rule.origin));
		json_object_set_new(dj, "line", json_integer(dc->rule.line));
	}
	json_object_set_new(o, "decided", dj);
	if (q->code != 0) {
		const struct mxt_reply_code_info *r = mxt_explain_reply(q->code);
		json_object_set_new(o, "code", json_pack("{s:i, s:s?, s:s?}",
		    "code", q->code, "meaning", r ? r->meaning : NULL,
		    "reference", r ? r->reference : NULL));
	}
	if (q->dsn[0] != '\0') {
		const struct mxt_dsn_info *d = mxt_explain_dsn(q->dsn);
		char cls[2] = {q->dsn[0], '\0'};
		json_object_set_new(o, "dsn", json_pack(
		    "{s:s, s:s?, s:s?, s:s?, s:s?, s:s?}",
		    "dsn", q->dsn,
		    "class", q->dsn[0] == 'X' ? NULL : cls,
		    "class_meaning", mxt_explain_dsn_class(q->dsn[0]),
		    "subject_meaning", mxt_explain_dsn_subject(atoi(q->dsn + 2)),
		    "title", d ? d->title : NULL,
		    "meaning", d ? d->meaning : NULL));
		if (d != NULL)
			json_object_set_new(json_object_get(o, "dsn"),
			    "reference", json_string(d->reference));
	}
	enum mxt_cause lc[4];
	size_t n = mxt_explain_likely_causes(q->code,
	    q->dsn[0] ? q->dsn : NULL, lc, 4);
	json_t *a = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_cause(lc[i]));
	json_object_set_new(o, "likely_causes", a);
	return o;
}

char *
mxt_explain_format(const struct mxt_explain_query *q, size_t n, bool json,
    struct mxt_classifier *given)
{
	/* The built-in classifier decides, so explain and the report read
	 * the same rules and the same code -> causes table. */
	struct mxt_classifier *c = given ? given : builtin_classifier();
	struct decided *d = xcalloc(n ? n : 1, sizeof *d);
	for (size_t i = 0; i < n; i++)
		if (q[i].kind != MXT_EXPLAIN_CAUSE)
			decide(c, &q[i], &d[i]);
	char *out; /* d[] borrows rule names from c: destroyed after */
	if (json) {
		json_t *items = json_array();
		for (size_t i = 0; i < n; i++)
			json_array_append_new(items, json_query(&q[i], &d[i]));
		json_t *root = json_pack("{s:s, s:o}", "schema",
		    "mxtriage.explain/1", "items", items);
		out = mxt_json_text(root);
	} else {
		struct mxt_buf b = {xmalloc(1024), 0, 1024};
		b.p[0] = '\0';
		for (size_t i = 0; i < n; i++) {
			if (i > 0)
				mxt_buf_printf(&b, "\n");
			text_query(&b, &q[i], &d[i]);
		}
		out = b.p;
	}
	free(d);
	if (given == NULL)
		mxt_classifier_destroy(c);
	return out;
}
