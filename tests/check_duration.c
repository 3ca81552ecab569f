/* SPDX-License-Identifier: MIT */
/*
 * check_duration: unit tests for duration.c, the spelling of durations
 * shared by the knobs and the fault specs.  Parsing is checked against
 * valid and invalid spellings (signs, spaces, unknown units, overflow at
 * the exact boundary); formatting against the largest exact unit; and the
 * two against each other as a round trip.  How a knob bounds a duration
 * is config's business, tested in check_config.  The "when" of a
 * scheduled action (schedule.c: "2s", "every 500ms", ITEM@WHEN lists) is
 * built on durations and tested here too.
 */
#include "autoconf.h"

#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "duration.h"
#include "schedule.h"

#define NS_MS	DURATION_MS
#define NS_S	DURATION_S
#define NS_H	DURATION_H
#define NS_D	DURATION_D

START_TEST(test_duration_valid)
{
	static const struct { const char *s; int64_t ns; } ok[] = {
		{ "0", 0 }, { "0ns", 0 }, { "0s", 0 }, { "1ns", 1 },
		{ "7us", 7000 }, { "500ms", 500 * NS_MS }, { "10s", 10 * NS_S },
		{ "2m", 120 * NS_S }, { "3h", 3 * NS_H }, { "010s", 10 * NS_S },
		{ "9223372036854775807ns", INT64_MAX },
		{ "2562047h", INT64_C(2562047) * NS_H },
	};
	int64_t ns;
	size_t i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		ns = -1;
		ck_assert_msg(duration_parse(ok[i].s, &ns) == 0,
		    "rejected '%s'", ok[i].s);
		ck_assert_msg(ns == ok[i].ns, "'%s' gave %lld", ok[i].s,
		    (long long)ns);
	}
}
END_TEST

START_TEST(test_duration_invalid)
{
	static const char *const bad[] = {
		"", "10", "00", "10sx", "-1s", "+1s", "1.5s", " 1s", "1s ",
		"1 s", "s", "ms", "1S", "1d", "1sec", "1ms1", "0x10s",
		"99999999999999h", "9223372036854775808ns",
		"2562048h", "18446744073709551616s", "99999999999999999999999s",
	};
	int64_t ns;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ns = 12345;
		ck_assert_msg(duration_parse(bad[i], &ns) == -1,
		    "accepted '%s'", bad[i]);
		ck_assert(ns == 12345);
	}
	ck_assert_int_eq(duration_parse(NULL, &ns), -1);
}
END_TEST

START_TEST(test_duration_format)
{
	static const struct { int64_t ns; const char *s; } fmt[] = {
		{ 0, "0" }, { 1, "1ns" }, { 1500, "1500ns" }, { 2000, "2us" },
		{ 1500 * NS_MS, "1500ms" }, { 2 * NS_S, "2s" },
		{ 90 * NS_S, "90s" }, { 600 * NS_S, "10m" },
		{ 7 * NS_D, "168h" }, { 7 * NS_D + 1, "604800000000001ns" },
		{ -50 * NS_MS, "-50ms" },
	};
	char buf[64];
	size_t i;

	for (i = 0; i < sizeof(fmt) / sizeof(fmt[0]); i++) {
		duration_format(fmt[i].ns, buf, sizeof(buf));
		ck_assert_str_eq(buf, fmt[i].s);
	}
}
END_TEST

START_TEST(test_duration_round_trip)
{
	static const int64_t v[] = {
		0, 1, 999, 1000, 1001, 10 * NS_MS, 1500 * NS_MS, NS_S,
		59 * NS_S, 61 * NS_S, NS_H, 7 * NS_D, 7 * NS_D + 1, INT64_MAX,
	};
	char buf[64];
	int64_t back;
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		duration_format(v[i], buf, sizeof(buf));
		ck_assert_int_eq(duration_parse(buf, &back), 0);
		ck_assert_msg(back == v[i], "%s", buf);
	}
}
END_TEST

START_TEST(test_duration_units_constants)
{
	/* The constants the knob table is written in. */
	ck_assert(DURATION_US == 1000);
	ck_assert(DURATION_MS == 1000 * DURATION_US);
	ck_assert(DURATION_S == 1000 * DURATION_MS);
	ck_assert(DURATION_M == 60 * DURATION_S);
	ck_assert(DURATION_H == 60 * DURATION_M);
	ck_assert(DURATION_D == 24 * DURATION_H);
}
END_TEST

START_TEST(test_duration_format_truncates)
{
	char buf[4];

	/* Formatting never writes past cap, and always terminates. */
	buf[3] = 'x';
	duration_format(1500 * NS_MS, buf, sizeof(buf));
	ck_assert_str_eq(buf, "150");
	duration_format(1500 * NS_MS, buf, 1);
	ck_assert_str_eq(buf, "");
}
END_TEST

