#!/bin/sh
# No orphans, ever: after sqlstorm is SIGKILLed mid-run, nothing a
# --store-cmd or a --restore-cmd started (their own children included)
# survives; at the end of a normal run nothing the sidecar or a restore
# command left behind survives either, even a child that ignores SIGTERM.
# Every command writes the pids of its processes to files in the scratch
# directory; a pid counts as gone when kill -0 fails or it is a zombie.
. "${top_srcdir:-..}/tests/lib.sh"
clean_env
scratch_init

# gone PID: dead, or a zombie that holds nothing.
gone() {
	kill -0 "$1" 2>/dev/null || return 0
	case $(ps -o stat= -p "$1" 2>/dev/null) in
	Z*) return 0 ;;
	esac
	return 1
}

# all_gone FILE...: every pid listed is gone within 5 s (generous: the
# test machine may be loaded).  Survivors are named, then killed.
all_gone() {
	pids=$(cat "$@" 2>/dev/null)
	i=0
	while [ "$i" -lt 50 ]; do
		alive=
		for p in $pids; do
			gone "$p" || alive="$alive $p"
		done
		[ -z "$alive" ] && return 0
		sleep 0.1
		i=$((i + 1))
	done
	echo "# still alive 5 s later:$alive"
	for p in $alive; do
		ps -o pid=,ppid=,pgid=,args= -p "$p" | sed 's/^/#   /'
		kill -KILL "$p" 2>/dev/null
	done
	return 1
}

# wait_lines FILE N: FILE holds at least N lines, within 20 s.
wait_lines() {
	i=0
	while [ "$i" -lt 200 ]; do
		[ -f "$1" ] && [ "$(wc -l <"$1")" -ge "$2" ] && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

S=$SCRATCH
# The sidecar: a background sleep, a subshell with its own child, the
# shell itself.  The restore command: a background sleep, and it hangs.
store="sleep 1000 & echo \$! >> $S/store.pids;"
store="$store sh -c 'sleep 1000 & echo \$! >> $S/store.pids; echo \$\$ >> $S/store.pids; sleep 1000' &"
store="$store echo \$\$ >> $S/store.pids; wait"
restore="sleep 1000 & echo \$! >> $S/restore.pids; echo \$\$ >> $S/restore.pids;"
restore="$restore sleep 1000; cp {db} {output}"

"$SQLSTORM" --duration 60s --workers 2 --validate-every 200ms \
    --store-cmd "$store" --restore-cmd "$restore" \
    >"$S/killed.out" 2>"$S/killed.err" &
tool=$!
if wait_lines "$S/store.pids" 4 && wait_lines "$S/restore.pids" 2; then
	ok "the store and restore commands started their processes"
else
	not_ok "the store and restore commands started their processes"
fi
kill -KILL "$tool"
wait "$tool" 2>/dev/null
if all_gone "$S/store.pids"; then
	ok "SIGKILL to sqlstorm: nothing the --store-cmd started survives"
else
	not_ok "SIGKILL to sqlstorm: nothing the --store-cmd started survives"
fi
if all_gone "$S/restore.pids"; then
	ok "SIGKILL to sqlstorm: nothing the --restore-cmd started survives"
else
	not_ok "SIGKILL to sqlstorm: nothing the --restore-cmd started survives"
fi

# A run that ends normally: the sidecar gets SIGTERM; a grandchild that
# ignores it (and the shell that started it) must still be gone after.
side="sh -c 'trap \"\" TERM; echo \$\$ >> $S/end.pids; exec sleep 1000' &"
side="$side sleep 1000 & echo \$! >> $S/end.pids; echo \$\$ >> $S/end.pids; wait"
run_tool end --duration 1500ms --workers 2 --validate-every 0 --store-cmd "$side"
expect end 0 '^sqlstorm: PASS' "a run with a sidecar whose tree holds sleeps passes"
if wait_lines "$S/end.pids" 3 && all_gone "$S/end.pids"; then
	ok "at the end of a run the sidecar's whole tree is gone"
else
	not_ok "at the end of a run the sidecar's whole tree is gone"
fi

# A restore command that leaves a background child behind: gone when the
# command ends, not when the run does.
rest="sleep 1000 & echo \$! >> $S/left.pids; cp {db} {output}"
run_tool left --duration 1500ms --workers 2 --journal delete --interval 20ms \
    --validate-every 300ms --restore-cmd "$rest"
if wait_lines "$S/left.pids" 1 && all_gone "$S/left.pids"; then
	ok "what a restore command leaves behind is gone after the run"
else
	not_ok "what a restore command leaves behind is gone after the run"
	show left
fi

# --nemesis kills and restarts every worker every 20 ms and the store
# every 300 ms: SIGKILL to sqlstorm amid the restarts leaves nothing,
# neither the workers of the moment nor anything a store life started.
# (check_supervisor catches, as a subreaper, children forked at the very
# moment of the kill.)
nstore="sleep 1000 & echo \$! >> $S/nem.pids; echo \$\$ >> $S/nem.pids; wait"
"$SQLSTORM" --duration 60s --workers 3 --interval 1ms \
    --nemesis 'kill:workers@every 20ms,kill:store=50ms@every 300ms' \
    --store-cmd "$nstore" >"$S/nem.out" 2>"$S/nem.err" &
tool=$!
wait_lines "$S/nem.pids" 6
ps -o pid= --ppid "$tool" 2>/dev/null >"$S/nem.kids" ||
    pgrep -P "$tool" >"$S/nem.kids" 2>/dev/null
kill -KILL "$tool"
wait "$tool" 2>/dev/null
if [ -s "$S/nem.kids" ] && all_gone "$S/nem.kids" "$S/nem.pids"; then
	ok "SIGKILL to sqlstorm amid --nemesis restarts: nothing survives"
else
	not_ok "SIGKILL to sqlstorm amid --nemesis restarts: nothing survives"
fi

finish
