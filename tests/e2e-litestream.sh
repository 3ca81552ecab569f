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

# sqlstorm drove it end to end and judged every copy: the run ran to its
# end (exit 0 or 1, never 99), restores were made and checked (or were
# not ready), the store lived to the deadline and was stopped apart, the
# final database holds every acknowledged row, and every failure is a
# finding about a restored copy (a snapshot or the ledger), never about
# sqlstorm or the sidecar's life.  Whether litestream itself passes is
# not asserted: under this load v0.3.13 usually does, but some of its
# restores come back corrupt or older than the one before (bench/litestream
# tallies it; doc/stores.md shows it).
judged() {
	_j="$SCRATCH/$1.json"
	if [ "$rc" -le 1 ] &&
	    [ "$(jq -r '(.snapshots_validated + .snapshots_not_ready) > 0
	        and .final.ok and .lost_rows == 0 and .stopped_ms.store >= 0
	        and ([.errors[] | select(.verdict == "failure")
	            | select(.kind != "check" or .child == "store"
	                or (.reason | test("^(snapshot [0-9]+: |store never ready: |coverage: no snapshot was taken)") | not))]
	            | length) == 0' "$_j")" = true ]; then
		ok "$2"
	else
		not_ok "$2"
		show "$1"
	fi
}

ls_run default --duration 6s
judged default "litestream under the default load: every restored copy judged, nothing else failed"
# Not a check: what litestream did this time, for the log.
echo "# litestream under the default load: $(head -n 1 "$SCRATCH/default.out")"

ls_run churn --duration 4s --workload churn --churn keys=64
judged churn "litestream under the churn workload: every restored copy judged, nothing else failed"

# Flat out: two workers at --interval 0 can keep litestream from its
# first snapshot for the whole run ("store never ready", a finding about
# the store), or it catches up late; either way it is judged.
ls_run flat --duration 4s --workers 2 --interval 0
judged flat "litestream at --interval 0: every restore judged, nothing else failed"
echo "# litestream at --interval 0: $(head -n 1 "$SCRATCH/flat.out")"

# The nemesis kills litestream and starts it again: its downtime widens
# the lag, and the restarted replicator is judged like the first.
ls_run killstore --duration 5s --nemesis 'kill:store=300ms@2s'
judged killstore "litestream killed and restarted: every restore judged, nothing else failed"
if grep -q '^  nemesis   kill:store=300ms@2s: 1 kill, 1 restart' "$SCRATCH/killstore.out"; then
	ok "the store was killed and started again"
else
	not_ok "the store was killed and started again"
	show killstore
fi

# A replica that is not litestream's own: litestream restores nothing
# from an empty directory, so a run whose store never replicates fails.
mkdir "$SCRATCH/empty"
run_tool never --duration 2s --store-warmup 1s --validate-every 300ms \
    --store-cmd 'exec sleep 600' \
    --restore-cmd "litestream restore -o {output} file://$SCRATCH/empty"
expect never 1 'store never ready: [0-9]+ restores gave no copy' \
    "a store that never replicates fails"

finish
