#!/usr/bin/env bash
# Throughput benchmark: mxtriage against `grep -c status=` on the same
# generated Postfix log, in the same run, so the ratio means something on a
# shared, noisy machine. Usage: bench/run.sh [BUILD_DIR] [SIZE_MB]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$here/../build}
size=${2:-200}
bin=$build/cmd/mxtriage/mxtriage
log=${TMPDIR:-/tmp}/mxtriage-bench-$size.log
[ -x "$bin" ] || { echo "bench: $bin not built (meson setup build && ninja -C build)" >&2; exit 2; }
[ -s "$log" ] || python3 "$here/gen_postfix.py" "$log" "$size" 1
bytes=$(stat -c %s "$log")
cat "$log" >/dev/null # warm the page cache for both

out=$(mktemp)
trap 'rm -f "$out"' EXIT
best() { # best wall time of 3 runs of "$@", in seconds
	# output goes to a file, not /dev/null: GNU grep notices /dev/null
	# and stops at the first match
	local best=999999 t s e
	for _ in 1 2 3; do
		s=$(date +%s.%N); "$@" >"$out"; e=$(date +%s.%N)
		t=$(echo "$e - $s" | bc -l)
		best=$(echo "if ($t < $best) $t else $best" | bc -l)
	done
	echo "$best"
}

export LC_ALL=C
tg=$(best grep -c status= "$log")
tm=$(best "$bin" events --year 2024 "$log")
tc=$(best "$bin" events --year 2024 -f csv "$log")
ts=$(best "$bin" --year 2024 "$log")
mb=$(echo "$bytes / 1048576" | bc -l)
printf 'input: %s, %.0f MB, %d lines, %d events\n' "$log" "$mb" \
	"$(wc -l <"$log")" "$("$bin" events --year 2024 "$log" | wc -l)"
printf '%-32s %8.3f s %8.1f MB/s\n' "grep -c status= (reference)" "$tg" "$(echo "$mb / $tg" | bc -l)"
printf '%-32s %8.3f s %8.1f MB/s  %.2fx grep time\n' "mxtriage events (jsonl)" "$tm" "$(echo "$mb / $tm" | bc -l)" "$(echo "$tm / $tg" | bc -l)"
printf '%-32s %8.3f s %8.1f MB/s  %.2fx grep time\n' "mxtriage events -f csv" "$tc" "$(echo "$mb / $tc" | bc -l)" "$(echo "$tc / $tg" | bc -l)"
printf '%-32s %8.3f s %8.1f MB/s  %.2fx grep time\n' "mxtriage (summary report)" "$ts" "$(echo "$mb / $ts" | bc -l)" "$(echo "$ts / $tg" | bc -l)"
printf 'peak RSS of the summary report: %s kB\n' "$( { /usr/bin/time -f %M "$bin" --year 2024 "$log" >/dev/null; } 2>&1 )"
printf 'peak RSS of mxtriage events: %s kB\n' "$( { /usr/bin/time -f %M "$bin" events --year 2024 -o /dev/null "$log"; } 2>&1 )"
