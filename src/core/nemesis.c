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

#include <errno.h>
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
	[NEMESIS_IO] = "io",
};

static const char *const nemesis_io_ops[NEMESIS_OP_END] = {
	[NEMESIS_OP_READ] = "read", [NEMESIS_OP_WRITE] = "write",
	[NEMESIS_OP_SYNC] = "sync", [NEMESIS_OP_TRUNCATE] = "truncate",
	[NEMESIS_OP_OPEN] = "open",
};

/* Units of io:full=SIZE: bytes, or powers of 1024. */
static const struct {
	const char *name;
	int shift;
} nemesis_units[] = {
	{ "GiB", 30 }, { "MiB", 20 }, { "KiB", 10 }, { "", 0 },
};
#define NEMESIS_NUNITS (sizeof nemesis_units / sizeof nemesis_units[0])
#define NEMESIS_SIZE_MAX (UINT64_C(1) << 50)

const char *
nemesis_io_op_name(int op)
{
	if (op < 0 || op >= NEMESIS_OP_END)
		return "unknown";
	return nemesis_io_ops[op];
}

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

/* "256MiB", "4096" into *bytes (1 .. 2^50).  Returns 0 or -1. */
static int
nemesis_size(const char *text, uint64_t *bytes)
{
	unsigned long long v;
	char *end;
	size_t i;

	if (text[0] < '1' || text[0] > '9')
		return -1;
	errno = 0;
	v = strtoull(text, &end, 10);
	if (errno != 0)
		return -1;
	for (i = 0; i < NEMESIS_NUNITS; i++)
		if (strcmp(end, nemesis_units[i].name) == 0) {
			if (v > (NEMESIS_SIZE_MAX >> nemesis_units[i].shift))
				return -1;
			*bytes = (uint64_t)v << nemesis_units[i].shift;
			return 0;
		}
	return -1;
}

/* The size as it parses: the largest unit that divides it. */
static void
nemesis_size_format(uint64_t bytes, char *buf, size_t cap)
{
	size_t i;

	for (i = 0; i < NEMESIS_NUNITS; i++) {
		uint64_t unit = UINT64_C(1) << nemesis_units[i].shift;

		if (bytes % unit == 0) {
			snprintf(buf, cap, "%llu%s",
			    (unsigned long long)(bytes / unit),
			    nemesis_units[i].name);
			return;
		}
	}
}

/* "full=SIZE[/DUR]" (after "io:") into it. */
static int
nemesis_io_full(struct nemesis_item *it, char *arg, const char *item,
    char *err, size_t errlen)
{
	char shown[UTIL_SHOW_MAX + 8];
	char *slash = strchr(arg, '/');

	it->io_kind = NEMESIS_IO_FULL;
	if (slash != NULL) {
		*slash = '\0';
		if (duration_parse(slash + 1, &it->length_ns) < 0 ||
		    it->length_ns == 0) {
			snprintf(err, errlen, "'%s': '%s' is not a duration "
			    "above 0", item, util_show(slash + 1, shown,
			    sizeof shown));
			return -1;
		}
	}
	if (nemesis_size(arg, &it->io_size) < 0) {
		snprintf(err, errlen, "'%s': '%s' is not a size from 1 byte to "
		    "1048576GiB (units: KiB, MiB, GiB)", item,
		    util_show(arg, shown, sizeof shown));
		return -1;
	}
	return 0;
}

/*
 * "io:read=IOERR", "io:short-write", "io:full=1MiB/2s" into it (the
 * target comes with the when: nemesis_io_when()).
 */
static int
nemesis_io_head(struct nemesis_item *it, char *spec, const char *item,
    char *err, size_t errlen)
{
	char shown[UTIL_SHOW_MAX + 8];
	char *eq = strchr(spec, '=');
	int op;

	it->action = NEMESIS_IO;
	if (strcmp(spec, "short-write") == 0) {
		it->io_kind = NEMESIS_IO_SHORT;
		it->io_op = NEMESIS_OP_WRITE;
		return 0;
	}
	if (eq == NULL) {
		snprintf(err, errlen, "'%s' is not io:OP=CODE, io:short-write "
		    "or io:full=SIZE", item);
		return -1;
	}
	*eq = '\0';
	if (strcmp(spec, "full") == 0)
		return nemesis_io_full(it, eq + 1, item, err, errlen);
	for (op = 0; op < NEMESIS_OP_END; op++)
		if (strcmp(spec, nemesis_io_ops[op]) == 0)
			break;
	if (op == NEMESIS_OP_END) {
		snprintf(err, errlen, "'%s': unknown io op '%s' (read, write, "
		    "sync, truncate, open, short-write, full)", item,
		    util_show(spec, shown, sizeof shown));
		return -1;
	}
	if (eq[1] == '\0' || strlen(eq + 1) >= sizeof it->io_name) {
		snprintf(err, errlen, "'%s': '%s' is not a code name (IOERR, "
		    "FULL, ...)", item, util_show(eq + 1, shown,
		    sizeof shown));
		return -1;
	}
	it->io_kind = NEMESIS_IO_FAIL;
	it->io_op = op;
	util_strlcpy(it->io_name, eq + 1, sizeof it->io_name);
	return 0;
}

/*
 * The target of an io item, written before its when ("w1:3s"): a worker,
 * worker, workers or maint; the validator and the store are refused.
 * *when is moved past it.
 */
