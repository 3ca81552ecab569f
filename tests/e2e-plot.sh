#!/bin/sh
# --plot and --markdown (issue 15, items 5 and 6): the SVG is well-formed
# XML holding one mark per error (failure and expected apart), one per
# snapshot, the faults, the deadline and the --nemesis windows; the
# Markdown holds the verdict, the figures, the failures (escaped) and the
# reproduce line; GITHUB_STEP_SUMMARY is appended to, never truncated,
# and refused when it is not a regular file; a report path that would
# harm something is refused before the run (exit 99, nothing created).
# With --repeat both describe the last run.  No timing assertions: the
# faults are scheduled and counted, never timed.
. "${top_srcdir:-..}/tests/lib.sh"
clean_env
scratch_init

if ! command -v xmllint >/dev/null 2>&1; then
	skip_all "xmllint is not installed: cannot read the SVG"
fi

S=$SCRATCH
base="--duration 1500ms --workers 3 --interval 5ms --validate-every 300ms"

check() {
	if eval "$1"; then
		ok "$2"
	else
		not_ok "$2"
		[ -z "${3:-}" ] || show "$3"
	fi
}

# marks FILE CLASS: how many elements of that class the SVG holds.
marks() {
	grep -o "class=\"$2\"" "$1" | wc -l | tr -d ' '
}

# ------------------------------------------------ a failure, an expected
# shellcheck disable=SC2086
run_tool fail $base --quiet --plot "$S/fail.svg" --markdown "$S/fail.md" \
    --fault 'w1:error=BUSY@500ms,w0:error=BUSY@deadline+20ms'
check "[ $rc -eq 1 ]" "a run with an early BUSY fails" fail
check "xmllint --noout '$S/fail.svg'" "the SVG is well-formed XML" fail
check "[ \$(marks '$S/fail.svg' mark-failure) -eq 1 ]" \
    "one failure mark (the BUSY before the deadline)"
check "[ \$(marks '$S/fail.svg' mark-expected) -eq 1 ]" \
    "one expected mark (the BUSY after it)"
check "[ \$(marks '$S/fail.svg' deadline) -eq 1 ]" "the deadline line"
check "[ \$(marks '$S/fail.svg' fault) -eq 2 ]" "both faults are marked"
check "[ \$(marks '$S/fail.svg' commits) -eq 3 ]" "one line per worker"
check "grep -q 'sqlstorm: FAIL</text>' '$S/fail.svg'" \
    "the verdict is in the title"
check "! grep -qi -e '<script' -e 'href=' -e 'url(' '$S/fail.svg'" \
    "no script, no external reference"
snaps=$(marks "$S/fail.svg" snap-ok)
check "[ $snaps -ge 1 ] && grep -q \"| snapshots | $snaps ok of $snaps\" \
    '$S/fail.md'" "every snapshot is marked ($snaps), as many as counted"

check "grep -q '^## sqlstorm: FAIL' '$S/fail.md'" "Markdown: the verdict"
check "grep -q '^| verdict | \*\*FAIL\*\*: 1 failure, 1 expected error |' \
    '$S/fail.md'" "Markdown: the counts"
check "grep -q '^| rows | .* acknowledged, .* \*\*0 lost\*\* |' '$S/fail.md'" \
    "Markdown: rows and lost"
check "grep -q '^| lag | p50 ' '$S/fail.md'" "Markdown: the lag figures"
check "grep -q '^| 1 | w1 | +0.5.. s | error before the deadline: BUSY' \
    '$S/fail.md'" "Markdown: the failure, one table row"
check "grep -q '^sqlstorm --duration 1500ms .*--seed ' '$S/fail.md' &&
    grep -q '^\`\`\`sh\$' '$S/fail.md'" "Markdown: the reproduce line, fenced"

# ------------------------------------------------------------- nemesis
# shellcheck disable=SC2086
run_tool nem $base --quiet --plot "$S/nem.svg" --coverage report \
    --nemesis 'pause:worker=200ms@every 400ms'
