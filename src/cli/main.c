/* SPDX-License-Identifier: MIT */
/*
 * main: the sqlstorm command.  It parses the configuration, runs the
 * scenario and turns the outcome into an exit status (0 pass, 1 fail,
 * 99 hard error) and the reports that were asked for.  It holds no logic
 * of its own: parsing lives in config.c, the run in scenario.c, the
 * --repeat loop in repeat.c, the summary in report.c, the other formats
 * in report-*.c.  Nothing is
 * created on disk until the configuration has been parsed in full and
 * every report file is known to be writable and safe to replace.  Its
 * own output never decides the exit status: a closed stdout or a reader
 * that went away (`| head`) stops the printing, never the reports; only
 * the reports that were asked for (TAP, JSON, JUnit) turn a run into a
 * hard error when they cannot be written, and then every one of them
 * says so.
 */
#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "config.h"
#include "repeat.h"
#include "report.h"
#include "report-file.h"
#include "report-out.h"
#include "report-plot.h"
#include "scenario.h"

extern char **environ;

#define OUT_NAME_MAX	64	/* "SQLSTORM_JUNIT", "--json" */

/* Everything the outputs of one invocation share. */
struct outs {
	const struct config *cfg;       /* the user's */
	int      repeating;             /* --repeat N > 1 or --until-fail */
	struct report_runs runs;        /* with --repeat: every run */
	long     tap_n;                 /* TAP points so far (--repeat) */
	int      tap_failed;            /* stdout refused TAP */
	int      tap_bailed;            /* "Bail out!" is out: TAP is over */
	int      spool_failed;          /* a run could not be spooled */
	char     err[512];              /* the first output error */
	int      post;                  /* a hard error found after the run */
};

/* How the user named a report file: by flag or by environment variable. */
static const char *
out_name(const struct config *cfg, enum config_key k, char *buf, size_t cap)
{
	config_who(cfg, k, buf, cap);
	return buf;
}

static void
hard_error(const struct config *cfg, const char *msg)
{
	fprintf(stderr, "sqlstorm: %s\n", msg);
	if (cfg->tap)
		report_tap_bail(stdout, msg);
}

/*
 * Our output must never land in a file we open later, nor kill us.  A
 * closed descriptor 0, 1 or 2 would be reused by the next open() or
 * pipe() (a report, a child's pipe) and the summary written into it; so
 * it is filled with /dev/null, read-only, which keeps writes to a closed
 * stdout failing (EBADF) as they did.  SIGPIPE is ignored for the whole
 * run: a reader that went away is EPIPE, which stops the printing and
 * nothing else.  Children set their own dispositions (supervisor.c), and
 * commands they exec must not rely on inheriting ours.
 */
static void
guard_stdio(void)
{
	struct sigaction sa;
	int fd, nul;

	for (fd = 0; fd <= 2; fd++) {
		if (fcntl(fd, F_GETFD) != -1 || errno != EBADF)
			continue;
		if ((nul = open("/dev/null", O_RDONLY)) < 0)
			break;
		if (nul != fd) {
			(void)dup2(nul, fd);
			close(nul);
		}
	}
	memset(&sa, 0, sizeof sa);
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = SIG_IGN;
	(void)sigaction(SIGPIPE, &sa, NULL);
	/* ^C during setup or the final checks: noted, reported, not fatal. */
	(void)sup_signals_guard();
}

/* The report files, in the order they are checked and written. */
static const enum config_key out_keys[] = {
	CONFIG_JSON, CONFIG_JUNIT, CONFIG_PLOT, CONFIG_MARKDOWN
};
#define NOUTS (sizeof out_keys / sizeof out_keys[0])

static const char *
out_path(const struct config *cfg, enum config_key k)
{
	switch (k) {
	case CONFIG_JSON:
		return cfg->json;
	case CONFIG_JUNIT:
		return cfg->junit;
	case CONFIG_PLOT:
		return cfg->plot;
	case CONFIG_MARKDOWN:
		return cfg->markdown;
	default:
		return NULL;
	}
}

