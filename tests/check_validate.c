/* SPDX-License-Identifier: MIT */
/*
 * check_validate: validate_file() with the append workload on databases
 * built here with known rows (good, a gap, a duplicate refused by the key,
 * an unknown worker, columns off the key, empty, not a database,
 * corrupted), validate_backup() copies (round trip, consistency under
 * an open write transaction, giving up on a locked source), and the
 * --populate fill table (populate.c: sizes, values, growing a file, and
 * the check naming a changed byte, a deleted row, an extra row, full and
 * quick).  Every file
 * lives in a fresh mkdtemp directory under $TMPDIR.
 */
#include "autoconf.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "populate.h"
#include "util.h"
#include "validate.h"
#include "workload.h"

/* The append workload's table: key = worker * 2^40 + seq. */
#define TABLE "sqlstorm_rows"
#define SCHEMA \
	"CREATE TABLE " TABLE "(id INTEGER PRIMARY KEY," \
	" worker INTEGER NOT NULL, seq INTEGER NOT NULL," \
	" payload BLOB NOT NULL, t INTEGER NOT NULL);"
#define INDEX "CREATE INDEX sqlstorm_rows_ws ON " TABLE "(worker, seq)"
#define KEY(w, s) (((int64_t)(w) << 40) + (s))

static char tmpdir[PATH_MAX];

