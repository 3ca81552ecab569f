/* SPDX-License-Identifier: MIT */
/*
 * check_classify: table-driven tests of every verdict rule.  Errors are
 * placed relative to a deadline to the nanosecond; a child's end uses real
 * wait statuses from tiny forked children (exit, crash, killed) rather
 * than hand-built ints, so the tests hold wherever <sys/wait.h> encodes
 * them differently.
 */
#include "autoconf.h"

#include <check.h>
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sqlite3.h>

#include "classify.h"
#include "scenario-policy.h"
#include "wire.h"

#define MS        INT64_C(1000000)
#define DEADLINE  (INT64_C(10) * 1000 * MS + 12345)     /* 10 s + a bit */

/* ------------------------------------------------------------ children */

enum end { END_EXIT0, END_EXIT3, END_SEGV, END_TERM, END_KILL };

static void
child_body(enum end how, const sigset_t *mask)
{
	struct rlimit none = { 0, 0 };

	/*
	 * Default actions first, then unblock: Check's own SIGTERM handler
	 * signals the whole process group, and must not run in here.  No
	 * core file may land in the build tree either.
	 */
	(void)setrlimit(RLIMIT_CORE, &none);
	(void)signal(SIGSEGV, SIG_DFL);
	(void)signal(SIGTERM, SIG_DFL);
	(void)sigprocmask(SIG_SETMASK, mask, NULL);
	switch (how) {
	case END_EXIT0:
		_exit(0);
	case END_EXIT3:
		_exit(3);
	case END_SEGV:
		(void)raise(SIGSEGV);
		_exit(98);
	default:
		/* Wait to be killed; the parent's signal may already be due. */
		for (;;)
			pause();
	}
}

/* The wait status of a child that ended the given way. */
static int
status_of(enum end how)
{
	sigset_t all, old;
	pid_t pid, r;
	int status = 0;

	/* Block signals around fork(): the child resets handlers first. */
	sigfillset(&all);
	ck_assert_int_eq(sigprocmask(SIG_SETMASK, &all, &old), 0);
	pid = fork();
	if (pid == 0) {
		sigdelset(&old, SIGTERM);
		sigdelset(&old, SIGSEGV);
		child_body(how, &old);
	}
	(void)sigprocmask(SIG_SETMASK, &old, NULL);
	ck_assert_int_ge(pid, 0);
	if (how == END_TERM)
		ck_assert_int_eq(kill(pid, SIGTERM), 0);
	else if (how == END_KILL)
		ck_assert_int_eq(kill(pid, SIGKILL), 0);
	do
		r = waitpid(pid, &status, 0);
	while (r < 0 && errno == EINTR);
	ck_assert_int_eq(r, pid);
	return status;
}

/* ------------------------------------------------------------ errors */

struct err_case {
	const char      *name;
	int              code;
	int              extended;
	int              shutdown_seen;
	int64_t          t_end;          /* relative to the deadline */
	enum late_policy policy;
	enum verdict     want;
	const char      *want_reason;    /* a substring of the reason */
};

/*
 * The same, with shutdown signalled when the row says, relative to the
 * deadline (in err_cases: exactly at it); never: not signalled yet when
 * the record was read.
 */
struct shutdown_case {
	struct err_case  e;
	int64_t          shutdown;
	int              never;
};

static const struct err_case err_cases[] = {
	/* Not late: always a failure, whatever the code or policy. */
	{ "busy 50ms before, read after", SQLITE_BUSY, 0, 0, -50 * MS,
	    LATE_STRICT, VERDICT_FAILURE,
	    "error before the deadline: BUSY (5) in COMMIT at deadline-50ms, "
	    "shutdown not seen: boom" },
	{ "busy 50ms before, ignore policy", SQLITE_BUSY, 0, 0, -50 * MS,
	    LATE_IGNORE, VERDICT_FAILURE, "error before the deadline" },
	{ "busy 1ns before", SQLITE_BUSY, 0, 0, -1, LATE_STRICT,
	    VERDICT_FAILURE, "at deadline-<1ms" },
	{ "corrupt before, ignore policy", SQLITE_CORRUPT, 0, 0, -2000 * MS,
	    LATE_IGNORE, VERDICT_FAILURE, "CORRUPT (11) in COMMIT at "
	    "deadline-2000ms" },
	/* Late by t_end alone. */
	{ "busy exactly at the deadline", SQLITE_BUSY, 0, 0, 0, LATE_STRICT,
	    VERDICT_EXPECTED, "late error during shutdown: BUSY (5) in COMMIT "
	    "at deadline+0ms, shutdown not seen" },
	{ "locked 3ms after", SQLITE_LOCKED, 0, 0, 3 * MS, LATE_STRICT,
	    VERDICT_EXPECTED, "LOCKED (6) in COMMIT at deadline+3ms" },
	{ "busy 1ns after", SQLITE_BUSY, 0, 0, 1, LATE_STRICT,
	    VERDICT_EXPECTED, "deadline+<1ms" },
	/* Late by shutdown_seen alone (the parent shut down early). */
	{ "busy seen shutdown, before", SQLITE_BUSY, 0, 1, -50 * MS,
	    LATE_STRICT, VERDICT_EXPECTED, "late error during shutdown: BUSY "
	    "(5) in COMMIT at deadline-50ms, shutdown seen" },
	{ "corrupt seen shutdown, before", SQLITE_CORRUPT, 0, 1, -50 * MS,
	    LATE_STRICT, VERDICT_FAILURE, "severe error after the deadline: "
	    "CORRUPT" },
	/* Benign codes, late. */
	{ "interrupt late", SQLITE_INTERRUPT, 0, 1, 5 * MS, LATE_STRICT,
	    VERDICT_EXPECTED, "INTERRUPT (9)" },
	{ "abort late", SQLITE_ABORT, 0, 1, 5 * MS, LATE_STRICT,
	    VERDICT_EXPECTED, "ABORT (4)" },
	{ "busy_snapshot as code", SQLITE_BUSY_SNAPSHOT, 0, 1, 5 * MS,
	    LATE_STRICT, VERDICT_EXPECTED, "BUSY (517)" },
	{ "busy with extended busy_snapshot", SQLITE_BUSY,
	    SQLITE_BUSY_SNAPSHOT, 1, 5 * MS, LATE_STRICT, VERDICT_EXPECTED,
	    "BUSY (5, extended 517)" },
	{ "locked_sharedcache", SQLITE_LOCKED_SHAREDCACHE, 0, 0, 5 * MS,
	    LATE_STRICT, VERDICT_EXPECTED, "LOCKED" },
	/* Severe codes, late, both policies. */
	{ "corrupt late strict", SQLITE_CORRUPT, 0, 1, 3 * MS, LATE_STRICT,
	    VERDICT_FAILURE, "severe error after the deadline: CORRUPT (11) "
	    "in COMMIT at deadline+3ms, shutdown seen" },
	{ "corrupt late ignore", SQLITE_CORRUPT, 0, 1, 3 * MS, LATE_IGNORE,
	    VERDICT_EXPECTED, "ignored by policy: CORRUPT (11)" },
	{ "notadb late", SQLITE_NOTADB, 0, 1, 0, LATE_STRICT,
	    VERDICT_FAILURE, "NOTADB (26)" },
	{ "ioerr late", SQLITE_IOERR, 0, 0, 0, LATE_STRICT,
	    VERDICT_FAILURE, "IOERR (10)" },
	{ "ioerr_short_read late", SQLITE_IOERR_SHORT_READ, 0, 1, 0,
	    LATE_STRICT, VERDICT_FAILURE, "IOERR (522)" },
	{ "ioerr extended short_read", SQLITE_IOERR, SQLITE_IOERR_SHORT_READ,
	    1, 0, LATE_STRICT, VERDICT_FAILURE, "IOERR (10, extended 522)" },
	{ "ioerr_short_read ignore", SQLITE_IOERR_SHORT_READ, 0, 1, 0,
	    LATE_IGNORE, VERDICT_EXPECTED, "ignored by policy" },
	{ "full late", SQLITE_FULL, 0, 1, 0, LATE_STRICT, VERDICT_FAILURE,
	    "FULL (13)" },
	{ "misuse late", SQLITE_MISUSE, 0, 1, 0, LATE_STRICT,
	    VERDICT_FAILURE, "MISUSE (21)" },
	{ "cantopen late", SQLITE_CANTOPEN, 0, 1, 0, LATE_STRICT,
	    VERDICT_FAILURE, "CANTOPEN (14)" },
	{ "error late", SQLITE_ERROR, 0, 1, 0, LATE_STRICT, VERDICT_FAILURE,
	    "ERROR (1)" },
	{ "constraint late", SQLITE_CONSTRAINT, 0, 1, 0, LATE_STRICT,
	    VERDICT_FAILURE, "CONSTRAINT (19)" },
	{ "unknown code late", 77, 0, 1, 0, LATE_STRICT, VERDICT_FAILURE,
	    "unknown code (77)" },
	{ "unknown code late ignore", 77, 0, 1, 0, LATE_IGNORE,
	    VERDICT_EXPECTED, "unknown code (77)" },
};

