/*
 * classify.c - events -> cause: the built-in rule table, the classifier
 * object that holds the compiled rules (the user's first), the result
 * cache and the provider roll-up.
 *
 * The table below is data; mxt_classify() is a loop over it. FIRST MATCH
 * WINS inside a tier, and the tiers come in a fixed order whatever the
 * table says (enum rule_tier): the user's rules, then specific wordings,
 * then provider codes (an enhanced code range a provider defines, no
 * words: Microsoft's 4.7.500-699), then the broad word families (RULE_BROAD:
 * "denied", "try again later"), then the enhanced-code and reply-code
 * fallbacks, which are not in this table but built from explain.c's
 * code -> causes table, so `explain` and the classifier read one table.
 * Inside the wordings the order is the design:
 *
 *   1. consequences of earlier failures (suspended, expired): their text
 *      embeds the original reason, which must not be counted again;
 *   2. greylisting, before anything that "try again later" or "SPF" in a
 *      greylisting reply would otherwise match;
 *   3. provider wordings (Google, Microsoft, Yahoo, Apple, GMX, Orange,
 *      Comcast, Mimecast, Proofpoint, Cisco, NetEase): their codes say
 *      what the bare enhanced code does not (Yahoo's 4.7.0 [TSS04] is
 *      throttling, not a security refusal);
 *   4. texts of the MTAs themselves (Postfix and Exim: loops, DNS
 *      failures, connection failures, TLS, SMTP AUTH);
 *   5. common reply wordings, most specific first.
 *
 * What rules see: not the text as logged but its normalised form
 * (mxt_classify_normalise: addresses, host names, IPs, URLs, long numbers
 * and ids masked), so a word inside an address or a domain decides
 * nothing. A rule that needs a host name or URL (a blocklist's lookup
 * page) says RULE_RAW and looks at the text as logged.
 *
 * Every built-in wording and provider-code rule has at least one real
 * reply text in testdata/classify/ that it decides; classify_test fails
 * otherwise. The fallbacks are checked against every RFC 3463 code
 * instead.
 *
 * The index: for each direction and reply code class, the rules that can
 * hold (most never get to their text tests); the contains literals of
 * all rules are found in one pass over the text (the prefilter), so a
 * rule whose literals are absent costs one bit test.
 *
 * The cache: reply texts repeat (the same deferral for every queued
 * message), so results are remembered in a direct-mapped table keyed by a
 * hash of (direction, code, dsn, flags, normalised text), with the key
 * stored to rule out collisions. The normalised text is the key, so the
 * texts of one deferral that differ only in the recipient address, the
 * client IP or a session id are one entry. A slot is simply overwritten
 * on conflict: bounded memory, no eviction bookkeeping, and the hot
 * entries win back their slots. Everything is per classifier: one per
 * pass or thread, no shared mutable state.
 */
#include "classify_internal.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#define A (-1)
#define IN MXT_DIR_IN
#define OUT MXT_DIR_OUT

