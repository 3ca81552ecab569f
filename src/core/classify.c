/* SPDX-License-Identifier: MIT */
/*
 * classify: the verdicts of doc/design.md ("Classification") as pure
 * functions.  An ERROR record is judged only by what it carries and by the
 * moment the parent signalled shutdown: it is late if the child had seen
 * shutdown or it ended at or after that moment (never by the nominal
 * deadline: a parent that was late to close the pipe must not turn real
 * errors into expected ones), and a late error is expected only if the
 * scenario's struct classify_policy says its code is one shutdown makes
 * normal (for SQLite: BUSY, LOCKED, INTERRUPT, ABORT; scenario-policy.c).
 * A shutdown-typical error that is not late is still expected (cause
 * nemesis) when it ended inside a window of a disruption --nemesis made,
 * up to the window's end plus a slack (the busy timeout); severe codes
 * fail inside a window as anywhere.
 * It includes no database header and names no database code.  A child's end is judged from
 * its wait status and what the supervisor saw, in a fixed order so that the
 * most telling cause is the one reported.  This module deliberately reads
 * no clock and does no I/O: there is no "time the parent read it" anywhere
 * in the API, so that time can never leak into a verdict.
 */
#include "autoconf.h"
#include "classify.h"

#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>

#include "util.h"
#include "wire.h"

/* Signals by name; strsignal() gives prose ("Segmentation fault"). */
static const struct {
	int         sig;
	const char *name;
} signal_names[] = {
	{ SIGHUP, "SIGHUP" }, { SIGINT, "SIGINT" }, { SIGQUIT, "SIGQUIT" },
	{ SIGILL, "SIGILL" }, { SIGABRT, "SIGABRT" }, { SIGFPE, "SIGFPE" },
	{ SIGKILL, "SIGKILL" }, { SIGSEGV, "SIGSEGV" }, { SIGPIPE, "SIGPIPE" },
	{ SIGALRM, "SIGALRM" }, { SIGTERM, "SIGTERM" }, { SIGUSR1, "SIGUSR1" },
	{ SIGUSR2, "SIGUSR2" }, { SIGCHLD, "SIGCHLD" }, { SIGCONT, "SIGCONT" },
	{ SIGSTOP, "SIGSTOP" }, { SIGTSTP, "SIGTSTP" }, { SIGTTIN, "SIGTTIN" },
	{ SIGTTOU, "SIGTTOU" }, { SIGBUS, "SIGBUS" }, { SIGURG, "SIGURG" },
#ifdef SIGTRAP
	{ SIGTRAP, "SIGTRAP" },
#endif
#ifdef SIGSYS
	{ SIGSYS, "SIGSYS" },
#endif
#ifdef SIGXCPU
	{ SIGXCPU, "SIGXCPU" },
#endif
#ifdef SIGXFSZ
	{ SIGXFSZ, "SIGXFSZ" },
#endif
#ifdef SIGVTALRM
	{ SIGVTALRM, "SIGVTALRM" },
#endif
#ifdef SIGPROF
	{ SIGPROF, "SIGPROF" },
#endif
};

/* Appends to a reason line; output past cap is silently cut. */
struct line {
	char   *buf;
	size_t  cap;
	size_t  len;
};

static void
line_init(struct line *l, char *buf, size_t cap)
{
	l->buf = cap > 0 ? buf : NULL;
	l->cap = l->buf != NULL ? cap : 0;
	l->len = 0;
	if (l->buf != NULL)
		l->buf[0] = '\0';
}

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static void
line_add(struct line *l, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (l->buf == NULL || l->len + 1 >= l->cap)
		return;
	va_start(ap, fmt);
	n = vsnprintf(l->buf + l->len, l->cap - l->len, fmt, ap);
	va_end(ap);
	if (n < 0)
		l->buf[l->len] = '\0';
	else if ((size_t)n >= l->cap - l->len)
		l->len = l->cap - 1;
	else
		l->len += (size_t)n;
}

/*
 * Append "<ref>-50ms" for t relative to ref.  Whole milliseconds are cut
 * toward zero, and a sub-millisecond difference says "<1ms" so that an
 * error 1 ns before the deadline never reads as "deadline-0ms".
 */
