#!/bin/sh
# End-to-end with external stores (--store-cmd, --restore-cmd): a real
# restore tool passes; broken stores, a dying sidecar and a sidecar that
# ignores SIGTERM fail with a clear reason.  The examples of
# doc/stores.md, "Testing your own store", are run by readme-examples.sh.
. "${top_srcdir:-..}/tests/lib.sh"
clean_env
scratch_init

base="--duration 1500ms --workers 3 --interval 5ms --validate-every 300ms"

if command -v sqlite3 >/dev/null 2>&1; then
	# shellcheck disable=SC2086
	run_tool cli $base --restore-cmd 'sqlite3 {db} ".backup {output}"'
	expect cli 0 '^sqlstorm: PASS' "the sqlite3 tool as the restore command passes"
	if grep -q 'snapshots  *[1-9][0-9]* validated, 0 failed' "$SCRATCH/cli.out"; then
		ok "its copies were validated"
	else
		not_ok "its copies were validated"
		show cli
	fi
else
	ok "# SKIP sqlite3 command-line tool not installed"
	ok "# SKIP sqlite3 command-line tool not installed"
fi

# A store that copies the main database file but not its WAL loses
# acknowledged rows: the ledger names them.
run_tool nowal $base --restore-cmd 'cp {db} {output}'
expect nowal 1 'acknowledged seq [0-9]+ .* but the snapshot holds' \
    "a copy without the WAL fails, naming the lost rows"

run_tool trunc $base --restore-cmd 'head -c 8192 {db} > {output}'
expect trunc 1 'snapshot [0-9]+: ' "a truncated copy fails"

run_tool restfail $base --restore-cmd 'echo no replica here >&2; exit 3; cp {db} {output}'
expect restfail 1 'restore command exited with code 3: no replica here' \
    "a failing restore command fails with its output"

run_tool slow $base --restore-cmd 'sleep 10; cp {db} {output}' --restore-timeout 200ms
expect slow 1 'restore command ran longer than 200ms' "a restore past its time limit fails"

# A replicator-like sidecar that lives to the end passes, and sees its
# environment.
run_tool side $base --store-cmd 'echo "watching $SQLSTORM_DB in $SQLSTORM_RUN_DIR"; exec sleep 600'
expect side 0 '^sqlstorm: PASS' "a sidecar that lives until SIGTERM passes"

run_tool died $base --store-cmd 'sleep 0.3; echo replicator lost its lease >&2; exit 2'
expect died 1 'store: sidecar ended before the deadline.*code 2.*replicator lost its lease' \
    "a sidecar that dies mid-run fails, with the tail of its log"

run_tool stubborn $base --grace 300ms --store-cmd "trap '' TERM; exec sleep 600"
expect stubborn 1 'store: hung: the sidecar ignored SIGTERM' \
    "a sidecar that ignores SIGTERM is killed and reported"

# An asynchronous "replica", refreshed by the sidecar every 1.5 s: the
# strict rule fails it, a max lag longer than the run accepts it.
lagcmd='while :; do sqlite3 {db} ".backup $SQLSTORM_RUN_DIR/replica.tmp" 2>/dev/null && mv "$SQLSTORM_RUN_DIR/replica.tmp" "$SQLSTORM_RUN_DIR/replica.db"; sleep 1.5; done'
restcmd='while [ ! -f "$SQLSTORM_RUN_DIR/replica.db" ]; do sleep 0.05; done; cp "$SQLSTORM_RUN_DIR/replica.db" {output}'
lagbase="--duration 3s --workers 2 --interval 5ms --validate-every 500ms"
if command -v sqlite3 >/dev/null 2>&1; then
	# shellcheck disable=SC2086
	run_tool lagstrict $lagbase --store-cmd "$lagcmd" --restore-cmd "$restcmd"
	expect lagstrict 1 'acknowledged seq' "a lagging replica fails the strict rule"
	# shellcheck disable=SC2086
	run_tool lagok $lagbase --max-lag 10s --store-cmd "$lagcmd" --restore-cmd "$restcmd"
	expect lagok 0 '^sqlstorm: PASS' "--max-lag longer than the lag accepts the same replica"
else
	ok "# SKIP sqlite3 command-line tool not installed"
	ok "# SKIP sqlite3 command-line tool not installed"
fi

# Commands start with default signal dispositions and an empty mask,
# though sqlstorm itself ignores SIGPIPE: `yes | head -1` ends yes by
# SIGPIPE (exit status 141), in the sidecar and in the restore command.
# (Written aside and renamed: a restore the shutdown kills between the
# truncation and the write must not leave an empty file.)
yes_cmd='{ yes; echo $? > "$SQLSTORM_RUN_DIR/../$0.yes.$$" && mv "$SQLSTORM_RUN_DIR/../$0.yes.$$" "$SQLSTORM_RUN_DIR/../$0.yes"; } | head -1 >/dev/null'
run_tool sigs --duration 1s --workers 2 --validate-every 300ms --keep \
    --store-cmd "sh -c '$yes_cmd' store; exec sleep 600" \
    --restore-cmd "sh -c '$yes_cmd' restore; exit 1; cp {db} {output}"
