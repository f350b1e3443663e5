/*
 * causes.c - the cause table: for every enum mxt_cause its stable id,
 * title, kind (temporary, permanent or either), side (them, us or
 * either: whose setup the fix is usually in), a one-paragraph
 * explanation and the next steps, split by direction.
 *
 * The table is plain static data indexed by the enum, so the reporters,
 * the rule loader (cause ids in JSON) and `mxtriage explain` all read
 * the same words. "out" steps are for us as the sender whose delivery
 * failed; "in" steps are for us as the receiver that refused a client.
 * The facts come from RFC 5321, RFC 3463 and the providers' postmaster
 * pages; the words are ours. Settings are named exactly as they appear in
 * postconf(5) and the Exim specification so they can be searched for.
 */
#include "internal.h"

#include <string.h>

#define STEPS(...) ((const char *const[]){__VA_ARGS__, NULL})

struct cause_entry {
	const char *id;
	const char *title;
	enum mxt_cause_kind kind;
	/* whose side it is usually on (mxt_cause_side): a cause is "us"
	 * when the fix is in our setup or reputation, "them" when it is in
	 * the receiver's state or choice, "either" when the reply decides */
	enum mxt_cause_side side;
	bool repeat;
	const char *explanation;
	const char *const *out;
	const char *const *in;
};

static const char *const no_steps[] = {NULL};

