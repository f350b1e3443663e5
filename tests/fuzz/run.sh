#!/usr/bin/env bash
# Runs the libFuzzer targets of tests/fuzz for a fixed time each.
#
# usage: tests/fuzz/run.sh [SECONDS_PER_TARGET [TARGET...]]
#   SECONDS_PER_TARGET  default 60; TARGET default: all twelve
#     (line reader rules explain failon timespec by merge journal framing
#     state trace)
# environment:
#   FUZZ_JOBS=N    targets run N at a time (default 1; 2 on two cores)
#   FUZZ_BUILD=DIR the clang build (default build-fuzz, set up if missing)
#   FUZZ_WORK=DIR  corpora, seeds, logs, crashes (default $FUZZ_BUILD/fuzz);
#                  the corpus of a target is kept and grows from run to run
#   CORPUS=DIR     the shared log corpus for the seeds (default
#                  ../shared/corpus beside the source tree)
#   CC             the compiler of a new build (default clang)
#   FUZZ_SEED=N    libFuzzer's -seed (default: a new one each run); CI
#                  derives it from the commit, so that a run of the same
#                  commit elsewhere makes the same inputs first
#   FUZZ_TIMEOUT=S one input taking S seconds is a hang, and over S a slow
#                  input (default 10; raise it on a loaded machine, where
#                  libFuzzer's wall clock also counts the time the target
#                  waited for a CPU)
#
# Builds the targets when needed, makes the seed corpora (seeds.py), runs
# each target with its dictionary for SECONDS_PER_TARGET (-max_total_time)
# and prints one line per target: executions, coverage (cov: edges, ft:
# features), corpus size, seconds. Exits 1 when any target crashed (a
# sanitizer report, a failed check, a leak, a slow input or running out
# of memory), after printing the report and the input that did it: copy
# that file to testdata/fuzz-regress/TARGET/ once the bug is fixed, and
# the ordinary test suite replays it from then on.
set -uo pipefail
cd "$(dirname "$0")/../.."

seconds=${1:-60}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(line reader rules explain failon timespec by merge journal
	framing state trace)
build=${FUZZ_BUILD:-build-fuzz}
work=${FUZZ_WORK:-$build/fuzz}
jobs=${FUZZ_JOBS:-1}
timeout=${FUZZ_TIMEOUT:-10}

if [ ! -f "$build/build.ninja" ]; then
	CC=${CC:-clang} meson setup "$build" -Dfuzz=true \
		-Db_sanitize=address,undefined -Db_lundef=false >/dev/null ||
		{ echo "fuzz: meson setup failed (is clang installed?)"; exit 2; }
fi
ninja -C "$build" cmd/mxtriage/mxtriage \
	$(printf 'tests/fuzz/fuzz_%s ' "${targets[@]}") >/dev/null ||
	{ echo "fuzz: build failed"; exit 2; }

rm -rf "$work/seeds"
MXTRIAGE=$build/cmd/mxtriage/mxtriage \
	python3 tests/fuzz/seeds.py "$work/seeds" ${CORPUS:+"$CORPUS"} 2>/dev/null ||
	{ echo "fuzz: seeds.py failed"; exit 2; }

# dictionary and longest input per target
options() {
	case $1 in
	line) echo "-dict=tests/fuzz/log.dict -max_len=16384" ;;
	reader) echo "-dict=tests/fuzz/log.dict -max_len=140000" ;;
	rules) echo "-dict=tests/fuzz/rules.dict -max_len=16384" ;;
	merge) echo "-dict=tests/fuzz/merge.dict -max_len=32768" ;;
	journal) echo "-dict=tests/fuzz/journal.dict -max_len=80000" ;;
	framing | trace) echo "-dict=tests/fuzz/$1.dict -max_len=16384" ;;
	state) echo "-dict=tests/fuzz/state.dict -max_len=32768" ;;
	*) echo "-dict=tests/fuzz/$1.dict -max_len=512" ;;
	esac
}

run_one() {
	local t=$1 log=$work/logs/$1.log
	mkdir -p "$work/corpus/$t" "$work/crashes/$t" "$work/seeds/$t" "$work/logs"
	# -timeout: one input taking 10 s is a bug (a hang) too
	# shellcheck disable=SC2046
	"$build/tests/fuzz/fuzz_$t" $(options "$t") -max_total_time="$seconds" \
		-timeout="$timeout" -report_slow_units="$timeout" \
		-rss_limit_mb=2048 -print_final_stats=1 \
		${FUZZ_SEED:+-seed="$FUZZ_SEED"} \
		-artifact_prefix="$work/crashes/$t/" \
		"$work/corpus/$t" "$work/seeds/$t" >"$log" 2>&1
	echo $? >"$work/logs/$t.rc"
}

start=$SECONDS
running=0
for t in "${targets[@]}"; do
	if [ ! -x "$build/tests/fuzz/fuzz_$t" ]; then
		echo "fuzz: no target '$t'"; exit 2
	fi
	rm -f "$work/logs/$t.rc"
	run_one "$t" &
	running=$((running + 1))
	if [ "$running" -ge "$jobs" ]; then
		wait -n
		running=$((running - 1))
	fi
done
wait

status=0
for t in "${targets[@]}"; do
	log=$work/logs/$t.log
	rc=$(cat "$work/logs/$t.rc" 2>/dev/null || echo 1)
	execs=$(awk '/stat::number_of_executed_units:/{print $2}' "$log")
	last=$(grep -E '^#[0-9]+' "$log" | tail -1)
	cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
	ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
	corp=$(sed -n 's/.* corp: \([0-9]*\/[0-9a-zA-Z]*\).*/\1/p' <<<"$last")
	secs=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log")
	crash=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -1)
	printf 'fuzz %-8s %s  execs %s  cov %s  ft %s  corpus %s  %ss\n' "$t" \
		"$([ "$rc" = 0 ] && [ -z "$crash" ] && echo ok || echo CRASH)" \
		"${execs:-?}" "${cov:-?}" "${ft:-?}" "${corp:-?}" "${secs:-?}"
	if [ "$rc" != 0 ] || [ -n "$crash" ]; then
		status=1
		echo "---- $t: exit status $rc; the report ($log):"
		grep -E -A25 '^==[0-9]+==|runtime error|check failed|not a day|got .* want|^(ALARM|==.*ERROR)' "$log" | head -60
		if [ -n "$crash" ]; then
			echo "---- the input: $crash ($(wc -c <"$crash") bytes)"
			od -A d -c "$crash" | head -20
			echo "---- replay: $build/tests/fuzz/fuzz_$t $crash"
		fi
	fi
done
echo "fuzz: ${#targets[@]} targets, ${seconds}s each${FUZZ_SEED:+, seed $FUZZ_SEED}, $((SECONDS - start))s in all:" \
	"$([ $status = 0 ] && echo 'no crash' || echo 'CRASHED')"
exit $status
