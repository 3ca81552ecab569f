/* SPDX-License-Identifier: MIT */
/*
 * crashlog: the power-loss log (one record per write, sync, truncate and
 * delete of the recorded files, appended by every process) and the
 * builder of crash images from it.  It records and rebuilds; it does not
 * decide when to cut, does not stop anyone, and knows nothing of SQLite.
 *
 * The model.  Records are numbered in log order.  A sync of a file is
 * complete when its begin has a matching end (same pid, same file, later
 * in the log); it makes durable what was written to that file before its
 * begin (a write logged between the begin and the end is not covered).
 * A file's durable point is the begin of its last completed sync (or
 * just after a truncate whose tail was not kept); the files as they were
 * when the log began count as durable, and so do their directory
 * entries (but a file whose first record is a write at size 0 counts as
 * created by it).  After a power loss:
 *   - each sector (CRASHLOG_SECTOR bytes) written or cut since the
 *     durable point holds its durable version (zeros if it was past the
 *     durable size) or any version written since, independently of every
 *     other sector (a disk reorders writes between syncs);
 *   - the file's size is its durable size or any size it had since (an
 *     unsynced truncate may be undone: its kept tail comes back; an
 *     extension, by a write or a truncate, may be undone, and its
 *     reverted sectors read back as zeros if a size keeps them);
 *   - the directory is durable as of the begin of the last completed
 *     sync with dir of any recorded file, or just after a delete with
 *     dir or a delete whose content was not kept.  The file may be in
 *     the state it had then or in any state since: a deleted file comes
 *     back (its contents by the rule above, as of its own syncs), a file
 *     created since (first record a write at size 0, or any record after
 *     a delete) may be absent;
 *   - optionally one such sector is torn: a prefix (a multiple of 8
 *     bytes, 8 to 504) of one of its versions over an older one.
 * Every choice is drawn by splitmix64 from the caller's seed, in a fixed
 * order: the same seed, log and files give byte-identical images.
 *
 * Record format (little-endian, a 56-byte header then the payload, one
 * writev() each on the O_APPEND fd): u32 magic "SCLG", u8 type, u8 file,
 * u8 flags (end, dir, kept), u8 0, u32 pid, u32 payload length, i64 t,
 * i64 a, i64 b, i64 c, u64 check (FNV-1a by native 8-byte words over
 * the header, its check zeroed, and the payload: a log never leaves its
 * host).  write:
 * a = off, b = n, c = old size, payload = old contents; truncate: a = new
 * size, b = old size, payload = tail; delete: b = size, payload =
 * contents.  The loader checks every field and length: a torn or
 * garbled log is a one-line error.
 *
 * Size and memory: the log is never compacted; each write adds the old
 * contents of the sectors it covers (a 4 KiB page: 4 KiB + 56 bytes),
 * so it grows about as fast as the run writes, plus every truncated
 * tail and deleted file (a journal per transaction in DELETE mode).
 * The loader maps it (page cache, not heap) and keeps, on the heap,
 * one CRASHLOG_SECTOR copy per version of each sector written since
 * its file's durable point (or in a deleted life that may come back):
 * small with syncs, as large as the log with synchronous=OFF.  The
 * files themselves are streamed.
 */
#include "autoconf.h"
#include "crashlog.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "util.h"

#define CL_MAGIC   UINT32_C(0x474c4353)     /* "SCLG" little-endian */
#define CL_HDR     56
#define CL_WRITE   1
#define CL_SYNC    2
#define CL_TRUNC   3
#define CL_DELETE  4
#define CL_END     1u
#define CL_DIR     2u
#define CL_KEPT    4u
#define CL_OFF_MAX (INT64_C(1) << 50)      /* offsets and sizes: sane */
#define SECT       CRASHLOG_SECTOR
#define NFILE      CRASHLOG_NFILE
#define NONE       INT64_MAX               /* "after the end of the log" */

/* ------------------------------------------------------ the recorder */

static void
cl_put32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
	p[2] = (unsigned char)(v >> 16);
	p[3] = (unsigned char)(v >> 24);
}

static void
cl_put64(unsigned char *p, int64_t v)
{
	cl_put32(p, (uint32_t)(uint64_t)v);
	cl_put32(p + 4, (uint32_t)((uint64_t)v >> 32));
}

static uint32_t
cl_get32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

static int64_t
cl_get64(const unsigned char *p)
{
	return (int64_t)((uint64_t)cl_get32(p) |
	    (uint64_t)cl_get32(p + 4) << 32);
}

/*
 * The records' check: FNV-1a over 8-byte words (then the last bytes).
 * Each step is a bijection of the running value, so any change within
 * one word always shows; a word at a time keeps the recorder cheap.
 */
static uint64_t
cl_sum(uint64_t h, const void *buf, size_t len)
{
	const unsigned char *p = buf;
	uint64_t w;
	size_t i;

	for (i = 0; i + 8 <= len; i += 8) {
		memcpy(&w, p + i, 8);
		h = (h ^ w) * UINT64_C(1099511628211);
	}
	for (; i < len; i++)
		h = (h ^ p[i]) * UINT64_C(1099511628211);
	return h;
}

#define CL_SUM0 UINT64_C(14695981039346656037)

int
crashlog_open(struct crashlog *log, const char *path)
{
	log->pid = (int)getpid();
	log->fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	return log->fd < 0 ? -1 : 0;
}

void
crashlog_close(struct crashlog *log)
{
	util_close(&log->fd);
}

/*
 * One record, one writev(): concurrent appenders never interleave.
 * EINTR before any byte is retried; a short write is EIO, since a
 * record cut in two would make the whole log unreadable.
 */