static void
line_add_delta(struct line *l, const char *ref, int64_t t, int64_t ref_ns)
{
	int before = t < ref_ns;
	uint64_t d = before ? (uint64_t)ref_ns - (uint64_t)t :
	    (uint64_t)t - (uint64_t)ref_ns;

	/* Unsigned arithmetic: the difference of two int64 never overflows. */
	if (d == 0)
		line_add(l, "%s+0ms", ref);
	else if (d < 1000000)
		line_add(l, "%s%c<1ms", ref, before ? '-' : '+');
	else
		line_add(l, "%s%c%llums", ref, before ? '-' : '+',
		    (unsigned long long)(d / 1000000));
}

/* Append a message on one line: control bytes become '?'. */
static void
line_add_text(struct line *l, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n && l->buf != NULL && l->len + 1 < l->cap; i++) {
		unsigned char c = (unsigned char)s[i];

		l->buf[l->len++] = c < 0x20 || c == 0x7f ? '?' : (char)c;
	}
	if (l->buf != NULL)
		l->buf[l->len] = '\0';
}

const char *
classify_signal_name(int sig)
{
	size_t i;

	for (i = 0; i < sizeof signal_names / sizeof signal_names[0]; i++)
		if (signal_names[i].sig == sig)
			return signal_names[i].name;
	return NULL;
}

static void
line_add_signal(struct line *l, int sig)
{
	const char *name = classify_signal_name(sig);

	if (name != NULL)
		line_add(l, "%s", name);
	else
		line_add(l, "signal %d", sig);
}

const char *
classify_policy_name(const struct classify_policy *policy, int code)
{
	if (policy == NULL || policy->code_name == NULL)
		return NULL;
	return policy->code_name(code);
}

int
classify_policy_benign(const struct classify_policy *policy, int code)
{
	if (policy == NULL || policy->benign == NULL)
		return 0;
	return policy->benign(code) != 0;
}

int
classify_is_late(const struct wire_error *e, int64_t shutdown_ns)
{
	if (e->shutdown_seen != 0)
		return 1;
	/* Not signalled yet: whatever the clock says, it is not late. */
	return shutdown_ns != 0 && e->t_end >= shutdown_ns;
}

/* "BUSY (5) in COMMIT at deadline-50ms, shutdown not seen: <message>" */
static void
describe_error(struct line *l, const struct wire_error *e,
    int64_t deadline_ns, const struct classify_policy *codes)
{
	const char *name = classify_policy_name(codes, e->code);

	if (name != NULL)
		line_add(l, "%s (%d", name, (int)e->code);
	else
		line_add(l, "unknown code (%d", (int)e->code);
	if (e->extended != 0 && e->extended != e->code)
		line_add(l, ", extended %d", (int)e->extended);
	line_add(l, ") in %s ", wire_op_name(e->op));
	/* No deadline yet: the children were never released. */
	if (deadline_ns == 0)
		line_add(l, "before the start");
	else {
		line_add(l, "at ");
		line_add_delta(l, "deadline", e->t_end, deadline_ns);
	}
	line_add(l, ", shutdown %s", e->shutdown_seen ? "seen" : "not seen");
	if (e->sys_errno != 0)
		line_add(l, ", errno %d", (int)e->sys_errno);
	line_add(l, ": ");
	/* strnlen: a hand-built record may have forgotten msg_len. */
	line_add_text(l, e->message, strnlen(e->message, WIRE_MSG_MAX));
}

long
classify_in_window(const struct classify_window *win, size_t n, int64_t t,
    int64_t slack_ns)
{
	size_t i;

	for (i = 0; win != NULL && i < n; i++) {
		if (t < win[i].start_ns)
			continue;
		if (win[i].end_ns == 0 || t <= win[i].end_ns + slack_ns)
			return (long)i;
	}
	return -1;
}

const char *
classify_cause_name(enum classify_cause c)
{
	switch (c) {
	case CLASSIFY_CAUSE_SHUTDOWN:
		return "shutdown";
	case CLASSIFY_CAUSE_NEMESIS:
		return "nemesis";
	case CLASSIFY_CAUSE_POLICY:
		return "policy";
	case CLASSIFY_CAUSE_INJECTED:
		return "injected";
	default:
		return NULL;
	}
}