static void
setup(void)
{
	const char *base = getenv("TMPDIR");

	if (base == NULL || *base == '\0')
		base = "/tmp";
	snprintf(tmpdir, sizeof tmpdir, "%s/check_validate.XXXXXX", base);
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void
teardown(void)
{
	util_rmtree(tmpdir);
}

/* tmpdir/name into buf. */
static const char *
tpath(char *buf, size_t cap, const char *name)
{
	if (snprintf(buf, cap, "%s/%s", tmpdir, name) >= (int)cap)
		ck_abort_msg("path too long: %s/%s", tmpdir, name);
	return buf;
}

static void
exec_ok(sqlite3 *db, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
		ck_abort_msg("%s: %s", sql, msg);
}

/* A new database at path with the schema, in the given journal mode. */
static sqlite3 *
db_create(const char *path, const char *journal)
{
	sqlite3 *db = NULL;
	char sql[64];

	ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
	snprintf(sql, sizeof sql, "PRAGMA journal_mode=%s", journal);
	exec_ok(db, sql);
	exec_ok(db, SCHEMA);
	return db;
}

/* Insert (worker, seq) as the workload does; returns the step's code. */
static int
db_try_insert(sqlite3 *db, int64_t worker, int64_t seq)
{
	static const unsigned char payload[64] = { 0x5a };
	sqlite3_stmt *st = NULL;
	int rc;

	ck_assert_int_eq(sqlite3_prepare_v2(db, "INSERT INTO " TABLE
	    " VALUES(?, ?, ?, ?, 0)", -1, &st, NULL), SQLITE_OK);
	sqlite3_bind_int64(st, 1, KEY(worker, seq));
	sqlite3_bind_int64(st, 2, worker);
	sqlite3_bind_int64(st, 3, seq);
	sqlite3_bind_blob(st, 4, payload, sizeof payload, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc;
}

static void
db_insert(sqlite3 *db, int64_t worker, int64_t seq)
{
	ck_assert_int_eq(db_try_insert(db, worker, seq), SQLITE_DONE);
}

/* Rows first..last of worker, in one transaction. */
static void
db_fill(sqlite3 *db, int64_t worker, int64_t first, int64_t last)
{
	int64_t s;

	exec_ok(db, "BEGIN");
	for (s = first; s <= last; s++)
		db_insert(db, worker, s);
	exec_ok(db, "COMMIT");
}

/* validate_file() that must succeed. */
static void
check_ok(const char *path, int nworkers, struct validate_result *r)
{
	char err[512] = "";
	int code = -1;

	if (validate_file(path, &workload_append, NULL, nworkers, r, err,
	    sizeof err, &code) != 0)
		ck_abort_msg("validate_file(%s): %s", path, err);
	ck_assert_int_eq(code, SQLITE_OK);
	ck_assert_int_eq(r->nworkers, nworkers);
}

/* ------------------------------------------------------------ rows */

START_TEST(test_validate_good)
{
	struct validate_result r;
	char path[PATH_MAX];
	sqlite3 *db = db_create(tpath(path, sizeof path, "good.db"), "wal");

	db_fill(db, 0, 1, 120);
	db_fill(db, 2, 1, 7);
	db_fill(db, 1, 1, 1);
	sqlite3_close(db);
	check_ok(path, 4, &r);
	ck_assert_int_eq(r.integrity_ok, 1);
	ck_assert_int_eq(r.rows_ok, 1);
	ck_assert_uint_eq(r.rows, 128);
	ck_assert_uint_eq(r.k[0], 120);
	ck_assert_uint_eq(r.k[1], 1);
	ck_assert_uint_eq(r.k[2], 7);
	ck_assert_uint_eq(r.k[3], 0);
	ck_assert_str_eq(r.problem, "");
	validate_result_free(&r);
	ck_assert_ptr_null(r.k);
}
END_TEST

START_TEST(test_validate_gap)
{
	struct validate_result r;
	char path[PATH_MAX];
	sqlite3 *db = db_create(tpath(path, sizeof path, "gap.db"), "delete");

	db_fill(db, 0, 1, 2);
	db_fill(db, 0, 4, 5);
	db_fill(db, 1, 1, 9);
	sqlite3_close(db);
	check_ok(path, 2, &r);
	ck_assert_int_eq(r.integrity_ok, 1);
	ck_assert_int_eq(r.rows_ok, 0);
	ck_assert_uint_eq(r.rows, 13);
	ck_assert_uint_eq(r.k[0], 2);
	ck_assert_uint_eq(r.k[1], 9);
	ck_assert_str_eq(r.problem, "w0: seq 3 missing (holds 1..2 and 4..5)");
	validate_result_free(&r);
}
END_TEST

/* Acknowledged rows missing past a broken prefix, counted exactly. */
START_TEST(test_validate_count_seqs)
{
	char path[PATH_MAX], err[256];
	uint64_t n = 99;
	sqlite3 *db = db_create(tpath(path, sizeof path, "count.db"), "wal");

	db_fill(db, 0, 1, 49);
	db_fill(db, 0, 51, 210);        /* 50 deleted; 201..210 not acked */
	db_fill(db, 1, 1, 10);
	sqlite3_close(db);
	ck_assert_int_eq(validate_count_seqs(path, &workload_append, 0, 50,
	    200, &n, err, sizeof err), 0);
	ck_assert_uint_eq(n, 150);      /* 200 - 50 + 1 held would be 151 */
	ck_assert_int_eq(validate_count_seqs(path, &workload_append, 0, 1,
	    210, &n, err, sizeof err), 0);
	ck_assert_uint_eq(n, 209);
	ck_assert_int_eq(validate_count_seqs(path, &workload_append, 1, 11,
	    20, &n, err, sizeof err), 0);
	ck_assert_uint_eq(n, 0);
	ck_assert_int_eq(validate_count_seqs(path, &workload_append, 0, 5,
	    4, &n, err, sizeof err), 0);
	ck_assert_uint_eq(n, 0);
	tpath(path, sizeof path, "no-such.db");
	ck_assert_int_eq(validate_count_seqs(path, &workload_append, 0, 1,
	    2, &n, err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "no-such.db"));
}
END_TEST

/*
 * The key is the truth: seq 3 rewritten as 3.5, or worker 1 as 1.5, in
 * the columns leaves the key range whole, but the rows are not ok.
 */
START_TEST(test_validate_non_integer_seq)
{
	struct validate_result r;
	char path[PATH_MAX];
	sqlite3 *db = db_create(tpath(path, sizeof path, "real.db"), "delete");

	db_fill(db, 0, 1, 5);
	exec_ok(db, "UPDATE " TABLE " SET seq = 3.5 WHERE seq = 3");
	db_fill(db, 1, 1, 4);
	exec_ok(db, "UPDATE " TABLE " SET worker = 1.5 WHERE "
	    "worker = 1 AND seq = 4");
	sqlite3_close(db);
	check_ok(path, 2, &r);
	ck_assert_int_eq(r.rows_ok, 0);
	ck_assert_uint_eq(r.k[0], 5);
	ck_assert_uint_eq(r.k[1], 4);
	ck_assert_str_eq(r.problem, "w0: 1 rows whose worker or seq column"
	    " does not match the key");
	validate_result_free(&r);
}
END_TEST

START_TEST(test_validate_gap_at_start)
{
	struct validate_result r;
	char path[PATH_MAX];
	sqlite3 *db = db_create(tpath(path, sizeof path, "start.db"), "delete");

	db_fill(db, 0, 3, 4);
	db_fill(db, 0, 7, 7);
	sqlite3_close(db);
	check_ok(path, 1, &r);
	ck_assert_int_eq(r.rows_ok, 0);
	ck_assert_uint_eq(r.k[0], 0);
	ck_assert_str_eq(r.problem, "w0: seq 1 missing (holds 3 rows in 3..7)");
	validate_result_free(&r);
}
END_TEST

/* A duplicate is impossible by construction: the key refuses it. */
START_TEST(test_validate_duplicate)
{
	struct validate_result r;
	char path[PATH_MAX];
	sqlite3 *db = db_create(tpath(path, sizeof path, "dup.db"), "delete");

	db_fill(db, 0, 1, 4);
	db_fill(db, 1, 1, 3);
	ck_assert_int_eq(db_try_insert(db, 1, 2), SQLITE_CONSTRAINT);
	ck_assert_int_eq(sqlite3_extended_errcode(db),
	    SQLITE_CONSTRAINT_PRIMARYKEY);
	sqlite3_close(db);
	check_ok(path, 2, &r);
	ck_assert_int_eq(r.integrity_ok, 1);
	ck_assert_int_eq(r.rows_ok, 1);
	ck_assert_uint_eq(r.rows, 7);
	ck_assert_uint_eq(r.k[0], 4);
	ck_assert_uint_eq(r.k[1], 3);
	validate_result_free(&r);
}
END_TEST

/* A key below every worker's range names no worker but still fails. */
START_TEST(test_validate_negative_key)
{
	struct validate_result r;
	char path[PATH_MAX];
	sqlite3 *db = db_create(tpath(path, sizeof path, "neg.db"), "delete");

	db_fill(db, 0, 1, 3);
	exec_ok(db, "INSERT INTO " TABLE " VALUES(-7, 0, 1, x'', 0)");
	sqlite3_close(db);
	check_ok(path, 1, &r);
	ck_assert_int_eq(r.rows_ok, 0);
	ck_assert_uint_eq(r.rows, 4);
	ck_assert_uint_eq(r.k[0], 3);
	ck_assert_str_eq(r.problem, "a row whose key -7 belongs to no worker");
	validate_result_free(&r);
}
END_TEST

/* Seq 0 sits in the worker's range but was never written. */
START_TEST(test_validate_seq_zero)
{
	struct validate_result r;
	char path[PATH_MAX];
	sqlite3 *db = db_create(tpath(path, sizeof path, "zero.db"), "delete");

	db_fill(db, 1, 0, 3);
	sqlite3_close(db);
	check_ok(path, 2, &r);
	ck_assert_int_eq(r.rows_ok, 0);
	ck_assert_uint_eq(r.k[1], 3);
	ck_assert_str_eq(r.problem, "w1: unexpected seq 0");
	validate_result_free(&r);
}
END_TEST

START_TEST(test_validate_unknown_worker)
{
	struct validate_result r;
	char path[PATH_MAX];
	sqlite3 *db = db_create(tpath(path, sizeof path, "unk.db"), "delete");

	db_fill(db, 0, 1, 3);
	db_fill(db, 9, 1, 2);
	sqlite3_close(db);
	check_ok(path, 2, &r);
	ck_assert_int_eq(r.rows_ok, 0);
	ck_assert_uint_eq(r.k[0], 3);
	ck_assert_uint_eq(r.k[1], 0);
	ck_assert_str_eq(r.problem, "rows of unknown worker 9");
	validate_result_free(&r);
}
END_TEST

START_TEST(test_validate_first_problem_wins)
{
	struct validate_result r;
	char path[PATH_MAX];
	sqlite3 *db = db_create(tpath(path, sizeof path, "two.db"), "delete");

	db_fill(db, 0, 1, 3);
	db_fill(db, 0, 5, 5);
	db_fill(db, 1, 2, 3);
	sqlite3_close(db);
	check_ok(path, 2, &r);
	ck_assert_int_eq(r.rows_ok, 0);
	ck_assert_uint_eq(r.k[0], 3);
	ck_assert_uint_eq(r.k[1], 0);
	ck_assert_str_eq(r.problem, "w0: seq 4 missing (holds 1..3 and 5..5)");
	validate_result_free(&r);
}
END_TEST

START_TEST(test_validate_empty)
{
	struct validate_result r;
	char path[PATH_MAX];
	sqlite3 *db = db_create(tpath(path, sizeof path, "empty.db"), "wal");

	sqlite3_close(db);
	check_ok(path, 3, &r);
	ck_assert_int_eq(r.integrity_ok, 1);
	ck_assert_int_eq(r.rows_ok, 1);
	ck_assert_uint_eq(r.rows, 0);
	ck_assert_uint_eq(r.k[0], 0);
	ck_assert_uint_eq(r.k[1], 0);
	ck_assert_uint_eq(r.k[2], 0);
	ck_assert_str_eq(r.problem, "");
	validate_result_free(&r);
}
END_TEST

/* ------------------------------------------------------------ files */

/* validate_file() that must fail; returns the code. */
static int
check_fails(const char *path, char *err, size_t errlen)
{
	struct validate_result r;
	int code = 0;

	ck_assert_int_eq(validate_file(path, &workload_append, NULL, 2, &r, err,
	    errlen, &code), -1);
	ck_assert_ptr_null(r.k);
	ck_assert_ptr_nonnull(strstr(err, path));
	ck_assert_ptr_null(strchr(err, '\n'));
	return code;
}

START_TEST(test_validate_notadb)
{
	char path[PATH_MAX], err[512];
	FILE *fp = fopen(tpath(path, sizeof path, "text.db"), "w");
	int i;

	ck_assert_ptr_nonnull(fp);
	for (i = 0; i < 200; i++)
		fputs("this is not a database, only some text\n", fp);
	fclose(fp);
	ck_assert_int_eq(check_fails(path, err, sizeof err) & 0xff,
	    SQLITE_NOTADB);
	ck_assert_ptr_nonnull(strstr(err, "not a database"));
}
END_TEST

START_TEST(test_validate_missing_file)
{
	char path[PATH_MAX], err[512];

	tpath(path, sizeof path, "absent.db");
	ck_assert_int_eq(check_fails(path, err, sizeof err) & 0xff,
	    SQLITE_CANTOPEN);
	/* Read-only validation must never create the file. */
	ck_assert_int_eq(access(path, F_OK), -1);
}
END_TEST

START_TEST(test_validate_missing_table)
{
	char path[PATH_MAX], err[512];
	sqlite3 *db = NULL;

	ck_assert_int_eq(sqlite3_open(tpath(path, sizeof path, "other.db"),
	    &db), SQLITE_OK);
	exec_ok(db, "CREATE TABLE other(x)");
	sqlite3_close(db);
	ck_assert_int_eq(check_fails(path, err, sizeof err) & 0xff,
	    SQLITE_ERROR);
	ck_assert_ptr_nonnull(strstr(err, "no such table"));
}
END_TEST

/*
 * Overwrite page pgno (1-based; 0 = the middle one) of the 4096-byte-page
 * file at path with junk.
 */
static void
corrupt_page(const char *path, off_t pgno)
{
	unsigned char junk[4096];
	struct stat st;
	off_t pages;
	int fd;
	size_t i;

	for (i = 0; i < sizeof junk; i++)
		junk[i] = (unsigned char)(i * 37 + 11);
	ck_assert_int_eq(stat(path, &st), 0);
	pages = st.st_size / (off_t)sizeof junk;
	ck_assert_int_ge(pages, 8);
	if (pgno == 0)
		pgno = pages / 2;
	fd = open(path, O_WRONLY);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(pwrite(fd, junk, sizeof junk,
	    (pgno - 1) * (off_t)sizeof junk), (ssize_t)sizeof junk);
	close(fd);
}

/* A two-worker database of about 90 pages of 4096 bytes. */
static void
db_big_with(const char *path, int with_index)
{
	sqlite3 *db = db_create(path, "delete");

	exec_ok(db, "PRAGMA page_size=4096; VACUUM");
	if (with_index)
		exec_ok(db, INDEX);
	db_fill(db, 0, 1, 2000);
	db_fill(db, 1, 1, 2000);
	sqlite3_close(db);
}

static void
db_big(const char *path)
{
	db_big_with(path, 0);
}

/* The same, with an index beside the table (as older versions had). */
static void
db_big_index(const char *path)
{
	db_big_with(path, 1);
}

/* The root page of the table or index called name. */
static off_t
root_page(const char *path, const char *name)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	off_t pgno;

	ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(db, "SELECT rootpage FROM"
	    " sqlite_master WHERE name = ?", -1, &st, NULL), SQLITE_OK);
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	pgno = (off_t)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	ck_assert_int_gt(pgno, 1);
	return pgno;
}

