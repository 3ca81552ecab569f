#!/bin/sh
# --populate and --check end to end: a small populated run passes in WAL
# and DELETE journal modes and reports what it wrote; restores that lose
# a fill row or flip one of its bytes fail naming the row; --check quick
# snapshots pass and the JSON says quick; a validator that cannot keep up
# says so on a line of its own; bad sizes and modes are one-line errors.
# Verdicts only: the one run that must fall behind sleeps 1 s per
# snapshot against a 200ms schedule, so it cannot keep up on any machine.
. "${top_srcdir:-..}/tests/lib.sh"
clean_env
scratch_init

# expect_hard NAME PATTERN DESCRIPTION: exit 99, exactly one stderr line
# matching PATTERN, and nothing created in $TMPDIR.
expect_hard() {
	lines=$(wc -l <"$SCRATCH/$1.err")
	left=$(find "$SCRATCH" -mindepth 1 ! -name '*.out' ! -name '*.err' | head -n 1)
	if [ "$rc" -eq 99 ] && [ "$lines" -eq 1 ] && [ -z "$left" ] &&
	    grep -E -q -- "$2" "$SCRATCH/$1.err"; then
		ok "$3"
	else
		not_ok "$3 (wanted exit 99, one line /$2/, nothing created; got $lines lines, left '$left')"
		show "$1"
	fi
}

# json FILE KEY: one value of a JSON report.
json() {
	json_get "$1" "$2"
}

# --- configuration errors: nothing runs, nothing is created.
run_tool mb --populate 64MB
expect_hard mb "^sqlstorm: --populate: '64MB' is not a size: write KiB, MiB or GiB \(powers of 1024\)$" \
    "--populate 64MB is one line naming the binary units, exit 99"
run_tool huge --populate 1025GiB
expect_hard huge "^sqlstorm: --populate: '1025GiB' is not a size from 1KiB to 1024GiB" \
    "--populate past 1024GiB is refused"
SQLSTORM_POPULATE=-1MiB run_tool envsize
expect_hard envsize "^sqlstorm: SQLSTORM_POPULATE: '-1MiB' is not a size" \
    "a bad SQLSTORM_POPULATE names the variable"
run_tool check --check slow
expect_hard check "^sqlstorm: --check: 'slow' is not one of full, quick$" \
    "--check slow is one line, exit 99"
SQLSTORM_CHECK= run_tool envcheck
expect_hard envcheck "^sqlstorm: SQLSTORM_CHECK: '' is not one of full, quick$" \
    "an empty SQLSTORM_CHECK is one line, exit 99"

base="--duration 2s --workers 2 --interval 5ms --validate-every 300ms"

# --- an honest populated run, WAL and DELETE.
for j in wal delete; do
	run_tool "pass_$j" $base --journal $j --populate 8MiB --json "$SCRATCH/pass_$j.json"
	expect "pass_$j" 0 '^  populate  8\.[0-9] MiB \(asked 8MiB\), [0-9]+ rows of 16 KiB in [0-9.]+ s, [0-9]+ MB/s$' \
	    "a populated run passes in $j mode and says what it wrote"
	rows=$(json "$SCRATCH/pass_$j.json" .populate.rows)
	bytes=$(json "$SCRATCH/pass_$j.json" .populate.bytes)
	if [ "${rows:-0}" -ge 512 ] && [ "${bytes:-0}" -ge 8388608 ] &&
	    [ "$(json "$SCRATCH/pass_$j.json" .check)" = full ]; then
		ok "its JSON has the rows ($rows) and bytes ($bytes), check full"
	else
		not_ok "its JSON has the rows and bytes (rows '$rows', bytes '$bytes')"
	fi
done

command -v sqlite3 >/dev/null 2>&1 ||
	skip_all "sqlite3 command-line tool not installed"

# The CLI's .backup steps 100 pages at a time and restarts whenever
# another process writes between two steps: under a steady load a copy
# of a few MiB never ends.  Holding a read transaction around it makes it
# one snapshot.
copy='sqlite3 {db} "BEGIN; SELECT count(*) FROM sqlite_master;" ".backup {output}" >/dev/null &&'

# --- restores that lose a fill row or change one byte.
run_tool lost $base --populate 4MiB --restore-cmd "$copy"' sqlite3 {output} "DELETE FROM sqlstorm_fill WHERE id = 7"'
expect lost 1 'snapshot [0-9]+: fill: row id 7 is missing \(populated 1\.\.[0-9]+\)' \
    "a restore that loses a fill row fails naming its id"

flip="CAST(substr(v, 1, 99) || (CASE WHEN substr(v, 100, 1) = x'00' THEN x'01' ELSE x'00' END) || substr(v, 101) AS BLOB)"
run_tool flip $base --populate 4MiB --restore-cmd "$copy sqlite3 {output} \"UPDATE sqlstorm_fill SET v = $flip WHERE id = 9\""
expect flip 1 'snapshot [0-9]+: fill: row id 9 differs at byte 99 of 16384 \(expected 0x[0-9a-f]{2}, found 0x0[01]\)' \
    "a restore that flips one byte of a fill row fails naming the row and the byte"

run_tool extra $base --populate 4MiB --check quick --restore-cmd "$copy"' sqlite3 {output} "INSERT INTO sqlstorm_fill SELECT max(id) + 1, v FROM sqlstorm_fill"'
expect extra 1 'snapshot [0-9]+: fill: row id [0-9]+ is extra \(populated 1\.\.[0-9]+\)' \
    "a restore with an extra fill row fails under --check quick too"

# Quick reads the last row of every copy.
run_tool quicklast $base --populate 4MiB --check quick --restore-cmd "$copy sqlite3 {output} \"UPDATE sqlstorm_fill SET v = $flip WHERE id = (SELECT max(id) FROM sqlstorm_fill)\""
expect quicklast 1 'snapshot [0-9]+: fill: row id [0-9]+ differs at byte 99 of 16384' \
    "--check quick finds a flipped byte in the last fill row"

# --- --check quick passes, and says so.
run_tool quick $base --populate 4MiB --check quick --restore-cmd "$copy true" \
    --json "$SCRATCH/quick.json"
expect quick 0 '^  pace      quick_check every 300ms: gap mean [0-9]+ (ms|s), max [0-9.]+ (ms|s)$' \
    "--check quick snapshots pass and the summary says quick_check"
if [ "$(json "$SCRATCH/quick.json" .check)" = quick ] &&
    [ "$(json "$SCRATCH/quick.json" .snapshot_pace.started)" -ge 1 ]; then
	ok "the JSON says quick and counts the snapshots started"
else
	not_ok "the JSON says quick and counts the snapshots started"
	show quick
fi

# --- a validator that cannot keep up says so, on a line of its own.
run_tool behind --duration 3s --workers 1 --validate-every 200ms \
    --restore-cmd "sleep 1 && $copy true" --json "$SCRATCH/behind.json"
expect behind 0 '^  pace      validator fell behind: [0-9]+ of 14 scheduled snapshots started, max gap [0-9.]+ s \(asked every 200ms\)$' \
    "a validator slower than --validate-every says it fell behind"
if [ "$(json "$SCRATCH/behind.json" .snapshot_pace.behind)" = true ] &&
    [ "$(json "$SCRATCH/behind.json" .snapshot_pace.scheduled)" = 14 ]; then
	ok "the JSON says behind, with 14 scheduled"
else
	not_ok "the JSON says behind, with 14 scheduled"
	show behind
fi
finish
