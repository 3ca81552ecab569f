/* SPDX-License-Identifier: MIT */
/*
 * supervisor: the generic parent.  It forks children (each with its own
 * report pipe, the shared start and shutdown pipes, nothing else), releases
 * them together, runs one poll() loop over the report pipes and a signal
 * self-pipe, closes the shutdown pipe at the deadline, drains every pipe to
 * EOF, reaps every child (SIGTERM then SIGKILL past the grace), and turns
 * errors and exits into verdicts.  It knows children, pipes, clocks and
 * verdicts; it knows nothing of SQL.  Records it does not judge itself are
 * handed to the caller's callback.
 */
#ifndef SQLSTORM_SUPERVISOR_H
#define SQLSTORM_SUPERVISOR_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "child.h"
#include "classify.h"
#include "fault.h"
#include "wire.h"

#define SUP_NAME_MAX 24

/*
 * One child to spawn.  main runs in the child after fork with everything
 * set up; its return value is the exit status (it must not exit itself).
 */
struct sup_spec {
	char  name[SUP_NAME_MAX];   /* "w0", "validator": shown in reports */
	int   fault_index;          /* worker index, or FAULT_CHILD_VALIDATOR */
	int (*main)(struct child_ctx *ctx, void *arg);
	void *arg;
	/*
	 * An external child (a sidecar): main execs a program that speaks no
	 * protocol.  It is ready at once, runs in a process group of its own,
	 * gets SIGTERM (to the group) once every other child is gone and
	 * SIGKILL a grace later; only its wait status judges it.
	 */
	int   external;
};

struct sup_options {
	int64_t duration_ns;
	int64_t grace_ns;           /* after shutdown, before SIGTERM */
	int64_t kill_after_ns;      /* after SIGTERM, before SIGKILL */
	int64_t ready_timeout_ns;   /* children must be READY by then */
	enum late_policy policy;
	const struct fault_list *faults;    /* may be NULL */
	int no_pdeathsig;           /* tests: rely on the shutdown pipe alone */
	/*
	 * Called in the parent for every well-formed record, after the
	 * supervisor has taken what it needs (READY, ERROR, DONE).
	 */
	void (*on_record)(void *user, int child, const struct wire_record *r);
	/* Called once when a child's report pipe reaches EOF. */
	void (*on_eof)(void *user, int child);
	/* Called about every 100 ms while running (progress display). */
	void (*on_tick)(void *user, int64_t now_ns);
	void *user;
};

/* One judged item: an ERROR record or a child's end. */
struct sup_event {
	int          child;             /* index into the spec array, -1 = none */
	enum verdict verdict;
	int          is_error;          /* 1: err is valid */
	struct wire_error err;
	int64_t      t_ns;              /* when it happened (monotonic) */
	int          late;
	char         reason[CLASSIFY_REASON_MAX];
};

struct sup_child {
	pid_t   pid;
	char    name[SUP_NAME_MAX];
	struct classify_fate fate;
	int     ready;
	uint64_t records;
	int64_t t_ready;
	int64_t t_reaped;
};

struct sup_result {
	int      interrupted;           /* SIGINT/SIGTERM/SIGHUP stopped the run */
	int      signal;                /* the first of them */
	int64_t  t_spawned;             /* when the first fork happened */
	int64_t  start_ns;              /* release time (clock start); 0 if an
	                                   interrupt came first: nobody ran */
	int64_t  deadline_ns;           /* start + duration; 0 as start_ns */
	/*
	 * When shutdown was signalled: stamped and published to the
	 * children (child_shared.shutdown_ns) just before the parent closed
	 * the shutdown pipe, at the deadline, at an interrupt, or once every
	 * child was gone.  Later than deadline_ns when the parent was late
	 * (stopped, starved); earlier when interrupted.  Errors are late only
	 * at or after it (or once the child had seen shutdown); the overrun
	 * still counts from deadline_ns.  Set whenever sup_run returns 0.
	 */
	int64_t  shutdown_ns;
	int64_t  done_ns;               /* last child reaped, pipes drained */
	struct sup_child *children;     /* nchildren entries */
	size_t   nchildren;
	struct sup_event *events;       /* every error and every bad end */
	size_t   nevents, capevents;
	size_t   nfailures, nexpected;
	uint64_t dropped_events;        /* not stored past SUP_MAX_EVENTS */
};

#define SUP_MAX_EVENTS 100000

/*
 * Run the children to the end.  Returns 0 when the run happened (its
 * verdicts are in *res), or -1 with errno when it could not start (pipe,
 * fork or memory failure; children already spawned are killed and reaped).
 * SIGPIPE is ignored and SIGINT, SIGTERM, SIGHUP and SIGCHLD handled for
 * the duration; the previous dispositions are restored on return.  Only
 * the children it spawned are waited for.  Free *res with sup_result_free().
 *
 * Interrupts: SIGINT, SIGTERM or SIGHUP stops the run at once (through the
 * shutdown pipe; before the release, nobody is released and every child
 * leaves without running).  The same signal again from the same sender
 * (timeout(1) signals us, then our process group) is the same request; a
 * second, separate one (another ^C, another signal or sender) kills the
 * children at once.  Protocol children ignore SIGINT, SIGTERM and SIGHUP
 * from anyone but the parent, so a signal to the whole group or to every
 * process of the run stops them cleanly, through the parent.
 */
int sup_run(const struct sup_options *opt, const struct sup_spec *specs,
    size_t nspecs, struct sup_result *res);

/*
 * Outside sup_run(): install a handler for SIGINT, SIGTERM and SIGHUP
 * that only notes the first interrupt (a copy of it that reached the
 * whole process group from the same sender is the same one; any other
 * signal after it kills the process at once).  sup_run() saves and
 * restores it, and takes a noted interrupt as its own: the run then
 * releases nobody and is reported interrupted.  Call once, in main.
 * Returns 0, or -1 with errno.
 */
int sup_signals_guard(void);

/*
 * The interrupt noted outside sup_run() and not yet taken, or 0; clears
 * it.  *sender (if not NULL) gets the sender's pid, 0 for the kernel.
 */
int sup_signal_take(pid_t *sender);

/* Add a verdict found by the caller (a lost row, a failed snapshot). */
int sup_result_add(struct sup_result *res, int child, enum verdict v,
    int64_t t_ns, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 5, 6)))
#endif
    ;

void sup_result_free(struct sup_result *res);

#endif