START_TEST(test_validate_corrupt)
{
	struct validate_result r;
	char path[PATH_MAX], err[512] = "";
	int code = -1;

	db_big(tpath(path, sizeof path, "bad.db"));
	corrupt_page(path, 0);
	ck_assert_int_eq(validate_file(path, &workload_append, NULL, 2, &r, err,
	    sizeof err, &code), 0);
	ck_assert_int_eq(r.integrity_ok, 0);
	/* The first finding, not the "*** in database main ***" banner. */
	ck_assert_msg(strncmp(r.problem, "integrity_check: Page ", 22) == 0,
	    "problem: %s", r.problem);
	ck_assert_ptr_null(strchr(r.problem, '\n'));
	validate_result_free(&r);
}
END_TEST

START_TEST(test_validate_index_mismatch)
{
	struct validate_result r;
	char path[PATH_MAX];
	sqlite3 *db = db_create(tpath(path, sizeof path, "index.db"), "delete");

	/* append needs no index; a user's (or an old) one is checked too. */
	exec_ok(db, INDEX);
	db_fill(db, 0, 1, 30);
	/*
	 * Claim the index holds (worker, t): every b-tree is sound, but
	 * integrity_check finds no row where the index should have it.
	 */
	exec_ok(db, "PRAGMA writable_schema=ON; UPDATE sqlite_master SET sql ="
	    " 'CREATE INDEX sqlstorm_rows_ws ON sqlstorm_rows(worker, t)'"
	    " WHERE name = 'sqlstorm_rows_ws'");
	sqlite3_close(db);
	check_ok(path, 1, &r);
	ck_assert_int_eq(r.integrity_ok, 0);
	ck_assert_str_eq(r.problem,
	    "integrity_check: row 1 missing from index sqlstorm_rows_ws");
	ck_assert_int_eq(r.rows_ok, 1);
	ck_assert_uint_eq(r.rows, 30);
	ck_assert_uint_eq(r.k[0], 30);
	validate_result_free(&r);
}
END_TEST

