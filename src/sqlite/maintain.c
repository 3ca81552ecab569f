/* SPDX-License-Identifier: MIT */
/*
 * maintain: the maintenance child of the SQLite scenario, run after fork,
 * and the --maintain spec it follows.  The child opens its own connection
 * with store_open() (the shutdown-aware busy and progress handlers, so a
 * long VACUUM is interrupted at shutdown), waits at the start barrier,
 * then runs each item of the spec when it is due (start + its schedule):
 * PRAGMA wal_checkpoint(MODE), VACUUM, PRAGMA incremental_vacuum(N) or
 * PRAGMA optimize.  An action that fails is reported with child_error()
 * (op MAINTAIN) and the schedule goes on; the parent classifies the error
 * like any child's.  An occurrence missed while an action ran long is
 * skipped, never run in a burst, and nothing is started at or after the
 * deadline.  Before DONE it sends one WIRE_ACTION record per kind the
 * spec names: runs, errors, total and longest time.  It never reads or
 * writes a table and never decides what an error means.
 */
#include "autoconf.h"
#include "maintain.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sqlite3.h>

#include "child.h"
#include "duration.h"
#include "iofault.h"
#include "scenario.h"
#include "storage.h"
#include "store.h"
#include "util.h"
#include "wire.h"

/* With nothing left to run before the deadline, wake this often. */
#define MAINT_IDLE_NS (3600 * UTIL_NS_PER_S)
/* Between two tries of a checkpoint that found the checkpoint lock held. */
#define MAINT_RETRY_NS (5 * UTIL_NS_PER_MS)

static const char *const maint_names[MAINT_NKINDS] = {
	[MAINT_CHECKPOINT_PASSIVE] = "checkpoint(passive)",
	[MAINT_CHECKPOINT_FULL] = "checkpoint(full)",
	[MAINT_CHECKPOINT_RESTART] = "checkpoint(restart)",
	[MAINT_CHECKPOINT_TRUNCATE] = "checkpoint(truncate)",
	[MAINT_VACUUM] = "vacuum",
	[MAINT_INCREMENTAL_VACUUM] = "incremental_vacuum",
	[MAINT_OPTIMIZE] = "optimize",
};

/* The checkpoint modes, in enum order from MAINT_CHECKPOINT_PASSIVE. */
static const char *const maint_modes[] = {
	"passive", "full", "restart", "truncate", NULL
};

const char *
maint_kind_name(int kind)
{
	return kind >= 0 && kind < MAINT_NKINDS ? maint_names[kind] : "?";
}

/* ------------------------------------------------------------ spec */

/* "checkpoint=MODE": the kind, or -1 with a message. */
static int
maint_checkpoint_kind(const char *mode, char *err, size_t errlen)
{
	int i;

	for (i = 0; maint_modes[i] != NULL; i++)
		if (strcasecmp(mode, maint_modes[i]) == 0)
			return MAINT_CHECKPOINT_PASSIVE + i;
	util_set_err(err, errlen, "checkpoint mode '%s' is not one of "
	    "passive, full, restart, truncate", mode);
	return -1;
}

/* The head of an item ("vacuum", "checkpoint=full", ...) into *it. */
static int
maint_parse_head(char *head, struct maint_item *it, char *err, size_t errlen)
{
	char *arg = strchr(head, '=');
	unsigned long pages = 0;
	int kind;

	if (arg != NULL)
		*arg++ = '\0';
	if (strcasecmp(head, "checkpoint") == 0) {
		if (arg == NULL) {
			util_set_err(err, errlen, "checkpoint needs a mode: "
			    "checkpoint=passive|full|restart|truncate");
			return -1;
		}
		if ((kind = maint_checkpoint_kind(arg, err, errlen)) < 0)
			return -1;
		it->kind = (enum maint_kind)kind;
		return 0;
	}
	if (strcasecmp(head, "incremental_vacuum") == 0) {
		if (arg != NULL && util_parse_uint(arg, MAINT_PAGES_MAX,
		    &pages) < 0) {
			util_set_err(err, errlen, "incremental_vacuum=%s: PAGES "
			    "is an integer from 1 to %u", arg, MAINT_PAGES_MAX);
			return -1;
		}
		if (arg != NULL && pages == 0) {
			util_set_err(err, errlen, "incremental_vacuum=0: PAGES "
			    "is an integer from 1 to %u (leave it out for "
			    "every free page)", MAINT_PAGES_MAX);
			return -1;
		}
		it->kind = MAINT_INCREMENTAL_VACUUM;
		it->pages = (uint32_t)pages;
		return 0;
	}
	if (strcasecmp(head, "vacuum") == 0)
		it->kind = MAINT_VACUUM;
	else if (strcasecmp(head, "optimize") == 0)
		it->kind = MAINT_OPTIMIZE;
	else {
		util_set_err(err, errlen, "unknown action '%s' (checkpoint=MODE, "
		    "vacuum, incremental_vacuum[=PAGES] or optimize)", head);
		return -1;
	}
	if (arg != NULL) {
		util_set_err(err, errlen, "%s takes no value ('=%s')", head, arg);
		return -1;
	}
	return 0;
}

