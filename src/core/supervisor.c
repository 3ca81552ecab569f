/* SPDX-License-Identifier: MIT */
/*
 * supervisor: the generic parent of a run.  It forks the children with
 * strict fd hygiene, holds them at a start barrier, runs a single poll()
 * loop over their report pipes and a signal self-pipe, closes the shared
 * shutdown pipe at the deadline, drains every pipe to EOF, reaps every
 * child (SIGTERM, then SIGKILL, past the grace) and turns what it saw into
 * verdicts with classify.c, once per event, as the event comes in: an
 * ERROR record when it is read, a child's end once it is reaped.  It knows
 * nothing of SQL (the caller's struct classify_policy names codes and says
 * which are benign): records it does not judge itself go to the caller's
 * on_record callback.  The trace, when on, gets a line per record and per
 * verdict; when off it costs one pointer test.  The nemesis (--nemesis)
 * runs in the same loop: a kill is SIGKILL, a blocking reap, a drain of
 * the dead child's pipe through the usual decoder, the caller's on_kill,
 * then a fork of the same spec with a fresh pipe (now or after a delay);
 * a pause is SIGSTOP and a timer for SIGCONT, which every way out of the
 * run sends too.  Every child publishes its phase in a slot of the shared
 * mapping, so a kill can be aimed inside COMMIT and a pause at a writer
 * that holds the lock.
 */
#include "autoconf.h"
#include "supervisor.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#ifdef HAVE_SYS_PRCTL_H
#include <sys/prctl.h>
#endif

#include "trace.h"
#include "util.h"

#if !defined(MAP_ANONYMOUS) && defined(MAP_ANON)
#define MAP_ANONYMOUS MAP_ANON
#endif

#define SUP_TICK_NS        (100 * UTIL_NS_PER_MS)
#define SUP_READBUF        (8 * WIRE_MAX_RECORD)
#define SUP_READS_PER_TURN 16
/* Never sleep longer than this while children live (a missed SIGCHLD). */
#define SUP_REAP_EVERY_NS  (100 * UTIL_NS_PER_MS)
/* After every child is reaped, how long a pipe held open elsewhere may
 * keep us waiting for its EOF. */
#define SUP_LINGER_NS      (1 * UTIL_NS_PER_S)

enum sup_phase { SUP_READY, SUP_RUN, SUP_DRAIN };

/* How long a kill aimed at COMMIT waits for a worker to be in one. */
#define SUP_AIM_NS         (20 * UTIL_NS_PER_MS)
#define SUP_AIM_STEP_NS    (20 * 1000)
/* How long a pause tries to stop a worker while it holds the lock. */
#define SUP_STOP_TRY_NS    (200 * UTIL_NS_PER_MS)

/* A child's state under --nemesis. */
struct sup_nem {
	int64_t  paused_until;    /* SIGCONT due then; 0: not paused */
	size_t   pause_win;       /* its window in res->windows */
	int32_t  pause_phase;     /* the phase it was stopped in */
	int64_t  restart_at;      /* killed and down until then; 0: up */
	unsigned incarnation;     /* 0, then 1, 2, ... at each restart */
	struct sup_kill last;     /* the last kill, for its event */
};

struct sup_slot {
	int      fd;              /* read end of the child's report pipe */
	int      eof;
	int      broken;          /* malformed: discard until EOF */
	int      gone;            /* reaped, or lost to ECHILD */
	uint32_t next_seq;
	size_t   len;
	uint8_t  buf[SUP_READBUF];
};

struct sup_state {
	const struct sup_options *opt;
	const struct sup_spec *specs;
	size_t   n;
	struct sup_result *res;
	struct sup_slot *slots;
	struct child_shared *shared;
	size_t   shared_len;      /* the mapping: the page and the slots */
	struct child_slot *cslots;  /* one per child, in the same mapping */
	struct sup_nem *nem;      /* one per child */
	struct nemesis_plan *plan;  /* opt->nemesis if it has items */
	uint64_t nkills;          /* kills so far: every other one aims */
	int      start_w, start_r;
	int      shutdown_w, shutdown_r;
	pid_t    pgid;
	pid_t    self;
	enum sup_phase phase;
	int      interrupts;      /* separate interrupt requests */
	int      first_signo;     /* the first one: its signal and sender */
	pid_t    first_sender;
	int      cancelled;       /* interrupted before the release */
	int      termed, killed;
	int64_t  next_tick;
	int64_t  ready_timeout_ns;
	size_t   nalive;          /* children not yet reaped */
	size_t   neof;            /* report pipes at EOF */
	int      reap_due;        /* a SIGCHLD or an EOF: worth a waitpid pass */
	int64_t  next_reap;       /* safety net in case a SIGCHLD was missed */
	int64_t  last_data;       /* last time a read returned bytes */
	int64_t  all_reaped;      /* when nalive reached 0 */
	int      nofile_raised;
	struct rlimit saved_nofile;
	size_t   nalive_internal; /* children alive that are not sidecars */
	int64_t  ext_term;        /* when the sidecars got SIGTERM, 0 = not yet */
	int      ext_killed;
	int64_t  nem_wake;        /* when the nemesis is next due, -1: never */
};

static void sup_nemesis_end(struct sup_state *st, int64_t now);
static void sup_shutdown_now(struct sup_state *st);

/* One caught signal, as the handler writes it to the self-pipe. */
struct sup_sig {
	int   signo;
	pid_t sender;       /* si_pid: 0 when the kernel sent it (a ^C) */
};

/*
 * The self-pipe: handlers only write one struct sup_sig to it.  Every
 * write is whole (far below PIPE_BUF) and of the same size, so a read of
 * a multiple of that size returns whole records.
 */
static int sup_sigpipe[2] = { -1, -1 };

static void
sup_on_signal(int signo, siginfo_t *si, void *uc)
{
	int saved = errno;
	struct sup_sig b;

	(void)uc;
	b.signo = signo;
	b.sender = si != NULL ? si->si_pid : 0;
	(void)write(sup_sigpipe[1], &b, sizeof b);
	errno = saved;
}

/*
 * Outside sup_run() (setup, the final checks, the reports) an interrupt
 * is only noted here, by the guard main installs, and taken by the next
 * sup_run() or by sup_signal_take().  sig_atomic_t holds a pid on every
 * system we know (both are int); a wrong sender only costs the
 * duplicate-from-the-group test.
 */
static volatile sig_atomic_t sup_noted_signo;
static volatile sig_atomic_t sup_noted_sender;
/* The noted one is the last run's own interrupt, kept for the guard. */
static volatile sig_atomic_t sup_noted_carried;

static void
sup_on_signal_outside(int signo, siginfo_t *si, void *uc)
{
	pid_t sender = si != NULL ? si->si_pid : 0;

	(void)uc;
	if (sup_noted_signo == 0) {
		sup_noted_signo = signo;
		sup_noted_sender = (sig_atomic_t)sender;
		return;
	}
	/* The same request again, through the process group: one interrupt. */
	if (signo == sup_noted_signo && sender != 0 &&
	    (sig_atomic_t)sender == sup_noted_sender)
		return;
	/* A second, separate interrupt: stop at once, as a child would. */
	signal(signo, SIG_DFL);
	raise(signo);
}

/* SIGHUP means what SIGTERM means: stop now, report "interrupted". */
static const int sup_handled[] = { SIGINT, SIGTERM, SIGHUP, SIGCHLD };
#define SUP_NHANDLED (sizeof sup_handled / sizeof sup_handled[0])

struct sup_saved_signals {
	int              installed;      /* the dispositions below are saved */
	struct sigaction old[SUP_NHANDLED];
	struct sigaction old_pipe;
	sigset_t         old_mask;
};

static int
sup_signals_install(struct sup_saved_signals *sv)
{
	struct sigaction sa;
	sigset_t ours;
	size_t i;

	memset(sv, 0, sizeof *sv);
	if (util_pipe(sup_sigpipe) < 0)
		return -1;
	if (util_set_nonblock(sup_sigpipe[0]) < 0 ||
	    util_set_nonblock(sup_sigpipe[1]) < 0)
		return -1;
	memset(&sa, 0, sizeof sa);
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = SIG_IGN;
	/* EPIPE, not death, when a child's pipe is gone. */
	sigaction(SIGPIPE, &sa, &sv->old_pipe);
	sa.sa_sigaction = sup_on_signal;
	sa.sa_flags = SA_RESTART | SA_SIGINFO;
	sigemptyset(&ours);
	for (i = 0; i < SUP_NHANDLED; i++) {
		sigaction(sup_handled[i], &sa, &sv->old[i]);
		sigaddset(&ours, sup_handled[i]);
	}
	/*
	 * A mask inherited across exec may block them: then no SIGCHLD would
	 * ever wake the loop, and ^C would do nothing.
	 */
	sigprocmask(SIG_UNBLOCK, &ours, &sv->old_mask);
	sv->installed = 1;
	return 0;
}

