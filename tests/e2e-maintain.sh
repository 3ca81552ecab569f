#!/bin/sh
# End-to-end with the maintenance child (--maintain) and the file's layout
# (--page-size, --auto-vacuum): churn with every maintenance action passes
# under an honest restore in WAL and in DELETE journal mode; the file the
# run reports really gets shorter with auto_vacuum=full or VACUUM; a crash
# of maint fails the run naming maint; bad specs and a layout an existing
# database does not have are one-line errors (exit 99) that create or
# change nothing.  Verdicts and sizes only: no assertion on timing.
. "${top_srcdir:-..}/tests/lib.sh"
clean_env
scratch_init

# json_num NAME KEY: the first number after "KEY": in NAME's JSON report.
json_num() {
	sed -n "s/.*\"$2\": \\([0-9][0-9]*\\).*/\\1/p" "$SCRATCH/$1.json" |
	    head -n 1
}

# shrinks NAME DESCRIPTION: the file was larger at some point than at
# the end, and the report says by how much.
shrinks() {
	max=$(json_num "$1" max_bytes)
	end=$(json_num "$1" end_bytes)
	drop=$(json_num "$1" shrank_bytes)
	if [ -n "$max" ] && [ -n "$end" ] && [ "$end" -lt "$max" ] &&
	    [ "${drop:-0}" -gt 0 ]; then
		ok "$2 ($max bytes max, $end at end)"
	else
		not_ok "$2 (max '$max', end '$end', shrank '$drop')"
		show "$1"
	fi
}

# 64 keys per worker: the shrinking phase deletes most of them soon.
churn="--workload churn --churn keys=64 --workers 2 --interval 2ms"

# ---------------------------------------------------------------- no child

run_tool plain --duration 1s --workers 1 --json "$SCRATCH/plain.json"
if [ "$rc" -eq 0 ] && ! grep -q '"name": "maint"' "$SCRATCH/plain.json" &&
    ! grep -q '^  maintain ' "$SCRATCH/plain.out" &&
    grep -q '"maintenance": null' "$SCRATCH/plain.json"; then
	ok "without --maintain no maintenance child runs"
else
	not_ok "without --maintain no maintenance child runs"
	show plain
fi

# ---------------------------------------------------------------- faults

run_tool crash --duration 3s --workers 1 \
    --maintain 'optimize@every 300ms' --fault maint:crash@1s
expect crash 1 '^  failure   maint: .*(SIGSEGV|signal)' \
    "a maint crash fails the run, naming maint"

# ---------------------------------------------------------------- shrink

# DELETE journal, auto_vacuum=full: every commit of the shrinking phase
# gives pages back to the file system.  (--coverage report: on a loaded
# machine one of two writers in a rollback journal may starve, which is
# not what these two runs test.)
run_tool avfull $churn --churn keys=64,grow=40,shrink=100000 \
    --duration 3s --journal delete --auto-vacuum full --coverage report \
    --maintain 'optimize@every 1s' --json "$SCRATCH/avfull.json"
expect avfull 0 '^  file      .* max, .* at end, shrank by' \
    "churn with --auto-vacuum full passes and reports the file's size"
shrinks avfull "with --auto-vacuum full the file gets shorter"

# WAL, auto_vacuum=none: only VACUUM (and a checkpoint to bring its WAL
# home) shortens the file.
run_tool vacuum $churn --churn keys=64,grow=40,shrink=100000 \
    --duration 3s --coverage report --maintain 'vacuum@every 1s,checkpoint=truncate@every 1s' \
    --json "$SCRATCH/vacuum.json"
expect vacuum 0 '^  maintain  checkpoint\(truncate\) [1-9][0-9]*×, max [0-9.]+ ms; vacuum [1-9][0-9]*×, max [0-9.]+ ms; [0-9]+ errors?$' \
    "churn with VACUUM passes, its runs counted"
shrinks vacuum "with VACUUM and a TRUNCATE checkpoint the file gets shorter"

# ---------------------------------------------------------------- restores

command -v sqlite3 >/dev/null 2>&1 ||
	skip_all "sqlite3 command-line tool not installed"

every='checkpoint=passive@every 400ms,checkpoint=full@every 700ms'
every="$every,checkpoint=restart@every 900ms,checkpoint=truncate@every 1s"
every="$every,vacuum@every 1500ms,incremental_vacuum@every 300ms"
every="$every,optimize@every 2s"
run_tool wal $churn --duration 3s --validate-every 300ms \
    --auto-vacuum incremental --maintain "$every" \
    --restore-cmd 'sqlite3 {db} ".backup {output}"'
# Every kind is listed; the first due must have run (one that waits on a
# lock may push a later one past the deadline on a loaded machine).
expect wal 0 '^  maintain  checkpoint\(passive\) [1-9][0-9]*×.* checkpoint\(full\) [0-9]+×.* checkpoint\(restart\) [0-9]+×.* checkpoint\(truncate\) [0-9]+×.* vacuum [0-9]+×.* incremental_vacuum [1-9][0-9]*×.* optimize [0-9]+×.*; [0-9]+ errors?$' \
    "churn with every maintenance action passes an honest restore in WAL"