/* schedule_split()'s callback: one item. */
static int
maint_parse_item(void *user, char *head, const char *when, char *err,
    size_t errlen)
{
	struct maint_spec *sp = user;
	struct maint_item *it;
	char why[256];

	if (sp->n >= MAINT_ITEMS_MAX) {
		util_set_err(err, errlen, "more than %d items",
		    MAINT_ITEMS_MAX);
		return -1;
	}
	it = &sp->item[sp->n];
	memset(it, 0, sizeof *it);
	if (maint_parse_head(head, it, err, errlen) < 0)
		return -1;
	if (schedule_parse(when, &it->when, why, sizeof why) < 0) {
		util_set_err(err, errlen, "%s@%s: %s", maint_kind_name(it->kind),
		    when, why);
		return -1;
	}
	sp->n++;
	return 0;
}

int
maint_spec_parse(const char *text, struct maint_spec *sp, char *err,
    size_t errlen)
{
	memset(sp, 0, sizeof *sp);
	return schedule_split(text, maint_parse_item, sp, err, errlen);
}

/* One item against cfg: its journal, its layout, its deadline. */
static int
maint_check_item(const struct config *cfg, const struct maint_item *it,
    char *err, size_t errlen)
{
	char when[48], d[32];

	if (it->kind <= MAINT_CHECKPOINT_TRUNCATE &&
	    cfg->journal != CONFIG_JOURNAL_WAL) {
		util_set_err(err, errlen, "%s needs --journal wal (the journal "
		    "is %s: there is no WAL to checkpoint)",
		    maint_kind_name(it->kind), config_journal_name(cfg->journal));
		return -1;
	}
	if (it->kind == MAINT_INCREMENTAL_VACUUM && (!cfg->auto_vacuum_set ||
	    cfg->auto_vacuum != CONFIG_AUTO_VACUUM_INCREMENTAL)) {
		util_set_err(err, errlen, "incremental_vacuum needs "
		    "--auto-vacuum incremental (without it, it frees nothing)");
		return -1;
	}
	if (schedule_count(&it->when, cfg->duration_ns) == 0) {
		schedule_format(&it->when, when, sizeof when);
		duration_format(cfg->duration_ns, d, sizeof d);
		util_set_err(err, errlen, "%s@%s is never due before the "
		    "deadline (--duration %s): it would never run",
		    maint_kind_name(it->kind), when, d);
		return -1;
	}
	return 0;
}

int
maint_config_check(const struct config *cfg, char *err, size_t errlen)
{
	struct maint_spec sp;
	size_t i;

	if (cfg->maintain == NULL)
		return 0;
	if (maint_spec_parse(cfg->maintain, &sp, err, errlen) < 0)
		return -1;
	for (i = 0; i < sp.n; i++)
		if (maint_check_item(cfg, &sp.item[i], err, errlen) < 0)
			return -1;
	return 0;
}

/* ------------------------------------------------------------ child */

struct maint_totals {
	uint64_t runs, errors;
	int64_t  total_ns, max_ns;
	int      named;             /* the spec names this kind */
};

struct maint {
	struct child_ctx *ctx;
	const struct scenario_params *p;
	struct maint_spec spec;
	sqlite3 *db;
	struct store_busy busy;
	int64_t  next[MAINT_ITEMS_MAX];     /* monotonic; -1: no more */
	struct maint_totals tot[MAINT_NKINDS];
};