static void
sup_signals_restore(struct sup_saved_signals *sv)
{
	size_t i;

	if (sv->installed) {
		sigprocmask(SIG_SETMASK, &sv->old_mask, NULL);
		for (i = 0; i < SUP_NHANDLED; i++)
			sigaction(sup_handled[i], &sv->old[i], NULL);
		sigaction(SIGPIPE, &sv->old_pipe, NULL);
		sv->installed = 0;
	}
	util_close(&sup_sigpipe[0]);
	util_close(&sup_sigpipe[1]);
}

int
sup_signals_guard(void)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
	struct sigaction sa;
	size_t i;

	memset(&sa, 0, sizeof sa);
	sigemptyset(&sa.sa_mask);
	sa.sa_sigaction = sup_on_signal_outside;
	sa.sa_flags = SA_RESTART | SA_SIGINFO;
	for (i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		if (sigaction(sigs[i], &sa, NULL) < 0)
			return -1;
	return 0;
}

int
sup_signal_take(pid_t *sender)
{
	sigset_t all, old;
	int signo;

	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &old);
	signo = sup_noted_signo;
	if (sender != NULL)
		*sender = (pid_t)sup_noted_sender;
	sup_noted_signo = 0;
	sup_noted_sender = 0;
	sup_noted_carried = 0;
	sigprocmask(SIG_SETMASK, &old, NULL);
	return signo;
}

int
sup_signal_noted(void)
{
	return sup_noted_signo;
}

/* Leave the run's own interrupt noted for the guard (signals blocked). */
static void
sup_note_carried(int signo, pid_t sender)
{
	sigset_t all, old;

	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &old);
	if (sup_noted_signo == 0) {
		sup_noted_signo = signo;
		sup_noted_sender = (sig_atomic_t)sender;
		sup_noted_carried = 1;
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
}

/* The name the trace gives child (-1: the run). */
static const char *
sup_who(const struct sup_result *res, int child)
{
	if (child >= 0 && (size_t)child < res->nchildren)
		return res->children[child].name;
	return "run";
}

static int
sup_event_push(struct sup_result *res, const struct sup_event *ev)
{
	if (res->trace != NULL)
		trace_verdict(res->trace, sup_who(res, ev->child), ev->verdict,
		    sup_event_kind_name(ev->kind), ev->snapshot, ev->reason);
	if (ev->verdict == VERDICT_FAILURE)
		res->nfailures++;
	else if (ev->verdict == VERDICT_EXPECTED) {
		res->nexpected++;
		if (ev->cause == CLASSIFY_CAUSE_NEMESIS)
			res->nexpected_nemesis++;
		else if (ev->cause == CLASSIFY_CAUSE_INJECTED)
			res->nexpected_injected++;
	}
	/*
	 * Only errors are an unbounded stream (a BUSY storm in a long run).
	 * Every other kind is bounded by the children and snapshots and is
	 * what a report pairs its checks with: dropping a crash or a failed
	 * final check behind 100000 errors would leave its check out of
	 * TAP, JUnit and JSON while the summary still counted it.
	 */
	if (ev->kind == SUP_EV_ERROR && res->nevents >= SUP_MAX_EVENTS) {
		res->dropped_events++;
		return 0;
	}
	if (util_grow(&res->events, &res->capevents, res->nevents,
	    sizeof *res->events, 16) < 0) {
		res->dropped_events++;
		return -1;
	}
	res->events[res->nevents++] = *ev;
	return 0;
}

int
sup_event_add(struct sup_result *res, enum sup_event_kind kind, int child,
    long snapshot, enum verdict v, int64_t t_ns, const char *fmt, ...)
{
	struct sup_event ev;
	va_list ap;

	memset(&ev, 0, sizeof ev);
	ev.kind = kind;
	ev.child = child;
	ev.snapshot = snapshot;
	ev.verdict = v;
	ev.t_ns = t_ns;
	va_start(ap, fmt);
	vsnprintf(ev.reason, sizeof ev.reason, fmt, ap);
	va_end(ap);
	return sup_event_push(res, &ev);
}

long
sup_event_find(const struct sup_result *res, size_t from,
    enum sup_event_kind kind, int child, long snapshot, enum verdict v)
{
	size_t i;

	for (i = from; i < res->nevents; i++) {
		const struct sup_event *ev = &res->events[i];

		if (ev->kind == kind && ev->verdict == v &&
		    ev->snapshot == snapshot &&
		    (child == SUP_ANY_CHILD || ev->child == child))
			return (long)i;
	}
	return -1;
}

const char *
sup_event_kind_name(enum sup_event_kind kind)
{
	static const char *names[SUP_EV_KIND_END] = {
		[SUP_EV_ERROR] = "error", [SUP_EV_FATE] = "fate",
		[SUP_EV_SNAPSHOT] = "snapshot", [SUP_EV_FINAL] = "final",
		[SUP_EV_LEDGER] = "ledger", [SUP_EV_PROTOCOL] = "protocol",
		[SUP_EV_COVERAGE] = "coverage", [SUP_EV_SETUP] = "setup",
		[SUP_EV_INTERRUPT] = "interrupt", [SUP_EV_REPORT] = "report",
		[SUP_EV_NEMESIS] = "nemesis",
	};

	if ((int)kind <= 0 || kind >= SUP_EV_KIND_END)
		return "unknown";
	return names[kind];
}

void
sup_result_interrupted(struct sup_result *res, int sig)
{
	res->interrupted = 1;
	res->signal = sig;
	res->signal_name = classify_signal_name(sig);
}

void
sup_result_free(struct sup_result *res)
{
	free(res->children);
	free(res->events);
	free(res->windows);
	memset(res, 0, sizeof *res);
}

/* ------------------------------------------------------------ child side */

static int
sup_keep_fd(int fd, int keep1, int keep2, int keep3)
{
	return fd <= 2 || fd == keep1 || fd == keep2 || fd == keep3;
}

/*
 * Close every fd but 0-2 and the child's own, including whatever the
 * caller left open without FD_CLOEXEC: a sibling's pipe end held here would
 * delay its EOF.  The fd directory is read first and closed after, so we
 * never close the directory's own fd under readdir().
 */
static void
sup_child_close_fds(int keep1, int keep2, int keep3)
{
	static const char *dirs[] = { "/proc/self/fd", "/dev/fd" };
	long max = sysconf(_SC_OPEN_MAX);
	size_t d;
	int fd;

	for (d = 0; d < sizeof dirs / sizeof dirs[0]; d++) {
		int fds[1024], nfds = 0, i, complete = 1;
		struct dirent *de;
		DIR *dir = opendir(dirs[d]);

		if (dir == NULL)
			continue;
		while ((de = readdir(dir)) != NULL) {
			char *end;
			long v = strtol(de->d_name, &end, 10);

			if (*end != '\0' || end == de->d_name || v == dirfd(dir))
				continue;
			if (nfds == (int)(sizeof fds / sizeof fds[0])) {
				complete = 0;
				break;
			}
			fds[nfds++] = (int)v;
		}
		closedir(dir);
		for (i = 0; i < nfds; i++)
			if (!sup_keep_fd(fds[i], keep1, keep2, keep3))
				(void)close(fds[i]);
		if (complete)
			return;
	}
	if (max < 0 || max > 65536)
		max = 65536;
	for (fd = 3; fd < (int)max; fd++)
		if (!sup_keep_fd(fd, keep1, keep2, keep3))
			(void)close(fd);
}

static struct fault *
sup_child_faults(const struct sup_state *st, int fault_index, size_t *n)
{
	const struct fault_list *fl = st->opt->faults;
	struct fault *v;
	size_t i, k = 0;

	*n = 0;
	if (fl == NULL || fl->n == 0)
		return NULL;
	v = calloc(fl->n, sizeof *v);
	if (v == NULL)
		return NULL;
	for (i = 0; i < fl->n; i++)
		if (fl->v[i].child == fault_index)
			v[k++] = fl->v[i];
	*n = k;
	return v;
}

/*
 * A child started again after a --nemesis kill: the faults whose time has
 * passed fired in the one before; firing them again would double them.
 */
static void
sup_child_past_faults(const struct sup_state *st, struct child_ctx *c)
{
	int64_t now = util_now_ns();
	size_t i, k = 0;

	for (i = 0; i < c->nfaults; i++)
		if (fault_when(&c->faults[i], st->shared->start_ns,
		    st->shared->deadline_ns) >= now)
			c->faults[k++] = c->faults[i];
	c->nfaults = k;
}

/* In a child: its supervisor, the one sender whose SIGTERM counts. */
static volatile pid_t sup_child_parent;

/*
 * A protocol child's SIGINT, SIGTERM and SIGHUP.  ^C, timeout(1) and CI
 * runners signal a whole process group, or every process of the run; if
 * that killed the children behind the parent's back, a clean interrupt
 * would read as crashes and hangs.  The parent alone stops its children,
 * through the shutdown pipe, so these are ignored, except the parent's
 * own SIGTERM (escalation past the grace), which kills as it always did.
 * SIGKILL needs no handler.  A handler, not SIG_IGN: exec() resets it, so
 * a command a child runs starts with the default dispositions.
 */
