/* SPDX-License-Identifier: MIT */
/*
 * duration: the one spelling of a length of time that sqlstorm reads and
 * writes, "500ms", "10s", "0": a decimal integer and a unit (ns, us, ms,
 * s, m, h).  It parses strictly and formats with the largest exact unit,
 * so what it prints reads back to the same value.  It knows nothing of
 * knobs, ranges or clocks: config.c checks bounds, fault.c adds signs and
 * "deadline", the reports only print.
 */
#ifndef SQLSTORM_DURATION_H
#define SQLSTORM_DURATION_H

#include <stddef.h>
#include <stdint.h>

#define DURATION_US	INT64_C(1000)
#define DURATION_MS	INT64_C(1000000)
#define DURATION_S	INT64_C(1000000000)
#define DURATION_M	(60 * DURATION_S)
#define DURATION_H	(60 * DURATION_M)
#define DURATION_D	(24 * DURATION_H)

/*
 * Parse a duration: a decimal integer (digits only: no sign, no space)
 * followed by ns, us, ms, s, m or h; "0" alone is allowed.  Returns 0 with
 * *ns set, or -1 on bad syntax or overflow, leaving *ns alone.  No range
 * check.
 */
int duration_parse(const char *s, int64_t *ns);

/*
 * Format ns with the largest unit that divides it exactly ("1500ms", "2s",
 * "0"; a negative value keeps its sign) into buf, truncated to cap.
 */
void duration_format(int64_t ns, char *buf, size_t cap);

#endif