/* {line, name, cause, direction, code, dsn, contains, pattern, flags} */
const struct rule_def mxt_builtin_rules[] = {
	/* 1. Consequences of an earlier failure. */
	/* Only outbound, and only where the MTA itself starts the text with
	 * them: a remote reply or a client's address holding these words
	 * must never turn a line into a repeat (issue 9). */
	{__LINE__, "postfix-suspended", MXT_CAUSE_SUSPENDED, OUT, NULL, NULL,
	    "delivery temporarily suspended",
	    "^delivery temporarily suspended:", 0},
	{__LINE__, "exim-retry-timeout", MXT_CAUSE_EXPIRED, OUT, NULL, NULL,
	    "retry timeout exceeded|have been failing for a long time",
	    "^(?:retry timeout exceeded|all hosts for '[^']*' have been "
	    "failing for a long time)", 0},
	{__LINE__, "exim-retry-not-reached", MXT_CAUSE_SUSPENDED, OUT, NULL, NULL,
	    "retry time not", "^retry time not (?:yet )?reached", 0},
	/* Exim held the message for a later queue run by configuration
	 * (queue_smtp_domains, -odqs, control=queue): nothing was tried, so
	 * like a cached repeat it is no fresh failure. */
	{__LINE__, "exim-queued-only", MXT_CAUSE_SUSPENDED, OUT, NULL, NULL,
	    "queue_smtp_domains|smtp delivery explicitly queued", NULL, 0},
	/* A router or ACL of ours said :defer: (local policy). */
	{__LINE__, "exim-forced-defer", MXT_CAUSE_POLICY, A, NULL, NULL,
	    "forced defer|forced to defer|forcibly deferred",
	    "^(?:forced defer|forced to defer|forcibly deferred)|"
	    "has been forced to defer", 0},

	/* 2. Greylisting. */
	{__LINE__, "greylisting", MXT_CAUSE_GREYLISTING, A, NULL, NULL,
	    "greylist|graylist|grey-list|grey list", NULL, 0},
	{__LINE__, "rspamd-greylisting", MXT_CAUSE_GREYLISTING, A, NULL, NULL,
	    "try again later",
	    "^\\s*(?:4\\d\\d[ -])?4\\.7\\.1\\s+try again later\\.?\\s*$", 0},
	{__LINE__, "mimecast-greylisting", MXT_CAUSE_GREYLISTING, A, NULL, NULL,
	    "internal resource temporarily unavailable", NULL, 0},
	{__LINE__, "yahoo-greylisting", MXT_CAUSE_GREYLISTING, A, NULL, NULL,
	    "[gl01]", NULL, 0},

	/* 3. Provider wordings. Google (Gmail, Workspace): */
	/* "rate limited because it is unauthenticated", "... because SPF
	 * authentication didn't pass": the throttle is what happens, the
	 * sentence is about the sender's authentication (or the client's
	 * PTR record); decided before the rate words below. */
	{__LINE__, "auth-throttle", MXT_CAUSE_SENDER_AUTH, A, NULL, NULL, NULL,
	    "(?:rate limited|blocked) because (?:it is |the sender is )?"
	    "unauthenticated|because (?:spf|dkim|dmarc) (?:authentication )?"
	    "(?:didn't|did not|does not) pass|isn't aligned with (?:either )?"
	    "the authenticated|spf record of the sending domain", 0},
	{__LINE__, "ptr-throttle", MXT_CAUSE_CLIENT_HOSTNAME, A, NULL, NULL,
	    "ptr record", "(?:does not|doesn't) have a ptr record|"
	    "ptr record's forward dns", 0},
	{__LINE__, "google-unusual-rate", MXT_CAUSE_RATE_LIMIT, A, NULL, NULL,
	    "unusual rate of", NULL, 0},
	{__LINE__, "google-receiving-rate", MXT_CAUSE_RATE_LIMIT, A, NULL, NULL,
	    "receiving mail at a rate|receiving mail too quickly", NULL, 0},
	{__LINE__, "google-sending-quota", MXT_CAUSE_RATE_LIMIT, A, NULL, NULL,
	    "sending quota exceeded|sending limit exceeded", NULL, 0},
	{__LINE__, "google-low-reputation", MXT_CAUSE_BLOCKLIST, A, NULL, NULL,
	    "low reputation of the sending", NULL, 0},
	{__LINE__, "google-unsolicited", MXT_CAUSE_CONTENT, A, NULL, NULL,
	    "likely unsolicited mail", NULL, 0},
	{__LINE__, "google-ip-not-authorized", MXT_CAUSE_BLOCKLIST, A, NULL, NULL,
	    "not authorized to send email directly to our servers", NULL, 0},
	{__LINE__, "google-unauthenticated", MXT_CAUSE_SENDER_AUTH, A, NULL, NULL,
	    "does not have authentication information|"
	    "pass authentication checks|sender is unauthenticated|"
	    "pass spf or dkim", NULL, 0},
	{__LINE__, "google-policy-prohibited", MXT_CAUSE_POLICY, A, NULL, NULL,
	    "has a policy that",
	    "has a policy that (?:\\d{3}[ -]\\d\\.\\d\\.\\d+ )?prohibited", 0},
	{__LINE__, "google-account-disabled", MXT_CAUSE_UNKNOWN_USER, A, NULL, NULL,
	    "account that you tried to reach is disabled|"
	    "account that you tried to reach is inactive", NULL, 0},
	/* Microsoft (Outlook.com, Exchange Online Protection): */
	{__LINE__, "microsoft-block-list", MXT_CAUSE_BLOCKLIST, A, NULL, NULL, NULL,
	    "\\bS31[45]0\\b|part of their network is on our block list", 0},
	{__LINE__, "microsoft-banned-sender", MXT_CAUSE_BLOCKLIST, A, NULL, NULL,
	    "banned sending ip|banned sender", NULL, 0},
	{__LINE__, "microsoft-ip-reputation", MXT_CAUSE_RATE_LIMIT, A, NULL, NULL,
	    "rate limited due to ip reputation|temporarily rate limited", NULL, 0},
	/* 4.7.500-699: EOP throttling a sender ("Server busy", "Access
	 * denied, please try again later"), not an overloaded server. */
	{__LINE__, "microsoft-throttling", MXT_CAUSE_RATE_LIMIT, A, NULL, "4.7.500-699",
	    NULL, NULL, 0},
	{__LINE__, "microsoft-banned-ip-dsn", MXT_CAUSE_BLOCKLIST, A, NULL,
	    "5.7.606-649", NULL, NULL, 0},
	{__LINE__, "microsoft-dbeb", MXT_CAUSE_UNKNOWN_USER, A, NULL, NULL,
	    "as(201806281)", NULL, RULE_RAW},
	/* Directory-based edge blocking: 5.4.1 "Recipient address rejected:
	 * Access denied" is EOP's answer for an address the tenant does not
	 * have (Microsoft Learn, "Fix NDR error 550 5.4.1"). */
	{__LINE__, "microsoft-dbeb-access-denied", MXT_CAUSE_UNKNOWN_USER, A,
	    NULL, "5.4.1", "recipient address rejected: access denied", NULL,
	    0},
	{__LINE__, "microsoft-recipient-not-found", MXT_CAUSE_UNKNOWN_USER, A, NULL,
	    NULL, "recipnotfound|recipientnotfound|"
	    "recipient not found by smtp address lookup", NULL, 0},
	{__LINE__, "outlook-rate", MXT_CAUSE_RATE_LIMIT, A, NULL, NULL, "rp-00",
	    "\\bRP-00[1-3]\\b", 0},
	{__LINE__, "outlook-reputation", MXT_CAUSE_BLOCKLIST, A, NULL, NULL,
	    "sc-00|ou-00|dy-00", "\\b(?:SC|OU|DY)-00[1-4]\\b", 0},
	/* Yahoo and AOL: */
	{__LINE__, "yahoo-deferred", MXT_CAUSE_RATE_LIMIT, A, NULL, NULL, "ts0|tss",
	    "\\b(?:TS01|TS02|TSS02|TSS04|TSS05|TSS11)\\b", 0},
	{__LINE__, "yahoo-permanently-deferred", MXT_CAUSE_BLOCKLIST, A, NULL, NULL,
	    NULL, "\\b(?:TS03|TS06|TSS07|TSS09)\\b|permanently deferred", 0},
	{__LINE__, "yahoo-excessive-unknown", MXT_CAUSE_RATE_LIMIT, A, NULL, NULL,
	    "excessive unknown recipients", NULL, 0},
	{__LINE__, "yahoo-blocklisted", MXT_CAUSE_BLOCKLIST, A, NULL, NULL, "[bl",
	    "\\[BL2\\d\\]", 0},
	{__LINE__, "yahoo-phishing", MXT_CAUSE_CONTENT, A, NULL, NULL, "[ph01]", NULL, 0},
	{__LINE__, "yahoo-policy", MXT_CAUSE_POLICY, A, NULL, NULL,
	    "message not accepted for policy reasons", NULL, 0},
	/* Apple iCloud (filtering by Cloudmark/Proofpoint): */
	{__LINE__, "apple-reputation", MXT_CAUSE_BLOCKLIST, A, NULL, NULL, "[cs0",
	    "\\[CS0\\d\\]", 0},
	{__LINE__, "apple-content", MXT_CAUSE_CONTENT, A, NULL, NULL, "[hm0",
	    "\\[HM0\\d\\]", 0},
	{__LINE__, "apple-volume", MXT_CAUSE_RATE_LIMIT, A, NULL, NULL,
	    "deferred due to excessive volume", NULL, 0},
	/* GMX and WEB.DE (United Internet): */
	{__LINE__, "gmx-blocklisted", MXT_CAUSE_BLOCKLIST, A, NULL, NULL,
	    "ip address is block listed|ip address is black listed", NULL, 0},
	{__LINE__, "gmx-policy", MXT_CAUSE_POLICY, A, NULL, NULL,
	    "reject due to policy restrictions", NULL, 0},
	/* Orange (OFR codes): */
	{__LINE__, "orange-connections", MXT_CAUSE_RATE_LIMIT, A, NULL, NULL, NULL,
	    "OFR004_104|trop de connexions", 0},
	{__LINE__, "orange-service-refused", MXT_CAUSE_RATE_LIMIT, A, NULL, NULL, NULL,
	    "OFR(?:004_105|_10[5-9]|_999)|service refus", 0},
	{__LINE__, "orange-rejected", MXT_CAUSE_BLOCKLIST, A, NULL, NULL, "ofr",
	    "OFR_?5\\d\\d|mail rejet", 0},
	/* Comcast (postmaster.comcast.net codes): */
	{__LINE__, "comcast-blocked", MXT_CAUSE_BLOCKLIST, A, NULL, NULL,
	    /* the code is the anchor of the URL Comcast gives */
	    "#bl000000|#bl000001|#bl000010|#bl000011|#bl000100|#bl000101|"
	    "#bl000110|#bl000111|#es000001|#es000010", NULL, RULE_RAW},
	{__LINE__, "comcast-rate", MXT_CAUSE_RATE_LIMIT, A, NULL, NULL, NULL,
	    "\\bRL0{3}\\d{3}\\b|\\bRL00\\d\\b|too many sessions opened", 0},
	/* Security gateways: */
	{__LINE__, "mimecast-anti-spoofing", MXT_CAUSE_SENDER_AUTH, A, NULL, NULL,
	    "anti-spoofing", NULL, 0},
	{__LINE__, "mimecast-envelope-blocked", MXT_CAUSE_POLICY, A, NULL, NULL,
	    "envelope blocked", NULL, 0},
	/* "email rejected due to security policies - MCSpamSignature": the
	 * signature names what was found (Mimecast SMTP error codes). */
	{__LINE__, "mimecast-spam-signature", MXT_CAUSE_CONTENT, A, NULL, NULL,
	    "spamsignature", NULL, 0},
	{__LINE__, "mimecast-busy", MXT_CAUSE_SERVER_BUSY, A, NULL, NULL,
	    "unable to process connection at this time", NULL, 0},
	{__LINE__, "proofpoint-blocked", MXT_CAUSE_BLOCKLIST, A, NULL, NULL,
	    "ipcheck.proofpoint.com|proofpoint.com/dnsbl-lookup", NULL,
	    RULE_RAW},
	{__LINE__, "cisco-senderbase", MXT_CAUSE_BLOCKLIST, A, NULL, NULL,
	    "senderbase|your access to submit messages to this e-mail system "
	    "has been rejected", NULL, 0},
	{__LINE__, "netease-spam", MXT_CAUSE_CONTENT, A, NULL, NULL, "dt:spm", NULL, 0},

	/* 4. The MTAs' own texts. Local configuration and delivery errors
	 * first: no remote said anything, and their words ("Permission
	 * denied", "cannot use ... in ACL") must not look like a policy. */
	{__LINE__, "mta-config-error", MXT_CAUSE_OTHER, A, "none", NULL,
	    "permission denied|failed to expand|expansion of|"
	    "error in filter file|error in redirect data|is not absolute|"
	    "tainted|transport filter|_transport unset|no command specified|"
	    "never_users|cannot test|cannot use|acl error|unknown acl|"
	    "invalid \"condition\"|filter autoreply|child process of|"
	    "unable to execute|failed to open|failed to lock mailbox", NULL, 0},
	{__LINE__, "mail-loop", MXT_CAUSE_ROUTING, A, NULL, NULL,
	    "mail forwarding loop|loops back to myself|too many hops|"
	    "hop count exceeded|routing loop|mail loop|"
	    "too many \"received\" headers", NULL, 0},
	{__LINE__, "mx-is-local", MXT_CAUSE_ROUTING, A, NULL, NULL,
	    "points to local host|remote host address is the local host|"
	    " to be local", NULL, 0},
	/* The MTA failed to look up a host that is not the recipient
	 * domain (nexthop_facts): a next hop of ours (Postfix relayhost or
	 * transport nexthop, Exim manualroute host) or an MX host of the
	 * recipient domain. Either way the mail could not be routed; the
	 * recipient domain is not shown not to exist, so never bad_domain,
	 * and a DNS outage of our smarthost is not the recipient's. */
	{__LINE__, "lookup-not-recipient-domain", MXT_CAUSE_ROUTING, OUT, NULL,
	    NULL, "name service error|host not found|failed to lookup ip "
	    "address|host lookup for", NULL, RULE_NEEDS_OTHER_NAME},
	{__LINE__, "postfix-dns-tempfail", MXT_CAUSE_DNS, A, NULL, NULL, "try again",
	    "name service error .*try again|host not found, try again", 0},
	{__LINE__, "postfix-domain-not-found", MXT_CAUSE_BAD_DOMAIN, A, NULL, NULL,
	    "host or domain name not found", NULL, 0},
	{__LINE__, "null-mx", MXT_CAUSE_BAD_DOMAIN, A, NULL, NULL,
	    "(nullmx)|does not accept mail (null mx)|returned null mx|"
	    "doesn't receive email according to the administrator", NULL, 0},
	{__LINE__, "exim-unrouteable-domain", MXT_CAUSE_BAD_DOMAIN, A, NULL, NULL,
	    "unrouteable mail domain", NULL, 0},
	{__LINE__, "tls", MXT_CAUSE_TLS, A, NULL, NULL, NULL,
	    "\\btls\\b|starttls|ssl_connect|certificate (?:not verified|"
	    "verification|revoked|invalid|status)|encryption required|"
	    "must encrypt|unacceptable cipher|\\bdane\\b|\\btlsa\\b|"
	    "(?:tls|ssl) handshake|handshake (?:fail|error|timed? ?out)", 0},
	{__LINE__, "dns-lookup", MXT_CAUSE_DNS, A, NULL, NULL,
	    "lookup did not complete|dns timeout|failed to lookup ip address|"
	    "malformed dns server reply|unable to look up|unable to lookup|"
	    "malformed or unexpected name server reply|dns lookup fail|"
	    "temporary failure in name resolution|servfail|"
	    "lookup of host|dns query failed|"
	    "all relevant mx records point to non-existent hosts", NULL, 0},
	{__LINE__, "connection", MXT_CAUSE_CONNECTION, A, NULL, NULL, NULL,
	    "connection refused(?![,.;] +\\S)|connection (?:timed out|reset)|"
	    "no route to host|"
	    "network (?:is )?unreachable|lost connection with|"
	    "conversation with .* timed out|"
	    "remote host (?:\\S+ (?:\\[[^]]*\\] )?)?closed connection|"
	    "(?:smtp|lmtp) timeout after|netwk addr not available|"
	    "broken pipe|malformed smtp reply", 0},
	{__LINE__, "network-error", MXT_CAUSE_CONNECTION, A, NULL, NULL,
	    "network error|operation timed out|connection expired", NULL, 0},
	/* Our server refused a client that talked before its turn. */
	{__LINE__, "smtp-synchronization", MXT_CAUSE_POLICY, IN, NULL, NULL,
	    "synchronization error", NULL, 0},
	{__LINE__, "unroutable", MXT_CAUSE_ROUTING, A, NULL, NULL, NULL,
	    "can'?t route|cannot route|unable to route|no route to (?!host)", 0},
	{__LINE__, "smtp-auth", MXT_CAUSE_AUTH, A, NULL, NULL, NULL,
	    "authentication (?:failed|failure|required|credentials invalid|"
	    "unsuccessful|attempt\\(s\\) failed)|smtp auth is required|"
	    "\\bauth(?:entication)? required|not authenticated|"
	    "invalid login|username and password not accepted|"
	    "did not advertise auth|must authenticate|"
	    "authenticator failed|too many login attempts|"
	    "application-specific password required|log in with your web "
	    "browser|cannot authenticate|authentication not allowed|"
	    "turn on smtp auth", 0},

	/* 5. Common reply wordings, specific before broad. */
	/* Exim's "rejected RCPT <a@b>" with no text: an ACL deny of ours
	 * without a message. */
	{__LINE__, "acl-deny-without-message", MXT_CAUSE_POLICY, IN, NULL, NULL, NULL,
	    "^\\s*$", 0},
	/* The client's IP blocked: "This IP has been temporarily blocked for
	 * attempting to send too many messages containing content judged to
	 * be spam", "Client host blocked for spamming issues". The reason
	 * given (spam, volume, invalid recipients) is why the IP was
	 * blocked; the failure is the block. Before rate, spam and user
	 * words. */
	{__LINE__, "client-ip-blocked", MXT_CAUSE_BLOCKLIST, A, NULL, NULL, NULL,
	    "(?:this|the|your|sending) ip (?:address )?(?:has been|is|was) "
	    "(?:temporarily |permanently )?blocked|client host blocked|"
	    "adresse ip source bloquee|ip (?:address )?is listed on", 0},
	/* The message itself breaks the format rules (RFC 5322 headers):
	 * a header named in the text (From:, DKIM-Signature) says nothing
	 * about authentication. */
	{__LINE__, "message-format", MXT_CAUSE_CONTENT, A, NULL, NULL, NULL,
	    "missing a valid (?:address in the from|message-id)|duplicate "
	    "headers?\\b|multiple (?:\\d{3}[ -]\\d\\.\\d\\.\\d+ )?"
	    "addresses in from|not rfc ?5322 compliant|headers are not rfc "
	    "compliant|message is malformed|character in a disallowed header|"
	    "encoded-word syntax is not permitted|improper use of 8-bit", 0},
	/* A spam verdict on the message, whatever advice follows ("Set up
	 * SPF records ..."). */
	{__LINE__, "spam-verdict", MXT_CAUSE_CONTENT, A, NULL, NULL, NULL,
	    "(?:rejected|refused|blocked) (?:due to|because of|as) (?:suspected "
	    ")?spam\\b|spam classification|judged to be spam|(?:scored|"
	    "classified|detected|identified) as spam", 0},
	{__LINE__, "server-ports-busy", MXT_CAUSE_SERVER_BUSY, A, NULL, NULL,
	    "ports busy|ports are busy", NULL, 0},
	{__LINE__, "security-policy", MXT_CAUSE_POLICY, A, NULL, NULL, NULL,
	    "security polic(?:y|ies)", 0},
	{__LINE__, "mailbox-full", MXT_CAUSE_MAILBOX_FULL, A, NULL, NULL, NULL,
	    "mailbox (?:is )?full|over[ -]?quota|quota (?:exceeded|exceeds|"
	    "full|verification failure)|exceeded storage allocation|"
	    "out of storage space|mailbox size limit|inbox is full|"
	    "disk quota|mailbox (?:has )?exceeded|boite du destinataire pleine",
	    0},
	{__LINE__, "message-size", MXT_CAUSE_MESSAGE_SIZE, A, NULL, NULL, NULL,
	    "message (?:is )?too (?:big|large)|size (?:exceeds|limit)|"
	    "exceeds? (?:the )?(?:fixed )?(?:maximum )?(?:message )?size|"
	    "message length exceeds|size value too big|too big for", 0},
	{__LINE__, "rate-limit", MXT_CAUSE_RATE_LIMIT, A, NULL, NULL, NULL,
	    "rate ?limit|rate-limit|too many (?:connections|concurrent|"
	    "sessions|messages|mails|e-?mails|recipients|simultaneous)|"
	    "exceeded the maximum number of|throttl|unexpected volume|"
	    "frequency limit|max(?:imum)? (?:number of )?messages? per "
	    "(?:session|connection)|exceeded its quota for sending|"
	    "submission rate|exceeded the configured limit|"
	    "(?:sending|outbound|hourly|daily) (?:message )?quota|"
	    "sending too fast|too quickly|concurrency limit|connection limit|"
	    "limit exceeded|try again in \\d+ ?min", 0},
	{__LINE__, "blocklist", MXT_CAUSE_BLOCKLIST, A, NULL, NULL, NULL,
	    "blocked using|\\brbl\\b|dnsbl|dnslist|black ?list|block ?list|"
	    "listed (?:at|in|on|by)\\b|spamhaus|spamcop|sorbs\\.net|"
	    "barracudacentral|barracuda reputation|reputation|"
	    "\\bblocked - see\\b", 0},
	/* A blocklist's lookup page is the whole reply ("553 http://www.
	 * spamhaus.org/query/bl?ip=..."): the host of the URL says it. */
	{__LINE__, "blocklist-url", MXT_CAUSE_BLOCKLIST, A, NULL, NULL,
	    "spamhaus.org/|spamcop.net/|sorbs.net/|barracudacentral.org/",
	    NULL, RULE_RAW},
	{__LINE__, "relay-denied", MXT_CAUSE_RELAY_DENIED, A, NULL, NULL, NULL,
	    "relay(?:ing)? (?:access )?(?:is )?(?:denied|not permitted|"
	    "not allowed|prohibited)|not permitted to relay|unable to relay|"
	    "(?:do|will) not relay|open relay|not configured to relay|"
	    "invalid credentials for relay", 0},
	{__LINE__, "client-hostname", MXT_CAUSE_CLIENT_HOSTNAME, A, NULL, NULL, NULL,
	    "cannot find your (?:reverse )?hostname|reverse (?:dns|hostname|"
	    "lookup)|\\bptr\\b|\\brdns\\b|helo command rejected: (?:host not "
	    "found|need fully-qualified ?hostname|invalid name)|"
	    "syntactically invalid argument|helo/ehlo argument is invalid|"
	    "ip name lookup failed|mismatches client ip", 0},
	{__LINE__, "sender-auth", MXT_CAUSE_SENDER_AUTH, A, NULL, NULL, NULL,
	    "\\bspf\\b|\\bdkim\\b|\\bdmarc\\b|designated mail ?server|"
	    "not allowed to send mail from|unauthenticated|domainkeys", 0},
	{__LINE__, "sender-rejected", MXT_CAUSE_SENDER_REJECTED, A, NULL, NULL, NULL,
	    "sender address rejected|sender verif|"
	    "don'?t like (?:that )?sender|sender (?:address |domain )?"
	    "(?:is )?(?:rejected|refused|denied|blocked|not allowed)|"
	    "unacceptable mail-from|domain of sender address|"
	    "need fully-qualified address|no valid sender|"
	    "sender address has null mx|\\bbad sender|invalid sender|"
	    "sender account (?:is )?(?:disabled|not registered)|"
	    "unresolvable (?:rfc.?5321 )?from domain|from:? domain is invalid", 0},
	{__LINE__, "bad-domain", MXT_CAUSE_BAD_DOMAIN, A, NULL, NULL, NULL,
	    "domain not found|domain (?:does not|doesn't) exist|"
	    "no such domain|unrouteable domain|\\bnxdomain\\b|"
	    "unknown domain|missing mx|invalid (?:recipient )?domain|"
	    "had no relevant answers|domain is not reachable|"
	    "(?<!client )\\bhost unknown", 0},
	/* RFC 5321's own wording for 550; receivers use it for
	 * addresses they do not have. */
	{__LINE__, "mailbox-unavailable", MXT_CAUSE_UNKNOWN_USER, A, "55x", NULL,
	    "mailbox unavailable|mailbox not found", NULL, 0},
	/* Exim says "Unrouteable address" both for a local part no router
	 * accepts and for a remote domain that does not resolve. Unknown
	 * local users are normally refused at RCPT time (in); on a delivery
	 * attempt (out) the domain is the usual reason, which the MTA lab
	 * shows for an NXDOMAIN domain. */
	{__LINE__, "exim-unrouteable-out", MXT_CAUSE_BAD_DOMAIN, OUT, NULL, NULL,
	    "unrouteable address", "^unrouteable address$", 0},
	{__LINE__, "unknown-user", MXT_CAUSE_UNKNOWN_USER, A, NULL, NULL, NULL,
	    "account has been disabled or discontinued|"
	    "user unknown|unknown user|no such (?:user|person|recipient|"
	    "mailbox|address)|(?:user|mailbox|address|account|recipient|"
	    "email account) (?:that you tried to reach )?(?:does not|"
	    "doesn't|did not) exist|doesn'?t have an? \\S+ account|"
	    "(?:invalid|unknown|bad) (?:recipient|mailbox|user)|"
	    "recipient (?:address )?(?:unknown|not found)|address unknown|"
	    "unrouteable address|undeliverable address|"
	    "previous \\(cached\\) callout verification failure|"
	    "recipient (?:account|mailbox) (?:is )?(?:unavailable|disabled|"
	    "inactive|blocked|frozen|suspended)|mailbox (?:is )?(?:not found|"
	    "disabled|inactive|frozen|suspended)|(?<!sender )account (?:is )?"
	    "(?:disabled|inactive)|disabled (?:recipient|mailbox|account)|"
	    "(?:user|mailbox|recipient) not (?:exist|found)|is no longer "
	    "valid|not our (?:customer|user)|no mailbox|"
	    "this one is unknown|no such recipient|recipient refused", 0},
	{__LINE__, "content", MXT_CAUSE_CONTENT, A, NULL, NULL, NULL,
	    "\\bspam\\b|virus|malware|infected|content (?:rejected|"
	    "filter|policy|restrictions)|content rejected|"
	    "message (?:content )?(?:rejected|refused) (?:as|due to|because)|"
	    "\\bhits=|\\bscore=|looks like spam|suspicious|phish|"
	    "rejected by local_scan\\(\\): rejected|bcc recipient detected|"
	    "body contains|banned (?:attachment|file)|its content presents|"
	    "illegal attachment|message filtered|"
	    "junk ?mail|spamassassin|amavis|missing or malformed|malformed address|"
	    "unqualified address not permitted|missing at end of address", 0},
	{__LINE__, "service-unavailable-temp", MXT_CAUSE_SERVER_BUSY, A, "4xx", NULL,
	    NULL, "service (?:is )?(?:temporarily |currently )?"
	    "(?:not available|unavailable)", RULE_BROAD},
	{__LINE__, "policy", MXT_CAUSE_POLICY, A, NULL, NULL, NULL,
	    "polic(?:y|ies)|administrative prohibition|not authori[sz]ed|"
	    "access denied|prohibited|not allowed|\\bdenied\\b|"
	    "command rejected|service (?:is )?(?:not available|unavailable)|"
	    "\\bforbidden\\b|\\bblocked\\b|\\bbanned\\b|\\bdeny\\b|go away|"
	    "(?:not|isn'?t) wanted|closed mailing list|don'?t like|"
	    "do not like you|dislike|recipient preferences", RULE_BROAD},
	{__LINE__, "server-busy", MXT_CAUSE_SERVER_BUSY, A, NULL, NULL, NULL,
	    "try (?:again )?later|please try again|temporar(?:il)?y "
	    "(?:unavailable|rejected|deferred|failure|not available)|"
	    "temporary (?:local |system )?(?:problem|error|failure)|"
	    "local error|(?:server|system) (?:is )?(?:busy|overloaded)|"
	    "too busy|i'?m busy|insufficient (?:system )?(?:storage|"
	    "resources)|out of memory|not right now|not just (?:now|yet)|"
	    "temp(?:orary)? ?error|\\btemp problem", RULE_BROAD},

	/* 6. and 7.: the enhanced status code and reply code fallbacks are
	 * not here: they are built from explain.c's code -> causes table
	 * (add_fallbacks), the one explain shows. */
};

