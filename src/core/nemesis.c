/* SPDX-License-Identifier: MIT */
/*
 * nemesis: parses --nemesis ("kill:workers@every 200ms,pause:w1=500ms@2s")
 * into a plan, formats it back, and answers which item is due at an
 * offset from the start and which worker a "worker" item hits (drawn from
 * the run's seed, so a failing run replays).  The "when" is schedule.c's;
 * the killing, pausing and restarting is the supervisor's.  No clock, no
 * I/O, no SQL.
 */
#include "autoconf.h"
#include "nemesis.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "duration.h"
#include "util.h"

struct nemesis_parse_ctx {
	struct nemesis_plan *plan;
	size_t   cap;
	int      nworkers;
	const char *const *names;
};

static const char *const nemesis_actions[NEMESIS_ACTION_END] = {
	[NEMESIS_KILL] = "kill", [NEMESIS_PAUSE] = "pause",
};

const char *
nemesis_action_name(enum nemesis_action a)
{
	if ((int)a <= 0 || a >= NEMESIS_ACTION_END)
		return "unknown";
	return nemesis_actions[a];
}

/* "w12" with 12 < nworkers: 1 and its index; else 0. */
static int
nemesis_worker_name(const char *t, int *idx)
{
	unsigned long v;

	if (t[0] != 'w' || util_parse_uint(t + 1, 1000000, &v) < 0)
		return 0;
	if (t[1] == '0' && t[2] != '\0')
		return 0;       /* "w01" is not a name the run uses */
	*idx = (int)v;
	return 1;
}

/* The target of one item: a worker, a group, or a named child. */
static int
nemesis_target(struct nemesis_parse_ctx *pc, struct nemesis_item *it,
    const char *t, const char *item, char *err, size_t errlen)
{
	char shown[UTIL_SHOW_MAX + 8];
	size_t i;
	int w;

	if (strcmp(t, "worker") == 0) {
		it->target = NEMESIS_ANY_WORKER;
		return 0;
	}
	if (strcmp(t, "workers") == 0) {
		it->target = NEMESIS_ALL_WORKERS;
		return 0;
	}
	it->target = NEMESIS_CHILD;
	if (nemesis_worker_name(t, &w)) {
		if (w >= pc->nworkers) {
			snprintf(err, errlen, "'%s': there is no worker %s "
			    "(workers are w0..w%d)", item, t, pc->nworkers - 1);
			return -1;
		}
		util_strlcpy(it->name, t, sizeof it->name);
		return 0;
	}
	for (i = 0; pc->names != NULL && pc->names[i] != NULL; i++)
		if (strcmp(t, pc->names[i]) == 0) {
			util_strlcpy(it->name, t, sizeof it->name);
			return 0;
		}
	snprintf(err, errlen, "'%s': unknown target '%s' in this run (wN, "
	    "worker, workers", item, util_show(t, shown, sizeof shown));
	for (i = 0; pc->names != NULL && pc->names[i] != NULL; i++)
		snprintf(err + strlen(err), errlen - strlen(err), ", %s",
		    pc->names[i]);
	snprintf(err + strlen(err), errlen - strlen(err), ")");
	return -1;
}

/* "kill:w1", "kill:store=2s", "pause:w1=500ms" into it. */
static int
nemesis_head(struct nemesis_parse_ctx *pc, struct nemesis_item *it,
    char *head, char *err, size_t errlen)
{
	char item[128], shown[UTIL_SHOW_MAX + 8];
	char *colon = strchr(head, ':'), *eq;

	util_strlcpy(item, util_show(head, shown, sizeof shown), sizeof item);
	if (colon == NULL) {
		snprintf(err, errlen, "'%s' is not ACTION:TARGET (kill:w1, "
		    "pause:w1=500ms)", item);
		return -1;
	}
	*colon = '\0';
	if (strcmp(head, "kill") == 0)
		it->action = NEMESIS_KILL;
	else if (strcmp(head, "pause") == 0)
		it->action = NEMESIS_PAUSE;
	else {
		snprintf(err, errlen, "'%s': unknown action '%s' (kill, pause)",
		    item, util_show(head, shown, sizeof shown));
		return -1;
	}
	if ((eq = strchr(colon + 1, '=')) != NULL) {
		*eq = '\0';
		if (duration_parse(eq + 1, &it->length_ns) < 0) {
			snprintf(err, errlen, "'%s': '%s' is not a duration",
			    item, util_show(eq + 1, shown, sizeof shown));
			return -1;
		}
	}
	if (it->action == NEMESIS_PAUSE && (eq == NULL || it->length_ns == 0)) {
		snprintf(err, errlen, "'%s': a pause names its length "
		    "(pause:%s=500ms)", item, util_show(colon + 1, shown,
		    sizeof shown));
		return -1;
	}
	return nemesis_target(pc, it, colon + 1, item, err, errlen);
}