START_TEST(test_schedule_parse)
{
	struct schedule s;
	char err[256], buf[64];

	ck_assert_int_eq(schedule_parse("2s", &s, err, sizeof err), 0);
	ck_assert(s.first_ns == 2 * NS_S && s.every_ns == 0);
	schedule_format(&s, buf, sizeof buf);
	ck_assert_str_eq(buf, "2s");
	ck_assert_int_eq(schedule_parse("every 500ms", &s, err, sizeof err), 0);
	ck_assert(s.first_ns == 500 * NS_MS && s.every_ns == 500 * NS_MS);
	schedule_format(&s, buf, sizeof buf);
	ck_assert_str_eq(buf, "every 500ms");
	ck_assert_int_eq(schedule_parse("0", &s, err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "after the start"));
	ck_assert_int_eq(schedule_parse("every 0", &s, err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "longer than 0"));
	ck_assert_int_eq(schedule_parse("every  1s", &s, err, sizeof err), -1);
	ck_assert_int_eq(schedule_parse("every", &s, err, sizeof err), -1);
	ck_assert_int_eq(schedule_parse("Every 1s", &s, err, sizeof err), -1);
	ck_assert_int_eq(schedule_parse("-1s", &s, err, sizeof err), -1);
	ck_assert_int_eq(schedule_parse("1s ", &s, err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "'1s '"));
}
END_TEST

START_TEST(test_schedule_next_count)
{
	struct schedule once = { 2 * NS_S, 0 }, per = { NS_S, NS_S };

	ck_assert(schedule_next(&once, 0) == 2 * NS_S);
	ck_assert(schedule_next(&once, 2 * NS_S) == -1);
	ck_assert(schedule_next(&per, 0) == NS_S);
	ck_assert(schedule_next(&per, NS_S) == 2 * NS_S);
	ck_assert(schedule_next(&per, NS_S + 1) == 2 * NS_S);
	ck_assert(schedule_next(&per, INT64_MAX - 1) == -1);
	/* Strictly before the end: at 1s, 2s in a 3 s run, not at 3s. */
	ck_assert_uint_eq(schedule_count(&per, 3 * NS_S), 2);
	ck_assert_uint_eq(schedule_count(&per, 3 * NS_S + 1), 3);
	ck_assert_uint_eq(schedule_count(&per, NS_S), 0);
	ck_assert_uint_eq(schedule_count(&once, 2 * NS_S), 0);
	ck_assert_uint_eq(schedule_count(&once, 10 * NS_S), 1);
}
END_TEST

struct split_seen {
	char items[4][64];
	int  n;
};

static int
split_take(void *user, char *head, const char *when, char *err,
    size_t errlen)
{
	struct split_seen *seen = user;

	if (strcmp(head, "bad") == 0) {
		snprintf(err, errlen, "bad head");
		return -1;
	}
	if (seen->n < 4)
		snprintf(seen->items[seen->n++], 64, "%s|%s", head, when);
	return 0;
}

START_TEST(test_schedule_split)
{
	struct split_seen seen;
	char err[256];

	memset(&seen, 0, sizeof seen);
	ck_assert_int_eq(schedule_split("vacuum@every 5s,checkpoint=truncate@2s",
	    split_take, &seen, err, sizeof err), 0);
	ck_assert_int_eq(seen.n, 2);
	ck_assert_str_eq(seen.items[0], "vacuum|every 5s");
	ck_assert_str_eq(seen.items[1], "checkpoint=truncate|2s");
	/* The last '@' splits: a head may hold one. */
	memset(&seen, 0, sizeof seen);
	ck_assert_int_eq(schedule_split("a@b@1s", split_take, &seen, err,
	    sizeof err), 0);
	ck_assert_str_eq(seen.items[0], "a@b|1s");
	ck_assert_int_eq(schedule_split("", split_take, &seen, err,
	    sizeof err), -1);
	ck_assert_int_eq(schedule_split(NULL, split_take, &seen, err,
	    sizeof err), -1);
	ck_assert_int_eq(schedule_split("a@1s,", split_take, &seen, err,
	    sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "empty item"));
	ck_assert_int_eq(schedule_split("a@1s,,b@2s", split_take, &seen, err,
	    sizeof err), -1);
	ck_assert_int_eq(schedule_split("vacuum", split_take, &seen, err,
	    sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "'vacuum' is not ITEM@WHEN"));
	ck_assert_int_eq(schedule_split("@1s", split_take, &seen, err,
	    sizeof err), -1);
	ck_assert_int_eq(schedule_split("a@", split_take, &seen, err,
	    sizeof err), -1);
	ck_assert_int_eq(schedule_split("a@1s,bad@2s", split_take, &seen, err,
	    sizeof err), -1);
	ck_assert_str_eq(err, "bad head");
}
END_TEST

Suite *duration_suite(void);

Suite *
duration_suite(void)
{
	Suite *s = suite_create("duration");
	TCase *tc;

	tc = tcase_create("parse");
	tcase_add_test(tc, test_duration_valid);
	tcase_add_test(tc, test_duration_invalid);
	suite_add_tcase(s, tc);

	tc = tcase_create("format");
	tcase_add_test(tc, test_duration_format);
	tcase_add_test(tc, test_duration_format_truncates);
	tcase_add_test(tc, test_duration_round_trip);
	tcase_add_test(tc, test_duration_units_constants);
	suite_add_tcase(s, tc);

	tc = tcase_create("schedule");
	tcase_add_test(tc, test_schedule_parse);
	tcase_add_test(tc, test_schedule_next_count);
	tcase_add_test(tc, test_schedule_split);
	suite_add_tcase(s, tc);

	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(duration_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
