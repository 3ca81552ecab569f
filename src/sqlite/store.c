/* SPDX-License-Identifier: MIT */
/*
 * store: the SQLite scenario's database plumbing.  In the parent, before
 * any fork, store_prepare() creates or checks the database, sets the
 * layout of a new one (page size, auto_vacuum) and its journal mode, has
 * the workload recreate its own tables and closes the connection again;
 * on every tick the parent stats the file (store_file_sizes()).  In a child, store_open() opens a private connection
 * whose busy handler waits in short poll()s on the shutdown fd and gives up
 * at shutdown or at the busy timeout, and whose progress handler interrupts
 * a long statement once shutdown is seen.  Before all that, store_use()
 * loads --load-extension and checks --vfs and a --db URI's vfs=; from then
 * on every open of the run's database, in any process, goes through
 * store_sqlite_open(), which opens it as the user named it (the URI, the
 * VFS) while any other file (a copy) opens SQLite's default way.  It never
 * touches a table (the workload owns its own), never keeps a handle across
 * a fork, and never judges or reports errors itself: callers do.
 */
#include "autoconf.h"
#include "store.h"

#include <ctype.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "child.h"
#include "util.h"
#include "workload.h"

/* Statements between two progress-handler calls. */
#define STORE_PROGRESS_OPS 1000

/*
 * The run's database as every process opens it: its name as given (a
 * path, or a file: URI whose parameters must hold in every process), the
 * file SQLite resolved it to, and the VFS (--vfs).  Set in the parent by
 * store_use() and store_prepare() before any fork, so every child inherits
 * it; it holds names only, never a handle.  Process-wide because every
 * opener (store, validate, populate) must open the same database the same
 * way, and the validator's copies must not.
 */
static struct {
	char name[PATH_MAX + 512];
	char file[PATH_MAX];
	char vfs[256];                  /* --vfs; "" = SQLite's default */
	char used[256];                 /* --vfs or the URI's vfs=, or "" */
	int  mode;                      /* store_uri_mode() of name */
	char loaded[PATH_MAX + 128];    /* --load-extension already loaded */
} store_run;

