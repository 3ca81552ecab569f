#!/bin/sh
# The documentation works as written.  Every command that starts with
# `src/sqlstorm` in an indented block of README.md or of a guide in doc/
# (design.md, which describes rather than instructs, aside) is run, only
# shortened, with a $TMPDIR whose name holds a quote and a $(...), and must
# end as its comment says (the comment on its line, or the comment lines
# right above it): exit 99 if it says "exit 99", else 0 if it says
# "passes", else 1 if it says "fails"; a comment that says none of these
# is an error, so every example states what it does.  Shortened means: a
# --duration above 3 s (or none) becomes 2 s, and --repeat or --until-fail
# stop after 2 runs.  Every relative link of those files must lead to a
# file in the tree, and its #anchor to a heading there; no link may be
# absolute.
. "${top_srcdir:-..}/tests/lib.sh"
clean_env
scratch_init

src=${top_srcdir:-..}
docs="README.md doc/faults.md doc/reports.md doc/stores.md"

# One example per line: "EXPECT<TAB>FILE:LINE<TAB>COMMAND", continuation
# lines joined and comments stripped.
examples() {
	awk '
	FNR == 1 { note = ""; cont = 0 }
	!/^    / { note = ""; next }
	{ line = substr($0, 5) }
	!cont && line ~ /^#/ { note = note " " line; next }
	!cont && line !~ /^src\/sqlstorm / { note = ""; next }
	{
		if (!cont) { cmd = ""; where = FILENAME ":" FNR }
		if (match(line, /[ \t]+# /)) {
			note = note " " substr(line, RSTART)
			line = substr(line, 1, RSTART - 1)
		}
		cont = sub(/[ \t]*\\$/, "", line)
		cmd = cmd (cmd == "" ? "" : " ") line
		if (cont)
			next
		want = "?"
		if (note ~ /exit 99/) want = 99
		else if (note ~ /passes/) want = 0
		else if (note ~ /fails/) want = 1
		printf "%s\t%s\t%s\n", want, where, cmd
		note = ""
	}
	' "$@"
}

cd "$src" || exit 99
examples $docs >"$SCRATCH/examples"
for f in $docs; do
	n=$(grep -c "	$f:" "$SCRATCH/examples")
	if [ "$n" -ge 1 ]; then
		ok "$f has runnable examples ($n)"
	else
		not_ok "$f has runnable examples"
	fi
done

# slugs FILE: the anchors of FILE's headings, as GitHub makes them.
slugs() {
	sed -n 's/^#\{1,6\} //p' "$1" | tr 'A-Z' 'a-z' |
	    sed -e 's/[^a-z0-9 _-]//g' -e 's/ /-/g'
}

# links FILE: the targets of FILE's Markdown links, one a line.
links() {
	grep -o -E '\]\([^) ]+\)' "$1" | sed -e 's/^](//' -e 's/)$//'
}

nlinks=0
for f in $docs; do
	dir=$(dirname "$f")
	for l in $(links "$f"); do
		nlinks=$((nlinks + 1))
		case $l in
		http://* | https://*) continue ;;
		/*) not_ok "$f: the link $l is absolute"; continue ;;
		esac
		path=${l%%#*}
		anchor=
		case $l in *'#'*) anchor=${l#*#} ;; esac
		if [ -z "$path" ]; then
			target=$f
		else
			target=$dir/$path
		fi
		if [ ! -f "$target" ]; then
			not_ok "$f: the link $l leads to no file"
		elif [ -n "$anchor" ] && ! slugs "$target" | grep -q -x -F -- "$anchor"; then
			not_ok "$f: the link $l leads to no heading of $target"
		fi
	done
done
ok "$nlinks links of the documentation checked"
cd "$SCRATCH" || exit 99

have_sqlite3=yes
command -v sqlite3 >/dev/null 2>&1 || have_sqlite3=
have_litestream=yes
command -v litestream >/dev/null 2>&1 || have_litestream=

# A name that breaks any command that puts a path inside its own quotes.
hostile="$SCRATCH/x'\$(touch pwned)"
mkdir "$hostile" "$SCRATCH/cwd" || exit 99
cd "$SCRATCH/cwd" || exit 99

i=0
tab=$(printf '\t')
while IFS="$tab" read -r want where cmd; do
	i=$((i + 1))
	if [ "$want" = "?" ]; then
		not_ok "$where: the example says whether it passes, fails or exits 99: $cmd"
		continue
	fi
	case $cmd in
	*sqlite3\ *)
		if [ -z "$have_sqlite3" ]; then
			ok "$where # SKIP sqlite3 command-line tool not installed"
			continue
		fi
		;;
	*litestream\ *)
		if [ -z "$have_litestream" ]; then
			ok "$where # SKIP litestream not on PATH"
			continue
		fi
		;;
	esac
	dur=$(printf '%s\n' "$cmd" | sed -n -E 's/.*--duration[ =]([0-9a-z]+).*/\1/p')
	case $dur in
	*ms | *us | *ns | [0-3]s) short= ;;
	*) short=' --duration 2s' ;;
	esac
	case $cmd in
	*--repeat* | *--until-fail*) short="$short --repeat 2" ;;
	esac
	# The documents' quoting is the user's shell's: eval it as they would.
	TMPDIR=$hostile eval "\"\$SQLSTORM\" ${cmd#src/sqlstorm}$short" \
	    --json "\"\$SCRATCH/ex\$i.json\"" \
	    >"$SCRATCH/ex$i.out" 2>"$SCRATCH/ex$i.err" </dev/null
	rc=$?
	pwned=$(find "$SCRATCH" -name pwned | head -n 1)
	# A restore that passes must have checked copies, not waited for one
	# that never came.
	restores=
	case $cmd in *--restore-cmd*) restores=yes ;; esac
	if [ "$want" -eq 0 ] && [ -n "$restores" ] && ! grep -q '"snapshots_validated": *[1-9]' "$SCRATCH/ex$i.json"; then
		rc="$rc, no snapshot validated"
	fi
	if [ "$rc" = "$want" ] && [ -z "$pwned" ]; then
		ok "$where ends with exit $want, and \$(...) in \$TMPDIR ran nothing"
	else
		not_ok "$where: wanted exit $want and no pwned file; got exit $rc, pwned '$pwned': $cmd"
		show "ex$i"
		rm -f "$pwned"
	fi
done <"$SCRATCH/examples"

finish
