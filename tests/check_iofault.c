/* SPDX-License-Identifier: MIT */
/*
 * check_iofault: the fault hook of --nemesis io on a real database
 * through the VFS shim, driven the way the parent drives it (a child
 * slot and a shared page in memory, the report pipe a real pipe): an
 * armed generation fires once, only for its op; a short write writes
 * half its bytes then fails with FULL and the transaction rolls back; the
 * io:full limit fails writes that would outgrow it and lets them through
 * again once cleared; every firing reaches the pipe as an IOFIRE record
 * and marks the next error as injected.  Each test runs in its own
 * forked process (Check's default), so every registration starts fresh.
 * Files live in a mkdtemp directory under $TMPDIR.
 */
#include "autoconf.h"

#include <check.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "child.h"
#include "config.h"
#include "iofault.h"
#include "iovfs.h"
#include "scenario.h"
#include "util.h"
#include "wire.h"

static char tmpdir[PATH_MAX];
static char dbpath[PATH_MAX + 16];
static struct child_slot slot;
static struct child_shared shared;
static struct child_ctx ctx;
static struct config cfg;
static struct scenario_params params;
static int pipefd[2] = { -1, -1 };

/* What the recorder saw of writes: the last one's n and rc. */
static struct {
	int writes, last_n, last_rc;
} rec;

static void
rec_after(void *arg, const struct iovfs_event *ev, int rc)
{
	(void)arg;
	if (ev->op != IOVFS_WRITE)
		return;
	rec.writes++;
	rec.last_n = ev->n;
	rec.last_rc = rc;
}

static void
setup(void)
{
	static const struct iovfs_hooks rh = { NULL, NULL, NULL, rec_after };
	const char *base = getenv("TMPDIR");
	char err[256];

	if (base == NULL || *base == '\0')
		base = "/tmp";
	snprintf(tmpdir, sizeof tmpdir, "%s/check_iofault.XXXXXX", base);
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	snprintf(dbpath, sizeof dbpath, "%s/t.db", tmpdir);
	ck_assert_int_eq(pipe(pipefd), 0);
	ck_assert_int_ne(fcntl(pipefd[0], F_SETFL, O_NONBLOCK), -1);
	memset(&slot, 0, sizeof slot);
	memset(&shared, 0, sizeof shared);
	memset(&ctx, 0, sizeof ctx);
	memset(&cfg, 0, sizeof cfg);
	memset(&params, 0, sizeof params);
	memset(&rec, 0, sizeof rec);
	cfg.nemesis = (char *)"io:write=IOERR@1s";
	cfg.sync = CONFIG_SYNC_FULL;
	params.cfg = &cfg;
	params.db_path = dbpath;
	ctx.report_fd = pipefd[1];
	ctx.shutdown_fd = -1;
	ctx.start_fd = -1;
	ctx.slot = &slot;
	ctx.shared = &shared;
	ck_assert_int_eq(iovfs_register(NULL, dbpath, err, sizeof err), 0);
	ck_assert_int_eq(iofault_child_start(&params, &ctx, err, sizeof err),
	    0);
	iovfs_set_hooks(IOVFS_HOOK_RECORD, &rh);
}

static void
teardown(void)
{
	close(pipefd[0]);
	close(pipefd[1]);
	util_rmtree(tmpdir);
}

/* Arm the slot as the supervisor does. */
static void
arm(int op, int code, int is_short, int item)
{
	slot.io_op = op;
	slot.io_code = code;
	slot.io_short = is_short;
	slot.io_item = item;
	__sync_synchronize();
	slot.io_gen++;
}

