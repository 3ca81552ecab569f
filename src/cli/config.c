/* SPDX-License-Identifier: MIT */
/*
 * config: builds sqlstorm's configuration from three layers (defaults, then
 * SQLSTORM_* environment variables, then command-line flags) and parses
 * every value strictly: durations with units, integer ranges, enums and
 * booleans (case-insensitive), no signs, no trailing garbage, no overflow.
 * Each knob is one row of the table below: its flag (the variable is
 * derived from it), type, field in struct config, bounds, names, default
 * and help; parsing, storing, --help, --print-config and the reproduction
 * line all read that row, so a new knob is one row, not four edits.  The
 * first bad value stops parsing with one line naming the variable or flag
 * and what it accepts.  It never reads the process environment itself
 * (the caller passes envp), never writes to the disk and never exits.
 * The --fault spec is only checked here, by fault_parse() and against
 * deadline + grace; its meaning lives in fault.c.  Shell commands
 * (--store-cmd, --restore-cmd) are checked with shellcmd_check() once all
 * layers are in; running them is for the scenario.
 */
#include "autoconf.h"
#include "config.h"

#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fault.h"
#include "iofault.h"
#include "nemesis.h"
#include "populate.h"
#include "powerloss.h"
#include "workload.h"
#include "workload-churn.h"
#include "maintain.h"
#include "scenario-policy.h"
#include "util.h"

#define ENV_PREFIX	"SQLSTORM_"
#define NAME_MAX_LEN	64	/* longer names are never "close" to a knob */
#define BLANKS		" \t\n"

enum knob_type {
	KNOB_DURATION,	/* int64_t nanoseconds, "10s" */
	KNOB_INT,	/* int, int64_t or uint64_t, decimal */
	KNOB_BOOL,	/* int, 0 or 1 */
	KNOB_ENUM,	/* an enum: the index of the name in names[] */
	KNOB_NAME,	/* const char *: the entry of names[] itself */
	KNOB_PATH,	/* char *, malloc'd, non-empty */
	KNOB_FAULT,	/* char *, malloc'd; "" means none */
	KNOB_CMD,	/* char *, malloc'd, checked by shellcmd_check() */
	KNOB_SPEC	/* char *, malloc'd, checked by the knob's check() */
};

struct knob {
	const char	*flag;	/* without "--"; the variable is derived */
	const char	*meta;	/* value placeholder in --help; NULL: bool */
	enum knob_type	 type;
	size_t		 off;	/* the field in struct config ... */
	size_t		 size;	/* ... and its size */
	int		 has_set;	/* set_off names an "explicitly set" int */
	size_t		 set_off;
	int64_t		 min, max;	/* numbers: the accepted range */
	const char *const *names;	/* KNOB_ENUM, KNOB_NAME */
	const char	*dflt;	/* the default as a user writes it, or NULL */
	const char	*unset;	/* how a NULL string or unset value reads */
	const char	*help;
	const char	*need;	/* KNOB_CMD: a placeholder it must hold ... */
	const char	*need_why;	/* ... and why */
	/* KNOB_SPEC: 0, or -1 with a one-line message in err. */
	int		(*check)(const char *text, char *err, size_t errlen);
	/* Not NULL: the value of the bare flag (--flag, no "=VALUE"). */
	const char	*bare;
};

/* A parsed value before it is stored: numbers in i, strings in s. */
struct knob_value {
	int64_t	 i;
	char	*s;
};

static const char *const journal_names[] = {
	"wal", "delete", "truncate", "persist", "memory", "off", NULL
};
static const char *const sync_names[] = {
	"off", "normal", "full", "extra", NULL
};
static const char *const late_names[] = { "strict", "ignore", NULL };
static const char *const coverage_names[] = { "strict", "report", NULL };
static const char *const auto_vacuum_names[] = {
	"none", "full", "incremental", NULL
};
static const char *const check_names[] = { "full", "quick", NULL };


static const char *const bool_true[] = { "yes", "true", "1", "on", NULL };
static const char *const bool_false[] = { "no", "false", "0", "off", NULL };

/* Flags that are not knobs: they pick an action instead of a value. */
static const char *const action_flags[] = {
	"help", "version", "print-config", NULL
};

/* Where a knob lives in struct config, and its "was it given" flag. */
#define FIELD(m)	.off = offsetof(struct config, m), \
			.size = sizeof(((struct config *)0)->m)
#define SET_FLAG(m)	.has_set = 1, .set_off = offsetof(struct config, m)

/* A --churn spec is the churn workload's to parse. */
static int
check_churn(const char *text, char *err, size_t errlen)
{
	struct churn_spec sp;

	return churn_spec_parse(text, &sp, err, errlen);
}

/* A --maintain spec's words; checked against the rest after all layers. */
static int
check_maintain_spec(const char *text, char *err, size_t errlen)
{
	struct maint_spec sp;

	return maint_spec_parse(text, &sp, err, errlen);
}

/*
 * A --nemesis spec alone: its grammar, any worker, every named child;
 * check_nemesis() holds it against --workers and --store-cmd.
 */
static int
check_nemesis_spec(const char *text, char *err, size_t errlen)
{
	static const char *const all[] = { "validator", "maint", "store",
	    NULL };
	struct nemesis_plan plan;

	if (nemesis_parse(text, 1024, all, &plan, err, errlen) < 0)
		return -1;
	nemesis_free(&plan);
	return 0;
}

/*
 * A --vfs name: whether SQLite has it is known only once --load-extension
 * is loaded, at the start of the run (store_use()).
 */
static int
check_vfs_name(const char *text, char *err, size_t errlen)
{
	if (*text != '\0')
		return 0;
	util_set_err(err, errlen, "the VFS name must not be empty");
	return -1;
}

/* A --populate size is populate.c's to parse. */
static int
check_populate(const char *text, char *err, size_t errlen)
{
	uint64_t bytes;

	return populate_size_parse(text, &bytes, err, errlen);
}

/* A --powerloss moment is powerloss.c's to parse. */
static int
check_powerloss_spec(const char *text, char *err, size_t errlen)
{
	int64_t t;

	return powerloss_spec_parse(text, &t, err, errlen);
}

#define MS	DURATION_MS
#define H	DURATION_H

