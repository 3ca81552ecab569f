/* SPDX-License-Identifier: MIT */
/*
 * store: the SQLite scenario's database plumbing.  The parent prepares the
 * database (creates it or opens the user's, checks it, sets the journal
 * mode and has the workload create its own tables) and closes it before any
 * fork; each child opens its own connection with store_open() after fork,
 * with a busy handler that waits in short poll()s on the shutdown fd and a
 * progress handler that interrupts a statement once shutdown is seen.  No
 * sqlite3 handle ever crosses a fork.  It also knows how the run's
 * database is opened (--vfs, a file: URI's parameters, --load-extension):
 * every open of it, in any process, goes through store_sqlite_open().
 */
#ifndef SQLSTORM_STORE_H
#define SQLSTORM_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"

struct sqlite3;
struct child_ctx;
struct workload;

/*
 * In the parent, before the run directory, any open and any fork: load
 * cfg's --load-extension (once per process; it stays loaded for the life
 * of the process, so a VFS it registers is there in every child, which
 * inherits it), then check that SQLite knows --vfs and a --db URI's vfs=,
 * that the two agree, and that a unix-excl run has one process on the
 * database.  Returns 0, or -1 with a one-line message in err (a usage
 * error: nothing was created).
 */
int store_use(const struct config *cfg, char *err, size_t errlen);

/*
 * sqlite3_open_v2() for every database sqlstorm opens, always with
 * SQLITE_OPEN_URI.  When path names the run's database (as given to
 * store_prepare(), or the file it resolved to) it opens the name as given,
 * so a URI's parameters hold, with the run's --vfs; any other path (the
 * validator's copies and restores, which are its own files) with SQLite's
 * default VFS.  Returns the SQLite code; *db must be closed either way.
 */
int store_sqlite_open(const char *path, struct sqlite3 **db, int flags);

/*
 * The run's database on disk, for stat(), side files, {db} and the
 * report: the path given to store_prepare(), or, for a file: URI, the
 * file SQLite resolved it to (once store_prepare() opened it).
 */
const char *store_db_file(void);

/* The VFS the run names (--vfs or the URI's vfs=), "" for the default. */
const char *store_vfs_name(void);

/*
 * In a child that registered a VFS wrapping the run's own (built on
 * store_vfs_name(), e.g. the storage shim): open the run's database
 * through name from now on.  A URI's vfs= would win over it inside
 * SQLite, so a --db URI naming one is -1 with a one-line reason in err.
 * Returns 0.
 */
int store_vfs_wrap(const char *name, char *err, size_t errlen);

/*
 * store_vfs_wrap()'s check alone, for the parent before any fork (after
 * store_use()): 0, or -1 with the one-line reason in err.
 */
int store_vfs_wrappable(const char *name, char *err, size_t errlen);

enum store_status {
	STORE_OK = 0,
	STORE_HARD,      /* unusable input: cannot create, not a database, read-only */
	STORE_CORRUPT    /* an existing database fails its integrity check */
};

/*
 * Create (or open, if is_user is set) the database at path, check an
 * existing one with PRAGMA integrity_check, give a database without a
 * page yet cfg's --page-size and --auto-vacuum (an existing one whose
 * layout differs is STORE_HARD, left as it was), set journal mode and
 * synchronous from cfg, and have wl drop and recreate its own tables (and
 * nothing else) in one transaction.  The connection is closed before
 * returning.  The database must be one regular file on disk: a device,
 * FIFO, socket, in-memory or temporary database is STORE_HARD before
 * anything is written.  On STORE_HARD a file this call created is removed
 * again (with the side files it made); otherwise made (madelen bytes, may
 * be NULL) receives the path of the file it created, "" if the file was
 * there before, so the caller can take it back with store_remove() on a
 * later hard error.
 */
enum store_status store_prepare(const struct config *cfg,
    const struct workload *wl, const char *path, int is_user, char *made,
    size_t madelen, char *err, size_t errlen);

/* Remove file and its -journal, -wal and -shm ("" or NULL: nothing). */
void store_remove(const char *file);

/*
 * Busy-wait statistics kept by a child's busy handler.  store_open()
 * zeroes it and fills in the handler's context (ctx, timeout_ns).
 */
struct store_busy {
	uint64_t waits;       /* busy episodes (a statement met a lock) */
	int64_t  wait_ns;     /* time spent waiting */
	int64_t  begun_ns;    /* start of the last busy episode, 0 if none */
	struct child_ctx *ctx;      /* for the handlers; may be NULL */
	int64_t  timeout_ns;        /* cfg->busy_timeout_ns */
};

/*
 * In a child: open path read-write (or read-only), set synchronous (and,
 * for a writer, a rollback journal mode, which is per connection) from
 * cfg, and install the shutdown-aware busy and progress handlers (they use
 * ctx and busy, which must outlive the connection; ctx may be NULL outside
 * a child: then the busy handler only sleeps and there is no progress
 * handler).  Returns 0 with *db set, or -1 with err filled and *code the
 * (extended) SQLite code.
 */
int store_open(const struct config *cfg, const char *path, int readonly,
    struct child_ctx *ctx, struct store_busy *busy, struct sqlite3 **db,
    char *err, size_t errlen, int *code);

/*
 * In the parent, after every child is gone: fold the WAL back into the
 * database file (workers skip the checkpoint on close so shutdown stays
 * prompt).  Returns 0, or -1 if it could not (harmless: the WAL is valid).
 */
int store_checkpoint(const char *path);

/*
 * The size in bytes of the database file at path and of its -wal (0 if
 * there is none), by stat(): nothing is opened.  Returns 0, or -1 with
 * errno if the database file cannot be stat'ed.
 */
int store_file_sizes(const char *path, uint64_t *main_size,
    uint64_t *wal_size);

/* The SQLite library fingerprint: "3.40.1 2022-12-28 ...". */
const char *store_sqlite_version(void);

#endif
