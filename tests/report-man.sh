#!/bin/sh
# The man page is the option reference and matches --help: every flag
# printed by `sqlstorm --help` has an entry in doc/sqlstorm.1 that names
# its environment variable, its default, its range ("[1..1024]" in --help
# is "from 1 to 1024" there) and every value of an enum; the page names no
# flag or variable that --help lacks, and neither do README.md and the
# guides in doc/; every fault action and every exit code is described; and
# the page renders without warnings when a formatter is installed.
. "${top_srcdir:-..}/tests/lib.sh"
clean_env
scratch_init

page=$top_srcdir/doc/sqlstorm.1
if [ ! -f "$page" ]; then
	echo "no man page at $page"
	exit 99
fi
"$SQLSTORM" --help >"$SCRATCH/help" 2>&1 || exit 99

# The page as plain text: no font changes, no escaped dashes, no quotes.
sed -e 's/\\f[BIRP]//g' -e 's/\\-/-/g' -e 's/\\%//g' -e 's/\\&//g' \
    -e 's/"//g' -e 's/\\e/\\/g' "$page" >"$SCRATCH/page"

# entry FLAG: the body of the .TP entry whose tag line names FLAG.
entry() {
	awk -v flag="$1" '
		/^\.(SH|SS|TP|PP|IP)/ { body = 0 }
		tag { tag = 0; if (index($0 " ", flag " ") > 0) body = 1; next }
		/^\.TP/ { tag = 1; next }
		body { print }
	' "$SCRATCH/page"
}

# Option lines of --help: "  --duration DURATION   SQLSTORM_DURATION (default: 10s)"
# and "  -h, --help   show this help and exit", each with the description
# line under it, if any ("      how long ... [1ms..168h]"), after a tab.
awk '
	function flush() { if (opt != "") print opt "\t" desc; opt = desc = "" }
	/^  (-[A-Za-z], )?--[a-z-]+/ { flush(); opt = $0; next }
	opt != "" && desc == "" && /^      [^ ]/ { desc = $0; next }
	{ flush() }
	END { flush() }
' "$SCRATCH/help" >"$SCRATCH/options"
nopt=$(wc -l <"$SCRATCH/options")
if [ "$nopt" -lt 10 ]; then
	not_ok "--help lists options ($nopt found)"
	finish
fi
tab=$(printf '\t')
while IFS="$tab" read -r line desc; do
	flag=$(printf '%s\n' "$line" | sed -E 's/^  (-[A-Za-z], )?(--[a-z-]+).*/\2/')
	var=$(printf '%s\n' "$line" | sed -n -E 's/.*(SQLSTORM_[A-Z_]+).*/\1/p')
	def=$(printf '%s\n' "$line" | sed -n -E 's/.*\(default: (.*)\)$/\1/p')
	entry "$flag" >"$SCRATCH/entry"
	if [ ! -s "$SCRATCH/entry" ]; then
		not_ok "$flag has an entry in the man page"
		continue
	fi
	if [ -n "$var" ] && ! grep -q -- "Environment: $var\." "$SCRATCH/entry"; then
		not_ok "$flag: the man page names $var"
		continue
	fi
	if [ -n "$def" ] && ! grep -q -F -- "Default: $def." "$SCRATCH/entry"; then
		not_ok "$flag: the man page gives the default '$def'"
		continue
	fi
	# The entry as one line, so a phrase may wrap in the page's source.
	body=$(tr '\n' ' ' <"$SCRATCH/entry" | tr -s ' ')
	range=$(printf '%s\n' "$desc" |
	    sed -n -E 's/.*\[([^].|]+)\.\.([^]|]+)\] *$/from \1 to \2/p')
	case $body in
	*"$range"*) ;;
	*) not_ok "$flag: the man page gives the range '$range'"; continue ;;
	esac
	values=$(printf '%s\n' "$desc" |
	    sed -n -E 's/.*\[([a-z0-9]+(\|[a-z0-9]+)+)\] *$/\1/p' | tr '|' ' ')
	missing=
	for v in $values; do
		printf '%s\n' "$body" | grep -q -w -- "$v" || missing="$missing $v"
	done
	if [ -n "$missing" ]; then
		not_ok "$flag: the man page names the values$missing"
		continue
	fi
	ok "$flag${var:+ ($var, default $def)}${range:+, $range}${values:+, [$values]} is in the man page"
