#!/bin/sh
# Reports for CI: a passing and a failing run each write JSON, JUnit and
# TAP; the JSON parses and has every documented key, the JUnit is
# well-formed, automake's tap-driver reads the TAP, and every format says
# the same thing as the summary about the same run: verdict, number of
# failures, number of expected errors, acknowledged rows.  Plus the
# pre-run check of report paths, --quiet, and no progress line off a
# terminal.  No timing assertions: only counts that one run reports in
# several ways.
. "${top_srcdir:-..}/tests/lib.sh"
clean_env
scratch_init

if command -v jq >/dev/null 2>&1; then
	JSON_TOOL=jq
elif command -v python3 >/dev/null 2>&1 &&
    python3 -c 'import json' >/dev/null 2>&1; then
	JSON_TOOL=python3
else
	echo "neither jq nor python3 is installed: cannot read JSON"
	exit 77
fi

# jval FILE PATH: the value at PATH (".verdict", ".sqlite.filesystem",
# ".workers[0].name"); strings raw, everything else as JSON.
jval() {
	if [ "$JSON_TOOL" = jq ]; then
		jq -r "$2" "$1"
	else
		python3 - "$1" "$2" <<'EOF'
import json, re, sys
v = json.load(open(sys.argv[1]))
for name, index in re.findall(r'\.(\w+)|\[(\d+)\]', sys.argv[2]):
    v = v[name] if name else v[int(index)]
print(v if isinstance(v, str) else json.dumps(v))
EOF
	fi
}

# jkeys FILE PATH: the keys of the object at PATH, one per line.
jkeys() {
	if [ "$JSON_TOOL" = jq ]; then
		jq -r "$2 | keys[]" "$1"
	else
		python3 - "$1" "$2" <<'EOF'
import json, re, sys
v = json.load(open(sys.argv[1]))
for name, index in re.findall(r'\.(\w+)|\[(\d+)\]', sys.argv[2]):
    v = v[name] if name else v[int(index)]
print("\n".join(v.keys()))
EOF
	fi
}

# jcount FILE VERDICT: entries of "errors" with that verdict.
jcount() {
	if [ "$JSON_TOOL" = jq ]; then
		jq "[.errors[] | select(.verdict == \"$2\")] | length" "$1"
	else
		python3 -c 'import json, sys
print(sum(1 for e in json.load(open(sys.argv[1]))["errors"]
          if e["verdict"] == sys.argv[2]))' "$1" "$2"
	fi
}

# has_keys FILE PATH KEY...: every KEY is in the object at PATH.
has_keys() {
	file=$1
	path=$2
	shift 2
	jkeys "$file" "$path" >"$SCRATCH/keys" || return 1
	for k in "$@"; do
		if ! grep -qx -- "$k" "$SCRATCH/keys"; then
			echo "# missing key $path.$k"
			return 1
		fi
	done
	return 0
}

check() {
	if eval "$1"; then ok "$2"; else not_ok "$2"; fi
}

# The summary (on stderr with --tap): verdict, failures, expected, acked.
summary_facts() {
	err=$SCRATCH/$1.err
	s_verdict=$(sed -n -e 's/^sqlstorm: PASS.*/pass/p' \
	    -e 's/^sqlstorm: FAIL.*/fail/p' "$err")
	s_fail=$(sed -n 's/^  errors *\([0-9]*\) failures*, [0-9]* expected$/\1/p' "$err")
	s_exp=$(sed -n 's/^  errors *[0-9]* failures*, \([0-9]*\) expected$/\1/p' "$err")
	s_acked=$(sed -n 's/^  final .*, \([0-9]*\) acknowledged, .*/\1/p' "$err")
}

