/* SPDX-License-Identifier: MIT */
/*
 * report-out: everything that turns a finished struct report into output
 * beyond the human summary: the SQLite and filesystem fingerprint, the
 * progress line, the list of checks that TAP and JUnit share, the JSON,
 * TAP and JUnit writers, and the write-then-rename of report files.  The
 * writers only read the report; no verdict is decided here.
 */
#ifndef SQLSTORM_REPORT_OUT_H
#define SQLSTORM_REPORT_OUT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "classify.h"
#include "report.h"

/* ------------------------------------------------ fingerprint (report.c) */

/*
 * Name of the filesystem that holds path, or its nearest existing
 * ancestor (the run directory may already be gone): "ext4", "tmpfs",
 * "overlay", "apfs", ...  Returns 0, or -1 with "unknown" in buf.
 */
int report_fs_type(const char *path, char *buf, size_t cap);

/* Fill rep->fs_type from rep->db_path (once; "unknown" if it cannot). */
void report_fingerprint(struct report *rep);

/* The progress line's functions are in report.h (the scenario calls them). */

/* ------------------------------------------------ checks (report-tap.c) */

/*
 * One check of the run, as TAP and JUnit show it.  The checks are: each
 * child's lifecycle, each snapshot, the final database, and every stored
 * event (every error, expected or not, and every other failure), plus
 * "run interrupted" when a signal stopped the run.  A check that failed is
 * shown by the failure event that explains it, so the number of failing
 * checks equals the summary's failure count (plus one when interrupted),
 * and the number of EXPECTED checks equals its expected count.
 */
struct report_check {
	const char  *who;           /* child name ("w0", "validator") or "run" */
	char         name[96];      /* short, for JUnit's testcase name */
	char         text[CLASSIFY_REASON_MAX + 96];  /* one line */
	enum verdict verdict;       /* PASS, EXPECTED (passes, noted), FAILURE */
	enum classify_cause cause;  /* EXPECTED: by shutdown or the nemesis */
	const char  *detail;        /* the failure or expected reason, or "" */
	int64_t      time_ns;       /* how long it took, 0 if unknown */
};

/*
 * Walk the checks in order and call fn (may be NULL) for each.  Returns
 * the number of checks and stores the failing ones in *nfail (may be
 * NULL), or -1 (ENOMEM) before calling fn at all.
 */
long report_check_walk(const struct report *rep,
    void (*fn)(const struct report_check *c, void *arg), void *arg,
    size_t *nfail);

/* ------------------------------------------------------------- writers */

/*
 * Write rep as JSON (schema in doc/reports.md), TAP version 13,
 * or JUnit XML on fp.  Return 0, or -1 if fp reported an error.
 */
int report_json_write(const struct report *rep, FILE *fp);
int report_tap_write(const struct report *rep, FILE *fp);
int report_junit_write(const struct report *rep, FILE *fp);

/*
 * The human summary (report_summary()) as one malloc'd string for the
 * writers that embed it; the caller frees it.  NULL with errno on failure.
 */
char *report_summary_text(const struct report *rep);

/* TAP for a run that could not happen: "Bail out! msg". */
void report_tap_bail(FILE *fp, const char *msg);

/*
 * Write s as a quoted JSON string: quotes, backslashes and control
 * characters escaped, valid UTF-8 kept, every byte of invalid UTF-8
 * replaced by U+FFFD.  s may be NULL (writes null).
 */
void report_json_string(FILE *fp, const char *s);

/*
 * Write s escaped for XML 1.0 text or attribute values: &<>"' as
 * entities, tab/newline/CR as character references, other control
 * characters and invalid UTF-8 as U+FFFD (XML 1.0 allows neither).
 */
void report_xml_string(FILE *fp, const char *s);

/*
 * Length of the valid UTF-8 sequence at s (1..4; no overlongs, no
 * surrogates, nothing past U+10FFFF), or 0 if s does not start one.  s is
 * NUL-terminated.
 */
size_t report_utf8_len(const char *s);

/* ------------------------------------------- report files (report-file.c) */

/*
 * Before the run: would report_file_write(path) work?  Creates and removes
 * path.tmp (or opens it, if it is already there).  Returns 0, or -1 with
 * errno (EISDIR when path is a directory).
 */
int report_file_check(const char *path);

/*
 * Write a report to path.tmp with writer, then rename it over path, so a
 * reader sees the old file or the whole new one, never half of it.
 * Returns 0, or -1 with errno (path.tmp removed).
 */
int report_file_write(const char *path,
    int (*writer)(const struct report *rep, FILE *fp),
    const struct report *rep);

#endif
