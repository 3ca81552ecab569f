/* SPDX-License-Identifier: MIT */
/*
 * repeat: the loop behind --repeat N and --until-fail.  It gives every run
 * a fresh seed (unless the user fixed one), calls back into main.c for
 * the run itself, counts failures, remembers the directories failing runs
 * kept, and prints the tally, last, so that it agrees with the exit
 * status even when a report could not be written.  It never runs the
 * scenario, prints a run's summary or writes a report file itself: one run is exactly what
 * a plain `sqlstorm` does, so a failure found on run 417 reproduces with
 * the seed that run printed.
 */
#include "autoconf.h"
#include "repeat.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

struct repeat_kept {
	uint64_t run;           /* 1-based */
	uint64_t seed;
	char    *dir;
};

struct repeat_state {
	struct repeat_tally t;
	struct repeat_kept *kept;
	size_t   nkept, capkept;
	int      lost_kept;     /* kept directories we had no memory to list */
};

/* splitmix64 from z: spreads nearby inputs over all 64 bits. */
static uint64_t
repeat_mix(uint64_t z)
{
	return util_rand64(&z);
}

uint64_t
repeat_seed(uint64_t run)
{
	/*
	 * time() alone repeats within a second, and runs of 300ms are
	 * common; the monotonic clock and the run number keep seeds apart,
	 * the pid keeps two sqlstorms started together apart.
	 */
	uint64_t z = (uint64_t)time(NULL) << 20 ^ (uint64_t)getpid();

	z = repeat_mix(z ^ repeat_mix((uint64_t)util_now_ns() ^
	    repeat_mix(run)));
	return z & (uint64_t)INT64_MAX;
}

void
repeat_percent(uint64_t failures, uint64_t runs, char *buf, size_t cap)
{
	double pct = runs > 0 ? 100.0 * (double)failures / (double)runs : 0;

	snprintf(buf, cap, "%.3g", pct);
}

int
repeat_wanted(const struct config *cfg)
{
	return cfg->repeat > 1 || cfg->until_fail;
}

/* Remember a failing run's directory.  -1 only when out of memory. */
static int
repeat_keep(struct repeat_state *st, const struct report *rep,
    uint64_t seed)
{
	struct repeat_kept *k;

	if (st->nkept == st->capkept) {
		size_t cap = st->capkept > 0 ? st->capkept * 2 : 8;

		if ((k = realloc(st->kept, cap * sizeof *k)) == NULL)
			return -1;
		st->kept = k;
		st->capkept = cap;
	}
	k = &st->kept[st->nkept];
	if ((k->dir = strdup(rep->run_dir)) == NULL)
		return -1;
	k->run = st->t.runs;
	k->seed = seed;
	st->nkept++;
	return 0;
}

/* Count one finished run.  Returns 1 when the loop must stop. */
static int
repeat_count(struct repeat_state *st, const struct config *cfg,
    const struct report *rep, int rc, uint64_t seed)
{
	if (rc == 99) {
		st->t.hard = 1;
		return 1;
	}
	if (rc != 0) {
		st->t.failures++;
		if (rep->kept && rep->run_dir[0] != '\0' &&
		    repeat_keep(st, rep, seed) < 0)
			st->lost_kept++;
	}
	/* ^C means the user wants to stop, not to see the next run. */
	if (rep->interrupted) {
		st->t.interrupted = 1;
		return 1;
	}
	if (rc != 0 && cfg->until_fail)
		return 1;
	if ((!cfg->until_fail || cfg->repeat_set) &&
	    st->t.runs >= (uint64_t)cfg->repeat)
		return 1;
	return 0;
}

static void
repeat_print(const struct repeat_state *st, FILE *fp)
{
	char pct[32];
	size_t i;

	repeat_percent(st->t.failures, st->t.runs, pct, sizeof pct);
	fprintf(fp, "sqlstorm: %llu run%s, %llu failure%s (%s%%)%s\n",
	    (unsigned long long)st->t.runs, st->t.runs == 1 ? "" : "s",
	    (unsigned long long)st->t.failures,
	    st->t.failures == 1 ? "" : "s", pct,
	    st->t.hard ? ", stopped by a hard error" :
	    st->t.interrupted ? ", interrupted" :
	    st->t.reports_failed ? ", reports not written" : "");
	for (i = 0; i < st->nkept; i++)
		fprintf(fp, "  kept %s (run %llu, seed %llu)\n",
		    st->kept[i].dir, (unsigned long long)st->kept[i].run,
		    (unsigned long long)st->kept[i].seed);
	if (st->lost_kept > 0)
		fprintf(fp, "  (%d more kept directories: out of memory to"
		    " list them)\n", st->lost_kept);
}

static void
repeat_free(struct repeat_state *st)
{
	size_t i;

	for (i = 0; i < st->nkept; i++)
		free(st->kept[i].dir);
	free(st->kept);
	st->kept = NULL;
	st->nkept = st->capkept = 0;
}

/* The final exit code: a hard error wins, then any failure. */
static int
repeat_exit(const struct repeat_state *st)
{
	if (st->t.hard)
		return 99;
	return st->t.failures > 0 || st->t.interrupted ? 1 : 0;
}

int
repeat_loop(struct config *cfg, const struct repeat_ops *ops, FILE *out,
    FILE *err, struct repeat_tally *tally)
{
	struct repeat_state st;
	struct report rep;
	struct config one;
	int rc, done = 0;

	memset(&st, 0, sizeof st);
	memset(&rep, 0, sizeof rep);
	/*
	 * Each run is a plain single run: its repro line and reports must
	 * not say --repeat, or replaying run 417 would run 500 times.  The
	 * copy shares cfg's strings and is never freed.
	 */
	one = *cfg;
	one.repeat = 1;
	one.repeat_set = 0;
	one.until_fail = 0;
	while (!done) {
		if (st.t.runs > 0)
			/* Only the last run's report is written: drop this one. */
			report_free(&rep);
		/* Every run has a seed, so a failing run can be replayed. */
		if (!cfg->seed_set) {
			one.seed = repeat_seed(st.t.runs);
			/* Tell the reports (the repro line) a seed is set. */
			one.seed_set = 1;
		}
		st.t.runs++;
		rc = ops->run(&one, &rep, ops->arg);
		done = repeat_count(&st, cfg, &rep, rc, one.seed);
		if (!done && ops->stop != NULL && ops->stop(ops->arg)) {
			st.t.hard = 1;
			done = 1;
		}
	}
	rc = repeat_exit(&st);
	if (ops->last != NULL && ops->last(&one, &rep, rc, ops->arg) == 99 &&
	    rc != 99) {
		st.t.reports_failed = 1;
		rc = 99;
	}
	if (repeat_wanted(cfg) && (!cfg->quiet || st.t.failures > 0 ||
	    rc == 99))
		repeat_print(&st, cfg->quiet ? err : out);
	report_free(&rep);
	repeat_free(&st);
	if (tally != NULL)
		*tally = st.t;
	return rc;
}