check "[ $rc -eq 0 ] && xmllint --noout '$S/nem.svg'" \
    "a --nemesis run passes and its SVG is well-formed" nem
check "[ \$(marks '$S/nem.svg' nemesis-window) -ge 2 ]" \
    "its pause windows are drawn"
check "grep -q '<title>nemesis: pause w' '$S/nem.svg'" \
    "each window says what it was"

# ----------------------------------- snapshots: not ready, ok, failed
# The first two restores find no replica (not ready in the warm-up),
# the fourth loses it (a failed snapshot), the others are honest copies.
if command -v sqlite3 >/dev/null 2>&1; then
	count='n=$(($(cat "$SQLSTORM_RUN_DIR/n" 2>/dev/null || echo 0) + 1)); echo $n > "$SQLSTORM_RUN_DIR/n";'
	restore="$count"' if [ $n -le 2 ]; then echo "no matching backups found" >&2; exit 1; fi; if [ $n -eq 4 ]; then echo "replica | lost" >&2; exit 1; fi; sqlite3 {db} ".backup {output}"'
	# shellcheck disable=SC2086
	run_tool store $base --quiet --store-warmup 1h --restore-cmd "$restore" \
	    --plot "$S/store.svg" --markdown "$S/store.md"
	check "[ $rc -eq 1 ] && xmllint --noout '$S/store.svg' &&
	    [ \$(marks '$S/store.svg' snap-unready) -eq 2 ] &&
	    [ \$(marks '$S/store.svg' snap-failed) -eq 1 ] &&
	    [ \$(marks '$S/store.svg' snap-ok) -ge 1 ]" \
	    "snapshots: 2 not ready, 1 failed, the rest ok, each marked" store
	check "grep -q ', lag 0 ms</title>' '$S/store.svg'" \
	    "a restored copy's mark gives its lag"
	check "grep -q ' 2 not ready |' '$S/store.md' &&
	    grep -q 'code 1: replica \\\\| lost |\$' '$S/store.md'" \
	    "Markdown: not ready counted, a | in a failure escaped" store
else
	ok "# SKIP sqlite3 is not installed: no restore command"
fi

# --------------------------------------------------- GITHUB_STEP_SUMMARY
echo "earlier step" >"$S/step.md"
for i in 1 2; do
	# shellcheck disable=SC2086
	GITHUB_STEP_SUMMARY=$S/step.md run_tool "step$i" $base --quiet \
	    --markdown "$S/m$i.md"
done
check "[ \$(grep -c '^## sqlstorm: PASS' '$S/step.md') -eq 2 ] &&
    head -n 1 '$S/step.md' | grep -q '^earlier step\$'" \
    "GITHUB_STEP_SUMMARY: appended twice, what was there kept" step2
check "{ echo 'earlier step'; cat '$S/m1.md' '$S/m2.md'; } |
    cmp -s - '$S/step.md'" "the appended text is the --markdown text, in order"
# shellcheck disable=SC2086
GITHUB_STEP_SUMMARY=$S/fresh.md run_tool fresh $base --quiet \
    --markdown "$S/m3.md"
check "[ $rc -eq 0 ] && cmp -s '$S/fresh.md' '$S/m3.md'" \
    "an absent GITHUB_STEP_SUMMARY is created, with the same Markdown" fresh
# shellcheck disable=SC2086
GITHUB_STEP_SUMMARY=$S/step.md run_tool nomd $base --quiet
check "[ \$(grep -c '^## sqlstorm' '$S/step.md') -eq 2 ]" \
    "without --markdown nothing is appended"

