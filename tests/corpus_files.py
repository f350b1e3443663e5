"""The log files of the shared corpus that the corpus tests read.

Message-only files (*.msg.log) have no header to read and the Markdown
files are the corpus's own documentation; both are left out.
"""
import os


def corpus_logs(corpus, wanted=None):
    """Sorted paths of the corpus's log files; with `wanted` (a compiled
    bytes regex), only the files whose content it finds."""
    files = []
    for root, _, names in os.walk(corpus):
        for name in names:
            if name.endswith(".md") or name.endswith(".msg.log"):
                continue
            path = os.path.join(root, name)
            if wanted is not None:
                with open(path, "rb") as f:
                    if not wanted.search(f.read()):
                        continue
            files.append(path)
    return sorted(files)


# The ratchet: per corpus file, the events mxtriage gives and the lines it
# lists as unparsed, as committed in testdata/corpus-baseline.json. A file
# whose unparsed count rises or whose events fall fails, so a parser that
# rejected every line (its events fall to zero) cannot pass; a fall in
# unparsed (or a rise in events) passes with a note asking to tighten the
# baseline. UPDATE_BASELINE=1 rewrites the baseline's section: review the
# diff like code.
BASELINE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..",
                        "testdata", "corpus-baseline.json")


class Ratchet:
    def __init__(self, section):
        import json
        self.section = section
        self.update = os.environ.get("UPDATE_BASELINE") == "1"
        self.all = {}
        if os.path.exists(BASELINE):
            with open(BASELINE) as f:
                self.all = json.load(f)
        self.base = self.all.get(section, {})
        self.seen = {}

    def check(self, rel, events, unparsed):
        """(ok, messages) for one file."""
        self.seen[rel] = {"events": events, "unparsed": unparsed}
        if self.update:
            return True, []
        b = self.base.get(rel)
        if b is None:
            return False, ["not in %s; run with UPDATE_BASELINE=1 and review "
                           "the diff" % os.path.relpath(BASELINE)]
        ok, msgs = True, []
        if unparsed > b["unparsed"]:
            ok = False
            msgs.append("unparsed rose from %d to %d" % (b["unparsed"], unparsed))
        if events < b["events"]:
            ok = False
            msgs.append("events fell from %d to %d" % (b["events"], events))
        if unparsed < b["unparsed"] or events > b["events"]:
            msgs.append("better than the baseline (events %d -> %d, unparsed "
                        "%d -> %d): lower it with UPDATE_BASELINE=1 so the "
                        "ratchet keeps the gain" % (b["events"], events,
                                                   b["unparsed"], unparsed))
        return ok, msgs

    def finish(self):
        """Writes the baseline when updating; returns the files of the
        baseline that were not read (a corpus file gone or renamed)."""
        import json
        if self.update:
            self.all[self.section] = dict(sorted(self.seen.items()))
            with open(BASELINE, "w") as f:
                json.dump(self.all, f, indent=1, sort_keys=True)
                f.write("\n")
            return []
        return sorted(set(self.base) - set(self.seen))
