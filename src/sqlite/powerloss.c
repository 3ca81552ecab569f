/* SPDX-License-Identifier: MIT */
/*
 * powerloss: --powerloss (see powerloss.h).  The recorder half runs in
 * every child inside the VFS shim's calls, so each record is appended
 * while the child holds the lock for what it records; it never changes
 * what the call does, and a failed append stops it (a log with a hole
 * would build states no disk could hold) and says so, never silently.
 * The builder half runs in the parent once every child is gone: it
 * builds each image with crashlog.c, opens it read-write with the
 * platform's VFS (SQLite recovers a hot journal or WAL as after a real
 * power loss), checks it like the final database and holds what it
 * found against the bound of classify_powerloss_bound().  It judges
 * nothing itself: the rule is classify_image()'s.
 */
#include "autoconf.h"

#include "powerloss.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sqlite3.h>

#include "child.h"
#include "classify.h"
#include "config.h"
#include "crashlog.h"
#include "duration.h"
#include "iovfs.h"
#include "ledger.h"
#include "report.h"
#include "scenario.h"
#include "supervisor.h"
#include "util.h"
#include "validate.h"
#include "wire.h"
#include "workload.h"

/* Written by a child whose recording broke; the parent then builds none. */
#define POWERLOSS_BROKEN "powerloss.broken"
/* Rows past the attempted seq looked for (a worker's key space is 2^40). */
#define POWERLOSS_BEYOND_SPAN (UINT64_C(1) << 39)

/* ------------------------------------------------------------ the knobs */

int
powerloss_spec_parse(const char *text, int64_t *t_ns, char *err,
    size_t errlen)
{
	*t_ns = 0;
	if (strcasecmp(text, "seeded") == 0)
		return 0;
	if (duration_parse(text, t_ns) == 0 && *t_ns > 0)
		return 0;
	util_set_err(err, errlen, "'%.40s' is not a moment of the run (a "
	    "duration above 0, e.g. 2s) or 'seeded'", text);
	return -1;
}

int
powerloss_config_check(const struct config *cfg, char *err, size_t errlen)
{
	char t[32], d[32];
	int64_t ns;

	if (cfg->powerloss == NULL)
		return 0;
	if (powerloss_spec_parse(cfg->powerloss, &ns, err, errlen) < 0)
		return -1;
	if (ns >= cfg->duration_ns) {
		duration_format(ns, t, sizeof t);
		duration_format(cfg->duration_ns, d, sizeof d);
		util_set_err(err, errlen, "the cut at %s is not inside the "
		    "run (--duration %s)", t, d);
		return -1;
	}
	if (cfg->store_cmd != NULL) {
		util_set_err(err, errlen, "cannot be used with --store-cmd: "
		    "a program outside sqlstorm would write the database "
		    "without the recorder, so its images could be impossible");
		return -1;
	}
	return 0;
}

int
powerloss_wanted(const struct config *cfg)
{
	return cfg->powerloss != NULL;
}

int64_t
powerloss_cut_ns(const struct config *cfg)
{
	uint64_t rng, span;
	int64_t t;

	if (cfg->powerloss == NULL ||
	    powerloss_spec_parse(cfg->powerloss, &t, NULL, 0) < 0)
		return 0;
	if (t > 0)
		return t;
	/* Its own stream: the nemesis and the workers draw from the seed too. */
	rng = cfg->seed ^ UINT64_C(0x706f7765726c6f73);
	span = (uint64_t)(cfg->duration_ns / 10 * 6);
	t = cfg->duration_ns / 5 + (int64_t)(util_rand64(&rng) %
	    (span + 1));
	return t > 0 ? t : 1;
}

/* ---------------------------------------------------------- the recorder */

static struct {
	struct crashlog log;
	struct child_ctx *ctx;
	int  on;
	long fail_at;           /* tests: fail this append (0: never) */
	long appends;
	char broken[PATH_MAX];
} pl_rec = { { -1, 0 }, NULL, 0, 0, 0, "" };

/*
 * The recording broke: say so once (an ERROR, which fails the run, and
 * the marker that stops the parent from building images) and stop.
 */
