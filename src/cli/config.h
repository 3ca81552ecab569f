/* SPDX-License-Identifier: MIT */
/*
 * config: sqlstorm's whole configuration.  Values come from built-in
 * defaults, then SQLSTORM_* environment variables, then command-line flags,
 * each layer overriding the one before.  Every knob is one row of a table
 * in config.c (flag, type, field, bounds, default, help), which drives
 * parsing, --help, --print-config and the reproduction line alike.  Every
 * value is parsed strictly (units, ranges, trailing garbage, overflow);
 * the first bad value stops parsing with a one-line message naming the
 * variable or flag.  This module never writes to the disk and never exits:
 * main.c decides what to do.  Durations are spelt by duration.c and shell
 * commands are checked by shellcmd.c, which only looks at files (stat,
 * access) to see that a command's program exists; nothing runs one here.
 */
#ifndef SQLSTORM_CONFIG_H
#define SQLSTORM_CONFIG_H

#include <stdint.h>
#include <stdio.h>

#include "classify.h"
#include "duration.h"
#include "pace.h"
#include "shellcmd.h"

#define CONFIG_ERR_MAX 512

enum config_journal {
	CONFIG_JOURNAL_WAL, CONFIG_JOURNAL_DELETE, CONFIG_JOURNAL_TRUNCATE,
	CONFIG_JOURNAL_PERSIST, CONFIG_JOURNAL_MEMORY, CONFIG_JOURNAL_OFF
};

enum config_sync {
	CONFIG_SYNC_OFF, CONFIG_SYNC_NORMAL, CONFIG_SYNC_FULL, CONFIG_SYNC_EXTRA
};

/* --auto-vacuum: the file's layout, set when sqlstorm creates it. */
enum config_auto_vacuum {
	CONFIG_AUTO_VACUUM_NONE, CONFIG_AUTO_VACUUM_FULL,
	CONFIG_AUTO_VACUUM_INCREMENTAL
};

/* A run where a worker never committed or no snapshot was taken: fail it? */
enum config_coverage {
	CONFIG_COVERAGE_STRICT, CONFIG_COVERAGE_REPORT
};

/* How snapshots are checked: PRAGMA integrity_check or quick_check. */
enum config_check {
	CONFIG_CHECK_FULL, CONFIG_CHECK_QUICK
};

/* Where a value came from, for --print-config. */
enum config_source {
	CONFIG_SRC_DEFAULT, CONFIG_SRC_ENV, CONFIG_SRC_FLAG
};

/* What main.c should do after parsing. */
enum config_action {
	CONFIG_RUN, CONFIG_HELP, CONFIG_VERSION, CONFIG_PRINT
};

/*
 * Index of each knob, in --help order; also indexes config.source[] and
 * the knob table in config.c.  A new knob is a constant here, a field in
 * struct config, one row in that table and an entry in doc/sqlstorm.1.
 */
enum config_key {
	CONFIG_DURATION, CONFIG_WORKLOAD, CONFIG_CHURN,
	CONFIG_MAINTAIN, CONFIG_PAGE_SIZE, CONFIG_AUTO_VACUUM,
	CONFIG_WORKERS, CONFIG_INTERVAL, CONFIG_BATCH, CONFIG_RATE,
	CONFIG_PATTERN, CONFIG_VALIDATE_EVERY, CONFIG_CHECK, CONFIG_GRACE,
	CONFIG_BUSY_TIMEOUT, CONFIG_DB, CONFIG_VFS, CONFIG_LOAD_EXTENSION,
	CONFIG_POPULATE, CONFIG_KEEP,
	CONFIG_JOURNAL, CONFIG_SYNC, CONFIG_SEED,
	CONFIG_LATE_ERRORS, CONFIG_JSON, CONFIG_JUNIT, CONFIG_PLOT,
	CONFIG_MARKDOWN, CONFIG_TAP, CONFIG_QUIET,
	CONFIG_FAULT, CONFIG_NEMESIS, CONFIG_REPEAT, CONFIG_UNTIL_FAIL, CONFIG_STORE_CMD,
	CONFIG_RESTORE_CMD, CONFIG_RESTORE_TIMEOUT, CONFIG_MAX_LAG,
	CONFIG_STORE_WARMUP,
	CONFIG_COVERAGE, CONFIG_VERBOSE, CONFIG_TRACE,
	CONFIG_POWERLOSS, CONFIG_CRASH_IMAGES,
	CONFIG_NKEYS
};