/* Refuse two reports that are one file (or one the other's .tmp). */
static int
check_two(const struct config *cfg, enum config_key ka, enum config_key kb)
{
	const char *a = out_path(cfg, ka), *b = out_path(cfg, kb);
	char ta[4096], tb[4096], msg[CONFIG_ERR_MAX + 64];
	char na[OUT_NAME_MAX], nb[OUT_NAME_MAX];

	if (a == NULL || b == NULL)
		return 0;
	snprintf(ta, sizeof ta, "%s.tmp", a);
	snprintf(tb, sizeof tb, "%s.tmp", b);
	out_name(cfg, ka, na, sizeof na);
	out_name(cfg, kb, nb, sizeof nb);
	if (report_path_same(a, b))
		snprintf(msg, sizeof msg, "%s and %s name the same file: "
		    "'%s' and '%s'", na, nb, a, b);
	else if (report_path_same(a, tb) || report_path_same(b, ta))
		snprintf(msg, sizeof msg, "%s and %s collide: '%s' and '%s' "
		    "(a report is first written to FILE.tmp)", na, nb, a, b);
	else
		return 0;
	hard_error(cfg, msg);
	return -1;
}

static int
check_pair(const struct config *cfg)
{
	size_t i, j;

	for (i = 0; i < NOUTS; i++)
		for (j = i + 1; j < NOUTS; j++)
			if (check_two(cfg, out_keys[i], out_keys[j]) < 0)
				return -1;
	return 0;
}

/*
 * GITHUB_STEP_SUMMARY (with --markdown only): the Markdown is appended,
 * never truncated.  The path may be absent (it is created) or a regular
 * file; a symbolic link, FIFO, device, socket or directory there, the
 * database or one of its side files, or the --markdown file itself is
 * refused before the run.  NULL when there is nothing to append to.
 */
static const char *
step_summary(const struct config *cfg)
{
	const char *p = getenv("GITHUB_STEP_SUMMARY");

	if (cfg->markdown == NULL || p == NULL || *p == '\0')
		return NULL;
	return p;
}

static int
check_step_summary(const struct config *cfg)
{
	const char *p = step_summary(cfg);
	char msg[CONFIG_ERR_MAX + 64 + REPORT_WHY_MAX], why[REPORT_WHY_MAX];
	struct stat st;

	if (p == NULL)
		return 0;
	if (report_path_is_db(p, cfg->db, why, sizeof why))
		;
	else if (report_path_same(p, cfg->markdown))
		snprintf(why, sizeof why, "it is the --markdown file");
	else if (lstat(p, &st) == 0 && !S_ISREG(st.st_mode))
		snprintf(why, sizeof why, "not a regular file (a link, FIFO, "
		    "device or directory): only appended to a regular file");
	else if (lstat(p, &st) < 0 && errno != ENOENT)
		snprintf(why, sizeof why, "%s", strerror(errno));
	else
		return 0;
	snprintf(msg, sizeof msg, "GITHUB_STEP_SUMMARY: cannot append to "
	    "'%s': %s", p, why);
	hard_error(cfg, msg);
	return -1;
}

/*
 * --trace is opened with fopen("w") before setup: were it the database
 * (or its -wal/-journal/-shm), it would truncate the user's file before
 * anything else looks at it; were it a report (or its .tmp), one would
 * replace the other.  Either is a typo to refuse before the run.
 */
static int
check_trace(const struct config *cfg)
{
	const char *rep[] = { cfg->json, cfg->junit, cfg->plot,
	    cfg->markdown };
	char msg[CONFIG_ERR_MAX + 64 + REPORT_WHY_MAX], why[REPORT_WHY_MAX];
	char tmp[4096], name[OUT_NAME_MAX];
	size_t i;

	if (cfg->trace == NULL)
		return 0;
	out_name(cfg, CONFIG_TRACE, name, sizeof name);
	if (report_path_is_db(cfg->trace, cfg->db, why, sizeof why)) {
		snprintf(msg, sizeof msg, "%s: cannot write '%s': %s", name,
		    cfg->trace, why);
		hard_error(cfg, msg);
		return -1;
	}
	for (i = 0; i < sizeof rep / sizeof rep[0]; i++) {
		if (rep[i] == NULL)
			continue;
		snprintf(tmp, sizeof tmp, "%s.tmp", rep[i]);
		if (!report_path_same(cfg->trace, rep[i]) &&
		    !report_path_same(cfg->trace, tmp))
			continue;
		snprintf(msg, sizeof msg, "%s: cannot write '%s': it is a "
		    "report's file ('%s')", name, cfg->trace, rep[i]);
		hard_error(cfg, msg);
		return -1;
	}
	return 0;
}

/*
 * A report that cannot be written, or would destroy something (the
 * database, a device, a FIFO...), must stop us before the run, not
 * after it: nobody wants to wait ten minutes to learn of a typo in a
 * path, and nothing but a regular file may ever be replaced.
 */
