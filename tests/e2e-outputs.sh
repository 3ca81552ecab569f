#!/bin/sh
# Outputs that cannot lie and cannot harm (issue 10, items 5, 6 and 10):
# a report path that is the database, a companion file, the other report,
# a device, a FIFO, a socket, a directory or a symbolic link is refused
# before anything runs, and what was there is left as it was; a path that
# changes during the run is looked at again before the rename; a reader
# that went away (EPIPE) costs the printing, never the reports; TAP that
# cannot be written is exit 99 and JSON and JUnit say so; and with
# --repeat, JSON holds every run, JUnit one testsuite per run, and the
# exit status, the tally, TAP and both files agree.  No timing
# assertions: runs are short and faults are scheduled.
. "${top_srcdir:-..}/tests/lib.sh"
clean_env
scratch_init

for tool in jq xmllint; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "$tool is not installed: cannot read the reports"
		exit 77
	fi
done

S=$SCRATCH
base="--duration 300ms --workers 2 --interval 5ms --validate-every 100ms"

# check CONDITION DESCRIPTION [NAME]: a shell condition; show NAME's run
# when it does not hold.
check() {
	if eval "$1"; then
		ok "$2"
	else
		not_ok "$2"
		[ -z "${3:-}" ] || show "$3"
	fi
}

# nothing_ran NAME: no run directory, and a one-line error.
nothing_ran() {
	[ -z "$(find "$S" -maxdepth 1 -name 'sqlstorm.*' -type d)" ] &&
	    [ "$(wc -l <"$S/$1.err")" -eq 1 ] && [ ! -s "$S/$1.out" ]
}

# refused NAME PATTERN DESCRIPTION ARGS...: exit 99, one line matching
# PATTERN, nothing run.
refused() {
	name=$1
	pat=$2
	desc=$3
	shift 3
	# shellcheck disable=SC2086
	run_tool "$name" $base "$@"
	check "[ $rc -eq 99 ] && nothing_ran $name &&
	    grep -q -- \"$pat\" '$S/$name.err'" "$desc" "$name"
}

# ------------------------------------------------------ item 5: refusals

# A database with a row in it, and its exact bytes.
sqlite_db() {
	rm -f "$1"
	"$SQLSTORM" --db "$1" --duration 50ms --workers 1 --quiet \
	    --validate-every 0 >/dev/null 2>&1
	find "$S" -maxdepth 1 -name 'sqlstorm.*' -type d -exec rm -rf {} +
}
sqlite_db "$S/app.db"
cp "$S/app.db" "$S/app.copy"

refused dbjson "cannot write '$S/app.db': it is the database (--db)" \
    "--json naming the --db database is refused" \
    --db "$S/app.db" --json "$S/app.db"
check "cmp -s '$S/app.db' '$S/app.copy'" "the database is left byte for byte"
refused dbwal "it is the database's -wal file" \
    "--junit naming the database's -wal file is refused (no -wal yet)" \
    --db "$S/app.db" --junit "$S/app.db-wal"
check "[ ! -e '$S/app.db-wal' ]" "no -wal file was created"
refused dbnew "it is the database's -journal file" \
    "a -journal of a database that does not exist yet is refused" \
    --db "$S/new.db" --json "$S/./new.db-journal"
check "[ ! -e '$S/new.db' ] && [ ! -e '$S/new.db-journal' ]" \
    "nothing was created for the new database"
refused dburi "it is the database (--db)" \
    "a file: URI is compared by the file it names" \
    --db "file:$S/app.db?mode=rwc" --json "$S/app.db"
ln "$S/app.db" "$S/hard.json"
refused dbhard "it is the database (--db)" \
    "a hard link to the database is the database" \
    --db "$S/app.db" --json "$S/hard.json"
check "cmp -s '$S/app.db' '$S/app.copy'" "the database is still untouched"

refused same "name the same file" "--json X --junit X is refused" \
    --json "$S/x.out" --junit "$S/../$(basename "$S")/x.out"
refused sametmp "collide" "--json X --junit X.tmp is refused" \
    --json "$S/y.out" --junit "$S/y.out.tmp"

if [ -c /dev/null ]; then
	refused devnull "cannot write '/dev/null': a character device, not a regular file" \
	    "a character device (/dev/null) is refused" --junit /dev/null
	check "[ -c /dev/null ]" "/dev/null is still a character device"
fi

mkfifo "$S/fifo.json"
refused fifo "a FIFO, not a regular file" "a FIFO is refused" \
    --json "$S/fifo.json"
check "[ -p '$S/fifo.json' ]" "the FIFO is still a FIFO"

