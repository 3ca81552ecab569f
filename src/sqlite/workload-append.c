/* SPDX-License-Identifier: MIT */
/*
 * workload-append: the `append` workload.  Worker w appends rows seq = 1,
 * 2, 3, ... to one table, sqlstorm_rows, whose INTEGER PRIMARY KEY is
 * w * 2^40 + seq: every row is one entry of one B-tree, a duplicate is
 * impossible by construction, and a worker's rows are one key range, so its
 * gap-free check is a range count (count, min and max over the range).  The
 * worker and seq columns repeat what the key says, for people and tools
 * that query the table (WHERE worker = 3); the check holds them to the key.
 * Each row carries a 64-byte incompressible payload and t, when its
 * transaction began (CLOCK_MONOTONIC ns).  This file knows nothing of
 * processes, pipes or ACKs: worker.c runs it, validate.c opens the files it
 * checks, the ledger judges the maxima it finds.
 */
#include "autoconf.h"
#include "workload.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "validate.h"
#include "util.h"
#include "wire.h"

#define APPEND_TABLE   "sqlstorm_rows"
#define APPEND_PAYLOAD 64
/* Bits of the key that hold seq: worker w owns keys w<<40 .. w<<40 | 2^40-1. */
#define APPEND_SHIFT   40
#define APPEND_SEQ_MAX ((INT64_C(1) << APPEND_SHIFT) - 1)

/*
 * DROP TABLE also drops the (worker, seq) index of older versions: a
 * database an older sqlstorm used is simply given the new table.
 */
#define APPEND_SCHEMA \
	"DROP TABLE IF EXISTS " APPEND_TABLE ";" \
	"CREATE TABLE " APPEND_TABLE "(id INTEGER PRIMARY KEY," \
	" worker INTEGER NOT NULL, seq INTEGER NOT NULL," \
	" payload BLOB NOT NULL, t INTEGER NOT NULL);"

struct append {
	struct workload_conn *c;
	sqlite3_stmt *insert, *del;
	int64_t       base;             /* worker << APPEND_SHIFT */
	uint64_t      rng;
	unsigned char payload[APPEND_PAYLOAD];
};

static int64_t
append_base(int worker)
{
	return (int64_t)worker << APPEND_SHIFT;
}

static int
append_setup(sqlite3 *db)
{
	return sqlite3_exec(db, APPEND_SCHEMA, NULL, NULL, NULL);
}

static void
append_close(void *state)
{
	struct append *a = state;

	if (a == NULL)
		return;
	sqlite3_finalize(a->insert);
	sqlite3_finalize(a->del);
	free(a);
}

