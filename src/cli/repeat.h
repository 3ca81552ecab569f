/* SPDX-License-Identifier: MIT */
/*
 * repeat: flake hunting.  --repeat N, --until-fail and SQLSTORM_REPEAT run
 * the whole scenario again and again in one process, each run with its own
 * fresh run directory and, unless a seed was given, its own seed; then one
 * line "N runs, F failures (x%)" and the directories that failing runs
 * left on disk.  The loop only counts and decides when to stop: the caller
 * (main.c) runs the scenario, prints each run's summary and writes the
 * machine-readable reports (with --repeat, of every run).
 */
#ifndef SQLSTORM_REPEAT_H
#define SQLSTORM_REPEAT_H

#include <stdint.h>
#include <stdio.h>

#include "config.h"
#include "report.h"

struct repeat_ops {
	/*
	 * Run the scenario once with cfg into rep (which it initialises),
	 * print what a single run prints, and return the exit code: 0 pass,
	 * 1 fail, 99 hard error.  repeat_loop() frees rep.
	 */
	int  (*run)(struct config *cfg, struct report *rep, void *arg);
	/*
	 * Called once, after the last run, with that run's report and exit
	 * code: write the reports that describe one run (TAP, JSON, JUnit).
	 * Returns the exit code to keep (99 if a report could not be
	 * written, else rc).  May be NULL.
	 */
	int  (*last)(struct config *cfg, struct report *rep, int rc,
	    void *arg);
	/*
	 * Called after each run is counted: nonzero stops the loop as a
	 * hard error would (the reports can no longer be written, say).
	 * May be NULL.
	 */
	int  (*stop)(void *arg);
	void  *arg;
};

/* What the runs came to, for the caller and the tests. */
struct repeat_tally {
	uint64_t runs;          /* runs started, including a hard-error one */
	uint64_t failures;      /* runs that exited 1 */
	int      hard;          /* stopped by a hard error */
	int      interrupted;   /* stopped by SIGINT/SIGTERM */
	int      reports_failed; /* ops->last turned the exit into 99 */
};

/*
 * Does cfg ask for more than one run (--repeat N > 1 or --until-fail)?
 */
int repeat_wanted(const struct config *cfg);

/*
 * Run ops->run until cfg->repeat runs are done, or with cfg->until_fail
 * until the first failing run (cfg->repeat caps it only if
 * cfg->repeat_set; otherwise there is no cap).  It also stops at once on
 * a hard error (99) and after an interrupted run.  The callbacks get a
 * copy of cfg that describes one plain run (repeat 1, no until-fail) and,
 * unless cfg->seed_set, a fresh seed for every run; cfg is not changed.
 * When repeating, it ends, after ops->last, with "sqlstorm: N runs, F
 * failures (x%)" (and ", stopped by a hard error", ", interrupted" or
 * ", reports not written" when that is how it ended) and one line per
 * directory a failing run kept, on out (on err if cfg->quiet, and then
 * only if a run failed or the exit is 99).  Returns 99 after a hard
 * error, 1 if any run failed or was interrupted, else 0 (as adjusted by
 * ops->last).  *tally may be NULL.
 */
int repeat_loop(struct config *cfg, const struct repeat_ops *ops,
    FILE *out, FILE *err, struct repeat_tally *tally);

/*
 * A fresh seed in 0 .. 2^63-1 for run number run (0-based), different for
 * every run and every process.
 */
uint64_t repeat_seed(uint64_t run);

/*
 * Format the failure rate as the tally shows it: "0", "33.3", "0.2",
 * "100" (three significant digits at most).
 */
void repeat_percent(uint64_t failures, uint64_t runs, char *buf,
    size_t cap);

#endif
