#!/bin/sh
# The acceptance soak of issue 13, off by default (it takes 20 minutes):
# make check-soak (STORM_SOAK=1 for this test alone).  Plain SQLite
# in WAL and DELETE mode, 8 workers at --interval 0, a worker killed every
# 200 ms (about 300 kills a run, every other one aimed inside COMMIT), for
# SOAK_DURATION (60s) and SOAK_RUNS (10) runs per mode: every run must
# pass.  Each run's figures (kills, cut commits, resolved present/absent)
# are printed.
. "${top_srcdir:-..}/tests/lib.sh"
if [ -z "$STORM_SOAK" ]; then
	echo "1..0 # SKIP set STORM_SOAK=1 to run the 60 s nemesis soak"
	exit 77
fi
runs=${SOAK_RUNS:-10}
duration=${SOAK_DURATION:-60s}
clean_env
scratch_init

for j in wal delete; do
	i=1
	tk=0 tc=0 tp=0 ta=0
	while [ "$i" -le "$runs" ]; do
		run_tool soak-$j-$i --duration "$duration" --workers 8 \
		    --interval 0 --journal $j --nemesis 'kill:worker@every 200ms' \
		    --json "$SCRATCH/soak-$j-$i.json"
		f=$(sed -n 's/.*"nemesis": {"spec": "[^"]*", "kills": \([0-9]*\), "restarts": [0-9]*, "pauses": [0-9]*, "indeterminate": \([0-9]*\), "present": \([0-9]*\), "absent": \([0-9]*\).*/\1 \2 \3 \4/p' \
		    "$SCRATCH/soak-$j-$i.json")
		# shellcheck disable=SC2086
		set -- $f 0 0 0 0
		tk=$((tk + $1)) tc=$((tc + $2)) tp=$((tp + $3)) ta=$((ta + $4))
		expect soak-$j-$i 0 '^sqlstorm: PASS' \
		    "$j run $i: kills $1, cut in COMMIT $2, present $3, absent $4"
		i=$((i + 1))
	done
	echo "# $j: $runs runs, $tk kills, $tc commits cut, $tp present, $ta absent"
done
finish
