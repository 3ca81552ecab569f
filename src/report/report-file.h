/* SPDX-License-Identifier: MIT */
/*
 * report-file: where a report file may go, how it is written without
 * harming anything, and the documents that describe several runs
 * (--repeat).  A report is only ever renamed over a regular file or a
 * fresh name: never over the database or its -wal/-journal/-shm files,
 * another report, a device, a FIFO, a socket, a directory or a symbolic
 * link.  It decides no verdict: the caller says what to write.
 */
#ifndef SQLSTORM_REPORT_FILE_H
#define SQLSTORM_REPORT_FILE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "config.h"
#include "report.h"

/* Room for any reason these functions give. */
#define REPORT_WHY_MAX 256

/*
 * Before the run: may a report be written to path?  db is the --db
 * value (a path or a file: URI; NULL for a temporary database).  It is
 * refused, with the reason in why, when path (or path.tmp, the name it
 * is written under first) is not a regular file or a fresh name in an
 * existing, writable directory, or is the database or one of its
 * -wal/-journal/-shm files (the same inode when both exist, the same
 * normalized path otherwise).  A symbolic link is refused, never
 * followed.  It creates and removes path.tmp to prove it can; it creates
 * nothing else and changes nothing that exists.  Returns 0, or -1 with
 * errno (EISDIR for a directory, EINVAL for any other kind of file,
 * ELOOP for a link, EEXIST for the database or a path.tmp in the way).
 */
int report_path_check(const char *path, const char *db, char *why,
    size_t cap);

/*
 * 1 if path is the database that db (as report_path_check()) names, or
 * one of its -wal/-journal/-shm files, with the reason in why; else 0.
 * For files that are not reports but must not harm the database either
 * (--trace).
 */
int report_path_is_db(const char *path, const char *db, char *why,
    size_t cap);

/*
 * 1 if paths a and b name the same file: the same inode when both
 * exist, else the same path once the directory part is resolved
 * (realpath) and made absolute.  0 otherwise.
 */
int report_path_same(const char *a, const char *b);

/*
 * Write a report to path: writer(arg, fp) fills path.tmp, created anew
 * with O_EXCL|O_NOFOLLOW (a regular leftover path.tmp is removed first;
 * anything else there is refused, never followed), then path is checked
 * again with lstat() and path.tmp renamed over it only if path is still
 * a regular file or absent.  A reader sees the old file or the whole new
 * one.  Returns 0, or -1 with errno and the reason in why (may be NULL),
 * path.tmp removed.
 */
int report_file_put(const char *path, int (*writer)(void *arg, FILE *fp),
    void *arg, char *why, size_t cap);

/* ------------------------------------------------------------- --repeat */

/*
 * Several runs in one report.  Each run is appended to a spool as it
 * ends (report_runs_add()), so memory does not grow with the number of
 * runs; the documents are put together from the spools at the end.
 */
struct report_runs {
	const struct config *cfg;   /* the user's: --repeat N, --until-fail */
	FILE    *json;              /* spool: one JSON document per run */
	FILE    *junit;             /* spool: one <testsuite> per run */
	uint64_t runs;              /* runs appended */
	uint64_t failed_runs;       /* of those, exit status 1 */
	/* JUnit totals over every run's suite. */
	long     tests, failures, errors;
	int64_t  time_ns;
	/* The aggregate, set by the caller before writing. */
	int      exit_code;         /* 0, 1, 99 */
	int      interrupted;
	char     hard_error[512];   /* when exit_code is 99 */
	int      hard_is_run;       /* a run's own hard error, in its suite */
};

/*
 * Open the spools that cfg asks for (JSON and/or JUnit) in $TMPDIR
 * (they are unlinked at once).  Returns 0, or -1 with errno.
 */
int report_runs_open(struct report_runs *rr, const struct config *cfg);

/*
 * Append one finished run (number rr->runs + 1) to each open spool;
 * rc is its exit status.  Returns 0, or -1 if a spool failed (errno).
 */
int report_runs_add(struct report_runs *rr, const struct report *rep,
    int rc);

/* Close the spools. */
void report_runs_close(struct report_runs *rr);

/*
 * The multi-run documents, for report_file_put() (arg is the struct
 * report_runs): JSON with the aggregate verdict at the top level and
 * "runs" holding each run's document; JUnit with one <testsuite> per
 * run inside <testsuites> (plus one in error when the aggregate is a
 * hard error that no run's suite shows).
 */
int report_runs_json(void *arg, FILE *fp);
int report_runs_junit(void *arg, FILE *fp);

/*
 * One run's JUnit <testsuite> named name (NULL: "sqlstorm"), and its
 * counts in *tests, *failures, *errors, *ns (any may be NULL).  extra,
 * when not NULL, is a hard error found after the run (a report that
 * could not be written): one more testcase, in error.  0 or -1.
 */
int report_junit_suite(const struct report *rep, FILE *fp,
    const char *name, const char *extra, long *tests, long *failures,
    long *errors, int64_t *ns);

/*
 * rep as a whole JUnit document, as report_junit_write(), with extra (may
 * be NULL) as in report_junit_suite().  0 or -1.
 */
int report_junit_doc(const struct report *rep, FILE *fp, const char *extra);

/*
 * One run's TAP test points for a repeat: numbered from *n + 1 (then
 * *n is the last number), each prefixed "run K: ", then its summary as
 * diagnostics; no plan (report_tap_plan() ends the stream).  A run
 * that could not happen writes "Bail out!".  0, or -1 if fp failed.
 */
int report_tap_run(const struct report *rep, FILE *fp, uint64_t run,
    long *n);

/* "1..n" after every run.  0, or -1 if fp failed. */
int report_tap_plan(FILE *fp, long n);

#endif
