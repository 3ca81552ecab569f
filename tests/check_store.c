/* SPDX-License-Identifier: MIT */
/*
 * check_store: store_prepare() on fresh and user databases (created, not
 * a database, corrupt, unusable, other tables left alone, journal mode
 * refused, in memory, not a regular file, nothing left behind on a hard
 * error) and store_open()'s handlers (busy timeout, giving up at
 * shutdown while waiting, interrupting a long statement at shutdown),
 * and how the run's database is opened: store_use()'s checks of --vfs,
 * a URI's vfs= and --load-extension, and store_sqlite_open() giving the
 * run's database (by its URI or its file) the run's VFS and nothing else.
 * Every file lives in a fresh mkdtemp directory under $TMPDIR.
 */
#include "autoconf.h"

#include <check.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sqlite3.h>

#include "child.h"
#include "config.h"
#include "store.h"
#include "util.h"
#include "workload.h"

static char tmpdir[PATH_MAX];
static struct config cfg;

static void
setup(void)
{
	const char *base = getenv("TMPDIR");

	if (base == NULL || *base == '\0')
		base = "/tmp";
	snprintf(tmpdir, sizeof tmpdir, "%s/check_store.XXXXXX", base);
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	config_defaults(&cfg);
}

static void
teardown(void)
{
	util_rmtree(tmpdir);
	config_free(&cfg);
}

/* store_prepare() with cfg and the default workload. */
static enum store_status
prepare(const char *path, int is_user, char *made, size_t madelen,
    char *err, size_t errlen)
{
	return store_prepare(&cfg, &workload_append, path, is_user, made,
	    madelen, err, errlen);
}

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

static int64_t
query_int(const char *path, const char *sql)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	int64_t v;

	ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return v;
}

static void
write_file(const char *path, const char *text, int times)
{
	FILE *fp = fopen(path, "w");

	ck_assert_ptr_nonnull(fp);
	while (times-- > 0)
		fputs(text, fp);
	fclose(fp);
}

/* ------------------------------------------------------------ prepare */

START_TEST(test_store_prepare_fresh)
{
	char path[PATH_MAX], err[512] = "x";

	tpath(path, sizeof path, "fresh.db");
	ck_assert_int_eq(prepare(path, 0, NULL, 0, err, sizeof err),
	    STORE_OK);
	ck_assert_str_eq(err, "");
	/* One table, one B-tree: no index beside it. */
	ck_assert_int_eq(query_int(path, "SELECT count(*) FROM sqlite_master"
	    " WHERE tbl_name = 'sqlstorm_rows'"), 1);
	/* WAL is a property of the file: it outlives the connection. */
	ck_assert_int_eq(query_int(path, "SELECT journal_mode = 'wal' FROM"
	    " pragma_journal_mode"), 1);
}
END_TEST

START_TEST(test_store_prepare_user_keeps_other_tables)
{
	char path[PATH_MAX], err[512];
	sqlite3 *db = NULL;

	tpath(path, sizeof path, "user.db");
	ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
	exec_ok(db, "CREATE TABLE mine(x); INSERT INTO mine VALUES(42);"
	    "CREATE TABLE sqlstorm_rows(old); INSERT INTO sqlstorm_rows"
	    " VALUES(1);");
	sqlite3_close(db);
	cfg.journal = CONFIG_JOURNAL_DELETE;
	ck_assert_int_eq(prepare(path, 1, NULL, 0, err, sizeof err),
	    STORE_OK);
	ck_assert_int_eq(query_int(path, "SELECT x FROM mine"), 42);
	ck_assert_int_eq(query_int(path, "SELECT count(*) FROM sqlstorm_rows"),
	    0);
	ck_assert_int_eq(query_int(path, "SELECT count(*) FROM"
	    " pragma_table_info('sqlstorm_rows')"), 5);
}
END_TEST

START_TEST(test_store_prepare_user_absent)
{
	char path[PATH_MAX], err[512];

	tpath(path, sizeof path, "new.db");
	ck_assert_int_eq(prepare(path, 1, NULL, 0, err, sizeof err),
	    STORE_OK);
	ck_assert_int_eq(access(path, F_OK), 0);
}
END_TEST

START_TEST(test_store_prepare_no_directory)
{
	char path[PATH_MAX], want[PATH_MAX + 64], err[512];

	tpath(path, sizeof path, "nodir/new.db");
	ck_assert_int_eq(prepare(path, 1, NULL, 0, err, sizeof err),
	    STORE_HARD);
	snprintf(want, sizeof want, "cannot create '%s': No such file or"
	    " directory", path);
	ck_assert_str_eq(err, want);
}
END_TEST

