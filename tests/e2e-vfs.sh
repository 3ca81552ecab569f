#!/bin/sh
# A VFS or a URI under test: --db 'file:...?vfs=unix-dotfile' really locks
# with dot-files (the sidecar sees x.db.lock, through {db}, which is the
# file and not the URI); --vfs unix-excl runs with one process on the
# database and is refused with more; --load-extension loads a VFS that
# --vfs names, and every child opens the database through it while the
# validator's copies do not; every bad name, path, entry or URI is one
# line, exit 99, nothing created.
. "${top_srcdir:-..}/tests/lib.sh"
clean_env
scratch_init

ext=${top_builddir:-..}/tests/ext/storm-test-vfs.so
base="--duration 2s --interval 5ms --coverage report"

# children FILE: "name pid" for every child in a JSON report.
children() {
	if command -v jq >/dev/null 2>&1; then
		jq -r '.children[] | "\(.name) \(.pid)"' "$1"
	else
		python3 -c 'import json, sys
for c in json.load(open(sys.argv[1]))["children"]:
    print(c["name"], c["pid"])' "$1"
	fi
}

# hard NAME DESCRIPTION ARGS...: sqlstorm ARGS (with $HARD_ENV): exit 99, one line on stderr, no stdout,
# and nothing created in the working directory or under $TMPDIR.
hard() {
	name=$1
	what=$2
	shift 2
	dir=$SCRATCH/hard-$name
	mkdir "$dir"
	# shellcheck disable=SC2086
	(cd "$dir" && TMPDIR=$dir env $HARD_ENV "$SQLSTORM" --duration 1s "$@" \
	    >"$SCRATCH/$name.out" 2>"$SCRATCH/$name.err")
	rc=$?
	if [ "$rc" -eq 99 ] && [ "$(wc -l <"$SCRATCH/$name.err")" -eq 1 ] &&
	    [ ! -s "$SCRATCH/$name.out" ] && [ -z "$(ls -A "$dir")" ]; then
		ok "$what: exit 99, one line, nothing created"
	else
		not_ok "$what: exit 99, one line, nothing created"
		echo "# left: [$(ls -A "$dir")]"
		show "$name"
	fi
}

# --- a URI's vfs=: dot-file locking, seen from the sidecar ---------------
# The sidecar polls for the lock directory unix-dotfile makes beside the
# database while a transaction holds it; {db} is the file SQLite resolved
# the URI to.  WAL needs shared memory, which unix-dotfile has not, so the
# journal is a rollback one (and WAL is refused: below).
mkdir "$SCRATCH/dot"
seen=$SCRATCH/dot-lock-seen
# shellcheck disable=SC2086
(cd "$SCRATCH/dot" && run_tool dot $base --workers 2 --journal delete \
    --db 'file:x.db?vfs=unix-dotfile' --json "$SCRATCH/dot.json" \
    --store-cmd "while :; do [ -d {db}.lock ] && : >'$seen'; sleep 0.01; done" &&
    exit "$rc")
rc=$?
expect dot 0 '^sqlstorm: PASS' "--db 'file:x.db?vfs=unix-dotfile' passes"
expect dot 0 '^  vfs +unix-dotfile$' "the summary names the URI's VFS"
if [ -f "$seen" ]; then
	ok "the x.db.lock directory of dot-file locking appeared during the run"
else
	not_ok "the x.db.lock directory of dot-file locking appeared during the run"
	show dot
fi
if [ "$(json_get "$SCRATCH/dot.json" .db_path)" = "$SCRATCH/dot/x.db" ] &&
    [ "$(json_get "$SCRATCH/dot.json" .config.db)" = 'file:x.db?vfs=unix-dotfile' ] &&
    [ "$(ls -A "$SCRATCH/dot")" = x.db ]; then
	ok "the report's path is the file the URI names; only x.db is made"
else
	not_ok "the report's path is the file the URI names; only x.db is made"
	echo "# db_path $(json_get "$SCRATCH/dot.json" .db_path);" \
	    "files: $(ls -A "$SCRATCH/dot")"
fi
hard dotwal "unix-dotfile with WAL (no shared memory)" \
    --db 'file:x.db?vfs=unix-dotfile' --journal wal
grep -q 'journal mode wal is not available' "$SCRATCH/dotwal.err" &&
    ok "... and the line says WAL is not available" ||
    not_ok "... and the line says WAL is not available"

# A URI's other parameters hold too: mode=rwc on an absolute path.
# shellcheck disable=SC2086
run_tool rwc $base --workers 2 --db "file:$SCRATCH/abs.db?mode=rwc" \
    --json "$SCRATCH/rwc.json"
if [ "$rc" -eq 0 ] && [ -f "$SCRATCH/abs.db" ] &&
    [ "$(json_get "$SCRATCH/rwc.json" .db_path)" = "$SCRATCH/abs.db" ]; then
	ok "--db file:/abs.db?mode=rwc passes on the file it names"
else
	not_ok "--db file:/abs.db?mode=rwc passes on the file it names"
	show rwc
fi

