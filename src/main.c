/* SPDX-License-Identifier: MIT */
/*
 * main: the sqlstorm command.  It parses the configuration, runs the
 * scenario and turns the outcome into an exit status (0 pass, 1 fail,
 * 99 hard error) and the reports that were asked for.  It holds no logic
 * of its own: parsing lives in config.c, the run in scenario.c, the
 * --repeat loop in repeat.c, the summary in report.c, the other formats
 * in report-*.c.  Nothing is
 * created on disk until the configuration has been parsed in full and
 * every report file is known to be writable.
 */
#include "autoconf.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "config.h"
#include "repeat.h"
#include "report.h"
#include "report-out.h"
#include "scenario.h"

extern char **environ;

/* How the user named a report file: by flag or by environment variable. */
static const char *
out_name(const struct config *cfg, enum config_key k)
{
	if (k == CONFIG_JSON)
		return cfg->source[k] == CONFIG_SRC_ENV ? "SQLSTORM_JSON" :
		    "--json";
	return cfg->source[k] == CONFIG_SRC_ENV ? "SQLSTORM_JUNIT" : "--junit";
}

static void
hard_error(const struct config *cfg, const char *msg)
{
	fprintf(stderr, "sqlstorm: %s\n", msg);
	if (cfg->tap)
		report_tap_bail(stdout, msg);
}

/*
 * A report that cannot be written must stop us before the run, not after
 * it: nobody wants to wait ten minutes to learn of a typo in a path.
 */
static int
check_outputs(const struct config *cfg)
{
	static const enum config_key keys[] = { CONFIG_JSON, CONFIG_JUNIT };
	char msg[CONFIG_ERR_MAX + 64];
	size_t i;

	for (i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		const char *path = keys[i] == CONFIG_JSON ? cfg->json :
		    cfg->junit;

		if (path == NULL || report_file_check(path) == 0)
			continue;
		snprintf(msg, sizeof msg, "%s: cannot write '%s': %s",
		    out_name(cfg, keys[i]), path, strerror(errno));
		hard_error(cfg, msg);
		return -1;
	}
	return 0;
}

static int
write_file(const struct config *cfg, enum config_key k, const char *path,
    int (*writer)(const struct report *, FILE *), const struct report *rep)
{
	if (path == NULL || report_file_write(path, writer, rep) == 0)
		return 0;
	fprintf(stderr, "sqlstorm: %s: cannot write '%s': %s\n",
	    out_name(cfg, k), path, strerror(errno));
	return -1;
}

/* TAP on stdout, then the files.  -1 if any of them failed. */
static int
write_outputs(const struct config *cfg, const struct report *rep)
{
	int rc = 0;

	if (cfg->tap && report_tap_write(rep, stdout) < 0) {
		fprintf(stderr, "sqlstorm: --tap: cannot write: %s\n",
		    strerror(errno));
		rc = -1;
	}
	if (write_file(cfg, CONFIG_JSON, cfg->json, report_json_write,
	    rep) < 0)
		rc = -1;
	if (write_file(cfg, CONFIG_JUNIT, cfg->junit, report_junit_write,
	    rep) < 0)
		rc = -1;
	return rc;
}

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
		if (rep->repro[0] != '\0')
			fprintf(stderr, "sqlstorm: reproduce: %s\n", rep->repro);
	}
}

/* One run (repeat.c picked its seed): the scenario and its summary. */
static int
run_once(struct config *cfg, struct report *rep, void *arg)
{
	int rc;

	rc = scenario_run(cfg, rep);
	report_progress_end(rep, stderr);
	report_fingerprint(rep);
	print_summary(cfg, rep, rc);
	return rc;
}

/* TAP, JSON and JUnit describe one run: with --repeat, the last one. */
static int
run_last(struct config *cfg, struct report *rep, int rc, void *arg)
{
	/* A missing report would leave CI reading a stale file. */
	if (write_outputs(cfg, rep) < 0)
		return 99;
	return rc;
}

static int
run(struct config *cfg)
{
	struct repeat_ops ops = { run_once, run_last, NULL };

	if (check_outputs(cfg) < 0)
		return 99;
	/* With --tap, stdout belongs to TAP: the tally goes to stderr. */
	return repeat_loop(cfg, &ops, cfg->tap ? stderr : stdout, stderr,
	    NULL);
}

int
main(int argc, char **argv)
{
	char err[CONFIG_ERR_MAX];
	enum config_action action;
	struct config cfg;
	int rc = 0;

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