START_TEST(test_store_prepare_notadb)
{
	char path[PATH_MAX], want[PATH_MAX + 64], err[512];

	tpath(path, sizeof path, "text.db");
	write_file(path, "not a database at all, just text\n", 200);
	ck_assert_int_eq(prepare(path, 1, NULL, 0, err, sizeof err),
	    STORE_HARD);
	snprintf(want, sizeof want, "'%s' is not a SQLite database", path);
	ck_assert_str_eq(err, want);
}
END_TEST

START_TEST(test_store_prepare_corrupt)
{
	char path[PATH_MAX], err[512];
	unsigned char junk[4096];
	sqlite3 *db = NULL;
	int fd, i;

	tpath(path, sizeof path, "bad.db");
	ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
	exec_ok(db, "PRAGMA page_size=4096; CREATE TABLE t(x);"
	    "WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c"
	    " WHERE n < 5000) INSERT INTO t SELECT randomblob(100) FROM c;");
	sqlite3_close(db);
	for (i = 0; i < (int)sizeof junk; i++)
		junk[i] = (unsigned char)(i * 37 + 11);
	fd = open(path, O_WRONLY);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(pwrite(fd, junk, sizeof junk, 40 * 4096),
	    (ssize_t)sizeof junk);
	close(fd);
	ck_assert_int_eq(prepare(path, 1, NULL, 0, err, sizeof err),
	    STORE_CORRUPT);
	ck_assert_msg(strstr(err, "is corrupt before the run: Page ") != NULL,
	    "err: %s", err);
	ck_assert_ptr_null(strchr(err, '\n'));
}
END_TEST

START_TEST(test_store_prepare_unwritable)
{
	char path[PATH_MAX], want[PATH_MAX + 64], err[512] = "";
	pid_t pid;
	int status;

	tpath(path, sizeof path, "ro.db");
	ck_assert_int_eq(prepare(path, 0, NULL, 0, err, sizeof err),
	    STORE_OK);
	ck_assert_int_eq(chmod(path, 0444), 0);
	ck_assert_int_eq(chmod(tmpdir, 0755), 0);
	/* root may write anything: drop to nobody to see the refusal. */
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		if (getuid() == 0 && setuid(65534) < 0)
			_exit(2);
		if (prepare(path, 1, NULL, 0, err, sizeof err) != STORE_HARD)
			_exit(1);
		snprintf(want, sizeof want, "cannot use '%s': Permission denied",
		    path);
		_exit(strcmp(err, want) == 0 ? 0 : 3);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_int_eq(WEXITSTATUS(status), 0);
}
END_TEST

START_TEST(test_store_prepare_journal_refused)
{
	char path[PATH_MAX], uri[PATH_MAX + 32], want[PATH_MAX + 128];
	char err[512];

	/*
	 * A VFS without shared-memory locks cannot do WAL: SQLite keeps the
	 * old mode.  The file it created must not be left behind, 0 bytes.
	 */
	tpath(path, sizeof path, "nowal.db");
	snprintf(uri, sizeof uri, "file:%s?vfs=unix-none", path);
	ck_assert_int_eq(prepare(uri, 1, NULL, 0, err, sizeof err),
	    STORE_HARD);
	snprintf(want, sizeof want, "journal mode wal is not available for"
	    " '%s' (got delete)", uri);
	ck_assert_str_eq(err, want);
	ck_assert_int_eq(access(path, F_OK), -1);
	ck_assert_int_eq(rmdir(tmpdir), 0);
	ck_assert_int_eq(mkdir(tmpdir, 0700), 0);
}
END_TEST

/* Every name a -journal or -wal cannot follow: the created file goes too. */
START_TEST(test_store_prepare_long_name_leaves_nothing)
{
	char name[256], path[PATH_MAX], err[512];

	memset(name, 'a', 255);
	name[255] = '\0';
	tpath(path, sizeof path, name);
	ck_assert_int_eq(prepare(path, 1, NULL, 0, err, sizeof err),
	    STORE_HARD);
	ck_assert_int_eq(access(path, F_OK), -1);
	/* Nothing else either: the directory is empty again. */
	ck_assert_int_eq(rmdir(tmpdir), 0);
	ck_assert_int_eq(mkdir(tmpdir, 0700), 0);
}
END_TEST

