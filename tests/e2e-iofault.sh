#!/bin/sh
# End-to-end with --nemesis io (storage faults through the VFS shim):
# each kind (read, write, sync, truncate, open, short-write, full) in WAL
# and DELETE mode ends in its documented verdict (doc/design.md, "Storage
# faults"): an injected error is expected (injected), a firing inside the
# WAL autocheckpoint is absorbed, a kind that cannot fire in a mode fails
# "never fired" under --coverage strict; nothing acknowledged is lost,
# integrity holds and writes resume.  A test-only switch
# (SQLSTORM_TEST_IOFAULT_SWALLOW=1: the hook counts a firing without
# failing the call) proves the swallowed rule bites.  Every run has one
# worker: two writers at --interval 0 can starve one for the whole run on
# a loaded machine (the armed one would never fire, and coverage would
# fail); runs whose subject is not coverage use --coverage report and
# read the io line instead.
. "${top_srcdir:-..}/tests/lib.sh"
clean_env
scratch_init

# intact NAME: nothing acknowledged lost, final integrity ok.
intact() {
	unfold "$SCRATCH/$1.out" | grep -E -q '^  final .*integrity ok, [0-9]+ acknowledged, 0 lost'
}

# check NAME CODE IOPATTERN DESCRIPTION: exit code, the io line, intact.
check() {
	if [ "$rc" -eq "$2" ] && intact "$1" &&
	    unfold "$SCRATCH/$1.out" | grep -E -q -- "^  io  +$3"; then
		ok "$4"
	else
		not_ok "$4 (wanted exit $2, intact, /io $3/)"
		show "$1"
	fi
}

wal="--journal wal --workers 1"
del="--journal delete --workers 1"
common="--duration 2s --interval 0 --coverage report"
strict="--duration 2s --interval 0 --coverage strict"

# Expected (injected) in both modes, writes resume after it.
for k in 'read=IOERR' 'write=IOERR_WRITE'; do
	for j in wal del; do
		eval "opts=\$$j"
		# shellcheck disable=SC2086
		run_tool "$j-${k%%=*}" $common $opts --nemesis "io:$k@700ms"
		check "$j-${k%%=*}" 0 "io:$k@700ms: armed 1, fired 1, [01] expected, [01] absorbed; writes resumed" \
		    "$j: io:$k fires once, expected or absorbed, nothing lost"
	done
done
expect del-read 0 '^  expected +w0: injected fault \(--nemesis item 0\): IOERR' \
    "del: the injected read error is expected (injected)"
expect del-read 0 '^  errors +0 failures, [0-9]+ expected \([0-9 a-z,]*1 injected\)' \
    "the errors line counts the injected one"

# sync: DELETE syncs the journal at each commit; WAL with sync normal
# syncs only in the checkpoint (absorbed), with sync full at each commit.
# shellcheck disable=SC2086
run_tool del-sync $common $del --nemesis 'io:sync=IOERR_FSYNC@700ms'
check del-sync 0 'io:sync=IOERR_FSYNC@700ms: armed 1, fired 1, 1 expected, 0 absorbed' \
    "del: io:sync fails a COMMIT, expected (injected)"
# shellcheck disable=SC2086
run_tool wal-syncfull $common $wal --sync full --nemesis 'io:sync=IOERR@700ms'
check wal-syncfull 0 'io:sync=IOERR@700ms: armed 1, fired 1, [01] expected, [01] absorbed' \
    "wal, sync full: io:sync fires once and passes"

# open: DELETE opens a journal per transaction; WAL opens its files once,
# before any arming, so it never fires and fails under strict coverage.
# shellcheck disable=SC2086
run_tool del-open $common $del --nemesis 'io:open=CANTOPEN@700ms' \
    --junit "$SCRATCH/del-open.xml"
check del-open 0 'io:open=CANTOPEN@700ms: armed 1, fired 1, 1 expected' \
    "del: io:open fails the journal's open, expected (injected)"