static const struct shutdown_case shutdown_cases[] = {
	/*
	 * A late parent closed the pipe 500 ms after the deadline: a real
	 * error in between, shutdown not seen, is not late (issue 10).
	 */
	{ { "late parent: busy 400ms after, not seen", SQLITE_BUSY, 0, 0,
	    400 * MS, LATE_STRICT, VERDICT_FAILURE, "error after the deadline "
	    "but before shutdown was signalled: BUSY (5) in COMMIT at "
	    "deadline+400ms, shutdown not seen: boom" }, 500 * MS, 0 },
	{ { "late parent: busy 400ms after, ignore policy", SQLITE_BUSY, 0, 0,
	    400 * MS, LATE_IGNORE, VERDICT_FAILURE, "before shutdown was "
	    "signalled" }, 500 * MS, 0 },
	{ { "late parent: busy 1ns before the close", SQLITE_BUSY, 0, 0,
	    500 * MS - 1, LATE_STRICT, VERDICT_FAILURE, "deadline+499ms" },
	    500 * MS, 0 },
	{ { "late parent: busy exactly at the close", SQLITE_BUSY, 0, 0,
	    500 * MS, LATE_STRICT, VERDICT_EXPECTED, "late error during "
	    "shutdown: BUSY (5) in COMMIT at deadline+500ms" }, 500 * MS, 0 },
	{ { "late parent: busy 100ms after, seen", SQLITE_BUSY, 0, 1,
	    100 * MS, LATE_STRICT, VERDICT_EXPECTED, "shutdown seen" },
	    500 * MS, 0 },
	{ { "late parent: corrupt before the close", SQLITE_CORRUPT, 0, 0,
	    100 * MS, LATE_IGNORE, VERDICT_FAILURE, "before shutdown was "
	    "signalled: CORRUPT" }, 500 * MS, 0 },
	/* Not signalled yet when read: only shutdown_seen makes it late. */
	{ { "not yet: busy 2s after the deadline", SQLITE_BUSY, 0, 0,
	    2000 * MS, LATE_STRICT, VERDICT_FAILURE, "before shutdown was "
	    "signalled" }, 0, 1 },
	{ { "not yet: busy before the deadline", SQLITE_BUSY, 0, 0,
	    -20 * MS, LATE_STRICT, VERDICT_FAILURE, "error before the "
	    "deadline" }, 0, 1 },
	{ { "not yet: seen", SQLITE_BUSY, 0, 1, 20 * MS, LATE_STRICT,
	    VERDICT_EXPECTED, "late error during shutdown" }, 0, 1 },
	/* Interrupted 3 s before the deadline: later errors are late. */
	{ { "interrupt: busy after it, not seen", SQLITE_BUSY, 0, 0,
	    -2000 * MS, LATE_STRICT, VERDICT_EXPECTED, "late error during "
	    "shutdown: BUSY (5) in COMMIT at deadline-2000ms" },
	    -3000 * MS, 0 },
	{ { "interrupt: busy before it", SQLITE_BUSY, 0, 0, -3001 * MS,
	    LATE_STRICT, VERDICT_FAILURE, "error before the deadline" },
	    -3000 * MS, 0 },
};

static void
make_error(struct wire_error *e, int code, int extended, int seen,
    int64_t t_end, const char *msg)
{
	memset(e, 0, sizeof *e);
	e->op = WIRE_OP_COMMIT;
	e->code = code;
	e->extended = extended;
	e->shutdown_seen = (uint8_t)seen;
	e->t_begin = t_end - 10 * MS;
	e->t_end = t_end;
	e->msg_len = (uint16_t)strlen(msg);
	memcpy(e->message, msg, e->msg_len + 1);
}

static void
check_error_case(const struct err_case *c, int64_t shutdown)
{
	char reason[CLASSIFY_REASON_MAX];
	struct wire_error e;
	enum verdict v;

	make_error(&e, c->code, c->extended, c->shutdown_seen,
	    DEADLINE + c->t_end, "boom");
	memset(reason, 'x', sizeof reason);
	v = classify_error(&e, DEADLINE, shutdown, c->policy, &scenario_codes,
	    reason, sizeof reason);
	ck_assert_msg(v == c->want, "%s: got %s (%s)", c->name,
	    classify_verdict_name(v), reason);
	ck_assert_msg(strstr(reason, c->want_reason) != NULL,
	    "%s: reason \"%s\" lacks \"%s\"", c->name, reason,
	    c->want_reason);
	ck_assert_ptr_null(strchr(reason, '\n'));
	ck_assert_int_eq(classify_is_late(&e, shutdown), c->shutdown_seen ||
	    (shutdown != 0 && DEADLINE + c->t_end >= shutdown));
}

START_TEST(test_classify_error_table)
{
	check_error_case(&err_cases[_i], DEADLINE);
}
END_TEST

/* Late means at or after shutdown was signalled, not the deadline. */
START_TEST(test_classify_error_shutdown_table)
{
	const struct shutdown_case *c = &shutdown_cases[_i];

	check_error_case(&c->e, c->never ? 0 : DEADLINE + c->shutdown);
}
END_TEST

