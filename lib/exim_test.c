/*
 * exim_test.c - Exim lines -> events. Each case feeds real lines through
 * a pass and checks the fields of the last event, or that no event came
 * and why. Every line is copied from a licensed corpus file; the sources,
 * and the few lines whose header was rewritten, are listed in
 * testdata/exim/SOURCES.
 */
#include "pass.h"
#include "testutil.h"

#include <stdlib.h>
#include <time.h>

struct exim_case {
	const char *name;
	const char *lines[4]; /* fed in order; the last event is checked */
	struct test_want w;
	int events;      /* events the lines must give */
	int unparsed;    /* lines reported as not understood */
};

#define NO_DELAY -1

static const struct exim_case cases[] = {
	/* ---- deliveries ---- */
	{"delivery, 6-11-4 id, log_timezone", {"2024-06-02 05:54:33 +0200 1sDcIh-000000004YY-3wAT => mail@example.com F=<sender@example.com> R=dnslookup T=remote_smtp H=example.com [127.0.0.1] X=TLS1.2:ECDHE-RSA-AES128-GCM-SHA256:128 CV=no DN=\"/CN=*.example.com\" C=\"250 OK id=1sDcIj-00BWdE-0W\""},
	    {"delivered", "remote_smtp", "1sDcIh-000000004YY-3wAT", "out",
	    "mail@example.com", "example.com", "sender@example.com",
	    "example.com", "127.0.0.1", 0, 250, "", NULL,
	    "250 OK id=1sDcIj-00BWdE-0W", "2024-06-02T05:54:33+02:00", "",
	    NO_DELAY}, 1, 0},
	{"arrival gives the sender, 6-6-2 id", {
	    "2017-04-10 00:00:30 1cxKsn-0001GB-2t <= email@domain.com H=m37s3-2-28db.ispgateway.com [176.221.47.15] P=smtp S=2567 id=201704092200.v39M0Qxr016654@m37s3-2-28db.ispgateway.com",
	    "2017-04-10 00:00:30 1cxKsn-0001GB-2t => info@domainx.com R=internal_gw T=remote_smtp H=192.168.1.11 [192.168.1.11] C=\"250 OK id=1cxKso-0002iK-Q7\"",
	    "2017-04-10 00:00:30 1cxKsn-0001GB-2t Completed"},
	    {"delivered", "remote_smtp", "1cxKsn-0001GB-2t", "out",
	    "info@domainx.com", "domainx.com", "email@domain.com",
	    "192.168.1.11", "192.168.1.11", 0, 250, "", NULL,
	    "250 OK id=1cxKso-0002iK-Q7", "2017-04-10T00:00:30Z", NULL,
	    NO_DELAY}, 1, 0},
	{"-> with two spaces and a quoted top address", {"2021-05-04 13:37:00 +0100 1gtTXl-009NOy-Ft ->  foo@bar.tld <\" foo.bar\"@baz.tld> R=dkim_lookuphost T=dkim_remote_smtp H=mail.host.tld [123.123.123.123] X=TLSv1.2:ECDHE-RSA-AES256-GCM-SHA384:256 CV=yes A=fixed_cram K C=\"250- 4359466 byte chunk, total 4361651\\n250 OK id=1gtTZ9-0003pq-QN\""},
	    {"delivered", "dkim_remote_smtp", "1gtTXl-009NOy-Ft", "out",
	    "foo@bar.tld", "bar.tld", "", "mail.host.tld", "123.123.123.123",
	    0, 250, "", NULL,
	    "250- 4359466 byte chunk, total 4361651\\n250 OK id=1gtTZ9-0003pq-QN",
	    NULL, NULL, NO_DELAY}, 1, 0},
	{"delivery confirmation with an enhanced code", {"2021-05-04 13:37:00 +0100 1hEsuk-00027r-A0 => sender@somehost.tld <SRS0=dRnd8e=SO=mail.host.tld=foo@bar.tld> F=<> R=dnslookup T=remote_smtp H=mail.host.tld [123.123.123.123] X=TLSv1.2:ECDHE-RSA-AES256-GCM-SHA384:256 CV=yes DN=\"/C=CH/ST=foo/L=bar/O=baz/OU=foobar/CN=mail.host.tld\" C=\"250 2.0.0 Ok: queued as 44gYF23FjFzsHn52\""},
	    {"delivered", "remote_smtp", "1hEsuk-00027r-A0", "out",
	    "sender@somehost.tld", "somehost.tld", "", "mail.host.tld",
	    "123.123.123.123", 0, 250, "2.0.0", NULL, NULL, NULL, NULL,
	    NO_DELAY}, 1, 0},
	{"local delivery: the top address has the domain", {"1999-03-02 09:44:33 10HmaX-000000005vi-0000 => userx <page+ux@test.ex> R=localuser T=local_delivery"},
	    {"delivered", "local_delivery", "10HmaX-000000005vi-0000", "out",
	    "page+ux@test.ex", "test.ex", "", "", "", 0, 0, "", NULL, "",
	    "1999-03-02T09:44:33Z", NULL, NO_DELAY}, 1, 0},
	{":blackhole: without transport: the router is the service", {"1999-03-02 09:44:33 10HmaX-000000005vi-0000 => :blackhole: <blackhole@the.local.host.name> R=system_aliases"},
	    {"delivered", "system_aliases", "10HmaX-000000005vi-0000", "out",
	    "blackhole@the.local.host.name", "the.local.host.name", "", "", "",
	    0, 0, "", NULL, "", NULL, NULL, NO_DELAY}, 1, 0},
	{"*> suppressed by -N", {"1999-03-02 09:44:33 10HmaX-000000005vi-0000 *> newr1@myhost.test.ex <r1@test.ex> R=ok T=t1 H=V4NET.0.0.0 [V4NET.0.0.0] C=\"delivery bypassed by -N option\""},
	    {"delivered", "t1", "10HmaX-000000005vi-0000", "out",
	    "newr1@myhost.test.ex", "myhost.test.ex", "", "V4NET.0.0.0",
	    "V4NET.0.0.0", 0, 0, "", NULL, "delivery suppressed (-N)", NULL,
	    NULL, NO_DELAY}, 1, 0},
	{">> cutthrough delivery", {"1999-03-02 09:44:33 10HmaX-000000005vi-0000 >> userx@domain.com P=<CALLER@myhost.test.ex> R=all T=smtp H=127.0.0.1 [127.0.0.1] C=\"250 OK\""},
	    {"delivered", "smtp", "10HmaX-000000005vi-0000", "out",
	    "userx@domain.com", "domain.com", "", "127.0.0.1", "127.0.0.1", 0,
	    250, "", NULL, "250 OK", NULL, NULL, NO_DELAY}, 1, 0},
	{"QT= is the delay, milliseconds in the time", {"2017-07-30 18:51:05.712 10HmaZ-000000005vi-0000 => userx <userx@test.ex> R=r1 T=t1 QT=2m42s DT=0.349s"},
	    {"delivered", "t1", "10HmaZ-000000005vi-0000", "out",
	    "userx@test.ex", "test.ex", "", "", "", 0, 0, "", NULL, "",
	    "2017-07-30T18:51:05.712Z", NULL, 162}, 1, 0},

	/* a '"' after an odd number of backslashes is in the quoted value,
	 * after an even number it ends it: the fields after it are read */
	{"quoted reply with escaped quotes and backslashes", {"2024-06-02 05:54:33 1sDcIh-0001GB-2t => a@b.example R=dnslookup T=remote_smtp H=mx.b.example [192.0.2.1] C=\"250 ok \\\"queued\\\" as \\\\\" QT=3s"},
	    {"delivered", "remote_smtp", "1sDcIh-0001GB-2t", "out",
	    "a@b.example", "b.example", "", "mx.b.example", "192.0.2.1", 0,
	    250, "", NULL, "250 ok \\\"queued\\\" as \\\\", NULL, NULL, 3},
	    1, 0},

	/* the first word is a message id only when its three parts are
	 * letters and digits and its dashes in place: else no delivery */
	{"id with a bad byte in its first part is none", {"2024-06-02 05:54:33 1sD!Ih-0001GB-2t => a@b.example R=r T=t H=h [192.0.2.1] C=\"250 ok\""},
	    {0}, 0, 0},
	{"id with a bad byte in its middle part is none", {"2024-06-02 05:54:33 1sDcIh-000000004Y.-3wAT => a@b.example R=r T=t H=h [192.0.2.1] C=\"250 ok\""},
	    {0}, 0, 0},
	{"id with a bad byte in its last part is none", {"2024-06-02 05:54:33 1sDcIh-0001GB-2_ => a@b.example R=r T=t H=h [192.0.2.1] C=\"250 ok\""},
	    {0}, 0, 0},
	{"id with a dash out of place is none", {"2024-06-02 05:54:33 1sDcI-h0001GB-2t => a@b.example R=r T=t H=h [192.0.2.1] C=\"250 ok\""},
	    {0}, 0, 0},

	/* ---- deferrals ---- */
	{"deferral, reply after RCPT, old host form", {"1999-03-02 09:44:33 10HmaX-0005vi-00 == userx@test.ex R=r1 T=smtp defer (-44): SMTP error from remote mail server after RCPT TO:<userx@test.ex>: host 127.0.0.1 [127.0.0.1]: 451 Recipient not OK"},
	    {"deferred", "smtp", "10HmaX-0005vi-00", "out", "userx@test.ex",
	    "test.ex", "", "127.0.0.1", "127.0.0.1", 0, 451, "", "rcpt",
	    "SMTP error from remote mail server after RCPT TO:<userx@test.ex>: host 127.0.0.1 [127.0.0.1]: 451 Recipient not OK",
	    NULL, NULL, NO_DELAY}, 1, 0},
	{"deferral, reply after RCPT, H= form", {"1999-03-02 09:44:33 10HmaX-000000005vi-0000 == userx@domain.com R=all T=smtp defer (-44) H=127.0.0.1 [127.0.0.1]: SMTP error from remote mail server after RCPT TO:<userx@domain.com>: 452 Temporary error"},
	    {"deferred", "smtp", "10HmaX-000000005vi-0000", "out",
	    "userx@domain.com", "domain.com", "", "127.0.0.1", "127.0.0.1", 0,
	    452, "", "rcpt",
	    "SMTP error from remote mail server after RCPT TO:<userx@domain.com>: 452 Temporary error",
	    NULL, NULL, NO_DELAY}, 1, 0},
	{"deferral after the greeting", {"1999-03-02 09:44:33 10HmaX-000000005vi-0000 == userx@domain1 R=others T=smtp defer (0) H=localhost4.test.ex [127.0.0.1]: SMTP error from remote mail server after initial connection: 450 I'm busy"},
	    {"deferred", "smtp", "10HmaX-000000005vi-0000", "out",
	    "userx@domain1", "domain1", "", "localhost4.test.ex", "127.0.0.1",
	    0, 450, "", "greeting", NULL, NULL, NULL, NO_DELAY}, 1, 0},
	{"connection refused: no code, phase connect", {"1999-03-02 09:44:33 10HmaX-000000005vi-0000 == userx@simple R=all T=smtp defer (dd): Connection refused"},
	    {"deferred", "smtp", "10HmaX-000000005vi-0000", "out",
	    "userx@simple", "simple", "", "", "", 0, 0, "", "connect",
	    "Connection refused", NULL, NULL, NO_DELAY}, 1, 0},
	{"errno text and message joined around H=", {"1999-03-02 09:44:33 10HmaX-000000005vi-0000 == userx@domain1.com R=all T=smtp defer (dd): Connection timed out H=127.0.0.1 [127.0.0.1]: SMTP timeout after EHLO myhost.test.ex"},
	    {"deferred", "smtp", "10HmaX-000000005vi-0000", "out",
	    "userx@domain1.com", "domain1.com", "", "127.0.0.1", "127.0.0.1", 0,
	    0, "", "helo",
	    "Connection timed out: SMTP timeout after EHLO myhost.test.ex",
	    NULL, NULL, NO_DELAY}, 1, 0},
	{"host lookup did not complete: router only", {"1999-03-02 09:44:33 10HmaY-000000005vi-0000 == delay@test.again.dns R=r2 defer (-1): host lookup did not complete"},
	    {"deferred", "r2", "10HmaY-000000005vi-0000", "out",
	    "delay@test.again.dns", "test.again.dns", "", "", "", 0, 0, "",
	    NULL, "host lookup did not complete", NULL, NULL, NO_DELAY}, 1, 0},
	{"routing defer: retry time not reached", {"1999-03-02 09:44:33 10HmaX-0005vi-00 == defer@test.ex routing defer (-52): retry time not reached"},
	    {"deferred", "", "10HmaX-0005vi-00", "out", "defer@test.ex",
	    "test.ex", "", "", "", 0, 0, "", NULL, "retry time not reached",
	    NULL, NULL, NO_DELAY}, 1, 0},
	{"retry time not reached for a host", {"2021-05-04 13:37:00 +0100 1h43YE-0005F1-ND == mail@host.tld R=dnslookup T=remote_smtp defer (-53): retry time not reached for any host for 'host.tld'"},
	    {"deferred", "remote_smtp", "1h43YE-0005F1-ND", "out",
	    "mail@host.tld", "host.tld", "", "", "", 0, 0, "", NULL,
	    "retry time not reached for any host for 'host.tld'",
	    "2021-05-04T13:37:00+01:00", NULL, NO_DELAY}, 1, 0},

	/* ---- failures ---- */
	{"failure after MAIL FROM, old host form", {"2020-02-22 08:47:17 1j5PVL-00068g-Vf ** wwyc@sbcglobal.net R=dnslookup T=remote_smtp: SMTP error from remote mail server after MAIL FROM:<noreply@pilgrimbrevet.se>: host ff-ip4-mx-vip2.prodigy.net [144.160.159.22]: 550 5.7.1 Connections not accepted from servers without a valid sender domain.flph831 Fix reverse DNS for 95.142.170.63"},
	    {"bounced", "remote_smtp", "1j5PVL-00068g-Vf", "out",
	    "wwyc@sbcglobal.net", "sbcglobal.net", "", "ff-ip4-mx-vip2.prodigy.net",
	    "144.160.159.22", 0, 550, "5.7.1", "mail", NULL, NULL, NULL,
	    NO_DELAY}, 1, 0},
	{"failure, \" : \" form, after pipelined DATA", {"1999-03-02 09:44:33 10HmbI-000000005vi-0000 ** r@test.ex R=client T=send_to_server H=127.0.0.1 [127.0.0.1] : SMTP error from remote mail server after pipelined DATA: 503 Sorry perm data error"},
	    {"bounced", "send_to_server", "10HmbI-000000005vi-0000", "out",
	    "r@test.ex", "test.ex", "", "127.0.0.1", "127.0.0.1", 0, 503, "",
	    "data",
	    "SMTP error from remote mail server after pipelined DATA: 503 Sorry perm data error",
	    NULL, NULL, NO_DELAY}, 1, 0},
	{"failure after end of data, multi-line reply", {"1999-03-02 09:44:33 10HmbB-000000005vi-0000 ** rmt_fakereject@test.ex R=r2 T=smtp H=127.0.0.1 [127.0.0.1] : SMTP error from remote mail server after end of data: 550-Your message has been rejected but is being kept for evaluation.\\n550-If it was a legitimate message, it may still be delivered to the target\\n550 recipient(s)."},
	    {"bounced", "smtp", "10HmbB-000000005vi-0000", "out",
	    "rmt_fakereject@test.ex", "test.ex", "", "127.0.0.1", "127.0.0.1",
	    0, 550, "", "eod", NULL, NULL, NULL, NO_DELAY}, 1, 0},
	{"Unrouteable address, addr: form", {"2020-02-22 01:41:08 1j4ZTB-0001Sv-P4 ** noreply@pilgrimbrevet.se: Unrouteable address"},
	    {"bounced", "", "1j4ZTB-0001Sv-P4", "out", "noreply@pilgrimbrevet.se",
	    "pilgrimbrevet.se", "", "", "", 0, 0, "", NULL,
	    "Unrouteable address", NULL, NULL, NO_DELAY}, 1, 0},
	{"failure from a router", {"2021-05-04 13:37:00 +0100 1gpXfR-0040X2-94 ** mail@host.tld R=virtual_aliases: No Such User Here"},
	    {"bounced", "virtual_aliases", "1gpXfR-0040X2-94", "out",
	    "mail@host.tld", "host.tld", "", "", "", 0, 0, "", NULL,
	    "No Such User Here", NULL, NULL, NO_DELAY}, 1, 0},
	{"retry timeout exceeded is an expiry", {"1999-03-02 09:44:33 10HmaY-000000005vi-0000 ** userx@test.ex: retry timeout exceeded"},
	    {"expired", "", "10HmaY-000000005vi-0000", "out", "userx@test.ex",
	    "test.ex", "", "", "", 0, 0, "", NULL, "retry timeout exceeded",
	    NULL, NULL, NO_DELAY}, 1, 0},
	{"hosts failing for a long time is an expiry", {"1999-03-02 09:44:33 10HmbA-000000005vi-0000 ** userx@test.ex R=r1 T=t1 : all hosts for 'test.ex' have been failing for a long time (and retry time not reached)"},
	    {"expired", "t1", "10HmbA-000000005vi-0000", "out", "userx@test.ex",
	    "test.ex", "", "", "", 0, 0, "", NULL,
	    "all hosts for 'test.ex' have been failing for a long time (and retry time not reached)",
	    NULL, NULL, NO_DELAY}, 1, 0},
	{"pipe address with spaces", {"1999-03-02 09:44:33 10HmbD-000000005vi-0000 ** |TESTSUITE/aux-fixed/showenv $thisaddress $1 <redking@test.ex> R=r0 T=t1 : return message generated"},
	    {"bounced", "t1", "10HmbD-000000005vi-0000", "out",
	    "redking@test.ex", "test.ex", "", "", "", 0, 0, "", NULL,
	    "return message generated", NULL, NULL, NO_DELAY}, 1, 0},

	/* ---- rejections ---- */
	{"rejected RCPT", {"2022-06-29 15:33:46 H=test.com [1.2.3.4]:53343 F=<info@test.com> rejected RCPT <toto@toto.com>: \"JunkMail rejected - test.com [1.2.3.4]:53343 is in an RBL: https://www.spamhaus.org/sbl/query/SBLCSS\""},
	    {"rejected", "", "", "in", "toto@toto.com", "toto.com",
	    "info@test.com", "test.com", "1.2.3.4", 53343, 0, "", "rcpt",
	    "\"JunkMail rejected - test.com [1.2.3.4]:53343 is in an RBL: https://www.spamhaus.org/sbl/query/SBLCSS\"",
	    "2022-06-29T15:33:46Z", "", NO_DELAY}, 1, 0},
	/* a 'j' and quotes before the word (the rejection is found by
	 * its rare bytes) */
	{"rejected RCPT after a j and quotes", {"2024-11-01 00:00:02 H=jj.example [198.51.100.7]:25 F=<o'neil@x.example> rejected RCPT <u@y.example>: relay not permitted"},
	    {"rejected", "", "", "in", "u@y.example", "y.example",
	    "o'neil@x.example", "jj.example", "198.51.100.7", 25, 0, "", "rcpt",
	    "relay not permitted", "2024-11-01T00:00:02Z", "", NO_DELAY}, 1, 0},
	{"temporarily rejected RCPT, HELO name only", {"2021-05-04 13:37:00 +0100 H=(mail.remotehost.tld) [123.123.123.123]:1337 F=<mail@sender.tld> temporarily rejected RCPT <mail@recipient.tld>: Deferred due to greylisting. Host: '123.123.123.123' From: 'mail@sender.tld' To: 'mail@recipient.tld' SPF: 'neutral'"},
	    {"rejected", "", "", "in", "mail@recipient.tld", "recipient.tld",
	    "mail@sender.tld", "", "123.123.123.123", 1337, 0, "", "rcpt",
	    "Deferred due to greylisting. Host: '123.123.123.123' From: 'mail@sender.tld' To: 'mail@recipient.tld' SPF: 'neutral'",
	    NULL, NULL, NO_DELAY}, 1, 0},
	{"rejected after DATA, 6-11-4 id", {"2024-06-02 05:50:20 +0200 1sDcEe-000000004BC-0oYZ H=example.com [127.0.0.1] X=TLS1.2:ECDHE-RSA-AES256-GCM-SHA384:256 CV=no F=<sender@example.com> A=fixed_cram:foo rejected after DATA: spam"},
	    {"rejected", "", "1sDcEe-000000004BC-0oYZ", "in", "", "",
	    "sender@example.com", "example.com", "127.0.0.1", 0, 0, "", "eod",
	    "spam", NULL, NULL, NO_DELAY}, 1, 0},
	{"temporarily rejected connection", {"2022-06-29 14:33:43 H=test.sa.com [1.2.3.4]:18146 temporarily rejected connection in \"connect\" ACL: \"Host is ratelimited (1.9/1h max:1.2)\""},
	    {"rejected", "", "", "in", "", "", "", "test.sa.com", "1.2.3.4",
	    18146, 0, "", "connect", "\"Host is ratelimited (1.9/1h max:1.2)\"",
	    NULL, NULL, NO_DELAY}, 1, 0},
	{"rejected EHLO or HELO, no text", {"1999-03-02 09:44:33 H=(x.y.z) [10.9.8.10] U=CALLER rejected EHLO or HELO x.y.z"},
	    {"rejected", "", "", "in", "", "", "", "", "10.9.8.10", 0, 0, "",
	    "helo", "", NULL, NULL, NO_DELAY}, 1, 0},
	{"rejected MAIL from the protocol layer", {"1999-03-02 09:44:33 rejected MAIL from [127.0.0.1]: no HELO/EHLO given"},
	    {"rejected", "", "", "in", "", "", "", "", "127.0.0.1", 0, 0, "",
	    "mail", "no HELO/EHLO given", NULL, NULL, NO_DELAY}, 1, 0},
	{"old RCPT without brackets, [pid]", {"2013-06-10 18:33:32 [10099] H=(yakult.com.tw) [202.132.70.178]:3755 I=[1.2.3.4]:25 F=menacedsj04@listserv.eurasia.org rejected RCPT dir@ml3.ru: relay not permitted"},
	    {"rejected", "", "", "in", "dir@ml3.ru", "ml3.ru",
	    "menacedsj04@listserv.eurasia.org", "", "202.132.70.178", 3755, 0,
	    "", "rcpt", "relay not permitted", NULL, NULL, NO_DELAY}, 1, 0},
	{"rejected by local_scan()", {"2004-01-18 07:15:35 1Ai79e-0000Dq-8i F=uzwltcmwto24@melissacam.biz H=lsanca1-ar3-4-47-028-040.lsanca1.elnk.dsl.genuity.net [4.47.28.40] P=smtp rejected by local_scan(): Rejected: hits=7.5 required=5.0 trigger=5.0"},
	    {"rejected", "", "1Ai79e-0000Dq-8i", "in", "", "",
	    "uzwltcmwto24@melissacam.biz",
	    "lsanca1-ar3-4-47-028-040.lsanca1.elnk.dsl.genuity.net",
	    "4.47.28.40", 0, 0, "", "eod",
	    "Rejected: hits=7.5 required=5.0 trigger=5.0", NULL, NULL,
	    NO_DELAY}, 1, 0},
	{"synchronization error rejects the connection", {"2013-06-02 06:54:20 [13314] SMTP protocol synchronization error (input sent without waiting for greeting): rejected connection from H=[211.148.195.192]:25936 I=[1.2.3.4]:25 input=\"GET / HTTP/1.1\\r\\n\\r\\n\""},
	    {"rejected", "", "", "in", "", "", "", "", "211.148.195.192", 25936,
	    0, "", "connect",
	    "SMTP protocol synchronization error (input sent without waiting for greeting)",
	    NULL, NULL, NO_DELAY}, 1, 0},
	{"dropped by the connect ACL", {"2022-04-03 21:53:54 H=[192.0.2.101]:62839 dropped by 'connect' ACL: Country is banned"},
	    {"rejected", "", "", "in", "", "", "", "", "192.0.2.101", 62839, 0,
	    "", "connect", "Country is banned", NULL, NULL, NO_DELAY}, 1, 0},
	{"syslog-wrapped rejection", {"Jun 29 15:47:21 server exim[1234]: H=tata.test.biz [1.2.3.4]:41584 X=TLS1.2:ECDHE-RSA-AES256-GCM-SHA384:256 CV=no F=<nico@test.biz> rejected RCPT <titi@alpacas.com.au>: Sender verify failed"},
	    {"rejected", "", "", "in", "titi@alpacas.com.au", "alpacas.com.au",
	    "nico@test.biz", "tata.test.biz", "1.2.3.4", 41584, 0, "", "rcpt",
	    "Sender verify failed", "2024-06-29T15:47:21Z", "server", NO_DELAY},
	    1, 0},
	{"syslog with Exim's own timestamp inside", {"Jun 29 15:47:21 server exim[1234]: 2022-06-29 15:47:21 H=tata.test.biz [1.2.3.4]:41584 X=TLS1.2:ECDHE-RSA-AES256-GCM-SHA384:256 CV=no F=<nico@test.biz> rejected RCPT <titi@alpacas.com.au>: Sender verify failed"},
	    {"rejected", "", "", "in", "titi@alpacas.com.au", "alpacas.com.au",
	    "nico@test.biz", "tata.test.biz", "1.2.3.4", 41584, 0, "", "rcpt",
	    "Sender verify failed", "2022-06-29T15:47:21Z", "server",
	    NO_DELAY}, 1, 0},
	{"host-first journal form", {"mail.example.com exim[3751842]: 2022-06-29 15:47:21 H=tata.test.biz [1.2.3.4]:41584 X=TLS1.2:ECDHE-RSA-AES256-GCM-SHA384:256 CV=no F=<nico@test.biz> rejected RCPT <titi@alpacas.com.au>: Sender verify failed"},
	    {"rejected", "", "", "in", "titi@alpacas.com.au", "alpacas.com.au",
	    "nico@test.biz", "tata.test.biz", "1.2.3.4", 41584, 0, "", "rcpt",
	    "Sender verify failed", "2022-06-29T15:47:21Z", "mail.example.com",
	    NO_DELAY}, 1, 0},
	{"syslog split entry: the tail is no line of its own", {
	    "Jun 29 15:47:21 server exim[1234]: [1/2] 2024-06-02 05:50:20 +0200 1sDcEe-000000004BC-0oYZ H=example.com [127.0.0.1] X=TLS1.2:ECDHE-RSA-AES256-GCM-SHA384:256 CV=no F=<sender@example.com> A=fixed_cram:foo rejected after DATA: spam",
	    "Jun 29 15:47:21 server exim[1234]: [2/2] Envelope-from: <userx@test1>"},
	    {"rejected", "", "1sDcEe-000000004BC-0oYZ", "in", "", "",
	    "sender@example.com", "example.com", "127.0.0.1", 0, 0, "", "eod",
	    "spam", "2024-06-02T05:50:20+02:00", "server", NO_DELAY}, 1, 0},

	/* ---- no events ---- */
	{"authenticator failure is no event", {"2022-06-29 16:04:05 dovecot_login authenticator failed for ([1.2.3.5]) [1.2.3.4]:55379: 535 Incorrect authentication data (set_id=info@test.com)"},
	    {0}, 0, 0},
	{"sender verify line is no event", {"2022-06-29 15:47:21 H=tata.test.biz [1.2.3.4]:41584 sender verify fail for <toto@test.biz>: The mail server does not recognize toto@test.biz as a valid sender."},
	    {0}, 0, 0},
	{"spam filter's own line is no event", {"2013-12-30 00:24:50 1VxPit-000MMd-U4 SA: Action: flagged as Spam but accepted: score=8.2 required=5.0 (scanned in 6/6 secs | Message-Id: 008701cf04ed_24497d70_6cdc7850_@xxx.xx). From <spammer@xxx.xx> (host=ip-4.net-3-2-1.rev.xxx.xx [178.123.108.196]) for trap@example.com"},
	    {0}, 0, 0},
	{"reject log header dump is neither event nor unparsed", {
	    "Envelope-from: <userx@test1>",
	    "P Received: from CALLER by myhost.test.ex with local (Exim x.yz)",
	    "\t(envelope-from <userx@test1>)",
	    "  Date: Tue, 2 Mar 1999 09:44:33 +0000"},
	    {0}, 0, 0},
	{"ACL discard names no recipient: no event", {"1999-03-02 09:44:33 10HmbA-000000005vi-0000 => blackhole (RCPT ACL discarded recipients)"},
	    {0}, 0, 0},
	{"host-first journal line without event", {"mail.example.com exim[3751842]: 2021-07-17 23:20:49 plain_server authenticator failed for ([192.0.2.17]) [192.0.2.27]: 535 Incorrect authentication data"},
	    {0}, 0, 0},

	/* ---- not understood ---- */
	{"delivery flag without address", {"2002-10-31 09:00:10 16ZCW1-0005MB-00 =>"},
	    {0}, 0, 1},
	{"deferral without defer (errno)", {"2002-12-19 16:20:23 16aiQz-0002Q5-00 == marvin@endrest.example"},
	    {0}, 0, 1},
	{"delivery without R= or T= (wrapped example)", {"2002-10-31 08:59:13 16ZCW1-0005MB-00 => marv"},
	    {0}, 0, 1},
	{"failure without a reason (wrapped example)", {"1995-12-19 16:20:23 0tRiQz-0002Q5-00 ** jim@trek99.example"},
	    {0}, 0, 1},
	{"failure of unknown shape", {"1999-03-02 09:44:33 10HmbH-000000005vi-0000 ** mua_wrapper is set but recipients cannot all be delivered in one transaction"},
	    {0}, 0, 1},
	/* ---- foreground output (exim -bdf -v): no time, no message id;
	 * the pid in front; the id from the process's "delivering" ---- */
	{"foreground: delivery gets the id its process said it delivers", {
	    "  814 delivering 1xY4xm-0000Cy-1K",
	    "  814 LOG: MAIN",
	    "  814   => bob@accept.test R=out T=remote H=127.0.0.1 [127.0.0.1] C=\"250 2.0.0 Ok: queued as PEER1\""},
	    {"delivered", "remote", "1xY4xm-0000Cy-1K", "out",
	    "bob@accept.test", "accept.test", "", "127.0.0.1", "127.0.0.1",
	    0, 250, "2.0.0", NULL, "250 2.0.0 Ok: queued as PEER1", NULL,
	    NULL, NO_DELAY}, 1, 0},
	{"foreground: deferral, another process between", {
	    "  831 delivering 1xY4xm-0000DI-37",
	    "  846   SMTP<< 451 4.7.1 Greylisted, try again later",
	    "  831 LOG: MAIN",
	    "  831   == carol@defer.test R=out T=remote defer (-44) H=127.0.0.1 [127.0.0.1]: SMTP error from remote mail server after RCPT TO:<carol@defer.test>: 451 4.7.1 Greylisted, try again later"},
	    {"deferred", "remote", "1xY4xm-0000DI-37", "out",
	    "carol@defer.test", "defer.test", "", "127.0.0.1", "127.0.0.1",
	    0, 451, "4.7.1", "rcpt", NULL, NULL, NULL, NO_DELAY}, 1, 0},
	{"foreground: failure of a queue run's delivery process", {
	    "  855 delivering 1xY4xn-0000DZ-29 (queue run pid 1056)",
	    "  855 LOG: MAIN",
	    "  855   ** erin@bounce.test R=out T=remote H=127.0.0.1 [127.0.0.1]: SMTP error from remote mail server after RCPT TO:<erin@bounce.test>: 550 5.1.1 <erin@bounce.test>: Recipient address rejected: User unknown"},
	    {"bounced", "remote", "1xY4xn-0000DZ-29", "out",
	    "erin@bounce.test", "bounce.test", "", "127.0.0.1", "127.0.0.1",
	    0, 550, "5.1.1", "rcpt", NULL, NULL, NULL, NO_DELAY}, 1, 0},
	{"foreground: rejection, pid in front", {
	    "  866 LOG: MAIN REJECT",
	    "  866   H=(client.lab.test) [127.0.0.1] F=<alice@fg.lab.test> rejected RCPT <victim@relay.test>: relay not permitted"},
	    {"rejected", "", "", "in", "victim@relay.test", "relay.test",
	    "alice@fg.lab.test", "", "127.0.0.1", 0, 0, "",
	    "rcpt", "relay not permitted", NULL, NULL, NO_DELAY}, 1, 0},
};