/* The verdict of an error that is not late: the nemesis may explain it. */
static enum verdict
classify_early(const struct wire_error *e, int64_t deadline_ns,
    const struct classify_policy *codes, const struct classify_window *win,
    size_t nwin, int64_t slack_ns, enum classify_cause *cause, struct line *l)
{
	long k = classify_in_window(win, nwin, e->t_end, slack_ns);
	int benign = classify_policy_benign(codes, e->code);

	if (k >= 0 && benign) {
		*cause = CLASSIFY_CAUSE_NEMESIS;
		line_add(l, "nemesis window (%s): ", win[k].what);
		return VERDICT_EXPECTED;
	}
	if (k >= 0)
		line_add(l, "severe error inside the window of %s: ",
		    win[k].what);
	else if (deadline_ns == 0 || e->t_end < deadline_ns)
		line_add(l, "error before the deadline: ");
	else
		line_add(l, "error after the deadline but before "
		    "shutdown was signalled: ");
	return VERDICT_FAILURE;
}

/* Put pre in front of what reason holds (cut to fit cap). */
static void
classify_prefix(char *reason, size_t cap, const char *pre)
{
	char tail[CLASSIFY_REASON_MAX];

	snprintf(tail, sizeof tail, "%s", reason);
	snprintf(reason, cap, "%s%s", pre, tail);
}

/* The injected code's name ("IOERR") or its number, into l. */
static void
line_add_code(struct line *l, const struct classify_policy *codes, int code)
{
	const char *name = classify_policy_name(codes, code);

	if (name != NULL)
		line_add(l, "%s", name);
	else
		line_add(l, "code %d", code);
}

/*
 * The injected rule: 1 if it decided (*v set), 0 to let the other rules
 * judge (another code than the injected one; *prefix says so then).
 */
static int
classify_injected(const struct wire_error *e,
    const struct classify_policy *codes, enum verdict *v,
    enum classify_cause *why, struct line *l, struct line *prefix)
{
	if ((e->injected & WIRE_INJ_FIRED) == 0)
		return 0;
	if (e->injected & WIRE_INJ_SWALLOWED) {
		*v = VERDICT_FAILURE;
		line_add(l, "swallowed an injected fault: injected ");
		line_add_code(l, codes, e->inj_code);
		line_add(l, " (--nemesis item %u), yet it was committed: ",
		    (unsigned)e->inj_item);
		return 1;
	}
	if (e->code == e->inj_code) {
		*v = VERDICT_EXPECTED;
		*why = CLASSIFY_CAUSE_INJECTED;
		line_add(l, "injected fault (--nemesis item %u): ",
		    (unsigned)e->inj_item);
		return 1;
	}
	line_add(prefix, "injected ");
	line_add_code(prefix, codes, e->inj_code);
	line_add(prefix, " surfaced as ");
	line_add_code(prefix, codes, e->code);
	line_add(prefix, ": ");
	return 0;
}

enum verdict
classify_iofire(int code, int absorbed, const struct classify_policy *codes,
    char *reason, size_t cap)
{
	struct line l;

	line_init(&l, reason, cap);
	line_add(&l, "injected ");
	line_add_code(&l, codes, code);
	line_add(&l, absorbed ? " fired inside the WAL autocheckpoint, whose "
	    "errors SQLite ignores: absorbed" : " fired");
	return VERDICT_PASS;
}

enum verdict
classify_error_window(const struct wire_error *e, int64_t deadline_ns,
    int64_t shutdown_ns, enum late_policy policy,
    const struct classify_policy *codes, const struct classify_window *win,
    size_t nwin, int64_t slack_ns, enum classify_cause *cause, char *reason,
    size_t cap)
{
	enum classify_cause why = CLASSIFY_CAUSE_NONE;
	char pre[CLASSIFY_REASON_MAX] = "";
	struct line l, p;
	enum verdict v;

	line_init(&l, reason, cap);
	line_init(&p, pre, sizeof pre);
	if (classify_injected(e, codes, &v, &why, &l, &p))
		;
	else if (!classify_is_late(e, shutdown_ns))
		v = classify_early(e, deadline_ns, codes, win, nwin, slack_ns,
		    &why, &l);
	else if (classify_policy_benign(codes, e->code)) {
		v = VERDICT_EXPECTED;
		why = CLASSIFY_CAUSE_SHUTDOWN;
		line_add(&l, "late error during shutdown: ");
	} else if (policy == LATE_IGNORE) {
		v = VERDICT_EXPECTED;
		why = CLASSIFY_CAUSE_POLICY;
		line_add(&l, "severe error after the deadline, ignored by "
		    "policy: ");
	} else {
		v = VERDICT_FAILURE;
		line_add(&l, "severe error after the deadline: ");
	}
	if (v == VERDICT_FAILURE && pre[0] != '\0' && l.buf != NULL) {
		classify_prefix(reason, cap, pre);
		l.len = strlen(reason);
	}
	describe_error(&l, e, deadline_ns, codes);
	if (cause != NULL)
		*cause = why;
	return v;
}