mkdir "$S/dir.json"
refused dir "Is a directory" "a directory is refused" --json "$S/dir.json"

echo victim >"$S/victim"
ln -s "$S/victim" "$S/link.json"
refused link "a symbolic link, not a regular file" \
    "a symbolic link is refused, not followed" --json "$S/link.json"
check "[ -L '$S/link.json' ] && [ \"\$(cat '$S/victim')\" = victim ]" \
    "the link and its target are left as they were"

ln -s "$S/victim" "$S/planted.json.tmp"
refused plantlink "'$S/planted.json.tmp' is in the way" \
    "a symbolic link planted at FILE.tmp is refused" \
    --json "$S/planted.json"
mkfifo "$S/plantfifo.xml.tmp"
refused plantfifo "is in the way: a FIFO" \
    "a FIFO planted at FILE.tmp is refused" --junit "$S/plantfifo.xml"
check "[ \"\$(cat '$S/victim')\" = victim ] && [ -p '$S/plantfifo.xml.tmp' ]" \
    "what was planted is left as it was"

if command -v python3 >/dev/null 2>&1 &&
    python3 -c "import socket; s = socket.socket(socket.AF_UNIX); s.bind('$S/sock.json')" 2>/dev/null &&
    [ -S "$S/sock.json" ]; then
	refused sock "a socket, not a regular file" "a socket is refused" \
	    --json "$S/sock.json"
else
	ok "a socket is refused # SKIP cannot make a socket (no python3)"
fi

# A regular file is replaced, and a regular leftover FILE.tmp too.
echo old >"$S/reg.json"
echo leftover >"$S/reg.json.tmp"
# shellcheck disable=SC2086
run_tool reg $base --json "$S/reg.json"
check "[ $rc -eq 0 ] && [ \"\$(jq -r .verdict '$S/reg.json')\" = pass ] &&
    [ ! -e '$S/reg.json.tmp' ]" \
    "a regular file and a leftover FILE.tmp are replaced" reg

# started DIR: wait (30 s at most) for the run directory in DIR, the
# TMPDIR of one run alone: it appears once the pre-run checks passed.
started() {
	n=0
	while [ -z "$(find "$1" -maxdepth 1 -name 'sqlstorm.*' -type d)" ] &&
	    [ $n -lt 600 ]; do
		sleep 0.05
		n=$((n + 1))
	done
}

# The path changes during the run: looked at again before the rename.
mkdir "$S/tmp.late"
TMPDIR=$S/tmp.late "$SQLSTORM" --duration 2s --workers 2 \
    --json "$S/late.json" --junit "$S/late.xml" >"$S/late.out" \
    2>"$S/late.err" &
