/* SPDX-License-Identifier: MIT */
/*
 * report: the run's findings in one structure, and the human summary
 * (verdict first, then numbers, then every error grouped by verdict, then
 * the SQLite fingerprint and how to reproduce a failure).  It also finds
 * the filesystem the database is on and draws the progress line on a
 * terminal.  It reads the report; it never decides a verdict itself.
 */
#include "autoconf.h"
#include "report.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#if defined(HAVE_STATFS) && defined(__linux__) && defined(HAVE_SYS_VFS_H)
#include <sys/vfs.h>
#define REPORT_STATFS_MAGIC 1
#elif defined(HAVE_STATFS) && defined(HAVE_SYS_MOUNT_H) && \
    (defined(__APPLE__) || defined(__FreeBSD__) || defined(__OpenBSD__) || \
    defined(__DragonFly__))
#include <sys/param.h>
#include <sys/mount.h>
#define REPORT_STATFS_NAME 1
#endif

#include <sqlite3.h>

#include "report-out.h"
#include "util.h"

/* Redraw the progress line at most this often. */
#define REPORT_PROGRESS_NS (250 * UTIL_NS_PER_MS)

void
report_init(struct report *rep, const struct config *cfg)
{
	memset(rep, 0, sizeof *rep);
	rep->cfg = cfg;
}

void
report_free(struct report *rep)
{
	sup_result_free(&rep->sup);
	free(rep->workers);
	free(rep->snapshots);
	rep->workers = NULL;
	rep->snapshots = NULL;
	rep->nworkers = 0;
	rep->nsnapshots = rep->capsnapshots = 0;
}

uint64_t
report_percentile_us(const struct report *rep, double pct)
{
	uint64_t total = 0, seen = 0, want;
	int b;

	for (b = 0; b < WIRE_HIST_BUCKETS; b++)
		total += rep->hist[b];
	if (total == 0)
		return 0;
	/* The smallest bucket holding at least pct% of the samples. */
	want = (uint64_t)((double)total * pct / 100.0 + 0.999999);
	if (want == 0)
		want = 1;
	for (b = 0; b < WIRE_HIST_BUCKETS; b++) {
		seen += rep->hist[b];
		if (seen >= want)
			return wire_hist_upper(b);
	}
	return wire_hist_upper(WIRE_HIST_BUCKETS - 1);
}

int64_t
report_duration_ms(const struct report *rep)
{
	if (rep->sup.start_ns == 0 || rep->sup.shutdown_ns == 0)
		return 0;
	return (rep->sup.shutdown_ns - rep->sup.start_ns) / UTIL_NS_PER_MS;
}

int64_t
report_overrun_ms(const struct report *rep)
{
	if (rep->sup.shutdown_ns == 0 || rep->sup.done_ns == 0)
		return 0;
	return (rep->sup.done_ns - rep->sup.shutdown_ns) / UTIL_NS_PER_MS;
}

static const char *
report_child_name(const struct report *rep, int child)
{
	if (child >= 0 && (size_t)child < rep->sup.nchildren)
		return rep->sup.children[child].name;
	return "run";
}

static void
report_ms(char *buf, size_t cap, uint64_t usec)
{
	if (usec < 10000)
		snprintf(buf, cap, "%.2f ms", (double)usec / 1000.0);
	else
		snprintf(buf, cap, "%.0f ms", (double)usec / 1000.0);
}

static void
report_events(const struct report *rep, FILE *fp, enum verdict v,
    const char *label)
{
	size_t i;

	for (i = 0; i < rep->sup.nevents; i++) {
		const struct sup_event *ev = &rep->sup.events[i];

		if (ev->verdict != v)
			continue;
		fprintf(fp, "  %-9s %s: %s\n", label,
		    report_child_name(rep, ev->child), ev->reason);
	}
	if (rep->sup.dropped_events > 0 && v == VERDICT_FAILURE)
		fprintf(fp, "  (%llu more events not stored)\n",
		    (unsigned long long)rep->sup.dropped_events);
}

void
report_failures(const struct report *rep, FILE *fp)
{
	report_events(rep, fp, VERDICT_FAILURE, "failure");
}

static const char *
report_verdict(const struct report *rep)
{
	if (rep->exit_code == 99)
		return "ERROR";
	if (rep->interrupted)
		return "INTERRUPTED";
	return rep->exit_code == 0 ? "PASS" : "FAIL";
}