static int
nemesis_io_target(struct nemesis_parse_ctx *pc, struct nemesis_item *it,
    const char **when, const char *item, char *err, size_t errlen)
{
	char t[NEMESIS_NAME_MAX + 8], shown[UTIL_SHOW_MAX + 8];
	const char *colon = strchr(*when, ':');
	size_t len;

	if (colon == NULL) {
		it->target = NEMESIS_ANY_WORKER;
		if (it->io_kind == NEMESIS_IO_FULL)
			it->target = NEMESIS_ALL_WORKERS;
		return 0;
	}
	len = (size_t)(colon - *when);
	if (len >= sizeof t) {
		snprintf(err, errlen, "'%s': '%s' is not a target", item,
		    util_show(*when, shown, sizeof shown));
		return -1;
	}
	memcpy(t, *when, len);
	t[len] = '\0';
	*when = colon + 1;
	if (it->io_kind == NEMESIS_IO_FULL) {
		snprintf(err, errlen, "'%s': io:full is one limit on the files, "
		    "for every child: it takes no target", item);
		return -1;
	}
	if (strcmp(t, "validator") == 0 || strcmp(t, "store") == 0) {
		snprintf(err, errlen, "'%s': io faults aim at wN, worker, "
		    "workers or maint, not the %s (its reads are judged as "
		    "snapshots)", item, t);
		return -1;
	}
	it->io_target_given = 1;
	return nemesis_target(pc, it, t, item, err, errlen);
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
	if (strcmp(head, "io") == 0)
		return nemesis_io_head(it, colon + 1, item, err, errlen);
	if (strcmp(head, "kill") == 0)
		it->action = NEMESIS_KILL;
	else if (strcmp(head, "pause") == 0)
		it->action = NEMESIS_PAUSE;
	else {
		snprintf(err, errlen, "'%s': unknown action '%s' (kill, pause, "
		    "io)",
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
	char item[128], shown[UTIL_SHOW_MAX + 8];

	util_strlcpy(item, util_show(head, shown, sizeof shown), sizeof item);
	it->lift_ns = -1;
	if (nemesis_head(pc, it, head, err, errlen) < 0)
		return -1;
	if (it->action == NEMESIS_IO && nemesis_io_target(pc, it, &when,
	    item, err, errlen) < 0)
		return -1;
	if (schedule_parse(when, &it->when, werr, sizeof werr) < 0) {
		snprintf(err, errlen, "%s", werr);
		return -1;
	}
	if (it->action == NEMESIS_IO && it->io_kind == NEMESIS_IO_FULL &&
	    it->when.every_ns > 0 && it->length_ns == 0) {
		snprintf(err, errlen, "'%s': io:full every ... names how long "
		    "each lasts (io:full=SIZE/DUR)", item);
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

/* One io item as it parses, after a comma if comma. */
static int
nemesis_io_format(const struct nemesis_item *it, int comma, char *buf,
    size_t cap)
{
	char when[48], head[80], size[32], dur[40] = "";
	int n;

	schedule_format(&it->when, when, sizeof when);
	if (it->io_kind == NEMESIS_IO_FULL) {
		nemesis_size_format(it->io_size, size, sizeof size);
		if (it->length_ns > 0) {
			dur[0] = '/';
			duration_format(it->length_ns, dur + 1, sizeof dur - 1);
		}
		snprintf(head, sizeof head, "full=%s%s", size, dur);
	} else if (it->io_kind == NEMESIS_IO_SHORT)
		snprintf(head, sizeof head, "short-write");
	else
		snprintf(head, sizeof head, "%s=%s",
		    nemesis_io_op_name(it->io_op), it->io_name);
	n = snprintf(buf, cap, "%sio:%s@%s%s%s", comma ? "," : "", head,
	    !it->io_target_given ? "" : it->target == NEMESIS_ANY_WORKER ?
	    "worker" : it->target == NEMESIS_ALL_WORKERS ? "workers" :
	    it->name, it->io_target_given ? ":" : "", when);
	return n < 0 || (size_t)n >= cap ? -1 : 0;
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

		if (it->action == NEMESIS_IO) {
			if (nemesis_io_format(it, i > 0, buf + len,
			    cap - len) < 0)
				return -1;
			len += strlen(buf + len);
			continue;
		}
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
	for (i = 0; i < plan->n; i++) {
		plan->v[i].next_ns = plan->v[i].when.first_ns;
		plan->v[i].lift_ns = -1;
	}
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
		if (it->action == NEMESIS_IO && it->io_kind == NEMESIS_IO_FULL &&
		    it->length_ns > 0)
			it->lift_ns = now_ns + it->length_ns;
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
		int64_t t = plan->v[i].next_ns, l = plan->v[i].lift_ns;

		if (t >= 0 && (best < 0 || t < best))
			best = t;
		if (l >= 0 && (best < 0 || l < best))
			best = l;
	}
	return best;
}

long
nemesis_lift_due(struct nemesis_plan *plan, int64_t now_ns)
{
	size_t i;

	for (i = 0; i < plan->n; i++) {
		struct nemesis_item *it = &plan->v[i];

		if (it->lift_ns < 0 || it->lift_ns > now_ns)
			continue;
		it->lift_ns = -1;
		return (long)i;
	}
	return -1;
}

int
nemesis_pick(struct nemesis_plan *plan, int nworkers)
{
	if (nworkers <= 1)
		return 0;
	return (int)(util_rand64(&plan->rng) % (uint64_t)nworkers);
}
