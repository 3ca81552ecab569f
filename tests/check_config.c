/* SPDX-License-Identifier: MIT */
/*
 * check_config: unit tests for config.c.  Every knob is checked at its
 * default, from the environment and from a flag, with the precedence
 * between them; every error path must name the flag or variable; ranges
 * are tested as boundary pairs (largest valid, smallest invalid).  The
 * environment is always an explicit array, never the test's own, and the
 * warning stream is a tmpfile(), so nothing here depends on the caller.
 */
#include "autoconf.h"

#include <check.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "config.h"
#include "powerloss.h"
#include "shellcmd.h"
#include "util.h"

#define NS_MS	INT64_C(1000000)
#define NS_S	INT64_C(1000000000)
#define NS_H	(INT64_C(3600) * NS_S)
#define NS_D	(INT64_C(24) * NS_H)

#define MAX_ARGS 64

/* One config_parse() call and everything it produced. */
struct parsed {
	struct config		cfg;
	enum config_action	action;
	int			rc;
	char			err[CONFIG_ERR_MAX];
	char			warn[2048];
};

static const char *const no_env[] = { NULL };

/*
 * Parse env (NULL-terminated) and the flags that follow it (NULL-terminated,
 * argv[0] is supplied).  Warnings are collected from a tmpfile.
 */
static void
parse_va(struct parsed *p, const char *const *env, va_list ap)
{
	char *argv[MAX_ARGS + 2];
	const char *arg;
	FILE *warn;
	size_t n;
	int argc = 0;

	argv[argc++] = (char *)"sqlstorm";
	while ((arg = va_arg(ap, const char *)) != NULL) {
		ck_assert_int_lt(argc, MAX_ARGS);
		argv[argc++] = (char *)arg;
	}
	argv[argc] = NULL;

	warn = tmpfile();
	ck_assert_ptr_nonnull(warn);
	memset(p, 0, sizeof(*p));
	strcpy(p->err, "(untouched)");
	config_defaults(&p->cfg);
	p->rc = config_parse(&p->cfg, argc, argv, (char **)env, &p->action,
	    warn, p->err, sizeof(p->err));
	rewind(warn);
	n = fread(p->warn, 1, sizeof(p->warn) - 1, warn);
	p->warn[n] = '\0';
	fclose(warn);
}

static void
parse(struct parsed *p, const char *const *env, ...)
{
	va_list ap;

	va_start(ap, env);
	parse_va(p, env, ap);
	va_end(ap);
}

/* Parse, expect success, and return the config (owned by p). */
static struct config *
parse_ok(struct parsed *p, const char *const *env, ...)
{
	va_list ap;

	va_start(ap, env);
	parse_va(p, env, ap);
	va_end(ap);
	ck_assert_msg(p->rc == 0, "unexpected error: %s", p->err);
	return &p->cfg;
}

/*
 * Expect failure with exactly the message want: one line, no prefix.
 */
static void
expect_err(struct parsed *p, const char *want)
{
	ck_assert_msg(p->rc == -1, "parse succeeded, expected: %s", want);
	ck_assert_str_eq(p->err, want);
	config_free(&p->cfg);
}

/* Expect failure with a message that starts with prefix. */
static void
expect_err_prefix(struct parsed *p, const char *prefix)
{
	ck_assert_msg(p->rc == -1, "parse succeeded, expected: %s", prefix);
	ck_assert_msg(strncmp(p->err, prefix, strlen(prefix)) == 0,
	    "error '%s' does not start with '%s'", p->err, prefix);
	ck_assert_ptr_null(strchr(p->err, '\n'));
	ck_assert_msg(strncmp(p->err, "sqlstorm:", 9) != 0, "prefixed: %s",
	    p->err);
	config_free(&p->cfg);
}

/* ------------------------------------------------------------ defaults */

START_TEST(test_config_defaults_values)
{
	struct config cfg;
	int i;

	config_defaults(&cfg);
	ck_assert(cfg.duration_ns == 10 * NS_S);
	ck_assert_int_eq(cfg.workers, 4);
	ck_assert(cfg.interval_ns == 10 * NS_MS);
	ck_assert_int_eq(cfg.batch, 1);
	ck_assert(cfg.validate_every_ns == 500 * NS_MS);
	ck_assert(cfg.grace_ns == 10 * NS_S);
	ck_assert(cfg.busy_timeout_ns == 5 * NS_S);
	ck_assert_ptr_null(cfg.db);
	ck_assert_int_eq(cfg.keep, 0);
	ck_assert_int_eq(cfg.journal, CONFIG_JOURNAL_WAL);
	ck_assert_int_eq(cfg.sync, CONFIG_SYNC_NORMAL);
	ck_assert_int_eq(cfg.seed_set, 0);
	ck_assert_int_eq(cfg.late_errors, LATE_STRICT);
	ck_assert_ptr_null(cfg.json);
	ck_assert_ptr_null(cfg.junit);
	ck_assert_int_eq(cfg.tap, 0);
	ck_assert_int_eq(cfg.quiet, 0);
	ck_assert_ptr_null(cfg.fault);
	ck_assert_int_eq(cfg.repeat, 1);
	ck_assert_int_eq(cfg.repeat_set, 0);
	ck_assert_int_eq(cfg.until_fail, 0);
	ck_assert_ptr_null(cfg.store_cmd);
	ck_assert_ptr_null(cfg.restore_cmd);
	ck_assert(cfg.restore_timeout_ns == 60 * NS_S);
	ck_assert(cfg.max_lag_ns == 0);
	ck_assert_str_eq(cfg.workload, "append");
	ck_assert_ptr_null(cfg.trace);
	for (i = 0; i < CONFIG_NKEYS; i++)
		ck_assert_int_eq(cfg.source[i], CONFIG_SRC_DEFAULT);
	config_free(&cfg);
	config_free(&cfg);
}
END_TEST

START_TEST(test_config_defaults_no_args)
{
	struct parsed p;

	parse_ok(&p, no_env, NULL);
	ck_assert_int_eq(p.action, CONFIG_RUN);
	ck_assert_str_eq(p.err, "");
	ck_assert_str_eq(p.warn, "");
	config_free(&p.cfg);
}
END_TEST

/* ------------------------------------------------------------ env */

START_TEST(test_config_env_every_knob)
{
	static const char *const env[] = {
		"PATH=/bin", "SQLSTORM_DURATION=3s", "SQLSTORM_WORKERS=7",
		"SQLSTORM_INTERVAL=0", "SQLSTORM_BATCH=50",
		"SQLSTORM_VALIDATE_EVERY=250ms", "SQLSTORM_GRACE=1m",
		"SQLSTORM_BUSY_TIMEOUT=100us", "SQLSTORM_DB=/tmp/x.db",
		"SQLSTORM_KEEP=1", "SQLSTORM_JOURNAL=delete",
		"SQLSTORM_SYNC=full", "SQLSTORM_SEED=42",
		"SQLSTORM_LATE_ERRORS=ignore", "SQLSTORM_JSON=r.json",
		"SQLSTORM_JUNIT=r.xml", "SQLSTORM_TAP=yes",
		"SQLSTORM_QUIET=on", "SQLSTORM_FAULT=w6:crash@1s",
		"SQLSTORM_REPEAT=3", "SQLSTORM_UNTIL_FAIL=yes",
		"SQLSTORM_STORE_CMD=cat {db}",
		"SQLSTORM_RESTORE_CMD=cp {db} {output}",
		"SQLSTORM_RESTORE_TIMEOUT=5s", "SQLSTORM_MAX_LAG=250ms",
		"SQLSTORM_COVERAGE=report", "SQLSTORM_VERBOSE=yes",
		"SQLSTORM_WORKLOAD=APPEND", "SQLSTORM_TRACE=t.log",
		"SQLSTORM_CHURN=keys=8", "SQLSTORM_MAINTAIN=optimize@1s",
		"SQLSTORM_PAGE_SIZE=8192", "SQLSTORM_AUTO_VACUUM=Incremental",
		"SQLSTORM_STORE_WARMUP=2s", "SQLSTORM_NEMESIS=kill:w6@1s",
		"SQLSTORM_CHECK=quick", "SQLSTORM_POPULATE=64MiB",
		"SQLSTORM_PLOT=p.svg", "SQLSTORM_MARKDOWN=m.md",
		"SQLSTORM_CRASH_IMAGES=7", "SQLSTORM_VFS=unix-dotfile",
		"SQLSTORM_LOAD_EXTENSION=./e.so:sqlite3_e_init", NULL
	};
	struct parsed p;
	struct config *c = parse_ok(&p, env, NULL);
	int i;

	ck_assert(c->duration_ns == 3 * NS_S);
	ck_assert_int_eq(c->workers, 7);
	ck_assert(c->interval_ns == 0);
	ck_assert_int_eq(c->batch, 50);
	ck_assert(c->validate_every_ns == 250 * NS_MS);
	ck_assert(c->grace_ns == 60 * NS_S);
	ck_assert(c->busy_timeout_ns == 100000);
	ck_assert_str_eq(c->db, "/tmp/x.db");
	ck_assert_int_eq(c->keep, 1);
	ck_assert_int_eq(c->journal, CONFIG_JOURNAL_DELETE);
	ck_assert_int_eq(c->sync, CONFIG_SYNC_FULL);
	ck_assert_int_eq(c->seed_set, 1);
	ck_assert_uint_eq(c->seed, 42);
	ck_assert_int_eq(c->late_errors, LATE_IGNORE);
	ck_assert_str_eq(c->json, "r.json");
	ck_assert_str_eq(c->junit, "r.xml");
	ck_assert_int_eq(c->tap, 1);
	ck_assert_int_eq(c->quiet, 1);
	ck_assert_str_eq(c->fault, "w6:crash@1s");
	ck_assert_int_eq(c->repeat, 3);
	ck_assert_int_eq(c->repeat_set, 1);
	ck_assert_int_eq(c->until_fail, 1);
	ck_assert_str_eq(c->store_cmd, "cat {db}");
	ck_assert_str_eq(c->restore_cmd, "cp {db} {output}");
	ck_assert(c->restore_timeout_ns == 5 * NS_S);
	ck_assert(c->max_lag_ns == 250 * NS_MS);
	ck_assert_int_eq(c->coverage, CONFIG_COVERAGE_REPORT);
	ck_assert_int_eq(c->verbose, 1);
	ck_assert_str_eq(c->workload, "append");
	ck_assert_str_eq(c->trace, "t.log");
	ck_assert_str_eq(c->churn, "keys=8");
	ck_assert(c->store_warmup_ns == 2 * NS_S);
	ck_assert_str_eq(c->maintain, "optimize@1s");
	ck_assert_int_eq(c->page_size, 8192);
	ck_assert_int_eq(c->page_size_set, 1);
	ck_assert_int_eq(c->auto_vacuum, CONFIG_AUTO_VACUUM_INCREMENTAL);
	ck_assert_int_eq(c->auto_vacuum_set, 1);
	ck_assert_str_eq(c->nemesis, "kill:w6@1s");
	ck_assert_int_eq(c->check, CONFIG_CHECK_QUICK);
	ck_assert_str_eq(c->populate, "64MiB");
	ck_assert_str_eq(c->plot, "p.svg");
	ck_assert_str_eq(c->markdown, "m.md");
	ck_assert_int_eq(c->crash_images, 7);
	ck_assert_str_eq(c->vfs, "unix-dotfile");
	ck_assert_str_eq(c->load_extension, "./e.so:sqlite3_e_init");
	/*
	 * --rate excludes --interval, --pattern needs --rate and
	 * --powerloss excludes --store-cmd: below.
	 */
	for (i = 0; i < CONFIG_NKEYS; i++)
		if (i != CONFIG_RATE && i != CONFIG_PATTERN &&
		    i != CONFIG_POWERLOSS)
			ck_assert_int_eq(c->source[i], CONFIG_SRC_ENV);
	ck_assert_str_eq(p.warn, "");
	config_free(c);
}
END_TEST

