/* SPDX-License-Identifier: MIT */
/*
 * iovfs: the VFS shim (see iovfs.h).  Every method of a file of the
 * database under test runs the same way: count it, ask the fault hooks,
 * tell the recorder, run the wrapped method, tell the hooks the result.
 * Any other file is the wrapped VFS's own, behind one indirection.  The
 * shim keeps no state across calls but its counters and, per file,
 * whether its first sync will also sync the directory.
 */
#include "autoconf.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iovfs.h"
#include "util.h"

struct iovfs_file_s {
	sqlite3_file  base;       /* must be first: SQLite's view */
	sqlite3_file *real;       /* the wrapped file, right after this */
	int           kind;       /* enum iovfs_file, or -1: not watched */
	int           dirsync;    /* the next sync also syncs the directory */
	const char   *path;       /* the watched name (iovfs's copy) */
};

static struct {
	sqlite3_vfs          vfs;
	sqlite3_vfs         *base;
	int                  registered;
	char                 path[IOVFS_NFILE][PATH_MAX + 16];
	const struct iovfs_hooks *hooks[IOVFS_NHOOK];
	uint64_t             counts[IOVFS_NFILE][IOVFS_NOP];
	sqlite3_io_methods   methods[3];     /* iVersion 1, 2, 3 */
} iovfs;

static const char *const iovfs_files[IOVFS_NFILE] = {
	"db", "journal", "wal"
};

static const char *const iovfs_ops[IOVFS_NOP] = {
	"read", "write", "sync", "truncate", "open", "delete"
};

const char *
iovfs_file_name(enum iovfs_file f)
{
	return (unsigned)f < IOVFS_NFILE ? iovfs_files[f] : "?";
}

const char *
iovfs_op_name(enum iovfs_op op)
{
	return (unsigned)op < IOVFS_NOP ? iovfs_ops[op] : "?";
}

int
iovfs_op_from_name(const char *name)
{
	int i;

	for (i = 0; i < IOVFS_NOP; i++)
		if (strcmp(name, iovfs_ops[i]) == 0)
			return i;
	return -1;
}

int
iovfs_registered(void)
{
	return iovfs.registered;
}

void
iovfs_set_hooks(enum iovfs_slot slot, const struct iovfs_hooks *h)
{
	if ((unsigned)slot < IOVFS_NHOOK)
		iovfs.hooks[slot] = h;
}

void
iovfs_counts(uint64_t counts[IOVFS_NFILE][IOVFS_NOP])
{
	memcpy(counts, iovfs.counts, sizeof iovfs.counts);
}

/* Which watched file name is, or -1. */
static int
iovfs_kind(const char *name)
{
	int i;

	if (name == NULL)
		return -1;
	for (i = 0; i < IOVFS_NFILE; i++)
		if (iovfs.path[i][0] != '\0' && strcmp(name, iovfs.path[i]) == 0)
			return i;
	return -1;
}

/* Count ev, then ask every fault hook; the first error wins. */
static int
iovfs_fault(struct iovfs_event *ev)
{
	int i, rc;

	iovfs.counts[ev->file][ev->op]++;
	for (i = 0; i < IOVFS_NHOOK; i++)
		if (iovfs.hooks[i] != NULL && iovfs.hooks[i]->fault != NULL &&
		    (rc = iovfs.hooks[i]->fault(iovfs.hooks[i]->arg, ev)) !=
		    SQLITE_OK)
			return rc;
	return SQLITE_OK;
}

static void
iovfs_before(const struct iovfs_event *ev)
{
	int i;

	for (i = 0; i < IOVFS_NHOOK; i++)
		if (iovfs.hooks[i] != NULL && iovfs.hooks[i]->before != NULL)
			iovfs.hooks[i]->before(iovfs.hooks[i]->arg, ev);
}

