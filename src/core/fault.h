/* SPDX-License-Identifier: MIT */
/*
 * fault: the fault-injection spec ("w0:crash@500ms,w1:error=5@deadline").
 * Grammar: a comma-separated list of CHILD:ACTION[/deferred]@TIME where
 *   CHILD  is wN (worker N) or a word the caller names (a struct
 *          fault_target);
 *   ACTION is crash | abort | exit | exit=N | hang | error=CODE | garbage,
 *          or an action the caller adds (a struct fault_extra); CODE
 *          is a number, or a name the caller's struct classify_policy
 *          knows;
 *   TIME   is a duration from the start ("500ms") or from the deadline
 *          ("deadline", "deadline-50ms", "deadline+20ms").  A time at or
 *          after the deadline means that long after shutdown was
 *          signalled: the child fires it once it has seen the shutdown,
 *          stamped from the moment the parent published (child.c).
 * "/deferred" holds an error's record back until the child has seen
 * shutdown.  This module parses and answers "when"; child.c fires the
 * generic actions and hands the caller's back to it.  It knows no
 * database: the caller's vocabulary (struct fault_vocab) is passed in.
 */
#ifndef SQLSTORM_FAULT_H
#define SQLSTORM_FAULT_H

#include <stddef.h>
#include <stdint.h>

struct classify_policy;

enum fault_action {
	FAULT_CRASH = 1,   /* raise SIGSEGV */
	FAULT_ABORT,       /* abort() */
	FAULT_EXIT,        /* _exit(arg) at once, without DONE */
	FAULT_HANG,        /* ignore shutdown and SIGTERM from then on */
	FAULT_ERROR,       /* report an ERROR with code arg */
	FAULT_GARBAGE,     /* send a malformed record */
	/*
	 * The caller's actions are FAULT_EXTRA + n, n < FAULT_EXTRA_MAX:
	 * child_faults_due() returns them as bits (1u << action).
	 */
	FAULT_EXTRA = 16
};

#define FAULT_EXTRA_MAX 16

#define FAULT_ARG_NAME_MAX 24

struct fault {
	int      child;        /* worker index, or a named target's index */
	int      action;       /* enum fault_action, or FAULT_EXTRA + n */
	int      arg;          /* exit code, or error code */
	char     arg_name[FAULT_ARG_NAME_MAX];  /* the code's name, or "?" */
	int      deferred;
	int      from_deadline;
	int64_t  offset_ns;    /* may be negative only with from_deadline */
	int      fired;
};

/* A child named by a word, with its index (< 0: not a worker). */
struct fault_target {
	const char *name;
	int         index;
};

/* An action of the caller's, fired by the child's own code. */
struct fault_extra {
	const char *name;             /* as written in the spec */
	int         action;           /* FAULT_EXTRA + n */
	int         workers_only;     /* refused on a named target */
	int         before_deadline;  /* must be due before the deadline */
};

/* The caller's words: targets, actions, and how to read error codes. */
struct fault_vocab {
	const struct fault_target *targets;
	size_t                     ntargets;
	const struct fault_extra  *extras;
	size_t                     nextras;
	const struct classify_policy *codes;  /* NULL: numbers only */
	/* What a CODE may be, for messages ("a result code such as 5"). */
	const char *code_help;
	/* Why code is no error ("OK is success"), or NULL if it is one. */
	const char *(*code_refused)(int code);
};

struct fault_list {
	struct fault *v;
	size_t        n;
};

/*
 * Parse spec (NULL or "" = no faults) into out.  nworkers bounds wN;
 * vocab (may be NULL: wN, the generic actions, numeric codes) adds the
 * caller's targets, actions and code names.  Returns 0, or -1 with a
 * one-line message in err.  out->v is malloc'd.
 */
int fault_parse(const char *spec, int nworkers, const struct fault_vocab *vocab,
    struct fault_list *out, char *err, size_t errlen);

void fault_free(struct fault_list *list);

/* Absolute CLOCK_MONOTONIC time at which f fires. */
int64_t fault_when(const struct fault *f, int64_t start_ns,
    int64_t deadline_ns);

/* Static name of an action ("crash"; vocab's for its own), or "unknown". */
const char *fault_action_name(const struct fault_vocab *vocab, int action);

#endif