pid=$!
started "$S/tmp.late"
mkfifo "$S/late.json"
ln -s "$S/victim" "$S/late.xml.tmp"
wait $pid
rc=$?
check "[ $rc -eq 99 ] && [ -p '$S/late.json' ] && [ -L '$S/late.xml.tmp' ] &&
    [ \"\$(cat '$S/victim')\" = victim ] &&
    grep -q \"^sqlstorm: --json: cannot write '$S/late.json': it became a FIFO during the run\" '$S/late.err' &&
    grep -q \"^sqlstorm: --junit: cannot write '$S/late.xml': '$S/late.xml.tmp' is in the way\" '$S/late.err'" \
    "a target that became a FIFO, a link planted at FILE.tmp: exit 99, both left alone" late

# ------------------------------------------------- item 6: EPIPE on stdout

# gone_reader FIFO: open FIFO for writing on fd 4 once its only reader
# has opened and closed it again: every write to fd 4 is then EPIPE,
# whatever the scheduler does.
gone_reader() {
	mkfifo "$1"
	(exec 3<"$1"; exec 3<&-) &
	exec 4>"$1"
	wait $!
}

gone_reader "$S/pipe1"
"$SQLSTORM" $base --fault 'w1:error=BUSY@100ms' --json "$S/pipe.json" \
    --junit "$S/pipe.xml" >&4 2>"$S/pipe.err"
rc=$?
exec 4>&-
check "[ $rc -eq 1 ] && [ \"\$(jq -r .verdict '$S/pipe.json')\" = fail ] &&
    xmllint --noout '$S/pipe.xml' && [ ! -s '$S/pipe.err' ]" \
    "stdout read by nobody: exit 1 (the verdict), JSON and JUnit written"

gone_reader "$S/pipe2"
"$SQLSTORM" $base --json "$S/pipe2.json" >&4 2>&4
rc=$?
exec 4>&-
check "[ $rc -eq 0 ] && [ \"\$(jq -r .verdict '$S/pipe2.json')\" = pass ]" \
    "stdout and stderr read by nobody: a pass is still exit 0"

if command -v bash >/dev/null 2>&1; then
	bash -c '"$1" --duration 1s --workers 2 --fault "w1:error=BUSY@300ms" \
	    --json "$2/head.json" --junit "$2/head.xml" | head -n 1 >/dev/null
	    exit "${PIPESTATUS[0]}"' sh "$SQLSTORM" "$S"
	rc=$?
	check "[ $rc -eq 1 ] && [ \"\$(jq -r .verdict '$S/head.json')\" = fail ] &&
	    xmllint --noout '$S/head.xml'" \
	    "sqlstorm ... | head -1: exit 1, the reports written"
else
	ok "sqlstorm ... | head -1 # SKIP no bash for PIPESTATUS"
fi

# ------------------------------------ item 10: TAP that cannot be written

# tap_error NAME: exit 99, JSON state "error" naming TAP, JUnit in error.
tap_error() {
	[ "$rc" -eq 99 ] &&
	    [ "$(jq -r .state "$S/$1.json")" = error ] &&
	    [ "$(jq -r .exit_code "$S/$1.json")" = 99 ] &&
	    jq -r .hard_error "$S/$1.json" | grep -q -- '--tap: cannot write TAP' &&
	    xmllint --noout "$S/$1.xml" &&
	    grep -q '<testsuites name="sqlstorm" tests="[0-9]*" failures="[0-9]*" errors="1"' "$S/$1.xml" &&
	    grep -q '<error message="--tap: cannot write TAP' "$S/$1.xml"
}

# shellcheck disable=SC2086
"$SQLSTORM" $base --tap --json "$S/closed.json" --junit "$S/closed.xml" \
    >&- 2>"$S/closed.err"
rc=$?
check "tap_error closed && grep -q '^sqlstorm: --tap: cannot write TAP on stdout' '$S/closed.err'" \
    "--tap with stdout closed: exit 99, JSON and JUnit say TAP failed"

gone_reader "$S/pipe3"
# shellcheck disable=SC2086
"$SQLSTORM" $base --tap --json "$S/taperr.json" --junit "$S/taperr.xml" \
    >&4 2>"$S/taperr.err"
rc=$?
exec 4>&-
check "tap_error taperr && jq -r .hard_error '$S/taperr.json' | grep -q 'Broken pipe'" \
    "--tap read by nobody: exit 99, JSON and JUnit say TAP failed"

# A report that fails after the run turns the other into the same error.
mkdir "$S/gone"
mkdir "$S/tmp.first"
TMPDIR=$S/tmp.first "$SQLSTORM" --duration 1s --workers 2 --tap \
    --json "$S/first.json" --junit "$S/gone/r.xml" >"$S/first.out" \
    2>"$S/first.err" &
pid=$!
started "$S/tmp.first"
rmdir "$S/gone"
wait $pid
rc=$?
check "[ $rc -eq 99 ] && [ \"\$(jq -r .state '$S/first.json')\" = error ] &&
    jq -r .hard_error '$S/first.json' | grep -q -- \"--junit: cannot write '$S/gone/r.xml'\" &&
    [ \"\$(tail -n 1 '$S/first.out')\" = \"Bail out! --junit: cannot write '$S/gone/r.xml': No such file or directory\" ]" \
    "JUnit fails after the run: exit 99, the JSON written before and TAP say so" first

# ------------------------------------------------- item 10: --repeat

# A sidecar that exits early on the second run only: runs 1 and 3 pass.
cnt=$S/count
side="n=\$(cat '$cnt' 2>/dev/null || echo 0); echo \$((n + 1)) >'$cnt'; [ \$n -eq 1 ] && exit 3; exec sleep 1000"
# shellcheck disable=SC2086
run_tool mixed $base --repeat 3 --store-cmd "$side" --tap \
    --json "$S/mixed.json" --junit "$S/mixed.xml"
j=$S/mixed.json
x=$S/mixed.xml
t=$S/mixed.out
check "[ $rc -eq 1 ] &&
    grep -q '^sqlstorm: 3 runs, 1 failure (33.3%)$' '$S/mixed.err'" \
    "--repeat 3, run 2 fails: exit 1, tally 3 runs, 1 failure" mixed
check "[ \"\$(jq -r '[.verdict, .state, .exit_code, .run_count, .failed_runs, .schema] | join(\" \")' '$j')\" = 'fail fail 1 3 1 2' ] &&
    [ \"\$(jq -r '[.runs[].verdict] | join(\" \")' '$j')\" = 'pass fail pass' ] &&
    [ \"\$(jq -r '[.runs[].config.repeat] | join(\" \")' '$j')\" = '1 1 1' ]" \
    "JSON: the aggregate on top, every run in runs, each a plain run"
seeds_j=$(jq -r '.runs[].config.seed' "$j" | tr '\n' ' ')
seeds_s=$(sed -n 's/^  run .*, seed \([0-9]*\)$/\1/p' "$S/mixed.err" | tr '\n' ' ')
check "[ '$seeds_j' = '$seeds_s' ]" "JSON runs are the summaries' runs, in order"
check "xmllint --noout '$x' &&
    [ \"\$(grep -c '<testsuite name=\"sqlstorm run [123]\"' '$x')\" -eq 3 ] &&
    grep -q '<testsuite name=\"sqlstorm run 1\" tests=\"[0-9]*\" failures=\"0\"' '$x' &&
    grep -q '<testsuite name=\"sqlstorm run 2\" tests=\"[0-9]*\" failures=\"[1-9]' '$x' &&
    grep -q '<testsuite name=\"sqlstorm run 3\" tests=\"[0-9]*\" failures=\"0\"' '$x' &&
    grep -q '<testsuites name=\"sqlstorm\" tests=\"[0-9]*\" failures=\"[1-9][0-9]*\" errors=\"0\"' '$x'" \
    "JUnit: one testsuite per run, the failures in run 2's only"
plan=$(sed -n 's/^1\.\.\([0-9]*\)$/\1/p' "$t")
points=$(grep -c '^\(not \)\{0,1\}ok ' "$t")
x_tests=$(sed -n 's/^<testsuites name="sqlstorm" tests="\([0-9]*\)".*/\1/p' "$x")
x_fail=$(sed -n 's/^<testsuites name="sqlstorm" tests="[0-9]*" failures="\([0-9]*\)".*/\1/p' "$x")
j_fail=$(jq '[.runs[].failures] | add' "$j")
check "[ '$plan' = '$points' ] && [ '$plan' = '$x_tests' ] &&
    [ \"\$(grep -c '^not ok ' '$t')\" = '$x_fail' ] && [ '$x_fail' = '$j_fail' ] &&
    ! grep '^not ok ' '$t' | grep -v -q ' - run 2: '" \
    "TAP: plan ($plan) = points ($points) = JUnit tests ($x_tests); not ok = JUnit failures = JSON failures ($j_fail), all in run 2"

# shellcheck disable=SC2086
run_tool allpass $base --repeat 2 --json "$S/allpass.json" \
    --junit "$S/allpass.xml"
check "[ $rc -eq 0 ] && [ \"\$(jq -r '[.verdict, .state, .run_count, .failed_runs] | join(\" \")' '$S/allpass.json')\" = 'pass pass 2 0' ] &&
    grep -q '<testsuites name=\"sqlstorm\" tests=\"[0-9]*\" failures=\"0\" errors=\"0\"' '$S/allpass.xml' &&
    grep -q '^sqlstorm: 2 runs, 0 failures (0%)$' '$S/allpass.out'" \
    "--repeat 2, all pass: exit 0, tally, JSON and JUnit say pass" allpass

echo "not a database, not at all, just text" >"$S/text.db"
# shellcheck disable=SC2086
run_tool hard $base --repeat 3 --db "$S/text.db" --json "$S/hard.json" \
    --junit "$S/hard.xml"
check "[ $rc -eq 99 ] && [ \"\$(jq -r '[.state, .exit_code, .run_count] | join(\" \")' '$S/hard.json')\" = 'error 99 1' ] &&
    [ \"\$(jq -r .hard_error '$S/hard.json')\" != null ] &&
    grep -q '<testsuites name=\"sqlstorm\" tests=\"1\" failures=\"0\" errors=\"1\"' '$S/hard.xml'" \
    "--repeat stopped by a hard error: exit 99, JSON and JUnit in error" hard

# shellcheck disable=SC2086
"$SQLSTORM" $base --repeat 3 --tap --json "$S/rclosed.json" \
    --junit "$S/rclosed.xml" >&- 2>"$S/rclosed.err"
rc=$?
check "tap_error rclosed && [ \"\$(jq -r .run_count '$S/rclosed.json')\" = 1 ] &&
    grep -q '^sqlstorm: 1 run, 0 failures (0%), stopped by a hard error$' '$S/rclosed.err'" \
    "--repeat --tap with stdout closed: stops, exit 99, tally and files agree"

finish