START_TEST(test_store_prepare_in_memory)
{
	static const char *const mem[] = { ":memory:", "file::memory:",
	    "file:m?mode=memory", "file:m?mode=memory&cache=shared", "" };
	char want[256], err[512];
	size_t i;

	for (i = 0; i < sizeof mem / sizeof mem[0]; i++) {
		ck_assert_int_eq(prepare(mem[i], 1, NULL, 0, err,
		    sizeof err), STORE_HARD);
		snprintf(want, sizeof want, "cannot use '%s': an in-memory "
		    "database is private to each process; give a file", mem[i]);
		ck_assert_str_eq(err, want);
	}
}
END_TEST

/* A FIFO (or a device) is refused before SQLite reads or writes it. */
START_TEST(test_store_prepare_not_regular)
{
	char path[PATH_MAX], uri[PATH_MAX + 16], want[PATH_MAX + 64];
	char side[PATH_MAX + 16], err[512];

	tpath(path, sizeof path, "fifo");
	ck_assert_int_eq(mkfifo(path, 0600), 0);
	ck_assert_int_eq(prepare(path, 1, NULL, 0, err, sizeof err),
	    STORE_HARD);
	snprintf(want, sizeof want, "cannot use '%s': not a regular file", path);
	ck_assert_str_eq(err, want);
	/*
	 * As a URI the name is only known once SQLite has opened it (Linux
	 * SQLite itself fails a FIFO with ESPIPE); refused either way.
	 */
	snprintf(uri, sizeof uri, "file:%s", path);
	ck_assert_int_eq(prepare(uri, 1, NULL, 0, err, sizeof err),
	    STORE_HARD);
	snprintf(side, sizeof side, "%s-journal", path);
	ck_assert_int_eq(access(side, F_OK), -1);
	snprintf(side, sizeof side, "%s-wal", path);
	ck_assert_int_eq(access(side, F_OK), -1);
}
END_TEST

/* made names a file this call created, and only such a file. */
START_TEST(test_store_prepare_made)
{
	char path[PATH_MAX], made[PATH_MAX], err[512];

	tpath(path, sizeof path, "made.db");
	ck_assert_int_eq(prepare(path, 1, made, sizeof made, err,
	    sizeof err), STORE_OK);
	ck_assert_str_eq(made, path);
	ck_assert_int_eq(prepare(path, 1, made, sizeof made, err,
	    sizeof err), STORE_OK);
	ck_assert_str_eq(made, "");
	store_remove(path);
	ck_assert_int_eq(access(path, F_OK), -1);
	ck_assert_int_eq(rmdir(tmpdir), 0);
	ck_assert_int_eq(mkdir(tmpdir, 0700), 0);
}
END_TEST

/*
 * A database an older sqlstorm used (its table beside a (worker, seq)
 * index) is given the new table: one B-tree keyed by worker<<40 | seq.
 */
START_TEST(test_store_prepare_old_schema)
{
	char path[PATH_MAX], err[512];
	sqlite3 *db = NULL;

	tpath(path, sizeof path, "old.db");
	ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
	exec_ok(db, "CREATE TABLE sqlstorm_rows(worker INTEGER NOT NULL,"
	    " seq INTEGER NOT NULL, payload BLOB NOT NULL, t INTEGER NOT NULL);"
	    "CREATE INDEX sqlstorm_rows_ws ON sqlstorm_rows(worker, seq);"
	    "INSERT INTO sqlstorm_rows VALUES(0, 1, x'00', 0);");
	sqlite3_close(db);
	ck_assert_int_eq(prepare(path, 1, NULL, 0, err, sizeof err), STORE_OK);
	ck_assert_int_eq(query_int(path, "SELECT count(*) FROM sqlite_master"
	    " WHERE name = 'sqlstorm_rows_ws'"), 0);
	ck_assert_int_eq(query_int(path, "SELECT count(*) FROM sqlstorm_rows"),
	    0);
	ck_assert_int_eq(query_int(path, "SELECT pk FROM"
	    " pragma_table_info('sqlstorm_rows') WHERE name = 'id'"), 1);
}
END_TEST

/* ------------------------------------------------------------ handlers */

struct fixture {
	char path[PATH_MAX];
	sqlite3 *locker;
	int fds[2];
	struct child_ctx ctx;
	struct child_shared shared;
};

/* Lock the database exclusively from another connection. */
static void
lock_db(struct fixture *f)
{
	ck_assert_int_eq(sqlite3_open(f->path, &f->locker), SQLITE_OK);
	exec_ok(f->locker, "BEGIN EXCLUSIVE; INSERT INTO sqlstorm_rows"
	    " VALUES(1, 0, 1, x'00', 0)");
}