static void
pl_rec_fail(const char *what, int err)
{
	char msg[WIRE_MSG_MAX + 1];
	int64_t now = util_now_ns();
	int fd;

	if (!pl_rec.on)
		return;
	pl_rec.on = 0;
	snprintf(msg, sizeof msg, "power-loss log incomplete: %s: %s", what,
	    strerror(err));
	fd = open(pl_rec.broken, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC,
	    0600);
	if (fd >= 0) {
		(void)util_write_all(fd, msg, strlen(msg));
		(void)util_write_all(fd, "\n", 1);
		(void)close(fd);
	}
	(void)child_error(pl_rec.ctx, WIRE_OP_OTHER, SQLITE_IOERR,
	    SQLITE_IOERR, err, msg, now, now, 0);
	crashlog_close(&pl_rec.log);
}

/* One append's result: 0 goes on, -1 stops the recording. */
static void
pl_rec_check(int rc, const char *what)
{
	int err = errno;

	if (rc == 0 && pl_rec.fail_at > 0 && ++pl_rec.appends ==
	    pl_rec.fail_at) {
		rc = -1;
		err = EIO;
	}
	if (rc < 0)
		pl_rec_fail(what, err != 0 ? err : EIO);
}

/* The file's size through the wrapped file, or -1. */
static int64_t
pl_size(sqlite3_file *f)
{
	sqlite3_int64 sz = 0;

	if (f == NULL || f->pMethods->xFileSize(f, &sz) != SQLITE_OK)
		return -1;
	return (int64_t)sz;
}

/*
 * Read len bytes at off through the wrapped file into a new buffer.  A
 * short read has zero-filled the rest, which is what the file holds
 * past its end.  NULL with errno on failure.
 */
static void *
pl_read(sqlite3_file *f, int64_t off, size_t len)
{
	void *buf = malloc(len > 0 ? len : 1);
	int rc;

	if (buf == NULL)
		return NULL;
	if (len == 0)
		return buf;
	rc = f->pMethods->xRead(f, buf, (int)len, (sqlite3_int64)off);
	if (rc != SQLITE_OK && rc != SQLITE_IOERR_SHORT_READ) {
		free(buf);
		errno = EIO;
		return NULL;
	}
	return buf;
}

static void
pl_rec_write(const struct iovfs_event *ev)
{
	int64_t size = pl_size(ev->real), lo, hi, end;
	size_t oldlen;
	void *old;

	if (size < 0) {
		pl_rec_fail("the file's size before a write", EIO);
		return;
	}
	lo = ev->off / CRASHLOG_SECTOR * CRASHLOG_SECTOR;
	hi = (ev->off + ev->n + CRASHLOG_SECTOR - 1) / CRASHLOG_SECTOR *
	    CRASHLOG_SECTOR;
	end = hi < size ? hi : size;
	oldlen = end > lo ? (size_t)(end - lo) : 0;
	if ((old = pl_read(ev->real, lo, oldlen)) == NULL) {
		pl_rec_fail("the old sectors of a write", errno);
		return;
	}
	pl_rec_check(crashlog_write(&pl_rec.log, ev->file, util_now_ns(),
	    ev->off, ev->n, size, old, oldlen), "a write");
	free(old);
}

static void
pl_rec_truncate(const struct iovfs_event *ev)
{
	int64_t size = pl_size(ev->real);
	size_t len = 0;
	void *tail = NULL;

	if (size < 0) {
		pl_rec_fail("the file's size before a truncate", EIO);
		return;
	}
	if (size > ev->off && size - ev->off <= CRASHLOG_KEEP_MAX) {
		len = (size_t)(size - ev->off);
		if ((tail = pl_read(ev->real, ev->off, len)) == NULL) {
			pl_rec_fail("the tail a truncate cuts", errno);
			return;
		}
	} else if (size <= ev->off)
		tail = pl_read(ev->real, 0, 0);     /* nothing is cut */
	pl_rec_check(crashlog_truncate(&pl_rec.log, ev->file, util_now_ns(),
	    ev->off, size, tail, len), "a truncate");
	free(tail);
}

/* Read exactly len bytes unless EOF or an error comes first: the count. */
static ssize_t
pl_read_full(int fd, void *buf, size_t len)
{
	size_t got = 0;
	ssize_t n;

	while (got < len && (n = util_read(fd, (char *)buf + got,
	    len - got)) > 0)
		got += (size_t)n;
	return (ssize_t)got;
}