static int
cl_emit(struct crashlog *log, int type, int file, unsigned flags, int64_t t,
    int64_t a, int64_t b, int64_t c, const void *pay, size_t len)
{
	unsigned char h[CL_HDR];
	struct iovec iov[2];
	ssize_t w;

	if (log->fd < 0 || file < 0 || file >= NFILE || len > UINT32_MAX) {
		errno = log->fd < 0 ? EBADF : EINVAL;
		return -1;
	}
	memset(h, 0, sizeof h);
	cl_put32(h, CL_MAGIC);
	h[4] = (unsigned char)type;
	h[5] = (unsigned char)file;
	h[6] = (unsigned char)flags;
	cl_put32(h + 8, (uint32_t)log->pid);
	cl_put32(h + 12, (uint32_t)len);
	cl_put64(h + 16, t);
	cl_put64(h + 24, a);
	cl_put64(h + 32, b);
	cl_put64(h + 40, c);
	cl_put64(h + 48, (int64_t)cl_sum(cl_sum(CL_SUM0, h, CL_HDR), pay,
	    len));
	iov[0].iov_base = h;
	iov[0].iov_len = sizeof h;
	iov[1].iov_base = (void *)(uintptr_t)pay;
	iov[1].iov_len = len;
	do
		w = writev(log->fd, iov, len > 0 ? 2 : 1);
	while (w < 0 && errno == EINTR);
	if (w < 0)
		return -1;
	if ((size_t)w != sizeof h + len) {
		errno = EIO;
		return -1;
	}
	return 0;
}

/* Bytes of old contents a write record carries (see crashlog.h). */
static int64_t
cl_oldlen(int64_t off, int64_t n, int64_t old_size)
{
	int64_t lo = off / SECT * SECT;
	int64_t hi = (off + n + SECT - 1) / SECT * SECT;

	if (hi > old_size)
		hi = old_size;
	return hi > lo ? hi - lo : 0;
}

int
crashlog_write(struct crashlog *log, int file, int64_t t, int64_t off,
    int64_t n, int64_t old_size, const void *old, size_t oldlen)
{
	if (off < 0 || n < 0 || old_size < 0 || off > CL_OFF_MAX ||
	    n > CL_OFF_MAX || old_size > CL_OFF_MAX ||
	    (int64_t)oldlen != cl_oldlen(off, n, old_size)) {
		errno = EINVAL;
		return -1;
	}
	return cl_emit(log, CL_WRITE, file, 0, t, off, n, old_size, old,
	    oldlen);
}

int
crashlog_sync(struct crashlog *log, int file, int64_t t, int end, int dir)
{
	return cl_emit(log, CL_SYNC, file, (end ? CL_END : 0) |
	    (dir ? CL_DIR : 0), t, 0, 0, 0, NULL, 0);
}

int
crashlog_truncate(struct crashlog *log, int file, int64_t t,
    int64_t new_size, int64_t old_size, const void *tail, size_t taillen)
{
	if (new_size < 0 || old_size < 0 || new_size > CL_OFF_MAX ||
	    old_size > CL_OFF_MAX || (new_size <= old_size && tail != NULL &&
	    (int64_t)taillen != old_size - new_size)) {
		errno = EINVAL;
		return -1;
	}
	/* An extension cuts nothing: nothing to keep, nothing lost. */
	if (new_size > old_size)
		tail = "";
	if (new_size >= old_size || tail == NULL)
		taillen = 0;
	return cl_emit(log, CL_TRUNC, file, tail != NULL ? CL_KEPT : 0, t,
	    new_size, old_size, 0, tail, taillen);
}

int
crashlog_delete(struct crashlog *log, int file, int64_t t,
    const void *content, size_t len, int dir)
{
	if ((int64_t)len > CL_OFF_MAX) {
		errno = EINVAL;
		return -1;
	}
	return cl_emit(log, CL_DELETE, file, (content != NULL ? CL_KEPT : 0) |
	    (dir ? CL_DIR : 0), t, 0, (int64_t)len, 0, content,
	    content != NULL ? len : 0);
}

/* ------------------------------------------------------- the loader */

struct crec {
	int type, file, pid;
	unsigned flags;
	int64_t t, a, b, c;
	const unsigned char *pay;
	size_t len;
};

/* A sector written or cut since its file's durable point. */
struct csect {
	int64_t k;                      /* sector number */
	const unsigned char *cur;       /* the walk's version (backwards) */
	const unsigned char *end;       /* the version at the end, or NULL */
	const unsigned char **opt;      /* versions, oldest first */
	size_t nopt, capopt;
	int endopt;                     /* index of end in opt, or -1 */
};

/* One life of a file, from its creation (or the log's start) to its
 * delete (or now). */
struct cinc {
	size_t first, last;     /* its records: [first, last) */
	int64_t born;           /* created after this record, -1: before */
	int64_t died;           /* deleted by this record, NONE: alive */
	int64_t durable;        /* records before this are durable */
	const unsigned char *kept;      /* contents at the delete */
	int64_t endsize;        /* its size at the end (delete or now) */
	int current;            /* the end is the file as it is now */
	int walked;             /* its sectors and sizes are worked out */
	int truncated;          /* a truncate since the durable point */
	struct csect *sect;     /* sorted by k once walked */
	size_t nsect, capsect;
	size_t *hash;           /* k -> index + 1 while walking */
	size_t hcap;
	int64_t *sizes;         /* sizes it may have, ascending */
	size_t nsize, capsize;
};