static struct mxt_pass *
new_pass(struct test_capture *cap)
{
	struct mxt_pass_config cfg = {
		.year = 2024,
		.on_event = test_capture_event,
		.event_arg = cap,
		.on_unparsed = test_capture_unparsed,
		.unparsed_arg = cap,
	};
	return mxt_pass_create(&cfg);
}


static void
run_case(const struct exim_case *c)
{
	struct test_capture cap = {0};
	struct mxt_pass *p = new_pass(&cap);
	for (int i = 0; i < 4 && c->lines[i]; i++)
		mxt_pass_line(p, "test", i + 1, 0, c->lines[i],
		    strlen(c->lines[i]));
	const struct mxt_stats *st = mxt_pass_stats(p);
	if (c->w.status == NULL && c->unparsed == 0 && c->lines[0][0] != 'E')
		test_int(c->name, "lines claimed by exim",
		    (long long)st->lines_mta[MXT_MTA_EXIM], 1);
	mxt_pass_destroy(p);

	test_int(c->name, "events", cap.events, c->events);
	test_int(c->name, "unparsed", cap.unparsed, c->unparsed);
	if (c->w.status == NULL || cap.events == 0)
		return;
	const struct mxt_event *ev = &cap.last;
	test_str(c->name, "mta", mxt_mta_name(ev->mta),
	    strlen(mxt_mta_name(ev->mta)), "exim");
	test_event_fields(c->name, ev, &c->w);
	if (c->w.delay < 0)
		test_ok(!ev->has_delay, c->name, "delay %g, want none",
		    ev->delay);
	else
		test_ok(ev->has_delay && ev->delay > c->w.delay - 0.001 &&
		    ev->delay < c->w.delay + 0.001, c->name,
		    "delay %g (has %d), want %g", ev->delay, ev->has_delay,
		    c->w.delay);
}