static void *
append_open(struct workload_conn *c, int *code)
{
	struct append *a = calloc(1, sizeof *a);
	int rc;

	if (a == NULL) {
		*code = SQLITE_NOMEM;
		return NULL;
	}
	a->c = c;
	a->base = append_base(c->worker);
	a->rng = c->seed;
	rc = sqlite3_prepare_v2(c->db, "INSERT INTO " APPEND_TABLE
	    "(id, worker, seq, payload, t) VALUES(?1, ?2, ?3, ?4, ?5)", -1,
	    &a->insert, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(c->db, "DELETE FROM " APPEND_TABLE
		    " WHERE id = ?1", -1, &a->del, NULL);
	if (rc != SQLITE_OK) {
		*code = rc;
		append_close(a);
		return NULL;
	}
	/* The worker never changes: bind it once (reset keeps bindings). */
	sqlite3_bind_int64(a->insert, 2, c->worker);
	return a;
}

static void
append_bind(struct append *a, uint64_t seq)
{
	size_t i, j;

	for (i = 0; i < sizeof a->payload; i += 8) {
		uint64_t r = util_rand64(&a->rng);

		for (j = 0; j < 8; j++)
			a->payload[i + j] = (unsigned char)(r >> (8 * j));
	}
	sqlite3_bind_int64(a->insert, 1, a->base + (int64_t)seq);
	sqlite3_bind_int64(a->insert, 3, (sqlite3_int64)seq);
	sqlite3_bind_blob(a->insert, 4, a->payload, sizeof a->payload,
	    SQLITE_STATIC);
	/* The transaction's start: no clock read per row. */
	sqlite3_bind_int64(a->insert, 5, a->c->t_txn);
}

/* Seq's part of the transaction: one row. */
static int
append_write(void *state, uint64_t seq)
{
	struct append *a = state;

	append_bind(a, seq);
	return a->c->step(a->c, a->insert, WIRE_OP_INSERT);
}

static int
append_drop(void *state, uint64_t seq)
{
	struct append *a = state;

	sqlite3_bind_int64(a->del, 1, a->base + (int64_t)seq);
	return a->c->step(a->c, a->del, WIRE_OP_FAULT);
}

static int
append_resume(void *state, uint64_t *seq)
{
	struct append *a = state;
	int64_t max = 0;
	int isnull = 1, rc;

	rc = workload_scalar(a->c->db, "SELECT max(id) FROM " APPEND_TABLE
	    " WHERE id BETWEEN ?1 AND ?2", a->base, a->base + APPEND_SEQ_MAX,
	    &max, &isnull);
	*seq = rc == SQLITE_OK && !isnull ? (uint64_t)(max - a->base) : 0;
	return rc;
}

static void
append_stats(void *state, uint64_t committed, struct wire_done *d)
{
	(void)state;
	/* One row per seq. */
	d->rows = committed;
}

/* ------------------------------------------------------------ checks */

/* One worker's key range, as the aggregate query sees it. */
struct append_range {
	int      worker;
	int64_t  base;
	uint64_t count, odd;          /* odd: worker/seq columns off the key */
	int64_t  min, max;            /* seqs */
};

/* Describe the first missing seq of r: k holds, then after..r->max. */
static void
append_gap(struct validate_result *out, const struct append_range *r,
    uint64_t k, int64_t after, uint64_t rest)
{
	char held[96], tail[96];

	if (k > 0)
		snprintf(held, sizeof held, "1..%" PRIu64 " and ", k);
	else
		held[0] = '\0';
	/* The usual case, one hole in a run: say exactly what is there. */
	if (rest == (uint64_t)(r->max - after) + 1)
		snprintf(tail, sizeof tail, "%" PRId64 "..%" PRId64, after,
		    r->max);
	else
		snprintf(tail, sizeof tail, "%" PRIu64 " rows in %" PRId64
		    "..%" PRId64, rest, after, r->max);
	validate_problem(out, "w%d: seq %" PRIu64 " missing (holds %s%s)",
	    r->worker, k + 1, held, tail);
}

/*
 * Walk r's keys in order for its gap-free prefix *k and the first fault
 * (seq 0, or the first missing seq).  Returns a SQLite code.
 */
static int
append_scan(sqlite3 *db, struct validate_result *out,
    const struct append_range *r, uint64_t *k)
{
	sqlite3_stmt *st = NULL;
	int64_t after = 0;
	uint64_t seen = 0;
	int rc;

	*k = 0;
	rc = sqlite3_prepare_v2(db, "SELECT id FROM " APPEND_TABLE " WHERE id"
	    " BETWEEN ?1 AND ?2 ORDER BY id", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return rc;
	sqlite3_bind_int64(st, 1, r->base);
	sqlite3_bind_int64(st, 2, r->base + APPEND_SEQ_MAX);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t s = sqlite3_column_int64(st, 0) - r->base;

		if (s < 1)
			validate_problem(out, "w%d: unexpected seq %" PRId64,
			    r->worker, s);
		else if ((uint64_t)s == *k + 1)
			*k = (uint64_t)s;
		else {
			/* Past the prefix: the rest is for the message. */
			after = s;
			break;
		}
		seen++;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return rc;
	if (after > 0)
		append_gap(out, r, *k, after, r->count - seen);
	return SQLITE_OK;
}

/* count, min, max and the column check over worker's key range. */
static int
append_aggregate(sqlite3_stmt *st, struct append_range *r)
{
	int rc;

	sqlite3_reset(st);
	sqlite3_bind_int64(st, 1, r->worker);
	sqlite3_bind_int64(st, 2, r->base);
	sqlite3_bind_int64(st, 3, r->base + APPEND_SEQ_MAX);
	if ((rc = sqlite3_step(st)) != SQLITE_ROW)
		return rc;
	r->count = (uint64_t)sqlite3_column_int64(st, 0);
	r->min = sqlite3_column_int64(st, 1) - r->base;
	r->max = sqlite3_column_int64(st, 2) - r->base;
	r->odd = (uint64_t)sqlite3_column_int64(st, 3);
	return SQLITE_OK;
}

/* Judge one worker's range; walk it only if it is not clean. */
static int
append_check_worker(sqlite3 *db, sqlite3_stmt *agg,
    struct validate_result *out, int w, uint64_t *count)
{
	struct append_range r;
	int rc;

	memset(&r, 0, sizeof r);
	r.worker = w;
	r.base = append_base(w);
	if ((rc = append_aggregate(agg, &r)) != SQLITE_OK)
		return rc;
	*count = r.count;
	if (r.count > 0 && (r.min != 1 || (uint64_t)r.max != r.count)) {
		out->rows_ok = 0;
		if ((rc = append_scan(db, out, &r, &out->k[w])) != SQLITE_OK)
			return rc;
	} else
		out->k[w] = r.count;
	if (r.odd > 0) {
		out->rows_ok = 0;
		validate_problem(out, "w%d: %" PRIu64 " rows whose worker or"
		    " seq column does not match the key", w, r.odd);
	}
	return SQLITE_OK;
}

/*
 * Rows outside every worker's range (two rowid ranges: nearly free when
 * there are none): counted, and the first one's worker named.
 */
static int
append_strays(sqlite3 *db, struct validate_result *out)
{
	int64_t n = 0, id = 0, top = append_base(out->nworkers) - 1;
	int rc;

	rc = workload_scalar(db, "SELECT count(*) FROM " APPEND_TABLE " WHERE"
	    " id < ?1 OR id > ?2", 0, top, &n, NULL);
	if (rc != SQLITE_OK || n == 0)
		return rc;
	out->rows += (uint64_t)n;
	out->rows_ok = 0;
	rc = workload_scalar(db, "SELECT id FROM " APPEND_TABLE " WHERE id < ?1"
	    " OR id > ?2 ORDER BY id LIMIT 1", 0, top, &id, NULL);
	if (rc != SQLITE_OK)
		return rc;
	if (id < 0)
		validate_problem(out, "a row whose key %" PRId64 " belongs to "
		    "no worker", id);
	else
		validate_problem(out, "rows of unknown worker %" PRId64,
		    id >> APPEND_SHIFT);
	return SQLITE_OK;
}

/*
 * The rows are the workers' ranges plus the strays: every count walks the
 * table's one B-tree (a count(*) of the table might read an index a user
 * put beside it instead).
 */
static int
append_check(sqlite3 *db, void *model, struct validate_result *out)
{
	sqlite3_stmt *agg = NULL;
	uint64_t count = 0;
	int rc, w;

	(void)model;
	out->rows = 0;
	/* A range scan of the one B-tree: count, min and max come with it. */
	rc = sqlite3_prepare_v2(db, "SELECT count(*), min(id), max(id),"
	    " total(worker IS NOT ?1 OR seq IS NOT id - ?2) FROM " APPEND_TABLE
	    " WHERE id BETWEEN ?2 AND ?3", -1, &agg, NULL);
	for (w = 0; rc == SQLITE_OK && w < out->nworkers; w++) {
		rc = append_check_worker(db, agg, out, w, &count);
		out->rows += count;
	}
	sqlite3_finalize(agg);
	if (rc != SQLITE_OK)
		return rc;
	return append_strays(db, out);
}

static int
append_held(sqlite3 *db, int worker, uint64_t lo, uint64_t hi, uint64_t *n)
{
	int64_t base = append_base(worker), v = 0;
	int rc;

	*n = 0;
	if (lo > hi || hi > (uint64_t)APPEND_SEQ_MAX)
		return SQLITE_OK;
	rc = workload_scalar(db, "SELECT count(*) FROM " APPEND_TABLE " WHERE id"
	    " BETWEEN ?1 AND ?2", base + (int64_t)lo, base + (int64_t)hi, &v,
	    NULL);
	*n = (uint64_t)v;
	return rc;
}

const struct workload workload_append = {
	"append",
	"each worker appends rows seq = 1, 2, 3, ... to one table",
	append_setup,
	append_open,
	append_write,
	append_resume,
	append_drop,
	append_stats,
	append_close,
	NULL,
	NULL,
	append_check,
	append_held,
};
