/* SPDX-License-Identifier: MIT */
/*
 * validate: the SQLite side of checking a database file: take a consistent
 * snapshot of a live database (sqlite3_backup), and check a file: PRAGMA
 * integrity_check (or quick_check), then the workload's check (row count,
 * and per worker a gap-free prefix 1..k of seq), then the --populate fill
 * table (populate.c).  Used by the validator child for snapshots
 * and by the parent for the final database after every child is reaped.
 * It never judges against ACKs (that is ledger.c).
 */
#ifndef SQLSTORM_VALIDATE_H
#define SQLSTORM_VALIDATE_H

#include <stddef.h>
#include <stdint.h>

#define VALIDATE_PROBLEM_MAX 300

struct workload;

struct validate_result {
	int      integrity_ok;
	int      rows_ok;                 /* every worker's rows are 1..k,
	                                     and the fill table is right */
	int      fill_ok;                 /* the fill table is right (or none) */
	uint64_t rows;                    /* count(*) */
	uint64_t fill_rows;               /* count(*) of the fill table */
	int      nworkers;
	uint64_t *k;                      /* nworkers gap-free maxima (malloc) */
	char     problem[VALIDATE_PROBLEM_MAX + 1];  /* first problem, one line */
};

/*
 * Check the database at path (opened read-only) with PRAGMA
 * integrity_check and wl's check for nworkers workers, with wl's model
 * (wl->model_new's, or NULL for a workload without one).  Returns 0 when the
 * checks ran (see *out; free it with validate_result_free), or -1 when the
 * file could not be opened or queried, with a one-line message in err and
 * the SQLite code in *code (if code is not NULL).
 */
int validate_file(const char *path, const struct workload *wl, void *model,
    int nworkers, struct validate_result *out, char *err, size_t errlen,
    int *code);

/*
 * validate_file(), but give_up(arg) is polled while the checks run; when it
 * returns non-zero they stop with -1 and *code = SQLITE_INTERRUPT.
 */
int validate_file_until(const char *path, const struct workload *wl,
    void *model, int nworkers, int (*give_up)(void *arg), void *arg,
    struct validate_result *out, char *err, size_t errlen, int *code);

/* Everything validate_file_opts() checks a file with. */
struct validate_opts {
	const struct workload *wl;
	void     *model;                  /* wl->model_new's, or NULL */
	int       nworkers;
	int       quick;                  /* PRAGMA quick_check, sampled fill */
	uint64_t  fill_rows;              /* --populate's rows 1..n; 0: none */
	uint64_t  fill_seed;              /* ... made from this seed */
	uint64_t  sample_seed;            /* which fill rows quick reads */
	int     (*give_up)(void *arg);    /* NULL: never */
	void     *arg;
};

/*
 * validate_file_until() with every option: with o->quick the file gets
 * PRAGMA quick_check instead of integrity_check and the fill table a
 * sampled check (populate_check()); with o->fill_rows > 0 the fill table
 * is checked after the workload's rows.  Same returns.
 */
int validate_file_opts(const char *path, const struct validate_opts *o,
    struct validate_result *out, char *err, size_t errlen, int *code);

/*
 * For a workload's check: note a problem in r, printf-style, one line.
 * Only the first is kept (later ones are usually consequences).
 */
void validate_problem(struct validate_result *r, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

void validate_result_free(struct validate_result *r);

/*
 * How many of worker's seqs lo..hi the database at path holds (wl's held
 * count), into *n: with lo = k + 1 past a gap-free prefix 1..k and hi =
 * the highest acknowledged seq, (hi - lo + 1) - *n acknowledged rows are
 * missing.  Opened read-only.  Returns 0, or -1 with a one-line message
 * in err.
 */
int validate_count_seqs(const char *path, const struct workload *wl,
    int worker, uint64_t lo, uint64_t hi, uint64_t *n, char *err,
    size_t errlen);

/*
 * Copy the live database at src into a new file dst with the online backup
 * API in one step, so the copy is one consistent read transaction.  BUSY or
 * LOCKED is retried until give_up(arg) returns non-zero (NULL: retry for
 * busy_timeout_ns).  Returns 0, or -1 with a message in err and the SQLite
 * code in *code.
 */
int validate_backup(const char *src, const char *dst, int64_t busy_timeout_ns,
    int (*give_up)(void *arg), void *arg, char *err, size_t errlen,
    int *code);

#endif
