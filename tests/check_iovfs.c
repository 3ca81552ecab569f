/* SPDX-License-Identifier: MIT */
/*
 * check_iovfs: the VFS shim passes a database through unchanged, counts
 * the calls on the database, its journal and its WAL (and none on other
 * files), lets a fault hook fail a write, a sync or an open with the
 * code it names and cut a write short, tells the recorder of every call
 * that ran (and of none that a fault stopped), and says which sync also
 * syncs the directory.  Each test runs in its own forked process (Check's
 * default), so every registration starts fresh.  Files live in a mkdtemp
 * directory under $TMPDIR.
 */
#include "autoconf.h"

#include <check.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "iovfs.h"
#include "util.h"

static char tmpdir[PATH_MAX];
static char dbpath[PATH_MAX + 16];

static void
setup(void)
{
	const char *base = getenv("TMPDIR");

	if (base == NULL || *base == '\0')
		base = "/tmp";
	snprintf(tmpdir, sizeof tmpdir, "%s/check_iovfs.XXXXXX", base);
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	snprintf(dbpath, sizeof dbpath, "%s/t.db", tmpdir);
}

static void
teardown(void)
{
	util_rmtree(tmpdir);
}

/* What the test hooks saw and are told to do. */
static struct {
	int      fail_op;        /* an enum iovfs_op to fail, or -1 */
	int      fail_file;      /* on this file, or -1: any */
	int      fail_code;
	int      short_n;        /* > 0: a short write of this many bytes */
	int      fired;
	int      before[IOVFS_NOP], after[IOVFS_NOP];
	int      dirsyncs, created;
	int      last_rc;
} t;

static int
t_fault(void *arg, struct iovfs_event *ev)
{
	(void)arg;
	if ((int)ev->op != t.fail_op || t.fired ||
	    (t.fail_file >= 0 && (int)ev->file != t.fail_file))
		return SQLITE_OK;
	t.fired = 1;
	if (t.short_n > 0 && ev->op == IOVFS_WRITE)
		ev->n = t.short_n;
	return t.fail_code;
}

static void
t_before(void *arg, const struct iovfs_event *ev)
{
	(void)arg;
	t.before[ev->op]++;
	if (ev->op == IOVFS_SYNC && (ev->flags & IOVFS_SYNC_DIR))
		t.dirsyncs++;
}

static void
t_after(void *arg, const struct iovfs_event *ev, int rc)
{
	(void)arg;
	t.after[ev->op]++;
	t.last_rc = rc;
	if (ev->op == IOVFS_OPEN && ev->created)
		t.created++;
}

static const struct iovfs_hooks t_hooks = {
	NULL, t_fault, t_before, t_after
};

static sqlite3 *
open_db(const char *journal)
{
	char err[256], sql[64];
	sqlite3 *db = NULL;

	memset(&t, 0, sizeof t);
	t.fail_op = -1;
	t.fail_file = -1;
	ck_assert_int_eq(iovfs_register(NULL, dbpath, err, sizeof err), 0);
	ck_assert(iovfs_registered());
	iovfs_set_hooks(IOVFS_HOOK_FAULT, &t_hooks);
	ck_assert_int_eq(sqlite3_open_v2(dbpath, &db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE, NULL), SQLITE_OK);
	sqlite3_extended_result_codes(db, 1);
	snprintf(sql, sizeof sql, "PRAGMA journal_mode=%s", journal);
	ck_assert_int_eq(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(db, "PRAGMA synchronous=FULL;"
	    "CREATE TABLE k(a INTEGER PRIMARY KEY, b BLOB)", NULL, NULL, NULL),
	    SQLITE_OK);
	return db;
}

static int
insert(sqlite3 *db)
{
	return sqlite3_exec(db, "INSERT INTO k(b) VALUES (randomblob(3000))",
	    NULL, NULL, NULL);
}