static void
report_head(const struct report *rep, FILE *fp)
{
	const struct config *cfg = rep->cfg;
	char d[32], iv[32];

	config_format_duration(cfg->duration_ns, d, sizeof d);
	config_format_duration(cfg->interval_ns, iv, sizeof iv);
	fprintf(fp, "sqlstorm: %s", report_verdict(rep));
	if (rep->sup.nfailures > 0)
		fprintf(fp, " (%zu failure%s)", rep->sup.nfailures,
		    rep->sup.nfailures == 1 ? "" : "s");
	fprintf(fp, "\n  run       %d workers, %s, interval %s, batch %d, "
	    "journal %s, sync %s, seed %llu\n", cfg->workers, d, iv,
	    cfg->batch, rep->journal_mode, config_sync_name(cfg->sync),
	    (unsigned long long)rep->seed);
}

static void
report_numbers(const struct report *rep, FILE *fp)
{
	int64_t ms = report_duration_ms(rep);
	char p50[32], p90[32], p99[32], pmax[32];
	int w;

	fprintf(fp, "  inserts   %llu rows in %llu commits, %.0f rows/s\n",
	    (unsigned long long)rep->inserts,
	    (unsigned long long)rep->commits,
	    ms > 0 ? (double)rep->inserts * 1000.0 / (double)ms : 0.0);
	report_ms(p50, sizeof p50, report_percentile_us(rep, 50));
	report_ms(p90, sizeof p90, report_percentile_us(rep, 90));
	report_ms(p99, sizeof p99, report_percentile_us(rep, 99));
	report_ms(pmax, sizeof pmax, report_percentile_us(rep, 100));
	fprintf(fp, "  latency   commit p50 %s, p90 %s, p99 %s, max %s "
	    "(bucket bounds)\n", p50, p90, p99, pmax);
	for (w = 0; w < rep->nworkers; w++) {
		const struct report_worker *rw = &rep->workers[w];

		fprintf(fp, "  %-9s %llu rows, %llu commits, acked 1..%llu, "
		    "busy %llu waits / %.1f ms, %llu errors%s%s\n",
		    report_child_name(rep, w),
		    (unsigned long long)rw->rows,
		    (unsigned long long)rw->commits,
		    (unsigned long long)rw->acked,
		    (unsigned long long)rw->busy_waits,
		    (double)rw->busy_ns / UTIL_NS_PER_MS,
		    (unsigned long long)rw->errors,
		    rw->verdict == VERDICT_FAILURE ? ": " : "",
		    rw->verdict == VERDICT_FAILURE ? rw->reason : "");
	}
}

static void
report_checks(const struct report *rep, FILE *fp)
{
	size_t i, bad = 0;

	for (i = 0; i < rep->nsnapshots; i++)
		bad += !rep->snapshots[i].ok;
	fprintf(fp, "  snapshots %zu validated, %zu failed\n",
	    rep->nsnapshots, bad);
	if (rep->final_checked)
		fprintf(fp, "  final     %llu rows, %s, %llu acknowledged, "
		    "%llu lost\n", (unsigned long long)rep->final_rows,
		    rep->final_ok ? "integrity ok" : "INVALID",
		    (unsigned long long)rep->acked_rows,
		    (unsigned long long)rep->lost_rows);
	fprintf(fp, "  errors    %zu failure%s, %zu expected\n",
	    rep->sup.nfailures, rep->sup.nfailures == 1 ? "" : "s",
	    rep->sup.nexpected);
	report_events(rep, fp, VERDICT_FAILURE, "failure");
	report_events(rep, fp, VERDICT_EXPECTED, "expected");
	fprintf(fp, "  shutdown  overrun %lld ms (deadline to last child "
	    "reaped)\n", (long long)report_overrun_ms(rep));
}

/*
 * "N compile options: A B C ..." on one line: the terminal wraps it, and
 * a grep for one option finds the line.
 */
static void
report_options(FILE *fp)
{
	const char *opt;
	int n = 0;

	while (sqlite3_compileoption_get(n) != NULL)
		n++;
	fprintf(fp, "  options   %d compile option%s:", n, n == 1 ? "" : "s");
	for (n = 0; (opt = sqlite3_compileoption_get(n)) != NULL; n++)
		fprintf(fp, " %s", opt);
	fputc('\n', fp);
}

static void
report_tail(const struct report *rep, FILE *fp)
{
	fprintf(fp, "  sqlite    %s %s\n", sqlite3_libversion(),
	    sqlite3_sourceid());
	report_options(fp);
	fprintf(fp, "  database  %s (journal %s, filesystem %s)\n",
	    rep->db_path, rep->journal_mode,
	    rep->fs_type[0] != '\0' ? rep->fs_type : "unknown");
	if (rep->exit_code != 0 && rep->repro[0] != '\0')
		fprintf(fp, "  reproduce %s\n", rep->repro);
	if (rep->kept)
		fprintf(fp, "  kept      %s\n", rep->run_dir);
}

