/* SPDX-License-Identifier: MIT */
/*
 * config: builds sqlstorm's configuration from three layers (defaults, then
 * SQLSTORM_* environment variables, then command-line flags) and parses
 * every value strictly: durations with units, integer ranges, enums and
 * booleans (case-insensitive), no signs, no trailing garbage, no overflow.
 * The first bad value stops parsing with one line naming the variable or
 * flag and what it accepts.  It also writes the --help text, the
 * --print-config listing and the reproduction command line.  It never reads
 * the process environment itself (the caller passes envp), never writes
 * to the disk and never exits.  The --fault spec is only checked here, by
 * fault_parse() and against deadline + grace; its meaning lives in
 * fault.c.  Shell commands (--store-cmd, --restore-cmd) are checked
 * without running them: placeholders are known and the program can be
 * found (the only file-system reads, stat and access); starting them and
 * expanding their placeholders is for the scenario, with
 * config_expand_command().
 */
#include "autoconf.h"
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fault.h"
#include "scenario-policy.h"
#include "util.h"

#define NS_US	INT64_C(1000)
#define NS_MS	INT64_C(1000000)
#define NS_S	INT64_C(1000000000)
#define NS_M	(60 * NS_S)
#define NS_H	(60 * NS_M)
#define NS_D	(24 * NS_H)

#define ENV_PREFIX	"SQLSTORM_"
#define NAME_MAX_LEN	64	/* longer names are never "close" to a knob */
#define SHOW_MAX	48	/* bytes of a bad value quoted in an error */
#define DEFAULT_PATH	"/usr/bin:/bin"	/* when envp has no PATH */
#define BLANKS		" \t\n"

enum knob_type {
	KNOB_DURATION, KNOB_INT, KNOB_SEED, KNOB_BOOL, KNOB_ENUM, KNOB_PATH,
	KNOB_FAULT, KNOB_CMD
};

