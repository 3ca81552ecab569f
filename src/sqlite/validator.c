/* SPDX-License-Identifier: MIT */
/*
 * validator: the snapshot child of the SQLite scenario, run after fork.
 * Every cfg->validate_every_ns from the start it copies the live database
 * into <run_dir>/snap-<index>.db with one backup step (a consistent read),
 * or has the user's --restore-cmd produce that file from the store,
 * checks the copy with validate_file_opts() (--check full or quick, and
 * the --populate fill table) and reports the per-worker maxima (SNAPK
 * records) and the verdict (one SNAPSHOT record).  It never judges against
 * ACKs (the parent's ledger does) and never writes a row of the live
 * database.  Failing copies stay on disk for the post-mortem; passing ones
 * are kept while the parent may still find them wanting (the three most
 * recent, and any younger than VALIDATOR_KEEP_NS or four intervals); the
 * parent renames those it fails and removes the rest at the end.
 */
#include "autoconf.h"

#include <sys/wait.h>

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "child.h"
#include "command.h"
#include "config.h"
#include "duration.h"
#include "shellcmd.h"
#include "scenario.h"
#include "storage.h"
#include "util.h"
#include "validate.h"
#include "wire.h"
#include "workload.h"

#define VALIDATOR_KEEP 3
#define VALIDATOR_KEEP_NS (5 * UTIL_NS_PER_S)
/* The final restore: a margin kept from the grace, and the least time
 * worth giving it (else there is none). */
#define VALIDATOR_FINAL_MARGIN_NS (1 * UTIL_NS_PER_S)
#define VALIDATOR_FINAL_MIN_NS    (100 * UTIL_NS_PER_MS)
/* With validation off, wake this often just to notice shutdown. */
#define VALIDATOR_IDLE_NS (3600 * UTIL_NS_PER_S)

struct validator {
	struct child_ctx *ctx;
	const struct scenario_params *p;
	uint64_t snapshots;              /* SNAPSHOT records sent */
	void    *model;                  /* the workload's, kept between copies */
	struct validator_kept {
		uint32_t index;
		int64_t  t;
	}       *kept;                   /* recent passing snapshots, oldest first */
	size_t   nkept, capkept;
	uint32_t index;                  /* of the last snapshot begun */
	int      final;                  /* taking the final restore */
	int64_t  final_timeout_ns;       /* ... and how long it may run */
};

static int
validator_give_up(void *arg)
{
	return child_shutdown(arg, 0);
}

/*
 * What stops a restore and its check: the shutdown, except for the final
 * restore, which runs after it: then only a parent that is gone.
 */
static int
validator_stop(void *arg)
{
	struct validator *v = arg;

	if (v->final)
		return v->ctx->parent_gone || getppid() != v->ctx->parent_pid;
	return child_shutdown(v->ctx, 0);
}

static void
validator_path(const struct validator *v, uint32_t index, char *buf,
    size_t cap)
{
	snprintf(buf, cap, "%s/snap-%" PRIu32 ".db", v->p->run_dir, index);
}

/* Per-worker maxima first: the parent pairs them with the SNAPSHOT. */
static int
validator_send_k(struct validator *v, uint32_t index,
    const struct validate_result *res)
{
	struct wire_record r;
	uint32_t first, n, total = (uint32_t)res->nworkers;

	for (first = 0; first < total; first += n) {
		n = total - first;
		if (n > WIRE_SNAPK_MAX)
			n = WIRE_SNAPK_MAX;
		memset(&r, 0, sizeof r);
		r.h.type = WIRE_SNAPK;
		r.u.snapk.index = index;
		r.u.snapk.first = first;
		r.u.snapk.n = n;
		memcpy(r.u.snapk.k, res->k + first, n * sizeof res->k[0]);
		if (child_send(v->ctx, &r) < 0)
			return -1;
	}
	return 0;
}

static int
validator_send(struct validator *v, uint32_t index, int64_t t_begin,
    const struct validate_result *res)
{
	struct wire_record r;
	struct wire_snapshot *s = &r.u.snapshot;

	if (validator_send_k(v, index, res) < 0)
		return -1;
	memset(&r, 0, sizeof r);
	r.h.type = WIRE_SNAPSHOT;
	s->index = index;
	s->integrity_ok = (uint8_t)(res->integrity_ok != 0);
	s->rows_ok = (uint8_t)(res->rows_ok != 0);
	s->t_begin = t_begin;
	s->t_end = util_now_ns();
	s->rows = res->rows;
	s->nworkers = (uint32_t)res->nworkers;
	s->flags = v->final ? WIRE_SNAP_FINAL : 0;
	util_strlcpy(s->problem, res->problem, sizeof s->problem);
	s->problem_len = (uint16_t)strlen(s->problem);
	if (child_send(v->ctx, &r) < 0)
		return -1;
	v->snapshots++;
	return 0;
}

