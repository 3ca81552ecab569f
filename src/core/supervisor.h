/* SPDX-License-Identifier: MIT */
/*
 * supervisor: the generic parent.  It forks children (each with its own
 * report pipe, the shared start and shutdown pipes, nothing else), releases
 * them together, runs one poll() loop over the report pipes and a signal
 * self-pipe, closes the shutdown pipe at the deadline, drains every pipe to
 * EOF, reaps every child (SIGTERM then SIGKILL past the grace), and turns
 * errors and exits into verdicts: typed events, each judged once, as it
 * comes in.  It knows children, pipes, clocks and verdicts; it knows
 * nothing of SQL: which error codes are benign when late, and their names,
 * come from the caller's struct classify_policy.  Records it does not
 * judge itself are handed to the caller's callback, which adds its own
 * typed events (sup_event_add()).  With a trace FILE it logs every record
 * and verdict (trace.h).  With a --nemesis plan (nemesis.h) it also
 * SIGKILLs children and starts them again under the same name with a
 * fresh pipe, or stops and continues them, on the plan's clock; each
 * disruption is a window that explains shutdown-typical errors in it
 * (expected, cause nemesis) and a SUP_EV_NEMESIS event.
 */
#ifndef SQLSTORM_SUPERVISOR_H
#define SQLSTORM_SUPERVISOR_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "child.h"
#include "classify.h"
#include "fault.h"
#include "nemesis.h"
#include "wire.h"

#define SUP_NAME_MAX 24

/*
 * One child to spawn.  main runs in the child after fork with everything
 * set up; its return value is the exit status (it must not exit itself).
 */
struct sup_spec {
	char  name[SUP_NAME_MAX];   /* "w0", "validator": shown in reports */
	int   fault_index;          /* worker index, or a named fault target */
	int (*main)(struct child_ctx *ctx, void *arg);
	void *arg;
	/*
	 * An external child (a sidecar): main execs a program that speaks no
	 * protocol.  It is ready at once, runs in a process group of its own,
	 * gets SIGTERM (to the group) once every other child is gone and
	 * SIGKILL a grace later; only its wait status judges it.
	 */
	int   external;
	/* In the group --nemesis calls "workers" (and draws "worker" from). */
	int   worker;
};

/*
 * What the parent saw of a child it killed for --nemesis, once it is
 * reaped and its pipe drained: the phase and the transaction it had
 * published (struct child_slot), and when it died.
 */
struct sup_kill {
	int64_t  t_ns;
	enum child_phase phase;
	uint64_t lo, hi;
	int      aimed;             /* the kill waited for COMMIT and saw it */
};

struct sup_options {
	int64_t duration_ns;
	int64_t grace_ns;           /* after shutdown, before SIGTERM */
	int64_t kill_after_ns;      /* after SIGTERM, before SIGKILL */
	int64_t ready_timeout_ns;   /* children must be READY by then */
	enum late_policy policy;
	/* The scenario's error codes: benign when late, names (may be NULL). */
	const struct classify_policy *codes;
	const struct fault_list *faults;    /* may be NULL */
	int no_pdeathsig;           /* tests: rely on the shutdown pipe alone */
	/*
	 * The debugging trace (trace.h), or NULL: off, at the cost of one
	 * pointer test per record.  The caller opens and closes it; it is
	 * kept in sup_result.trace so events added after the run are traced.
	 */
	FILE *trace;
	/*
	 * Called in the parent for every well-formed record, after the
	 * supervisor has taken what it needs (READY, ERROR, DONE).
	 */
	void (*on_record)(void *user, int child, const struct wire_record *r);
	/* Called once when a child's report pipe reaches EOF. */
	void (*on_eof)(void *user, int child);
	/*
	 * Called once the run is over for each child whose end is not a
	 * pass: may write a note into buf (cap bytes), appended to the
	 * event's reason after "; " (the child's own reason stays as judged).
	 */
	void (*fate_note)(void *user, int child, char *buf, size_t cap);
	/*
	 * --nemesis: the plan (run from the release, seeded with
	 * nemesis_seed; NULL: none), the slack added to the end of each
	 * disruption's window (the busy timeout), and the callback told of
	 * each kill once the killed child is reaped and its pipe drained,
	 * before it is started again (records from the new one follow).
	 */
	struct nemesis_plan *nemesis;
	uint64_t nemesis_seed;
	int64_t  nemesis_slack_ns;
	void (*on_kill)(void *user, int child, const struct sup_kill *k);
	/* Called when a killed child is started again, at t_ns. */
	void (*on_restart)(void *user, int child, int64_t t_ns);
	/*
	 * --powerloss: the cut, this long after the release (0: none).  At
	 * it every child is stopped, then killed, and the run ends there
	 * (sup_result.cut_ns); a child killed by it is not judged for that
	 * end (classify_fate.powerloss).
	 */
	int64_t  cut_ns;
	/* Called about every 100 ms while running (progress display). */
	void (*on_tick)(void *user, int64_t now_ns);
	void *user;
};

/*
 * What an event is about.  Each is judged once, where it is ingested (an
 * ERROR record and a child's end here, the rest by the caller through
 * sup_event_add()), and its verdict and reason are stored with it: the
 * report writers only read them, and find the event that explains a check
 * by its kind and indices, never by its text.
 */