# Failing runs above kept their run directories.
find "$S" -maxdepth 1 -name 'sqlstorm.*' -type d -exec rm -rf {} +
mkfifo "$S/fifo"
ln -s "$S/step.md" "$S/link.md"
for bad in fifo link.md /dev/null; do
	case $bad in /*) p=$bad ;; *) p=$S/$bad ;; esac
	# shellcheck disable=SC2086
	GITHUB_STEP_SUMMARY=$p run_tool badsum $base --markdown "$S/b.md"
	check "[ $rc -eq 99 ] && [ ! -e '$S/b.md' ] &&
	    [ -z \"\$(find '$S' -maxdepth 1 -name 'sqlstorm.*' -type d)\" ] &&
	    grep -q 'GITHUB_STEP_SUMMARY: cannot append' '$S/badsum.err'" \
	    "GITHUB_STEP_SUMMARY '$bad' is refused before the run" badsum
done
check "[ \$(grep -c '^## sqlstorm' '$S/step.md') -eq 2 ]" \
    "the file behind the link is left as it was"

# ------------------------------------------------------- refused paths
sqlite_db() {
	"$SQLSTORM" --db "$1" --duration 50ms --workers 1 --quiet \
	    --validate-every 0 >/dev/null 2>&1
	find "$S" -maxdepth 1 -name 'sqlstorm.*' -type d -exec rm -rf {} +
}
sqlite_db "$S/app.db"
cp "$S/app.db" "$S/app.copy"
# refused NAME PATTERN DESCRIPTION ARGS...
refused() {
	name=$1 pat=$2 desc=$3
	shift 3
	# shellcheck disable=SC2086
	run_tool "$name" $base "$@"
	check "[ $rc -eq 99 ] && [ ! -s '$S/$name.out' ] &&
	    [ \$(wc -l <'$S/$name.err') -eq 1 ] &&
	    grep -q -- \"$pat\" '$S/$name.err'" "$desc" "$name"
}
refused plotdb "it is the database" "--plot naming the database" \
    --db "$S/app.db" --plot "$S/app.db"
refused mdwal "it is the database's -wal file" "--markdown naming its -wal" \
    --db "$S/app.db" --markdown "$S/app.db-wal"
check "cmp -s '$S/app.db' '$S/app.copy' && [ ! -e '$S/app.db-wal' ]" \
    "the database is left byte for byte, no -wal created"
refused plotjson "--json and --plot name the same file" \
    "--plot and --json naming one file" --json "$S/r" --plot "$S/r"
refused mdtmp "--plot and --markdown collide" \
    "--markdown on the --plot's .tmp" --plot "$S/p" --markdown "$S/p.tmp"
refused plotdir "cannot write '$S'" "--plot naming a directory" --plot "$S"
# shellcheck disable=SC2086
SQLSTORM_MARKDOWN=$S/dir/x.md run_tool envmd $base
check "[ $rc -eq 99 ] && grep -q '^sqlstorm: SQLSTORM_MARKDOWN: cannot write' \
    '$S/envmd.err'" "SQLSTORM_MARKDOWN is checked as --markdown" envmd
check "[ ! -e '$S/r' ] && [ ! -e '$S/p' ] && [ ! -e '$S/p.tmp' ] &&
    [ -z \"\$(find '$S' -maxdepth 1 -name 'sqlstorm.*' -type d)\" ]" \
    "nothing was created by a refused run"

# ------------------------------------------------------------- --repeat
# shellcheck disable=SC2086
run_tool rep $base --quiet --repeat 2 --seed 7 --plot "$S/rep.svg" \
    --markdown "$S/rep.md" --fault 'w1:error=BUSY@500ms'
check "[ $rc -eq 1 ] && xmllint --noout '$S/rep.svg' &&
    grep -q '^| runs | 2 runs, 2 failed; this table shows the last one' \
    '$S/rep.md'" "--repeat: the Markdown says which run it shows" rep
check "grep -q 'seed 7' '$S/rep.svg' && [ \$(marks '$S/rep.svg' \
    mark-failure) -eq 1 ]" "--repeat: the SVG is one run's, the last"

finish