static int
check_outputs(const struct config *cfg)
{
	char msg[CONFIG_ERR_MAX + 64 + REPORT_WHY_MAX], why[REPORT_WHY_MAX];
	char name[OUT_NAME_MAX];
	size_t i;

	for (i = 0; i < NOUTS; i++) {
		const char *path = out_path(cfg, out_keys[i]);

		if (path == NULL ||
		    report_path_check(path, cfg->db, why, sizeof why) == 0)
			continue;
		snprintf(msg, sizeof msg, "%s: cannot write '%s': %s",
		    out_name(cfg, out_keys[i], name, sizeof name), path, why);
		hard_error(cfg, msg);
		return -1;
	}
	if (check_trace(cfg) < 0 || check_step_summary(cfg) < 0)
		return -1;
	return check_pair(cfg);
}

/*
 * An output failed after the run: the exit becomes 99 and every report
 * written from now on says why (the first reason wins).  Returns 1 if
 * this changed the outcome, so reports already written must be redone.
 */
static int
out_fail(struct outs *o, struct report *rep, const char *msg)
{
	fprintf(stderr, "sqlstorm: %s\n", msg);
	if (o->err[0] != '\0')
		return 0;
	snprintf(o->err, sizeof o->err, "%s", msg);
	/* TAP that went out whole must not stand as this run's result. */
	if (o->cfg->tap && !o->tap_failed && !o->tap_bailed) {
		report_tap_bail(stdout, msg);
		o->tap_bailed = 1;
	}
	if (o->repeating) {
		if (o->runs.exit_code == 99)
			return 0;
		o->runs.exit_code = 99;
		o->runs.hard_is_run = 0;
		snprintf(o->runs.hard_error, sizeof o->runs.hard_error, "%s",
		    msg);
		return 1;
	}
	if (rep->exit_code == 99)
		return 0;
	rep->exit_code = 99;
	snprintf(rep->hard_error, sizeof rep->hard_error, "%s", msg);
	o->post = 1;
	return 1;
}

static void
tap_failed(struct outs *o, struct report *rep)
{
	char msg[256];

	snprintf(msg, sizeof msg, "--tap: cannot write TAP on stdout: %s",
	    strerror(errno != 0 ? errno : EIO));
	o->tap_failed = 1;
	(void)out_fail(o, rep, msg);
}

struct out_file {
	enum config_key key;
	const char *path;
	int  written;
};

/* The writers report_file_put() calls: one run, or every run. */
struct out_arg {
	struct outs   *o;
	struct report *rep;
};

static int
put_json(void *arg, FILE *fp)
{
	struct out_arg *a = arg;

	if (a->o->repeating)
		return report_runs_json(&a->o->runs, fp);
	return report_json_write(a->rep, fp);
}

static int
put_junit(void *arg, FILE *fp)
{
	struct out_arg *a = arg;

	if (a->o->repeating)
		return report_runs_junit(&a->o->runs, fp);
	/* A failure after the run: the run's checks, and that error. */
	return report_junit_doc(a->rep, fp, a->o->post ? a->rep->hard_error :
	    NULL);
}

/* With --repeat, the plot and the Markdown show the last run. */
static int
put_plot(void *arg, FILE *fp)
{
	struct out_arg *a = arg;

	return report_plot_write(a->rep, fp);
}

static int
put_markdown(void *arg, FILE *fp)
{
	struct out_arg *a = arg;
	char runs[160];

	if (!a->o->repeating)
		return report_markdown_write(a->rep, fp, NULL);
	snprintf(runs, sizeof runs, "%llu runs, %llu failed; this table "
	    "shows the last one (the first failing one with --until-fail)",
	    (unsigned long long)a->o->runs.runs,
	    (unsigned long long)a->o->runs.failed_runs);
	return report_markdown_write(a->rep, fp, runs);
}

static int
put_file(struct out_arg *a, struct out_file *f, char *why, size_t cap)
{
	int (*w)(void *, FILE *);

	switch (f->key) {
	case CONFIG_JSON:
		w = put_json;
		break;
	case CONFIG_JUNIT:
		w = put_junit;
		break;
	case CONFIG_PLOT:
		w = put_plot;
		break;
	default:
		w = put_markdown;
		break;
	}
	return report_file_put(f->path, w, a, why, cap);
}

