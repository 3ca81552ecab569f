/* SPDX-License-Identifier: MIT */
/*
 * populate: --populate SIZE.  In the parent, after the schema and before
 * any fork, grow the database to at least SIZE with a fill table,
 * sqlstorm_fill(id INTEGER PRIMARY KEY, v BLOB), whose rows 1..N each
 * hold POPULATE_VALUE_BYTES bytes that are a pure function of (seed, id);
 * and, on every copy and on the final database, check that table: the
 * exact rows 1..N, and their bytes (all of them, or with quick a seeded
 * sample plus the first and the last).  Workload-independent: no workload
 * reads or writes the fill table, and this module touches no other.
 */
#ifndef SQLSTORM_POPULATE_H
#define SQLSTORM_POPULATE_H

#include <stddef.h>
#include <stdint.h>

struct sqlite3;
struct validate_result;

#define POPULATE_TABLE "sqlstorm_fill"
/* One row's value: an overflow chain on 4 KiB pages, local at 64 KiB. */
#define POPULATE_VALUE_BYTES 16384
/* Rows read by a quick check besides the first and the last. */
#define POPULATE_SAMPLE 32
/* Largest --populate: 1 TiB. */
#define POPULATE_MAX_BYTES (UINT64_C(1) << 40)

/* What populate_run() did, for the summary and the JSON. */
struct populate_stats {
	uint64_t target;      /* bytes asked for (0: off) */
	uint64_t bytes;       /* page_count * page_size afterwards */
	uint64_t added;       /* bytes the fill table took (pages in use) */
	uint64_t rows;        /* fill rows 1..rows */
	int64_t  ns;          /* wall time of the whole populate, with sync */
};

/*
 * Parse a --populate size: "0", or digits and a unit KiB, MiB or GiB
 * (powers of 1024, unit case-insensitive), at most POPULATE_MAX_BYTES.
 * Returns 0 with *bytes set, or -1 with a one-line message in err (which
 * does not name the flag); "64MB" gets a hint towards MiB.
 */
int populate_size_parse(const char *text, uint64_t *bytes, char *err,
    size_t errlen);

/*
 * The value of fill row id for seed: len bytes into buf.  A pure
 * function of (seed, id), so a checker needs only the seed.
 */
void populate_value(uint64_t seed, uint64_t id, unsigned char *buf,
    size_t len);

/*
 * In the parent, before any fork, after the schema is made and nothing
 * else has the file open: drop and recreate the fill table in the
 * database at path and add rows until the pages in use (page_count -
 * freelist_count, times page_size) hold target bytes (at least one
 * row).  It writes with journal_mode=OFF and
 * synchronous=OFF in big transactions, then fsync()s the file once and
 * sets journal_mode back to journal (a journal_mode name, "wal"), so the
 * run itself starts in the configured mode on a durable file.  The
 * connection is closed before returning.  Returns 0 with *st filled, or
 * -1 with a one-line message in err (the file may then be unusable: it
 * was sqlstorm's to test).
 */
int populate_run(const char *path, uint64_t target, uint64_t seed,
    const char *journal, struct populate_stats *st, char *err,
    size_t errlen);

/*
 * On a read-only connection to a copy or the final database: check the
 * fill table against rows 1..rows of seed.  Always the exact row set (a
 * missing or extra id is named); with quick = 0 every value byte for
 * byte, with quick = 1 the first, the last and POPULATE_SAMPLE rows
 * chosen by sample_seed.  A finding clears out->fill_ok and out->rows_ok
 * and names the row (validate_problem); out->fill_rows gets the count.
 * Returns SQLITE_OK, or the SQLite code of the query that failed.
 */
int populate_check(struct sqlite3 *db, uint64_t seed, uint64_t rows,
    int quick, uint64_t sample_seed, struct validate_result *out);

#endif