/*
 * A checkpoint takes the checkpoint lock without calling the busy
 * handler, so one that meets another checkpointer (a worker's automatic
 * checkpoint) fails at once with SQLITE_BUSY: retry it as the busy
 * handler would, until the busy timeout from t0 or shutdown.  A FULL,
 * RESTART or TRUNCATE checkpoint whose busy handler gave up returns BUSY
 * too, past the timeout, and is not retried.
 */
static int
maint_checkpoint(struct maint *m, int mode, int64_t t0)
{
	int rc;

	for (;;) {
		rc = sqlite3_wal_checkpoint_v2(m->db, NULL, mode, NULL, NULL);
		if ((rc & 0xff) != SQLITE_BUSY ||
		    util_now_ns() - t0 >= m->p->cfg->busy_timeout_ns ||
		    child_shutdown(m->ctx, 1))
			return rc;
		if (child_sleep_until(m->ctx, util_now_ns() + MAINT_RETRY_NS)
		    != 0)
			return rc;
	}
}

/* Run one item's statement.  Returns the SQLite code. */
static int
maint_exec(struct maint *m, const struct maint_item *it, int64_t t0)
{
	static const int modes[] = {
		SQLITE_CHECKPOINT_PASSIVE, SQLITE_CHECKPOINT_FULL,
		SQLITE_CHECKPOINT_RESTART, SQLITE_CHECKPOINT_TRUNCATE
	};
	char sql[64];

	switch (it->kind) {
	case MAINT_CHECKPOINT_PASSIVE:
	case MAINT_CHECKPOINT_FULL:
	case MAINT_CHECKPOINT_RESTART:
	case MAINT_CHECKPOINT_TRUNCATE:
		return maint_checkpoint(m, modes[it->kind -
		    MAINT_CHECKPOINT_PASSIVE], t0);
	case MAINT_VACUUM:
		return sqlite3_exec(m->db, "VACUUM", NULL, NULL, NULL);
	case MAINT_INCREMENTAL_VACUUM:
		if (it->pages > 0)
			snprintf(sql, sizeof sql, "PRAGMA incremental_vacuum(%u)",
			    (unsigned)it->pages);
		else
			snprintf(sql, sizeof sql, "PRAGMA incremental_vacuum");
		return sqlite3_exec(m->db, sql, NULL, NULL, NULL);
	case MAINT_OPTIMIZE:
		return sqlite3_exec(m->db, "PRAGMA optimize", NULL, NULL, NULL);
	case MAINT_NKINDS:
		break;
	}
	return SQLITE_MISUSE;
}

/* Run item i now, count it, report a failure.  Returns the SQLite code. */
static int
maint_run(struct maint *m, size_t i)
{
	const struct maint_item *it = &m->spec.item[i];
	struct maint_totals *t = &m->tot[it->kind];
	char msg[WIRE_MSG_MAX + 1];
	int64_t t0 = util_now_ns(), t1;
	uint64_t mark = iofault_fired();
	int rc = maint_exec(m, it, t0);

	t1 = util_now_ns();
	t->runs++;
	t->total_ns += t1 - t0;
	if (t1 - t0 > t->max_ns)
		t->max_ns = t1 - t0;
	if (rc == SQLITE_OK) {
		(void)iofault_swallowed(m->ctx, mark, WIRE_OP_MAINTAIN, t0,
		    maint_kind_name(it->kind));
		return rc;
	}
	t->errors++;
	snprintf(msg, sizeof msg, "%s: %s", maint_kind_name(it->kind),
	    sqlite3_errmsg(m->db));
	iofault_mark_error(m->ctx, mark);
	/* An injected error set no errno: SQLite's would be a stale one. */
	(void)child_error(m->ctx, WIRE_OP_MAINTAIN, rc & 0xff,
	    sqlite3_extended_errcode(m->db), m->ctx->inj != 0 ? 0 :
	    sqlite3_system_errno(m->db), msg, t0, t1, 0);
	return rc;
}

/* Item i's next time strictly after now (missed ones skipped), or -1. */
static void
maint_plan(struct maint *m, size_t i, int64_t now)
{
	int64_t start = m->ctx->shared->start_ns;
	int64_t off = schedule_next(&m->spec.item[i].when, now - start);

	m->next[i] = off < 0 || start + off >= m->ctx->shared->deadline_ns ?
	    -1 : start + off;
}