static void
sup_child_on_signal(int signo, siginfo_t *si, void *uc)
{
	int saved = errno;
	struct sigaction sa;

	(void)uc;
	if (signo == SIGTERM && si != NULL && si->si_pid == sup_child_parent) {
		sa.sa_handler = SIG_DFL;
		sa.sa_flags = 0;
		sigemptyset(&sa.sa_mask);
		(void)sigaction(SIGTERM, &sa, NULL);
		/* Pending until this handler returns, then fatal. */
		(void)raise(SIGTERM);
	}
	errno = saved;
}

static void
sup_child_signals(const sigset_t *oldmask, int external)
{
	static const int stop[] = { SIGINT, SIGTERM, SIGHUP };
	struct sigaction sa;
	size_t i;

	memset(&sa, 0, sizeof sa);
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = SIG_DFL;
	for (i = 0; i < SUP_NHANDLED; i++)
		sigaction(sup_handled[i], &sa, NULL);
	/* A child learns of a dead parent from EPIPE, not from SIGPIPE. */
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	/*
	 * A sidecar keeps the defaults: it leads its own process group,
	 * which the parent stops with SIGTERM.
	 */
	if (!external) {
		sa.sa_sigaction = sup_child_on_signal;
		sa.sa_flags = SA_RESTART | SA_SIGINFO;
		for (i = 0; i < sizeof stop / sizeof stop[0]; i++)
			sigaction(stop[i], &sa, NULL);
	}
	sigprocmask(SIG_SETMASK, oldmask, NULL);
}

static void
sup_child_enter(struct sup_state *st, size_t i, int report_w,
    const sigset_t *oldmask)
{
	const struct sup_spec *spec = &st->specs[i];
	struct child_ctx ctx;
	int rc;

	/*
	 * Join the run's process group (the first child founds it); a
	 * sidecar leads its own, so its whole tree can be signalled.
	 */
	(void)setpgid(0, spec->external ? 0 : st->pgid);
#if defined(HAVE_PRCTL) && defined(PR_SET_PDEATHSIG)
	if (!st->opt->no_pdeathsig)
		(void)prctl(PR_SET_PDEATHSIG, SIGKILL);
#endif
	sup_child_parent = st->self;
	sup_child_signals(oldmask, spec->external);
	/* The parent may have died before prctl() took effect. */
	if (getppid() != st->self)
		_exit(0);
	sup_child_close_fds(report_w, st->shutdown_r, st->start_r);

	memset(&ctx, 0, sizeof ctx);
	ctx.id = (int)i;
	ctx.index = spec->fault_index;
	ctx.report_fd = report_w;
	ctx.shutdown_fd = st->shutdown_r;
	ctx.start_fd = st->start_r;
	ctx.shared = st->shared;
	ctx.slot = &st->cslots[i];
	ctx.incarnation = st->nem[i].incarnation;
	ctx.parent_pid = st->self;
	ctx.faults = sup_child_faults(st, spec->fault_index, &ctx.nfaults);
	if (ctx.incarnation > 0)
		sup_child_past_faults(st, &ctx);
	rc = spec->main(&ctx, spec->arg);
	(void)child_flush(&ctx);
	/* _exit: never run the parent's atexit handlers or flush its stdio. */
	_exit(rc & 0xff);
}

/* ----------------------------------------------------------- parent side */

/*
 * Fork child i with a fresh report pipe: *pid and the read end, or -1
 * (nothing left open).  Used at the start and for a --nemesis restart.
 */
static int
sup_fork(struct sup_state *st, size_t i, pid_t *pidp)
{
	sigset_t all, old;
	int rep[2] = { -1, -1 };
	pid_t pid;

	if (util_pipe(rep) < 0)
		return -1;
	/* No handler may run in the child before it resets them. */
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &old);
	pid = fork();
	if (pid == 0) {
		util_close(&rep[0]);
		sup_child_enter(st, i, rep[1], &old);
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	util_close(&rep[1]);
	if (pid < 0) {
		util_close(&rep[0]);
		return -1;
	}
	/* Both sides call setpgid() so neither order of events races. */
	if (st->specs[i].external)
		(void)setpgid(pid, pid);
	else {
		if (st->pgid == 0)
			st->pgid = pid;
		(void)setpgid(pid, st->pgid);
	}
	*pidp = pid;
	(void)util_set_nonblock(rep[0]);
	return rep[0];
}

static int
sup_spawn_one(struct sup_state *st, size_t i)
{
	struct sup_child *ch = &st->res->children[i];
	pid_t pid;
	int fd;

	if ((fd = sup_fork(st, i, &pid)) < 0)
		return -1;
	if (st->specs[i].external) {
		ch->fate.external = 1;
		ch->ready = 1;
		ch->t_ready = util_now_ns();
	} else
		st->nalive_internal++;
	ch->pid = pid;
	st->nalive++;
	util_strlcpy(ch->name, st->specs[i].name, sizeof ch->name);
	st->slots[i].fd = fd;
	st->slots[i].next_seq = 1;
	return 0;
}

/* Signal a sidecar's whole process group (it leads it), else the child. */
static void
sup_signal(struct sup_child *ch, int sig)
{
	if (!ch->fate.external || kill(-ch->pid, sig) < 0)
		(void)kill(ch->pid, sig);
	ch->fate.sent_signal = sig;
}

/* Signal every live child; sidecars only if external is set. */
static void
sup_kill_all(struct sup_state *st, int sig, int external)
{
	size_t i;

	for (i = 0; i < st->n; i++) {
		struct sup_child *ch = &st->res->children[i];

		if (ch->pid > 0 && !st->slots[i].gone &&
		    (external || !ch->fate.external))
			sup_signal(ch, sig);
	}
}

/*
 * Reap whatever has exited (one waitpid per live child, so only when a
 * SIGCHLD or an EOF says it is worth it).  Returns the number of children
 * still alive.
 */
static size_t
sup_reap(struct sup_state *st, int block)
{
	size_t i, alive = 0, internal = 0;

	st->reap_due = 0;
	for (i = 0; i < st->n; i++) {
		struct sup_child *ch = &st->res->children[i];
		struct sup_slot *sl = &st->slots[i];
		int status;
		pid_t r;

		if (ch->pid <= 0 || sl->gone)
			continue;
		do
			r = waitpid(ch->pid, &status, block ? 0 : WNOHANG);
		while (r < 0 && errno == EINTR);
		if (r == 0) {
			alive++;
			internal += !ch->fate.external;
			continue;
		}
		sl->gone = 1;
		ch->t_reaped = util_now_ns();
		if (r < 0)      /* ECHILD: someone else reaped it */
			continue;
		ch->fate.reaped = 1;
		ch->fate.status = status;
		if (st->res->trace != NULL)
			trace_line(st->res->trace, ch->name, "reaped: wait "
			    "status %#x", (unsigned)status);
		if (ch->fate.t_gone == 0)
			ch->fate.t_gone = ch->t_reaped;
	}
	if (alive == 0 && st->nalive != 0)
		st->all_reaped = util_now_ns();
	st->nalive = alive;
	st->nalive_internal = internal;
	return alive;
}

/*
 * Judge an error against the moment shutdown was signalled, as it stands
 * when the record is read.  Read before that moment (shutdown_ns still
 * 0), it ended before it too, so only a shutdown the child had seen can
 * make it late, however far past the deadline a late parent is.
 */
static void
sup_take_error(struct sup_state *st, size_t i, const struct wire_record *r)
{
	const struct sup_result *res = st->res;
	struct sup_event ev;
	/*
	 * Before the release there is no deadline to place it against: 0,
	 * and the reason says "before the start".
	 */
	int64_t deadline = res->deadline_ns;

	memset(&ev, 0, sizeof ev);
	ev.kind = SUP_EV_ERROR;
	ev.child = (int)i;
	ev.snapshot = SUP_NO_SNAPSHOT;
	ev.err = r->u.error;
	/*
	 * "Injected" is the child's word; the excuse is granted only for an
	 * io item the parent armed and saw fire (its IOFIRE record came
	 * first, on the same pipe).  Otherwise the error is judged as any.
	 */
	if ((ev.err.injected & WIRE_INJ_SWALLOWED) == 0 &&
	    (ev.err.injected & WIRE_INJ_FIRED) != 0 && (st->plan == NULL ||
	    ev.err.inj_item >= st->plan->n ||
	    st->plan->v[ev.err.inj_item].action != NEMESIS_IO ||
	    st->plan->v[ev.err.inj_item].fired == 0))
		ev.err.injected = 0;
	ev.code_name = classify_policy_name(st->opt->codes, r->u.error.code);
	ev.t_ns = r->u.error.t_end;
	ev.late = classify_is_late(&r->u.error, res->shutdown_ns);
	ev.verdict = classify_error_window(&ev.err, deadline,
	    res->shutdown_ns, st->opt->policy, st->opt->codes, res->windows,
	    res->nwindows, st->opt->nemesis_slack_ns, &ev.cause, ev.reason,
	    sizeof ev.reason);
	(void)sup_event_push(st->res, &ev);
}