START_TEST(test_validate_corrupt_table_only)
{
	struct validate_result r;
	char path[PATH_MAX], err[512] = "";

	/*
	 * The counts read only the table's one B-tree, so a broken index
	 * beside it is seen by integrity_check alone, and the rows still add
	 * up.
	 */
	db_big_index(tpath(path, sizeof path, "table.db"));
	corrupt_page(path, root_page(path, "sqlstorm_rows_ws"));
	ck_assert_int_eq(validate_file(path, &workload_append, NULL, 2, &r, err,
	    sizeof err, NULL), 0);
	ck_assert_int_eq(r.integrity_ok, 0);
	ck_assert_int_eq(r.rows_ok, 1);
	ck_assert_uint_eq(r.rows, 4000);
	ck_assert_uint_eq(r.k[1], 2000);
	ck_assert_msg(strncmp(r.problem, "integrity_check: ", 17) == 0,
	    "problem: %s", r.problem);
	validate_result_free(&r);
}
END_TEST

START_TEST(test_validate_corrupt_root)
{
	struct validate_result r;
	char path[PATH_MAX], err[512] = "";
	int code = -1;

	/*
	 * count(*) and the per-worker range counts read the table's B-tree:
	 * with its root page gone no row can be counted any more.
	 */
	db_big(tpath(path, sizeof path, "root.db"));
	corrupt_page(path, root_page(path, "sqlstorm_rows"));
	ck_assert_int_eq(validate_file(path, &workload_append, NULL, 2, &r, err,
	    sizeof err, &code), 0);
	ck_assert_int_eq(r.integrity_ok, 0);
	ck_assert_int_eq(r.rows_ok, 0);
	ck_assert_str_ne(r.problem, "");
	validate_result_free(&r);
}
END_TEST

