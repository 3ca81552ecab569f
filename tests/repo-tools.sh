#!/bin/sh
# The repository's own tooling: bootstrap installs the sqlite3 tool the
# tests use, built programs are ignored by git, and a skip is never
# silent in CI (tests/lib.sh notes every skip and fails one for a tool
# that .ci/run installs).
. "${top_srcdir:-..}/tests/lib.sh"
clean_env
scratch_init

src=${top_srcdir:-..}

pkgs=$(sed -n 's/^DEB_PKGS="\(.*\)"$/\1/p' "$src/bootstrap")
case " $pkgs " in
*" sqlite3 "*) ok "bootstrap installs the sqlite3 tool" ;;
*) not_ok "bootstrap installs the sqlite3 tool (DEB_PKGS: $pkgs)" ;;
esac

# .gitignore is not in the tarball: only a git checkout can be checked.
if [ -e "$src/.git" ] && [ -f "$src/.gitignore" ] &&
    command -v git >/dev/null 2>&1; then
	if git -C "$src" check-ignore -q bench/raw-insert; then
		ok "git ignores the built bench/raw-insert"
	else
		not_ok "git ignores the built bench/raw-insert"
	fi
else
	ok "git ignores bench/raw-insert # SKIP not a git checkout"
fi

# A check skipped for a tool CI installs fails; any other skip passes;
# both are noted for CI's log.  Run in subshells: finish exits.
log="$SCRATCH/skips"
(
	ntest=0 nfail=0
	STORM_CI_TOOLS="sqlite3 jq"
	STORM_CI_SKIPS=$log
	ok "# SKIP sqlite3 command-line tool not installed"
	ok "read-only database # SKIP root ignores file permissions"
	finish
) >"$SCRATCH/ci.out" 2>&1
rc=$?
if [ "$rc" -eq 1 ] && grep -q '^not ok 1 - skipped: sqlite3 command-line tool not installed (but CI installs sqlite3' "$SCRATCH/ci.out" &&
    grep -q '^ok 2 - read-only database # SKIP root' "$SCRATCH/ci.out" &&
    [ "$(wc -l <"$log")" -eq 2 ]; then
	ok "in CI a skip for a tool CI installs fails, others are listed"
else
	not_ok "in CI a skip for a tool CI installs fails, others are listed (exit $rc)"
	sed 's/^/| /' "$SCRATCH/ci.out"
fi
(
	ntest=0 nfail=0
	unset STORM_CI_TOOLS STORM_CI_SKIPS
	ok "# SKIP sqlite3 command-line tool not installed"
	finish
) >"$SCRATCH/dev.out" 2>&1
rc=$?
if [ "$rc" -eq 0 ] && grep -q '^ok 1 - # SKIP sqlite3' "$SCRATCH/dev.out"; then
	ok "outside CI a skip is a skip"
else
	not_ok "outside CI a skip is a skip (exit $rc)"
	sed 's/^/| /' "$SCRATCH/dev.out"
fi
# These two are make-believe: keep them out of CI's list of skips.
( STORM_CI_TOOLS="jq autoreconf" STORM_CI_SKIPS="$SCRATCH/skips2"
  skip_all "autoreconf not installed" ) >/dev/null 2>&1
rc1=$?
( unset STORM_CI_TOOLS STORM_CI_SKIPS; skip_all "autoreconf not installed" ) >/dev/null 2>&1
rc2=$?
if [ "$rc1" -eq 1 ] && [ "$rc2" -eq 77 ]; then
	ok "a whole test skipped for a tool CI installs fails there"
else
	not_ok "a whole test skipped for a tool CI installs fails there (exit $rc1, $rc2)"
fi

# .ci/run (not in the tarball) installs the tools it names and lists skips.
if [ -f "$src/.ci/run" ]; then
	tools=$(sed -n 's/^STORM_CI_TOOLS="\(.*\)"$/\1/p' "$src/.ci/run")
	if [ -n "$tools" ] && grep -q 'export STORM_CI_TOOLS STORM_CI_SKIPS' "$src/.ci/run" &&
	    grep -q "grep '^SKIP: '" "$src/.ci/run" &&
	    grep -q '^[^#]* sqlite3 ' "$src/.ci/run"; then
		ok ".ci/run names the tools it installs and lists every skip"
	else
		not_ok ".ci/run names the tools it installs and lists every skip"
	fi
else
	ok ".ci/run lists skips # SKIP not a git checkout"
fi

finish
