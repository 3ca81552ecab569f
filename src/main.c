/* SPDX-License-Identifier: MIT */
/*
 * main: the sqlstorm command.  It parses the configuration, runs the
 * scenario and turns the outcome into an exit status (0 pass, 1 fail,
 * 99 hard error).  It holds no logic of its own: parsing lives in config.c,
 * the run in scenario.c, the summary in report.c.  Nothing is created on
 * disk until the configuration has been parsed in full.
 */
#include "autoconf.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "config.h"
#include "report.h"
#include "scenario.h"

extern char **environ;

static int
run(struct config *cfg)
{
	struct report rep;
	int rc;

	/* Every run has a seed, so a failing run can be replayed exactly. */
	if (!cfg->seed_set) {
		cfg->seed = ((uint64_t)time(NULL) << 20 ^ (uint64_t)getpid()) &
		    INT64_MAX;
		cfg->seed_set = 1;
	}
	rc = scenario_run(cfg, &rep);
	if (rc == 99)
		fprintf(stderr, "sqlstorm: %s\n", rep.hard_error);
	else if (!cfg->quiet)
		report_summary(&rep, stdout);
	else if (rc != 0) {
		/* --quiet silences everything but the errors. */
		report_failures(&rep, stderr);
		if (rep.repro[0] != '\0')
			fprintf(stderr, "sqlstorm: reproduce: %s\n", rep.repro);
	}
	report_free(&rep);
	return rc;
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