struct cfile {
	const char *path;
	int fd;                 /* the file now, or -1 when absent */
	int64_t size;           /* its size now */
	struct cinc *inc;
	size_t ninc, capinc;
	int64_t nsdurable;      /* its directory entry durable before this */
	int *cand;              /* possible states: an inc index, or -1 */
	size_t ncand, capcand;
	int64_t synced;         /* begin of its last completed sync, or -1 */
	int64_t synced_t;
};

struct crashlog_state {
	unsigned char *log;     /* mapped, loglen bytes */
	size_t loglen;
	struct crec *rec;
	size_t nrec;
	struct cfile f[NFILE];
	int64_t dd_t;           /* t of the directory's durable point */
	unsigned char **chunk;  /* arena of sector copies */
	size_t nchunk, capchunk, used;
	struct {                /* records torn by a killed writer */
		int    pid;
		size_t next;    /* index of the first record after it */
	} torn[64];
	size_t ntorn;
};

#define CHUNK (256 * SECT)

static const unsigned char cl_zero[SECT];

/* A fresh zeroed sector from the arena, or NULL (ENOMEM). */
static unsigned char *
cl_blob(struct crashlog_state *st)
{
	unsigned char *p;

	if (st->nchunk == 0 || st->used == CHUNK) {
		if (util_grow(&st->chunk, &st->capchunk, st->nchunk,
		    sizeof *st->chunk, 16) < 0 ||
		    (p = calloc(1, CHUNK)) == NULL)
			return NULL;
		st->chunk[st->nchunk++] = p;
		st->used = 0;
	}
	p = st->chunk[st->nchunk - 1] + st->used;
	st->used += SECT;
	return p;
}

/* A sector from a byte range (len may be short or 0: zeros after). */
static const unsigned char *
cl_blob_from(struct crashlog_state *st, const unsigned char *src,
    int64_t len)
{
	unsigned char *p;

	if (len <= 0)
		return cl_zero;
	if ((p = cl_blob(st)) != NULL)
		memcpy(p, src, (size_t)(len < SECT ? len : SECT));
	return p;
}

/* The payload length a record must have, or -1 if it cannot be. */
static int64_t
cl_want(const struct crec *r, const char *const files[])
{
	if (r->file >= NFILE || files[r->file] == NULL)
		return -1;
	switch (r->type) {
	case CL_WRITE:
		if (r->a < 0 || r->b < 0 || r->c < 0 || r->a > CL_OFF_MAX ||
		    r->b > CL_OFF_MAX || r->c > CL_OFF_MAX || r->flags != 0)
			return -1;
		return cl_oldlen(r->a, r->b, r->c);
	case CL_SYNC:
		return (r->flags & ~(CL_END | CL_DIR)) != 0 || r->a != 0 ||
		    r->b != 0 || r->c != 0 ? -1 : 0;
	case CL_TRUNC:
		if (r->a < 0 || r->b < 0 || r->a > CL_OFF_MAX ||
		    r->b > CL_OFF_MAX || (r->flags & ~CL_KEPT) != 0 ||
		    r->c != 0 || (r->a > r->b && r->flags != CL_KEPT))
			return -1;
		return r->flags & CL_KEPT && r->a < r->b ? r->b - r->a : 0;
	case CL_DELETE:
		if (r->b < 0 || r->b > CL_OFF_MAX || r->a != 0 || r->c != 0 ||
		    (r->flags & CL_END) != 0)
			return -1;
		return r->flags & CL_KEPT ? r->b : 0;
	}
	return -1;
}

/* Parse one record at buf[*pos]; -1 with err if torn or malformed. */
static int
cl_parse(const unsigned char *buf, size_t size, size_t *pos,
    const char *const files[], struct crec *r, char *err, size_t errlen)
{
	const unsigned char *h = buf + *pos;
	unsigned char hc[CL_HDR];
	size_t left = size - *pos;
	int64_t want;

	if (left < CL_HDR || cl_get32(h) != CL_MAGIC) {
		util_set_err(err, errlen, "crash log: %s record at byte %zu",
		    left < CL_HDR ? "torn" : "garbled (no magic)", *pos);
		return -1;
	}
	r->type = h[4];
	r->file = h[5];
	r->flags = h[6];
	r->pid = (int)cl_get32(h + 8);
	r->len = cl_get32(h + 12);
	r->t = cl_get64(h + 16);
	r->a = cl_get64(h + 24);
	r->b = cl_get64(h + 32);
	r->c = cl_get64(h + 40);
	if (r->len > left - CL_HDR) {
		util_set_err(err, errlen, "crash log: torn record at byte %zu",
		    *pos);
		return -1;
	}
	r->pay = h + CL_HDR;
	memcpy(hc, h, CL_HDR);
	memset(hc + 48, 0, 8);
	if (cl_sum(cl_sum(CL_SUM0, hc, CL_HDR), r->pay, r->len) !=
	    (uint64_t)cl_get64(h + 48) || h[7] != 0) {
		util_set_err(err, errlen, "crash log: garbled record at byte "
		    "%zu (checksum)", *pos);
		return -1;
	}
	want = cl_want(r, files);
	if (want < 0 || (int64_t)r->len != want) {
		util_set_err(err, errlen, "crash log: malformed record at byte "
		    "%zu (type %d, file %d)", *pos, r->type, r->file);
		return -1;
	}
	*pos += CL_HDR + r->len;
	return 0;
}

/*
 * A record cut short where the log goes on: a process killed (SIGKILL,
 * by the nemesis, or at the cut when it would not stop) inside its
 * append leaves the first part of a record, and O_APPEND puts the next
 * writer's record right after it.  The write that record announced
 * never happened (the recorder appends before it writes), so it is
 * dropped, on two conditions: its header is whole (its writer is
 * known), and that writer wrote nothing after it (cl_check_torn(): a
 * killed process writes no more).  Finds the next whole record after
 * *pos (or the end of the log) and notes the torn one.  Returns 0, or -1
 * (not such a record: the caller's error stands).
 */
