/* SPDX-License-Identifier: MIT */
/*
 * report-file: report paths that cannot harm anything, the
 * write-to-FILE.tmp-then-rename() every report file goes through, and
 * the documents of a --repeat (every run, and the aggregate verdict).
 * The rule is simple to state: a report replaces a regular file or
 * takes a fresh name, nothing else.  The database and its companion
 * files, another report, devices, FIFOs, sockets, directories and
 * symbolic links are refused before the run, and the target is looked
 * at again (lstat) right before the rename, since it may change during
 * a run of hours.  The temporary name is created with O_EXCL|O_NOFOLLOW,
 * so a link or FIFO planted there is never followed.  What remains is
 * the instant between that lstat() and rename(): POSIX has no "rename
 * only over a regular file".
 */
#include "autoconf.h"
#include "report-file.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "report-out.h"
#include "util.h"

#ifndef O_NOFOLLOW
#define O_NOFOLLOW 0
#endif
#ifndef O_CLOEXEC
#define O_CLOEXEC 0
#endif

/* Bumped with report-json.c's: the top level of a --repeat changed. */
#define REPORT_RUNS_SCHEMA 2

/* The reason, for a caller that asked for one (why may be NULL). */
static void
rf_why(char *why, size_t cap, const char *s)
{
	if (why != NULL && cap > 0)
		util_strlcpy(why, s, cap);
}