START_TEST(test_config_env_error_names_variable)
{
	static const char *const env[] = { "SQLSTORM_WORKERS=abc", NULL };
	static const char *const env2[] = { "SQLSTORM_GRACE=2h", NULL };
	static const char *const env3[] = { "SQLSTORM_DB=", NULL };
	struct parsed p;

	parse(&p, env, NULL);
	expect_err(&p, "SQLSTORM_WORKERS: 'abc' is not an integer from 1 "
	    "to 1024");
	parse(&p, env2, NULL);
	expect_err(&p, "SQLSTORM_GRACE: '2h' is not a duration from 100ms to "
	    "1h (units: ns, us, ms, s, m, h)");
	parse(&p, env3, NULL);
	expect_err(&p, "SQLSTORM_DB: the path must not be empty");
}
END_TEST

/*
 * --rate and --pattern: read from either layer; --rate refuses an
 * explicit --interval (from either layer) and --pattern needs a rate.
 */
/*
 * --powerloss[=T]: bare is a seeded moment, =T a moment inside the run,
 * from either layer; refused at or after --duration and with --store-cmd.
 */
START_TEST(test_config_powerloss)
{
	static const char *const env[] = { "SQLSTORM_POWERLOSS=2s",
	    "SQLSTORM_DURATION=5s", NULL };
	static const char *const env_store[] = {
	    "SQLSTORM_STORE_CMD=exec true", NULL };
	struct parsed p;
	struct config *c;

	c = parse_ok(&p, env, NULL);
	ck_assert_str_eq(c->powerloss, "2s");
	ck_assert_int_eq(c->source[CONFIG_POWERLOSS], CONFIG_SRC_ENV);
	ck_assert(powerloss_cut_ns(c) == 2 * NS_S);
	config_free(c);
	/* Bare: never eats the next word, and the moment comes from the seed. */
	c = parse_ok(&p, no_env, "--powerloss", "--duration", "10s",
	    "--seed", "3", NULL);
	ck_assert_str_eq(c->powerloss, "seeded");
	ck_assert_int_eq(c->source[CONFIG_POWERLOSS], CONFIG_SRC_FLAG);
	ck_assert(powerloss_cut_ns(c) >= 2 * NS_S);
	ck_assert(powerloss_cut_ns(c) <= 8 * NS_S);
	config_free(c);
	c = parse_ok(&p, no_env, "--powerloss=999ms", "--duration=1s", NULL);
	ck_assert(powerloss_cut_ns(c) == 999 * NS_MS);
	config_free(c);
	config_free(parse_ok(&p, no_env, "--powerloss=SEEDED", NULL));
	parse(&p, no_env, "--powerloss=1s", "--duration=1s", NULL);
	expect_err(&p, "--powerloss: the cut at 1s is not inside the run "
	    "(--duration 1s)");
	parse(&p, env, "--duration=2s", NULL);
	expect_err(&p, "SQLSTORM_POWERLOSS: the cut at 2s is not inside the "
	    "run (--duration 2s)");
	parse(&p, no_env, "--powerloss=0", NULL);
	expect_err_prefix(&p, "--powerloss: '0' is not a moment of the run");
	parse(&p, no_env, "--powerloss=soon", NULL);
	expect_err_prefix(&p, "--powerloss: 'soon' is not a moment");
	parse(&p, no_env, "--powerloss", "3s", NULL);
	expect_err_prefix(&p, "unexpected argument '3s'");
	parse(&p, env_store, "--powerloss", NULL);
	expect_err_prefix(&p, "--powerloss: cannot be used with --store-cmd");
	parse(&p, no_env, "--crash-images=0", NULL);
	expect_err(&p, "--crash-images: '0' is not an integer from 2 to 1000");
	parse(&p, no_env, "--crash-images=1001", NULL);
	expect_err(&p, "--crash-images: '1001' is not an integer from 2 to "
	    "1000");
}
END_TEST

START_TEST(test_config_rate_pattern)
{
	static const char *const env[] = { "SQLSTORM_RATE=200",
	    "SQLSTORM_PATTERN=Burst", NULL };
	static const char *const env_iv[] = { "SQLSTORM_INTERVAL=5ms", NULL };
	static const char *const env_pat[] = { "SQLSTORM_PATTERN=wave", NULL };
	struct parsed p;
	struct config *c;

	c = parse_ok(&p, env, NULL);
	ck_assert_int_eq(c->rate, 200);
	ck_assert_int_eq(c->pattern, PACE_BURST);
	ck_assert_int_eq(c->source[CONFIG_RATE], CONFIG_SRC_ENV);
	ck_assert_int_eq(c->source[CONFIG_PATTERN], CONFIG_SRC_ENV);
	config_free(c);
	c = parse_ok(&p, no_env, "--rate", "100000", "--pattern=wave", NULL);
	ck_assert_int_eq(c->rate, PACE_RATE_MAX);
	ck_assert_int_eq(c->pattern, PACE_WAVE);
	config_free(c);
	/* The default interval is no conflict, nor an interval alone. */
	config_free(parse_ok(&p, no_env, "--rate", "1", NULL));
	config_free(parse_ok(&p, env_iv, "--rate", "0", NULL));
	parse(&p, no_env, "--rate", "5", "--interval", "10ms", NULL);
	expect_err(&p, "--rate: cannot be combined with --interval (the rate "
	    "schedules every transaction)");
	parse(&p, env_iv, "--rate", "5", NULL);
	expect_err(&p, "--rate: cannot be combined with SQLSTORM_INTERVAL "
	    "(the rate schedules every transaction)");
	parse(&p, no_env, "--pattern", "constant", NULL);
	expect_err(&p, "--pattern: needs --rate N (a pattern shapes a rate)");
	parse(&p, env_pat, NULL);
	expect_err(&p, "SQLSTORM_PATTERN: needs --rate N (a pattern shapes a "
	    "rate)");
	parse(&p, no_env, "--rate", "100001", NULL);
	expect_err(&p, "--rate: '100001' is not an integer from 0 to 100000");
	parse(&p, no_env, "--rate", "5", "--pattern", "square", NULL);
	expect_err(&p, "--pattern: 'square' is not one of constant, burst, "
	    "wave");
}
END_TEST

START_TEST(test_config_env_bad_value_with_newline)
{
	static const char *const env[] = { "SQLSTORM_SYNC=full\nrm", NULL };
	struct parsed p;

	/* A newline in the value must not break the one-line message. */
	parse(&p, env, NULL);
	expect_err(&p, "SQLSTORM_SYNC: 'full?rm' is not one of off, normal, "
	    "full, extra");
}
END_TEST

START_TEST(test_config_env_first_entry_wins)
{
	static const char *const env[] = {
		"SQLSTORM_WORKERS=2", "SQLSTORM_WORKERS=3", NULL
	};
	struct parsed p;

	/* Same rule as getenv(): the first entry is the one in force. */
	ck_assert_int_eq(parse_ok(&p, env, NULL)->workers, 2);
}
END_TEST

START_TEST(test_config_env_unknown_warns_with_suggestion)
{
	static const char *const env[] = {
		"SQLSTORM_WORKRES=8", "SQLSTORM_DURATON=1s",
		"SQLSTORM_busy_timeout=1s", NULL
	};
	struct parsed p;

	parse_ok(&p, env, NULL);
	ck_assert_str_eq(p.warn,
	    "sqlstorm: warning: unknown variable SQLSTORM_WORKRES "
	    "(did you mean SQLSTORM_WORKERS?)\n"
	    "sqlstorm: warning: unknown variable SQLSTORM_DURATON "
	    "(did you mean SQLSTORM_DURATION?)\n"
	    "sqlstorm: warning: unknown variable SQLSTORM_busy_timeout "
	    "(did you mean SQLSTORM_BUSY_TIMEOUT?)\n");
	/* A misspelt variable is not applied. */
	ck_assert_int_eq(p.cfg.workers, 4);
	config_free(&p.cfg);
}
END_TEST

START_TEST(test_config_env_unknown_far_no_suggestion)
{
	static const char *const env[] = {
		"SQLSTORM_FROBNICATE=1", "SQLSTORM_X=1", "SQLSTORM_=1",
		"SQLSTORM_DURATIONXYZ=1", NULL
	};
	struct parsed p;

	parse_ok(&p, env, NULL);
	ck_assert_str_eq(p.warn,
	    "sqlstorm: warning: unknown variable SQLSTORM_FROBNICATE\n"
	    "sqlstorm: warning: unknown variable SQLSTORM_X\n"
	    "sqlstorm: warning: unknown variable SQLSTORM_\n"
	    "sqlstorm: warning: unknown variable SQLSTORM_DURATIONXYZ\n");
	config_free(&p.cfg);
}
END_TEST

START_TEST(test_config_env_run_dir_reserved)
{
	static const char *const env[] = {
		"SQLSTORM_RUN_DIR=/tmp/run", "OTHER_WORKRES=1",
		"SQLSTORMWORKERS=1", NULL
	};
	struct parsed p;

	parse_ok(&p, env, NULL);
	ck_assert_str_eq(p.warn, "");
	config_free(&p.cfg);
}
END_TEST

/*
 * "SQLSTORM_WORKERS= sqlstorm --workers 2": the flag decides, the empty
 * variable is not an error.  Without the flag it still is.
 */
START_TEST(test_config_env_empty_overridden_by_flag)
{
	static const char *const env[] = {
		"SQLSTORM_WORKERS=", "SQLSTORM_DURATION=", "SQLSTORM_KEEP=",
		"SQLSTORM_JOURNAL=", "SQLSTORM_DB=", "SQLSTORM_SEED=", NULL
	};
	static const char *const env_workers[] = { "SQLSTORM_WORKERS=",
	    NULL };
	struct config *cfg;
	struct parsed p;

	cfg = parse_ok(&p, env, "--workers", "2", "--duration=3s", "--keep",
	    "--journal=delete", "--db=x.db", "--seed=7", NULL);
	ck_assert_int_eq(cfg->workers, 2);
	ck_assert_int_eq(cfg->source[CONFIG_WORKERS], CONFIG_SRC_FLAG);
	ck_assert(cfg->duration_ns == 3 * NS_S);
	ck_assert_int_eq(cfg->keep, 1);
	ck_assert_int_eq(cfg->journal, CONFIG_JOURNAL_DELETE);
	ck_assert_str_eq(cfg->db, "x.db");
	ck_assert(cfg->seed == 7 && cfg->seed_set);
	config_free(&p.cfg);
	parse(&p, env_workers, NULL);
	expect_err(&p, "SQLSTORM_WORKERS: '' is not an integer from 1 to "
	    "1024");
	parse(&p, env_workers, "--print-config", NULL);
	expect_err_prefix(&p, "SQLSTORM_WORKERS: ");
	/* Each knob left to its empty variable is still judged. */
	parse(&p, env, "--workers", "2", "--duration=3s", "--keep",
	    "--journal=delete", "--db=x.db", NULL);
	expect_err(&p, "SQLSTORM_SEED: '' is not an integer from 0 to "
	    "9223372036854775807");
	parse(&p, env, "--workers", "2", NULL);
	expect_err_prefix(&p, "SQLSTORM_DURATION: '' is not a duration");
	/* --help and --version answer whatever the environment holds. */
	ck_assert_int_eq(parse_ok(&p, env_workers, "--help", NULL)->workers,
	    4);
	ck_assert_int_eq(p.action, CONFIG_HELP);
	config_free(&p.cfg);
}
END_TEST