enum verdict
classify_error(const struct wire_error *e, int64_t deadline_ns,
    int64_t shutdown_ns, enum late_policy policy,
    const struct classify_policy *codes, char *reason, size_t cap)
{
	return classify_error_window(e, deadline_ns, shutdown_ns, policy,
	    codes, NULL, 0, 0, NULL, reason, cap);
}

/* Failures read from the wait status; 0 if it shows a clean exit. */
static int
fate_status(const struct classify_fate *f, struct line *l)
{
	if (WIFSIGNALED(f->status)) {
		int sig = WTERMSIG(f->status);

		if (sig == f->sent_signal) {
			line_add(l, "killed by the supervisor with ");
			line_add_signal(l, sig);
			return 1;
		}
		line_add(l, "crashed: killed by signal ");
		line_add_signal(l, sig);
		line_add(l, " (%d)", sig);
#ifdef WCOREDUMP
		if (WCOREDUMP(f->status))
			line_add(l, ", core dumped");
#endif
		return 1;
	}
	if (!WIFEXITED(f->status)) {
		line_add(l, "unexpected wait status 0x%x", (unsigned)f->status);
		return 1;
	}
	if (WEXITSTATUS(f->status) != 0) {
		line_add(l, "exited with code %d", WEXITSTATUS(f->status));
		return 1;
	}
	return 0;
}

/* Failures of a reaped child, in the order doc/design.md lists them. */
static int
fate_reaped(const struct classify_fate *f, struct line *l)
{
	if (fate_status(f, l))
		return 1;
	if (f->t_gone != 0 && f->t_gone < f->shutdown_ns) {
		line_add(l, "exited before the deadline (at ");
		line_add_delta(l, "shutdown", f->t_gone, f->shutdown_ns);
		line_add(l, ")");
		return 1;
	}
	/* Never released: it had nothing to do and nothing to report. */
	if (f->cancelled)
		return 0;
	if (!f->done_seen) {
		line_add(l, "report pipe closed without DONE");
		return 1;
	}
	if (!f->done_shutdown) {
		line_add(l, "finished before seeing shutdown");
		return 1;
	}
	return 0;
}

/* A sidecar's end: see classify_fate(). */
static int
fate_external(const struct classify_fate *f, struct line *l)
{
	if (f->t_gone != 0 && f->t_gone < f->shutdown_ns) {
		line_add(l, "sidecar ended before the deadline (at ");
		line_add_delta(l, "shutdown", f->t_gone, f->shutdown_ns);
		line_add(l, "): ");
		if (!fate_status(f, l))
			line_add(l, "exited with code 0");
		return 1;
	}
	/* Asked to stop: however it goes is its own business. */
	if (f->sent_signal == SIGTERM)
		return 0;
	return fate_status(f, l);
}

enum verdict
classify_fate(const struct classify_fate *f, char *reason, size_t cap)
{
	struct line l;

	line_init(&l, reason, cap);
	/* Killed on purpose and not started again: nothing to judge. */
	if ((f->nemesis || f->powerloss) && f->reaped &&
	    WIFSIGNALED(f->status) && WTERMSIG(f->status) == SIGKILL)
		return VERDICT_PASS;
	if (f->external) {
		/*
		 * A second interrupt SIGKILLs a sidecar right after its
		 * SIGTERM: it was asked to stop and given no time, so how it
		 * went is the user's doing, not the sidecar's.
		 */
		if (f->cut_short && f->reaped)
			return VERDICT_PASS;
		if (f->hung) {
			line_add(&l, "hung: the sidecar ignored SIGTERM for the "
			    "grace; killed with ");
			line_add_signal(&l, f->sent_signal);
		} else if (!f->reaped)
			line_add(&l, "never reaped");
		else if (!fate_external(f, &l))
			return VERDICT_PASS;
		return VERDICT_FAILURE;
	}
	if (f->malformed) {
		line_add(&l, "protocol failure: ");
		line_add_text(&l, f->malformed_why, strnlen(f->malformed_why,
		    sizeof f->malformed_why));
		if (f->malformed_why[0] == '\0')
			line_add(&l, "malformed record");
	} else if (f->cut_short) {
		/* Not "hung": its grace was not up; it had not finished. */
		line_add(&l, "still running at a second interrupt");
		if (f->sent_signal != 0) {
			line_add(&l, "; killed with ");
			line_add_signal(&l, f->sent_signal);
		}
	} else if (f->hung) {
		line_add(&l, "hung: still running at the deadline + grace");
		if (f->sent_signal != 0) {
			line_add(&l, "; killed with ");
			line_add_signal(&l, f->sent_signal);
		}
	} else if (!f->reaped)
		line_add(&l, "never reaped");
	else if (!fate_reaped(f, &l))
		return VERDICT_PASS;
	return VERDICT_FAILURE;
}

