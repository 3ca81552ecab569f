/* SPDX-License-Identifier: MIT */
/*
 * trace: formats the parent's debugging log, one line per record received
 * and per verdict taken, with a CLOCK_MONOTONIC stamp.  It writes to a
 * FILE the caller opened and never decides anything; when tracing is off
 * nobody calls it (the caller tests its FILE pointer).  Messages and
 * reasons are written as they are but for newlines and other control
 * characters, which become '?': one record, one line.
 */
#include "autoconf.h"
#include "trace.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <string.h>

#include "util.h"

/* "1234.567890": a monotonic time in seconds, as the line stamps are. */
static void
trace_time(char *buf, size_t cap, int64_t ns)
{
	snprintf(buf, cap, "%" PRId64 ".%06" PRId64, ns / UTIL_NS_PER_S,
	    (ns % UTIL_NS_PER_S) / 1000);
}

/* Control characters would split a line: '?' instead. */
static void
trace_flatten(char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = '?';
}

void
trace_line(FILE *fp, const char *who, const char *fmt, ...)
{
	char stamp[40], text[1024];
	va_list ap;

	trace_time(stamp, sizeof stamp, util_now_ns());
	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	trace_flatten(text);
	(void)fprintf(fp, "%s %s %s\n", stamp, who, text);
}

static void
trace_error(FILE *fp, const char *who, const struct wire_record *r)
{
	const struct wire_error *e = &r->u.error;
	char t[40];

	trace_time(t, sizeof t, e->t_end);
	trace_line(fp, who, "ERROR #%" PRIu32 " code=%d extended=%d op=%s "
	    "t_end=%s shutdown_seen=%d errno=%d: %.*s",
	    r->h.seq, (int)e->code, (int)e->extended, wire_op_name(e->op), t,
	    (int)e->shutdown_seen, (int)e->sys_errno,
	    (int)strnlen(e->message, WIRE_MSG_MAX), e->message);
}

static void
trace_snapshot(FILE *fp, const char *who, const struct wire_record *r)
{
	const struct wire_snapshot *s = &r->u.snapshot;

	trace_line(fp, who, "SNAPSHOT #%" PRIu32 " index=%" PRIu32 " rows=%"
	    PRIu64 " integrity_ok=%d rows_ok=%d nworkers=%" PRIu32 "%s%.*s",
	    r->h.seq, s->index, s->rows, (int)s->integrity_ok,
	    (int)s->rows_ok, s->nworkers, s->problem_len > 0 ? ": " : "",
	    (int)strnlen(s->problem, WIRE_PROBLEM_MAX), s->problem);
}

void
trace_record(FILE *fp, const char *who, const struct wire_record *r)
{
	const char *type = wire_type_name(r->h.type);
	char t[40];

	switch (r->h.type) {
	case WIRE_ACK:
		trace_time(t, sizeof t, r->u.ack.t_commit);
		trace_line(fp, who, "ACK #%" PRIu32 " seq=%" PRIu64
		    " t_commit=%s", r->h.seq, r->u.ack.seq, t);
		break;
	case WIRE_ERROR:
		trace_error(fp, who, r);
		break;
	case WIRE_SNAPSHOT:
		trace_snapshot(fp, who, r);
		break;
	case WIRE_SNAPK:
		trace_line(fp, who, "SNAPK #%" PRIu32 " index=%" PRIu32
		    " first=%" PRIu32 " n=%" PRIu32, r->h.seq,
		    r->u.snapk.index, r->u.snapk.first, r->u.snapk.n);
		break;
	case WIRE_DONE:
		trace_line(fp, who, "DONE #%" PRIu32 " commits=%" PRIu64
		    " rows=%" PRIu64 " last_seq=%" PRIu64 " errors=%" PRIu64
		    " shutdown_seen=%d", r->h.seq, r->u.done.commits,
		    r->u.done.rows, r->u.done.last_seq, r->u.done.errors,
		    (int)r->u.done.shutdown_seen);
		break;
	case WIRE_ACTION:
		trace_line(fp, who, "ACTION #%" PRIu32 " kind=%d runs=%" PRIu64
		    " errors=%" PRIu64 " total_ns=%" PRId64 " max_ns=%" PRId64,
		    r->h.seq, (int)r->u.action.kind, r->u.action.runs,
		    r->u.action.errors, r->u.action.total_ns,
		    r->u.action.max_ns);
		break;
	default:
		trace_line(fp, who, "%s #%" PRIu32, type != NULL ? type :
		    "record", r->h.seq);
		break;
	}
}

void
trace_verdict(FILE *fp, const char *who, enum verdict v, const char *kind,
    long snapshot, const char *reason)
{
	char snap[32] = "";

	if (snapshot >= 0)
		snprintf(snap, sizeof snap, " snapshot %ld", snapshot);
	trace_line(fp, "verdict", "%s %s %s%s%s%s", classify_verdict_name(v),
	    kind, who, snap, reason[0] != '\0' ? ": " : "", reason);
}
