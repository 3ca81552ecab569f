#!/bin/sh
# make check-large (not part of make check): a run on a database past
# 1 GiB.  --populate 1100MiB grows it across the lock-byte page at offset
# 0x40000000 (which SQLite never uses: the file must skip it), then churn
# writes, deletes and grows it for a few seconds while the validator
# restores copies with the sqlite3 shell's .backup and checks them with
# --check quick; the final database gets the full check (integrity_check,
# every fill byte, churn's exact model).  It must pass.  Needs sqlite3
# and about 6 GiB free in $TMPDIR (the database and up to four copies);
# takes about a minute.  LARGE_SIZE and LARGE_DURATION change the size
# and the length of the run.
. "${top_srcdir:-..}/tests/lib.sh"
clean_env
scratch_init

command -v sqlite3 >/dev/null 2>&1 ||
	skip_all "sqlite3 command-line tool not installed"
size=${LARGE_SIZE:-1100MiB}
duration=${LARGE_DURATION:-30s}
free_kb=$(df -Pk "$SCRATCH" | awk 'NR == 2 { print $4 }')
if [ "${free_kb:-0}" -lt $((6 * 1024 * 1024)) ]; then
	skip_all "less than 6 GiB free in ${TMPDIR:-/tmp}"
fi

# json KEY: one value of the run's JSON report.
json() {
	json_get "$SCRATCH/large.json" "$1"
}

# The shell's .backup copies 100 pages a step and restarts when another
# process wrote between two steps; in a read transaction it is one
# snapshot, however long it takes.
restore='sqlite3 {db} "BEGIN; SELECT count(*) FROM sqlite_master;" ".backup {output}" >/dev/null'
t0=$(date +%s)
run_tool large --populate "$size" --workload churn --duration "$duration" \
    --workers 2 --interval 1ms --validate-every 10s --check quick \
    --restore-cmd "$restore" --json "$SCRATCH/large.json"
t1=$(date +%s)
echo "# $size, $duration of churn: $((t1 - t0)) s in all"
grep -E '^  (populate|pace|snapshots|coverage|final) ' "$SCRATCH/large.out" |
    sed 's/^/# /'
expect large 0 '^  final     [0-9]+ rows, integrity ok, [0-9]+ acknowledged, 0 lost$' \
    "a churn run on a $size database passes, final integrity ok"

bytes=$(json .populate.bytes)
# Past the lock-byte page: more than 0x40000000 and a page of 64 KiB.
if [ "${bytes:-0}" -gt $((1073741824 + 65536)) ]; then
	ok "the database crossed the lock-byte page at 0x40000000 ($bytes bytes)"
else
	case $size in
	1100MiB) not_ok "the database crossed the lock-byte page (bytes '$bytes')" ;;
	*) ok "# SKIP LARGE_SIZE=$size does not reach 1 GiB" ;;
	esac
fi
if [ "$(json .check)" = quick ] && [ "$(json .coverage.snapshots_taken)" -ge 1 ]; then
	ok "its copies were checked with quick_check ($(json .coverage.snapshots_taken) taken)"
else
	not_ok "its copies were checked with quick_check"
	show large
fi

finish
