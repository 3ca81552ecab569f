#!/bin/sh
# End-to-end with --nemesis: workers killed every 200 ms at --interval 0
# (some inside COMMIT) in WAL and DELETE mode pass, with the cut commits
# counted and resolved; a pause longer than --busy-timeout makes BUSY in
# the others, expected (nemesis); the same BUSY outside every window
# fails; the store killed and restarted passes when it resumes and fails,
# naming the rows, when it does not.  The 60 s acceptance soak is
# tests/soak-nemesis.sh (STORM_SOAK=1).
. "${top_srcdir:-..}/tests/lib.sh"
clean_env
scratch_init

# The figures a run printed: "N kills", "N commits cut ...: P present, A absent".
figures() {
	unfold "$SCRATCH/$1.out" | sed -n \
	    -e 's/^  nemesis .*: \([0-9]*\) kills\{0,1\}, \([0-9]*\) restarts\{0,1\}.*/kills=\1 restarts=\2/p' \
	    -e 's/^  cut  *\([0-9]*\) commits\{0,1\} cut by a kill: \([0-9]*\) present, \([0-9]*\) absent/cut=\1 present=\2 absent=\3/p' |
	    tr '\n' ' '
}

# kills N, restarts N, N >= 1: how many of the scheduled disruptions
# came depends on the machine (a parent stalled past a period skips one,
# never bursts), so only their agreement is asserted, never their number.
agree() {
	_k=$(sed -n 's/^  nemesis  .*: \([0-9]*\) kills*, \([0-9]*\) restarts*.*/\1 \2/p' "$SCRATCH/$1.out")
	# shellcheck disable=SC2086
	set -- $_k
	[ -n "${1:-}" ] && [ "$1" -ge 1 ] && [ "$1" = "${2:-}" ]
}

for j in ${NEMESIS_JOURNALS:-wal delete}; do
	run_tool kill$j --duration 2500ms --workers 4 --interval 0 --journal $j \
	    --coverage report --nemesis 'kill:worker@every 200ms'
	expect kill$j 0 '^  nemesis  +kill:worker@every 200ms: [1-9][0-9]* kills?, [1-9][0-9]* restarts?' \
	    "$j: a worker killed every 200 ms passes ($(figures kill$j))"
	if agree kill$j; then
		ok "$j: every kill was followed by a restart"
	else
		not_ok "$j: every kill was followed by a restart"
		show kill$j
	fi
	expect kill$j 0 '^  cut  +[0-9]+ commits? cut by a kill' \
	    "$j: the commits cut by a kill are counted"
done

# Every worker at once, twice: each restarts and resumes after its rows.
run_tool killall --duration 2s --workers 3 --interval 1ms \
    --nemesis 'kill:workers@every 700ms' --json "$SCRATCH/killall.json"
expect killall 0 '[1-9][0-9]* kills, [1-9][0-9]* restarts' "killing every worker at once passes"
if agree killall &&
    grep -q '"nemesis": {"spec": "kill:workers@every 700ms", "kills": [1-9]' \
    "$SCRATCH/killall.json" &&
    grep -q '"type": "nemesis"' "$SCRATCH/killall.json" &&
    grep -q '"nemesis": {"kills": [1-9][0-9]*, "restarts": [1-9][0-9]*, "pauses": 0' "$SCRATCH/killall.json"; then
	ok "the JSON report has the run's and each worker's nemesis figures"
else
	not_ok "the JSON report has the run's and each worker's nemesis figures"
	grep -o '"nemesis": {[^}]*}' "$SCRATCH/killall.json"
fi

# The validator killed mid-run is started again and snapshots go on.
run_tool killval --duration 2s --workers 2 --validate-every 200ms \
    --nemesis 'kill:validator@700ms,kill:validator@1300ms' --json "$SCRATCH/killval.json"
expect killval 0 '^sqlstorm: PASS' "the validator killed and restarted passes"
# Each life numbers on from the slots already past: no index twice.
if ! command -v jq >/dev/null 2>&1; then
	ok "# SKIP jq not installed"
elif [ "$(jq '[.snapshots[].index] | (length == (unique | length)) and length > 2' "$SCRATCH/killval.json")" = true ]; then
	ok "a restarted validator never reuses a snapshot's number"
else
	not_ok "a restarted validator never reuses a snapshot's number"
	jq -c '[.snapshots[].index]' "$SCRATCH/killval.json"
fi

# A killed child holds no lock while it is down: a BUSY then, far from
# the kill and the restart, is nobody's doing but the store's.
run_tool downbusy --duration 3s --workers 2 --interval 5ms --busy-timeout 200ms \
    --nemesis 'kill:validator=10s@500ms' --fault 'w1:error=BUSY@2s'
expect downbusy 1 'failure  +w1: error before the deadline: BUSY \(5\) in FAULT' \
    "a BUSY while a killed child is down, far from its kill, fails"

# The maintenance child is a target too (with --maintain): killed and
# restarted on schedule, and the run passes; without --maintain, "maint"
# names nothing.
run_tool killmaint --duration 2500ms --workers 2 --workload churn \
    --maintain 'checkpoint=truncate@every 300ms,vacuum@every 1s' \
    --nemesis 'kill:maint@every 700ms'
