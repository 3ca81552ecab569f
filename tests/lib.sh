# Shared helpers for sqlstorm's shell tests (sourced, not run).
# Each test gets its own scratch directory under $TMPDIR, removed on exit,
# so `make -j check` is safe and nothing lands in the source tree.

: "${SQLSTORM:=../src/sqlstorm}"

# Tests that must not be steered by the caller's SQLSTORM_* overrides.
clean_env() {
	for v in $(env | sed -n 's/^\(SQLSTORM_[A-Za-z0-9_]*\)=.*/\1/p'); do
		unset "$v"
	done
	# With --markdown, sqlstorm appends to it: never to a CI job's.
	unset GITHUB_STEP_SUMMARY
}

scratch_init() {
	SCRATCH=$(mktemp -d "${TMPDIR:-/tmp}/sqlstorm-test.XXXXXX") || exit 99
	trap 'rm -rf "$SCRATCH"' EXIT
	# Run directories of the tool under test go here too.
	TMPDIR=$SCRATCH
	export TMPDIR
}

ntest=0
nfail=0

ok() {
	case "$*" in
	*"# SKIP"*)
		skipped "$*" || return 0
		;;
	esac
	ntest=$((ntest + 1))
	echo "ok $ntest - $*"
}

# CI (.ci/run) installs every tool the tests use and says which in
# STORM_CI_TOOLS (not SQLSTORM_*: clean_env would drop it, and sqlstorm
# would warn about it).  skipped TEXT: note a skip in $STORM_CI_SKIPS, if
# set, for CI's log; return 1, after a not_ok, when TEXT names one of
# those tools, since a tool CI installed must not be missing.
skipped() {
	if [ -n "${STORM_CI_SKIPS:-}" ]; then
		echo "${0##*/}: $1" >>"$STORM_CI_SKIPS"
	fi
	for _skip_tool in ${STORM_CI_TOOLS:-}; do
		case " $1 " in
		*[!A-Za-z0-9_-]"$_skip_tool"[!A-Za-z0-9_-]*)
			# Without "# SKIP", which a TAP reader takes for a skip.
			not_ok "skipped: ${1#*# SKIP } (but CI installs" \
			    "$_skip_tool: it must not be missing)"
			return 1
			;;
		esac
	done
	return 0
}

# skip_all TEXT: skip the whole test (exit 77), or fail it when TEXT
# names a tool CI installs (see skipped).
skip_all() {
	echo "# SKIP $1"
	skipped "# SKIP $1" || exit 1
	exit 77
}

not_ok() {
	ntest=$((ntest + 1))
	nfail=$((nfail + 1))
	echo "not ok $ntest - $*"
}

# run_tool NAME ARGS...: run sqlstorm, keep its stdout/stderr/exit code.
run_tool() {
	name=$1
	shift
	"$SQLSTORM" "$@" >"$SCRATCH/$name.out" 2>"$SCRATCH/$name.err"
	rc=$?
	return 0
}

show() {
	echo "--- $1 (exit $rc): stdout"
	sed 's/^/| /' "$SCRATCH/$1.out"
	echo "--- $1: stderr"
	sed 's/^/| /' "$SCRATCH/$1.err"
}

# unfold FILE...: the summary folds long lines at 80 columns, continuing
# them under a 12-column indent (a shell command's folded lines end in
# " \"); join them back so one grep sees one finding.  TAP's "# " too.
unfold() {
	awk '
		/^(# )?            [^ ]/ && n > 0 {
			sub(/^(# )?            /, "")
			sub(/ \\$/, "", prev)
			prev = prev " " $0
			next
		}
		{ if (n > 0) print prev; prev = $0; n = 1 }
		END { if (n > 0) print prev }
	' "$@"
}

# expect NAME CODE PATTERN DESCRIPTION: exit code and a line in out or err.
expect() {
	if [ "$rc" -eq "$2" ] &&
	    unfold "$SCRATCH/$1.out" "$SCRATCH/$1.err" | grep -E -q -- "$3"; then
		ok "$4"
	else
		not_ok "$4 (wanted exit $2 and /$3/)"
		show "$1"
	fi
}

finish() {
	echo "$((ntest - nfail)) passed, $nfail failed"
	[ "$nfail" -eq 0 ] || exit 1
	exit 0
}

# json_get FILE KEY: one value (".a.b") of a JSON report, with jq, or
# python3 where jq is missing; booleans as true/false.
json_get() {
	if command -v jq >/dev/null 2>&1; then
		jq -r "$2" "$1"
	else
		python3 -c 'import json, sys
v = json.load(open(sys.argv[1]))
for k in sys.argv[2].strip(".").split("."):
    v = v[k]
print(str(v).lower() if isinstance(v, bool) else v)' "$1" "$2"
	fi
}