static void
iovfs_after(const struct iovfs_event *ev, int rc)
{
	int i;

	for (i = 0; i < IOVFS_NHOOK; i++)
		if (iovfs.hooks[i] != NULL && iovfs.hooks[i]->after != NULL)
			iovfs.hooks[i]->after(iovfs.hooks[i]->arg, ev, rc);
}

/* An event on watched file f. */
static void
iovfs_event_init(struct iovfs_event *ev, struct iovfs_file_s *f,
    enum iovfs_op op, int64_t off, int n)
{
	memset(ev, 0, sizeof *ev);
	ev->op = op;
	ev->file = (enum iovfs_file)f->kind;
	ev->path = f->path;
	ev->real = f->real;
	ev->off = off;
	ev->n = n;
}

#define REAL(f) (((struct iovfs_file_s *)(f))->real)
#define WATCHED(f) (((struct iovfs_file_s *)(f))->kind >= 0)

static int
iovfs_close(sqlite3_file *file)
{
	sqlite3_file *real = REAL(file);
	int rc = real->pMethods != NULL ? real->pMethods->xClose(real) :
	    SQLITE_OK;

	file->pMethods = NULL;
	return rc;
}

static int
iovfs_read(sqlite3_file *file, void *buf, int amt, sqlite3_int64 off)
{
	struct iovfs_file_s *f = (struct iovfs_file_s *)file;
	struct iovfs_event ev;
	int rc;

	if (!WATCHED(file))
		return f->real->pMethods->xRead(f->real, buf, amt, off);
	iovfs_event_init(&ev, f, IOVFS_READ, off, amt);
	if ((rc = iovfs_fault(&ev)) != SQLITE_OK)
		return rc;
	iovfs_before(&ev);
	rc = f->real->pMethods->xRead(f->real, buf, amt, off);
	iovfs_after(&ev, rc);
	return rc;
}

static int
iovfs_write(sqlite3_file *file, const void *buf, int amt,
    sqlite3_int64 off)
{
	struct iovfs_file_s *f = (struct iovfs_file_s *)file;
	struct iovfs_event ev;
	int rc, frc;

	if (!WATCHED(file))
		return f->real->pMethods->xWrite(f->real, buf, amt, off);
	iovfs_event_init(&ev, f, IOVFS_WRITE, off, amt);
	ev.data = buf;
	frc = iovfs_fault(&ev);
	if (frc != SQLITE_OK && (ev.n >= amt || ev.n < 0))
		return frc;
	iovfs_before(&ev);
	rc = ev.n > 0 ? f->real->pMethods->xWrite(f->real, buf, ev.n, off) :
	    SQLITE_OK;
	if (rc == SQLITE_OK)
		rc = frc;
	iovfs_after(&ev, rc);
	return rc;
}

static int
iovfs_truncate(sqlite3_file *file, sqlite3_int64 size)
{
	struct iovfs_file_s *f = (struct iovfs_file_s *)file;
	struct iovfs_event ev;
	int rc;

	if (!WATCHED(file))
		return f->real->pMethods->xTruncate(f->real, size);
	iovfs_event_init(&ev, f, IOVFS_TRUNCATE, size, 0);
	if ((rc = iovfs_fault(&ev)) != SQLITE_OK)
		return rc;
	iovfs_before(&ev);
	rc = f->real->pMethods->xTruncate(f->real, size);
	iovfs_after(&ev, rc);
	return rc;
}

static int
iovfs_sync(sqlite3_file *file, int flags)
{
	struct iovfs_file_s *f = (struct iovfs_file_s *)file;
	struct iovfs_event ev;
	int rc;

	if (!WATCHED(file))
		return f->real->pMethods->xSync(f->real, flags);
	iovfs_event_init(&ev, f, IOVFS_SYNC, 0, 0);
	ev.flags = flags | (f->dirsync ? IOVFS_SYNC_DIR : 0);
	if ((rc = iovfs_fault(&ev)) != SQLITE_OK)
		return rc;
	iovfs_before(&ev);
	rc = f->real->pMethods->xSync(f->real, flags);
	/*
	 * The unix VFS syncs the directory once, after the file's own sync
	 * succeeded (whatever the directory's returns); after a failed one
	 * it is still to come.
	 */
	if (rc == SQLITE_OK)
		f->dirsync = 0;
	iovfs_after(&ev, rc);
	return rc;
}

