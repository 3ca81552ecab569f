#!/bin/sh
# End-to-end: coverage, counts that add up, and a summary that reads on an
# 80-column terminal (issue 10, items 3, 11 and 12).  Nothing here depends
# on timing: starvation is forced (a worker hung from the start, snapshots
# due only after the deadline), the canary deletes exactly one row, and a
# crash comes after the worker has committed.
. "${top_srcdir:-..}/tests/lib.sh"
clean_env
scratch_init

# json_val NAME FILTER: a value from NAME's JSON report (jq if there is one).
json_val() {
	if command -v jq >/dev/null 2>&1; then
		jq -r "$2" "$SCRATCH/$1.json"
	else
		echo "no-jq"
	fi
}

# --- item 3: nothing tested, nothing passed ------------------------------

cov="--duration 2s --workers 2 --interval 10ms --grace 500ms"

# shellcheck disable=SC2086
run_tool nosnap $cov --validate-every 20s --json "$SCRATCH/nosnap.json"
expect nosnap 1 'failure +run: coverage: no snapshot was taken \(0 scheduled, --validate-every 20s\)' \
    "no snapshot in a 2s run fails by default"
if [ "$(json_val nosnap '.coverage | "\(.workers_committed)/\(.workers) \(.snapshots_taken)/\(.snapshots_scheduled)"')" = "2/2 0/0" ] ||
    ! command -v jq >/dev/null 2>&1; then
	ok "the JSON states the coverage"
else
	not_ok "the JSON states the coverage"
	cat "$SCRATCH/nosnap.json"
fi

# shellcheck disable=SC2086
run_tool nosnap_ok $cov --validate-every 20s --coverage report
expect nosnap_ok 0 '^  coverage  2 of 2 workers committed, 0 of 0 scheduled snapshots taken$' \
    "--coverage report states it and passes"

SQLSTORM_COVERAGE=report run_tool nosnap_env $cov --validate-every 20s
expect nosnap_env 0 '^  coverage  2 of 2 workers committed, 0 of 0' \
    "SQLSTORM_COVERAGE=report does the same"

# A worker hung from the start never commits.  It fails as hung anyway;
# the point is that its idleness is named, not hidden.
# shellcheck disable=SC2086
run_tool starved $cov --fault 'w0:hang@0'
expect starved 1 'failure +run: coverage: workers that never committed: w0 \(1 of 2 workers\)' \
    "a worker that never committed is named"
expect starved 1 '^  w0 +none acked, 0 commits' "its line reads 'none acked'"

# shellcheck disable=SC2086
run_tool starved_ok $cov --fault 'w0:hang@0' --coverage report
if [ "$rc" -eq 1 ] && ! grep -q 'coverage:' "$SCRATCH/starved_ok.out" &&
    grep -q '^  starved   w0 (1 of 2 workers)$' "$SCRATCH/starved_ok.out" &&
    grep -q '^sqlstorm: FAIL (1 failure)$' "$SCRATCH/starved_ok.out"; then
	ok "--coverage report lists the idle worker without failing for it"
else
	not_ok "--coverage report lists the idle worker without failing for it"
	show starved_ok
fi

# --- item 11: counts that add up ----------------------------------------

base="--duration 1s --workers 3 --interval 5ms --validate-every 200ms --grace 10s"

# shellcheck disable=SC2086
run_tool drop $base --fault 'w0:droprow@500ms' --json "$SCRATCH/drop.json"
expect drop 1 '^  final .*, 1 lost$' "one deleted row is one lost row in the summary"
expect drop 1 'w0 acknowledged seq [0-9]+ but holds only 1\.\.[0-9]+ \(1 acknowledged row lost\)' \
    "... and in the final failure"
lost=$(json_val drop .lost_rows)
if [ "$lost" = 1 ] || [ "$lost" = no-jq ]; then
	ok "... and lost_rows is 1 in the JSON"
else
	not_ok "... and lost_rows is 1 in the JSON (got $lost)"
fi

# shellcheck disable=SC2086
run_tool crash $base --fault 'w1:crash@500ms' --json "$SCRATCH/crash.json"
expect crash 1 'w1: crashed' "a crash fails"
w1=$(json_val crash '.workers[1] | "\(.rows) \(.commits) \(.acked)"')
set -- $w1
if [ "$w1" = no-jq ] || { [ "$1" -gt 0 ] && [ "$1" = "$3" ] && [ "$2" = "$3" ]; }; then
	ok "a crashed worker's rows and commits come from its ACKs ($w1)"
else
	not_ok "a crashed worker's rows and commits come from its ACKs ($w1)"
	show crash
fi
if grep -q '^  w1 .*acked 1\.\.[1-9]' "$SCRATCH/crash.out" &&
    ! grep -q '^  w1  *0 rows' "$SCRATCH/crash.out"; then
	ok "its summary line shows what it committed"
else
	not_ok "its summary line shows what it committed"
	show crash
fi

# --- item 12: 80 columns, escapes, --quiet -------------------------------

# shellcheck disable=SC2086
run_tool wide $base --fault 'w1:error=BUSY@300ms,w2:error=BUSY@deadline+20ms'
long=$(awk 'length > 80' "$SCRATCH/wide.out")
if [ "$rc" -eq 1 ] && [ -z "$long" ]; then
	ok "every line of a failing summary fits 80 columns"
else
	not_ok "every line of a failing summary fits 80 columns"
	printf '%s\n' "$long"
fi
expect wide 1 'failure +w1: error before the deadline: BUSY \(5\) in FAULT at deadline-700ms, shutdown not seen' \
    "folded lines join back to the whole finding"

# A newline in the database path is shown as \n, never raw.
nl='
'
run_tool ctl --duration 300ms --workers 1 --keep --db "$SCRATCH/a${nl}b.db"
if [ "$rc" -eq 0 ] && grep -q -F 'a\nb.db (journal' "$SCRATCH/ctl.out" &&
    ! grep -q '^b\.db' "$SCRATCH/ctl.out"; then
	ok "control characters in the database path are escaped"
else
	not_ok "control characters in the database path are escaped"
	show ctl
fi

run_tool quiet --duration 300ms --workers 2 --quiet --fault 'w0:error=BUSY@100ms'
if [ "$rc" -eq 1 ] && [ ! -s "$SCRATCH/quiet.out" ] &&
    [ "$(head -n 1 "$SCRATCH/quiet.err")" = "sqlstorm: FAIL (1 failure)" ] &&
    sed -n 2p "$SCRATCH/quiet.err" | grep -q '^  failure   w0: error before the deadline' &&
    grep -q '^  reproduce sqlstorm ' "$SCRATCH/quiet.err" &&
    [ "$(awk 'length > 80' "$SCRATCH/quiet.err")" = "" ]; then
	ok "--quiet on a failure starts with the verdict line"
else
	not_ok "--quiet on a failure starts with the verdict line"
	show quiet
fi

run_tool verbose --duration 300ms --workers 1 --verbose
n=$(grep -c . "$SCRATCH/verbose.out")
run_tool terse --duration 300ms --workers 1
m=$(grep -c . "$SCRATCH/terse.out")
if [ "$rc" -eq 0 ] && [ "$n" -gt "$m" ] &&
    grep -q '^  options   [0-9]* compile options; durability and locking:' "$SCRATCH/terse.out" &&
    grep -q '^  options   [0-9]* compile options:' "$SCRATCH/verbose.out"; then
	ok "--verbose lists every compile option, the default only some"
else
	not_ok "--verbose lists every compile option, the default only some"
	show verbose
fi

finish
