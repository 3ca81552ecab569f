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

#include <sqlite3.h>

#include "config.h"
#include "store.h"
#include "util.h"
#include "validate.h"
#include "wire.h"
#include "workload.h"

static char tmpdir[PATH_MAX];
static char path[PATH_MAX];
static struct config cfg;

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
	ck_assert_int_eq(store_prepare(&cfg, &workload_append, path, 0, NULL,
	    0, err, sizeof err), STORE_OK);
	step_errors = 0;
}

static void
teardown(void)
{
	util_rmtree(tmpdir);
	config_free(&cfg);
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
	w->state = workload_append.open(&w->c, &code);
	ck_assert_ptr_nonnull(w->state);
}

static void
wclose(struct wconn *w)
{
	workload_append.close(w->state);
	sqlite3_close(w->db);
}

/* Seqs first..last in one transaction, as the worker runs them. */
static void
wtxn(struct wconn *w, uint64_t first, uint64_t last, const char *end)
{
	uint64_t s;

	exec_ok(w->db, "BEGIN IMMEDIATE");
	for (s = first; s <= last; s++)
		ck_assert_int_eq(workload_append.write_seq(w->state, s), 0);
	exec_ok(w->db, end);
}

static uint64_t
wresume(struct wconn *w)
{
	uint64_t seq = 99;

	ck_assert_int_eq(workload_append.resume(w->state, &seq), SQLITE_OK);
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
	ck_assert_ptr_null(workload_find("churn"));
	ck_assert_str_eq(workload_names(", ", names, sizeof names), "append");
	/* Truncated, never unterminated. */
	ck_assert_str_eq(workload_names(", ", names, 4), "app");
	ck_assert_str_eq(workload_append.name, "append");
	/* config's list of names is the table's, row for row. */
	ck_assert_str_eq(workload_name_list[0], "append");
	ck_assert_ptr_null(workload_name_list[1]);
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
	ck_assert_int_eq(validate_file(path, &workload_append, 4, &r, err,
	    sizeof err, NULL), 0);
	ck_assert_int_eq(r.rows_ok, 1);
	ck_assert_uint_eq(r.rows, 14);
	ck_assert_uint_eq(r.k[0], 10);
	ck_assert_uint_eq(r.k[3], 4);
	validate_result_free(&r);
	exec_ok(a.db, "BEGIN IMMEDIATE");
	ck_assert_int_eq(workload_append.drop(a.state, 5), 0);
	exec_ok(a.db, "COMMIT");
	ck_assert_int_eq(validate_file(path, &workload_append, 4, &r, err,
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
