#!/usr/bin/env bash
# Throughput and memory benchmark. On generated Postfix and Exim logs
# (gen_postfix.py, gen_exim.py) it times, in one run:
#   LC_ALL=C grep -c      the reference: how fast this machine reads the file
#   mxtriage report       -f table, json, csv
#   mxtriage events       jsonl and csv
#   mxtriage --jobs 1/2   when the build has --jobs: of the file, of the
#                         file through a pipe (cat LOG | mxtriage -: one
#                         pass, the summary on a second thread) and of the
#                         file compressed with gzip (one piece: one pass,
#                         decompressed on a thread of its own); the
#                         gzip copy is made once, beside the log (MB/s:
#                         of the text)
#   events --jobs 1       when events has --jobs (one thread; the default
#                         writes the events on a second thread)
#   pflogsumm, eximstats  the usual tools (Debian packages pflogsumm and
#                         exim4-base), installed if missing and run as root
# and prints one table: best wall time of RUNS runs, MB/s, the time as a
# multiple of grep's time on the same file in the same run (the number that
# means something on a shared, noisy machine), and peak RSS
# (/usr/bin/time's "Maximum resident set size", the largest of the runs).
# CPU is user + system seconds (best run): on a machine shared with other
# work the wall time waits for a core and the CPU time does not, so the CPU
# columns are the steadier figures there.
#
# Usage: bench/run.sh [BUILD_DIR [SIZE_MB...]]      (default: build 100)
# Environment: MTAS ("postfix exim"), RUNS (3; pflogsumm and eximstats run
# once), REFS (yes; no leaves out pflogsumm and eximstats), BENCH_DIR (where the generated logs are kept, default $TMPDIR or
# /tmp; a log is generated once and reused).
# Takes about 2.5 minutes for 100 MB (both MTAs, a loaded 2-core machine),
# most of it pflogsumm and eximstats, and about ten times that for 1024 MB;
# generating the logs takes a few minutes more the first time.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$here/../build}
shift || true
sizes=${*:-100}
mtas=${MTAS:-postfix exim}
runs=${RUNS:-3}
dir=${BENCH_DIR:-${TMPDIR:-/tmp}}
bin=$build/cmd/mxtriage/mxtriage
[ -x "$bin" ] || { echo "bench: $bin not built (meson setup build && ninja -C build)" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "bench: /usr/bin/time missing (apt-get install time)" >&2; exit 2; }
export LC_ALL=C TZ=UTC

