#!/bin/sh
# End-to-end on a user's database file: every acknowledged row is in the
# kept database (checked with the sqlite3 command-line tool), sqlstorm keeps
# its hands off other tables, and a database corrupted between runs is
# reported as a failure, not crashed on.
. "${top_srcdir:-..}/tests/lib.sh"
clean_env
scratch_init

db=$SCRATCH/user.db
base="--duration 1s --workers 3 --interval 2ms --validate-every 250ms"

# shellcheck disable=SC2086
run_tool keep $base --db "$db" --keep
expect keep 0 '^sqlstorm: PASS' "a run on a user's database passes"

if command -v sqlite3 >/dev/null 2>&1; then
	missing=0
	for w in 0 1 2; do
		acked=$(sed -n "s/^  w$w .*acked 1\\.\\.\\([0-9]*\\),.*/\\1/p" "$SCRATCH/keep.out")
		have=$(sqlite3 "$db" "SELECT count(DISTINCT seq) FROM sqlstorm_rows WHERE worker = $w AND seq BETWEEN 1 AND ${acked:-0}")
		if [ -z "$acked" ] || [ "$acked" -eq 0 ] || [ "$have" != "$acked" ]; then
			missing=1
			echo "# w$w: acknowledged 1..$acked, database holds $have of them"
		fi
	done
	if [ "$missing" -eq 0 ]; then
		ok "the sqlite3 tool finds every acknowledged row in the kept database"
	else
		not_ok "the sqlite3 tool finds every acknowledged row in the kept database"
	fi

	sqlite3 "$db" "CREATE TABLE mine(x); INSERT INTO mine VALUES (42);"
	run_tool other $base --db "$db"
	if [ "$rc" -eq 0 ] && [ "$(sqlite3 "$db" 'SELECT x FROM mine')" = 42 ]; then
		ok "other tables in the user's database are left alone"
	else
		not_ok "other tables in the user's database are left alone"
		show other
	fi
else
	ok "# SKIP sqlite3 command-line tool not installed"
fi

# Overwrite pages 2 and 3 (page 1, the schema, stays, so it still is a
# SQLite database): the next run must report corruption and exit 1.
dd if=/dev/zero bs=4096 count=2 2>/dev/null | tr '\000' 'X' |
    dd of="$db" bs=4096 seek=1 count=2 conv=notrunc 2>/dev/null
run_tool corrupt $base --db "$db"
expect corrupt 1 'corrupt' "a database corrupted between runs is reported (exit 1)"
if grep -q 'sqlstorm: FAIL' "$SCRATCH/corrupt.out"; then
	ok "the corrupt database gets a FAIL summary, not a crash"
else
	not_ok "the corrupt database gets a FAIL summary, not a crash"
	show corrupt
fi

# Exit 99 leaves nothing behind: a database the run could not use is not
# left as a 0-byte file, no -journal appears beside a device, no run
# directory stays (even with --keep), and in-memory databases, which each
# process would see empty, are refused.  One line on stderr each time.
hard=$SCRATCH/hard
mkdir "$hard"
long=$(printf '%0255d' 0 | tr 0 a)
devjournal=0
[ -e /dev/null-journal ] && devjournal=1
for db in "file:nowal.db?vfs=unix-none" "$long" /dev/null "file:/dev/null" \
    :memory: file::memory: 'file:m?mode=memory&cache=shared'; do
	# A memory journal is the one mode an in-memory database accepts.
	journal=wal
	case $db in *memory*) journal=memory ;; esac
	before=$(ls -A "$hard")
	(cd "$hard" && TMPDIR=$hard "$SQLSTORM" --duration 1s --keep \
	    --journal "$journal" --db "$db" \
	    >"$SCRATCH/hard.out" 2>"$SCRATCH/hard.err")
	rc=$?
	after=$(ls -A "$hard")
	short=$(printf '%s' "$db" | cut -c1-40)
	if [ "$rc" -eq 99 ] && [ "$(wc -l <"$SCRATCH/hard.err")" -eq 1 ] &&
	    [ ! -s "$SCRATCH/hard.out" ] && [ "$before" = "$after" ]; then
		ok "--db $short: exit 99, one line, nothing left behind"
	else
		not_ok "--db $short: exit 99, one line, nothing left behind"
		echo "# files before: [$before] after: [$after]"
		show hard
	fi
done
if [ "$devjournal" -eq 0 ] && [ -e /dev/null-journal ]; then
	not_ok "no -journal appeared beside /dev/null"
else
	ok "no -journal appeared beside /dev/null"
fi
grep -q 'in-memory database is private' "$SCRATCH/hard.err" &&
    ok "an in-memory database is refused with its reason" ||
    not_ok "an in-memory database is refused with its reason"

finish
