#!/bin/sh
# End-to-end: each injected fault ends in the verdict doc/design.md promises.
# Runs are short (about a second) and never depend on timing: injected
# errors are stamped with their scheduled time.
. "${top_srcdir:-..}/tests/lib.sh"
clean_env
scratch_init

base="--duration 1s --workers 3 --interval 5ms --validate-every 200ms --grace 10s"

# shellcheck disable=SC2086
run_tool clean $base
expect clean 0 '^sqlstorm: PASS' "a clean run passes"

run_tool early $base --fault 'w1:error=BUSY@300ms'
expect early 1 'w1: error before the deadline' "an error before the deadline fails"

run_tool benign $base --fault 'w0:error=BUSY@deadline+20ms,w2:error=INTERRUPT@deadline+5ms'
expect benign 0 'expected +w0: late error' "benign errors after the deadline are expected"

run_tool severe $base --fault 'w0:error=CORRUPT@deadline+20ms'
expect severe 1 'w0: severe error after the deadline' "a severe error after the deadline fails"

run_tool ignore $base --late-errors ignore --fault 'w0:error=CORRUPT@deadline+20ms'
expect ignore 0 '^sqlstorm: PASS' "--late-errors ignore forgives it (the seed's rule)"

run_tool deferred $base --fault 'w2:error=BUSY/deferred@deadline-300ms'
expect deferred 1 'w2: error before the deadline' "an early error read after the deadline still fails"

# A parent stopped across the deadline closes the shutdown pipe late; the
# verdicts stay the same wherever the stop lands: deadline+20ms is still
# late (it counts from the moment shutdown was signalled), deadline-200ms
# still fails, and nothing else does.
# shellcheck disable=SC2086
"$SQLSTORM" $base --fault 'w0:error=BUSY@deadline+20ms,w1:error=BUSY@deadline-200ms' \
    >"$SCRATCH/stopped.out" 2>"$SCRATCH/stopped.err" &
pid=$!
sleep 0.8
kill -STOP "$pid"
sleep 0.8
kill -CONT "$pid"
wait "$pid"
rc=$?
expect stopped 1 '^sqlstorm: FAIL \(1 failure\)' "a stopped parent: one failure"
expect stopped 1 'expected +w0: late error' "a stopped parent: deadline+20ms is still expected"
expect stopped 1 'failure +w1: error before the deadline' "a stopped parent: deadline-200ms still fails"

run_tool crash $base --fault 'w1:crash@400ms'
expect crash 1 'w1: crashed.*SIGSEGV' "a crash fails"

run_tool exit3 $base --fault 'w0:exit=3@deadline+10ms'
expect exit3 1 'w0: exited with code 3' "a non-zero exit fails"

run_tool hang --duration 1s --workers 2 --grace 500ms --fault 'w0:hang@300ms'
expect hang 1 'w0: hung' "a hung worker is killed and fails"

run_tool garbage $base --fault 'w2:garbage@300ms'
expect garbage 1 'w2: protocol failure' "a malformed record fails"

run_tool vcrash $base --fault 'validator:crash@500ms'
expect vcrash 1 'validator: crashed' "a crashed validator fails"

run_tool canary $base --fault 'w0:droprow@500ms'
expect canary 1 'w0.*seq [0-9]+' "the droprow canary fails, naming the worker and the seq"

# A canary due just before the deadline fires all the same, every time.
run_tool canary2 $base --fault 'w1:droprow@deadline-1ms'
expect canary2 1 'w1.*seq [0-9]+' "a droprow canary at deadline-1ms still fires"

# Rollback-journal modes with snapshots racing the writers: a reader's
# hot-journal check must wait like a reader, never fail (persist mode).
fails=0
for i in 1 2 3 4 5; do
	run_tool persist$i --duration 300ms --workers 4 --interval 0 --batch 10 \
	    --validate-every 10ms --journal persist --sync off --grace 10s
	[ "$rc" -eq 0 ] || { fails=$((fails + 1)); show persist$i; }
done
if [ "$fails" -eq 0 ]; then
	ok "persist mode with snapshots every 10 ms passes 5 of 5"
else
	not_ok "persist mode with snapshots every 10 ms passes 5 of 5 ($fails failed)"
fi

finish
