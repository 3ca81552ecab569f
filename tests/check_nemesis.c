/* SPDX-License-Identifier: MIT */
/*
 * check_nemesis: the --nemesis grammar (every item kind, every one-line
 * error, the round trip through nemesis_format()), the clock of a plan
 * (what is due when, no burst after a stall) and the seeded draw of
 * "worker".
 */
#include "autoconf.h"

#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nemesis.h"

#define MS INT64_C(1000000)

static const char *const names[] = { "validator", "store", NULL };

START_TEST(test_nemesis_parse_items)
{
	struct nemesis_plan p;
	char err[256], buf[256];

	ck_assert_int_eq(nemesis_parse("kill:workers@every 300ms,"
	    "pause:w1=500ms@2s,kill:store=1s@every 3s,pause:store=1s@every 4s,"
	    "kill:validator@5s,kill:worker@every 200ms", 4, names, &p, err,
	    sizeof err), 0);
	ck_assert_uint_eq(p.n, 6);
	ck_assert_int_eq(p.v[0].action, NEMESIS_KILL);
	ck_assert_int_eq(p.v[0].target, NEMESIS_ALL_WORKERS);
	ck_assert_int_eq(p.v[0].when.every_ns, 300 * MS);
	ck_assert_int_eq(p.v[1].action, NEMESIS_PAUSE);
	ck_assert_int_eq(p.v[1].target, NEMESIS_CHILD);
	ck_assert_str_eq(p.v[1].name, "w1");
	ck_assert_int_eq(p.v[1].length_ns, 500 * MS);
	ck_assert_int_eq(p.v[1].when.first_ns, 2000 * MS);
	ck_assert_int_eq(p.v[1].when.every_ns, 0);
	ck_assert_str_eq(p.v[2].name, "store");
	ck_assert_int_eq(p.v[2].length_ns, 1000 * MS);
	ck_assert_int_eq(p.v[4].length_ns, 0);
	ck_assert_int_eq(p.v[5].target, NEMESIS_ANY_WORKER);
	ck_assert_int_eq(nemesis_format(&p, buf, sizeof buf), 0);
	ck_assert_str_eq(buf, "kill:workers@every 300ms,pause:w1=500ms@2s,"
	    "kill:store=1s@every 3s,pause:store=1s@every 4s,"
	    "kill:validator@5s,kill:worker@every 200ms");
	ck_assert_int_eq(nemesis_format(&p, buf, 20), -1);
	nemesis_free(&p);
	ck_assert_ptr_null(p.v);
}
END_TEST

/* The io items: each kind, with and without a target, round trip. */
START_TEST(test_nemesis_parse_io)
{
	static const char *const with_maint[] = { "validator", "maint", NULL };
	static const char spec[] = "io:read=IOERR@w1:3s,io:write=FULL@2s,"
	    "io:sync=IOERR_FSYNC@workers:every 1s,io:truncate=IOERR@maint:2s,"
	    "io:open=CANTOPEN@worker:1500ms,io:short-write@w0:every 500ms,"
	    "io:full=256MiB@2s,io:full=40000/1s@every 2s,io:full=3KiB/2s@1s";
	struct nemesis_plan p;
	char err[256], buf[512];

	ck_assert_int_eq(nemesis_parse(spec, 4, with_maint, &p, err,
	    sizeof err), 0);
	ck_assert_uint_eq(p.n, 9);
	ck_assert_int_eq(p.v[0].action, NEMESIS_IO);
	ck_assert_int_eq(p.v[0].io_kind, NEMESIS_IO_FAIL);
	ck_assert_int_eq(p.v[0].io_op, NEMESIS_OP_READ);
	ck_assert_str_eq(p.v[0].io_name, "IOERR");
	ck_assert_int_eq(p.v[0].target, NEMESIS_CHILD);
	ck_assert_str_eq(p.v[0].name, "w1");
	ck_assert_int_eq(p.v[0].when.first_ns, 3000 * MS);
	ck_assert_int_eq(p.v[1].target, NEMESIS_ANY_WORKER);
	ck_assert_int_eq(p.v[1].io_op, NEMESIS_OP_WRITE);
	ck_assert_int_eq(p.v[2].target, NEMESIS_ALL_WORKERS);
	ck_assert_int_eq(p.v[2].when.every_ns, 1000 * MS);
	ck_assert_str_eq(p.v[2].io_name, "IOERR_FSYNC");
	ck_assert_str_eq(p.v[3].name, "maint");
	ck_assert_int_eq(p.v[3].io_op, NEMESIS_OP_TRUNCATE);
	ck_assert_int_eq(p.v[4].io_op, NEMESIS_OP_OPEN);
	ck_assert_int_eq(p.v[4].target, NEMESIS_ANY_WORKER);
	ck_assert_int_eq(p.v[5].io_kind, NEMESIS_IO_SHORT);
	ck_assert_int_eq(p.v[5].io_op, NEMESIS_OP_WRITE);
	ck_assert_int_eq(p.v[6].io_kind, NEMESIS_IO_FULL);
	ck_assert_uint_eq(p.v[6].io_size, UINT64_C(256) << 20);
	ck_assert_int_eq(p.v[6].length_ns, 0);
	ck_assert_uint_eq(p.v[7].io_size, 40000);
	ck_assert_int_eq(p.v[7].length_ns, 1000 * MS);
	ck_assert_uint_eq(p.v[8].io_size, 3072);
	ck_assert_int_eq(nemesis_format(&p, buf, sizeof buf), 0);
	ck_assert_str_eq(buf, spec);
	ck_assert_str_eq(nemesis_action_name(NEMESIS_IO), "io");
	ck_assert_str_eq(nemesis_io_op_name(NEMESIS_OP_TRUNCATE), "truncate");
	ck_assert_str_eq(nemesis_io_op_name(NEMESIS_OP_END), "unknown");
	nemesis_free(&p);
}
END_TEST

