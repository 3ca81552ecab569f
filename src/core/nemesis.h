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
	NEMESIS_ACTION_END
};

enum nemesis_target {
	NEMESIS_CHILD = 1,      /* the child called name */
	NEMESIS_ANY_WORKER,     /* one worker, drawn at each occurrence */
	NEMESIS_ALL_WORKERS     /* every worker */
};

struct nemesis_item {
	enum nemesis_action action;
	enum nemesis_target target;
	char     name[NEMESIS_NAME_MAX];    /* NEMESIS_CHILD: whom */
	int64_t  length_ns;     /* pause: how long; kill: delay to restart */
	struct schedule when;
	int64_t  next_ns;       /* next offset due (nemesis_start), -1: none */
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

/* Static name of an action ("kill", "pause"), or "unknown". */
const char *nemesis_action_name(enum nemesis_action a);

#endif
