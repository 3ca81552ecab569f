#!/bin/sh
# End-to-end with --powerloss: the power is cut at a seeded moment, crash
# images are built from the recorder's log and each is judged by the
# bound SQLite documents for its mode.  WAL + FULL, DELETE + FULL and
# DELETE + EXTRA keep every row within their bound on every cut
# (POWERLOSS_CUTS cuts for the two FULL modes, 20 by default, 100 with
# STORM_SOAK=1, a third of that for the others; every other cut with the
# validator's snapshots on); WAL + NORMAL loses only within its
# bound (how much is shown, never asserted); synchronous=OFF shows what
# its images hold and is not failed for it; a row removed from an image
# on purpose (SQLSTORM_TEST_CRASH_DROP) and a broken log
# (SQLSTORM_TEST_POWERLOSS_LOG_FAIL) fail the run, named; bad knobs are
# one line, exit 99, nothing created.
. "${top_srcdir:-..}/tests/lib.sh"
clean_env
scratch_init

cuts=${POWERLOSS_CUTS:-20}
[ -n "${STORM_SOAK:-}" ] && cuts=100

# "lost=N at_risk=M images=K failed=F" from a JSON report.
figures() {
	python3 -c 'import json, sys
p = json.load(open(sys.argv[1]))["powerloss"]
print("images=%d failed=%d lost=%d at_risk=%d unsynced=%d reverted=%d" % (
    len(p["images"]), p["images_failed"],
    sum(i["lost"] for i in p["images"]), p["rows_at_risk"],
    p["unsynced_sectors"], sum(sum(i["reverted"]) for i in p["images"])))' "$1"
}

for mode in "wal full $cuts" "delete full $cuts" \
    "delete extra $((cuts / 3))" "wal normal $((cuts / 3))"; do
	# shellcheck disable=SC2086
	set -- $mode
	bad=0
	sum=""
	i=1
	while [ "$i" -le "$3" ]; do
		n="$1-$2-$i"
		every=0
		[ $((i % 2)) -eq 1 ] && every=300ms
		run_tool "$n" --duration 1500ms --workers 3 --interval 0 \
		    --journal "$1" --sync "$2" --powerloss --seed "$((i * 7919))" \
		    --crash-images 3 --validate-every "$every" --coverage report \
		    --json "$SCRATCH/$n.json"
		if [ "$rc" -ne 0 ] ||
		    ! unfold "$SCRATCH/$n.out" | grep -E -q '^  powerloss cut at .*, 3 images, 0 failed'; then
			bad=$((bad + 1))
			show "$n"
		else
			sum="$sum; $(figures "$SCRATCH/$n.json")"
		fi
		i=$((i + 1))
	done
	if [ "$bad" -eq 0 ]; then
		ok "$1 + $2: $3 cuts x 3 images, every row within the bound, integrity ok${sum}"
	else
		not_ok "$1 + $2: $bad of $3 cuts failed"
	fi
done

# Another VFS under the shim: unix-dotfile's locks, the same bound.
run_tool dotfile --duration 1500ms --workers 2 --journal delete --sync full \
    --vfs unix-dotfile --powerloss=700ms --seed 3 --crash-images 3 \
    --coverage report
expect dotfile 0 '^  powerloss cut at 70[0-9]ms, bound dir-sync .*3 images, 0 failed' \
    "--vfs unix-dotfile under the recorder: every row within the bound"
rm -rf "$SCRATCH"/sqlstorm.*
# A --db URI's vfs= would open the database past the shim: refused.
run_tool urivfs --duration 1s --journal delete --powerloss \
    --db "file:$SCRATCH/u.db?vfs=unix-dotfile"
expect urivfs 99 "vfs=unix-dotfile would open the database past the sqlstorm-io VFS" \
    "a --db URI naming its vfs= is refused with --powerloss"
if [ -e "$SCRATCH/u.db" ]; then not_ok "nothing created for the refused URI"
else ok "nothing created for the refused URI"; fi

