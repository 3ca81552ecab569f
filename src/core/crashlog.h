/* SPDX-License-Identifier: MIT */
/*
 * crashlog: what a disk could hold after a power loss.  Processes that
 * write a set of files (the database, its journal, its WAL: file index
 * 0..CRASHLOG_NFILE-1) append to one shared log, before each write, the
 * old contents of the sectors it covers, and around each sync a begin
 * and an end; truncates keep the tail they cut, deletes the contents
 * they remove.  The log is one file opened O_APPEND by every process;
 * every record is one write(), made while the writer holds the
 * database's lock for what it records, so the log's order is the
 * files' order.
 *
 * After a cut (every writer stopped at once), crashlog_load() reads the
 * log against the files as they are and works out, for every sector
 * written since the last completed sync of its file, the versions it
 * could hold: the one the last completed sync made durable (or, for a
 * sector past the synced size, none), every version written since, and
 * the current one.  crashlog_build() then makes one crash image: a copy
 * of the files in which each such sector holds one of its versions,
 * chosen by a seeded draw, each file's size one it could have, an
 * unsynced truncate possibly undone, a deleted file whose unlink no
 * directory sync made durable possibly back, and optionally one sector
 * torn (a prefix of a new version over the old).  No state it builds is
 * one a disk without write ordering between syncs could not hold.
 *
 * It knows nothing of SQLite: files are indices, times are
 * CLOCK_MONOTONIC nanoseconds from the caller.  Sizes past what it
 * keeps (a truncated tail or a deleted file over CRASHLOG_KEEP_MAX) are
 * recorded as not kept, and the change is then treated as durable: the
 * images are fewer, never impossible.
 */
#ifndef SQLSTORM_CRASHLOG_H
#define SQLSTORM_CRASHLOG_H

#include <stddef.h>
#include <stdint.h>

#define CRASHLOG_NFILE    3
#define CRASHLOG_SECTOR   512
#define CRASHLOG_KEEP_MAX (64 * 1024 * 1024)

/* ------------------------------------------------------ the recorder */

/* One process's handle on the shared log. */
struct crashlog {
	int fd;                 /* O_WRONLY | O_APPEND, or -1 */
	int pid;                /* the writer, in every record */
};

/*
 * Open (creating it, mode 0600) the log at path for appending.  Returns
 * 0, or -1 with errno.  The files as they are when the first process
 * opens the log count as durable, and so does their directory entry
 * (a file whose first record is a write at size 0 counts as created
 * then): sync them and their directory before.  Open after fork: the
 * handle records the pid that opens it.
 */
int crashlog_open(struct crashlog *log, const char *path);

/* Close the handle (the log stays). */
void crashlog_close(struct crashlog *log);

/*
 * Before writing n bytes at off of file, whose size is old_size: old
 * holds the file's current contents of the sector-aligned range around
 * the write, [off rounded down to CRASHLOG_SECTOR, off + n rounded up),
 * cut at old_size (oldlen bytes: 0 when the write is all past the end).
 * Returns 0, or -1 with errno (the caller must then stop recording:
 * a log with a hole would build impossible states).
 */
int crashlog_write(struct crashlog *log, int file, int64_t t, int64_t off,
    int64_t n, int64_t old_size, const void *old, size_t oldlen);

/*
 * Around a sync of file: end == 0 before it starts, end == 1 after it
 * returned OK (a sync that failed logs no end).  dir: the sync also
 * syncs the directory (every earlier create and unlink in it is then
 * durable).  Returns 0 or -1 with errno.
 */
int crashlog_sync(struct crashlog *log, int file, int64_t t, int end,
    int dir);

/*
 * Before truncating file from old_size to new_size: tail holds the
 * contents of [new_size, old_size) (taillen bytes), or is NULL when the
 * caller did not keep it (then the truncate counts as durable).  A
 * truncate that extends (new_size > old_size) keeps nothing: tail and
 * taillen are ignored.  Returns 0 or -1 with errno.
 */
int crashlog_truncate(struct crashlog *log, int file, int64_t t,
    int64_t new_size, int64_t old_size, const void *tail, size_t taillen);

/*
 * Before deleting file: content holds all of it (len bytes, its size),
 * or is NULL when not kept (the delete then counts as durable).  dir:
 * the delete syncs the directory (it is durable at once).  Returns 0
 * or -1 with errno.
 */
int crashlog_delete(struct crashlog *log, int file, int64_t t,
    const void *content, size_t len, int dir);

/* ------------------------------------------------------- the builder */

struct crashlog_state;   /* what crashlog_load() worked out */

/* What one image holds, for the report. */
struct crashlog_image {
	uint64_t unsynced[CRASHLOG_NFILE];   /* sectors with a choice */
	uint64_t reverted[CRASHLOG_NFILE];   /* of those, not current */
	int      torn_file;                  /* -1: no sector torn */
	int64_t  torn_off;
	int      truncate_undone[CRASHLOG_NFILE];
	int      resurrected[CRASHLOG_NFILE]; /* a deleted file came back */
	int      present[CRASHLOG_NFILE];    /* the image has this file */
	int64_t  size[CRASHLOG_NFILE];       /* its size in the image */
};

/*
 * Read the log at log_path against the files as they are now
 * (files[i]: a path, absent or not; NULL: no such file is recorded).
 * The files stay open in *st until crashlog_free(): builds copy them as
 * they were at the load, so nobody may write them in between.  Returns
 * 0 with *st set (free with crashlog_free()), or -1 with a one-line
 * reason in err (unreadable log, a torn or malformed record, a record
 * for a file with no path, a sync end with no begin).
 */
int crashlog_load(const char *log_path, const char *const files[],
    struct crashlog_state **st, char *err, size_t errlen);

void crashlog_free(struct crashlog_state *st);

/*
 * Records dropped as torn: cut short by a writer killed inside its
 * append, which wrote nothing after (the write they announced never
 * happened).  A torn record of a writer that wrote again is a load
 * error.
 */
size_t crashlog_torn(const struct crashlog_state *st);

/* Sectors (all files) that have more than one possible version. */
uint64_t crashlog_unsynced(const struct crashlog_state *st);

/*
 * Build one image into out[i] (paths, needed where files[i] was given;
 * each is created or replaced, or removed when the image has no such
 * file; never the file itself: EINVAL), choosing every version from
 * seed; tear: also tear one drawn unsynced sector (the other draws are
 * the same as without).  Fills *img.  Reads the files streaming: memory
 * does not grow with their size.  Returns 0, or -1 with a one-line
 * reason in err.
 */
int crashlog_build(const struct crashlog_state *st, uint64_t seed,
    int tear, const char *const out[], struct crashlog_image *img,
    char *err, size_t errlen);

/*
 * The moment (the caller's t) the last completed sync of file began,
 * which made durable everything written to it before; dir != 0: the
 * last moment the directory was made durable, by a completed sync with
 * dir of any recorded file (its begin) or a delete with dir (file is
 * then ignored: the files share one directory).  0 if there was none.
 */
int64_t crashlog_synced_at(const struct crashlog_state *st, int file,
    int dir);

#endif