# the reference tools, from Debian's archive
need=()
command -v pflogsumm >/dev/null || need+=(pflogsumm)
command -v eximstats >/dev/null || need+=(exim4-base)
if [ ${#need[@]} -gt 0 ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
	echo "bench: installing ${need[*]}" >&2
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null || true
fi

out=$(mktemp)
trap 'rm -f "$out" "$out.t"' EXIT
start=$SECONDS
jobs=no
"$bin" summary --help 2>&1 | grep -q -- '--jobs' && jobs=yes
events_jobs=no
"$bin" events --help 2>&1 | grep -q -- '--jobs' && events_jobs=yes

# measure LABEL CMD...: best wall time of $runs runs and the largest peak
# RSS; stdout goes to a file, not /dev/null (GNU grep notices /dev/null and
# stops at the first match)
measure() {
	local label=$1 n=$runs best=999999 cpu=999999 rss=0 t s e m c
	shift
	case $1 in pflogsumm|eximstats) n=1 ;; esac
	for _ in $(seq "$n"); do
		# the last run's output goes before the clock starts: the
		# shell's truncation of a gigabyte of events (O_TRUNC, freeing
		# its pages and waiting for those under writeback) was timed
		# as the command's
		rm -f "$out"
		s=$(date +%s.%N)
		/usr/bin/time -f '%M %U %S' -o "$out.t" "$@" >"$out" 2>/dev/null || true
		e=$(date +%s.%N)
		t=$(echo "$e - $s" | bc -l)
		best=$(echo "if ($t < $best) $t else $best" | bc -l)
		read -r m u k < <(tail -n 1 "$out.t")
		[ "$m" -gt "$rss" ] && rss=$m
		c=$(echo "$u + $k" | bc -l)
		cpu=$(echo "if ($c < $cpu) $c else $cpu" | bc -l)
	done
	[ "$label" = grep ] && tgrep=$best && cgrep=$cpu
	# grep's CPU time can round to 0.00 on a small file
	printf '| %-7s | %5s | %-18s | %7.3f | %6.0f | %6.2f | %6.2f | %6.1f | %7.1f |\n' "$mta" "$size" "$label" \
		"$best" "$(echo "$mb / $best" | bc -l)" "$(echo "$best / $tgrep" | bc -l)" \
		"$cpu" "$(echo "$cpu / ($cgrep + 0.005)" | bc -l)" "$(echo "$rss / 1024" | bc -l)"
}

printf '| %-7s | %5s | %-18s | %7s | %6s | %6s | %6s | %6s | %7s |\n' MTA MB command "wall s" "MB/s" "× grep" "CPU s" "× grep" "RSS MiB"
printf '|%s|%s|%s|%s|%s|%s|%s|%s|%s|\n' --------- ------: -------------------- --------: -------: -------: -------: -------: --------:
for size in $sizes; do
	for mta in $mtas; do
		log=$dir/mxtriage-bench-$mta-$size.log
		[ -s "$log" ] || python3 "$here/gen_$mta.py" "$log" "$size" 1
		mb=$(echo "$(stat -L -c %s "$log") / 1048576" | bc -l)
		cat "$log" >/dev/null # warm the page cache for all
		year=()
		pat=' => '
		[ "$mta" = postfix ] && year=(--year 2024) && pat=status=
		measure grep grep -c "$pat" "$log"
		measure "report -f table" "$bin" "${year[@]}" "$log"
		measure "report -f json" "$bin" "${year[@]}" -f json "$log"
		measure "report -f csv" "$bin" "${year[@]}" -f csv "$log"
		measure "events (jsonl)" "$bin" events "${year[@]}" "$log"
		measure "events -f csv" "$bin" events "${year[@]}" -f csv "$log"
		if [ $jobs = yes ]; then
			measure "report --jobs 1" "$bin" "${year[@]}" --jobs 1 "$log"
			measure "report --jobs 2" "$bin" "${year[@]}" --jobs 2 "$log"
			for j in 1 2; do
				measure "pipe --jobs $j" bash -c 'cat "$1" | "$2" "${@:3}" -' \
					bash "$log" "$bin" "${year[@]}" --jobs $j
			done
			[ -s "$log.gz" ] || gzip -c "$log" >"$log.gz"
			for j in 1 2; do
				measure "gzip --jobs $j" "$bin" "${year[@]}" --jobs $j "$log.gz"
			done
		fi
		if [ $events_jobs = yes ]; then
			measure "events --jobs 1" "$bin" events "${year[@]}" --jobs 1 "$log"
		fi
		if [ "${REFS:-yes}" = no ]; then
			:
		elif [ "$mta" = postfix ] && command -v pflogsumm >/dev/null; then
			measure pflogsumm pflogsumm "$log"
		elif [ "$mta" = exim ] && command -v eximstats >/dev/null; then
			measure eximstats eximstats "$log"
		fi
	done
done
# the build's type decides the compiler's optimisation: say which it was
kind=$(meson introspect --buildoptions "$build" 2>/dev/null | python3 -c '
import json, sys
o = {x["name"]: x["value"] for x in json.load(sys.stdin)}
print("%s%s" % (o.get("buildtype", "?"), ", LTO" if o.get("b_lto") else ""))' 2>/dev/null || echo unknown)
echo "bench: $((SECONDS - start)) s; $(nproc) cores; best of $runs runs (pflogsumm, eximstats: 1); build $kind" >&2