static int
cl_skip_torn(struct crashlog_state *st, size_t *pos,
    const char *const files[])
{
	const unsigned char *h = st->log + *pos;
	struct crec probe;
	char e2[8];
	size_t q, end;

	if (st->loglen - *pos < CL_HDR || cl_get32(h) != CL_MAGIC ||
	    st->ntorn == sizeof st->torn / sizeof st->torn[0])
		return -1;
	end = *pos + CL_HDR + (size_t)cl_get32(h + 12);
	for (q = *pos + 1; q < st->loglen; q++) {
		size_t at = q;

		if (st->loglen - q >= CL_HDR &&
		    cl_get32(st->log + q) == CL_MAGIC &&
		    cl_parse(st->log, st->loglen, &at, files, &probe, e2,
		    sizeof e2) == 0)
			break;
	}
	/*
	 * Cut short, not garbled: what follows (the next whole record, or
	 * the log's end) begins before the record's own declared end.
	 */
	if (q >= end)
		return -1;
	st->torn[st->ntorn].pid = (int)cl_get32(h + 8);
	st->torn[st->ntorn].next = st->nrec;
	st->ntorn++;
	*pos = q;
	return 0;
}

/* Every dropped torn record's writer wrote nothing after it. */
static int
cl_check_torn(const struct crashlog_state *st, char *err, size_t errlen)
{
	size_t i, r;

	for (i = 0; i < st->ntorn; i++)
		for (r = st->torn[i].next; r < st->nrec; r++)
			if (st->rec[r].pid == st->torn[i].pid) {
				util_set_err(err, errlen, "crash log: a torn "
				    "record of pid %d, which wrote again after "
				    "it", st->torn[i].pid);
				return -1;
			}
	return 0;
}

/*
 * Map the whole log (nobody may write it any more) and parse it into
 * st->rec.
 */
static int
cl_read(struct crashlog_state *st, const char *path,
    const char *const files[], char *err, size_t errlen)
{
	struct stat sb;
	size_t pos = 0, cap = 0;
	void *m;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0 || fstat(fd, &sb) < 0)
		goto fail;
	if (sb.st_size > 0) {
		if ((uint64_t)sb.st_size > SIZE_MAX) {
			errno = EFBIG;
			goto fail;
		}
		m = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_PRIVATE, fd,
		    0);
		if (m == MAP_FAILED)
			goto fail;
		st->log = m;
		st->loglen = (size_t)sb.st_size;
	}
	util_close(&fd);
	while (pos < st->loglen) {
		if (util_grow(&st->rec, &cap, st->nrec, sizeof *st->rec,
		    256) < 0)
			goto fail;
		if (cl_parse(st->log, st->loglen, &pos, files,
		    &st->rec[st->nrec], err, errlen) == 0) {
			st->nrec++;
			continue;
		}
		if (cl_skip_torn(st, &pos, files) < 0)
			return -1;
		err[0] = '\0';
	}
	return cl_check_torn(st, err, errlen);
fail:
	util_set_err(err, errlen, "crash log %s: %s", path, strerror(errno ?
	    errno : EIO));
	util_close(&fd);
	return -1;
}

/*
 * Pair every sync end with the last open begin of its pid and file
 * (marking the begin complete: its c becomes the end's index + 1), and
 * find the durable points: per file, the begin of its last completed
 * sync; for the directory (*dd: records before it are durable), the
 * begin of the last completed sync with dir, or just after a delete
 * with dir.
 */
static int
cl_pair_syncs(struct crashlog_state *st, int64_t *dd, char *err,
    size_t errlen)
{
	size_t i, j;

	*dd = 0;
	for (i = 0; i < st->nrec; i++) {
		struct crec *r = &st->rec[i];

		if (r->type == CL_DELETE && (r->flags & CL_DIR)) {
			*dd = (int64_t)i + 1;
			st->dd_t = r->t;
		}
		if (r->type != CL_SYNC || !(r->flags & CL_END))
			continue;
		for (j = i; j-- > 0;) {
			struct crec *b = &st->rec[j];

			if (b->type == CL_SYNC && b->pid == r->pid &&
			    b->file == r->file && !(b->flags & CL_END))
				break;
		}
		if (j == (size_t)-1 || st->rec[j].c != 0) {
			util_set_err(err, errlen, "crash log: sync end at record "
			    "%zu has no begin", i);
			return -1;
		}
		st->rec[j].c = (int64_t)i + 1;
		st->rec[j].flags |= r->flags & CL_DIR;
		if ((int64_t)j >= st->f[r->file].synced) {
			st->f[r->file].synced = (int64_t)j;
			st->f[r->file].synced_t = st->rec[j].t;
		}
		if ((st->rec[j].flags & CL_DIR) && (int64_t)j >= *dd) {
			*dd = (int64_t)j;
			st->dd_t = st->rec[j].t;
		}
	}
	return 0;
}

/* ------------------------------------------------- the lives of a file */

static struct cinc *
cl_new_inc(struct cfile *cf, size_t first)
{
	struct cinc *c;

	if (util_grow(&cf->inc, &cf->capinc, cf->ninc, sizeof *cf->inc,
	    4) < 0)
		return NULL;
	c = &cf->inc[cf->ninc++];
	memset(c, 0, sizeof *c);
	c->first = c->last = first;
	c->died = NONE;
	return c;
}