/* A rollback-mode database and a shutdown pipe. */
static void
locked_db(struct fixture *f)
{
	char err[512];

	memset(f, 0, sizeof *f);
	tpath(f->path, sizeof f->path, "locked.db");
	cfg.journal = CONFIG_JOURNAL_DELETE;
	ck_assert_int_eq(prepare(f->path, 0, NULL, 0, err, sizeof err),
	    STORE_OK);
	ck_assert_int_eq(util_pipe(f->fds), 0);
	f->ctx.shutdown_fd = f->fds[0];
	f->ctx.report_fd = -1;
	f->ctx.start_fd = -1;
	f->ctx.shared = &f->shared;
}

static void
locked_done(struct fixture *f)
{
	sqlite3_close(f->locker);
	util_close(&f->fds[0]);
	util_close(&f->fds[1]);
}

static sqlite3 *
open_ok(struct fixture *f, struct store_busy *busy)
{
	char err[512];
	sqlite3 *db = NULL;
	int code = 0;

	if (store_open(&cfg, f->path, 0, &f->ctx, busy, &db, err, sizeof err,
	    &code) < 0)
		ck_abort_msg("store_open: %s", err);
	return db;
}

START_TEST(test_store_busy_timeout)
{
	struct fixture f;
	struct store_busy busy;
	sqlite3 *db;
	int64_t t0;

	locked_db(&f);
	cfg.busy_timeout_ns = 100 * UTIL_NS_PER_MS;
	db = open_ok(&f, &busy);
	lock_db(&f);
	t0 = util_now_ns();
	ck_assert_int_eq(sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL)
	    & 0xff, SQLITE_BUSY);
	ck_assert_int_ge(util_now_ns() - t0, 100 * UTIL_NS_PER_MS);
	ck_assert_uint_eq(busy.waits, 1);
	ck_assert_int_ge(busy.wait_ns, 50 * UTIL_NS_PER_MS);
	ck_assert_int_eq(f.ctx.shutdown_seen, 0);
	sqlite3_close(db);
	locked_done(&f);
}
END_TEST

START_TEST(test_store_busy_gives_up_at_shutdown)
{
	struct fixture f;
	struct store_busy busy;
	sqlite3 *db;
	pid_t pid;
	int64_t t0;

	locked_db(&f);
	cfg.busy_timeout_ns = 3600 * UTIL_NS_PER_S;
	db = open_ok(&f, &busy);
	lock_db(&f);
	/* The write end lives on in a child that exits after 200 ms. */
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		(void)poll(NULL, 0, 200);
		_exit(0);
	}
	util_close(&f.fds[1]);
	t0 = util_now_ns();
	ck_assert_int_eq(sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL)
	    & 0xff, SQLITE_BUSY);
	/* Seconds, not the hour of busy timeout: the EOF woke the wait. */
	ck_assert_int_lt(util_now_ns() - t0, 10 * UTIL_NS_PER_S);
	ck_assert_int_eq(f.ctx.shutdown_seen, 1);
	ck_assert_uint_eq(busy.waits, 1);
	waitpid(pid, NULL, 0);
	sqlite3_close(db);
	locked_done(&f);
}
END_TEST

START_TEST(test_store_progress_interrupts)
{
	struct fixture f;
	struct store_busy busy;
	sqlite3 *db;
	int rc;

	locked_db(&f);
	db = open_ok(&f, &busy);
	util_close(&f.fds[1]);
	/* A statement of billions of steps stops at the first check. */
	rc = sqlite3_exec(db, "WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL"
	    " SELECT n + 1 FROM c WHERE n < 4000000000) SELECT count(*) FROM c",
	    NULL, NULL, NULL);
	ck_assert_int_eq(rc, SQLITE_INTERRUPT);
	sqlite3_close(db);
	locked_done(&f);
}
END_TEST

START_TEST(test_store_open_missing)
{
	struct store_busy busy;
	char path[PATH_MAX], err[512];
	sqlite3 *db = (sqlite3 *)&busy;
	int code = 0;

	tpath(path, sizeof path, "absent.db");
	ck_assert_int_eq(store_open(&cfg, path, 0, NULL, &busy, &db, err,
	    sizeof err, &code), -1);
	ck_assert_ptr_null(db);
	ck_assert_int_eq(code & 0xff, SQLITE_CANTOPEN);
	ck_assert_ptr_nonnull(strstr(err, path));
	/* Children never create the database: the parent did. */
	ck_assert_int_eq(access(path, F_OK), -1);
}
END_TEST

