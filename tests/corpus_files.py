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