/*
 * The life the file is in now.  alive: the last life with records, not
 * deleted (NULL when there is none or it was deleted).  A file that is
 * there now with no record since its delete was created after every
 * record; one that is gone although its last life was not deleted (an
 * unrecorded unlink) ends empty, deleted after every record.
 */
static int
cl_last_life(struct crashlog_state *st, int f, struct cinc *alive)
{
	struct cfile *cf = &st->f[f];

	if (alive == NULL) {
		if (cf->fd < 0)
			return 0;
		if ((alive = cl_new_inc(cf, st->nrec)) == NULL)
			return -1;
		alive->born = cf->ninc > 1 ? (int64_t)st->nrec : -1;
		alive->durable = (int64_t)st->nrec;
	}
	if (cf->fd >= 0) {
		alive->current = 1;
		alive->endsize = cf->size;
	} else {
		alive->died = (int64_t)st->nrec;
		alive->endsize = 0;
	}
	return 0;
}
/*
 * Cut file f's records into lives at its deletes.  The first life was
 * there before the log unless its first record is a write at size 0
 * (the create); a life after a delete is created by its first record
 * (or after every record when it has none and the file is there now).
 * Each life's durable point: the begin of its last completed sync, or
 * just after a truncate whose tail was not kept, or its start.
 */
static int
cl_lives(struct crashlog_state *st, int f)
{
	struct cfile *cf = &st->f[f];
	struct cinc *c = NULL;
	size_t i;

	for (i = 0; i < st->nrec; i++) {
		const struct crec *r = &st->rec[i];

		if (r->file != f)
			continue;
		if (c == NULL) {
			if ((c = cl_new_inc(cf, i)) == NULL)
				return -1;
			c->born = cf->ninc > 1 || (r->type == CL_WRITE &&
			    r->c == 0) ? (int64_t)i : -1;
			c->durable = (int64_t)i;
		}
		c->last = i + 1;
		if (r->type == CL_SYNC && r->c != 0 && (int64_t)i > c->durable)
			c->durable = (int64_t)i;
		if (r->type == CL_TRUNC && !(r->flags & CL_KEPT))
			c->durable = (int64_t)i + 1;
		if (r->type == CL_DELETE) {
			c->died = (int64_t)i;
			c->last = i;
			c->kept = r->flags & CL_KEPT ? r->pay : NULL;
			c->endsize = r->b;
			if (!(r->flags & CL_KEPT) && (int64_t)i + 1 >
			    cf->nsdurable)
				cf->nsdurable = (int64_t)i + 1;
			c = NULL;
		}
	}
	return cl_last_life(st, f, c);
}

/* ---------------------------------------------------- the backward walk */

/* Sector k of a life as it ends into *out (NULL past its end size). */
static int
cl_end_blob(struct crashlog_state *st, const struct cinc *c, int f,
    int64_t k, const unsigned char **out)
{
	int64_t off = k * SECT, len = c->endsize - off;
	unsigned char *p;
	size_t got = 0;
	ssize_t r;

	*out = NULL;
	if (len <= 0 || (!c->current && c->kept == NULL))
		return 0;
	if (!c->current) {
		*out = cl_blob_from(st, c->kept + off, len);
		return *out == NULL ? -1 : 0;
	}
	if ((p = cl_blob(st)) == NULL)
		return -1;
	while (got < SECT && (r = pread(st->f[f].fd, p + got, SECT - got,
	    (off_t)(off + (int64_t)got))) > 0)
		got += (size_t)r;
	*out = p;
	return 0;
}

/* The sector k of life c, added (its versions: none yet) if new. */
static struct csect *
cl_sect(struct crashlog_state *st, struct cinc *c, int f, int64_t k)
{
	size_t h, i;
	struct csect *e;

	if (c->nsect * 2 >= c->hcap) {
		size_t ncap = c->hcap ? c->hcap * 2 : 64;
		size_t *nh = calloc(ncap, sizeof *nh);

		if (nh == NULL)
			return NULL;
		for (i = 0; i < c->nsect; i++) {
			h = (size_t)c->sect[i].k * 2654435761u % ncap;
			while (nh[h] != 0)
				h = (h + 1) % ncap;
			nh[h] = i + 1;
		}
		free(c->hash);
		c->hash = nh;
		c->hcap = ncap;
	}
	h = (size_t)k * 2654435761u % c->hcap;
	for (; c->hash[h] != 0; h = (h + 1) % c->hcap)
		if (c->sect[c->hash[h] - 1].k == k)
			return &c->sect[c->hash[h] - 1];
	if (util_grow(&c->sect, &c->capsect, c->nsect, sizeof *c->sect,
	    16) < 0)
		return NULL;
	e = &c->sect[c->nsect];
	memset(e, 0, sizeof *e);
	e->k = k;
	if (cl_end_blob(st, c, f, k, &e->end) < 0)
		return NULL;
	e->cur = e->end != NULL ? e->end : cl_zero;
	c->hash[h] = ++c->nsect;
	return e;
}

static int
cl_add_opt(struct csect *e, const unsigned char *v)
{
	if (v == NULL || util_grow(&e->opt, &e->capopt, e->nopt,
	    sizeof *e->opt, 2) < 0)
		return -1;
	e->opt[e->nopt++] = v;
	return 0;
}

static int
cl_add_size(struct cinc *c, int64_t size)
{
	if (util_grow(&c->sizes, &c->capsize, c->nsize, sizeof *c->sizes,
	    4) < 0)
		return -1;
	c->sizes[c->nsize++] = size;
	return 0;
}