/* A deleted file's contents, read with POSIX calls (no sqlite3_file). */
static void
pl_rec_delete(const struct iovfs_event *ev)
{
	struct stat sb;
	void *buf = NULL;
	size_t len = 0;
	int fd = open(ev->path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		/* Nothing to delete: the call fails and changes nothing. */
		if (errno != ENOENT)
			pl_rec_fail("the file a delete removes", errno);
		return;
	}
	if (fstat(fd, &sb) == 0 && sb.st_size <= CRASHLOG_KEEP_MAX) {
		len = (size_t)sb.st_size;
		buf = malloc(len > 0 ? len : 1);
		if (buf == NULL || (len > 0 && pl_read_full(fd, buf, len) !=
		    (ssize_t)len)) {
			free(buf);
			(void)close(fd);
			pl_rec_fail("the file a delete removes", EIO);
			return;
		}
	}
	(void)close(fd);
	pl_rec_check(crashlog_delete(&pl_rec.log, ev->file, util_now_ns(),
	    buf, len, ev->flags != 0), "a delete");
	free(buf);
}

static void
pl_before(void *arg, const struct iovfs_event *ev)
{
	(void)arg;
	if (!pl_rec.on)
		return;
	switch (ev->op) {
	case IOVFS_WRITE:
		pl_rec_write(ev);
		break;
	case IOVFS_SYNC:
		pl_rec_check(crashlog_sync(&pl_rec.log, ev->file,
		    util_now_ns(), 0, (ev->flags & IOVFS_SYNC_DIR) != 0),
		    "a sync's begin");
		break;
	case IOVFS_TRUNCATE:
		pl_rec_truncate(ev);
		break;
	case IOVFS_DELETE:
		pl_rec_delete(ev);
		break;
	default:
		break;
	}
}

static void
pl_after(void *arg, const struct iovfs_event *ev, int rc)
{
	(void)arg;
	/* A sync that failed made nothing durable: it logs no end. */
	if (!pl_rec.on || ev->op != IOVFS_SYNC || rc != SQLITE_OK)
		return;
	pl_rec_check(crashlog_sync(&pl_rec.log, ev->file, util_now_ns(), 1,
	    (ev->flags & IOVFS_SYNC_DIR) != 0), "a sync's end");
}

/* fsync path (a file or a directory); an absent file is fine. */
static int
pl_fsync_path(const char *path, int dir, char *err, size_t errlen)
{
	int fd = open(path, (dir ? O_RDONLY : O_RDWR) | O_CLOEXEC), rc;

	if (fd < 0) {
		if (errno == ENOENT && !dir)
			return 0;
		util_set_err(err, errlen, "cannot open %s to sync it: %s", path,
		    strerror(errno));
		return -1;
	}
	while ((rc = fsync(fd)) < 0 && errno == EINTR)
		continue;
	/* Some systems cannot fsync a directory: SQLite ignores that too. */
	if (rc < 0 && !(dir && (errno == EINVAL || errno == EBADF))) {
		util_set_err(err, errlen, "cannot sync %s: %s", path,
		    strerror(errno));
		util_close(&fd);
		return -1;
	}
	util_close(&fd);
	return 0;
}

int
powerloss_sync_start(const char *db_path, char *err, size_t errlen)
{
	static const char *const side[] = { "", "-journal", "-wal" };
	char path[PATH_MAX], *slash;
	size_t i;

	for (i = 0; i < sizeof side / sizeof side[0]; i++) {
		if ((size_t)snprintf(path, sizeof path, "%s%s", db_path,
		    side[i]) >= sizeof path) {
			util_set_err(err, errlen, "path too long: %s", db_path);
			return -1;
		}
		if (pl_fsync_path(path, 0, err, errlen) < 0)
			return -1;
	}
	util_strlcpy(path, db_path, sizeof path);
	if ((slash = strrchr(path, '/')) == NULL)
		util_strlcpy(path, ".", sizeof path);
	else if (slash == path)
		path[1] = '\0';
	else
		*slash = '\0';
	return pl_fsync_path(path, 1, err, errlen);
}