static const struct knob knobs[CONFIG_NKEYS] = {
	[CONFIG_DURATION] = { "duration", "DURATION", KNOB_DURATION,
	    FIELD(duration_ns), .min = MS, .max = 7 * DURATION_D,
	    .dflt = "10s", .help = "how long the workers insert" },
	[CONFIG_WORKLOAD] = { "workload", "NAME", KNOB_NAME, FIELD(workload),
	    .names = workload_name_list, .dflt = "append",
	    .help = "what each worker's transactions do" },
	[CONFIG_CHURN] = { "churn", "SPEC", KNOB_SPEC, FIELD(churn),
	    .unset = "built-in", .check = check_churn,
	    .help = "churn's keys, ops, value size and phases (man page)" },
	[CONFIG_MAINTAIN] = { "maintain", "SPEC", KNOB_SPEC, FIELD(maintain),
	    .unset = "none", .check = check_maintain_spec,
	    .help = "maintenance child: ACTION@WHEN,... (man page)" },
	[CONFIG_PAGE_SIZE] = { "page-size", "N", KNOB_INT, FIELD(page_size),
	    SET_FLAG(page_size_set), .min = 512, .max = 65536,
	    .unset = "SQLite's",
	    .help = "page size of a database sqlstorm creates (a power of 2)" },
	[CONFIG_AUTO_VACUUM] = { "auto-vacuum", "MODE", KNOB_ENUM,
	    FIELD(auto_vacuum), SET_FLAG(auto_vacuum_set),
	    .names = auto_vacuum_names, .unset = "SQLite's",
	    .help = "auto_vacuum of a database sqlstorm creates" },
	[CONFIG_WORKERS] = { "workers", "N", KNOB_INT, FIELD(workers),
	    .min = 1, .max = 1024, .dflt = "4",
	    .help = "number of insert worker processes" },
	[CONFIG_INTERVAL] = { "interval", "DURATION", KNOB_DURATION,
	    FIELD(interval_ns), .min = 0, .max = H, .dflt = "10ms",
	    .help = "pause between a worker's transactions (0 = flat out)" },
	[CONFIG_BATCH] = { "batch", "N", KNOB_INT, FIELD(batch), .min = 1,
	    .max = 100000, .dflt = "1",
	    .help = "rows inserted per transaction" },
	[CONFIG_RATE] = { "rate", "N", KNOB_INT, FIELD(rate), .min = 0,
	    .max = PACE_RATE_MAX, .dflt = "0",
	    .help = "transactions per second per worker, on a schedule "
	    "(0 = off)" },
	[CONFIG_PATTERN] = { "pattern", "SHAPE", KNOB_ENUM, FIELD(pattern),
	    .names = pace_pattern_names, .dflt = "constant",
	    .help = "how --rate's transactions are spread in time" },
	[CONFIG_VALIDATE_EVERY] = { "validate-every", "DURATION",
	    KNOB_DURATION, FIELD(validate_every_ns), .min = 0, .max = H,
	    .dflt = "500ms",
	    .help = "snapshot and validate this often (0 = final check only)" },
	[CONFIG_CHECK] = { "check", "MODE", KNOB_ENUM, FIELD(check),
	    .names = check_names, .dflt = "full",
	    .help = "snapshots get integrity_check or quick_check" },
	/* At 0 every child would be killed before it could exit. */
	[CONFIG_GRACE] = { "grace", "DURATION", KNOB_DURATION,
	    FIELD(grace_ns), .min = 100 * MS, .max = H, .dflt = "10s",
	    .help = "time children get after the deadline before "
	    "SIGTERM/SIGKILL" },
	[CONFIG_BUSY_TIMEOUT] = { "busy-timeout", "DURATION", KNOB_DURATION,
	    FIELD(busy_timeout_ns), .min = 0, .max = H, .dflt = "5s",
	    .help = "how long a connection waits on a lock before "
	    "SQLITE_BUSY" },
	[CONFIG_DB] = { "db", "PATH", KNOB_PATH, FIELD(db),
	    .unset = "temporary directory",
	    .help = "database file to create and test, instead of a fresh "
	    "temp dir" },
	[CONFIG_VFS] = { "vfs", "NAME", KNOB_SPEC, FIELD(vfs),
	    .check = check_vfs_name,
	    .unset = "SQLite's",
	    .help = "the SQLite VFS every process opens the database with" },
	[CONFIG_LOAD_EXTENSION] = { "load-extension", "PATH[:ENTRY]",
	    KNOB_PATH, FIELD(load_extension), .unset = "none",
	    .help = "SQLite extension to load before the database is opened" },
	/* Unset, not "0": a default string would be one more to free. */
	[CONFIG_POPULATE] = { "populate", "SIZE", KNOB_SPEC, FIELD(populate),
	    .unset = "0", .check = check_populate,
	    .help = "grow the database to SIZE (KiB, MiB, GiB) before the "
	    "start (0 = off)" },
	[CONFIG_KEEP] = { "keep", NULL, KNOB_BOOL, FIELD(keep), .dflt = "no",
	    .help = "keep the run directory even when the run passes" },
	[CONFIG_JOURNAL] = { "journal", "MODE", KNOB_ENUM, FIELD(journal),
	    .names = journal_names, .dflt = "wal", .help = "journal_mode" },
	[CONFIG_SYNC] = { "sync", "LEVEL", KNOB_ENUM, FIELD(sync),
	    .names = sync_names, .dflt = "normal",
	    .help = "synchronous setting" },
	[CONFIG_SEED] = { "seed", "N", KNOB_INT, FIELD(seed),
	    SET_FLAG(seed_set), .min = 0, .max = INT64_MAX,
	    .unset = "random", .help = "seed for the run's random choices" },
	[CONFIG_LATE_ERRORS] = { "late-errors", "POLICY", KNOB_ENUM,
	    FIELD(late_errors), .names = late_names, .dflt = "strict",
	    .help = "severe late errors fail (strict) or not (ignore)" },
	[CONFIG_JSON] = { "json", "FILE", KNOB_PATH, FIELD(json),
	    .unset = "none", .help = "write a JSON report to FILE" },
	[CONFIG_JUNIT] = { "junit", "FILE", KNOB_PATH, FIELD(junit),
	    .unset = "none", .help = "write a JUnit XML report to FILE" },
	[CONFIG_PLOT] = { "plot", "FILE", KNOB_PATH, FIELD(plot),
	    .unset = "none", .help = "draw the run's timeline as SVG in FILE" },
	[CONFIG_MARKDOWN] = { "markdown", "FILE", KNOB_PATH, FIELD(markdown),
	    .unset = "none", .help = "write a Markdown summary to FILE" },
	[CONFIG_TAP] = { "tap", NULL, KNOB_BOOL, FIELD(tap), .dflt = "no",
	    .help = "print TAP on stdout (for automake's tap-driver)" },
	[CONFIG_QUIET] = { "quiet", NULL, KNOB_BOOL, FIELD(quiet),
	    .dflt = "no", .help = "no summary or progress line" },
	[CONFIG_FAULT] = { "fault", "SPEC", KNOB_FAULT, FIELD(fault),
	    .unset = "none", .help = "inject faults (grammar below)" },
	[CONFIG_NEMESIS] = { "nemesis", "SPEC", KNOB_SPEC, FIELD(nemesis),
	    .unset = "none", .check = check_nemesis_spec,
	    .help = "kill and pause children on a schedule (below)" },
	/* Unset reads apart from 1: with --until-fail it means no cap. */
	[CONFIG_REPEAT] = { "repeat", "N", KNOB_INT, FIELD(repeat),
	    SET_FLAG(repeat_set), .min = 1, .max = 1000000, .dflt = "1",
	    .unset = "1", .help = "run the whole scenario N times" },
	[CONFIG_UNTIL_FAIL] = { "until-fail", NULL, KNOB_BOOL,
	    FIELD(until_fail), .dflt = "no",
	    .help = "repeat until a run fails (at most --repeat N times)" },
	[CONFIG_STORE_CMD] = { "store-cmd", "CMD", KNOB_CMD, FIELD(store_cmd),
	    .unset = "none",
	    .help = "sidecar store process to run alongside ({db})" },
	[CONFIG_RESTORE_CMD] = { "restore-cmd", "CMD", KNOB_CMD,
	    FIELD(restore_cmd), .unset = "none",
	    .help = "restore a copy instead of snapshotting ({db}, {output})",
	    .need = "{output}",
	    .need_why = "the validator needs to know where the copy goes" },
	[CONFIG_RESTORE_TIMEOUT] = { "restore-timeout", "DURATION",
	    KNOB_DURATION, FIELD(restore_timeout_ns), .min = 100 * MS,
	    .max = H, .dflt = "1m",
	    .help = "how long one --restore-cmd may run" },
	[CONFIG_MAX_LAG] = { "max-lag", "DURATION", KNOB_DURATION,
	    FIELD(max_lag_ns), .min = 0, .max = H, .dflt = "0",
	    .help = "how far a restored copy may lag behind the ACKs" },
	[CONFIG_STORE_WARMUP] = { "store-warmup", "DURATION", KNOB_DURATION,
	    FIELD(store_warmup_ns), .min = 0, .max = H, .dflt = "5s",
	    .help = "failed restores before the first copy are not ready" },
	[CONFIG_COVERAGE] = { "coverage", "POLICY", KNOB_ENUM,
	    FIELD(coverage), .names = coverage_names, .dflt = "strict",
	    .help = "an idle worker or no snapshot fails (strict) or not" },
	[CONFIG_VERBOSE] = { "verbose", NULL, KNOB_BOOL, FIELD(verbose),
	    .dflt = "no", .help = "every SQLite compile option in the summary" },
	[CONFIG_TRACE] = { "trace", "FILE", KNOB_PATH, FIELD(trace),
	    .unset = "none",
	    .help = "log every record and verdict to FILE (debugging)" },
	[CONFIG_POWERLOSS] = { "powerloss", "T", KNOB_SPEC, FIELD(powerloss),
	    .unset = "none", .bare = "seeded", .check = check_powerloss_spec,
	    .help = "cut the power at T (bare: a seeded moment); judge images" },
	[CONFIG_CRASH_IMAGES] = { "crash-images", "N", KNOB_INT,
	    FIELD(crash_images), .min = 2, .max = 1000, .dflt = "5",
	    .help = "crash images built and checked after --powerloss" },
};

