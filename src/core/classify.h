/* SPDX-License-Identifier: MIT */
/*
 * classify: the verdict rules of doc/design.md as pure functions.  An error is
 * judged by when it happened (t_end, shutdown_seen) against when shutdown
 * was signalled, never by when the parent read it; a child's end is
 * judged from its wait status and what the supervisor saw.  No I/O, no
 * clocks: everything is in the arguments, so every rule is table-tested.
 * No database either: which codes are benign when late, and their names,
 * come from the scenario's struct classify_policy.
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
	int     cut_short;       /* killed at a second interrupt, before its
	                            grace (or, a sidecar, before any) was up */
	int     done_seen;       /* a DONE record arrived */
	int     done_shutdown;   /* DONE said the child had seen shutdown */
	int     malformed;       /* a record failed to decode or was out of order */
	char    malformed_why[96];
	int64_t t_gone;          /* first of EOF and reap (parent clock), 0 if neither */
	int     external;        /* a sidecar program: no protocol, stopped by SIGTERM */
	int64_t shutdown_ns;     /* when the parent closed the shutdown pipe */
	int     cancelled;       /* stopped before the release: leaving at
	                            once without DONE is right */
	int     nemesis;         /* its last end was the nemesis's SIGKILL
	                            (--nemesis kill, not started again) */
	int     powerloss;       /* killed at the --powerloss cut */
};

/*
 * Why an error got its verdict, so that every report can show the
 * expected-by-nemesis errors as their own kind (doc/design.md,
 * "Nemesis").
 */
enum classify_cause {
	CLASSIFY_CAUSE_NONE = 0,    /* a failure */
	CLASSIFY_CAUSE_SHUTDOWN,    /* late and shutdown-typical */
	CLASSIFY_CAUSE_NEMESIS,     /* shutdown-typical, in a nemesis window */
	CLASSIFY_CAUSE_POLICY,      /* late severe, forgiven by LATE_IGNORE */
	CLASSIFY_CAUSE_INJECTED     /* the code of an I/O fault sqlstorm
	                               injected (--nemesis io:) */
};

/*
 * One disruption sqlstorm caused on purpose (--nemesis): from start_ns
 * (the SIGKILL or SIGSTOP) to end_ns (the respawn or SIGCONT; 0 while it
 * lasts).  what names it for the reason ("kill w1").
 */
struct classify_window {
	int64_t start_ns;
	int64_t end_ns;
	char    what[32];
};

/*
 * What the scenario knows of its error codes, passed in: the verdict rules
 * know no database.  Any member may be NULL; a NULL policy, or a NULL
 * member, means no code is benign when late and no code has a name.
 */
struct classify_policy {
	/* 1 if a late error with this code is shutdown-typical. */
	int         (*benign)(int code);
	/* Static name of a code ("BUSY"), or NULL. */
	const char *(*code_name)(int code);
	/* A name ("BUSY") or a decimal number as a code, or -1. */
	int         (*code_from_name)(const char *name);
};

/* policy's name of code, or NULL (no policy, no namer, no name). */
const char *classify_policy_name(const struct classify_policy *policy,
    int code);

/* 1 if policy says a late error with code is benign, else 0. */
int classify_policy_benign(const struct classify_policy *policy, int code);

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
 * shutdown-typical (codes->benign) is expected, everything else fails
 * (policy may forgive late severe codes).  deadline_ns only places the
 * error in the reason ("at deadline+3ms"); codes names the code in it.
 * Writes a one-line reason into reason.
 */
enum verdict classify_error(const struct wire_error *e, int64_t deadline_ns,
    int64_t shutdown_ns, enum late_policy policy,
    const struct classify_policy *codes, char *reason, size_t cap);

/*
 * The window of win[0..n-1] that explains an error ending at t: one with
 * start_ns <= t and t <= end_ns + slack_ns (slack: the busy timeout, so
 * a wait that began before the disruption ended is inside), or, while it
 * lasts (end_ns == 0), any t at or after its start.  Returns its index,
 * or -1.
 */
long classify_in_window(const struct classify_window *win, size_t n,
    int64_t t, int64_t slack_ns);

/*
 * classify_error() with the nemesis rule: an error that is not late is
 * still expected, with cause CLASSIFY_CAUSE_NEMESIS, when its code is
 * shutdown-typical and it ended inside one of the windows (see
 * classify_in_window()).  Severe codes fail inside a window as anywhere.
 * *cause (if not NULL) says why the verdict was taken.
 */
enum verdict classify_error_window(const struct wire_error *e,
    int64_t deadline_ns, int64_t shutdown_ns, enum late_policy policy,
    const struct classify_policy *codes, const struct classify_window *win,
    size_t nwin, int64_t slack_ns, enum classify_cause *cause, char *reason,
    size_t cap);