formats() {
	name=$1
	want=$2
	shift 2
	run_tool "$name" --duration 1s --workers 2 --interval 5ms --tap \
	    --json "$SCRATCH/$name.json" --junit "$SCRATCH/$name.xml" "$@"
	cp "$SCRATCH/$name.out" "$SCRATCH/$name.tap"
	if [ "$rc" -eq "$want" ]; then
		ok "$name: exit $want"
	else
		not_ok "$name: exit $rc, wanted $want"
		show "$name"
	fi
	json=$SCRATCH/$name.json
	xml=$SCRATCH/$name.xml
	tap=$SCRATCH/$name.tap

	# JSON: parses and has every documented key.
	check "jval '$json' .verdict >/dev/null" "$name: the JSON parses ($JSON_TOOL)"
	check "has_keys '$json' . verdict state exit_code config sqlite \
	    inserts commits duration_ms shutdown_overrun_ms latency_ms \
	    workers children errors snapshots snapshots_validated acked_rows \
	    lost_rows failures expected repro run_dir kept final" \
	    "$name: the JSON has every top-level key"
	check "has_keys '$json' .config duration_ms workers interval_ms batch \
	    validate_every_ms grace_ms busy_timeout_ms db keep journal sync \
	    seed late_errors json junit tap quiet fault repeat until_fail \
	    store_cmd restore_cmd restore_timeout_ms max_lag_ms" \
	    "$name: config holds every knob"
	check "has_keys '$json' .sqlite version source_id compile_options \
	    journal_mode filesystem" "$name: the SQLite fingerprint"
	check "has_keys '$json' .latency_ms p50 p90 p99 max" \
	    "$name: latency percentiles"
	check "has_keys '$json' '.workers[0]' name rows commits acked final \
	    busy_waits busy_ms errors verdict reason" "$name: worker entries"
	check "has_keys '$json' '.snapshots[0]' index t_ms ok rows problem" \
	    "$name: snapshot entries"
	check "test ! -e '$json.tmp' && test ! -e '$xml.tmp'" \
	    "$name: no temporary report file left"

	# JUnit: well-formed.
	if command -v xmllint >/dev/null 2>&1; then
		check "xmllint --noout '$xml'" "$name: the JUnit is well-formed XML"
	else
		ok "$name: the JUnit is well-formed XML # SKIP no xmllint"
	fi

	# Every format says the same thing.
	summary_facts "$name"
	j_verdict=$(jval "$json" .verdict)
	j_fail=$(jval "$json" .failures)
	j_exp=$(jval "$json" .expected)
	j_acked=$(jval "$json" .acked_rows)
	x_fail=$(sed -n 's/.*<testsuite name="sqlstorm" tests="[0-9]*" failures="\([0-9]*\)".*/\1/p' "$xml")
	x_exp=$(sed -n 's/.*<property name="expected_errors" value="\([0-9]*\)".*/\1/p' "$xml")
	x_acked=$(sed -n 's/.*<property name="acked_rows" value="\([0-9]*\)".*/\1/p' "$xml")
	x_verdict=$(sed -n 's/.*<property name="verdict" value="\([a-z]*\)".*/\1/p' "$xml")
	t_fail=$(grep -c '^not ok ' "$tap")
	t_exp=$(grep -c '^ok .* # expected late error: ' "$tap")
	t_acked=$(sed -n 's/^#   final .*, \([0-9]*\) acknowledged, .*/\1/p' "$tap")
	if [ "$t_fail" -eq 0 ]; then t_verdict=pass; else t_verdict=fail; fi
	facts="summary $s_verdict/$s_fail/$s_exp/$s_acked json $j_verdict/$j_fail/$j_exp/$j_acked junit $x_verdict/$x_fail/$x_exp/$x_acked tap $t_verdict/$t_fail/$t_exp/$t_acked"
	echo "# $name: verdict/failures/expected/acked: $facts"
	if [ -n "$s_verdict" ] && [ -n "$s_acked" ] &&
	    [ "$s_verdict" = "$j_verdict" ] && [ "$s_verdict" = "$x_verdict" ] &&
	    [ "$s_verdict" = "$t_verdict" ] &&
	    [ "$s_fail" = "$j_fail" ] && [ "$s_fail" = "$x_fail" ] &&
	    [ "$s_fail" = "$t_fail" ] &&
	    [ "$s_fail" = "$(jcount "$json" failure)" ] &&
	    [ "$s_exp" = "$j_exp" ] && [ "$s_exp" = "$x_exp" ] &&
	    [ "$s_exp" = "$t_exp" ] &&
	    [ "$s_exp" = "$(jcount "$json" expected)" ] &&
	    [ "$s_acked" = "$j_acked" ] && [ "$s_acked" = "$x_acked" ] &&
	    [ "$s_acked" = "$t_acked" ]; then
		ok "$name: summary, JSON, JUnit and TAP agree"
	else
		not_ok "$name: the formats disagree: $facts"
		show "$name"
	fi

	# The plan matches the points, and the repro line is everywhere.
	plan=$(sed -n 's/^1\.\.\([0-9]*\)$/\1/p' "$tap")
	points=$(grep -c '^\(not \)\{0,1\}ok ' "$tap")
	x_tests=$(sed -n 's/.*<testsuite name="sqlstorm" tests="\([0-9]*\)".*/\1/p' "$xml")
	check "[ '$plan' = '$points' ] && [ '$plan' = '$x_tests' ]" \
	    "$name: TAP plan ($plan), TAP points ($points) and JUnit tests ($x_tests) agree"
	seed=$(jval "$json" .config.seed)
	check "jval '$json' .repro | grep -q -- '--seed $seed' &&
	    grep -q 'name=\"reproduce\" value=\".*--seed $seed' '$xml'" \
	    "$name: the JSON and JUnit carry the reproduce line"
	check "! grep -q \"\$(printf '\\r')\" '$SCRATCH/$name.err'" \
	    "$name: no progress line when stderr is not a terminal"
}