START_TEST(test_classify_late_boundary)
{
	struct wire_error e;

	/* The boundary is the shutdown moment, here 400 ms past the deadline. */
	make_error(&e, SQLITE_BUSY, 0, 0, DEADLINE + 400 * MS, "");
	ck_assert_int_eq(classify_is_late(&e, DEADLINE + 400 * MS), 1);
	e.t_end = DEADLINE + 400 * MS - 1;
	ck_assert_int_eq(classify_is_late(&e, DEADLINE + 400 * MS), 0);
	e.shutdown_seen = 1;
	ck_assert_int_eq(classify_is_late(&e, DEADLINE + 400 * MS), 1);
	/* 0: not signalled yet, whatever t_end says. */
	ck_assert_int_eq(classify_is_late(&e, 0), 1);
	e.shutdown_seen = 0;
	ck_assert_int_eq(classify_is_late(&e, 0), 0);
	e.t_end = INT64_MAX;
	ck_assert_int_eq(classify_is_late(&e, 0), 0);
	ck_assert_int_eq(classify_is_late(&e, INT64_MAX), 1);
	e.t_end = INT64_MIN;
	ck_assert_int_eq(classify_is_late(&e, INT64_MAX), 0);
	e.t_end = INT64_MAX;
	ck_assert_int_eq(classify_is_late(&e, INT64_MIN), 1);
}
END_TEST

/*
 * The seed's bug: an error 50 ms before the deadline that the parent reads
 * after it.  The API has no read time to pass, so calling "late" cannot
 * change the verdict; both policies must fail it.
 */
START_TEST(test_classify_error_judged_when_it_happened)
{
	char reason[CLASSIFY_REASON_MAX];
	struct wire_error e;

	make_error(&e, SQLITE_BUSY, 0, 0, DEADLINE - 50 * MS, "locked");
	ck_assert_int_eq(classify_error(&e, DEADLINE, DEADLINE, LATE_STRICT,
	    &scenario_codes, reason, sizeof reason), VERDICT_FAILURE);
	ck_assert_int_eq(classify_error(&e, DEADLINE, DEADLINE, LATE_IGNORE,
	    &scenario_codes, reason, sizeof reason), VERDICT_FAILURE);
	ck_assert_str_eq(reason, "error before the deadline: BUSY (5) in "
	    "COMMIT at deadline-50ms, shutdown not seen: locked");
	/*
	 * Before the release there is no deadline yet (0): the reason says
	 * so, not "deadline-9223369904328ms".
	 */
	make_error(&e, SQLITE_CANTOPEN, 0, 0, 5 * MS, "no file");
	e.op = WIRE_OP_OPEN;
	ck_assert_int_eq(classify_error(&e, 0, 0, LATE_STRICT,
	    &scenario_codes, reason, sizeof reason), VERDICT_FAILURE);
	ck_assert_str_eq(reason, "error before the deadline: CANTOPEN (14) "
	    "in OPEN before the start, shutdown not seen: no file");
}
END_TEST

START_TEST(test_classify_error_reason_details)
{
	char reason[CLASSIFY_REASON_MAX], tiny[16];
	struct wire_error e;

	make_error(&e, SQLITE_FULL, 0, 1, DEADLINE + 1500 * MS,
	    "disk\nfull\x1b");
	e.sys_errno = 28;
	e.op = WIRE_OP_INSERT;
	classify_error(&e, DEADLINE, DEADLINE, LATE_STRICT,
	    &scenario_codes, reason, sizeof reason);
	ck_assert_str_eq(reason, "severe error after the deadline: FULL (13) "
	    "in INSERT at deadline+1500ms, shutdown seen, errno 28: "
	    "disk?full?");
	/* Truncated, still terminated; no buffer at all is fine too. */
	ck_assert_int_eq(classify_error(&e, DEADLINE, DEADLINE, LATE_STRICT,
	    &scenario_codes, tiny, sizeof tiny), VERDICT_FAILURE);
	ck_assert_uint_eq(strlen(tiny), sizeof tiny - 1);
	ck_assert_int_eq(classify_error(&e, DEADLINE, DEADLINE, LATE_STRICT,
	    &scenario_codes, NULL, 0), VERDICT_FAILURE);
	/* A message of WIRE_MSG_MAX bytes is cut to the reason's size. */
	memset(e.message, 'm', WIRE_MSG_MAX);
	e.message[WIRE_MSG_MAX] = '\0';
	e.msg_len = WIRE_MSG_MAX;
	classify_error(&e, DEADLINE, DEADLINE, LATE_STRICT,
	    &scenario_codes, reason, sizeof reason);
	ck_assert_uint_eq(strlen(reason), sizeof reason - 1);
}
END_TEST

/* ------------------------------------------------------------ nemesis */

/*
 * Windows relative to the deadline: a kill of w1 from -5 s to -4.9 s
 * (respawned), and a pause of w2 from -3 s still going (end 0).  The
 * slack (the busy timeout) is 1 s.
 */
#define NEM_SLACK (1000 * MS)

struct nemesis_case {
	const char         *name;
	int                 code;
	int                 shutdown_seen;
	int64_t             t_end;          /* relative to the deadline */
	int                 ongoing;        /* the pause has not ended */
	enum verdict        want;
	enum classify_cause want_cause;
	const char         *want_reason;
};

static const struct nemesis_case nemesis_cases[] = {
	{ "busy before any window", SQLITE_BUSY, 0, -6000 * MS, 0,
	    VERDICT_FAILURE, CLASSIFY_CAUSE_NONE, "error before the deadline: "
	    "BUSY" },
	{ "busy 1ns before the kill", SQLITE_BUSY, 0, -5000 * MS - 1, 0,
	    VERDICT_FAILURE, CLASSIFY_CAUSE_NONE, "error before the deadline" },
	{ "busy at the kill", SQLITE_BUSY, 0, -5000 * MS, 0,
	    VERDICT_EXPECTED, CLASSIFY_CAUSE_NEMESIS, "nemesis window (kill "
	    "w1): BUSY (5) in COMMIT" },
	{ "locked inside the kill", SQLITE_LOCKED, 0, -4950 * MS, 0,
	    VERDICT_EXPECTED, CLASSIFY_CAUSE_NEMESIS, "(kill w1): LOCKED" },
	{ "busy at the end + busy timeout", SQLITE_BUSY, 0, -3900 * MS, 0,
	    VERDICT_EXPECTED, CLASSIFY_CAUSE_NEMESIS, "kill w1" },
	{ "busy 1ns past end + busy timeout", SQLITE_BUSY, 0,
	    -3900 * MS + 1, 0, VERDICT_FAILURE, CLASSIFY_CAUSE_NONE,
	    "error before the deadline: BUSY" },
	{ "corrupt inside the kill", SQLITE_CORRUPT, 0, -4950 * MS, 0,
	    VERDICT_FAILURE, CLASSIFY_CAUSE_NONE, "severe error inside the "
	    "window of kill w1: CORRUPT (11)" },
	{ "ioerr inside the pause", SQLITE_IOERR, 0, -1000 * MS, 1,
	    VERDICT_FAILURE, CLASSIFY_CAUSE_NONE, "severe error inside the "
	    "window of pause w2: IOERR" },
	{ "busy inside a pause that lasts", SQLITE_BUSY, 0, -100 * MS, 1,
	    VERDICT_EXPECTED, CLASSIFY_CAUSE_NEMESIS, "(pause w2): BUSY" },
	{ "busy long after the pause ended", SQLITE_BUSY, 0, -100 * MS, 0,
	    VERDICT_FAILURE, CLASSIFY_CAUSE_NONE, "error before the deadline" },
	{ "busy late, inside a window: shutdown", SQLITE_BUSY, 1, -100 * MS,
	    1, VERDICT_EXPECTED, CLASSIFY_CAUSE_SHUTDOWN, "late error during "
	    "shutdown" },
	{ "busy late, no window", SQLITE_BUSY, 0, 5 * MS, 0,
	    VERDICT_EXPECTED, CLASSIFY_CAUSE_SHUTDOWN, "late error during "
	    "shutdown" },
	{ "corrupt late", SQLITE_CORRUPT, 1, 5 * MS, 1, VERDICT_FAILURE,
	    CLASSIFY_CAUSE_NONE, "severe error after the deadline" },
};