START_TEST(test_store_version)
{
	const char *v = store_sqlite_version();

	ck_assert_int_eq(strncmp(v, sqlite3_libversion(),
	    strlen(sqlite3_libversion())), 0);
	ck_assert_ptr_nonnull(strstr(v, sqlite3_sourceid()));
}
END_TEST

/* ------------------------------------------------------------ layout */

/* The whole file, malloc'd, for "left as it was" (*len bytes). */
static char *
slurp_file(const char *path, long *len)
{
	FILE *fp = fopen(path, "rb");
	char *buf;

	ck_assert_ptr_nonnull(fp);
	ck_assert_int_eq(fseek(fp, 0, SEEK_END), 0);
	*len = ftell(fp);
	rewind(fp);
	buf = malloc((size_t)*len + 1);
	ck_assert_ptr_nonnull(buf);
	ck_assert_uint_eq(fread(buf, 1, (size_t)*len, fp), (size_t)*len);
	fclose(fp);
	return buf;
}

START_TEST(test_store_layout_fresh)
{
	char path[PATH_MAX], err[512] = "x";

	tpath(path, sizeof path, "layout.db");
	cfg.page_size = 8192;
	cfg.page_size_set = 1;
	cfg.auto_vacuum = CONFIG_AUTO_VACUUM_INCREMENTAL;
	cfg.auto_vacuum_set = 1;
	ck_assert_int_eq(prepare(path, 0, NULL, 0, err, sizeof err),
	    STORE_OK);
	ck_assert_str_eq(err, "");
	ck_assert_int_eq(query_int(path, "PRAGMA page_size"), 8192);
	ck_assert_int_eq(query_int(path, "PRAGMA auto_vacuum"), 2);
	/* Set before WAL, which could no longer change the page size. */
	ck_assert_int_eq(query_int(path, "SELECT journal_mode = 'wal' FROM"
	    " pragma_journal_mode"), 1);
}
END_TEST

START_TEST(test_store_layout_empty_user_file)
{
	char path[PATH_MAX], err[512] = "x";

	tpath(path, sizeof path, "empty.db");
	write_file(path, "", 0);
	cfg.page_size = 1024;
	cfg.page_size_set = 1;
	cfg.auto_vacuum = CONFIG_AUTO_VACUUM_FULL;
	cfg.auto_vacuum_set = 1;
	cfg.journal = CONFIG_JOURNAL_DELETE;
	ck_assert_int_eq(prepare(path, 1, NULL, 0, err, sizeof err),
	    STORE_OK);
	ck_assert_int_eq(query_int(path, "PRAGMA page_size"), 1024);
	ck_assert_int_eq(query_int(path, "PRAGMA auto_vacuum"), 1);
}
END_TEST

/* An existing database with another layout: refused, not one byte changed. */
START_TEST(test_store_layout_existing_differs)
{
	char path[PATH_MAX], want[PATH_MAX + 160], err[512];
	char *before, *after;
	long n0, n1;
	sqlite3 *db = NULL;

	tpath(path, sizeof path, "old.db");
	ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
	exec_ok(db, "PRAGMA page_size=4096; CREATE TABLE mine(x);"
	    "INSERT INTO mine VALUES(1);");
	sqlite3_close(db);
	before = slurp_file(path, &n0);
	cfg.page_size = 8192;
	cfg.page_size_set = 1;
	ck_assert_int_eq(prepare(path, 1, NULL, 0, err, sizeof err),
	    STORE_HARD);
	snprintf(want, sizeof want, "'%s' has page size 4096, not 8192 "
	    "(--page-size): sqlstorm sets the layout only of a database it "
	    "creates; the file is left as it was", path);
	ck_assert_str_eq(err, want);
	after = slurp_file(path, &n1);
	ck_assert_int_eq(n0, n1);
	ck_assert_mem_eq(before, after, (size_t)n0);
	ck_assert_int_ne(access(path, F_OK), -1);
	free(after);
	cfg.page_size_set = 0;
	cfg.auto_vacuum = CONFIG_AUTO_VACUUM_FULL;
	cfg.auto_vacuum_set = 1;
	ck_assert_int_eq(prepare(path, 1, NULL, 0, err, sizeof err),
	    STORE_HARD);
	ck_assert_ptr_nonnull(strstr(err, "has auto_vacuum none, not full "
	    "(--auto-vacuum)"));
	after = slurp_file(path, &n1);
	ck_assert_int_eq(n0, n1);
	ck_assert_mem_eq(before, after, (size_t)n0);
	free(after);
	free(before);
}
END_TEST