static void
sup_malformed(struct sup_state *st, size_t i, const char *why)
{
	struct sup_child *ch = &st->res->children[i];

	if (st->res->trace != NULL)
		trace_line(st->res->trace, ch->name, "malformed: %s", why);
	if (!ch->fate.malformed) {
		ch->fate.malformed = 1;
		util_strlcpy(ch->fate.malformed_why, why,
		    sizeof ch->fate.malformed_why);
	}
	/* The stream cannot be resynchronised: discard the rest. */
	st->slots[i].broken = 1;
	st->slots[i].len = 0;
}

static void
sup_dispatch(struct sup_state *st, size_t i, const struct wire_record *r)
{
	struct sup_child *ch = &st->res->children[i];
	struct sup_slot *sl = &st->slots[i];

	if (r->h.child != i) {
		sup_malformed(st, i, "record carries another child's id");
		return;
	}
	if (r->h.seq != sl->next_seq) {
		sup_malformed(st, i, "record sequence out of order");
		return;
	}
	if (ch->fate.done_seen) {
		sup_malformed(st, i, "record after DONE");
		return;
	}
	sl->next_seq++;
	ch->records++;
	switch (r->h.type) {
	case WIRE_READY:
		if (!ch->ready) {
			ch->ready = 1;
			ch->t_ready = util_now_ns();
		}
		break;
	case WIRE_ERROR:
		sup_take_error(st, i, r);
		break;
	case WIRE_DONE:
		ch->fate.done_seen = 1;
		ch->fate.done_shutdown = r->u.done.shutdown_seen;
		break;
	default:
		break;
	}
	if (st->opt->on_record != NULL)
		st->opt->on_record(st->opt->user, (int)i, r);
}

static void
sup_decode(struct sup_state *st, size_t i)
{
	struct sup_slot *sl = &st->slots[i];
	size_t off = 0;

	while (!sl->broken && off < sl->len) {
		struct wire_record r;
		const char *why = NULL;
		size_t used = 0;
		enum wire_status ws;

		ws = wire_decode(sl->buf + off, sl->len - off, &r, &used, &why);
		if (ws == WIRE_NEED_MORE)
			break;
		if (ws == WIRE_MALFORMED) {
			sup_malformed(st, i, why != NULL ? why : "malformed");
			return;
		}
		off += used;
		if (st->res->trace != NULL)
			trace_record(st->res->trace, st->res->children[i].name,
			    &r);
		sup_dispatch(st, i, &r);
	}
	if (sl->broken) {
		sl->len = 0;
		return;
	}
	memmove(sl->buf, sl->buf + off, sl->len - off);
	sl->len -= off;
}

static void
sup_on_eof(struct sup_state *st, size_t i)
{
	struct sup_slot *sl = &st->slots[i];
	struct sup_child *ch = &st->res->children[i];

	if (st->res->trace != NULL)
		trace_line(st->res->trace, ch->name, "EOF");
	sl->eof = 1;
	st->neof++;
	st->reap_due = 1;
	util_close(&sl->fd);
	/* A sidecar's pipe closes when it execs: only its exit counts. */
	if (ch->fate.t_gone == 0 && !ch->fate.external)
		ch->fate.t_gone = util_now_ns();
	if (sl->len != 0 && !sl->broken)
		sup_malformed(st, i, "truncated record at end of stream");
	if (st->opt->on_eof != NULL)
		st->opt->on_eof(st->opt->user, (int)i);
}

/*
 * Read what one child's pipe holds now, until it is empty (EAGAIN) or EOF,
 * but at most SUP_READS_PER_TURN bufferfuls so one chatty child cannot
 * starve the others.
 */
static void
sup_read_slot(struct sup_state *st, size_t i)
{
	struct sup_slot *sl = &st->slots[i];
	uint8_t discard[SUP_READBUF];
	int k;

	for (k = 0; k < SUP_READS_PER_TURN; k++) {
		ssize_t n;

		if (sl->broken)
			n = util_read(sl->fd, discard, sizeof discard);
		else
			n = util_read(sl->fd, sl->buf + sl->len,
			    sizeof sl->buf - sl->len);
		if (n < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				sup_on_eof(st, i);
			return;
		}
		if (n == 0) {
			sup_on_eof(st, i);
			return;
		}
		st->last_data = util_now_ns();
		if (!sl->broken) {
			sl->len += (size_t)n;
			sup_decode(st, i);
		}
	}
}

/*
 * Signal shutdown: stamp the moment, publish it in the shared page, then
 * close the pipe.  The close orders the store before any child's EOF, so
 * a child that has seen shutdown reads when it was signalled, and no error
 * at or after that moment can have been judged before it.  Before the
 * release this also closes the start pipe with start_ns still 0: nobody
 * is released, every child leaves without running.
 */
static void
sup_shutdown_now(struct sup_state *st)
{
	int64_t now;

	if (st->shutdown_w < 0)
		return;
	now = util_now_ns();
	if (st->res->trace != NULL)
		trace_line(st->res->trace, "run", "shutdown signalled%s",
		    st->phase == SUP_READY ? " before the release" : "");
	st->res->shutdown_ns = now;
	st->shared->shutdown_ns = now;
	/* Stopped children must see the EOF too. */
	sup_nemesis_end(st, now);
	util_close(&st->start_w);
	/* EOF for every child at once; the only signal they need. */
	util_close(&st->shutdown_w);
	st->phase = SUP_DRAIN;
}

static void
sup_release(struct sup_state *st)
{
	int64_t now = util_now_ns();

	if (st->res->trace != NULL)
		trace_line(st->res->trace, "run", "release");
	st->res->start_ns = now;
	st->res->deadline_ns = now + st->opt->duration_ns;
	st->shared->deadline_ns = st->res->deadline_ns;
	st->shared->start_ns = now;
	/* The close() below orders these stores before any child's read(). */
	util_close(&st->start_w);
	st->phase = SUP_RUN;
	st->next_tick = now + SUP_TICK_NS;
}

/*
 * One interrupt is one request.  timeout(1) signals us and then its whole
 * process group, which holds us; a CI runner may signal both the job and
 * its group: the same signal again from the same sender is that same
 * request, not the impatient second one that kills at once.  A ^C comes
 * from the kernel (no sender) and reaches each process once, so a second
 * ^C is always a second request, and so is another signal or another
 * sender.  No time window: a duplicate is known by who sent what.
 */
static int
sup_same_request(const struct sup_state *st, const struct sup_sig *s)
{
	return st->interrupts > 0 && s->sender > 0 &&
	    s->signo == st->first_signo && s->sender == st->first_sender;
}

static void
sup_take_signal(struct sup_state *st, const struct sup_sig *s)
{
	if (s->signo == SIGCHLD) {
		st->reap_due = 1;
		return;
	}
	if (s->signo != SIGINT && s->signo != SIGTERM && s->signo != SIGHUP)
		return;
	if (sup_same_request(st, s))
		return;
	if (st->interrupts++ == 0) {
		st->first_signo = s->signo;
		st->first_sender = s->sender;
		sup_result_interrupted(st->res, s->signo);
	}
}

static void
sup_take_signals(struct sup_state *st)
{
	struct sup_sig b[32];
	ssize_t n;
	size_t k;

	while ((n = util_read(sup_sigpipe[0], b, sizeof b)) > 0)
		for (k = 0; k < (size_t)n / sizeof b[0]; k++)
			sup_take_signal(st, &b[k]);
}

static int
sup_all_ready(const struct sup_state *st)
{
	size_t i;

	for (i = 0; i < st->n; i++)
		if (!st->res->children[i].ready && !st->slots[i].eof &&
		    !st->slots[i].gone)
			return 0;
	return 1;
}

static int
sup_all_eof(const struct sup_state *st)
{
	return st->neof == st->n;
}

/* ----------------------------------------------------------- nemesis */

static int64_t
sup_earliest(int64_t a, int64_t b)
{
	if (a < 0)
		return b;
	if (b < 0)
		return a;
	return a < b ? a : b;
}


/* Seconds since the release, for the reasons of nemesis events. */
static double
sup_rel_s(const struct sup_state *st, int64_t t)
{
	return st->res->start_ns != 0 ?
	    (double)(t - st->res->start_ns) / (double)UTIL_NS_PER_S : 0.0;
}

/* Open a window (end 0: it lasts) for what; returns its index, or -1. */
static long
sup_window_open(struct sup_state *st, int64_t t, const char *action,
    size_t i)
{
	struct sup_result *res = st->res;
	struct classify_window *w;

	if (util_grow(&res->windows, &res->capwindows, res->nwindows,
	    sizeof *res->windows, 64) < 0)
		return -1;
	w = &res->windows[res->nwindows];
	memset(w, 0, sizeof *w);
	w->start_ns = t;
	snprintf(w->what, sizeof w->what, "%s %s", action,
	    res->children[i].name);
	if (res->trace != NULL)
		trace_line(res->trace, res->children[i].name, "nemesis: %s",
		    w->what);
	return (long)res->nwindows++;
}

static void
sup_window_close(struct sup_state *st, size_t k, int64_t t)
{
	if (k < st->res->nwindows && st->res->windows[k].end_ns == 0)
		st->res->windows[k].end_ns = t > st->res->windows[k].start_ns ?
		    t : st->res->windows[k].start_ns + 1;
}