void
report_summary(const struct report *rep, FILE *fp)
{
	report_head(rep, fp);
	if (rep->sup.nchildren > 0) {
		report_numbers(rep, fp);
		report_checks(rep, fp);
	} else {
		report_events(rep, fp, VERDICT_FAILURE, "failure");
	}
	report_tail(rep, fp);
	fflush(fp);
}

/* ---------------------------------------------------------- fingerprint */

/*
 * The nearest existing ancestor of path: a passing run has already
 * removed its directory, but the filesystem under it is the same.
 */
static int
report_existing(const char *path, char *out, size_t cap)
{
	struct stat st;
	char *slash;

	if (path == NULL || *path == '\0')
		path = ".";
	if (strlen(path) >= cap) {
		errno = ENAMETOOLONG;
		return -1;
	}
	util_strlcpy(out, path, cap);
	for (;;) {
		if (stat(out, &st) == 0)
			return 0;
		if (strcmp(out, "/") == 0 || strcmp(out, ".") == 0)
			return -1;
		slash = strrchr(out, '/');
		if (slash == NULL)
			util_strlcpy(out, ".", cap);
		else if (slash == out)
			out[1] = '\0';
		else
			*slash = '\0';
	}
}

#if defined(__linux__)
/* /proc/self/mounts writes space, tab, newline and backslash as \ooo. */
static void
report_unoctal(char *s)
{
	char *d = s;

	for (; *s != '\0'; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' &&
		    s[2] >= '0' && s[2] <= '7' && s[3] >= '0' && s[3] <= '7') {
			*d++ = (char)((s[1] - '0') << 6 | (s[2] - '0') << 3 |
			    (s[3] - '0'));
			s += 3;
		} else
			*d++ = *s;
	}
	*d = '\0';
}

/* 1 if mount point mnt (length len) contains path. */
static int
report_under(const char *path, const char *mnt, size_t len)
{
	if (strcmp(mnt, "/") == 0)
		return 1;
	return strncmp(path, mnt, len) == 0 &&
	    (path[len] == '\0' || path[len] == '/');
}

/*
 * The type of the longest mount point holding real; the last of equal
 * length wins, as a later mount hides an earlier one.  This names what
 * statfs cannot tell apart (ext2/3/4) and FUSE subtypes.
 */
static int
report_fs_mounts(const char *real, char *buf, size_t cap)
{
	FILE *fp;
	char *line = NULL, *save, *mnt, *type;
	size_t linecap = 0, best = 0;
	int found = 0;

	if ((fp = fopen("/proc/self/mounts", "r")) == NULL)
		return -1;
	while (getline(&line, &linecap, fp) != -1) {
		if (strtok_r(line, " \t\n", &save) == NULL ||
		    (mnt = strtok_r(NULL, " \t\n", &save)) == NULL ||
		    (type = strtok_r(NULL, " \t\n", &save)) == NULL)
			continue;
		report_unoctal(mnt);
		if (!report_under(real, mnt, strlen(mnt)) ||
		    strlen(mnt) < best)
			continue;
		best = strlen(mnt);
		util_strlcpy(buf, type, cap);
		found = 1;
	}
	free(line);
	fclose(fp);
	return found ? 0 : -1;
}
#endif

#if defined(REPORT_STATFS_MAGIC)
/* Linux statfs magic numbers (linux/magic.h, not always installed). */
static const struct {
	unsigned long magic;
	const char *name;
} report_magic[] = {
	{ 0xEF53UL, "ext2/ext3/ext4" }, { 0x01021994UL, "tmpfs" },
	{ 0x794C7630UL, "overlay" }, { 0x58465342UL, "xfs" },
	{ 0x9123683EUL, "btrfs" }, { 0x6969UL, "nfs" },
	{ 0x2FC12FC1UL, "zfs" }, { 0xF2F52010UL, "f2fs" },
	{ 0xFF534D42UL, "cifs" }, { 0xFE534D42UL, "smb2" },
	{ 0x65735546UL, "fuse" }, { 0x01021997UL, "9p" },
	{ 0x858458F6UL, "ramfs" }, { 0x5346544EUL, "ntfs" },
	{ 0x4D44UL, "vfat" }, { 0x2011BAB0UL, "exfat" },
	{ 0x73717368UL, "squashfs" }, { 0xF15FUL, "ecryptfs" },
	{ 0x52654973UL, "reiserfs" }, { 0x3153464AUL, "jfs" },
	{ 0x00C36400UL, "ceph" }, { 0x01161970UL, "gfs2" },
	{ 0x61756673UL, "aufs" }, { 0xCA451A4EUL, "bcachefs" },
	{ 0x7461636FUL, "ocfs2" }, { 0x0BD00BD0UL, "lustre" },
	{ 0x5346414FUL, "afs" }, { 0x3434UL, "nilfs" },
};
#endif