/* ------------------------------------------------------------ backup */

START_TEST(test_validate_backup_roundtrip)
{
	struct validate_result a, b;
	char src[PATH_MAX], dst[PATH_MAX], err[512] = "";
	sqlite3 *db = db_create(tpath(src, sizeof src, "live.db"), "wal");
	int code = -1;

	db_fill(db, 0, 1, 300);
	db_fill(db, 1, 1, 2);
	db_fill(db, 1, 4, 4);
	tpath(dst, sizeof dst, "snap-1.db");
	if (validate_backup(src, dst, UTIL_NS_PER_S, NULL, NULL, err,
	    sizeof err, &code) != 0)
		ck_abort_msg("validate_backup: %s", err);
	ck_assert_int_eq(code, SQLITE_OK);
	sqlite3_close(db);
	check_ok(src, 2, &a);
	check_ok(dst, 2, &b);
	ck_assert_uint_eq(b.rows, a.rows);
	ck_assert_uint_eq(b.rows, 303);
	ck_assert_uint_eq(b.k[0], 300);
	ck_assert_uint_eq(b.k[1], 2);
	ck_assert_int_eq(b.rows_ok, 0);
	ck_assert_str_eq(b.problem, a.problem);
	/* The copy is one self-contained rollback-mode file. */
	tpath(src, sizeof src, "snap-1.db-wal");
	ck_assert_int_eq(access(src, F_OK), -1);
	validate_result_free(&a);
	validate_result_free(&b);
}
END_TEST

START_TEST(test_validate_backup_consistent)
{
	struct validate_result r;
	char src[PATH_MAX], dst[PATH_MAX], err[512] = "";
	sqlite3 *db = db_create(tpath(src, sizeof src, "live.db"), "wal");
	int i;

	db_fill(db, 0, 1, 50);
	/* An open write transaction: the copy must see none of it. */
	exec_ok(db, "BEGIN IMMEDIATE");
	for (i = 51; i <= 80; i++)
		db_insert(db, 0, i);
	tpath(dst, sizeof dst, "snap-2.db");
	if (validate_backup(src, dst, UTIL_NS_PER_S, NULL, NULL, err,
	    sizeof err, NULL) != 0)
		ck_abort_msg("validate_backup: %s", err);
	exec_ok(db, "COMMIT");
	sqlite3_close(db);
	check_ok(dst, 1, &r);
	ck_assert_int_eq(r.rows_ok, 1);
	ck_assert_uint_eq(r.rows, 50);
	ck_assert_uint_eq(r.k[0], 50);
	validate_result_free(&r);
}
END_TEST

static int give_up_calls;

static int
give_up_third(void *arg)
{
	(void)arg;
	return ++give_up_calls >= 3;
}

START_TEST(test_validate_backup_gives_up)
{
	char src[PATH_MAX], dst[PATH_MAX], err[512] = "";
	sqlite3 *db = db_create(tpath(src, sizeof src, "locked.db"), "delete");
	int code = 0;

	db_fill(db, 0, 1, 10);
	/* A rollback-mode writer past PENDING shuts every reader out. */
	exec_ok(db, "BEGIN EXCLUSIVE");
	db_insert(db, 0, 11);
	tpath(dst, sizeof dst, "snap-3.db");
	give_up_calls = 0;
	ck_assert_int_eq(validate_backup(src, dst, 3600 * UTIL_NS_PER_S,
	    give_up_third, NULL, err, sizeof err, &code), -1);
	ck_assert_int_eq(give_up_calls, 3);
	ck_assert_int_eq(code & 0xff, SQLITE_BUSY);
	ck_assert_ptr_nonnull(strstr(err, src));
	/* A failed copy leaves no file behind. */
	ck_assert_int_eq(access(dst, F_OK), -1);
	exec_ok(db, "ROLLBACK");
	sqlite3_close(db);
}
END_TEST

START_TEST(test_validate_backup_timeout)
{
	char src[PATH_MAX], dst[PATH_MAX], err[512] = "";
	sqlite3 *db = db_create(tpath(src, sizeof src, "locked.db"), "delete");
	int code = 0;

	db_fill(db, 0, 1, 10);
	exec_ok(db, "BEGIN EXCLUSIVE");
	db_insert(db, 0, 11);
	tpath(dst, sizeof dst, "snap-4.db");
	ck_assert_int_eq(validate_backup(src, dst, 50 * UTIL_NS_PER_MS, NULL,
	    NULL, err, sizeof err, &code), -1);
	ck_assert_int_eq(code & 0xff, SQLITE_BUSY);
	ck_assert_int_eq(access(dst, F_OK), -1);
	sqlite3_close(db);
}
END_TEST

START_TEST(test_validate_backup_bad_source)
{
	char src[PATH_MAX], dst[PATH_MAX], err[512] = "";
	int code = 0;

	tpath(src, sizeof src, "absent.db");
	tpath(dst, sizeof dst, "snap-5.db");
	ck_assert_int_eq(validate_backup(src, dst, UTIL_NS_PER_S, NULL, NULL,
	    err, sizeof err, &code), -1);
	ck_assert_int_eq(code & 0xff, SQLITE_CANTOPEN);
	ck_assert_ptr_nonnull(strstr(err, src));
	ck_assert_int_eq(access(src, F_OK), -1);
	ck_assert_int_eq(access(dst, F_OK), -1);
}
END_TEST