/* Signal a child without taking it for the supervisor's stop signal. */
static void
sup_nem_signal(struct sup_child *ch, int sig)
{
	if (!ch->fate.external || kill(-ch->pid, sig) < 0)
		(void)kill(ch->pid, sig);
}

static const char *
sup_phase_name(enum child_phase p)
{
	return p == CHILD_PHASE_COMMIT ? "in COMMIT" :
	    p == CHILD_PHASE_TXN ? "in a transaction" :
	    p == CHILD_PHASE_BEGIN ? "in BEGIN" : "between transactions";
}

/* A pause ends: SIGCONT, the window closes, the event is stored. */
static void
sup_nem_continue(struct sup_state *st, size_t i, int64_t now)
{
	struct sup_nem *nm = &st->nem[i];
	struct sup_child *ch = &st->res->children[i];
	const struct classify_window *w;

	if (nm->paused_until == 0)
		return;
	nm->paused_until = 0;
	if (!st->slots[i].gone)
		sup_nem_signal(ch, SIGCONT);
	sup_window_close(st, nm->pause_win, now);
	if (nm->pause_win >= st->res->nwindows)
		return;
	w = &st->res->windows[nm->pause_win];
	(void)sup_event_add(st->res, SUP_EV_NEMESIS, (int)i, SUP_NO_SNAPSHOT,
	    VERDICT_PASS, w->start_ns, "nemesis: pause %s: SIGSTOP at %.3fs "
	    "%s, SIGCONT at %.3fs", ch->name, sup_rel_s(st, w->start_ns),
	    st->specs[i].worker ? sup_phase_name(nm->pause_phase) : "",
	    sup_rel_s(st, now));
}

/*
 * 1 if a worker in phase p surely holds the write lock: it has it from
 * BEGIN to COMMIT, but COMMIT can end with a checkpoint (WAL) after the
 * lock is let go, so only the writing phase is sure.
 */
static int
sup_phase_locked(int32_t p)
{
	return p == CHILD_PHASE_TXN;
}

/*
 * Wait (bounded) for a worker to publish that its COMMIT is running
 * (locked 0), or that it holds the write lock (locked 1).
 */
static int
sup_nem_aim(struct sup_state *st, size_t i, int locked)
{
	int64_t until = util_now_ns() + SUP_AIM_NS;
	struct timespec ts = { 0, SUP_AIM_STEP_NS };

	while (locked ? !sup_phase_locked(st->cslots[i].phase) :
	    st->cslots[i].phase != CHILD_PHASE_COMMIT) {
		if (util_now_ns() >= until)
			return 0;
		(void)nanosleep(&ts, NULL);
	}
	return 1;
}

/*
 * Stop a worker where it holds the write lock: wait for it to be inside a
 * transaction, SIGSTOP it, wait until it is stopped (WNOWAIT: its exit,
 * if that came first, stays for sup_reap()), and if the frozen phase
 * shows the lock was let go meanwhile, let it run and try again, a few
 * times.  Leaves it stopped either way.
 */
static void
sup_nem_stop_locked(struct sup_state *st, size_t i)
{
	struct sup_child *ch = &st->res->children[i];
	int64_t until = util_now_ns() + SUP_STOP_TRY_NS;

	while (util_now_ns() < until) {
		siginfo_t si;
		int r;

		(void)sup_nem_aim(st, i, 1);
		sup_nem_signal(ch, SIGSTOP);
		memset(&si, 0, sizeof si);
		do
			r = waitid(P_PID, (id_t)ch->pid, &si,
			    WSTOPPED | WEXITED | WNOWAIT);
		while (r < 0 && errno == EINTR);
		if (r < 0 || si.si_code != CLD_STOPPED)
			return;
		/* Take the report of the stop, so the next wait sees the next. */
		(void)waitid(P_PID, (id_t)ch->pid, &si, WSTOPPED | WNOHANG);
		if (sup_phase_locked(st->cslots[i].phase))
			return;
		sup_nem_signal(ch, SIGCONT);
	}
	sup_nem_signal(ch, SIGSTOP);
}

static void
sup_nem_pause(struct sup_state *st, size_t i, int64_t len, int64_t now)
{
	struct sup_nem *nm = &st->nem[i];
	long k;

	if (st->slots[i].gone || nm->paused_until != 0 || nm->restart_at != 0)
		return;
	/*
	 * A worker stopped inside COMMIT holds the write lock: that is the
	 * stall the others must live through (and report as BUSY).
	 */
	/* From the first SIGSTOP: the tries before the one that holds count. */
	now = util_now_ns();
	if (st->specs[i].worker)
		sup_nem_stop_locked(st, i);
	else
		sup_nem_signal(&st->res->children[i], SIGSTOP);
	if ((k = sup_window_open(st, now, "pause", i)) < 0) {
		sup_nem_signal(&st->res->children[i], SIGCONT);
		return;
	}
	nm->pause_win = (size_t)k;
	nm->pause_phase = st->cslots[i].phase;
	nm->paused_until = util_now_ns() + len;
	st->res->children[i].pauses++;
	st->res->nemesis_pauses++;
}

/*
 * Read what the dead child left in its pipe, through the usual decoder
 * (its ACKs count), then close it.  No on_eof: the child lives on.
 */
static void
sup_nem_drain(struct sup_state *st, size_t i)
{
	struct sup_slot *sl = &st->slots[i];
	uint8_t discard[SUP_READBUF];
	ssize_t n;

	while (!sl->eof && sl->fd >= 0) {
		if (sl->broken)
			n = util_read(sl->fd, discard, sizeof discard);
		else
			n = util_read(sl->fd, sl->buf + sl->len,
			    sizeof sl->buf - sl->len);
		/* EAGAIN: a write end held elsewhere; nothing more will come. */
		if (n <= 0)
			break;
		if (!sl->broken) {
			sl->len += (size_t)n;
			sup_decode(st, i);
		}
	}
	if (sl->len != 0 && !sl->broken)
		sup_malformed(st, i, "truncated record at a nemesis kill");
	util_close(&sl->fd);
	sl->len = 0;
	sl->broken = 0;
}

/* Start child i again under its name, with a fresh pipe. */
static void
sup_nem_restart(struct sup_state *st, size_t i, int64_t now)
{
	struct sup_nem *nm = &st->nem[i];
	struct sup_child *ch = &st->res->children[i];
	struct sup_slot *sl = &st->slots[i];
	int was_down = nm->restart_at != 0, external = ch->fate.external;
	int malformed = ch->fate.malformed;
	char why[sizeof ch->fate.malformed_why];
	pid_t pid;
	long k;
	int fd;

	nm->restart_at = 0;
	nm->incarnation++;
	/* Its phase starts anew; an io arming stays (child.h). */
	st->cslots[i].phase = CHILD_PHASE_IDLE;
	st->cslots[i].lo = st->cslots[i].hi = 0;
	if ((fd = sup_fork(st, i, &pid)) < 0) {
		/* It stays dead: judged as the nemesis's kill, plus this. */
		(void)sup_event_add(st->res, SUP_EV_NEMESIS, (int)i,
		    SUP_NO_SNAPSHOT, VERDICT_FAILURE, now, "nemesis: cannot "
		    "start %s again: %s", ch->name, strerror(errno));
		nm->restart_at = INT64_MAX;
		return;
	}
	/* A protocol failure of an earlier life stays a failure. */
	memcpy(why, ch->fate.malformed_why, sizeof why);
	memset(&ch->fate, 0, sizeof ch->fate);
	ch->fate.external = external;
	ch->fate.malformed = malformed;
	memcpy(ch->fate.malformed_why, why, sizeof why);
	ch->pid = pid;
	ch->t_reaped = 0;
	sl->fd = fd;
	sl->next_seq = 1;
	sl->gone = 0;
	if (sl->eof) {
		sl->eof = 0;
		st->neof--;
	}
	if (was_down) {
		st->nalive++;
		st->nalive_internal += !external;
	}
	ch->restarts++;
	st->res->nemesis_restarts++;
	if (st->opt->on_restart != NULL)
		st->opt->on_restart(st->opt->user, (int)i, now);
	if ((k = sup_window_open(st, now, "restart", i)) >= 0)
		sup_window_close(st, (size_t)k, now);
	if (st->res->trace != NULL)
		trace_line(st->res->trace, ch->name, "nemesis: started again "
		    "(pid %ld)", (long)pid);
	(void)sup_event_add(st->res, SUP_EV_NEMESIS, (int)i, SUP_NO_SNAPSHOT,
	    VERDICT_PASS, nm->last.t_ns, "nemesis: kill %s at %.3fs %s%s, "
	    "started again at %.3fs", ch->name, sup_rel_s(st, nm->last.t_ns),
	    sup_phase_name(nm->last.phase), nm->last.aimed ? " (aimed)" : "",
	    sup_rel_s(st, now));
}

/*
 * SIGKILL child i (a sidecar: its group), reap it, drain its pipe, tell
 * the caller what it had published, and start it again now or after
 * delay.  The reap blocks: SIGKILL cannot be caught, and a stopped child
 * dies of it too.
 */
