#!/bin/sh
# The automake TAP recipe of doc/reports.md works as written: its
# configure.ac, Makefile.am and store.tap are cut out of the guide (so
# they cannot drift from what users paste), put in a fresh project under
# $TMPDIR, and `autoreconf -fi && ./configure && make check` must pass
# there with the sqlstorm just built on PATH.  Only the run is shortened.
. "${top_srcdir:-..}/tests/lib.sh"
clean_env
scratch_init

command -v autoreconf >/dev/null 2>&1 || skip_all "autoreconf not installed"

readme="${top_srcdir:-..}/doc/reports.md"
proj="$SCRATCH/proj"
mkdir "$proj" || exit 99

# extract LABEL: print the indented block that follows the line
# "`LABEL`:" in doc/reports.md, without its four-space indent.
extract() {
	awk -v head="\`$1\`:" '
	    $0 == head { on = 1; next }
	    !on { next }
	    /^    / {
		for (; blank > 0; blank--)
			print ""
		print substr($0, 5)
		seen = 1
		next
	    }
	    /^[ \t]*$/ { if (seen) blank++; next }
	    { exit }
	' "$readme"
}

for f in configure.ac Makefile.am store.tap; do
	extract "$f" >"$proj/$f"
	if [ -s "$proj/$f" ]; then
		ok "doc/reports.md has a $f for the recipe"
	else
		not_ok "doc/reports.md has a $f for the recipe"
	fi
done

# Ten seconds are for users; a test runs one.
sed 's/--duration 10s/--duration 1s/' "$proj/store.tap" >"$proj/store.tmp" &&
    mv "$proj/store.tmp" "$proj/store.tap"
if grep -q -- '--duration 1s' "$proj/store.tap"; then
	ok "store.tap runs sqlstorm for a given time"
else
	not_ok "store.tap runs sqlstorm for a given time"
	sed 's/^/| /' "$proj/store.tap"
fi

# The outer make's variables must not steer the inner project.
(
	unset MAKEFLAGS MFLAGS MAKELEVEL srcdir top_srcdir top_builddir
	PATH=$(dirname "$SQLSTORM"):$PATH
	export PATH
	cd "$proj" && autoreconf -fi && ./configure && make check
) >"$SCRATCH/build.log" 2>&1
rc=$?
if [ "$rc" -eq 0 ] && grep -q '^:test-result: PASS' "$proj/store.trs" 2>/dev/null &&
    ! grep -q '^:test-result: [^P]' "$proj/store.trs" &&
    grep -q '^ok 1 ' "$proj/store.log"; then
	ok "the recipe's make check runs sqlstorm as a passing TAP test"
else
	not_ok "the recipe's make check runs sqlstorm as a passing TAP test (exit $rc)"
	tail -n 30 "$SCRATCH/build.log" | sed 's/^/| /'
	[ -f "$proj/store.log" ] && sed 's/^/| store.log: /' "$proj/store.log" | tail -n 20
fi

finish