done <"$SCRATCH/options"

# The page has no flag that --help lacks.
for flag in $(grep -o -E -- '--[a-z][a-z-]+' "$SCRATCH/page" | sort -u); do
	case $flag in
	--name) continue ;;     # the --name=value form
	esac
	if ! grep -q -- "$flag" "$SCRATCH/help"; then
		not_ok "the man page's $flag is in --help"
	fi
done

# Nor do the README and the guides (configure's own flags aside); and
# every SQLSTORM_* variable they or the page name is in --help, but the
# one sqlstorm sets for store commands.
docs=
for f in README.md doc/faults.md doc/reports.md doc/stores.md; do
	[ -f "$top_srcdir/$f" ] && docs="$docs $top_srcdir/$f"
done
unknown=
for flag in $(grep -o -h -E -- '--[a-z][a-z-]+' $docs | sort -u); do
	case $flag in
	--name | --enable-*) continue ;;
	esac
	grep -q -- "$flag" "$SCRATCH/help" || unknown="$unknown $flag"
done
for v in $(grep -o -h -E 'SQLSTORM_[A-Z_]+' $docs "$SCRATCH/page" | sort -u); do
	case $v in
	SQLSTORM_RUN_DIR | SQLSTORM_NAME | SQLSTORM_) continue ;;
	esac
	grep -q -w -- "$v" "$SCRATCH/help" || unknown="$unknown $v"
done
if [ -z "$unknown" ] && [ -n "$docs" ]; then
	ok "the page, README.md and the guides name only what --help has"
else
	not_ok "the page, README.md or a guide names what --help lacks:$unknown"
fi

# The fault grammar: every action of --help, and the time forms.
actions=$(sed -n 's/^ *ACTION *//p' "$SCRATCH/help" | tr '|' '\n' |
    sed 's/^ *//; s/ *$//')
missing=
for a in $actions deadline-50ms deadline+20ms /deferred validator; do
	grep -q -F -- "$a" "$SCRATCH/page" || missing="$missing $a"
done
if [ -z "$missing" ] && [ -n "$actions" ]; then
	ok "the fault grammar is in the man page"
else
	not_ok "the man page lacks fault grammar:$missing"
fi

# Exit codes: every code of --help's "Exit status" line has an entry.
codes=$(sed -n 's/^Exit status: //p' "$SCRATCH/help" | grep -o -E '[0-9]+')
missing=
for c in $codes; do
	awk -v tag=".B $c" 'prev == ".TP" && $0 == tag { found = 1 }
	    { prev = $0 } END { exit !found }' "$SCRATCH/page" ||
	    missing="$missing $c"
done
if [ -z "$missing" ] && [ -n "$codes" ]; then
	ok "every exit code ($(echo $codes)) is described"
else
	not_ok "the man page lacks exit codes:$missing"
fi
for s in ENVIRONMENT EXAMPLES "EXIT STATUS" FILES REPORTS; do
	if grep -q "^\.SH $s\$" "$SCRATCH/page"; then
		ok "section $s"
	else
		not_ok "section $s"
	fi
done

# It renders, without warnings, with whatever formatter is here.
if command -v mandoc >/dev/null 2>&1; then
	if mandoc -T lint -W warning "$page" >"$SCRATCH/lint" 2>&1; then
		ok "mandoc -T lint is quiet"
	else
		not_ok "mandoc -T lint"
		cat "$SCRATCH/lint"
	fi
elif command -v groff >/dev/null 2>&1; then
	groff -man -Tutf8 -ww -z "$page" >"$SCRATCH/lint" 2>&1
	if [ ! -s "$SCRATCH/lint" ]; then
		ok "groff -ww renders it without warnings"
	else
		not_ok "groff -ww warns"
		cat "$SCRATCH/lint"
	fi
else
	ok "the page renders # SKIP neither mandoc nor groff"
fi

finish