/* ------------------------------------------------------------ fill */

#define FILL_SEED UINT64_C(4242)

START_TEST(test_validate_fill_sizes)
{
	static const struct {
		const char *text;
		uint64_t    bytes;
		int         ok;
	} cases[] = {
		{ "0", 0, 1 }, { "0MiB", 0, 1 }, { "1KiB", 1024, 1 },
		{ "64MiB", UINT64_C(64) << 20, 1 },
		{ "1100MiB", UINT64_C(1100) << 20, 1 },
		{ "1gib", UINT64_C(1) << 30, 1 },
		{ "1024GiB", UINT64_C(1) << 40, 1 },
		{ "1025GiB", 0, 0 }, { "1048577MiB", 0, 0 }, { "64MB", 0, 0 },
		{ "64M", 0, 0 }, { "64", 0, 0 }, { "", 0, 0 }, { "-1MiB", 0, 0 },
		{ "+1MiB", 0, 0 }, { " 1MiB", 0, 0 }, { "1 MiB", 0, 0 },
		{ "1.5GiB", 0, 0 }, { "GiB", 0, 0 }, { "1MiBx", 0, 0 },
		{ "99999999999999999999999GiB", 0, 0 },
	};
	char err[256];
	uint64_t bytes;
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		err[0] = '\0';
		bytes = UINT64_MAX;
		ck_assert_msg((populate_size_parse(cases[i].text, &bytes, err,
		    sizeof err) == 0) == cases[i].ok, "'%s': %s",
		    cases[i].text, err);
		if (cases[i].ok)
			ck_assert_uint_eq(bytes, cases[i].bytes);
		else
			ck_assert_msg(strstr(err, "is not a size") != NULL &&
			    strchr(err, '\n') == NULL, "'%s': %s",
			    cases[i].text, err);
	}
	/* A decimal unit gets a hint towards the binary one. */
	ck_assert_int_eq(populate_size_parse("64MB", &bytes, err, sizeof err),
	    -1);
	ck_assert_ptr_nonnull(strstr(err, "KiB, MiB or GiB (powers of 1024)"));
}
END_TEST

START_TEST(test_validate_fill_values)
{
	unsigned char a[POPULATE_VALUE_BYTES], b[POPULATE_VALUE_BYTES];

	populate_value(FILL_SEED, 7, a, sizeof a);
	populate_value(FILL_SEED, 7, b, sizeof b);
	ck_assert_int_eq(memcmp(a, b, sizeof a), 0);
	populate_value(FILL_SEED, 8, b, sizeof b);
	ck_assert_int_ne(memcmp(a, b, sizeof a), 0);
	populate_value(FILL_SEED + 1, 7, b, sizeof b);
	ck_assert_int_ne(memcmp(a, b, sizeof a), 0);
	/* Written byte by byte from little-endian words: fixed forever. */
	populate_value(0, 1, a, 8);
	populate_value(0, 1, b, 16);
	ck_assert_int_eq(memcmp(a, b, 8), 0);
	populate_value(0, 1, a, 13);
	ck_assert_int_eq(memcmp(a, b, 13), 0);
	/* Pinned: a copy made by one build is checked by another. */
	ck_assert_int_eq(b[0], 0xc3);
	ck_assert_int_eq(b[7], 0x8e);
	ck_assert_int_eq(b[15], 0x1a);
}
END_TEST

/* An append database with the fill table grown to about target bytes. */
static uint64_t
fill_db(const char *path, uint64_t target, const char *journal)
{
	struct populate_stats st;
	char err[512] = "";
	sqlite3 *db = db_create(path, journal);

	db_fill(db, 0, 1, 3);
	sqlite3_close(db);
	if (populate_run(path, target, FILL_SEED, journal, &st, err,
	    sizeof err) != 0)
		ck_abort_msg("populate_run: %s", err);
	ck_assert_uint_ge(st.bytes, target);
	ck_assert_uint_ge(st.rows, 1);
	ck_assert_uint_eq(st.target, target);
	ck_assert_uint_le(st.added, st.bytes);
	return st.rows;
}

/* Check path with rows of fill; quick or full. */
static void
fill_check(const char *path, uint64_t rows, int quick,
    struct validate_result *r)
{
	struct validate_opts o;
	char err[512] = "";
	int code = -1;

	memset(&o, 0, sizeof o);
	o.wl = &workload_append;
	o.nworkers = 1;
	o.quick = quick;
	o.fill_rows = rows;
	o.fill_seed = FILL_SEED;
	o.sample_seed = 99;
	if (validate_file_opts(path, &o, r, err, sizeof err, &code) != 0)
		ck_abort_msg("validate_file_opts(%s): %s", path, err);
	ck_assert_int_eq(code, SQLITE_OK);
	ck_assert_int_eq(r->integrity_ok, 1);
}

static void
fill_exec(const char *path, const char *sql)
{
	sqlite3 *db = NULL;

	ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
	exec_ok(db, sql);
	sqlite3_close(db);
}

/* The fill is found wanting with this problem (a prefix), full or quick. */
static void
fill_fails(const char *path, uint64_t rows, int quick, const char *want)
{
	struct validate_result r;

	fill_check(path, rows, quick, &r);
	ck_assert_int_eq(r.fill_ok, 0);
	ck_assert_int_eq(r.rows_ok, 0);
	ck_assert_msg(strncmp(r.problem, want, strlen(want)) == 0,
	    "%s: problem '%s', wanted '%s...'", quick ? "quick" : "full",
	    r.problem, want);
	validate_result_free(&r);
}