enum sup_event_kind {
	SUP_EV_ERROR = 1,   /* an ERROR record a child sent */
	SUP_EV_FATE,        /* how a child ended (only when it is not a pass) */
	SUP_EV_SNAPSHOT,    /* a snapshot the validator found bad */
	SUP_EV_FINAL,       /* the final check of what the children left */
	SUP_EV_LEDGER,      /* a finding of the caller's bookkeeping (ACKs) */
	SUP_EV_PROTOCOL,    /* a record that made no sense to the caller */
	SUP_EV_COVERAGE,    /* the run exercised too little to pass */
	SUP_EV_SETUP,       /* found before any child ran (a broken store) */
	SUP_EV_INTERRUPT,   /* reserved: a signal stopped the run */
	SUP_EV_REPORT,      /* reserved: a report could not be written */
	SUP_EV_NEMESIS,     /* a disruption --nemesis caused (a pass) */
	SUP_EV_KIND_END
};

/* No snapshot index: the event is not about one snapshot. */
#define SUP_NO_SNAPSHOT (-1L)

/* One judged item. */
struct sup_event {
	enum sup_event_kind kind;
	int          child;             /* index into the spec array, -1 = none */
	long         snapshot;          /* snapshot index, or SUP_NO_SNAPSHOT */
	enum verdict verdict;
	struct wire_error err;          /* kind SUP_EV_ERROR only */
	const char  *code_name;         /* err.code named by the policy, or NULL */
	int64_t      t_ns;              /* when it happened (monotonic) */
	int          late;
	enum classify_cause cause;      /* why an error got its verdict */
	char         reason[CLASSIFY_REASON_MAX];
};

struct sup_child {
	pid_t   pid;
	char    name[SUP_NAME_MAX];
	struct classify_fate fate;
	enum verdict verdict;       /* of its end, judged once by sup_run() */
	char    reason[CLASSIFY_REASON_MAX];    /* "" on pass */
	int     ready;
	uint64_t records;
	int64_t t_ready;
	int64_t t_reaped;
	/* --nemesis: what it suffered. */
	uint64_t kills, restarts, pauses;
	/* --powerloss: its published phase and seqs, frozen at the cut. */
	struct sup_kill cut;
};

struct sup_result {
	int      interrupted;           /* SIGINT/SIGTERM/SIGHUP stopped the run */
	int      signal;                /* the first of them */
	const char *signal_name;        /* its name ("SIGINT"), or NULL */
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
	size_t   nexpected_nemesis;     /* of nexpected: cause nemesis */
	size_t   nexpected_injected;    /* of nexpected: cause injected */
	/*
	 * --nemesis: every disruption's window, in the order they began
	 * (errors are judged against them), and the counts by kind.
	 */
	struct classify_window *windows;
	size_t   nwindows, capwindows;
	uint64_t nemesis_kills, nemesis_pauses, nemesis_restarts;
	/*
	 * --powerloss: when every child was seen stopped (the moment the
	 * power went out: nothing written after it), 0 when there was no
	 * cut.  The shutdown follows it at once: the run ends there.
	 */
	int64_t  cut_ns;
	uint64_t dropped_events;        /* errors not stored past
	                                   SUP_MAX_EVENTS (other kinds are
	                                   always stored) */
	FILE    *trace;                 /* sup_options.trace: every verdict
	                                   sup_event_add() takes is traced */
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
 * After an interrupted run, the run's own interrupt stays noted (so that
 * the guard kills at a second one during the caller's final checks) and
 * is returned here too; the next sup_run() does not take it as its own.
 */
int sup_signal_take(pid_t *sender);

/* The interrupt sup_signal_take() would return, left noted; or 0. */
int sup_signal_noted(void);

/*
 * Add an event judged by the caller (a lost row, a failed snapshot): its
 * kind, child (-1: the run), snapshot index (SUP_NO_SNAPSHOT: none),
 * verdict, time and one-line reason.  Counts it in nfailures or nexpected
 * even when it cannot be stored.  Returns 0, or -1 (ENOMEM: counted, not
 * stored).
 */
int sup_event_add(struct sup_result *res, enum sup_event_kind kind, int child,
    long snapshot, enum verdict v, int64_t t_ns, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 7, 8)))
#endif
    ;

/*
 * The first event of kind about child (-1: the run; SUP_ANY_CHILD: any)
 * and snapshot (SUP_NO_SNAPSHOT matches only events about none) with
 * verdict v, at or after index from.  Returns its index, or -1.
 */
#define SUP_ANY_CHILD (-2)
long sup_event_find(const struct sup_result *res, size_t from,
    enum sup_event_kind kind, int child, long snapshot, enum verdict v);

/* Static name of a kind ("error", "fate", ...): the JSON "type". */
const char *sup_event_kind_name(enum sup_event_kind kind);

/* Note that signal sig interrupted the run (after sup_run(), too). */
void sup_result_interrupted(struct sup_result *res, int sig);

/* Free what sup_run() and sup_event_add() allocated; trace stays open. */
void sup_result_free(struct sup_result *res);

#endif