/* Feeds (source, line) pairs; returns the events. */
static int
feed(const char *const (*lines)[2], size_t n)
{
	struct test_capture cap = {0};
	struct mxt_pass *p = new_pass(&cap);
	for (size_t i = 0; i < n; i++)
		mxt_pass_line(p, lines[i][0], (long)i + 1, 0, lines[i][1],
		    strlen(lines[i][1]));
	mxt_pass_destroy(p);
	return cap.events;
}

#define FEED(a) feed(a, sizeof a / sizeof a[0])

/* A rejection is written to the main log and the reject log (and twice
 * to syslog): read together, it counts once; true repeats stay. */
static void
run_dedupe(void)
{
	static const char rcpt[] = "2022-06-29 15:33:46 H=test.com [1.2.3.4]:53343 F=<info@test.com> rejected RCPT <toto@toto.com>: \"JunkMail rejected - test.com [1.2.3.4]:53343 is in an RBL: https://www.spamhaus.org/sbl/query/SBLCSS\"";
	static const char again[] = "1999-03-02 09:44:33 U=CALLER F=<x@y> rejected RCPT <a@b>";
	static const char sys[] = "Jun 29 15:47:21 server exim[1234]: H=tata.test.biz [1.2.3.4]:41584 X=TLS1.2:ECDHE-RSA-AES256-GCM-SHA384:256 CV=no F=<nico@test.biz> rejected RCPT <titi@alpacas.com.au>: Sender verify failed";
	static const char *const main_and_reject[][2] = {
		{"mainlog", rcpt}, {"rejectlog", rcpt},
	};
	static const char *const reject_alone[][2] = {
		{"rejectlog", rcpt},
	};
	static const char *const repeats[][2] = {
		{"rejectlog", again}, {"rejectlog", again}, {"rejectlog", again},
	};
	static const char *const repeats_both[][2] = {
		{"mainlog", again}, {"mainlog", again},
		{"rejectlog", again}, {"rejectlog", again}, {"rejectlog", again},
	};
	static const char *const syslog_twice[][2] = {
		{"syslog", sys}, {"syslog", sys}, {"syslog", sys}, {"syslog", sys},
	};
	test_int("dedupe: main log and reject log", "events",
	    FEED(main_and_reject), 1);
	test_int("dedupe: reject log alone", "events", FEED(reject_alone), 1);
	test_int("dedupe: repeats within one log file stay", "events",
	    FEED(repeats), 3);
	test_int("dedupe: 2 in main log, 3 in reject log", "events",
	    FEED(repeats_both), 3);
	test_int("dedupe: syslog_duplication pairs", "events",
	    FEED(syslog_twice), 2);

	/* a --jobs piece that read the first copy as a warm line (before
	 * its cut): the twin after the cut is no event, nor the warm line */
	for (int warm = 0; warm < 2; warm++) {
		struct test_capture wc = {0};
		struct mxt_pass *wp = new_pass(&wc);
		if (warm)
			test_ok(mxt_pass_warm_line(wp, "syslog", 0, 0, sys,
			    strlen(sys)), "warm line", "read");
		mxt_pass_line(wp, "syslog", 1, 0, sys, strlen(sys));
		test_int(warm ? "dedupe: first copy a warm line" :
		    "dedupe: first copy not read", "events", wc.events,
		    warm ? 0 : 1);
		test_int(warm ? "dedupe: first copy a warm line" :
		    "dedupe: first copy not read", "lines",
		    (long long)mxt_pass_stats(wp)->lines, 1);
		mxt_pass_destroy(wp);
	}

	/* far more rejections than the initial ring: it grows */
	struct test_capture cap = {0};
	struct mxt_pass *p = new_pass(&cap);
	char line[256];
	for (int pass = 0; pass < 2; pass++)
		for (int i = 0; i < 5000; i++) {
			snprintf(line, sizeof line, "2022-06-29 15:33:46 H=test.com [1.2.3.4]:53343 F=<info@test.com> rejected RCPT <u%d@toto.com>: No Such User Here", i);
			mxt_pass_line(p, pass ? "rejectlog" : "mainlog", i + 1,
			    0, line, strlen(line));
		}
	mxt_pass_destroy(p);
	test_int("dedupe: 5000 rejections in both logs", "events", cap.events,
	    5000);

	/* The final input (mxt_pass_final_input) replaces its own oldest
	 * entries rather than growing the ring, never an earlier input's:
	 * 20000 rejections of the main log, then a final reject log of
	 * 20000 rejections without a twin before the 20000 twins. */
	memset(&cap, 0, sizeof cap);
	p = new_pass(&cap);
	long no = 0;
	for (int part = 0; part < 3; part++) {
		if (part == 1)
			mxt_pass_final_input(p);
		for (int i = 0; i < 20000; i++) {
			snprintf(line, sizeof line, "2022-06-29 15:33:46 H=test.com [1.2.3.4]:53343 F=<info@test.com> rejected RCPT <%c%d@toto.com>: No Such User Here",
			    part == 1 ? 'v' : 'u', i);
			mxt_pass_line(p, part ? "rejectlog" : "mainlog", ++no,
			    0, line, strlen(line));
		}
	}
	mxt_pass_destroy(p);
	test_int("dedupe: a final reject log keeps the main log's keys",
	    "events", cap.events, 40000);

	/* a final syslog input: each twin a line after its first copy,
	 * 20000 of them, far past the ring the final input keeps */
	memset(&cap, 0, sizeof cap);
	p = new_pass(&cap);
	mxt_pass_final_input(p);
	no = 0;
	for (int i = 0; i < 20000; i++) {
		snprintf(line, sizeof line, "Jun 29 15:33:%02d mx exim[%d]: 2022-06-29 15:33:%02d H=test.com [1.2.3.4]:53343 F=<info@test.com> rejected RCPT <u%d@toto.com>: No Such User Here",
		    i % 60, 100 + i % 7, i % 60, i);
		for (int twin = 0; twin < 2; twin++)
			mxt_pass_line(p, "syslog", ++no, 0, line,
			    strlen(line));
	}
	mxt_pass_destroy(p);
	test_int("dedupe: syslog twins in a final input", "events",
	    cap.events, 20000);
}

