#!/usr/bin/env bash
# A release build of mxtriage trained on mail logs: profile-guided
# optimisation (meson's b_pgo, gcc's -fprofile-generate / -fprofile-use).
# The compiler lays out the code and its branches as the logs use them;
# what the binary does is the same (every test passes on it), it runs
# about a tenth fewer instructions. It is also linked with link-time
# optimisation (b_lto): the small functions of one file (the map, the
# tracker, the prefix tests) are then inlined into the callers of
# another, with the profile's view of which calls are hot. On the 100 MB
# bench logs that takes the trained build's instructions from 2.558 G to
# 2.354 G (Postfix report, one thread) and from 2.664 G to 2.535 G (Exim).
#
# Training reads, with one thread and then two, in every report format
# and as events:
#   - generated Postfix and Exim logs (gen_postfix.py, gen_exim.py: 20 MB
#     each, deliveries, deferrals and retries, bounces, rejections, noise);
#   - the logs real Postfix and Exim wrote in testdata/mta, and the other
#     logs of testdata/ (the sample, the rotated set);
#   - the public corpus (../shared/corpus) when it is beside the checkout.
# So the profile is that of real logs of both MTAs, not of one fixture.
#
# Usage: bench/pgo-build.sh [BUILD_DIR]     (default: build-pgo)
# Takes about two minutes on two cores. BUILD_DIR is made (or reconfigured
# when it is a meson build directory already).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/.." && pwd)
build=${1:-$src/build-pgo}
corpus=${CORPUS:-$src/../shared/corpus}
export LC_ALL=C TZ=UTC MXTRIAGE_HOSTNAME=pgo.test

if [ -e "$build" ] && [ ! -f "$build/build.ninja" ]; then
	echo "pgo-build: $build exists and is not a meson build directory" >&2
	exit 2
fi
if [ -f "$build/build.ninja" ]; then
	meson configure "$build" -Dbuildtype=release -Db_lto=true -Db_pgo=generate
	find "$build" -name '*.gcda' -delete # no counts of an earlier run
else
	meson setup "$build" "$src" -Dbuildtype=release -Db_lto=true -Db_pgo=generate
fi
ninja -C "$build" cmd/mxtriage/mxtriage
bin=$build/cmd/mxtriage/mxtriage

train=$(mktemp -d)
trap 'rm -rf "$train"' EXIT
python3 "$here/gen_postfix.py" "$train/postfix.log" 20 7
python3 "$here/gen_exim.py" "$train/exim.log" 20 7
logs=("$train/postfix.log" "$train/exim.log")
while IFS= read -r -d '' f; do
	logs+=("$f")
done < <(find "$src/testdata/mta" "$src/testdata/sample" "$src/testdata/rotated" \
    -type f \( -name '*.log*' -o -name mainlog -o -name rejectlog \) -print0 | sort -z)
if [ -d "$corpus" ]; then
	while IFS= read -r -d '' f; do
		logs+=("$f")
	done < <(find "$corpus" -type f -size -20M \( -name '*.log' -o -name '*mainlog*' \
	    -o -name '*maillog*' \) -print0 | sort -z)
fi
echo "pgo-build: training on ${#logs[@]} logs" >&2
for f in "${logs[@]}"; do
	for jobs in 1 2; do
		"$bin" --jobs $jobs "$f" >/dev/null 2>&1 || true
		"$bin" --jobs $jobs -f json "$f" >/dev/null 2>&1 || true
		"$bin" events --jobs $jobs "$f" >/dev/null 2>&1 || true
	done
	"$bin" -f csv --jobs 1 "$f" >/dev/null 2>&1 || true
	"$bin" events -f csv --jobs 1 "$f" >/dev/null 2>&1 || true
done

meson configure "$build" -Db_pgo=use
ninja -C "$build" cmd/mxtriage/mxtriage
echo "pgo-build: $bin" >&2