static sqlite3 *
open_db(void)
{
	sqlite3 *db = NULL;

	ck_assert_int_eq(sqlite3_open(dbpath, &db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(db, "PRAGMA journal_mode=DELETE; "
	    "PRAGMA synchronous=FULL; CREATE TABLE IF NOT EXISTS t(x)", NULL,
	    NULL, NULL), SQLITE_OK);
	return db;
}

static int
insert(sqlite3 *db, int n)
{
	char sql[128];

	snprintf(sql, sizeof sql, "INSERT INTO t VALUES (randomblob(%d))", n);
	return sqlite3_exec(db, sql, NULL, NULL, NULL);
}

static long
count_rows(sqlite3 *db)
{
	sqlite3_stmt *st;
	long n = -1;

	ck_assert_int_eq(sqlite3_prepare_v2(db, "SELECT count(*) FROM t", -1,
	    &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

static int
integrity_ok(sqlite3 *db)
{
	sqlite3_stmt *st;
	int ok = 0;

	ck_assert_int_eq(sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1,
	    &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		ok = strcmp((const char *)sqlite3_column_text(st, 0), "ok") == 0;
	sqlite3_finalize(st);
	return ok;
}

/* The IOFIRE records in the pipe so far; the last one in *last. */
static int
drain_fires(struct wire_iofire *last)
{
	uint8_t buf[8192];
	ssize_t n = read(pipefd[0], buf, sizeof buf);
	size_t off = 0, used;
	int fires = 0;

	while (n > 0 && off < (size_t)n) {
		struct wire_record r;

		ck_assert_int_eq(wire_decode(buf + off, (size_t)n - off, &r,
		    &used, NULL), WIRE_OK);
		off += used;
		if (r.h.type == WIRE_IOFIRE) {
			fires++;
			if (last != NULL)
				*last = r.u.iofire;
		}
	}
	return fires;
}

START_TEST(test_iofault_fires_once_per_arming)
{
	struct wire_iofire f;
	sqlite3 *db = open_db();
	uint64_t mark = iofault_fired();

	ck_assert_int_eq(insert(db, 10), SQLITE_OK);    /* nothing armed */
	ck_assert_uint_eq(iofault_fired(), mark);
	arm(IOVFS_WRITE, SQLITE_IOERR_WRITE, 0, 4);
	ck_assert_int_eq(insert(db, 10) & 0xff, SQLITE_IOERR);
	ck_assert_uint_eq(iofault_fired(), mark + 1);
	ck_assert_int_eq(drain_fires(&f), 1);
	ck_assert_uint_eq(f.item, 4);
	ck_assert_uint_eq(f.op, IOVFS_WRITE);
	ck_assert_int_eq(f.code, SQLITE_IOERR_WRITE);
	ck_assert_uint_eq(f.flags, 0);
	/* The same generation never fires again. */
	ck_assert_int_eq(insert(db, 10), SQLITE_OK);
	ck_assert_int_eq(insert(db, 10), SQLITE_OK);
	ck_assert_uint_eq(iofault_fired(), mark + 1);
	ck_assert_int_eq(drain_fires(NULL), 0);
	/* A new one does. */
	arm(IOVFS_WRITE, SQLITE_FULL, 0, 5);
	ck_assert_int_eq(insert(db, 10), SQLITE_FULL);
	ck_assert_uint_eq(iofault_fired(), mark + 2);
	/* The error a caller sends next says what it saw since mark. */
	iofault_mark_error(&ctx, mark + 1);
	ck_assert_uint_eq(ctx.inj, WIRE_INJ_FIRED);
	ck_assert_uint_eq(ctx.inj_item, 5);
	ck_assert_int_eq(ctx.inj_code, SQLITE_FULL);
	ctx.inj = 0;
	iofault_mark_error(&ctx, mark + 2);
	ck_assert_uint_eq(ctx.inj, 0);
	ck_assert_int_eq(count_rows(db), 3);
	ck_assert(integrity_ok(db));
	sqlite3_close(db);
}
END_TEST

START_TEST(test_iofault_op_filter)
{
	sqlite3 *db = open_db();
	uint64_t mark;

	ck_assert_int_eq(insert(db, 10), SQLITE_OK);
	mark = iofault_fired();
	/* Armed for truncate: writes and syncs go through, it waits. */
	arm(IOVFS_TRUNCATE, SQLITE_IOERR, 0, 0);
	ck_assert_int_eq(insert(db, 10), SQLITE_OK);
	ck_assert_uint_eq(iofault_fired(), mark);
	/* Armed for sync: the next commit fails at its journal's sync. */
	arm(IOVFS_SYNC, SQLITE_IOERR_FSYNC, 0, 1);
	ck_assert_int_eq(insert(db, 10) & 0xff, SQLITE_IOERR);
	ck_assert_uint_eq(iofault_fired(), mark + 1);
	ck_assert_int_eq(count_rows(db), 2);
	sqlite3_close(db);
	/* Armed for read: a fresh connection's first read fails. */
	ck_assert_int_eq(sqlite3_open(dbpath, &db), SQLITE_OK);
	arm(IOVFS_READ, SQLITE_IOERR_READ, 0, 2);
	ck_assert_int_eq(sqlite3_exec(db, "SELECT count(*) FROM t", NULL, NULL,
	    NULL) & 0xff, SQLITE_IOERR);
	ck_assert_uint_eq(iofault_fired(), mark + 2);
	ck_assert_int_eq(count_rows(db), 2);
	sqlite3_close(db);
	/* Armed for open: the next journal cannot be opened. */
	db = open_db();
	arm(IOVFS_OPEN, SQLITE_CANTOPEN, 0, 3);
	ck_assert_int_eq(insert(db, 10), SQLITE_CANTOPEN);
	ck_assert_int_eq(insert(db, 10), SQLITE_OK);
	ck_assert_int_eq(count_rows(db), 3);
	ck_assert(integrity_ok(db));
	sqlite3_close(db);
}
END_TEST

START_TEST(test_iofault_short_write)
{
	sqlite3 *db = open_db();
	uint64_t mark;

	ck_assert_int_eq(insert(db, 100), SQLITE_OK);
	mark = iofault_fired();
	rec.writes = 0;
	arm(IOVFS_WRITE, SQLITE_FULL, 1, 6);
	ck_assert_int_eq(insert(db, 3000), SQLITE_FULL);
	ck_assert_uint_eq(iofault_fired(), mark + 1);
	/* The cut write ran, with half its bytes, and returned FULL. */
	ck_assert_int_ge(rec.writes, 1);
	ck_assert_int_gt(rec.last_n, 0);
	ck_assert_int_eq(rec.last_rc, SQLITE_FULL);
	ck_assert_int_eq(count_rows(db), 1);
	ck_assert(integrity_ok(db));
	ck_assert_int_eq(insert(db, 3000), SQLITE_OK);
	ck_assert_int_eq(count_rows(db), 2);
	sqlite3_close(db);
}
END_TEST

/* The database file, its journal and WAL, as the hook counts them. */
static int64_t
files_size(void)
{
	static const char *const sfx[] = { "", "-journal", "-wal" };
	char p[PATH_MAX + 32];
	struct stat sb;
	int64_t total = 0;
	size_t i;

	for (i = 0; i < 3; i++) {
		snprintf(p, sizeof p, "%s%s", dbpath, sfx[i]);
		if (stat(p, &sb) == 0)
			total += (int64_t)sb.st_size;
	}
	return total;
}

START_TEST(test_iofault_full_limit)
{
	struct wire_iofire f;
	sqlite3 *db = open_db();
	int i, rc = SQLITE_OK, ok = 0;
	int64_t limit;

	ck_assert_int_eq(insert(db, 100), SQLITE_OK);
	limit = files_size() + 32 * 1024;
	shared.io_full_item = 7;
	shared.io_full = limit;
	for (i = 0; i < 200 && rc == SQLITE_OK; i++)
		if ((rc = insert(db, 2000)) == SQLITE_OK)
			ok++;
	ck_assert_int_eq(rc, SQLITE_FULL);
	ck_assert_int_gt(ok, 0);
	ck_assert_int_le(files_size(), limit);
	ck_assert_int_ge(drain_fires(&f), 1);
	ck_assert_uint_eq(f.item, 7);
	ck_assert_int_eq(f.code, SQLITE_FULL);
	ck_assert_int_eq(count_rows(db), 1 + ok);
	ck_assert(integrity_ok(db));
	/* Still full: a write that grows a file fails again. */
	ck_assert_int_eq(insert(db, 2000), SQLITE_FULL);
	/* Lifted: writes resume. */
	shared.io_full = 0;
	ck_assert_int_eq(insert(db, 2000), SQLITE_OK);
	ck_assert_int_eq(insert(db, 2000), SQLITE_OK);
	ck_assert_int_eq(count_rows(db), 3 + ok);
	ck_assert(integrity_ok(db));
	sqlite3_close(db);
}
END_TEST

/* The swallow switch: the firing is counted, the call goes through. */
START_TEST(test_iofault_swallow_switch)
{
	char err[256];
	sqlite3 *db;
	uint64_t mark;

	ck_assert_int_eq(setenv(IOFAULT_SWALLOW_ENV, "1", 1), 0);
	ck_assert_int_eq(iofault_child_start(&params, &ctx, err, sizeof err),
	    0);
	db = open_db();
	mark = iofault_fired();
	arm(IOVFS_WRITE, SQLITE_IOERR, 0, 0);
	ck_assert_int_eq(insert(db, 10), SQLITE_OK);
	ck_assert_uint_eq(iofault_fired(), mark + 1);
	(void)drain_fires(NULL);
	ck_assert_int_eq(iofault_swallowed(&ctx, mark, WIRE_OP_COMMIT, 0,
	    "COMMIT"), 1);
	ck_assert_int_eq(iofault_swallowed(&ctx, mark + 1, WIRE_OP_COMMIT, 0,
	    "COMMIT"), 0);
	sqlite3_close(db);
}
END_TEST

START_TEST(test_iofault_codes)
{
	ck_assert_int_eq(iofault_code_from_name("IOERR"), SQLITE_IOERR);
	ck_assert_int_eq(iofault_code_from_name("IOERR_FSYNC"),
	    SQLITE_IOERR_FSYNC);
	ck_assert_int_eq(iofault_code_from_name("FULL"), SQLITE_FULL);
	ck_assert_int_eq(iofault_code_from_name("CANTOPEN"), SQLITE_CANTOPEN);
	ck_assert_int_eq(iofault_code_from_name("CORRUPT"), -1);
	ck_assert_int_eq(iofault_code_from_name("ioerr"), -1);
	cfg.nemesis = (char *)"kill:w0@1s";
	ck_assert_int_eq(iofault_wanted(&cfg), 0);
	cfg.nemesis = (char *)"kill:w0@1s,io:full=1MiB@2s";
	ck_assert_int_eq(iofault_wanted(&cfg), 1);
	cfg.nemesis = NULL;
	ck_assert_int_eq(iofault_wanted(&cfg), 0);
}
END_TEST

static Suite *
iofault_suite(void)
{
	Suite *s = suite_create("iofault");
	TCase *tc = tcase_create("hook");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_iofault_fires_once_per_arming);
	tcase_add_test(tc, test_iofault_op_filter);
	tcase_add_test(tc, test_iofault_short_write);
	tcase_add_test(tc, test_iofault_full_limit);
	tcase_add_test(tc, test_iofault_swallow_switch);
	tcase_add_test(tc, test_iofault_codes);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(iofault_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
