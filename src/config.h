/* SPDX-License-Identifier: MIT */
/*
 * config: sqlstorm's whole configuration.  Values come from built-in
 * defaults, then SQLSTORM_* environment variables, then command-line flags,
 * each layer overriding the one before.  Every value is parsed strictly
 * (units, ranges, trailing garbage, overflow); the first bad value stops
 * parsing with a one-line message naming the variable or flag.  This module
 * never writes to the disk and never exits: main.c decides what to do.  It
 * only looks at files (stat, access) to check that a shell command's
 * program exists; it never runs one.
 */
#ifndef SQLSTORM_CONFIG_H
#define SQLSTORM_CONFIG_H

#include <stdint.h>
#include <stdio.h>

#include "classify.h"

#define CONFIG_ERR_MAX 512

enum config_journal {
	CONFIG_JOURNAL_WAL, CONFIG_JOURNAL_DELETE, CONFIG_JOURNAL_TRUNCATE,
	CONFIG_JOURNAL_PERSIST, CONFIG_JOURNAL_MEMORY, CONFIG_JOURNAL_OFF
};

enum config_sync {
	CONFIG_SYNC_OFF, CONFIG_SYNC_NORMAL, CONFIG_SYNC_FULL, CONFIG_SYNC_EXTRA
};

/* A run where a worker never committed or no snapshot was taken: fail it? */
enum config_coverage {
	CONFIG_COVERAGE_STRICT, CONFIG_COVERAGE_REPORT
};

/* Where a value came from, for --print-config. */
enum config_source {
	CONFIG_SRC_DEFAULT, CONFIG_SRC_ENV, CONFIG_SRC_FLAG
};

/* What main.c should do after parsing. */
enum config_action {
	CONFIG_RUN, CONFIG_HELP, CONFIG_VERSION, CONFIG_PRINT
};

/* Index of each knob, in --help order; also indexes config.source[]. */
enum config_key {
	CONFIG_DURATION, CONFIG_WORKERS, CONFIG_INTERVAL, CONFIG_BATCH,
	CONFIG_VALIDATE_EVERY, CONFIG_GRACE, CONFIG_BUSY_TIMEOUT, CONFIG_DB,
	CONFIG_KEEP, CONFIG_JOURNAL, CONFIG_SYNC, CONFIG_SEED,
	CONFIG_LATE_ERRORS, CONFIG_JSON, CONFIG_JUNIT, CONFIG_TAP,
	CONFIG_QUIET, CONFIG_FAULT, CONFIG_REPEAT, CONFIG_UNTIL_FAIL,
	CONFIG_STORE_CMD, CONFIG_RESTORE_CMD, CONFIG_RESTORE_TIMEOUT,
	CONFIG_MAX_LAG, CONFIG_COVERAGE, CONFIG_VERBOSE,
	CONFIG_NKEYS
};

struct config {
	int64_t duration_ns;        /* 1ms .. 7d,   default 10s */
	int     workers;            /* 1 .. 1024,   default 4 */
	int64_t interval_ns;        /* 0 .. 1h,     default 10ms (0 = flat out) */
	int     batch;              /* 1 .. 100000, default 1 row per commit */
	int64_t validate_every_ns;  /* 0 .. 1h,     default 500ms (0 = final only) */
	int64_t grace_ns;           /* 100ms .. 1h, default 10s */
	int64_t busy_timeout_ns;    /* 0 .. 1h,     default 5s */
	char   *db;                 /* NULL = a fresh temporary directory */
	int     keep;               /* keep the run directory */
	enum config_journal journal;
	enum config_sync    sync;
	uint64_t seed;              /* 0 .. 2^63-1 */
	int     seed_set;           /* 0: main picks one and reports it */
	enum late_policy late_errors;
	char   *json;               /* NULL = no JSON report */
	char   *junit;              /* NULL = no JUnit report */
	int     tap;
	int     quiet;
	char   *fault;              /* NULL = no faults; see fault.h */
	int     repeat;             /* 1 .. 1000000, default 1 run */
	int     repeat_set;         /* 0: --until-fail has no cap */
	int     until_fail;         /* repeat until a run fails */
	char   *store_cmd;          /* NULL = no sidecar; {db} */
	char   *restore_cmd;        /* NULL = built-in; {db}, {output} */
	int64_t restore_timeout_ns; /* 100ms .. 1h, default 60s */
	int64_t max_lag_ns;         /* 0 .. 1h,     default 0 */
	enum config_coverage coverage;  /* default strict */
	int     verbose;            /* every compile option in the summary */
	const char *trace;
	enum config_source source[CONFIG_NKEYS];
};

/* Fill cfg with the defaults.  Strings are NULL; config_free() is safe. */
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
 * Parse a duration: a decimal integer followed by ns, us, ms, s, m or h
 * ("0" alone is allowed).  Returns 0 with *ns set, or -1 on bad syntax or
 * overflow.  No range check.
 */
int config_parse_duration(const char *s, int64_t *ns);

/* Format a duration with the largest exact unit ("1500ms", "2s", "0"). */
void config_format_duration(int64_t ns, char *buf, size_t cap);

/* Names of enum values, as accepted on the command line. */
const char *config_journal_name(enum config_journal j);
const char *config_sync_name(enum config_sync s);
const char *config_late_name(enum late_policy p);
const char *config_coverage_name(enum config_coverage c);

/*
 * Check that cmd, a command for /bin/sh -c such as --store-cmd, can be
 * started: it is not empty or blank; every placeholder in it is {db} or
 * {output} (a placeholder is a name in braces, "{out}", not preceded by
 * '$', so "${HOME}", "{}" and "{ print }" are left alone); and its first
 * word, after any leading NAME=value assignments, is a shell builtin or
 * keyword, an executable file if it contains '/', or an executable file in
 * a directory of the PATH found in envp ("/usr/bin:/bin" when envp has
 * none).  A first word that starts with a quote, '~' or '#', or holds a
 * shell metacharacter ($ ` ( ) ; | & < > \ * ? { and the like) cannot be
 * judged without a shell and is accepted.  Returns 0, or -1 with a
 * one-line message in err that does not name the flag (the caller
 * prefixes it), e.g. "cannot run 'frob': not found in PATH".  Reads the
 * file system (stat, access), never runs anything.
 */
int config_check_command(const char *cmd, char **envp, char *err,
    size_t errlen);

/*
 * Return a malloc'd copy of cmd with every {db} replaced by db and every
 * {output} by output, each single-quoted for /bin/sh (a ' inside is
 * written '\'').  A NULL db or output leaves its placeholder as it is.
 * Placeholders are found as config_check_command() finds them, so "${db}"
 * is the shell's, not ours.  Write placeholders bare, not inside quotes:
 * the value brings its own.  Returns NULL with errno ENOMEM on failure.
 */
char *config_expand_command(const char *cmd, const char *db,
    const char *output);

/*
 * Write the flags that reproduce cfg (every non-default value, and the
 * seed) as a shell-quoted command line into buf.  Returns 0, -1 if cap is
 * too small.
 */
int config_repro(const struct config *cfg, const char *argv0, char *buf,
    size_t cap);

#endif
