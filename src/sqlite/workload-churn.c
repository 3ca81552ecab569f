/* SPDX-License-Identifier: MIT */
/*
 * workload-churn: the `churn` workload.  Worker w owns the key slots
 * 0..keys-1 of table sqlstorm_kv (key w * 2^32 + slot, so no two workers
 * ever touch one key).  Each seq applies 1..ops puts (insert or update)
 * and deletes of the worker's own slots, values from 8 bytes to `max`
 * (overflow chains, freed pages), and writes the ledger row (w, seq) in
 * sqlstorm_churn_ledger in the same transaction.  Every kv row also holds
 * the seq that last wrote it.  The mix drifts in cycles of grow + shrink
 * seqs: puts of big values dominate the growing phase, deletes the
 * shrinking one.  The op stream and the values are pure functions of
 * (seed, w, seq) (a splitmix64 written here), so the check needs only the
 * seed: it replays each worker's ops to the copy's ledger prefix 1..k,
 * incrementally (the model stays at the last checked k in one process),
 * and compares every key, byte for byte, naming the worker, the key, the
 * seq that last wrote it and the kind of the first mismatch.  This file
 * knows nothing of processes, pipes or ACKs.
 */
#include "autoconf.h"
#include "workload.h"
#include "workload-churn.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "config.h"
#include "validate.h"
#include "util.h"
#include "wire.h"

#define KV_TABLE     "sqlstorm_kv"
#define LEDGER_TABLE "sqlstorm_churn_ledger"
#define KEY_SHIFT    32
#define SEQ_SHIFT    40
#define SEQ_MAX      ((INT64_C(1) << SEQ_SHIFT) - 1)
#define VALUE_MIN    8

#define CHURN_SCHEMA \
	"DROP TABLE IF EXISTS " KV_TABLE ";" \
	"DROP TABLE IF EXISTS " LEDGER_TABLE ";" \
	"CREATE TABLE " KV_TABLE "(k INTEGER PRIMARY KEY," \
	" worker INTEGER NOT NULL, seq INTEGER NOT NULL, v BLOB NOT NULL);" \
	"CREATE TABLE " LEDGER_TABLE "(id INTEGER PRIMARY KEY," \
	" worker INTEGER NOT NULL, seq INTEGER NOT NULL);"

/* ------------------------------------------------------- the op stream */

/* A state from several words: each one goes through a full mix. */
static uint64_t
churn_mix(uint64_t seed, uint64_t a, uint64_t b, uint64_t c)
{
	uint64_t s = seed;

	s ^= util_rand64(&s) + a;
	s ^= util_rand64(&s) + b;
	s ^= util_rand64(&s) + c;
	return util_rand64(&s);
}

int64_t
churn_key(int w, uint32_t slot)
{
	return ((int64_t)w << KEY_SHIFT) + (int64_t)slot;
}

/* A length from VALUE_MIN to max, spread evenly over the powers of 2. */
static uint32_t
churn_len(uint64_t *s, uint32_t max, int big)
{
	uint32_t bits = 0, len;

	if (!big)
		return VALUE_MIN + (uint32_t)(util_rand64(s) % 57);
	while (((uint64_t)VALUE_MIN << (bits + 1)) <= max)
		bits++;
	len = VALUE_MIN << (util_rand64(s) % (bits + 1));
	len += (uint32_t)(util_rand64(s) % len);
	return len > max ? max : len;
}

int
churn_ops(const struct churn_spec *sp, uint64_t seed, int w, uint64_t seq,
    struct churn_op *ops)
{
	uint64_t s = churn_mix(seed, (uint64_t)w, seq, 0x6f7073);
	uint64_t phase = (seq - 1) % (sp->grow + sp->shrink);
	int growing = phase < sp->grow, n, i;
	/* Percent of puts: growing 80, shrinking 20. */
	unsigned puts = growing ? 80 : 20;

