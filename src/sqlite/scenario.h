/* SPDX-License-Identifier: MIT */
/*
 * scenario: the SQLite store scenario on top of the supervisor.  It makes
 * the run directory, prepares the database, spawns the insert workers and
 * the validator, feeds their ACKs and snapshots to the ledger, validates
 * the final database against every ACK, and fills a struct report.  It
 * prints nothing; main.c and the report modules do.
 */
#ifndef SQLSTORM_SCENARIO_H
#define SQLSTORM_SCENARIO_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "report.h"

struct workload;

/* What the worker and validator children get (read-only after fork). */
struct scenario_params {
	const struct config *cfg;
	const struct workload *wl;  /* what workers write and checks read */
	const char *db_path;
	const char *run_dir;
	int         nworkers;
	int         validator_id;   /* wire child id of the validator */
	int         maint_id;       /* ... of the maintenance child, or -1 */
	int         store_id;       /* ... of the store sidecar, or -1 */
	uint64_t    fill_rows;      /* --populate's rows 1..n (0: none) */
};

/* Child entry points (see supervisor.h, struct sup_spec). */
int worker_main(struct child_ctx *ctx, void *arg);
int validator_main(struct child_ctx *ctx, void *arg);

/*
 * Run the scenario described by cfg and fill rep (free with
 * report_free()).  Returns the exit code: 0 pass, 1 fail, 99 hard error
 * (rep->hard_error holds the one-line message).
 */
int scenario_run(const struct config *cfg, struct report *rep);

#endif
