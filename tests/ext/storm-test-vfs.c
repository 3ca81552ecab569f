/* SPDX-License-Identifier: MIT */
/*
 * storm-test-vfs: a loadable SQLite extension for tests/e2e-vfs.sh only
 * (built by make check, never installed).  Its entry point registers the
 * VFS "storm-test", a pass-through over the default VFS that appends one
 * line, "<pid> <file>", to the file named by $STORM_TEST_VFS_LOG each time
 * a main database is opened through it, so a test can see which processes
 * opened the database through it.  It changes no byte that is read or
 * written, and it deliberately returns SQLITE_OK, not
 * SQLITE_OK_LOAD_PERMANENTLY, so sqlstorm must keep it loaded itself.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3ext.h>
SQLITE_EXTENSION_INIT1

static sqlite3_vfs stv;

/* Every call that takes the VFS is handed to the real one. */
#define REAL ((sqlite3_vfs *)stv.pAppData)

static void
stv_note(const char *name)
{
	const char *log = getenv("STORM_TEST_VFS_LOG");
	char line[1024];
	int fd, n;

	if (log == NULL || *log == '\0')
		return;
	n = snprintf(line, sizeof line, "%ld %s\n", (long)getpid(),
	    name != NULL ? name : "");
	if (n < 0 || (size_t)n >= sizeof line)
		return;
	/* O_APPEND: lines from concurrent processes never interleave. */
	if ((fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644)) < 0)
		return;
	(void)!write(fd, line, (size_t)n);
	(void)close(fd);
}

static int
stv_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *f, int flags,
    int *out)
{
	int rc = REAL->xOpen(REAL, name, f, flags, out);

	if (rc == SQLITE_OK && (flags & SQLITE_OPEN_MAIN_DB))
		stv_note(name);
	return rc;
}

static int
stv_delete(sqlite3_vfs *vfs, const char *name, int sync)
{
	return REAL->xDelete(REAL, name, sync);
}

static int
stv_access(sqlite3_vfs *vfs, const char *name, int flags, int *out)
{
	return REAL->xAccess(REAL, name, flags, out);
}

static int
stv_full(sqlite3_vfs *vfs, const char *name, int n, char *out)
{
	return REAL->xFullPathname(REAL, name, n, out);
}

/* SQLite's default entry point for a file named storm-test-vfs.so. */
int sqlite3_stormtestvfs_init(sqlite3 *db, char **err,
    const sqlite3_api_routines *api);

int
sqlite3_stormtestvfs_init(sqlite3 *db, char **err,
    const sqlite3_api_routines *api)
{
	sqlite3_vfs *real;

	SQLITE_EXTENSION_INIT2(api);
	if (stv.zName != NULL)
		return SQLITE_OK;
	if ((real = sqlite3_vfs_find(NULL)) == NULL)
		return SQLITE_ERROR;
	/*
	 * The other methods (randomness, time, dlopen, ...) ignore the VFS
	 * pointer they are given, so the real ones are used as they are.
	 */
	stv = *real;
	stv.pNext = NULL;
	stv.zName = "storm-test";
	stv.pAppData = real;
	stv.xOpen = stv_open;
	stv.xDelete = stv_delete;
	stv.xAccess = stv_access;
	stv.xFullPathname = stv_full;
	return sqlite3_vfs_register(&stv, 0);
}