int
powerloss_child_start(const struct scenario_params *p, struct child_ctx *ctx,
    char *err, size_t errlen)
{
	static const struct iovfs_hooks hooks = {
		NULL, NULL, pl_before, pl_after
	};
	char path[PATH_MAX];
	const char *fail = getenv("SQLSTORM_TEST_POWERLOSS_LOG_FAIL");
	const char *rec = getenv("SQLSTORM_TEST_POWERLOSS_RECORD");

	/* bench/powerloss: "0" measures the shim alone (no log, no images). */
	if (!powerloss_wanted(p->cfg) || (rec != NULL && strcmp(rec, "0") == 0))
		return 0;
	snprintf(path, sizeof path, "%s/%s", p->run_dir, POWERLOSS_LOG);
	snprintf(pl_rec.broken, sizeof pl_rec.broken, "%s/%s", p->run_dir,
	    POWERLOSS_BROKEN);
	if (crashlog_open(&pl_rec.log, path) < 0) {
		util_set_err(err, errlen, "cannot open the power-loss log "
		    "%s: %s", path, strerror(errno));
		return -1;
	}
	pl_rec.ctx = ctx;
	pl_rec.on = 1;
	pl_rec.appends = 0;
	/* Tests only: make the Nth append fail, as a full disk would. */
	pl_rec.fail_at = fail != NULL ? strtol(fail, NULL, 10) : 0;
	iovfs_set_hooks(IOVFS_HOOK_RECORD, &hooks);
	return 0;
}

/* ----------------------------------------------------------- the images */

/* What the parent works out once, before the images. */
struct pl_run {
	const struct scenario_params *p;
	struct ledger *ledger;
	struct report *rep;
	struct crashlog_state *st;
	const char *files[CRASHLOG_NFILE];
	char  paths[CRASHLOG_NFILE][PATH_MAX];
	uint64_t *acked, *bound, *attempted;    /* per worker */
	int   drop;             /* tests: drop rows from this image, or -1 */
};

/* Copy src to dst as it is; an absent src removes dst.  0 or -1. */
static int
pl_copy(const char *src, const char *dst)
{
	char buf[65536];
	int in = open(src, O_RDONLY | O_CLOEXEC), out = -1, rc = -1;
	ssize_t n;

	(void)unlink(dst);
	if (in < 0)
		return errno == ENOENT ? 0 : -1;
	out = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (out < 0)
		goto out;
	while ((n = util_read(in, buf, sizeof buf)) > 0)
		if (util_write_all(out, buf, (size_t)n) < 0)
			goto out;
	rc = n < 0 ? -1 : 0;
out:
	util_close(&in);
	util_close(&out);
	return rc;
}

/* Image 0: the files as the cut left them, nothing reverted. */
static int
pl_image_as_is(const struct pl_run *r, const char *const out[],
    struct report_crash_image *im, char *err, size_t errlen)
{
	struct stat sb;
	int f;

	for (f = 0; f < CRASHLOG_NFILE; f++) {
		if (pl_copy(r->files[f], out[f]) < 0) {
			util_set_err(err, errlen, "cannot copy %s: %s",
			    r->files[f], strerror(errno));
			return -1;
		}
		im->present[f] = stat(out[f], &sb) == 0;
	}
	im->torn_file = -1;
	return 0;
}

/* Build image k into its directory; fills the "what was reverted". */
static int
pl_build(const struct pl_run *r, int k, char out[][PATH_MAX],
    struct report_crash_image *im, char *err, size_t errlen)
{
	const char *names[] = { "", "-journal", "-wal" };
	const char *outp[CRASHLOG_NFILE];
	struct crashlog_image ci;
	uint64_t seed = r->p->cfg->seed ^ ((uint64_t)k * UINT64_C(0x9e3779b97f4a7c15));
	int f;

