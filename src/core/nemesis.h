/* SPDX-License-Identifier: MIT */
/*
 * nemesis: the grammar and the clock of --nemesis, the disruptions a run
 * must survive: "kill:TARGET[=DELAY]@WHEN" (SIGKILL, then the same child
 * is started again after DELAY, 0 by default) and "pause:TARGET=DUR@WHEN"
 * (SIGSTOP, SIGCONT after DUR), items separated by commas, each WHEN a
 * schedule ("2s", "every 300ms"; schedule.h).  TARGET is a child's name
 * ("w1", "validator", "store"; the caller lists which exist), "worker"
 * (one worker drawn from the run's seed at each occurrence) or "workers"
 * (all of them).  It parses, formats, says what is due and draws the
 * random worker; the supervisor does the killing.  It knows no SQL and
 * reads no clock: offsets are from the run's start.
 *
 * Storage faults (doc/faults.md) are items too: "io:OP=CODE@[TARGET:]WHEN"
 * (OP read, write, sync, truncate or open: the target's next such call on
 * the database, its journal or its WAL fails with CODE),
 * "io:short-write@[TARGET:]WHEN" (the next write writes half its bytes,
 * then fails with FULL) and "io:full=SIZE[/DUR]@WHEN" (writes that would
 * grow the database, journal and WAL past SIZE fail with FULL, until DUR
 * has passed, else to the end).  TARGET is wN, worker (the default),
 * workers or maint.  Here CODE is only a name: the scenario says which
 * names exist and what they are (io_code, set before the run).
 */
#ifndef SQLSTORM_NEMESIS_H
#define SQLSTORM_NEMESIS_H

#include <stddef.h>
#include <stdint.h>

#include "schedule.h"

#define NEMESIS_NAME_MAX 24

enum nemesis_action {
	NEMESIS_KILL = 1,       /* SIGKILL, then start it again */
	NEMESIS_PAUSE,          /* SIGSTOP, SIGCONT after length_ns */
	NEMESIS_IO,             /* arm an I/O fault (io_kind) */
	NEMESIS_ACTION_END
};

enum nemesis_target {
	NEMESIS_CHILD = 1,      /* the child called name */
	NEMESIS_ANY_WORKER,     /* one worker, drawn at each occurrence */
	NEMESIS_ALL_WORKERS     /* every worker */
};

/* What an io item does. */
enum nemesis_io {
	NEMESIS_IO_FAIL = 1,    /* io:OP=CODE: the next OP fails with CODE */
	NEMESIS_IO_SHORT,       /* io:short-write: a write cut short */
	NEMESIS_IO_FULL         /* io:full=SIZE[/DUR]: a size limit */
};

/* The ops of io:OP=CODE, in the VFS shim's order (iovfs.h). */
enum nemesis_io_op {
	NEMESIS_OP_READ = 0, NEMESIS_OP_WRITE, NEMESIS_OP_SYNC,
	NEMESIS_OP_TRUNCATE, NEMESIS_OP_OPEN, NEMESIS_OP_END
};

#define NEMESIS_CODE_MAX 24

struct nemesis_item {
	enum nemesis_action action;
	enum nemesis_target target;
	char     name[NEMESIS_NAME_MAX];    /* NEMESIS_CHILD: whom */
	int64_t  length_ns;     /* pause: how long; kill: delay to restart */
	struct schedule when;
	int64_t  next_ns;       /* next offset due (nemesis_start), -1: none */
	/* io items (action NEMESIS_IO) */
	enum nemesis_io io_kind;
	int      io_op;         /* NEMESIS_IO_FAIL: enum nemesis_io_op;
	                           SHORT: NEMESIS_OP_WRITE */
	char     io_name[NEMESIS_CODE_MAX];  /* NEMESIS_IO_FAIL: "IOERR" */
	int      io_code;       /* what io_name means, set by the scenario */
	uint64_t io_size;       /* NEMESIS_IO_FULL: the limit in bytes */
	/* length_ns is DUR for io:full (0: to the end) */
	int      io_target_given;  /* TARGET was written (for the format) */
	/* Filled while the run goes on (the supervisor). */
	uint64_t armed;         /* times armed (a child, or the full limit) */
	int64_t  lift_ns;       /* io:full: offset when it lifts, -1: none */
	int64_t  lifted_at_ns;  /* io:full: when it last lifted (monotonic) */
	/* Filled by the scenario from the children's records. */
	uint64_t fired, absorbed;
	int64_t  last_fired_ns; /* monotonic, 0: never */
};

struct nemesis_plan {
	struct nemesis_item *v;
	size_t   n;
	uint64_t rng;           /* splitmix64 state, from the run's seed */
};

/*
 * Parse spec into *plan for a run of nworkers workers ("w0".."wN-1")
 * whose other children are named in names (NULL-terminated; e.g.
 * "validator", "store").  A bad item, an unknown or absent target, a
 * pause without =DUR or a length of 0 is a one-line error in err naming
 * the item.  Returns 0, or -1 (*plan is then empty).  Free with
 * nemesis_free().
 */
int nemesis_parse(const char *spec, int nworkers, const char *const *names,
    struct nemesis_plan *plan, char *err, size_t errlen);

/* Free what nemesis_parse() allocated; the plan is empty after. */
void nemesis_free(struct nemesis_plan *plan);

/*
 * Write the plan as it parses back ("kill:workers@every 200ms,...") into
 * buf.  Returns 0, or -1 if it did not fit (buf holds a cut copy).
 */
int nemesis_format(const struct nemesis_plan *plan, char *buf, size_t cap);

/* Arm the plan for a run: every item at its first time; seed the draw. */
void nemesis_start(struct nemesis_plan *plan, uint64_t seed);

/*
 * The index of an item due at offset now_ns (its next time <= now_ns),
 * advanced to its following time; -1 if none is due.  Call until -1.
 */
long nemesis_due(struct nemesis_plan *plan, int64_t now_ns);

/* The earliest offset anything is due at, or -1 if nothing ever is. */
int64_t nemesis_next(const struct nemesis_plan *plan);

/* A worker in 0..nworkers-1, drawn from the plan's seeded stream. */
int nemesis_pick(struct nemesis_plan *plan, int nworkers);

/* Static name of an action ("kill", "pause", "io"), or "unknown". */
const char *nemesis_action_name(enum nemesis_action a);

/* Static name of an io op ("read", ...), or "unknown". */
const char *nemesis_io_op_name(int op);

/*
 * The index of an io:full item whose DUR has passed at offset now_ns
 * (its lift is then cleared); -1 if none.  Call until -1.
 */
long nemesis_lift_due(struct nemesis_plan *plan, int64_t now_ns);

#endif
