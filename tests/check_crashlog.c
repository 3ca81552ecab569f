/* SPDX-License-Identifier: MIT */
/*
 * check_crashlog: the power-loss log and the crash images built from
 * it.  Scripts of writes, syncs, truncates and deletes are played by one
 * or two forked processes (taking turns through pipes), each recording
 * through its own handle as the VFS shim does; then images are built
 * over many seeds and the set of distinct states they show is compared
 * with the set worked out by hand from the model (crashlog.c's header).
 * A state is written one character per sector (its fill byte, '0' for
 * zeros, '?' mixed), "-" for an absent file, files joined by '|'.
 * Every file lives in a fresh mkdtemp directory under $TMPDIR.
 */
#include "autoconf.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "crashlog.h"
#include "util.h"

#define S CRASHLOG_SECTOR
#define NSEED 512

enum { OP_W, OP_SB, OP_SE, OP_S, OP_T, OP_D, OP_TX, OP_DX, OP_WX };

/* One step of a script: who plays it, what, on which file. */
struct step {
	int who;        /* process 0 or 1 */
	int op;
	int file;
	int64_t arg;    /* OP_W: sector; OP_T: new size in bytes */
	int fill;       /* OP_W: the byte written */
	int dir;        /* syncs and deletes: with the directory */
};

static char tmpdir[512];
static char logpath[600], fpath[2][600], opath[2][600];