START_TEST(test_config_env_null_warn_stream)
{
	static const char *const env[] = { "SQLSTORM_WORKRES=8", NULL };
	char *argv[] = { (char *)"sqlstorm", NULL };
	char err[CONFIG_ERR_MAX];
	enum config_action action;
	struct config cfg;

	config_defaults(&cfg);
	ck_assert_int_eq(config_parse(&cfg, 1, argv, (char **)env, &action,
	    NULL, err, sizeof(err)), 0);
	ck_assert_int_eq(config_parse(&cfg, 1, argv, NULL, &action,
	    NULL, err, sizeof(err)), 0);
	config_free(&cfg);
}
END_TEST

/* ------------------------------------------------------------ flags */

START_TEST(test_config_flags_every_knob)
{
	struct parsed p;
	struct config *c = parse_ok(&p, no_env,
	    "--duration", "90s", "--workers=16", "--interval", "5ms",
	    "--batch=100", "--validate-every", "0", "--grace=20s",
	    "--busy-timeout", "1h", "--db=/tmp/a b.db", "--keep",
	    "--journal", "TRUNCATE", "--sync=Extra", "--seed", "0",
	    "--late-errors=IGNORE", "--json", "out.json", "--junit=j.xml",
	    "--tap", "--quiet=true", "--fault", "validator:hang@deadline",
	    "--repeat", "1000000", "--until-fail", "--store-cmd=exec true",
	    "--restore-cmd", "cp {db} {output}", "--restore-timeout=100ms",
	    "--max-lag", "1h", "--coverage=report", "--verbose",
	    "--workload", "append", "--trace=/tmp/t.log",
	    "--churn", "keys=9,ops=2", "--maintain",
	    "vacuum@every 5s,incremental_vacuum=8@1s", "--page-size=512",
	    "--auto-vacuum", "incremental", "--store-warmup", "0",
	    "--nemesis", "pause:store=1s@every 2s", "--check=QUICK",
	    "--populate", "1GiB", "--plot", "t.svg", "--markdown=t.md",
	    "--crash-images", "1000", "--vfs=unix-excl",
	    "--load-extension=/x/v.so", NULL);
	int i;

	ck_assert(c->duration_ns == 90 * NS_S);
	ck_assert_int_eq(c->workers, 16);
	ck_assert(c->interval_ns == 5 * NS_MS);
	ck_assert_int_eq(c->batch, 100);
	ck_assert(c->validate_every_ns == 0);
	ck_assert(c->grace_ns == 20 * NS_S);
	ck_assert(c->busy_timeout_ns == NS_H);
	ck_assert_str_eq(c->db, "/tmp/a b.db");
	ck_assert_int_eq(c->keep, 1);
	ck_assert_int_eq(c->journal, CONFIG_JOURNAL_TRUNCATE);
	ck_assert_int_eq(c->sync, CONFIG_SYNC_EXTRA);
	ck_assert_int_eq(c->seed_set, 1);
	ck_assert_uint_eq(c->seed, 0);
	ck_assert_int_eq(c->late_errors, LATE_IGNORE);
	ck_assert_str_eq(c->json, "out.json");
	ck_assert_str_eq(c->junit, "j.xml");
	ck_assert_int_eq(c->tap, 1);
	ck_assert_int_eq(c->quiet, 1);
	ck_assert_str_eq(c->fault, "validator:hang@deadline");
	ck_assert_int_eq(c->repeat, 1000000);
	ck_assert_int_eq(c->repeat_set, 1);
	ck_assert_int_eq(c->until_fail, 1);
	ck_assert_str_eq(c->store_cmd, "exec true");
	ck_assert_str_eq(c->restore_cmd, "cp {db} {output}");
	ck_assert(c->restore_timeout_ns == 100 * NS_MS);
	ck_assert(c->max_lag_ns == NS_H);
	ck_assert_int_eq(c->coverage, CONFIG_COVERAGE_REPORT);
	ck_assert_int_eq(c->verbose, 1);
	ck_assert_str_eq(c->workload, "append");
	ck_assert_str_eq(c->trace, "/tmp/t.log");
	ck_assert_str_eq(c->churn, "keys=9,ops=2");
	ck_assert(c->store_warmup_ns == 0);
	ck_assert_str_eq(c->maintain, "vacuum@every 5s,incremental_vacuum=8@1s");
	ck_assert_int_eq(c->page_size, 512);
	ck_assert_int_eq(c->auto_vacuum, CONFIG_AUTO_VACUUM_INCREMENTAL);
	ck_assert_str_eq(c->nemesis, "pause:store=1s@every 2s");
	ck_assert_int_eq(c->check, CONFIG_CHECK_QUICK);
	ck_assert_str_eq(c->populate, "1GiB");
	ck_assert_str_eq(c->vfs, "unix-excl");
	ck_assert_str_eq(c->load_extension, "/x/v.so");
	ck_assert_str_eq(c->plot, "t.svg");
	ck_assert_str_eq(c->markdown, "t.md");
	ck_assert_int_eq(c->crash_images, 1000);
	/* Left out for the reasons in test_config_env_every_knob. */
	for (i = 0; i < CONFIG_NKEYS; i++)
		if (i != CONFIG_RATE && i != CONFIG_PATTERN &&
		    i != CONFIG_POWERLOSS)
			ck_assert_int_eq(c->source[i], CONFIG_SRC_FLAG);
	ck_assert_int_eq(p.action, CONFIG_RUN);
	config_free(c);
}
END_TEST

START_TEST(test_config_flags_override_env)
{
	static const char *const env[] = {
		"SQLSTORM_WORKERS=8", "SQLSTORM_DURATION=1m",
		"SQLSTORM_KEEP=yes", "SQLSTORM_JSON=env.json",
		"SQLSTORM_JOURNAL=off", NULL
	};
	struct parsed p;
	struct config *c = parse_ok(&p, env, "--workers", "2", "--keep=no",
	    "--json=flag.json", NULL);

	ck_assert_int_eq(c->workers, 2);
	ck_assert_int_eq(c->source[CONFIG_WORKERS], CONFIG_SRC_FLAG);
	ck_assert_int_eq(c->keep, 0);
	ck_assert_int_eq(c->source[CONFIG_KEEP], CONFIG_SRC_FLAG);
	ck_assert_str_eq(c->json, "flag.json");
	/* Not overridden: the environment's value stays. */
	ck_assert(c->duration_ns == 60 * NS_S);
	ck_assert_int_eq(c->source[CONFIG_DURATION], CONFIG_SRC_ENV);
	ck_assert_int_eq(c->journal, CONFIG_JOURNAL_OFF);
	ck_assert_int_eq(c->source[CONFIG_BATCH], CONFIG_SRC_DEFAULT);
	config_free(c);
}
END_TEST

START_TEST(test_config_flags_bad_flag_beats_good_env)
{
	static const char *const env[] = { "SQLSTORM_WORKERS=8", NULL };
	struct parsed p;

	parse(&p, env, "--workers=0", NULL);
	expect_err(&p, "--workers: '0' is not an integer from 1 to 1024");
}
END_TEST

START_TEST(test_config_flags_last_wins)
{
	struct parsed p;
	struct config *c = parse_ok(&p, no_env, "--db", "a.db", "--db=b.db",
	    "--workers", "3", "--workers=5", NULL);

	ck_assert_str_eq(c->db, "b.db");
	ck_assert_int_eq(c->workers, 5);
	config_free(c);
}
END_TEST

START_TEST(test_config_flags_booleans)
{
	static const char *const yes[] = { "yes", "YES", "true", "True", "1",
	    "on", "ON", NULL };
	static const char *const no[] = { "no", "No", "false", "FALSE", "0",
	    "off", "Off", NULL };
	char arg[64];
	struct parsed p;
	int i;

	for (i = 0; yes[i] != NULL; i++) {
		snprintf(arg, sizeof(arg), "--tap=%s", yes[i]);
		ck_assert_int_eq(parse_ok(&p, no_env, arg, NULL)->tap, 1);
	}
	for (i = 0; no[i] != NULL; i++) {
		snprintf(arg, sizeof(arg), "--tap=%s", no[i]);
		ck_assert_int_eq(parse_ok(&p, no_env, "--tap", arg, NULL)->tap,
		    0);
	}
	parse(&p, no_env, "--quiet=maybe", NULL);
	expect_err(&p, "--quiet: 'maybe' is not a boolean (yes, no, true, "
	    "false, 1, 0, on, off)");
	parse(&p, no_env, "--keep=", NULL);
	expect_err_prefix(&p, "--keep: '' is not a boolean");
}
END_TEST

START_TEST(test_config_flags_boolean_takes_no_next_word)
{
	struct parsed p;

	/* "--keep no" would be ambiguous next to "--keep --quiet". */
	parse(&p, no_env, "--keep", "no", NULL);
	expect_err(&p, "unexpected argument 'no' (a boolean takes its value "
	    "as --keep=VALUE)");
	ck_assert_int_eq(parse_ok(&p, no_env, "--keep", "--quiet",
	    NULL)->quiet, 1);
}
END_TEST

START_TEST(test_config_flags_missing_value)
{
	struct parsed p;

	parse(&p, no_env, "--workers", NULL);
	expect_err(&p, "--workers: missing value (an integer from 1 to "
	    "1024)");
	parse(&p, no_env, "--quiet", "--duration", NULL);
	expect_err(&p, "--duration: missing value (a duration from 1ms to "
	    "168h (units: ns, us, ms, s, m, h))");
	parse(&p, no_env, "--db", NULL);
	expect_err_prefix(&p, "--db: missing value");
}
END_TEST

START_TEST(test_config_flags_unknown)
{
	struct parsed p;

	parse(&p, no_env, "--wrokers", "3", NULL);
	expect_err(&p, "unknown option '--wrokers' (did you mean "
	    "--workers?)");
	parse(&p, no_env, "--validate_every=1s", NULL);
	expect_err(&p, "unknown option '--validate_every=1s' (did you mean "
	    "--validate-every?)");
	parse(&p, no_env, "-workers", "3", NULL);
	expect_err(&p, "unknown option '-workers' (did you mean "
	    "--workers?)");
	parse(&p, no_env, "--frobnicate", NULL);
	expect_err(&p, "unknown option '--frobnicate' (see --help)");
	parse(&p, no_env, "-x", NULL);
	expect_err(&p, "unknown option '-x' (see --help)");
	parse(&p, no_env, "--=3", NULL);
	expect_err_prefix(&p, "unknown option '--=3'");
}
END_TEST

START_TEST(test_config_flags_positional)
{
	struct parsed p;

	parse(&p, no_env, "run", NULL);
	expect_err(&p, "unexpected argument 'run' (sqlstorm takes options "
	    "only; see --help)");
	parse(&p, no_env, "-", NULL);
	expect_err_prefix(&p, "unexpected argument '-'");
	parse(&p, no_env, "--", "--workers=2", NULL);
	expect_err_prefix(&p, "unexpected argument '--workers=2'");
	/* "--" alone at the end is harmless. */
	ck_assert_int_eq(parse_ok(&p, no_env, "--workers=2", "--",
	    NULL)->workers, 2);
}
END_TEST