/* Back over a write: the sectors it covered held its old contents. */
static int
cl_unwrite(struct crashlog_state *st, struct cinc *c, int f,
    const struct crec *r)
{
	int64_t lo = r->a / SECT, hi = (r->a + r->b + SECT - 1) / SECT, k;
	struct csect *e;

	for (k = lo; k < hi; k++) {
		if ((e = cl_sect(st, c, f, k)) == NULL ||
		    cl_add_opt(e, e->cur) < 0)
			return -1;
		e->cur = cl_blob_from(st, r->pay + (k - lo) * SECT,
		    (int64_t)r->len - (k - lo) * SECT);
		if (e->cur == NULL)
			return -1;
	}
	return 0;
}

/* Back over a truncate: the sectors it cut held its kept tail. */
static int
cl_untruncate(struct crashlog_state *st, struct cinc *c, int f,
    const struct crec *r)
{
	int64_t k, from, to;
	struct csect *e;
	unsigned char *p;

	if (r->a >= r->b)
		return 0;       /* an extension: every sector as it was */
	c->truncated = 1;
	for (k = r->a / SECT; k * SECT < r->b; k++) {
		if ((e = cl_sect(st, c, f, k)) == NULL || (p = cl_blob(st)) ==
		    NULL)
			return -1;
		from = k * SECT > r->a ? k * SECT : r->a;
		to = (k + 1) * SECT < r->b ? (k + 1) * SECT : r->b;
		if (from > k * SECT) {
			/* The cut sector: its head stays, as it was after. */
			if (cl_add_opt(e, e->cur) < 0)
				return -1;
			memcpy(p, e->cur, (size_t)(from - k * SECT));
		}
		memcpy(p + (from - k * SECT), r->pay + (from - r->a),
		    (size_t)(to - from));
		e->cur = p;
	}
	return 0;
}

static uint64_t
cl_hash(const unsigned char *p)
{
	uint64_t h = UINT64_C(14695981039346656037);
	size_t i;

	for (i = 0; i < SECT; i++)
		h = (h ^ p[i]) * UINT64_C(1099511628211);
	return h;
}

/*
 * Close a sector's versions: the durable one (the walk's last) first,
 * then the rest oldest first, each distinct once; endopt: the one the
 * life ends with.
 */
static int
cl_close_sect(struct csect *e)
{
	uint64_t *h;
	size_t i, j, n = 0;

	if (cl_add_opt(e, e->cur) < 0 || (h = malloc(e->nopt *
	    sizeof *h)) == NULL)
		return -1;
	for (i = 0; i < e->nopt / 2; i++) {
		const unsigned char *t = e->opt[i];

		e->opt[i] = e->opt[e->nopt - 1 - i];
		e->opt[e->nopt - 1 - i] = t;
	}
	for (i = 0; i < e->nopt; i++) {
		uint64_t hi = cl_hash(e->opt[i]);

		for (j = 0; j < n; j++)
			if (h[j] == hi && memcmp(e->opt[j], e->opt[i],
			    SECT) == 0)
				break;
		if (j == n) {
			h[n] = hi;
			e->opt[n++] = e->opt[i];
		}
	}
	e->nopt = n;
	e->endopt = -1;
	for (j = 0; e->end != NULL && j < n; j++)
		if (memcmp(e->opt[j], e->end, SECT) == 0)
			e->endopt = (int)j;
	free(h);
	return 0;
}

static int
cl_cmp_sect(const void *a, const void *b)
{
	const struct csect *x = a, *y = b;

	return x->k < y->k ? -1 : x->k > y->k;
}

static int
cl_cmp_size(const void *a, const void *b)
{
	const int64_t *x = a, *y = b;

	return *x < *y ? -1 : *x > *y;
}

/*
 * Walk a life back from its end to its durable point, collecting every
 * version of every sector written or cut since, and every size.
 */
static int
cl_walk(struct crashlog_state *st, struct cinc *c, int f)
{
	int64_t size = c->endsize;
	size_t i, j, n;
	int rc = 0;

	for (i = c->last; rc == 0 && i-- > c->first &&
	    (int64_t)i >= c->durable;) {
		const struct crec *r = &st->rec[i];

		if (r->file != f || (r->type != CL_WRITE && r->type != CL_TRUNC))
			continue;
		rc = cl_add_size(c, size);
		if (rc == 0)
			rc = r->type == CL_WRITE ? cl_unwrite(st, c, f, r) :
			    cl_untruncate(st, c, f, r);
		size = r->type == CL_WRITE ? r->c : r->b;
	}
	if (rc < 0 || cl_add_size(c, size) < 0)
		return -1;
	for (i = 0; i < c->nsect; i++)
		if (cl_close_sect(&c->sect[i]) < 0)
			return -1;
	if (c->nsect > 1)
		qsort(c->sect, c->nsect, sizeof *c->sect, cl_cmp_sect);
	qsort(c->sizes, c->nsize, sizeof *c->sizes, cl_cmp_size);
	for (j = n = 0; j < c->nsize; j++)
		if (n == 0 || c->sizes[n - 1] != c->sizes[j])
			c->sizes[n++] = c->sizes[j];
	c->nsize = n;
	free(c->hash);
	c->hash = NULL;
	c->walked = 1;
	return 0;
}

static int
cl_add_cand(struct cfile *cf, int v)
{
	if (util_grow(&cf->cand, &cf->capcand, cf->ncand, sizeof *cf->cand,
	    4) < 0)
		return -1;
	cf->cand[cf->ncand++] = v;
	return 0;
}

/* [lo, hi] meets [from, now]. */
static int
cl_meets(int64_t lo, int64_t hi, int64_t from, int64_t now)
{
	return lo <= hi && hi >= from && lo <= now;
}