	n = 1 + (int)(util_rand64(&s) % sp->ops);
	for (i = 0; i < n; i++) {
		ops[i].slot = (uint32_t)(util_rand64(&s) % sp->keys);
		ops[i].put = util_rand64(&s) % 100 < puts;
		ops[i].len = ops[i].put ? churn_len(&s, sp->max, growing) : 0;
	}
	return n;
}

void
churn_value(uint64_t seed, int w, uint64_t seq, uint32_t slot,
    unsigned char *buf, uint32_t len)
{
	uint64_t s = churn_mix(seed, (uint64_t)w, seq, 0x76616c00 + slot);
	uint32_t i, j;

	for (i = 0; i < len; i += 8) {
		uint64_t r = util_rand64(&s);

		for (j = 0; j < 8 && i + j < len; j++)
			buf[i + j] = (unsigned char)(r >> (8 * j));
	}
}

/* ------------------------------------------------------------ the spec */

static int
spec_num(const char *name, const char *val, uint64_t lo, uint64_t hi,
    uint64_t *out, char *err, size_t errlen)
{
	char *end = NULL;
	unsigned long long v;

	errno = 0;
	v = strtoull(val, &end, 10);
	if (*val < '0' || *val > '9' || errno != 0 || end == val ||
	    *end != '\0' || v < lo || v > hi) {
		snprintf(err, errlen, "%s='%s' is not an integer from %" PRIu64
		    " to %" PRIu64, name, val, lo, hi);
		return -1;
	}
	*out = v;
	return 0;
}

/* One "name=value" item into sp. */
static int
spec_item(char *item, struct churn_spec *sp, char *err, size_t errlen)
{
	char *eq = strchr(item, '=');
	uint64_t v = 0;
	int rc;

	if (eq == NULL) {
		snprintf(err, errlen, "'%s' is not name=value (names: keys, "
		    "ops, max, grow, shrink)", item);
		return -1;
	}
	*eq++ = '\0';
	if (strcmp(item, "keys") == 0) {
		rc = spec_num(item, eq, 1, 65536, &v, err, errlen);
		sp->keys = (uint32_t)v;
	} else if (strcmp(item, "ops") == 0) {
		rc = spec_num(item, eq, 1, CHURN_OPS_MAX, &v, err, errlen);
		sp->ops = (uint32_t)v;
	} else if (strcmp(item, "max") == 0) {
		rc = spec_num(item, eq, VALUE_MIN, 1 << 20, &v, err, errlen);
		sp->max = (uint32_t)v;
	} else if (strcmp(item, "grow") == 0) {
		rc = spec_num(item, eq, 1, UINT64_C(1) << 32, &v, err, errlen);
		sp->grow = v;
	} else if (strcmp(item, "shrink") == 0) {
		rc = spec_num(item, eq, 0, UINT64_C(1) << 32, &v, err, errlen);
		sp->shrink = v;
	} else {
		snprintf(err, errlen, "unknown name '%s' (names: keys, ops, "
		    "max, grow, shrink)", item);
		rc = -1;
	}
	return rc;
}

int
churn_spec_parse(const char *text, struct churn_spec *sp, char *err,
    size_t errlen)
{
	char buf[256], *item, *save = NULL;
	int rc = 0, first = 1;

	sp->keys = 256;
	sp->ops = 4;
	sp->max = 16384;
	sp->grow = 200;
	sp->shrink = 100;
	if (text == NULL || *text == '\0')
		return 0;
	if (strlen(text) >= sizeof buf) {
		snprintf(err, errlen, "the spec is too long");
		return -1;
	}
	strcpy(buf, text);
	for (item = strtok_r(buf, ",", &save); rc == 0 && item != NULL;
	    item = strtok_r(NULL, ",", &save), first = 0)
		rc = spec_item(item, sp, err, errlen);
	if (rc == 0 && first) {
		snprintf(err, errlen, "'%s' names nothing", text);
		rc = -1;
	}
	return rc;
}

/* ----------------------------------------------------------- the worker */