/* io:full=SIZE/DUR lifts DUR after each time it is armed. */
START_TEST(test_nemesis_full_lifts)
{
	struct nemesis_plan p;
	char err[256];

	ck_assert_int_eq(nemesis_parse("io:full=1MiB/500ms@every 2s", 2, names,
	    &p, err, sizeof err), 0);
	nemesis_start(&p, 1);
	ck_assert_int_eq(nemesis_lift_due(&p, 10000 * MS), -1);
	ck_assert_int_eq(nemesis_due(&p, 2000 * MS), 0);
	ck_assert_int_eq(nemesis_next(&p), 2500 * MS);
	ck_assert_int_eq(nemesis_lift_due(&p, 2499 * MS), -1);
	ck_assert_int_eq(nemesis_lift_due(&p, 2500 * MS), 0);
	ck_assert_int_eq(nemesis_lift_due(&p, 2500 * MS), -1);
	ck_assert_int_eq(nemesis_next(&p), 4000 * MS);
	nemesis_free(&p);
	/* Without DUR: armed once, never lifted. */
	ck_assert_int_eq(nemesis_parse("io:full=1MiB@1s", 2, names, &p, err,
	    sizeof err), 0);
	nemesis_start(&p, 1);
	ck_assert_int_eq(nemesis_due(&p, 1000 * MS), 0);
	ck_assert_int_eq(nemesis_next(&p), -1);
	ck_assert_int_eq(nemesis_lift_due(&p, INT64_MAX), -1);
	nemesis_free(&p);
}
END_TEST

static const struct {
	const char *spec;
	const char *want;       /* a substring of the one-line error */
} bad[] = {
	{ "", "empty" },
	{ "pause:w0@1s", "a pause names its length (pause:w0=500ms)" },
	{ "pause:w0=0@1s", "a pause names its length" },
	{ "kill:w4@1s", "there is no worker w4 (workers are w0..w3)" },
	{ "kill:w01@1s", "unknown target 'w01'" },
	{ "kill:maint@1s", "unknown target 'maint' in this run (wN, worker, "
	    "workers, validator, store)" },
	{ "kill@1s", "is not ACTION:TARGET" },
	{ "stop:w1@1s", "unknown action 'stop' (kill, pause, io)" },
	{ "io:read@1s", "is not io:OP=CODE, io:short-write or io:full=SIZE" },
	{ "io:reed=IOERR@1s", "unknown io op 'reed' (read, write, sync, "
	    "truncate, open, short-write, full)" },
	{ "io:read=@1s", "'' is not a code name" },
	{ "io:read=IOERR@validator:1s", "not the validator (its reads are "
	    "judged as snapshots)" },
	{ "io:write=IOERR@store:1s", "not the store" },
	{ "io:write=IOERR@w9:1s", "there is no worker w9" },
	{ "io:write=IOERR@maint:1s", "unknown target 'maint'" },
	{ "io:write=IOERR@w1:", "is not a time" },
	{ "io:write=IOERR@w1:0", "after the start" },
	{ "io:full=0@1s", "'0' is not a size from 1 byte" },
	{ "io:full=1MB@1s", "'1MB' is not a size" },
	{ "io:full=2000000GiB@1s", "is not a size" },
	{ "io:full=1MiB/0@1s", "'0' is not a duration above 0" },
	{ "io:full=1MiB/soon@1s", "'soon' is not a duration" },
	{ "io:full=1MiB@every 1s", "io:full every ... names how long each "
	    "lasts (io:full=SIZE/DUR)" },
	{ "io:full=1MiB@w1:1s", "io:full is one limit on the files, for "
	    "every child: it takes no target" },
	{ "kill:w1=soon@1s", "'soon' is not a duration" },
	{ "kill:w1@0", "after the start" },
	{ "kill:w1@every 0", "longer than 0" },
	{ "kill:w1@sometime", "is not a time" },
	{ "kill:w1", "is not ITEM@WHEN" },
	{ "kill:w1@1s,,pause:w1=1s@2s", "empty item" },
};