START_TEST(test_store_layout_existing_matches)
{
	char path[PATH_MAX], err[512];
	sqlite3 *db = NULL;

	tpath(path, sizeof path, "same.db");
	ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
	exec_ok(db, "PRAGMA page_size=2048; PRAGMA auto_vacuum=FULL;"
	    "CREATE TABLE mine(x);");
	sqlite3_close(db);
	cfg.page_size = 2048;
	cfg.page_size_set = 1;
	cfg.auto_vacuum = CONFIG_AUTO_VACUUM_FULL;
	cfg.auto_vacuum_set = 1;
	ck_assert_int_eq(prepare(path, 1, NULL, 0, err, sizeof err),
	    STORE_OK);
}
END_TEST

START_TEST(test_store_file_sizes)
{
	char path[PATH_MAX], err[512];
	uint64_t m = 1, w = 1;
	sqlite3 *db = NULL;

	tpath(path, sizeof path, "sizes.db");
	ck_assert_int_eq(store_file_sizes(path, &m, &w), -1);
	cfg.page_size = 4096;
	cfg.page_size_set = 1;
	cfg.journal = CONFIG_JOURNAL_DELETE;
	ck_assert_int_eq(prepare(path, 0, NULL, 0, err, sizeof err),
	    STORE_OK);
	ck_assert_int_eq(store_file_sizes(path, &m, &w), 0);
	ck_assert_uint_eq(m, 2 * 4096);         /* schema page + the table */
	ck_assert_uint_eq(w, 0);
	ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
	exec_ok(db, "PRAGMA journal_mode=WAL; INSERT INTO sqlstorm_rows"
	    " VALUES(1, 1, 1, x'00', 1);");
	ck_assert_int_eq(store_file_sizes(path, &m, &w), 0);
	ck_assert_uint_gt(w, 0);
	sqlite3_close(db);
}
END_TEST

/* ------------------------------------------------------------ vfs */

/* The name of the VFS a connection's main database was opened with. */
static const char *
vfs_of(sqlite3 *db)
{
	sqlite3_vfs *v = NULL;

	ck_assert_int_eq(sqlite3_file_control(db, "main",
	    SQLITE_FCNTL_VFS_POINTER, &v), SQLITE_OK);
	ck_assert_ptr_nonnull(v);
	return v->zName;
}

/* store_use() on cfg: its return, with err checked to be one line. */
static int
use(char *err, size_t errlen)
{
	int rc;

	err[0] = '\0';
	rc = store_use(&cfg, err, errlen);
	ck_assert(strchr(err, '\n') == NULL);
	ck_assert(rc == 0 || err[0] != '\0');
	return rc;
}

START_TEST(test_store_use_names)
{
	char err[512];

	ck_assert_int_eq(use(err, sizeof err), 0);
	ck_assert_str_eq(store_vfs_name(), "");
	cfg.vfs = strdup("nosuch");
	ck_assert_int_eq(use(err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "--vfs: SQLite has no VFS named "
	    "'nosuch' (it has: unix"));
	free(cfg.vfs);
	cfg.vfs = strdup("memdb");
	ck_assert_int_eq(use(err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "private to each process"));
	free(cfg.vfs);
	cfg.vfs = strdup("unix-dotfile");
	ck_assert_int_eq(use(err, sizeof err), 0);
	ck_assert_str_eq(store_vfs_name(), "unix-dotfile");
}
END_TEST

/* A URI's vfs=: %XX-decoded, the last one wins, the fragment is not it. */
START_TEST(test_store_use_uri)
{
	char err[512];

	cfg.db = strdup("file:x.db?cache=private&v%66s=unix%2ddotfile");
	ck_assert_int_eq(use(err, sizeof err), 0);
	ck_assert_str_eq(store_vfs_name(), "unix-dotfile");
	free(cfg.db);
	cfg.db = strdup("file:x.db?vfs=nosuch&vfs=unix-none#&vfs=nosuch");
	ck_assert_int_eq(use(err, sizeof err), 0);
	ck_assert_str_eq(store_vfs_name(), "unix-none");
	free(cfg.db);
	cfg.db = strdup("file:x.db?mode=rw&vfs=nosuch");
	ck_assert_int_eq(use(err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "--db: SQLite has no VFS named "
	    "'nosuch'"));
	cfg.vfs = strdup("unix");
	free(cfg.db);
	cfg.db = strdup("file:x.db?vfs=unix-dotfile");
	ck_assert_int_eq(use(err, sizeof err), -1);
	ck_assert_str_eq(err, "--vfs names VFS 'unix' but the --db URI names "
	    "vfs=unix-dotfile");
	free(cfg.vfs);
	cfg.vfs = strdup("unix-dotfile");
	ck_assert_int_eq(use(err, sizeof err), 0);
}
END_TEST