START_TEST(test_classify_nemesis_table)
{
	const struct nemesis_case *c = &nemesis_cases[_i];
	struct classify_window win[2];
	char reason[CLASSIFY_REASON_MAX];
	struct wire_error e;
	enum classify_cause cause = CLASSIFY_CAUSE_POLICY;
	enum verdict v;

	memset(win, 0, sizeof win);
	win[0].start_ns = DEADLINE - 5000 * MS;
	win[0].end_ns = DEADLINE - 4900 * MS;
	snprintf(win[0].what, sizeof win[0].what, "kill w1");
	win[1].start_ns = DEADLINE - 3000 * MS;
	win[1].end_ns = c->ongoing ? 0 : DEADLINE - 2000 * MS;
	snprintf(win[1].what, sizeof win[1].what, "pause w2");
	make_error(&e, c->code, 0, c->shutdown_seen, DEADLINE + c->t_end,
	    "boom");
	v = classify_error_window(&e, DEADLINE, DEADLINE, LATE_STRICT,
	    &scenario_codes, win, 2, NEM_SLACK, &cause, reason, sizeof reason);
	ck_assert_msg(v == c->want, "%s: got %s (%s)", c->name,
	    classify_verdict_name(v), reason);
	ck_assert_msg(cause == c->want_cause, "%s: cause %d, want %d",
	    c->name, (int)cause, (int)c->want_cause);
	ck_assert_msg(strstr(reason, c->want_reason) != NULL,
	    "%s: reason \"%s\" lacks \"%s\"", c->name, reason,
	    c->want_reason);
}
END_TEST

/* ------------------------------------------------------------ injected */

/*
 * The injected rule (doc/design.md, "Storage faults"): the transaction
 * saw an I/O fault sqlstorm injected.  Same code: expected (injected),
 * late or not, window or not.  Another code: the other rules, and a
 * failure then names the fault.  Swallowed: always a failure.
 */
struct injected_case {
	const char         *name;
	int                 code;
	int                 inj;            /* WIRE_INJ_* */
	int                 inj_code;
	int                 shutdown_seen;
	int64_t             t_end;          /* relative to the deadline */
	int                 in_window;      /* a kill window covers t_end */
	enum verdict        want;
	enum classify_cause want_cause;
	const char         *want_reason;
};

static const struct injected_case injected_cases[] = {
	{ "injected ioerr, same code", SQLITE_IOERR, WIRE_INJ_FIRED,
	    SQLITE_IOERR, 0, -2000 * MS, 0, VERDICT_EXPECTED,
	    CLASSIFY_CAUSE_INJECTED, "injected fault (--nemesis item 3): "
	    "IOERR (10" },
	{ "injected full, same code", SQLITE_FULL, WIRE_INJ_FIRED,
	    SQLITE_FULL, 0, -2000 * MS, 0, VERDICT_EXPECTED,
	    CLASSIFY_CAUSE_INJECTED, "injected fault" },
	{ "injected cantopen, same code", SQLITE_CANTOPEN, WIRE_INJ_FIRED,
	    SQLITE_CANTOPEN, 0, -2000 * MS, 0, VERDICT_EXPECTED,
	    CLASSIFY_CAUSE_INJECTED, "injected fault" },
	{ "injected ioerr, same code, late", SQLITE_IOERR, WIRE_INJ_FIRED,
	    SQLITE_IOERR, 1, 5 * MS, 0, VERDICT_EXPECTED,
	    CLASSIFY_CAUSE_INJECTED, "injected fault" },
	{ "injected ioerr surfaced as corrupt", SQLITE_CORRUPT,
	    WIRE_INJ_FIRED, SQLITE_IOERR, 0, -2000 * MS, 0, VERDICT_FAILURE,
	    CLASSIFY_CAUSE_NONE, "injected IOERR surfaced as CORRUPT: error "
	    "before the deadline: CORRUPT (11)" },
	{ "injected ioerr surfaced as corrupt, late", SQLITE_CORRUPT,
	    WIRE_INJ_FIRED, SQLITE_IOERR, 1, 5 * MS, 0, VERDICT_FAILURE,
	    CLASSIFY_CAUSE_NONE, "injected IOERR surfaced as CORRUPT: severe "
	    "error after the deadline" },
	{ "injected full surfaced as busy", SQLITE_BUSY, WIRE_INJ_FIRED,
	    SQLITE_FULL, 0, -2000 * MS, 0, VERDICT_FAILURE,
	    CLASSIFY_CAUSE_NONE, "injected FULL surfaced as BUSY" },
	{ "injected ioerr, then a late interrupt", SQLITE_INTERRUPT,
	    WIRE_INJ_FIRED, SQLITE_IOERR, 1, 5 * MS, 0, VERDICT_EXPECTED,
	    CLASSIFY_CAUSE_SHUTDOWN, "late error during shutdown" },
	{ "injected ioerr, busy in a kill window", SQLITE_BUSY,
	    WIRE_INJ_FIRED, SQLITE_IOERR, 0, -2000 * MS, 1, VERDICT_EXPECTED,
	    CLASSIFY_CAUSE_NEMESIS, "nemesis window" },
	{ "swallowed", SQLITE_OK, WIRE_INJ_FIRED | WIRE_INJ_SWALLOWED,
	    SQLITE_IOERR, 0, -2000 * MS, 0, VERDICT_FAILURE,
	    CLASSIFY_CAUSE_NONE, "swallowed an injected fault: injected IOERR "
	    "(--nemesis item 3), yet it was committed" },
	{ "swallowed, late", SQLITE_OK, WIRE_INJ_FIRED | WIRE_INJ_SWALLOWED,
	    SQLITE_FULL, 1, 5 * MS, 0, VERDICT_FAILURE, CLASSIFY_CAUSE_NONE,
	    "swallowed an injected fault: injected FULL" },
	{ "swallowed, same code as the error", SQLITE_IOERR,
	    WIRE_INJ_FIRED | WIRE_INJ_SWALLOWED, SQLITE_IOERR, 0, -2000 * MS,
	    0, VERDICT_FAILURE, CLASSIFY_CAUSE_NONE, "swallowed" },
	{ "not injected: the plain rule", SQLITE_IOERR, 0, 0, 0, -2000 * MS,
	    0, VERDICT_FAILURE, CLASSIFY_CAUSE_NONE, "error before the "
	    "deadline: IOERR" },
};