/*
 * classify_error_window() starts with the injected rule (doc/design.md,
 * "Storage faults"): an ERROR whose transaction saw an I/O fault
 * sqlstorm injected (e->injected has WIRE_INJ_FIRED) is expected, cause
 * CLASSIFY_CAUSE_INJECTED, iff its code equals the injected code
 * (e->inj_code), late or not.  With another code the other rules judge
 * it (a late shutdown-typical code stays expected); if they fail it, the
 * reason says "injected IOERR surfaced as CORRUPT".  One marked
 * WIRE_INJ_SWALLOWED (committed or returned OK anyway) always fails.
 */

/*
 * Verdict of one firing of an injected fault (an IOFIRE record): always
 * pass, the errors it causes are judged by the rule above; absorbed says
 * it fell inside the WAL autocheckpoint, whose errors SQLite ignores.
 * Writes a one-line description into reason.
 */
enum verdict classify_iofire(int code, int absorbed,
    const struct classify_policy *codes, char *reason, size_t cap);

/*
 * "shutdown", "nemesis", "policy", "injected", or NULL for
 * CLASSIFY_CAUSE_NONE.
 */
const char *classify_cause_name(enum classify_cause c);

/*
 * Verdict for how a child ended.  VERDICT_PASS means nothing wrong.  An
 * external child (a sidecar) speaks no protocol: it must live until the
 * deadline; after it, any exit it makes when asked with SIGTERM (or a
 * clean exit on its own) is fine, while a crash or ignoring SIGTERM is not.
 * A child whose last end was the nemesis's SIGKILL (fate.nemesis), or
 * the SIGKILL of the --powerloss cut (fate.powerloss), passes: sqlstorm
 * killed it on purpose.
 * Writes a one-line reason into reason (empty on pass).
 */
enum verdict classify_fate(const struct classify_fate *f, char *reason,
    size_t cap);

/*
 * --powerloss (doc/design.md, "Power loss"): what SQLite documents a
 * crash image must hold, by journal mode and synchronous level.
 */
enum classify_bound {
	CLASSIFY_BOUND_NONE = 0,    /* nothing promised: report, never fail */
	CLASSIFY_BOUND_ALL,         /* every acknowledged row */
	CLASSIFY_BOUND_DIRSYNC,     /* rows acknowledged before the last
	                               completed directory sync began */
	CLASSIFY_BOUND_WALSYNC      /* rows acknowledged before the last
	                               completed sync of the WAL began */
};

/*
 * The bound for journal mode journal ("wal", "delete", "truncate",
 * "persist", "memory", "off") and synchronous level sync ("off",
 * "normal", "full", "extra"): WAL + full or extra and delete + extra:
 * ALL; delete + full: DIRSYNC; WAL + normal: WALSYNC; anything else
 * (sync off, journal off or memory, delete + normal, truncate, persist,
 * unknown words): NONE.
 */
enum classify_bound classify_powerloss_bound(const char *journal,
    const char *sync);

/* "every-ack", "dir-sync", "wal-sync", "none". */
const char *classify_bound_name(enum classify_bound b);

/* What the check of one crash image found. */
struct classify_image {
	int      opened;        /* SQLite opened it (and recovered it) */
	int      integrity_ok;  /* integrity_check (or quick_check) said ok */
	int      gapfree;       /* every worker's rows are a prefix 1..k */
	uint64_t lost;          /* acknowledged rows missing */
	uint64_t lost_bound;    /* of those, acknowledged before the bound
	                           (with CLASSIFY_BOUND_ALL: all of them) */
	uint64_t beyond;        /* rows past their worker's highest
	                           attempted seq: rows from nowhere */
	int      checker_died;  /* the process checking it died: the
	                           signal, -1 no answer; 0 it answered */
};

/*
 * Verdict for one crash image under bound b.  Every bound: a check
 * that died or hung on the image fails (whatever a disk holds, opening
 * and checking it must not crash: a bug in SQLite or sqlstorm), and rows from
 * nowhere fail (counted only in an image that passed its integrity
 * check: a corrupt b-tree's answers mean nothing).  NONE: anything else passes (the reason says what the
 * image shows).  Otherwise the image must open, pass its integrity
 * check, hold gap-free prefixes and miss no row acknowledged before the
 * bound; rows lost after it are allowed (named in the reason).  Writes
 * a one-line reason (also on pass when something was lost or broken).
 */
enum verdict classify_image(enum classify_bound b,
    const struct classify_image *im, char *reason, size_t cap);

/* Static name of a signal ("SIGHUP"), or NULL if it has none here. */
const char *classify_signal_name(int sig);

/* "pass", "expected" or "failure". */
const char *classify_verdict_name(enum verdict v);

#endif
