/* SPDX-License-Identifier: MIT */
/*
 * report-tap: the run's checks (shared with the JUnit writer) and TAP
 * version 13 for automake's tap-driver.sh: a plan, one test point per
 * check, then the human summary as "# " diagnostics.  A check that failed
 * is shown by the failure event that explains it, in its place, so "not
 * ok" lines and the summary's failures are the same count.  It writes the
 * whole stream once the run is over; it does not stream test points while
 * the run goes on (their verdicts are only final at the end).
 */
#include "autoconf.h"
#include "report-out.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report-file.h"
#include "util.h"

struct walk {
	const struct report *rep;
	unsigned char *used;        /* events already shown in their place */
	void (*fn)(const struct report_check *c, void *arg);
	void *arg;
	long n;
	size_t nfail;
};

static const char *
walk_who(const struct report *rep, int child)
{
	if (child >= 0 && (size_t)child < rep->sup.nchildren)
		return rep->sup.children[child].name;
	return "run";
}

static void
walk_emit(struct walk *w, const struct report_check *c)
{
	w->n++;
	if (c->verdict == VERDICT_FAILURE)
		w->nfail++;
	if (w->fn != NULL)
		w->fn(c, w->arg);
}

/*
 * The first failure event not shown yet of kind about child (-1: the
 * run; SUP_ANY_CHILD: any) and snapshot.  Events are found by what they
 * are, never by their text.  Returns its index or -1.
 */
static long
walk_find(const struct walk *w, enum sup_event_kind kind, int child,
    long snapshot)
{
	const struct sup_result *res = &w->rep->sup;
	long k = -1;

	while ((k = sup_event_find(res, (size_t)(k + 1), kind, child, snapshot,
	    VERDICT_FAILURE)) >= 0 && w->used[k])
		;
	return k;
}

/* Event i as a check; name NULL: named after the event itself. */
static void
walk_event(struct walk *w, size_t i, const char *name)
{
	const struct sup_event *ev = &w->rep->sup.events[i];
	const char *code = ev->code_name;
	struct report_check c;
	char num[16];

	memset(&c, 0, sizeof c);
	w->used[i] = 1;
	c.who = walk_who(w->rep, ev->child);
	c.verdict = ev->verdict;
	c.cause = ev->cause;
	c.detail = ev->reason;
	if (code == NULL) {
		snprintf(num, sizeof num, "%d", (int)ev->err.code);
		code = num;
	}
	if (name != NULL)
		util_strlcpy(c.name, name, sizeof c.name);
	else if (ev->kind == SUP_EV_ERROR)
		snprintf(c.name, sizeof c.name, "error %zu: %s in %s", i + 1,
		    code, wire_op_name(ev->err.op));
	else if (ev->kind == SUP_EV_NEMESIS)
		snprintf(c.name, sizeof c.name, "nemesis %zu", i + 1);
	else
		snprintf(c.name, sizeof c.name, "failure %zu", i + 1);
	if (ev->kind == SUP_EV_ERROR && ev->verdict == VERDICT_EXPECTED)
		snprintf(c.text, sizeof c.text, "%s: %s %s in %s", c.who,
		    ev->cause == CLASSIFY_CAUSE_NEMESIS ? "nemesis-window" :
		    ev->cause == CLASSIFY_CAUSE_INJECTED ? "injected" :
		    "late", code, wire_op_name(ev->err.op));
	else
		snprintf(c.text, sizeof c.text, "%s: %s", c.who, ev->reason);
	walk_emit(w, &c);
}

static void
walk_children(struct walk *w)
{
	const struct report *rep = w->rep;
	char name[96];
	size_t i;

	for (i = 0; i < rep->sup.nchildren; i++) {
		const struct sup_child *ch = &rep->sup.children[i];
		struct report_check c;
		long k;

		snprintf(name, sizeof name, "%s lifecycle", ch->name);
		/* The supervisor judged this end once; its event explains it. */
		if (ch->verdict != VERDICT_PASS) {
			k = walk_find(w, SUP_EV_FATE, (int)i, SUP_NO_SNAPSHOT);
			if (k >= 0)
				walk_event(w, (size_t)k, name);
			continue;
		}
		memset(&c, 0, sizeof c);
		c.who = ch->name;
		util_strlcpy(c.name, name, sizeof c.name);
		snprintf(c.text, sizeof c.text, "%s exited cleanly", ch->name);
		c.verdict = VERDICT_PASS;
		c.detail = "";
		if (ch->t_reaped != 0 && rep->sup.start_ns != 0)
			c.time_ns = ch->t_reaped - rep->sup.start_ns;
		walk_emit(w, &c);
	}
}

