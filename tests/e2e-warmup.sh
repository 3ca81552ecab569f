#!/bin/sh
# A store's warm-up (--store-warmup): restores that give no copy before
# the store's first one are "not ready", counted and shown, never a
# failure; after the warm-up, or after a copy, a failed restore fails;
# exit 75 (EX_TEMPFAIL) is the store's own "not ready"; a store never
# ready fails.  Which restore fails is counted in a file, never timed:
# the warm-up is either 1h (the whole run) or 0 (none).
. "${top_srcdir:-..}/tests/lib.sh"
clean_env
scratch_init

command -v sqlite3 >/dev/null 2>&1 ||
	skip_all "sqlite3 command-line tool not installed"
command -v jq >/dev/null 2>&1 || skip_all "jq not installed"

base="--duration 2500ms --workers 2 --interval 5ms --validate-every 300ms"
# Restore number n (1, 2, ...) of this run, counted in the run directory.
count='n=$(($(cat "$SQLSTORM_RUN_DIR/n" 2>/dev/null || echo 0) + 1)); echo $n > "$SQLSTORM_RUN_DIR/n";'
copy='sqlite3 {db} ".backup {output}"'

# The first two restores find no replica yet, then the copies are honest.
late="$count"' if [ $n -le 2 ]; then echo "no matching backups found" >&2; exit 1; fi; '"$copy"
run_tool warm $base --store-warmup 1h --restore-cmd "$late" --json "$SCRATCH/warm.json"
expect warm 0 '^  not ready 2 restores gave no copy in the first [0-9.]+ s \(--store-warmup 1h\), not' \
    "restores before the store's first copy are not ready, and the run passes"
if [ "$(jq -r '[.snapshots_not_ready, .snapshots_failed, (.not_ready | length), .config.store_warmup_ms] | @tsv' "$SCRATCH/warm.json")" = "$(printf '2\t0\t2\t3600000')" ]; then
	ok "the JSON counts and lists them"
else
	not_ok "the JSON counts and lists them"
	jq -c '[.snapshots_not_ready, .snapshots_failed, .not_ready]' "$SCRATCH/warm.json"
fi

run_tool nowarm $base --store-warmup 0 --restore-cmd "$late"
expect nowarm 1 'validator: snapshot 1: restore command exited with code 1: no matching backups found' \
    "without a warm-up the same restores fail"

# After a copy, a failed restore fails, even within the warm-up.
after="$count"' if [ $n -eq 2 ]; then echo "replica lost" >&2; exit 1; fi; '"$copy"
run_tool after $base --store-warmup 1h --restore-cmd "$after"
expect after 1 'validator: snapshot 2: restore command exited with code 1: replica lost' \
    "a failed restore after the first copy fails"

# Exit 75 is the store saying "not ready": within the warm-up, even after a copy.
temp="$count"' if [ $n -eq 2 ]; then echo "catching up" >&2; exit 75; fi; '"$copy"
run_tool temp $base --store-warmup 1h --restore-cmd "$temp"
expect temp 0 '^  not ready 1 restore gave no copy .*code 75: catching up' \
    "exit 75 within the warm-up is not ready"
run_tool temp0 $base --store-warmup 0 --restore-cmd "$temp"
expect temp0 1 'validator: snapshot 2: restore command exited with code 75: catching up' \
    "exit 75 past the warm-up fails"

# A store never ready fails, even in a run too short for the coverage rule.
run_tool never --duration 1s --workers 2 --validate-every 300ms --store-warmup 1h \
    --restore-cmd 'echo "no matching backups found" >&2; exit 1; cp {db} {output}'
expect never 1 'store never ready: [0-9]+ restores gave no copy \(--store-warmup 1h\); the first: restore command exited with code 1: no matching backups found' \
    "a store that never gives a copy fails"

# The built-in snapshot has no warm-up: it never reports not ready.
run_tool builtin --duration 1s --workers 2 --validate-every 300ms --json "$SCRATCH/builtin.json"
expect builtin 0 '^sqlstorm: PASS' "the built-in snapshot passes"
if [ "$(jq -r '.snapshots_not_ready' "$SCRATCH/builtin.json")" = 0 ] &&
    ! grep -q 'not ready' "$SCRATCH/builtin.out"; then
	ok "the built-in snapshot is never not ready"
else
	not_ok "the built-in snapshot is never not ready"
fi

# Who took the shutdown: workers, validator, and the sidecar by name.
run_tool stop --duration 1s --workers 2 --store-cmd 'exec sleep 600' --json "$SCRATCH/stop.json"
expect stop 0 '^  stopped   workers [0-9]+ ms, validator [0-9]+ ms, store [0-9]+ ms after the deadline' \
    "the summary breaks the shutdown down by child"
if [ "$(jq -r '.stopped_ms | keys_unsorted | join(",")' "$SCRATCH/stop.json")" = "workers,validator,store" ]; then
	ok "the JSON breaks it down too"
else
	not_ok "the JSON breaks it down too"
	jq -c .stopped_ms "$SCRATCH/stop.json"
fi

finish