for who in store restore; do
	got=$(cat "$SCRATCH/$who.yes" 2>/dev/null)
	if [ "$got" = 141 ]; then
		ok "the $who command gets SIGPIPE by default (yes exits 141)"
	else
		not_ok "the $who command gets SIGPIPE by default (yes exited '$got')"
		show sigs
	fi
done

# A chatty sidecar (yes writes hundreds of MB/s): store.log is rotated
# into store.log.1 past 2 MiB, so the two stay near 4 MiB, and the run
# still passes.
run_tool chatty --duration 3s --workers 2 --keep --store-cmd 'yes sqlstorm'
expect chatty 0 '^sqlstorm: PASS' "a run with a chatty sidecar passes"
dir=$(sed -n 's/^  kept *//p' "$SCRATCH/chatty.out")
total=$(cat "$dir/store.log" "$dir/store.log.1" 2>/dev/null | wc -c)
if [ -n "$dir" ] && [ -f "$dir/store.log.1" ] &&
    [ "$total" -le $((4 * 1024 * 1024 + 65536)) ]; then
	ok "the sidecar's log is rotated and bounded ($total bytes)"
else
	not_ok "the sidecar's log is rotated and bounded ($total bytes in '$dir')"
fi
rm -rf "$dir"

# ... and when such a sidecar dies, the reason still ends with its newest
# line, though the log was rotated in between.
run_tool chattydied --duration 1500ms --workers 2 \
    --store-cmd 'yes sqlstorm | head -n 555555; echo replicator lost its lease >&2; exit 2'
expect chattydied 1 'store: sidecar ended before the deadline.*code 2.*sqlstorm \| replicator lost its lease$' \
    "a chatty sidecar that dies fails with the newest line of its rotated log"

# The final restore: with a sidecar and a restore command, the store
# gets --max-lag past the deadline to catch up, then one last copy must
# hold every acknowledged row.  A replica refreshed every 300 ms passes;
# one that stops copying after the second restore passes every snapshot
# inside the lag and fails the final restore, naming the rows.
if command -v sqlite3 >/dev/null 2>&1; then
	n='n=$(($(cat "$SQLSTORM_RUN_DIR/n" 2>/dev/null || echo 0) + 1)); echo $n > "$SQLSTORM_RUN_DIR/n";'
	copier='while [ ! -e "$SQLSTORM_RUN_DIR/stop" ]; do rm -f "$SQLSTORM_RUN_DIR/r.tmp"; sqlite3 {db} .dump | sqlite3 "$SQLSTORM_RUN_DIR/r.tmp" && mv "$SQLSTORM_RUN_DIR/r.tmp" "$SQLSTORM_RUN_DIR/r.db"; sleep 0.3; done; exec sleep 600'
	fetch='while [ ! -f "$SQLSTORM_RUN_DIR/r.db" ]; do sleep 0.05; done; cp "$SQLSTORM_RUN_DIR/r.db" {output}'
	run_tool finalok --duration 3s --workers 2 --max-lag 2s \
	    --store-cmd "$copier" --restore-cmd "$fetch"
	expect finalok 0 '^  restore   final restore \(snapshot [0-9]+, begun [0-9.]+ s after the deadline\): ok' \
	    "a replica that keeps copying passes its final restore"
	expect finalok 0 '^  lag       restored copies behind the ACKs: p50 [0-9.]+ m?s, p99 [0-9.]+ m?s, max [0-9.]+ m?s over [0-9]+ cop' \
	    "the summary gives the copies' replication lag"
	run_tool finalbad --duration 3s --workers 2 --max-lag 2s \
	    --store-cmd "$copier" \
	    --restore-cmd "$n"' if [ $n -eq 2 ]; then touch "$SQLSTORM_RUN_DIR/stop"; fi; '"$fetch"
	expect finalbad 1 'restore   final restore \(snapshot [0-9]+, begun [0-9.]+ s after the deadline\): FAILED: .*acknowledged seq [0-9]+' \
	    "a replica that stopped copying fails the final restore, naming the rows"
	run_tool nofinal --duration 2s --workers 2 --grace 2s --max-lag 2s \
	    --store-cmd "$copier" --restore-cmd "$fetch"
	expect nofinal 0 '^  restore   no final restore: --grace 2s leaves it no time' \
	    "a grace too short for a final restore is said, not silent"
else
	ok "# SKIP sqlite3 command-line tool not installed"
	ok "# SKIP sqlite3 command-line tool not installed"
fi

finish