# With the nemesis: a worker paused across the cut (it was stopped
# already: the cut must not wait for it forever), and workers killed and
# restarted (a commit an earlier life finished without its ACK is in the
# files: attempted, not "from nowhere").
run_tool pause --duration 2s --workers 2 --interval 0 --sync full \
    --powerloss=1s --nemesis 'pause:w0=1500ms@500ms' --crash-images 2 \
    --seed 1 --coverage report
expect pause 0 '^  powerloss cut at (1s|1[0-9][0-9][0-9]ms), bound every-ack .*2 images, 0 failed' \
    "a worker paused across the cut: the cut goes on, every row within the bound"
run_tool kills --duration 1500ms --workers 3 --interval 0 --journal delete \
    --sync full --powerloss --nemesis 'kill:worker@every 50ms' --seed 1 \
    --crash-images 4 --validate-every 0 --coverage report --batch 20
expect kills 0 '^  powerloss cut at .*4 images, 0 failed' \
    "workers killed and restarted before the cut: no row from nowhere, none lost"
rm -rf "$SCRATCH"/sqlstorm.*

# synchronous=OFF: no promise; the images are shown, the run not failed.
run_tool off --duration 1500ms --workers 3 --interval 0 --journal delete \
    --sync off --powerloss=700ms --seed 7 --crash-images 5 \
    --validate-every 0 --coverage report --json "$SCRATCH/off.json"
expect off 0 '^  powerloss cut at [0-9]+ms, bound none \(from none\), 5 images, 0 failed' \
    "sync off: shown, not failed ($(figures "$SCRATCH/off.json" 2>/dev/null))"

# The checker bites: an acknowledged row removed from image 1 fails it.
SQLSTORM_TEST_CRASH_DROP=1 run_tool drop --duration 1500ms --workers 2 \
    --interval 0 --sync full --powerloss=800ms --seed 11 --crash-images 2 \
    --validate-every 0 --coverage report
expect drop 1 '^  failure +run: crash image 1 \(.*/crash-1\): .*1 acknowledged row lost; first: w[0-9]+ seq [1-9][0-9]* missing' \
    "a row dropped from an image fails the run, naming the image and the row"
if [ "$rc" -eq 1 ] && ls -d "$SCRATCH"/sqlstorm.*/crash-1 >/dev/null 2>&1 &&
    ! ls -d "$SCRATCH"/sqlstorm.*/crash-0 >/dev/null 2>&1; then
	ok "the failing image is kept, the passing one removed"
else
	not_ok "the failing image is kept, the passing one removed"
fi
rm -rf "$SCRATCH"/sqlstorm.*

# A check that dies on an image (as a crash in SQLite would) is a finding
# about that image, never a crash of sqlstorm.
SQLSTORM_TEST_CRASH_CHECK_DIE=2 run_tool die --duration 1500ms --workers 2 \
    --interval 0 --sync full --powerloss=800ms --seed 11 --crash-images 3 \
    --validate-every 0 --coverage report
expect die 1 '^  failure +run: crash image 2 \(.*/crash-2\): checking it crashed or hung .*its check died with SIGABRT' \
    "a check that dies on an image fails the run, naming the image; sqlstorm lives"
rm -rf "$SCRATCH"/sqlstorm.*

# A log append that fails: the run fails and builds no image.
SQLSTORM_TEST_POWERLOSS_LOG_FAIL=50 run_tool logfail --duration 1500ms \
    --workers 2 --interval 0 --powerloss=800ms --seed 5 --validate-every 0 \
    --coverage report
expect logfail 1 'power loss: no crash image built: power-loss log incomplete: ' \
    "a broken log fails the run and no image is built"
rm -rf "$SCRATCH"/sqlstorm.*

# Bad knobs: one line, exit 99, nothing created.
for args in "--powerloss=2s --duration 2s" "--powerloss=soon" \
    "--powerloss --store-cmd true" "--crash-images 1"; do
	# shellcheck disable=SC2086
	run_tool knob $args
	if [ "$rc" -eq 99 ] && [ "$(wc -l <"$SCRATCH/knob.err")" -eq 1 ] &&
	    ! ls -d "$SCRATCH"/sqlstorm.* >/dev/null 2>&1; then
		ok "refused: $args ($(cat "$SCRATCH/knob.err"))"
	else
		not_ok "refused: $args"
		show knob
	fi
done
finish
