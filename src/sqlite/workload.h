/* SPDX-License-Identifier: MIT */
/*
 * workload: what one workload of the SQLite scenario defines, behind one
 * struct, and the table of workloads --workload chooses from.  A workload
 * owns its schema, the statements of one transaction for worker w at seq
 * s, how a (re)started worker finds where it left off, the check of a
 * database file (every snapshot and the final database) and what it adds
 * to a worker's statistics.  The generic parts stay elsewhere: the worker
 * loop (BEGIN IMMEDIATE, retry with the same seqs, ACK after COMMIT, the
 * busy handler, shutdown) is worker.c, opening and integrity-checking a
 * file is validate.c, and judging per-worker maxima against ACKs is the
 * ledger.  Adding a workload is one new file and one row here.
 */
#ifndef SQLSTORM_WORKLOAD_H
#define SQLSTORM_WORKLOAD_H

#include <stddef.h>
#include <stdint.h>

struct sqlite3;
struct sqlite3_stmt;
struct config;
struct validate_result;
struct wire_done;

/*
 * What the generic worker lends a workload in a child: its connection
 * and a step function that runs one statement returning no rows as
 * wire operation op (WIRE_OP_*), reports a failure to the parent with
 * its timing, and resets the statement.  step returns 0 or -1
 * (reported: the workload only passes -1 on).
 */
struct workload_conn {
	struct sqlite3      *db;
	int                  worker;      /* this worker's index */
	int                  nworkers;
	const struct config *cfg;
	uint64_t             seed;        /* per worker: cfg->seed ^ worker */
	int64_t              t_txn;       /* when this transaction began */
	int                (*step)(struct workload_conn *c,
	                        struct sqlite3_stmt *st, int op);
	void                *user;        /* the worker's, for step */
};

struct workload {
	const char *name;
	const char *summary;              /* one line, for --help and docs */

	/*
	 * Parent, before any fork, inside the setup transaction: drop and
	 * recreate the workload's own tables (and nothing else).  Returns a
	 * SQLite code (message: sqlite3_errmsg(db)).
	 */
	int   (*setup)(struct sqlite3 *db);

	/*
	 * Child: prepare the workload's statements on c->db and return its
	 * private state (NULL: failed; the SQLite code in *code).  c must
	 * outlive the state.
	 */
	void *(*open)(struct workload_conn *c, int *code);

	/*
	 * Child, inside the worker's transaction (BEGIN IMMEDIATE ..
	 * COMMIT, cfg->batch seqs in a row): write what seq s of this worker
	 * writes.  Returns 0, or -1 (reported through c->step); the worker
	 * rolls back and retries the same seqs.
	 */
	int   (*write_seq)(void *state, uint64_t seq);

	/*
	 * Child, before the first transaction (and after any restart): the
	 * highest seq this worker has committed, read from the database, so
	 * it resumes at *seq + 1.  Returns a SQLite code.
	 */
	int   (*resume)(void *state, uint64_t *seq);

	/*
	 * Child, inside a transaction: the droprow canary, remove what seq
	 * wrote so the checks must notice.  Returns 0 or -1 (reported).
	 */
	int   (*drop)(void *state, uint64_t seq);

	/* Child, at the end: the workload's part of DONE (rows). */
	void  (*stats)(void *state, uint64_t committed, struct wire_done *d);

	/* Child: finalize the statements and free the state (NULL: no-op). */
	void  (*close)(void *state);

	/*
	 * Parent or validator: what check keeps from one file to the next
	 * in one process (churn: the model, replayed to the last checked
	 * prefix), made from the run's configuration (its seed) for
	 * nworkers workers.  NULL hooks: the workload keeps nothing.
	 * model_new returns NULL when out of memory.
	 */
	void *(*model_new)(const struct config *cfg, int nworkers);
	void  (*model_free)(void *model);

	/*
	 * Parent or validator, on a read-only connection to a copy or the
	 * final database: fill out->rows, out->rows_ok, out->k[0..nworkers)
	 * (each worker's gap-free maximum) and out->problem (through
	 * validate_problem()).  model is model_new's (or NULL if the
	 * workload has none).  Returns SQLITE_OK, or the SQLite code of the
	 * query that failed (corruption is then a verdict, anything else a
	 * hard error: validate.c decides).
	 */
	int   (*check)(struct sqlite3 *db, void *model,
	          struct validate_result *out);

	/*
	 * The final check's lost-row count: how many of worker's seqs lo..hi
	 * the database holds, into *n.  Returns a SQLite code.
	 */
	int   (*held)(struct sqlite3 *db, int worker, uint64_t lo, uint64_t hi,
	          uint64_t *n);
};

/*
 * The workloads, one row each: WORKLOAD_TABLE(X) calls X(name) for every
 * workload, whose struct is workload_<name> in workload-<name>.c.  The
 * first row is the default.  Adding a workload is that file plus one row
 * here; --workload, --help and the lookup below all read this table.
 */
#define WORKLOAD_TABLE(X) \
	X(append) \
	X(churn)

#define WORKLOAD_EXTERN(name) extern const struct workload workload_##name;
WORKLOAD_TABLE(WORKLOAD_EXTERN)
#undef WORKLOAD_EXTERN

/* Every workload's name, in table order, NULL-terminated (for config). */
extern const char *const workload_name_list[];

/*
 * For workloads: one integer from a one-row query sql with ?1 = p1 and
 * ?2 = p2, into *val (and *isnull, if not NULL, says whether it was
 * NULL).  Returns a SQLite result code: SQLITE_OK, or the error.
 */
int workload_scalar(struct sqlite3 *db, const char *sql, int64_t p1,
    int64_t p2, int64_t *val, int *isnull);

/* The workload called name, or NULL.  NULL or "" names the default. */
const struct workload *workload_find(const char *name);

/* The default workload (append). */
const struct workload *workload_default(void);

/*
 * The workload a configuration asks for (--workload).  Never NULL for a
 * configuration that config validated.
 */
const struct workload *workload_for(const struct config *cfg);

/*
 * The names, separated by sep, into buf (cap bytes, truncated): for
 * --help and for config's "unknown workload" message.  Returns buf.
 */
const char *workload_names(const char *sep, char *buf, size_t cap);

#endif