START_TEST(test_config_flags_actions)
{
	static const char *const bad_env[] = { "SQLSTORM_BATCH=0", NULL };
	struct parsed p;

	parse_ok(&p, no_env, "--help", NULL);
	ck_assert_int_eq(p.action, CONFIG_HELP);
	parse_ok(&p, no_env, "--workers=2", "-h", NULL);
	ck_assert_int_eq(p.action, CONFIG_HELP);
	parse_ok(&p, no_env, "-V", NULL);
	ck_assert_int_eq(p.action, CONFIG_VERSION);
	parse_ok(&p, no_env, "--version", "--bogus", NULL);
	ck_assert_int_eq(p.action, CONFIG_VERSION);
	parse_ok(&p, no_env, "--print-config", "--workers", "9", NULL);
	ck_assert_int_eq(p.action, CONFIG_PRINT);
	ck_assert_int_eq(p.cfg.workers, 9);
	/* Flags before --help are still checked, as is the environment. */
	parse(&p, no_env, "--bogus", "--help", NULL);
	expect_err_prefix(&p, "unknown option '--bogus'");
	parse(&p, bad_env, "--help", NULL);
	expect_err_prefix(&p, "SQLSTORM_BATCH: '0'");
	parse(&p, no_env, "--help=yes", NULL);
	expect_err_prefix(&p, "unknown option '--help=yes'");
}
END_TEST

/* ------------------------------------------------------------ durations */

START_TEST(test_config_durations_knob_errors)
{
	struct parsed p;

	parse(&p, no_env, "--duration", "-1s", NULL);
	expect_err(&p, "--duration: '-1s' is not a duration from 1ms to 168h "
	    "(units: ns, us, ms, s, m, h)");
	parse(&p, no_env, "--interval=10sx", NULL);
	expect_err(&p, "--interval: '10sx' is not a duration from 0 to 1h "
	    "(units: ns, us, ms, s, m, h)");
	parse(&p, no_env, "--validate-every=1.5s", NULL);
	expect_err_prefix(&p, "--validate-every: '1.5s' is not a duration");
	parse(&p, no_env, "--busy-timeout", "99999999999999h", NULL);
	expect_err_prefix(&p, "--busy-timeout: '99999999999999h' is not a "
	    "duration");
	parse(&p, no_env, "--grace=", NULL);
	expect_err_prefix(&p, "--grace: '' is not a duration");
}
END_TEST

/* ------------------------------------------------------------ limits */

/* One boundary pair: value ok is accepted, value bad is rejected. */
static void
pair(const char *flag, const char *ok, const char *bad)
{
	char arg[128], prefix[128];
	struct parsed p;

	snprintf(arg, sizeof(arg), "--%s=%s", flag, ok);
	parse_ok(&p, no_env, arg, NULL);
	config_free(&p.cfg);
	snprintf(arg, sizeof(arg), "--%s=%s", flag, bad);
	parse(&p, no_env, arg, NULL);
	snprintf(prefix, sizeof(prefix), "--%s: '%s' is not ", flag, bad);
	expect_err_prefix(&p, prefix);
}

START_TEST(test_config_limits_boundary_pairs)
{
	pair("workers", "1024", "1025");
	pair("workers", "1", "0");
	pair("batch", "100000", "100001");
	pair("batch", "1", "0");
	pair("duration", "168h", "604800000000001ns");
	pair("duration", "1ms", "999999ns");
	pair("duration", "1ms", "0ms");
	pair("duration", "1ms", "0");
	pair("interval", "1h", "3600000000001ns");
	pair("interval", "0", "61m");
	pair("validate-every", "60m", "3601s");
	pair("grace", "3600s", "3600000000001ns");
	pair("grace", "100ms", "99ms");
	pair("grace", "100000us", "99999999ns");
	pair("grace", "1s", "0");
	pair("repeat", "1000000", "1000001");
	pair("repeat", "1", "0");
	pair("restore-timeout", "100ms", "99ms");
	pair("restore-timeout", "1h", "3600000000001ns");
	pair("max-lag", "1h", "3600000000001ns");
	pair("max-lag", "0", "-1ms");
	pair("store-warmup", "1h", "61m");
	pair("busy-timeout", "3600000ms", "3600001ms");
	pair("seed", "9223372036854775807", "9223372036854775808");
	pair("seed", "0", "-1");
}
END_TEST

START_TEST(test_config_limits_integers_strict)
{
	static const char *const bad[] = {
		"", "abc", "+4", "-4", " 4", "4 ", "4x", "0x10", "4.0", "1e3",
		"99999999999999999999999",
	};
	char arg[64];
	struct parsed p;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(arg, sizeof(arg), "--workers=%s", bad[i]);
		parse(&p, no_env, arg, NULL);
		expect_err_prefix(&p, "--workers: '");
	}
	ck_assert_int_eq(parse_ok(&p, no_env, "--workers=0004",
	    NULL)->workers, 4);
	parse(&p, no_env, "--seed", "18446744073709551616", NULL);
	expect_err(&p, "--seed: '18446744073709551616' is not an integer "
	    "from 0 to 9223372036854775807");
}
END_TEST

START_TEST(test_config_limits_empty_strings)
{
	static const char *const env_json[] = { "SQLSTORM_JSON=", NULL };
	static const char *const env_fault[] = { "SQLSTORM_FAULT=", NULL };
	struct parsed p;

	parse(&p, no_env, "--db", "", NULL);
	expect_err(&p, "--db: the path must not be empty");
	parse(&p, no_env, "--junit=", NULL);
	expect_err(&p, "--junit: the path must not be empty");
	parse(&p, no_env, "--vfs=", NULL);
	expect_err(&p, "--vfs: the VFS name must not be empty");
	parse(&p, no_env, "--load-extension", "", NULL);
	expect_err(&p, "--load-extension: the path must not be empty");
	parse(&p, env_json, NULL);
	expect_err(&p, "SQLSTORM_JSON: the path must not be empty");
	parse(&p, no_env, "--workers", "", NULL);
	expect_err(&p, "--workers: '' is not an integer from 1 to 1024");
	parse(&p, no_env, "--journal=", NULL);
	expect_err_prefix(&p, "--journal: '' is not one of");
	/* An empty fault spec means "no faults" (fault.h), and can cancel
	 * one set in the environment. */
	ck_assert_ptr_null(parse_ok(&p, env_fault, NULL)->fault);
	ck_assert_ptr_null(parse_ok(&p, no_env, "--fault=", NULL)->fault);
}
END_TEST

START_TEST(test_config_limits_long_value_truncated)
{
	char arg[600];
	struct parsed p;

	memset(arg, '9', sizeof(arg));
	memcpy(arg, "--workers=", 10);
	arg[sizeof(arg) - 1] = '\0';
	parse(&p, no_env, arg, NULL);
	expect_err_prefix(&p, "--workers: '999");
	ck_assert_ptr_nonnull(strstr(p.err, "...' is not an integer from 1 "
	    "to 1024"));
}
END_TEST

/* ------------------------------------------------------------ enums */

START_TEST(test_config_enums_case_insensitive)
{
	struct parsed p;

	ck_assert_int_eq(parse_ok(&p, no_env, "--journal=WAL",
	    NULL)->journal, CONFIG_JOURNAL_WAL);
	ck_assert_int_eq(parse_ok(&p, no_env, "--journal", "Persist",
	    NULL)->journal, CONFIG_JOURNAL_PERSIST);
	ck_assert_int_eq(parse_ok(&p, no_env, "--journal=memory",
	    NULL)->journal, CONFIG_JOURNAL_MEMORY);
	ck_assert_int_eq(parse_ok(&p, no_env, "--sync=OFF", NULL)->sync,
	    CONFIG_SYNC_OFF);
	ck_assert_int_eq(parse_ok(&p, no_env, "--sync=nOrMaL", NULL)->sync,
	    CONFIG_SYNC_NORMAL);
	ck_assert_int_eq(parse_ok(&p, no_env, "--late-errors=Strict",
	    NULL)->late_errors, LATE_STRICT);
}
END_TEST

START_TEST(test_config_enums_errors)
{
	struct parsed p;

	parse(&p, no_env, "--journal=wall", NULL);
	expect_err(&p, "--journal: 'wall' is not one of wal, delete, "
	    "truncate, persist, memory, off");
	parse(&p, no_env, "--sync", "fullx", NULL);
	expect_err(&p, "--sync: 'fullx' is not one of off, normal, full, "
	    "extra");
	parse(&p, no_env, "--late-errors=lenient", NULL);
	expect_err(&p, "--late-errors: 'lenient' is not one of strict, "
	    "ignore");
}
END_TEST

START_TEST(test_config_enums_names)
{
	ck_assert_str_eq(config_journal_name(CONFIG_JOURNAL_WAL), "wal");
	ck_assert_str_eq(config_journal_name(CONFIG_JOURNAL_DELETE),
	    "delete");
	ck_assert_str_eq(config_journal_name(CONFIG_JOURNAL_TRUNCATE),
	    "truncate");
	ck_assert_str_eq(config_journal_name(CONFIG_JOURNAL_PERSIST),
	    "persist");
	ck_assert_str_eq(config_journal_name(CONFIG_JOURNAL_MEMORY),
	    "memory");
	ck_assert_str_eq(config_journal_name(CONFIG_JOURNAL_OFF), "off");
	ck_assert_str_eq(config_sync_name(CONFIG_SYNC_OFF), "off");
	ck_assert_str_eq(config_sync_name(CONFIG_SYNC_NORMAL), "normal");
	ck_assert_str_eq(config_sync_name(CONFIG_SYNC_FULL), "full");
	ck_assert_str_eq(config_sync_name(CONFIG_SYNC_EXTRA), "extra");
	ck_assert_str_eq(config_late_name(LATE_STRICT), "strict");
	ck_assert_str_eq(config_late_name(LATE_IGNORE), "ignore");
	ck_assert_str_eq(config_sync_name((enum config_sync)42), "?");
}
END_TEST

/* ------------------------------------------------------------ fault */

START_TEST(test_config_fault_validated_after_layers)
{
	static const char *const env[] = { "SQLSTORM_FAULT=w5:crash@1s",
	    NULL };
	struct parsed p;

	/* w5 needs six workers: the flag layer decides, not the order. */
	parse(&p, env, NULL);
	expect_err_prefix(&p, "SQLSTORM_FAULT: ");
	ck_assert_str_eq(parse_ok(&p, env, "--workers=6", NULL)->fault,
	    "w5:crash@1s");
	config_free(&p.cfg);
	parse(&p, no_env, "--fault", "w0:explode@1s", NULL);
	expect_err_prefix(&p, "--fault: ");
	parse(&p, no_env, "--fault=w0:crash@1s", "--workers=1", NULL);
	ck_assert_int_eq(p.rc, 0);
	config_free(&p.cfg);
	/* --print-config shows a configuration that would run. */
	parse(&p, no_env, "--fault=w9:crash@1s", "--print-config", NULL);
	expect_err_prefix(&p, "--fault: ");
}
END_TEST

/*
 * A fault must be due before deadline + grace, when the parent SIGTERMs
 * every child still alive: boundary pairs, from the start and from the
 * deadline, with the grace and duration taken after all layers.
 */
