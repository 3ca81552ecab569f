/* SPDX-License-Identifier: MIT */
/*
 * duration: parses and formats the durations of the command line and of
 * fault specs ("500ms", "2m", "0").  Parsing is strict (digits then one
 * unit, nothing else, no overflow); formatting picks the largest exact
 * unit, so the two round-trip.  It does not check ranges, read clocks or
 * know which knob a value belongs to.
 */
#include "autoconf.h"
#include "duration.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static const struct {
	const char	*name;
	int64_t		 ns;
} units[] = {
	/* Largest first, for formatting; "ns" divides everything. */
	{ "h", DURATION_H }, { "m", DURATION_M }, { "s", DURATION_S },
	{ "ms", DURATION_MS }, { "us", DURATION_US }, { "ns", 1 }
};

#define NUNITS	(sizeof(units) / sizeof(units[0]))

/* Decimal digits only, at least one; -1 on overflow. */
static int
scan_digits(const char *s, const char **end, uint64_t *out)
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

int
duration_parse(const char *s, int64_t *ns)
{
	const char *end;
	uint64_t v;
	size_t i;

	if (s == NULL || scan_digits(s, &end, &v) == -1)
		return -1;
	if (strcmp(s, "0") == 0) {
		*ns = 0;
		return 0;
	}
	for (i = 0; i < NUNITS; i++) {
		if (strcmp(end, units[i].name) != 0)
			continue;
		if (v > (uint64_t)(INT64_MAX / units[i].ns))
			return -1;
		*ns = (int64_t)v * units[i].ns;
		return 0;
	}
	return -1;
}

void
duration_format(int64_t ns, char *buf, size_t cap)
{
	size_t i;

	if (ns == 0) {
		snprintf(buf, cap, "0");
		return;
	}
	for (i = 0; i + 1 < NUNITS; i++)
		if (ns % units[i].ns == 0)
			break;
	snprintf(buf, cap, "%" PRId64 "%s", ns / units[i].ns, units[i].name);
}