static int
nemesis_item_cb(void *user, char *head, const char *when, char *err,
    size_t errlen)
{
	struct nemesis_parse_ctx *pc = user;
	struct nemesis_plan *plan = pc->plan;
	struct nemesis_item *it;
	char werr[160];

	if (util_grow(&plan->v, &pc->cap, plan->n, sizeof *plan->v, 4) < 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	it = &plan->v[plan->n];
	memset(it, 0, sizeof *it);
	if (nemesis_head(pc, it, head, err, errlen) < 0)
		return -1;
	if (schedule_parse(when, &it->when, werr, sizeof werr) < 0) {
		snprintf(err, errlen, "%s", werr);
		return -1;
	}
	it->next_ns = it->when.first_ns;
	plan->n++;
	return 0;
}

int
nemesis_parse(const char *spec, int nworkers, const char *const *names,
    struct nemesis_plan *plan, char *err, size_t errlen)
{
	struct nemesis_parse_ctx pc;

	memset(plan, 0, sizeof *plan);
	memset(&pc, 0, sizeof pc);
	pc.plan = plan;
	pc.nworkers = nworkers;
	pc.names = names;
	if (schedule_split(spec, nemesis_item_cb, &pc, err, errlen) < 0) {
		nemesis_free(plan);
		return -1;
	}
	return 0;
}

void
nemesis_free(struct nemesis_plan *plan)
{
	free(plan->v);
	memset(plan, 0, sizeof *plan);
}

int
nemesis_format(const struct nemesis_plan *plan, char *buf, size_t cap)
{
	size_t i, len = 0;
	int n;

	if (cap == 0)
		return -1;
	buf[0] = '\0';
	for (i = 0; i < plan->n; i++) {
		const struct nemesis_item *it = &plan->v[i];
		char when[48], dur[40] = "";

		schedule_format(&it->when, when, sizeof when);
		if (it->length_ns > 0) {
			dur[0] = '=';
			duration_format(it->length_ns, dur + 1, sizeof dur - 1);
		}
		n = snprintf(buf + len, cap - len, "%s%s:%s%s@%s",
		    i > 0 ? "," : "", nemesis_action_name(it->action),
		    it->target == NEMESIS_ANY_WORKER ? "worker" :
		    it->target == NEMESIS_ALL_WORKERS ? "workers" : it->name,
		    dur, when);
		if (n < 0 || (size_t)n >= cap - len)
			return -1;
		len += (size_t)n;
	}
	return 0;
}

void
nemesis_start(struct nemesis_plan *plan, uint64_t seed)
{
	size_t i;

	/* Not the seed itself: the workers draw from it too. */
	plan->rng = seed ^ UINT64_C(0x6e656d6573697321);
	for (i = 0; i < plan->n; i++)
		plan->v[i].next_ns = plan->v[i].when.first_ns;
}

long
nemesis_due(struct nemesis_plan *plan, int64_t now_ns)
{
	size_t i;

	for (i = 0; i < plan->n; i++) {
		struct nemesis_item *it = &plan->v[i];

		if (it->next_ns < 0 || it->next_ns > now_ns)
			continue;
		/*
		 * Behind (a stopped parent): the next one after now, never a
		 * burst of the ones missed.
		 */
		it->next_ns = schedule_next(&it->when, now_ns);
		return (long)i;
	}
	return -1;
}

int64_t
nemesis_next(const struct nemesis_plan *plan)
{
	int64_t best = -1;
	size_t i;

	for (i = 0; i < plan->n; i++) {
		int64_t t = plan->v[i].next_ns;

		if (t >= 0 && (best < 0 || t < best))
			best = t;
	}
	return best;
}

int
nemesis_pick(struct nemesis_plan *plan, int nworkers)
{
	if (nworkers <= 1)
		return 0;
	return (int)(util_rand64(&plan->rng) % (uint64_t)nworkers);
}
