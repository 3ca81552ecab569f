#!/bin/sh
# End-to-end --rate and --pattern (issue 12, item 6).  Bounds only, no
# timing: a worker never commits more transactions than were scheduled
# before the deadline, and what was scheduled is a function of the seed
# alone (two runs with one seed schedule the same); the summary, JSON
# and JUnit carry the figures with either workload, any batch and every
# pattern; a worker stopped (SIGSTOP) for 1 s shows at least 500 ms
# behind its schedule and in its latency from the schedule; bad
# combinations are one-line errors (exit 99) that create nothing.
. "${top_srcdir:-..}/tests/lib.sh"
clean_env
scratch_init

# workers NAME: "name commits scheduled done behind_max_ms" per worker,
# from NAME's JSON report (one line per worker object).
workers() {
	sed -n 's/.*{"name": "\(w[0-9]*\)".*"commits": \([0-9]*\),.*"schedule": {"scheduled": \([0-9]*\), "done": \([0-9]*\), "behind_max_ms": \([0-9.]*\),.*/\1 \2 \3 \4 \5/p' \
	    "$SCRATCH/$1.json"
}

# bounded NAME NWORKERS DESCRIPTION: every worker reported, committed at
# least once, and did not commit more than it was scheduled.
bounded() {
	workers "$1" >"$SCRATCH/$1.w"
	if [ "$(wc -l <"$SCRATCH/$1.w")" -eq "$2" ] &&
	    awk '$2 < 1 || $2 > $3 || $4 != $2 { bad = 1 } END { exit bad }' \
	    "$SCRATCH/$1.w"; then
		ok "$3"
	else
		not_ok "$3"
		cat "$SCRATCH/$1.w"
		show "$1"
	fi
}

# 1. Bad combinations: one line, exit 99, nothing created.
bad() {
	name=$1
	want=$2
	shift 2
	run_tool "$name" --duration 1s "$@"
	if [ "$rc" -eq 99 ] && [ "$(wc -l <"$SCRATCH/$name.err")" -eq 1 ] &&
	    grep -q -- "$want" "$SCRATCH/$name.err" &&
	    ! ls "$SCRATCH" | grep -q '^sqlstorm\.'; then
		ok "refused: $*"
	else
		not_ok "refused: $* (wanted exit 99 and '$want')"
		show "$name"
	fi
}
bad both '^sqlstorm: --rate: cannot be combined with --interval' \
    --rate 10 --interval 5ms
bad pat '^sqlstorm: --pattern: needs --rate N' --pattern burst
bad big "^sqlstorm: --rate: '100001' is not an integer from 0 to 100000" \
    --rate 100001
bad name "^sqlstorm: --pattern: 'square' is not one of" --rate 10 \
    --pattern square
SQLSTORM_INTERVAL=0 run_tool envboth --rate 10 --duration 1s
SQLSTORM_PATTERN=wave run_tool envpat --duration 1s
expect envboth 99 '^sqlstorm: --rate: cannot be combined with SQLSTORM_INTERVAL' \
    "refused: SQLSTORM_INTERVAL with --rate"
expect envpat 99 '^sqlstorm: SQLSTORM_PATTERN: needs --rate N' \
    "refused: SQLSTORM_PATTERN without --rate"

# 2. The schedule bounds the commits, and depends on the seed alone.
rate="--rate 25 --duration 2s --workers 3 --validate-every 300ms --seed 4242"
run_tool same1 $rate --json "$SCRATCH/same1.json" --junit "$SCRATCH/same1.xml"
expect same1 0 '^  rate +25/s per worker \(constant\): [0-9]+ of [0-9]+ scheduled done; behind max [0-9.]+ ms, [0-9.]+ ms at the end; latency from schedule p50 [0-9.]+, p99 [0-9.]+, max [0-9.]+ ms$' \
    "the summary has the rate line"
expect same1 0 '^  run +3 workers, 2s, rate 25/s constant, batch 1' \
    "the run line names the rate instead of the interval"
bounded same1 3 "no worker commits more than it was scheduled"
run_tool same2 $rate --json "$SCRATCH/same2.json"
workers same2 >"$SCRATCH/same2.w"
if [ "$rc" -eq 0 ] &&
    [ "$(cut -d' ' -f1,3 "$SCRATCH/same1.w")" = "$(cut -d' ' -f1,3 "$SCRATCH/same2.w")" ] &&
    awk '$3 < 10 || $3 > 150 { bad = 1 } END { exit bad }' "$SCRATCH/same1.w"; then
	ok "one seed, one schedule (about 25/s for 2 s per worker)"
else
	not_ok "one seed, one schedule (about 25/s for 2 s per worker)"
	cat "$SCRATCH/same1.w" "$SCRATCH/same2.w"
fi
if grep -q '^  "schedule": {"rate": 25, "pattern": "constant", "workers_reported": 3, "scheduled": [0-9]*, "done": [0-9]*, "behind_max_ms": [0-9.]*, "behind_end_ms": [0-9.]*, "latency_ms": {"p50": [0-9.]*, "p90": [0-9.]*, "p99": [0-9.]*, "max": [0-9.]*}}' \
    "$SCRATCH/same1.json" &&
    grep -q '"rate": 25,' "$SCRATCH/same1.json" &&
    grep -q '<property name="schedule_scheduled" value="[0-9]*"/>' "$SCRATCH/same1.xml" &&
    grep -q '<property name="schedule_latency_p99_ms" value="[0-9.]*"/>' "$SCRATCH/same1.xml"; then
	ok "JSON and JUnit carry the schedule's figures"