const size_t mxt_builtin_rule_count =
    sizeof mxt_builtin_rules / sizeof mxt_builtin_rules[0];

/* XXH3 (Debian's libxxhash-dev, inlined from its header, as strmap.c):
 * the raw memo below hashes every failure's text as logged, the cache
 * each new text's normalised key (FNV-1a there, a byte per multiply,
 * took 12 M of the 704 M instructions of the Exim report on 30 MB of
 * its bench log). Included
 * here, not at the top, so the rule rows keep their __LINE__ (origins). */
#define XXH_INLINE_ALL
#include <xxhash.h>

/* "No rule decided": an index no rule set can reach. */
#define NO_RULE SIZE_MAX

struct cache_slot {
	uint64_t hash;
	char *key; /* dir, code, dsn, flags, normalised text; NULL = empty */
	size_t klen;
	enum mxt_cause cause;
	/* index into rules, NO_RULE when none matched: a size_t like the
	 * rule count itself, so no number of rules can make it name
	 * another rule */
	size_t rule;
	/* a new number each time the slot takes another key (0 = never):
	 * the raw memo's way to tell the slot still holds its key */
	uint64_t gen;
};

/*
 * The raw memo, in front of the cache: a direct-mapped table keyed by
 * (direction, code, dsn, flags, the text as logged) that names the cache
 * slot the normalised key went to and that slot's gen then. A text seen
 * before (the same deferral from the same MX host) finds its slot without
 * normalising, lower-casing or running the raw rules, which took most of
 * a lookup's time; the answer is the cache's own, taken only when the
 * slot still holds that key, so hits, misses and entries are the ones the
 * cache alone gives. Same bounds as the cache: overwritten on conflict.
 */
struct memo_slot {
	uint64_t hash;
	char *key; /* dir, code, dsn, flags, text as logged; NULL = empty */
	size_t klen;
	size_t slot; /* index into the cache */
	uint64_t gen; /* the cache slot's gen when it took this key */
};

/*
 * The literal prefilter: every contains literal of the non-raw rules,
 * found in one pass over the normalised text. Literals are bucketed by a
 * hash of their first two bytes (one-byte literals by their byte); at
 * each position of the text only the bucket of the two bytes there is
 * compared. A rule with contains literals is tried only when one of them
 * was seen, so most rules cost one bit test.
 */
