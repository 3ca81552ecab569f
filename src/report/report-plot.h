/* SPDX-License-Identifier: MIT */
/*
 * report-plot: the run as a picture and as a CI summary.  --plot draws
 * one self-contained SVG (no script, no external reference): commits per
 * second per worker over time, every error (failure or expected), every
 * snapshot (ok, failed, not ready, with its lag), the --nemesis windows,
 * the faults and the deadline.  --markdown writes the verdict, the key
 * figures, the failures and the reproduce line as a compact table.  Both
 * only read the report; the time series is the one thing recorded for
 * them while the run goes on (report_series_note(), bounded memory).
 */
#ifndef SQLSTORM_REPORT_PLOT_H
#define SQLSTORM_REPORT_PLOT_H

#include <stdint.h>
#include <stdio.h>

#include "report.h"

/*
 * Worker w had a commit acknowledged at t_ns (monotonic): count it in
 * rep->series when --plot is on (nothing otherwise).  Buckets start at
 * 100 ms; a run longer than REPORT_SERIES_MAX buckets doubles their
 * width, so memory stays nworkers * REPORT_SERIES_MAX counters.  A
 * failed allocation only leaves the plot without its lines.
 */
void report_series_note(struct report *rep, int w, int64_t t_ns);

/* Note a moment the plot marks (a fault due).  0, or -1 (ENOMEM). */
int report_mark_add(struct report *rep, int64_t t_ns, const char *what);

/* Free the series and marks (report_free() calls it). */
void report_plot_free(struct report *rep);

/* The SVG timeline of rep on fp.  0, or -1 if fp failed. */
int report_plot_write(const struct report *rep, FILE *fp);

/*
 * The Markdown summary of rep on fp; runs (may be NULL) is one more row
 * for --repeat ("3 runs, 1 failed; this is the last").  0, or -1.
 */
int report_markdown_write(const struct report *rep, FILE *fp,
    const char *runs);

/*
 * Copy s into out (cap bytes) for a Markdown table cell: control bytes
 * and invalid UTF-8 escaped as report_escape() does, Markdown
 * punctuation backslash-escaped, <, > and & as entities.  Returns out.
 */
char *report_md_cell(const char *s, char *out, size_t cap);

#endif
