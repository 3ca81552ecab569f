/* SPDX-License-Identifier: MIT */
/*
 * raw-insert: the baselines for bench/overhead.  One process, one
 * connection, the pragmas a sqlstorm run sets, as fast as it can for a
 * fixed time; then it prints the insert rate.  By default it runs the
 * append workload's schema and a sqlstorm worker's statements (BEGIN
 * IMMEDIATE; --batch INSERTs of (key, worker, seq, 64-byte random
 * payload, t); COMMIT).  With --lean it runs the least a program that
 * stores rows can do: autocommit single-row INSERTs of (id, 64-byte
 * payload) into an INTEGER PRIMARY KEY table.  It deliberately has none
 * of sqlstorm's machinery: no fork, no pipes, no ACKs, no busy or
 * progress handler, no validation.  What sqlstorm costs on top of bare
 * SQLite is the difference.  It links SQLite only.
 */
#include "autoconf.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#define RAW_PAYLOAD 64
#define RAW_NS_PER_S INT64_C(1000000000)

/* Kept in step with src/sqlite/workload-append.c (APPEND_SCHEMA). */
#define RAW_SCHEMA \
	"BEGIN IMMEDIATE;" \
	"DROP TABLE IF EXISTS sqlstorm_rows;" \
	"CREATE TABLE sqlstorm_rows(id INTEGER PRIMARY KEY," \
	" worker INTEGER NOT NULL, seq INTEGER NOT NULL," \
	" payload BLOB NOT NULL, t INTEGER NOT NULL);" \
	"COMMIT;"
#define RAW_INSERT_SQL \
	"INSERT INTO sqlstorm_rows(id, worker, seq, payload, t)" \
	" VALUES(?1, ?2, ?3, ?4, ?5)"

/* --lean: one B-tree, the payload, nothing else. */
#define RAW_LEAN_SCHEMA \
	"DROP TABLE IF EXISTS lean;" \
	"CREATE TABLE lean(id INTEGER PRIMARY KEY, payload BLOB NOT NULL);"
#define RAW_LEAN_SQL "INSERT INTO lean(id, payload) VALUES(?1, ?2)"

struct raw_opts {
	int64_t     duration_ns;
	long        batch;
	const char *db;         /* NULL: a temporary directory, removed */
	const char *journal;
	const char *sync;
	int         lean;       /* autocommit single-row INSERTs */
};

struct raw_run {
	sqlite3      *db;
	sqlite3_stmt *begin, *insert, *commit;
	uint64_t      rng;
	uint64_t      rows;
	unsigned char payload[RAW_PAYLOAD];
};

static void
usage(FILE *fp)
{
	fprintf(fp, "usage: raw-insert [--lean] [--duration DURATION]"
	    " [--batch N] [--db PATH]\n"
	    "                  [--journal MODE] [--sync LEVEL]\n"
	    "Insert like one sqlstorm worker, without sqlstorm, and print"
	    " the rate.\n"
	    "  --lean      autocommit single-row INSERTs into a table of"
	    " (id INTEGER\n"
	    "              PRIMARY KEY, payload): the least a program can do"
	    " (no --batch)\n"
	    "  --duration  how long to insert (default 5s; units ns us ms s"
	    " m)\n"
	    "  --batch     rows per transaction (default 1)\n"
	    "  --db        database file; its sqlstorm_rows table is"
	    " recreated\n"
	    "              (default: a temporary file, removed after)\n"
	    "  --journal   journal_mode (default wal)\n"
	    "  --sync      synchronous (default normal)\n");
}

static int64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * RAW_NS_PER_S + ts.tv_nsec;
}