expect killmaint 0 '^  nemesis  +kill:maint@every 700ms: [1-9][0-9]* kills?, [1-9][0-9]* restarts?' \
    "the maintenance child killed and restarted passes"
run_tool nomaint --duration 1s --nemesis 'kill:maint@500ms'
expect nomaint 99 "unknown target 'maint'" "maint without --maintain is a one-line error"

# A pause longer than the busy timeout: the writer is stopped holding the
# write lock, the other gets BUSY, expected (nemesis), and the run passes.
pause="--duration 3s --workers 2 --interval 0 --busy-timeout 200ms"
# shellcheck disable=SC2086
run_tool pause $pause --nemesis 'pause:w0=1s@1s' --tap
expect pause 0 'ok [0-9]+ - w1: nemesis-window BUSY in BEGIN # expected \(nemesis\): nemesis window \(pause w0\): BUSY' \
    "a pause longer than --busy-timeout makes expected (nemesis) BUSY in TAP"
expect pause 0 'errors  +0 failures, [0-9]+ expected \([1-9][0-9]* by the nemesis\)' \
    "the summary counts the expected (nemesis) errors"

# The same BUSY, injected: inside the window it is expected, after it
# (1 s + 200 ms) it fails, and without a nemesis it fails.
# shellcheck disable=SC2086
run_tool inwin $pause --nemesis 'pause:w0=1s@1s' --fault 'w1:error=BUSY@1500ms'
expect inwin 0 'expected  +w1: nemesis window \(pause w0\): BUSY \(5\) in FAULT' \
    "an injected BUSY inside the pause's window is expected (nemesis)"
# shellcheck disable=SC2086
run_tool outwin $pause --nemesis 'pause:w0=1s@1s' --fault 'w1:error=BUSY@2500ms'
expect outwin 1 'failure  +w1: error before the deadline: BUSY \(5\) in FAULT at deadline-500ms' \
    "the same BUSY after the window fails"
# shellcheck disable=SC2086
run_tool nonem $pause --fault 'w1:error=BUSY@1500ms'
expect nonem 1 'failure  +w1: error before the deadline: BUSY' \
    "the same BUSY without a nemesis fails"
expect outwin 1 'reproduce .*--nemesis .?pause:w0=1s@1s' \
    "the reproduce line carries the nemesis"

# Bad specs: one line, exit 99, nothing run.
mkdir "$SCRATCH/bad" && TMPDIR=$SCRATCH/bad
run_tool nolen --nemesis 'pause:w0@1s'
expect nolen 99 "^sqlstorm: --nemesis: 'pause:w0': a pause names its length" \
    "a pause without its length is a one-line error"
run_tool nostore --nemesis 'kill:store@1s'
expect nostore 99 "unknown target 'store' in this run" \
    "kill:store without --store-cmd is a one-line error"
if [ -z "$(ls "$SCRATCH/bad")" ]; then
	ok "a bad --nemesis creates nothing"
else
	not_ok "a bad --nemesis creates nothing"
fi
TMPDIR=$SCRATCH

# The store sidecar killed and restarted.  It copies the database every
# 100 ms; the restore command reads its copy.  A store that resumes
# passes (the downtime is added to the lag); one that, restarted, stops
# copying fails, naming the acknowledged rows its copy lacks.
if command -v sqlite3 >/dev/null 2>&1; then
	copy='while :; do sqlite3 {db} ".backup $SQLSTORM_RUN_DIR/replica.tmp" 2>/dev/null && mv "$SQLSTORM_RUN_DIR/replica.tmp" "$SQLSTORM_RUN_DIR/replica.db"; sleep 0.1; done'
	broken='if [ -e "$SQLSTORM_RUN_DIR/started" ]; then echo restarted: lost my place; exec sleep 600; fi; touch "$SQLSTORM_RUN_DIR/started"; '"$copy"
	restore='while [ ! -f "$SQLSTORM_RUN_DIR/replica.db" ]; do sleep 0.05; done; cp "$SQLSTORM_RUN_DIR/replica.db" {output}'
	store="--duration 3s --workers 2 --interval 5ms --validate-every 300ms --max-lag 1s"
	# shellcheck disable=SC2086
	run_tool storeok $store --store-cmd "$copy" --restore-cmd "$restore" \
	    --nemesis 'kill:store=500ms@1s'
	expect storeok 0 'nemesis  +kill:store=500ms@1s: 1 kill, 1 restart' \
	    "a store killed and restarted 500 ms later passes"
	# shellcheck disable=SC2086
	run_tool storebad $store --store-cmd "$broken" --restore-cmd "$restore" \
	    --nemesis 'kill:store=500ms@1s'
	expect storebad 1 'failure  +w[01]: snapshot [0-9]+: w[01] acknowledged seq [0-9]+ .* but the snapshot holds only 1\.\.[0-9]+' \
	    "a store that does not resume after a restart fails, naming the rows"
else
	ok "# SKIP sqlite3 command-line tool not installed"
	ok "# SKIP sqlite3 command-line tool not installed"
fi

finish