static int
iovfs_file_size(sqlite3_file *file, sqlite3_int64 *size)
{
	return REAL(file)->pMethods->xFileSize(REAL(file), size);
}

static int
iovfs_lock(sqlite3_file *file, int lock)
{
	return REAL(file)->pMethods->xLock(REAL(file), lock);
}

static int
iovfs_unlock(sqlite3_file *file, int lock)
{
	return REAL(file)->pMethods->xUnlock(REAL(file), lock);
}

static int
iovfs_check_reserved(sqlite3_file *file, int *out)
{
	return REAL(file)->pMethods->xCheckReservedLock(REAL(file), out);
}

static int
iovfs_file_control(sqlite3_file *file, int op, void *arg)
{
	return REAL(file)->pMethods->xFileControl(REAL(file), op, arg);
}

static int
iovfs_sector_size(sqlite3_file *file)
{
	return REAL(file)->pMethods->xSectorSize(REAL(file));
}

static int
iovfs_device(sqlite3_file *file)
{
	return REAL(file)->pMethods->xDeviceCharacteristics(REAL(file));
}

static int
iovfs_shm_map(sqlite3_file *file, int pg, int pgsz, int extend,
    void volatile **pp)
{
	return REAL(file)->pMethods->xShmMap(REAL(file), pg, pgsz, extend, pp);
}

static int
iovfs_shm_lock(sqlite3_file *file, int offset, int n, int flags)
{
	return REAL(file)->pMethods->xShmLock(REAL(file), offset, n, flags);
}

static void
iovfs_shm_barrier(sqlite3_file *file)
{
	REAL(file)->pMethods->xShmBarrier(REAL(file));
}

static int
iovfs_shm_unmap(sqlite3_file *file, int del)
{
	return REAL(file)->pMethods->xShmUnmap(REAL(file), del);
}

/* Memory-mapped reads are declined: SQLite then reads with xRead. */
static int
iovfs_fetch(sqlite3_file *file, sqlite3_int64 off, int amt, void **pp)
{
	(void)file;
	(void)off;
	(void)amt;
	*pp = NULL;
	return SQLITE_OK;
}

static int
iovfs_unfetch(sqlite3_file *file, sqlite3_int64 off, void *p)
{
	(void)file;
	(void)off;
	(void)p;
	return SQLITE_OK;
}

static const sqlite3_io_methods iovfs_methods_v3 = {
	3, iovfs_close, iovfs_read, iovfs_write, iovfs_truncate, iovfs_sync,
	iovfs_file_size, iovfs_lock, iovfs_unlock, iovfs_check_reserved,
	iovfs_file_control, iovfs_sector_size, iovfs_device, iovfs_shm_map,
	iovfs_shm_lock, iovfs_shm_barrier, iovfs_shm_unmap, iovfs_fetch,
	iovfs_unfetch
};

