#!/bin/sh
# Flake hunting: --repeat N, --until-fail and SQLSTORM_REPEAT run the
# scenario again and again, each run with its own seed and run directory,
# end with "N runs, F failures (x%)", list the directories failing runs
# kept, and exit 1 if any run failed, 99 at once on a hard error.  Runs
# are 300ms and the faults are scheduled, so nothing here depends on speed.
. "${top_srcdir:-..}/tests/lib.sh"
clean_env
scratch_init

base="--duration 300ms --workers 2 --interval 5ms --validate-every 100ms"
crash="--fault w0:crash@100ms"

# count NAME PATTERN: lines of NAME's stdout and stderr matching PATTERN.
count() {
	cat "$SCRATCH/$1.out" "$SCRATCH/$1.err" | grep -E -c -- "$2"
}

# check NAME CONDITION DESCRIPTION: a shell condition about NAME's run.
check() {
	if eval "$2"; then
		ok "$3"
	else
		not_ok "$3 ($2)"
		show "$1"
	fi
}

# shellcheck disable=SC2086
run_tool three $base --repeat 3
expect three 0 '^sqlstorm: 3 runs, 0 failures \(0%\)$' "--repeat 3 passes: 3 runs, 0 failures (0%)"
check three '[ "$(count three "^sqlstorm: PASS")" -eq 3 ]' "--repeat 3 prints three summaries"
seeds=$(sed -n 's/.*, seed \([0-9]*\)$/\1/p' "$SCRATCH/three.out" | sort -u | wc -l)
check three '[ "$seeds" -eq 3 ]' "every run has its own seed"
check three '[ -z "$(find "$SCRATCH" -name "sqlstorm.*" -type d)" ]' \
    "passing runs leave no run directory"

# shellcheck disable=SC2086
SQLSTORM_REPEAT=2 run_tool env $base
expect env 0 '^sqlstorm: 2 runs, 0 failures \(0%\)$' "SQLSTORM_REPEAT=2 makes 2 runs"

# shellcheck disable=SC2086
run_tool seed $base --repeat 2 --seed 42
check seed '[ "$(count seed ", seed 42$")" -eq 2 ]' "--seed keeps the same seed for every run"

# shellcheck disable=SC2086
run_tool until $base --until-fail --repeat 5 $crash
expect until 1 '^sqlstorm: 1 run, 1 failure \(100%\)$' "--until-fail stops at the first failure"
check until '[ "$(count until "^sqlstorm: FAIL")" -eq 1 ]' "--until-fail made exactly one run"
check until '! grep -q -- "--repeat\|--until-fail" "$SCRATCH/until.out"' \
    "the repro line replays one run, not the repeat"

# shellcheck disable=SC2086
run_tool cap $base --until-fail --repeat 2
expect cap 0 '^sqlstorm: 2 runs, 0 failures \(0%\)$' "--repeat caps --until-fail"

# shellcheck disable=SC2086
run_tool kept $base --repeat 2 $crash
expect kept 1 '^sqlstorm: 2 runs, 2 failures \(100%\)$' "every failing run is counted"
dirs=$(sed -n 's/^  kept \(.*\) (run [12], seed [0-9]*)$/\1/p' "$SCRATCH/kept.out")
ndirs=0
for d in $dirs; do
	[ -f "$d/sqlstorm.db" ] && ndirs=$((ndirs + 1))
done
check kept '[ "$ndirs" -eq 2 ]' "the tally lists both kept directories, and they exist"

# shellcheck disable=SC2086
run_tool quiet $base --repeat 2 --quiet
check quiet '[ "$rc" -eq 0 ] && [ ! -s "$SCRATCH/quiet.out" ] && [ ! -s "$SCRATCH/quiet.err" ]' \
    "--quiet --repeat prints nothing when every run passes"

# shellcheck disable=SC2086
run_tool quietfail $base --repeat 2 --quiet $crash
check quietfail '[ "$rc" -eq 1 ] && [ ! -s "$SCRATCH/quietfail.out" ] &&
    grep -q "^sqlstorm: 2 runs, 2 failures (100%)$" "$SCRATCH/quietfail.err"' \
    "--quiet --repeat prints the tally on stderr when a run failed"

if command -v jq >/dev/null 2>&1; then
	# shellcheck disable=SC2086
	run_tool json $base --repeat 2 --json "$SCRATCH/r.json"
	last=$(sed -n 's/.*, seed \([0-9]*\)$/\1/p' "$SCRATCH/json.out" | tail -n 1)
	check json '[ "$(jq -r ".runs[-1].config.seed" "$SCRATCH/r.json")" = "$last" ] &&
	    [ "$(jq -r ".runs[-1].config.repeat" "$SCRATCH/r.json")" = 1 ] &&
	    [ "$(jq -r .run_count "$SCRATCH/r.json")" = 2 ]' \
	    "--json holds every run, the last one last, each a plain run"
fi

# Not a database: a hard error found when the run starts, not when parsing.
echo "not a database, not at all, just text" >"$SCRATCH/text.db"
# shellcheck disable=SC2086
run_tool hard $base --repeat 3 --db "$SCRATCH/text.db"
expect hard 99 '^sqlstorm: 1 run, 0 failures \(0%\), stopped by a hard error$' \
    "a hard error stops the repeat at once, exit 99"

finish