/*
 * Append the Markdown to GITHUB_STEP_SUMMARY: opened with O_APPEND (and
 * created if absent), never truncated, never through a link, never a
 * FIFO or device (O_NONBLOCK, then fstat), written in one buffer.
 */
static int
append_summary(struct out_arg *a, const char *path, char *why, size_t cap)
{
	struct stat st;
	FILE *fp = NULL;
	int fd, rc = -1;

	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW |
	    O_NONBLOCK | O_NOCTTY, 0666);
	if (fd < 0)
		goto out;
	if (fstat(fd, &st) < 0)
		goto out;
	if (!S_ISREG(st.st_mode)) {
		errno = EINVAL;
		goto out;
	}
	if ((fp = fdopen(fd, "a")) == NULL)
		goto out;
	fd = -1;
	(void)setvbuf(fp, NULL, _IOFBF, 1 << 16);
	errno = 0;
	if (put_markdown(a, fp) < 0 || fflush(fp) != 0) {
		if (errno == 0)
			errno = EIO;
		goto out;
	}
	rc = 0;
out:
	if (rc < 0)
		snprintf(why, cap, "%s", strerror(errno));
	if (fp != NULL && fclose(fp) != 0 && rc == 0) {
		snprintf(why, cap, "%s", strerror(errno));
		rc = -1;
	}
	if (fd >= 0)
		close(fd);
	return rc;
}

/*
 * Write the report files (JSON, JUnit, SVG, Markdown), then append to
 * GITHUB_STEP_SUMMARY.  When one fails, the outcome becomes a hard error
 * and any file already written with the old outcome is written again;
 * if that fails too, it is removed (we wrote it a moment ago), so no
 * file contradicts the exit status.  The step summary is appended last,
 * once, with the outcome as it then stands.
 */
static void
write_files(struct outs *o, struct report *rep)
{
	struct out_file f[NOUTS];
	struct out_arg a = { o, rep };
	char why[REPORT_WHY_MAX], msg[REPORT_WHY_MAX + 4200];
	char name[OUT_NAME_MAX];
	const char *sum = step_summary(o->cfg);
	size_t i, j;

	for (i = 0; i < NOUTS; i++) {
		f[i].key = out_keys[i];
		f[i].path = out_path(o->cfg, out_keys[i]);
		f[i].written = 0;
	}
	for (i = 0; i <= NOUTS; i++) {
		if (i == NOUTS) {
			if (sum == NULL ||
			    append_summary(&a, sum, why, sizeof why) == 0)
				continue;
			snprintf(msg, sizeof msg, "GITHUB_STEP_SUMMARY: cannot "
			    "append to '%s': %s", sum, why);
		} else {
			if (f[i].path == NULL)
				continue;
			if (put_file(&a, &f[i], why, sizeof why) == 0) {
				f[i].written = 1;
				continue;
			}
			snprintf(msg, sizeof msg, "%s: cannot write '%s': %s",
			    out_name(o->cfg, f[i].key, name, sizeof name),
			    f[i].path, why);
		}
		if (!out_fail(o, rep, msg))
			continue;
		for (j = 0; j < i; j++)
			if (f[j].written &&
			    put_file(&a, &f[j], why, sizeof why) < 0)
				(void)unlink(f[j].path);
	}
}

/* One run: TAP on stdout first, then the files. */
static int
write_outputs(struct outs *o, struct report *rep)
{
	if (o->cfg->tap) {
		errno = 0;
		if (report_tap_write(rep, stdout) < 0 || fflush(stdout) != 0)
			tap_failed(o, rep);
	}
	write_files(o, rep);
	return rep->exit_code;
}

/*
 * Print the summary.  A stdout or stderr that went away (EPIPE) or was
 * closed only ends the printing: with SIGPIPE ignored, stdio fails
 * quietly and the run goes on to its reports.
 */
static void
print_summary(const struct config *cfg, const struct report *rep, int rc)
{
	if (rc == 99)
		/* TAP's "Bail out!" comes with the TAP output. */
		fprintf(stderr, "sqlstorm: %s\n", rep->hard_error);
	else if (!cfg->quiet)
		/* With --tap, stdout belongs to TAP. */
		report_summary(rep, cfg->tap ? stderr : stdout);
	else if (rc != 0) {
		/* --quiet silences everything but the errors. */
		report_failures(rep, stderr);
	}
}