/* unix-excl: one process on the database, or a usage error. */
START_TEST(test_store_use_excl)
{
	char err[512];

	cfg.vfs = strdup("unix-excl");
	ck_assert_int_eq(use(err, sizeof err), -1);     /* 4 workers */
	ck_assert_ptr_nonnull(strstr(err, "--workers above 1"));
	cfg.workers = 1;
	ck_assert_int_eq(use(err, sizeof err), -1);     /* snapshots */
	ck_assert_ptr_nonnull(strstr(err, "--validate-every 0"));
	cfg.validate_every_ns = 0;
	ck_assert_int_eq(use(err, sizeof err), 0);
	cfg.maintain = strdup("optimize@1s");
	ck_assert_int_eq(use(err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "--maintain"));
	free(cfg.maintain);
	cfg.maintain = NULL;
	cfg.store_cmd = strdup("sleep 1");
	ck_assert_int_eq(use(err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "--store-cmd"));
	free(cfg.store_cmd);
	cfg.store_cmd = NULL;
	/* The URI's vfs= counts the same. */
	free(cfg.vfs);
	cfg.vfs = NULL;
	cfg.db = strdup("file:x.db?vfs=unix-excl");
	cfg.workers = 2;
	ck_assert_int_eq(use(err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "--db: unix-excl"));
}
END_TEST

START_TEST(test_store_use_bad_extension)
{
	char err[512];

	cfg.load_extension = strdup("/nonexistent/ext.so:sqlite3_x_init");
	ck_assert_int_eq(use(err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "--load-extension: "));
	ck_assert_ptr_nonnull(strstr(err, "/nonexistent/ext.so"));
}
END_TEST

/*
 * Every open of the run's database (by its name or its resolved file)
 * gets --vfs; any other file, such as a copy, SQLite's default.
 */
START_TEST(test_store_open_vfs)
{
	char path[PATH_MAX], other[PATH_MAX], err[512];
	sqlite3 *db = NULL;

	cfg.vfs = strdup("unix-dotfile");
	cfg.journal = CONFIG_JOURNAL_DELETE;
	ck_assert_int_eq(use(err, sizeof err), 0);
	tpath(path, sizeof path, "v.db");
	tpath(other, sizeof other, "copy.db");
	ck_assert_int_eq(prepare(path, 0, NULL, 0, err, sizeof err),
	    STORE_OK);
	ck_assert_str_eq(store_db_file(), path);
	ck_assert_int_eq(store_sqlite_open(path, &db, SQLITE_OPEN_READONLY),
	    SQLITE_OK);
	ck_assert_str_eq(vfs_of(db), "unix-dotfile");
	sqlite3_close(db);
	ck_assert_int_eq(store_sqlite_open(other, &db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE), SQLITE_OK);
	ck_assert_str_eq(vfs_of(db), sqlite3_vfs_find(NULL)->zName);
	sqlite3_close(db);
}
END_TEST

/*
 * A URI: store_db_file() is the file it resolves to, and opening that
 * file opens the URI (its vfs=, its mode=rwc even for a read-only open).
 */
START_TEST(test_store_open_uri)
{
	char uri[PATH_MAX + 64], path[PATH_MAX], err[512];
	sqlite3 *db = NULL;

	cfg.journal = CONFIG_JOURNAL_DELETE;
	tpath(path, sizeof path, "u.db");
	snprintf(uri, sizeof uri, "file:%s?mode=rwc&vfs=unix-dotfile", path);
	cfg.db = strdup(uri);
	ck_assert_int_eq(use(err, sizeof err), 0);
	ck_assert_int_eq(prepare(uri, 1, NULL, 0, err, sizeof err), STORE_OK);
	ck_assert_str_eq(store_db_file(), path);
	ck_assert_int_eq(store_sqlite_open(store_db_file(), &db,
	    SQLITE_OPEN_READONLY), SQLITE_OK);
	ck_assert_str_eq(vfs_of(db), "unix-dotfile");
	exec_ok(db, "SELECT count(*) FROM sqlstorm_rows");
	sqlite3_close(db);
}
END_TEST