START_TEST(test_config_fault_after_grace_refused)
{
	static const char *const env[] = {
		"SQLSTORM_FAULT=w0:crash@deadline+5s", NULL
	};
	struct parsed p;

	parse(&p, no_env, "--duration=1s", "--grace=1s",
	    "--fault=w0:crash@5s", NULL);
	expect_err(&p, "--fault: fault 'w0:crash@5s' is due 5s after the "
	    "start, not before deadline + grace (2s), when every child is "
	    "stopped: it could never happen");
	/* The bound itself is refused: the fault would race the SIGTERM. */
	parse(&p, no_env, "--duration=1s", "--grace=1s",
	    "--fault=w0:crash@2s", NULL);
	expect_err_prefix(&p, "--fault: fault 'w0:crash@2s' is due 2s ");
	parse_ok(&p, no_env, "--duration=1s", "--grace=1s",
	    "--fault=w0:crash@1999ms", NULL);
	config_free(&p.cfg);
	parse(&p, no_env, "--duration=1s", "--grace=1s",
	    "--fault=w1:crash@500ms,w0:error=BUSY@deadline+1s", NULL);
	expect_err_prefix(&p, "--fault: fault 'w0:error=BUSY@deadline+1s' "
	    "is due 2s after the start");
	parse_ok(&p, no_env, "--duration=1s", "--grace=1s",
	    "--fault=w0:error=BUSY@deadline+999ms", NULL);
	config_free(&p.cfg);
	/* Default grace 10s: deadline+5s can happen, deadline+10s cannot. */
	parse_ok(&p, env, NULL);
	config_free(&p.cfg);
	parse(&p, env, "--grace=5s", NULL);
	expect_err_prefix(&p, "SQLSTORM_FAULT: fault 'w0:crash@deadline+5s' "
	    "is due 15s after the start, not before deadline + grace (15s)");
	parse(&p, no_env, "--fault=validator:hang@deadline+10s", NULL);
	expect_err_prefix(&p, "--fault: fault 'validator:hang@deadline+10s'");
	/* Past what the clock holds: still one line, still refused. */
	parse(&p, no_env, "--fault=w0:crash@deadline+2562047h", NULL);
	expect_err_prefix(&p, "--fault: fault 'w0:crash@deadline+2562047h' "
	    "is due ");
	/* Before the start: it would fire at once, stamped before the run. */
	parse(&p, no_env, "--duration=1s",
	    "--fault=w0:error=BUSY@deadline-5s", NULL);
	expect_err(&p, "--fault: fault 'w0:error=BUSY@deadline-5s' is due 4s "
	    "before the start: it could never happen");
	parse_ok(&p, no_env, "--duration=1s",
	    "--fault=w0:error=BUSY@deadline-1s", NULL);
	config_free(&p.cfg);
	/* --print-config shows a configuration that would run. */
	parse(&p, no_env, "--duration=1s", "--fault=w0:crash@1m",
	    "--print-config", NULL);
	expect_err_prefix(&p, "--fault: fault 'w0:crash@1m' is due 1m ");
}
END_TEST

/* ------------------------------------------------------------ reports */

START_TEST(test_config_reports_same_path_refused)
{
	static const char *const env[] = { "SQLSTORM_JSON=r.xml", NULL };
	struct parsed p;

	parse(&p, no_env, "--json", "out/r", "--junit", "out/r", NULL);
	expect_err(&p, "--junit: 'out/r' is also the --json report; each "
	    "report needs a file of its own");
	parse(&p, env, "--junit=r.xml", NULL);
	expect_err(&p, "--junit: 'r.xml' is also the SQLSTORM_JSON report; "
	    "each report needs a file of its own");
	parse(&p, env, "--junit=r.xml", "--print-config", NULL);
	expect_err_prefix(&p, "--junit: 'r.xml' is also");
	/* A flag that moves one of them away settles it. */
	parse_ok(&p, env, "--junit=r.xml", "--json=r.json", NULL);
	config_free(&p.cfg);
	parse_ok(&p, no_env, "--json=r", "--junit=r.xml", NULL);
	config_free(&p.cfg);
}
END_TEST

START_TEST(test_config_reports_who_named_them)
{
	static const char *const env[] = { "SQLSTORM_JSON=a.json",
	    "SQLSTORM_JUNIT=b.xml", NULL };
	struct parsed p;
	struct config *c;
	char who[64];

	c = parse_ok(&p, env, "--junit=c.xml", NULL);
	config_who(c, CONFIG_JSON, who, sizeof(who));
	ck_assert_str_eq(who, "SQLSTORM_JSON");
	config_who(c, CONFIG_JUNIT, who, sizeof(who));
	ck_assert_str_eq(who, "--junit");
	/* A default is named by its flag, as the user would set it. */
	config_who(c, CONFIG_VALIDATE_EVERY, who, sizeof(who));
	ck_assert_str_eq(who, "--validate-every");
	config_free(c);
}
END_TEST

/* ------------------------------------------------------------ output */

/* Read everything written to fp since it was created. */
static char *
slurp(FILE *fp)
{
	long len;
	char *s;

	fflush(fp);
	len = ftell(fp);
	ck_assert_int_ge(len, 0);
	s = malloc((size_t)len + 1);
	ck_assert_ptr_nonnull(s);
	rewind(fp);
	ck_assert_uint_eq(fread(s, 1, (size_t)len, fp), (size_t)len);
	s[len] = '\0';
	return s;
}

START_TEST(test_config_output_usage)
{
	static const char *const want[] = {
		"--duration DURATION", "SQLSTORM_DURATION (default: 10s)",
		"--workers N", "SQLSTORM_WORKERS (default: 4)",
		"--interval DURATION", "SQLSTORM_INTERVAL (default: 10ms)",
		"--batch N", "SQLSTORM_BATCH (default: 1)",
		"--validate-every DURATION",
		"SQLSTORM_VALIDATE_EVERY (default: 500ms)",
		"--grace DURATION", "SQLSTORM_GRACE (default: 10s)",
		"--busy-timeout DURATION", "SQLSTORM_BUSY_TIMEOUT (default: 5s)",
		"--db PATH", "SQLSTORM_DB (default: temporary directory)",
		"--keep ", "SQLSTORM_KEEP (default: no)",
		"--journal MODE", "SQLSTORM_JOURNAL (default: wal)",
		"--sync LEVEL", "SQLSTORM_SYNC (default: normal)",
		"--seed N", "SQLSTORM_SEED (default: random)",
		"--late-errors POLICY", "SQLSTORM_LATE_ERRORS (default: strict)",
		"--json FILE", "SQLSTORM_JSON (default: none)",
		"--junit FILE", "SQLSTORM_JUNIT (default: none)",
		"--tap ", "SQLSTORM_TAP (default: no)",
		"--quiet ", "SQLSTORM_QUIET (default: no)",
		"--fault SPEC", "SQLSTORM_FAULT (default: none)",
		"--repeat N", "SQLSTORM_REPEAT (default: 1)",
		"--until-fail ", "SQLSTORM_UNTIL_FAIL (default: no)",
		"--store-cmd CMD", "SQLSTORM_STORE_CMD (default: none)",
		"--restore-cmd CMD", "SQLSTORM_RESTORE_CMD (default: none)",
		"--restore-timeout DURATION",
		"SQLSTORM_RESTORE_TIMEOUT (default: 1m)",
		"--max-lag DURATION", "SQLSTORM_MAX_LAG (default: 0)",
		"--store-warmup DURATION", "SQLSTORM_STORE_WARMUP (default: 5s)",
		"--workload NAME", "SQLSTORM_WORKLOAD (default: append)",
		"--trace FILE", "SQLSTORM_TRACE (default: none)", "[append|churn]",
		"[1..1000000]", "[100ms..1h]", "{db}", "{output}",
		"--help", "--version", "--print-config",
		"Exit status: 0 pass, 1 fail or interrupted, 99 hard error",
		"CHILD:ACTION[/deferred]@TIME", "deadline-50ms", "droprow",
		"[1..1024]", "[1ms..168h]", "[0..1h]", "[1..100000]",
		"[0..9223372036854775807]",
		"[wal|delete|truncate|persist|memory|off]",
		"[off|normal|full|extra]", "[strict|ignore]",
	};
	FILE *fp = tmpfile();
	char *out, *line, *next;
	size_t i;

	ck_assert_ptr_nonnull(fp);
	config_usage(fp);
	out = slurp(fp);
	/* Only codes sqlstorm returns: 77 is the test scripts' skip. */
	line = strstr(out, "Exit status:");
	ck_assert_ptr_nonnull(line);
	ck_assert_ptr_null(strstr(line, "77"));
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		ck_assert_msg(strstr(out, want[i]) != NULL, "missing '%s'",
		    want[i]);
	/* It must read well in an 80-column terminal. */
	for (line = out; *line != '\0'; line = next + 1) {
		next = strchr(line, '\n');
		ck_assert_ptr_nonnull(next);
		ck_assert_msg(next - line <= 79, "too long: %.*s",
		    (int)(next - line), line);
	}
	free(out);
	fclose(fp);
}
END_TEST

START_TEST(test_config_output_print)
{
	static const char *const env[] = { "SQLSTORM_WORKERS=8", NULL };
	struct parsed p;
	FILE *fp = tmpfile();
	char *out;

	ck_assert_ptr_nonnull(fp);
	config_print(parse_ok(&p, env, "--duration=90s", "--db=x.db", NULL),
	    fp);
	out = slurp(fp);
	ck_assert_str_eq(out,
	    "duration         90s                      flag\n"
	    "workload         append                   default\n"
	    "churn            built-in                 default\n"
	    "maintain         none                     default\n"
	    "page-size        SQLite's                 default\n"
	    "auto-vacuum      SQLite's                 default\n"
	    "workers          8                        env\n"
	    "interval         10ms                     default\n"
	    "batch            1                        default\n"
	    "rate             0                        default\n"
	    "pattern          constant                 default\n"
	    "validate-every   500ms                    default\n"
	    "check            full                     default\n"
	    "grace            10s                      default\n"
	    "busy-timeout     5s                       default\n"
	    "db               x.db                     flag\n"
	    "vfs              SQLite's                 default\n"
	    "load-extension   none                     default\n"
	    "populate         0                        default\n"
	    "keep             no                       default\n"
	    "journal          wal                      default\n"
	    "sync             normal                   default\n"
	    "seed             random                   default\n"
	    "late-errors      strict                   default\n"
	    "json             none                     default\n"
	    "junit            none                     default\n"
	    "plot             none                     default\n"
	    "markdown         none                     default\n"
	    "tap              no                       default\n"
	    "quiet            no                       default\n"
	    "fault            none                     default\n"
	    "nemesis          none                     default\n"
	    "repeat           1                        default\n"
	    "until-fail       no                       default\n"
	    "store-cmd        none                     default\n"
	    "restore-cmd      none                     default\n"
	    "restore-timeout  1m                       default\n"
	    "max-lag          0                        default\n"
	    "store-warmup     5s                       default\n"
	    "coverage         strict                   default\n"
	    "verbose          no                       default\n"
	    "trace            none                     default\n"
	    "powerloss        none                     default\n"
	    "crash-images     5                        default\n");
	free(out);
	fclose(fp);
	config_free(&p.cfg);
}
END_TEST