/* The same splitmix64 the workers use: payloads that do not compress. */
static uint64_t
raw_rand(uint64_t *s)
{
	uint64_t z = (*s += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

/* "500ms", "5s", "2m", "0".  Returns 0 or -1 on bad syntax or overflow. */
static int
parse_duration(const char *s, int64_t *ns)
{
	static const struct { const char *unit; int64_t mul; } units[] = {
		{ "ns", 1 }, { "us", 1000 }, { "ms", 1000000 },
		{ "s", RAW_NS_PER_S }, { "m", 60 * RAW_NS_PER_S },
	};
	char *end;
	long long v;
	size_t i;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (end == s || errno != 0 || v < 0 || *s == '-' || *s == '+')
		return -1;
	for (i = 0; i < sizeof units / sizeof units[0]; i++) {
		if (strcmp(end, units[i].unit) != 0)
			continue;
		if (v > INT64_MAX / units[i].mul)
			return -1;
		*ns = (int64_t)v * units[i].mul;
		return 0;
	}
	if (*end == '\0' && v == 0) {
		*ns = 0;
		return 0;
	}
	return -1;
}

static int
parse_batch(const char *s, long *batch)
{
	char *end;

	errno = 0;
	*batch = strtol(s, &end, 10);
	return end == s || *end != '\0' || errno != 0 || *batch < 1 ||
	    *batch > 100000 ? -1 : 0;
}

/* Accept "--name value" and "--name=value".  Returns 0, 1 (help), -1. */
static int
parse_args(int argc, char **argv, struct raw_opts *o)
{
	int i;

	for (i = 1; i < argc; i++) {
		char *a = argv[i], *v = strchr(a, '=');
		size_t n = v != NULL ? (size_t)(v - a) : strlen(a);

		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0)
			return 1;
		if (strcmp(a, "--lean") == 0) {
			o->lean = 1;
			continue;
		}
		if (v != NULL)
			v++;
		else if (i + 1 < argc)
			v = argv[++i];
		else {
			fprintf(stderr, "raw-insert: %s needs a value\n", a);
			return -1;
		}
		if (n == 10 && strncmp(a, "--duration", n) == 0) {
			if (parse_duration(v, &o->duration_ns) < 0 ||
			    o->duration_ns == 0)
				goto bad;
		} else if (n == 7 && strncmp(a, "--batch", n) == 0) {
			if (parse_batch(v, &o->batch) < 0)
				goto bad;
		} else if (n == 4 && strncmp(a, "--db", n) == 0)
			o->db = v;
		else if (n == 9 && strncmp(a, "--journal", n) == 0)
			o->journal = v;
		else if (n == 6 && strncmp(a, "--sync", n) == 0)
			o->sync = v;
		else {
			fprintf(stderr, "raw-insert: unknown option '%.*s'\n",
			    (int)n, a);
			return -1;
		}
		continue;
bad:
		fprintf(stderr, "raw-insert: %.*s: bad value '%s'\n", (int)n,
		    a, v);
		return -1;
	}
	return 0;
}

static int
fail(sqlite3 *db, const char *what)
{
	fprintf(stderr, "raw-insert: %s: %s\n", what, db != NULL ?
	    sqlite3_errmsg(db) : "out of memory");
	return -1;
}

/* Journal mode, synchronous and schema, as store_prepare() sets them. */
static int
raw_setup(struct raw_run *r, const struct raw_opts *o)
{
	char sql[64];
	const char *got;
	sqlite3_stmt *st = NULL;

	snprintf(sql, sizeof sql, "PRAGMA journal_mode=%s", o->journal);
	if (sqlite3_prepare_v2(r->db, sql, -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_finalize(st);
		return fail(r->db, "journal_mode");
	}
	/* SQLite refuses a mode only by answering with the old one. */
	got = (const char *)sqlite3_column_text(st, 0);
	if (got == NULL || strcasecmp(got, o->journal) != 0) {
		fprintf(stderr, "raw-insert: journal mode %s not available"
		    " (got %s)\n", o->journal, got != NULL ? got : "none");
		sqlite3_finalize(st);
		return -1;
	}
	sqlite3_finalize(st);
	snprintf(sql, sizeof sql, "PRAGMA synchronous=%s", o->sync);
	if (sqlite3_exec(r->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return fail(r->db, "synchronous");
	if (sqlite3_exec(r->db, o->lean ? RAW_LEAN_SCHEMA : RAW_SCHEMA, NULL,
	    NULL, NULL) != SQLITE_OK)
		return fail(r->db, "schema");
	return 0;
}

static int
raw_open(struct raw_run *r, const struct raw_opts *o, const char *path)
{
	if (sqlite3_open_v2(path, &r->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE, NULL) != SQLITE_OK)
		return fail(r->db, path);
	sqlite3_extended_result_codes(r->db, 1);
	/* A worker's connection skips the checkpoint on close; so do we. */
	(void)sqlite3_db_config(r->db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1,
	    NULL);
	if (raw_setup(r, o) < 0)
		return -1;
	if (o->lean)
		return sqlite3_prepare_v2(r->db, RAW_LEAN_SQL, -1, &r->insert,
		    NULL) != SQLITE_OK ? fail(r->db, "prepare") : 0;
	/* The worker's statements, word for word. */
	if (sqlite3_prepare_v2(r->db, RAW_INSERT_SQL, -1, &r->insert,
	    NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(r->db, "BEGIN IMMEDIATE", -1, &r->begin,
	    NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(r->db, "COMMIT", -1, &r->commit, NULL) !=
	    SQLITE_OK)
		return fail(r->db, "prepare");
	return 0;
}

static int
raw_step(struct raw_run *r, sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);

	if (rc != SQLITE_DONE)
		return fail(r->db, sqlite3_sql(st));
	sqlite3_reset(st);
	return 0;
}

static void
raw_payload(struct raw_run *r)
{
	size_t j, k;

	for (j = 0; j < sizeof r->payload; j += 8) {
		uint64_t x = raw_rand(&r->rng);

		for (k = 0; k < 8; k++)
			r->payload[j + k] = (unsigned char)(x >> (8 * k));
	}
}

/* --lean: one autocommit INSERT of row seq. */
static int
raw_lean(struct raw_run *r, uint64_t seq)
{
	raw_payload(r);
	sqlite3_bind_int64(r->insert, 1, (sqlite3_int64)seq);
	sqlite3_bind_blob(r->insert, 2, r->payload, sizeof r->payload,
	    SQLITE_STATIC);
	return raw_step(r, r->insert);
}

/* One transaction of batch rows starting at seq, as worker 0 runs it. */
static int
raw_txn(struct raw_run *r, uint64_t seq, long batch)
{
	long i;

	if (raw_step(r, r->begin) < 0)
		return -1;
	for (i = 0; i < batch; i++, seq++) {
		raw_payload(r);
		sqlite3_bind_int64(r->insert, 1, (sqlite3_int64)seq);
		sqlite3_bind_int64(r->insert, 2, 0);
		sqlite3_bind_int64(r->insert, 3, (sqlite3_int64)seq);
		sqlite3_bind_blob(r->insert, 4, r->payload, sizeof r->payload,
		    SQLITE_STATIC);
		sqlite3_bind_int64(r->insert, 5, now_ns());
		if (raw_step(r, r->insert) < 0)
			return -1;
	}
	return raw_step(r, r->commit);
}

static int
raw_loop(struct raw_run *r, const struct raw_opts *o, int64_t *elapsed)
{
	int64_t t0 = now_ns(), deadline = t0 + o->duration_ns, t;
	uint64_t seq = 1;
	long n = o->lean ? 1 : o->batch;

	/* Like a worker, look at the clock once per transaction. */
	while ((t = now_ns()) < deadline) {
		if ((o->lean ? raw_lean(r, seq) : raw_txn(r, seq, n)) < 0)
			return -1;
		seq += (uint64_t)n;
		r->rows += (uint64_t)n;
	}
	*elapsed = t - t0;
	return 0;
}

static void
raw_close(struct raw_run *r)
{
	sqlite3_finalize(r->insert);
	sqlite3_finalize(r->begin);
	sqlite3_finalize(r->commit);
	sqlite3_close(r->db);
	r->insert = r->begin = r->commit = NULL;
	r->db = NULL;
}

static void
remove_db(const char *path)
{
	static const char *const sfx[] = { "", "-wal", "-shm", "-journal" };
	char buf[PATH_MAX];
	size_t i;

	for (i = 0; i < sizeof sfx / sizeof sfx[0]; i++) {
		snprintf(buf, sizeof buf, "%s%s", path, sfx[i]);
		(void)unlink(buf);
	}
}

int
main(int argc, char **argv)
{
	struct raw_opts o = { 5 * RAW_NS_PER_S, 1, NULL, "wal", "normal", 0 };
	struct raw_run r;
	char dir[PATH_MAX] = "", path[PATH_MAX];
	const char *tmp = getenv("TMPDIR");
	int64_t elapsed = 0;
	int rc = 1;

	memset(&r, 0, sizeof r);
	switch (parse_args(argc, argv, &o)) {
	case 1:
		usage(stdout);
		return 0;
	case -1:
		usage(stderr);
		return 2;
	}
	if (o.db == NULL) {
		snprintf(dir, sizeof dir, "%s/raw-insert.XXXXXX",
		    tmp != NULL && *tmp != '\0' ? tmp : "/tmp");
		if (mkdtemp(dir) == NULL) {
			fprintf(stderr, "raw-insert: mkdtemp %s: %s\n", dir,
			    strerror(errno));
			return 1;
		}
		snprintf(path, sizeof path, "%s/raw.db", dir);
	} else
		snprintf(path, sizeof path, "%s", o.db);
	r.rng = (uint64_t)now_ns();
	if (raw_open(&r, &o, path) < 0 || raw_loop(&r, &o, &elapsed) < 0)
		goto out;
	printf("raw-insert: %llu inserts in %.3f s = %.0f inserts/s\n",
	    (unsigned long long)r.rows, (double)elapsed / RAW_NS_PER_S,
	    (double)r.rows * RAW_NS_PER_S / (double)elapsed);
	rc = 0;
out:
	raw_close(&r);
	if (dir[0] != '\0') {
		remove_db(path);
		(void)rmdir(dir);
	}
	return rc;
}
