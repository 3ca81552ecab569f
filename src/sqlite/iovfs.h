/* SPDX-License-Identifier: MIT */
/*
 * iovfs: sqlstorm's VFS shim, "sqlstorm-io".  It wraps another VFS (the
 * platform's default, or the one --vfs names) and passes every call
 * through, except that for the database under test, its rollback
 * journal and its WAL it counts reads, writes, syncs, truncates, opens
 * and deletes, and hands each of them to the hooks installed in this
 * process first: a fault hook may fail the call (or cut a write short)
 * and a recorder sees it before and after it runs.  Files other than
 * those three (a snapshot, a temporary file) only pass through.  It is
 * registered in a child only when a storage fault or power loss is asked
 * for, so a run without them never goes through it.  It knows nothing of
 * sqlstorm's runs, faults or logs: the hooks do (iofault.c, powerloss.c).
 * Memory-mapped reads (xFetch) are declined, so that every read of the
 * database is an xRead it can see; SQLite then reads with xRead as it
 * does with mmap_size=0 (the default).
 */
#ifndef SQLSTORM_IOVFS_H
#define SQLSTORM_IOVFS_H

#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#define IOVFS_NAME "sqlstorm-io"

/* Which file of the database under test. */
enum iovfs_file {
	IOVFS_DB = 0,       /* the database file */
	IOVFS_JOURNAL,      /* its rollback journal ("-journal") */
	IOVFS_WAL,          /* its write-ahead log ("-wal") */
	IOVFS_NFILE
};

enum iovfs_op {
	IOVFS_READ = 0,     /* xRead: off, n */
	IOVFS_WRITE,        /* xWrite: off, n */
	IOVFS_SYNC,         /* xSync: flags (SQLITE_SYNC_*; IOVFS_SYNC_DIR) */
	IOVFS_TRUNCATE,     /* xTruncate: off is the new size */
	IOVFS_OPEN,         /* xOpen: flags (SQLITE_OPEN_*), created */
	IOVFS_DELETE,       /* xDelete by name: flags is syncDir */
	IOVFS_NOP
};

/*
 * Set in a SYNC event's flags when this sync also syncs the directory:
 * the first xSync of a journal or WAL opened with SQLITE_OPEN_CREATE,
 * which is when the unix VFS fsyncs the directory (a file it created is
 * then sure to be found after a power loss, and an earlier unlink in
 * that directory sure to hold).
 */
#define IOVFS_SYNC_DIR 0x10000

/* One call on a file of the database under test. */
struct iovfs_event {
	enum iovfs_op   op;
	enum iovfs_file file;
	const char     *path;     /* the file's full path */
	sqlite3_file   *real;     /* the wrapped file (NULL for OPEN before,
	                             and for DELETE): read old contents here */
	int64_t         off;      /* READ/WRITE: offset; TRUNCATE: new size */
	int             n;        /* READ/WRITE: bytes; a fault may lower it */
	int             flags;    /* see enum iovfs_op */
	int             created;  /* OPEN: this open created the file */
	const void     *data;     /* WRITE: the bytes to write */
};

/*
 * What a hook set does with each event.  Any member may be NULL.
 *  fault:  called first; return SQLITE_OK to let the call go on, or an
 *          error code to return instead of running it.  For a WRITE it
 *          may lower ev->n and return an error code: the first ev->n
 *          bytes are written (a short write), then the code is returned.
 *  before: called after every fault hook let the call go on (with the
 *          possibly lowered n), right before the real call.
 *  after:  called after the real call, with its result (also after a
 *          short write: rc is then the fault's code).
 */
struct iovfs_hooks {
	void *arg;
	int  (*fault)(void *arg, struct iovfs_event *ev);
	void (*before)(void *arg, const struct iovfs_event *ev);
	void (*after)(void *arg, const struct iovfs_event *ev, int rc);
};

/* Hook slots: faults run before the recorder. */
enum iovfs_slot {
	IOVFS_HOOK_FAULT = 0,
	IOVFS_HOOK_RECORD,
	IOVFS_NHOOK
};

/*
 * Register "sqlstorm-io" in this process, wrapping the VFS called base
 * (NULL: the default VFS), as the default VFS, for the database whose
 * full path is db_path (its journal and WAL are db_path plus "-journal"
 * and "-wal").  Call it before the first open, once per process (a
 * second call, or one after fork in a child, replaces the path and
 * keeps the registration).  Returns 0, or -1 with a one-line reason in
 * err (unknown base VFS, path too long).
 */
int iovfs_register(const char *base, const char *db_path, char *err,
    size_t errlen);

/* 1 if iovfs_register() succeeded in this process, else 0. */
int iovfs_registered(void);

/* Install (or with NULL remove) the hook set of a slot. */
void iovfs_set_hooks(enum iovfs_slot slot, const struct iovfs_hooks *h);

/*
 * How many calls of each op reached each file in this process, faults
 * included.  counts[file][op].
 */
void iovfs_counts(uint64_t counts[IOVFS_NFILE][IOVFS_NOP]);

/* Static names: "db", "journal", "wal"; "read", "write", ... */
const char *iovfs_file_name(enum iovfs_file f);
const char *iovfs_op_name(enum iovfs_op op);

/* The op called name ("read", "write", "sync", "truncate", "open"), or -1. */
int iovfs_op_from_name(const char *name);

#endif
