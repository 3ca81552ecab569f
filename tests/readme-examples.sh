#!/bin/sh
# The README's store examples work as written: each command of the
# "Worked examples" block in README.md is run (only shortened to 2 s)
# with a $TMPDIR whose name holds a quote and a $(...), and must end as
# its comment says (exit 0 for "passes", 1 for "fails") without running
# the command hidden in the name.
. "${top_srcdir:-..}/tests/lib.sh"
clean_env
scratch_init

readme="${top_srcdir:-..}/README.md"

# Each example on one line: "EXPECT<TAB>COMMAND", EXPECT 0 or 1 from the
# comment above it, continuation lines joined.
awk '
	/^Worked examples/ { on = 1; next }
	!on { next }
	/^    / {
		line = substr($0, 5)
		if (line ~ /^#/) { note = note " " line; next }
		if (cont) cmd = cmd " " line; else cmd = line
		cont = sub(/ *\\$/, "", cmd)
		if (!cont) {
			fails = note ~ /fails/ && note !~ /passes/
			printf "%d\t%s\n", fails, cmd
			note = ""
		}
		n++
		next
	}
	/^$/ { next }
	n { exit }
' "$readme" >"$SCRATCH/examples"

if [ "$(wc -l <"$SCRATCH/examples")" -ge 3 ]; then
	ok "README.md has the worked store examples"
else
	not_ok "README.md has the worked store examples"
	sed 's/^/| /' "$SCRATCH/examples"
fi

if ! command -v sqlite3 >/dev/null 2>&1; then
	ok "the worked examples # SKIP sqlite3 command-line tool not installed"
	finish
fi

# A name that breaks any command that puts a path inside its own quotes.
hostile="$SCRATCH/x'\$(touch pwned)"
mkdir "$hostile" "$SCRATCH/cwd" || exit 99
cd "$SCRATCH/cwd" || exit 99

i=0
tab=$(printf '\t')
while IFS="$tab" read -r want cmd; do
	i=$((i + 1))
	case "$cmd" in
	src/sqlstorm\ *) ;;
	*) not_ok "example $i starts with src/sqlstorm: $cmd"; continue ;;
	esac
	# The README's quoting is the user's shell's: eval it as they would.
	TMPDIR=$hostile eval "\"\$SQLSTORM\" ${cmd#src/sqlstorm} --duration 2s" \
	    --json "\"\$SCRATCH/ex\$i.json\"" \
	    >"$SCRATCH/ex$i.out" 2>"$SCRATCH/ex$i.err" </dev/null
	rc=$?
	pwned=$(find "$SCRATCH" -name pwned | head -n 1)
	# A pass must have checked copies, not waited for one that never came.
	if [ "$want" -eq 0 ] && ! grep -q '"snapshots_validated": *[1-9]' "$SCRATCH/ex$i.json"; then
		rc="$rc, no snapshot validated"
	fi
	if [ "$rc" = "$want" ] && [ -z "$pwned" ]; then
		ok "example $i ends with exit $want, and \$(...) in \$TMPDIR ran nothing"
	else
		not_ok "example $i: wanted exit $want and no pwned file; got exit $rc, pwned '$pwned': $cmd"
		show "ex$i"
		rm -f "$pwned"
	fi
done <"$SCRATCH/examples"

finish