# The passing run has one late, expected error, so that count is compared
# too; the failing run has an error before the deadline.
formats pass 0 --fault 'w1:error=BUSY@deadline+20ms'
check "[ \"\$(jval '$SCRATCH/pass.json' .expected)\" -ge 1 ]" \
    "pass: the late BUSY is counted as expected"
formats fail 1 --fault 'w0:error=BUSY@300ms'
check "[ \"\$(jval '$SCRATCH/fail.json' .verdict)\" = fail ] &&
    [ \"\$(jval '$SCRATCH/fail.json' .errors[0].code)\" = BUSY ] &&
    [ \"\$(jval '$SCRATCH/fail.json' .errors[0].late)\" = false ]" \
    "fail: the early BUSY is the first error, not late"
check "unfold '$SCRATCH/fail.tap' | grep -q '^#   reproduce sqlstorm .*--fault' &&
    unfold '$SCRATCH/fail.err' | grep -q '^  reproduce sqlstorm .*--fault'" \
    "fail: TAP and the summary carry the reproduce line"

# automake's TAP driver counts the same failures as the summary.
driver=$top_srcdir/build-aux/tap-driver.sh
if [ -f "$driver" ]; then
	(cd "$SCRATCH" && env AM_TAP_AWK="${AWK:-awk}" sh "$driver" \
	    --test-name fail --log-file drv.log --trs-file drv.trs \
	    --color-tests no --enable-hard-errors yes --expect-failure no \
	    -- sh -c 'cat fail.tap; exit 1' >drv.out 2>&1)
	d_fail=$(grep -c '^:test-result: FAIL' "$SCRATCH/drv.trs")
	d_pass=$(grep -c '^:test-result: PASS' "$SCRATCH/drv.trs")
	summary_facts fail
	check "[ '$d_fail' = '$s_fail' ] && [ '$d_pass' -gt 0 ]" \
	    "tap-driver counts $d_fail failures, the summary $s_fail"
else
	ok "tap-driver reads the failing TAP # SKIP no build-aux/tap-driver.sh"
fi

# The environment names the files; --quiet leaves stdout and stderr empty.
SQLSTORM_JSON=$SCRATCH/env.json SQLSTORM_JUNIT=$SCRATCH/env.xml \
    run_tool env --duration 1s --workers 2 --quiet
check "[ $rc -eq 0 ] && [ ! -s '$SCRATCH/env.out' ] && [ ! -s '$SCRATCH/env.err' ] &&
    [ \"\$(jval '$SCRATCH/env.json' .verdict)\" = pass ] &&
    grep -q '<testsuites' '$SCRATCH/env.xml'" \
    "SQLSTORM_JSON and SQLSTORM_JUNIT write the reports; --quiet prints nothing"

# An unwritable report path stops the run before it starts.
mkdir "$SCRATCH/nothing"
TMPDIR=$SCRATCH/nothing run_tool badjson --duration 1s \
    --json "$SCRATCH/no/such/dir/r.json"
check "[ $rc -eq 99 ] && [ \"\$(wc -l <'$SCRATCH/badjson.err')\" -eq 1 ] &&
    grep -q \"^sqlstorm: --json: cannot write '$SCRATCH/no/such/dir/r.json': \" '$SCRATCH/badjson.err' &&
    [ -z \"\$(ls '$SCRATCH/nothing')\" ]" \
    "an unwritable --json path: exit 99, one line, nothing run"
TMPDIR=$SCRATCH/nothing SQLSTORM_JUNIT=$SCRATCH run_tool badjunit \
    --duration 1s --tap
check "[ $rc -eq 99 ] &&
    grep -q '^sqlstorm: SQLSTORM_JUNIT: cannot write .*: Is a directory' '$SCRATCH/badjunit.err' &&
    grep -q '^Bail out! SQLSTORM_JUNIT: cannot write' '$SCRATCH/badjunit.out' &&
    [ -z \"\$(ls '$SCRATCH/nothing')\" ]" \
    "a directory as SQLSTORM_JUNIT: exit 99, Bail out! with --tap, nothing run"

finish
