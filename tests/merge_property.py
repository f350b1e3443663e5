#!/usr/bin/env python3
"""Property tests of `mxtriage merge` (TAP).

Each log is cut into k pieces at random line boundaries (several seeds, k
from 2 to 10); each piece is summarised with `-f json`, the pieces are
merged (given in a shuffled order) and the result must equal the summary
of the whole log in every count: header, groups, causes, retry outcomes
with the delay buckets, the pending list, rejections by client. Only the
input names differ (also in the trace commands), and the carried in-flight entries (in_flight and
received_in_flight, which describe the cut itself). Merging is also checked to give the same bytes whatever way
the pieces are grouped: merge(A, B, C) = merge(merge(A, B), C) =
merge(A, merge(B, C)). And a document whose pending and in-flight rows
are listed in the reverse order (two of them tying on all but one field)
merges to the same bytes.

Usage: merge_property.py MXTRIAGE TESTDATA [CORPUS]
"""
import json
import os
import random
import subprocess
import sys
import tempfile

ENV = {"LC_ALL": "C", "TZ": "UTC", "PATH": "/usr/bin:/bin"}


def run(binary, args, stdin=None):
    p = subprocess.run([binary] + args, env=ENV, stdin=stdin,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    return p.returncode, p.stdout, p.stderr


def comparable(doc, texts=True):
    doc = json.loads(json.dumps(doc))
    doc["header"].pop("inputs")
    doc.pop("in_flight")
    # what a merge may still add to header.received: the messages begun
    # and not queued, and those met in progress, on either side of a cut
    doc.pop("received_in_flight")
    # trace commands name the inputs, as the header does
    for p in doc["retries"]["pending_list"]:
        p.pop("trace", None)
    for g in doc["groups"]:
        g.pop("trace", None)
        # reply texts are kept per group up to a cap (the man page says
        # so): a merged histogram is exact only where no part hit it
        if not texts or g["texts_unnamed"]:
            for k in ("texts", "texts_unnamed", "top_text", "top_text_events"):
                g.pop(k)
    return doc


def differences(a, b, path="$"):
    if type(a) is not type(b):
        return ["%s: %r != %r" % (path, a, b)]
    if isinstance(a, dict):
        out = []
        for k in sorted(set(a) | set(b)):
            out += differences(a.get(k), b.get(k), path + "." + k)
        return out
    if isinstance(a, list):
        out = [] if len(a) == len(b) else ["%s: %d != %d entries" % (path, len(a), len(b))]
        for i, (x, y) in enumerate(zip(a, b)):
            out += differences(x, y, "%s[%d]" % (path, i))
        return out
    return [] if a == b else ["%s: %r != %r" % (path, a, b)]


def summary(binary, path, extra):
    rc, out, err = run(binary, ["-f", "json", "--year", "2026"] + extra + [path])
    if rc not in (0, 1):
        raise RuntimeError("%s: exit %d: %s" % (path, rc, err.decode()))
    return out


def main():
    binary, testdata = sys.argv[1], sys.argv[2]
    corpus = sys.argv[3] if len(sys.argv) > 3 else ""
    logs = [
        (os.path.join(testdata, "mta/out/postfix/mail.log"), []),
        (os.path.join(testdata, "mta/out/postfix/mail-rfc3339.log"), []),
        (os.path.join(testdata, "mta/out/exim/mainlog"), []),
        (os.path.join(testdata, "mta/out/postfix/mail.log"), ["--by", "provider,code,relay"]),
    ]
    # Not here: testdata/sample/mail.log (fixtures of several years, its
    # lines are not in time order, so pieces cannot be put back in order)
    # and Exim's test-suite log (thousands of runs that reuse the same
    # message ids within one second).
    for rel in ("ddgrey/mainlog", "exim-testtask-maillog/maillog-sample.log"):
        if corpus and os.path.exists(os.path.join(corpus, rel)):
            logs.append((os.path.join(corpus, rel), []))
    tests = []
    tmp = tempfile.mkdtemp(prefix="mxt-merge-")
    for log, extra in logs:
        with open(log, "rb") as f:
            lines = f.read().splitlines(keepends=True)
        whole_doc = json.loads(summary(binary, log, extra))
        capped = any(g["texts_unnamed"] for g in whole_doc["groups"])
        whole = comparable(whole_doc, texts=not capped)
        for seed in (1, 2, 3):
            rnd = random.Random("%s:%d" % (os.path.basename(log), seed))
            k = rnd.randint(2, 10)
            cuts = sorted(rnd.sample(range(1, len(lines)), k - 1))
            bounds = [0] + cuts + [len(lines)]
            docs = []
            for i in range(k):
                piece = os.path.join(tmp, "piece%d.log" % i)
                with open(piece, "wb") as f:
                    f.writelines(lines[bounds[i]:bounds[i + 1]])
                # the pieces keep the whole log's mtime: same year inference
                st = os.stat(log)
                os.utime(piece, (st.st_atime, st.st_mtime))
                doc = os.path.join(tmp, "piece%d.json" % i)
                with open(doc, "wb") as f:
                    f.write(summary(binary, piece, extra))
                docs.append(doc)
            shuffled = docs[:]
            rnd.shuffle(shuffled)
            rc, out, err = run(binary, ["merge", "-f", "json"] + shuffled)
            name = "%s %s seed %d k %d" % (os.path.basename(log), " ".join(extra), seed, k)
            if rc != 0:
                tests.append((False, name, ["exit %d: %s" % (rc, err.decode())]))
                continue
            diff = differences(whole, comparable(json.loads(out), texts=not capped))
            tests.append((not diff, name + ": merged = whole", diff))
            if seed == 1 and k >= 3:
                ab = os.path.join(tmp, "ab.json")
                bc = os.path.join(tmp, "bc.json")
                with open(ab, "wb") as f:
                    f.write(run(binary, ["merge", "-f", "json"] + docs[:2])[1])
                with open(bc, "wb") as f:
                    f.write(run(binary, ["merge", "-f", "json"] + docs[1:])[1])
                def canon(b):
                    d = json.loads(b)
                    for g in d["groups"]:
                        if capped:
                            for k in ("texts", "texts_unnamed", "top_text", "top_text_events"):
                                g.pop(k)
                    return json.dumps(d, sort_keys=False)
                flat = canon(run(binary, ["merge", "-f", "json"] + docs)[1])
                left = canon(run(binary, ["merge", "-f", "json", ab] + docs[2:])[1])
                right = canon(run(binary, ["merge", "-f", "json", docs[0], bc])[1])
                out = canon(out)
                tests.append((flat == left == right and flat == out,
                              name + ": same bytes however grouped or ordered",
                              [] if flat == left == right == out else ["outputs differ"]))
    # Two hosts in one syslog stream that reuse each other's queue ids:
    # the real Postfix log and a copy as host "mta-lab2", interleaved line
    # by line. The per-host summaries merged equal the mixed run.
    log = os.path.join(testdata, "mta/out/postfix/mail.log")
    with open(log, "rb") as f:
        one = f.read().splitlines(keepends=True)
    two = [l.replace(b" mta-lab postfix", b" mta-lab2 postfix", 1) for l in one]
    mixed = [l for pair in zip(one, two) for l in pair]
    parts = []
    for name, lines in (("mixed", mixed), ("host1", one), ("host2", two)):
        path = os.path.join(tmp, name + ".log")
        with open(path, "wb") as f:
            f.writelines(lines)
        st = os.stat(log)
        os.utime(path, (st.st_atime, st.st_mtime))
        doc = os.path.join(tmp, name + ".json")
        with open(doc, "wb") as f:
            f.write(summary(binary, path, []))
        parts.append(doc)
    whole = json.load(open(parts[0]))
    capped = any(g["texts_unnamed"] for g in whole["groups"])
    rc, out, err = run(binary, ["merge", "-f", "json", parts[2], parts[1]])
    diff = differences(comparable(whole, texts=not capped),
                       comparable(json.loads(out), texts=not capped)) if rc == 0 else [err.decode()]
    tests.append((not diff, "two hosts reusing queue ids: per-host summaries merged = mixed run", diff))
    one_doc = json.load(open(parts[1]))
    tests.append((whole["header"]["events"] == {k: 2 * v for k, v in one_doc["header"]["events"].items()},
                  "two hosts: the mixed run counts each host's events once", []))

    # Rows a document lists in some order (pending, in flight) come out in
    # one order whatever order the document gave them, also rows that tie
    # on every field but one: two superseded in-flight entries of one
    # queue id that touched different recipients.
    base = json.load(open(os.path.join(testdata, "fuzz-regress/merge/pending-rows-differ-by-domain.json")))
    twin = [dict(f) for f in base["in_flight"][:1] * 2]
    for f in twin:
        f["superseded"] = True
    twin[1]["touched"] = [dict(t, recipient="zed-" + t["recipient"]) for t in twin[1]["touched"]]
    outs = []
    for flip in (False, True):
        doc = dict(base, in_flight=twin + base["in_flight"][1:])
        doc["retries"] = dict(base["retries"], pending_list=base["retries"]["pending_list"][:])
        if flip:
            doc["in_flight"].reverse()
            doc["retries"]["pending_list"].reverse()
        path = os.path.join(tmp, "rows%d.json" % flip)
        with open(path, "w") as f:
            json.dump(doc, f)
        outs.append(run(binary, ["merge", "-f", "json", path]))
    same = outs[0][0] == outs[1][0] == 0 and outs[0][1] == outs[1][1]
    tests.append((same, "merge: rows in another order in the document, the same bytes",
                  [] if same else ["exit %d/%d, outputs %s" % (outs[0][0], outs[1][0],
                                   "equal" if outs[0][1] == outs[1][1] else "differ")]))

    # The timeline's "hours" lists the hours with events (the JSON
    # report writes them one at a time): an hour whose counts are all 0
    # in a document (what taking back a recipient-less expiry can leave)
    # is not listed, the others are, in order.
    doc = json.load(open(os.path.join(testdata, "fuzz-regress/merge/pending-rows-differ-by-domain.json")))
    hours = doc["timeline"]["hours"]
    if hours:
        empty = json.loads(json.dumps(hours[0]))
        for k in ("delivered", "deferred", "bounced", "expired", "rejected", "cached_repeats"):
            empty[k] = 0
        empty["causes"] = {}
        empty["start"] = "2001-01-01T00:00:00Z"
        doc["timeline"]["hours"] = [empty] + hours
        path = os.path.join(tmp, "empty-hour.json")
        with open(path, "w") as f:
            json.dump(doc, f)
        rc, out, err = run(binary, ["merge", "-f", "json", path])
        got = [h["start"] for h in json.loads(out)["timeline"]["hours"]] if rc == 0 else None
        want = [h["start"] for h in hours]
        tests.append((got == want, "merge: an hour with no events is not listed in timeline.hours",
                      [] if got == want else ["got %s, want %s (exit %d: %s)" % (got, want, rc, err.decode()[:200])]))
    else:
        tests.append((False, "merge: an hour with no events is not listed in timeline.hours",
                      ["the document has no hours to start from"]))

    print("1..%d" % len(tests))
    failed = 0
    for i, (ok, name, diff) in enumerate(tests, 1):
        print("%s %d - %s" % ("ok" if ok else "not ok", i, name))
        for d in diff[:20]:
            print("# " + d)
        failed += not ok
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
