/* SPDX-License-Identifier: MIT */
/*
 * validate: take a consistent copy of a live database with the online
 * backup API (one step, so one read transaction), and check a database
 * file: open it read-only, PRAGMA integrity_check (or quick_check), then
 * the workload's own check (its rows, and per worker a gap-free prefix
 * 1..k), then the --populate fill table, keeping the first concrete
 * fault.  It only reads the file it checks and never
 * writes the live database.  It knows no table (the workload does), does
 * not judge the result against ACKs (ledger.c does) and knows nothing of
 * children or pipes: give-up is a callback.
 */
#include "autoconf.h"
#include "validate.h"

#include <inttypes.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "populate.h"
#include "store.h"
#include "util.h"
#include "workload.h"

/*
 * The copies and the final database have no writer, but a WAL file left
 * behind may need recovery under a lock another reader holds briefly.
 */
#define VALIDATE_OPEN_BUSY_MS 2000
#define VALIDATE_PROGRESS_OPS 1000

/* Everything one validate_file() call carries between its steps. */
struct vcheck {
	sqlite3    *db;
	const char *path;
	struct validate_result *out;
	char       *err;
	size_t      errlen;
	int         code;
};

void
validate_problem(struct validate_result *r, const char *fmt, ...)
{
	va_list ap;

	if (r->problem[0] != '\0')
		return;
	va_start(ap, fmt);
	vsnprintf(r->problem, sizeof r->problem, fmt, ap);
	va_end(ap);
}

/*
 * Classify a failed query.  Corruption is a verdict on the file: note it
 * and return 0 so the caller reports integrity_ok = 0.  Anything else
 * (not a database, I/O error, missing table) is a hard error: -1.
 */
static int
vfail(struct vcheck *v, int rc)
{
	const char *msg = sqlite3_errmsg(v->db);

	v->code = sqlite3_extended_errcode(v->db);
	if ((rc & 0xff) == SQLITE_CORRUPT) {
		v->out->integrity_ok = 0;
		validate_problem(v->out, "%s", msg);
		return 0;
	}
	snprintf(v->err, v->errlen, "%s: %s", v->path, msg);
	return -1;
}

static int
vprepare(struct vcheck *v, const char *sql, sqlite3_stmt **st)
{
	int rc = sqlite3_prepare_v2(v->db, sql, -1, st, NULL);

	if (rc != SQLITE_OK) {
		*st = NULL;
		return vfail(v, rc) < 0 ? -1 : 1;
	}
	return 0;
}

/*
 * PRAGMA integrity_check (or quick_check: the same without matching
 * indexes against their tables, O(N) instead of O(N log N)): ok iff
 * exactly one row "ok".  Returns 0 (ran or found corruption), -1 hard
 * error.
 */
static int
vintegrity(struct vcheck *v, int quick)
{
	const char *pragma = quick ? "quick_check" : "integrity_check";
	sqlite3_stmt *st = NULL;
	char sql[32];
	int rc, nrows = 0, ret;

	snprintf(sql, sizeof sql, "PRAGMA %s", pragma);
	if ((ret = vprepare(v, sql, &st)) != 0)
		return ret < 0 ? -1 : 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *line = (const char *)sqlite3_column_text(st, 0);

		if (line == NULL)
			line = "(null)";
		if (nrows++ == 0 && strcmp(line, "ok") == 0)
			continue;
		/*
		 * Only the first finding: the rest is usually more of the
		 * same.  A "*** in database main ***" banner line says
		 * nothing, so skip it.
		 */
		if (strncmp(line, "*** ", 4) == 0 && strchr(line, '\n'))
			line = strchr(line, '\n') + 1;
		if (v->out->integrity_ok)
			validate_problem(v->out, "%s: %.*s", pragma,
			    (int)strcspn(line, "\n"), line);
		v->out->integrity_ok = 0;
	}
	ret = rc == SQLITE_DONE ? 0 : vfail(v, rc);
	sqlite3_finalize(st);
	return ret;
}

/*
 * The workload's checks.  A query that fails for corruption leaves rows
 * not ok (the verdict); any other failure is a hard error (-1).
 */
static int
vrows(struct vcheck *v, const struct workload *wl, void *model)
{
	int rc = wl->check(v->db, model, v->out);

	if (rc == SQLITE_OK)
		return 0;
	v->out->rows_ok = 0;
	return vfail(v, rc) < 0 ? -1 : 0;
}

