/* SPDX-License-Identifier: MIT */
/*
 * check_workload: the workload table (lookup by name, the default, the
 * list of names) and the append workload through its interface, as the
 * generic worker drives it: schema set up by store_prepare(), seqs
 * written inside a transaction, resume reading the highest committed
 * seq back, the droprow canary, statistics, and the check of the file.
 * Every file lives in a fresh mkdtemp directory under $TMPDIR.
 */
#include "autoconf.h"

#include <check.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "config.h"
#include "store.h"
#include "util.h"
#include "validate.h"
#include "wire.h"
#include "workload.h"
#include "workload-churn.h"

static char tmpdir[PATH_MAX];
static char path[PATH_MAX];
static struct config cfg;
/* The workload the fixture set up and the helpers drive. */
static const struct workload *wl = &workload_append;

/* What the worker's step does, minus reporting: errors are counted. */
static int step_errors;

static int
test_step(struct workload_conn *c, sqlite3_stmt *st, int op)
{
	int rc = sqlite3_step(st);

	(void)c;
	(void)op;
	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return 0;
	step_errors++;
	return -1;
}

static void
setup(void)
{
	const char *base = getenv("TMPDIR");
	char err[512];

	if (base == NULL || *base == '\0')
		base = "/tmp";
	snprintf(tmpdir, sizeof tmpdir, "%s/check_workload.XXXXXX", base);
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	if (snprintf(path, sizeof path, "%s/w.db", tmpdir) >= (int)sizeof path)
		ck_abort_msg("path too long: %s", tmpdir);
	config_defaults(&cfg);
	ck_assert_int_eq(store_prepare(&cfg, wl, path, 0, NULL, 0, err,
	    sizeof err), STORE_OK);
	step_errors = 0;
}

static void
teardown(void)
{
	util_rmtree(tmpdir);
	config_free(&cfg);
	wl = &workload_append;
}

/* The churn fixture: a small spec, so every key sees every kind of op. */
static void
setup_churn(void)
{
	wl = &workload_churn;
	setup();
	cfg.seed = 7;
	cfg.churn = strdup("keys=32,ops=4,max=3000,grow=40,shrink=30");
	ck_assert_ptr_nonnull(cfg.churn);
}

static void
exec_ok(sqlite3 *db, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
		ck_abort_msg("%s: %s", sql, msg);
}

/* A worker's connection and the append state for worker w. */
struct wconn {
	sqlite3 *db;
	struct workload_conn c;
	void *state;
};

static void
wopen(struct wconn *w, int worker)
{
	int code = 0;

	memset(w, 0, sizeof *w);
	ck_assert_int_eq(sqlite3_open(path, &w->db), SQLITE_OK);
	w->c.db = w->db;
	w->c.worker = worker;
	w->c.nworkers = 4;
	w->c.cfg = &cfg;
	w->c.seed = 42;
	w->c.step = test_step;
	w->state = wl->open(&w->c, &code);
	ck_assert_ptr_nonnull(w->state);
}

static void
wclose(struct wconn *w)
{
	wl->close(w->state);
	sqlite3_close(w->db);
}

/* Seqs first..last in one transaction, as the worker runs them. */
static void
wtxn(struct wconn *w, uint64_t first, uint64_t last, const char *end)
{
	uint64_t s;

	exec_ok(w->db, "BEGIN IMMEDIATE");
	for (s = first; s <= last; s++)
		ck_assert_int_eq(wl->write_seq(w->state, s), 0);
	exec_ok(w->db, end);
}

static uint64_t
wresume(struct wconn *w)
{
	uint64_t seq = 99;

	ck_assert_int_eq(wl->resume(w->state, &seq), SQLITE_OK);
	return seq;
}

/* ------------------------------------------------------------ table */

