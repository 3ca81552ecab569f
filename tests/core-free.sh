#!/bin/sh
# The generic core names no database: none of its sources includes
# <sqlite3.h> (tests/check_core shows it also links without libsqlite3).
# The report writers judge nothing: they read the verdicts stored with
# the events, call no classify rule, and never find events by their text.
. "${top_srcdir:-..}/tests/lib.sh"

src=${top_srcdir:-..}/src

# Every file of src/core/, whatever gets added there later.
n=0
for f in "$src"/core/*.c "$src"/core/*.h; do
	[ -f "$f" ] || continue
	n=$((n + 1))
	if grep -n 'sqlite3\.h' "$f"; then
		not_ok "core file ${f##*/} includes sqlite3.h"
	else
		ok "core file ${f##*/} does without sqlite3.h"
	fi
done
for m in supervisor child wire classify fault; do
	[ -f "$src/core/$m.c" ] || not_ok "core module $m is not in src/core/"
done
[ "$n" -ge 10 ] || not_ok "only $n files in src/core/"

for w in report.c report-json.c report-tap.c report-junit.c; do
	f=$src/report/$w
	# Naming a verdict is printing it, not judging.
	if grep -n 'classify_[a-z_]*(' "$f" |
	    grep -v 'classify_verdict_name('; then
		not_ok "$w calls a classify rule"
	else
		ok "$w calls no classify rule"
	fi
	if grep -nE 'str(n?cmp|str|n?casecmp)\([^;]*reason' "$f"; then
		not_ok "$w matches reason strings"
	else
		ok "$w matches no reason string"
	fi
done
finish