#undef MS
#undef H

/* ------------------------------------------------------------ fields */

/*
 * A knob's field, read and written through memcpy: the table knows only
 * its offset and size, and an enum is an int-sized integer here.
 */
static const void *
field_in(const struct config *cfg, const struct knob *k)
{
	return (const char *)cfg + k->off;
}

static void *
field_out(struct config *cfg, const struct knob *k)
{
	return (char *)cfg + k->off;
}

static int64_t
get_int(const struct config *cfg, const struct knob *k)
{
	int64_t v64;
	int v;

	if (k->size == sizeof(v64)) {
		memcpy(&v64, field_in(cfg, k), sizeof(v64));
		return v64;
	}
	assert(k->size == sizeof(v));
	memcpy(&v, field_in(cfg, k), sizeof(v));
	return v;
}

static void
put_int(struct config *cfg, const struct knob *k, int64_t v64)
{
	int v = (int)v64;

	if (k->size == sizeof(v64)) {
		memcpy(field_out(cfg, k), &v64, sizeof(v64));
		return;
	}
	assert(k->size == sizeof(v));
	memcpy(field_out(cfg, k), &v, sizeof(v));
}

/* A string field; char * and const char * share one representation. */
static char *
get_str(const struct config *cfg, const struct knob *k)
{
	char *s;

	memcpy(&s, field_in(cfg, k), sizeof(s));
	return s;
}

static void
put_str(struct config *cfg, const struct knob *k, const char *s)
{
	memcpy(field_out(cfg, k), &s, sizeof(s));
}

/* Whether the knob owns a malloc'd string. */
static int
knob_owns(const struct knob *k)
{
	return k->type == KNOB_PATH || k->type == KNOB_FAULT ||
	    k->type == KNOB_CMD || k->type == KNOB_SPEC;
}

/* ------------------------------------------------------------ names */

static const char *
name_at(const char *const *names, int i)
{
	int n;

	for (n = 0; names[n] != NULL; n++)
		continue;
	return i >= 0 && i < n ? names[i] : "?";
}

const char *
config_journal_name(enum config_journal j)
{
	return name_at(journal_names, (int)j);
}

const char *
config_sync_name(enum config_sync s)
{
	return name_at(sync_names, (int)s);
}

const char *
config_late_name(enum late_policy p)
{
	return name_at(late_names, (int)p);
}

const char *
config_coverage_name(enum config_coverage c)
{
	return name_at(coverage_names, (int)c);
}

const char *
config_auto_vacuum_name(enum config_auto_vacuum a)
{
	return name_at(auto_vacuum_names, (int)a);
}

const char *
config_check_name(enum config_check c)
{
	return name_at(check_names, (int)c);
}

/* "SQLSTORM_" + the flag upper-cased with '-' turned into '_'. */
static void
knob_env(const struct knob *k, char *buf, size_t cap)
{
	size_t i, n = strlen(ENV_PREFIX);

	util_strlcpy(buf, ENV_PREFIX, cap);
	for (i = 0; k->flag[i] != '\0' && n + 1 < cap; i++, n++)
		buf[n] = k->flag[i] == '-' ? '_' :
		    (char)toupper((unsigned char)k->flag[i]);
	buf[n] = '\0';
}

/* ------------------------------------------------------------ scanning */

/* Decimal digits only (no sign, no space), at least one; no overflow. */
static int
parse_int(const char *s, int64_t *out)
{
	unsigned long long v;
	char *end;

	/* strtoull() would skip blanks and take a sign: refuse them first. */
	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || v > (unsigned long long)INT64_MAX)
		return -1;
	*out = (int64_t)v;
	return 0;
}

static int
lookup(const char *const *names, const char *s)
{
	int i;

	for (i = 0; names[i] != NULL; i++)
		if (strcasecmp(names[i], s) == 0)
			return i;
	return -1;
}

static int
parse_bool(const char *s, int64_t *out)
{
	if (lookup(bool_true, s) >= 0)
		*out = 1;
	else if (lookup(bool_false, s) >= 0)
		*out = 0;
	else
		return -1;
	return 0;
}

/* ------------------------------------------------------------ knobs */

/* What a knob accepts, as a noun phrase: "an integer from 1 to 1024". */
static void
describe(const struct knob *k, char *buf, size_t cap)
{
	char lo[32], hi[32];
	size_t i, n;

	switch (k->type) {
	case KNOB_DURATION:
		duration_format(k->min, lo, sizeof(lo));
		duration_format(k->max, hi, sizeof(hi));
		snprintf(buf, cap, "a duration from %s to %s "
		    "(units: ns, us, ms, s, m, h)", lo, hi);
		break;
	case KNOB_INT:
		snprintf(buf, cap, "an integer from %" PRId64 " to %" PRId64,
		    k->min, k->max);
		break;
	case KNOB_BOOL:
		snprintf(buf, cap, "a boolean (yes, no, true, false, 1, 0, "
		    "on, off)");
		break;
	case KNOB_ENUM:
	case KNOB_NAME:
		n = (size_t)snprintf(buf, cap, "one of");
		for (i = 0; k->names[i] != NULL && n < cap; i++)
			n += (size_t)snprintf(buf + n, cap - n, "%s %s",
			    i == 0 ? "" : ",", k->names[i]);
		break;
	case KNOB_PATH:
		snprintf(buf, cap, "a non-empty path");
		break;
	case KNOB_FAULT:
		snprintf(buf, cap, "a fault spec (see --help)");
		break;
	case KNOB_CMD:
		snprintf(buf, cap, "a shell command");
		break;
	case KNOB_SPEC:
		snprintf(buf, cap, "a %s spec (see the man page)", k->flag);
		break;
	}
}

/* Copy a string value into v->s; an error names who. */
static int
dup_value(const char *who, const char *text, struct knob_value *v,
    char *err, size_t errlen)
{
	if ((v->s = strdup(text)) == NULL) {
		util_set_err(err, errlen, "%s: out of memory", who);
		return -1;
	}
	return 0;
}

/*
 * Parse text for knob k into v (v->s is malloc'd for strings).  who names
 * the flag or variable in the error message.
 */
