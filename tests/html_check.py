#!/usr/bin/env python3
"""The HTML report (-f html), rendered by headless Chromium.

  - the page is self-contained and safe: parsed here, only the elements
    and attributes mxtriage writes occur (no script, no image, no link,
    no event handler, no URL in any attribute), also for the hostile log
    of testdata/golden/hostile-html, whose reply texts, addresses and
    client names hold HTML, SVG and script;
  - Chromium (Debian's chromium, headless) renders the Postfix real-MTA
    report, the our-side log of testdata/golden/ourside-postfix-80 and the
    hostile page to PNG images of the window's size; its DOM (--dump-dom,
    the same run) holds the numbers of the JSON report: the header's events
    by status, every group row shown (keys, events, cached, recipients,
    messages), the causes with their side (them, us, either), the cause
    and provider charts' numbers, the timeline by cause (each bucket's
    failures by cause, as the table under the chart lists them), the rates
    per provider and per domain, the our-side complaints (with their
    example lines), SASL failures and limits by client, and the pending
    queue ids; the hostile page's DOM has no element from the log, and its
    log texts are the JSON's, controls made visible.
The Chromium runs go in parallel (the whole test takes a few seconds
on an idle machine). Without chromium that check is a TAP "# SKIP".

Usage: html_check.py MXTRIAGE TESTDATA   (TAP output)
"""
import html.parser
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tap import report as tap_report  # noqa: E402

ENV = {"LC_ALL": "C", "TZ": "UTC", "PATH": "/usr/bin:/bin"}
TAGS = {"html", "head", "meta", "title", "style", "body", "h1", "h2", "h3",
        "table", "tbody", "tr", "th", "td", "p", "span", "div", "code", "br", "svg",
        "text", "rect"}
ATTRS = {"lang", "charset", "name", "content", "class", "id", "width",
         "height", "viewbox", "role", "aria-label", "x", "y", "text-anchor",
         "font-size", "font-family", "fill", "colspan"}