if grep -q '<system-out>expected (injected): injected fault (--nemesis item 0): CANTOPEN' \
    "$SCRATCH/del-open.xml"; then
	ok "JUnit shows the injected error as its own kind"
else
	not_ok "JUnit shows the injected error as its own kind"
	grep -i expected "$SCRATCH/del-open.xml"
fi
# shellcheck disable=SC2086
run_tool wal-open $strict $wal --nemesis 'io:open=CANTOPEN@700ms'
expect wal-open 1 '^  failure +run: io:open=CANTOPEN@700ms never fired \(armed 1 time\)' \
    "wal: io:open never fires: a failure under --coverage strict"

# truncate: DELETE deletes its journal, never truncates: never fired.
# In WAL only a checkpoint truncates (the autocheckpoint, absorbed, when
# it backfills the whole WAL): shown under --coverage report.
# shellcheck disable=SC2086
run_tool del-trunc $strict $del --nemesis 'io:truncate=IOERR@700ms'
expect del-trunc 1 '^  failure +run: io:truncate=IOERR@700ms never fired' \
    "del: io:truncate never fires: a failure under --coverage strict"
# shellcheck disable=SC2086
run_tool wal-trunc $common $wal --nemesis 'io:truncate=IOERR@700ms'
check wal-trunc 0 'io:truncate=IOERR@700ms: armed 1, fired [01], 0 expected, [01] absorbed' \
    "wal: io:truncate only ever fires in the autocheckpoint (absorbed)"

# short-write: half the bytes land, FULL, the transaction rolls back.
for j in wal del; do
	eval "opts=\$$j"
	# shellcheck disable=SC2086
	run_tool "$j-short" $common $opts --nemesis 'io:short-write@w0:700ms'
	check "$j-short" 0 'io:short-write@w0:700ms: armed 1, fired 1, [01] expected, [01] absorbed; writes resumed' \
	    "$j: io:short-write is rolled back, nothing lost"
done
expect del-short 0 '^  expected +w0: injected fault \(--nemesis item 0\): FULL' \
    "del: the short write surfaces as FULL, expected (injected)"

# full, reached mid-run and lifted at a given time: FULL errors expected,
# nothing acknowledged lost, integrity ok, writes resume; JSON fields.
# shellcheck disable=SC2086
run_tool wal-full --duration 2500ms --interval 0 --coverage report $wal \
    --nemesis 'io:full=256KiB/700ms@500ms' --json "$SCRATCH/wal-full.json"
check wal-full 0 'io:full=256KiB/700ms@500ms: armed 1, fired [1-9][0-9]*, [1-9][0-9]* expected, [0-9]+ absorbed; writes resumed' \
    "wal: io:full: FULL expected (injected), writes resume once lifted"
if grep -q '"io": \[{"item": "io:full=256KiB/700ms@500ms", "armed": 1, "fired": [1-9][0-9]*, "expected": [1-9][0-9]*, "absorbed": [0-9]*, "writes_resumed": true}\]' \
    "$SCRATCH/wal-full.json" &&
    grep -q '"injected_errors": [1-9]' "$SCRATCH/wal-full.json" &&
    grep -q '"cause": "injected"' "$SCRATCH/wal-full.json"; then
	ok "the JSON report has the io item's figures and the injected cause"
else
	not_ok "the JSON report has the io item's figures and the injected cause"
	grep -o '"nemesis": {[^}]*}[^}]*}' "$SCRATCH/wal-full.json"
fi
# shellcheck disable=SC2086
run_tool del-full --duration 2500ms --interval 0 --coverage report $del \
    --nemesis 'io:full=20KiB/700ms@500ms'
check del-full 0 'io:full=20KiB/700ms@500ms: armed 1, fired [1-9][0-9]*, [1-9][0-9]* expected, 0 absorbed; writes resumed' \
    "del: io:full: FULL expected (injected), writes resume once lifted"

# The swallowed rule bites: the hook counts a firing, the call succeeds.
# shellcheck disable=SC2086
SQLSTORM_TEST_IOFAULT_SWALLOW=1 run_tool swallow $strict $del \
    --nemesis 'io:write=IOERR@700ms'