START_TEST(test_workload_find)
{
	char names[64];

	ck_assert_ptr_eq(workload_find("append"), &workload_append);
	ck_assert_ptr_eq(workload_find(NULL), &workload_append);
	ck_assert_ptr_eq(workload_find(""), &workload_append);
	ck_assert_ptr_eq(workload_default(), &workload_append);
	ck_assert_ptr_eq(workload_for(&cfg), &workload_append);
	ck_assert_ptr_null(workload_find("Append"));
	ck_assert_ptr_eq(workload_find("churn"), &workload_churn);
	ck_assert_ptr_null(workload_find("Churn"));
	ck_assert_str_eq(workload_names(", ", names, sizeof names),
	    "append, churn");
	/* Truncated, never unterminated. */
	ck_assert_str_eq(workload_names(", ", names, 4), "app");
	ck_assert_str_eq(workload_append.name, "append");
	/* config's list of names is the table's, row for row. */
	ck_assert_str_eq(workload_name_list[0], "append");
	ck_assert_str_eq(workload_name_list[1], "churn");
	ck_assert_ptr_null(workload_name_list[2]);
	ck_assert_str_eq(workload_churn.name, "churn");
}
END_TEST

/* --workload picks the workload through config, in any case. */
START_TEST(test_workload_for_config)
{
	struct config c;
	char err[CONFIG_ERR_MAX];
	char a0[] = "sqlstorm", a1[] = "--workload=APPEND";
	char *argv[] = { a0, a1, NULL };
	char *envp[] = { NULL };
	enum config_action action;

	config_defaults(&c);
	ck_assert_int_eq(config_parse(&c, 2, argv, envp, &action, NULL, err,
	    sizeof err), 0);
	ck_assert_str_eq(c.workload, "append");
	ck_assert_ptr_eq(workload_for(&c), &workload_append);
	config_free(&c);
}
END_TEST

/* ------------------------------------------------------------ append */

/* A fresh worker starts at seq 1; a restarted one after its last commit. */
START_TEST(test_workload_append_resume)
{
	struct wconn a, b;

	wopen(&a, 2);
	wopen(&b, 3);
	ck_assert_uint_eq(wresume(&a), 0);
	wtxn(&a, 1, 5, "COMMIT");
	wtxn(&b, 1, 2, "COMMIT");
	/* Rolled back: not committed, so not where to resume. */
	wtxn(&a, 6, 9, "ROLLBACK");
	ck_assert_uint_eq(wresume(&a), 5);
	ck_assert_uint_eq(wresume(&b), 2);
	wclose(&a);
	wopen(&a, 2);
	ck_assert_uint_eq(wresume(&a), 5);
	wclose(&a);
	wclose(&b);
	ck_assert_int_eq(step_errors, 0);
}
END_TEST

/* Writing a committed seq again is refused: the key holds (w, seq). */
START_TEST(test_workload_append_no_duplicate)
{
	struct wconn a;

	wopen(&a, 1);
	wtxn(&a, 1, 3, "COMMIT");
	exec_ok(a.db, "BEGIN IMMEDIATE");
	ck_assert_int_eq(workload_append.write_seq(a.state, 2), -1);
	ck_assert_int_eq(sqlite3_extended_errcode(a.db),
	    SQLITE_CONSTRAINT_PRIMARYKEY);
	exec_ok(a.db, "ROLLBACK");
	ck_assert_int_eq(step_errors, 1);
	wclose(&a);
}
END_TEST

/* What the workers wrote passes the check; the canary breaks it. */
START_TEST(test_workload_append_check_and_drop)
{
	struct validate_result r;
	struct wconn a, b;
	char err[256];

	wopen(&a, 0);
	wopen(&b, 3);
	wtxn(&a, 1, 10, "COMMIT");
	wtxn(&b, 1, 4, "COMMIT");
	ck_assert_int_eq(validate_file(path, &workload_append, NULL, 4, &r, err,
	    sizeof err, NULL), 0);
	ck_assert_int_eq(r.rows_ok, 1);
	ck_assert_uint_eq(r.rows, 14);
	ck_assert_uint_eq(r.k[0], 10);
	ck_assert_uint_eq(r.k[3], 4);
	validate_result_free(&r);
	exec_ok(a.db, "BEGIN IMMEDIATE");
	ck_assert_int_eq(workload_append.drop(a.state, 5), 0);
	exec_ok(a.db, "COMMIT");
	ck_assert_int_eq(validate_file(path, &workload_append, NULL, 4, &r, err,
	    sizeof err, NULL), 0);
	ck_assert_int_eq(r.rows_ok, 0);
	ck_assert_uint_eq(r.k[0], 4);
	ck_assert_str_eq(r.problem, "w0: seq 5 missing (holds 1..4 and 6..10)");
	validate_result_free(&r);
	wclose(&a);
	wclose(&b);
}
END_TEST