static long
count_rows(sqlite3 *db)
{
	sqlite3_stmt *st;
	long n = -1;

	ck_assert_int_eq(sqlite3_prepare_v2(db, "SELECT count(*) FROM k", -1,
	    &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

static void
integrity_ok(sqlite3 *db)
{
	sqlite3_stmt *st;

	ck_assert_int_eq(sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1,
	    &st, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	ck_assert_str_eq((const char *)sqlite3_column_text(st, 0), "ok");
	sqlite3_finalize(st);
}

START_TEST(test_iovfs_counts_and_passes_through)
{
	uint64_t c[IOVFS_NFILE][IOVFS_NOP];
	sqlite3 *db = open_db("wal"), *other = NULL;
	char path[PATH_MAX + 32];
	uint64_t j0;
	int i;

	iovfs_counts(c);
	j0 = c[IOVFS_JOURNAL][IOVFS_WRITE];
	for (i = 0; i < 20; i++)
		ck_assert_int_eq(insert(db), SQLITE_OK);
	iovfs_counts(c);
	ck_assert_uint_ge(c[IOVFS_DB][IOVFS_OPEN], 1);
	ck_assert_uint_ge(c[IOVFS_WAL][IOVFS_OPEN], 1);
	ck_assert_uint_ge(c[IOVFS_WAL][IOVFS_WRITE], 20);
	ck_assert_uint_ge(c[IOVFS_WAL][IOVFS_SYNC], 20);
	/* In WAL mode the inserts write no rollback journal. */
	ck_assert_uint_eq(c[IOVFS_JOURNAL][IOVFS_WRITE], j0);
	/* Another database through the shim: passed through, not counted. */
	snprintf(path, sizeof path, "%s/other.db", tmpdir);
	ck_assert_int_eq(sqlite3_open(path, &other), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(other, "CREATE TABLE x(a)", NULL, NULL,
	    NULL), SQLITE_OK);
	sqlite3_close(other);
	{
		uint64_t d[IOVFS_NFILE][IOVFS_NOP];

		iovfs_counts(d);
		ck_assert_uint_eq(d[IOVFS_DB][IOVFS_OPEN],
		    c[IOVFS_DB][IOVFS_OPEN]);
		ck_assert_uint_eq(d[IOVFS_DB][IOVFS_WRITE],
		    c[IOVFS_DB][IOVFS_WRITE]);
	}
	ck_assert_int_eq(count_rows(db), 20);
	integrity_ok(db);
	/*
	 * The journal (of the switch to WAL) and the WAL were each synced
	 * with their directory once, at their first sync.
	 */
	ck_assert_int_eq(t.dirsyncs, 2);
	ck_assert_int_eq(t.before[IOVFS_WRITE], t.after[IOVFS_WRITE]);
	sqlite3_close(db);
}
END_TEST

/* A failed write in each journal mode: the code surfaces, nothing lost. */
static void
write_fails(const char *journal, int file)
{
	sqlite3 *db = open_db(journal);
	int before;

	ck_assert_int_eq(insert(db), SQLITE_OK);
	before = t.before[IOVFS_WRITE];
	t.fail_op = IOVFS_WRITE;
	t.fail_file = file;
	t.fail_code = SQLITE_IOERR_WRITE;
	ck_assert_int_eq(insert(db), SQLITE_IOERR_WRITE);
	ck_assert_int_eq(t.fired, 1);
	/* The failed write never reached the recorder. */
	ck_assert_int_ge(t.before[IOVFS_WRITE], before);
	ck_assert_int_eq(count_rows(db), 1);
	ck_assert_int_eq(insert(db), SQLITE_OK);
	ck_assert_int_eq(count_rows(db), 2);
	integrity_ok(db);
	sqlite3_close(db);
}

START_TEST(test_iovfs_write_fault_wal)
{
	write_fails("wal", IOVFS_WAL);
}
END_TEST

START_TEST(test_iovfs_write_fault_delete)
{
	write_fails("delete", IOVFS_DB);
}
END_TEST

START_TEST(test_iovfs_sync_fault)
{
	sqlite3 *db = open_db("delete");

	t.fail_op = IOVFS_SYNC;
	t.fail_code = SQLITE_IOERR_FSYNC;
	ck_assert_int_eq(insert(db), SQLITE_IOERR_FSYNC);
	ck_assert_int_eq(t.fired, 1);
	ck_assert_int_eq(count_rows(db), 0);
	ck_assert_int_eq(insert(db), SQLITE_OK);
	integrity_ok(db);
	sqlite3_close(db);
}
END_TEST

START_TEST(test_iovfs_short_write)
{
	sqlite3 *db = open_db("wal");

	t.fail_op = IOVFS_WRITE;
	t.fail_file = IOVFS_WAL;
	t.fail_code = SQLITE_FULL;
	t.short_n = 100;
	ck_assert_int_eq(insert(db), SQLITE_FULL);
	ck_assert_int_eq(t.fired, 1);
	/* The recorder saw the 100 bytes that were written, and the code. */
	ck_assert_int_ge(t.after[IOVFS_WRITE], 1);
	ck_assert_int_eq(count_rows(db), 0);
	ck_assert_int_eq(insert(db), SQLITE_OK);
	ck_assert_int_eq(count_rows(db), 1);
	integrity_ok(db);
	sqlite3_close(db);
}
END_TEST

START_TEST(test_iovfs_open_fault)
{
	char err[256];
	sqlite3 *db = NULL;

	memset(&t, 0, sizeof t);
	t.fail_op = IOVFS_OPEN;
	t.fail_file = -1;
	t.fail_code = SQLITE_CANTOPEN;
	ck_assert_int_eq(iovfs_register(NULL, dbpath, err, sizeof err), 0);
	iovfs_set_hooks(IOVFS_HOOK_FAULT, &t_hooks);
	ck_assert_int_ne(sqlite3_open_v2(dbpath, &db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE, NULL), SQLITE_OK);
	sqlite3_close(db);
	ck_assert_int_eq(t.fired, 1);
	/* Once the fault is spent, the open works and creates the file. */
	ck_assert_int_eq(sqlite3_open_v2(dbpath, &db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(db, "CREATE TABLE k(a)", NULL, NULL,
	    NULL), SQLITE_OK);
	/* The database, and the journal of the CREATE TABLE. */
	ck_assert_int_eq(t.created, 2);
	sqlite3_close(db);
}
END_TEST

START_TEST(test_iovfs_bad_base)
{
	char err[256];

	ck_assert_int_eq(iovfs_register("no-such-vfs", dbpath, err,
	    sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "no-such-vfs"));
	ck_assert(!iovfs_registered());
	ck_assert_int_eq(iovfs_op_from_name("sync"), IOVFS_SYNC);
	ck_assert_int_eq(iovfs_op_from_name("nosuch"), -1);
	ck_assert_str_eq(iovfs_file_name(IOVFS_WAL), "wal");
}
END_TEST

Suite *iovfs_suite(void);

Suite *
iovfs_suite(void)
{
	Suite *s = suite_create("iovfs");
	TCase *tc = tcase_create("shim");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_iovfs_counts_and_passes_through);
	tcase_add_test(tc, test_iovfs_write_fault_wal);
	tcase_add_test(tc, test_iovfs_write_fault_delete);
	tcase_add_test(tc, test_iovfs_sync_fault);
	tcase_add_test(tc, test_iovfs_short_write);
	tcase_add_test(tc, test_iovfs_open_fault);
	tcase_add_test(tc, test_iovfs_bad_base);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(iovfs_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