/*
 * The states file f may be in: the life it is in, or its absence, at
 * some moment x (x: the records before x are done; nrec + 1 is now)
 * from its directory's durable point on.  Life i is there for born <
 * x <= died; absence is one state however often it occurs.  Each life
 * that may be there is walked.
 */
static int
cl_states(struct crashlog_state *st, int f, int64_t dd)
{
	struct cfile *cf = &st->f[f];
	int64_t from = dd > cf->nsdurable ? dd : cf->nsdurable;
	int64_t now = (int64_t)st->nrec + 1, gap = 0;
	int absent = 0;
	size_t i;

	for (i = 0; i < cf->ninc; i++) {
		struct cinc *c = &cf->inc[i];
		int64_t died = c->died == NONE ? now : c->died;

		if (c->born >= 0 && cl_meets(gap, c->born, from, now))
			absent = 1;
		if (cl_meets(c->born + 1, died, from, now) &&
		    (cl_walk(st, c, f) < 0 || cl_add_cand(cf, (int)i) < 0))
			return -1;
		gap = died + 1;
	}
	if (cf->ninc == 0 || cf->inc[cf->ninc - 1].died != NONE)
		absent |= cl_meets(gap, now, from, now);
	return absent ? cl_add_cand(cf, -1) : 0;
}

/* ------------------------------------------------------- the builder */

void
crashlog_free(struct crashlog_state *st)
{
	size_t i, j, k;
	int f;

	if (st == NULL)
		return;
	for (f = 0; f < NFILE; f++) {
		struct cfile *cf = &st->f[f];

		for (i = 0; i < cf->ninc; i++) {
			struct cinc *c = &cf->inc[i];

			for (j = 0; j < c->nsect; j++)
				free(c->sect[j].opt);
			free(c->sect);
			free(c->hash);
			free(c->sizes);
		}
		free(cf->inc);
		free(cf->cand);
		util_close(&cf->fd);
	}
	for (k = 0; k < st->nchunk; k++)
		free(st->chunk[k]);
	free(st->chunk);
	free(st->rec);
	if (st->log != NULL)
		munmap(st->log, st->loglen);
	free(st);
}

/* Open the files as they are now (absent: fd -1). */
static int
cl_open_files(struct crashlog_state *st, const char *const files[],
    char *err, size_t errlen)
{
	struct stat sb;
	int f;

	for (f = 0; f < NFILE; f++) {
		struct cfile *cf = &st->f[f];

		cf->path = files[f];
		if (files[f] == NULL)
			continue;
		cf->fd = open(files[f], O_RDONLY | O_CLOEXEC);
		if (cf->fd < 0 && errno == ENOENT)
			continue;
		if (cf->fd < 0 || fstat(cf->fd, &sb) < 0) {
			util_set_err(err, errlen, "crash log: %s: %s",
			    files[f], strerror(errno));
			return -1;
		}
		cf->size = (int64_t)sb.st_size;
	}
	return 0;
}

int
crashlog_load(const char *log_path, const char *const files[],
    struct crashlog_state **stp, char *err, size_t errlen)
{
	struct crashlog_state *st;
	int64_t dd;
	int f;

	*stp = NULL;
	if ((st = calloc(1, sizeof *st)) == NULL) {
		util_set_err(err, errlen, "crash log: out of memory");
		return -1;
	}
	for (f = 0; f < NFILE; f++) {
		st->f[f].fd = -1;
		st->f[f].synced = -1;
	}
	if (cl_read(st, log_path, files, err, errlen) < 0 ||
	    cl_open_files(st, files, err, errlen) < 0 ||
	    cl_pair_syncs(st, &dd, err, errlen) < 0)
		goto fail;
	for (f = 0; f < NFILE; f++)
		if (files[f] != NULL && (cl_lives(st, f) < 0 ||
		    cl_states(st, f, dd) < 0)) {
			util_set_err(err, errlen, "crash log: %s",
			    strerror(errno));
			goto fail;
		}
	*stp = st;
	return 0;
fail:
	crashlog_free(st);
	return -1;
}

size_t
crashlog_torn(const struct crashlog_state *st)
{
	return st->ntorn;
}

uint64_t
crashlog_unsynced(const struct crashlog_state *st)
{
	uint64_t n = 0;
	size_t i, j;
	int f;

	for (f = 0; f < NFILE; f++)
		for (i = 0; i < st->f[f].ninc; i++)
			for (j = 0; j < st->f[f].inc[i].nsect; j++)
				n += st->f[f].inc[i].sect[j].nopt > 1;
	return n;
}

int64_t
crashlog_synced_at(const struct crashlog_state *st, int file, int dir)
{
	if (dir)
		return st->dd_t;
	if (file < 0 || file >= NFILE || st->f[file].synced < 0)
		return 0;
	return st->f[file].synced_t;
}

static uint64_t
cl_draw(uint64_t *rs, uint64_t n)
{
	return n > 1 ? util_rand64(rs) % n : 0;
}