/* With --repeat: this run's TAP points, and its JSON and JUnit spooled. */
static void
spool_run(struct outs *o, struct report *rep, int rc)
{
	if (o->cfg->tap && !o->tap_failed && !o->tap_bailed) {
		errno = 0;
		if (report_tap_run(rep, stdout, o->runs.runs + 1,
		    &o->tap_n) < 0 || fflush(stdout) != 0)
			tap_failed(o, rep);
		else if (rc == 99)
			o->tap_bailed = 1;
	}
	if (report_runs_add(&o->runs, rep, rc) < 0 && !o->spool_failed) {
		char msg[256];

		o->spool_failed = 1;
		snprintf(msg, sizeof msg, "cannot spool the reports in "
		    "$TMPDIR: %s", strerror(errno != 0 ? errno : EIO));
		(void)out_fail(o, rep, msg);
	}
}

/* One run (repeat.c picked its seed): the scenario and its summary. */
static int
run_once(struct config *cfg, struct report *rep, void *arg)
{
	struct outs *o = arg;
	int rc;

	rc = scenario_run(cfg, rep);
	report_progress_end(rep, stderr);
	report_fingerprint(rep);
	print_summary(cfg, rep, rc);
	if (o->repeating)
		spool_run(o, rep, rc);
	return rc;
}

/* A report that can no longer be written ends a repeat. */
static int
run_stop(void *arg)
{
	struct outs *o = arg;

	return o->err[0] != '\0';
}

/* With --repeat: the aggregate, the end of TAP, then the files. */
static int
repeat_outputs(struct outs *o, struct report *rep, int rc)
{
	struct report_runs *rr = &o->runs;

	if (o->err[0] == '\0') {
		rr->exit_code = rc;
		if (rc == 99) {
			/* The last run's own hard error stopped the loop. */
			rr->hard_is_run = 1;
			snprintf(rr->hard_error, sizeof rr->hard_error, "%s",
			    rep->hard_error);
		}
	}
	rr->interrupted = rep->interrupted;
	if (o->cfg->tap && !o->tap_failed && !o->tap_bailed) {
		errno = 0;
		if (report_tap_plan(stdout, o->tap_n) < 0)
			tap_failed(o, rep);
	}
	write_files(o, rep);
	return rr->exit_code;
}

/* After the last run: TAP, JSON and JUnit. */
static int
run_last(struct config *cfg, struct report *rep, int rc, void *arg)
{
	struct outs *o = arg;

	(void)cfg;
	if (o->repeating)
		return repeat_outputs(o, rep, rc);
	/* A missing report would leave CI reading a stale file. */
	return write_outputs(o, rep) == 99 ? 99 : rc;
}

static int
run(struct config *cfg)
{
	struct outs o;
	struct repeat_ops ops = { run_once, run_last, run_stop, &o };
	char msg[256];
	int rc;

	if (check_outputs(cfg) < 0)
		return 99;
	memset(&o, 0, sizeof o);
	o.cfg = cfg;
	o.repeating = repeat_wanted(cfg);
	if (o.repeating) {
		if (report_runs_open(&o.runs, cfg) < 0) {
			snprintf(msg, sizeof msg, "cannot spool the reports in "
			    "$TMPDIR: %s", strerror(errno));
			hard_error(cfg, msg);
			return 99;
		}
		if (cfg->tap)
			fputs("TAP version 13\n", stdout);
	}
	/* With --tap, stdout belongs to TAP: the tally goes to stderr. */
	rc = repeat_loop(cfg, &ops, cfg->tap ? stderr : stdout, stderr,
	    NULL);
	report_runs_close(&o.runs);
	return rc;
}

int
main(int argc, char **argv)
{
	char err[CONFIG_ERR_MAX];
	enum config_action action;
	struct config cfg;
	int rc = 0;

	guard_stdio();
	config_defaults(&cfg);
	if (config_parse(&cfg, argc, argv, environ, &action, stderr, err,
	    sizeof(err)) == -1) {
		fprintf(stderr, "sqlstorm: %s\n", err);
		config_free(&cfg);
		return 99;
	}
	switch (action) {
	case CONFIG_HELP:
		config_usage(stdout);
		break;
	case CONFIG_VERSION:
		printf("sqlstorm %s\nSQLite %s %s\n", PACKAGE_VERSION,
		    sqlite3_libversion(), sqlite3_sourceid());
		break;
	case CONFIG_PRINT:
		config_print(&cfg, stdout);
		break;
	case CONFIG_RUN:
		rc = run(&cfg);
		break;
	}
	config_free(&cfg);
	return rc;
}