START_TEST(test_validate_fill_good)
{
	struct validate_result r;
	char path[PATH_MAX], mode[16];
	uint64_t rows = fill_db(tpath(path, sizeof path, "fill.db"),
	    256 * 1024, "wal");
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	int quick;

	ck_assert_uint_ge(rows, 256 / 16);
	for (quick = 0; quick <= 1; quick++) {
		fill_check(path, rows, quick, &r);
		ck_assert_int_eq(r.fill_ok, 1);
		ck_assert_int_eq(r.rows_ok, 1);
		ck_assert_uint_eq(r.fill_rows, rows);
		ck_assert_str_eq(r.problem, "");
		validate_result_free(&r);
	}
	/* The configured journal mode is back on the file. */
	ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &st,
	    NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	util_strlcpy(mode, (const char *)sqlite3_column_text(st, 0),
	    sizeof mode);
	sqlite3_finalize(st);
	sqlite3_close(db);
	ck_assert_str_eq(mode, "wal");
}
END_TEST

/* A target below the file's size still writes one row, to be checked. */
START_TEST(test_validate_fill_tiny)
{
	char path[PATH_MAX];

	ck_assert_uint_eq(fill_db(tpath(path, sizeof path, "tiny.db"), 1024,
	    "delete"), 1);
}
END_TEST

/*
 * A file populated before (a --db kept across runs) is populated again
 * in full: the old table's freed pages do not count towards the size.
 */
START_TEST(test_validate_fill_again)
{
	struct populate_stats st;
	char path[PATH_MAX], err[512] = "";
	uint64_t rows = fill_db(tpath(path, sizeof path, "again.db"),
	    256 * 1024, "delete");

	ck_assert_int_eq(populate_run(path, 256 * 1024, FILL_SEED + 1,
	    "delete", &st, err, sizeof err), 0);
	ck_assert_uint_eq(st.rows, rows);
	ck_assert_uint_ge(st.added, 256 * 1024);
}
END_TEST

START_TEST(test_validate_fill_changed_byte)
{
	char path[PATH_MAX], sql[256];
	uint64_t rows = fill_db(tpath(path, sizeof path, "byte.db"),
	    128 * 1024, "delete");

	/* Byte 100 (offset 99) of row 5 flipped. */
	fill_exec(path, "UPDATE " POPULATE_TABLE " SET v = CAST(substr(v, 1, "
	    "99) || (CASE WHEN substr(v, 100, 1) = x'00' THEN x'01' ELSE "
	    "x'00' END) || substr(v, 101) AS BLOB) WHERE id = 5");
	fill_fails(path, rows, 0, "fill: row id 5 differs at byte 99 of 16384");
	/* Quick always reads the last row: a flip there is found. */
	rows = fill_db(tpath(path, sizeof path, "byte2.db"), 128 * 1024,
	    "wal");
	snprintf(sql, sizeof sql, "UPDATE " POPULATE_TABLE " SET v = "
	    "CAST(substr(v, 1, 16383) || (CASE WHEN substr(v, 16384, 1) = "
	    "x'00' THEN x'01' ELSE x'00' END) AS BLOB) WHERE id = %llu",
	    (unsigned long long)rows);
	fill_exec(path, sql);
	snprintf(sql, sizeof sql, "fill: row id %llu differs at byte 16383 "
	    "of 16384", (unsigned long long)rows);
	fill_fails(path, rows, 1, sql);
	fill_fails(path, rows, 0, sql);
}
END_TEST

START_TEST(test_validate_fill_deleted_row)
{
	char path[PATH_MAX];
	uint64_t rows = fill_db(tpath(path, sizeof path, "del.db"),
	    128 * 1024, "wal");

	fill_exec(path, "DELETE FROM " POPULATE_TABLE " WHERE id = 3");
	fill_fails(path, rows, 0, "fill: row id 3 is missing (populated 1..");
	fill_fails(path, rows, 1, "fill: row id 3 is missing (populated 1..");
}
END_TEST

START_TEST(test_validate_fill_last_row_deleted)
{
	char path[PATH_MAX], want[96];
	uint64_t rows = fill_db(tpath(path, sizeof path, "last.db"),
	    128 * 1024, "wal");

	fill_exec(path, "DELETE FROM " POPULATE_TABLE " WHERE id = (SELECT "
	    "max(id) FROM " POPULATE_TABLE ")");
	snprintf(want, sizeof want, "fill: row id %llu is missing",
	    (unsigned long long)rows);
	fill_fails(path, rows, 0, want);
	fill_fails(path, rows, 1, want);
}
END_TEST

START_TEST(test_validate_fill_extra_row)
{
	char path[PATH_MAX], sql[160], want[96];
	uint64_t rows = fill_db(tpath(path, sizeof path, "extra.db"),
	    128 * 1024, "delete");

	snprintf(sql, sizeof sql, "INSERT INTO " POPULATE_TABLE " SELECT "
	    "id + 1, v FROM " POPULATE_TABLE " WHERE id = %llu",
	    (unsigned long long)rows);
	fill_exec(path, sql);
	snprintf(want, sizeof want, "fill: row id %llu is extra (populated "
	    "1..%llu)", (unsigned long long)rows + 1, (unsigned long long)rows);
	fill_fails(path, rows, 0, want);
	fill_fails(path, rows, 1, want);
	/* One below the range comes first, in id order. */
	fill_exec(path, "INSERT INTO " POPULATE_TABLE " VALUES(0, x'00')");
	fill_fails(path, rows, 0, "fill: row id 0 is extra");
	fill_fails(path, rows, 1, "fill: row id 0 is extra");
}
END_TEST