static int
knob_parse(const struct knob *k, const char *who, const char *text,
    struct knob_value *v, char *err, size_t errlen)
{
	char what[128], shown[UTIL_SHOW_MAX + 8];
	int ok = 0;

	v->i = 0;
	v->s = NULL;
	switch (k->type) {
	case KNOB_DURATION:
		ok = duration_parse(text, &v->i) == 0 &&
		    v->i >= k->min && v->i <= k->max;
		break;
	case KNOB_INT:
		ok = parse_int(text, &v->i) == 0 &&
		    v->i >= k->min && v->i <= k->max;
		break;
	case KNOB_BOOL:
		ok = parse_bool(text, &v->i) == 0;
		break;
	case KNOB_ENUM:
	case KNOB_NAME:
		ok = (v->i = lookup(k->names, text)) >= 0;
		break;
	case KNOB_PATH:
		if (*text == '\0') {
			util_set_err(err, errlen, "%s: the path must not be empty",
			    who);
			return -1;
		}
		return dup_value(who, text, v, err, errlen);
	case KNOB_FAULT:
		/* An empty fault spec means "no faults", as in fault.h. */
		if (*text == '\0')
			return 0;
		return dup_value(who, text, v, err, errlen);
	case KNOB_CMD:
		/* What it runs is checked after all layers (check_command). */
		if (text[strspn(text, BLANKS)] == '\0') {
			util_set_err(err, errlen, "%s: the command must not be "
			    "empty", who);
			return -1;
		}
		return dup_value(who, text, v, err, errlen);
	case KNOB_SPEC:
		if (k->check(text, what, sizeof(what)) < 0) {
			util_set_err(err, errlen, "%s: %s", who, what);
			return -1;
		}
		return dup_value(who, text, v, err, errlen);
	}
	if (ok)
		return 0;
	describe(k, what, sizeof(what));
	util_set_err(err, errlen, "%s: '%s' is not %s", who,
	    util_show(text, shown, sizeof(shown)), what);
	return -1;
}

/* Write a parsed value into its field; takes ownership of v->s. */
static void
knob_put(struct config *cfg, const struct knob *k,
    const struct knob_value *v)
{
	switch (k->type) {
	case KNOB_DURATION:
	case KNOB_INT:
	case KNOB_BOOL:
	case KNOB_ENUM:
		put_int(cfg, k, v->i);
		break;
	case KNOB_NAME:
		put_str(cfg, k, k->names[v->i]);
		break;
	case KNOB_PATH:
	case KNOB_FAULT:
	case KNOB_CMD:
	case KNOB_SPEC:
		free(get_str(cfg, k));
		put_str(cfg, k, v->s);
		break;
	}
}

/* Store a value the user gave, and where it came from. */
static void
knob_store(struct config *cfg, enum config_key key,
    const struct knob_value *v, enum config_source src)
{
	const struct knob *k = &knobs[key];
	int one = 1;

	knob_put(cfg, k, v);
	if (k->has_set)
		memcpy((char *)cfg + k->set_off, &one, sizeof(one));
	cfg->source[key] = src;
}

/*
 * The value of a knob as the command line would spell it, or NULL when it
 * is unset (a NULL string, no seed).  Booleans read "yes" or "no".
 */
static const char *
knob_text(const struct config *cfg, enum config_key key, char *buf,
    size_t cap)
{
	const struct knob *k = &knobs[key];
	int set;

	if (k->has_set) {
		memcpy(&set, (const char *)cfg + k->set_off, sizeof(set));
		if (!set)
			return NULL;
	}
	switch (k->type) {
	case KNOB_DURATION:
		duration_format(get_int(cfg, k), buf, cap);
		return buf;
	case KNOB_INT:
		snprintf(buf, cap, "%" PRId64, get_int(cfg, k));
		return buf;
	case KNOB_BOOL:
		return get_int(cfg, k) ? "yes" : "no";
	case KNOB_ENUM:
		return name_at(k->names, (int)get_int(cfg, k));
	case KNOB_NAME:
	case KNOB_PATH:
	case KNOB_FAULT:
	case KNOB_CMD:
	case KNOB_SPEC:
		break;
	}
	return get_str(cfg, k);
}

/* ------------------------------------------------------------ defaults */

void
config_defaults(struct config *cfg)
{
	struct knob_value v;
	size_t i;
	int rc;

	memset(cfg, 0, sizeof(*cfg));
	for (i = 0; i < CONFIG_NKEYS; i++) {
		cfg->source[i] = CONFIG_SRC_DEFAULT;
		if (knobs[i].dflt == NULL)
			continue;
		/* A default the knob refuses is a bug in the table. */
		rc = knob_parse(&knobs[i], knobs[i].flag, knobs[i].dflt, &v,
		    NULL, 0);
		assert(rc == 0);
		if (rc == 0)
			knob_put(cfg, &knobs[i], &v);
	}
}

void
config_free(struct config *cfg)
{
	size_t i;

	for (i = 0; i < CONFIG_NKEYS; i++) {
		if (!knob_owns(&knobs[i]))
			continue;
		free(get_str(cfg, &knobs[i]));
		put_str(cfg, &knobs[i], NULL);
	}
}

/* ------------------------------------------------------------ suggestions */

/* Optimal string alignment distance, case-insensitive; -1 if too long. */
static int
edit_distance(const char *a, const char *b)
{
	int d[NAME_MAX_LEN + 1][NAME_MAX_LEN + 1];
	size_t la = strlen(a), lb = strlen(b), i, j;

	if (la > NAME_MAX_LEN || lb > NAME_MAX_LEN)
		return -1;
	for (i = 0; i <= la; i++)
		d[i][0] = (int)i;
	for (j = 0; j <= lb; j++)
		d[0][j] = (int)j;
	for (i = 1; i <= la; i++) {
		for (j = 1; j <= lb; j++) {
			int ca = tolower((unsigned char)a[i - 1]);
			int cb = tolower((unsigned char)b[j - 1]);
			int best = d[i - 1][j - 1] + (ca != cb);

			if (d[i - 1][j] + 1 < best)
				best = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < best)
				best = d[i][j - 1] + 1;
			if (i > 1 && j > 1 && ca == tolower((unsigned char)
			    b[j - 2]) && tolower((unsigned char)a[i - 2]) == cb &&
			    d[i - 2][j - 2] + 1 < best)
				best = d[i - 2][j - 2] + 1;
			d[i][j] = best;
		}
	}
	return d[la][lb];
}

/*
 * Keep candidate if it is the closest to typed so far and close enough to
 * be a plausible typo: at most two edits, and at most half its length (so
 * "SQLSTORM_X" is not "corrected" to SQLSTORM_DB).
 */
static void
consider(const char *typed, const char *candidate, int *best,
    char *out, size_t cap)
{
	int d = edit_distance(typed, candidate);

	if (d < 0 || d > 2 || 2 * (size_t)d > strlen(candidate))
		return;
	if (*best >= 0 && d >= *best)
		return;
	*best = d;
	util_strlcpy(out, candidate, cap);
}

/* Closest flag name (without "--") to typed, or "" if none is close. */
static void
suggest_flag(const char *typed, char *out, size_t cap)
{
	int best = -1;
	size_t i;

	out[0] = '\0';
	for (i = 0; i < CONFIG_NKEYS; i++)
		consider(typed, knobs[i].flag, &best, out, cap);
	for (i = 0; action_flags[i] != NULL; i++)
		consider(typed, action_flags[i], &best, out, cap);
}