static void
sup_nem_kill(struct sup_state *st, size_t i, int64_t delay, int64_t now)
{
	struct sup_nem *nm = &st->nem[i];
	struct sup_child *ch = &st->res->children[i];
	struct sup_slot *sl = &st->slots[i];
	int status, aim;
	long k;
	pid_t r;

	if (sl->gone || nm->restart_at != 0 || ch->pid <= 0)
		return;
	aim = st->specs[i].worker && st->nkills++ % 2 == 0;
	memset(&nm->last, 0, sizeof nm->last);
	if (aim)
		nm->last.aimed = sup_nem_aim(st, i, 0);
	sup_nem_signal(ch, SIGKILL);
	nm->last.t_ns = util_now_ns();
	do
		r = waitpid(ch->pid, &status, 0);
	while (r < 0 && errno == EINTR);
	/*
	 * A kill disturbs the others at its moment (a lock let go mid-write,
	 * a hot journal or WAL to recover) and again at the restart: each
	 * is a window of its own, closed at once (the busy timeout is added
	 * by the rule).  The time the child is down is none: a dead process
	 * holds no lock.
	 */
	if ((k = sup_window_open(st, nm->last.t_ns, "kill", i)) >= 0)
		sup_window_close(st, (size_t)k, nm->last.t_ns);
	if (nm->paused_until != 0) {
		sup_window_close(st, nm->pause_win, nm->last.t_ns);
		nm->paused_until = 0;
	}
	nm->last.phase = (enum child_phase)st->cslots[i].phase;
	nm->last.lo = st->cslots[i].lo;
	nm->last.hi = st->cslots[i].hi;
	ch->kills++;
	st->res->nemesis_kills++;
	sup_nem_drain(st, i);
	if (st->opt->on_kill != NULL)
		st->opt->on_kill(st->opt->user, (int)i, &nm->last);
	/* What the judge sees if it is never started again. */
	ch->fate.reaped = r == ch->pid;
	ch->fate.status = status;
	ch->fate.sent_signal = SIGKILL;
	ch->fate.nemesis = 1;
	ch->t_reaped = util_now_ns();
	(void)now;
	if (delay <= 0) {
		sup_nem_restart(st, i, util_now_ns());
		return;
	}
	nm->restart_at = util_now_ns() + delay;
	sl->gone = 1;
	if (!sl->eof) {
		sl->eof = 1;
		st->neof++;
	}
	st->nalive--;
	st->nalive_internal -= !ch->fate.external;
}

/* The child index named name, or -1. */
static long
sup_child_named(const struct sup_state *st, const char *name)
{
	size_t i;

	for (i = 0; i < st->n; i++)
		if (strcmp(st->specs[i].name, name) == 0)
			return (long)i;
	return -1;
}

/* The index of the k-th worker of the run, or -1. */
static long
sup_worker_at(const struct sup_state *st, int k)
{
	size_t i;

	for (i = 0; i < st->n; i++)
		if (st->specs[i].worker && k-- == 0)
			return (long)i;
	return -1;
}

/*
 * --nemesis io: arm child i's slot (the fields, a barrier, then the
 * generation it fires once for), or set the shared io:full limit.
 */
static void
sup_nem_io(struct sup_state *st, struct nemesis_item *it, long i)
{
	struct child_slot *s;

	it->armed++;
	if (it->io_kind == NEMESIS_IO_FULL) {
		st->shared->io_full_item = (int32_t)(it - st->plan->v);
		__sync_synchronize();
		st->shared->io_full = (int64_t)it->io_size;
		return;
	}
	s = &st->cslots[i];
	s->io_op = it->io_op;
	s->io_code = it->io_code;
	s->io_short = it->io_kind == NEMESIS_IO_SHORT;
	s->io_item = (int32_t)(it - st->plan->v);
	__sync_synchronize();
	s->io_gen = s->io_gen + 1;
	if (st->res->trace != NULL)
		trace_line(st->res->trace, st->res->children[i].name,
		    "nemesis: io %s armed", it->io_kind == NEMESIS_IO_SHORT ?
		    "short-write" : nemesis_io_op_name(it->io_op));
}

static void
sup_nem_act(struct sup_state *st, const struct nemesis_item *it, size_t i,
    int64_t now)
{
	if (it->action == NEMESIS_IO)
		sup_nem_io(st, (struct nemesis_item *)it, (long)i);
	else if (it->action == NEMESIS_KILL)
		sup_nem_kill(st, i, it->length_ns, now);
	else
		sup_nem_pause(st, i, it->length_ns, now);
}

static void
sup_nem_fire(struct sup_state *st, const struct nemesis_item *it,
    int64_t now)
{
	int nworkers = 0, k;
	long c;

	for (c = 0; (size_t)c < st->n; c++)
		nworkers += st->specs[c].worker != 0;
	if (it->action == NEMESIS_IO && it->io_kind == NEMESIS_IO_FULL) {
		sup_nem_io(st, (struct nemesis_item *)it, -1);
		return;
	}
	switch (it->target) {
	case NEMESIS_CHILD:
		if ((c = sup_child_named(st, it->name)) >= 0)
			sup_nem_act(st, it, (size_t)c, now);
		break;
	case NEMESIS_ANY_WORKER:
		if (nworkers > 0 && (c = sup_worker_at(st,
		    nemesis_pick(st->plan, nworkers))) >= 0)
			sup_nem_act(st, it, (size_t)c, now);
		break;
	case NEMESIS_ALL_WORKERS:
		for (k = 0; k < nworkers; k++)
			if ((c = sup_worker_at(st, k)) >= 0)
				sup_nem_act(st, it, (size_t)c, now);
		break;
	}
}

/*
 * While the run goes on: end the pauses and downtimes that are due, then
 * fire what the plan says is due.  Returns when something is next due,
 * or -1.
 */
static int64_t
sup_nemesis_step(struct sup_state *st, int64_t now)
{
	int64_t next = -1, t;
	size_t i;
	long k;

	if (st->plan == NULL)
		return -1;
	for (i = 0; i < st->n; i++) {
		struct sup_nem *nm = &st->nem[i];

		if (nm->paused_until != 0 && now >= nm->paused_until)
			sup_nem_continue(st, i, now);
		if (nm->restart_at != 0 && nm->restart_at != INT64_MAX &&
		    now >= nm->restart_at)
			sup_nem_restart(st, i, now);
	}
	while ((k = nemesis_due(st->plan, now - st->res->start_ns)) >= 0)
		sup_nem_fire(st, &st->plan->v[k], util_now_ns());
	while ((k = nemesis_lift_due(st->plan, now - st->res->start_ns)) >= 0) {
		st->shared->io_full = 0;        /* io:full=SIZE/DUR lifts */
		st->plan->v[k].lifted_at_ns = util_now_ns();
	}
	for (i = 0; i < st->n; i++) {
		if (st->nem[i].paused_until != 0)
			next = sup_earliest(next, st->nem[i].paused_until);
		if (st->nem[i].restart_at != 0 &&
		    st->nem[i].restart_at != INT64_MAX)
			next = sup_earliest(next, st->nem[i].restart_at);
	}
	if ((t = nemesis_next(st->plan)) >= 0)
		next = sup_earliest(next, st->res->start_ns + t);
	return next;
}

/*
 * The run is over (deadline, interrupt, or an error path): every paused
 * child gets SIGCONT, never left stopped; a child still down stays down,
 * judged as the nemesis's kill, and its pipe's end is told to the caller.
 */
static void
sup_nemesis_end(struct sup_state *st, int64_t now)
{
	size_t i;

	if (st->nem == NULL || st->res->children == NULL)
		return;
	for (i = 0; i < st->n; i++) {
		struct sup_nem *nm = &st->nem[i];
		struct sup_child *ch = &st->res->children[i];

		sup_nem_continue(st, i, now);
		if (nm->restart_at == 0)
			continue;
		nm->restart_at = 0;
		(void)sup_event_add(st->res, SUP_EV_NEMESIS, (int)i,
		    SUP_NO_SNAPSHOT, VERDICT_PASS, nm->last.t_ns, "nemesis: "
		    "kill %s at %.3fs %s, not started again: the run ended",
		    ch->name, sup_rel_s(st, nm->last.t_ns),
		    sup_phase_name(nm->last.phase));
		if (ch->fate.t_gone == 0)
			ch->fate.t_gone = ch->t_reaped;
		if (st->opt->on_eof != NULL)
			st->opt->on_eof(st->opt->user, (int)i);
	}
}

/*
 * Escalate against protocol children still alive past the grace.  Returns
 * the next time something is due, or -1.
 */