#define LIT_BUCKETS 4096

struct litset {
	char **lit;      /* borrowed from the rules */
	size_t *len;
	uint32_t *next;  /* chain within a bucket, UINT32_MAX ends */
	uint32_t head[LIT_BUCKETS];
	uint32_t head1[256]; /* one-byte literals */
	bool first[256]; /* some literal starts with this byte */
	size_t n, cap;
	uint64_t *hit;   /* bitset, one bit per literal, set per text */
};

static unsigned
bigram(unsigned char a, unsigned char b)
{
	return ((unsigned)a * 131u + b) & (LIT_BUCKETS - 1);
}

/* Direction x reply-code class: the lists of rules that can hold for an
 * event of that kind (the index: most rules never reach their tests). */
#define CLASS_SLOTS 7 /* no code, 1xx..5xx, other */

static int
code_slot(int code)
{
	if (code == 0)
		return 0;
	if (code >= 100 && code <= 599)
		return code / 100;
	return 6;
}

struct rule_list {
	uint32_t *v;
	size_t n;
};

struct mxt_classifier {
	struct rule_set rules; /* user rules, then built-in, by tier */
	struct provider_set providers;
	char *origin; /* the rules file's path, or NULL */
	pcre2_match_context *mctx;
	pcre2_jit_stack *jit_stack;
	void (*on_warning)(void *arg, const struct mxt_error *e);
	void *warning_arg;
	char *norm;   /* scratch: normalised text */
	char *lower;  /* scratch: lower-cased text as logged */
	char *keybuf; /* scratch: cache key */
	struct cache_slot *cache;
	uint64_t gen; /* the last cache_slot.gen given */
	char *memokey; /* scratch: memo key */
	struct memo_slot *memo;
	size_t cache_bytes, memo_bytes; /* of the keys held (CACHE_KEY_BYTES) */
	struct mxt_classify_stats stats;
	struct litset lits;
	struct litset rawlits; /* the raw rules' literals, the same way */
	struct rule_list index[MXT_DIR_COUNT][CLASS_SLOTS];
	/* the raw rules (at most 64): their verdicts are part of the key */
	uint32_t raw_rule[64];
	size_t nraw;
	struct provider_index *pindex;
};

/* Texts longer than this are classified but not cached. */
#define CACHE_KEY_MAX 2048
#define KEY_HEAD 96
/* The bytes of keys the cache, and the raw memo, may hold each. Their
 * slots bound the number of keys (MXT_CLASSIFY_CACHE), not the bytes: up
 * to 8192 keys of 2 KiB each were 17 MiB a table and thread on a log of
 * long, distinct replies. Reply texts are mostly under 400 bytes, 8192 of
 * them some 1.5 MiB: an ordinary log never reaches this, and past it a
 * new text is classified without being kept (the answer is the same). */
#define CACHE_KEY_BYTES (4u << 20)

/* ---- normalisation --------------------------------------------------- */

/*
 * Character classes of the normaliser, one table lookup each: it looks at
 * every byte of every failure's text (several times at the start of a
 * word), and with the chains of comparisons and the strchr(3) these
 * replace it took a tenth of the report's instructions. ASCII only: a byte
 * >= 0x80 is in no class.
 *   CC_ALNUM  [A-Za-z0-9]
 *   CC_HEX    [0-9A-Fa-f]
 *   CC_LOCAL  an address's local part: RFC 5322 atext and '.'
 *   CC_HOST   a host name: alnum, '-', '.', '_'
 *   CC_WORD   continues a word, so the next byte starts nothing: alnum,
 *             '_', '.', '-', '@', '+', '%'
 *   CC_DIGIT  [0-9]
 *   CC_UPPER  [A-Z], whose lower case is the byte + CC_UPPER
 */
enum {
	CC_ALNUM = 1,
	CC_HEX = 2,
	CC_LOCAL = 4,
	CC_HOST = 8,
	CC_WORD = 16,
	CC_UPPER = 32,
	CC_DIGIT = 64,
};
#define CC_LETTER (CC_ALNUM | CC_LOCAL | CC_HOST | CC_WORD)
#define CC_HEXDIGIT (CC_LETTER | CC_HEX)
#define CC_DIGITS (CC_HEXDIGIT | CC_DIGIT)
#define CC_UPHEX (CC_HEXDIGIT | CC_UPPER)
#define CC_UPLETTER (CC_LETTER | CC_UPPER)

static const unsigned char cclass[256] = {
	['0'] = CC_DIGITS, ['1'] = CC_DIGITS, ['2'] = CC_DIGITS,
	['3'] = CC_DIGITS, ['4'] = CC_DIGITS, ['5'] = CC_DIGITS,
	['6'] = CC_DIGITS, ['7'] = CC_DIGITS, ['8'] = CC_DIGITS,
	['9'] = CC_DIGITS,
	['a'] = CC_HEXDIGIT, ['b'] = CC_HEXDIGIT, ['c'] = CC_HEXDIGIT,
	['d'] = CC_HEXDIGIT, ['e'] = CC_HEXDIGIT, ['f'] = CC_HEXDIGIT,
	['A'] = CC_UPHEX, ['B'] = CC_UPHEX, ['C'] = CC_UPHEX,
	['D'] = CC_UPHEX, ['E'] = CC_UPHEX, ['F'] = CC_UPHEX,
	['g'] = CC_LETTER, ['h'] = CC_LETTER, ['i'] = CC_LETTER,
	['j'] = CC_LETTER, ['k'] = CC_LETTER, ['l'] = CC_LETTER,
	['m'] = CC_LETTER, ['n'] = CC_LETTER, ['o'] = CC_LETTER,
	['p'] = CC_LETTER, ['q'] = CC_LETTER, ['r'] = CC_LETTER,
	['s'] = CC_LETTER, ['t'] = CC_LETTER, ['u'] = CC_LETTER,
	['v'] = CC_LETTER, ['w'] = CC_LETTER, ['x'] = CC_LETTER,
	['y'] = CC_LETTER, ['z'] = CC_LETTER,
	['G'] = CC_UPLETTER, ['H'] = CC_UPLETTER, ['I'] = CC_UPLETTER,
	['J'] = CC_UPLETTER, ['K'] = CC_UPLETTER, ['L'] = CC_UPLETTER,
	['M'] = CC_UPLETTER, ['N'] = CC_UPLETTER, ['O'] = CC_UPLETTER,
	['P'] = CC_UPLETTER, ['Q'] = CC_UPLETTER, ['R'] = CC_UPLETTER,
	['S'] = CC_UPLETTER, ['T'] = CC_UPLETTER, ['U'] = CC_UPLETTER,
	['V'] = CC_UPLETTER, ['W'] = CC_UPLETTER, ['X'] = CC_UPLETTER,
	['Y'] = CC_UPLETTER, ['Z'] = CC_UPLETTER,
	['.'] = CC_LOCAL | CC_HOST | CC_WORD,
	['-'] = CC_LOCAL | CC_HOST | CC_WORD,
	['_'] = CC_LOCAL | CC_HOST | CC_WORD,
	['+'] = CC_LOCAL | CC_WORD,
	['%'] = CC_LOCAL | CC_WORD,
	['@'] = CC_WORD,
	['!'] = CC_LOCAL, ['#'] = CC_LOCAL, ['$'] = CC_LOCAL, ['&'] = CC_LOCAL,
	['\''] = CC_LOCAL, ['*'] = CC_LOCAL, ['/'] = CC_LOCAL, ['='] = CC_LOCAL,
	['?'] = CC_LOCAL, ['^'] = CC_LOCAL, ['`'] = CC_LOCAL, ['{'] = CC_LOCAL,
	['|'] = CC_LOCAL, ['}'] = CC_LOCAL, ['~'] = CC_LOCAL,
};

static inline bool
is_alnum(unsigned char c)
{
	return cclass[c] & CC_ALNUM;
}

static inline bool
is_hex(unsigned char c)
{
	return cclass[c] & CC_HEX;
}

/* Characters of an address's local part (RFC 5322 atext and dots). */
static inline bool
is_local(unsigned char c)
{
	return cclass[c] & CC_LOCAL;
}

static inline bool
is_host(unsigned char c)
{
	return cclass[c] & CC_HOST;
}

/* Length of a host name at s (labels of [A-Za-z0-9_-] joined by single
 * dots, at least two labels, the last of two or more letters), trailing
 * dots excluded; 0 when s does not start one. */
static size_t
host_len(const char *s, size_t n)
{
	size_t i = 0, labels = 0, last_start = 0;
	while (i < n) {
		size_t st = i;
		while (i < n && (is_alnum((unsigned char)s[i]) || s[i] == '-' ||
		    s[i] == '_'))
			i++;
		if (i == st)
			break;
		labels++;
		last_start = st;
		if (i + 1 < n && s[i] == '.' && (is_alnum((unsigned char)s[i + 1])
		    || s[i + 1] == '_'))
			i++;
		else
			break;
	}
	if (labels < 2 || i - last_start < 2)
		return 0;
	for (size_t k = last_start; k < i; k++)
		if (!((s[k] >= 'a' && s[k] <= 'z') || (s[k] >= 'A' && s[k] <= 'Z')))
			return 0;
	return i;
}

/* Length of an IPv4 address (four dotted numbers of 1-3 digits). */
static size_t
ipv4_len(const char *s, size_t n)
{
	size_t i = 0;
	for (int part = 0; part < 4; part++) {
		size_t st = i;
		while (i < n && i - st < 4 && is_digit((char)s[i]))
			i++;
		if (i == st || i - st > 3)
			return 0;
		if (part < 3) {
			if (i >= n || s[i] != '.')
				return 0;
			i++;
		}
	}
	if (i < n && (is_alnum((unsigned char)s[i]) || s[i] == '_'))
		return 0;
	return i;
}

/* Length of an IPv6 address or a time (hex digits and two or more
 * colons, possibly an IPv4 tail). */
static size_t
ipv6_len(const char *s, size_t n)
{
	size_t i = 0, colons = 0, hex = 0;
	while (i < n && (is_hex((unsigned char)s[i]) || s[i] == ':' ||
	    (s[i] == '.' && colons >= 2 && i + 1 < n &&
	    is_digit((char)s[i + 1])))) {
		colons += s[i] == ':';
		hex += s[i] != ':' && s[i] != '.';
		i++;
	}
	while (i > 0 && s[i - 1] == ':' && colons > 2) {
		/* "::" is part of an address, a lone trailing ':' is not */
		if (i >= 2 && s[i - 2] == ':')
			break;
		i--;
		colons--;
	}
	if (colons < 2 || hex < 2)
		return 0;
	if (i < n && (is_alnum((unsigned char)s[i]) || s[i] == '_'))
		return 0;
	return i;
}

/* Length of an ISO 8601 date and time ("2026-11-23", "2026-11-23T10:00:00
 * .000Z", "2026-11-23 10:00:00 +0100"), 0 when s does not start one. */