static int
report_fs_statfs(const char *path, char *buf, size_t cap)
{
#if defined(REPORT_STATFS_MAGIC)
	struct statfs sf;
	unsigned long magic;
	size_t i;

	if (statfs(path, &sf) != 0)
		return -1;
	/* f_type's width differs between ABIs; magics are 32 bits. */
	magic = (unsigned long)sf.f_type & 0xFFFFFFFFUL;
	for (i = 0; i < sizeof report_magic / sizeof report_magic[0]; i++)
		if (report_magic[i].magic == magic) {
			util_strlcpy(buf, report_magic[i].name, cap);
			return 0;
		}
	snprintf(buf, cap, "0x%lx", magic);
	return 0;
#elif defined(REPORT_STATFS_NAME)
	struct statfs sf;

	if (statfs(path, &sf) != 0)
		return -1;
	util_strlcpy(buf, sf.f_fstypename, cap);
	return 0;
#else
	(void)path;
	(void)buf;
	(void)cap;
	errno = ENOSYS;
	return -1;
#endif
}

int
report_fs_type(const char *path, char *buf, size_t cap)
{
	char at[PATH_MAX];
#if defined(__linux__)
	char real[PATH_MAX];
#endif

	if (report_existing(path, at, sizeof at) == 0) {
#if defined(__linux__)
		if (realpath(at, real) != NULL &&
		    report_fs_mounts(real, buf, cap) == 0)
			return 0;
#endif
		if (report_fs_statfs(at, buf, cap) == 0)
			return 0;
	}
	util_strlcpy(buf, "unknown", cap);
	return -1;
}

void
report_fingerprint(struct report *rep)
{
	if (rep->fs_type[0] == '\0')
		(void)report_fs_type(rep->db_path, rep->fs_type,
		    sizeof rep->fs_type);
}

/* ------------------------------------------------------------- progress */

size_t
report_progress_format(const struct report *rep, int64_t now_ns, char *buf,
    size_t cap)
{
	const struct config *cfg = rep->cfg;
	char total[32];
	uint64_t acked = 0;
	int64_t el = 0;
	size_t nerr = rep->sup.nfailures + rep->sup.nexpected;
	double secs;
	int w, n;

	if (rep->sup.start_ns != 0 && now_ns > rep->sup.start_ns)
		el = now_ns - rep->sup.start_ns;
	if (cfg != NULL && el > cfg->duration_ns)
		el = cfg->duration_ns;
	for (w = 0; w < rep->nworkers; w++)
		acked += rep->workers[w].acked;
	secs = (double)el / (double)UTIL_NS_PER_S;
	config_format_duration(cfg != NULL ? cfg->duration_ns : 0, total,
	    sizeof total);
	n = snprintf(buf, cap, "[%4.1fs / %s] %.0f ins/s  %zu error%s  "
	    "%zu snapshot%s", secs, total,
	    secs > 0 ? (double)acked / secs : 0.0, nerr, nerr == 1 ? "" : "s",
	    rep->nsnapshots, rep->nsnapshots == 1 ? "" : "s");
	if (n < 0 || cap == 0)
		return 0;
	return (size_t)n < cap ? (size_t)n : cap - 1;
}

void
report_progress(struct report *rep, int64_t now_ns, FILE *fp)
{
	char line[160];
	size_t len;

	if (rep->cfg == NULL || rep->cfg->quiet || rep->cfg->tap)
		return;
	/* Asked once: the answer cannot change during a run. */
	if (rep->progress_tty == 0)
		rep->progress_tty = isatty(fileno(fp)) ? 1 : -1;
	if (rep->progress_tty < 0)
		return;
	if (rep->progress_ns != 0 &&
	    now_ns - rep->progress_ns < REPORT_PROGRESS_NS)
		return;
	rep->progress_ns = now_ns;
	len = report_progress_format(rep, now_ns, line, sizeof line);
	/* Blank out the tail of a longer line drawn before. */
	fprintf(fp, "\r%s%*s", line, rep->progress_len > len ?
	    (int)(rep->progress_len - len) : 0, "");
	if (len > rep->progress_len)
		rep->progress_len = len;
	fflush(fp);
}

void
report_progress_end(struct report *rep, FILE *fp)
{
	if (rep->progress_len == 0)
		return;
	fprintf(fp, "\r%*s\r", (int)rep->progress_len, "");
	fflush(fp);
	rep->progress_len = 0;
}
