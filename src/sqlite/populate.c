/* SPDX-License-Identifier: MIT */
/*
 * populate: grow the database before the clock starts (--populate SIZE)
 * with a fill table whose every byte is a function of (seed, id), and
 * check that table on every copy and on the final database.  The fill is
 * written in the parent before any fork, in big transactions with no
 * journal and no sync, then made durable with one fsync() before the
 * configured journal mode is set back: nothing is acknowledged while it
 * runs, and every check afterwards verifies what it wrote, so the cheap
 * mode can hide nothing.  It knows no workload table, never judges
 * against ACKs and knows nothing of children or pipes.
 */
#include "autoconf.h"
#include "populate.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <sqlite3.h>

#include "store.h"
#include "util.h"
#include "validate.h"

/* Rows per populate transaction: 64 MiB of values. */
#define POPULATE_TXN_ROWS ((64u << 20) / POPULATE_VALUE_BYTES)
/* Mixed into the seed so fill values never equal a workload's stream. */
#define POPULATE_SALT UINT64_C(0x66696c6c5f76616c)
#define POPULATE_GOLDEN UINT64_C(0x9e3779b97f4a7c15)

/* ------------------------------------------------------------ sizes */

static const struct {
	const char *name;
	unsigned    shift;
} populate_units[] = {
	{ "KiB", 10 }, { "MiB", 20 }, { "GiB", 30 }
};

#define POPULATE_NUNITS (sizeof populate_units / sizeof populate_units[0])

/* "64MB", "64M", "64mb": the decimal spellings people reach for. */
static int
populate_decimal_unit(const char *unit)
{
	static const char *const near[] = {
		"K", "M", "G", "KB", "MB", "GB", "B", NULL
	};
	size_t i;

	for (i = 0; near[i] != NULL; i++)
		if (strcasecmp(unit, near[i]) == 0)
			return 1;
	return 0;
}

int
populate_size_parse(const char *text, uint64_t *bytes, char *err,
    size_t errlen)
{
	char shown[UTIL_SHOW_MAX + 8];
	unsigned long long v;
	const char *p = text;
	char *end;
	size_t i;

	if (strcmp(text, "0") == 0) {
		*bytes = 0;
		return 0;
	}
	if (*p >= '0' && *p <= '9') {
		errno = 0;
		v = strtoull(p, &end, 10);
		for (i = 0; errno == 0 && i < POPULATE_NUNITS; i++) {
			if (strcasecmp(end, populate_units[i].name) != 0)
				continue;
			if (v > (POPULATE_MAX_BYTES >>
			    populate_units[i].shift))
				break;
			*bytes = (uint64_t)v << populate_units[i].shift;
			return 0;
		}
		if (errno == 0 && i == POPULATE_NUNITS &&
		    populate_decimal_unit(end)) {
			util_set_err(err, errlen, "'%s' is not a size: write "
			    "KiB, MiB or GiB (powers of 1024)",
			    util_show(text, shown, sizeof shown));
			return -1;
		}
	}
	util_set_err(err, errlen, "'%s' is not a size from 1KiB to 1024GiB "
	    "(units: KiB, MiB, GiB), or 0", util_show(text, shown,
	    sizeof shown));
	return -1;
}

/* ------------------------------------------------------------ values */

void
populate_value(uint64_t seed, uint64_t id, unsigned char *buf, size_t len)
{
	uint64_t s = seed ^ POPULATE_SALT ^ (id * POPULATE_GOLDEN), r = 0;
	size_t i;

	/*
	 * Little-endian bytes of each word, the same on every host.  Spelt
	 * out so the compiler merges them into one store: a populate of
	 * 1 GiB makes 2^27 words, and so does the check that reads it.
	 */
	for (i = 0; i + 8 <= len; i += 8) {
		r = util_rand64(&s);
		buf[i] = (unsigned char)r;
		buf[i + 1] = (unsigned char)(r >> 8);
		buf[i + 2] = (unsigned char)(r >> 16);
		buf[i + 3] = (unsigned char)(r >> 24);
		buf[i + 4] = (unsigned char)(r >> 32);
		buf[i + 5] = (unsigned char)(r >> 40);
		buf[i + 6] = (unsigned char)(r >> 48);
		buf[i + 7] = (unsigned char)(r >> 56);
	}
	if (i < len)
		r = util_rand64(&s);
	for (; i < len; i++, r >>= 8)
		buf[i] = (unsigned char)r;
}

/* ------------------------------------------------------------ populate */