/* A wrapping VFS takes over the run's database, unless a URI names one. */
START_TEST(test_store_vfs_wrap)
{
	char path[PATH_MAX], uri[PATH_MAX + 64], err[512];
	sqlite3 *db = NULL;

	cfg.vfs = strdup("unix-dotfile");
	cfg.journal = CONFIG_JOURNAL_DELETE;
	ck_assert_int_eq(use(err, sizeof err), 0);
	tpath(path, sizeof path, "w.db");
	ck_assert_int_eq(prepare(path, 0, NULL, 0, err, sizeof err),
	    STORE_OK);
	ck_assert_int_eq(store_vfs_wrap("unix-none", err, sizeof err), 0);
	ck_assert_int_eq(store_sqlite_open(path, &db, SQLITE_OPEN_READONLY),
	    SQLITE_OK);
	ck_assert_str_eq(vfs_of(db), "unix-none");
	sqlite3_close(db);
	snprintf(uri, sizeof uri, "file:%s?vfs=unix-dotfile", path);
	free(cfg.vfs);
	cfg.vfs = NULL;
	ck_assert_int_eq(use(err, sizeof err), 0);
	ck_assert_int_eq(prepare(uri, 1, NULL, 0, err, sizeof err), STORE_OK);
	ck_assert_int_eq(store_vfs_wrap("unix-none", err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "vfs=unix-dotfile would open"));
}
END_TEST

/* mode=rwc creates the file on the first open: still ours to remove. */
START_TEST(test_store_prepare_uri_made)
{
	char uri[PATH_MAX + 64], path[PATH_MAX], made[PATH_MAX], err[512];

	tpath(path, sizeof path, "rwc.db");
	snprintf(uri, sizeof uri, "file:%s?mode=rwc&vfs=unix-none", path);
	/* unix-none has no shared memory: WAL is refused after the create. */
	ck_assert_int_eq(prepare(uri, 1, made, sizeof made, err, sizeof err),
	    STORE_HARD);
	ck_assert_ptr_nonnull(strstr(err, "journal mode wal"));
	ck_assert_int_eq(access(path, F_OK), -1);
	/* A file that was there stays. */
	close(open(path, O_CREAT | O_WRONLY, 0644));
	ck_assert_int_eq(prepare(uri, 1, made, sizeof made, err, sizeof err),
	    STORE_HARD);
	ck_assert_int_eq(access(path, F_OK), 0);
}
END_TEST

Suite *store_suite(void);

Suite *
store_suite(void)
{
	Suite *s = suite_create("store");
	TCase *tc;

	tc = tcase_create("prepare");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_store_prepare_fresh);
	tcase_add_test(tc, test_store_prepare_user_keeps_other_tables);
	tcase_add_test(tc, test_store_prepare_old_schema);
	tcase_add_test(tc, test_store_prepare_user_absent);
	tcase_add_test(tc, test_store_prepare_no_directory);
	tcase_add_test(tc, test_store_prepare_notadb);
	tcase_add_test(tc, test_store_prepare_corrupt);
	tcase_add_test(tc, test_store_prepare_unwritable);
	tcase_add_test(tc, test_store_prepare_journal_refused);
	tcase_add_test(tc, test_store_prepare_long_name_leaves_nothing);
	tcase_add_test(tc, test_store_prepare_in_memory);
	tcase_add_test(tc, test_store_prepare_not_regular);
	tcase_add_test(tc, test_store_prepare_made);
	suite_add_tcase(s, tc);

	tc = tcase_create("layout");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_store_layout_fresh);
	tcase_add_test(tc, test_store_layout_empty_user_file);
	tcase_add_test(tc, test_store_layout_existing_differs);
	tcase_add_test(tc, test_store_layout_existing_matches);
	tcase_add_test(tc, test_store_file_sizes);
	suite_add_tcase(s, tc);

	tc = tcase_create("handlers");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_store_busy_timeout);
	tcase_add_test(tc, test_store_busy_gives_up_at_shutdown);
	tcase_add_test(tc, test_store_progress_interrupts);
	tcase_add_test(tc, test_store_open_missing);
	tcase_add_test(tc, test_store_version);
	suite_add_tcase(s, tc);

	tc = tcase_create("vfs");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_store_use_names);
	tcase_add_test(tc, test_store_use_uri);
	tcase_add_test(tc, test_store_use_excl);
	tcase_add_test(tc, test_store_use_bad_extension);
	tcase_add_test(tc, test_store_open_vfs);
	tcase_add_test(tc, test_store_open_uri);
	tcase_add_test(tc, test_store_prepare_uri_made);
	tcase_add_test(tc, test_store_vfs_wrap);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(store_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