static size_t
time_len(const char *s, size_t n)
{
	static const char shape[] = "dddd-dd-dd";
	size_t i = 0;
	for (; shape[i]; i++)
		if (i >= n || (shape[i] == 'd' ? !is_digit(s[i]) : s[i] != '-'))
			return 0;
	if (i + 8 < n && (s[i] == 'T' || s[i] == 't' || s[i] == ' ') &&
	    is_digit(s[i + 1]) && is_digit(s[i + 2]) && s[i + 3] == ':') {
		i += 3;
		while (i < n && (is_digit(s[i]) || s[i] == ':' || s[i] == '.'))
			i++;
		if (i < n && (s[i] == 'Z' || s[i] == 'z'))
			i++;
		else if (i + 5 <= n && (s[i] == '+' || s[i] == '-') &&
		    is_digit(s[i + 1]))
			while (i < n && (is_digit(s[i]) || s[i] == ':' ||
			    s[i] == '+' || s[i] == '-'))
				i++;
	}
	if (i < n && (is_alnum((unsigned char)s[i]) || s[i] == '_'))
		return 0;
	return i;
}

static bool
prefix_ci(const char *s, size_t n, const char *p)
{
	size_t m = strlen(p);
	if (n < m)
		return false;
	for (size_t i = 0; i < m; i++) {
		char c = s[i];
		if (c >= 'A' && c <= 'Z')
			c = (char)(c + 32);
		if (c != p[i])
			return false;
	}
	return true;
}

/*
 * The normalised text of [s, s + n) into out, which has room for
 * NORM_ROOM(n) bytes: nothing here tests the room byte by byte. The
 * output is never longer than 4/3 of the input ("<a>" becomes "<%a>",
 * every other mask is shorter than what it replaces, every other byte is
 * copied once), and a word's letters are written as they are scanned, at
 * most up to where the input ends.
 */
#define NORM_ROOM(n) ((n) + (n) / 3 + 2)

static size_t
normalise_into(const unsigned char *s, size_t n, char *out)
{
	size_t o = 0, i = 0;
	bool word = false; /* the byte before i continues a word */
#define PUTS(str) do { memcpy(out + o, str, sizeof str - 1); \
	o += sizeof str - 1; } while (0)
	while (i < n) {
		unsigned char c = s[i];
		unsigned k = cclass[c];
		if (word || !((k & CC_LOCAL) || c == '<')) {
			out[o++] = (char)(c + (k & CC_UPPER));
			word = k & CC_WORD;
			i++;
			continue;
		}
		size_t rest = n - i, len, mask; /* mask: the bytes read */
		const unsigned char *p = s + i;
		const char *cp = (const char *)p;
		/* URLs (the first letter first: most words are none) */
		if (((c | 0x20) == 'h' || (c | 0x20) == 'f') &&
		    (prefix_ci(cp, rest, "http://") || prefix_ci(cp, rest,
		    "https://") || prefix_ci(cp, rest, "ftp://"))) {
			len = 0;
			while (len < rest && p[len] != ' ' && p[len] != '\t' &&
			    p[len] != '>' && p[len] != '<' && p[len] != '"' &&
			    p[len] != ')' && p[len] != ']' && p[len] != '\'')
				len++;
			while (len > 0 && strchr(".,;:", p[len - 1]) != NULL)
				len--;
			PUTS("%u");
			mask = len;
			goto next;
		}
		/* <bare-local-part> as an address: "<dmarc>:" */
		if (c == '<') {
			len = 1;
			while (len < rest && len < 66 && is_local(p[len]) &&
			    p[len] != '@')
				len++;
			if (len > 1 && len < rest && p[len] == '>' &&
			    host_len(cp + 1, len - 1) != len - 1) {
				PUTS("<%a>");
				mask = len + 1;
			} else {
				out[o++] = '<';
				mask = 1;
			}
			goto next;
		}
		/* One scan of the word: its run of letters and digits (all
		 * of it; the digits counted, and where the hex digits end),
		 * written out in lower case as it goes (a plain word, most
		 * words, is then done), then on to the end of its run of
		 * local-part characters (at most 128; whether it holds a
		 * dot). Every test below reads these instead of scanning the
		 * word again. */
		size_t alen = 0, hexlen, digits = 0;
		for (; alen < rest && ((k = cclass[p[alen]]) & CC_HEX); alen++) {
			digits += (k & CC_DIGIT) != 0;
			out[o + alen] = (char)(p[alen] + (k & CC_UPPER));
		}
		hexlen = alen;
		for (; alen < rest && ((k = cclass[p[alen]]) & CC_ALNUM);
		    alen++) {
			digits += (k & CC_DIGIT) != 0;
			out[o + alen] = (char)(p[alen] + (k & CC_UPPER));
		}
		/* letters and digits are local-part characters: the local
		 * run starts with the alnum one ('@' is no local-part byte,
		 * cclass: the run ends there) */
		size_t lim = rest < 128 ? rest : 128;
		bool dot = false;
		len = alen < lim ? alen : lim;
		for (; len < lim && is_local(p[len]); len++)
			dot |= p[len] == '.';
		/* A host name is two labels or more of [A-Za-z0-9_-] joined
		 * by dots, all of them local-part characters: a run of them
		 * without a dot that ended before the cap of 128 starts none,
		 * and host_len below need not look (most words). */
		bool may_host = len >= 128 || dot;
		/* addresses: local@host (or local@[ip]) */
		if (len > 0 && len + 1 < rest && p[len] == '@') {
			size_t h = host_len(cp + len + 1, rest - len - 1);
			if (h == 0) {
				/* a single label or an address literal */
				while (len + 1 + h < rest && (is_host(p[len + 1 +
				    h]) || p[len + 1 + h] == '[' ||
				    p[len + 1 + h] == ']' || p[len + 1 + h] == ':'))
					h++;
				while (h > 0 && p[len + h] == '.')
					h--;
			}
			if (h > 0) {
				PUTS("%a");
				mask = len + 1 + h;
				goto next;
			}
		}
		/* a time ("dddd-") and an IPv4 address ("d.", "dd.",
		 * "ddd.") start with a digit, an IPv6 address with hex
		 * digits and a ':' (a word start is never ':'): what each
		 * needs first is known from the scan */
		bool all_digits = digits == alen, more = alen < rest;
		if (alen == 4 && all_digits && more && p[4] == '-' &&
		    (mask = time_len(cp, rest)) > 0) {
			PUTS("%t");
			goto next;
		}
		if (alen >= 1 && alen <= 3 && all_digits && more &&
		    p[alen] == '.' && (mask = ipv4_len(cp, rest)) > 0) {
			PUTS("%i");
			goto next;
		}
		if (hexlen > 0 && hexlen < rest && p[hexlen] == ':' &&
		    (mask = ipv6_len(cp, rest)) > 0) {
			PUTS("%i");
			goto next;
		}
		if (may_host && (mask = host_len(cp, rest)) > 0) {
			PUTS("%d");
			goto next;
		}
		/* numbers of 4+ digits; ids of 10+ letters and digits with
		 * 3+ digits (session and queue ids; vendor codes such as
		 * S3140, TSS04 or BL000001 are shorter and stay) */
		size_t letters = alen - digits;
		bool bounded = !more || p[alen] != '_';
		if (bounded && ((letters == 0 && digits >= 4) ||
		    (alen >= 10 && digits >= 3 && letters > 0))) {
			PUTS("%n");
			mask = alen;
			goto next;
		}
		/* a plain word: its letters and digits, written above (a
		 * byte that starts a word but is none of them, as it is) */
		if (alen == 0) {
			out[o] = (char)p[0];
			alen = 1;
		}
		o += alen;
		mask = alen;
	next:
		i += mask;
		word = cclass[s[i - 1]] & CC_WORD;
	}
	return o;
#undef PUTS
}

size_t
mxt_classify_normalise(const char *s, size_t n, char *out, size_t size)
{
	if (size == 0)
		return 0;
	const unsigned char *u = (const unsigned char *)s;
	if (size >= NORM_ROOM(n) + 1) {
		size_t o = normalise_into(u, n, out);
		out[o] = '\0';
		return o;
	}
	/* a buffer that may be too short gets the output's first bytes, as
	 * many as fit before the NUL */
	char *tmp = xmalloc(NORM_ROOM(n));
	size_t o = normalise_into(u, n, tmp);
	if (o > size - 1)
		o = size - 1;
	memcpy(out, tmp, o);
	out[o] = '\0';
	free(tmp);
	return o;
}

/* ---- building ---------------------------------------------------------- */

static void
error_from(struct mxt_error *err, const struct mxt_error *e)
{
	if (err != NULL)
		*err = *e;
}

static void
first_error(void *arg, const struct mxt_error *e)
{
	struct mxt_error *err = arg;
	if (err->text[0] == '\0')
		*err = *e;
}

static char *
split_contains(const char *s, const char ***out)
{
	size_t n = 1;
	for (const char *p = s; *p; p++)
		n += *p == '|';
	char *copy = xstrndup(s, strlen(s));
	const char **v = xcalloc(n + 1, sizeof *v);
	size_t i = 0;
	char *p = copy;
	for (;;) {
		v[i++] = p;
		char *bar = strchr(p, '|');
		if (bar == NULL)
			break;
		*bar = '\0';
		p = bar + 1;
	}
	*out = v;
	return copy;
}

static int
add_def(struct mxt_classifier *c, const char *name, enum mxt_cause cause,
    int dir, const char *code, const char *dsn, const char *contains_s,
    const char *pattern, bool raw, const char *origin, int line,
    enum rule_tier tier, struct mxt_error *err)
{
	const char **contains = NULL;
	char *copy = contains_s ? split_contains(contains_s, &contains) : NULL;
	char eb[256];
	struct rule r;
	int rc = rule_compile(&r, name, cause, dir, code, dsn, contains,
	    pattern, c->mctx, eb, sizeof eb);
	free(copy);
	free(contains);
	if (rc == 0 && raw && (r.contains == NULL || r.re != NULL)) {
		snprintf(eb, sizeof eb, "a raw rule needs contains and no "
		    "pattern");
		rc = -1;
	}
	if (rc != 0) {
		struct mxt_error e;
		memset(&e, 0, sizeof e);
		snprintf(e.source, sizeof e.source, "%s", origin);
		e.line = line;
		snprintf(e.text, sizeof e.text, "rule %.60s: %.180s", name, eb);
		error_from(err, &e);
		rule_free(&r);
		return -1;
	}
	r.origin = origin;
	r.line = line;
	r.tier = tier;
	r.raw = raw;
	*rule_set_add(&c->rules) = r;
	return 0;
}

/* The fallback rules: one per row of explain.c's code -> causes table
 * that says it decides, named after the code. */
static int
add_fallbacks(struct mxt_classifier *c, struct mxt_error *err)
{
	char name[32], dsn[16];
	/* A detail ("X.7.1") before its whole subject ("X.7"). */
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < mxt_dsn_cause_count; i++) {
			const struct mxt_code_causes *row = &mxt_dsn_causes[i];
			bool whole = strchr(row->code + 2, '.') == NULL;
			if (!row->fallback || whole != (pass == 1))
				continue;
			snprintf(name, sizeof name, "dsn-%s", row->code);
			snprintf(dsn, sizeof dsn, "*%s%s", row->code + 1,
			    whole ? ".*" : "");
			if (add_def(c, name, row->causes[0], -1, NULL, dsn, NULL,
			    NULL, false, "lib/explain.c", row->line,
			    TIER_FALLBACK, err) != 0)
				return -1;
		}
	}
	for (size_t i = 0; i < mxt_reply_cause_count; i++) {
		const struct mxt_code_causes *row = &mxt_reply_causes[i];
		if (!row->fallback)
			continue;
		snprintf(name, sizeof name, "code-%s", row->code);
		if (add_def(c, name, row->causes[0], -1, row->code, NULL, NULL,
		    NULL, false, "lib/explain.c", row->line, TIER_FALLBACK,
		    err) != 0)
			return -1;
	}
	return 0;
}