/*
 * The bytes of main in use, (page_count - freelist_count) * page_size,
 * into *used, and the file's, page_count * page_size, into *file (may be
 * NULL).  Pages freed by an earlier fill table stay in the file: only
 * used pages count towards the target.  A SQLite code.
 */
static int
populate_file_bytes(sqlite3 *db, uint64_t *used, uint64_t *file)
{
	sqlite3_stmt *st = NULL;
	int rc;

	rc = sqlite3_prepare_v2(db, "SELECT page_count, freelist_count, "
	    "page_size FROM pragma_page_count, pragma_freelist_count, "
	    "pragma_page_size", -1, &st, NULL);
	if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		uint64_t pages = (uint64_t)sqlite3_column_int64(st, 0);
		uint64_t free = (uint64_t)sqlite3_column_int64(st, 1);
		uint64_t size = (uint64_t)sqlite3_column_int64(st, 2);

		*used = (pages - (free < pages ? free : pages)) * size;
		if (file != NULL)
			*file = pages * size;
		rc = SQLITE_OK;
	}
	sqlite3_finalize(st);
	return rc;
}

/* PRAGMA journal_mode=want, and check what SQLite actually set. */
static int
populate_journal(sqlite3 *db, const char *want, char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	char sql[64];
	int rc;

	snprintf(sql, sizeof sql, "PRAGMA journal_mode=%s", want);
	rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
	if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *got = (const char *)sqlite3_column_text(st, 0);

		rc = got != NULL && strcasecmp(got, want) == 0 ? SQLITE_OK :
		    SQLITE_ERROR;
		if (rc != SQLITE_OK)
			util_set_err(err, errlen, "journal mode %s is not "
			    "available (got %s)", want, got != NULL ? got : "?");
	} else
		util_set_err(err, errlen, "cannot set journal mode %s: %s",
		    want, sqlite3_errmsg(db));
	sqlite3_finalize(st);
	return rc;
}

/* Rows id+1 .. id+n in one transaction. */
static int
populate_rows(sqlite3 *db, sqlite3_stmt *ins, uint64_t seed, uint64_t *id,
    uint64_t n, unsigned char *buf)
{
	int rc = sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);

	for (; rc == SQLITE_OK && n > 0; n--) {
		populate_value(seed, *id + 1, buf, POPULATE_VALUE_BYTES);
		sqlite3_bind_int64(ins, 1, (sqlite3_int64)(*id + 1));
		sqlite3_bind_blob(ins, 2, buf, POPULATE_VALUE_BYTES,
		    SQLITE_STATIC);
		rc = sqlite3_step(ins);
		rc = rc == SQLITE_DONE ? SQLITE_OK : rc;
		(void)sqlite3_reset(ins);
		if (rc == SQLITE_OK)
			(*id)++;
	}
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	return rc;
}

/*
 * Add rows until the file uses target bytes: each round asks for what is
 * still missing (a row costs a little more than its value, so the last
 * round or two add a few rows), at most POPULATE_TXN_ROWS at a time.
 */
static int
populate_grow(sqlite3 *db, uint64_t target, uint64_t seed,
    struct populate_stats *st)
{
	sqlite3_stmt *ins = NULL;
	unsigned char *buf = malloc(POPULATE_VALUE_BYTES);
	uint64_t used = 0, before = 0, need, n;
	int rc = SQLITE_NOMEM;

	if (buf == NULL)
		return rc;
	rc = populate_file_bytes(db, &before, NULL);
	used = before;
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(db, "INSERT INTO " POPULATE_TABLE
		    "(id, v) VALUES(?, ?)", -1, &ins, NULL);
	while (rc == SQLITE_OK && (used < target || st->rows == 0)) {
		need = used < target ? target - used : 1;
		n = (need + POPULATE_VALUE_BYTES - 1) / POPULATE_VALUE_BYTES;
		if (n > POPULATE_TXN_ROWS)
			n = POPULATE_TXN_ROWS;
		rc = populate_rows(db, ins, seed, &st->rows, n, buf);
		if (rc == SQLITE_OK)
			rc = populate_file_bytes(db, &used, &st->bytes);
	}
	sqlite3_finalize(ins);
	free(buf);
	st->added = used - before;
	return rc;
}

/*
 * The fill was written with synchronous=OFF: make it durable with one
 * fsync() of the file before the run's first transaction, which then
 * gets exactly the configured guarantees.
 */
static int
populate_sync(sqlite3 *db, char *err, size_t errlen)
{
	const char *file = sqlite3_db_filename(db, "main");
	int fd;

	if (file == NULL || *file == '\0')
		return 0;
	if ((fd = open(file, O_RDWR)) < 0 || fsync(fd) < 0) {
		util_set_err(err, errlen, "cannot sync '%s': %s", file,
		    strerror(errno));
		util_close(&fd);
		return -1;
	}
	util_close(&fd);
	return 0;
}