/* A worker's rows in the table carry its worker and seq as columns. */
START_TEST(test_workload_append_columns)
{
	struct wconn a;
	sqlite3_stmt *st = NULL;

	wopen(&a, 3);
	wtxn(&a, 1, 2, "COMMIT");
	ck_assert_int_eq(sqlite3_prepare_v2(a.db, "SELECT id, worker, seq,"
	    " length(payload) FROM sqlstorm_rows ORDER BY id", -1, &st, NULL),
	    SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	ck_assert(sqlite3_column_int64(st, 0) == (INT64_C(3) << 40) + 1);
	ck_assert_int_eq(sqlite3_column_int(st, 1), 3);
	ck_assert_int_eq(sqlite3_column_int(st, 2), 1);
	ck_assert_int_eq(sqlite3_column_int(st, 3), 64);
	sqlite3_finalize(st);
	wclose(&a);
}
END_TEST

START_TEST(test_workload_append_stats)
{
	struct wire_done d;
	struct wconn a;

	wopen(&a, 0);
	memset(&d, 0, sizeof d);
	workload_append.stats(a.state, 17, &d);
	ck_assert_uint_eq(d.rows, 17);
	wclose(&a);
	/* Closing nothing is fine (a worker that failed to open). */
	workload_append.close(NULL);
}
END_TEST

/* ------------------------------------------------------------ churn */

/* The same (seed, worker, seq) gives the same ops and values, always. */
START_TEST(test_workload_churn_ops_pure)
{
	struct churn_spec sp;
	struct churn_op a[CHURN_OPS_MAX], b[CHURN_OPS_MAX];
	unsigned char va[3000], vb[3000];
	char err[128];
	uint64_t s, differ = 0, puts[2] = { 0, 0 }, ops[2] = { 0, 0 };
	int n, m, i;

	ck_assert_int_eq(churn_spec_parse(cfg.churn, &sp, err, sizeof err), 0);
	for (s = 1; s <= 700; s++) {
		n = churn_ops(&sp, 7, 1, s, a);
		m = churn_ops(&sp, 7, 1, s, b);
		ck_assert_int_eq(n, m);
		ck_assert(n >= 1 && n <= 4);
		ck_assert(memcmp(a, b, (size_t)n * sizeof a[0]) == 0);
		for (i = 0; i < n; i++) {
			ck_assert_uint_lt(a[i].slot, 32);
			if (a[i].put)
				ck_assert(a[i].len >= 8 && a[i].len <= 3000);
			/* Phase: seqs 1..40 of each 70 grow. */
			puts[(s - 1) % 70 < 40] += (uint64_t)a[i].put;
			ops[(s - 1) % 70 < 40]++;
		}
		m = churn_ops(&sp, 8, 1, s, b);
		differ += n != m || memcmp(a, b, (size_t)n * sizeof a[0]) != 0;
	}
	/* Another seed, another stream. */
	ck_assert_uint_gt(differ, 600);
	/* Puts dominate growing, deletes shrinking. */
	ck_assert_uint_gt(puts[1] * 10, ops[1] * 6);
	ck_assert_uint_lt(puts[0] * 10, ops[0] * 4);
	churn_value(7, 1, 5, 3, va, sizeof va);
	churn_value(7, 1, 5, 3, vb, sizeof vb);
	ck_assert(memcmp(va, vb, sizeof va) == 0);
	churn_value(7, 1, 5, 4, vb, sizeof vb);
	ck_assert(memcmp(va, vb, sizeof va) != 0);
}
END_TEST

/* A spec: the defaults, each item, and refusals. */
START_TEST(test_workload_churn_spec)
{
	struct churn_spec sp;
	char err[128];

	ck_assert_int_eq(churn_spec_parse(NULL, &sp, err, sizeof err), 0);
	ck_assert_uint_eq(sp.keys, 256);
	ck_assert_uint_eq(sp.max, 16384);
	ck_assert_int_eq(churn_spec_parse(CHURN_SPEC_DEFAULT, &sp, err,
	    sizeof err), 0);
	ck_assert_uint_eq(sp.ops, 4);
	ck_assert_uint_eq(sp.grow, 200);
	ck_assert_uint_eq(sp.shrink, 100);
	ck_assert_int_eq(churn_spec_parse("shrink=0,keys=1", &sp, err,
	    sizeof err), 0);
	ck_assert_uint_eq(sp.keys, 1);
	ck_assert_uint_eq(sp.shrink, 0);
	ck_assert_int_eq(churn_spec_parse("ops=65", &sp, err, sizeof err), -1);
	ck_assert_str_eq(err, "ops='65' is not an integer from 1 to 64");
	ck_assert_int_eq(churn_spec_parse("max=-1", &sp, err, sizeof err), -1);
	ck_assert_int_eq(churn_spec_parse("grow", &sp, err, sizeof err), -1);
	ck_assert_int_eq(churn_spec_parse(",", &sp, err, sizeof err), -1);
}
END_TEST

/* Check a file with a model; returns the result (free it). */
static void
churn_validate(const char *file, void *model, struct validate_result *r)
{
	char err[256];

	ck_assert_int_eq(validate_file(file, &workload_churn, model, 4, r,
	    err, sizeof err, NULL), 0);
	ck_assert_int_eq(r->integrity_ok, 1);
}

/*
 * The state the workers built with SQL equals the model's, checked
 * incrementally with one model as snapshots are, and from scratch.
 */
START_TEST(test_workload_churn_model_equals_sql)
{
	struct validate_result r;
	struct wconn a, b;
	void *model = workload_churn.model_new(&cfg, 4);
	void *fresh = workload_churn.model_new(&cfg, 4);
	uint64_t s;

	ck_assert_ptr_nonnull(model);
	wopen(&a, 0);
	wopen(&b, 2);
	for (s = 1; s <= 210; s += 7) {
		wtxn(&a, s, s + 6, "COMMIT");
		wtxn(&b, (s + 6) / 7, (s + 6) / 7, "COMMIT");
		churn_validate(path, model, &r);
		ck_assert_msg(r.rows_ok, "seq %d: %s", (int)s, r.problem);
		ck_assert_uint_eq(r.k[0], s + 6);
		ck_assert_uint_eq(r.k[2], (s + 6) / 7);
		ck_assert_uint_eq(r.k[1], 0);
		ck_assert_uint_eq(r.rows, s + 6 + (s + 6) / 7);
		validate_result_free(&r);
	}
	/* A transaction rolled back changes nothing. */
	wtxn(&a, 211, 215, "ROLLBACK");
	churn_validate(path, fresh, &r);
	ck_assert_msg(r.rows_ok, "%s", r.problem);
	ck_assert_uint_eq(r.k[0], 210);
	ck_assert_str_eq(r.problem, "");
	validate_result_free(&r);
	ck_assert_uint_eq(wresume(&a), 210);
	ck_assert_uint_eq(wresume(&b), 30);
	/* The canary: seq 200's ledger row goes, its values stay. */
	exec_ok(a.db, "BEGIN IMMEDIATE");
	ck_assert_int_eq(workload_churn.drop(a.state, 200), 0);
	exec_ok(a.db, "COMMIT");
	churn_validate(path, model, &r);
	ck_assert_int_eq(r.rows_ok, 0);
	ck_assert_uint_eq(r.k[0], 199);
	ck_assert_msg(strstr(r.problem, "w0: torn transaction: key ") ==
	    r.problem, "%s", r.problem);
	validate_result_free(&r);
	wclose(&a);
	wclose(&b);
	workload_churn.model_free(model);
	workload_churn.model_free(fresh);
	ck_assert_int_eq(step_errors, 0);
}
END_TEST

/* One integer from a query on db. */
static int64_t
churn_int(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st = NULL;
	int64_t v;

	ck_assert_int_eq(sqlite3_prepare_v2(db, sql, -1, &st, NULL),
	    SQLITE_OK);
	ck_assert_msg(sqlite3_step(st) == SQLITE_ROW, "no row: %s", sql);
	v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* Worker 0's seqs that still hold two values or more (newest first). */
#define CHURN_MULTI "(SELECT seq FROM sqlstorm_kv WHERE worker = 0" \
	" GROUP BY seq HAVING count(*) >= 2 ORDER BY seq DESC LIMIT 1)"

/* One break of a copy, and what the check must say. */
static const struct churn_break {
	const char *kind;       /* the message begins "w0: <kind>" */
	const char *key;        /* the key it must name */
	const char *seq;        /* a seq it must name */
	const char *sql;        /* the break */
} churn_breaks[] = {
	{ "lost update: key", "SELECT min(k) FROM sqlstorm_kv WHERE seq = "
	    CHURN_MULTI, "SELECT " CHURN_MULTI,
	  "UPDATE sqlstorm_kv SET seq = seq - 1, v = x'00' WHERE k = (SELECT"
	    " min(k) FROM sqlstorm_kv WHERE seq = " CHURN_MULTI ")" },
	{ "lost insert: key", "SELECT min(k) FROM sqlstorm_kv WHERE seq = "
	    CHURN_MULTI, "SELECT " CHURN_MULTI,
	  "DELETE FROM sqlstorm_kv WHERE k = (SELECT min(k) FROM sqlstorm_kv"
	    " WHERE seq = " CHURN_MULTI ")" },
	{ "torn transaction: the ledger holds seq",
	  "SELECT min(k) FROM sqlstorm_kv WHERE seq = " CHURN_MULTI,
	  "SELECT " CHURN_MULTI,
	  "DELETE FROM sqlstorm_kv WHERE seq = " CHURN_MULTI },
	{ "torn transaction: key", "SELECT min(k) FROM sqlstorm_kv WHERE"
	    " seq = (SELECT max(seq) FROM sqlstorm_kv WHERE worker = 0)",
	  "SELECT max(seq) FROM sqlstorm_kv WHERE worker = 0",
	  "DELETE FROM sqlstorm_churn_ledger WHERE id = (SELECT max(seq)"
	    " FROM sqlstorm_kv WHERE worker = 0)" },
	/*
	 * A gap near the end: with seed 7 a key before the first change past
	 * the gap was deleted after it, and must not hide the cause.
	 */
	{ "torn transaction: key", "SELECT k FROM sqlstorm_kv WHERE worker"
	    " = 0 AND seq > 114 ORDER BY k LIMIT 1", "SELECT seq FROM"
	    " sqlstorm_kv WHERE worker = 0 AND seq > 114 ORDER BY k LIMIT 1",
	  "DELETE FROM sqlstorm_churn_ledger WHERE id = 115" },
	{ "resurrected delete: key",
	  "WITH RECURSIVE s(x) AS (SELECT 0 UNION ALL SELECT x + 1 FROM s"
	    " WHERE x < 31) SELECT min(x) FROM s WHERE x NOT IN"
	    " (SELECT k FROM sqlstorm_kv WHERE worker = 0)", "SELECT 1",
	  "INSERT INTO sqlstorm_kv WITH RECURSIVE s(x) AS (SELECT 0 UNION"
	    " ALL SELECT x + 1 FROM s WHERE x < 31) SELECT min(x), 0, 1,"
	    " x'01' FROM s WHERE x NOT IN (SELECT k FROM sqlstorm_kv WHERE"
	    " worker = 0)" },
	{ "wrong value: key", "SELECT min(k) FROM sqlstorm_kv",
	  "SELECT seq FROM sqlstorm_kv ORDER BY k LIMIT 1",
	  "UPDATE sqlstorm_kv SET v = zeroblob(length(v)) WHERE k = (SELECT"
	    " min(k) FROM sqlstorm_kv)" },
};

/* Copy path into copy with the backup API. */
static void
churn_copy(const char *copy)
{
	sqlite3 *from = NULL, *to = NULL;
	sqlite3_backup *bk;

	(void)unlink(copy);
	ck_assert_int_eq(sqlite3_open(path, &from), SQLITE_OK);
	ck_assert_int_eq(sqlite3_open(copy, &to), SQLITE_OK);
	bk = sqlite3_backup_init(to, "main", from, "main");
	ck_assert_ptr_nonnull(bk);
	ck_assert_int_eq(sqlite3_backup_step(bk, -1), SQLITE_DONE);
	sqlite3_backup_finish(bk);
	sqlite3_close(from);
	sqlite3_close(to);
}

/* Each kind of broken copy is named: kind, worker, key and seq. */
START_TEST(test_workload_churn_kinds)
{
	const struct churn_break *br = &churn_breaks[_i];
	struct validate_result r;
	struct wconn a, b;
	char copy[PATH_MAX + 8], want[64];
	void *model = workload_churn.model_new(&cfg, 4);
	sqlite3 *db = NULL;
	int64_t key, seq;

	wopen(&a, 0);
	wopen(&b, 1);
	wtxn(&a, 1, 120, "COMMIT");
	wtxn(&b, 1, 50, "COMMIT");
	wclose(&a);
	wclose(&b);
	/* The model has seen the honest file: the break comes later. */
	churn_validate(path, model, &r);
	ck_assert_msg(r.rows_ok, "%s", r.problem);
	validate_result_free(&r);
	snprintf(copy, sizeof copy, "%s.copy", path);
	churn_copy(copy);
	ck_assert_int_eq(sqlite3_open(copy, &db), SQLITE_OK);
	key = churn_int(db, br->key);
	seq = churn_int(db, br->seq);
	exec_ok(db, br->sql);
	ck_assert_int_ge(sqlite3_changes(db), 1);
	sqlite3_close(db);
	churn_validate(copy, model, &r);
	ck_assert_int_eq(r.rows_ok, 0);
	snprintf(want, sizeof want, "w0: %s", br->kind);
	ck_assert_msg(strstr(r.problem, want) == r.problem, "%s: %s", want,
	    r.problem);
	snprintf(want, sizeof want, "key %d", (int)key);
	ck_assert_msg(strstr(r.problem, want) != NULL, "%s: %s", want,
	    r.problem);
	snprintf(want, sizeof want, "seq %d", (int)seq);
	ck_assert_msg(strstr(r.problem, want) != NULL, "%s: %s", want,
	    r.problem);
	validate_result_free(&r);
	workload_churn.model_free(model);
}
END_TEST

static Suite *
workload_suite(void)
{
	Suite *s = suite_create("workload");
	TCase *tc;

	tc = tcase_create("table");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_workload_find);
	tcase_add_test(tc, test_workload_for_config);
	suite_add_tcase(s, tc);
	tc = tcase_create("append");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_workload_append_resume);
	tcase_add_test(tc, test_workload_append_no_duplicate);
	tcase_add_test(tc, test_workload_append_check_and_drop);
	tcase_add_test(tc, test_workload_append_columns);
	tcase_add_test(tc, test_workload_append_stats);
	suite_add_tcase(s, tc);
	tc = tcase_create("churn");
	tcase_add_checked_fixture(tc, setup_churn, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_workload_churn_ops_pure);
	tcase_add_test(tc, test_workload_churn_spec);
	tcase_add_test(tc, test_workload_churn_model_equals_sql);
	tcase_add_loop_test(tc, test_workload_churn_kinds, 0,
	    (int)(sizeof churn_breaks / sizeof churn_breaks[0]));
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(workload_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