START_TEST(test_nemesis_parse_errors)
{
	struct nemesis_plan p;
	char err[256];

	memset(err, 0, sizeof err);
	ck_assert_int_eq(nemesis_parse(bad[_i].spec, 4, names, &p, err,
	    sizeof err), -1);
	ck_assert_msg(strstr(err, bad[_i].want) != NULL, "'%s': error \"%s\" "
	    "lacks \"%s\"", bad[_i].spec, err, bad[_i].want);
	ck_assert_ptr_null(strchr(err, '\n'));
	ck_assert_uint_eq(p.n, 0);
	ck_assert_ptr_null(p.v);
}
END_TEST

/* "store" exists only when the caller names it (a run with --store-cmd). */
START_TEST(test_nemesis_parse_absent_child)
{
	static const char *const only[] = { "validator", NULL };
	struct nemesis_plan p;
	char err[256];

	ck_assert_int_eq(nemesis_parse("kill:store@1s", 2, only, &p, err,
	    sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "unknown target 'store'"));
	ck_assert_int_eq(nemesis_parse("kill:validator@1s", 2, NULL, &p, err,
	    sizeof err), -1);
}
END_TEST

START_TEST(test_nemesis_schedule)
{
	struct nemesis_plan p;
	char err[256];
	long k;

	ck_assert_int_eq(nemesis_parse("kill:w0@every 200ms,pause:w1=1s@1s",
	    2, names, &p, err, sizeof err), 0);
	nemesis_start(&p, 7);
	ck_assert_int_eq(nemesis_next(&p), 200 * MS);
	ck_assert_int_eq(nemesis_due(&p, 199 * MS), -1);
	ck_assert_int_eq(nemesis_due(&p, 200 * MS), 0);
	ck_assert_int_eq(nemesis_due(&p, 200 * MS), -1);
	ck_assert_int_eq(nemesis_next(&p), 400 * MS);
	/* A parent stopped for 1.5 s: one kill, not seven, then on time. */
	k = nemesis_due(&p, 1950 * MS);
	ck_assert_int_eq(k, 0);
	ck_assert_int_eq(nemesis_due(&p, 1950 * MS), 1);
	ck_assert_int_eq(nemesis_due(&p, 1950 * MS), -1);
	ck_assert_int_eq(nemesis_next(&p), 2000 * MS);
	/* The one-off is spent. */
	ck_assert_int_eq(p.v[1].next_ns, -1);
	nemesis_start(&p, 7);
	ck_assert_int_eq(p.v[1].next_ns, 1000 * MS);
	nemesis_free(&p);
}
END_TEST

START_TEST(test_nemesis_pick_seeded)
{
	struct nemesis_plan a, b;
	char err[256];
	int i, seen[8] = { 0 }, differs = 0;

	ck_assert_int_eq(nemesis_parse("kill:worker@every 1s", 8, names, &a,
	    err, sizeof err), 0);
	ck_assert_int_eq(nemesis_parse("kill:worker@every 1s", 8, names, &b,
	    err, sizeof err), 0);
	nemesis_start(&a, 42);
	nemesis_start(&b, 42);
	for (i = 0; i < 200; i++) {
		int x = nemesis_pick(&a, 8);

		ck_assert_int_eq(x, nemesis_pick(&b, 8));
		ck_assert(x >= 0 && x < 8);
		seen[x] = 1;
	}
	for (i = 0; i < 8; i++)
		ck_assert_int_eq(seen[i], 1);
	nemesis_start(&b, 43);
	nemesis_start(&a, 42);
	for (i = 0; i < 20; i++)
		differs += nemesis_pick(&a, 8) != nemesis_pick(&b, 8);
	ck_assert_int_gt(differs, 0);
	ck_assert_int_eq(nemesis_pick(&a, 1), 0);
	nemesis_free(&a);
	nemesis_free(&b);
}
END_TEST

static Suite *
nemesis_suite(void)
{
	Suite *s = suite_create("nemesis");
	TCase *tc;

	tc = tcase_create("parse");
	tcase_add_test(tc, test_nemesis_parse_items);
	tcase_add_test(tc, test_nemesis_parse_io);
	tcase_add_test(tc, test_nemesis_full_lifts);
	tcase_add_loop_test(tc, test_nemesis_parse_errors, 0,
	    (int)(sizeof bad / sizeof bad[0]));
	tcase_add_test(tc, test_nemesis_parse_absent_child);
	suite_add_tcase(s, tc);

	tc = tcase_create("schedule");
	tcase_add_test(tc, test_nemesis_schedule);
	tcase_add_test(tc, test_nemesis_pick_seeded);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(nemesis_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