static int
add_builtin(struct mxt_classifier *c, struct mxt_error *err)
{
	/* Wordings, provider codes, broad families: one pass per tier
	 * keeps the table's order inside each. */
	for (int pass = TIER_WORDING; pass <= TIER_BROAD; pass++) {
		for (size_t i = 0; i < mxt_builtin_rule_count; i++) {
			const struct rule_def *d = &mxt_builtin_rules[i];
			enum rule_tier t = (d->flags & RULE_BROAD) ? TIER_BROAD :
			    d->contains || d->pattern ? TIER_WORDING : TIER_CODE;
			if ((int)t != pass)
				continue;
			if (add_def(c, d->name, d->cause, d->dir, d->code, d->dsn,
			    d->contains, d->pattern, d->flags & RULE_RAW,
			    "lib/classify.c", d->line, t, err) != 0)
				return -1;
			c->rules.v[c->rules.n - 1].facts =
			    d->flags & RULE_NEEDS_OTHER_NAME ? FACT_OTHER_NAME : 0;
		}
	}
	if (add_fallbacks(c, err) != 0)
		return -1;
	for (size_t i = 0; i < mxt_builtin_provider_count; i++) {
		struct provider *p = provider_set_add(&c->providers);
		p->name = xstrndup(mxt_builtin_providers[i].name,
		    strlen(mxt_builtin_providers[i].name));
		p->match = xstrndup(mxt_builtin_providers[i].match,
		    strlen(mxt_builtin_providers[i].match));
		p->origin = "builtin";
		p->kind = mxt_builtin_providers[i].kind;
	}
	return 0;
}

static uint32_t
lit_add(struct litset *ls, char *lit, size_t len)
{
	if (ls->n == ls->cap) {
		ls->cap = ls->cap ? ls->cap * 2 : 256;
		ls->lit = xrealloc(ls->lit, ls->cap * sizeof *ls->lit);
		ls->len = xrealloc(ls->len, ls->cap * sizeof *ls->len);
		ls->next = xrealloc(ls->next, ls->cap * sizeof *ls->next);
	}
	uint32_t id = (uint32_t)ls->n++;
	ls->lit[id] = lit;
	ls->len[id] = len;
	ls->first[(unsigned char)lit[0]] = true;
	uint32_t *head = len == 1 ? &ls->head1[(unsigned char)lit[0]] :
	    &ls->head[bigram((unsigned char)lit[0], (unsigned char)lit[1])];
	/* append, so a bucket keeps the ids in order (any order works) */
	ls->next[id] = *head;
	*head = id;
	return id;
}

/* The prefilter and the index, once all rules are in. */
static void
build_index(struct mxt_classifier *c)
{
	struct litset *sets[] = {&c->lits, &c->rawlits};
	for (size_t k = 0; k < 2; k++) {
		memset(sets[k]->head, 0xff, sizeof sets[k]->head);
		memset(sets[k]->head1, 0xff, sizeof sets[k]->head1);
	}
	for (size_t i = 0; i < c->rules.n; i++) {
		struct rule *r = &c->rules.v[i];
		if (r->raw) {
			assert(c->nraw < 64);
			c->raw_rule[c->nraw++] = (uint32_t)i;
		}
		if (r->contains == NULL)
			continue;
		/* a raw rule's literals are sought in the text as logged,
		 * the others' in the normalised text */
		struct litset *ls = r->raw ? &c->rawlits : &c->lits;
		r->lit_id = xcalloc(r->ncontains, sizeof *r->lit_id);
		for (size_t k = 0; k < r->ncontains; k++)
			r->lit_id[k] = lit_add(ls, r->contains[k],
			    r->contains_len[k]);
	}
	for (size_t k = 0; k < 2; k++)
		sets[k]->hit = xcalloc(sets[k]->n / 64 + 1,
		    sizeof *sets[k]->hit);
	static const int codes[CLASS_SLOTS] = {0, 100, 200, 300, 400, 500, 999};
	for (int d = 0; d < MXT_DIR_COUNT; d++) {
		for (int k = 0; k < CLASS_SLOTS; k++) {
			struct rule_list *l = &c->index[d][k];
			l->v = xcalloc(c->rules.n + 1, sizeof *l->v);
			for (size_t i = 0; i < c->rules.n; i++) {
				const struct rule *r = &c->rules.v[i];
				if (r->dir >= 0 && r->dir != d)
					continue;
				if (r->code_none && k != 0)
					continue;
				if (r->code != NULL && !r->code_none) {
					if (k == 0 || k == 6 ||
					    r->code_pat[0] != '0' + codes[k] / 100)
						continue;
				}
				l->v[l->n++] = (uint32_t)i;
			}
		}
	}
}

/* Sets the bit of every literal found in s[0..n). */
static void
lit_scan(struct litset *ls, const char *s, size_t n)
{
	memset(ls->hit, 0, (ls->n / 64 + 1) * sizeof *ls->hit);
	for (size_t i = 0; i < n; i++) {
		unsigned char a = (unsigned char)s[i];
		if (!ls->first[a])
			continue; /* no bucket to look at */
		for (uint32_t id = ls->head1[a]; id != UINT32_MAX;
		    id = ls->next[id])
			ls->hit[id / 64] |= 1ULL << (id % 64);
		if (i + 1 >= n)
			break;
		for (uint32_t id = ls->head[bigram(a, (unsigned char)s[i + 1])];
		    id != UINT32_MAX; id = ls->next[id]) {
			if (ls->len[id] <= n - i && memcmp(s + i, ls->lit[id],
			    ls->len[id]) == 0)
				ls->hit[id / 64] |= 1ULL << (id % 64);
		}
	}
}

static bool
lit_any(const struct litset *ls, const struct rule *r)
{
	for (size_t k = 0; k < r->ncontains; k++)
		if (ls->hit[r->lit_id[k] / 64] & (1ULL << (r->lit_id[k] % 64)))
			return true;
	return false;
}

/*
 * The match context every pattern runs with. A user pattern with
 * catastrophic backtracking ("(a+)+$" against a long run of 'a') must not
 * stall the run, and reply texts are chosen by strangers: each match gets
 * a budget of backtracking steps (match limit, which JIT counts too), of
 * nesting (depth limit) and of heap for the interpreter's frames (heap
 * limit, in KiB). A pattern that runs out of one is reported by
 * mxt_classify_rule(), never taken silently as "no match". JIT code runs
 * on its own stack, allocated once here and grown up to JIT_STACK_MAX
 * (the default 32 KiB machine stack fails on long texts that need more).
 */
#define MATCH_LIMIT 200000
#define DEPTH_LIMIT 10000
#define HEAP_LIMIT_KIB (64 * 1024)
#define JIT_STACK_START (32 * 1024)
#define JIT_STACK_MAX (1024 * 1024)

static pcre2_match_context *
match_context_create(pcre2_jit_stack **stack)
{
	pcre2_match_context *m = pcre2_match_context_create(NULL);
	*stack = pcre2_jit_stack_create(JIT_STACK_START, JIT_STACK_MAX, NULL);
	if (m == NULL || *stack == NULL)
		abort(); /* out of memory, as xmalloc */
	pcre2_set_match_limit(m, MATCH_LIMIT);
	pcre2_set_depth_limit(m, DEPTH_LIMIT);
	pcre2_set_heap_limit(m, HEAP_LIMIT_KIB);
	pcre2_jit_stack_assign(m, NULL, *stack);
	return m;
}

struct mxt_classifier *
mxt_classifier_create(const char *rules_path, struct mxt_error *err)
{
	struct mxt_classifier *c = xcalloc(1, sizeof *c);
	c->mctx = match_context_create(&c->jit_stack);
	/* zeroed: pcre2's JIT may read a few bytes past the subject's end
	 * (aligned vector loads); they must be initialised memory */
	c->norm = xcalloc(1, MXT_LINE_MAX + 1);
	c->lower = xcalloc(1, MXT_LINE_MAX + 1);
	c->keybuf = xmalloc(CACHE_KEY_MAX + KEY_HEAD);
	c->cache = xcalloc(MXT_CLASSIFY_CACHE, sizeof *c->cache);
	c->memokey = xmalloc(CACHE_KEY_MAX + KEY_HEAD);
	c->memo = xcalloc(MXT_CLASSIFY_CACHE, sizeof *c->memo);
	if (err != NULL)
		memset(err, 0, sizeof *err);
	if (rules_path != NULL) {
		struct mxt_error first;
		memset(&first, 0, sizeof first);
		c->origin = xstrndup(rules_path, strlen(rules_path));
		if (rules_load_file(rules_path, c->origin, &c->rules,
		    &c->providers, c->mctx, first_error, &first) != 0) {
			error_from(err, &first);
			mxt_classifier_destroy(c);
			return NULL;
		}
	}
	if (add_builtin(c, err) != 0) {
		mxt_classifier_destroy(c);
		return NULL;
	}
	build_index(c);
	c->pindex = provider_index_create(c->providers.v, c->providers.n);
	return c;
}

void
mxt_classifier_destroy(struct mxt_classifier *c)
{
	if (c == NULL)
		return;
	rule_set_free(&c->rules);
	provider_set_free(&c->providers);
	provider_index_destroy(c->pindex);
	for (size_t i = 0; c->cache != NULL && i < MXT_CLASSIFY_CACHE; i++)
		free(c->cache[i].key);
	free(c->cache);
	for (size_t i = 0; c->memo != NULL && i < MXT_CLASSIFY_CACHE; i++)
		free(c->memo[i].key);
	free(c->memo);
	free(c->memokey);
	struct litset *sets[] = {&c->lits, &c->rawlits};
	for (size_t k = 0; k < 2; k++) {
		free(sets[k]->lit);
		free(sets[k]->len);
		free(sets[k]->next);
		free(sets[k]->hit);
	}
	for (int d = 0; d < MXT_DIR_COUNT; d++)
		for (int k = 0; k < CLASS_SLOTS; k++)
			free(c->index[d][k].v);
	free(c->norm);
	free(c->lower);
	free(c->keybuf);
	free(c->origin);
	pcre2_match_context_free(c->mctx);
	pcre2_jit_stack_free(c->jit_stack);
	free(c);
}

void
mxt_classifier_set_warning(struct mxt_classifier *c,
    void (*on_warning)(void *arg, const struct mxt_error *e), void *arg)
{
	c->on_warning = on_warning;
	c->warning_arg = arg;
}

/* ---- classifying ------------------------------------------------------- */

/* Rule r could not decide on ev's text (pcre2 error rc): count it, and
 * the first time for this rule, warn naming the rule and the text's
 * line, so a slow pattern is not mistaken for one that never matches. */
static void
limit_hit(struct mxt_classifier *c, struct rule *r, int rc,
    const struct mxt_event *ev)
{
	c->stats.limit_hits++;
	/* once per rule, and once more when it runs out of time (which
	 * happens once: the pattern is not tried again) */
	if ((r->limit_hits++ > 0 && rc != RULE_ERROR_TIME) ||
	    c->on_warning == NULL)
		return;
	PCRE2_UCHAR msg[120];
	if (rc == RULE_ERROR_TIME)
		snprintf((char *)msg, sizeof msg, "CPU time limit of %d ms, "
		    "not tried again", RULE_MATCH_CPU_MS);
	else if (pcre2_get_error_message(rc, msg, sizeof msg) < 0)
		snprintf((char *)msg, sizeof msg, "error %d", rc);
	struct mxt_error e;
	memset(&e, 0, sizeof e);
	snprintf(e.source, sizeof e.source, "%s", r->origin);
	e.line = r->line;
	e.column = r->column;
	char where[100] = "";
	if (ev->source != NULL && ev->line_no > 0)
		snprintf(where, sizeof where, " (%.60s line %ld)", ev->source,
		    ev->line_no);
	snprintf(e.text, sizeof e.text, "rule \"%.40s\": the pattern gave up "
	    "on a reply text%s: %.50s; taken as no match (said once per rule)",
	    r->name, where, (char *)msg);
	c->on_warning(c->warning_arg, &e);
}