/* Remove a copy and whatever SQLite may have left beside it. */
static void
validator_unlink(const struct validator *v, uint32_t index)
{
	static const char *const suffix[] = { "", "-wal", "-shm", "-journal" };
	char path[PATH_MAX], side[PATH_MAX + 16];
	size_t i;

	validator_path(v, index, path, sizeof path);
	for (i = 0; i < sizeof suffix / sizeof suffix[0]; i++) {
		snprintf(side, sizeof side, "%s%s", path, suffix[i]);
		(void)unlink(side);
	}
}

/*
 * A passing copy joins the recent ones.  The parent judges a copy against
 * the ACKs a little later (once every worker has written again), and
 * renames one it fails: so a copy goes only when it is neither among the
 * three newest nor younger than the keep time.
 */
static void
validator_retain(struct validator *v, uint32_t index)
{
	int64_t now = util_now_ns(), keep = 4 * v->p->cfg->validate_every_ns;
	size_t drop = 0;

	if (keep < VALIDATOR_KEEP_NS)
		keep = VALIDATOR_KEEP_NS;
	while (v->nkept - drop > VALIDATOR_KEEP &&
	    now - v->kept[drop].t >= keep)
		validator_unlink(v, v->kept[drop++].index);
	if (drop > 0) {
		/* Never memmove from a NULL array, even for 0 bytes (UB). */
		memmove(v->kept, v->kept + drop, (v->nkept - drop) *
		    sizeof *v->kept);
		v->nkept -= drop;
	}
	if (util_grow(&v->kept, &v->capkept, v->nkept, sizeof *v->kept, 16) < 0) {
		/* No room to remember it: better gone than never cleaned. */
		validator_unlink(v, index);
		return;
	}
	v->kept[v->nkept].index = index;
	v->kept[v->nkept++].t = now;
}

/*
 * A restore that gave no copy to check: one failed SNAPSHOT with no
 * per-worker maxima (nworkers 0), so the parent judges no ledger on it.
 * flags (WIRE_SNAP_*) say whether the store said it was not ready; the
 * parent decides what that is worth (--store-warmup).
 */
static int
validator_send_failed(struct validator *v, uint32_t index, int64_t t_begin,
    const char *problem, uint32_t flags)
{
	struct wire_record r;
	struct wire_snapshot *s = &r.u.snapshot;

	memset(&r, 0, sizeof r);
	r.h.type = WIRE_SNAPSHOT;
	s->index = index;
	s->t_begin = t_begin;
	s->t_end = util_now_ns();
	s->flags = flags | (v->final ? WIRE_SNAP_FINAL : 0);
	util_strlcpy(s->problem, problem, sizeof s->problem);
	s->problem_len = (uint16_t)strlen(s->problem);
	if (child_send(v->ctx, &r) < 0)
		return -1;
	v->snapshots++;
	return 0;
}

/*
 * The user's restore command instead of the built-in backup: it must
 * leave a database at path.  Returns 0 when there is a copy to check, 1
 * when the snapshot has been reported as failed, -1 to stop (shutdown or
 * parent gone).
 */