START_TEST(test_config_output_repro)
{
	static const char *const env[] = { "SQLSTORM_BATCH=10", NULL };
	struct parsed p;
	char buf[512];
	struct config *c;

	c = parse_ok(&p, no_env, NULL);
	ck_assert_int_eq(config_repro(c, "sqlstorm", buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "sqlstorm");
	config_free(c);

	/* The environment's values become flags; defaults are left out. */
	c = parse_ok(&p, env, "--workers=4", "--duration=1500ms",
	    "--seed=7", "--keep", "--db=/tmp/it's here", "--journal=DELETE",
	    "--fault=w0:crash@deadline-50ms", NULL);
	ck_assert_int_eq(config_repro(c, "./src/sqlstorm", buf, sizeof(buf)),
	    0);
	ck_assert_str_eq(buf, "./src/sqlstorm --duration 1500ms --batch 10 "
	    "--db '/tmp/it'\\''s here' --keep --journal delete --seed 7 "
	    "--fault w0:crash@deadline-50ms");
	config_free(c);
}
END_TEST

START_TEST(test_config_output_repro_quoting)
{
	struct parsed p;
	char buf[512];
	struct config *c;

	c = parse_ok(&p, no_env, "--json=a b.json", "--junit=$HOME/x;y",
	    "--tap=no", NULL);
	ck_assert_int_eq(config_repro(c, "my prog", buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "'my prog' --json 'a b.json' --junit "
	    "'$HOME/x;y'");
	config_free(c);
}
END_TEST

START_TEST(test_config_output_repro_too_small)
{
	struct parsed p;
	char buf[64];
	struct config *c = parse_ok(&p, no_env, "--seed=123", NULL);
	const char *want = "sqlstorm --seed 123";
	size_t need = strlen(want) + 1;

	/* Fits exactly / one byte short fails (and leaves an empty string). */
	ck_assert_int_eq(config_repro(c, "sqlstorm", buf, need), 0);
	ck_assert_str_eq(buf, want);
	ck_assert_int_eq(config_repro(c, "sqlstorm", buf, need - 1), -1);
	ck_assert_str_eq(buf, "");
	ck_assert_int_eq(config_repro(c, "sqlstorm", buf, 0), -1);
	config_free(c);
}
END_TEST

/* ------------------------------------------------------------ repeat */

START_TEST(test_config_repeat_env_flag_precedence)
{
	static const char *const env[] = {
		"SQLSTORM_REPEAT=5", "SQLSTORM_UNTIL_FAIL=on", NULL
	};
	struct parsed p;
	struct config *c;

	c = parse_ok(&p, env, NULL);
	ck_assert_int_eq(c->repeat, 5);
	ck_assert_int_eq(c->repeat_set, 1);
	ck_assert_int_eq(c->until_fail, 1);
	ck_assert_int_eq(c->source[CONFIG_REPEAT], CONFIG_SRC_ENV);
	ck_assert_int_eq(c->source[CONFIG_UNTIL_FAIL], CONFIG_SRC_ENV);
	config_free(c);

	c = parse_ok(&p, env, "--repeat=7", "--until-fail=no", NULL);
	ck_assert_int_eq(c->repeat, 7);
	ck_assert_int_eq(c->until_fail, 0);
	ck_assert_int_eq(c->source[CONFIG_REPEAT], CONFIG_SRC_FLAG);
	ck_assert_int_eq(c->source[CONFIG_UNTIL_FAIL], CONFIG_SRC_FLAG);
	config_free(c);
}
END_TEST

START_TEST(test_config_repeat_until_fail_cap)
{
	struct parsed p;
	struct config *c;

	/* Without --repeat there is no cap: repeat_set says so. */
	c = parse_ok(&p, no_env, "--until-fail", NULL);
	ck_assert_int_eq(c->until_fail, 1);
	ck_assert_int_eq(c->repeat, 1);
	ck_assert_int_eq(c->repeat_set, 0);
	config_free(c);
	/* --repeat 1 is a cap of one run, not "unset". */
	c = parse_ok(&p, no_env, "--until-fail", "--repeat", "1", NULL);
	ck_assert_int_eq(c->repeat, 1);
	ck_assert_int_eq(c->repeat_set, 1);
	config_free(c);
}
END_TEST

START_TEST(test_config_repeat_errors)
{
	static const char *const env[] = { "SQLSTORM_REPEAT=1000001", NULL };
	static const char *const env2[] = { "SQLSTORM_UNTIL_FAIL=maybe",
	    NULL };
	struct parsed p;

	parse(&p, no_env, "--repeat", "0", NULL);
	expect_err(&p, "--repeat: '0' is not an integer from 1 to 1000000");
	parse(&p, no_env, "--repeat=1e3", NULL);
	expect_err(&p, "--repeat: '1e3' is not an integer from 1 to 1000000");
	parse(&p, env, NULL);
	expect_err(&p, "SQLSTORM_REPEAT: '1000001' is not an integer from 1 "
	    "to 1000000");
	parse(&p, env2, NULL);
	expect_err_prefix(&p, "SQLSTORM_UNTIL_FAIL: 'maybe' is not a "
	    "boolean");
	parse(&p, no_env, "--repeat", NULL);
	expect_err(&p, "--repeat: missing value (an integer from 1 to "
	    "1000000)");
}
END_TEST

/* ------------------------------------------------------------ restore */

START_TEST(test_config_restore_timing_env_flag_precedence)
{
	static const char *const env[] = {
		"SQLSTORM_RESTORE_TIMEOUT=2m", "SQLSTORM_MAX_LAG=1s", NULL
	};
	struct parsed p;
	struct config *c;

	c = parse_ok(&p, env, NULL);
	ck_assert(c->restore_timeout_ns == 120 * NS_S);
	ck_assert(c->max_lag_ns == NS_S);
	ck_assert_int_eq(c->source[CONFIG_RESTORE_TIMEOUT], CONFIG_SRC_ENV);
	ck_assert_int_eq(c->source[CONFIG_MAX_LAG], CONFIG_SRC_ENV);
	config_free(c);

	c = parse_ok(&p, env, "--max-lag", "0", NULL);
	ck_assert(c->restore_timeout_ns == 120 * NS_S);
	ck_assert(c->max_lag_ns == 0);
	ck_assert_int_eq(c->source[CONFIG_RESTORE_TIMEOUT], CONFIG_SRC_ENV);
	ck_assert_int_eq(c->source[CONFIG_MAX_LAG], CONFIG_SRC_FLAG);
	config_free(c);
}
END_TEST

START_TEST(test_config_restore_timing_errors)
{
	static const char *const env[] = {
		"SQLSTORM_MAX_LAG=3600000000001ns", NULL
	};
	struct parsed p;

	parse(&p, no_env, "--restore-timeout=99ms", NULL);
	expect_err(&p, "--restore-timeout: '99ms' is not a duration from "
	    "100ms to 1h (units: ns, us, ms, s, m, h)");
	parse(&p, no_env, "--restore-timeout=0", NULL);
	expect_err_prefix(&p, "--restore-timeout: '0' is not a duration");
	parse(&p, env, NULL);
	expect_err(&p, "SQLSTORM_MAX_LAG: '3600000000001ns' is not a "
	    "duration from 0 to 1h (units: ns, us, ms, s, m, h)");
}
END_TEST

/* ------------------------------------------------------------ commands */

/* A PATH where no program is found: only builtins and paths can run. */
static const char *const empty_path_env[] = { "PATH=/nonexistent", NULL };

/* shellcmd_check() on cmd with envp; returns its result, err kept. */
static int
check_cmd(const char *cmd, const char *const *envp, char *err,
    size_t errlen)
{
	strcpy(err, "(untouched)");
	return shellcmd_check(cmd, (char **)envp, err, errlen);
}

START_TEST(test_config_commands_env_flag_precedence)
{
	static const char *const env[] = {
		"PATH=/usr/bin:/bin", "SQLSTORM_STORE_CMD=cat {db}",
		"SQLSTORM_RESTORE_CMD=cp {db} {output}", NULL
	};
	struct parsed p;
	struct config *c;

	c = parse_ok(&p, env, NULL);
	ck_assert_str_eq(c->store_cmd, "cat {db}");
	ck_assert_str_eq(c->restore_cmd, "cp {db} {output}");
	ck_assert_int_eq(c->source[CONFIG_STORE_CMD], CONFIG_SRC_ENV);
	ck_assert_int_eq(c->source[CONFIG_RESTORE_CMD], CONFIG_SRC_ENV);
	config_free(c);

	c = parse_ok(&p, env, "--store-cmd", "exec true", "--restore-cmd",
	    "cp -p {db} {output}", NULL);
	ck_assert_str_eq(c->store_cmd, "exec true");
	ck_assert_str_eq(c->restore_cmd, "cp -p {db} {output}");
	ck_assert_int_eq(c->source[CONFIG_STORE_CMD], CONFIG_SRC_FLAG);
	ck_assert_int_eq(c->source[CONFIG_RESTORE_CMD], CONFIG_SRC_FLAG);
	config_free(c);
	ck_assert_ptr_null(c->store_cmd);
	ck_assert_ptr_null(c->restore_cmd);
}
END_TEST

START_TEST(test_config_commands_empty)
{
	static const char *const env_empty[] = {
		"SQLSTORM_STORE_CMD=", "SQLSTORM_RESTORE_CMD=", NULL
	};
	static const char *const env_blank[] = {
		"SQLSTORM_STORE_CMD= \t ", NULL
	};
	struct parsed p;
	struct config *c;
	char err[CONFIG_ERR_MAX];

	/* An empty variable reads as unset, as SQLSTORM_FAULT= does. */
	c = parse_ok(&p, env_empty, NULL);
	ck_assert_ptr_null(c->store_cmd);
	ck_assert_ptr_null(c->restore_cmd);
	ck_assert_int_eq(c->source[CONFIG_STORE_CMD], CONFIG_SRC_DEFAULT);
	ck_assert_int_eq(c->source[CONFIG_RESTORE_CMD], CONFIG_SRC_DEFAULT);
	config_free(c);
	/* An explicit empty flag is a mistake, not a way to unset. */
	parse(&p, no_env, "--store-cmd", "", NULL);
	expect_err(&p, "--store-cmd: the command must not be empty");
	parse(&p, no_env, "--restore-cmd= \t\n", NULL);
	expect_err(&p, "--restore-cmd: the command must not be empty");
	parse(&p, env_blank, NULL);
	expect_err(&p, "SQLSTORM_STORE_CMD: the command must not be empty");
	parse(&p, no_env, "--store-cmd", NULL);
	expect_err(&p, "--store-cmd: missing value (a shell command)");
	/* The function says the same, without a flag name. */
	ck_assert_int_eq(check_cmd("", empty_path_env, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "the command must not be empty");
	ck_assert_int_eq(check_cmd(" \t", NULL, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "the command must not be empty");
	ck_assert_int_eq(check_cmd(NULL, NULL, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "the command must not be empty");
}
END_TEST

START_TEST(test_config_commands_restore_needs_output)
{
	static const char *const env[] = {
		"SQLSTORM_RESTORE_CMD=cp {db} x", NULL
	};
	struct parsed p;

	parse(&p, no_env, "--restore-cmd", "cp {db} x", NULL);
	expect_err(&p, "--restore-cmd: 'cp {db} x' has no {output} "
	    "placeholder (the validator needs to know where the copy goes)");
	parse(&p, env, NULL);
	expect_err_prefix(&p, "SQLSTORM_RESTORE_CMD: 'cp {db} x' has no "
	    "{output} placeholder");
	/* ${output} is the shell's variable, not the placeholder. */
	parse(&p, no_env, "--restore-cmd", "cp {db} ${output}", NULL);
	expect_err_prefix(&p, "--restore-cmd: 'cp {db} ${output}' has no "
	    "{output}");
	/* {db} is optional (a restore may read its own replica), and a
	 * store command needs no {output}. */
	parse_ok(&p, no_env, "--restore-cmd=cp /x {output}",
	    "--store-cmd=cat {db}", NULL);
	config_free(&p.cfg);
}
END_TEST

START_TEST(test_config_commands_unknown_placeholder)
{
	static const char *const ok[] = {
		"cat ${HOME} {db}", "find . -name x -exec true {} ;",
		"awk '{ print }' {db}", "echo {db}{output}", "echo {db} {",
		"echo {1x}", "echo {a-b}", "echo ${db} {db}",
	};
	struct parsed p;
	char err[CONFIG_ERR_MAX];
	size_t i;

	parse(&p, no_env, "--store-cmd", "cat {out}", NULL);
	expect_err(&p, "--store-cmd: unknown placeholder {out} (the "
	    "placeholders are {db} and {output})");
	parse(&p, no_env, "--restore-cmd", "cp {DB} {output}", NULL);
	expect_err(&p, "--restore-cmd: unknown placeholder {DB} (the "
	    "placeholders are {db} and {output})");
	/* A misspelt {output} is named as such, not as a missing one. */
	parse(&p, no_env, "--restore-cmd", "cp {db} {outptu}", NULL);
	expect_err_prefix(&p, "--restore-cmd: unknown placeholder {outptu}");
	ck_assert_int_eq(check_cmd("true {db_path}", NULL, err, sizeof(err)),
	    -1);
	ck_assert_str_eq(err, "unknown placeholder {db_path} (the "
	    "placeholders are {db} and {output})");
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		ck_assert_msg(check_cmd(ok[i], NULL, err, sizeof(err)) == 0,
		    "'%s': %s", ok[i], err);
}
END_TEST

START_TEST(test_config_commands_not_found)
{
	static const char *const env[] = {
		"PATH=/nonexistent", "SQLSTORM_STORE_CMD=frobnicate {db}", NULL
	};
	struct parsed p;

	parse(&p, no_env, "--store-cmd", "no-such-program-xyz {db}", NULL);
	expect_err(&p, "--store-cmd: cannot run 'no-such-program-xyz': not "
	    "found in PATH");
	parse(&p, env, NULL);
	expect_err(&p, "SQLSTORM_STORE_CMD: cannot run 'frobnicate': not "
	    "found in PATH");
	/* Checked after all layers: a flag replaces a bad variable. */
	ck_assert_str_eq(parse_ok(&p, env, "--store-cmd", "exec x {db}",
	    NULL)->store_cmd, "exec x {db}");
	config_free(&p.cfg);
}
END_TEST

/*
 * config_parse looks for a command's program in the PATH of the envp it
 * was given (the lookup itself is shellcmd's, tested in check_shellcmd).
 */
START_TEST(test_config_commands_path_lookup)
{
	static const char *const bin_env[] = {
		"PATH=/nonexistent:/bin", "SQLSTORM_STORE_CMD=sh -c true {db}",
		NULL
	};
	struct parsed p;

	ck_assert_str_eq(parse_ok(&p, bin_env, NULL)->store_cmd,
	    "sh -c true {db}");
	config_free(&p.cfg);
	parse(&p, empty_path_env, "--store-cmd=sh -c true {db}", NULL);
	expect_err(&p, "--store-cmd: cannot run 'sh': not found in PATH");
}
END_TEST

/* ------------------------------------------------------------ output */

START_TEST(test_config_output_print_new_knobs)
{
	static const char *const env[] = {
		"PATH=/usr/bin:/bin", "SQLSTORM_REPEAT=3", NULL
	};
	struct parsed p;
	FILE *fp = tmpfile();
	char *out;

	ck_assert_ptr_nonnull(fp);
	config_print(parse_ok(&p, env, "--until-fail", "--store-cmd",
	    "exec true {db}", "--restore-cmd=cp {db} {output}",
	    "--restore-timeout=90s", "--max-lag", "1500ms", NULL), fp);
	out = slurp(fp);
	ck_assert_ptr_nonnull(strstr(out,
	    "repeat           3                        env\n"
	    "until-fail       yes                      flag\n"
	    "store-cmd        exec true {db}           flag\n"
	    "restore-cmd      cp {db} {output}         flag\n"
	    "restore-timeout  90s                      flag\n"
	    "max-lag          1500ms                   flag\n"));
	free(out);
	fclose(fp);
	config_free(&p.cfg);
}
END_TEST

START_TEST(test_config_output_repro_new_knobs)
{
	static const char *const env[] = {
		"PATH=/usr/bin:/bin",
		"SQLSTORM_RESTORE_CMD=cp {db} {output} # it's", NULL
	};
	struct parsed p;
	char buf[1024];
	struct config *c;

	c = parse_ok(&p, env, "--repeat=3", "--until-fail", "--store-cmd",
	    "exec true {db}", "--restore-timeout=90s", "--max-lag=2s", NULL);
	ck_assert_int_eq(config_repro(c, "sqlstorm", buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "sqlstorm --repeat 3 --until-fail --store-cmd "
	    "'exec true {db}' --restore-cmd 'cp {db} {output} # it'\\''s' "
	    "--restore-timeout 90s --max-lag 2s");
	config_free(c);
	/* An explicit --repeat 1 is a cap, so it is reproduced. */
	c = parse_ok(&p, no_env, "--until-fail", NULL);
	ck_assert_int_eq(config_repro(c, "sqlstorm", buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "sqlstorm --until-fail");
	config_free(c);
	c = parse_ok(&p, no_env, "--until-fail", "--repeat=1", NULL);
	ck_assert_int_eq(config_repro(c, "sqlstorm", buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "sqlstorm --repeat 1 --until-fail");
	config_free(c);
}
END_TEST

/* ------------------------------------------------------------ workload */

START_TEST(test_config_workload_names)
{
	static const char *const env[] = { "SQLSTORM_WORKLOAD=Append", NULL };
	static const char *const bad_env[] = { "SQLSTORM_WORKLOAD=bogus",
	    NULL };
	static const char *const empty_env[] = { "SQLSTORM_WORKLOAD=", NULL };
	struct parsed p;
	struct config *c;

	c = parse_ok(&p, env, NULL);
	/* The table's own spelling, whatever the case typed. */
	ck_assert_str_eq(c->workload, "append");
	ck_assert_int_eq(c->source[CONFIG_WORKLOAD], CONFIG_SRC_ENV);
	/* The name is static: config_free() leaves it alone. */
	config_free(c);
	ck_assert_str_eq(c->workload, "append");
	c = parse_ok(&p, env, "--workload", "APPEND", NULL);
	ck_assert_str_eq(c->workload, "append");
	ck_assert_int_eq(c->source[CONFIG_WORKLOAD], CONFIG_SRC_FLAG);
	config_free(c);
	parse(&p, no_env, "--workload=chrun", NULL);
	expect_err(&p, "--workload: 'chrun' is not one of append, churn");
	parse(&p, bad_env, NULL);
	expect_err(&p, "SQLSTORM_WORKLOAD: 'bogus' is not one of append, "
	    "churn");
	parse(&p, bad_env, "--workload=append", NULL);
	expect_err_prefix(&p, "SQLSTORM_WORKLOAD: 'bogus'");
	parse(&p, empty_env, NULL);
	expect_err(&p, "SQLSTORM_WORKLOAD: '' is not one of append, churn");
	ck_assert_str_eq(parse_ok(&p, empty_env, "--workload=append",
	    NULL)->workload, "append");
	config_free(&p.cfg);
	parse(&p, no_env, "--workload", NULL);
	expect_err(&p, "--workload: missing value (one of append, churn)");
	parse(&p, no_env, "--workoad=append", NULL);
	expect_err(&p, "unknown option '--workoad=append' (did you mean "
	    "--workload?)");
}
END_TEST

/* --churn is checked by the churn workload's own parser. */
START_TEST(test_config_churn_spec)
{
	static const char *const env[] = { "SQLSTORM_CHURN=keys=x", NULL };
	struct parsed p;
	struct config *c;

	c = parse_ok(&p, no_env, NULL);
	ck_assert_ptr_null(c->churn);
	config_free(c);
	c = parse_ok(&p, no_env, "--churn=keys=16,max=100000,shrink=0", NULL);
	ck_assert_str_eq(c->churn, "keys=16,max=100000,shrink=0");
	config_free(c);
	parse(&p, no_env, "--churn", "keys=0", NULL);
	expect_err(&p, "--churn: keys='0' is not an integer from 1 to 65536");
	parse(&p, no_env, "--churn", "size=9", NULL);
	expect_err(&p, "--churn: unknown name 'size' (names: keys, ops, max,"
	    " grow, shrink)");
	parse(&p, env, NULL);
	expect_err(&p, "SQLSTORM_CHURN: keys='x' is not an integer from 1 to"
	    " 65536");
}
END_TEST

START_TEST(test_config_workload_print_repro)
{
	static const char *const env[] = { "SQLSTORM_WORKLOAD=append", NULL };
	struct parsed p;
	FILE *fp = tmpfile();
	char buf[256], *out;
	struct config *c;

	ck_assert_ptr_nonnull(fp);
	c = parse_ok(&p, env, NULL);
	config_print(c, fp);
	out = slurp(fp);
	ck_assert_ptr_nonnull(strstr(out, "\nworkload         append"
	    "                   env\n"));
	free(out);
	fclose(fp);
	/* The default is left out of the repro line, from wherever. */
	ck_assert_int_eq(config_repro(c, "sqlstorm", buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "sqlstorm");
	/* Any other workload is reproduced (the table will grow). */
	c->workload = "churn";
	ck_assert_int_eq(config_repro(c, "sqlstorm", buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "sqlstorm --workload churn");
	config_free(c);
}
END_TEST

/* ------------------------------------------------------------ trace */

START_TEST(test_config_trace_env_flag_precedence)
{
	static const char *const env[] = { "SQLSTORM_TRACE=/tmp/e.log", NULL };
	static const char *const empty_env[] = { "SQLSTORM_TRACE=", NULL };
	struct parsed p;
	struct config *c;

	c = parse_ok(&p, no_env, NULL);
	ck_assert_ptr_null(c->trace);
	config_free(c);
	c = parse_ok(&p, env, NULL);
	ck_assert_str_eq(c->trace, "/tmp/e.log");
	ck_assert_int_eq(c->source[CONFIG_TRACE], CONFIG_SRC_ENV);
	config_free(c);
	ck_assert_ptr_null(c->trace);
	c = parse_ok(&p, env, "--trace", "f.log", "--trace=g.log", NULL);
	ck_assert_str_eq(c->trace, "g.log");
	ck_assert_int_eq(c->source[CONFIG_TRACE], CONFIG_SRC_FLAG);
	config_free(c);
	/* A path like --json's: never empty, unless a flag overrides. */
	parse(&p, no_env, "--trace=", NULL);
	expect_err(&p, "--trace: the path must not be empty");
	parse(&p, empty_env, NULL);
	expect_err(&p, "SQLSTORM_TRACE: the path must not be empty");
	ck_assert_str_eq(parse_ok(&p, empty_env, "--trace=t.log",
	    NULL)->trace, "t.log");
	config_free(&p.cfg);
	parse(&p, no_env, "--trace", NULL);
	expect_err(&p, "--trace: missing value (a non-empty path)");
}
END_TEST

START_TEST(test_config_trace_print_repro)
{
	struct parsed p;
	FILE *fp = tmpfile();
	char buf[256], *out;
	struct config *c;

	ck_assert_ptr_nonnull(fp);
	c = parse_ok(&p, no_env, "--trace=a b.log", NULL);
	config_print(c, fp);
	out = slurp(fp);
	ck_assert_ptr_nonnull(strstr(out, "\ntrace            a b.log"
	    "                  flag\n"));
	free(out);
	fclose(fp);
	ck_assert_int_eq(config_repro(c, "sqlstorm", buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "sqlstorm --trace 'a b.log'");
	config_free(c);
}
END_TEST

/* ------------------------------------------------------------ table */

/* Every knob has its row: one --print-config line and one --help entry. */
START_TEST(test_config_table_every_key_listed)
{
	struct config cfg;
	FILE *fp = tmpfile();
	char *out, *line;
	size_t n = 0;

	ck_assert_ptr_nonnull(fp);
	config_defaults(&cfg);
	config_print(&cfg, fp);
	out = slurp(fp);
	for (line = out; (line = strchr(line, '\n')) != NULL; line++)
		n++;
	ck_assert_uint_eq(n, CONFIG_NKEYS);
	free(out);
	fclose(fp);
	fp = tmpfile();
	ck_assert_ptr_nonnull(fp);
	config_usage(fp);
	out = slurp(fp);
	for (n = 0, line = out; (line = strstr(line, " (default: ")) != NULL;
	    line++)
		n++;
	ck_assert_uint_eq(n, CONFIG_NKEYS);
	free(out);
	fclose(fp);
	config_free(&cfg);
}
END_TEST

Suite *config_suite(void);

/* ------------------------------------------------------------ maintain */

/* --maintain, --page-size and --auto-vacuum: each bad value, one line. */
static const struct {
	const char *flag, *value, *extra, *extra_value, *want;
} maintain_bad[] = {
	{ "--maintain", "vacuum", NULL, NULL,
	    "--maintain: 'vacuum' is not ITEM@WHEN (e.g. vacuum@every 5s)" },
	{ "--maintain", "defrag@1s", NULL, NULL,
	    "--maintain: unknown action 'defrag' (checkpoint=MODE, vacuum, "
	    "incremental_vacuum[=PAGES] or optimize)" },
	{ "--maintain", "checkpoint@1s", NULL, NULL,
	    "--maintain: checkpoint needs a mode: "
	    "checkpoint=passive|full|restart|truncate" },
	{ "--maintain", "checkpoint=hard@1s", NULL, NULL,
	    "--maintain: checkpoint mode 'hard' is not one of passive, full, "
	    "restart, truncate" },
	{ "--maintain", "vacuum=2@1s", NULL, NULL,
	    "--maintain: vacuum takes no value ('=2')" },
	{ "--maintain", "vacuum@soon", NULL, NULL,
	    "--maintain: vacuum@soon: 'soon' is not a time: write a duration "
	    "such as 2s, or every 500ms" },
	{ "--maintain", "checkpoint=full@1s", "--journal", "delete",
	    "--maintain: checkpoint(full) needs --journal wal (the journal is "
	    "delete: there is no WAL to checkpoint)" },
	{ "--maintain", "incremental_vacuum@1s", NULL, NULL,
	    "--maintain: incremental_vacuum needs --auto-vacuum incremental "
	    "(without it, it frees nothing)" },
	{ "--maintain", "incremental_vacuum@1s", "--auto-vacuum", "full",
	    "--maintain: incremental_vacuum needs --auto-vacuum incremental "
	    "(without it, it frees nothing)" },
	{ "--maintain", "optimize@1s,vacuum@10s", NULL, NULL,
	    "--maintain: vacuum@10s is never due before the deadline "
	    "(--duration 10s): it would never run" },
	{ "--page-size", "4000", NULL, NULL,
	    "--page-size: '4000' is not a power of two from 512 to 65536" },
	{ "--page-size", "131072", NULL, NULL,
	    "--page-size: '131072' is not an integer from 512 to 65536" },
	{ "--auto-vacuum", "yes", NULL, NULL,
	    "--auto-vacuum: 'yes' is not one of none, full, incremental" },
	{ "--fault", "maint:crash@1s", NULL, NULL,
	    "--fault: a fault for maint needs --maintain: without it there is "
	    "no maintenance child" },
};

START_TEST(test_config_maintain_bad)
{
	struct parsed p;

	if (maintain_bad[_i].extra != NULL)
		parse(&p, no_env, maintain_bad[_i].flag, maintain_bad[_i].value,
		    maintain_bad[_i].extra, maintain_bad[_i].extra_value, NULL);
	else
		parse(&p, no_env, maintain_bad[_i].flag, maintain_bad[_i].value,
		    NULL);
	expect_err(&p, maintain_bad[_i].want);
}
END_TEST

START_TEST(test_config_maintain_good)
{
	struct parsed p;
	struct config *c;

	/* Due just before the deadline is fine; a power of two at each end. */
	c = parse_ok(&p, no_env, "--duration", "2s", "--maintain",
	    "checkpoint=PASSIVE@1999ms,vacuum@every 1s,optimize@1s",
	    "--page-size", "65536", "--fault", "maint:hang@1s", NULL);
	ck_assert_int_eq(c->page_size, 65536);
	config_free(c);
	c = parse_ok(&p, no_env, "--page-size", "512", "--auto-vacuum", "none",
	    NULL);
	ck_assert_int_eq(c->auto_vacuum, CONFIG_AUTO_VACUUM_NONE);
	ck_assert_int_eq(c->auto_vacuum_set, 1);
	config_free(c);
	/* The env's maintain is named as the variable. */
	{
		static const char *const env[] = {
			"SQLSTORM_MAINTAIN=checkpoint=full@1s",
			"SQLSTORM_JOURNAL=delete", NULL
		};

		parse(&p, env, NULL);
		expect_err_prefix(&p, "SQLSTORM_MAINTAIN: checkpoint(full) "
		    "needs --journal wal");
	}
}
END_TEST

Suite *
config_suite(void)
{
	Suite *s = suite_create("config");
	TCase *tc;

	tc = tcase_create("defaults");
	tcase_add_test(tc, test_config_defaults_values);
	tcase_add_test(tc, test_config_defaults_no_args);
	suite_add_tcase(s, tc);

	tc = tcase_create("env");
	tcase_add_test(tc, test_config_env_every_knob);
	tcase_add_test(tc, test_config_env_error_names_variable);
	tcase_add_test(tc, test_config_env_bad_value_with_newline);
	tcase_add_test(tc, test_config_rate_pattern);
	tcase_add_test(tc, test_config_powerloss);
	tcase_add_test(tc, test_config_env_first_entry_wins);
	tcase_add_test(tc, test_config_env_unknown_warns_with_suggestion);
	tcase_add_test(tc, test_config_env_unknown_far_no_suggestion);
	tcase_add_test(tc, test_config_env_run_dir_reserved);
	tcase_add_test(tc, test_config_env_null_warn_stream);
	tcase_add_test(tc, test_config_env_empty_overridden_by_flag);
	suite_add_tcase(s, tc);

	tc = tcase_create("maintain");
	tcase_add_loop_test(tc, test_config_maintain_bad, 0,
	    (int)(sizeof maintain_bad / sizeof maintain_bad[0]));
	tcase_add_test(tc, test_config_maintain_good);
	suite_add_tcase(s, tc);

	tc = tcase_create("flags");
	tcase_add_test(tc, test_config_flags_every_knob);
	tcase_add_test(tc, test_config_flags_override_env);
	tcase_add_test(tc, test_config_flags_bad_flag_beats_good_env);
	tcase_add_test(tc, test_config_flags_last_wins);
	tcase_add_test(tc, test_config_flags_booleans);
	tcase_add_test(tc, test_config_flags_boolean_takes_no_next_word);
	tcase_add_test(tc, test_config_flags_missing_value);
	tcase_add_test(tc, test_config_flags_unknown);
	tcase_add_test(tc, test_config_flags_positional);
	tcase_add_test(tc, test_config_flags_actions);
	suite_add_tcase(s, tc);

	tc = tcase_create("durations");
	tcase_add_test(tc, test_config_durations_knob_errors);
	suite_add_tcase(s, tc);

	tc = tcase_create("limits");
	tcase_add_test(tc, test_config_limits_boundary_pairs);
	tcase_add_test(tc, test_config_limits_integers_strict);
	tcase_add_test(tc, test_config_limits_empty_strings);
	tcase_add_test(tc, test_config_limits_long_value_truncated);
	suite_add_tcase(s, tc);

	tc = tcase_create("enums");
	tcase_add_test(tc, test_config_enums_case_insensitive);
	tcase_add_test(tc, test_config_enums_errors);
	tcase_add_test(tc, test_config_enums_names);
	suite_add_tcase(s, tc);

	tc = tcase_create("fault");
	tcase_add_test(tc, test_config_fault_validated_after_layers);
	tcase_add_test(tc, test_config_fault_after_grace_refused);
	suite_add_tcase(s, tc);

	tc = tcase_create("reports");
	tcase_add_test(tc, test_config_reports_same_path_refused);
	tcase_add_test(tc, test_config_reports_who_named_them);
	suite_add_tcase(s, tc);

	tc = tcase_create("repeat");
	tcase_add_test(tc, test_config_repeat_env_flag_precedence);
	tcase_add_test(tc, test_config_repeat_until_fail_cap);
	tcase_add_test(tc, test_config_repeat_errors);
	suite_add_tcase(s, tc);

	tc = tcase_create("restore");
	tcase_add_test(tc, test_config_restore_timing_env_flag_precedence);
	tcase_add_test(tc, test_config_restore_timing_errors);
	suite_add_tcase(s, tc);

	tc = tcase_create("commands");
	tcase_add_test(tc, test_config_commands_env_flag_precedence);
	tcase_add_test(tc, test_config_commands_empty);
	tcase_add_test(tc, test_config_commands_restore_needs_output);
	tcase_add_test(tc, test_config_commands_unknown_placeholder);
	tcase_add_test(tc, test_config_commands_not_found);
	tcase_add_test(tc, test_config_commands_path_lookup);
	suite_add_tcase(s, tc);

	tc = tcase_create("workload");
	tcase_add_test(tc, test_config_workload_names);
	tcase_add_test(tc, test_config_workload_print_repro);
	tcase_add_test(tc, test_config_churn_spec);
	suite_add_tcase(s, tc);

	tc = tcase_create("trace");
	tcase_add_test(tc, test_config_trace_env_flag_precedence);
	tcase_add_test(tc, test_config_trace_print_repro);
	suite_add_tcase(s, tc);

	tc = tcase_create("table");
	tcase_add_test(tc, test_config_table_every_key_listed);
	suite_add_tcase(s, tc);

	tc = tcase_create("output");
	tcase_add_test(tc, test_config_output_usage);
	tcase_add_test(tc, test_config_output_print);
	tcase_add_test(tc, test_config_output_repro);
	tcase_add_test(tc, test_config_output_repro_quoting);
	tcase_add_test(tc, test_config_output_repro_too_small);
	tcase_add_test(tc, test_config_output_print_new_knobs);
	tcase_add_test(tc, test_config_output_repro_new_knobs);
	suite_add_tcase(s, tc);

	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(config_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
