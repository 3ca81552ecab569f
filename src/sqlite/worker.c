/* SPDX-License-Identifier: MIT */
/*
 * worker: one worker of the SQLite scenario, run in a child after fork:
 * the generic loop every workload runs in.  It opens its own connection,
 * has the workload prepare its statements and say where this worker
 * resumes (its highest committed seq), waits at the start barrier, then
 * commits transactions of cfg->batch seqs (BEGIN IMMEDIATE, the
 * workload's statements for seqs s..s+batch-1, COMMIT) and acknowledges
 * each COMMIT that returned OK.  A failed transaction is reported with
 * its timing, rolled back and retried with the same seqs, so what is
 * committed always stays a gap-free prefix.  What a seq writes is the
 * workload's (workload.h); the worker never decides whether an error is
 * acceptable (the parent classifies) and never exits: worker_main()
 * returns the exit status.  With --rate a transaction starts at its
 * intended time from pace.c's schedule, or at once when the worker is
 * behind: it never skips one and never moves the schedule, and its
 * latency is also measured from the intended start, so a stall shows in
 * the figures instead of thinning the load (coordinated omission).
 */
#include "autoconf.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "child.h"
#include "iofault.h"
#include "pace.h"
#include "scenario.h"
#include "scenario-policy.h"
#include "storage.h"
#include "store.h"
#include "util.h"
#include "workload.h"
#include "wire.h"

/* Pause before retrying a failed transaction when the interval is 0. */
#define WORKER_MIN_BACKOFF_NS (10 * UTIL_NS_PER_MS)

struct worker {
	struct child_ctx *ctx;
	const struct config *cfg;
	const struct workload *wl;
	void         *state;           /* the workload's, from wl->open */
	struct workload_conn conn;
	int           index;
	int64_t       t_txn;           /* start of the current transaction */
	sqlite3      *db;
	sqlite3_stmt *begin, *commit, *rollback;
	struct store_busy busy;
	uint64_t      next;            /* first seq of the next transaction */
	uint64_t      acked;           /* highest committed seq */
	uint64_t      last_attempted;  /* highest seq ever attempted */
	uint64_t      commits, seqs;   /* committed transactions and seqs */
	unsigned      drops_pending;
	struct wire_hist hist;
	/* --rate: the schedule and its figures (worker_loop_paced). */
	struct pace   pace;
	struct wire_pace paced;
	int64_t       pace_from;       /* offset of this life's first start */
	uint64_t      inj_mark;        /* iofault_fired() at BEGIN */
};

/* Send an ERROR for the statement that just failed with rc. */
static void
worker_report(struct worker *w, int op, int rc, int64_t t_begin,
    int64_t t_end)
{
	iofault_mark_error(w->ctx, w->inj_mark);
	/* An injected error set no errno: SQLite's would be a stale one. */
	(void)child_error(w->ctx, op, rc & 0xff,
	    sqlite3_extended_errcode(w->db), w->ctx->inj != 0 ? 0 :
	    sqlite3_system_errno(w->db), sqlite3_errmsg(w->db), t_begin,
	    t_end, 0);
}