START_TEST(test_validate_fill_wrong_length)
{
	char path[PATH_MAX];
	uint64_t rows = fill_db(tpath(path, sizeof path, "len.db"),
	    128 * 1024, "delete");

	fill_exec(path, "UPDATE " POPULATE_TABLE " SET v = substr(v, 2) "
	    "WHERE id = 1");
	fill_fails(path, rows, 0, "fill: row id 1 holds a blob of 16383 bytes");
	fill_fails(path, rows, 1, "fill: row id 1 holds a blob of 16383 bytes");
}
END_TEST

START_TEST(test_validate_fill_table_gone)
{
	char path[PATH_MAX];
	uint64_t rows = fill_db(tpath(path, sizeof path, "gone.db"),
	    64 * 1024, "wal");

	fill_exec(path, "DROP TABLE " POPULATE_TABLE);
	fill_fails(path, rows, 0, "fill: table sqlstorm_fill is missing");
}
END_TEST

/* A workload's finding comes first; the fill's is kept only without one. */
START_TEST(test_validate_fill_after_rows)
{
	struct validate_result r;
	char path[PATH_MAX];
	uint64_t rows = fill_db(tpath(path, sizeof path, "order.db"),
	    64 * 1024, "wal");

	fill_exec(path, "DELETE FROM " POPULATE_TABLE " WHERE id = 1;"
	    "DELETE FROM " TABLE " WHERE seq = 2");
	fill_check(path, rows, 0, &r);
	ck_assert_int_eq(r.fill_ok, 0);
	ck_assert_int_eq(r.rows_ok, 0);
	ck_assert_ptr_null(strstr(r.problem, "fill"));
	validate_result_free(&r);
}
END_TEST

START_TEST(test_validate_quick_check_named)
{
	struct validate_result r;
	struct validate_opts o;
	char path[PATH_MAX], err[512] = "";
	int code = -1;

	db_big(tpath(path, sizeof path, "qbad.db"));
	corrupt_page(path, 0);
	memset(&o, 0, sizeof o);
	o.wl = &workload_append;
	o.nworkers = 2;
	o.quick = 1;
	ck_assert_int_eq(validate_file_opts(path, &o, &r, err, sizeof err,
	    &code), 0);
	ck_assert_int_eq(r.integrity_ok, 0);
	ck_assert_msg(strncmp(r.problem, "quick_check: ", 13) == 0,
	    "problem: %s", r.problem);
	validate_result_free(&r);
}
END_TEST

Suite *validate_suite(void);

Suite *
validate_suite(void)
{
	Suite *s = suite_create("validate");
	TCase *tc;

	tc = tcase_create("rows");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_validate_good);
	tcase_add_test(tc, test_validate_gap);
	tcase_add_test(tc, test_validate_count_seqs);
	tcase_add_test(tc, test_validate_non_integer_seq);
	tcase_add_test(tc, test_validate_gap_at_start);
	tcase_add_test(tc, test_validate_duplicate);
	tcase_add_test(tc, test_validate_negative_key);
	tcase_add_test(tc, test_validate_seq_zero);
	tcase_add_test(tc, test_validate_unknown_worker);
	tcase_add_test(tc, test_validate_first_problem_wins);
	tcase_add_test(tc, test_validate_empty);
	suite_add_tcase(s, tc);

	tc = tcase_create("files");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_validate_notadb);
	tcase_add_test(tc, test_validate_missing_file);
	tcase_add_test(tc, test_validate_missing_table);
	tcase_add_test(tc, test_validate_corrupt);
	tcase_add_test(tc, test_validate_index_mismatch);
	tcase_add_test(tc, test_validate_corrupt_table_only);
	tcase_add_test(tc, test_validate_corrupt_root);
	suite_add_tcase(s, tc);

	tc = tcase_create("backup");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_validate_backup_roundtrip);
	tcase_add_test(tc, test_validate_backup_consistent);
	tcase_add_test(tc, test_validate_backup_gives_up);
	tcase_add_test(tc, test_validate_backup_timeout);
	tcase_add_test(tc, test_validate_backup_bad_source);
	suite_add_tcase(s, tc);

	tc = tcase_create("fill");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_validate_fill_sizes);
	tcase_add_test(tc, test_validate_fill_values);
	tcase_add_test(tc, test_validate_fill_good);
	tcase_add_test(tc, test_validate_fill_tiny);
	tcase_add_test(tc, test_validate_fill_again);
	tcase_add_test(tc, test_validate_fill_changed_byte);
	tcase_add_test(tc, test_validate_fill_deleted_row);
	tcase_add_test(tc, test_validate_fill_last_row_deleted);
	tcase_add_test(tc, test_validate_fill_extra_row);
	tcase_add_test(tc, test_validate_fill_wrong_length);
	tcase_add_test(tc, test_validate_fill_table_gone);
	tcase_add_test(tc, test_validate_fill_after_rows);
	tcase_add_test(tc, test_validate_quick_check_named);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(validate_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