class Page(html.parser.HTMLParser):
    """Elements, attributes, and the text of each table row."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags, self.bad, self.rows = set(), [], []
        self.row, self.cell, self.in_style = None, None, False
        self.row_class = None

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        if tag not in TAGS:
            self.bad.append("element <%s>" % tag)
        for k, v in attrs:
            if k not in ATTRS:
                self.bad.append("attribute %s=%r on <%s>" % (k, v, tag))
            if v and ("url(" in v or "://" in v or "javascript:" in v):
                self.bad.append("a URL in %s=%r" % (k, v))
        if tag == "tr":
            self.row, self.row_class = [], dict(attrs).get("class")
        elif tag in ("td", "th"):
            self.cell = ""
        elif tag == "style":
            self.in_style = True

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.row is not None and self.cell is not None:
            self.row.append(self.cell.strip())
            self.cell = None
        elif tag == "tr" and self.row is not None:
            self.rows.append((self.row_class, self.row))
            self.row = None
        elif tag == "style":
            self.in_style = False

    def handle_data(self, data):
        if self.in_style and ("url(" in data or "@import" in data):
            self.bad.append("an external resource in the style sheet")
        if self.cell is not None:
            self.cell += data


def parse(text):
    p = Page()
    p.feed(text)
    p.close()
    return p


def run(binary, args):
    p = subprocess.run([binary] + args, env=ENV, capture_output=True, timeout=120)
    if p.returncode not in (0, 1):
        raise RuntimeError("%s: exit %d: %s" % (args, p.returncode, p.stderr[:300]))
    return p.stdout


def chromium_cmd(chrome, profile, url, mode):
    return [chrome, "--headless", "--no-sandbox", "--disable-gpu",
            "--no-first-run", "--disable-extensions", "--disable-dev-shm-usage",
            "--user-data-dir=" + profile, "--window-size=1200,2000"] + mode + [url]


def png_size(path):
    with open(path, "rb") as f:
        head = f.read(24)
    if head[:8] != b"\x89PNG\r\n\x1a\n":
        return None
    return struct.unpack(">II", head[16:24])


def visible(s):
    """A log string as the page shows it (mxt_escape_terminal): C0
    controls and DEL as \\xNN, C1, bidi and separator controls as \\uNNNN."""
    out = []
    for ch in s:
        c = ord(ch)
        if c < 0x20 or c == 0x7F:
            out.append("\\x%02x" % c)
        elif (0x80 <= c <= 0x9F or c == 0x61C or 0x200E <= c <= 0x200F or
              0x2028 <= c <= 0x2029 or 0x202A <= c <= 0x202E or 0x2066 <= c <= 0x2069):
            out.append("\\u%04x" % c)
        else:
            out.append(ch)
    return "".join(out).strip()


def pct(v):
    return "-" if v is None else "%.1f%%" % (100 * v)


def check_rows(bad, what, rows, want):
    """rows (lists of cells) against want (lists of strings), in order."""
    if len(rows) != len(want):
        bad.append("%s: %d rows, the report has %d" % (what, len(rows), len(want)))
    for row, exp in zip(rows, want):
        if row[:len(exp)] != exp:
            bad.append("%s: row %s, the report has %s" % (what, row, exp))


def check_new_sections(page, report):
    """The sections of the rates, the timeline and our side."""
    bad = []
    classes = lambda c: [r for k, r in page.rows if k == c]  # noqa: E731
    # causes with their side
    want = [[c["cause"], c["kind"], c["side"] if c["events"] else "-",
             str(c["events"]), str(c["rejections"]), str(c["domains"])]
            for c in report["causes"] if c["cause"] not in ("suspended", "expired")]
    check_rows(bad, "causes", classes("cause"), want)
    # rates per provider and per domain
    for cls, key, lst in (("rate-provider", "provider", "providers"),
                          ("rate-domain", "domain", "domains")):
        want = [[visible(r[key]), str(r["attempts"]), str(r["delivered"]),
                 str(r["deferred"]), str(r["bounced"]), str(r["expired"]),
                 str(r["cached_repeats"]), pct(r["defer_rate"]),
                 pct(r["bounce_rate"])] for r in report["rates"][lst][:20]]
        check_rows(bad, "rates by " + key, classes(cls), want)
    # the provider chart: fresh failures of each provider
    chart = {}
    for _, r in page.rows:
        if len(r) == 2 and r[1].isdigit():
            chart.setdefault(r[0], int(r[1]))
    for r in report["rates"]["providers"]:
        f = r["deferred"] + r["bounced"] + r["expired"]
        if f and chart.get(visible(r["provider"])) != f:
            bad.append("provider chart: %s %s, the report has %d" % (
                r["provider"], chart.get(r["provider"]), f))
    # the timeline by cause: the table under the chart, one row per
    # bucket with failures (the last 120 buckets)
    charted = lambda c: c not in ("suspended", "expired")  # noqa: E731
    buckets = report["timeline"]["buckets"][-120:]
    want = {b["start"]: b for b in buckets
            if sum(v for c, v in b["causes"].items() if charted(c))}
    idx = [i for i, (k, _) in enumerate(page.rows) if k == "bucket"]
    if len(idx) != len(want):
        bad.append("timeline: %d buckets with failures, the report has %d" % (
            len(idx), len(want)))
    if idx:
        head = page.rows[idx[0] - 1][1]
        if head[0] != "time" or head[-1] != "total":
            bad.append("timeline: header %s" % head)
        for i in idx:
            row = page.rows[i][1]
            b = want.get(row[0])
            if b is None:
                bad.append("timeline: bucket %s not in the report" % row[0])
                continue
            total = sum(v for c, v in b["causes"].items() if charted(c))
            named = [c for c in head[1:-1] if c != "other causes"]
            exp = [row[0]] + [str(b["causes"].get(c, 0)) for c in named]
            if "other causes" in head:
                exp.append(str(total - sum(b["causes"].get(c, 0) for c in named)))
            exp.append(str(total))
            if row != exp:
                bad.append("timeline: row %s, the report has %s" % (row, exp))
    # our side: complaints (each followed by its example line), clients
    os_ = report["our_side"]
    rows = [(k, r) for k, r in page.rows]
    got = []
    for i, (k, r) in enumerate(rows):
        if k == "complaint":
            ex = rows[i + 1][1] if i + 1 < len(rows) and rows[i + 1][0] == "detail" else []
            got.append(r + ex)
    want = [[str(c["count"]), c["level"], visible(c["program"]), c["first"] or "",
             c["last"] or "", str(c["explained"]), visible(c["example"])]
            for c in os_["complaints"][:20]]
    check_rows(bad, "our side complaints", got, want)
    want = [[visible(c["client"]), visible(c["name"]), str(c["count"]),
             c["first"] or "", c["last"] or ""] for c in os_["sasl_failures"][:20]]
    check_rows(bad, "SASL failures", classes("sasl-failures"), want)
    want = [[visible(c["client"]), visible(c["name"]), str(c["count"]), str(c["max"]),
             c["first"] or "", c["last"] or ""] for c in os_["rate_limited"][:20]]
    check_rows(bad, "limits enforced", classes("rate-limited"), want)
    return bad


def check_page(page, report):
    """Problems: the page's numbers against the JSON report."""
    bad = check_new_sections(page, report)
    h = report["header"]["events"]
    text = " ".join(" ".join(r) for _, r in page.rows)
    for st in ("delivered", "deferred", "bounced", "expired", "rejected"):
        if "%d %s" % (h[st], st) not in text:
            bad.append("header: no '%d %s'" % (h[st], st))
    groups = [r for c, r in page.rows if c == "group"]
    want = report["groups"][:20]
    if len(groups) != len(want):
        bad.append("%d group rows, the report has %d" % (len(groups), len(want)))
    for row, g in zip(groups, want):
        keys = list(g["keys"].values())
        exp = keys + [str(g["events"]), str(g["cached_repeats"]),
                      str(g["recipients"]), str(g["messages"])]
        if row[:len(exp)] != exp:
            bad.append("group row %s, the report has %s" % (row[:len(exp)], exp))
    chart = {}
    for _, r in page.rows:
        if len(r) == 2 and r[1].isdigit():
            chart.setdefault(r[0], int(r[1]))
    for c in report["causes"]:
        if c["cause"] in ("suspended", "expired"):
            continue
        if chart.get(c["cause"]) != c["events"] + c["rejections"]:
            bad.append("cause chart: %s %s, the report has %d" % (
                c["cause"], chart.get(c["cause"]), c["events"] + c["rejections"]))
    for p in report["retries"]["pending_list"][:20]:
        if p["queue_id"] not in text:
            bad.append("pending queue id %s not on the page" % p["queue_id"])
    return bad