	snprintf(im->path, sizeof im->path, "%s/crash-%d", r->p->run_dir, k);
	if (mkdir(im->path, 0700) < 0 && errno != EEXIST) {
		util_set_err(err, errlen, "cannot make %s: %s", im->path,
		    strerror(errno));
		return -1;
	}
	for (f = 0; f < CRASHLOG_NFILE; f++) {
		snprintf(out[f], PATH_MAX, "%s/db%s", im->path, names[f]);
		outp[f] = out[f];
	}
	if (k == 0)
		return pl_image_as_is(r, outp, im, err, errlen);
	if (crashlog_build(r->st, util_rand64(&seed), k % 2 == 0, outp, &ci,
	    err, errlen) < 0)
		return -1;
	memcpy(im->unsynced, ci.unsynced, sizeof im->unsynced);
	memcpy(im->reverted, ci.reverted, sizeof im->reverted);
	memcpy(im->present, ci.present, sizeof im->present);
	memcpy(im->resurrected, ci.resurrected, sizeof im->resurrected);
	memcpy(im->truncate_undone, ci.truncate_undone,
	    sizeof im->truncate_undone);
	im->torn_file = ci.torn_file;
	im->torn_off = ci.torn_off;
	return 0;
}

/*
 * Open the image read-write, as the first process after the power came
 * back: SQLite rolls back a hot journal or replays the WAL, and the
 * last close checkpoints it.  0, or -1 with SQLite's message.
 */
