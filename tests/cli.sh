#!/bin/sh
# The command line: strict one-line errors (exit 99, nothing created),
# --help, --version, --print-config, and unusable --db paths.
. "${top_srcdir:-..}/tests/lib.sh"
clean_env
scratch_init

# expect_hard NAME PATTERN DESCRIPTION: exit 99, exactly one stderr line
# matching PATTERN, and no file created in $TMPDIR or the working directory.
expect_hard() {
	lines=$(wc -l <"$SCRATCH/$1.err")
	left=$(find "$SCRATCH" -mindepth 1 ! -name '*.out' ! -name '*.err' ! -name 'in-*' | head -n 1)
	if [ "$rc" -eq 99 ] && [ "$lines" -eq 1 ] && [ -z "$left" ] &&
	    grep -E -q -- "$2" "$SCRATCH/$1.err"; then
		ok "$3"
	else
		not_ok "$3 (wanted exit 99, one line /$2/, nothing created; got $lines lines, left '$left')"
		show "$1"
	fi
}

cd "$SCRATCH" || exit 99

SQLSTORM_WORKERS=abc run_tool env_workers
expect_hard env_workers '^sqlstorm: SQLSTORM_WORKERS: .abc. is not an integer from 1 to 1024$' \
    "SQLSTORM_WORKERS=abc is one line, exit 99"

run_tool neg_duration --duration=-1s
expect_hard neg_duration '^sqlstorm: --duration: .-1s.' "--duration=-1s is one line, exit 99"

run_tool garbage_duration --duration 10sx
expect_hard garbage_duration '^sqlstorm: --duration: .10sx.' "trailing garbage is rejected"

run_tool huge --duration 99999999999999999999h
expect_hard huge '^sqlstorm: --duration' "an overflowing duration is rejected"

run_tool workers0 --workers 0
expect_hard workers0 '^sqlstorm: --workers: .0.' "--workers 0 is rejected"

run_tool workers_big --workers 1025
expect_hard workers_big '^sqlstorm: --workers: .1025.' "--workers 1025 is rejected"

run_tool journal --journal bogus
expect_hard journal '^sqlstorm: --journal: .bogus.' "an unknown journal mode is rejected"

run_tool unknown_flag --frobnicate
expect_hard unknown_flag '^sqlstorm: .*--frobnicate' "an unknown flag is rejected"

run_tool missing_value --workers
expect_hard missing_value '^sqlstorm: --workers' "a flag without its value is rejected"

run_tool bad_fault --fault 'w0:explode@1s'
expect_hard bad_fault "^sqlstorm: --fault: .*explode" "a malformed fault spec is rejected"

SQLSTORM_FAULT='w7:crash@1s' run_tool bad_fault_env
expect_hard bad_fault_env "^sqlstorm: SQLSTORM_FAULT: .*w7" "a fault for a worker that does not exist is rejected"

# A fault due at or after deadline + grace could never fire: refused
# before anything runs (it used to end as a misleading "hung").
run_tool late_fault --duration 1s --grace 1s --fault w0:crash@5s
expect_hard late_fault "^sqlstorm: --fault: fault 'w0:crash@5s' is due 5s after the start, not before deadline \\+ grace \\(2s\\)" \
    "a fault after deadline + grace is one line, exit 99"
run_tool late_fault_dl --duration 1s --grace 1s --fault 'w0:error=BUSY@deadline+1s'
expect_hard late_fault_dl "^sqlstorm: --fault: fault 'w0:error=BUSY@deadline\\+1s' is due 2s" \
    "a fault at exactly deadline + grace is refused"

# Two reports cannot share one file.
run_tool same_report --duration 200ms --json "$SCRATCH/r" --junit "$SCRATCH/r"
expect_hard same_report "^sqlstorm: --junit: '.*/r' is also the --json report" \
    "--json X --junit X is one line, exit 99"

run_tool empty_db --db ''
expect_hard empty_db '^sqlstorm: --db' "an empty --db is rejected"

# Shell commands are checked before anything runs or is created.
run_tool empty_store --store-cmd ''
expect_hard empty_store '^sqlstorm: --store-cmd: the command must not be empty$' \
    "an empty --store-cmd is rejected"

run_tool no_output --restore-cmd 'cp {db} /tmp/x'
expect_hard no_output "^sqlstorm: --restore-cmd: 'cp \\{db\\} /tmp/x' has no \\{output\\} placeholder" \
    "a --restore-cmd without {output} is rejected"