/* Closest knob variable to the SQLSTORM_* name typed, or "" if none. */
static void
suggest_env(const char *typed, char *out, size_t cap)
{
	char env[NAME_MAX_LEN + 16];
	int best = -1;
	size_t i;

	out[0] = '\0';
	for (i = 0; i < CONFIG_NKEYS; i++) {
		knob_env(&knobs[i], env, sizeof(env));
		consider(typed + strlen(ENV_PREFIX), env + strlen(ENV_PREFIX),
		    &best, out, cap);
	}
	if (out[0] != '\0') {
		snprintf(env, sizeof(env), "%s%s", ENV_PREFIX, out);
		util_strlcpy(out, env, cap);
	}
}

/* ------------------------------------------------------------ environment */

/* The value of NAME in envp, or NULL.  The first entry wins, as getenv(). */
static const char *
env_find(char **envp, const char *name)
{
	size_t len = strlen(name);

	for (; envp != NULL && *envp != NULL; envp++)
		if (strncmp(*envp, name, len) == 0 && (*envp)[len] == '=')
			return *envp + len + 1;
	return NULL;
}

static int
env_is_known(const char *entry, size_t len)
{
	char env[NAME_MAX_LEN + 16];
	size_t i;

	/* Reserved for sidecar processes: set by the scenario, not a knob. */
	if (len == strlen("SQLSTORM_RUN_DIR") &&
	    strncmp(entry, "SQLSTORM_RUN_DIR", len) == 0)
		return 1;
	for (i = 0; i < CONFIG_NKEYS; i++) {
		knob_env(&knobs[i], env, sizeof(env));
		if (strlen(env) == len && strncmp(entry, env, len) == 0)
			return 1;
	}
	return 0;
}

static void
env_warn_unknown(char **envp, FILE *warn)
{
	char name[NAME_MAX_LEN + 16], hint[NAME_MAX_LEN + 16], shown[80];
	const char *eq;
	size_t len;

	if (warn == NULL)
		return;
	for (; envp != NULL && *envp != NULL; envp++) {
		if (strncmp(*envp, ENV_PREFIX, strlen(ENV_PREFIX)) != 0 ||
		    (eq = strchr(*envp, '=')) == NULL)
			continue;
		len = (size_t)(eq - *envp);
		/* SQLSTORM_TEST_*: switches only the test suite sets. */
		if (env_is_known(*envp, len) ||
		    strncmp(*envp, ENV_PREFIX "TEST_", 14) == 0)
			continue;
		hint[0] = '\0';
		if (len < sizeof(name)) {
			memcpy(name, *envp, len);
			name[len] = '\0';
			suggest_env(name, hint, sizeof(hint));
		} else
			util_strlcpy(name, *envp, sizeof(name));
		util_show(name, shown, sizeof(shown));
		if (hint[0] != '\0')
			fprintf(warn, "sqlstorm: warning: unknown variable %s "
			    "(did you mean %s?)\n", shown, hint);
		else
			fprintf(warn, "sqlstorm: warning: unknown variable "
			    "%s\n", shown);
	}
}

/*
 * Apply the SQLSTORM_* variables of envp.  An empty variable whose knob
 * cannot be empty is not judged here but marked in empty[], since a flag
 * may still override it (check_empty_env).
 */
static int
apply_env(struct config *cfg, char **envp, FILE *warn,
    unsigned char empty[CONFIG_NKEYS], char *err, size_t errlen)
{
	char env[NAME_MAX_LEN + 16];
	struct knob_value v;
	const char *text;
	size_t i;

	env_warn_unknown(envp, warn);
	for (i = 0; i < CONFIG_NKEYS; i++) {
		empty[i] = 0;
		knob_env(&knobs[i], env, sizeof(env));
		if ((text = env_find(envp, env)) == NULL)
			continue;
		/*
		 * An empty command variable reads as unset, as an empty
		 * SQLSTORM_FAULT means no faults: "VAR= make check" is how a
		 * shell unsets it for one command.  An explicit empty flag is
		 * still an error (knob_parse).
		 */
		if (knobs[i].type == KNOB_CMD && *text == '\0')
			continue;
		if (knobs[i].type != KNOB_FAULT && *text == '\0') {
			empty[i] = 1;
			continue;
		}
		if (knob_parse(&knobs[i], env, text, &v, err, errlen) == -1)
			return -1;
		knob_store(cfg, (enum config_key)i, &v, CONFIG_SRC_ENV);
	}
	return 0;
}

/*
 * An empty variable that no flag overrode is the error it always was
 * ("SQLSTORM_WORKERS: '' is not an integer from 1 to 1024"); one that a
 * flag overrode is not: the flag alone decides the value, and "VAR= cmd"
 * is a common way to clear a variable for one command.
 */
static int
check_empty_env(const struct config *cfg,
    const unsigned char empty[CONFIG_NKEYS], char *err, size_t errlen)
{
	char env[NAME_MAX_LEN + 16];
	struct knob_value v;
	size_t i;

	for (i = 0; i < CONFIG_NKEYS; i++) {
		if (!empty[i] || cfg->source[i] == CONFIG_SRC_FLAG)
			continue;
		knob_env(&knobs[i], env, sizeof(env));
		if (knob_parse(&knobs[i], env, "", &v, err, errlen) == -1)
			return -1;
		/* Every knob marked empty refuses "", but never leak. */
		free(v.s);
	}
	return 0;
}

/* ------------------------------------------------------------ flags */

static int
find_knob(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < CONFIG_NKEYS; i++)
		if (strlen(knobs[i].flag) == len &&
		    strncmp(knobs[i].flag, name, len) == 0)
			return (int)i;
	return -1;
}

/* Map an action flag to its action; -1 if name is not one. */
static int
find_action(const char *arg)
{
	if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0)
		return CONFIG_HELP;
	if (strcmp(arg, "-V") == 0 || strcmp(arg, "--version") == 0)
		return CONFIG_VERSION;
	if (strcmp(arg, "--print-config") == 0)
		return CONFIG_PRINT;
	return -1;
}

static void
err_unknown(const char *arg, char *err, size_t errlen)
{
	char name[NAME_MAX_LEN + 1], hint[NAME_MAX_LEN + 1];
	char shown[UTIL_SHOW_MAX + 8];
	const char *eq, *start;
	size_t len;

	/* "-workers" is as likely a typo of --workers as "--wrokers" is. */
	start = arg + (arg[1] == '-' ? 2 : 1);
	len = (eq = strchr(start, '=')) != NULL ? (size_t)(eq - start) :
	    strlen(start);
	hint[0] = '\0';
	if (len > 1 && len < sizeof(name)) {
		memcpy(name, start, len);
		name[len] = '\0';
		suggest_flag(name, hint, sizeof(hint));
	}
	util_show(arg, shown, sizeof(shown));
	if (hint[0] != '\0')
		util_set_err(err, errlen, "unknown option '%s' (did you mean "
		    "--%s?)", shown, hint);
	else
		util_set_err(err, errlen, "unknown option '%s' (see --help)",
		    shown);
}

/*
 * Apply argv[*i], consuming argv[*i + 1] too when it is the value.
 * Returns 0, or -1 with err set.
 */
