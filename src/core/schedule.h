/* SPDX-License-Identifier: MIT */
/*
 * schedule: the "when" of a scheduled action, shared by every spec that
 * runs something on a clock (--maintain, --nemesis): "2s" (once, 2 s
 * after the start) or "every 500ms" (at 500 ms, 1 s, 1.5 s, ... after the
 * start), and the splitting of a spec "ITEM@WHEN,ITEM@WHEN" into its
 * items.  It parses and answers "when"; it knows no action, no target and
 * no clock: offsets are from the run's start, the caller adds the start.
 */
#ifndef SQLSTORM_SCHEDULE_H
#define SQLSTORM_SCHEDULE_H

#include <stddef.h>
#include <stdint.h>

struct schedule {
	int64_t first_ns;   /* first occurrence, from the start (> 0) */
	int64_t every_ns;   /* 0: once; else the period (> 0) */
};

/*
 * Parse when ("2s", "every 500ms"; one space after "every") into *s.
 * A time or period of 0 is refused (it would fire before anything ran,
 * or without end).  Returns 0, or -1 with a one-line message in err.
 */
int schedule_parse(const char *when, struct schedule *s, char *err,
    size_t errlen);

/*
 * The first occurrence strictly after offset after_ns (from the start),
 * or -1 if there is none (a one-off already past).
 */
int64_t schedule_next(const struct schedule *s, int64_t after_ns);

/*
 * How many occurrences fall strictly before offset end_ns (the deadline):
 * how many times the action is due in a run of that length.
 */
uint64_t schedule_count(const struct schedule *s, int64_t end_ns);

/* Write the schedule as it parses ("every 500ms", "2s") into buf. */
void schedule_format(const struct schedule *s, char *buf, size_t cap);

/*
 * Split spec at commas into items, and each item at its last '@' into
 * the head (before) and the when (after): calls fn(user, head, when) for
 * each item, in order, with NUL-terminated copies.  An empty spec, an
 * empty item, an item without '@' or with an empty head or when is a
 * one-line error in err naming the item.  Stops at the first error or at
 * the first fn that returns -1 (fn writes its own message into err).
 * Returns 0, or -1.
 */
int schedule_split(const char *spec,
    int (*fn)(void *user, char *head, const char *when, char *err,
        size_t errlen),
    void *user, char *err, size_t errlen);

#endif
