#!/bin/sh
# End-to-end against the real litestream (v0.3.x), when it is on PATH
# (exit 77 otherwise; CI installs it from the npm registry): replicate to
# a file replica, restore from it.  Litestream is asynchronous (it syncs
# every second), so copies are judged with a generous --max-lag, and its
# first seconds are its warm-up (--store-warmup): restores that find no
# backup yet are "not ready".  Verdicts only; the bounds are seconds.
. "${top_srcdir:-..}/tests/lib.sh"
clean_env
scratch_init

command -v litestream >/dev/null 2>&1 || skip_all "litestream not on PATH"
command -v jq >/dev/null 2>&1 || skip_all "jq not installed"

# One replica per run; {db} is the live database, {output} the copy.
ls_run() {
	_name=$1
	shift
	_rep="$SCRATCH/replica-$_name"
	run_tool "$_name" --store-cmd "exec litestream replicate {db} file://$_rep" \
	    --restore-cmd "litestream restore -o {output} file://$_rep" \
	    --max-lag 20s --store-warmup 20s --json "$SCRATCH/$_name.json" "$@"
}

# The copies were really restored and checked, and the store stopped.
restored() {
	if [ "$(jq -r '.snapshots_validated > 0 and .snapshots_failed == 0 and .stopped_ms.store >= 0' "$SCRATCH/$1.json")" = true ]; then
		ok "$2"
	else
		not_ok "$2"
		show "$1"
	fi
}

ls_run default --duration 6s
expect default 0 '^sqlstorm: PASS' "litestream under the default load passes"
restored default "its restored copies were validated"

ls_run flat --duration 6s --workers 4 --interval 1ms
expect flat 0 '^sqlstorm: PASS' "litestream under a heavier load (--interval 1ms) passes"
restored flat "its restored copies were validated"

ls_run churn --duration 6s --workload churn --churn keys=64
expect churn 0 '^sqlstorm: PASS' "litestream under the churn workload passes"
restored churn "its restored copies equal the model"

# A replica that is not litestream's own: litestream restores nothing
# from an empty directory, so a run whose store never replicates fails.
mkdir "$SCRATCH/empty"
run_tool never --duration 2s --store-warmup 1s --validate-every 300ms \
    --store-cmd 'exec sleep 600' \
    --restore-cmd "litestream restore -o {output} file://$SCRATCH/empty"
expect never 1 'store never ready: [0-9]+ restores gave no copy' \
    "a store that never replicates fails"

finish