static int
apply_flag(struct config *cfg, int argc, char **argv, int *i, char *err,
    size_t errlen)
{
	const char *arg = argv[*i], *eq, *text;
	char who[NAME_MAX_LEN + 3], what[128];
	struct knob_value v;
	int key;

	eq = strchr(arg, '=');
	key = find_knob(arg + 2, eq != NULL ? (size_t)(eq - arg - 2) :
	    strlen(arg + 2));
	if (key < 0) {
		err_unknown(arg, err, errlen);
		return -1;
	}
	snprintf(who, sizeof(who), "--%s", knobs[key].flag);
	if (eq != NULL)
		text = eq + 1;
	else if (knobs[key].type == KNOB_BOOL)
		/* A bare boolean flag never eats the next word. */
		text = "yes";
	else if (knobs[key].bare != NULL)
		/* Nor does one whose value is optional (--flag[=VALUE]). */
		text = knobs[key].bare;
	else if (*i + 1 < argc)
		text = argv[++*i];
	else {
		describe(&knobs[key], what, sizeof(what));
		util_set_err(err, errlen, "%s: missing value (%s)", who, what);
		return -1;
	}
	if (knob_parse(&knobs[key], who, text, &v, err, errlen) == -1)
		return -1;
	knob_store(cfg, (enum config_key)key, &v, CONFIG_SRC_FLAG);
	return 0;
}

static void
err_positional(const char *arg, const char *prev, char *err, size_t errlen)
{
	char shown[UTIL_SHOW_MAX + 8];
	int key = -1;

	if (prev != NULL && strncmp(prev, "--", 2) == 0 &&
	    strchr(prev, '=') == NULL)
		key = find_knob(prev + 2, strlen(prev + 2));
	util_show(arg, shown, sizeof(shown));
	if (key >= 0 && knobs[key].type == KNOB_BOOL)
		util_set_err(err, errlen, "unexpected argument '%s' (a boolean "
		    "takes its value as --%s=VALUE)", shown, knobs[key].flag);
	else
		util_set_err(err, errlen, "unexpected argument '%s' (sqlstorm "
		    "takes options only; see --help)", shown);
}

/*
 * Walk the flags.  --help and --version answer at once (what follows is
 * not examined, as with getopt-style tools); --print-config only changes
 * the action, since it needs the complete configuration.
 */
static int
apply_flags(struct config *cfg, int argc, char **argv,
    enum config_action *action, char *err, size_t errlen)
{
	int i, act;

	for (i = 1; i < argc; i++) {
		const char *arg = argv[i];

		if ((act = find_action(arg)) >= 0) {
			*action = (enum config_action)act;
			if (act != CONFIG_PRINT)
				return 0;
		} else if (strcmp(arg, "--") == 0) {
			if (i + 1 < argc) {
				err_positional(argv[i + 1], NULL, err, errlen);
				return -1;
			}
		} else if (strncmp(arg, "--", 2) == 0) {
			if (apply_flag(cfg, argc, argv, &i, err, errlen) == -1)
				return -1;
		} else if (arg[0] == '-' && arg[1] != '\0') {
			err_unknown(arg, err, errlen);
			return -1;
		} else {
			err_positional(arg, i > 1 ? argv[i - 1] : NULL, err,
			    errlen);
			return -1;
		}
	}
	return 0;
}

/* ------------------------------------------------------------ after layers */

void
config_who(const struct config *cfg, enum config_key key, char *buf,
    size_t cap)
{
	if (cfg->source[key] == CONFIG_SRC_ENV)
		knob_env(&knobs[key], buf, cap);
	else
		snprintf(buf, cap, "--%s", knobs[key].flag);
}

/* Copy item i (from 0) of the comma-separated spec into buf. */
static void
fault_item(const char *spec, size_t i, char *buf, size_t cap)
{
	size_t len;

	for (; i > 0 && spec != NULL; i--)
		if ((spec = strchr(spec, ',')) != NULL)
			spec++;
	if (spec == NULL)
		spec = "";
	len = strcspn(spec, ",");
	util_strlcpy(buf, spec, len + 1 < cap ? len + 1 : cap);
}

/*
 * A fault must be due before deadline + grace.  At that moment the parent
 * sends SIGTERM to every child still alive, so a fault due then or later
 * can never fire: its child would only wait for it and be reported
 * "hung", a failure the fault did not cause.  Equality is refused too: the
 * fault would race the SIGTERM.  Returns 0, or -1 with a message (that
 * does not name the flag) in ferr.
 */
static int
fault_check_times(const struct config *cfg, const struct fault_list *list,
    char *ferr, size_t ferrlen)
{
	char item[UTIL_SHOW_MAX + 8], shown[UTIL_SHOW_MAX + 8], at[32], end[32];
	int64_t limit = cfg->duration_ns + cfg->grace_ns, when;
	size_t i;

	for (i = 0; i < list->n; i++) {
		when = fault_when(&list->v[i], 0, cfg->duration_ns);
		if (when >= 0 && when < limit)
			continue;
		fault_item(cfg->fault, i, item, sizeof(item));
		if (when < 0) {
			/* deadline-5s in a 1s run: before anything started. */
			duration_format(-when, at, sizeof(at));
			util_set_err(ferr, ferrlen, "fault '%s' is due %s before "
			    "the start: it could never happen",
			    util_show(item, shown, sizeof(shown)), at);
			return -1;
		}
		duration_format(when, at, sizeof(at));
		duration_format(limit, end, sizeof(end));
		if (when == INT64_MAX)
			util_strlcpy(at, "ages", sizeof(at));
		util_set_err(ferr, ferrlen, "fault '%s' is due %s after the start, "
		    "not before deadline + grace (%s), when every child is "
		    "stopped: it could never happen",
		    util_show(item, shown, sizeof(shown)), at, end);
		return -1;
	}
	return 0;
}

/* A fault for the maintenance child needs one: it would never fire. */
static int
fault_check_maint(const struct config *cfg, const struct fault_list *list,
    char *ferr, size_t ferrlen)
{
	size_t i;

	for (i = 0; i < list->n && cfg->maintain == NULL; i++)
		if (list->v[i].child == SCENARIO_MAINT) {
			util_set_err(ferr, ferrlen, "a fault for maint needs "
			    "--maintain: without it there is no maintenance "
			    "child");
			return -1;
		}
	return 0;
}

/* The fault spec depends on --workers, so it is checked last. */
static int
check_fault(const struct config *cfg, char *err, size_t errlen)
{
	char ferr[CONFIG_ERR_MAX], who[NAME_MAX_LEN + 16];
	struct fault_list list = { NULL, 0 };
	int rc;

	if (cfg->fault == NULL)
		return 0;
	ferr[0] = '\0';
	if (fault_parse(cfg->fault, cfg->workers, &scenario_faults, &list, ferr,
	    sizeof(ferr)) == 0) {
		rc = fault_check_times(cfg, &list, ferr, sizeof(ferr));
		if (rc == 0)
			rc = fault_check_maint(cfg, &list, ferr, sizeof(ferr));
		fault_free(&list);
		if (rc == 0)
			return 0;
	}
	config_who(cfg, CONFIG_FAULT, who, sizeof(who));
	util_set_err(err, errlen, "%s: %s", who,
	    ferr[0] != '\0' ? ferr : "invalid fault spec (see --help)");
	return -1;
}

/* The nemesis's targets depend on --workers and --store-cmd. */
static int
check_nemesis(const struct config *cfg, char *err, size_t errlen)
{
	const char *names[] = { "validator", NULL, NULL, NULL };
	char nerr[CONFIG_ERR_MAX], who[NAME_MAX_LEN + 16];
	struct nemesis_plan plan;
	int n = 1;

	if (cfg->nemesis == NULL)
		return 0;
	if (cfg->maintain != NULL)
		names[n++] = "maint";
	if (cfg->store_cmd != NULL)
		names[n++] = "store";
	if (nemesis_parse(cfg->nemesis, cfg->workers, names, &plan, nerr,
	    sizeof(nerr)) == 0) {
		int rc = iofault_plan_check(cfg, &plan, nerr, sizeof(nerr));

		nemesis_free(&plan);
		if (rc == 0)
			return 0;
	}
	config_who(cfg, CONFIG_NEMESIS, who, sizeof(who));
	util_set_err(err, errlen, "%s: %s", who, nerr);
	return -1;
}