START_TEST(test_classify_injected_table)
{
	const struct injected_case *c = &injected_cases[_i];
	struct classify_window win;
	char reason[CLASSIFY_REASON_MAX];
	struct wire_error e;
	enum classify_cause cause = CLASSIFY_CAUSE_POLICY;
	enum verdict v;

	memset(&win, 0, sizeof win);
	win.start_ns = DEADLINE - 2100 * MS;
	win.end_ns = DEADLINE - 2050 * MS;
	snprintf(win.what, sizeof win.what, "kill w1");
	make_error(&e, c->code, 0, c->shutdown_seen, DEADLINE + c->t_end,
	    "boom");
	e.injected = (uint8_t)c->inj;
	e.inj_code = c->inj_code;
	e.inj_item = c->inj != 0 ? 3 : 0;
	v = classify_error_window(&e, DEADLINE, DEADLINE, LATE_STRICT,
	    &scenario_codes, &win, c->in_window ? 1 : 0, NEM_SLACK, &cause,
	    reason, sizeof reason);
	ck_assert_msg(v == c->want, "%s: got %s (%s)", c->name,
	    classify_verdict_name(v), reason);
	ck_assert_msg(cause == c->want_cause, "%s: cause %d, want %d (%s)",
	    c->name, (int)cause, (int)c->want_cause, reason);
	ck_assert_msg(strstr(reason, c->want_reason) != NULL,
	    "%s: reason \"%s\" lacks \"%s\"", c->name, reason,
	    c->want_reason);
}
END_TEST

/* A firing is no verdict of its own; absorbed ones pass and say so. */
START_TEST(test_classify_iofire_absorbed_passes)
{
	char reason[CLASSIFY_REASON_MAX];

	ck_assert_int_eq(classify_iofire(SQLITE_IOERR, 1, &scenario_codes,
	    reason, sizeof reason), VERDICT_PASS);
	ck_assert_ptr_nonnull(strstr(reason, "injected IOERR fired inside "
	    "the WAL autocheckpoint"));
	ck_assert_ptr_nonnull(strstr(reason, "absorbed"));
	ck_assert_int_eq(classify_iofire(SQLITE_FULL, 0, &scenario_codes,
	    reason, sizeof reason), VERDICT_PASS);
	ck_assert_str_eq(reason, "injected FULL fired");
	ck_assert_str_eq(classify_cause_name(CLASSIFY_CAUSE_INJECTED),
	    "injected");
}
END_TEST

/* Without windows the rule is exactly classify_error()'s. */
START_TEST(test_classify_nemesis_no_window_is_plain)
{
	char r1[CLASSIFY_REASON_MAX], r2[CLASSIFY_REASON_MAX];
	enum classify_cause cause;
	struct wire_error e;
	size_t i;

	for (i = 0; i < sizeof err_cases / sizeof err_cases[0]; i++) {
		const struct err_case *c = &err_cases[i];

		make_error(&e, c->code, c->extended, c->shutdown_seen,
		    DEADLINE + c->t_end, "boom");
		ck_assert_int_eq(classify_error(&e, DEADLINE, DEADLINE,
		    c->policy, &scenario_codes, r1, sizeof r1),
		    classify_error_window(&e, DEADLINE, DEADLINE, c->policy,
		    &scenario_codes, NULL, 0, NEM_SLACK, &cause, r2,
		    sizeof r2));
		ck_assert_str_eq(r1, r2);
		ck_assert(cause != CLASSIFY_CAUSE_NEMESIS);
	}
	ck_assert_str_eq(classify_cause_name(CLASSIFY_CAUSE_NEMESIS),
	    "nemesis");
	ck_assert_str_eq(classify_cause_name(CLASSIFY_CAUSE_SHUTDOWN),
	    "shutdown");
	ck_assert_ptr_null(classify_cause_name(CLASSIFY_CAUSE_NONE));
}
END_TEST

/*
 * A child the nemesis SIGKILLed and did not start again passes; the same
 * SIGKILL without the nemesis mark, or another end with it, does not.
 */
START_TEST(test_classify_fate_nemesis_kill)
{
	char reason[CLASSIFY_REASON_MAX];
	struct classify_fate f;

	memset(&f, 0, sizeof f);
	f.reaped = 1;
	f.status = status_of(END_KILL);
	f.sent_signal = SIGKILL;
	f.shutdown_ns = DEADLINE;
	f.t_gone = DEADLINE - 100 * MS;
	f.nemesis = 1;
	ck_assert_int_eq(classify_fate(&f, reason, sizeof reason),
	    VERDICT_PASS);
	f.external = 1;
	ck_assert_int_eq(classify_fate(&f, reason, sizeof reason),
	    VERDICT_PASS);
	f.external = 0;
	f.nemesis = 0;
	ck_assert_int_eq(classify_fate(&f, reason, sizeof reason),
	    VERDICT_FAILURE);
	f.nemesis = 1;
	f.status = status_of(END_SEGV);
	ck_assert_int_eq(classify_fate(&f, reason, sizeof reason),
	    VERDICT_FAILURE);
	ck_assert_ptr_nonnull(strstr(reason, "SIGSEGV"));
}
END_TEST

/* ------------------------------------------------------------ fate */

#define GONE_NONE INT64_MIN     /* t_gone = 0: neither EOF nor reap seen */
#define SHUTDOWN  (INT64_C(5) * 1000 * MS)

struct fate_case {
	const char  *name;
	enum end     how;
	int          reaped;
	int          sent_signal;
	int          hung;
	int          done_seen;
	int          done_shutdown;
	const char  *malformed;     /* NULL: not malformed */
	int64_t      t_gone;        /* relative to shutdown, or GONE_NONE */
	enum verdict want;
	const char  *want_reason;   /* exact, but see want_signo */
	int          want_signo;    /* append " (<number of the signal>)" */
};

