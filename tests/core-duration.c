/* SPDX-License-Identifier: MIT */
/*
 * core-duration: config_parse_duration() for tests/check_core alone,
 * until durations get a module of their own (issue 11, item 5).  fault.c
 * reads TIME with it, and config.c, where it lives today, is the command
 * line, not the core.  When the duration module lands, tests/check_core
 * links it instead and this file goes.  Same grammar: a decimal number
 * and one unit of ns, us, ms, s, m, h, or a bare "0".
 */
#include "autoconf.h"
#include "config.h"

#include <stdint.h>
#include <string.h>

int
config_parse_duration(const char *s, int64_t *ns)
{
	static const struct { const char *name; int64_t mult; } units[] = {
		{ "ns", 1 }, { "us", INT64_C(1000) }, { "ms", INT64_C(1000000) },
		{ "s", INT64_C(1000000000) }, { "m", INT64_C(60000000000) },
		{ "h", INT64_C(3600000000000) }
	};
	uint64_t v = 0;
	const char *p;
	size_t i;

	if (s == NULL)
		return -1;
	for (p = s; *p >= '0' && *p <= '9'; p++) {
		if (v > (UINT64_MAX - (uint64_t)(*p - '0')) / 10)
			return -1;
		v = v * 10 + (uint64_t)(*p - '0');
	}
	if (p == s)
		return -1;
	if (strcmp(s, "0") == 0) {
		*ns = 0;
		return 0;
	}
	for (i = 0; i < sizeof units / sizeof units[0]; i++) {
		if (strcmp(p, units[i].name) != 0)
			continue;
		if (v > (uint64_t)(INT64_MAX / units[i].mult))
			return -1;
		*ns = (int64_t)v * units[i].mult;
		return 0;
	}
	return -1;
}