/*
 * Two reports written to one path would leave only the last one, and CI
 * would read JUnit where it expects JSON.  Only identical strings are
 * caught here, so --print-config refuses them too; main.c compares the
 * files themselves before the run.
 */
static int
check_reports(const struct config *cfg, char *err, size_t errlen)
{
	char json[NAME_MAX_LEN + 16], junit[NAME_MAX_LEN + 16];
	char shown[UTIL_SHOW_MAX + 8];

	if (cfg->json == NULL || cfg->junit == NULL ||
	    strcmp(cfg->json, cfg->junit) != 0)
		return 0;
	config_who(cfg, CONFIG_JSON, json, sizeof(json));
	config_who(cfg, CONFIG_JUNIT, junit, sizeof(junit));
	util_set_err(err, errlen, "%s: '%s' is also the %s report; each report "
	    "needs a file of its own", junit,
	    util_show(cfg->junit, shown, sizeof(shown)), json);
	return -1;
}

/*
 * A command is checked once its final value is known, against the PATH of
 * envp.  A placeholder the knob needs (a restore command must say where
 * the copy goes) is checked before the program is looked for, since it is
 * a typo the user can fix on any machine.
 */
static int
check_command(const struct config *cfg, enum config_key key, char **envp,
    char *err, size_t errlen)
{
	char cerr[CONFIG_ERR_MAX], who[NAME_MAX_LEN + 16];
	char shown[UTIL_SHOW_MAX + 8];
	const struct knob *k = &knobs[key];
	const char *cmd = get_str(cfg, k);

	if (cmd == NULL)
		return 0;
	config_who(cfg, key, who, sizeof(who));
	cerr[0] = '\0';
	if (shellcmd_check_placeholders(cmd, cerr, sizeof(cerr)) == 0 &&
	    k->need != NULL && !shellcmd_has_placeholder(cmd, k->need)) {
		util_set_err(err, errlen, "%s: '%s' has no %s placeholder (%s)",
		    who, util_show(cmd, shown, sizeof(shown)), k->need,
		    k->need_why);
		return -1;
	}
	if (cerr[0] == '\0' && shellcmd_check(cmd, envp, cerr,
	    sizeof(cerr)) == 0)
		return 0;
	util_set_err(err, errlen, "%s: %s", who, cerr);
	return -1;
}

/*
 * --rate schedules every transaction, so an --interval given with it
 * would be silently ignored; a --pattern shapes the rate and means
 * nothing without one.  Both are refused rather than guessed at.
 */
static int
check_rate(const struct config *cfg, char *err, size_t errlen)
{
	char rate[NAME_MAX_LEN + 16], other[NAME_MAX_LEN + 16];

	config_who(cfg, CONFIG_RATE, rate, sizeof(rate));
	if (cfg->rate > 0 && cfg->source[CONFIG_INTERVAL] !=
	    CONFIG_SRC_DEFAULT) {
		config_who(cfg, CONFIG_INTERVAL, other, sizeof(other));
		util_set_err(err, errlen, "%s: cannot be combined with %s "
		    "(the rate schedules every transaction)", rate, other);
		return -1;
	}
	if (cfg->rate == 0 && cfg->source[CONFIG_PATTERN] !=
	    CONFIG_SRC_DEFAULT) {
		config_who(cfg, CONFIG_PATTERN, other, sizeof(other));
		util_set_err(err, errlen, "%s: needs --rate N (a pattern "
		    "shapes a rate)", other);
		return -1;
	}
	return 0;
}

/* Every command knob, in table order. */
static int
check_commands(const struct config *cfg, char **envp, char *err,
    size_t errlen)
{
	size_t i;

	for (i = 0; i < CONFIG_NKEYS; i++)
		if (knobs[i].type == KNOB_CMD && check_command(cfg,
		    (enum config_key)i, envp, err, errlen) == -1)
			return -1;
	return 0;
}

/*
 * --page-size must be a power of two (the range is the knob's), and
 * --maintain must fit the rest of the run: maint_config_check() says
 * why not, this names the knob.
 */
static int
check_layout(const struct config *cfg, char *err, size_t errlen)
{
	char merr[CONFIG_ERR_MAX], who[NAME_MAX_LEN + 16];

	if (cfg->page_size_set && (cfg->page_size & (cfg->page_size - 1))) {
		config_who(cfg, CONFIG_PAGE_SIZE, who, sizeof(who));
		util_set_err(err, errlen, "%s: '%d' is not a power of two "
		    "from 512 to 65536", who, cfg->page_size);
		return -1;
	}
	if (maint_config_check(cfg, merr, sizeof(merr)) == 0)
		return 0;
	config_who(cfg, CONFIG_MAINTAIN, who, sizeof(who));
	util_set_err(err, errlen, "%s: %s", who, merr);
	return -1;
}

/* --powerloss against --duration and --store-cmd: powerloss.c says why. */
static int
check_powerloss(const struct config *cfg, char *err, size_t errlen)
{
	char perr[CONFIG_ERR_MAX], who[NAME_MAX_LEN + 16];

	if (powerloss_config_check(cfg, perr, sizeof(perr)) == 0)
		return 0;
	config_who(cfg, CONFIG_POWERLOSS, who, sizeof(who));
	util_set_err(err, errlen, "%s: %s", who, perr);
	return -1;
}

int
config_parse(struct config *cfg, int argc, char **argv, char **envp,
    enum config_action *action, FILE *warn, char *err, size_t errlen)
{
	unsigned char empty[CONFIG_NKEYS];

	util_set_err(err, errlen, "%s", "");
	*action = CONFIG_RUN;
	if (apply_env(cfg, envp, warn, empty, err, errlen) == -1)
		return -1;
	if (apply_flags(cfg, argc, argv, action, err, errlen) == -1)
		return -1;
	if (*action == CONFIG_HELP || *action == CONFIG_VERSION)
		return 0;
	if (check_empty_env(cfg, empty, err, errlen) == -1 ||
	    check_fault(cfg, err, errlen) == -1 ||
	    check_rate(cfg, err, errlen) == -1 ||
	    check_nemesis(cfg, err, errlen) == -1 ||
	    check_reports(cfg, err, errlen) == -1 ||
	    check_commands(cfg, envp, err, errlen) == -1 ||
	    check_layout(cfg, err, errlen) == -1 ||
	    check_powerloss(cfg, err, errlen) == -1)
		return -1;
	return 0;
}

/* ------------------------------------------------------------ output */

static const char *
source_name(enum config_source s)
{
	switch (s) {
	case CONFIG_SRC_ENV: return "env";
	case CONFIG_SRC_FLAG: return "flag";
	case CONFIG_SRC_DEFAULT: break;
	}
	return "default";
}

void
config_print(const struct config *cfg, FILE *fp)
{
	char buf[64];
	const char *text;
	size_t i;

	for (i = 0; i < CONFIG_NKEYS; i++) {
		text = knob_text(cfg, (enum config_key)i, buf, sizeof(buf));
		if (text == NULL)
			text = knobs[i].unset != NULL ? knobs[i].unset : "";
		fprintf(fp, "%-16s %-24s %s\n", knobs[i].flag, text,
		    source_name(cfg->source[i]));
	}
}