static const struct cause_entry causes[MXT_CAUSE_COUNT] = {
	[MXT_CAUSE_NONE] = {
		.id = NULL,
		.title = "no failure",
		.kind = MXT_KIND_EITHER,
		.side = MXT_SIDE_EITHER,
		.explanation = "The event is not a failure.",
		.out = no_steps,
		.in = no_steps,
	},
	[MXT_CAUSE_GREYLISTING] = {
		.id = "greylisting",
		.title = "Greylisting",
		.kind = MXT_KIND_TEMPORARY,
		.side = MXT_SIDE_THEM,
		.explanation =
		    "The receiver refuses the first attempt from an unknown "
		    "combination of client address, sender and recipient on "
		    "purpose and accepts the same message when it is retried "
		    "after a few minutes. Spam software that never retries "
		    "loses; a real mail server only loses time. Nothing is "
		    "wrong unless the deferrals go on for hours, which happens "
		    "when retries come from a different address each time "
		    "(a pool of outbound servers) or never come at all.",
		.out = STEPS(
		    "Do nothing at first: the message is retried on the queue's "
		    "schedule (Postfix minimal_backoff_time / queue_run_delay, "
		    "Exim retry rules) and normally goes through on the second "
		    "or third attempt.",
		    "If deferrals last for hours, make sure retries leave from "
		    "the same address: pin smtp_bind_address (Postfix) or the "
		    "smtp transport's interface option (Exim) instead of "
		    "rotating source addresses.",
		    "Ask the receiver to allowlist your sending addresses "
		    "if the delay matters (transactional mail)."),
		.in = STEPS(
		    "Expected behaviour of your greylisting policy (postgrey, "
		    "milter-greylist, rspamd, an Exim ACL): count how many of "
		    "these senders came back and were accepted.",
		    "Allowlist large senders that retry from address pools "
		    "(postgrey's whitelist_clients, rspamd greylist whitelist) "
		    "so their mail is not held for hours.",
		    "Shorten the greylisting delay if legitimate mail is held "
		    "too long."),
	},
	[MXT_CAUSE_RATE_LIMIT] = {
		.id = "rate_limit",
		.title = "Rate limiting / throttling",
		.kind = MXT_KIND_TEMPORARY,
		.side = MXT_SIDE_EITHER,
		.explanation =
		    "The receiver accepts only so many connections, messages or "
		    "recipients from one sender in a period, and we went over "
		    "the limit. Large mailbox providers tie the limits to the "
		    "sender's reputation, so new addresses, bursts and user "
		    "complaints all make them tighter (Yahoo's TSS04, "
		    "Microsoft's 4.7.650, Gmail's 4.7.28 \"unusual rate\"). "
		    "Retrying too hard prolongs the throttling.",
		.out = STEPS(
		    "Slow down towards this destination: a dedicated transport "
		    "in transport_maps with a low "
		    "smtp_destination_concurrency_limit (e.g. 2) and "
		    "smtp_destination_rate_delay (e.g. 1s), or "
		    "smtp_destination_recipient_limit for recipient limits "
		    "(Postfix); remote_max_parallel, the transport's "
		    "max_rcpt and connection_max_messages (Exim).",
		    "Spread bulk sends over time and warm up new sending "
		    "addresses gradually.",
		    "Check complaint rates and list hygiene: provider "
		    "throttling follows reputation (Google Postmaster Tools, "
		    "Microsoft SNDS, Yahoo Sender Hub).",
		    "Keep the retry schedule gentle (Postfix "
		    "maximal_backoff_time, Exim retry rules) rather than "
		    "flushing the queue."),
		.in = STEPS(
		    "These are your own limits refusing a client: check that "
		    "the client is not a legitimate high-volume sender before "
		    "raising anvil limits (smtpd_client_connection_count_limit, "
		    "smtpd_client_message_rate_limit, "
		    "smtpd_client_recipient_rate_limit, "
		    "postscreen_client_connection_count_limit) or Exim "
		    "ratelimit ACL conditions and smtp_accept_max_per_host.",
		    "Exempt trusted networks with smtpd_client_event_limit_exceptions "
		    "(Postfix) or an ACL host list (Exim)."),
	},
	[MXT_CAUSE_SERVER_BUSY] = {
		.id = "server_busy",
		.title = "Receiving server busy or failing",
		.kind = MXT_KIND_TEMPORARY,
		.side = MXT_SIDE_THEM,
		.explanation =
		    "The receiving server could not take the message right now: "
		    "it is overloaded, out of resources (disk, memory, "
		    "processes), in maintenance or hit an internal error "
		    "(\"421 service not available\", \"451 local error in "
		    "processing\", \"452 insufficient system storage\", "
		    "\"try again later\"). The problem is on their side and "
		    "usually passes; it becomes ours only when it lasts.",
		.out = STEPS(
		    "Let the queue retry; nothing to change while it is brief.",
		    "If one destination stays busy for hours, check whether "
		    "all its MX hosts fail the same way and tell its postmaster "
		    "(the reply text usually names the host).",
		    "Avoid adding load: a lower smtp_destination_concurrency_limit "
		    "(Postfix) or remote_max_parallel (Exim) for that "
		    "destination helps a struggling receiver."),
		.in = STEPS(
		    "Your own server refused clients for lack of resources: "
		    "check disk space of the queue, process limits "
		    "(default_process_limit, the smtpd limit in master.cf; "
		    "Exim smtp_accept_max, queue_only_load) and the logs of "
		    "content filters and milters it depends on.",
		    "Look for a local error around the same time in the mail "
		    "log (warning:, fatal:, panic: lines)."),
	},
	[MXT_CAUSE_DNS] = {
		.id = "dns",
		.title = "DNS lookup failure",
		.kind = MXT_KIND_TEMPORARY,
		.side = MXT_SIDE_EITHER,
		.explanation =
		    "A DNS lookup needed for the delivery did not complete: the "
		    "MX or address records of the destination could not be "
		    "fetched (\"Host not found, try again\", a timeout, "
		    "SERVFAIL, a malformed reply). The destination may be fine; "
		    "its name servers, a DNSSEC problem or our own resolver may "
		    "be failing.",
		.out = STEPS(
		    "Query the destination yourself from the mail host: "
		    "dig MX <domain> and dig A <mx-host>, also with +dnssec; "
		    "a SERVFAIL that other resolvers do not show points to the "
		    "local resolver.",
		    "Check the resolver the MTA uses (/etc/resolv.conf, inside "
		    "the Postfix chroot too: /var/spool/postfix/etc/resolv.conf).",
		    "If many domains fail at once the fault is local; if one "
		    "domain fails, tell its owner."),
		.in = STEPS(
		    "A lookup made by your own restrictions (sender domain, "
		    "client name, RBL) failed: check the local resolver's "
		    "health and timeouts.",
		    "Temporary lookup failures answer 4xx on purpose "
		    "(Postfix unknown_address_tempfail_action); keep it so that "
		    "senders retry."),
	},
	[MXT_CAUSE_ROUTING] = {
		.id = "routing",
		.title = "Routing problem or mail loop",
		.kind = MXT_KIND_EITHER,
		.side = MXT_SIDE_EITHER,
		.explanation =
		    "The message could not be routed to its destination: no "
		    "route or transport applies, an MX points back at us, or "
		    "the message went round in a loop (too many Received "
		    "headers, \"mail forwarding loop\", \"loops back to "
		    "myself\"), or a host on the way could not be looked up: "
		    "a next hop of ours (relayhost, transport nexthop, Exim "
		    "smarthost) or an MX host of the domain, named in the "
		    "text where it is not the recipient domain. This is "
		    "almost always a configuration error, ours or the "
		    "destination's (enhanced codes X.4.x; Postfix defers a "
		    "relayhost that does not resolve with 4.3.5).",
		.out = STEPS(
		    "Check where the domain's MX points (dig MX) and whether "
		    "that host is one of ours: if so, the domain must be listed "
		    "in mydestination, virtual_mailbox_domains or relay_domains "
		    "(Postfix) or the local_domains / relay_to_domains lists "
		    "(Exim).",
		    "For loops, follow the Received headers of the bounce and "
		    "look for aliases or forwards that point at each other.",
		    "Check transport_maps / relayhost (Postfix) or the router "
		    "order (Exim) for the affected domain; a name in the text "
		    "that is not the recipient domain (\"name=smarthost... "
		    "type=A\", \"host lookup for ...\") is the host to "
		    "resolve: dig it from the mail host."),
		.in = STEPS(
		    "A message to one of our domains could not be routed: check "
		    "the domain lists and transport maps for that domain.",
		    "Look for forwarding loops between our aliases and the "
		    "users' external forwards."),
	},
	[MXT_CAUSE_AUTH] = {
		.id = "auth",
		.title = "SMTP authentication failure",
		.kind = MXT_KIND_EITHER,
		.side = MXT_SIDE_US,
		.explanation =
		    "SMTP AUTH was required and failed or was not attempted: "
		    "wrong or expired credentials, a mechanism the server does "
		    "not offer (or only offers after STARTTLS), or a server "
		    "that requires authentication for submission or relaying "
		    "(530/535, enhanced codes X.7.8, X.7.9, X.7.11).",
		.out = STEPS(
		    "Check the credentials for this relay in "
		    "smtp_sasl_password_maps (postmap the file after editing) "
		    "and that smtp_sasl_auth_enable = yes (Postfix), or the "
		    "client authenticator and hosts_require_auth (Exim).",
		    "Check the mechanism: smtp_sasl_mechanism_filter and "
		    "smtp_sasl_security_options (noanonymous, noplaintext) "
		    "must allow one the server offers, usually after STARTTLS.",
		    "Some providers need an app password or OAuth instead of "
		    "the account password."),
		.in = STEPS(
		    "Clients failed to authenticate to us: repeated failures "
		    "from one address are usually password guessing, so rate "
		    "limit or block it (fail2ban, postscreen, Exim ratelimit).",
		    "For a real user, check the account and the SASL backend "
		    "(Dovecot auth logs, smtpd_sasl_type)."),
	},
	[MXT_CAUSE_RELAY_DENIED] = {
		.id = "relay_denied",
		.title = "Relaying denied",
		.kind = MXT_KIND_PERMANENT,
		.side = MXT_SIDE_US,
		.explanation =
		    "The server refused to accept mail for a domain it is not "
		    "responsible for from a client it does not trust: it will "
		    "not relay. Seen as sender, it means we talked to a host "
		    "that does not consider itself a destination of that "
		    "domain (wrong MX, wrong relayhost, missing "
		    "authentication). Seen as receiver, it is usually a "
		    "spammer probing for an open relay, or a user's client "
		    "that forgot to authenticate.",
		.out = STEPS(
		    "Check that the host we delivered to is really an MX of "
		    "the recipient domain (dig MX) and not a stale "
		    "transport_maps or relayhost entry.",
		    "If it is our smarthost, authenticate to it "
		    "(smtp_sasl_auth_enable, smtp_sasl_password_maps; Exim "
		    "hosts_require_auth) or ask its admin to permit our "
		    "address."),
		.in = STEPS(
		    "Usually relay probes: nothing to do, the refusal is "
		    "correct (smtpd_relay_restrictions; Exim relay_from_hosts).",
		    "If a legitimate user is refused, their client must use "
		    "the submission port with authentication, or the domain is "
		    "missing from relay_domains / virtual_mailbox_domains "
		    "(Exim local_domains / relay_to_domains)."),
	},
	[MXT_CAUSE_BLOCKLIST] = {
		.id = "blocklist",
		.title = "Blocklisted address or poor reputation",
		.kind = MXT_KIND_EITHER,
		.side = MXT_SIDE_US,
		.explanation =
		    "The sending address (or a domain in the message) is on a "
		    "DNS blocklist such as Spamhaus, Spamcop or Barracuda, or "
		    "on a provider's own block list (Microsoft S3140 and "
		    "5.7.606-608, Yahoo TS03, GMX's \"IP address is block "
		    "listed\", Proofpoint and Mimecast reputation blocks), or "
		    "its reputation is too poor to be accepted. Every message "
		    "from that address will fail the same way until the listing "
		    "is removed.",
		.out = STEPS(
		    "Look up the sending address on the list the reply names "
		    "(the URL in the reply, or check.spamhaus.org, "
		    "mxtoolbox.com/blacklists) and follow its delisting "
		    "procedure; providers have their own forms (Microsoft "
		    "sender.office.com, Yahoo Sender Hub, GMX/web.de postmaster).",
		    "Find and stop the cause first: a compromised account or "
		    "web form sending spam (check the queue and the biggest "
		    "senders), missing reverse DNS, no SPF/DKIM.",
		    "Meanwhile route mail for the affected destinations "
		    "through another clean relay (transport_maps / "
		    "sender_dependent_relayhost_maps; an Exim manualroute).",
		    "If the address is a shared or residential one, send "
		    "through a proper relay (relayhost / smarthost)."),
		.in = STEPS(
		    "Your DNSBL checks refused this client "
		    "(reject_rbl_client, postscreen_dnsbl_sites; Exim dnslists): "
		    "expected for spam sources.",
		    "For a legitimate sender listed by mistake, allowlist it "
		    "before the RBL check (check_client_access with OK, "
		    "postscreen_access_list; an Exim ACL accept) and tell the "
		    "sender to get delisted."),
	},
	[MXT_CAUSE_SENDER_AUTH] = {
		.id = "sender_auth",
		.title = "Sender authentication (SPF/DKIM/DMARC) failed",
		.kind = MXT_KIND_EITHER,
		.side = MXT_SIDE_US,
		.explanation =
		    "The receiver checked whether the sending domain authorised "
		    "this message and the answer was no: SPF does not list the "
		    "sending address, the DKIM signature is missing or broken, "
		    "or DMARC alignment failed and the domain's policy says "
		    "reject or quarantine (Gmail 5.7.26, enhanced codes "
		    "X.7.20-X.7.26). Large providers now require SPF or DKIM "
		    "for all mail and DMARC for bulk senders.",
		.out = STEPS(
		    "Check the sender domain's SPF record includes this "
		    "server's address (dig TXT <domain>), and that the "
		    "envelope sender's domain is the one you think.",
		    "Sign outgoing mail with DKIM (OpenDKIM/rspamd via "
		    "smtpd_milters/non_smtpd_milters; Exim dkim_domain, "
		    "dkim_selector, dkim_private_key on the smtp transport) "
		    "and check the public key in DNS.",
		    "Align the From: domain with the SPF or DKIM domain to "
		    "pass DMARC; forwarded mail needs SRS or ARC.",
		    "Read the DMARC aggregate reports (rua) for other sources "
		    "sending as the domain."),
		.in = STEPS(
		    "Your SPF/DMARC policy service refused the message "
		    "(policyd-spf, rspamd, an Exim spf ACL condition): correct "
		    "for forged senders.",
		    "For a forwarder or mailing list that breaks SPF, "
		    "allowlist it in the policy service rather than turning "
		    "checks off."),
	},
	[MXT_CAUSE_TLS] = {
		.id = "tls",
		.title = "TLS required or failed",
		.kind = MXT_KIND_EITHER,
		.side = MXT_SIDE_EITHER,
		.explanation =
		    "The session could not be encrypted as required: one side "
		    "demands STARTTLS and the other does not offer it, the "
		    "handshake failed (protocol or cipher mismatch), or the "
		    "certificate could not be verified (expired, wrong name, "
		    "unknown CA, DANE/MTA-STS mismatch, X.7.10, X.7.30).",
		.out = STEPS(
		    "Test the handshake yourself: openssl s_client -starttls "
		    "smtp -connect <mx>:25 -servername <mx>, or posttls-finger "
		    "<domain>.",
		    "Check smtp_tls_security_level and smtp_tls_policy_maps "
		    "for this destination (encrypt/verify/dane require a "
		    "working certificate) and smtp_tls_protocols / "
		    "smtp_tls_mandatory_ciphers; Exim hosts_require_tls, "
		    "hosts_require_dane and tls_verify_hosts.",
		    "If the receiver requires TLS and we did not use it, set "
		    "smtp_tls_security_level = may (or encrypt for that "
		    "destination) and check smtp_tls_CAfile."),
		.in = STEPS(
		    "Clients could not meet your TLS requirement "
		    "(smtpd_tls_security_level = encrypt, "
		    "smtpd_tls_auth_only; Exim tls_advertise_hosts and "
		    "encrypted ACL conditions): check the certificate chain "
		    "(smtpd_tls_chain_files) and that it has not expired.",
		    "Old clients may need older protocols: review "
		    "smtpd_tls_protocols / smtpd_tls_mandatory_protocols."),
	},
	[MXT_CAUSE_POLICY] = {
		.id = "policy",
		.title = "Refused by policy",
		.kind = MXT_KIND_EITHER,
		.side = MXT_SIDE_EITHER,
		.explanation =
		    "The receiver refused the message because of a local rule "
		    "that is not more specific than \"not authorised\": an "
		    "access map entry, a sender or recipient restriction, a "
		    "tenant or organisation policy, a generic 5.7.1 \"delivery "
		    "not authorized\" or 4.7.x deferral. The reply text and "
		    "the receiver's documentation are the only clue to which "
		    "rule fired.",
		.out = STEPS(
		    "Read the full reply text: providers put a code or URL in "
		    "it (Microsoft AS(...) and 5.7.x, Yahoo 5.7.9, GMX "
		    "\"policy restrictions\") that names the rule.",
		    "Ask the recipient's administrator; many policy refusals "
		    "(blocked senders, restricted groups, external mail "
		    "disabled) are settings on their side only they can change."),
		.in = STEPS(
		    "One of your own restrictions refused the client: find "
		    "which (smtpd_*_restrictions, access maps, header_checks; "
		    "Exim ACL \"deny\" statements) from the reply text, and "
		    "give it a distinctive message so the next report can tell.",
		    "Allowlist legitimate senders refused by a broad rule."),
	},
	[MXT_CAUSE_CONTENT] = {
		.id = "content",
		.title = "Content refused (spam, virus, filter)",
		.kind = MXT_KIND_EITHER,
		.side = MXT_SIDE_EITHER,
		.explanation =
		    "The message itself was refused after its content was "
		    "scanned: it looked like spam, carried a virus or a "
		    "forbidden attachment, or broke a header or body rule "
		    "(\"message content rejected\", Gmail's \"likely "
		    "unsolicited mail\", a spam score over the threshold).",
		.out = STEPS(
		    "Look at what the message contains: URL shorteners, links "
		    "to listed domains, attachments such as .exe or macros, "
		    "all-image bodies; run it through a spam checker.",
		    "Check the links and domains in it against the Spamhaus "
		    "DBL and URIBL.",
		    "Make sure the message is well-formed (Date, Message-ID, "
		    "a text part) and authenticated (SPF, DKIM, DMARC).",
		    "If a local user's mail is refused repeatedly, check the "
		    "account for compromise."),
		.in = STEPS(
		    "Your content filter refused the message (amavis, rspamd, "
		    "SpamAssassin via a milter; header_checks / body_checks; "
		    "Exim acl_smtp_data, av_scanner, spam condition): check "
		    "the scanner's log for the score or signature.",
		    "For false positives, allowlist the sender in the filter "
		    "rather than raising the threshold for everyone."),
	},
	[MXT_CAUSE_MAILBOX_FULL] = {
		.id = "mailbox_full",
		.title = "Recipient mailbox full",
		.kind = MXT_KIND_EITHER,
		.side = MXT_SIDE_THEM,
		.explanation =
		    "The recipient's mailbox is over its storage quota (X.2.2, "
		    "\"over quota\", \"mailbox full\"). Some receivers defer "
		    "(4.2.2) hoping the user cleans up, others bounce (5.2.2); "
		    "a mailbox that stays full for weeks is often abandoned.",
		.out = STEPS(
		    "Nothing to fix on our side; tell the recipient by another "
		    "channel if the mail matters.",
		    "Repeated full-mailbox bounces over weeks suggest an "
		    "abandoned address: suppress it from mailing lists."),
		.in = STEPS(
		    "A local mailbox is over quota: raise the quota or ask the "
		    "user to clean up (Dovecot quota plugin, "
		    "virtual_mailbox_limit / mailbox_size_limit in Postfix, "
		    "the appendfile quota option in Exim).",
		    "Consider rejecting at RCPT time (a quota policy service, "
		    "Exim quota verify) instead of accepting and bouncing."),
	},
	[MXT_CAUSE_UNKNOWN_USER] = {
		.id = "unknown_user",
		.title = "Unknown recipient",
		.kind = MXT_KIND_PERMANENT,
		.side = MXT_SIDE_THEM,
		.explanation =
		    "The recipient address does not exist (or no longer "
		    "exists, or is disabled) at the destination: \"User "
		    "unknown\", \"No such user\", X.1.1. Retrying will not "
		    "help. A sudden rise for one domain can also mean the "
		    "domain moved its mail elsewhere and the old server no "
		    "longer knows the users.",
		.out = STEPS(
		    "Check the address for typos; remove it from lists that "
		    "keep sending to it (bounce handling, list hygiene).",
		    "If many addresses of one domain fail at once, check its "
		    "MX: we may be delivering to a stale host from "
		    "transport_maps or a cached route."),
		.in = STEPS(
		    "Mail for addresses we do not have: usually dictionary "
		    "attacks or old addresses, correct to refuse "
		    "(local_recipient_maps, virtual_mailbox_maps, "
		    "relay_recipient_maps; Exim verify = recipient).",
		    "If a real user is refused, add the address or alias "
		    "(and postmap the map)."),
	},
	[MXT_CAUSE_BAD_DOMAIN] = {
		.id = "bad_domain",
		.title = "Recipient domain does not exist or takes no mail",
		.kind = MXT_KIND_PERMANENT,
		.side = MXT_SIDE_THEM,
		.explanation =
		    "The recipient's domain has no mail server: the name does "
		    "not exist in DNS (NXDOMAIN, \"Host or domain name not "
		    "found\"), has no usable MX or address record, or "
		    "publishes a null MX saying it accepts no mail (RFC 7505, "
		    "X.1.10, 556). Most often a typo (gmail.cm, hotmial.com) "
		    "or an expired domain.",
		.out = STEPS(
		    "Check the domain for typos; dig MX <domain> and dig A "
		    "<domain> confirm whether it exists.",
		    "Remove dead domains from lists; catch common typos at "
		    "the point of entry (sign-up forms)."),
		.in = STEPS(
		    "A recipient domain we were asked to handle does not "
		    "resolve: check our own DNS zone if it is one of ours."),
	},
	[MXT_CAUSE_SENDER_REJECTED] = {
		.id = "sender_rejected",
		.title = "Sender address refused",
		.kind = MXT_KIND_EITHER,
		.side = MXT_SIDE_US,
		.explanation =
		    "The envelope sender (MAIL FROM) was refused: its domain "
		    "does not exist or has no MX, the address failed "
		    "verification (a callout found it undeliverable), it is "
		    "not fully qualified, or it is on a block list of "
		    "senders (X.1.7, X.1.8, X.7.27).",
		.out = STEPS(
		    "Check the envelope sender our mail uses (Postfix "
		    "myorigin, masquerade_domains, sender_canonical_maps; "
		    "Exim qualify_domain and the return_path option): it must "
		    "be a real, resolvable address that accepts bounces.",
		    "Make sure the sender domain has an MX or A record and "
		    "that the sender address itself accepts mail, since many "
		    "receivers verify it."),
		.in = STEPS(
		    "Your sender restrictions refused the client "
		    "(reject_unknown_sender_domain, "
		    "reject_non_fqdn_sender, reject_unverified_sender, "
		    "check_sender_access; Exim verify = sender): usually "
		    "forged or broken senders.",
		    "A legitimate sender refused here has a DNS or bounce "
		    "address problem; allowlist it with check_sender_access "
		    "(or an Exim ACL) while they fix it."),
	},
	[MXT_CAUSE_CLIENT_HOSTNAME] = {
		.id = "client_hostname",
		.title = "Client host name not acceptable (no PTR / bad HELO)",
		.kind = MXT_KIND_EITHER,
		.side = MXT_SIDE_US,
		.explanation =
		    "The client was refused because of its names: its address "
		    "has no reverse DNS (PTR) record, the PTR name does not "
		    "resolve back to the address, or the HELO/EHLO name is not "
		    "a valid, resolvable, fully qualified name (\"cannot find "
		    "your hostname\", X.7.25). Large providers require "
		    "matching forward and reverse DNS for every sending "
		    "address.",
		.out = STEPS(
		    "Give the sending address a PTR record (set by whoever owns "
		    "the address block, usually the hosting provider) whose "
		    "name resolves back to the same address.",
		    "Make the HELO name that same fully qualified name "
		    "(smtp_helo_name / myhostname in Postfix; helo_data on "
		    "the Exim smtp transport)."),
		.in = STEPS(
		    "Your own name checks refused the client "
		    "(reject_unknown_client_hostname, "
		    "reject_unknown_reverse_client_hostname, "
		    "reject_unknown_helo_hostname, "
		    "reject_non_fqdn_helo_hostname; Exim verify = reverse_host_lookup "
		    "or helo checks).",
		    "reject_unknown_client_hostname also fires on temporary "
		    "DNS failures (450): reject_unknown_reverse_client_hostname "
		    "is the milder check."),
	},
	[MXT_CAUSE_MESSAGE_SIZE] = {
		.id = "message_size",
		.title = "Message too large",
		.kind = MXT_KIND_PERMANENT,
		.side = MXT_SIDE_EITHER,
		.explanation =
		    "The message is bigger than the receiver (or one of our "
		    "own transports) accepts (552, X.2.3, X.3.4, \"message "
		    "size exceeds fixed maximum\"). Attachments grow by about "
		    "a third when encoded, so a 20 MB file needs a 27 MB "
		    "limit.",
		.out = STEPS(
		    "Send large files as links instead of attachments; the "
		    "receiver's limit is in its EHLO SIZE announcement.",
		    "If our own limit refused it, raise message_size_limit "
		    "(Postfix, together with mailbox_size_limit) or "
		    "message_size_limit (Exim main option or transport)."),
		.in = STEPS(
		    "Clients sent more than your message_size_limit "
		    "(Postfix) or message_size_limit (Exim): raise it if "
		    "legitimate mail is refused."),
	},
	[MXT_CAUSE_CONNECTION] = {
		.id = "connection",
		.title = "Connection failed",
		.kind = MXT_KIND_TEMPORARY,
		.side = MXT_SIDE_EITHER,
		.explanation =
		    "No SMTP conversation could be held: the connection was "
		    "refused, timed out, was reset or lost in the middle, or "
		    "the network was unreachable. Either the receiver is down "
		    "or filtering us, or something between us (a firewall, "
		    "an ISP blocking port 25, IPv6 without a route) is in the "
		    "way.",
		.out = STEPS(
		    "Test from the mail host itself: nc -vz <mx> 25 (or "
		    "telnet), for both IPv4 and IPv6.",
		    "If everything times out, the outbound port 25 is probably "
		    "blocked by the hosting provider or firewall; if only "
		    "IPv6 fails, set smtp_address_preference = ipv4 or "
		    "inet_protocols (Postfix), dns_ipv4_lookup or "
		    "disable_ipv6 (Exim).",
		    "If one destination fails, its MX hosts are down or "
		    "refusing us: check them with dig MX and contact the "
		    "postmaster; timeouts can be tuned with "
		    "smtp_connect_timeout (Postfix) or the smtp transport's "
		    "connect_timeout (Exim)."),
		.in = STEPS(
		    "Clients dropped or timed out during the session: "
		    "commonly spam bots; persistent problems with real "
		    "senders point at network filtering or overloaded "
		    "smtpd processes."),
	},
	[MXT_CAUSE_SUSPENDED] = {
		.id = "suspended",
		.title = "Delivery suspended after an earlier failure",
		.kind = MXT_KIND_TEMPORARY,
		.side = MXT_SIDE_EITHER,
		.repeat = true,
		.explanation =
		    "The MTA did not even try this time: it remembers a recent "
		    "failure of the destination and holds the message until "
		    "the retry time (Postfix \"delivery temporarily "
		    "suspended\" and postfix/error cached results, Exim "
		    "\"retry time not reached\"). These lines repeat one "
		    "outage for every queued message, so they are shown apart "
		    "and never counted as fresh failures: look at the first "
		    "failure of the destination for the real cause.",
		.out = STEPS(
		    "Find the original failure of the same destination just "
		    "before (the text after \"suspended:\" names it) and fix "
		    "that.",
		    "Once the destination works again, flush the queue for it "
		    "(postqueue -s <domain> or postqueue -f; exim -R <domain>) "
		    "instead of waiting for the backoff."),
		.in = no_steps,
	},
	[MXT_CAUSE_EXPIRED] = {
		.id = "expired",
		.title = "Gave up: queue lifetime exceeded",
		.kind = MXT_KIND_PERMANENT,
		.side = MXT_SIDE_EITHER,
		.explanation =
		    "The message stayed in the queue longer than the MTA's "
		    "maximum lifetime and was returned to the sender (Postfix "
		    "maximal_queue_lifetime, 5 days by default; Exim retry "
		    "rules, \"retry timeout exceeded\"). The cause is whatever "
		    "deferred it all that time: look at its earlier "
		    "deferrals.",
		.out = STEPS(
		    "Look at the deferrals of the same recipients before the "
		    "expiry: their cause is the real one.",
		    "Check the lifetimes match what senders expect "
		    "(maximal_queue_lifetime and bounce_queue_lifetime in "
		    "Postfix; the final time in Exim retry rules, "
		    "delay_warning for early warnings)."),
		.in = no_steps,
	},
	[MXT_CAUSE_OTHER] = {
		.id = "other",
		.title = "Other failure",
		.kind = MXT_KIND_EITHER,
		.side = MXT_SIDE_EITHER,
		.explanation =
		    "A failure that none of the rules recognised. The reply "
		    "code class still tells whether it is temporary (4xx) or "
		    "permanent (5xx); the text says the rest.",
		.out = STEPS(
		    "Read the reply text and `mxtriage explain` its codes.",
		    "If the same text keeps coming, add a rule for it to your "
		    "rules file (--rules) so it gets a cause."),
		.in = STEPS(
		    "Read the reply text and `mxtriage explain` its codes.",
		    "If the same text keeps coming, add a rule for it to your "
		    "rules file (--rules) so it gets a cause."),
	},
};