expect swallow 1 '^  failure +w0: swallowed an injected fault: injected IOERR \(--nemesis item 0\), yet it was committed' \
    "a committed transaction that saw a firing fails (swallowed)"
expect swallow 1 '^  reproduce .*--nemesis .?io:write=IOERR@700ms' \
    "the reproduce line keeps --nemesis as given"

# Review fixes.  Writes must resume in the worker the fault hit, not just
# somewhere: w0 stops for good (a hang fault) after its injected error
# while w1 goes on committing.
run_tool stuck --duration 3s --workers 2 --interval 300ms --journal delete \
    --validate-every 0 --grace 1s --nemesis 'io:write=IOERR@w0:500ms' \
    --fault 'w0:hang@700ms'
expect stuck 1 '^  failure +w0: writes never resumed after its injected fault at 0\.[5-9]s' \
    "a worker that never writes again after its fault fails, named (w1's commits do not cover it)"
# maint's own autocheckpoint (after a VACUUM) absorbs a firing, as a
# worker's does; a read-only journal open that SQLite takes as "hot" on
# CANTOPEN (hasHotJournal) absorbs it too; a worker restarted by the
# nemesis reopens through injected read faults.
run_tool maintck --duration 3s --workers 1 --interval 1s --validate-every 0 \
    --sync normal --populate 8MiB --maintain vacuum@1500ms \
    --nemesis 'io:sync=IOERR@maint:1s' --coverage report
expect maintck 0 '^  io +io:sync=IOERR@maint:1s: armed 1, fired 1, 0 expected, 1 absorbed' \
    "a firing in maint's autocheckpoint is absorbed, not swallowed"
run_tool persist --duration 2s --workers 1 --validate-every 0 --journal persist \
    --nemesis 'io:open=CANTOPEN@1s'
expect persist 0 '^  io +io:open=CANTOPEN@1s: armed 1, fired 1, 0 expected, 1 absorbed' \
    "CANTOPEN on the read-only hot-journal check is absorbed (persist)"
run_tool reopen --duration 3s --journal delete --workers 2 --validate-every 0 \
    --nemesis 'kill:w0=100ms@every 400ms,io:read=IOERR@w0:every 30ms' \
    --coverage report
expect reopen 0 '^sqlstorm: PASS' \
    "a restarted worker whose open meets an injected fault opens again"

# An arming made while its target was down (killed, not yet restarted)
# is taken up by the next life.
run_tool down --duration 3s --workers 2 --journal delete --validate-every 0 \
    --nemesis 'kill:w0=500ms@1s,io:write=IOERR@w0:1200ms'
expect down 0 '^  io +io:write=IOERR@w0:1200ms: armed 1, fired 1, 1 expected' \
    "a fault armed while the worker was down fires in its next life"

# Bad input: one line, exit 99, nothing created.
mkdir "$SCRATCH/empty"
for bad in 'io:sync=IOERR@1s --sync off' 'io:read=IOERR@validator:1s' \
    'io:full=0@1s' 'io:write=CORRUPT@1s' 'io:write=IOERR@5s' \
    'io:full=1/300ms@500ms,io:full=1@600ms'; do
	# shellcheck disable=SC2086
	(cd "$SCRATCH/empty" && "$SQLSTORM" --duration 1s --nemesis ${bad%% *} \
	    $(case $bad in *--sync*) echo --sync off;; esac) \
	    >"$SCRATCH/bad.out" 2>"$SCRATCH/bad.err")
	brc=$?
	if [ "$brc" -eq 99 ] && [ "$(wc -l <"$SCRATCH/bad.err")" -eq 1 ] &&
	    [ -z "$(ls -A "$SCRATCH/empty")" ]; then
		ok "refused in one line, nothing created: $bad"
	else
		not_ok "refused in one line, nothing created: $bad (exit $brc)"
		cat "$SCRATCH/bad.err"
	fi
done

finish
