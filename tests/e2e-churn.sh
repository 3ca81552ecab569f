#!/bin/sh
# End-to-end with the churn workload: an honest restore passes; five
# broken restores (ordinary --restore-cmd scripts over sqlite3) each
# fail, naming the worker, the key and the seq; the droprow canary fails.
# Verdicts only: nothing here depends on timing.
. "${top_srcdir:-..}/tests/lib.sh"
clean_env
scratch_init

# 64 keys per worker: deletes and re-puts of the same keys come early.
base="--workload churn --churn keys=64 --duration 2s --workers 2"
base="$base --interval 2ms --validate-every 300ms"

run_tool drop $base --fault w0:droprow@1s
expect drop 1 'final database: w0: torn transaction: key [0-9]+ holds the value of seq [0-9]+ but the ledger holds only' \
    "the droprow canary fails under churn"

command -v sqlite3 >/dev/null 2>&1 ||
	skip_all "sqlite3 command-line tool not installed"

run_tool honest $base --restore-cmd 'sqlite3 {db} .dump | sqlite3 {output}'
expect honest 0 '^sqlstorm: PASS' "an honest restore (.dump) passes under churn"
if grep -q 'snapshots  *[1-9][0-9]* validated, 0 failed' "$SCRATCH/honest.out"; then
	ok "its copies were validated"
else
	not_ok "its copies were validated"
	show honest
fi

# Each broken restore copies the database, then breaks the copy.  The
# first two keep the previous honest copy (prev.db) to take an older
# value from; until there is one, the copy is honest.
copy='sqlite3 {db} ".backup {output}" &&'
prev='p="$SQLSTORM_RUN_DIR/prev.db"; cp {output} "$p.new" && if [ -f "$p" ]; then sqlite3 {output} "ATTACH '"'"'$p'"'"' AS o; BREAK"; fi && mv "$p.new" "$p"'

# 1. Revert one update: a key of w0 gets its older value back.
revert="$copy $(echo "$prev" | sed 's/BREAK/INSERT OR REPLACE INTO main.sqlstorm_kv SELECT o.* FROM o.sqlstorm_kv AS o JOIN main.sqlstorm_kv AS m USING (k) WHERE m.worker = 0 AND o.seq < m.seq LIMIT 1/')"
run_tool revert $base --restore-cmd "$revert"
expect revert 1 'w0: lost update: key [0-9]+ last written by seq [0-9]+: expected the value of seq [0-9]+ .*, found the value of seq [0-9]+ \([0-9]+ bytes\) \(stale\)' \
    "a restore that reverts one update fails, naming worker, key and seq"

# 2. Re-insert a deleted key of w0.
resurrect="$copy $(echo "$prev" | sed 's/BREAK/INSERT INTO main.sqlstorm_kv SELECT * FROM o.sqlstorm_kv WHERE worker = 0 AND k NOT IN (SELECT k FROM main.sqlstorm_kv) LIMIT 1/')"
run_tool resurrect $base --restore-cmd "$resurrect"
expect resurrect 1 'w0: resurrected delete: key [0-9]+ deleted by seq [0-9]+: expected no row, found the value of seq [0-9]+' \
    "a restore that re-inserts a deleted key fails, naming worker, key and seq"

# 3. Delete a kv row (w0's newest) but keep its ledger entry.
run_tool lostrow $base --restore-cmd "$copy"' sqlite3 {output} "DELETE FROM sqlstorm_kv WHERE k = (SELECT k FROM sqlstorm_kv WHERE worker = 0 ORDER BY seq DESC LIMIT 1)"'
expect lostrow 1 'w0: lost insert: key [0-9]+ \(inserted by seq [0-9]+, last written by seq [0-9]+\) is missing' \
    "a restore that deletes a kv row but keeps its ledger entry fails, naming worker, key and seq"

# 4. Keep a kv change (w0's newest) but drop its ledger entry.
run_tool noledger $base --restore-cmd "$copy"' sqlite3 {output} "DELETE FROM sqlstorm_churn_ledger WHERE id = (SELECT max(seq) FROM sqlstorm_kv WHERE worker = 0)"'
expect noledger 1 'w0: torn transaction: key [0-9]+ holds the value of seq [0-9]+ but the ledger holds only 1\.\.[0-9]+' \
    "a restore that keeps a kv change but drops its ledger entry fails, naming worker, key and seq"

# 5. Every value one transaction wrote is gone, its ledger entry stays.
run_tool torn $base --restore-cmd "$copy"' sqlite3 {output} "DELETE FROM sqlstorm_kv WHERE worker = 0 AND seq = (SELECT seq FROM sqlstorm_kv WHERE worker = 0 GROUP BY seq HAVING count(*) >= 2 ORDER BY seq DESC LIMIT 1)"'
expect torn 1 'w0: torn transaction: the ledger holds seq [0-9]+ but none of the [0-9]+ values it wrote \(key [0-9]+: ' \
    "a restore that drops every value of one transaction fails as torn, naming worker, key and seq"

finish
