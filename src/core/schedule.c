/* SPDX-License-Identifier: MIT */
/*
 * schedule: parses and formats the "when" of a scheduled action ("2s",
 * "every 500ms") and splits a spec into its ITEM@WHEN items.  Offsets are
 * from the run's start; nothing here reads a clock or knows what the
 * items mean (schedule.h).
 */
#include "autoconf.h"
#include "schedule.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "duration.h"

#define SCHEDULE_EVERY "every "

int
schedule_parse(const char *when, struct schedule *s, char *err,
    size_t errlen)
{
	size_t n = strlen(SCHEDULE_EVERY);
	int every = strncmp(when, SCHEDULE_EVERY, n) == 0;
	const char *d = every ? when + n : when;
	int64_t ns;

	if (duration_parse(d, &ns) < 0) {
		snprintf(err, errlen, "'%s' is not a time: write a duration "
		    "such as 2s, or every 500ms", when);
		return -1;
	}
	if (ns == 0) {
		snprintf(err, errlen, "'%s': %s", when, every ?
		    "a period must be longer than 0" :
		    "the time must be after the start (> 0)");
		return -1;
	}
	s->first_ns = ns;
	s->every_ns = every ? ns : 0;
	return 0;
}

int64_t
schedule_next(const struct schedule *s, int64_t after_ns)
{
	int64_t k;

	if (after_ns < s->first_ns)
		return s->first_ns;
	if (s->every_ns == 0)
		return -1;
	k = (after_ns - s->first_ns) / s->every_ns + 1;
	if (k > (INT64_MAX - s->first_ns) / s->every_ns)
		return -1;
	return s->first_ns + k * s->every_ns;
}

uint64_t
schedule_count(const struct schedule *s, int64_t end_ns)
{
	if (end_ns <= s->first_ns)
		return 0;
	if (s->every_ns == 0)
		return 1;
	return (uint64_t)((end_ns - s->first_ns - 1) / s->every_ns) + 1;
}

void
schedule_format(const struct schedule *s, char *buf, size_t cap)
{
	char d[32];

	duration_format(s->every_ns != 0 ? s->every_ns : s->first_ns, d,
	    sizeof d);
	snprintf(buf, cap, "%s%s", s->every_ns != 0 ? SCHEDULE_EVERY : "", d);
}

/* One item: split at its last '@' and hand it on. */
static int
schedule_item(char *item,
    int (*fn)(void *, char *, const char *, char *, size_t), void *user,
    char *err, size_t errlen)
{
	char *at = strrchr(item, '@');

	if (*item == '\0') {
		snprintf(err, errlen, "an empty item (two commas, or a comma "
		    "at an end)");
		return -1;
	}
	if (at == NULL || at == item || at[1] == '\0') {
		snprintf(err, errlen, "'%s' is not ITEM@WHEN (e.g. "
		    "vacuum@every 5s)", item);
		return -1;
	}
	*at = '\0';
	return fn(user, item, at + 1, err, errlen);
}

int
schedule_split(const char *spec,
    int (*fn)(void *user, char *head, const char *when, char *err,
        size_t errlen),
    void *user, char *err, size_t errlen)
{
	char *copy, *p, *comma;
	int rc = 0;

	if (spec == NULL || *spec == '\0') {
		snprintf(err, errlen, "the spec is empty");
		return -1;
	}
	if ((copy = strdup(spec)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (p = copy; rc == 0; p = comma + 1) {
		comma = strchr(p, ',');
		if (comma != NULL)
			*comma = '\0';
		rc = schedule_item(p, fn, user, err, errlen);
		if (comma == NULL)
			break;
	}
	free(copy);
	return rc;
}
