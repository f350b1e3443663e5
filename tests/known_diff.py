"""Comparison with another tool's counts where every difference must be
explained: KNOWN maps a field to (ours, theirs, why). Shared by
pflogsumm_check.py and eximstats_check.py."""


def problems(ours, theirs, fields, known, tool):
    """What is wrong with ours against theirs (tool's counts) for fields:
    a difference KNOWN does not list, a listed one that changed, or a
    listed one that is gone (KNOWN must then lose it)."""
    out = []
    for f in fields:
        if ours[f] == theirs[f]:
            if f in known:
                out.append("%s: now agree at %d, but KNOWN says they differ (%s)"
                           % (f, ours[f], known[f][2]))
        elif f not in known:
            out.append("%s: mxtriage %d, %s %d, not explained"
                       % (f, ours[f], tool, theirs[f]))
        elif known[f][:2] != (ours[f], theirs[f]):
            out.append("%s: mxtriage %d, %s %d, KNOWN expects %d and %d"
                       % (f, ours[f], tool, theirs[f], known[f][0], known[f][1]))
    return out


def print_result(i, title, bad, known, tool):
    """One TAP line for a file; the problems as diagnostics, or, when
    there are none, the explained differences. Returns whether it failed."""
    print("%s %d - %s" % ("not ok" if bad else "ok", i, title))
    for p in bad:
        print("# " + p)
    for f, (a, b, why) in sorted(known.items()):
        if not bad:
            print("# %s: mxtriage %d, %s %d: %s" % (f, a, tool, b, why))
    return bool(bad)