static int
populate_open(const char *path, sqlite3 **db, char *err, size_t errlen)
{
	int rc = store_sqlite_open(path, db, SQLITE_OPEN_READWRITE);

	if (rc == SQLITE_OK) {
		sqlite3_extended_result_codes(*db, 1);
		return 0;
	}
	util_set_err(err, errlen, "cannot open '%s': %s", path, *db != NULL ?
	    sqlite3_errmsg(*db) : sqlite3_errstr(rc));
	return -1;
}

int
populate_run(const char *path, uint64_t target, uint64_t seed,
    const char *journal, struct populate_stats *st, char *err,
    size_t errlen)
{
	sqlite3 *db = NULL;
	int64_t t0 = util_now_ns();
	int rc, ret = -1;

	memset(st, 0, sizeof *st);
	st->target = target;
	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (populate_open(path, &db, err, errlen) < 0)
		goto out;
	/*
	 * No journal, no sync: nothing else has the file open, nothing is
	 * acknowledged yet, and a populate cut short is a hard error.
	 */
	if ((rc = populate_journal(db, "off", err, errlen)) != SQLITE_OK)
		goto out;
	if ((rc = sqlite3_exec(db, "PRAGMA synchronous=OFF;"
	    "DROP TABLE IF EXISTS " POPULATE_TABLE ";"
	    "CREATE TABLE " POPULATE_TABLE "(id INTEGER PRIMARY KEY,"
	    " v BLOB NOT NULL)", NULL, NULL, NULL)) != SQLITE_OK ||
	    (rc = populate_grow(db, target, seed, st)) != SQLITE_OK) {
		util_set_err(err, errlen, "cannot populate '%s': %s", path,
		    sqlite3_errmsg(db));
		goto out;
	}
	if (populate_sync(db, err, errlen) < 0 ||
	    populate_journal(db, journal, err, errlen) != SQLITE_OK)
		goto out;
	ret = 0;
out:
	sqlite3_close(db);
	st->ns = util_now_ns() - t0;
	return ret;
}

/* ------------------------------------------------------------ checks */

static void
populate_missing(struct validate_result *out, uint64_t id, uint64_t rows)
{
	validate_problem(out, "fill: row id %" PRIu64 " is missing "
	    "(populated 1..%" PRIu64 ")", id, rows);
	out->fill_ok = 0;
}

static void
populate_extra(struct validate_result *out, int64_t id, uint64_t rows)
{
	validate_problem(out, "fill: row id %" PRId64 " is extra "
	    "(populated 1..%" PRIu64 ")", id, rows);
	out->fill_ok = 0;
}

/*
 * Compare column col of st (fill row id) with its value; want is
 * POPULATE_VALUE_BYTES of scratch.  Returns 0 when equal, -1 (noted).
 */
static int
populate_compare(struct validate_result *out, uint64_t seed, uint64_t id,
    sqlite3_stmt *st, int col, unsigned char *want)
{
	const unsigned char *got = sqlite3_column_blob(st, col);
	int type = sqlite3_column_type(st, col);
	size_t len = (size_t)sqlite3_column_bytes(st, col), i;

	populate_value(seed, id, want, POPULATE_VALUE_BYTES);
	if (type != SQLITE_BLOB || len != POPULATE_VALUE_BYTES) {
		validate_problem(out, "fill: row id %" PRIu64 " holds %s of "
		    "%zu bytes, expected a blob of %d", id, type == SQLITE_BLOB ?
		    "a blob" : type == SQLITE_NULL ? "NULL" : "a non-blob",
		    len, POPULATE_VALUE_BYTES);
		out->fill_ok = 0;
		return -1;
	}
	if (memcmp(got, want, len) == 0)
		return 0;
	for (i = 0; got[i] == want[i]; i++)
		continue;
	validate_problem(out, "fill: row id %" PRIu64 " differs at byte %zu "
	    "of %d (expected 0x%02x, found 0x%02x)", id, i,
	    POPULATE_VALUE_BYTES, want[i], got[i]);
	out->fill_ok = 0;
	return -1;
}

/*
 * Walk the table in id order (with values when want is not NULL) and name
 * the first id that is missing, extra or (with values) wrong.
 */