static int64_t
sup_escalate(struct sup_state *st, int64_t now)
{
	int64_t t_term = st->res->shutdown_ns + st->opt->grace_ns;
	int64_t t_kill = t_term + st->opt->kill_after_ns;
	size_t i;

	int cut = 0;

	if (st->interrupts >= 2 && !st->killed && now < t_term) {
		/* A second ^C: no more patience, but nobody's grace was up. */
		t_term = t_kill = now;
		cut = 1;
	} else if (st->interrupts >= 2 && !st->killed)
		t_kill = now;
	if (!st->termed && now >= t_term) {
		st->termed = 1;
		for (i = 0; i < st->n; i++) {
			struct sup_child *ch = &st->res->children[i];

			/*
			 * A child that sent DONE is only slow to exit (a loaded
			 * machine, valgrind): it gets until t_kill.
			 */
			if (st->slots[i].gone || ch->pid <= 0 ||
			    ch->fate.done_seen || ch->fate.external)
				continue;
			if (cut)
				ch->fate.cut_short = 1;
			else
				ch->fate.hung = 1;
			sup_signal(ch, SIGTERM);
		}
	}
	if (!st->killed && now >= t_kill) {
		st->killed = 1;
		for (i = 0; i < st->n; i++)
			if (!st->slots[i].gone && st->res->children[i].pid > 0 &&
			    !st->res->children[i].fate.external) {
				if (cut)
					st->res->children[i].fate.cut_short = 1;
				else
					st->res->children[i].fate.hung = 1;
			}
		sup_kill_all(st, SIGKILL, 0);
	}
	st->reap_due = 1;
	if (st->nalive_internal == 0)
		return -1;
	if (!st->termed)
		return t_term;
	if (!st->killed)
		return t_kill;
	return -1;
}

/*
 * Sidecars stop last: SIGTERM once every protocol child is gone (the
 * store must outlive its writers), SIGKILL a grace later.  Returns the
 * next time something is due, or -1.
 */
static int64_t
sup_escalate_external(struct sup_state *st, int64_t now)
{
	size_t i;

	if (st->nalive == st->nalive_internal)
		return -1;              /* no sidecar alive */
	if (st->ext_term == 0 && (st->nalive_internal == 0 || st->killed ||
	    st->interrupts >= 2)) {
		st->ext_term = now;
		for (i = 0; i < st->n; i++) {
			struct sup_child *ch = &st->res->children[i];

			if (ch->fate.external && !st->slots[i].gone)
				sup_signal(ch, SIGTERM);
		}
	}
	if (st->ext_term == 0)
		return -1;
	if (!st->ext_killed && (now >= st->ext_term + st->opt->grace_ns ||
	    st->interrupts >= 2)) {
		int cut = now < st->ext_term + st->opt->grace_ns;

		st->ext_killed = 1;
		for (i = 0; i < st->n; i++) {
			struct sup_child *ch = &st->res->children[i];

			if (!ch->fate.external || st->slots[i].gone)
				continue;
			if (cut)
				ch->fate.cut_short = 1;
			else
				ch->fate.hung = 1;
			sup_signal(ch, SIGKILL);
		}
	}
	st->reap_due = 1;
	return st->ext_killed ? -1 : st->ext_term + st->opt->grace_ns;
}

/*
 * Give up on pipes still open after every child is gone (a grandchild
 * holds one), as if they had reached EOF.
 */
static void
sup_abandon_pipes(struct sup_state *st)
{
	size_t i;

	for (i = 0; i < st->n; i++)
		if (!st->slots[i].eof)
			sup_on_eof(st, i);
}

/* --powerloss: when the cut is due, or -1 (none). */
static int64_t
sup_cut_due(const struct sup_state *st)
{
	if (st->opt->cut_ns <= 0 || st->res->start_ns == 0)
		return -1;
	return st->res->start_ns + st->opt->cut_ns;
}

/*
 * Wait until child i is stopped (or gone: then it is reaped here).
 * WUNTRACED makes waitpid() return once the stop has taken effect: a
 * SIGSTOP only takes effect when the target next leaves the kernel, so
 * kill() returning says nothing yet.
 */
/* How long the cut waits for one child to stop before it goes on. */
#define SUP_CUT_STOP_WAIT_NS (5 * UTIL_NS_PER_S)

static void
sup_cut_wait_stopped(struct sup_state *st, size_t i)
{
	struct sup_child *ch = &st->res->children[i];
	int64_t until = util_now_ns() + SUP_CUT_STOP_WAIT_NS;
	struct timespec ts = { 0, 1000000 };
	int status = 0;
	pid_t r;

	/*
	 * A worker the nemesis paused is stopped already, and its stop was
	 * reported (and taken) then: no second report will come.
	 */
	if (st->nem != NULL && st->nem[i].paused_until != 0)
		return;
	/*
	 * A child inside a long system call (an fsync on a slow disk) stops
	 * only when it returns: wait for it, but not forever.  One that has
	 * not stopped by then is killed with the rest; it can write nothing
	 * after its call returns, and a sync it began without logging its
	 * end counts as not done, which only adds crash states.
	 */
	for (;;) {
		r = waitpid(ch->pid, &status, WUNTRACED | WNOHANG);
		if (r < 0 && errno == EINTR)
			continue;
		if (r != 0 || util_now_ns() >= until)
			break;
		(void)nanosleep(&ts, NULL);
	}
	if (r == 0 || (r == ch->pid && WIFSTOPPED(status)))
		return;
	st->slots[i].gone = 1;
	ch->t_reaped = util_now_ns();
	ch->fate.reaped = r == ch->pid;
	ch->fate.status = status;
	if (ch->fate.t_gone == 0)
		ch->fate.t_gone = ch->t_reaped;
}

/*
 * --powerloss: the power goes out.  Every live child gets SIGSTOP, and
 * only once every one of them is seen stopped does any get SIGKILL: a
 * process that died first would let go of its locks, and another could
 * then act on that (recover a hot journal) while a real power loss lets
 * nobody act at all.  "At once" thus means: from the moment the last
 * child stopped (res->cut_ns) nothing more is written, and no child saw
 * another die.  Each child's published phase and seqs are kept (the
 * highest seq it attempted).  The shutdown follows: the run ends here.
 */
static void
sup_cut(struct sup_state *st)
{
	size_t i;

	for (i = 0; i < st->n; i++)
		if (!st->slots[i].gone && st->res->children[i].pid > 0)
			sup_signal(&st->res->children[i], SIGSTOP);
	for (i = 0; i < st->n; i++)
		if (!st->slots[i].gone && st->res->children[i].pid > 0)
			sup_cut_wait_stopped(st, i);
	st->res->cut_ns = util_now_ns();
	if (st->res->trace != NULL)
		trace_line(st->res->trace, "run", "power cut: every child "
		    "stopped");
	for (i = 0; i < st->n; i++) {
		struct sup_child *ch = &st->res->children[i];

		ch->cut.t_ns = st->res->cut_ns;
		ch->cut.phase = (enum child_phase)st->cslots[i].phase;
		ch->cut.lo = st->cslots[i].lo;
		ch->cut.hi = st->cslots[i].hi;
		if (st->slots[i].gone || ch->pid <= 0)
			continue;
		ch->fate.powerloss = 1;
		sup_signal(ch, SIGKILL);
	}
	st->reap_due = 1;
	sup_shutdown_now(st);
}

/*
 * Work out what is due in the current phase and when poll() must wake
 * next.  Returns 1 when the run is over: every child reaped and every pipe
 * at EOF, or quiet for SUP_LINGER_NS since both the last reap and the last
 * byte read (a pipe some grandchild holds open must not keep us forever,
 * but a pipe that still yields data is drained).
 */
static int
sup_step(struct sup_state *st, int64_t now, int64_t *wake)
{
	int64_t linger_until;

	*wake = -1;
	if (st->reap_due || now >= st->next_reap) {
		(void)sup_reap(st, 0);
		st->next_reap = now + SUP_REAP_EVERY_NS;
		now = util_now_ns();
	}
	switch (st->phase) {
	case SUP_READY:
		*wake = st->res->t_spawned + st->ready_timeout_ns;
		break;
	case SUP_RUN:
		*wake = sup_earliest(sup_earliest(st->res->deadline_ns,
		    st->nem_wake), sup_cut_due(st));
		if (st->opt->on_tick != NULL && st->next_tick < *wake)
			*wake = st->next_tick;
		break;
	case SUP_DRAIN:
		if (st->nalive > 0) {
			*wake = sup_earliest(sup_escalate(st, now),
			    sup_escalate_external(st, now));
			break;
		}
		if (sup_all_eof(st))
			return 1;
		linger_until = (st->last_data > st->all_reaped ? st->last_data :
		    st->all_reaped) + SUP_LINGER_NS;
		if (now >= linger_until) {
			sup_abandon_pipes(st);
			return 1;
		}
		*wake = linger_until;
		return 0;
	}
	if (st->nalive > 0 && (*wake < 0 || *wake > st->next_reap))
		*wake = st->next_reap;
	return 0;
}

static int
sup_everyone_gone(struct sup_state *st)
{
	return sup_all_eof(st) && st->nalive == 0;
}