# --- unix-excl: one process on the database at a time ---------------------
for j in wal delete; do
	# shellcheck disable=SC2086
	run_tool excl-$j $base --vfs unix-excl --workers 1 --validate-every 0 \
	    --journal $j --db "$SCRATCH/excl-$j.db"
	expect excl-$j 0 '^sqlstorm: PASS' \
	    "--vfs unix-excl, one worker, no snapshots, journal $j: passes"
done
hard exclw "--vfs unix-excl with --workers 2" --vfs unix-excl --workers 2 \
    --validate-every 0
grep -q 'unix-excl locks the database for one process' "$SCRATCH/exclw.err" &&
    ok "... and the line says why" || not_ok "... and the line says why"
hard excls "--vfs unix-excl with snapshots" --vfs unix-excl --workers 1
hard exclm "--vfs unix-excl with --maintain" --vfs unix-excl --workers 1 \
    --validate-every 0 --maintain optimize@1s
hard excld "vfs=unix-excl in the URI with --store-cmd" --workers 1 \
    --validate-every 0 --db 'file:e.db?vfs=unix-excl' --store-cmd 'sleep 9'

# --- names, URIs and extensions that cannot work --------------------------
hard nosuch "--vfs nosuch" --vfs nosuch
grep -q "no VFS named 'nosuch'" "$SCRATCH/nosuch.err" &&
    ok "... and the line names it" || not_ok "... and the line names it"
HARD_ENV=SQLSTORM_VFS=nosuch hard envvfs "SQLSTORM_VFS=nosuch"
HARD_ENV=
hard urivfs "--db 'file:x.db?vfs=nosuch'" --db 'file:x.db?vfs=nosuch'
hard clash "--vfs unix with vfs=unix-dotfile in the URI" --vfs unix \
    --db 'file:x.db?vfs=unix-dotfile'
hard memdb "--vfs memdb (a database per process)" --vfs memdb --db m.db \
    --journal memory
hard rwcnone "a mode=rwc URI that makes the file, then cannot run" \
    --db 'file:n.db?mode=rwc&vfs=unix-none' --journal wal
hard authority "a URI with a host" --db 'file://elsewhere/x.db'
hard mode "a URI with a bad mode" --db 'file:x.db?mode=bogus'
hard noext "--load-extension of a missing file" \
    --load-extension "$SCRATCH/none/ext.so" --vfs storm-test
hard noentry "--load-extension with a missing entry point" \
    --load-extension "$ext:sqlite3_nosuch_init"
grep -q 'undefined symbol' "$SCRATCH/noentry.err" &&
    ok "... and the line is SQLite's (the loader's) message" ||
    not_ok "... and the line is SQLite's (the loader's) message"
hard noreg "--vfs storm-test without the extension" --vfs storm-test

# --- an extension's VFS under the whole run -------------------------------
# The test extension logs "pid file" for every main database opened
# through it.  Every child (workers, validator, maint) and the parent
# (setup, --populate, final checks) open the database through it; the
# validator's copies (snap-N.db) are its own files, opened without it.
n=0
for entry in "" ":sqlite3_stormtestvfs_init"; do
	n=$((n + 1))
	log=$SCRATCH/opens$n.log
	STORM_TEST_VFS_LOG=$log
	export STORM_TEST_VFS_LOG
	# shellcheck disable=SC2086
	run_tool ext $base --workers 3 \
	    --validate-every 250ms --maintain optimize@500ms --populate 256KiB \
	    --load-extension "$ext$entry" --vfs storm-test \
	    --db "$SCRATCH/ext$n.db" --json "$SCRATCH/ext.json"
	expect ext 0 '^sqlstorm: PASS' \
	    "--load-extension ext.so$entry --vfs storm-test passes"
	expect ext 0 '^  vfs +storm-test, extension ' \
	    "the summary names the VFS and the extension"
	missing=
	for c in $(children "$SCRATCH/ext.json" | tr ' ' ':'); do
		grep -q "^${c#*:} $SCRATCH/ext$n.db\$" "$log" 2>/dev/null ||
		    missing="$missing ${c%:*}"
	done
	nchildren=$(children "$SCRATCH/ext.json" | wc -l)
	if [ -z "$missing" ] && [ "$nchildren" -eq 5 ]; then
		ok "all 5 children opened the database through storm-test"
	else
		not_ok "all 5 children opened the database through storm-test"
		echo "# did not:$missing; log:"
		sed 's/^/# /' "$log" 2>/dev/null
	fi
	pids=$(children "$SCRATCH/ext.json" | awk '{ print $2 }')
	parent=$(awk -v kids="$pids" 'BEGIN { n = split(kids, k, "\n")
		for (i = 1; i <= n; i++) c[k[i]] = 1 }
		!($1 in c) { print $1 }' "$log" | sort -u | wc -l)
	if [ "$parent" -eq 1 ] && ! grep -q 'snap-' "$log"; then
		ok "the parent opens it through storm-test; the copies do not"
	else
		not_ok "the parent opens it through storm-test; the copies do not"
		sed 's/^/# /' "$log"
	fi
	unset STORM_TEST_VFS_LOG
done

finish
