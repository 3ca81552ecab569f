/* SPDX-License-Identifier: MIT */
/*
 * fault: the fault-injection spec ("w0:crash@500ms,validator:hang@1s").
 * Grammar: a comma-separated list of CHILD:ACTION[/deferred]@TIME where
 *   CHILD  is wN (worker N) or validator;
 *   ACTION is crash | abort | exit | exit=N | hang | error=CODE | garbage
 *          | droprow;
 *   TIME   is a duration from the start ("500ms") or from the deadline
 *          ("deadline", "deadline-50ms", "deadline+20ms").  A time at or
 *          after the deadline means that long after shutdown was
 *          signalled: the child fires it once it has seen the shutdown,
 *          stamped from the moment the parent published (child.c).
 * "/deferred" holds an error's record back until the child has seen
 * shutdown.  This module parses and answers "when"; child.c fires.
 */
#ifndef SQLSTORM_FAULT_H
#define SQLSTORM_FAULT_H

#include <stddef.h>
#include <stdint.h>

enum fault_action {
	FAULT_CRASH = 1,   /* raise SIGSEGV */
	FAULT_ABORT,       /* abort() */
	FAULT_EXIT,        /* _exit(arg) at once, without DONE */
	FAULT_HANG,        /* ignore shutdown and SIGTERM from then on */
	FAULT_ERROR,       /* report an ERROR with primary code arg */
	FAULT_GARBAGE,     /* send a malformed record */
	FAULT_DROPROW      /* worker: delete one of its acknowledged rows */
};

#define FAULT_CHILD_VALIDATOR (-1)

struct fault {
	int      child;        /* worker index, or FAULT_CHILD_VALIDATOR */
	enum fault_action action;
	int      arg;          /* exit code, or SQLite primary code */
	int      deferred;
	int      from_deadline;
	int64_t  offset_ns;    /* may be negative only with from_deadline */
	int      fired;
};

struct fault_list {
	struct fault *v;
	size_t        n;
};

/*
 * Parse spec (NULL or "" = no faults) into out.  nworkers bounds wN.
 * Returns 0, or -1 with a one-line message in err.  out->v is malloc'd.
 */
int fault_parse(const char *spec, int nworkers, struct fault_list *out,
    char *err, size_t errlen);

void fault_free(struct fault_list *list);

/* Absolute CLOCK_MONOTONIC time at which f fires. */
int64_t fault_when(const struct fault *f, int64_t start_ns,
    int64_t deadline_ns);

/* Static name of an action ("crash"). */
const char *fault_action_name(enum fault_action a);

#endif