static const struct fate_case fate_cases[] = {
	{ "clean", END_EXIT0, 1, 0, 0, 1, 1, NULL, 5 * MS, VERDICT_PASS,
	    "", 0 },
	{ "clean, gone unknown", END_EXIT0, 1, 0, 0, 1, 1, NULL, GONE_NONE,
	    VERDICT_PASS, "", 0 },
	{ "clean, gone at shutdown", END_EXIT0, 1, 0, 0, 1, 1, NULL, 0,
	    VERDICT_PASS, "", 0 },
	{ "exit 3", END_EXIT3, 1, 0, 0, 1, 1, NULL, 5 * MS,
	    VERDICT_FAILURE, "exited with code 3", 0 },
	{ "exit 3 before the deadline", END_EXIT3, 1, 0, 0, 0, 0, NULL,
	    -5 * MS, VERDICT_FAILURE, "exited with code 3", 0 },
	{ "crash after the deadline", END_SEGV, 1, 0, 0, 1, 1, NULL, 5 * MS,
	    VERDICT_FAILURE, "crashed: killed by signal SIGSEGV", 1 },
	{ "crash before the deadline", END_SEGV, 1, 0, 0, 0, 0, NULL,
	    -100 * MS, VERDICT_FAILURE, "crashed: killed by signal SIGSEGV",
	    1 },
	{ "crash while being terminated", END_SEGV, 1, SIGTERM, 0, 1, 1, NULL,
	    5 * MS, VERDICT_FAILURE, "crashed: killed by signal SIGSEGV",
	    1 },
	{ "sigterm nobody sent", END_TERM, 1, 0, 0, 0, 0, NULL, 5 * MS,
	    VERDICT_FAILURE, "crashed: killed by signal SIGTERM", 1 },
	{ "sigterm sent, not hung", END_TERM, 1, SIGTERM, 0, 1, 1, NULL,
	    5 * MS, VERDICT_FAILURE, "killed by the supervisor with SIGTERM",
	    0 },
	{ "hung, sigterm", END_TERM, 1, SIGTERM, 1, 0, 0, NULL, 5 * MS,
	    VERDICT_FAILURE, "hung: still running at the deadline + grace; "
	    "killed with SIGTERM", 0 },
	{ "hung, sigkill", END_KILL, 1, SIGKILL, 1, 1, 1, NULL, 5 * MS,
	    VERDICT_FAILURE, "hung: still running at the deadline + grace; "
	    "killed with SIGKILL", 0 },
	{ "hung, never reaped", END_EXIT0, 0, SIGKILL, 1, 0, 0, NULL,
	    GONE_NONE, VERDICT_FAILURE, "hung: still running at the deadline "
	    "+ grace; killed with SIGKILL", 0 },
	{ "never reaped", END_EXIT0, 0, 0, 0, 1, 1, NULL, 5 * MS,
	    VERDICT_FAILURE, "never reaped", 0 },
	{ "early exit", END_EXIT0, 1, 0, 0, 1, 1, NULL, -123 * MS,
	    VERDICT_FAILURE, "exited before the deadline (at shutdown-123ms)",
	    0 },
	{ "early exit by 1ns", END_EXIT0, 1, 0, 0, 1, 1, NULL, -1,
	    VERDICT_FAILURE, "exited before the deadline (at shutdown-<1ms)",
	    0 },
	{ "eof without done", END_EXIT0, 1, 0, 0, 0, 0, NULL, 5 * MS,
	    VERDICT_FAILURE, "report pipe closed without DONE", 0 },
	{ "done before shutdown", END_EXIT0, 1, 0, 0, 1, 0, NULL, 5 * MS,
	    VERDICT_FAILURE, "finished before seeing shutdown", 0 },
	{ "malformed", END_EXIT0, 1, 0, 0, 1, 1, "unknown record type",
	    5 * MS, VERDICT_FAILURE, "protocol failure: unknown record type",
	    0 },
	{ "malformed beats crash and hang", END_SEGV, 1, SIGKILL, 1, 0, 0,
	    "bad version", -5 * MS, VERDICT_FAILURE,
	    "protocol failure: bad version", 0 },
	{ "malformed, no why", END_EXIT0, 1, 0, 0, 1, 1, "", 5 * MS,
	    VERDICT_FAILURE, "protocol failure: malformed record", 0 },
};

/* Interrupted during startup: released nobody (issue 10). */
static const struct fate_case cancelled_cases[] = {
	{ "cancelled, left without DONE", END_EXIT0, 1, 0, 0, 0, 0, NULL,
	    5 * MS, VERDICT_PASS, "", 0 },
	{ "cancelled, gone unknown", END_EXIT0, 1, 0, 0, 0, 0, NULL,
	    GONE_NONE, VERDICT_PASS, "", 0 },
	{ "cancelled, exit 3", END_EXIT3, 1, 0, 0, 0, 0, NULL, 5 * MS,
	    VERDICT_FAILURE, "exited with code 3", 0 },
	{ "cancelled, crash", END_SEGV, 1, 0, 0, 0, 0, NULL, 5 * MS,
	    VERDICT_FAILURE, "crashed: killed by signal SIGSEGV", 1 },
	{ "cancelled, gone before", END_EXIT0, 1, 0, 0, 0, 0, NULL, -5 * MS,
	    VERDICT_FAILURE, "exited before the deadline (at shutdown-5ms)",
	    0 },
	{ "cancelled, hung", END_KILL, 1, SIGKILL, 1, 0, 0, NULL, 5 * MS,
	    VERDICT_FAILURE, "hung: still running at the deadline + grace; "
	    "killed with SIGKILL", 0 },
};

static void
check_fate_case(const struct fate_case *c, int cancelled)
{
	char reason[CLASSIFY_REASON_MAX], want[CLASSIFY_REASON_MAX];
	struct classify_fate f;
	enum verdict v;
	int sig = c->how == END_SEGV ? SIGSEGV : SIGTERM;

	memset(&f, 0, sizeof f);
	f.reaped = c->reaped;
	if (c->reaped)
		f.status = status_of(c->how);
	f.sent_signal = c->sent_signal;
	f.hung = c->hung;
	f.done_seen = c->done_seen;
	f.done_shutdown = c->done_shutdown;
	if (c->malformed != NULL) {
		f.malformed = 1;
		snprintf(f.malformed_why, sizeof f.malformed_why, "%s",
		    c->malformed);
	}
	f.shutdown_ns = SHUTDOWN;
	f.cancelled = cancelled;
	f.t_gone = c->t_gone == GONE_NONE ? 0 : SHUTDOWN + c->t_gone;
	if (c->want_signo)
		snprintf(want, sizeof want, "%s (%d)", c->want_reason, sig);
	else
		snprintf(want, sizeof want, "%s", c->want_reason);
	memset(reason, 'x', sizeof reason);
	v = classify_fate(&f, reason, sizeof reason);
	ck_assert_msg(v == c->want, "%s: got %s (%s)", c->name,
	    classify_verdict_name(v), reason);
	ck_assert_msg(strcmp(reason, want) == 0, "%s: reason \"%s\", want "
	    "\"%s\"", c->name, reason, want);
}

START_TEST(test_classify_fate_table)
{
	check_fate_case(&fate_cases[_i], 0);
}
END_TEST

START_TEST(test_classify_fate_cancelled_table)
{
	check_fate_case(&cancelled_cases[_i], 1);
}
END_TEST

/*
 * A second interrupt kills at once: a child whose grace was not up is not
 * "hung at the deadline + grace", and a sidecar SIGKILLed right after its
 * SIGTERM did not "ignore SIGTERM for the grace".
 */
START_TEST(test_classify_fate_second_interrupt)
{
	char reason[CLASSIFY_REASON_MAX];
	struct classify_fate f;
	enum verdict v;

	memset(&f, 0, sizeof f);
	f.reaped = 1;
	f.status = status_of(END_KILL);
	f.sent_signal = SIGKILL;
	f.cut_short = 1;
	f.shutdown_ns = SHUTDOWN;
	f.t_gone = SHUTDOWN + 5 * MS;
	v = classify_fate(&f, reason, sizeof reason);
	ck_assert_int_eq(v, VERDICT_FAILURE);
	ck_assert_str_eq(reason, "still running at a second interrupt; "
	    "killed with SIGKILL");
	f.external = 1;
	v = classify_fate(&f, reason, sizeof reason);
	ck_assert_msg(v == VERDICT_PASS, "sidecar: %s", reason);
}
END_TEST