/* The index of the first rule that holds (tier by tier: rules are
 * stored in tier order), NO_RULE when none does. s is prepared. */
static size_t
match_rules(struct mxt_classifier *c, const struct mxt_event *ev,
    const struct rule_subject *s, uint64_t rawhits)
{
	lit_scan(&c->lits, s->lower, s->len);
	const struct rule_list *l = &c->index[ev->direction == MXT_DIR_IN ?
	    MXT_DIR_IN : MXT_DIR_OUT][code_slot(ev->code)];
	for (size_t k = 0; k < l->n; k++) {
		size_t i = l->v[k];
		struct rule *r = &c->rules.v[i];
		if (r->raw) {
			for (size_t j = 0; j < c->nraw; j++)
				if (c->raw_rule[j] == i && (rawhits >> j & 1))
					return i;
			continue;
		}
		if (r->contains != NULL && !lit_any(&c->lits, r))
			continue;
		int rc = rule_match(r, s, c->mctx);
		if (rc > 0)
			return i;
		if (rc < 0)
			limit_hit(c, r, rc, ev);
	}
	return NO_RULE;
}

/* The look-up failures nexthop_facts (below) reads. Each form holds
 * " for " at a fixed place (anchor): a form occurs at j only where " for "
 * occurs at j + anchor. */
static const struct {
	const char *s;
	size_t len, anchor;
} nexthop_forms[] = {
	{MXT_LIT("name service error for name="), 18},
	{MXT_LIT("failed to lookup ip address for "), 27},
	{MXT_LIT("host lookup for "), 11},
};
enum { NFORMS = sizeof nexthop_forms / sizeof nexthop_forms[0] };

/* nexthop_facts at place i of the text: when " for " is there, each form
 * not yet seen is compared where it would start. */
static inline void
nexthop_at(const char *text, size_t len, size_t i, size_t at[NFORMS],
    size_t *found)
{
	if ((text[i + 1] | 0x20) != 'f' || (text[i + 2] | 0x20) != 'o' ||
	    (text[i + 3] | 0x20) != 'r' || text[i] != ' ' || text[i + 4] != ' ')
		return;
	for (size_t f = 0; f < NFORMS; f++) {
		if (at[f] != SIZE_MAX || i < nexthop_forms[f].anchor)
			continue;
		size_t j = i - nexthop_forms[f].anchor;
		if (prefix_ci(text + j, len - j, nexthop_forms[f].s)) {
			at[f] = j;
			(*found)++;
		}
	}
}

/*
 * The host name an MTA's own lookup failure names, compared with the
 * recipient domain. What the MTAs log (Postfix src/smtp/smtp_addr.c and
 * smtp_connect.c; Exim's routers):
 *   Postfix  "Host or domain name not found. Name service error for
 *            name=N type=T: Host not found[, try again]"
 *   Exim     "failed to lookup IP address for N",
 *            "host lookup for N did not complete (DNS timeout?)"
 * The name is either a next hop of ours or a host of the recipient
 * domain's MX records, never the recipient domain itself: Postfix looks up
 * type MX only for the next-hop destination (the recipient domain, or a
 * relayhost / transport nexthop written without [brackets]) and A/AAAA
 * for the MX hosts and a [bracketed] nexthop; a relayhost or
 * fallback_relay that does not resolve is deferred with 4.3.5 ("relayhost
 * configuration problem", smtp_connect.c). Exim's dnslookup router says
 * "all relevant MX records point to non-existent hosts" for a recipient
 * domain's MX hosts, so its two texts with another name come from a
 * router with its own host list (manualroute: a smarthost). The text
 * alone cannot always tell a bracketed nexthop from an MX host, so the
 * fact is only "not the recipient domain" (FACT_OTHER_NAME). No fact
 * without a recipient domain.
 */
static unsigned
nexthop_facts(const char *text, size_t len, const struct mxt_event *ev)
{
	if (ev->direction != MXT_DIR_OUT || ev->domain.len == 0)
		return 0;
	/* Where each form first occurs, in one pass over the text (this runs
	 * on every outbound failure before the cache lookup): at each " for "
	 * (nexthop_at), each form not yet seen is compared where it would
	 * start. The forms are then taken in order, each at its first
	 * occurrence, as a pass per form would take them. */
	size_t at[NFORMS], found = 0;
	for (size_t f = 0; f < NFORMS; f++)
		at[f] = SIZE_MAX;
	/* The places with a space there and four bytes on are found eight
	 * at a time (has_byte8 on the words at i and i + 4, whose flags may
	 * hold false ones, never miss a true one), then tested in order. */
	size_t i = 0;
	for (; i + 12 <= len && found < NFORMS; i += 8) {
		uint64_t x, y;
		memcpy(&x, text + i, 8);
		memcpy(&y, text + i + 4, 8);
		if ((has_byte8(x, ' ') & has_byte8(y, ' ')) == 0)
			continue;
		for (size_t k = i; k < i + 8 && found < NFORMS; k++)
			nexthop_at(text, len, k, at, &found);
	}
	for (; i + 5 <= len && found < NFORMS; i++)
		nexthop_at(text, len, i, at, &found);
	for (size_t f = 0; f < NFORMS; f++) {
		if (at[f] == SIZE_MAX)
			continue;
		size_t st = at[f], ll = nexthop_forms[f].len;
		const char *n = text + st + ll;
		size_t nl = 0;
		while (st + ll + nl < len && is_host((unsigned char)n[nl]))
			nl++;
		while (nl > 0 && n[nl - 1] == '.')
			nl--;
		if (nl == 0)
			continue;
		bool same = nl == ev->domain.len;
		for (size_t k = 0; same && k < nl; k++) {
			char a = n[k], b = ev->domain.ptr[k];
			if (a >= 'A' && a <= 'Z')
				a = (char)(a + 32);
			if (b >= 'A' && b <= 'Z')
				b = (char)(b + 32);
			same = a == b;
		}
		return same ? 0 : FACT_OTHER_NAME;
	}
	return 0;
}

/*
 * The head of a cache key: direction, code, flags and raw-rule verdicts
 * as their bytes, then the dsn's length and bytes (at most 15). The key
 * is only hashed and compared, never read back, so its head need not be
 * text; the length before the dsn keeps two keys of different heads
 * apart. It runs for every failure (as "%d|%d|%.15s|%u|%llx|" written
 * by hand it took 285 instructions a key). Returns its length; out has
 * room for KEY_HEAD bytes.
 */
static size_t
key_head(char *out, int dir, int code, const char *dsn, unsigned flags,
    uint64_t rawhits)
{
	size_t n = 0;
	memcpy(out + n, &dir, sizeof dir);
	n += sizeof dir;
	memcpy(out + n, &code, sizeof code);
	n += sizeof code;
	memcpy(out + n, &flags, sizeof flags);
	n += sizeof flags;
	memcpy(out + n, &rawhits, sizeof rawhits);
	n += sizeof rawhits;
	size_t dl = strnlen(dsn, 15);
	out[n++] = (char)dl;
	memcpy(out + n, dsn, dl);
	return n + dl;
}

/* A slot's key (*key, *klen; NULL: none) replaced by a copy of the n
 * bytes at src, unless the table's keys (*bytes in all) would pass
 * CACHE_KEY_BYTES: then the slot stays as it was and false is returned. */
static bool
hold_key(size_t *bytes, char **key, size_t *klen, const char *src, size_t n)
{
	size_t old = *key != NULL ? *klen : 0;
	if (n > old && *bytes - old + n > CACHE_KEY_BYTES)
		return false;
	*bytes = *bytes - old + n;
	free(*key);
	*key = xmalloc(n ? n : 1);
	memcpy(*key, src, n);
	*klen = n;
	return true;
}

enum mxt_cause
mxt_classify_index(struct mxt_classifier *c, const struct mxt_event *ev,
    size_t *index)
{
	*index = NO_RULE;
	if (ev->status == MXT_STATUS_DELIVERED)
		return MXT_CAUSE_NONE;
	if (ev->status == MXT_STATUS_EXPIRED)
		return MXT_CAUSE_EXPIRED;

	c->stats.lookups++;
	struct rule_subject s;
	size_t len = ev->text.len;
	if (len > MXT_LINE_MAX)
		len = MXT_LINE_MAX;
	const char *text = ev->text.ptr ? ev->text.ptr : "";
	s.dir = (int)ev->direction;
	s.code = ev->code;
	/* the event facts rules may ask for; part of the cache key */
	unsigned flags = nexthop_facts(text, len, ev);

	/* the raw memo first: a text seen before names its cache slot */
	struct memo_slot *memo = NULL;
	if (len <= CACHE_KEY_MAX) {
		size_t mlen = key_head(c->memokey, (int)ev->direction,
		    ev->code, ev->dsn, flags, 0);
		memcpy(c->memokey + mlen, text, len);
		mlen += len;
		uint64_t h = XXH3_64bits(c->memokey, mlen);
		memo = &c->memo[h & (MXT_CLASSIFY_CACHE - 1)];
		if (memo->key != NULL && memo->hash == h && memo->klen == mlen &&
		    memcmp(memo->key, c->memokey, mlen) == 0) {
			const struct cache_slot *cs = &c->cache[memo->slot];
			if (memo->gen != 0 && cs->gen == memo->gen) {
				c->stats.hits++;
				*index = cs->rule;
				return cs->cause;
			}
		} else if (hold_key(&c->memo_bytes, &memo->key, &memo->klen,
		    c->memokey, mlen)) {
			memo->hash = h;
		} else {
			memo = NULL; /* the memo's bytes are spent */
		}
		if (memo != NULL)
			memo->gen = 0; /* no slot until the cache has one */
	}

	s.has_dsn = ev->dsn[0] != '\0' && dsn_split(ev->dsn, s.dsn);
	s.len = mxt_classify_normalise(text, len, c->norm, MXT_LINE_MAX + 1);
	s.text = s.lower = c->norm;
	s.raw_lower = NULL;
	s.raw_len = 0;
	s.facts = flags;

	/* The verdicts of raw rules and the flags join the key. */
	uint64_t rawhits = 0;
	if (c->nraw > 0) {
		lower_copy(c->lower, MXT_LINE_MAX + 1, text, len);
		s.raw_lower = c->lower;
		s.raw_len = len;
		/* all their literals in one pass (a memchr per literal was
		 * most of a new text's cost); a rule whose literals were
		 * seen is then asked whole */
		lit_scan(&c->rawlits, c->lower, len);
		for (size_t j = 0; j < c->nraw; j++) {
			struct rule *r = &c->rules.v[c->raw_rule[j]];
			if (lit_any(&c->rawlits, r) &&
			    rule_match(r, &s, c->mctx) > 0)
				rawhits |= 1ULL << j;
		}
	}

	struct cache_slot *slot = NULL;
	size_t klen = 0;
	if (s.len <= CACHE_KEY_MAX) {
		klen = key_head(c->keybuf, (int)ev->direction, ev->code,
		    ev->dsn, flags, rawhits);
		memcpy(c->keybuf + klen, c->norm, s.len);
		klen += s.len;
		uint64_t h = XXH3_64bits(c->keybuf, klen);
		slot = &c->cache[h & (MXT_CLASSIFY_CACHE - 1)];
		if (slot->key != NULL && slot->hash == h && slot->klen == klen &&
		    memcmp(slot->key, c->keybuf, klen) == 0) {
			c->stats.hits++;
			if (memo != NULL) {
				memo->slot = (size_t)(slot - c->cache);
				memo->gen = slot->gen;
			}
			*index = slot->rule;
			return slot->cause;
		}
		bool fresh = slot->key == NULL;
		if (!hold_key(&c->cache_bytes, &slot->key, &slot->klen,
		    c->keybuf, klen)) {
			slot = NULL; /* the cache's bytes are spent */
		} else {
			c->stats.entries += fresh;
			slot->hash = h;
			slot->gen = ++c->gen;
			if (memo != NULL) {
				memo->slot = (size_t)(slot - c->cache);
				memo->gen = slot->gen;
			}
		}
	}
	size_t i = match_rules(c, ev, &s, rawhits);
	enum mxt_cause cause = i != NO_RULE ? c->rules.v[i].cause :
	    MXT_CAUSE_OTHER;
	if (slot != NULL) {
		slot->cause = cause;
		slot->rule = i;
	}
	*index = i;
	return cause;
}

