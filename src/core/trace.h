/* SPDX-License-Identifier: MIT */
/*
 * trace: the parent's debugging log (--trace FILE, SQLSTORM_TRACE), what
 * tmux's -v log is for tmux: one line per record the parent receives and
 * per verdict it takes, each stamped with CLOCK_MONOTONIC (the clock every
 * record carries), so a trace lines up with the times in the records and
 * the reports.  Lines look like
 *   1234.567890 w0 ACK #5 seq=4 t_commit=1234.567801
 *   1234.600000 verdict failure error w1: error before the deadline: ...
 * It only formats and writes to a FILE the caller opened; it decides
 * nothing, and is never called when tracing is off: callers test the
 * FILE pointer first, so a run without --trace pays one pointer test per
 * record.
 */
#ifndef SQLSTORM_TRACE_H
#define SQLSTORM_TRACE_H

#include <stdio.h>

#include "classify.h"
#include "wire.h"

/*
 * One line: "<monotonic seconds.microseconds> <who> <text>\n" on fp (not
 * NULL).  Write errors are ignored: a trace never changes a run.
 */
void trace_line(FILE *fp, const char *who, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* A record from who: its type, sequence number and payload's gist. */
void trace_record(FILE *fp, const char *who, const struct wire_record *r);

/*
 * A verdict taken: "verdict <verdict> <kind> <who>[ snapshot N]: reason".
 * snapshot < 0: none.
 */
void trace_verdict(FILE *fp, const char *who, enum verdict v,
    const char *kind, long snapshot, const char *reason);

#endif