static int
validator_restore(struct validator *v, uint32_t index, const char *path,
    int64_t t_begin)
{
	const struct config *cfg = v->p->cfg;
	char log[PATH_MAX], tail[160], how[48], problem[WIRE_PROBLEM_MAX + 1];
	char *cmd;
	enum command_result cr;
	uint32_t flags = 0;
	int status = 0;

	snprintf(log, sizeof log, "%s/restore-%" PRIu32 ".log", v->p->run_dir,
	    index);
	cmd = shellcmd_expand(cfg->restore_cmd, v->p->db_path, path);
	if (cmd == NULL)
		return validator_send_failed(v, index, t_begin,
		    "restore command: out of memory", 0) < 0 ? -1 : 1;
	cr = command_run(cmd, log, v->p->db_path, v->p->run_dir,
	    v->final ? v->final_timeout_ns : cfg->restore_timeout_ns,
	    validator_stop, v, &status);
	free(cmd);
	command_tail(log, 3, tail, sizeof tail);
	switch (cr) {
	case COMMAND_OK:
		if (access(path, F_OK) == 0) {
			command_log_remove(log);
			return 0;
		}
		snprintf(problem, sizeof problem, "restore command exited 0 "
		    "but left no file at {output}: %s", tail);
		break;
	case COMMAND_FAILED:
		/* EX_TEMPFAIL: the store's own word that it is not ready. */
		if (WIFEXITED(status) && WEXITSTATUS(status) == 75)
			flags = WIRE_SNAP_TEMPFAIL;
		command_describe(status, how, sizeof how);
		snprintf(problem, sizeof problem, "restore command %s: %s", how,
		    tail);
		break;
	case COMMAND_TIMEOUT:
		duration_format(v->final ? v->final_timeout_ns :
		    cfg->restore_timeout_ns, how, sizeof how);
		snprintf(problem, sizeof problem, "restore command ran longer "
		    "than %s and was killed: %s", how, tail);
		break;
	case COMMAND_STOPPED:
		/* Shutdown came first: an interrupted restore proves nothing. */
		(void)unlink(path);
		(void)child_error(v->ctx, WIRE_OP_SNAPSHOT, SQLITE_INTERRUPT,
		    SQLITE_INTERRUPT, 0, "restore command stopped at shutdown",
		    t_begin, util_now_ns(), 0);
		return -1;
	default:
		(void)child_error(v->ctx, WIRE_OP_SNAPSHOT, SQLITE_ERROR,
		    SQLITE_ERROR, errno, "cannot start the restore command",
		    t_begin, util_now_ns(), 0);
		return v->ctx->parent_gone ? -1 : 1;
	}
	return validator_send_failed(v, index, t_begin, problem, flags) < 0 ?
	    -1 : 1;
}

/* The built-in snapshot: one sqlite3_backup step.  Same returns. */
static int
validator_backup(struct validator *v, const char *path, int64_t t_begin)
{
	const struct config *cfg = v->p->cfg;
	char err[WIRE_MSG_MAX + 1];
	int code = 0;

	if (validate_backup(v->p->db_path, path, cfg->busy_timeout_ns,
	    validator_give_up, v->ctx, err, sizeof err, &code) == 0)
		return 0;
	/* Reported even at shutdown: the parent classifies it. */
	(void)child_error(v->ctx, WIRE_OP_SNAPSHOT, code & 0xff, code, 0, err,
	    t_begin, util_now_ns(), 0);
	return child_shutdown(v->ctx, 1) || v->ctx->parent_gone ? -1 : 1;
}

/*
 * Check the copy: --check quick (quick_check, a sample of the fill chosen
 * anew for each snapshot) or full.
 */
static int
validator_check(struct validator *v, uint32_t index, const char *path,
    struct validate_result *res, char *err, size_t errlen, int *code)
{
	const struct config *cfg = v->p->cfg;
	struct validate_opts o;
	uint64_t mix = cfg->seed ^ index;

	memset(&o, 0, sizeof o);
	o.wl = v->p->wl;
	o.model = v->model;
	o.nworkers = v->p->nworkers;
	o.quick = cfg->check == CONFIG_CHECK_QUICK;
	o.fill_rows = v->p->fill_rows;
	o.fill_seed = cfg->seed;
	o.sample_seed = util_rand64(&mix);
	o.give_up = validator_stop;
	o.arg = v;
	return validate_file_opts(path, &o, res, err, errlen, code);
}

/*
 * Take, check and report snapshot index.  Returns 0 to go on, -1 to stop
 * (shutdown seen during a failed copy, or the parent is gone).
 */
static int
validator_snapshot(struct validator *v, uint32_t index)
{
	struct validate_result res;
	char path[PATH_MAX], err[WIRE_MSG_MAX + 1];
	int64_t t_begin;
	int code = 0, rc;

	validator_path(v, index, path, sizeof path);
	/* Before the read begins: the ledger's rule needs exactly that. */
	t_begin = util_now_ns();
	rc = v->p->cfg->restore_cmd != NULL ?
	    validator_restore(v, index, path, t_begin) :
	    validator_backup(v, path, t_begin);
	if (rc != 0)
		return rc < 0 ? -1 : 0;
	if (validator_check(v, index, path, &res, err, sizeof err, &code) < 0) {
		/*
		 * Cut short by shutdown: reported (the parent calls it
		 * expected), but the copy proves nothing.  Otherwise the copy
		 * stays on disk: it is the evidence.
		 */
		if ((code & 0xff) == SQLITE_INTERRUPT)
			(void)unlink(path);
		(void)child_error(v->ctx, WIRE_OP_VALIDATE, code & 0xff, code, 0,
		    err, t_begin, util_now_ns(), 0);
		return v->ctx->parent_gone ? -1 : 0;
	}
	rc = validator_send(v, index, t_begin, &res);
	if (res.integrity_ok && res.rows_ok)
		validator_retain(v, index);
	validate_result_free(&res);
	return rc;
}