size_t
mxt_classifier_first_wording(struct mxt_classifier *c,
    const struct mxt_event *ev)
{
	/* Every rule in order, no index and no prefilter: a second path to
	 * check the first against (classify_test's precedence test). */
	struct rule_subject s;
	size_t len = ev->text.len > MXT_LINE_MAX ? MXT_LINE_MAX : ev->text.len;
	const char *text = ev->text.ptr ? ev->text.ptr : "";
	s.dir = (int)ev->direction;
	s.code = ev->code;
	s.has_dsn = ev->dsn[0] != '\0' && dsn_split(ev->dsn, s.dsn);
	s.len = mxt_classify_normalise(text, len, c->norm, MXT_LINE_MAX + 1);
	s.text = s.lower = c->norm;
	lower_copy(c->lower, MXT_LINE_MAX + 1, text, len);
	s.raw_lower = c->lower;
	s.raw_len = len;
	s.facts = nexthop_facts(text, len, ev);
	for (size_t i = 0; i < c->rules.n; i++) {
		struct rule *r = &c->rules.v[i];
		if (r->tier == TIER_CODE || r->tier == TIER_FALLBACK)
			continue;
		if (rule_match(r, &s, c->mctx) > 0)
			return i;
	}
	return NO_RULE;
}

enum mxt_cause
mxt_classify_rule(struct mxt_classifier *c, const struct mxt_event *ev,
    const char **rule)
{
	size_t i;
	enum mxt_cause cause = mxt_classify_index(c, ev, &i);
	if (rule != NULL)
		*rule = i != NO_RULE ? c->rules.v[i].name : "";
	return cause;
}

enum mxt_cause
mxt_classify(struct mxt_classifier *c, const struct mxt_event *ev)
{
	size_t i;
	return mxt_classify_index(c, ev, &i);
}

/* ---- providers (providers.c holds the table and the index) ---------- */

static const struct provider *
find_host(struct mxt_classifier *c, struct mxt_str s)
{
	if (s.len == 0 || s.ptr == NULL ||
	    (s.len == 4 && memcmp(s.ptr, "none", 4) == 0))
		return NULL;
	return provider_index_find(c->pindex, s.ptr, s.len);
}

void
mxt_provider_roll(struct mxt_classifier *c, const struct mxt_event *ev,
    const char **provider, const char **via)
{
	*provider = *via = NULL;
	if (ev->direction == MXT_DIR_IN)
		return;
	/* relay may carry a port ("smtp.gmail.com:587" in some logs) */
	struct mxt_str relay = ev->relay;
	const char *colon = relay.len > 0 ? memchr(relay.ptr, ':', relay.len) :
	    NULL;
	if (colon != NULL && memchr(colon + 1, ':', relay.len -
	    (size_t)(colon + 1 - relay.ptr)) == NULL)
		relay.len = (size_t)(colon - relay.ptr);
	const struct provider *r = find_host(c, relay);
	if (r != NULL && r->kind == PROVIDER_VIA)
		*via = r->name;
	else if (r != NULL)
		*provider = r->name;
	if (*provider == NULL) {
		const struct provider *d = find_host(c, ev->domain);
		if (d != NULL && d->kind == PROVIDER_MAILBOX)
			*provider = d->name;
	}
}

const char *
mxt_provider_of(struct mxt_classifier *c, struct mxt_str domain,
    struct mxt_str relay)
{
	struct mxt_event ev;
	memset(&ev, 0, sizeof ev);
	ev.direction = MXT_DIR_OUT;
	ev.domain = domain;
	ev.relay = relay;
	const char *p, *via;
	mxt_provider_roll(c, &ev, &p, &via);
	return p;
}

void
mxt_classifier_stats(const struct mxt_classifier *c,
    struct mxt_classify_stats *out)
{
	*out = c->stats;
	out->key_bytes = c->cache_bytes + c->memo_bytes;
}

size_t
mxt_classifier_rule_count(const struct mxt_classifier *c)
{
	return c->rules.n;
}

bool
mxt_classifier_rule(const struct mxt_classifier *c, size_t i,
    struct mxt_rule_info *out)
{
	if (i >= c->rules.n)
		return false;
	const struct rule *r = &c->rules.v[i];
	out->name = r->name;
	out->cause = r->cause;
	out->origin = r->origin;
	out->line = r->line;
	out->column = r->column;
	out->direction = r->dir;
	out->code = r->code;
	out->dsn = r->dsn;
	out->contains = (const char *const *)r->contains;
	out->pattern = r->pattern;
	out->limit_hits = r->limit_hits;
	return true;
}

size_t
mxt_classifier_provider_count(const struct mxt_classifier *c)
{
	return c->providers.n;
}

bool
mxt_classifier_provider(const struct mxt_classifier *c, size_t i,
    struct mxt_provider_info *out)
{
	if (i >= c->providers.n)
		return false;
	out->name = c->providers.v[i].name;
	out->match = c->providers.v[i].match;
	out->origin = c->providers.v[i].origin;
	return true;
}

int
mxt_rules_check(const char *path,
    void (*on_error)(void *arg, const struct mxt_error *e), void *arg)
{
	struct rule_set rs = {0};
	struct provider_set ps = {0};
	pcre2_jit_stack *stack;
	pcre2_match_context *mctx = match_context_create(&stack);
	int n = rules_load_file(path, path, &rs, &ps, mctx, on_error, arg);
	rule_set_free(&rs);
	provider_set_free(&ps);
	pcre2_match_context_free(mctx);
	pcre2_jit_stack_free(stack);
	return n;
}

/* ---- `mxtriage rules`: the active tables as text or JSON -------------- */

#include <jansson.h>
#include <stdarg.h>


static const char *
dir_name(int dir)
{
	return dir < 0 ? "any" : mxt_direction_name((enum mxt_direction)dir);
}

static char *
rules_json(const struct mxt_classifier *c)
{
	json_t *rules = json_array(), *provs = json_array();
	struct mxt_rule_info ri;
	for (size_t i = 0; mxt_classifier_rule(c, i, &ri); i++) {
		json_t *o = json_pack("{s:s, s:s, s:s, s:s}", "name", ri.name,
		    "cause", mxt_cause_id(ri.cause), "origin", ri.origin,
		    "direction", dir_name(ri.direction));
		if (ri.line > 0) {
			json_object_set_new(o, "line", json_integer(ri.line));
			json_object_set_new(o, "column", json_integer(ri.column));
		}
		if (ri.code)
			json_object_set_new(o, "code", json_string(ri.code));
		if (ri.dsn)
			json_object_set_new(o, "dsn", json_string(ri.dsn));
		if (ri.contains) {
			json_t *a = json_array();
			for (size_t k = 0; ri.contains[k]; k++)
				json_array_append_new(a,
				    json_string(ri.contains[k]));
			json_object_set_new(o, "contains", a);
		}
		if (ri.pattern)
			json_object_set_new(o, "pattern",
			    json_string(ri.pattern));
		json_array_append_new(rules, o);
	}
	struct mxt_provider_info pi;
	for (size_t i = 0; mxt_classifier_provider(c, i, &pi); i++)
		json_array_append_new(provs, json_pack("{s:s, s:s, s:s}",
		    "name", pi.name, "match", pi.match, "origin", pi.origin));
	json_t *root = json_pack("{s:s, s:s, s:o, s:o}", "schema",
	    "mxtriage.rules/1", "order", "first match wins; user rules first",
	    "rules", rules, "providers", provs);
	return mxt_json_text(root);
}

/* A string of a rules file for the text table: escaped like log text
 * (a rule name or pattern could carry terminal controls). Freed by the
 * caller. */
static char *
esc(const char *s)
{
	return mxt_escape_terminal(s, strlen(s), 0);
}

char *
mxt_rules_format(const struct mxt_classifier *c, bool json)
{
	if (json)
		return rules_json(c);
	struct mxt_buf b = {xmalloc(4096), 0, 4096};
	b.p[0] = '\0';
	mxt_buf_printf(&b, "# rules, first match wins (%zu)\n",
	    mxt_classifier_rule_count(c));
	mxt_buf_printf(&b, "%-4s %-30s %-16s %-4s %-5s %-7s %s\n", "#", "NAME",
	    "CAUSE", "DIR", "CODE", "DSN", "MATCH");
	struct mxt_rule_info ri;
	for (size_t i = 0; mxt_classifier_rule(c, i, &ri); i++) {
		char *name = esc(ri.name);
		mxt_buf_printf(&b, "%-4zu %-30s %-16s %-4s %-5s %-7s ", i + 1,
		    name, mxt_cause_id(ri.cause), dir_name(ri.direction),
		    ri.code ? ri.code : "-", ri.dsn ? ri.dsn : "-");
		free(name);
		bool any = false;
		if (ri.contains) {
			mxt_buf_printf(&b, "contains ");
			for (size_t k = 0; ri.contains[k]; k++) {
				char *e = esc(ri.contains[k]);
				mxt_buf_printf(&b, "%s\"%s\"", k ? "|" : "", e);
				free(e);
			}
			any = true;
		}
		if (ri.pattern) {
			char *e = esc(ri.pattern);
			mxt_buf_printf(&b, "%s/%s/i", any ? " and " : "", e);
			free(e);
			any = true;
		}
		if (!any)
			mxt_buf_printf(&b, "-");
		if (ri.line > 0) {
			char *e = esc(ri.origin);
			mxt_buf_printf(&b, "  (%s:%ld)", e, ri.line);
			free(e);
		}
		mxt_buf_printf(&b, "\n");
	}
	mxt_buf_printf(&b, "\n# providers, first match wins (%zu)\n",
	    mxt_classifier_provider_count(c));
	mxt_buf_printf(&b, "%-16s %-28s %s\n", "PROVIDER", "MATCH", "ORIGIN");
	struct mxt_provider_info pi;
	for (size_t i = 0; mxt_classifier_provider(c, i, &pi); i++) {
		char *n = esc(pi.name), *m = esc(pi.match), *o = esc(pi.origin);
		mxt_buf_printf(&b, "%-16s %-28s %s\n", n, m, o);
		free(n);
		free(m);
		free(o);
	}
	return b.p;
}