/* The fill table, like the workload's rows: corruption is a verdict. */
static int
vfill(struct vcheck *v, const struct validate_opts *o)
{
	int rc;

	if (o->fill_rows == 0)
		return 0;
	rc = populate_check(v->db, o->fill_seed, o->fill_rows, o->quick,
	    o->sample_seed, v->out);
	if (rc == SQLITE_OK)
		return 0;
	v->out->rows_ok = 0;
	v->out->fill_ok = 0;
	return vfail(v, rc) < 0 ? -1 : 0;
}

int
validate_file(const char *path, const struct workload *wl, void *model,
    int nworkers, struct validate_result *out, char *err, size_t errlen,
    int *code)
{
	return validate_file_until(path, wl, model, nworkers, NULL, NULL, out,
	    err, errlen, code);
}

int
validate_file_until(const char *path, const struct workload *wl,
    void *model, int nworkers, int (*give_up)(void *arg), void *arg,
    struct validate_result *out, char *err, size_t errlen, int *code)
{
	struct validate_opts o;

	memset(&o, 0, sizeof o);
	o.wl = wl;
	o.model = model;
	o.nworkers = nworkers;
	o.give_up = give_up;
	o.arg = arg;
	return validate_file_opts(path, &o, out, err, errlen, code);
}

int
validate_file_opts(const char *path, const struct validate_opts *o,
    struct validate_result *out, char *err, size_t errlen, int *code)
{
	int nworkers = o->nworkers;
	struct vcheck v;
	int rc, ret = -1;

	memset(out, 0, sizeof *out);
	memset(&v, 0, sizeof v);
	v.path = path;
	v.out = out;
	v.err = err;
	v.errlen = errlen;
	out->integrity_ok = 1;
	out->rows_ok = 1;
	out->fill_ok = 1;
	out->nworkers = nworkers > 0 ? nworkers : 0;
	out->k = calloc(nworkers > 0 ? (size_t)nworkers : 1, sizeof *out->k);
	if (out->k == NULL) {
		v.code = SQLITE_NOMEM;
		snprintf(err, errlen, "%s: out of memory", path);
		goto out;
	}
	rc = store_sqlite_open(path, &v.db, SQLITE_OPEN_READONLY);
	if (rc != SQLITE_OK) {
		v.code = v.db != NULL ? sqlite3_extended_errcode(v.db) : rc;
		snprintf(err, errlen, "%s: %s", path, v.db != NULL ?
		    sqlite3_errmsg(v.db) : sqlite3_errstr(rc));
		goto out;
	}
	sqlite3_extended_result_codes(v.db, 1);
	sqlite3_busy_timeout(v.db, VALIDATE_OPEN_BUSY_MS);
	/* integrity_check of a big file takes a while: stop it on demand. */
	if (o->give_up != NULL)
		sqlite3_progress_handler(v.db, VALIDATE_PROGRESS_OPS, o->give_up,
		    o->arg);
	if (vintegrity(&v, o->quick) < 0 || vrows(&v, o->wl, o->model) < 0 ||
	    vfill(&v, o) < 0)
		goto out;
	ret = 0;
out:
	sqlite3_close(v.db);
	if (ret < 0)
		validate_result_free(out);
	if (code != NULL)
		*code = ret < 0 ? v.code : SQLITE_OK;
	return ret;
}

int
validate_count_seqs(const char *path, const struct workload *wl, int worker,
    uint64_t lo, uint64_t hi, uint64_t *n, char *err, size_t errlen)
{
	sqlite3 *db = NULL;
	int rc;

	*n = 0;
	if (lo > hi)
		return 0;
	rc = store_sqlite_open(path, &db, SQLITE_OPEN_READONLY);
	if (rc == SQLITE_OK) {
		sqlite3_busy_timeout(db, VALIDATE_OPEN_BUSY_MS);
		rc = wl->held(db, worker, lo, hi, n);
	}
	if (rc != SQLITE_OK)
		snprintf(err, errlen, "%s: %s", path, db != NULL ?
		    sqlite3_errmsg(db) : sqlite3_errstr(rc));
	sqlite3_close(db);
	return rc == SQLITE_OK ? 0 : -1;
}

void
validate_result_free(struct validate_result *r)
{
	if (r == NULL)
		return;
	free(r->k);
	r->k = NULL;
}

/*
 * Run the whole copy as one backup step, retrying BUSY/LOCKED with a short
 * backoff.  One step means one read transaction on src, which is what
 * makes the copy a consistent snapshot.  Returns the last step's code.
 */