START_TEST(test_classify_fate_statuses_are_real)
{
	int st;

	/* Guard the helper itself: each child ended the way it was asked. */
	st = status_of(END_EXIT3);
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 3);
	st = status_of(END_SEGV);
	ck_assert(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV);
	st = status_of(END_TERM);
	ck_assert(WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM);
	st = status_of(END_KILL);
	ck_assert(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
}
END_TEST

/* ------------------------------------------------------------ codes */

START_TEST(test_classify_code_benign)
{
	int code;

	for (code = 0; code < 256; code++) {
		int want = code == SQLITE_BUSY || code == SQLITE_LOCKED ||
		    code == SQLITE_INTERRUPT || code == SQLITE_ABORT;

		ck_assert_msg(scenario_code_benign(code) == want, "code %d",
		    code);
	}
	ck_assert_int_eq(scenario_code_benign(SQLITE_BUSY_SNAPSHOT), 1);
	ck_assert_int_eq(scenario_code_benign(SQLITE_BUSY_RECOVERY), 1);
	ck_assert_int_eq(scenario_code_benign(SQLITE_LOCKED_SHAREDCACHE), 1);
	ck_assert_int_eq(scenario_code_benign(SQLITE_ABORT_ROLLBACK), 1);
	ck_assert_int_eq(scenario_code_benign(SQLITE_IOERR_SHORT_READ), 0);
	ck_assert_int_eq(scenario_code_benign(SQLITE_CORRUPT_VTAB), 0);
	ck_assert_int_eq(scenario_code_benign(SQLITE_CANTOPEN_NOTEMPDIR), 0);
}
END_TEST

START_TEST(test_classify_code_names)
{
	int code, named = 0;

	ck_assert_str_eq(scenario_code_name(SQLITE_OK), "OK");
	ck_assert_str_eq(scenario_code_name(SQLITE_BUSY), "BUSY");
	ck_assert_str_eq(scenario_code_name(SQLITE_NOTADB), "NOTADB");
	ck_assert_str_eq(scenario_code_name(SQLITE_WARNING), "WARNING");
	ck_assert_str_eq(scenario_code_name(SQLITE_ROW), "ROW");
	ck_assert_str_eq(scenario_code_name(SQLITE_DONE), "DONE");
	ck_assert_ptr_null(scenario_code_name(29));
	ck_assert_ptr_null(scenario_code_name(-1));
	ck_assert_ptr_null(scenario_code_name(SQLITE_BUSY_SNAPSHOT));
	/* Every name maps back to its code. */
	for (code = 0; code < 256; code++) {
		const char *name = scenario_code_name(code);

		if (name == NULL)
			continue;
		named++;
		ck_assert_int_eq(scenario_code_from_name(name), code);
	}
	ck_assert_int_eq(named, 31);    /* OK..WARNING, ROW, DONE */
}
END_TEST

START_TEST(test_classify_code_from_name)
{
	static const struct { const char *s; int code; } cases[] = {
		{ "BUSY", SQLITE_BUSY }, { "busy", SQLITE_BUSY },
		{ "SQLITE_BUSY", SQLITE_BUSY }, { "sqlite_busy", SQLITE_BUSY },
		{ "Sqlite_Corrupt", SQLITE_CORRUPT }, { "row", SQLITE_ROW },
		{ "SQLITE_DONE", SQLITE_DONE }, { "ok", SQLITE_OK },
		{ "0", 0 }, { "5", 5 }, { "007", 7 }, { "255", 255 },
		{ "256", -1 }, { "99999999999", -1 }, { "-1", -1 },
		{ "5x", -1 }, { " 5", -1 }, { "", -1 }, { "SQLITE_", -1 },
		{ "BUSY_SNAPSHOT", -1 }, { "SQLITE_SQLITE_BUSY", -1 },
		{ "BUSYX", -1 }, { "sqlite-busy", -1 },
	};
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++)
		ck_assert_msg(scenario_code_from_name(cases[i].s) ==
		    cases[i].code, "\"%s\"", cases[i].s);
	ck_assert_int_eq(scenario_code_from_name(NULL), -1);
}
END_TEST

START_TEST(test_classify_verdict_names)
{
	ck_assert_str_eq(classify_verdict_name(VERDICT_PASS), "pass");
	ck_assert_str_eq(classify_verdict_name(VERDICT_EXPECTED), "expected");
	ck_assert_str_eq(classify_verdict_name(VERDICT_FAILURE), "failure");
}
END_TEST

/* ------------------------------------------------------------ power loss */

static const struct {
	const char *journal, *sync;
	enum classify_bound bound;
} bound_cases[] = {
	{ "wal", "full", CLASSIFY_BOUND_ALL },
	{ "wal", "extra", CLASSIFY_BOUND_ALL },
	{ "WAL", "FULL", CLASSIFY_BOUND_ALL },
	{ "delete", "extra", CLASSIFY_BOUND_ALL },
	{ "delete", "full", CLASSIFY_BOUND_DIRSYNC },
	{ "wal", "normal", CLASSIFY_BOUND_WALSYNC },
	{ "delete", "normal", CLASSIFY_BOUND_NONE },
	{ "wal", "off", CLASSIFY_BOUND_NONE },
	{ "delete", "off", CLASSIFY_BOUND_NONE },
	{ "truncate", "full", CLASSIFY_BOUND_NONE },
	{ "persist", "extra", CLASSIFY_BOUND_NONE },
	{ "memory", "full", CLASSIFY_BOUND_NONE },
	{ "off", "extra", CLASSIFY_BOUND_NONE },
	{ "wal", "bogus", CLASSIFY_BOUND_NONE },
	{ NULL, "full", CLASSIFY_BOUND_NONE },
};

START_TEST(test_classify_powerloss_bound_table)
{
	ck_assert_int_eq(classify_powerloss_bound(bound_cases[_i].journal,
	    bound_cases[_i].sync), bound_cases[_i].bound);
}
END_TEST