static const char usage_head[] =
"usage: sqlstorm [options]\n"
"\n"
"Forks insert workers that write to one SQLite database and a validator\n"
"that snapshots and checks it, until the deadline; then checks that no\n"
"acknowledged row was lost.  Errors after the deadline that are typical of\n"
"shutdown are expected; every other error fails the run.\n"
"\n"
"Each option is also accepted as --name=value, and read from the\n"
"environment variable shown; flags override the environment.  Durations\n"
"are an integer and a unit (ns, us, ms, s, m, h), or 0.  Booleans are\n"
"yes/no, true/false, 1/0, on/off; enum values are case-insensitive.\n"
"\n"
"Options:\n";

static const char usage_tail[] =
"  -h, --help                show this help and exit\n"
"  -V, --version             show the sqlstorm and SQLite versions and exit\n"
"  --print-config            show every value and where it came from, "
"and exit\n"
"\n"
"Fault specs (--fault): a comma-separated list of "
"CHILD:ACTION[/deferred]@TIME\n"
"  CHILD   wN (worker N), validator, or maint (with --maintain)\n"
"  ACTION  crash | abort | exit | exit=N | hang | error=CODE | garbage"
" | droprow\n"
"  TIME    a duration from the start (500ms), or deadline, deadline-50ms,\n"
"          deadline+20ms\n"
"  /deferred holds an error's record back until the child saw shutdown.\n"
"  Example: --fault w0:crash@500ms,validator:hang@deadline\n"
"\n"
"Nemesis specs (--nemesis): a comma-separated list of ITEM@WHEN\n"
"  kill:TARGET[=DELAY]     SIGKILL, started again after DELAY (default 0)\n"
"  pause:TARGET=DURATION   SIGSTOP, then SIGCONT after DURATION\n"
"  TARGET  wN, worker (one drawn from the seed), workers, validator,\n"
"          maint (with --maintain), store (with --store-cmd)\n"
"  WHEN    a duration from the start (2s) or every DURATION\n"
"  io:OP=CODE@[T:]WHEN    the next OP (read, write, sync, truncate, open) on\n"
"                         the database, journal or WAL fails with CODE (IOERR,\n"
"                         IOERR_READ, IOERR_WRITE, IOERR_FSYNC, IOERR_TRUNCATE,\n"
"                         IOERR_FSTAT, FULL, CANTOPEN)\n"
"  io:short-write@[T:]WHEN  the next write writes half, then fails with FULL\n"
"  io:full=SIZE[/DUR]@WHEN  writes past SIZE (KiB, MiB, GiB) fail with FULL\n"
"  T       wN, worker (the default), workers, maint\n"
"  Example: --nemesis 'kill:worker@every 200ms,pause:w1=500ms@2s'\n"
"\n"
"Commands (--store-cmd, --restore-cmd) run through /bin/sh -c, with {db}\n"
"and {output} replaced by single-quoted paths: write them bare, unquoted.\n"
"An empty SQLSTORM_*_CMD variable means none.\n"
"\n"
"Exit status: 0 pass, 1 fail or interrupted, 99 hard error (bad usage, setup).\n";

/* The accepted range in --help's terse form: "1..1024", "wal|delete". */
static void
range_short(const struct knob *k, char *buf, size_t cap)
{
	char lo[32], hi[32];
	size_t i, n = 0;

	buf[0] = '\0';
	switch (k->type) {
	case KNOB_DURATION:
		duration_format(k->min, lo, sizeof(lo));
		duration_format(k->max, hi, sizeof(hi));
		snprintf(buf, cap, " [%s..%s]", lo, hi);
		break;
	case KNOB_INT:
		snprintf(buf, cap, " [%" PRId64 "..%" PRId64 "]", k->min,
		    k->max);
		break;
	case KNOB_ENUM:
	case KNOB_NAME:
		for (i = 0; k->names[i] != NULL && n < cap; i++)
			n += (size_t)snprintf(buf + n, cap - n, "%s%s",
			    i == 0 ? " [" : "|", k->names[i]);
		if (n < cap)
			snprintf(buf + n, cap - n, "]");
		break;
	case KNOB_BOOL:
	case KNOB_PATH:
	case KNOB_FAULT:
	case KNOB_CMD:
	case KNOB_SPEC:
		break;
	}
}

static void
usage_knob(const struct knob *k, const struct config *def, FILE *fp)
{
	char head[96], env[NAME_MAX_LEN + 16], buf[64], range[128];
	const char *dflt;

	knob_env(k, env, sizeof(env));
	dflt = knob_text(def, (enum config_key)(k - knobs), buf, sizeof(buf));
	if (dflt == NULL)
		dflt = k->unset;
	if (k->meta != NULL)
		snprintf(head, sizeof(head), "--%s %s", k->flag, k->meta);
	else
		snprintf(head, sizeof(head), "--%s", k->flag);
	range_short(k, range, sizeof(range));
	fprintf(fp, "  %-25s %s (default: %s)\n", head, env, dflt);
	fprintf(fp, "      %s%s\n", k->help, range);
}

void
config_usage(FILE *fp)
{
	struct config def;
	size_t i;

	config_defaults(&def);
	fputs(usage_head, fp);
	for (i = 0; i < CONFIG_NKEYS; i++)
		usage_knob(&knobs[i], &def, fp);
	fputs(usage_tail, fp);
}

/* ------------------------------------------------------------ repro */

/* Append s to buf at *len, in single quotes if the shell needs them. */
static int
append_word(char *buf, size_t cap, size_t *len, const char *s)
{
	static const char safe[] = "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_@%+=:,./-";
	size_t need = (*len > 0) + strlen(s), i;
	int quote = *s == '\0' || strspn(s, safe) != strlen(s);

	if (quote)
		for (need += 2, i = 0; s[i] != '\0'; i++)
			need += s[i] == '\'' ? 3 : 0;
	if (*len + need + 1 > cap)
		return -1;
	if (*len > 0)
		buf[(*len)++] = ' ';
	if (quote)
		buf[(*len)++] = '\'';
	for (i = 0; s[i] != '\0'; i++) {
		/* A quote cannot be escaped inside quotes: close, \', reopen. */
		if (quote && s[i] == '\'') {
			memcpy(buf + *len, "'\\''", 4);
			*len += 4;
		} else
			buf[(*len)++] = s[i];
	}
	if (quote)
		buf[(*len)++] = '\'';
	buf[*len] = '\0';
	return 0;
}

int
config_repro(const struct config *cfg, const char *argv0, char *buf,
    size_t cap)
{
	char a[64], b[64], flag[NAME_MAX_LEN + 3];
	const char *now, *was;
	struct config def;
	size_t i, len = 0;

	if (cap == 0)
		return -1;
	buf[0] = '\0';
	config_defaults(&def);
	if (append_word(buf, cap, &len, argv0) == -1)
		goto fail;
	for (i = 0; i < CONFIG_NKEYS; i++) {
		now = knob_text(cfg, (enum config_key)i, a, sizeof(a));
		was = knob_text(&def, (enum config_key)i, b, sizeof(b));
		if (now == NULL || (was != NULL && strcmp(now, was) == 0))
			continue;
		/* A boolean reads best as a bare flag when it is on. */
		if (knobs[i].type == KNOB_BOOL) {
			snprintf(flag, sizeof(flag), "--%s%s", knobs[i].flag,
			    strcmp(now, "yes") == 0 ? "" : "=no");
			if (append_word(buf, cap, &len, flag) == -1)
				goto fail;
			continue;
		}
		snprintf(flag, sizeof(flag), "--%s", knobs[i].flag);
		if (append_word(buf, cap, &len, flag) == -1 ||
		    append_word(buf, cap, &len, now) == -1)
			goto fail;
	}
	return 0;
fail:
	buf[0] = '\0';
	return -1;
}
