#!/bin/sh
# The store integration test: inserts for a fixed duration while the
# database is snapshotted, restored and validated; late errors are
# classified, not fatal.  Short by default (2 s); every SQLSTORM_*
# variable overrides it, so `SQLSTORM_DURATION=60s make check` is a soak.
. "${top_srcdir:-..}/tests/lib.sh"
scratch_init

: "${SQLSTORM_DURATION:=2s}"
export SQLSTORM_DURATION

"$SQLSTORM"
rc=$?
echo "sqlstorm exited $rc"
exit $rc