static void
walk_snapshot(struct walk *w, const struct report_snapshot *s)
{
	const struct report *rep = w->rep;
	struct report_check c;
	char name[96];
	long k;

	snprintf(name, sizeof name, "snapshot %u", (unsigned)s->index);
	if (!s->ok) {
		/*
		 * The validator's own finding, or else the ledger's first
		 * about this snapshot (scenario.c stores whichever came
		 * first as the snapshot's problem): the earlier of the two.
		 */
		k = walk_find(w, SUP_EV_SNAPSHOT, SUP_ANY_CHILD, (long)s->index);
		if (k < 0)
			k = walk_find(w, SUP_EV_LEDGER, SUP_ANY_CHILD,
			    (long)s->index);
		if (k >= 0)
			walk_event(w, (size_t)k, name);
		return;
	}
	memset(&c, 0, sizeof c);
	c.who = walk_who(rep, rep->nworkers);
	util_strlcpy(c.name, name, sizeof c.name);
	snprintf(c.text, sizeof c.text, "snapshot %u at %.3fs: %llu rows, "
	    "%s ok, no acknowledged row missing", (unsigned)s->index,
	    rep->sup.start_ns != 0 ? (double)(s->t_begin_ns -
	    rep->sup.start_ns) / (double)UTIL_NS_PER_S : 0.0,
	    (unsigned long long)s->rows, rep->cfg != NULL &&
	    rep->cfg->check == CONFIG_CHECK_QUICK ? "quick_check" :
	    "integrity");
	c.verdict = VERDICT_PASS;
	c.detail = "";
	c.time_ns = s->t_end_ns - s->t_begin_ns;
	walk_emit(w, &c);
}

static void
walk_final(struct walk *w)
{
	const struct report *rep = w->rep;
	struct report_check c;
	long k;

	if (!rep->final_checked || !rep->final_ok) {
		k = walk_find(w, SUP_EV_FINAL, -1, SUP_NO_SNAPSHOT);
		if (k >= 0)
			walk_event(w, (size_t)k, "final database");
		return;
	}
	memset(&c, 0, sizeof c);
	c.who = "run";
	util_strlcpy(c.name, "final database", sizeof c.name);
	snprintf(c.text, sizeof c.text, "final database: %llu rows, "
	    "integrity ok, every worker's rows gap-free",
	    (unsigned long long)rep->final_rows);
	c.verdict = VERDICT_PASS;
	c.detail = "";
	walk_emit(w, &c);
}

static void
walk_interrupted(struct walk *w)
{
	const struct report *rep = w->rep;
	struct report_check c;
	const char *sig = rep->sup.signal_name;

	memset(&c, 0, sizeof c);
	c.who = "run";
	util_strlcpy(c.name, "run interrupted", sizeof c.name);
	snprintf(c.text, sizeof c.text, "run: interrupted by %s, the run is "
	    "incomplete", sig != NULL ? sig : "a signal");
	c.verdict = VERDICT_FAILURE;
	c.detail = c.text + 5;
	walk_emit(w, &c);
}

long
report_check_walk(const struct report *rep,
    void (*fn)(const struct report_check *c, void *arg), void *arg,
    size_t *nfail)
{
	struct walk w;
	size_t i;

	memset(&w, 0, sizeof w);
	w.rep = rep;
	w.fn = fn;
	w.arg = arg;
	if ((w.used = calloc(rep->sup.nevents + 1, 1)) == NULL) {
		errno = ENOMEM;
		return -1;
	}
	walk_children(&w);
	for (i = 0; i < rep->nsnapshots; i++)
		walk_snapshot(&w, &rep->snapshots[i]);
	walk_final(&w);
	/* Everything not shown in its place: errors, lost rows, protocol. */
	for (i = 0; i < rep->sup.nevents; i++)
		if (!w.used[i])
			walk_event(&w, i, NULL);
	if (rep->interrupted)
		walk_interrupted(&w);
	free(w.used);
	if (nfail != NULL)
		*nfail = w.nfail;
	return w.n;
}

/* ------------------------------------------------------------------ TAP */