const char *
classify_verdict_name(enum verdict v)
{
	switch (v) {
	case VERDICT_PASS:
		return "pass";
	case VERDICT_EXPECTED:
		return "expected";
	case VERDICT_FAILURE:
		return "failure";
	default:
		return "unknown";
	}
}

/* ------------------------------------------------------------ power loss */

enum classify_bound
classify_powerloss_bound(const char *journal, const char *sync)
{
	int wal, del, full, extra, normal;

	if (journal == NULL || sync == NULL)
		return CLASSIFY_BOUND_NONE;
	wal = strcasecmp(journal, "wal") == 0;
	del = strcasecmp(journal, "delete") == 0;
	full = strcasecmp(sync, "full") == 0;
	extra = strcasecmp(sync, "extra") == 0;
	normal = strcasecmp(sync, "normal") == 0;
	if ((wal && (full || extra)) || (del && extra))
		return CLASSIFY_BOUND_ALL;
	if (del && full)
		return CLASSIFY_BOUND_DIRSYNC;
	if (wal && normal)
		return CLASSIFY_BOUND_WALSYNC;
	return CLASSIFY_BOUND_NONE;
}

const char *
classify_bound_name(enum classify_bound b)
{
	switch (b) {
	case CLASSIFY_BOUND_ALL:
		return "every-ack";
	case CLASSIFY_BOUND_DIRSYNC:
		return "dir-sync";
	case CLASSIFY_BOUND_WALSYNC:
		return "wal-sync";
	case CLASSIFY_BOUND_NONE:
	default:
		return "none";
	}
}

/* What an image shows, whatever the bound: "integrity failed, 3 lost". */
static void
image_findings(const struct classify_image *im, struct line *l)
{
	const char *sep = "";

	if (!im->opened) {
		line_add(l, "SQLite could not open it");
		return;
	}
	if (!im->integrity_ok) {
		line_add(l, "integrity check failed");
		sep = ", ";
	}
	if (!im->gapfree) {
		line_add(l, "%srows not gap-free", sep);
		sep = ", ";
	}
	if (im->lost > 0)
		line_add(l, "%s%llu acknowledged row%s lost", sep,
		    (unsigned long long)im->lost, im->lost == 1 ? "" : "s");
}

enum verdict
classify_image(enum classify_bound b, const struct classify_image *im,
    char *reason, size_t cap)
{
	struct line l;

	line_init(&l, reason, cap);
	if (im->checker_died != 0) {
		line_add(&l, "checking it crashed or hung (a bug in SQLite or "
		    "sqlstorm, whatever the image holds)");
		return VERDICT_FAILURE;
	}
	/* A corrupt b-tree's counts mean nothing: its corruption is the news. */
	if (im->beyond > 0 && im->opened && im->integrity_ok) {
		line_add(&l, "%llu row%s past the highest seq attempted "
		    "(rows from nowhere)", (unsigned long long)im->beyond,
		    im->beyond == 1 ? "" : "s");
		return VERDICT_FAILURE;
	}
	if (b == CLASSIFY_BOUND_NONE) {
		image_findings(im, &l);
		if (l.len > 0)
			line_add(&l, " (no guarantee in this mode)");
		return VERDICT_PASS;
	}
	if (!im->opened || !im->integrity_ok || !im->gapfree) {
		image_findings(im, &l);
		return VERDICT_FAILURE;
	}
	if (im->lost_bound > 0) {
		line_add(&l, "%llu row%s acknowledged before the %s bound lost",
		    (unsigned long long)im->lost_bound,
		    im->lost_bound == 1 ? "" : "s", classify_bound_name(b));
		return VERDICT_FAILURE;
	}
	if (im->lost > 0)
		line_add(&l, "%llu row%s acknowledged after the %s bound lost "
		    "(allowed)", (unsigned long long)im->lost,
		    im->lost == 1 ? "" : "s", classify_bound_name(b));
	return VERDICT_PASS;
}
