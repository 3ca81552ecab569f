/* SPDX-License-Identifier: MIT */
/*
 * workload: the table of workloads, and looking one up by name.  Each
 * workload lives in a file of its own (workload-append.c, ...) and joins
 * here with one row.  Nothing here knows what a workload does.
 */
#include "autoconf.h"
#include "workload.h"

#include <stdio.h>
#include <string.h>

#include <sqlite3.h>

#include "config.h"

static const struct workload_entry {
	const char *name;
	const struct workload *wl;
} workload_table[] = {
#define WORKLOAD_ROW(name) { #name, &workload_##name },
	WORKLOAD_TABLE(WORKLOAD_ROW)
#undef WORKLOAD_ROW
};

const char *const workload_name_list[] = {
#define WORKLOAD_NAME(name) #name,
	WORKLOAD_TABLE(WORKLOAD_NAME)
#undef WORKLOAD_NAME
	NULL
};

#define WORKLOAD_N (sizeof workload_table / sizeof workload_table[0])

const struct workload *
workload_find(const char *name)
{
	size_t i;

	if (name == NULL || *name == '\0')
		return workload_default();
	for (i = 0; i < WORKLOAD_N; i++)
		if (strcmp(workload_table[i].name, name) == 0)
			return workload_table[i].wl;
	return NULL;
}

const struct workload *
workload_default(void)
{
	return workload_table[0].wl;
}

const struct workload *
workload_for(const struct config *cfg)
{
	const struct workload *wl = workload_find(cfg->workload);

	/* config only lets names of the table through. */
	return wl != NULL ? wl : workload_default();
}

const char *
workload_names(const char *sep, char *buf, size_t cap)
{
	size_t i, len;

	if (cap == 0)
		return buf;
	buf[0] = '\0';
	for (i = 0; i < WORKLOAD_N; i++) {
		len = strlen(buf);
		/* snprintf truncates: a cut-off list still ends in NUL. */
		(void)snprintf(buf + len, cap - len, "%s%s", i > 0 ? sep : "",
		    workload_table[i].name);
	}
	return buf;
}

int
workload_scalar(sqlite3 *db, const char *sql, int64_t p1, int64_t p2,
    int64_t *val, int *isnull)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);

	if (rc == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, p1);
		sqlite3_bind_int64(st, 2, p2);
		rc = sqlite3_step(st);
	}
	if (rc == SQLITE_ROW) {
		*val = sqlite3_column_int64(st, 0);
		if (isnull != NULL)
			*isnull = sqlite3_column_type(st, 0) == SQLITE_NULL;
		rc = SQLITE_OK;
	}
	sqlite3_finalize(st);
	return rc;
}