static int
vbackup_step(sqlite3_backup *b, int64_t timeout_ns, int (*give_up)(void *),
    void *arg)
{
	static const int backoff_ms[] = { 1, 2, 5, 10 };
	int64_t begun = util_now_ns();
	size_t i = 0;
	int rc;

	for (;;) {
		rc = sqlite3_backup_step(b, -1);
		if ((rc & 0xff) != SQLITE_BUSY && (rc & 0xff) != SQLITE_LOCKED)
			return rc;
		if (give_up != NULL && give_up(arg))
			return rc;
		if (util_now_ns() - begun >= timeout_ns)
			return rc;
		(void)poll(NULL, 0, backoff_ms[i]);
		if (i + 1 < sizeof backoff_ms / sizeof backoff_ms[0])
			i++;
	}
}

/*
 * Open src and dst (created), both read-write.  The backup only reads src,
 * but a read-only connection that races a writer while it looks for a hot
 * journal (rollback modes) fails at once with SQLITE_READONLY_ROLLBACK
 * where a normal reader would wait; and like any reader it must be able to
 * roll back a journal a crashed writer left.  It never checkpoints src on
 * close (that would be the workers' WAL, on our clock).
 */
static int
vbackup_open(const char *src, const char *dst, sqlite3 **s, sqlite3 **d,
    char *err, size_t errlen, int *code)
{
	const char *which = src;
	sqlite3 *db;
	int rc;

	rc = store_sqlite_open(src, s, SQLITE_OPEN_READWRITE);
	if (rc == SQLITE_OK)
		(void)sqlite3_db_config(*s, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1,
		    NULL);
	if (rc == SQLITE_OK) {
		which = dst;
		rc = store_sqlite_open(dst, d, SQLITE_OPEN_READWRITE |
		    SQLITE_OPEN_CREATE);
	}
	if (rc == SQLITE_OK)
		return 0;
	db = which == src ? *s : *d;
	*code = db != NULL ? sqlite3_extended_errcode(db) : rc;
	snprintf(err, errlen, "%s: %s", which, db != NULL ?
	    sqlite3_errmsg(db) : sqlite3_errstr(rc));
	return -1;
}

int
validate_backup(const char *src, const char *dst, int64_t busy_timeout_ns,
    int (*give_up)(void *arg), void *arg, char *err, size_t errlen,
    int *code)
{
	sqlite3 *s = NULL, *d = NULL;
	sqlite3_backup *b;
	int rc, c = SQLITE_OK, ret = -1, opened = 0;
	int64_t t0 = util_now_ns();

	if (vbackup_open(src, dst, &s, &d, err, errlen, &c) < 0)
		goto out;
	opened = 1;
	sqlite3_extended_result_codes(s, 1);
	sqlite3_extended_result_codes(d, 1);
	if ((b = sqlite3_backup_init(d, "main", s, "main")) == NULL) {
		c = sqlite3_extended_errcode(d);
		snprintf(err, errlen, "backup of %s: %s", src, sqlite3_errmsg(d));
		goto out;
	}
	rc = vbackup_step(b, busy_timeout_ns, give_up, arg);
	(void)sqlite3_backup_finish(b);
	if (rc != SQLITE_DONE) {
		c = rc;
		snprintf(err, errlen, "backup of %s: %s (after %" PRId64 " ms)",
		    src, sqlite3_errstr(rc), (util_now_ns() - t0) / UTIL_NS_PER_MS);
		goto out;
	}
	/*
	 * The copy keeps a WAL source's header, so opening it would need
	 * -wal and -shm files.  A rollback-mode copy is one self-contained
	 * file that opens read-only anywhere, e.g. in a post-mortem.
	 */
	if ((rc = sqlite3_exec(d, "PRAGMA journal_mode=DELETE", NULL, NULL,
	    NULL)) != SQLITE_OK) {
		c = sqlite3_extended_errcode(d);
		snprintf(err, errlen, "%s: %s", dst, sqlite3_errmsg(d));
		goto out;
	}
	ret = 0;
out:
	/* No statement is left open, so close cannot fail with BUSY. */
	sqlite3_close(s);
	sqlite3_close(d);
	/* A half-written copy is worse than none: nobody may mistake it. */
	if (ret < 0 && opened)
		(void)unlink(dst);
	if (code != NULL)
		*code = c;
	return ret;
}