struct churn {
	struct workload_conn *c;
	struct churn_spec sp;
	sqlite3_stmt *put, *del, *ledger, *unledger;
	uint64_t       seed;
	unsigned char *buf;             /* sp.max bytes */
	struct churn_op ops[CHURN_OPS_MAX];
};

static int
churn_setup(sqlite3 *db)
{
	return sqlite3_exec(db, CHURN_SCHEMA, NULL, NULL, NULL);
}

static void
churn_close(void *state)
{
	struct churn *ch = state;

	if (ch == NULL)
		return;
	sqlite3_finalize(ch->put);
	sqlite3_finalize(ch->del);
	sqlite3_finalize(ch->ledger);
	sqlite3_finalize(ch->unledger);
	free(ch->buf);
	free(ch);
}

static int
churn_prepare(struct churn *ch)
{
	sqlite3 *db = ch->c->db;
	int rc;

	rc = sqlite3_prepare_v2(db, "INSERT OR REPLACE INTO " KV_TABLE
	    "(k, worker, seq, v) VALUES(?1, ?2, ?3, ?4)", -1, &ch->put, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(db, "DELETE FROM " KV_TABLE
		    " WHERE k = ?1", -1, &ch->del, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(db, "INSERT INTO " LEDGER_TABLE
		    "(id, worker, seq) VALUES(?1, ?2, ?3)", -1, &ch->ledger,
		    NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(db, "DELETE FROM " LEDGER_TABLE
		    " WHERE id = ?1", -1, &ch->unledger, NULL);
	return rc;
}

static void *
churn_open(struct workload_conn *c, int *code)
{
	struct churn *ch = calloc(1, sizeof *ch);
	char err[160];
	int rc;

	if (ch == NULL) {
		*code = SQLITE_NOMEM;
		return NULL;
	}
	ch->c = c;
	/* The run's seed itself: the checker knows nothing else. */
	ch->seed = c->cfg->seed;
	/* config checked the spec: a failure here is a bug, not a verdict. */
	if (churn_spec_parse(c->cfg->churn, &ch->sp, err, sizeof err) < 0) {
		*code = SQLITE_MISUSE;
		churn_close(ch);
		return NULL;
	}
	if ((ch->buf = malloc(ch->sp.max)) == NULL) {
		*code = SQLITE_NOMEM;
		churn_close(ch);
		return NULL;
	}
	if ((rc = churn_prepare(ch)) != SQLITE_OK) {
		*code = rc;
		churn_close(ch);
		return NULL;
	}
	sqlite3_bind_int64(ch->put, 2, c->worker);
	sqlite3_bind_int64(ch->ledger, 2, c->worker);
	return ch;
}

static int
churn_op(struct churn *ch, uint64_t seq, const struct churn_op *op)
{
	int64_t key = churn_key(ch->c->worker, op->slot);

	if (!op->put) {
		sqlite3_bind_int64(ch->del, 1, key);
		return ch->c->step(ch->c, ch->del, WIRE_OP_INSERT);
	}
	churn_value(ch->seed, ch->c->worker, seq, op->slot, ch->buf, op->len);
	sqlite3_bind_int64(ch->put, 1, key);
	sqlite3_bind_int64(ch->put, 3, (sqlite3_int64)seq);
	sqlite3_bind_blob(ch->put, 4, ch->buf, (int)op->len, SQLITE_STATIC);
	return ch->c->step(ch->c, ch->put, WIRE_OP_INSERT);
}

/* Seq's part of the transaction: its ops, then its ledger row. */
static int
churn_write(void *state, uint64_t seq)
{
	struct churn *ch = state;
	int i, n = churn_ops(&ch->sp, ch->seed, ch->c->worker, seq, ch->ops);

	for (i = 0; i < n; i++)
		if (churn_op(ch, seq, &ch->ops[i]) < 0)
			return -1;
	sqlite3_bind_int64(ch->ledger, 1,
	    ((int64_t)ch->c->worker << SEQ_SHIFT) + (int64_t)seq);
	sqlite3_bind_int64(ch->ledger, 3, (sqlite3_int64)seq);
	return ch->c->step(ch->c, ch->ledger, WIRE_OP_INSERT);
}

/* The canary: seq's ledger row goes, its kv changes stay (torn). */
static int
churn_drop(void *state, uint64_t seq)
{
	struct churn *ch = state;

	sqlite3_bind_int64(ch->unledger, 1,
	    ((int64_t)ch->c->worker << SEQ_SHIFT) + (int64_t)seq);
	return ch->c->step(ch->c, ch->unledger, WIRE_OP_FAULT);
}

static int
churn_resume(void *state, uint64_t *seq)
{
	struct churn *ch = state;
	int64_t base = (int64_t)ch->c->worker << SEQ_SHIFT, max = 0;
	int isnull = 1, rc;

	rc = workload_scalar(ch->c->db, "SELECT max(id) FROM " LEDGER_TABLE
	    " WHERE id BETWEEN ?1 AND ?2", base, base + SEQ_MAX, &max, &isnull);
	*seq = rc == SQLITE_OK && !isnull ? (uint64_t)(max - base) : 0;
	return rc;
}

static void
churn_stats(void *state, uint64_t committed, struct wire_done *d)
{
	(void)state;
	/* One ledger row per seq. */
	d->rows = committed;
}

/* ------------------------------------------------------------ the model */

/* What the model says of one key slot after replaying 1..k. */
struct churn_slot {
	uint64_t seq;        /* the last seq that put or deleted it; 0: never */
	uint64_t born;       /* present: the seq that inserted it */
	uint32_t len;        /* present: the value's length */
	int      present;
};

struct churn_model {
	struct churn_spec  sp;
	uint64_t           seed;
	int                nworkers;
	uint64_t          *k;        /* each worker's replayed prefix */
	struct churn_slot *slots;    /* nworkers * keys */
	unsigned char     *buf;      /* sp.max bytes: an expected value */
};

static void
churn_model_free(void *model)
{
	struct churn_model *m = model;

	if (m == NULL)
		return;
	free(m->k);
	free(m->slots);
	free(m->buf);
	free(m);
}

static void *
churn_model_new(const struct config *cfg, int nworkers)
{
	struct churn_model *m = calloc(1, sizeof *m);
	char err[160];
	size_t n;

	if (m == NULL)
		return NULL;
	if (churn_spec_parse(cfg->churn, &m->sp, err, sizeof err) < 0)
		(void)churn_spec_parse(NULL, &m->sp, err, sizeof err);
	m->seed = cfg->seed;
	m->nworkers = nworkers > 0 ? nworkers : 0;
	n = (size_t)m->nworkers * m->sp.keys;
	m->k = calloc(m->nworkers > 0 ? (size_t)m->nworkers : 1, sizeof *m->k);
	m->slots = calloc(n > 0 ? n : 1, sizeof *m->slots);
	m->buf = malloc(m->sp.max);
	if (m->k == NULL || m->slots == NULL || m->buf == NULL) {
		churn_model_free(m);
		return NULL;
	}
	return m;
}

/*
 * Move worker w's model to prefix k.  Snapshots only move forward; a copy
 * behind the model (a broken store) is replayed from the start.
 */
static void
churn_advance(struct churn_model *m, int w, uint64_t k)
{
	struct churn_slot *sl = m->slots + (size_t)w * m->sp.keys;
	struct churn_op ops[CHURN_OPS_MAX];
	uint64_t s;
	int i, n;

	if (k < m->k[w]) {
		memset(sl, 0, m->sp.keys * sizeof *sl);
		m->k[w] = 0;
	}
	for (s = m->k[w] + 1; s <= k; s++) {
		n = churn_ops(&m->sp, m->seed, w, s, ops);
		for (i = 0; i < n; i++) {
			struct churn_slot *x = &sl[ops[i].slot];

			if (ops[i].put && !x->present)
				x->born = s;
			x->present = ops[i].put;
			x->len = ops[i].len;
			x->seq = s;
		}
	}
	m->k[w] = k;
}

/* ------------------------------------------------------------ the check */

/* What the copy holds at one slot, as the walk found it. */
struct churn_found {
	uint64_t seq;        /* 0: no row */
	uint32_t len;
	int      same;       /* equals the model's slot */
};

/* One worker's check. */
struct churn_wcheck {
	struct churn_model *m;
	struct validate_result *out;
	int      w;
	uint64_t k;          /* the ledger's prefix */
	uint64_t rows;       /* ledger rows */
	struct churn_slot  *sl;
	struct churn_found *f;
	uint64_t strays;     /* kv rows past the slots or off their worker */
};

/*
 * The ledger: its gap-free prefix k, and the first missing seq if there
 * are rows past it.  Returns a SQLite code.
 */
static int
churn_ledger(sqlite3 *db, struct churn_wcheck *wc)
{
	sqlite3_stmt *st = NULL;
	int64_t base = (int64_t)wc->w << SEQ_SHIFT;
	int rc;

	wc->k = 0;
	wc->rows = 0;
	rc = sqlite3_prepare_v2(db, "SELECT id FROM " LEDGER_TABLE " WHERE id"
	    " BETWEEN ?1 AND ?2 ORDER BY id", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return rc;
	sqlite3_bind_int64(st, 1, base);
	sqlite3_bind_int64(st, 2, base + SEQ_MAX);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		uint64_t s = (uint64_t)(sqlite3_column_int64(st, 0) - base);

		if (s == wc->k + 1 && wc->rows == wc->k)
			wc->k = s;
		wc->rows++;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return rc;
	return SQLITE_OK;
}

/*
 * A gap in the ledger, named after the kv check: the key that holds a
 * change past the prefix says more than the gap.
 */
static void
churn_gap(struct churn_wcheck *wc)
{
	if (wc->rows == wc->k)
		return;
	wc->out->rows_ok = 0;
	validate_problem(wc->out, "w%d: ledger seq %" PRIu64 " missing"
	    " (holds 1..%" PRIu64 " and %" PRIu64 " more)", wc->w, wc->k + 1,
	    wc->k, wc->rows - wc->k);
}

/* Compare one kv row of the copy with the model's slot. */
static void
churn_row(struct churn_wcheck *wc, sqlite3_stmt *st)
{
	int64_t key = sqlite3_column_int64(st, 0);
	uint32_t slot = (uint32_t)(key - churn_key(wc->w, 0));
	const struct churn_slot *x;
	struct churn_found *f;
	int len;

	if (slot >= wc->m->sp.keys ||
	    sqlite3_column_int64(st, 1) != wc->w) {
		wc->strays++;
		return;
	}
	x = &wc->sl[slot];
	f = &wc->f[slot];
	f->seq = (uint64_t)sqlite3_column_int64(st, 2);
	len = sqlite3_column_bytes(st, 3);
	f->len = (uint32_t)len;
	if (!x->present || f->seq != x->seq || f->len != x->len)
		return;
	churn_value(wc->m->seed, wc->w, x->seq, slot, wc->m->buf, x->len);
	f->same = x->len == 0 ||
	    memcmp(sqlite3_column_blob(st, 3), wc->m->buf, x->len) == 0;
}

/* Walk the copy's kv rows of the worker into wc->f. */
static int
churn_walk(sqlite3 *db, struct churn_wcheck *wc)
{
	sqlite3_stmt *st = NULL;
	uint32_t i;
	int rc;

	rc = sqlite3_prepare_v2(db, "SELECT k, worker, seq, v FROM " KV_TABLE
	    " WHERE k BETWEEN ?1 AND ?2 ORDER BY k", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return rc;
	sqlite3_bind_int64(st, 1, churn_key(wc->w, 0));
	sqlite3_bind_int64(st, 2, churn_key(wc->w + 1, 0) - 1);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		churn_row(wc, st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return rc;
	/* Absent in both is the same too. */
	for (i = 0; i < wc->m->sp.keys; i++)
		if (!wc->sl[i].present && wc->f[i].seq == 0)
			wc->f[i].same = 1;
	return SQLITE_OK;
}

/*
 * Torn, ledger side: seq t is in the ledger, but not one of the (at
 * least two) values the model still holds from it is in the copy.  One
 * value alone tells nothing apart: it is then named by its own kind.
 * Deletes are no evidence either way (a missing row reads the same).
 */
static int
churn_torn(const struct churn_wcheck *wc, uint64_t t, uint32_t *nchanges)
{
	uint32_t i, n = 0;

	for (i = 0; i < wc->m->sp.keys; i++) {
		if (wc->sl[i].seq != t || !wc->sl[i].present)
			continue;
		if (wc->f[i].same || wc->f[i].seq >= t)
			return 0;
		n++;
	}
	*nchanges = n;
	return n >= 2;
}

/* "seq 12 (4000 bytes)", or "no row". */
static const char *
churn_state(uint64_t seq, uint32_t len, int present, char *buf, size_t cap)
{
	if (!present)
		snprintf(buf, cap, "no row");
	else
		snprintf(buf, cap, "the value of seq %" PRIu64 " (%" PRIu32
		    " bytes)", seq, len);
	return buf;
}

/* Name the mismatch at slot, by kind. */
static void
churn_name(const struct churn_wcheck *wc, uint32_t i)
{
	const struct churn_slot *x = &wc->sl[i];
	const struct churn_found *f = &wc->f[i];
	char exp[80], got[80];
	uint32_t n = 0;
	int w = wc->w;

	churn_state(x->seq, x->len, x->present, exp, sizeof exp);
	churn_state(f->seq, f->len, f->seq != 0, got, sizeof got);
	if (f->seq > wc->k)
		validate_problem(wc->out, "w%d: torn transaction: key %" PRIu32
		    " holds the value of seq %" PRIu64 " but the ledger holds"
		    " only 1..%" PRIu64 " (kv change without its ledger entry;"
		    " expected %s)", w, i, f->seq, wc->k, exp);
	else if (x->seq > 0 && churn_torn(wc, x->seq, &n))
		validate_problem(wc->out, "w%d: torn transaction: the ledger"
		    " holds seq %" PRIu64 " but none of the %" PRIu32
		    " values it wrote (key %" PRIu32 ": expected %s, found %s)", w,
		    x->seq, n, i, exp, got);
	else if (x->present && f->seq == 0)
		validate_problem(wc->out, "w%d: lost insert: key %" PRIu32
		    " (inserted by seq %" PRIu64 ", last written by seq %"
		    PRIu64 ") is missing: expected %s", w, i, x->born, x->seq,
		    exp);
	else if (x->present && f->seq < x->seq)
		validate_problem(wc->out, "w%d: lost update: key %" PRIu32
		    " last written by seq %" PRIu64 ": expected %s, found %s"
		    " (stale)", w, i, x->seq, exp, got);
	else if (!x->present && x->seq > 0)
		validate_problem(wc->out, "w%d: resurrected delete: key %"
		    PRIu32 " deleted by seq %" PRIu64 ": expected no row,"
		    " found %s", w, i, x->seq, got);
	else if (!x->present)
		validate_problem(wc->out, "w%d: key %" PRIu32 " was never"
		    " written by seqs 1..%" PRIu64 ": found %s", w, i, wc->k,
		    got);
	else
		validate_problem(wc->out, "w%d: wrong value: key %" PRIu32
		    " last written by seq %" PRIu64 ": expected %s, found %s%s",
		    w, i, x->seq, exp, got, f->seq == x->seq &&
		    f->len == x->len ? " with other bytes" : "");
}

/* Check worker w of the copy against the model. */
static int
churn_check_worker(sqlite3 *db, struct churn_wcheck *wc)
{
	uint32_t i;
	int rc;

	if ((rc = churn_ledger(db, wc)) != SQLITE_OK)
		return rc;
	churn_advance(wc->m, wc->w, wc->k);
	wc->sl = wc->m->slots + (size_t)wc->w * wc->m->sp.keys;
	memset(wc->f, 0, wc->m->sp.keys * sizeof *wc->f);
	wc->strays = 0;
	if ((rc = churn_walk(db, wc)) != SQLITE_OK)
		return rc;
	/*
	 * A change past the ledger's prefix first: the model stops at k,
	 * so every later change of that seq's would also read as a lost
	 * or resurrected key, and the first of those in key order would
	 * hide the cause.
	 */
	for (i = 0; i < wc->m->sp.keys; i++)
		if (wc->f[i].seq > wc->k)
			break;
	if (i == wc->m->sp.keys)
		for (i = 0; i < wc->m->sp.keys; i++)
			if (!wc->f[i].same)
				break;
	if (i < wc->m->sp.keys) {
		wc->out->rows_ok = 0;
		churn_name(wc, i);
	}
	churn_gap(wc);
	if (wc->strays > 0) {
		wc->out->rows_ok = 0;
		validate_problem(wc->out, "w%d: %" PRIu64 " kv rows past its"
		    " %" PRIu32 " keys or of another worker", wc->w,
		    wc->strays, wc->m->sp.keys);
	}
	wc->out->k[wc->w] = wc->k;
	wc->out->rows += wc->rows;
	return SQLITE_OK;
}

/* Rows of either table outside every worker's range. */
static int
churn_strays(sqlite3 *db, struct validate_result *out)
{
	int64_t n = 0, m = 0;
	int rc;

	rc = workload_scalar(db, "SELECT count(*) FROM " KV_TABLE " WHERE k < ?1"
	    " OR k > ?2", 0, churn_key(out->nworkers, 0) - 1, &n, NULL);
	if (rc == SQLITE_OK)
		rc = workload_scalar(db, "SELECT count(*) FROM " LEDGER_TABLE
		    " WHERE id < ?1 OR id > ?2", 0,
		    ((int64_t)out->nworkers << SEQ_SHIFT) - 1, &m, NULL);
	if (rc == SQLITE_OK && n + m > 0) {
		out->rows_ok = 0;
		validate_problem(out, "%" PRId64 " kv and %" PRId64 " ledger"
		    " rows of no worker", n, m);
	}
	return rc;
}

static int
churn_check(sqlite3 *db, void *model, struct validate_result *out)
{
	struct churn_wcheck wc;
	int rc = SQLITE_OK, w;

	out->rows = 0;
	memset(&wc, 0, sizeof wc);
	wc.m = model;
	wc.out = out;
	if (wc.m == NULL || wc.m->nworkers < out->nworkers)
		return SQLITE_MISUSE;
	if ((wc.f = calloc(wc.m->sp.keys, sizeof *wc.f)) == NULL)
		return SQLITE_NOMEM;
	for (w = 0; rc == SQLITE_OK && w < out->nworkers; w++) {
		wc.w = w;
		rc = churn_check_worker(db, &wc);
	}
	free(wc.f);
	if (rc != SQLITE_OK)
		return rc;
	return churn_strays(db, out);
}

static int
churn_held(sqlite3 *db, int worker, uint64_t lo, uint64_t hi, uint64_t *n)
{
	int64_t base = (int64_t)worker << SEQ_SHIFT, v = 0;
	int rc;

	*n = 0;
	if (lo > hi || hi > (uint64_t)SEQ_MAX)
		return SQLITE_OK;
	rc = workload_scalar(db, "SELECT count(*) FROM " LEDGER_TABLE " WHERE id"
	    " BETWEEN ?1 AND ?2", base + (int64_t)lo, base + (int64_t)hi, &v,
	    NULL);
	*n = (uint64_t)v;
	return rc;
}

const struct workload workload_churn = {
	"churn",
	"each worker inserts, updates and deletes its own keys, checked "
	    "against a replayed model",
	churn_setup,
	churn_open,
	churn_write,
	churn_resume,
	churn_drop,
	churn_stats,
	churn_close,
	churn_model_new,
	churn_model_free,
	churn_check,
	churn_held,
};