static const char *const kind_names[MXT_KIND_COUNT] = {
	[MXT_KIND_TEMPORARY] = "temporary",
	[MXT_KIND_PERMANENT] = "permanent",
	[MXT_KIND_EITHER] = "either",
};

static const char *const side_names[MXT_SIDE_COUNT] = {
	[MXT_SIDE_THEM] = "them",
	[MXT_SIDE_US] = "us",
	[MXT_SIDE_EITHER] = "either",
};

static bool
valid(enum mxt_cause c)
{
	return (unsigned)c < MXT_CAUSE_COUNT;
}

const char *
mxt_cause_kind_name(enum mxt_cause_kind k)
{
	return (unsigned)k < MXT_KIND_COUNT ? kind_names[k] : NULL;
}

const char *
mxt_cause_side_name(enum mxt_cause_side side)
{
	return (unsigned)side < MXT_SIDE_COUNT ? side_names[side] : NULL;
}

enum mxt_cause_side
mxt_cause_side(enum mxt_cause c)
{
	return valid(c) ? causes[c].side : MXT_SIDE_EITHER;
}

const char *
mxt_cause_id(enum mxt_cause c)
{
	return valid(c) ? causes[c].id : NULL;
}

int
mxt_cause_lookup(const char *id)
{
	if (id == NULL)
		return -1;
	if (strcmp(id, "none") == 0)
		return MXT_CAUSE_NONE;
	for (int c = 1; c < MXT_CAUSE_COUNT; c++)
		if (strcmp(id, causes[c].id) == 0)
			return c;
	return -1;
}

const char *
mxt_cause_title(enum mxt_cause c)
{
	return valid(c) ? causes[c].title : NULL;
}

enum mxt_cause_kind
mxt_cause_kind(enum mxt_cause c)
{
	return valid(c) ? causes[c].kind : MXT_KIND_EITHER;
}

const char *
mxt_cause_explanation(enum mxt_cause c)
{
	return valid(c) ? causes[c].explanation : NULL;
}

const char *const *
mxt_cause_steps(enum mxt_cause c, enum mxt_direction dir)
{
	if (!valid(c))
		return no_steps;
	return dir == MXT_DIR_IN ? causes[c].in : causes[c].out;
}

bool
mxt_cause_is_repeat(enum mxt_cause c)
{
	return valid(c) && causes[c].repeat;
}