/* Entries leave on Completed: a later line of the id finds no sender. */
static void
run_completed(void)
{
	struct test_capture cap = {0};
	struct mxt_pass *p = new_pass(&cap);
	const char *lines[] = {
	    "2017-04-10 00:00:31 1cxKso-0001GQ-1R <= kd123456@abcdrfg.managed.com H=abcdrfg.managed.com [62.138.219.130] P=esmtp S=671 id=20170409220030.5BCED80909@ma60655.psmanaged.com",
	    "2017-04-10 00:00:31 1cxKso-0001GQ-1R Completed",
	    "2017-04-10 00:00:31 1cxKso-0001GQ-1R => sarah@tele.com R=internal_gw T=remote_smtp H=192.168.1.11 [192.168.1.11] C=\"250 OK id=1cxKsp-0002iR-QJ\"",
	};
	for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
		mxt_pass_line(p, "test", (long)i + 1, 0, lines[i],
		    strlen(lines[i]));
		if (i == 1)
			test_int("Completed drops the message", "tracked",
			    (long long)mxt_pass_tracked(p), 0);
	}
	test_str("Completed drops the message", "sender", cap.last.sender.ptr,
	    cap.last.sender.len, "");
	mxt_pass_destroy(p);
}

/*
 * --host names the host of Exim's own log lines: events carry it and
 * messages are tracked under it, so an id of the main log meets the same
 * id of a syslog line only from that host. A message seen from its "<="
 * has msg_start_seen; one met in progress has not.
 */