static int
iovfs_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *file,
    int flags, int *out_flags)
{
	struct iovfs_file_s *f = (struct iovfs_file_s *)file;
	sqlite3_vfs *base = iovfs.base;
	struct iovfs_event ev;
	int rc, exists = 1, v;

	(void)vfs;
	memset(f, 0, sizeof *f);
	f->real = (sqlite3_file *)(f + 1);
	f->kind = iovfs_kind(name);
	if (f->kind >= 0) {
		f->path = iovfs.path[f->kind];
		memset(&ev, 0, sizeof ev);
		ev.op = IOVFS_OPEN;
		ev.file = (enum iovfs_file)f->kind;
		ev.path = f->path;
		ev.flags = flags;
		if ((rc = iovfs_fault(&ev)) != SQLITE_OK)
			return rc;
		if ((flags & SQLITE_OPEN_CREATE) &&
		    base->xAccess(base, name, SQLITE_ACCESS_EXISTS, &exists) !=
		    SQLITE_OK)
			exists = 1;
	}
	rc = base->xOpen(base, name, f->real, flags, out_flags);
	if (f->real->pMethods == NULL)
		return rc;
	v = f->real->pMethods->iVersion;
	file->pMethods = &iovfs.methods[(v < 1 ? 1 : v > 3 ? 3 : v) - 1];
	if (f->kind >= 0 && rc == SQLITE_OK) {
		ev.real = f->real;
		ev.created = !exists;
		/* The unix VFS syncs the directory at such a file's first sync. */
		f->dirsync = (flags & SQLITE_OPEN_CREATE) &&
		    (flags & (SQLITE_OPEN_MAIN_JOURNAL | SQLITE_OPEN_WAL));
		iovfs_before(&ev);
		iovfs_after(&ev, rc);
	}
	return rc;
}

static int
iovfs_delete(sqlite3_vfs *vfs, const char *name, int sync_dir)
{
	sqlite3_vfs *base = iovfs.base;
	struct iovfs_event ev;
	int kind = iovfs_kind(name), rc;

	(void)vfs;
	if (kind < 0)
		return base->xDelete(base, name, sync_dir);
	memset(&ev, 0, sizeof ev);
	ev.op = IOVFS_DELETE;
	ev.file = (enum iovfs_file)kind;
	ev.path = iovfs.path[kind];
	ev.flags = sync_dir;
	if ((rc = iovfs_fault(&ev)) != SQLITE_OK)
		return rc;
	iovfs_before(&ev);
	rc = base->xDelete(base, name, sync_dir);
	iovfs_after(&ev, rc);
	return rc;
}

/* The rest of the VFS is the wrapped one's. */
static int
iovfs_access(sqlite3_vfs *vfs, const char *name, int flags, int *out)
{
	(void)vfs;
	return iovfs.base->xAccess(iovfs.base, name, flags, out);
}

static int
iovfs_full_pathname(sqlite3_vfs *vfs, const char *name, int n, char *out)
{
	(void)vfs;
	return iovfs.base->xFullPathname(iovfs.base, name, n, out);
}

static void *
iovfs_dlopen(sqlite3_vfs *vfs, const char *name)
{
	(void)vfs;
	return iovfs.base->xDlOpen(iovfs.base, name);
}

static void
iovfs_dlerror(sqlite3_vfs *vfs, int n, char *out)
{
	(void)vfs;
	iovfs.base->xDlError(iovfs.base, n, out);
}

static void (*iovfs_dlsym(sqlite3_vfs *vfs, void *h, const char *sym))(void)
{
	(void)vfs;
	return iovfs.base->xDlSym(iovfs.base, h, sym);
}

static void
iovfs_dlclose(sqlite3_vfs *vfs, void *h)
{
	(void)vfs;
	iovfs.base->xDlClose(iovfs.base, h);
}

static int
iovfs_randomness(sqlite3_vfs *vfs, int n, char *out)
{
	(void)vfs;
	return iovfs.base->xRandomness(iovfs.base, n, out);
}

static int
iovfs_sleep(sqlite3_vfs *vfs, int us)
{
	(void)vfs;
	return iovfs.base->xSleep(iovfs.base, us);
}

static int
iovfs_current_time(sqlite3_vfs *vfs, double *out)
{
	(void)vfs;
	return iovfs.base->xCurrentTime(iovfs.base, out);
}

static int
iovfs_last_error(sqlite3_vfs *vfs, int n, char *out)
{
	(void)vfs;
	return iovfs.base->xGetLastError != NULL ?
	    iovfs.base->xGetLastError(iovfs.base, n, out) : 0;
}

