/* SPDX-License-Identifier: MIT */
/*
 * classify: the verdict rules of DESIGN.md as pure functions.  An error is
 * judged by when it happened (t_end, shutdown_seen) against when shutdown
 * was signalled, never by when the parent read it; a child's end is
 * judged from its wait status and what the supervisor saw.  No I/O, no clocks: everything is in the arguments,
 * so every rule is table-tested.
 */
#ifndef SQLSTORM_CLASSIFY_H
#define SQLSTORM_CLASSIFY_H

#include <stddef.h>
#include <stdint.h>

struct wire_error;

enum verdict {
	VERDICT_PASS = 0,
	VERDICT_EXPECTED,   /* a late, shutdown-typical error: shown, not fatal */
	VERDICT_FAILURE
};

enum late_policy {
	LATE_STRICT = 0,    /* late severe errors (CORRUPT, IOERR, ...) fail */
	LATE_IGNORE         /* the seed's rule: nothing after the deadline fails */
};

#define CLASSIFY_REASON_MAX 256

/* What the supervisor knows about how a child ended. */
struct classify_fate {
	int     reaped;          /* waitpid() returned its status */
	int     status;          /* raw wait status, valid if reaped */
	int     sent_signal;     /* last signal the parent sent it, 0 if none */
	int     hung;            /* still alive at shutdown + grace */
	int     done_seen;       /* a DONE record arrived */
	int     done_shutdown;   /* DONE said the child had seen shutdown */
	int     malformed;       /* a record failed to decode or was out of order */
	char    malformed_why[96];
	int64_t t_gone;          /* first of EOF and reap (parent clock), 0 if neither */
	int     external;        /* a sidecar program: no protocol, stopped by SIGTERM */
	int64_t shutdown_ns;     /* when the parent closed the shutdown pipe */
	int     cancelled;       /* stopped before the release: leaving at
	                            once without DONE is right */
};

/* 1 if a late error with this SQLite primary code is shutdown-typical. */
int classify_code_benign(int code);

/* Static name of a SQLite primary result code ("BUSY"), or NULL. */
const char *classify_code_name(int code);

/*
 * Map a name ("BUSY", "busy", "SQLITE_BUSY") or a decimal number to a
 * primary result code.  Returns the code, or -1 if unknown.
 */
int classify_code_from_name(const char *name);

/*
 * 1 if the error happened late: the child had seen the shutdown, or it
 * ended at or after shutdown_ns, the moment the parent signalled shutdown
 * (closed the shutdown pipe).  shutdown_ns == 0 means "not signalled yet":
 * then only shutdown_seen makes an error late.  The nominal deadline plays
 * no part: a parent that was late to close the pipe must not turn real
 * errors into expected ones.
 */
int classify_is_late(const struct wire_error *e, int64_t shutdown_ns);

/*
 * Verdict for one ERROR record: late (see classify_is_late) and
 * shutdown-typical is expected, everything else fails (policy may forgive
 * late severe codes).  deadline_ns only places the error in the reason
 * ("at deadline+3ms").  Writes a one-line reason into reason.
 */
enum verdict classify_error(const struct wire_error *e, int64_t deadline_ns,
    int64_t shutdown_ns, enum late_policy policy, char *reason, size_t cap);

/*
 * Verdict for how a child ended.  VERDICT_PASS means nothing wrong.  An
 * external child (a sidecar) speaks no protocol: it must live until the
 * deadline; after it, any exit it makes when asked with SIGTERM (or a
 * clean exit on its own) is fine, while a crash or ignoring SIGTERM is not.
 * Writes a one-line reason into reason (empty on pass).
 */
enum verdict classify_fate(const struct classify_fate *f, char *reason,
    size_t cap);

/* Static name of a signal ("SIGHUP"), or NULL if it has none here. */
const char *classify_signal_name(int sig);

/* "pass", "expected" or "failure". */
const char *classify_verdict_name(enum verdict v);

#endif