static void
setup(void)
{
	const char *base = getenv("TMPDIR");
	int i;

	snprintf(tmpdir, sizeof tmpdir, "%s/check_crashlog.XXXXXX",
	    base != NULL && *base != '\0' ? base : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	snprintf(logpath, sizeof logpath, "%s/log", tmpdir);
	for (i = 0; i < 2; i++) {
		snprintf(fpath[i], sizeof fpath[i], "%s/file%d", tmpdir, i);
		snprintf(opath[i], sizeof opath[i], "%s/image%d", tmpdir, i);
	}
}

static void
teardown(void)
{
	util_rmtree(tmpdir);
}

/* A file of n sectors, each filled with fill, made before the log. */
static void
make_file(const char *path, int n, int fill)
{
	unsigned char b[S];
	int fd, i;

	memset(b, fill, sizeof b);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	ck_assert_int_ge(fd, 0);
	for (i = 0; i < n; i++)
		ck_assert_int_eq(write(fd, b, S), S);
	close(fd);
}

/* The old contents of [off, off + n) rounded out to sectors, cut at
 * the file's size (what the shim reads before a write). */
static size_t
read_old(int fd, int64_t off, int64_t n, int64_t size, unsigned char *buf)
{
	int64_t lo = off / S * S, hi = (off + n + S - 1) / S * S;

	if (hi > size)
		hi = size;
	if (hi <= lo)
		return 0;
	ck_assert_int_eq(pread(fd, buf, (size_t)(hi - lo), lo), hi - lo);
	return (size_t)(hi - lo);
}

static int64_t
fsize(int fd)
{
	struct stat sb;

	if (fd < 0 || fstat(fd, &sb) < 0)
		return 0;
	return sb.st_size;
}

static int
open_file(int file)
{
	return open(fpath[file], O_RDWR | O_CREAT, 0644);
}

/* Write one sector through the log, as the shim does. */
static void
rec_write(struct crashlog *log, int file, int64_t k, int fill)
{
	unsigned char old[S], b[S];
	int fd = open_file(file);
	size_t n;

	ck_assert_int_ge(fd, 0);
	memset(b, fill, sizeof b);
	n = read_old(fd, k * S, S, fsize(fd), old);
	ck_assert_int_eq(crashlog_write(log, file, util_now_ns(), k * S, S,
	    fsize(fd), old, n), 0);
	ck_assert_int_eq(pwrite(fd, b, S, k * S), S);
	close(fd);
}

/* Truncate through the log; kept: keep the tail (else not kept). */
static void
rec_truncate(struct crashlog *log, int file, int64_t size, int kept)
{
	int fd = open_file(file);
	int64_t old = fsize(fd), cut = old > size ? old - size : 0;
	unsigned char *tail = malloc((size_t)cut + 1);

	ck_assert_ptr_nonnull(tail);
	ck_assert_int_eq(pread(fd, tail, (size_t)cut, size), cut);
	ck_assert_int_eq(crashlog_truncate(log, file, util_now_ns(), size, old,
	    kept ? tail : NULL, kept ? (size_t)cut : 0), 0);
	ck_assert_int_eq(ftruncate(fd, size), 0);
	free(tail);
	close(fd);
}

static void
rec_delete(struct crashlog *log, int file, int dir, int kept)
{
	int fd = open(fpath[file], O_RDONLY);
	int64_t n = fsize(fd);
	unsigned char *b = malloc((size_t)n + 1);

	ck_assert_ptr_nonnull(b);
	ck_assert_int_eq(pread(fd, b, (size_t)n, 0), n);
	ck_assert_int_eq(crashlog_delete(log, file, util_now_ns(), kept ? b :
	    NULL, (size_t)n, dir), 0);
	ck_assert_int_eq(unlink(fpath[file]), 0);
	free(b);
	close(fd);
}

static void
rec_sync(struct crashlog *log, int file, int end, int dir)
{
	int fd = open_file(file);

	ck_assert_int_ge(fd, 0);
	if (!end) {
		ck_assert_int_eq(crashlog_sync(log, file, util_now_ns(), 0,
		    dir), 0);
		ck_assert_int_eq(fsync(fd), 0);
	} else {
		ck_assert_int_eq(crashlog_sync(log, file, util_now_ns(), 1,
		    dir), 0);
	}
	close(fd);
}

static void
play(struct crashlog *log, const struct step *s)
{
	switch (s->op) {
	case OP_W:
		rec_write(log, s->file, s->arg, s->fill);
		break;
	case OP_SB:
		rec_sync(log, s->file, 0, s->dir);
		break;
	case OP_SE:
		rec_sync(log, s->file, 1, s->dir);
		break;
	case OP_S:
		rec_sync(log, s->file, 0, s->dir);
		rec_sync(log, s->file, 1, s->dir);
		break;
	case OP_T:
	case OP_TX:
		rec_truncate(log, s->file, s->arg, s->op == OP_T);
		break;
	case OP_D:
	case OP_DX:
		rec_delete(log, s->file, s->dir, s->op == OP_D);
		break;
	}
}

/* A player: its own handle on the log; plays the step it is sent. */
static void
player(int in, int out, const struct step *steps)
{
	struct crashlog log;
	int i;

	if (crashlog_open(&log, logpath) < 0)
		_exit(2);
	while (read(in, &i, sizeof i) == (ssize_t)sizeof i) {
		play(&log, &steps[i]);
		if (write(out, &i, sizeof i) != (ssize_t)sizeof i)
			_exit(3);
	}
	crashlog_close(&log);
	_exit(0);
}

/* Play a script with two processes taking turns. */
static void
run_script(const struct step *steps, int n)
{
	int to[2][2], back[2], i, j, st;
	pid_t pid[2];

	ck_assert_int_eq(pipe(back), 0);
	for (i = 0; i < 2; i++)
		ck_assert_int_eq(pipe(to[i]), 0);
	for (i = 0; i < 2; i++) {
		pid[i] = fork();
		ck_assert_int_ge(pid[i], 0);
		if (pid[i] == 0) {
			/* Only its own ends: the other's EOF must come. */
			for (j = 0; j < 2; j++) {
				close(to[j][1]);
				if (j != i)
					close(to[j][0]);
			}
			close(back[0]);
			player(to[i][0], back[1], steps);
		}
	}
	for (i = 0; i < 2; i++)
		close(to[i][0]);
	close(back[1]);
	for (i = 0; i < n; i++) {
		int got = -1;

		ck_assert_int_eq(write(to[steps[i].who][1], &i, sizeof i),
		    sizeof i);
		ck_assert_int_eq(read(back[0], &got, sizeof got), sizeof got);
		ck_assert_int_eq(got, i);
	}
	for (i = 0; i < 2; i++) {
		close(to[i][1]);
		ck_assert_int_eq(waitpid(pid[i], &st, 0), pid[i]);
		ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	}
	close(back[0]);
}

/* "ab0" for a file of sectors filled 'a', 'b', zeros; "-" if absent. */
static void
describe(const char *path, char *d, size_t cap)
{
	unsigned char b[S];
	size_t n = 0;
	ssize_t r;
	int fd, i;

	if ((fd = open(path, O_RDONLY)) < 0) {
		snprintf(d, cap, "-");
		return;
	}
	while (n + 2 < cap && (r = read(fd, b, S)) > 0) {
		for (i = 1; i < r && b[i] == b[0]; i++)
			;
		d[n++] = r != S ? '+' : i < r ? '?' : b[0] == 0 ? '0' :
		    (char)b[0];
	}
	d[n] = '\0';
	close(fd);
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * Build images for seeds 0..nseed-1; return the distinct states,
 * sorted and joined by spaces (a malloc'd string).
 */
static char *
states(int nfile, uint64_t nseed, int tear)
{
	const char *files[CRASHLOG_NFILE] = { fpath[0], NULL, NULL };
	const char *out[CRASHLOG_NFILE] = { opath[0], NULL, NULL };
	struct crashlog_state *st = NULL;
	struct crashlog_image img;
	char err[256], d[2][64], **v, *all;
	size_t i, n = 0, len = 1;

	if (nfile > 1) {
		files[1] = fpath[1];
		out[1] = opath[1];
	}
	ck_assert_msg(crashlog_load(logpath, files, &st, err, sizeof err) == 0,
	    "%s", err);
	v = calloc(nseed, sizeof *v);
	for (i = 0; i < nseed; i++) {
		ck_assert_msg(crashlog_build(st, i, tear, out, &img, err,
		    sizeof err) == 0, "%s", err);
		describe(opath[0], d[0], sizeof d[0]);
		describe(opath[1], d[1], sizeof d[1]);
		v[i] = malloc(140);
		snprintf(v[i], 140, nfile > 1 ? "%s|%s" : "%s", d[0], d[1]);
	}
	crashlog_free(st);
	qsort(v, nseed, sizeof *v, cmp_str);
	for (i = 0; i < nseed; i++)
		len += strlen(v[i]) + 1;
	all = calloc(1, len);
	for (i = 0; i < nseed; i++) {
		if (i == 0 || strcmp(v[i], v[i - 1]) != 0) {
			if (n++ > 0)
				strcat(all, " ");
			strcat(all, v[i]);
		}
	}
	for (i = 0; i < nseed; i++)
		free(v[i]);
	free(v);
	return all;
}

/* The expected set, written in any order, sorted as states() does. */
static char *
sorted(const char *want)
{
	char *copy = strdup(want), *tok, *save = NULL, *v[256], *all;
	size_t n = 0, i;

	for (tok = strtok_r(copy, " ", &save); tok != NULL && n < 256;
	    tok = strtok_r(NULL, " ", &save))
		v[n++] = tok;
	qsort(v, n, sizeof *v, cmp_str);
	all = calloc(1, strlen(want) + 2);
	for (i = 0; i < n; i++) {
		if (i > 0)
			strcat(all, " ");
		strcat(all, v[i]);
	}
	free(copy);
	return all;
}

static void
expect_states(int nfile, const char *want)
{
	char *got = states(nfile, NSEED, 0), *w = sorted(want);

	ck_assert_str_eq(got, w);
	free(got);
	free(w);
}

#define W(who, f, k, c)  { who, OP_W, f, k, c, 0 }
#define SB(who, f, d)    { who, OP_SB, f, 0, 0, d }
#define SE(who, f, d)    { who, OP_SE, f, 0, 0, d }
#define SY(who, f, d)    { who, OP_S, f, 0, 0, d }
#define TR(who, f, size) { who, OP_T, f, size, 0, 0 }
#define TX(who, f, size) { who, OP_TX, f, size, 0, 0 }
#define DE(who, f, d)    { who, OP_D, f, 0, 0, d }
#define DX(who, f, d)    { who, OP_DX, f, 0, 0, d }
#define NSTEP(a) ((int)(sizeof a / sizeof a[0]))

/*
 * Two processes, one file of 4 sectors "aaaa" (durable: the log starts
 * after it).  P0 writes sector 0 before P1's sync begins: durable.  P0
 * writes sector 1 between that sync's begin and end: not covered.  P1
 * writes sector 2 twice after: any of its three versions.  P0 begins a
 * sync that never ends (killed), then extends the file by sector 4:
 * size 4 or 5 sectors, the new sector reverted reads zeros.
 */
START_TEST(test_crashlog_two_processes_allowed_states)
{
	static const struct step s[] = {
		W(0, 0, 0, 'b'), SB(1, 0, 0), W(0, 0, 1, 'c'), SE(1, 0, 0),
		W(1, 0, 2, 'd'), W(1, 0, 2, 'e'), SB(0, 0, 0),
		W(0, 0, 4, 'f'),
	};

	make_file(fpath[0], 4, 'a');
	run_script(s, NSTEP(s));
	expect_states(1,
	    "baaa bada baea bcaa bcda bcea "
	    "baaa0 bada0 baea0 bcaa0 bcda0 bcea0 "
	    "baaaf badaf baeaf bcaaf bcdaf bceaf");
}
END_TEST

/* Both processes' syncs complete: only the final state is left. */
START_TEST(test_crashlog_all_synced_one_state)
{
	static const struct step s[] = {
		W(0, 0, 0, 'b'), W(1, 0, 1, 'c'), SY(1, 0, 0),
		W(0, 0, 2, 'd'), SY(0, 0, 0),
	};

	make_file(fpath[0], 3, 'a');
	run_script(s, NSTEP(s));
	expect_states(1, "bcd");
}
END_TEST

/*
 * A durable truncate (4 -> 2 sectors, synced) then an unsynced one (to
 * 1 and a half): undone, the tail comes back; a partial sector keeps
 * its head.
 */
START_TEST(test_crashlog_truncate_undone)
{
	static const struct step s[] = {
		TR(0, 0, 2 * S), SY(1, 0, 0), TR(0, 0, S + S / 2),
		TR(1, 0, S),
	};

	make_file(fpath[0], 4, 'a');
	run_script(s, NSTEP(s));
	/* Size 2 sectors with the second cut: the size change lost, the
	 * zeroed tail of the cut sector not. */
	expect_states(1, "a a+ aa a?");
}
END_TEST

/*
 * ftruncate() that extends, unsynced, even with no tail: size 1 or 2
 * sectors (then zeros); a write after it into the new sector.
 */
START_TEST(test_crashlog_truncate_extends)
{
	static const struct step s1[] = { TX(0, 0, 2 * S + 100) };
	static const struct step s2[] = { TR(0, 0, 2 * S), W(1, 0, 1, 'b') };

	make_file(fpath[0], 1, 'a');
	run_script(s1, NSTEP(s1));
	expect_states(1, "a a0+");
	teardown();
	setup();
	make_file(fpath[0], 1, 'a');
	run_script(s2, NSTEP(s2));
	expect_states(1, "a a0 ab");
}
END_TEST

/* A tail not kept (over CRASHLOG_KEEP_MAX): the truncate is durable. */
START_TEST(test_crashlog_truncate_not_kept)
{
	static const struct step s[] = {
		W(0, 0, 0, 'b'), TX(1, 0, S), W(0, 0, 0, 'c'),
	};

	make_file(fpath[0], 4, 'a');
	run_script(s, NSTEP(s));
	/* The write before the barrier is durable; the one after is not. */
	expect_states(1, "b c");
}
END_TEST

/* A journal, created, synced with its directory, deleted without. */
START_TEST(test_crashlog_delete_resurrected)
{
	static const struct step s[] = {
		W(0, 1, 0, 'j'), SY(0, 1, 1), DE(0, 1, 0),
	};

	make_file(fpath[0], 1, 'a');
	run_script(s, NSTEP(s));
	expect_states(2, "a|j a|-");
}
END_TEST

/* The same delete made durable: by the delete itself, or a dir sync. */
START_TEST(test_crashlog_delete_durable)
{
	static const struct step s1[] = {
		W(0, 1, 0, 'j'), SY(0, 1, 1), DE(1, 1, 1),
	};
	static const struct step s2[] = {
		W(0, 1, 0, 'j'), SY(0, 1, 1), DE(1, 1, 0), SY(0, 0, 1),
	};
	static const struct step s3[] = {
		W(0, 1, 0, 'j'), SY(0, 1, 1), DX(1, 1, 0),
	};

	make_file(fpath[0], 1, 'a');
	run_script(s1, NSTEP(s1));
	expect_states(2, "a|-");
	teardown();
	setup();
	make_file(fpath[0], 1, 'a');
	run_script(s2, NSTEP(s2));
	expect_states(2, "a|-");
	teardown();
	setup();
	make_file(fpath[0], 1, 'a');
	run_script(s3, NSTEP(s3));
	expect_states(2, "a|-");
}
END_TEST

/*
 * A file created and never synced may be absent, empty, or hold its
 * sector reverted (zeros) or written; a journal deleted then created
 * again (the next transaction) shows every life it had.
 */
START_TEST(test_crashlog_created_lives)
{
	static const struct step s1[] = { W(0, 1, 0, 'j') };
	static const struct step s2[] = {
		W(0, 1, 0, 'j'), SY(0, 1, 1), DE(1, 1, 0), W(1, 1, 0, 'k'),
	};

	make_file(fpath[0], 1, 'a');
	run_script(s1, NSTEP(s1));
	expect_states(2, "a|- a| a|0 a|j");
	teardown();
	setup();
	make_file(fpath[0], 1, 'a');
	run_script(s2, NSTEP(s2));
	expect_states(2, "a|j a|- a| a|0 a|k");
}
END_TEST

/*
 * One sector written twice since its sync: a torn image holds a prefix
 * of a newer version (8-byte multiple, 8 to 504) over an older one.
 */
START_TEST(test_crashlog_torn_sector)
{
	static const struct step s[] = {
		W(0, 0, 1, 'b'), W(1, 0, 1, 'c'),
	};
	const char *files[CRASHLOG_NFILE] = { fpath[0], NULL, NULL };
	const char *out[CRASHLOG_NFILE] = { opath[0], NULL, NULL };
	struct crashlog_state *st;
	struct crashlog_image img;
	unsigned char b[2 * S];
	char err[256];
	int seen[S + 1], len, fd;
	uint64_t seed;
	size_t i;

	memset(seen, 0, sizeof seen);
	make_file(fpath[0], 2, 'a');
	run_script(s, NSTEP(s));
	ck_assert_int_eq(crashlog_load(logpath, files, &st, err, sizeof err),
	    0);
	ck_assert_uint_eq(crashlog_unsynced(st), 1);
	for (seed = 0; seed < 256; seed++) {
		ck_assert_int_eq(crashlog_build(st, seed, 1, out, &img, err,
		    sizeof err), 0);
		ck_assert_int_eq(img.torn_file, 0);
		ck_assert_int_eq(img.torn_off, S);
		fd = open(opath[0], O_RDONLY);
		ck_assert_int_eq(read(fd, b, sizeof b), 2 * S);
		close(fd);
		for (i = 0; i < S; i++)
			ck_assert_int_eq(b[i], 'a');
		for (len = 0; len < S && b[S + len] == b[S]; len++)
			;
		ck_assert_int_eq(len % 8, 0);
		ck_assert_int_ge(len, 8);
		ck_assert_int_le(len, S - 8);
		/* Newer over older: b over a, c over a, c over b. */
		ck_assert(b[S] > b[2 * S - 1]);
		for (i = S + len; i < 2 * S; i++)
			ck_assert_int_eq(b[i], b[2 * S - 1]);
		seen[len]++;
	}
	crashlog_free(st);
	for (len = 8, i = 0; len < S; len += 8)
		i += seen[len] > 0;
	ck_assert_uint_gt(i, 20);       /* the length is drawn */
}
END_TEST

/* 3 sectors with 2 versions each: 64 seeds show all 8 states, and a
 * seed builds the same bytes every time. */
START_TEST(test_crashlog_deterministic)
{
	static const struct step s[] = {
		W(0, 0, 0, 'b'), W(1, 0, 1, 'c'), W(0, 0, 2, 'd'),
	};
	const char *files[CRASHLOG_NFILE] = { fpath[0], NULL, NULL };
	const char *out[CRASHLOG_NFILE] = { opath[0], NULL, NULL };
	const char *out2[CRASHLOG_NFILE] = { opath[1], NULL, NULL };
	struct crashlog_state *st;
	struct crashlog_image img, img2;
	unsigned char a[4 * S], b[4 * S];
	char err[256], *got;
	uint64_t seed;
	int fd;

	make_file(fpath[0], 3, 'a');
	run_script(s, NSTEP(s));
	got = states(1, 64, 0);
	ck_assert_str_eq(got, "aaa aad aca acd baa bad bca bcd");
	free(got);
	ck_assert_int_eq(crashlog_load(logpath, files, &st, err, sizeof err),
	    0);
	for (seed = 0; seed < 32; seed++) {
		ck_assert_int_eq(crashlog_build(st, seed * 7919, 1, out, &img,
		    err, sizeof err), 0);
		ck_assert_int_eq(crashlog_build(st, seed * 7919, 1, out2, &img2,
		    err, sizeof err), 0);
		ck_assert_mem_eq(&img, &img2, sizeof img);
		ck_assert_uint_eq(img.unsynced[0], 3);
		ck_assert_uint_le(img.reverted[0], 3);
		fd = open(opath[0], O_RDONLY);
		ck_assert_int_eq(read(fd, a, sizeof a), 3 * S);
		close(fd);
		fd = open(opath[1], O_RDONLY);
		ck_assert_int_eq(read(fd, b, sizeof b), 3 * S);
		close(fd);
		ck_assert_mem_eq(a, b, 3 * S);
	}
	crashlog_free(st);
}
END_TEST

/*
 * Tearing draws after every other choice: the same seed with and
 * without a tear differ in the torn sector only.  An image is never
 * built over the file itself.
 */
START_TEST(test_crashlog_tear_same_draws)
{
	static const struct step s[] = {
		W(0, 0, 0, 'b'), W(1, 0, 1, 'c'), W(0, 0, 2, 'd'),
		W(1, 0, 2, 'e'),
	};
	const char *files[CRASHLOG_NFILE] = { fpath[0], NULL, NULL };
	const char *out[CRASHLOG_NFILE] = { opath[0], NULL, NULL };
	const char *out2[CRASHLOG_NFILE] = { opath[1], NULL, NULL };
	const char *self[CRASHLOG_NFILE] = { fpath[0], NULL, NULL };
	struct crashlog_state *st;
	struct crashlog_image img, img2;
	unsigned char a[3 * S], b[3 * S];
	char err[256];
	uint64_t seed;
	int fd, i;

	make_file(fpath[0], 3, 'a');
	run_script(s, NSTEP(s));
	ck_assert_int_eq(crashlog_load(logpath, files, &st, err, sizeof err),
	    0);
	for (seed = 0; seed < 32; seed++) {
		ck_assert_int_eq(crashlog_build(st, seed, 0, out, &img, err,
		    sizeof err), 0);
		ck_assert_int_eq(crashlog_build(st, seed, 1, out2, &img2, err,
		    sizeof err), 0);
		ck_assert_int_eq(img.torn_file, -1);
		ck_assert_int_eq(img2.torn_file, 0);
		fd = open(opath[0], O_RDONLY);
		ck_assert_int_eq(read(fd, a, sizeof a), 3 * S);
		close(fd);
		fd = open(opath[1], O_RDONLY);
		ck_assert_int_eq(read(fd, b, sizeof b), 3 * S);
		close(fd);
		for (i = 0; i < 3 * S; i++)
			if (i / S != img2.torn_off / S)
				ck_assert_int_eq(a[i], b[i]);
	}
	ck_assert_int_eq(crashlog_build(st, 1, 0, self, &img, err, sizeof err),
	    -1);
	ck_assert_ptr_nonnull(strstr(err, fpath[0]));
	crashlog_free(st);
	/* The file is as it was. */
	fd = open(fpath[0], O_RDONLY);
	ck_assert_int_eq(read(fd, a, sizeof a), 3 * S);
	close(fd);
	ck_assert(a[0] == 'b' && a[S] == 'c' && a[2 * S] == 'e');
}
END_TEST

/* The moments of the last completed syncs. */
START_TEST(test_crashlog_synced_at)
{
	const char *files[CRASHLOG_NFILE] = { fpath[0], fpath[1], NULL };
	struct crashlog_state *st;
	struct crashlog log;
	char err[256];
	int fd;

	make_file(fpath[0], 1, 'a');
	fd = open(fpath[1], O_RDWR | O_CREAT, 0644);
	close(fd);
	ck_assert_int_eq(crashlog_open(&log, logpath), 0);
	ck_assert_int_eq(crashlog_sync(&log, 0, 100, 0, 1), 0);
	ck_assert_int_eq(crashlog_sync(&log, 0, 110, 1, 1), 0);
	ck_assert_int_eq(crashlog_sync(&log, 0, 200, 0, 0), 0);
	ck_assert_int_eq(crashlog_sync(&log, 0, 210, 1, 0), 0);
	ck_assert_int_eq(crashlog_sync(&log, 0, 300, 0, 0), 0); /* failed */
	ck_assert_int_eq(crashlog_sync(&log, 1, 400, 0, 0), 0);
	crashlog_close(&log);
	ck_assert_int_eq(crashlog_load(logpath, files, &st, err, sizeof err),
	    0);
	ck_assert_int_eq(crashlog_synced_at(st, 0, 0), 200);
	ck_assert_int_eq(crashlog_synced_at(st, 0, 1), 100);
	ck_assert_int_eq(crashlog_synced_at(st, 1, 0), 0);
	crashlog_free(st);
}
END_TEST

/* The recorder refuses a record that does not add up. */
START_TEST(test_crashlog_record_checks)
{
	struct crashlog log;
	unsigned char b[2 * S];

	memset(b, 0, sizeof b);
	ck_assert_int_eq(crashlog_open(&log, logpath), 0);
	/* Old contents of [512, 1024) cut at size 700: 188 bytes. */
	ck_assert_int_eq(crashlog_write(&log, 0, 1, 600, 10, 700, b, 188), 0);
	ck_assert_int_eq(crashlog_write(&log, 0, 1, 600, 10, 700, b, 189),
	    -1);
	ck_assert_int_eq(errno, EINVAL);
	/* [512, 2048) cut at 1000: 488 bytes. */
	ck_assert_int_eq(crashlog_write(&log, 0, 1, 600, 1000, 1000, b, 488),
	    0);
	ck_assert_int_eq(crashlog_write(&log, 3, 1, 0, 1, 0, b, 0), -1);
	ck_assert_int_eq(crashlog_truncate(&log, 0, 1, -1, 5, NULL, 0), -1);
	ck_assert_int_eq(crashlog_truncate(&log, 0, 1, 10, 5, b, 99), 0);
	ck_assert_int_eq(crashlog_truncate(&log, 0, 1, 5, 10, b, 4), -1);
	crashlog_close(&log);
	ck_assert_int_eq(crashlog_write(&log, 0, 1, 0, 1, 0, b, 0), -1);
	ck_assert_int_eq(errno, EBADF);
}
END_TEST

/*
 * Two processes appending at once, records of 4 KiB to 64 KiB: every
 * record is one write(), so none is cut into another and the log loads.
 */
START_TEST(test_crashlog_concurrent_appends)
{
	const char *files[CRASHLOG_NFILE] = { fpath[0], fpath[1], NULL };
	static unsigned char b[64 * 1024];
	struct crashlog_state *st;
	struct crashlog log;
	char err[256];
	pid_t pid[2];
	int i, p, status;
	struct stat sb;

	make_file(fpath[0], 1, 'a');
	make_file(fpath[1], 1, 'a');
	for (p = 0; p < 2; p++) {
		pid[p] = fork();
		ck_assert_int_ge(pid[p], 0);
		if (pid[p] != 0)
			continue;
		if (crashlog_open(&log, logpath) < 0)
			_exit(2);
		memset(b, 'x' + p, sizeof b);
		for (i = 0; i < 300; i++) {
			int64_t n = 4096 * (1 + i % 16);

			if (crashlog_write(&log, p, i, (i % 50) * 4096, n,
			    INT64_C(1) << 40, b, (size_t)n) < 0)
				_exit(3);
		}
		crashlog_close(&log);
		_exit(0);
	}
	for (p = 0; p < 2; p++) {
		ck_assert_int_eq(waitpid(pid[p], &status, 0), pid[p]);
		ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	ck_assert_int_eq(stat(logpath, &sb), 0);
	ck_assert_int_eq(sb.st_size, 2 * (300 * 56 + 4096 * (18 * 136 +
	    12 * 6 + 6)));
	ck_assert_msg(crashlog_load(logpath, files, &st, err, sizeof err) == 0,
	    "%s", err);
	crashlog_free(st);
}
END_TEST

/* A small log of every record kind; returns its size. */
static size_t
small_log(unsigned char *buf, size_t cap, size_t *ends, size_t *nends)
{
	static const struct step s[] = {
		W(0, 0, 0, 'b'), SB(1, 0, 1), W(0, 1, 0, 'j'), SE(1, 0, 1),
		TR(0, 0, S / 2), DE(1, 1, 0),
	};
	size_t n, pos = 0;
	int fd;

	make_file(fpath[0], 2, 'a');
	run_script(s, NSTEP(s));
	fd = open(logpath, O_RDONLY);
	n = (size_t)read(fd, buf, cap);
	close(fd);
	/* Where records end: a 56-byte header, its payload length at 12. */
	*nends = 0;
	while (pos + 56 <= n) {
		pos += 56 + (size_t)(buf[pos + 12] | buf[pos + 13] << 8 |
		    buf[pos + 14] << 16 | (size_t)buf[pos + 15] << 24);
		ends[(*nends)++] = pos;
	}
	ck_assert_uint_eq(*nends, NSTEP(s));
	ck_assert_uint_eq(pos, n);
	return n;
}

static size_t last_torn;     /* crashlog_torn() of load_bytes' load */

static int
load_bytes(const unsigned char *buf, size_t n, char *err, size_t errlen)
{
	const char *files[CRASHLOG_NFILE] = { fpath[0], fpath[1], NULL };
	struct crashlog_state *st = NULL;
	int fd, rc;

	last_torn = 0;

	fd = open(logpath, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, buf, n), (ssize_t)n);
	close(fd);
	err[0] = '\0';
	rc = crashlog_load(logpath, files, &st, err, errlen);
	if (rc == 0) {
		ck_assert_ptr_nonnull(st);
		last_torn = crashlog_torn(st);
		crashlog_free(st);
	} else {
		ck_assert_ptr_null(st);
		ck_assert(err[0] != '\0' && strchr(err, '\n') == NULL);
	}
	return rc;
}

/*
 * Cut anywhere: between records it loads; inside a record's header, a
 * one-line error; past a whole header, the record is dropped as torn
 * (its writer was killed inside its append and wrote nothing after).
 * Never a crash.
 */
START_TEST(test_crashlog_truncated_log)
{
	static unsigned char buf[8192];
	size_t ends[16], nends, n, cut, j, start;
	char err[256];
	int at_end;

	n = small_log(buf, sizeof buf, ends, &nends);
	for (cut = 0; cut <= n; cut++) {
		at_end = cut == 0;
		start = 0;
		for (j = 0; j < nends; j++) {
			at_end |= cut == ends[j];
			if (ends[j] <= cut)
				start = ends[j];
		}
		/* A cut between a sync's begin and end leaves it open. */
		if (at_end) {
			ck_assert_int_eq(load_bytes(buf, cut, err, sizeof err),
			    0);
			ck_assert_uint_eq(last_torn, 0);
		} else if (cut - start >= 56) {
			ck_assert_int_eq(load_bytes(buf, cut, err, sizeof err),
			    0);
			ck_assert_uint_eq(last_torn, 1);
		} else {
			ck_assert_int_eq(load_bytes(buf, cut, err, sizeof err),
			    -1);
			ck_assert_ptr_nonnull(strstr(err, "crash log"));
		}
	}
}
END_TEST

/*
 * A record torn in the middle of the log: dropped when its writer wrote
 * nothing after it, a load error when it did (a killed process writes no
 * more: that tear is not a kill's).
 */
START_TEST(test_crashlog_torn_record_mid_log)
{
	static unsigned char buf[8192], out[8192];
	size_t ends[16], nends, n, m, k;
	char err[256];
	int pid_k;

	n = small_log(buf, sizeof buf, ends, &nends);
	for (k = 0; k + 1 < nends; k++) {
		size_t from = k == 0 ? 0 : ends[k - 1], len = ends[k] - from;

		if (len <= 57)
			continue;
		/* Record k keeps its header and half its payload. */
		m = 0;
		memcpy(out, buf, from);
		m = from;
		memcpy(out + m, buf + from, 56 + (len - 56) / 2);
		m += 56 + (len - 56) / 2;
		memcpy(out + m, buf + ends[k], n - ends[k]);
		m += n - ends[k];
		pid_k = (int)(buf[from + 8] | buf[from + 9] << 8);
		{
			size_t r;
			int later = 0;

			for (r = k + 1; r < nends; r++)
				later |= (int)(buf[ends[r - 1] + 8] |
				    buf[ends[r - 1] + 9] << 8) == pid_k;
			if (later) {
				ck_assert_int_eq(load_bytes(out, m, err,
				    sizeof err), -1);
				ck_assert_ptr_nonnull(strstr(err,
				    "wrote again after it"));
			} else {
				ck_assert_int_eq(load_bytes(out, m, err,
				    sizeof err), 0);
				ck_assert_uint_eq(last_torn, 1);
			}
		}
	}
}
END_TEST

/* Any byte changed: a one-line error, no crash. */
START_TEST(test_crashlog_garbled_log)
{
	static unsigned char buf[8192];
	size_t ends[16], nends, n, i;
	char err[256];
	uint64_t rs = 42;

	n = small_log(buf, sizeof buf, ends, &nends);
	for (i = 0; i < n; i++) {
		unsigned char x = (unsigned char)(1u << (util_rand64(&rs) % 8));

		buf[i] ^= x;
		/*
		 * A garbled record fails the load.  Only a length that now
		 * claims more than what follows can pass as a tear, and is
		 * then dropped as one, named.
		 */
		if (load_bytes(buf, n, err, sizeof err) == 0) {
			size_t j, from = 0;

			for (j = 0; j < nends && ends[j] <= i; j++)
				from = ends[j];
			ck_assert_msg(last_torn == 1 && i - from >= 12 &&
			    i - from < 16, "byte %zu accepted", i);
		}
		buf[i] ^= x;
	}
	ck_assert_int_eq(load_bytes(buf, n, err, sizeof err), 0);
	/* Trash after a good log, and a record for a file with no path. */
	memset(buf + n, 0xff, 100);
	ck_assert_int_eq(load_bytes(buf, n + 100, err, sizeof err), -1);
	{
		const char *files[CRASHLOG_NFILE] = { fpath[0], NULL, NULL };
		struct crashlog_state *st = NULL;

		ck_assert_int_eq(load_bytes(buf, n, err, sizeof err), 0);
		ck_assert_int_eq(crashlog_load(logpath, files, &st, err,
		    sizeof err), -1);
		ck_assert_ptr_nonnull(strstr(err, "malformed"));
	}
	ck_assert_int_eq(crashlog_load("/nonexistent/log", (const char *const[])
	    { fpath[0], NULL, NULL }, &(struct crashlog_state *){ NULL }, err,
	    sizeof err), -1);
}
END_TEST

static Suite *
crashlog_suite(void)
{
	Suite *s = suite_create("crashlog");
	TCase *tc;

	tc = tcase_create("model");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_crashlog_two_processes_allowed_states);
	tcase_add_test(tc, test_crashlog_all_synced_one_state);
	tcase_add_test(tc, test_crashlog_truncate_undone);
	tcase_add_test(tc, test_crashlog_truncate_not_kept);
	tcase_add_test(tc, test_crashlog_truncate_extends);
	tcase_add_test(tc, test_crashlog_delete_resurrected);
	tcase_add_test(tc, test_crashlog_delete_durable);
	tcase_add_test(tc, test_crashlog_created_lives);
	tcase_add_test(tc, test_crashlog_torn_sector);
	tcase_add_test(tc, test_crashlog_torn_record_mid_log);
	tcase_add_test(tc, test_crashlog_deterministic);
	tcase_add_test(tc, test_crashlog_tear_same_draws);
	tcase_add_test(tc, test_crashlog_synced_at);
	suite_add_tcase(s, tc);

	tc = tcase_create("log");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_crashlog_record_checks);
	tcase_add_test(tc, test_crashlog_concurrent_appends);
	tcase_add_test(tc, test_crashlog_truncated_log);
	tcase_add_test(tc, test_crashlog_garbled_log);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(crashlog_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
