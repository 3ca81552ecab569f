/* SPDX-License-Identifier: MIT */
/*
 * scenario-policy: the SQLite scenario's answers to the generic core's
 * questions.  Which error codes shutdown makes normal (a late BUSY,
 * LOCKED, INTERRUPT or ABORT), what each primary result code is called,
 * and which words a --fault spec may use beyond the generic ones.  The
 * supervisor, classify and fault modules never include <sqlite3.h>; they
 * get these tables through sup_options.codes and fault_parse().  Nothing
 * here reads a clock or does I/O.
 */
#include "autoconf.h"
#include "scenario-policy.h"

#include <stddef.h>
#include <strings.h>

#include <sqlite3.h>

#include "util.h"

static const struct {
	int         code;
	const char *name;
} scenario_code_names[] = {
	{ SQLITE_OK, "OK" }, { SQLITE_ERROR, "ERROR" },
	{ SQLITE_INTERNAL, "INTERNAL" }, { SQLITE_PERM, "PERM" },
	{ SQLITE_ABORT, "ABORT" }, { SQLITE_BUSY, "BUSY" },
	{ SQLITE_LOCKED, "LOCKED" }, { SQLITE_NOMEM, "NOMEM" },
	{ SQLITE_READONLY, "READONLY" }, { SQLITE_INTERRUPT, "INTERRUPT" },
	{ SQLITE_IOERR, "IOERR" }, { SQLITE_CORRUPT, "CORRUPT" },
	{ SQLITE_NOTFOUND, "NOTFOUND" }, { SQLITE_FULL, "FULL" },
	{ SQLITE_CANTOPEN, "CANTOPEN" }, { SQLITE_PROTOCOL, "PROTOCOL" },
	{ SQLITE_EMPTY, "EMPTY" }, { SQLITE_SCHEMA, "SCHEMA" },
	{ SQLITE_TOOBIG, "TOOBIG" }, { SQLITE_CONSTRAINT, "CONSTRAINT" },
	{ SQLITE_MISMATCH, "MISMATCH" }, { SQLITE_MISUSE, "MISUSE" },
	{ SQLITE_NOLFS, "NOLFS" }, { SQLITE_AUTH, "AUTH" },
	{ SQLITE_FORMAT, "FORMAT" }, { SQLITE_RANGE, "RANGE" },
	{ SQLITE_NOTADB, "NOTADB" }, { SQLITE_NOTICE, "NOTICE" },
	{ SQLITE_WARNING, "WARNING" }, { SQLITE_ROW, "ROW" },
	{ SQLITE_DONE, "DONE" },
};

#define SCENARIO_NCODES \
	(sizeof scenario_code_names / sizeof scenario_code_names[0])

int
scenario_code_benign(int code)
{
	switch (code & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
	case SQLITE_INTERRUPT:
	case SQLITE_ABORT:
		return 1;
	default:
		return 0;
	}
}

const char *
scenario_code_name(int code)
{
	size_t i;

	for (i = 0; i < SCENARIO_NCODES; i++)
		if (scenario_code_names[i].code == code)
			return scenario_code_names[i].name;
	return NULL;
}

/* An extended code (BUSY_SNAPSHOT, 517) is named by its primary part. */
static const char *
scenario_primary_name(int code)
{
	return code < 0 ? NULL : scenario_code_name(code & 0xff);
}

static int
scenario_small_decimal(const char *s)
{
	unsigned long v;

	return util_parse_uint(s, 255, &v) == 0 ? (int)v : -1;
}

int
scenario_code_from_name(const char *name)
{
	size_t i;

	if (name == NULL)
		return -1;
	if (*name >= '0' && *name <= '9')
		return scenario_small_decimal(name);
	if (strncasecmp(name, "SQLITE_", 7) == 0)
		name += 7;
	for (i = 0; i < SCENARIO_NCODES; i++)
		if (strcasecmp(scenario_code_names[i].name, name) == 0)
			return scenario_code_names[i].code;
	return -1;
}

/* OK, ROW and DONE are success codes: a child could not report them. */
static const char *
scenario_code_refused(int code)
{
	if (code == SQLITE_OK || code == SQLITE_ROW || code == SQLITE_DONE)
		return "OK, ROW and DONE are success codes";
	return NULL;
}

const struct classify_policy scenario_codes = {
	scenario_code_benign, scenario_primary_name, scenario_code_from_name
};

static const struct fault_target scenario_fault_targets[] = {
	{ "validator", SCENARIO_VALIDATOR },
	{ "maint", SCENARIO_MAINT },
};

static const struct fault_extra scenario_fault_extras[] = {
	/* The ledger's canary: deleted while the worker runs. */
	{ "droprow", SCENARIO_FAULT_DROPROW, 1, 1 },
};

const struct fault_vocab scenario_faults = {
	scenario_fault_targets,
	sizeof scenario_fault_targets / sizeof scenario_fault_targets[0],
	scenario_fault_extras, 1,
	&scenario_codes,
	"a SQLite primary result code such as BUSY, SQLITE_IOERR or 5",
	scenario_code_refused,
};