# (A late BUSY at shutdown is counted in the line and expected.)
# DELETE: no checkpoint.  In a rollback journal a reader needs a moment
# without a writer: the shell's .backup gets a busy timeout (without one
# it fails with "database is locked", maintenance or not) and the
# workers a 20ms interval (flat out they starve every restore, with or
# without maintenance).  One action may still wait on the lock for up to
# --busy-timeout and the next be skipped at the deadline, so only the
# first due must have run.
run_tool delete $churn --interval 20ms --duration 3s --validate-every 300ms \
    --journal delete --auto-vacuum incremental \
    --maintain 'vacuum@every 1500ms,incremental_vacuum=16@every 300ms,optimize@every 2s' \
    --restore-cmd 'sqlite3 -cmd ".timeout 5000" {db} ".backup {output}"'
expect delete 0 '^  maintain  vacuum [0-9]+×.* incremental_vacuum [1-9][0-9]*×.* optimize [0-9]+×.*; [0-9]+ errors?$' \
    "churn with every maintenance action but checkpoints passes in DELETE"

# ---------------------------------------------------------------- usage

# bad NAME PATTERN DESCRIPTION ARGS...: exit 99, one line, no database
# and no run directory left behind (in a directory of their own).
usage=$SCRATCH/usage
mkdir "$usage" || exit 99
TMPDIR=$usage
export TMPDIR
bad() {
	_name=$1 _pat=$2 _desc=$3
	shift 3
	run_tool "$_name" --db "$usage/$_name.db" "$@"
	lines=$(wc -l <"$SCRATCH/$_name.err")
	left=$(ls -A "$usage" | wc -l)
	if [ "$rc" -eq 99 ] && [ "$lines" -eq 1 ] && [ "$left" -eq 0 ] &&
	    grep -E -q -- "$_pat" "$SCRATCH/$_name.err"; then
		ok "$_desc"
	else
		not_ok "$_desc (exit $rc, $lines lines, $left left behind)"
		show "$_name"
	fi
}

bad badaction "^sqlstorm: --maintain: unknown action 'defrag'" \
    "an unknown action is a one-line error" --maintain 'defrag@1s'
bad badmode "^sqlstorm: --maintain: checkpoint mode 'soft' is not one of" \
    "a bad checkpoint mode is a one-line error" \
    --maintain 'checkpoint=soft@every 1s'
bad nowal "^sqlstorm: --maintain: checkpoint\(truncate\) needs --journal wal" \
    "a checkpoint without WAL is a one-line error" \
    --journal delete --maintain 'checkpoint=truncate@1s'
bad noincr "^sqlstorm: --maintain: incremental_vacuum needs --auto-vacuum incremental" \
    "incremental_vacuum without --auto-vacuum incremental is a one-line error" \
    --maintain 'incremental_vacuum@1s'
bad never "^sqlstorm: --maintain: vacuum@5s is never due before the deadline" \
    "an item never due before the deadline is a one-line error" \
    --duration 2s --maintain 'vacuum@5s'
SQLSTORM_MAINTAIN='checkpoint@1s'
export SQLSTORM_MAINTAIN
bad envspec "^sqlstorm: SQLSTORM_MAINTAIN: checkpoint needs a mode" \
    "the variable is named when the spec came from it" --journal wal
unset SQLSTORM_MAINTAIN
bad pagesize "^sqlstorm: --page-size: '3000' is not a power of two" \
    "a page size that is no power of two is a one-line error" \
    --page-size 3000
bad autovac "^sqlstorm: --auto-vacuum: 'always' is not one of none, full, incremental" \
    "an unknown auto_vacuum mode is a one-line error" --auto-vacuum always
bad maintfault "^sqlstorm: --fault: a fault for maint needs --maintain" \
    "a maint fault without --maintain is a one-line error" \
    --fault maint:crash@1s

# An existing database keeps its layout: refused, not a byte changed.
run_tool made --db "$SCRATCH/old.db" --duration 300ms --workers 1 \
    --page-size 4096 --coverage report
cp "$SCRATCH/old.db" "$SCRATCH/old.copy"
run_tool relayout --db "$SCRATCH/old.db" --duration 300ms --workers 1 \
    --page-size 8192
expect relayout 99 "^sqlstorm: '.*old\\.db' has page size 4096, not 8192 \\(--page-size\\): sqlstorm sets the layout only of a database it creates; the file is left as it was" \
    "an existing database with another page size is a one-line error"
if cmp -s "$SCRATCH/old.db" "$SCRATCH/old.copy"; then
	ok "... and the database is left byte for byte as it was"
else
	not_ok "... and the database is left byte for byte as it was"
fi

finish