static void
run_default_host(void)
{
	struct test_capture cap = {0};
	struct mxt_pass_config cfg = {.year = 2024,
	    .on_event = test_capture_event, .event_arg = &cap,
	    .default_host = "mx1.example"};
	struct mxt_pass *p = mxt_pass_create(&cfg);
	const char *lines[] = {
	    "2017-04-10 00:00:31 1cxKso-0001GQ-1R <= kd@abcdrfg.managed.com H=abcdrfg.managed.com [62.138.219.130] P=esmtp S=671",
	    "2017-04-10 00:00:31 1cxKso-0001GQ-1R => sarah@tele.com R=internal_gw T=remote_smtp H=192.168.1.11 [192.168.1.11] C=\"250 OK id=1\"",
	    "Apr 10 00:00:32 other exim[12]: 1cxKso-0001GQ-1R => sam@tele.com R=internal_gw T=remote_smtp H=192.168.1.11 [192.168.1.11] C=\"250 OK id=2\"",
	    "Apr 10 00:00:32 mx1.example exim[12]: 1cxKso-0001GQ-1R => tom@tele.com R=internal_gw T=remote_smtp H=192.168.1.11 [192.168.1.11] C=\"250 OK id=3\"",
	};
	static const struct {
		const char *host, *sender;
		bool start;
	} want[] = {
	    {NULL, NULL, false},
	    {"mx1.example", "kd@abcdrfg.managed.com", true},
	    {"other", "", false},
	    {"mx1.example", "kd@abcdrfg.managed.com", true},
	};
	for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
		mxt_pass_line(p, "test", (long)i + 1, 0, lines[i],
		    strlen(lines[i]));
		if (want[i].host == NULL)
			continue;
		test_str("--host", "host", cap.last.host.ptr,
		    cap.last.host.len, want[i].host);
		test_str("--host", "sender", cap.last.sender.ptr,
		    cap.last.sender.len, want[i].sender);
		test_int("--host", "msg_start_seen", cap.last.msg_start_seen,
		    want[i].start);
	}
	test_int("--host", "events", cap.events, 3);
	mxt_pass_destroy(p);
}

