#!/bin/sh
# End-to-end: a signal stops a run as one interrupt (issue 10).  timeout(1)
# signals the parent, then its whole process group; CI runners and
# service managers may signal every process of the run.  Either way that
# is one interrupt: the children stop through the shutdown pipe, nobody is
# hung, and the only failure is the interrupt itself.  A second, separate
# interrupt still kills at once, and a ^C during startup releases nobody.
# Runs are checked through their JSON report, written on interrupt too.
. "${top_srcdir:-..}/tests/lib.sh"
clean_env
if ! command -v timeout >/dev/null 2>&1; then
	echo "timeout(1) is missing: skipped"
	exit 77
fi
scratch_init

# The pids of the children of $1.
children_of() {
	ps -A -o pid= -o ppid= | awk -v p="$1" '$2 == p { print $1 }'
}

# json_has NAME REGEX: the report holds a top-level line matching it.
json_has() {
	[ -f "$SCRATCH/$1.json" ] && grep -E -q -- "^  $2" "$SCRATCH/$1.json"
}

# interrupted NAME DESCRIPTION: state "interrupted", exit code 1, no
# failure (the interrupt itself is not counted there), nobody hung.
interrupted() {
	if json_has "$1" '"state": "interrupted",' &&
	    json_has "$1" '"exit_code": 1,' &&
	    json_has "$1" '"failures": 0,' &&
	    ! grep -q hung "$SCRATCH/$1.json" "$SCRATCH/$1.out" \
	    "$SCRATCH/$1.err"; then
		ok "$2"
	else
		not_ok "$2"
		show "$1"
	fi
}

long="--duration 60s --workers 3 --interval 5ms --validate-every 200ms"

# timeout -s INT: SIGINT to sqlstorm, then to its process group.
for i in 1 2 3; do
	# shellcheck disable=SC2086
	timeout -s INT 1.5 "$SQLSTORM" $long --json "$SCRATCH/int$i.json" \
	    >"$SCRATCH/int$i.out" 2>"$SCRATCH/int$i.err"
	rc=$?
	interrupted int$i "timeout -s INT is one interrupt, nobody hung (run $i)"
done

# Plain timeout: SIGTERM, the same way.
for i in 1 2 3; do
	# shellcheck disable=SC2086
	timeout 1.5 "$SQLSTORM" $long --json "$SCRATCH/term$i.json" \
	    >"$SCRATCH/term$i.out" 2>"$SCRATCH/term$i.err"
	rc=$?
	interrupted term$i "timeout (SIGTERM) is one interrupt, nobody hung (run $i)"
done

# SIGHUP is handled like SIGTERM.
# shellcheck disable=SC2086
timeout -s HUP 1.5 "$SQLSTORM" $long --json "$SCRATCH/hup.json" \
    >"$SCRATCH/hup.out" 2>"$SCRATCH/hup.err"
rc=$?
interrupted hup "timeout -s HUP interrupts like SIGTERM"

# SIGTERM to every process of the run at once (a service manager
# stopping a cgroup): the children ignore it and stop through the parent.
# shellcheck disable=SC2086
"$SQLSTORM" $long --json "$SCRATCH/all.json" \
    >"$SCRATCH/all.out" 2>"$SCRATCH/all.err" &
pid=$!
sleep 1.5
# shellcheck disable=SC2046
kill -TERM $(children_of "$pid") "$pid"
wait "$pid"
rc=$?
interrupted all "SIGTERM to the parent and every child is one interrupt"

# ^C during startup: 200 workers take far longer to become READY than
# the first fork takes to appear, and the handlers are in place by then.
# Nobody may be released: no start time, nothing inserted.
"$SQLSTORM" --duration 60s --workers 200 --db "$SCRATCH/start.db" \
    --json "$SCRATCH/start.json" >"$SCRATCH/start.out" 2>"$SCRATCH/start.err" &
pid=$!
n=0
while [ -z "$(children_of "$pid")" ] && [ "$n" -lt 2000 ]; do
	sleep 0.01
	n=$((n + 1))
done
kill -INT "$pid"
wait "$pid"
rc=$?
interrupted start "SIGINT during startup: interrupted, no failure"
if json_has start '"start_ms": null,' && json_has start '"inserts": 0,'; then
	ok "SIGINT during startup releases no worker"
else
	not_ok "SIGINT during startup releases no worker"
	grep -E '^  "(start_ms|inserts)"' "$SCRATCH/start.json"
fi
if command -v sqlite3 >/dev/null 2>&1; then
	rows=$(sqlite3 "$SCRATCH/start.db" 'SELECT count(*) FROM sqlstorm_rows')
	if [ "$rows" = 0 ]; then
		ok "SIGINT during startup: no row in the database"
	else
		not_ok "SIGINT during startup: no row in the database ($rows)"
	fi
fi

# Two separate interrupts (the second from another process): the second
# kills at once instead of waiting out the 60 s grace for the hung w0,
# which is then not said to be "hung at the deadline + grace".
"$SQLSTORM" --duration 60s --workers 2 --grace 60s --fault 'w0:hang@100ms' \
    --json "$SCRATCH/twice.json" >"$SCRATCH/twice.out" \
    2>"$SCRATCH/twice.err" &
pid=$!
sleep 2
kill -INT "$pid"
sleep 1
t0=$(date +%s)
sh -c 'kill -INT "$1"' sh "$pid"
wait "$pid"
rc=$?
took=$(($(date +%s) - t0))
if [ "$took" -lt 30 ] && json_has twice '"state": "interrupted",' &&
    grep -q 'w0: still running at a second interrupt; killed with' \
    "$SCRATCH/twice.out" && ! grep -q 'deadline + grace' "$SCRATCH/twice.out"; then
	ok "a second, separate SIGINT kills at once (${took}s)"
else
	not_ok "a second, separate SIGINT kills at once (${took}s)"
	show twice
fi

finish