run_tool no_program --store-cmd 'no-such-program-xyz {db}'
expect_hard no_program "^sqlstorm: --store-cmd: cannot run 'no-such-program-xyz': not found in PATH$" \
    "a --store-cmd whose program is not in PATH is rejected"

SQLSTORM_RESTORE_CMD='cp {db} {out}' run_tool bad_placeholder_env
expect_hard bad_placeholder_env '^sqlstorm: SQLSTORM_RESTORE_CMD: unknown placeholder .out.' \
    "an unknown placeholder in SQLSTORM_RESTORE_CMD is rejected"

run_tool grace0 --grace 0
expect_hard grace0 "^sqlstorm: --grace: '0' is not a duration from 100ms" "--grace 0 is rejected"

run_tool repeat0 --repeat 0
expect_hard repeat0 "^sqlstorm: --repeat: '0'" "--repeat 0 is rejected"

run_tool bad_workload --workload chrun
expect_hard bad_workload "^sqlstorm: --workload: 'chrun' is not one of append, churn$" \
    "an unknown --workload is rejected"
SQLSTORM_WORKLOAD=bogus run_tool bad_workload_env --workload append
expect_hard bad_workload_env "^sqlstorm: SQLSTORM_WORKLOAD: 'bogus' is not one of append, churn$" \
    "an unknown SQLSTORM_WORKLOAD is rejected, even under a flag"
run_tool empty_trace --trace ''
expect_hard empty_trace '^sqlstorm: --trace: the path must not be empty$' \
    "an empty --trace is rejected"

# Unusable database files: a one-line error, exit 99, nothing left behind.
mkdir "$SCRATCH/in-dir"
printf 'this is not a database, just some text that is long enough to fill a header.....................................' >"$SCRATCH/in-text"
run_tool notadb --duration 200ms --db "$SCRATCH/in-text"
expect_hard notadb "not a SQLite database" "a file that is not a database is rejected"

run_tool nodir --duration 200ms --db "$SCRATCH/in-missing/x.db"
expect_hard nodir "in-missing" "a database in a missing directory is rejected"

run_tool isdir --duration 200ms --db "$SCRATCH/in-dir"
expect_hard isdir "in-dir" "a directory given as --db is rejected"

if [ "$(id -u)" -ne 0 ]; then
	"$SQLSTORM" --duration 200ms --db "$SCRATCH/in-ro.db" >/dev/null 2>&1
	chmod 444 "$SCRATCH/in-ro.db"
	run_tool readonly --duration 200ms --db "$SCRATCH/in-ro.db"
	expect_hard readonly "in-ro.db" "a read-only database is rejected"
else
	ok "# SKIP read-only database (root ignores file permissions)"
fi

# Typo protection: a warning, not an error.
SQLSTORM_WORKRES=2 run_tool typo --print-config
expect typo 0 'SQLSTORM_WORKRES.*SQLSTORM_WORKERS' "an unknown SQLSTORM_ variable gets a did-you-mean warning"

run_tool help --help
expect help 0 'SQLSTORM_DURATION' "--help names the environment variables"
if grep -q '^Exit status: 0 pass, 1 fail or interrupted, 99 hard error' "$SCRATCH/help.out" &&
    ! grep '^Exit status' "$SCRATCH/help.out" | grep -q 77; then
	ok "--help lists only the exit codes sqlstorm returns"
else
	not_ok "--help lists only the exit codes sqlstorm returns"
	show help
fi
for f in --duration --workers --interval --batch --validate-every --grace \
    --busy-timeout --db --keep --journal --sync --seed --late-errors --json \
    --junit --tap --quiet --fault; do
	grep -q -- "$f" "$SCRATCH/help.out" || not_ok "--help lacks $f"
done

for f in --repeat --until-fail --store-cmd --restore-cmd --restore-timeout \
    --max-lag --coverage --verbose --workload --trace; do
	grep -q -- "$f" "$SCRATCH/help.out" || not_ok "--help lacks $f"
done

run_tool version --version
expect version 0 'SQLite 3\.' "--version names sqlstorm's and SQLite's versions"

SQLSTORM_WORKERS=7 run_tool print --print-config --grace 3s
expect print 0 'workers.*7.*env' "--print-config shows env values and their source"
expect print 0 'grace.*3s.*flag' "--print-config shows flag values and their source"
expect print 0 'duration.*10s.*default' "--print-config shows defaults"