struct config {
	int64_t duration_ns;        /* 1ms .. 7d,   default 10s */
	const char *workload;       /* a static name, default "append" */
	char   *churn;              /* --churn spec (workload-churn.h) */
	char   *maintain;           /* NULL = no maintenance child (maintain.h) */
	int     page_size;          /* 512 .. 65536, a power of two ... */
	int     page_size_set;      /* ... 0: SQLite's own */
	enum config_auto_vacuum auto_vacuum;
	int     auto_vacuum_set;    /* 0: SQLite's own */
	int     workers;            /* 1 .. 1024,   default 4 */
	int64_t interval_ns;        /* 0 .. 1h,     default 10ms (0 = flat out) */
	int     batch;              /* 1 .. 100000, default 1 row per commit */
	int64_t rate;               /* 0 .. PACE_RATE_MAX txn/s/worker, 0 = off */
	enum pace_pattern pattern;  /* --rate's shape, default constant */
	int64_t validate_every_ns;  /* 0 .. 1h,     default 500ms (0 = final only) */
	enum config_check check;    /* snapshots: full (default) or quick */
	int64_t grace_ns;           /* 100ms .. 1h, default 10s */
	int64_t busy_timeout_ns;    /* 0 .. 1h,     default 5s */
	char   *db;                 /* NULL = a fresh temporary directory */
	char   *vfs;                /* NULL = SQLite's default VFS (store.h) */
	char   *load_extension;     /* NULL = none; PATH[:ENTRY] (store.h) */
	char   *populate;           /* --populate SIZE (populate.h); NULL, "0": off */
	int     keep;               /* keep the run directory */
	enum config_journal journal;
	enum config_sync    sync;
	uint64_t seed;              /* 0 .. 2^63-1 */
	int     seed_set;           /* 0: main picks one and reports it */
	enum late_policy late_errors;
	char   *json;               /* NULL = no JSON report */
	char   *junit;              /* NULL = no JUnit report */
	char   *plot;               /* NULL = no SVG timeline (report-plot.c) */
	char   *markdown;           /* NULL = no Markdown summary */
	int     tap;
	int     quiet;
	char   *fault;              /* NULL = no faults; see fault.h */
	char   *nemesis;            /* NULL = no nemesis; see nemesis.h */
	int     repeat;             /* 1 .. 1000000, default 1 run */
	int     repeat_set;         /* 0: --until-fail has no cap */
	int     until_fail;         /* repeat until a run fails */
	char   *store_cmd;          /* NULL = no sidecar; {db} */
	char   *restore_cmd;        /* NULL = built-in; {db}, {output} */
	int64_t restore_timeout_ns; /* 100ms .. 1h, default 60s */
	int64_t max_lag_ns;         /* 0 .. 1h,     default 0 */
	int64_t store_warmup_ns;    /* 0 .. 1h,     default 5s */
	enum config_coverage coverage;  /* default strict */
	int     verbose;            /* every compile option in the summary */
	const char *trace;          /* NULL = no trace; owned by cfg */
	char   *powerloss;          /* NULL = none; "seeded" or a duration */
	int     crash_images;       /* 1 .. 1000, default 5 (powerloss.h) */
	enum config_source source[CONFIG_NKEYS];
};

/*
 * Fill cfg with the defaults.  Owned strings are NULL, workload names a
 * static string; config_free() is safe.
 */
void config_defaults(struct config *cfg);

/*
 * Apply the environment (envp: NULL-terminated "NAME=value" strings, usually
 * environ) and then the flags (argv[1..argc-1]) on top of cfg, which must
 * hold defaults.  Returns 0 and sets *action, or -1 with a one-line message
 * (no trailing newline, no "sqlstorm: " prefix) in err.  Warnings about
 * unknown SQLSTORM_* variables go to warn (may be NULL), one line each.
 * An empty variable is an error only if no flag overrides it.  Once all
 * layers are in, a fault due at or after deadline + grace and --json and
 * --junit naming the same path are errors too (unless the action is
 * --help or --version).  Allocated strings in cfg belong to cfg.
 */
int config_parse(struct config *cfg, int argc, char **argv, char **envp,
    enum config_action *action, FILE *warn, char *err, size_t errlen);

/* Free the strings cfg owns and reset them to NULL. */
void config_free(struct config *cfg);

/* Print the --help text. */
void config_usage(FILE *fp);

/* Print every value and where it came from (--print-config). */
void config_print(const struct config *cfg, FILE *fp);

/*
 * Write into buf how the user named knob key, for a message about its
 * value: its variable ("SQLSTORM_JSON") when the value came from the
 * environment, else its flag ("--json").
 */
void config_who(const struct config *cfg, enum config_key key, char *buf,
    size_t cap);

/* Names of enum values, as accepted on the command line. */
const char *config_journal_name(enum config_journal j);
const char *config_sync_name(enum config_sync s);
const char *config_late_name(enum late_policy p);
const char *config_coverage_name(enum config_coverage c);
const char *config_auto_vacuum_name(enum config_auto_vacuum a);
const char *config_check_name(enum config_check c);

/*
 * Write the flags that reproduce cfg (every non-default value, and the
 * seed) as a shell-quoted command line into buf.  Returns 0, -1 if cap is
 * too small.
 */
int config_repro(const struct config *cfg, const char *argv0, char *buf,
    size_t cap);

#endif