/*
 * One line of TAP text: a '#' would start a directive (tap-driver looks
 * for "# SKIP" anywhere), so it and the backslash are escaped; control
 * characters would break the line.
 */
static void
tap_text(FILE *fp, const char *s)
{
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '#' || c == '\\')
			fputc('\\', fp);
		fputc(c < 0x20 || c == 0x7F ? ' ' : c, fp);
	}
}

struct tap_state {
	FILE       *fp;
	long        n;
	const char *prefix;     /* "run 3: " with --repeat, else "" */
};

static void
tap_point(const struct report_check *c, void *arg)
{
	struct tap_state *t = arg;

	t->n++;
	fprintf(t->fp, "%s %ld - ", c->verdict == VERDICT_FAILURE ?
	    "not ok" : "ok", t->n);
	tap_text(t->fp, t->prefix);
	tap_text(t->fp, c->text);
	if (c->verdict == VERDICT_EXPECTED) {
		fputs(c->cause == CLASSIFY_CAUSE_NEMESIS ?
		    " # expected (nemesis): " :
		    c->cause == CLASSIFY_CAUSE_INJECTED ?
		    " # expected (injected): " : " # expected late error: ",
		    t->fp);
		tap_text(t->fp, c->detail);
	}
	fputc('\n', t->fp);
}

char *
report_summary_text(const struct report *rep)
{
	FILE *tmp;
	char *text = NULL;
	long len;

	if ((tmp = tmpfile()) == NULL)
		return NULL;
	report_summary(rep, tmp);
	if (!ferror(tmp) && (len = ftell(tmp)) >= 0 &&
	    (text = malloc((size_t)len + 1)) != NULL) {
		rewind(tmp);
		if (fread(text, 1, (size_t)len, tmp) != (size_t)len) {
			free(text);
			text = NULL;
		} else
			text[len] = '\0';
	}
	fclose(tmp);
	return text;
}

/* The human summary, every line a "# " diagnostic. */
static void
tap_diagnostics(const struct report *rep, FILE *fp)
{
	char *text, *line, *save = NULL;

	if ((text = report_summary_text(rep)) == NULL) {
		fprintf(fp, "# summary unavailable: %s\n", strerror(errno));
		return;
	}
	for (line = strtok_r(text, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save))
		fprintf(fp, "# %s\n", line);
	free(text);
}

void
report_tap_bail(FILE *fp, const char *msg)
{
	fputs("Bail out! ", fp);
	/* One line, whatever the message holds. */
	for (; *msg != '\0'; msg++)
		fputc((unsigned char)*msg < 0x20 ? ' ' : *msg, fp);
	fputc('\n', fp);
	fflush(fp);
}

int
report_tap_write(const struct report *rep, FILE *fp)
{
	struct tap_state t = { fp, 0, "" };
	long n;

	if (rep->exit_code == 99) {
		report_tap_bail(fp, rep->hard_error);
		return ferror(fp) ? -1 : 0;
	}
	if ((n = report_check_walk(rep, NULL, NULL, NULL)) < 0) {
		report_tap_bail(fp, "out of memory");
		return -1;
	}
	fprintf(fp, "TAP version 13\n1..%ld\n", n);
	(void)report_check_walk(rep, tap_point, &t, NULL);
	tap_diagnostics(rep, fp);
	fflush(fp);
	return ferror(fp) ? -1 : 0;
}

int
report_tap_run(const struct report *rep, FILE *fp, uint64_t run, long *n)
{
	char prefix[48];
	struct tap_state t = { fp, *n, prefix };

	snprintf(prefix, sizeof prefix, "run %llu: ",
	    (unsigned long long)run);
	fprintf(fp, "# run %llu, seed %llu\n", (unsigned long long)run,
	    (unsigned long long)rep->seed);
	if (rep->exit_code == 99) {
		report_tap_bail(fp, rep->hard_error);
		return ferror(fp) ? -1 : 0;
	}
	if (report_check_walk(rep, tap_point, &t, NULL) < 0) {
		report_tap_bail(fp, "out of memory");
		return -1;
	}
	*n = t.n;
	tap_diagnostics(rep, fp);
	fflush(fp);
	return ferror(fp) ? -1 : 0;
}

int
report_tap_plan(FILE *fp, long n)
{
	fprintf(fp, "1..%ld\n", n);
	fflush(fp);
	return ferror(fp) ? -1 : 0;
}
