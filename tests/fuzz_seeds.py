#!/usr/bin/env python3
"""The fuzz targets over their seed corpora (TAP), in the ordinary and the
sanitizer suites: tests/fuzz/seeds.py makes the seeds, from testdata and
the shared corpus when it is there, into a temporary folder, and each
target's replay binary (fuzz-replay-NAME, the target linked with
tests/fuzz/replay.c) runs every seed of its folder. A target's own checks
(counts that add up, strings read to their end, round trips) and, under
the sanitizers, their findings fail it; so does a target with no seed.
The saved crash inputs of testdata/fuzz-regress are replayed by the
fuzz-regress-NAME tests; this one makes the targets meet ordinary input
on every run, without clang.

Usage: fuzz_seeds.py MXTRIAGE CORPUS REPLAY_BINARY...
"""
import os
import subprocess
import sys
import tempfile

from tap import Tap

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    binary, corpus, replays = sys.argv[1], sys.argv[2], sys.argv[3:]
    tap = Tap()
    env = dict(os.environ, MXTRIAGE=binary, TZ="UTC", LC_ALL="C")
    with tempfile.TemporaryDirectory() as tmp:
        seeds = os.path.join(tmp, "seeds")
        r = subprocess.run([sys.executable, os.path.join(HERE, "fuzz", "seeds.py"),
                            seeds, corpus], env=env, capture_output=True,
                           text=True)
        tap.check("seeds.py made the seed corpora", r.returncode == 0,
                  [r.returncode, r.stderr[-500:]])
        if not os.path.isdir(corpus):
            print("# no corpus at %s: seeds from testdata only" % corpus)
        for exe in replays:
            name = os.path.basename(exe).removeprefix("fuzz-replay-")
            folder = os.path.join(seeds, name)
            n = len(os.listdir(folder)) if os.path.isdir(folder) else 0
            if n == 0:
                tap.check("%s: has seeds" % name, False, [folder])
                continue
            p = subprocess.run([exe, folder], env=env, capture_output=True,
                               text=True, errors="replace")
            tap.check("%s: %d seeds replayed, exit 0" % (name, n),
                      p.returncode == 0,
                      [p.returncode] + p.stderr.splitlines()[-20:])
    return tap.finish()


if __name__ == "__main__":
    sys.exit(main())