static void
validator_loop(struct validator *v)
{
	int64_t every = v->p->cfg->validate_every_ns;
	int64_t next = v->ctx->shared->start_ns;

	for (;;) {
		/* Behind schedule: start at once, but never in a burst. */
		next += every;
		if (next < util_now_ns())
			next = util_now_ns();
		/*
		 * A snapshot due at or after the deadline would only race the
		 * shutdown EOF and hold up the end (a copy is not interruptible):
		 * wait for shutdown instead.  With the defaults (10 s, 500ms)
		 * the last one is due exactly at the deadline.
		 */
		if (next >= v->ctx->shared->deadline_ns) {
			while (child_sleep_until(v->ctx, util_now_ns() +
			    VALIDATOR_IDLE_NS) == 0)
				continue;
			break;
		}
		if (child_sleep_until(v->ctx, next) != 0)
			break;
		(void)child_faults_due(v->ctx);
		if (validator_snapshot(v, ++v->index) < 0)
			break;
	}
}

/*
 * The final restore (a store sidecar and a restore command, a run that
 * reached its deadline): the store gets --max-lag past the shutdown to
 * catch up (at most half the grace, so the whole stays inside it), then
 * one last restore is checked like any snapshot, but against every ACK:
 * its read begins max-lag after the last commit, so the ledger's rule
 * asks for every row acknowledged.  It runs after the shutdown, so only
 * a parent that is gone stops it, and its restore may take the other
 * half of the grace less a margin.
 */
static void
validator_final(struct validator *v)
{
	const struct config *cfg = v->p->cfg;
	const struct child_shared *sh = v->ctx->shared;
	int64_t half = cfg->grace_ns / 2, wait = cfg->max_lag_ns, until;

	if (cfg->restore_cmd == NULL || cfg->store_cmd == NULL ||
	    cfg->validate_every_ns == 0 || v->ctx->parent_gone ||
	    sh->shutdown_ns == 0 || sh->shutdown_ns < sh->deadline_ns ||
	    half - VALIDATOR_FINAL_MARGIN_NS < VALIDATOR_FINAL_MIN_NS)
		return;
	if (wait > half)
		wait = half;
	until = sh->shutdown_ns + wait;
	while (util_now_ns() < until && getppid() == v->ctx->parent_pid) {
		int64_t left = until - util_now_ns();
		struct timespec ts;

		if (left > 100 * UTIL_NS_PER_MS)
			left = 100 * UTIL_NS_PER_MS;
		if (left <= 0)
			break;
		ts.tv_sec = 0;
		ts.tv_nsec = (long)left;
		(void)nanosleep(&ts, NULL);
	}
	v->final = 1;
	v->final_timeout_ns = half - VALIDATOR_FINAL_MARGIN_NS;
	if (cfg->restore_timeout_ns < v->final_timeout_ns)
		v->final_timeout_ns = cfg->restore_timeout_ns;
	(void)validator_snapshot(v, ++v->index);
}

int
validator_main(struct child_ctx *ctx, void *arg)
{
	struct validator v;
	struct wire_done done;

	memset(&v, 0, sizeof v);
	v.ctx = ctx;
	v.p = arg;
	if (storage_child_start(v.p, ctx) < 0)
		return 1;
	/*
	 * Before READY: a workload that cannot build its model fails here,
	 * where the parent sees it, not at the first snapshot.
	 */
	if (v.p->wl->model_new != NULL &&
	    (v.model = v.p->wl->model_new(v.p->cfg, v.p->nworkers)) == NULL)
		return 1;
	if (child_ready_wait(ctx) < 0)
		goto out;
	/*
	 * Restarted by --nemesis: number on from the slots already past, so
	 * no index (and no snap-N.db) of an earlier life is used twice; an
	 * earlier life took at most one snapshot per slot.
	 */
	if (ctx->incarnation > 0 && v.p->cfg->validate_every_ns > 0 &&
	    ctx->shared->start_ns > 0 && util_now_ns() > ctx->shared->start_ns)
		v.index = (uint32_t)((util_now_ns() - ctx->shared->start_ns) /
		    v.p->cfg->validate_every_ns);
	if (v.p->cfg->validate_every_ns > 0) {
		validator_loop(&v);
		validator_final(&v);
	}
	else
		while (child_sleep_until(ctx, util_now_ns() +
		    VALIDATOR_IDLE_NS) == 0)
			continue;
	memset(&done, 0, sizeof done);
	done.snapshots = v.snapshots;
	done.errors = ctx->errors_sent;
	(void)child_finish(ctx, &done);
out:
	if (v.p->wl->model_free != NULL)
		v.p->wl->model_free(v.model);
	free(v.kept);
	return 0;
}