/* The item due first, or -1 if none is due before the deadline. */
static long
maint_first(const struct maint *m)
{
	long best = -1;
	size_t i;

	for (i = 0; i < m->spec.n; i++)
		if (m->next[i] >= 0 && (best < 0 || m->next[i] < m->next[best]))
			best = (long)i;
	return best;
}

static void
maint_loop(struct maint *m)
{
	int64_t start = m->ctx->shared->start_ns;
	size_t i;
	long due;

	for (i = 0; i < m->spec.n; i++) {
		m->next[i] = start + m->spec.item[i].when.first_ns;
		if (m->next[i] >= m->ctx->shared->deadline_ns)
			m->next[i] = -1;
	}
	while ((due = maint_first(m)) >= 0) {
		if (child_sleep_until(m->ctx, m->next[due]) != 0)
			return;
		(void)child_faults_due(m->ctx);
		if (maint_run(m, (size_t)due) != SQLITE_OK &&
		    (child_shutdown(m->ctx, 1) || m->ctx->parent_gone))
			return;
		maint_plan(m, (size_t)due, util_now_ns());
	}
	/* Nothing more before the deadline: wait for shutdown. */
	while (child_sleep_until(m->ctx, util_now_ns() + MAINT_IDLE_NS) == 0)
		continue;
}

/* One ACTION record per kind the spec names, then DONE. */
static void
maint_done(struct maint *m)
{
	struct wire_record r;
	struct wire_done done;
	int k;

	for (k = 0; k < MAINT_NKINDS; k++) {
		if (!m->tot[k].named)
			continue;
		memset(&r, 0, sizeof r);
		r.h.type = WIRE_ACTION;
		r.u.action.kind = (uint8_t)k;
		r.u.action.runs = m->tot[k].runs;
		r.u.action.errors = m->tot[k].errors;
		r.u.action.total_ns = m->tot[k].total_ns;
		r.u.action.max_ns = m->tot[k].max_ns;
		if (child_send(m->ctx, &r) < 0)
			return;
	}
	memset(&done, 0, sizeof done);
	done.busy_waits = m->busy.waits;
	done.busy_ns = m->busy.wait_ns;
	done.errors = m->ctx->errors_sent;
	(void)child_finish(m->ctx, &done);
}

int
maintain_main(struct child_ctx *ctx, void *arg)
{
	struct maint m;
	char err[WIRE_MSG_MAX + 1];
	int64_t t0 = util_now_ns();
	int code = 0, rc = 1;
	size_t i;

	memset(&m, 0, sizeof m);
	m.ctx = ctx;
	m.p = arg;
	/* Checked by config already: a failure here is a bug, reported. */
	if (maint_spec_parse(m.p->cfg->maintain, &m.spec, err,
	    sizeof err) < 0) {
		(void)child_error(ctx, WIRE_OP_MAINTAIN, SQLITE_MISUSE,
		    SQLITE_MISUSE, 0, err, t0, util_now_ns(), 0);
		return 1;
	}
	for (i = 0; i < m.spec.n; i++)
		m.tot[m.spec.item[i].kind].named = 1;
	if (storage_child_start(m.p, ctx) < 0)
		return 1;
	if (store_open(m.p->cfg, m.p->db_path, 0, ctx, &m.busy, &m.db, err,
	    sizeof err, &code) < 0) {
		(void)child_error(ctx, WIRE_OP_OPEN, code & 0xff, code, 0, err,
		    t0, util_now_ns(), 0);
		return 1;
	}
	/*
	 * SQLite's autocheckpoint after an action ignores its errors, as
	 * after a worker's commit: run it where a firing counts absorbed.
	 */
	if ((code = iofault_wal_hook(m.db)) != SQLITE_OK) {
		(void)child_error(ctx, WIRE_OP_PRAGMA, code & 0xff, code, 0,
		    sqlite3_errmsg(m.db), t0, util_now_ns(), 0);
		sqlite3_close(m.db);
		return 1;
	}
	rc = 0;
	if (child_ready_wait(ctx) == 0) {
		maint_loop(&m);
		/* Closed before DONE, as a worker does: nothing runs after. */
		sqlite3_close(m.db);
		m.db = NULL;
		maint_done(&m);
	}
	sqlite3_close(m.db);
	return rc;
}