static int
cl_pwrite(int fd, const void *buf, size_t len, int64_t off)
{
	const unsigned char *p = buf;
	ssize_t w;

	while (len > 0) {
		w = pwrite(fd, p, len, (off_t)off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		len -= (size_t)w;
		off += w;
	}
	return 0;
}

/* The life's contents as it ends, its first size bytes, into fd. */
static int
cl_copy_base(const struct crashlog_state *st, const struct cinc *c, int f,
    int fd, int64_t size)
{
	unsigned char buf[64 * 1024];
	int64_t n = c->endsize < size ? c->endsize : size, off = 0;
	ssize_t r;

	if (!c->current)
		return c->kept == NULL ? 0 : cl_pwrite(fd, c->kept, (size_t)n,
		    0);
	while (off < n) {
		r = pread(st->f[f].fd, buf, (size_t)(n - off < (int64_t)sizeof
		    buf ? n - off : (int64_t)sizeof buf), (off_t)off);
		if (r < 0 && errno == EINTR)
			continue;
		if (r == 0)
			errno = EIO;    /* the file shrank since the load */
		if (r <= 0)
			return -1;
		if (cl_pwrite(fd, buf, (size_t)r, off) < 0)
			return -1;
		off += r;
	}
	return 0;
}

/* A sector's version written into an image of the given size. */
static int
cl_put_sect(int fd, int64_t k, const unsigned char *v, int64_t size)
{
	int64_t len = size - k * SECT;

	return cl_pwrite(fd, v, (size_t)(len < SECT ? len : SECT), k * SECT);
}

/* A sector the tear may pick: its file and its place in a life. */
struct ctear {
	int f;
	const struct csect *e;
	int64_t size;
};

/* Open an image file for writing; never the file it is an image of. */
static int
cl_open_out(const struct crashlog_state *st, int f, const char *out)
{
	struct stat a, b;

	if (st->f[f].fd >= 0 && stat(out, &a) == 0 &&
	    fstat(st->f[f].fd, &b) == 0 && a.st_dev == b.st_dev &&
	    a.st_ino == b.st_ino) {
		errno = EINVAL;
		return -1;
	}
	return open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
}

/*
 * One file of the image: its life (or absence), its size, and one
 * version of each sector with a choice, drawn in that order.
 */
static int
cl_build_file(const struct crashlog_state *st, int f, uint64_t *rs,
    const char *out, int *fd, struct crashlog_image *img,
    struct ctear **tv, size_t *nt, size_t *capt)
{
	const struct cfile *cf = &st->f[f];
	const struct cinc *c;
	int64_t size;
	size_t i;
	int v;

	v = cf->ncand > 0 ? cf->cand[cl_draw(rs, cf->ncand)] : -1;
	if (v < 0)
		return unlink(out) < 0 && errno != ENOENT ? -1 : 0;
	c = &cf->inc[v];
	size = c->sizes[cl_draw(rs, c->nsize)];
	img->present[f] = 1;
	img->size[f] = size;
	img->resurrected[f] = !c->current;
	img->truncate_undone[f] = c->truncated && size > c->endsize;
	if ((*fd = cl_open_out(st, f, out)) < 0 ||
	    cl_copy_base(st, c, f, *fd, size) < 0 || ftruncate(*fd,
	    (off_t)size) < 0)
		return -1;
	for (i = 0; i < c->nsect && c->sect[i].k * SECT < size; i++) {
		const struct csect *e = &c->sect[i];
		size_t o = cl_draw(rs, e->nopt);

		if (e->nopt > 1) {
			img->unsynced[f]++;
			img->reverted[f] += (int)o != e->endopt;
			if (util_grow(tv, capt, *nt, sizeof **tv, 16) < 0)
				return -1;
			(*tv)[(*nt)++] = (struct ctear){ f, e, size };
		}
		if (cl_put_sect(*fd, e->k, e->opt[o], size) < 0)
			return -1;
	}
	return 0;
}

/* Tear one drawn sector: a prefix of a newer version over an older. */
static int
cl_tear(uint64_t *rs, const struct ctear *tv, size_t nt, const int *fd,
    struct crashlog_image *img)
{
	const struct ctear *t;
	unsigned char p[SECT];
	size_t a, b, len;

	if (nt == 0)
		return 0;
	t = &tv[cl_draw(rs, nt)];
	a = cl_draw(rs, t->e->nopt);
	b = cl_draw(rs, t->e->nopt - 1);
	b += b >= a;
	if (a > b) {
		size_t x = a;

		a = b;
		b = x;
	}
	len = 8 * (1 + cl_draw(rs, SECT / 8 - 1));
	memcpy(p, t->e->opt[b], len);
	memcpy(p + len, t->e->opt[a] + len, SECT - len);
	img->torn_file = t->f;
	img->torn_off = t->e->k * SECT;
	return cl_put_sect(fd[t->f], t->e->k, p, t->size);
}

int
crashlog_build(const struct crashlog_state *st, uint64_t seed, int tear,
    const char *const out[], struct crashlog_image *img, char *err,
    size_t errlen)
{
	int fd[NFILE], f, rc = 0;
	struct ctear *tv = NULL;
	size_t nt = 0, capt = 0;
	uint64_t rs = seed;

	memset(img, 0, sizeof *img);
	img->torn_file = -1;
	for (f = 0; f < NFILE; f++)
		fd[f] = -1;
	for (f = 0; rc == 0 && f < NFILE; f++) {
		if (st->f[f].path == NULL)
			continue;
		if (out[f] == NULL) {
			util_set_err(err, errlen, "crash image: no path for "
			    "file %d", f);
			rc = -1;
		} else if (cl_build_file(st, f, &rs, out[f], &fd[f], img,
		    &tv, &nt, &capt) < 0) {
			util_set_err(err, errlen, "crash image %s: %s", out[f],
			    strerror(errno));
			rc = -1;
		}
	}
	if (rc == 0 && tear && cl_tear(&rs, tv, nt, fd, img) < 0) {
		util_set_err(err, errlen, "crash image: tearing a sector: %s",
		    strerror(errno));
		rc = -1;
	}
	for (f = 0; f < NFILE; f++)
		util_close(&fd[f]);
	free(tv);
	return rc;
}