struct knob {
	const char	*flag;	/* without the leading "--" */
	const char	*meta;	/* value placeholder in --help */
	enum knob_type	 type;
	int64_t		 min, max;
	const char *const *names;	/* KNOB_ENUM, NULL-terminated */
	const char	*unset;	/* how a NULL string or unset seed reads */
	const char	*help;
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

static const char *const bool_true[] = { "yes", "true", "1", "on", NULL };
static const char *const bool_false[] = { "no", "false", "0", "off", NULL };

/* Flags that are not knobs: they pick an action instead of a value. */
static const char *const action_flags[] = {
	"help", "version", "print-config", NULL
};

static const struct knob knobs[CONFIG_NKEYS] = {
	[CONFIG_DURATION] = { "duration", "DURATION", KNOB_DURATION,
	    NS_MS, 7 * NS_D, NULL, NULL,
	    "how long the workers insert" },
	[CONFIG_WORKERS] = { "workers", "N", KNOB_INT, 1, 1024, NULL, NULL,
	    "number of insert worker processes" },
	[CONFIG_INTERVAL] = { "interval", "DURATION", KNOB_DURATION,
	    0, NS_H, NULL, NULL,
	    "pause between a worker's transactions (0 = flat out)" },
	[CONFIG_BATCH] = { "batch", "N", KNOB_INT, 1, 100000, NULL, NULL,
	    "rows inserted per transaction" },
	[CONFIG_VALIDATE_EVERY] = { "validate-every", "DURATION",
	    KNOB_DURATION, 0, NS_H, NULL, NULL,
	    "snapshot and validate this often (0 = final check only)" },
	/* At 0 every child would be killed before it could exit. */
	[CONFIG_GRACE] = { "grace", "DURATION", KNOB_DURATION, 100 * NS_MS,
	    NS_H, NULL, NULL,
	    "time children get after the deadline before SIGTERM/SIGKILL" },
	[CONFIG_BUSY_TIMEOUT] = { "busy-timeout", "DURATION", KNOB_DURATION,
	    0, NS_H, NULL, NULL,
	    "how long a connection waits on a lock before SQLITE_BUSY" },
	[CONFIG_DB] = { "db", "PATH", KNOB_PATH, 0, 0, NULL,
	    "temporary directory",
	    "database file to create and test, instead of a fresh temp dir" },
	[CONFIG_KEEP] = { "keep", NULL, KNOB_BOOL, 0, 1, NULL, NULL,
	    "keep the run directory even when the run passes" },
	[CONFIG_JOURNAL] = { "journal", "MODE", KNOB_ENUM, 0, 0,
	    journal_names, NULL, "journal_mode" },
	[CONFIG_SYNC] = { "sync", "LEVEL", KNOB_ENUM, 0, 0, sync_names, NULL,
	    "synchronous setting" },
	[CONFIG_SEED] = { "seed", "N", KNOB_SEED, 0, INT64_MAX, NULL,
	    "random", "seed for the run's random choices" },
	[CONFIG_LATE_ERRORS] = { "late-errors", "POLICY", KNOB_ENUM, 0, 0,
	    late_names, NULL,
	    "severe late errors fail (strict) or not (ignore)" },
	[CONFIG_JSON] = { "json", "FILE", KNOB_PATH, 0, 0, NULL, "none",
	    "write a JSON report to FILE" },
	[CONFIG_JUNIT] = { "junit", "FILE", KNOB_PATH, 0, 0, NULL, "none",
	    "write a JUnit XML report to FILE" },
	[CONFIG_TAP] = { "tap", NULL, KNOB_BOOL, 0, 1, NULL, NULL,
	    "print TAP on stdout (for automake's tap-driver)" },
	[CONFIG_QUIET] = { "quiet", NULL, KNOB_BOOL, 0, 1, NULL, NULL,
	    "no summary or progress line" },
	[CONFIG_FAULT] = { "fault", "SPEC", KNOB_FAULT, 0, 0, NULL, "none",
	    "inject faults (grammar below)" },
	[CONFIG_REPEAT] = { "repeat", "N", KNOB_INT, 1, 1000000, NULL, "1",
	    "run the whole scenario N times" },
	[CONFIG_UNTIL_FAIL] = { "until-fail", NULL, KNOB_BOOL, 0, 1, NULL,
	    NULL, "repeat until a run fails (at most --repeat N times)" },
	[CONFIG_STORE_CMD] = { "store-cmd", "CMD", KNOB_CMD, 0, 0, NULL,
	    "none", "sidecar store process to run alongside ({db})" },
	[CONFIG_RESTORE_CMD] = { "restore-cmd", "CMD", KNOB_CMD, 0, 0, NULL,
	    "none", "restore a copy instead of snapshotting ({db}, {output})" },
	[CONFIG_RESTORE_TIMEOUT] = { "restore-timeout", "DURATION",
	    KNOB_DURATION, 100 * NS_MS, NS_H, NULL, NULL,
	    "how long one --restore-cmd may run" },
	[CONFIG_MAX_LAG] = { "max-lag", "DURATION", KNOB_DURATION, 0, NS_H,
	    NULL, NULL, "how far a restored copy may lag behind the ACKs" },
	[CONFIG_COVERAGE] = { "coverage", "POLICY", KNOB_ENUM, 0, 0,
	    coverage_names, NULL,
	    "an idle worker or no snapshot fails (strict) or not" },
	[CONFIG_VERBOSE] = { "verbose", NULL, KNOB_BOOL, 0, 1, NULL, NULL,
	    "every SQLite compile option in the summary" },
};

/* Words /bin/sh runs itself: a command starting with one needs no PATH. */
static const char *const sh_builtins[] = {
	/* Special builtins. */
	":", ".", "break", "continue", "eval", "exec", "exit", "export",
	"readonly", "return", "set", "shift", "times", "trap", "unset",
	/* Regular builtins of dash, bash and ksh. */
	"alias", "bg", "cd", "command", "echo", "false", "fc", "fg",
	"getopts", "hash", "jobs", "kill", "printf", "pwd", "read", "test",
	"[", "true", "type", "ulimit", "umask", "unalias", "wait",
	/* Reserved words. */
	"!", "{", "}", "case", "do", "done", "elif", "else", "esac", "fi",
	"for", "if", "in", "then", "until", "while",
	NULL
};

/*
 * Characters that make a first word mean something only a shell can tell
 * (quotes, expansions, globs, redirections, separators, comments).
 */
static const char sh_special[] = "'\"\\$`()*?[]{}~#;|&<>";

void
config_defaults(struct config *cfg)
{
	size_t i;

	memset(cfg, 0, sizeof(*cfg));
	cfg->duration_ns = 10 * NS_S;
	cfg->workers = 4;
	cfg->interval_ns = 10 * NS_MS;
	cfg->batch = 1;
	cfg->validate_every_ns = 500 * NS_MS;
	cfg->grace_ns = 10 * NS_S;
	cfg->busy_timeout_ns = 5 * NS_S;
	cfg->journal = CONFIG_JOURNAL_WAL;
	cfg->sync = CONFIG_SYNC_NORMAL;
	cfg->late_errors = LATE_STRICT;
	cfg->repeat = 1;
	cfg->restore_timeout_ns = 60 * NS_S;
	for (i = 0; i < CONFIG_NKEYS; i++)
		cfg->source[i] = CONFIG_SRC_DEFAULT;
}

void
config_free(struct config *cfg)
{
	free(cfg->db);
	free(cfg->json);
	free(cfg->junit);
	free(cfg->fault);
	free(cfg->store_cmd);
	free(cfg->restore_cmd);
	cfg->db = cfg->json = cfg->junit = cfg->fault = NULL;
	cfg->store_cmd = cfg->restore_cmd = NULL;
}

/* ------------------------------------------------------------ names */

static const char *
name_at(const char *const *names, int i, size_t n)
{
	if (i < 0 || (size_t)i >= n)
		return "?";
	return names[i];
}

const char *
config_journal_name(enum config_journal j)
{
	return name_at(journal_names, (int)j,
	    sizeof(journal_names) / sizeof(journal_names[0]) - 1);
}

const char *
config_sync_name(enum config_sync s)
{
	return name_at(sync_names, (int)s,
	    sizeof(sync_names) / sizeof(sync_names[0]) - 1);
}

const char *
config_late_name(enum late_policy p)
{
	return name_at(late_names, (int)p,
	    sizeof(late_names) / sizeof(late_names[0]) - 1);
}

const char *
config_coverage_name(enum config_coverage c)
{
	return name_at(coverage_names, (int)c,
	    sizeof(coverage_names) / sizeof(coverage_names[0]) - 1);
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

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static void
set_err(char *err, size_t errlen, const char *fmt, ...);

static void
set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/*
 * Copy a user's value for quoting in a message: control bytes would break
 * the one-line promise (an environment value may hold a newline), and a
 * huge value would drown the message, so both are tamed.
 */
static const char *
show(const char *s, char *buf, size_t cap)
{
	size_t i, n = 0;

	for (i = 0; s[i] != '\0' && n + 4 < cap && i < SHOW_MAX; i++)
		buf[n++] = iscntrl((unsigned char)s[i]) ? '?' : s[i];
	if (s[i] != '\0' && n + 4 <= cap) {
		memcpy(buf + n, "...", 3);
		n += 3;
	}
	buf[n] = '\0';
	return buf;
}

/* Decimal digits only (no sign, no space), at least one; no overflow. */
static int
scan_u64(const char *s, const char **end, uint64_t *out)
{
	uint64_t v = 0;
	const char *p;

	for (p = s; *p >= '0' && *p <= '9'; p++) {
		unsigned d = (unsigned)(*p - '0');

		if (v > (UINT64_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	if (p == s)
		return -1;
	*end = p;
	*out = v;
	return 0;
}

static int
parse_int(const char *s, int64_t *out)
{
	const char *end;
	uint64_t v;

	if (scan_u64(s, &end, &v) == -1 || *end != '\0' ||
	    v > (uint64_t)INT64_MAX)
		return -1;
	*out = (int64_t)v;
	return 0;
}

int
config_parse_duration(const char *s, int64_t *ns)
{
	static const struct { const char *name; int64_t mult; } units[] = {
		{ "ns", 1 }, { "us", NS_US }, { "ms", NS_MS },
		{ "s", NS_S }, { "m", NS_M }, { "h", NS_H }
	};
	const char *end;
	uint64_t v;
	size_t i;

	if (s == NULL || scan_u64(s, &end, &v) == -1)
		return -1;
	if (strcmp(s, "0") == 0) {
		*ns = 0;
		return 0;
	}
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcmp(end, units[i].name) != 0)
			continue;
		if (v > (uint64_t)(INT64_MAX / units[i].mult))
			return -1;
		*ns = (int64_t)v * units[i].mult;
		return 0;
	}
	return -1;
}

void
config_format_duration(int64_t ns, char *buf, size_t cap)
{
	static const struct { const char *name; int64_t div; } units[] = {
		{ "h", NS_H }, { "m", NS_M }, { "s", NS_S },
		{ "ms", NS_MS }, { "us", NS_US }, { "ns", 1 }
	};
	size_t i;

	if (ns == 0) {
		snprintf(buf, cap, "0");
		return;
	}
	/* The last unit, "ns", divides everything: stop there at the latest. */
	for (i = 0; i + 1 < sizeof(units) / sizeof(units[0]); i++)
		if (ns % units[i].div == 0)
			break;
	snprintf(buf, cap, "%" PRId64 "%s", ns / units[i].div, units[i].name);
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
		config_format_duration(k->min, lo, sizeof(lo));
		config_format_duration(k->max, hi, sizeof(hi));
		snprintf(buf, cap, "a duration from %s to %s "
		    "(units: ns, us, ms, s, m, h)", lo, hi);
		break;
	case KNOB_INT:
	case KNOB_SEED:
		snprintf(buf, cap, "an integer from %" PRId64 " to %" PRId64,
		    k->min, k->max);
		break;
	case KNOB_BOOL:
		snprintf(buf, cap, "a boolean (yes, no, true, false, 1, 0, "
		    "on, off)");
		break;
	case KNOB_ENUM:
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
	}
}

/*
 * Parse text for knob k into v (v->s is malloc'd for strings).  who names
 * the flag or variable in the error message.
 */
static int
knob_parse(const struct knob *k, const char *who, const char *text,
    struct knob_value *v, char *err, size_t errlen)
{
	char what[128], shown[SHOW_MAX + 8];
	int ok = 0;

	v->i = 0;
	v->s = NULL;
	switch (k->type) {
	case KNOB_DURATION:
		ok = config_parse_duration(text, &v->i) == 0 &&
		    v->i >= k->min && v->i <= k->max;
		break;
	case KNOB_INT:
	case KNOB_SEED:
		ok = parse_int(text, &v->i) == 0 &&
		    v->i >= k->min && v->i <= k->max;
		break;
	case KNOB_BOOL:
		ok = parse_bool(text, &v->i) == 0;
		break;
	case KNOB_ENUM:
		ok = (v->i = lookup(k->names, text)) >= 0;
		break;
	case KNOB_PATH:
		if (*text == '\0') {
			set_err(err, errlen, "%s: the path must not be empty",
			    who);
			return -1;
		}
		/* FALLTHROUGH */
	case KNOB_FAULT:
		/* An empty fault spec means "no faults", as in fault.h. */
		if (*text != '\0' && (v->s = strdup(text)) == NULL) {
			set_err(err, errlen, "%s: out of memory", who);
			return -1;
		}
		ok = 1;
		break;
	case KNOB_CMD:
		/* What it runs is checked after all layers (check_commands). */
		if (text[strspn(text, BLANKS)] == '\0') {
			set_err(err, errlen, "%s: the command must not be "
			    "empty", who);
			return -1;
		}
		if ((v->s = strdup(text)) == NULL) {
			set_err(err, errlen, "%s: out of memory", who);
			return -1;
		}
		ok = 1;
		break;
	}
	if (ok)
		return 0;
	describe(k, what, sizeof(what));
	set_err(err, errlen, "%s: '%s' is not %s", who,
	    show(text, shown, sizeof(shown)), what);
	return -1;
}

static void
store_string(char **slot, char *s)
{
	free(*slot);
	*slot = s;
}

/* Store a parsed value; takes ownership of v->s. */
static void
knob_store(struct config *cfg, enum config_key key,
    const struct knob_value *v, enum config_source src)
{
	switch (key) {
	case CONFIG_DURATION: cfg->duration_ns = v->i; break;
	case CONFIG_WORKERS: cfg->workers = (int)v->i; break;
	case CONFIG_INTERVAL: cfg->interval_ns = v->i; break;
	case CONFIG_BATCH: cfg->batch = (int)v->i; break;
	case CONFIG_VALIDATE_EVERY: cfg->validate_every_ns = v->i; break;
	case CONFIG_GRACE: cfg->grace_ns = v->i; break;
	case CONFIG_BUSY_TIMEOUT: cfg->busy_timeout_ns = v->i; break;
	case CONFIG_DB: store_string(&cfg->db, v->s); break;
	case CONFIG_KEEP: cfg->keep = (int)v->i; break;
	case CONFIG_JOURNAL: cfg->journal = (enum config_journal)v->i; break;
	case CONFIG_SYNC: cfg->sync = (enum config_sync)v->i; break;
	case CONFIG_SEED:
		cfg->seed = (uint64_t)v->i;
		cfg->seed_set = 1;
		break;
	case CONFIG_LATE_ERRORS:
		cfg->late_errors = (enum late_policy)v->i;
		break;
	case CONFIG_JSON: store_string(&cfg->json, v->s); break;
	case CONFIG_JUNIT: store_string(&cfg->junit, v->s); break;
	case CONFIG_TAP: cfg->tap = (int)v->i; break;
	case CONFIG_QUIET: cfg->quiet = (int)v->i; break;
	case CONFIG_FAULT: store_string(&cfg->fault, v->s); break;
	case CONFIG_REPEAT:
		cfg->repeat = (int)v->i;
		cfg->repeat_set = 1;
		break;
	case CONFIG_UNTIL_FAIL: cfg->until_fail = (int)v->i; break;
	case CONFIG_STORE_CMD: store_string(&cfg->store_cmd, v->s); break;
	case CONFIG_RESTORE_CMD: store_string(&cfg->restore_cmd, v->s); break;
	case CONFIG_RESTORE_TIMEOUT: cfg->restore_timeout_ns = v->i; break;
	case CONFIG_MAX_LAG: cfg->max_lag_ns = v->i; break;
	case CONFIG_COVERAGE:
		cfg->coverage = (enum config_coverage)v->i;
		break;
	case CONFIG_VERBOSE: cfg->verbose = (int)v->i; break;
	case CONFIG_NKEYS: break;
	}
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
	switch (key) {
	case CONFIG_DURATION:
		config_format_duration(cfg->duration_ns, buf, cap); break;
	case CONFIG_WORKERS: snprintf(buf, cap, "%d", cfg->workers); break;
	case CONFIG_INTERVAL:
		config_format_duration(cfg->interval_ns, buf, cap); break;
	case CONFIG_BATCH: snprintf(buf, cap, "%d", cfg->batch); break;
	case CONFIG_VALIDATE_EVERY:
		config_format_duration(cfg->validate_every_ns, buf, cap);
		break;
	case CONFIG_GRACE:
		config_format_duration(cfg->grace_ns, buf, cap); break;
	case CONFIG_BUSY_TIMEOUT:
		config_format_duration(cfg->busy_timeout_ns, buf, cap); break;
	case CONFIG_DB: return cfg->db;
	case CONFIG_KEEP: return cfg->keep ? "yes" : "no";
	case CONFIG_JOURNAL: return config_journal_name(cfg->journal);
	case CONFIG_SYNC: return config_sync_name(cfg->sync);
	case CONFIG_SEED:
		if (!cfg->seed_set)
			return NULL;
		snprintf(buf, cap, "%" PRIu64, cfg->seed);
		break;
	case CONFIG_LATE_ERRORS: return config_late_name(cfg->late_errors);
	case CONFIG_JSON: return cfg->json;
	case CONFIG_JUNIT: return cfg->junit;
	case CONFIG_TAP: return cfg->tap ? "yes" : "no";
	case CONFIG_QUIET: return cfg->quiet ? "yes" : "no";
	case CONFIG_FAULT: return cfg->fault;
	case CONFIG_REPEAT:
		/* Unset reads apart from 1: with --until-fail it means no cap. */
		if (!cfg->repeat_set)
			return NULL;
		snprintf(buf, cap, "%d", cfg->repeat);
		break;
	case CONFIG_UNTIL_FAIL: return cfg->until_fail ? "yes" : "no";
	case CONFIG_STORE_CMD: return cfg->store_cmd;
	case CONFIG_RESTORE_CMD: return cfg->restore_cmd;
	case CONFIG_RESTORE_TIMEOUT:
		config_format_duration(cfg->restore_timeout_ns, buf, cap);
		break;
	case CONFIG_MAX_LAG:
		config_format_duration(cfg->max_lag_ns, buf, cap); break;
	case CONFIG_COVERAGE: return config_coverage_name(cfg->coverage);
	case CONFIG_VERBOSE: return cfg->verbose ? "yes" : "no";
	case CONFIG_NKEYS: return NULL;
	}
	return buf;
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
		if (env_is_known(*envp, len))
			continue;
		hint[0] = '\0';
		if (len < sizeof(name)) {
			memcpy(name, *envp, len);
			name[len] = '\0';
			suggest_env(name, hint, sizeof(hint));
		} else
			util_strlcpy(name, *envp, sizeof(name));
		show(name, shown, sizeof(shown));
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
	char shown[SHOW_MAX + 8];
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
	show(arg, shown, sizeof(shown));
	if (hint[0] != '\0')
		set_err(err, errlen, "unknown option '%s' (did you mean "
		    "--%s?)", shown, hint);
	else
		set_err(err, errlen, "unknown option '%s' (see --help)",
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
	else if (*i + 1 < argc)
		text = argv[++*i];
	else {
		describe(&knobs[key], what, sizeof(what));
		set_err(err, errlen, "%s: missing value (%s)", who, what);
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
	char shown[SHOW_MAX + 8];
	int key = -1;

	if (prev != NULL && strncmp(prev, "--", 2) == 0 &&
	    strchr(prev, '=') == NULL)
		key = find_knob(prev + 2, strlen(prev + 2));
	show(arg, shown, sizeof(shown));
	if (key >= 0 && knobs[key].type == KNOB_BOOL)
		set_err(err, errlen, "unexpected argument '%s' (a boolean "
		    "takes its value as --%s=VALUE)", shown, knobs[key].flag);
	else
		set_err(err, errlen, "unexpected argument '%s' (sqlstorm "
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

/* ------------------------------------------------------------ commands */

/*
 * The length of the placeholder that starts at s[i] ("{db}" is 4), or 0 if
 * none does.  A placeholder is a name in braces; "${name}" is the shell's
 * own expansion and "{}" or "{ print }" are plain shell text.
 */
static size_t
placeholder_len(const char *s, size_t i)
{
	size_t n;

	if (s[i] != '{' || (i > 0 && s[i - 1] == '$'))
		return 0;
	if (!isalpha((unsigned char)s[i + 1]) && s[i + 1] != '_')
		return 0;
	for (n = 2; isalnum((unsigned char)s[i + n]) || s[i + n] == '_'; n++)
		continue;
	return s[i + n] == '}' ? n + 1 : 0;
}

static int
is_placeholder(const char *s, size_t len, const char *name)
{
	return strlen(name) == len && strncmp(s, name, len) == 0;
}

static int
has_placeholder(const char *cmd, const char *name)
{
	size_t i, len;

	for (i = 0; cmd[i] != '\0'; i++)
		if ((len = placeholder_len(cmd, i)) > 0 &&
		    is_placeholder(cmd + i, len, name))
			return 1;
	return 0;
}

static int
check_placeholders(const char *cmd, char *err, size_t errlen)
{
	char name[SHOW_MAX + 8], shown[SHOW_MAX + 8];
	size_t i, len;

	for (i = 0; cmd[i] != '\0'; i++) {
		if ((len = placeholder_len(cmd, i)) == 0 ||
		    is_placeholder(cmd + i, len, "{db}") ||
		    is_placeholder(cmd + i, len, "{output}"))
			continue;
		util_strlcpy(name, cmd + i, len + 1 < sizeof(name) ?
		    len + 1 : sizeof(name));
		set_err(err, errlen, "unknown placeholder %s (the "
		    "placeholders are {db} and {output})",
		    show(name, shown, sizeof(shown)));
		return -1;
	}
	return 0;
}

/* NAME=value: a shell assignment that precedes the command word. */
static int
is_assignment(const char *word)
{
	size_t n;

	if (!isalpha((unsigned char)word[0]) && word[0] != '_')
		return 0;
	for (n = 1; isalnum((unsigned char)word[n]) || word[n] == '_'; n++)
		continue;
	return word[n] == '=';
}

/* Case matters here: "EXEC" is a program name to the shell. */
static int
is_builtin(const char *word)
{
	size_t i;

	for (i = 0; sh_builtins[i] != NULL; i++)
		if (strcmp(sh_builtins[i], word) == 0)
			return 1;
	return 0;
}

/*
 * Copy the word of cmd that names the program into a malloc'd *word, or
 * set *word to NULL when there is nothing a shell-less check can judge:
 * a builtin or keyword, quotes or expansions, or assignments alone.
 * Returns 0, or -1 when out of memory.
 */
static int
command_word(const char *cmd, char **word)
{
	const char *p = cmd;
	size_t len;
	char *w;

	*word = NULL;
	for (;;) {
		p += strspn(p, BLANKS);
		if ((len = strcspn(p, BLANKS)) == 0)
			return 0;
		if ((w = malloc(len + 1)) == NULL)
			return -1;
		memcpy(w, p, len);
		w[len] = '\0';
		if (is_builtin(w) || strpbrk(w, sh_special) != NULL) {
			free(w);
			return 0;
		}
		if (!is_assignment(w)) {
			*word = w;
			return 0;
		}
		free(w);
		p += len;
	}
}

/* 0 if path is a file we may execute, else -1 with errno. */
static int
check_executable(const char *path)
{
	struct stat st;

	if (stat(path, &st) == -1)
		return -1;
	if (S_ISDIR(st.st_mode)) {
		errno = EISDIR;
		return -1;
	}
	return access(path, X_OK);
}

/* Look for word in each directory of path; an empty entry means ".". */
static int
find_in_path(const char *word, const char *path)
{
	const char *dir = path;
	size_t len;
	char *full;
	int found = 0;

	for (;;) {
		len = strcspn(dir, ":");
		if ((full = malloc(len + strlen(word) + 3)) == NULL)
			return -1;
		if (len == 0)
			snprintf(full, len + strlen(word) + 3, "./%s", word);
		else
			snprintf(full, len + strlen(word) + 3, "%.*s/%s",
			    (int)len, dir, word);
		found = check_executable(full) == 0;
		free(full);
		if (found || dir[len] == '\0')
			break;
		dir += len + 1;
	}
	return found;
}

int
config_check_command(const char *cmd, char **envp, char *err, size_t errlen)
{
	char shown[SHOW_MAX + 8], *word = NULL;
	const char *path;
	int rc = -1, found;

	if (cmd == NULL || cmd[strspn(cmd, BLANKS)] == '\0') {
		set_err(err, errlen, "the command must not be empty");
		return -1;
	}
	if (check_placeholders(cmd, err, errlen) == -1)
		return -1;
	if (command_word(cmd, &word) == -1) {
		set_err(err, errlen, "out of memory");
		return -1;
	}
	if (word == NULL)
		return 0;
	show(word, shown, sizeof(shown));
	if (strchr(word, '/') != NULL) {
		if (check_executable(word) == 0)
			rc = 0;
		else
			set_err(err, errlen, "cannot run '%s': %s", shown,
			    strerror(errno));
		goto done;
	}
	if ((path = env_find(envp, "PATH")) == NULL)
		path = DEFAULT_PATH;
	if ((found = find_in_path(word, path)) == 1)
		rc = 0;
	else if (found == -1)
		set_err(err, errlen, "out of memory");
	else
		set_err(err, errlen, "cannot run '%s': not found in PATH",
		    shown);
done:
	free(word);
	return rc;
}

/*
 * Append cmd with placeholders expanded to out (when not NULL) and return
 * the length of the result, so one pass measures and the next writes.
 */
static size_t
expand(const char *cmd, const char *db, const char *output, char *out)
{
	const char *val;
	size_t i, j, len, n = 0;

	for (i = 0; cmd[i] != '\0'; i += len) {
		len = placeholder_len(cmd, i);
		val = NULL;
		if (len > 0 && is_placeholder(cmd + i, len, "{db}"))
			val = db;
		else if (len > 0 && is_placeholder(cmd + i, len, "{output}"))
			val = output;
		if (val == NULL) {
			len = len > 0 ? len : 1;
			if (out != NULL)
				memcpy(out + n, cmd + i, len);
			n += len;
			continue;
		}
		if (out != NULL)
			out[n] = '\'';
		n++;
		for (j = 0; val[j] != '\0'; j++) {
			/* A quote cannot be escaped inside quotes. */
			if (val[j] == '\'') {
				if (out != NULL)
					memcpy(out + n, "'\\''", 4);
				n += 4;
			} else {
				if (out != NULL)
					out[n] = val[j];
				n++;
			}
		}
		if (out != NULL)
			out[n] = '\'';
		n++;
	}
	if (out != NULL)
		out[n] = '\0';
	return n;
}

char *
config_expand_command(const char *cmd, const char *db, const char *output)
{
	char *out;

	if ((out = malloc(expand(cmd, db, output, NULL) + 1)) == NULL)
		return NULL;
	expand(cmd, db, output, out);
	return out;
}

/* ------------------------------------------------------------ after layers */

/* The flag or variable that set key, for errors found after all layers. */
static void
knob_who(const struct config *cfg, enum config_key key, char *buf,
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
	char item[SHOW_MAX + 8], shown[SHOW_MAX + 8], at[32], end[32];
	int64_t limit = cfg->duration_ns + cfg->grace_ns, when;
	size_t i;

	for (i = 0; i < list->n; i++) {
		when = fault_when(&list->v[i], 0, cfg->duration_ns);
		if (when >= 0 && when < limit)
			continue;
		fault_item(cfg->fault, i, item, sizeof(item));
		if (when < 0) {
			/* deadline-5s in a 1s run: before anything started. */
			config_format_duration(-when, at, sizeof(at));
			set_err(ferr, ferrlen, "fault '%s' is due %s before "
			    "the start: it could never happen",
			    show(item, shown, sizeof(shown)), at);
			return -1;
		}
		config_format_duration(when, at, sizeof(at));
		config_format_duration(limit, end, sizeof(end));
		if (when == INT64_MAX)
			util_strlcpy(at, "ages", sizeof(at));
		set_err(ferr, ferrlen, "fault '%s' is due %s after the start, "
		    "not before deadline + grace (%s), when every child is "
		    "stopped: it could never happen",
		    show(item, shown, sizeof(shown)), at, end);
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
		fault_free(&list);
		if (rc == 0)
			return 0;
	}
	knob_who(cfg, CONFIG_FAULT, who, sizeof(who));
	set_err(err, errlen, "%s: %s", who,
	    ferr[0] != '\0' ? ferr : "invalid fault spec (see --help)");
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
	char shown[SHOW_MAX + 8];

	if (cfg->json == NULL || cfg->junit == NULL ||
	    strcmp(cfg->json, cfg->junit) != 0)
		return 0;
	knob_who(cfg, CONFIG_JSON, json, sizeof(json));
	knob_who(cfg, CONFIG_JUNIT, junit, sizeof(junit));
	set_err(err, errlen, "%s: '%s' is also the %s report; each report "
	    "needs a file of its own", junit,
	    show(cfg->junit, shown, sizeof(shown)), json);
	return -1;
}

/*
 * A command is checked once its final value is known, against the PATH of
 * envp.  A restore command must say where the copy goes; that is checked
 * before the program is looked for, since it is a typo the user can fix
 * on any machine.
 */
static int
check_command(const struct config *cfg, enum config_key key,
    const char *cmd, char **envp, char *err, size_t errlen)
{
	char cerr[CONFIG_ERR_MAX], who[NAME_MAX_LEN + 16];
	char shown[SHOW_MAX + 8];

	if (cmd == NULL)
		return 0;
	knob_who(cfg, key, who, sizeof(who));
	cerr[0] = '\0';
	if (check_placeholders(cmd, cerr, sizeof(cerr)) == 0 &&
	    key == CONFIG_RESTORE_CMD && !has_placeholder(cmd, "{output}")) {
		set_err(err, errlen, "%s: '%s' has no {output} placeholder "
		    "(the validator needs to know where the copy goes)", who,
		    show(cmd, shown, sizeof(shown)));
		return -1;
	}
	if (cerr[0] == '\0' && config_check_command(cmd, envp, cerr,
	    sizeof(cerr)) == 0)
		return 0;
	set_err(err, errlen, "%s: %s", who, cerr);
	return -1;
}

int
config_parse(struct config *cfg, int argc, char **argv, char **envp,
    enum config_action *action, FILE *warn, char *err, size_t errlen)
{
	unsigned char empty[CONFIG_NKEYS];

	set_err(err, errlen, "%s", "");
	*action = CONFIG_RUN;
	if (apply_env(cfg, envp, warn, empty, err, errlen) == -1)
		return -1;
	if (apply_flags(cfg, argc, argv, action, err, errlen) == -1)
		return -1;
	if (*action == CONFIG_HELP || *action == CONFIG_VERSION)
		return 0;
	if (check_empty_env(cfg, empty, err, errlen) == -1 ||
	    check_fault(cfg, err, errlen) == -1 ||
	    check_reports(cfg, err, errlen) == -1 ||
	    check_command(cfg, CONFIG_STORE_CMD, cfg->store_cmd, envp, err,
	    errlen) == -1 ||
	    check_command(cfg, CONFIG_RESTORE_CMD, cfg->restore_cmd, envp, err,
	    errlen) == -1)
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
"  CHILD   wN (worker N) or validator\n"
"  ACTION  crash | abort | exit | exit=N | hang | error=CODE | garbage"
" | droprow\n"
"  TIME    a duration from the start (500ms), or deadline, deadline-50ms,\n"
"          deadline+20ms\n"
"  /deferred holds an error's record back until the child saw shutdown.\n"
"  Example: --fault w0:crash@500ms,validator:hang@deadline\n"
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
		config_format_duration(k->min, lo, sizeof(lo));
		config_format_duration(k->max, hi, sizeof(hi));
		snprintf(buf, cap, " [%s..%s]", lo, hi);
		break;
	case KNOB_INT:
	case KNOB_SEED:
		snprintf(buf, cap, " [%" PRId64 "..%" PRId64 "]", k->min,
		    k->max);
		break;
	case KNOB_ENUM:
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