# An empty variable that a flag overrides is not an error; alone it is.
SQLSTORM_WORKERS= run_tool empty_env --workers 2 --print-config
expect empty_env 0 'workers +2 +flag' "an empty SQLSTORM_WORKERS overridden by --workers is fine"
SQLSTORM_WORKERS= run_tool empty_env_alone --print-config
expect_hard empty_env_alone "^sqlstorm: SQLSTORM_WORKERS: '' is not an integer" \
    "an empty SQLSTORM_WORKERS without a flag is still an error"
SQLSTORM_DURATION= SQLSTORM_WORKERS= run_tool empty_env_run --workers 1 --duration 300ms
expect empty_env_run 0 '^sqlstorm: PASS' "a run with empty variables that flags override passes"

SQLSTORM_STORE_CMD= run_tool print_cmd --print-config --restore-cmd 'cp {db} {output}'
expect print_cmd 0 'store-cmd +none +default' "an empty SQLSTORM_STORE_CMD means none"
expect print_cmd 0 'restore-cmd +cp \{db\} \{output\} +flag' "--print-config shows a restore command"

SQLSTORM_WORKLOAD=APPEND run_tool print_new --print-config --trace "$SCRATCH/in-t.log"
expect print_new 0 'workload +append +env' "--print-config shows the workload, spelt as the table does"
expect print_new 0 'trace +.*/in-t\.log +flag' "--print-config shows the trace file"
if [ ! -e "$SCRATCH/in-t.log" ]; then
	ok "--print-config does not create the trace file"
else
	not_ok "--print-config does not create the trace file"
fi

# A traced run: one line per record and per verdict, monotonic stamps.
run_tool traced --workers 1 --duration 300ms --trace "$SCRATCH/run.trace"
expect traced 0 '^sqlstorm: PASS' "a traced run passes"
if grep -Eq '^[0-9]+\.[0-9]{6} w0 READY #1$' "$SCRATCH/run.trace" &&
    grep -Eq '^[0-9]+\.[0-9]{6} w0 ACK #[0-9]+ seq=' "$SCRATCH/run.trace" &&
    grep -Eq '^[0-9]+\.[0-9]{6} w0 DONE #' "$SCRATCH/run.trace" &&
    grep -Eq '^[0-9]+\.[0-9]{6} verdict pass fate w0$' "$SCRATCH/run.trace" &&
    grep -Eq '^[0-9]+\.[0-9]{6} run end: exit code 0$' "$SCRATCH/run.trace"; then
	ok "--trace writes records and verdicts with timestamps"
else
	not_ok "--trace writes records and verdicts with timestamps"
	sed 's/^/# /' "$SCRATCH/run.trace" | head -20
fi
rm -f "$SCRATCH/run.trace"
# The trace is opened with fopen("w"): it must never be the database (or
# its -wal) nor a report, or a typo truncates a file the user cares about.
printf 'precious\n' >in-keep.db
run_tool trace_db --workers 1 --duration 300ms --db in-keep.db \
    --trace "$SCRATCH/in-keep.db"
expect_hard trace_db "^sqlstorm: --trace: cannot write '.*in-keep.db': it is the database \\(--db\\)$" \
    "--trace naming the database is refused before the run"
if [ "$(cat in-keep.db)" = precious ]; then
	ok "--trace naming the database leaves it as it was"
else
	not_ok "--trace naming the database leaves it as it was"
fi
run_tool trace_wal --workers 1 --duration 300ms --db in-keep.db \
    --trace in-keep.db-wal
expect_hard trace_wal "^sqlstorm: --trace: cannot write 'in-keep.db-wal': it is the database's -wal file$" \
    "--trace naming the database's -wal is refused before the run"
run_tool trace_json --workers 1 --duration 300ms --json in-r.json \
    --trace in-r.json.tmp
expect_hard trace_json "^sqlstorm: --trace: cannot write 'in-r.json.tmp': it is a report's file \\('in-r.json'\\)$" \
    "--trace naming a report's .tmp is refused before the run"
rm -f in-keep.db
run_tool untraceable --workers 1 --duration 300ms \
    --trace "$SCRATCH/no/such/dir/t"
expect_hard untraceable '^sqlstorm: cannot open the trace file ' \
    "an unwritable --trace stops the run before it starts"

finish