static int
iovfs_current_time64(sqlite3_vfs *vfs, sqlite3_int64 *out)
{
	(void)vfs;
	return iovfs.base->xCurrentTimeInt64(iovfs.base, out);
}

/* Set the watched names: db_path and its "-journal" and "-wal". */
static int
iovfs_set_path(const char *db_path, char *err, size_t errlen)
{
	static const char *const suffix[IOVFS_NFILE] = {
		"", "-journal", "-wal"
	};
	int i;

	if (strlen(db_path) >= PATH_MAX) {
		snprintf(err, errlen, "cannot watch '%s': path too long",
		    db_path);
		return -1;
	}
	for (i = 0; i < IOVFS_NFILE; i++)
		snprintf(iovfs.path[i], sizeof iovfs.path[i], "%s%s", db_path,
		    suffix[i]);
	return 0;
}

/* Watch the file SQLite will name when it opens db_path through b. */
static int
iovfs_full_path(sqlite3_vfs *b, const char *db_path, char *err,
    size_t errlen)
{
	char full[PATH_MAX + 1];

	/* SQLITE_OK_SYMLINK: the unix VFS followed a symbolic link. */
	if (b->mxPathname > PATH_MAX ||
	    (b->xFullPathname(b, db_path, (int)sizeof full, full) & 0xff) !=
	    SQLITE_OK) {
		snprintf(err, errlen, "cannot resolve '%s'", db_path);
		return -1;
	}
	full[PATH_MAX] = '\0';
	return iovfs_set_path(full, err, errlen);
}

int
iovfs_register(const char *base, const char *db_path, char *err,
    size_t errlen)
{
	sqlite3_vfs *b;
	int i;

	if (iovfs.registered)
		return iovfs_full_path(iovfs.base, db_path, err, errlen);
	if ((b = sqlite3_vfs_find(base)) == NULL) {
		snprintf(err, errlen, "no VFS called '%s'", base != NULL ?
		    base : "(default)");
		return -1;
	}
	if (iovfs_full_path(b, db_path, err, errlen) < 0)
		return -1;
	for (i = 0; i < 3; i++) {
		iovfs.methods[i] = iovfs_methods_v3;
		iovfs.methods[i].iVersion = i + 1;
	}
	iovfs.base = b;
	memset(&iovfs.vfs, 0, sizeof iovfs.vfs);
	iovfs.vfs.iVersion = b->iVersion < 2 ? b->iVersion : 2;
	iovfs.vfs.szOsFile = (int)sizeof(struct iovfs_file_s) + b->szOsFile;
	iovfs.vfs.mxPathname = b->mxPathname;
	iovfs.vfs.zName = IOVFS_NAME;
	iovfs.vfs.xOpen = iovfs_open;
	iovfs.vfs.xDelete = iovfs_delete;
	iovfs.vfs.xAccess = iovfs_access;
	iovfs.vfs.xFullPathname = iovfs_full_pathname;
	iovfs.vfs.xDlOpen = iovfs_dlopen;
	iovfs.vfs.xDlError = iovfs_dlerror;
	iovfs.vfs.xDlSym = iovfs_dlsym;
	iovfs.vfs.xDlClose = iovfs_dlclose;
	iovfs.vfs.xRandomness = iovfs_randomness;
	iovfs.vfs.xSleep = iovfs_sleep;
	iovfs.vfs.xCurrentTime = iovfs_current_time;
	iovfs.vfs.xGetLastError = iovfs_last_error;
	if (b->iVersion >= 2)
		iovfs.vfs.xCurrentTimeInt64 = iovfs_current_time64;
	if (sqlite3_vfs_register(&iovfs.vfs, 1) != SQLITE_OK) {
		snprintf(err, errlen, "cannot register the %s VFS", IOVFS_NAME);
		return -1;
	}
	iovfs.registered = 1;
	return 0;
}