static int
sup_loop(struct sup_state *st)
{
	struct pollfd *pfd;
	size_t *map;
	pfd = calloc(st->n + 1, sizeof *pfd);
	map = calloc(st->n + 1, sizeof *map);
	if (pfd == NULL || map == NULL) {
		free(pfd);
		free(map);
		return -1;
	}
	for (;;) {
		int64_t now = util_now_ns(), wake;
		size_t i, np = 0;
		int n;

		sup_take_signals(st);
		if (st->phase == SUP_READY && st->res->interrupted) {
			/* Stopped during startup: release nobody. */
			st->cancelled = 1;
			sup_shutdown_now(st);
		} else if (st->phase == SUP_READY && (sup_all_ready(st) ||
		    now >= st->res->t_spawned + st->ready_timeout_ns))
			sup_release(st);
		if (st->phase == SUP_RUN && sup_cut_due(st) >= 0 &&
		    now >= sup_cut_due(st))
			sup_cut(st);
		if (st->phase == SUP_RUN) {
			/* Nobody left to wait for: the verdict is already in. */
			if (st->res->interrupted || now >= st->res->deadline_ns ||
			    sup_everyone_gone(st))
				sup_shutdown_now(st);
			else
				st->nem_wake = sup_nemesis_step(st, now);
			if (st->phase == SUP_RUN && st->opt->on_tick != NULL &&
			    now >= st->next_tick) {
				st->opt->on_tick(st->opt->user, now);
				st->next_tick = now + SUP_TICK_NS;
			}
		}
		if (sup_step(st, now, &wake))
			break;

		pfd[np].fd = sup_sigpipe[0];
		pfd[np].events = POLLIN;
		map[np++] = st->n;
		for (i = 0; i < st->n; i++) {
			if (st->slots[i].eof)
				continue;
			pfd[np].fd = st->slots[i].fd;
			pfd[np].events = POLLIN;
			map[np++] = i;
		}
		n = poll(pfd, (nfds_t)np, wake < 0 ? -1 :
		    util_poll_timeout(wake, util_now_ns()));
		if (n < 0 && errno != EINTR) {
			free(pfd);
			free(map);
			return -1;
		}
		for (i = 0; n > 0 && i < np; i++)
			if (pfd[i].revents != 0 && map[i] < st->n)
				sup_read_slot(st, map[i]);
	}
	free(pfd);
	free(map);
	return 0;
}

/*
 * Judge every child's end, once: the verdict and reason stay with the
 * child; one that is not a pass is also an event, with the caller's note.
 */
static void
sup_judge_fates(struct sup_state *st)
{
	size_t i, len;

	for (i = 0; i < st->n; i++) {
		struct sup_child *ch = &st->res->children[i];
		struct sup_event ev;

		ch->fate.shutdown_ns = st->res->shutdown_ns;
		ch->fate.cancelled = st->cancelled && !ch->fate.external;
		ch->verdict = classify_fate(&ch->fate, ch->reason,
		    sizeof ch->reason);
		if (ch->verdict == VERDICT_PASS) {
			/* Only a failed end is an event; a pass is traced. */
			if (st->res->trace != NULL)
				trace_verdict(st->res->trace, ch->name,
				    VERDICT_PASS, "fate", SUP_NO_SNAPSHOT, "");
			continue;
		}
		memset(&ev, 0, sizeof ev);
		ev.kind = SUP_EV_FATE;
		ev.child = (int)i;
		ev.snapshot = SUP_NO_SNAPSHOT;
		ev.t_ns = ch->fate.t_gone;
		ev.verdict = ch->verdict;
		util_strlcpy(ev.reason, ch->reason, sizeof ev.reason);
		len = strlen(ev.reason);
		if (st->opt->fate_note != NULL && len + 2 < sizeof ev.reason) {
			char note[CLASSIFY_REASON_MAX];

			note[0] = '\0';
			st->opt->fate_note(st->opt->user, (int)i, note,
			    sizeof note);
			if (note[0] != '\0')
				snprintf(ev.reason + len, sizeof ev.reason - len,
				    "; %s", note);
		}
		(void)sup_event_push(st->res, &ev);
	}
}

static void
sup_teardown(struct sup_state *st)
{
	size_t i;

	if (st->slots != NULL)
		for (i = 0; i < st->n; i++)
			util_close(&st->slots[i].fd);
	util_close(&st->start_w);
	util_close(&st->start_r);
	util_close(&st->shutdown_w);
	util_close(&st->shutdown_r);
	free(st->slots);
	free(st->nem);
	if (st->shared != NULL)
		munmap(st->shared, st->shared_len);
	if (st->nofile_raised)
		(void)setrlimit(RLIMIT_NOFILE, &st->saved_nofile);
}

/* Spawning failed half-way: release nobody, kill and reap the others. */
static void
sup_abort_spawn(struct sup_state *st)
{
	int saved = errno;

	util_close(&st->start_w);       /* EOF with start_ns == 0: leave */
	sup_kill_all(st, SIGKILL, 1);
	(void)sup_reap(st, 1);
	errno = saved;
}

/*
 * The parent holds one report pipe per child: raise the soft fd limit
 * toward the hard one if it is too low (macOS starts at 256).
 */
static void
sup_raise_nofile(struct sup_state *st)
{
	struct rlimit rl;
	rlim_t need = (rlim_t)st->n + 64;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur >= need)
		return;
	st->saved_nofile = rl;
	st->nofile_raised = 1;
	rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > need ?
	    need : rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
		st->nofile_raised = 0;
}

static int
sup_setup(struct sup_state *st)
{
	int p[2];
	size_t i;

	/* The page, then one child_slot per child, 64-byte aligned. */
	size_t head = (sizeof *st->shared + 63) & ~(size_t)63;
	void *map;

	sup_raise_nofile(st);
	st->shared_len = head + st->n * sizeof *st->cslots;
	map = mmap(NULL, st->shared_len, PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (map == MAP_FAILED)
		return -1;
	memset(map, 0, st->shared_len);
	st->shared = map;
	st->cslots = (struct child_slot *)(void *)((char *)map + head);
	st->slots = calloc(st->n, sizeof *st->slots);
	st->nem = calloc(st->n, sizeof *st->nem);
	st->res->children = calloc(st->n, sizeof *st->res->children);
	if (st->slots == NULL || st->nem == NULL || st->res->children == NULL)
		return -1;
	st->res->nchildren = st->n;
	for (i = 0; i < st->n; i++)
		st->slots[i].fd = -1;
	if (util_pipe(p) < 0)
		return -1;
	st->start_r = p[0];
	st->start_w = p[1];
	if (util_pipe(p) < 0)
		return -1;
	st->shutdown_r = p[0];
	st->shutdown_w = p[1];
	return 0;
}

int
sup_run(const struct sup_options *opt, const struct sup_spec *specs,
    size_t nspecs, struct sup_result *res)
{
	struct sup_saved_signals sv;
	struct sup_state st;
	struct sup_sig noted;
	int carried;
	size_t i;
	int rc = -1;

	memset(res, 0, sizeof *res);
	res->trace = opt->trace;
	memset(&st, 0, sizeof st);
	st.opt = opt;
	st.specs = specs;
	st.n = nspecs;
	st.res = res;
	st.start_w = st.start_r = st.shutdown_w = st.shutdown_r = -1;
	st.self = getpid();
	st.nem_wake = -1;
	if (opt->nemesis != NULL && opt->nemesis->n > 0) {
		st.plan = opt->nemesis;
		nemesis_start(st.plan, opt->nemesis_seed);
	}
	if (opt->ready_timeout_ns <= 0)
		st.ready_timeout_ns = 30 * UTIL_NS_PER_S;
	else
		st.ready_timeout_ns = opt->ready_timeout_ns;
	if (sup_signals_install(&sv) < 0) {
		sup_signals_restore(&sv);
		return -1;
	}
	/*
	 * An interrupt noted before our handlers took over (during setup)
	 * is this run's: checked after the install, so none falls between.
	 */
	carried = sup_noted_carried;
	noted.signo = sup_signal_take(&noted.sender);
	/* The last run's own interrupt, left for the guard, is not ours. */
	if (noted.signo != 0 && !carried)
		sup_take_signal(&st, &noted);
	if (sup_setup(&st) < 0)
		goto out;
	res->t_spawned = util_now_ns();
	for (i = 0; i < nspecs; i++) {
		if (sup_spawn_one(&st, i) < 0) {
			sup_abort_spawn(&st);
			goto out;
		}
	}
	/*
	 * The parent keeps only the write ends of start and shutdown, and
	 * the read ends too when the nemesis may start a child again.
	 */
	if (st.plan == NULL) {
		util_close(&st.start_r);
		util_close(&st.shutdown_r);
	}
	st.phase = SUP_READY;
	if (sup_loop(&st) < 0) {
		sup_abort_spawn(&st);
		goto out;
	}
	(void)sup_reap(&st, 0);
	res->done_ns = util_now_ns();
	sup_judge_fates(&st);
	rc = 0;
out:
	/* Never leave a stopped child behind, whatever the way out. */
	sup_nemesis_end(&st, util_now_ns());
	sup_teardown(&st);
	sup_signals_restore(&sv);
	/*
	 * The run's interrupt stays noted for the guard, so that during the
	 * final checks a second, separate one stops us at once (and the
	 * group's copy of the first is still the same one), as it would
	 * have during the run.  The caller's sup_signal_take() clears it.
	 */
	if (st.interrupts > 0)
		sup_note_carried(st.first_signo, st.first_sender);
	return rc;
}