/* Step a statement that returns no rows.  Returns 0 or -1 (reported). */
static int
worker_step(struct worker *w, sqlite3_stmt *st, int op)
{
	int rc = sqlite3_step(st);

	/*
	 * The error's t_begin is its transaction's start: no clock read per
	 * statement on the insert path (judging uses t_end, read here).
	 */
	if (rc != SQLITE_DONE)
		worker_report(w, op, rc, w->t_txn, util_now_ns());
	/* Reset after reporting: the message belongs to the failed step. */
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* The step a workload runs its statements with (struct workload_conn). */
static int
worker_conn_step(struct workload_conn *c, sqlite3_stmt *st, int op)
{
	return worker_step(c->user, st, op);
}

static int
worker_prepare1(struct worker *w, sqlite3_stmt **st, const char *sql)
{
	int64_t t0 = util_now_ns();
	int rc = sqlite3_prepare_v2(w->db, sql, -1, st, NULL);

	if (rc == SQLITE_OK)
		return 0;
	worker_report(w, WIRE_OP_OPEN, rc, t0, util_now_ns());
	return -1;
}

/*
 * Tell the parent where a restarted worker resumes (before READY): after
 * a --nemesis kill it holds that against what was acknowledged and
 * attempted, and learns how the cut transaction resolved.
 */
static int
worker_resumed(struct worker *w, uint64_t seq)
{
	struct wire_record r;

	child_phase(w->ctx, CHILD_PHASE_IDLE, seq, seq);
	/* A first start has nothing to answer for: its stream stays as is. */
	if (w->ctx->incarnation == 0)
		return 0;
	memset(&r, 0, sizeof r);
	r.h.type = WIRE_RESUME;
	r.u.resume.seq = seq;
	return child_send(w->ctx, &r);
}

/*
 * The generic statements, then the workload's, then where to resume: a
 * (re)started worker goes on after its highest committed seq.
 */
static int
worker_prepare(struct worker *w, int nworkers)
{
	int64_t t0 = util_now_ns();
	uint64_t seq = 0;
	int rc = SQLITE_OK;

	if (worker_prepare1(w, &w->begin, "BEGIN IMMEDIATE") < 0 ||
	    worker_prepare1(w, &w->commit, "COMMIT") < 0 ||
	    worker_prepare1(w, &w->rollback, "ROLLBACK") < 0)
		return -1;
	w->conn.db = w->db;
	w->conn.worker = w->index;
	w->conn.nworkers = nworkers;
	w->conn.cfg = w->cfg;
	w->conn.seed = w->cfg->seed ^ (uint64_t)w->index;
	w->conn.step = worker_conn_step;
	w->conn.user = w;
	if ((w->state = w->wl->open(&w->conn, &rc)) == NULL ||
	    (rc = w->wl->resume(w->state, &seq)) != SQLITE_OK) {
		worker_report(w, WIRE_OP_OPEN, rc, t0, util_now_ns());
		return -1;
	}
	w->acked = w->last_attempted = seq;
	w->next = seq + 1;
	return worker_resumed(w, seq);
}

static void
worker_close(struct worker *w)
{
	if (w->state != NULL)
		w->wl->close(w->state);
	w->state = NULL;
	sqlite3_finalize(w->begin);
	sqlite3_finalize(w->commit);
	sqlite3_finalize(w->rollback);
	w->begin = w->commit = w->rollback = NULL;
	/* An open transaction (shutdown mid-way) is rolled back here. */
	sqlite3_close(w->db);
	w->db = NULL;
}

/* Open the connection and prepare.  Returns 0 or -1 (reported). */
static int
worker_open(struct worker *w, const struct scenario_params *p)
{
	char err[WIRE_MSG_MAX + 1];
	int64_t t0 = util_now_ns();
	int code = 0;

	/* An injected fault may hit the open (a restarted life's). */
	w->inj_mark = iofault_fired();
	if (store_open(w->cfg, p->db_path, 0, w->ctx, &w->busy, &w->db, err,
	    sizeof err, &code) < 0) {
		iofault_mark_error(w->ctx, w->inj_mark);
		(void)child_error(w->ctx, WIRE_OP_OPEN, code & 0xff, code, 0,
		    err, t0, util_now_ns(), 0);
		return -1;
	}
	if ((code = iofault_wal_hook(w->db)) != SQLITE_OK) {
		worker_report(w, WIRE_OP_PRAGMA, code, t0, util_now_ns());
		return -1;
	}
	return worker_prepare(w, p->nworkers);
}


/*
 * The canary: the workload removes one acknowledged seq, acked / 2, in
 * its own transaction, so the validator and the ledger must notice.  It
 * stays pending until something is acknowledged or the removal succeeds.
 */
static void
worker_droprow(struct worker *w)
{
	uint64_t seq = w->acked / 2 > 0 ? w->acked / 2 : 1;

	w->t_txn = util_now_ns();
	w->inj_mark = iofault_fired();
	if (worker_step(w, w->begin, WIRE_OP_BEGIN) < 0)
		return;
	if (w->wl->drop(w->state, seq) < 0 ||
	    worker_step(w, w->commit, WIRE_OP_COMMIT) < 0) {
		if (!sqlite3_get_autocommit(w->db))
			(void)worker_step(w, w->rollback, WIRE_OP_ROLLBACK);
		return;
	}
	w->drops_pending--;
}

/* Collect due faults (generic ones fire inside) and run the canary. */
static void
worker_faults(struct worker *w)
{
	if (child_faults_due(w->ctx) & (1u << SCENARIO_FAULT_DROPROW))
		w->drops_pending++;
	if (w->drops_pending > 0 && w->acked > 0)
		worker_droprow(w);
}

/*
 * A droprow that came due as shutdown arrived still happens, so the
 * canary never silently fails to fire: without the shutdown-aware
 * handlers, which would abandon it, and with a plain busy timeout.
 */
static void
worker_last_drop(struct worker *w)
{
	if (child_faults_due(w->ctx) & (1u << SCENARIO_FAULT_DROPROW))
		w->drops_pending++;
	if (w->drops_pending == 0 || w->acked == 0 || w->db == NULL)
		return;
	sqlite3_progress_handler(w->db, 0, NULL, NULL);
	sqlite3_busy_timeout(w->db, (int)(w->cfg->busy_timeout_ns /
	    UTIL_NS_PER_MS));
	worker_droprow(w);
}

/*
 * One transaction of cfg->batch seqs.  Returns 0 (committed and
 * acknowledged) or -1 (reported and rolled back; w->next unchanged so the
 * same seqs are retried).
 */
static int
worker_txn(struct worker *w)
{
	uint64_t n = (uint64_t)w->cfg->batch, last = w->next + n - 1, seq;
	int64_t t0 = w->t_txn = w->conn.t_txn = util_now_ns(), t_commit;

	/* Published first: a --nemesis kill may cut this transaction. */
	child_phase(w->ctx, CHILD_PHASE_BEGIN, w->next, last);
	w->inj_mark = iofault_fired();
	if (worker_step(w, w->begin, WIRE_OP_BEGIN) < 0)
		goto fail;
	child_phase(w->ctx, CHILD_PHASE_TXN, w->next, last);
	for (seq = w->next; seq <= last; seq++) {
		if (seq > w->last_attempted)
			w->last_attempted = seq;
		if (w->wl->write_seq(w->state, seq) < 0)
			goto fail;
	}
	child_phase(w->ctx, CHILD_PHASE_COMMIT, w->next, last);
	if (worker_step(w, w->commit, WIRE_OP_COMMIT) < 0)
		goto fail;
	child_phase(w->ctx, CHILD_PHASE_IDLE, w->next, last);
	t_commit = util_now_ns();
	w->acked = last;
	(void)child_ack(w->ctx, last, t_commit);
	(void)iofault_swallowed(w->ctx, w->inj_mark, WIRE_OP_COMMIT, t0,
	    "COMMIT");
	w->next = last + 1;
	w->hist.count[wire_hist_bucket((uint64_t)(t_commit - t0) / 1000)]++;
	w->commits++;
	w->seqs += n;
	return 0;
fail:
	/* A failed COMMIT (BUSY) leaves the transaction open. */
	if (!sqlite3_get_autocommit(w->db))
		(void)worker_step(w, w->rollback, WIRE_OP_ROLLBACK);
	child_phase(w->ctx, CHILD_PHASE_IDLE, w->acked, w->acked);
	return -1;
}

/*
 * The next intended start (monotonic ns), counted as scheduled, or -1
 * when it falls at or after limit: the deadline while the run goes on,
 * so a worker never starts a transaction due after it and never commits
 * more than were scheduled.
 */
static int64_t
worker_pace_due(struct worker *w, int64_t limit)
{
	int64_t start = w->ctx->shared->start_ns;
	int64_t off = pace_next(&w->pace);

	/*
	 * A life restarted by --nemesis takes the schedule up where it
	 * begins: the starts due while the worker was down were the killed
	 * life's, which reported nothing, and are neither counted twice nor
	 * run in a burst.
	 */
	while (off < w->pace_from)
		off = pace_next(&w->pace);
	if (off >= limit - start)
		return -1;
	w->paced.scheduled++;
	return start + off;
}

/* One scheduled transaction, retried until it commits or shutdown. */
static int
worker_paced_txn(struct worker *w, int64_t due)
{
	int64_t late, backoff = WORKER_MIN_BACKOFF_NS;

	for (;;) {
		worker_faults(w);
		late = util_now_ns() - due;
		if (late > w->paced.behind_max_ns)
			w->paced.behind_max_ns = late;
		if (worker_txn(w) == 0)
			break;
		/* A retry keeps its intended start: the failure is latency. */
		if (child_shutdown(w->ctx, 1) ||
		    child_sleep_until(w->ctx, util_now_ns() + backoff) != 0)
			return -1;
	}
	/* worker_txn() acknowledged it: the ACK holds its commit time. */
	late = w->ctx->ack_t_commit - due;
	w->paced.count[wire_hist_bucket((uint64_t)(late > 0 ? late : 0) /
	    1000)]++;
	w->paced.done++;
	return 0;
}

/*
 * How far behind it was when it stopped (the shutdown moment, or now if
 * the parent is gone), then the rest of the schedule before the deadline,
 * or before an interrupt that came first: starts due after a run was cut
 * short were never going to happen and are not counted.
 */
static void
worker_pace_end(struct worker *w, int64_t due)
{
	int64_t end = w->ctx->shared->shutdown_ns;
	int64_t limit = w->ctx->shared->deadline_ns;

	if (due < 0)
		return;
	if (end > 0 && end < limit)
		limit = end;
	if (end == 0)
		end = util_now_ns();
	if (due >= limit) {
		w->paced.scheduled--;
		return;
	}
	if (end > due)
		w->paced.behind_end_ns = end - due;
	if (w->paced.behind_end_ns > w->paced.behind_max_ns)
		w->paced.behind_max_ns = w->paced.behind_end_ns;
	while (worker_pace_due(w, limit) >= 0)
		continue;
}

/* The loop under --rate (worker.c's comment at the top). */
static void
worker_loop_paced(struct worker *w)
{
	int64_t due;

	pace_init(&w->pace, w->cfg->rate, w->cfg->pattern, w->cfg->seed,
	    w->index);
	if (w->ctx->incarnation > 0)
		w->pace_from = util_now_ns() - w->ctx->shared->start_ns;
	due = worker_pace_due(w, w->ctx->shared->deadline_ns);
	while (due >= 0 && !child_shutdown(w->ctx, 0) && !w->ctx->parent_gone) {
		/*
		 * Behind: start at once, without the sleep's flush, so ACKs
		 * stay coalesced while the worker catches up.
		 */
		if ((due > util_now_ns() &&
		    child_sleep_until(w->ctx, due) != 0) ||
		    worker_paced_txn(w, due) < 0)
			break;
		due = worker_pace_due(w, w->ctx->shared->deadline_ns);
	}
	worker_pace_end(w, due);
	/* Nothing more is due before the deadline: wait for the shutdown. */
	while (due < 0 && !w->ctx->parent_gone &&
	    child_sleep_until(w->ctx, INT64_MAX) == 0)
		continue;
}

static void
worker_loop(struct worker *w)
{
	int64_t interval = w->cfg->interval_ns, next_time = util_now_ns();
	int64_t backoff = interval > WORKER_MIN_BACKOFF_NS ? interval :
	    WORKER_MIN_BACKOFF_NS;

	if (w->cfg->rate > 0) {
		worker_loop_paced(w);
		return;
	}
	while (!child_shutdown(w->ctx, 0) && !w->ctx->parent_gone) {
		worker_faults(w);
		if (worker_txn(w) < 0) {
			if (child_shutdown(w->ctx, 1))
				break;
			if (child_sleep_until(w->ctx, util_now_ns() + backoff) != 0)
				break;
			continue;
		}
		if (interval == 0)
			continue;
		/* Late (a slow commit)?  Go on from now: never burst to catch up. */
		next_time += interval;
		if (next_time < util_now_ns())
			next_time = util_now_ns();
		if (child_sleep_until(w->ctx, next_time) != 0)
			break;
	}
}

/* The statistics, the workload's part while its state is still open. */
static void
worker_stats(struct worker *w, struct wire_done *d)
{
	memset(d, 0, sizeof *d);
	d->commits = w->commits;
	d->rows = w->seqs;
	if (w->state != NULL)
		w->wl->stats(w->state, w->seqs, d);
}

/* The latency histogram, then DONE. */
static void
worker_done(struct worker *w, struct wire_done *d)
{
	struct wire_record r;

	if (w->cfg->rate > 0) {
		memset(&r, 0, sizeof r);
		r.h.type = WIRE_PACE;
		r.u.pace = w->paced;
		(void)child_send(w->ctx, &r);
	}
	memset(&r, 0, sizeof r);
	r.h.type = WIRE_HIST;
	r.u.hist = w->hist;
	(void)child_send(w->ctx, &r);
	d->last_seq = w->last_attempted;
	d->busy_waits = w->busy.waits;
	d->busy_ns = w->busy.wait_ns;
	d->errors = w->ctx->errors_sent;
	(void)child_finish(w->ctx, d);
}

/*
 * worker_open(), again after an open that an injected I/O fault failed
 * (its error went out marked injected, so it is expected): a worker
 * restarted by --nemesis reopens while io faults are armed, and a store
 * must let it open once the fault is spent.  Any other failure, or the
 * shutdown, ends the attempts.  Returns 0 or -1.
 */
static int
worker_open_retry(struct worker *w, const struct scenario_params *p)
{
	uint64_t mark;

	for (;;) {
		mark = iofault_fired();
		if (worker_open(w, p) == 0)
			return 0;
		worker_close(w);
		if (iofault_fired() == mark || child_sleep_until(w->ctx,
		    util_now_ns() + WORKER_MIN_BACKOFF_NS) != 0)
			return -1;
	}
}

int
worker_main(struct child_ctx *ctx, void *arg)
{
	const struct scenario_params *p = arg;
	struct worker w;
	struct wire_done d;
	int rc = 1;

	memset(&w, 0, sizeof w);
	w.ctx = ctx;
	w.cfg = p->cfg;
	w.wl = p->wl;
	w.index = ctx->index;
	w.next = 1;
	if (storage_child_start(p, ctx) < 0)
		return 1;
	if (worker_open_retry(&w, p) < 0) {
		/*
		 * Started again by --nemesis and cut off by the shutdown
		 * before it could open (its error is late): nothing to do.
		 */
		if (ctx->incarnation > 0 && child_shutdown(ctx, 1)) {
			rc = 0;
			worker_stats(&w, &d);
			worker_done(&w, &d);
		}
		goto out;
	}
	rc = 0;
	if (child_ready_wait(ctx) < 0)
		goto out;
	worker_loop(&w);
	worker_last_drop(&w);
	worker_stats(&w, &d);
	worker_close(&w);
	worker_done(&w, &d);
out:
	worker_close(&w);
	return rc;
}
