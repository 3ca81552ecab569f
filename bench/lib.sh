# Shared helpers for the bench/ scripts (sourced, not run).
#
# The scripts measure; they assert nothing and `make check` never runs
# them.  Run them from a build directory (they look for ./src/sqlstorm and
# ./bench/raw-insert) or point SQLSTORM and RAW_INSERT at the programs.
# Every run directory goes to a scratch directory under $TMPDIR, removed
# on exit, so the figures come from the file system $TMPDIR is on.

: "${SQLSTORM:=./src/sqlstorm}"
: "${RAW_INSERT:=./bench/raw-insert}"

bench_die() {
	echo "${0##*/}: $*" >&2
	exit 2
}

bench_need() {
	for prog in "$@"; do
		command -v "$prog" >/dev/null 2>&1 ||
		    bench_die "needs '$prog' (e.g. apt-get install -y $prog)"
	done
}

bench_init() {
	[ -x "$SQLSTORM" ] ||
	    bench_die "no sqlstorm at '$SQLSTORM': run me from a build directory or set SQLSTORM"
	bench_need jq awk
	# A user's SQLSTORM_* overrides would change what is measured.
	for v in $(env | sed -n 's/^\(SQLSTORM_[A-Za-z0-9_]*\)=.*/\1/p'); do
		unset "$v"
	done
	SCRATCH=$(mktemp -d "${TMPDIR:-/tmp}/sqlstorm-bench.XXXXXX") ||
	    bench_die "cannot make a scratch directory"
	# BENCH_KEEP=1 (set by a script that found something) keeps it.
	trap '[ -n "${BENCH_KEEP:-}" ] || rm -rf "$SCRATCH"' EXIT
	trap 'exit 130' INT TERM
	TMPDIR=$SCRATCH
	export TMPDIR
}

# The 1-minute load average, to print next to every figure.
bench_load() {
	if [ -r /proc/loadavg ]; then
		cut -d' ' -f1 /proc/loadavg
	else
		uptime | sed 's/.*load averages*: *\([0-9.,]*\).*/\1/; s/,$//'
	fi
}

# Read numbers, one per line, on stdin; print "p50 p99 max min mean"
# (nearest-rank percentiles: p99 of 50 samples is the largest one).
bench_stats() {
	sort -n | awk '
	{ v[NR] = $1; sum += $1 }
	END {
		if (NR == 0) { print "- - - - -"; exit }
		i50 = int(NR * 0.50); if (i50 < NR * 0.50) i50++
		i99 = int(NR * 0.99); if (i99 < NR * 0.99) i99++
		printf "%s %s %s %s %.2f\n", v[i50], v[i99], v[NR], v[1], sum / NR
	}'
}

# Read numbers on stdin; print the median (mean of the middle two if even).
bench_median() {
	sort -n | awk '
	{ v[NR] = $1 }
	END {
		if (NR == 0) { print "-"; exit }
		if (NR % 2) print v[(NR + 1) / 2]
		else printf "%.4f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2
	}'
}

# bench_json FILE FILTER: one value from a sqlstorm --json report.
bench_json() {
	jq -r "$2" "$1"
}