def main():
    binary, td = sys.argv[1], sys.argv[2]
    chrome = shutil.which("chromium") or shutil.which("chromium-browser")
    mta = os.path.join(td, "mta", "out")
    logs = {
        "postfix": ["--year", "2026", os.path.join(mta, "postfix", "mail.log")],
        "exim": [os.path.join(mta, "exim", "mainlog"), os.path.join(mta, "exim", "rejectlog")],
        "ourside": ["--year", "2026",
                    os.path.join(td, "golden", "ourside-postfix-80", "input.log")],
        "hostile": ["--year", "2024", "--by", "domain,sender,relay",
                    os.path.join(td, "golden", "hostile-html", "input.log")],
    }
    tmp = tempfile.mkdtemp(prefix="mxtriage-html-")
    results = []
    pages, reports = {}, {}
    for name, args in logs.items():
        raw = run(binary, ["-f", "html"] + args)
        reports[name] = json.loads(run(binary, ["-f", "json"] + args))
        path = os.path.join(tmp, name + ".html")
        with open(path, "wb") as f:
            f.write(raw)
        page = parse(raw.decode("utf-8"))
        pages[name] = path
        bad = list(page.bad)
        if "script" in page.tags or "svg" not in page.tags:
            bad.append("elements: %s" % sorted(page.tags))
        results.append(("%s: self-contained, only mxtriage's elements and "
                        "attributes" % name, bad))
        if name == "hostile":
            # the groups' keys are log text: the sections from the rates on
            bad = check_new_sections(page, reports[name])
        else:
            bad = check_page(page, reports[name])
        results.append(("%s: the page's numbers are the JSON report's" % name, bad))
    # the hostile texts are on the page as text
    page = parse(open(pages["hostile"], encoding="utf-8").read())
    text = " ".join(" ".join(r) for _, r in page.rows)
    bad = [t for t in ("<script>alert(1)</script>", "<img src=x onerror=alert(2)>",
                       "c</svg><svg onload=alert(3)>.example", "<i>evil</i>",
                       "\\u202e\\x1b[2J\\u2066",
                       # our side: a SASL client name, a limit's client,
                       # a warning's text
                       "<script>alert(4)</script>", "<img src=x onerror=alert(5)>",
                       "<b>rate</b>", '"><svg onload=alert(6)> & <!-- \\x1b[2J\\u202e')
           if t not in text]
    results.append(("hostile: log texts shown as text, controls made visible",
                    ["missing as text: %r" % t for t in bad]))

    if chrome is None:
        results.append(("chromium renders the pages # SKIP no chromium", []))
    else:
        # one run per page gives both the DOM and the screenshot; the
        # Exim page is checked above without a browser
        procs = {}
        for name in ("postfix", "ourside", "hostile"):
            url = "file://" + pages[name]
            shot = os.path.join(tmp, name + ".png")
            prof = os.path.join(tmp, "profile-" + name)
            procs[name] = (
                subprocess.Popen(chromium_cmd(chrome, prof, url,
                                              ["--dump-dom", "--screenshot=" + shot]),
                                 stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                 env={"HOME": tmp, "PATH": "/usr/bin:/bin"}, cwd=tmp),
                shot)
        for name, (proc, shot) in procs.items():
            bad = []
            try:
                out, _ = proc.communicate(timeout=110)
            except subprocess.TimeoutExpired:
                proc.kill()
                results.append(("%s: chromium renders it" % name, ["chromium timed out"]))
                continue
            size = png_size(shot) if os.path.exists(shot) else None
            if size != (1200, 2000):
                bad.append("screenshot: %s" % (size,))
            dom_page = parse(out.decode("utf-8", "replace"))
            if not out:
                bad.append("no DOM")
            bad += ["DOM: " + b for b in dom_page.bad]
            check = check_new_sections if name == "hostile" else check_page
            bad += ["DOM: " + b for b in check(dom_page, reports[name])]
            results.append(("%s: chromium renders it to a PNG, its DOM holds the "
                            "report's numbers and nothing from the log as markup"
                            % name, bad))
    shutil.rmtree(tmp, ignore_errors=True)

    return tap_report(results, 15)


if __name__ == "__main__":
    sys.exit(main())