static int
pl_recover(const char *path, char *err, size_t errlen)
{
	sqlite3 *db = NULL;
	int rc;

	rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(db, "SELECT count(*) FROM sqlite_schema",
		    NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		snprintf(err, errlen, "%s", db != NULL ? sqlite3_errmsg(db) :
		    sqlite3_errstr(rc));
	if (sqlite3_close(db) != SQLITE_OK && rc == SQLITE_OK) {
		snprintf(err, errlen, "close: %s", sqlite3_errmsg(db));
		rc = SQLITE_ERROR;
	}
	return rc == SQLITE_OK ? 0 : -1;
}

/* The test-only step of workload_conn: run one statement. */
static int
pl_drop_step(struct workload_conn *c, sqlite3_stmt *st, int op)
{
	int rc = sqlite3_step(st);

	(void)c;
	(void)op;
	(void)sqlite3_reset(st);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : -1;
}

/*
 * Tests only (SQLSTORM_TEST_CRASH_DROP=K): remove the busiest worker's
 * acknowledged seq acked/2 from image K before it is checked, through
 * the workload's droprow, so the test can see the checker bite.
 */
static void
pl_drop(const struct pl_run *r, const char *path)
{
	const struct workload *wl = r->p->wl;
	struct workload_conn c;
	sqlite3 *db = NULL;
	void *state;
	int code = 0, w, top = 0;

	for (w = 1; w < r->p->nworkers; w++)
		if (r->acked[w] > r->acked[top])
			top = w;
	if (r->acked[top] == 0 || sqlite3_open_v2(path, &db,
	    SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
		sqlite3_close(db);
		return;
	}
	memset(&c, 0, sizeof c);
	c.db = db;
	c.worker = top;
	c.nworkers = r->p->nworkers;
	c.cfg = r->p->cfg;
	c.seed = r->p->cfg->seed;
	c.step = pl_drop_step;
	if ((state = wl->open(&c, &code)) != NULL) {
		(void)sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
		(void)wl->drop(state, r->acked[top] / 2 > 0 ?
		    r->acked[top] / 2 : 1);
		(void)sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
		wl->close(state);
	}
	sqlite3_close(db);
}

/* How many of worker w's seqs lo..hi the image holds (0 on error). */
static uint64_t
pl_held(const struct pl_run *r, const char *path, int w, uint64_t lo,
    uint64_t hi)
{
	char err[512];
	uint64_t n = 0;

	if (lo > hi || validate_count_seqs(path, r->p->wl, w, lo, hi, &n,
	    err, sizeof err) < 0)
		return 0;
	return n;
}

/* Lost rows (all, and before the bound) and rows from nowhere. */
static void
pl_count(const struct pl_run *r, const char *path,
    const struct validate_result *vr, struct report_crash_image *im,
    char *first, size_t cap)
{
	int w;

	for (w = 0; w < r->p->nworkers; w++) {
		uint64_t lost = r->acked[w] - pl_held(r, path, w, 1,
		    r->acked[w]);
		uint64_t lb = r->bound[w] - pl_held(r, path, w, 1,
		    r->bound[w]);

		im->found.lost += lost;
		im->found.lost_bound += lb;
		im->found.beyond += pl_held(r, path, w, r->attempted[w] + 1,
		    r->attempted[w] + POWERLOSS_BEYOND_SPAN);
		if (lb > 0 && first[0] == '\0')
			snprintf(first, cap, "; first: w%d seq %llu missing "
			    "(acknowledged before the bound)", w,
			    (unsigned long long)(vr->k != NULL &&
			    vr->k[w] < r->bound[w] ? vr->k[w] + 1 : 0));
	}
}

/* How long the check of one image may take before it counts as hung. */
#define POWERLOSS_CHECK_LIMIT_S 120

/* Check one built image: recover, validate, count; fills im->found. */
static void
pl_check(const struct pl_run *r, int k, const char *db,
    struct report_crash_image *im, char *why, size_t cap)
{
	const struct config *cfg = r->p->cfg;
	struct validate_result vr;
	struct validate_opts o;
	void *model = NULL;
	char err[512];
	int code = 0;

	im->hot = im->present[1] || im->present[2];
	if (pl_recover(db, err, sizeof err) < 0) {
		snprintf(why, cap, "; SQLite: %.200s", err);
		return;
	}
	if (k == r->drop)
		pl_drop(r, db);
	memset(&o, 0, sizeof o);
	memset(&vr, 0, sizeof vr);
	o.wl = r->p->wl;
	o.nworkers = r->p->nworkers;
	o.quick = cfg->check == CONFIG_CHECK_QUICK;
	o.fill_rows = r->p->fill_rows;
	o.fill_seed = o.sample_seed = cfg->seed;
	if (o.wl->model_new != NULL)
		o.model = model = o.wl->model_new(cfg, r->p->nworkers);
	if (validate_file_opts(db, &o, &vr, err, sizeof err, &code) < 0) {
		snprintf(why, cap, "; SQLite: %.200s", err);
		im->found.opened = code != SQLITE_CANTOPEN &&
		    code != SQLITE_NOTADB;
	} else {
		im->found.opened = 1;
		im->found.integrity_ok = vr.integrity_ok;
		im->found.gapfree = vr.rows_ok;
		im->rows = vr.rows;
		pl_count(r, db, &vr, im, why, cap);
		if (!vr.rows_ok && why[0] == '\0')
			snprintf(why, cap, "; %s", vr.problem);
	}
	if (o.wl->model_free != NULL)
		o.wl->model_free(model);
	validate_result_free(&vr);
}

/* A test-only switch's number, or -1 when it is not set. */
static int
pl_test_env(const char *name)
{
	const char *v = getenv(name);

	return v != NULL && *v != '\0' ? atoi(v) : -1;
}


/*
 * pl_check() in a child process, so that nothing an image holds can take
 * sqlstorm down: a check that dies (a signal, or no answer) or runs past
 * POWERLOSS_CHECK_LIMIT_S is a finding about that image, never a crash
 * of the run.  The child sends back the filled image and why.
 */
static void
pl_check_apart(const struct pl_run *r, int k, const char *db,
    struct report_crash_image *im, char *why, size_t cap)
{
	struct report_crash_image got;
	char gwhy[320];
	int fds[2] = { -1, -1 }, status = 0, sig;
	ssize_t n1 = -1, n2 = -1;
	pid_t pid;

	if (util_pipe(fds) < 0 || (pid = fork()) < 0) {
		util_close(&fds[0]);
		util_close(&fds[1]);
		pl_check(r, k, db, im, why, cap);
		return;
	}
	if (pid == 0) {
		util_close(&fds[0]);
		(void)signal(SIGALRM, SIG_DFL);
		(void)alarm(POWERLOSS_CHECK_LIMIT_S);
		memset(gwhy, 0, sizeof gwhy);
		/* Tests: the check of image K dies, as a crash in SQLite would. */
		if (pl_test_env("SQLSTORM_TEST_CRASH_CHECK_DIE") == k)
			abort();
		pl_check(r, k, db, im, gwhy, sizeof gwhy);
		if (util_write_all(fds[1], im, sizeof *im) < 0 ||
		    util_write_all(fds[1], gwhy, sizeof gwhy) < 0)
			_exit(1);
		_exit(0);
	}
	util_close(&fds[1]);
	n1 = pl_read_full(fds[0], &got, sizeof got);
	if (n1 == (ssize_t)sizeof got)
		n2 = pl_read_full(fds[0], gwhy, sizeof gwhy);
	util_close(&fds[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		continue;
	if (n1 == (ssize_t)sizeof got && n2 == (ssize_t)sizeof gwhy &&
	    WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		*im = got;
		gwhy[sizeof gwhy - 1] = '\0';
		snprintf(why, cap, "%s", gwhy);
		return;
	}
	sig = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
	im->found.checker_died = sig != 0 ? sig : -1;
	if (sig == SIGALRM)
		snprintf(why, cap, "; its check ran past %d s",
		    POWERLOSS_CHECK_LIMIT_S);
	else if (sig != 0)
		snprintf(why, cap, "; its check died with %s",
		    classify_signal_name(sig) != NULL ?
		    classify_signal_name(sig) : "a signal");
	else
		snprintf(why, cap, "; its check gave no answer (exit %d)",
		    WIFEXITED(status) ? WEXITSTATUS(status) : -1);
}

/* Build, check and judge image k; a failure is an event, kept on disk. */
static void
pl_image(struct pl_run *r, int k)
{
	struct report_powerloss *pl = &r->rep->powerloss;
	struct report_crash_image *im = &pl->images[pl->nimages++];
	char out[CRASHLOG_NFILE][PATH_MAX], err[512], why[320];

	memset(im, 0, sizeof *im);
	im->index = k;
	im->torn_file = -1;
	why[0] = '\0';
	if (pl_build(r, k, out, im, err, sizeof err) < 0)
		snprintf(why, sizeof why, "; not built: %.200s", err);
	else
		pl_check_apart(r, k, out[0], im, why, sizeof why);
	im->verdict = classify_image(pl->bound, &im->found, im->reason,
	    sizeof im->reason);
	if (why[0] != '\0' && (im->verdict != VERDICT_PASS ||
	    !im->found.opened))
		snprintf(im->reason + strlen(im->reason), sizeof im->reason -
		    strlen(im->reason), "%s", why);
	pl->nconsistent += im->found.opened && im->found.integrity_ok &&
	    im->found.gapfree && im->found.beyond == 0;
	if (im->verdict == VERDICT_PASS) {
		(void)util_rmtree(im->path);
		return;
	}
	pl->nfailed++;
	(void)sup_event_add(&r->rep->sup, SUP_EV_FINAL, -1, SUP_NO_SNAPSHOT,
	    VERDICT_FAILURE, util_now_ns(), "crash image %d (%s): %s", k,
	    im->path, im->reason);
}

/* The moment of the bound: rows acknowledged before it must survive. */
static int64_t
pl_bound_at(const struct crashlog_state *st, enum classify_bound b)
{
	int64_t h = 0, t;
	int f;

	switch (b) {
	case CLASSIFY_BOUND_ALL:
		return INT64_MAX;
	case CLASSIFY_BOUND_DIRSYNC:
		for (f = 0; f < CRASHLOG_NFILE; f++)
			if ((t = crashlog_synced_at(st, f, 1)) > h)
				h = t;
		return h;
	case CLASSIFY_BOUND_WALSYNC:
		return crashlog_synced_at(st, IOVFS_WAL, 0);
	case CLASSIFY_BOUND_NONE:
	default:
		return 0;
	}
}

/* Per worker: acknowledged, owed by the bound, highest attempted. */
static int
pl_workers(struct pl_run *r, int64_t h)
{
	struct report_powerloss *pl = &r->rep->powerloss;
	size_t n = (size_t)r->p->nworkers;
	int w;

	r->acked = calloc(n, sizeof *r->acked);
	r->bound = calloc(n, sizeof *r->bound);
	r->attempted = calloc(n, sizeof *r->attempted);
	if (r->acked == NULL || r->bound == NULL || r->attempted == NULL)
		return -1;
	for (w = 0; w < r->p->nworkers; w++) {
		const struct sup_child *ch = &r->rep->sup.children[w];

		r->acked[w] = ledger_acked(r->ledger, w);
		r->bound[w] = h == INT64_MAX ? r->acked[w] :
		    h <= 0 ? 0 : ledger_acked_before(r->ledger, w, h);
		/*
		 * The cut's published transaction, or what an earlier life
		 * (killed by --nemesis) wrote: a commit it finished without
		 * its ACK is in the files.
		 */
		r->attempted[w] = ledger_attempted(r->ledger, w);
		if (ch->cut.hi > r->attempted[w])
			r->attempted[w] = ch->cut.hi;
		pl->acked += r->acked[w];
		pl->at_risk += r->acked[w] - r->bound[w];
	}
	return 0;
}

/* Why no image can be built, or 0: the log and the files are ready. */
static int
pl_load(struct pl_run *r, char *err, size_t errlen)
{
	static const char *const suffix[] = { "", "-journal", "-wal" };
	char path[PATH_MAX], line[CLASSIFY_REASON_MAX];
	ssize_t n;
	int f, fd;

	snprintf(path, sizeof path, "%s/%s", r->p->run_dir, POWERLOSS_BROKEN);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) >= 0) {
		n = util_read(fd, line, sizeof line - 1);
		(void)close(fd);
		line[n > 0 ? n : 0] = '\0';
		line[strcspn(line, "\n")] = '\0';
		util_set_err(err, errlen, "%s", line[0] != '\0' ? line :
		    "power-loss log incomplete");
		return -1;
	}
	for (f = 0; f < CRASHLOG_NFILE; f++) {
		snprintf(r->paths[f], PATH_MAX, "%s%s", r->p->db_path,
		    suffix[f]);
		r->files[f] = r->paths[f];
	}
	snprintf(path, sizeof path, "%s/%s", r->p->run_dir, POWERLOSS_LOG);
	return crashlog_load(path, r->files, &r->st, err, errlen);
}

void
powerloss_judge(const struct scenario_params *p, struct ledger *ledger,
    struct report *rep)
{
	struct report_powerloss *pl = &rep->powerloss;
	const struct config *cfg = p->cfg;
	const char *drop = getenv("SQLSTORM_TEST_CRASH_DROP");
	struct pl_run r;
	int64_t h;
	int k;

	memset(&r, 0, sizeof r);
	r.p = p;
	r.ledger = ledger;
	r.rep = rep;
	r.drop = drop != NULL && *drop != '\0' ? atoi(drop) : -1;
	pl->on = 1;
	pl->cut_ns = rep->sup.cut_ns - rep->sup.start_ns;
	pl->bound = classify_powerloss_bound(config_journal_name(cfg->journal),
	    config_sync_name(cfg->sync));
	util_strlcpy(pl->bound_name, classify_bound_name(pl->bound),
	    sizeof pl->bound_name);
	pl->bound_ns = -1;
	if (pl_load(&r, pl->problem, sizeof pl->problem) < 0) {
		(void)sup_event_add(&rep->sup, SUP_EV_FINAL, -1,
		    SUP_NO_SNAPSHOT, VERDICT_FAILURE, util_now_ns(),
		    "power loss: no crash image built: %s", pl->problem);
		return;
	}
	pl->unsynced = crashlog_unsynced(r.st);
	h = pl_bound_at(r.st, pl->bound);
	if (h > 0 && h != INT64_MAX)
		pl->bound_ns = h - rep->sup.start_ns;
	pl->images = calloc((size_t)cfg->crash_images, sizeof *pl->images);
	if (pl->images == NULL || pl_workers(&r, h) < 0)
		(void)sup_event_add(&rep->sup, SUP_EV_FINAL, -1,
		    SUP_NO_SNAPSHOT, VERDICT_FAILURE, util_now_ns(),
		    "power loss: out of memory");
	else
		for (k = 0; k < cfg->crash_images; k++) {
			/* ^C: stop after the image in hand; the run is
			 * reported interrupted (scenario.c). */
			if (sup_signal_noted() != 0) {
				snprintf(pl->problem, sizeof pl->problem,
				    "interrupted after %d of %d images", k,
				    cfg->crash_images);
				break;
			}
			pl_image(&r, k);
		}
	free(r.acked);
	free(r.bound);
	free(r.attempted);
	crashlog_free(r.st);
}