/* opened, integrity, gap-free, lost, lost_bound, beyond */
#define IMG(o, i, g, lo, lb, be) { o, i, g, lo, lb, be, 0 }
static const struct {
	enum classify_bound bound;
	struct classify_image im;
	enum verdict v;
	const char *says;       /* in the reason, or NULL: reason empty */
} image_cases[] = {
	/* A clean image passes under every bound. */
	{ CLASSIFY_BOUND_ALL, IMG(1, 1, 1, 0, 0, 0), VERDICT_PASS, NULL },
	{ CLASSIFY_BOUND_DIRSYNC, IMG(1, 1, 1, 0, 0, 0), VERDICT_PASS, NULL },
	{ CLASSIFY_BOUND_WALSYNC, IMG(1, 1, 1, 0, 0, 0), VERDICT_PASS, NULL },
	{ CLASSIFY_BOUND_NONE, IMG(1, 1, 1, 0, 0, 0), VERDICT_PASS, NULL },
	/* Every acknowledged row: one lost fails. */
	{ CLASSIFY_BOUND_ALL, IMG(1, 1, 1, 1, 1, 0), VERDICT_FAILURE,
	  "1 row acknowledged before the every-ack bound lost" },
	/* Lost after the bound: allowed, and said. */
	{ CLASSIFY_BOUND_DIRSYNC, IMG(1, 1, 1, 3, 0, 0), VERDICT_PASS,
	  "3 rows acknowledged after the dir-sync bound lost (allowed)" },
	{ CLASSIFY_BOUND_WALSYNC, IMG(1, 1, 1, 5, 0, 0), VERDICT_PASS,
	  "after the wal-sync bound" },
	/* ... before it: fails. */
	{ CLASSIFY_BOUND_DIRSYNC, IMG(1, 1, 1, 3, 1, 0), VERDICT_FAILURE,
	  "1 row acknowledged before the dir-sync bound lost" },
	{ CLASSIFY_BOUND_WALSYNC, IMG(1, 1, 1, 5, 2, 0), VERDICT_FAILURE,
	  "2 rows acknowledged before the wal-sync bound" },
	/* Broken images fail wherever something is promised. */
	{ CLASSIFY_BOUND_ALL, IMG(0, 0, 0, 0, 0, 0), VERDICT_FAILURE,
	  "could not open" },
	{ CLASSIFY_BOUND_WALSYNC, IMG(1, 0, 1, 0, 0, 0), VERDICT_FAILURE,
	  "integrity check failed" },
	{ CLASSIFY_BOUND_DIRSYNC, IMG(1, 1, 0, 0, 0, 0), VERDICT_FAILURE,
	  "not gap-free" },
	/* ... and are only shown where nothing is. */
	{ CLASSIFY_BOUND_NONE, IMG(0, 0, 0, 0, 0, 0), VERDICT_PASS,
	  "could not open it (no guarantee in this mode)" },
	{ CLASSIFY_BOUND_NONE, IMG(1, 0, 0, 7, 7, 0), VERDICT_PASS,
	  "integrity check failed, rows not gap-free, 7 acknowledged rows "
	  "lost (no guarantee" },
	/* Rows from nowhere fail under every bound. */
	{ CLASSIFY_BOUND_NONE, IMG(1, 1, 1, 0, 0, 1), VERDICT_FAILURE,
	  "1 row past the highest seq attempted" },
	{ CLASSIFY_BOUND_ALL, IMG(1, 1, 1, 0, 0, 4), VERDICT_FAILURE,
	  "rows from nowhere" },
	/* ... but a corrupt image's counts are not believed. */
	{ CLASSIFY_BOUND_NONE, IMG(1, 0, 1, 0, 0, 2), VERDICT_PASS,
	  "integrity check failed (no guarantee" },
	{ CLASSIFY_BOUND_ALL, IMG(1, 0, 1, 0, 0, 2), VERDICT_FAILURE,
	  "integrity check failed" },
	/* A check that crashed or hung fails under every bound. */
	{ CLASSIFY_BOUND_NONE, { 0, 0, 0, 0, 0, 0, 11 }, VERDICT_FAILURE,
	  "checking it crashed or hung" },
	{ CLASSIFY_BOUND_ALL, { 1, 1, 1, 0, 0, 0, -1 }, VERDICT_FAILURE,
	  "a bug in SQLite or sqlstorm" },
};
#undef IMG

START_TEST(test_classify_image_table)
{
	char reason[CLASSIFY_REASON_MAX];
	enum verdict v;

	v = classify_image(image_cases[_i].bound, &image_cases[_i].im, reason,
	    sizeof reason);
	ck_assert_msg(v == image_cases[_i].v, "case %d: %s", _i, reason);
	if (image_cases[_i].says == NULL)
		ck_assert_str_eq(reason, "");
	else
		ck_assert_msg(strstr(reason, image_cases[_i].says) != NULL,
		    "case %d: '%s'", _i, reason);
}
END_TEST

START_TEST(test_classify_fate_powerloss_kill)
{
	char reason[CLASSIFY_REASON_MAX];
	struct classify_fate f;

	memset(&f, 0, sizeof f);
	f.reaped = 1;
	f.status = status_of(END_KILL);
	f.sent_signal = SIGKILL;
	f.shutdown_ns = DEADLINE - 2000 * MS;
	f.t_gone = DEADLINE - 2000 * MS;
	f.powerloss = 1;
	ck_assert_int_eq(classify_fate(&f, reason, sizeof reason),
	    VERDICT_PASS);
	/* Without the flag, the same end is a failure (no DONE). */
	f.powerloss = 0;
	ck_assert_int_eq(classify_fate(&f, reason, sizeof reason),
	    VERDICT_FAILURE);
	/* A crash of its own is no cut. */
	f.powerloss = 1;
	f.status = status_of(END_SEGV);
	ck_assert_int_eq(classify_fate(&f, reason, sizeof reason),
	    VERDICT_FAILURE);
}
END_TEST

Suite *classify_suite(void);

Suite *
classify_suite(void)
{
	Suite *s = suite_create("classify");
	TCase *tc;

	tc = tcase_create("error");
	tcase_add_loop_test(tc, test_classify_error_table, 0,
	    (int)(sizeof err_cases / sizeof err_cases[0]));
	tcase_add_loop_test(tc, test_classify_error_shutdown_table, 0,
	    (int)(sizeof shutdown_cases / sizeof shutdown_cases[0]));
	tcase_add_test(tc, test_classify_late_boundary);
	tcase_add_test(tc, test_classify_error_judged_when_it_happened);
	tcase_add_test(tc, test_classify_error_reason_details);
	suite_add_tcase(s, tc);

	tc = tcase_create("nemesis");
	tcase_add_loop_test(tc, test_classify_nemesis_table, 0,
	    (int)(sizeof nemesis_cases / sizeof nemesis_cases[0]));
	tcase_add_test(tc, test_classify_nemesis_no_window_is_plain);
	tcase_add_loop_test(tc, test_classify_injected_table, 0,
	    (int)(sizeof injected_cases / sizeof injected_cases[0]));
	tcase_add_test(tc, test_classify_iofire_absorbed_passes);
	tcase_add_test(tc, test_classify_fate_nemesis_kill);
	tcase_set_timeout(tc, 30);
	suite_add_tcase(s, tc);

	tc = tcase_create("fate");
	tcase_add_loop_test(tc, test_classify_fate_table, 0,
	    (int)(sizeof fate_cases / sizeof fate_cases[0]));
	tcase_add_loop_test(tc, test_classify_fate_cancelled_table, 0,
	    (int)(sizeof cancelled_cases / sizeof cancelled_cases[0]));
	tcase_add_test(tc, test_classify_fate_statuses_are_real);
	tcase_add_test(tc, test_classify_fate_second_interrupt);
	/* Forks children: allow for a loaded machine. */
	tcase_set_timeout(tc, 30);
	suite_add_tcase(s, tc);

	tc = tcase_create("powerloss");
	tcase_add_loop_test(tc, test_classify_powerloss_bound_table, 0,
	    (int)(sizeof bound_cases / sizeof bound_cases[0]));
	tcase_add_loop_test(tc, test_classify_image_table, 0,
	    (int)(sizeof image_cases / sizeof image_cases[0]));
	tcase_add_test(tc, test_classify_fate_powerloss_kill);
	tcase_set_timeout(tc, 30);
	suite_add_tcase(s, tc);

	tc = tcase_create("codes");
	tcase_add_test(tc, test_classify_code_benign);
	tcase_add_test(tc, test_classify_code_names);
	tcase_add_test(tc, test_classify_code_from_name);
	tcase_add_test(tc, test_classify_verdict_names);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(classify_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