static int
rf_tmp_name(const char *path, char *tmp, size_t cap)
{
	if (snprintf(tmp, cap, "%s.tmp", path) >= (int)cap) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

/* What a file that is not regular is, for the one-line refusal. */
static const char *
rf_kind(mode_t m)
{
	if (S_ISDIR(m))
		return "a directory";
	if (S_ISLNK(m))
		return "a symbolic link";
	if (S_ISCHR(m))
		return "a character device";
	if (S_ISBLK(m))
		return "a block device";
	if (S_ISFIFO(m))
		return "a FIFO";
#ifdef S_ISSOCK
	if (S_ISSOCK(m))
		return "a socket";
#endif
	return "not a regular file";
}

/*
 * path with its directory resolved: realpath(dir) + "/" + base.  The
 * last component is left alone (it may not exist yet, and a link there
 * is refused elsewhere, not resolved).  Falls back to the path as given,
 * made absolute, when the directory cannot be resolved.
 */
static void
rf_normalize(const char *path, char *out, size_t cap)
{
	char dir[PATH_MAX], real[PATH_MAX], cwd[PATH_MAX];
	const char *slash = strrchr(path, '/');
	const char *base = slash != NULL ? slash + 1 : path;
	size_t dlen = slash != NULL ? (size_t)(slash - path) : 0;

	if (slash == NULL)
		util_strlcpy(dir, ".", sizeof dir);
	else if (dlen == 0)
		util_strlcpy(dir, "/", sizeof dir);
	else if (dlen < sizeof dir) {
		memcpy(dir, path, dlen);
		dir[dlen] = '\0';
	} else
		dir[0] = '\0';
	if (dir[0] != '\0' && realpath(dir, real) != NULL) {
		snprintf(out, cap, "%s/%s", strcmp(real, "/") == 0 ? "" : real,
		    base);
		return;
	}
	if (path[0] != '/' && getcwd(cwd, sizeof cwd) != NULL)
		snprintf(out, cap, "%s/%s", cwd, path);
	else
		util_strlcpy(out, path, cap);
}

int
report_path_same(const char *a, const char *b)
{
	char na[PATH_MAX * 2], nb[PATH_MAX * 2];
	struct stat sa, sb;

	if (stat(a, &sa) == 0 && stat(b, &sb) == 0)
		return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
	rf_normalize(a, na, sizeof na);
	rf_normalize(b, nb, sizeof nb);
	return strcmp(na, nb) == 0;
}

static int
rf_hex(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * The file behind a --db value: the path itself, or the path of a
 * file: URI (authority skipped, query cut, %XX decoded).  -1 when there
 * is no file to protect (none given, in-memory).
 */
static int
rf_db_file(const char *db, char *out, size_t cap)
{
	const char *s;
	size_t n = 0;

	if (db == NULL || *db == '\0' || strcmp(db, ":memory:") == 0)
		return -1;
	if (strncmp(db, "file:", 5) != 0) {
		util_strlcpy(out, db, cap);
		return 0;
	}
	s = db + 5;
	if (s[0] == '/' && s[1] == '/')
		s = strchr(s + 2, '/') != NULL ? strchr(s + 2, '/') : "";
	for (; *s != '\0' && *s != '?' && *s != '#' && n + 1 < cap; s++) {
		if (s[0] == '%' && rf_hex(s[1]) >= 0 && rf_hex(s[2]) >= 0) {
			out[n++] = (char)(rf_hex(s[1]) << 4 | rf_hex(s[2]));
			s += 2;
		} else
			out[n++] = *s;
	}
	out[n] = '\0';
	return n > 0 && strcmp(out, ":memory:") != 0 ? 0 : -1;
}

/* Is path the database or one of the files SQLite keeps next to it? */
static int
rf_is_db(const char *path, const char *db, char *why, size_t cap)
{
	static const char *const sfx[] = { "", "-wal", "-journal", "-shm" };
	char file[PATH_MAX], cand[PATH_MAX + 16];
	size_t i;

	if (rf_db_file(db, file, sizeof file) < 0)
		return 0;
	for (i = 0; i < sizeof sfx / sizeof sfx[0]; i++) {
		snprintf(cand, sizeof cand, "%s%s", file, sfx[i]);
		if (!report_path_same(path, cand))
			continue;
		if (i == 0)
			rf_why(why, cap, "it is the database (--db)");
		else if (why != NULL)
			snprintf(why, cap, "it is the database's %s file",
			    sfx[i]);
		return 1;
	}
	return 0;
}

/*
 * May the existing file at name (the report or its .tmp) be replaced?
 * 0 when it is absent or a regular file that is not the database.
 */
static int
rf_check_one(const char *name, const char *db, char *why, size_t cap)
{
	struct stat st;

	if (lstat(name, &st) != 0) {
		if (errno != ENOENT) {
			rf_why(why, cap, strerror(errno));
			return -1;
		}
	} else if (!S_ISREG(st.st_mode)) {
		errno = S_ISDIR(st.st_mode) ? EISDIR :
		    S_ISLNK(st.st_mode) ? ELOOP : EINVAL;
		if (S_ISDIR(st.st_mode))
			rf_why(why, cap, strerror(EISDIR));
		else if (why != NULL)
			snprintf(why, cap, "%s, not a regular file",
			    rf_kind(st.st_mode));
		return -1;
	}
	if (rf_is_db(name, db, why, cap)) {
		errno = EEXIST;
		return -1;
	}
	return 0;
}

/* Create and remove path.tmp (or open a leftover one) to prove we can. */
static int
rf_probe(const char *tmp, char *why, size_t cap)
{
	int fd;

	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	    0666);
	if (fd >= 0) {
		close(fd);
		if (unlink(tmp) == 0)
			return 0;
	} else if (errno == EEXIST) {
		/* A regular leftover of an interrupted write (checked). */
		fd = open(tmp, O_WRONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
		if (fd >= 0) {
			close(fd);
			return 0;
		}
	}
	rf_why(why, cap, strerror(errno));
	return -1;
}

int
report_path_is_db(const char *path, const char *db, char *why, size_t cap)
{
	return rf_is_db(path, db, why, cap);
}

int
report_path_check(const char *path, const char *db, char *why, size_t cap)
{
	char tmp[PATH_MAX], sub[REPORT_WHY_MAX];
	int saved;

	if (rf_check_one(path, db, why, cap) < 0)
		return -1;
	if (rf_tmp_name(path, tmp, sizeof tmp) < 0) {
		rf_why(why, cap, strerror(errno));
		return -1;
	}
	if (rf_check_one(tmp, db, sub, sizeof sub) < 0) {
		saved = errno;
		/* Say which name is in the way: the user gave the other. */
		if (why != NULL && cap > 0)
			snprintf(why, cap, "'%s' is in the way: %s", tmp, sub);
		errno = saved == EISDIR || saved == ELOOP ? EEXIST : saved;
		return -1;
	}
	return rf_probe(tmp, why, cap);
}

int
report_file_check(const char *path)
{
	return report_path_check(path, NULL, NULL, 0);
}

/* ------------------------------------------------------------- writing */

/* Open path.tmp anew, never through a link or into a FIFO. */
static int
rf_open_tmp(const char *tmp, char *why, size_t cap)
{
	int flags = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC;
	struct stat st;
	int fd;

	if ((fd = open(tmp, flags, 0666)) >= 0 || errno != EEXIST)
		goto out;
	if (lstat(tmp, &st) == 0 && !S_ISREG(st.st_mode)) {
		if (why != NULL && cap > 0)
			snprintf(why, cap, "'%s' is in the way: %s, not a "
			    "regular file", tmp, rf_kind(st.st_mode));
		errno = EEXIST;
		return -1;
	}
	/* A regular leftover (an interrupted write): replace it. */
	if (unlink(tmp) == 0 || errno == ENOENT)
		fd = open(tmp, flags, 0666);
out:
	if (fd < 0)
		rf_why(why, cap, strerror(errno));
	return fd;
}

/* Right before the rename: path must still be absent or a regular file. */
static int
rf_recheck(const char *path, char *why, size_t cap)
{
	struct stat st;

	if (lstat(path, &st) != 0)
		return errno == ENOENT ? 0 : -1;
	if (S_ISREG(st.st_mode))
		return 0;
	if (why != NULL && cap > 0)
		snprintf(why, cap, "it became %s during the run, not a "
		    "regular file", rf_kind(st.st_mode));
	errno = S_ISDIR(st.st_mode) ? EISDIR : EINVAL;
	return -1;
}

int
report_file_put(const char *path, int (*writer)(void *arg, FILE *fp),
    void *arg, char *why, size_t cap)
{
	char tmp[PATH_MAX];
	FILE *fp = NULL;
	int fd = -1, rc = -1, saved = 0;

	if (why != NULL && cap > 0)
		why[0] = '\0';
	if (rf_tmp_name(path, tmp, sizeof tmp) < 0) {
		rf_why(why, cap, strerror(errno));
		return -1;
	}
	if ((fd = rf_open_tmp(tmp, why, cap)) < 0)
		return -1;
	if ((fp = fdopen(fd, "w")) == NULL) {
		saved = errno;
		close(fd);
		goto fail;
	}
	errno = 0;
	rc = writer(arg, fp);
	if (fflush(fp) != 0 || ferror(fp))
		rc = -1;
	saved = errno;
	if (fclose(fp) != 0 && rc == 0) {
		rc = -1;
		saved = errno;
	}
	if (rc < 0)
		goto fail;
	if (rf_recheck(path, why, cap) < 0 || rename(tmp, path) != 0) {
		saved = errno;
		goto fail;
	}
	return 0;
fail:
	(void)unlink(tmp);
	errno = saved != 0 ? saved : EIO;
	if (why != NULL && cap > 0 && why[0] == '\0')
		rf_why(why, cap, strerror(errno));
	return -1;
}

struct rf_adapter {
	int (*writer)(const struct report *rep, FILE *fp);
	const struct report *rep;
};

static int
rf_adapt(void *arg, FILE *fp)
{
	struct rf_adapter *a = arg;

	return a->writer(a->rep, fp);
}

int
report_file_write(const char *path,
    int (*writer)(const struct report *rep, FILE *fp),
    const struct report *rep)
{
	struct rf_adapter a = { writer, rep };

	return report_file_put(path, rf_adapt, &a, NULL, 0);
}

/* ------------------------------------------------------------- --repeat */

/* An anonymous file in $TMPDIR (tmpfile() ignores TMPDIR). */
static FILE *
rf_spool(void)
{
	const char *t = getenv("TMPDIR");
	char path[PATH_MAX];
	FILE *fp;
	int fd;

	if (snprintf(path, sizeof path, "%s/sqlstorm-spool.XXXXXX",
	    t != NULL && *t != '\0' ? t : "/tmp") >= (int)sizeof path) {
		errno = ENAMETOOLONG;
		return NULL;
	}
	if ((fd = mkstemp(path)) < 0)
		return NULL;
	(void)unlink(path);
	(void)util_set_cloexec(fd);
	if ((fp = fdopen(fd, "w+")) == NULL)
		close(fd);
	return fp;
}

int
report_runs_open(struct report_runs *rr, const struct config *cfg)
{
	memset(rr, 0, sizeof *rr);
	rr->cfg = cfg;
	if (cfg->json != NULL && (rr->json = rf_spool()) == NULL)
		return -1;
	if (cfg->junit != NULL && (rr->junit = rf_spool()) == NULL) {
		report_runs_close(rr);
		return -1;
	}
	return 0;
}

void
report_runs_close(struct report_runs *rr)
{
	if (rr->json != NULL)
		fclose(rr->json);
	if (rr->junit != NULL)
		fclose(rr->junit);
	rr->json = rr->junit = NULL;
}

int
report_runs_add(struct report_runs *rr, const struct report *rep, int rc)
{
	char name[64];
	long t = 0, f = 0, e = 0;
	int64_t ns = 0;
	int ret = 0;

	rr->runs++;
	if (rc == 1)
		rr->failed_runs++;
	if (rr->json != NULL && report_json_write(rep, rr->json) < 0)
		ret = -1;
	snprintf(name, sizeof name, "sqlstorm run %llu",
	    (unsigned long long)rr->runs);
	if (rr->junit != NULL) {
		if (report_junit_suite(rep, rr->junit, name, NULL, &t, &f, &e,
		    &ns) < 0)
			ret = -1;
		rr->tests += t;
		rr->failures += f;
		rr->errors += e;
		rr->time_ns += ns;
	}
	return ret;
}

static const char *
rf_state(const struct report_runs *rr)
{
	if (rr->exit_code == 99)
		return "error";
	if (rr->interrupted)
		return "interrupted";
	return rr->exit_code == 0 ? "pass" : "fail";
}

/*
 * Copy the JSON spool into fp as the elements of "runs": every line
 * indented, and a comma after every document but the last.  A document
 * ends with a line that is exactly "}" (its nested lines are indented,
 * and JSON strings hold no raw newline).
 */
static int
rf_copy_runs(struct report_runs *rr, FILE *fp)
{
	char *line = NULL;
	size_t cap = 0;
	uint64_t done = 0;
	ssize_t len;

	if (fflush(rr->json) != 0 || fseek(rr->json, 0, SEEK_SET) != 0)
		return -1;
	while ((len = getline(&line, &cap, rr->json)) > 0) {
		if (line[len - 1] == '\n')
			line[--len] = '\0';
		fprintf(fp, "    %s", line);
		if (strcmp(line, "}") == 0 && ++done < rr->runs)
			fputc(',', fp);
		fputc('\n', fp);
	}
	free(line);
	return ferror(rr->json) ? -1 : 0;
}

int
report_runs_json(void *arg, FILE *fp)
{
	struct report_runs *rr = arg;
	const struct config *cfg = rr->cfg;

	fprintf(fp, "{\n  \"verdict\": \"%s\",\n  \"state\": \"%s\",\n"
	    "  \"exit_code\": %d,\n  \"interrupted\": %s,\n  \"hard_error\": ",
	    rr->exit_code == 0 ? "pass" : "fail", rf_state(rr), rr->exit_code,
	    rr->interrupted ? "true" : "false");
	report_json_string(fp, rr->exit_code == 99 ? rr->hard_error : NULL);
	fprintf(fp, ",\n  \"schema\": %d,\n  \"sqlstorm_version\": ",
	    REPORT_RUNS_SCHEMA);
	report_json_string(fp, PACKAGE_VERSION);
	fprintf(fp, ",\n  \"repeat\": %d,\n  \"until_fail\": %s,\n"
	    "  \"run_count\": %llu,\n  \"failed_runs\": %llu,\n  \"runs\": ",
	    cfg->repeat, cfg->until_fail ? "true" : "false",
	    (unsigned long long)rr->runs,
	    (unsigned long long)rr->failed_runs);
	if (rr->runs == 0)
		fputs("[]", fp);
	else {
		fputs("[\n", fp);
		if (rf_copy_runs(rr, fp) < 0)
			return -1;
		fputs("  ]", fp);
	}
	fputs("\n}\n", fp);
	return ferror(fp) ? -1 : 0;
}

static int
rf_copy(FILE *from, FILE *to)
{
	char buf[8192];
	size_t n;

	if (fflush(from) != 0 || fseek(from, 0, SEEK_SET) != 0)
		return -1;
	while ((n = fread(buf, 1, sizeof buf, from)) > 0)
		if (fwrite(buf, 1, n, to) != n)
			return -1;
	return ferror(from) ? -1 : 0;
}

/* The aggregate's own hard error (a report, TAP): one suite in error. */
static void
rf_junit_error(const struct report_runs *rr, FILE *fp)
{
	fputs("  <testsuite name=\"sqlstorm\" tests=\"1\" failures=\"0\" "
	    "errors=\"1\" time=\"0.000\" skipped=\"0\">\n"
	    "    <testcase classname=\"sqlstorm.run\" name=\"reports\" "
	    "time=\"0.000\">\n      <error message=\"", fp);
	report_xml_string(fp, rr->hard_error);
	fputs("\" type=\"error\"/>\n    </testcase>\n  </testsuite>\n", fp);
}

int
report_runs_junit(void *arg, FILE *fp)
{
	struct report_runs *rr = arg;
	int extra = rr->exit_code == 99 && !rr->hard_is_run;

	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", fp);
	fprintf(fp, "<testsuites name=\"sqlstorm\" tests=\"%ld\" "
	    "failures=\"%ld\" errors=\"%ld\" time=\"%.3f\">\n",
	    rr->tests + extra, rr->failures, rr->errors + extra,
	    (double)rr->time_ns / (double)UTIL_NS_PER_S);
	if (rf_copy(rr->junit, fp) < 0)
		return -1;
	if (extra)
		rf_junit_error(rr, fp);
	fputs("</testsuites>\n", fp);
	return ferror(fp) ? -1 : 0;
}