static int
populate_walk(sqlite3 *db, uint64_t seed, uint64_t rows,
    unsigned char *want, struct validate_result *out)
{
	sqlite3_stmt *st = NULL;
	uint64_t expect = 1;
	int rc;

	rc = sqlite3_prepare_v2(db, want != NULL ? "SELECT id, v FROM "
	    POPULATE_TABLE " ORDER BY id" : "SELECT id FROM " POPULATE_TABLE
	    " ORDER BY id", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(st, 0);

		if (id < 1 || (uint64_t)id > rows) {
			populate_extra(out, id, rows);
			break;
		}
		if ((uint64_t)id > expect) {
			populate_missing(out, expect, rows);
			break;
		}
		if (want != NULL && populate_compare(out, seed, expect, st, 1,
		    want) < 0)
			break;
		expect++;
	}
	if (rc == SQLITE_DONE && expect <= rows)
		populate_missing(out, expect, rows);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? SQLITE_OK : rc;
}

/* Compare row id, which the walk or the count showed is there. */
static int
populate_one(sqlite3_stmt *get, uint64_t seed, uint64_t id, uint64_t rows,
    unsigned char *want, struct validate_result *out)
{
	int rc;

	sqlite3_bind_int64(get, 1, (sqlite3_int64)id);
	rc = sqlite3_step(get);
	if (rc == SQLITE_ROW)
		(void)populate_compare(out, seed, id, get, 0, want);
	else if (rc == SQLITE_DONE)
		populate_missing(out, id, rows);
	(void)sqlite3_reset(get);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* The first, the last and POPULATE_SAMPLE rows picked by sample_seed. */
static int
populate_sample(sqlite3 *db, uint64_t seed, uint64_t rows,
    uint64_t sample_seed, unsigned char *want, struct validate_result *out)
{
	sqlite3_stmt *get = NULL;
	uint64_t s = sample_seed, id;
	int rc, i;

	rc = sqlite3_prepare_v2(db, "SELECT v FROM " POPULATE_TABLE
	    " WHERE id = ?", -1, &get, NULL);
	for (i = -2; rc == SQLITE_OK && out->fill_ok && i < POPULATE_SAMPLE;
	    i++) {
		id = i == -2 ? 1 : i == -1 ? rows : util_rand64(&s) % rows + 1;
		rc = populate_one(get, seed, id, rows, want, out);
	}
	sqlite3_finalize(get);
	return rc;
}

/* count(*), and whether the ids are exactly 1..rows. */
static int
populate_count(sqlite3 *db, uint64_t rows, uint64_t *count, int *exact)
{
	sqlite3_stmt *st = NULL;
	int rc;

	*exact = 0;
	rc = sqlite3_prepare_v2(db, "SELECT count(*), min(id), max(id) FROM "
	    POPULATE_TABLE, -1, &st, NULL);
	if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		*count = (uint64_t)sqlite3_column_int64(st, 0);
		/* Integer keys are unique: n of them in 1..n are all of 1..n. */
		*exact = *count == rows && sqlite3_column_int64(st, 1) == 1 &&
		    (uint64_t)sqlite3_column_int64(st, 2) == rows;
		rc = SQLITE_OK;
	}
	sqlite3_finalize(st);
	return rc;
}

static int
populate_table_exists(sqlite3 *db, int *yes)
{
	sqlite3_stmt *st = NULL;
	int rc;

	*yes = 0;
	rc = sqlite3_prepare_v2(db, "SELECT 1 FROM sqlite_master WHERE "
	    "type = 'table' AND name = '" POPULATE_TABLE "'", -1, &st, NULL);
	if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW)
		*yes = 1;
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? SQLITE_OK : rc;
}

int
populate_check(sqlite3 *db, uint64_t seed, uint64_t rows, int quick,
    uint64_t sample_seed, struct validate_result *out)
{
	unsigned char *want = NULL;
	int rc, yes = 0, exact = 0;

	out->fill_ok = 1;
	if ((rc = populate_table_exists(db, &yes)) != SQLITE_OK)
		goto out;
	if (!yes) {
		validate_problem(out, "fill: table " POPULATE_TABLE " is "
		    "missing (populated 1..%" PRIu64 ")", rows);
		out->fill_ok = 0;
		goto out;
	}
	if ((want = malloc(POPULATE_VALUE_BYTES)) == NULL) {
		rc = SQLITE_NOMEM;
		goto out;
	}
	if ((rc = populate_count(db, rows, &out->fill_rows, &exact)) !=
	    SQLITE_OK)
		goto out;
	if (!quick)
		rc = populate_walk(db, seed, rows, want, out);
	else if (!exact)
		rc = populate_walk(db, seed, rows, NULL, out);
	else
		rc = populate_sample(db, seed, rows, sample_seed, want, out);
out:
	free(want);
	if (!out->fill_ok)
		out->rows_ok = 0;
	return rc;
}