/* A central syslog host: Postfix and Exim lines in one input. */
static void
run_mixed(void)
{
	struct test_capture cap = {0};
	struct mxt_pass *p = new_pass(&cap);
	const char *lines[] = {
	    "Jun 29 14:34:58 server exim[1234]: H=imfo.test.biz [1.2.3.4]:35328 X=TLS1.2:ECDHE-RSA-AES256-GCM-SHA384:256 CV=no F=<jack@test.biz> rejected RCPT <sales@toto.com.au>: No Such User Here",
	    "May 11 04:02:37 host1 postfix/smtpd[26897]: NOQUEUE: reject: RCPT from unknown[192.168.1.1]: 554 5.7.1 Service unavailable",
	};
	for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++)
		mxt_pass_line(p, "test", (long)i + 1, 0, lines[i],
		    strlen(lines[i]));
	const struct mxt_stats *st = mxt_pass_stats(p);
	test_int("mixed input", "exim lines",
	    (long long)st->lines_mta[MXT_MTA_EXIM], 1);
	test_int("mixed input", "postfix lines",
	    (long long)st->lines_mta[MXT_MTA_POSTFIX], 1);
	test_int("mixed input", "events", cap.events, 2);
	mxt_pass_destroy(p);
}

/* Foreground output (exim -bdf -v, lines of Debian 12's Exim 4.96, see
 * testdata/exim/SOURCES): what gives no event, and the lines Exim's. */