else
	not_ok "JSON and JUnit carry the schedule's figures"
	grep schedule "$SCRATCH/same1.json" "$SCRATCH/same1.xml"
fi

# Without --rate the figures are absent (null), not zero.
run_tool norate --duration 300ms --workers 1 --json "$SCRATCH/norate.json"
if [ "$rc" -eq 0 ] && grep -q '^  "schedule": null,' "$SCRATCH/norate.json" &&
    grep -q '"done": true, "schedule": null,' "$SCRATCH/norate.json" &&
    ! grep -q '^  rate ' "$SCRATCH/norate.out"; then
	ok "without --rate: no rate line, schedule null"
else
	not_ok "without --rate: no rate line, schedule null"
	show norate
fi

# 3. Every pattern, with churn and a batch too.
run_tool burst --workload churn --churn keys=64 --batch 4 --rate 20 \
    --pattern burst --duration 2s --workers 2 --json "$SCRATCH/burst.json"
expect burst 0 'rate +20/s per worker \(burst\): [0-9]+ of [0-9]+ scheduled done' \
    "churn, batch 4, burst: passes with the figures"
bounded burst 2 "churn, batch 4, burst: no worker commits more than scheduled"
run_tool wave --rate 30 --pattern wave --duration 2s --workers 2 \
    --json "$SCRATCH/wave.json"
expect wave 0 'rate +30/s per worker \(wave\): [0-9]+ of [0-9]+ scheduled done' \
    "append, wave: passes with the figures"
bounded wave 2 "append, wave: no worker commits more than scheduled"

# A worker that crashed sent no figures: the line says whose are in it.
run_tool crash --rate 20 --duration 1s --workers 2 --fault w1:crash@300ms
expect crash 1 'rate +20/s per worker \(constant\): [0-9]+ of [0-9]+ scheduled done \(1 of 2 workers reported\);' \
    "a crashed worker's missing figures are named, not counted as zero"

# 4. A stall is not hidden: stop every child for 1 s once the run has
# started (the trace's "release" line), then let them go on.
children_of() {
	ps -A -o pid= -o ppid= | awk -v p="$1" '$2 == p { print $1 }'
}
"$SQLSTORM" --rate 50 --duration 5s --workers 2 --validate-every 300ms \
    --json "$SCRATCH/stop.json" --trace "$SCRATCH/stop.trace" \
    >"$SCRATCH/stop.out" 2>"$SCRATCH/stop.err" &
pid=$!
i=0
while ! grep -q ' run release' "$SCRATCH/stop.trace" 2>/dev/null &&
    [ $i -lt 300 ]; do
	sleep 0.1
	i=$((i + 1))
done
kids=$(children_of $pid)
# shellcheck disable=SC2086
kill -STOP $kids
sleep 1
# shellcheck disable=SC2086
kill -CONT $kids
wait $pid
rc=$?
workers stop >"$SCRATCH/stop.w"
if [ "$rc" -eq 0 ] && [ "$(wc -l <"$SCRATCH/stop.w")" -eq 2 ] &&
    awk '$5 < 500 || $2 > $3 { bad = 1 } END { exit bad }' "$SCRATCH/stop.w" &&
    grep -Eq '^  "schedule": .*"latency_ms": \{.*"max": ([5-9][0-9][0-9]|[0-9]{4,})' "$SCRATCH/stop.json"; then
	ok "a 1 s stop shows: every worker >= 500 ms behind, latency max >= 500 ms"
	sed 's/^/# name commits scheduled done behind_max_ms: /' "$SCRATCH/stop.w"
else
	not_ok "a 1 s stop shows: every worker >= 500 ms behind, latency max >= 500 ms"
	cat "$SCRATCH/stop.w"
	grep '"schedule"' "$SCRATCH/stop.json"
	show stop
fi

# A worker killed and restarted by --nemesis takes its schedule up where
# its new life begins: the starts due before are not counted again (nor
# run in a burst), so with the same seed it reports fewer than a run
# without the kill, and still commits no more than it was scheduled.
if command -v jq >/dev/null 2>&1; then
	run_tool nokill --rate 50 --duration 2s --workers 2 --seed 7 --json "$SCRATCH/nokill.json"
	run_tool kill --rate 50 --duration 2s --workers 2 --seed 7 \
	    --nemesis 'kill:w0@1s' --json "$SCRATCH/kill.json"
	full=$(jq '.workers[0].schedule.scheduled' "$SCRATCH/nokill.json")
	life=$(jq '.workers[0].schedule.scheduled' "$SCRATCH/kill.json")
	done0=$(jq '.workers[0].schedule.done' "$SCRATCH/kill.json")
	if [ "$rc" -eq 0 ] && [ "$life" -lt "$full" ] && [ "$done0" -le "$life" ]; then
		ok "a restarted worker's schedule starts with its life ($life of $full starts, $done0 done)"
	else
		not_ok "a restarted worker's schedule starts with its life (got $life of $full, $done0 done, exit $rc)"
		show kill
	fi
else
	ok "# SKIP jq not installed"
fi

finish