static void
serr(char *err, size_t errlen, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

static void
serr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static int
store_ms(int64_t ns)
{
	int64_t ms = (ns + UTIL_NS_PER_MS - 1) / UTIL_NS_PER_MS;

	return ms > INT_MAX ? INT_MAX : (int)ms;
}

/* ------------------------------------------------ the run's database */

int
store_sqlite_open(const char *path, struct sqlite3 **db, int flags)
{
	const char *vfs = NULL;

	const int access = SQLITE_OPEN_READONLY | SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE;

	if (store_run.name[0] != '\0' && (strcmp(path, store_run.name) == 0 ||
	    (store_run.file[0] != '\0' && strcmp(path, store_run.file) == 0))) {
		path = store_run.name;
		vfs = store_run.vfs[0] != '\0' ? store_run.vfs : NULL;
		/* The file exists by then: CREATE makes nothing. */
		if (store_run.mode != 0)
			flags = (flags & ~access) | store_run.mode;
	}
	return sqlite3_open_v2(path, db, flags | SQLITE_OPEN_URI, vfs);
}

const char *
store_db_file(void)
{
	if (strncmp(store_run.name, "file:", 5) == 0 &&
	    store_run.file[0] != '\0')
		return store_run.file;
	return store_run.name;
}

static int
store_hex(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower((unsigned char)c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Copy n bytes of s into out (cap), %XX decoded as SQLite does. */
static void
store_unescape(const char *s, size_t n, char *out, size_t cap)
{
	size_t i, o = 0;

	for (i = 0; i < n && o + 1 < cap; i++) {
		if (s[i] == '%' && i + 2 < n && store_hex(s[i + 1]) >= 0 &&
		    store_hex(s[i + 2]) >= 0) {
			out[o++] = (char)(store_hex(s[i + 1]) << 4 |
			    store_hex(s[i + 2]));
			i += 2;
		} else
			out[o++] = s[i];
	}
	out[o] = '\0';
}

/*
 * The parameter key of a file: URI into out (cap): 1 if it has one (the
 * last one wins, as in SQLite), 0 if not.  The fragment is ignored.
 */
static int
store_uri_param(const char *uri, const char *key, char *out, size_t cap)
{
	const char *q;
	char name[16];
	size_t n, k;
	int found = 0;

	if (strncmp(uri, "file:", 5) != 0 || (q = strchr(uri, '?')) == NULL)
		return 0;
	for (q++; *q != '\0' && *q != '#'; q += n + (q[n] == '&')) {
		n = strcspn(q, "&#");
		k = strcspn(q, "=&#");
		if (k >= n)
			continue;
		store_unescape(q, k, name, sizeof name);
		if (strcmp(name, key) != 0)
			continue;
		store_unescape(q + k + 1, n - k - 1, out, cap);
		found = 1;
	}
	return found;
}

/*
 * SQLite refuses to open a URI asking for less access than its mode=
 * (mode=rwc needs SQLITE_OPEN_CREATE): the access every open of the run's
 * database asks for instead of its own, or 0 to keep its own.
 */
static int
store_uri_mode(const char *uri)
{
	char mode[16];

	if (!store_uri_param(uri, "mode", mode, sizeof mode))
		return 0;
	if (strcmp(mode, "rwc") == 0)
		return SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
	return strcmp(mode, "rw") == 0 ? SQLITE_OPEN_READWRITE : 0;
}

/* "PATH:ENTRY" splits at the last colon only if ENTRY is a C name. */
static int
store_ext_split(const char *spec, char *path, size_t cap, const char **entry)
{
	const char *colon = strrchr(spec, ':');
	const char *e;

	*entry = NULL;
	if (colon != NULL && (isalpha((unsigned char)colon[1]) ||
	    colon[1] == '_')) {
		for (e = colon + 1; isalnum((unsigned char)*e) || *e == '_'; e++)
			continue;
		if (*e == '\0')
			*entry = colon + 1;
	}
	if (*entry == NULL)
		colon = spec + strlen(spec);
	if ((size_t)(colon - spec) >= cap)
		return -1;
	memcpy(path, spec, (size_t)(colon - spec));
	path[colon - spec] = '\0';
	return 0;
}

/*
 * Keep the library SQLite just loaded mapped for the life of the process:
 * SQLite unloads it when the loading connection closes unless its entry
 * point returned SQLITE_OK_LOAD_PERMANENTLY, and a VFS (or an automatic
 * extension) it registered would then point into unmapped code.
 * RTLD_NOLOAD only finds the copy already loaded, under the name SQLite
 * used (path, or path plus the suffix it tried next).
 */
static void
store_ext_pin(const char *path)
{
#if defined(RTLD_NOLOAD) && defined(RTLD_NODELETE)
	static const char *const sfx[] = { "", ".so", ".dylib", ".dll" };
	char name[PATH_MAX + 16];
	size_t i;

	for (i = 0; i < sizeof sfx / sizeof sfx[0]; i++) {
		snprintf(name, sizeof name, "%s%s", path, sfx[i]);
		/* The handle is never closed: that is the point. */
		if (dlopen(name, RTLD_NOW | RTLD_NOLOAD | RTLD_NODELETE) !=
		    NULL)
			return;
	}
#else
	(void)path;
#endif
}

/* One line of SQLite's message: a loader's may hold newlines. */
static void
store_one_line(char *s)
{
	for (; *s != '\0'; s++)
		if (*s == '\n' || *s == '\r')
			*s = ' ';
}

/*
 * --load-extension: load it on a private in-memory connection (the C API
 * only: SQL's load_extension() stays off), pin it and close the
 * connection again, so no handle is left to cross a fork.
 */
static int
store_ext_load(const char *who, const char *spec, char *err, size_t errlen)
{
	char path[PATH_MAX];
	const char *entry;
	char *msg = NULL;
	sqlite3 *db = NULL;
	int rc;

	if (store_ext_split(spec, path, sizeof path, &entry) < 0) {
		serr(err, errlen, "%s: the path is too long", who);
		return -1;
	}
	rc = sqlite3_open_v2(":memory:", &db, SQLITE_OPEN_READWRITE, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION,
		    1, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_load_extension(db, path, entry, &msg);
	if (rc == SQLITE_OK)
		store_ext_pin(path);
	else {
		serr(err, errlen, "%s: %s", who, msg != NULL ? msg :
		    db != NULL ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
		store_one_line(err);
	}
	sqlite3_free(msg);
	sqlite3_close(db);
	return rc == SQLITE_OK ? 0 : -1;
}

/* The VFS names SQLite knows, for an error message. */
static void
store_vfs_list(char *buf, size_t cap)
{
	sqlite3_vfs *v;
	size_t n = 0;

	buf[0] = '\0';
	for (v = sqlite3_vfs_find(NULL); v != NULL && n < cap; v = v->pNext)
		n += (size_t)snprintf(buf + n, cap - n, "%s%s",
		    n > 0 ? ", " : "", v->zName);
}

/* A name SQLite must know: 0, or -1 with a message naming who. */
static int
store_vfs_known(const char *who, const char *name, char *err, size_t errlen)
{
	char list[256];

	if (sqlite3_vfs_find(name) != NULL)
		return 0;
	store_vfs_list(list, sizeof list);
	serr(err, errlen, "%s: SQLite has no VFS named '%s' (it has: %s)",
	    who, name, list);
	return -1;
}

/*
 * unix-excl keeps an exclusive lock on the database from a connection's
 * first read until it closes, so a second process never gets in (it
 * waits out its busy timeout and fails with SQLITE_BUSY): only a run
 * where one process has the database open at a time can work.
 */
static int
store_excl_ok(const struct config *cfg, const char *who, char *err,
    size_t errlen)
{
	const char *other = cfg->workers > 1 ? "--workers above 1" :
	    cfg->validate_every_ns > 0 ? "snapshots (--validate-every 0 "
	    "turns them off)" : cfg->maintain != NULL ? "--maintain" :
	    cfg->store_cmd != NULL ? "--store-cmd" : NULL;

	if (other == NULL)
		return 0;
	serr(err, errlen, "%s: unix-excl locks the database for one process "
	    "at a time; it cannot run with %s", who, other);
	return -1;
}

int
store_use(const struct config *cfg, char *err, size_t errlen)
{
	char who[96], uri_vfs[256];
	const char *vfs = cfg->vfs;

	store_run.name[0] = '\0';
	store_run.file[0] = '\0';
	store_run.used[0] = '\0';
	util_strlcpy(store_run.vfs, vfs != NULL ? vfs : "",
	    sizeof store_run.vfs);
	/* Once per process: --repeat runs them all in this one. */
	if (cfg->load_extension != NULL &&
	    strcmp(store_run.loaded, cfg->load_extension) != 0) {
		config_who(cfg, CONFIG_LOAD_EXTENSION, who, sizeof who);
		if (store_ext_load(who, cfg->load_extension, err, errlen) < 0)
			return -1;
		util_strlcpy(store_run.loaded, cfg->load_extension,
		    sizeof store_run.loaded);
	}
	config_who(cfg, CONFIG_VFS, who, sizeof who);
	if (vfs != NULL && store_vfs_known(who, vfs, err, errlen) < 0)
		return -1;
	if (cfg->db != NULL && store_uri_param(cfg->db, "vfs", uri_vfs,
	    sizeof uri_vfs)) {
		if (vfs != NULL && strcmp(vfs, uri_vfs) != 0) {
			serr(err, errlen, "%s names VFS '%s' but the --db URI "
			    "names vfs=%s", who, vfs, uri_vfs);
			return -1;
		}
		config_who(cfg, CONFIG_DB, who, sizeof who);
		if (store_vfs_known(who, uri_vfs, err, errlen) < 0)
			return -1;
		vfs = uri_vfs;
	}
	util_strlcpy(store_run.used, vfs != NULL ? vfs : "",
	    sizeof store_run.used);
	/* memdb is SQLite's in-memory VFS: a database per process. */
	if (vfs != NULL && strcmp(vfs, "memdb") == 0) {
		serr(err, errlen, "%s: memdb keeps the database in memory, "
		    "private to each process; give a VFS that uses the file",
		    who);
		return -1;
	}
	if (vfs != NULL && strcmp(vfs, "unix-excl") == 0)
		return store_excl_ok(cfg, who, err, errlen);
	return 0;
}

const char *
store_vfs_name(void)
{
	return store_run.used;
}

int
store_vfs_wrappable(const char *name, char *err, size_t errlen)
{
	char uri_vfs[256];

	if (store_uri_param(store_run.name, "vfs", uri_vfs, sizeof uri_vfs)) {
		serr(err, errlen, "the --db URI's vfs=%s would open the "
		    "database past the %s VFS: name it with --vfs instead",
		    uri_vfs, name);
		return -1;
	}
	return 0;
}

int
store_vfs_wrap(const char *name, char *err, size_t errlen)
{
	if (store_vfs_wrappable(name, err, errlen) < 0)
		return -1;
	util_strlcpy(store_run.vfs, name, sizeof store_run.vfs);
	return 0;
}

/*
 * Run a one-row statement (a PRAGMA) and copy its first column into val
 * (cap bytes, "" if none).  Returns the SQLite code: SQLITE_OK or an error.
 */
static int
store_pragma(sqlite3 *db, const char *sql, char *val, size_t cap)
{
	sqlite3_stmt *st = NULL;
	int rc;

	val[0] = '\0';
	if ((rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL)) != SQLITE_OK)
		return rc;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const char *s = (const char *)sqlite3_column_text(st, 0);

		util_strlcpy(val, s != NULL ? s : "", cap);
		rc = SQLITE_OK;
	} else if (rc == SQLITE_DONE)
		rc = SQLITE_OK;
	sqlite3_finalize(st);
	return rc;
}

/*
 * The user's existing file must be a regular file, readable and writable
 * by us.  A device, a FIFO or a socket is refused before SQLite opens it:
 * it would put a -journal beside /dev/null.
 */
static enum store_status
store_access(const char *path, char *err, size_t errlen)
{
	struct stat sb;

	if (stat(path, &sb) == 0 && !S_ISREG(sb.st_mode)) {
		serr(err, errlen, "cannot use '%s': not a regular file", path);
		return STORE_HARD;
	}
	if (access(path, F_OK) < 0) {
		/* Absent is fine: SQLite creates it if the directory exists. */
		if (errno == ENOENT)
			return STORE_OK;
	} else if (access(path, R_OK | W_OK) == 0)
		return STORE_OK;
	serr(err, errlen, "cannot use '%s': %s", path, strerror(errno));
	return STORE_HARD;
}

/*
 * Is the file a local file: URI names absent?  (Its path, %XX decoded,
 * relative to the working directory as SQLite takes it.)  Asked just
 * before the open that would create it: a file another process makes in
 * between would be taken for ours, the one race a plain path's O_EXCL
 * avoids.
 */
static int
store_uri_absent(const char *uri)
{
	char file[PATH_MAX];
	const char *s = uri + 5;

	if (s[0] == '/' && s[1] == '/') {
		if (strncmp(s + 2, "localhost/", 10) != 0 && s[2] != '/')
			return 0;
		s = strchr(s + 2, '/');
	}
	store_unescape(s, strcspn(s, "?#"), file, sizeof file);
	return file[0] != '\0' && access(file, F_OK) < 0 && errno == ENOENT;
}

/*
 * Open path read-write, creating it only if it is not there: *created
 * says whether this call made the file, so a hard error can take it back.
 * A file that was there opens on the first try; an absent one fails with
 * SQLITE_CANTOPEN and is created on the second.
 */
static enum store_status
store_create(const char *path, sqlite3 **db, int *created, char *err,
    size_t errlen)
{
	int rc, sys, fd, absent;

	*created = 0;
	/*
	 * A plain path is created here with O_EXCL, so "made by this run"
	 * is decided by the kernel: a file another process creates at the
	 * same moment is never counted as ours (and never removed on a hard
	 * error).  URIs, SQLite's special names ("", ":memory:") and
	 * dangling symlinks (O_EXCL does not follow them) fall back to
	 * SQLite's own open-then-create below.
	 */
	if (strncmp(path, "file:", 5) != 0 && *path != '\0' &&
	    strcmp(path, ":memory:") != 0) {
		fd = open(path, O_RDWR | O_CREAT | O_EXCL, 0666);
		if (fd >= 0) {
			(void)close(fd);
			*created = 1;
		} else if (errno != EEXIST) {
			serr(err, errlen, "cannot create '%s': %s", path,
			    strerror(errno));
			return STORE_HARD;
		}
	}
	/* A URI's mode=rwc has SQLite create the file on the first open. */
	absent = strncmp(path, "file:", 5) == 0 && store_uri_mode(path) ==
	    (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) &&
	    store_uri_absent(path);
	rc = store_sqlite_open(path, db, SQLITE_OPEN_READWRITE);
	if (absent && rc == SQLITE_OK)
		*created = 1;
	if (!*created && (rc & 0xff) == SQLITE_CANTOPEN) {
		sqlite3_close(*db);
		*db = NULL;
		rc = store_sqlite_open(path, db, SQLITE_OPEN_READWRITE |
		    SQLITE_OPEN_CREATE);
		*created = rc == SQLITE_OK;
	}
	if (rc == SQLITE_OK)
		return STORE_OK;
	/* "unable to open database file" hides the useful part: errno. */
	sys = *db != NULL ? sqlite3_system_errno(*db) : 0;
	serr(err, errlen, "cannot create '%s': %s", path, sys != 0 ?
	    strerror(sys) : *db != NULL ? sqlite3_errmsg(*db) :
	    sqlite3_errstr(rc));
	return STORE_HARD;
}

/*
 * Every process opens the database by name, so it must be one regular
 * file on disk: an in-memory or temporary database (SQLite names it "")
 * would be a different, empty database in each process, and a VFS that
 * keeps it elsewhere (memdb) has no file to stat.  Runs before the first
 * read or write; copies SQLite's full path of the file into file.
 */
static enum store_status
store_on_disk(sqlite3 *db, const char *path, char *file, size_t cap,
    char *err, size_t errlen)
{
	const char *name = sqlite3_db_filename(db, "main");
	struct stat sb;

	if (name == NULL || *name == '\0') {
		serr(err, errlen, "cannot use '%s': an in-memory database is "
		    "private to each process; give a file", path);
		return STORE_HARD;
	}
	if (stat(name, &sb) < 0 || !S_ISREG(sb.st_mode)) {
		serr(err, errlen, "cannot use '%s': not a regular file on disk",
		    path);
		return STORE_HARD;
	}
	if (strlen(name) >= cap) {
		serr(err, errlen, "cannot use '%s': path too long", path);
		return STORE_HARD;
	}
	util_strlcpy(file, name, cap);
	return STORE_OK;
}

/*
 * PRAGMA integrity_check, the same check the snapshots and the final
 * database get, so nothing found afterwards can have been there before.
 */
static enum store_status
store_quick_check(sqlite3 *db, const char *path, char *err, size_t errlen)
{
	char line[256];
	int rc;

	rc = store_pragma(db, "PRAGMA integrity_check", line, sizeof line);
	if ((rc & 0xff) == SQLITE_NOTADB) {
		serr(err, errlen, "'%s' is not a SQLite database", path);
		return STORE_HARD;
	}
	if ((rc & 0xff) == SQLITE_CORRUPT) {
		serr(err, errlen, "'%s' is corrupt before the run: %s", path,
		    sqlite3_errmsg(db));
		return STORE_CORRUPT;
	}
	if (rc != SQLITE_OK) {
		serr(err, errlen, "cannot check '%s': %s", path,
		    sqlite3_errmsg(db));
		return STORE_HARD;
	}
	if (strcmp(line, "ok") != 0) {
		/* Skip the "*** in database main ***" banner: say what broke. */
		char *what = line;

		if (strncmp(what, "*** ", 4) == 0 && strchr(what, '\n') != NULL)
			what = strchr(what, '\n') + 1;
		what[strcspn(what, "\n")] = '\0';
		serr(err, errlen, "'%s' is corrupt before the run: %s", path,
		    what);
		return STORE_CORRUPT;
	}
	return STORE_OK;
}

/*
 * Ask for the journal mode and check what SQLite actually set: WAL is
 * refused on some file systems and VFSes, and SQLite says so only by
 * returning the old mode.
 */
static int
store_journal(sqlite3 *db, const char *path, enum config_journal j,
    char *err, size_t errlen)
{
	const char *want = config_journal_name(j);
	char sql[64], got[32];
	int rc;

	snprintf(sql, sizeof sql, "PRAGMA journal_mode=%s", want);
	if ((rc = store_pragma(db, sql, got, sizeof got)) != SQLITE_OK) {
		serr(err, errlen, "cannot set journal mode %s on '%s': %s",
		    want, path, sqlite3_errmsg(db));
		return rc;
	}
	if (strcasecmp(got, want) != 0) {
		serr(err, errlen, "journal mode %s is not available for '%s'"
		    " (got %s)", want, path, got);
		return SQLITE_ERROR;
	}
	return SQLITE_OK;
}

static int
store_sync(sqlite3 *db, enum config_sync s)
{
	char sql[64];

	snprintf(sql, sizeof sql, "PRAGMA synchronous=%s", config_sync_name(s));
	return sqlite3_exec(db, sql, NULL, NULL, NULL);
}

/*
 * The workload's tables, in one transaction.  The message is taken before
 * the ROLLBACK, which would replace it.
 */
static int
store_schema(const struct workload *wl, sqlite3 *db, const char *path,
    char *err, size_t errlen)
{
	int rc = sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL);

	if (rc == SQLITE_OK && (rc = wl->setup(db)) == SQLITE_OK)
		rc = sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	if (rc == SQLITE_OK)
		return rc;
	serr(err, errlen, "cannot prepare '%s': %s", path, sqlite3_errmsg(db));
	if (!sqlite3_get_autocommit(db))
		(void)sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

/*
 * PRAGMA name as an integer (page_count, page_size, auto_vacuum).
 * Returns the SQLite code.
 */
static int
store_pragma_int(sqlite3 *db, const char *name, long *out)
{
	char sql[64], val[32];
	int rc;

	snprintf(sql, sizeof sql, "PRAGMA %s", name);
	if ((rc = store_pragma(db, sql, val, sizeof val)) == SQLITE_OK)
		*out = strtol(val, NULL, 10);
	return rc;
}

/*
 * The layout a file has against the one asked for (only what was set):
 * 0 if it matches, else -1 with a message.  what says what is being
 * compared ("has", or "was created with" after setting it).
 */
static int
store_layout_differs(const struct config *cfg, sqlite3 *db, const char *path,
    const char *what, char *err, size_t errlen)
{
	long size = 0, av = 0;

	if (store_pragma_int(db, "page_size", &size) != SQLITE_OK ||
	    store_pragma_int(db, "auto_vacuum", &av) != SQLITE_OK) {
		serr(err, errlen, "cannot read the layout of '%s': %s", path,
		    sqlite3_errmsg(db));
		return -1;
	}
	if (cfg->page_size_set && size != cfg->page_size) {
		serr(err, errlen, "'%s' %s page size %ld, not %d (--page-size)",
		    path, what, size, cfg->page_size);
		return -1;
	}
	if (cfg->auto_vacuum_set && av != (long)cfg->auto_vacuum) {
		serr(err, errlen, "'%s' %s auto_vacuum %s, not %s "
		    "(--auto-vacuum)", path, what,
		    config_auto_vacuum_name((enum config_auto_vacuum)av),
		    config_auto_vacuum_name(cfg->auto_vacuum));
		return -1;
	}
	return 0;
}

/*
 * --page-size and --auto-vacuum: set on a database with no page yet
 * (one this run created, or an empty file), before journal_mode=WAL and
 * the schema write the first page; an existing database must already
 * have them, since changing them would rewrite the user's file.
 */
static enum store_status
store_layout(const struct config *cfg, sqlite3 *db, const char *path,
    char *err, size_t errlen)
{
	char sql[64], tail[PATH_MAX + 128];
	long pages = 0;

	if (!cfg->page_size_set && !cfg->auto_vacuum_set)
		return STORE_OK;
	if (store_pragma_int(db, "page_count", &pages) != SQLITE_OK) {
		serr(err, errlen, "cannot read the layout of '%s': %s", path,
		    sqlite3_errmsg(db));
		return STORE_HARD;
	}
	if (pages > 0) {
		if (store_layout_differs(cfg, db, path, "has", tail,
		    sizeof tail) == 0)
			return STORE_OK;
		serr(err, errlen, "%s: sqlstorm sets the layout only of a "
		    "database it creates; the file is left as it was", tail);
		return STORE_HARD;
	}
	if (cfg->page_size_set) {
		snprintf(sql, sizeof sql, "PRAGMA page_size=%d", cfg->page_size);
		if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
			goto fail;
	}
	if (cfg->auto_vacuum_set) {
		snprintf(sql, sizeof sql, "PRAGMA auto_vacuum=%s",
		    config_auto_vacuum_name(cfg->auto_vacuum));
		if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
			goto fail;
	}
	return STORE_OK;
fail:
	serr(err, errlen, "cannot set the layout of '%s': %s", path,
	    sqlite3_errmsg(db));
	return STORE_HARD;
}

/* Checks on an open connection, then layout, mode and schema. */
static enum store_status
store_setup(const struct config *cfg, const struct workload *wl, sqlite3 *db,
    const char *path, char *err, size_t errlen)
{
	enum store_status st;

	if (sqlite3_db_readonly(db, "main") == 1) {
		serr(err, errlen, "'%s' is read-only", path);
		return STORE_HARD;
	}
	if ((st = store_quick_check(db, path, err, errlen)) != STORE_OK)
		return st;
	if ((st = store_layout(cfg, db, path, err, errlen)) != STORE_OK)
		return st;
	if (store_journal(db, path, cfg->journal, err, errlen) != SQLITE_OK)
		return STORE_HARD;
	if (store_sync(db, cfg->sync) != SQLITE_OK) {
		serr(err, errlen, "cannot prepare '%s': %s", path,
		    sqlite3_errmsg(db));
		return STORE_HARD;
	}
	if (store_schema(wl, db, path, err, errlen) != SQLITE_OK)
		return STORE_HARD;
	/* SQLite ignores a page size it cannot use: say so, do not run. */
	if (store_layout_differs(cfg, db, path, "was created with", err,
	    errlen) < 0)
		return STORE_HARD;
	return STORE_OK;
}

/* The side files SQLite may make beside a database. */
static const char *const store_sides[] = { "-journal", "-wal", "-shm" };
#define STORE_NSIDES (sizeof store_sides / sizeof store_sides[0])

/* Bit i set: file + store_sides[i] exists now. */
static unsigned
store_sides_present(const char *file)
{
	char side[PATH_MAX + 16];
	unsigned present = 0;
	size_t i;

	for (i = 0; i < STORE_NSIDES; i++) {
		snprintf(side, sizeof side, "%s%s", file, store_sides[i]);
		if (access(side, F_OK) == 0)
			present |= 1u << i;
	}
	return present;
}

/* Remove file and the side files whose bit is not set in keep. */
static void
store_unlink(const char *file, unsigned keep)
{
	char side[PATH_MAX + 16];
	size_t i;

	for (i = 0; i < STORE_NSIDES; i++) {
		if (keep & (1u << i))
			continue;
		snprintf(side, sizeof side, "%s%s", file, store_sides[i]);
		(void)unlink(side);
	}
	(void)unlink(file);
}

void
store_remove(const char *file)
{
	if (file != NULL && *file != '\0')
		store_unlink(file, 0);
}

enum store_status
store_prepare(const struct config *cfg, const struct workload *wl,
    const char *path, int is_user, char *made, size_t madelen, char *err,
    size_t errlen)
{
	char file[PATH_MAX];
	sqlite3 *db = NULL;
	enum store_status st;
	unsigned sides = 0;
	int created = 0;

	err[0] = '\0';
	file[0] = '\0';
	if (made != NULL && madelen > 0)
		made[0] = '\0';
	if (is_user && (st = store_access(path, err, errlen)) != STORE_OK)
		return st;
	/* From here on every open of path is the run's database's. */
	util_strlcpy(store_run.name, path, sizeof store_run.name);
	store_run.file[0] = '\0';
	store_run.mode = store_uri_mode(path);
	if ((st = store_create(path, &db, &created, err, errlen)) != STORE_OK)
		goto out;
	if ((st = store_on_disk(db, path, file, sizeof file, err, errlen)) !=
	    STORE_OK)
		goto out;
	util_strlcpy(store_run.file, file, sizeof store_run.file);
	sides = store_sides_present(file);
	sqlite3_extended_result_codes(db, 1);
	/* The user's database may be busy with its own writers. */
	sqlite3_busy_timeout(db, store_ms(cfg->busy_timeout_ns));
	st = store_setup(cfg, wl, db, path, err, errlen);
out:
	/* Closed before any fork: no handle may cross into a child. */
	sqlite3_close(db);
	/* A hard error leaves nothing behind, not even a 0-byte database. */
	if (created && st == STORE_HARD && file[0] != '\0')
		store_unlink(file, sides);
	else if (created && made != NULL && madelen > 0)
		util_strlcpy(made, file, madelen);
	return st;
}

/*
 * Sleep until until_ns or shutdown.  Returns 1 to keep waiting for the
 * lock, 0 to give up because shutdown was seen.
 */
static int
store_busy_sleep(struct store_busy *b, int64_t until_ns)
{
	struct child_ctx *ctx = b->ctx;

	if (ctx == NULL || ctx->shutdown_fd < 0) {
		(void)poll(NULL, 0, util_poll_timeout(until_ns, util_now_ns()));
		return 1;
	}
	if (util_wait_readable(ctx->shutdown_fd, until_ns) == 0)
		return 1;
	if (child_shutdown(ctx, 1))
		return 0;
	/*
	 * Readable but not shutdown: a hanging child ignores the EOF.  Sleep
	 * the step anyway rather than spin on an fd that stays readable.
	 */
	(void)poll(NULL, 0, util_poll_timeout(until_ns, util_now_ns()));
	return 1;
}

/*
 * SQLite's busy handler: count is the number of earlier calls for this
 * lock.  Returning 0 makes the statement fail with SQLITE_BUSY.
 */
static int
store_busy_cb(void *arg, int count)
{
	static const int64_t backoff_ms[] = { 1, 2, 5, 10 };
	struct store_busy *b = arg;
	int64_t now = util_now_ns(), left, step;
	int keep;

	if (count == 0) {
		b->begun_ns = now;
		b->waits++;
	}
	if (b->ctx != NULL && child_shutdown(b->ctx, 1))
		return 0;
	left = b->timeout_ns - (now - b->begun_ns);
	if (left <= 0)
		return 0;
	step = backoff_ms[count < 3 ? count : 3] * UTIL_NS_PER_MS;
	if (step > left)
		step = left;
	keep = store_busy_sleep(b, now + step);
	b->wait_ns += util_now_ns() - now;
	return keep;
}

/* Non-zero interrupts the running statement (SQLITE_INTERRUPT). */
static int
store_progress_cb(void *arg)
{
	return child_shutdown(arg, 0);
}

/*
 * Per-connection settings.  WAL is a property of the file, set by
 * store_prepare(); the rollback modes are per connection, so every
 * writer must ask for the same one.
 */
static int
store_settings(const struct config *cfg, sqlite3 *db, const char *path,
    int readonly, char *err, size_t errlen)
{
	int rc;

	if (!readonly && cfg->journal != CONFIG_JOURNAL_WAL &&
	    (rc = store_journal(db, path, cfg->journal, err, errlen)) !=
	    SQLITE_OK)
		return rc;
	if ((rc = store_sync(db, cfg->sync)) != SQLITE_OK)
		serr(err, errlen, "cannot set synchronous on '%s': %s", path,
		    sqlite3_errmsg(db));
	return rc;
}

int
store_open(const struct config *cfg, const char *path, int readonly,
    struct child_ctx *ctx, struct store_busy *busy, struct sqlite3 **db,
    char *err, size_t errlen, int *code)
{
	sqlite3 *h = NULL;
	int rc;

	memset(busy, 0, sizeof *busy);
	busy->ctx = ctx;
	busy->timeout_ns = cfg->busy_timeout_ns;
	*db = NULL;
	rc = store_sqlite_open(path, &h, readonly ? SQLITE_OPEN_READONLY :
	    SQLITE_OPEN_READWRITE);
	if (rc != SQLITE_OK) {
		serr(err, errlen, "cannot open '%s': %s", path, h != NULL ?
		    sqlite3_errmsg(h) : sqlite3_errstr(rc));
		rc = h != NULL ? sqlite3_extended_errcode(h) : rc;
		goto fail;
	}
	sqlite3_extended_result_codes(h, 1);
	/*
	 * The last connection to close would checkpoint the whole WAL, on
	 * the shutdown path, with no way to be interrupted; the parent
	 * checkpoints after the final validation instead.
	 */
	(void)sqlite3_db_config(h, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL);
	/* Handlers first: even the PRAGMAs below may meet a lock. */
	sqlite3_busy_handler(h, store_busy_cb, busy);
	/*
	 * With journal_mode=OFF a rollback is undefined once pages reached
	 * the file, so a transaction is never interrupted there: shutdown
	 * waits for it to commit.
	 */
	if (ctx != NULL && cfg->journal != CONFIG_JOURNAL_OFF)
		sqlite3_progress_handler(h, STORE_PROGRESS_OPS,
		    store_progress_cb, ctx);
	if ((rc = store_settings(cfg, h, path, readonly, err, errlen)) !=
	    SQLITE_OK) {
		rc = sqlite3_extended_errcode(h) != SQLITE_OK ?
		    sqlite3_extended_errcode(h) : rc;
		goto fail;
	}
	*db = h;
	return 0;
fail:
	sqlite3_close(h);
	if (code != NULL)
		*code = rc;
	return -1;
}

int
store_checkpoint(const char *path)
{
	sqlite3 *h = NULL;
	int rc;

	rc = store_sqlite_open(path, &h, SQLITE_OPEN_READWRITE);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(h, "PRAGMA wal_checkpoint(TRUNCATE)", NULL,
		    NULL, NULL);
	sqlite3_close(h);
	return rc == SQLITE_OK ? 0 : -1;
}

int
store_file_sizes(const char *path, uint64_t *main_size, uint64_t *wal_size)
{
	char wal[PATH_MAX + 8];
	struct stat sb;

	if (stat(path, &sb) < 0)
		return -1;
	*main_size = (uint64_t)sb.st_size;
	snprintf(wal, sizeof wal, "%s-wal", path);
	*wal_size = stat(wal, &sb) == 0 ? (uint64_t)sb.st_size : 0;
	return 0;
}

const char *
store_sqlite_version(void)
{
	static char buf[160];

	if (buf[0] == '\0')
		snprintf(buf, sizeof buf, "%s %s", sqlite3_libversion(),
		    sqlite3_sourceid());
	return buf;
}