static const struct {
	const char *name;
	const char *lines[6];
	long long claimed;
} fg_none[] = {
	{"foreground: another pid's id is not lent", {
	    "  900 delivering 1xY4xm-0000Cy-1K",
	    "  814 LOG: MAIN",
	    "  814   => bob@accept.test R=out T=remote H=127.0.0.1 [127.0.0.1] C=\"250 2.0.0 Ok: queued as PEER1\""},
	    2},
	{"foreground: the id ends with Completed", {
	    "  814 delivering 1xY4xm-0000Cy-1K",
	    "  814 LOG: MAIN",
	    "  814   Completed",
	    "  814 LOG: MAIN",
	    "  814   => bob@accept.test R=out T=remote H=127.0.0.1 [127.0.0.1] C=\"250 2.0.0 Ok: queued as PEER1\""},
	    3},
	{"foreground: an entry of another pid than its LOG line is none", {
	    "  814 delivering 1xY4xm-0000Cy-1K",
	    "  831 LOG: MAIN",
	    "  814   => bob@accept.test R=out T=remote H=127.0.0.1 [127.0.0.1] C=\"250 2.0.0 Ok: queued as PEER1\""},
	    1},
	{"foreground: an arrival has no id to get", {
	    "  804 LOG: MAIN",
	    "  804   <= alice@fg.lab.test H=(client.lab.test) [127.0.0.1] P=esmtp S=249 id=m1@fg.lab.test"},
	    1},
};

static void
run_fg_none(void)
{
	for (size_t k = 0; k < sizeof fg_none / sizeof fg_none[0]; k++) {
		struct test_capture cap = {0};
		struct mxt_pass *p = new_pass(&cap);
		for (int i = 0; i < 6 && fg_none[k].lines[i]; i++)
			mxt_pass_line(p, "test", i + 1, 0, fg_none[k].lines[i],
			    strlen(fg_none[k].lines[i]));
		test_int(fg_none[k].name, "lines claimed by exim",
		    (long long)mxt_pass_stats(p)->lines_mta[MXT_MTA_EXIM],
		    fg_none[k].claimed);
		mxt_pass_destroy(p);
		test_int(fg_none[k].name, "events", cap.events, 0);
		test_int(fg_none[k].name, "unparsed", cap.unparsed, 0);
	}
}

int
main(void)
{
	setenv("TZ", "UTC", 1);
	tzset();
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		run_case(&cases[i]);
	run_dedupe();
	run_completed();
	run_default_host();
	run_mixed();
	run_fg_none();
	return test_done();
}
