/* SPDX-License-Identifier: MIT */
/*
 * check_fault: the fault-spec grammar (every action, /deferred, the
 * deadline forms), each error message, the boundaries (exit=255 / 256,
 * w3 / w4 with four workers) and fault_when() arithmetic.
 */
#include "autoconf.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "fault.h"
#include "scenario-policy.h"
#include "util.h"

/* The SQLite scenario's spec: its targets, actions and code names. */
static int
fault_parse_s(const char *spec, int nworkers, struct fault_list *out,
    char *err, size_t errlen)
{
	return fault_parse(spec, nworkers, &scenario_faults, out, err, errlen);
}

#define MS UTIL_NS_PER_MS
#define S  UTIL_NS_PER_S

static char err[512];

/* Parse spec with 4 workers, expecting exactly one item. */
static struct fault
parse_one(const char *spec)
{
	struct fault_list l;
	struct fault f;

	err[0] = '\0';
	ck_assert_msg(fault_parse_s(spec, 4, &l, err, sizeof err) == 0,
	    "'%s' refused: %s", spec, err);
	ck_assert_uint_eq(l.n, 1);
	ck_assert_ptr_nonnull(l.v);
	f = l.v[0];
	fault_free(&l);
	return f;
}

/* Parse spec with nworkers, expect failure, return the message. */
static const char *
parse_bad(const char *spec, int nworkers)
{
	struct fault_list l = { (struct fault *)1, 99 };

	err[0] = '\0';
	ck_assert_msg(fault_parse_s(spec, nworkers, &l, err, sizeof err) == -1,
	    "'%s' accepted", spec);
	ck_assert_ptr_null(l.v);
	ck_assert_uint_eq(l.n, 0);
	ck_assert_msg(err[0] != '\0' && strchr(err, '\n') == NULL,
	    "'%s': message not one line: '%s'", spec, err);
	return err;
}

START_TEST(test_fault_droprow_before_deadline_only)
{
	struct fault_list l = { NULL, 0 };
	char msg[256];

	ck_assert_int_eq(fault_parse_s("w0:droprow@deadline-100ms", 2, &l, msg,
	    sizeof msg), 0);
	fault_free(&l);
	ck_assert_int_eq(fault_parse_s("w0:droprow@deadline", 2, &l, msg,
	    sizeof msg), -1);
	ck_assert_msg(strstr(msg, "before the deadline") != NULL, "%s", msg);
	ck_assert_int_eq(fault_parse_s("w1:droprow@deadline+5ms", 2, &l, msg,
	    sizeof msg), -1);
}
END_TEST

START_TEST(test_fault_empty)
{
	struct fault_list l = { (struct fault *)1, 99 };

	ck_assert_int_eq(fault_parse_s(NULL, 4, &l, err, sizeof err), 0);
	ck_assert_ptr_null(l.v);
	ck_assert_uint_eq(l.n, 0);
	l.n = 7;
	ck_assert_int_eq(fault_parse_s("", 4, &l, err, sizeof err), 0);
	ck_assert_ptr_null(l.v);
	ck_assert_uint_eq(l.n, 0);
	fault_free(&l);
	fault_free(NULL);
}
END_TEST

START_TEST(test_fault_actions)
{
	static const struct {
		const char *spec;
		int action;
		int arg;
	} cases[] = {
		{ "w0:crash@1s",         FAULT_CRASH,   0 },
		{ "w0:abort@1s",         FAULT_ABORT,   0 },
		{ "w0:exit@1s",          FAULT_EXIT,    0 },
		{ "w0:exit=3@1s",        FAULT_EXIT,    3 },
		{ "w0:exit=0@1s",        FAULT_EXIT,    0 },
		{ "w0:exit=255@1s",      FAULT_EXIT,    255 },
		{ "w0:hang@1s",          FAULT_HANG,    0 },
		{ "w0:error=5@1s",       FAULT_ERROR,   5 },
		{ "w0:garbage@1s",       FAULT_GARBAGE, 0 },
		{ "w0:droprow@1s",       SCENARIO_FAULT_DROPROW, 0 },
		{ "validator:crash@1s",  FAULT_CRASH,   0 },
		{ "validator:hang@1s",   FAULT_HANG,    0 },
		{ "validator:garbage@1s", FAULT_GARBAGE, 0 },
	};
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct fault f = parse_one(cases[i].spec);

		ck_assert_msg(f.action == cases[i].action, "%s", cases[i].spec);
		ck_assert_int_eq(f.arg, cases[i].arg);
		ck_assert_int_eq(f.deferred, 0);
		ck_assert_int_eq(f.fired, 0);
		ck_assert_int_eq(f.from_deadline, 0);
		ck_assert_int_eq(f.offset_ns, S);
		ck_assert_int_eq(f.child, strncmp(cases[i].spec, "validator",
		    9) == 0 ? SCENARIO_VALIDATOR : 0);
	}
}
END_TEST

START_TEST(test_fault_error_codes)
{
	struct fault f;

	f = parse_one("w1:error=BUSY@500ms");
	ck_assert_int_eq(f.action, FAULT_ERROR);
	ck_assert_int_eq(f.arg, 5);
	ck_assert_int_eq(f.child, 1);
	ck_assert_int_eq(f.offset_ns, 500 * MS);
	ck_assert_int_eq(parse_one("w1:error=busy@0").arg, 5);
	ck_assert_int_eq(parse_one("w1:error=SQLITE_CORRUPT@0").arg, 11);
	ck_assert_int_eq(parse_one("w1:error=IOERR@0").arg, 10);
}
END_TEST

START_TEST(test_fault_deferred)
{
	struct fault f = parse_one("w2:error=BUSY/deferred@deadline-50ms");

	ck_assert_int_eq(f.action, FAULT_ERROR);
	ck_assert_int_eq(f.arg, 5);
	ck_assert_int_eq(f.deferred, 1);
	ck_assert_int_eq(f.child, 2);
	ck_assert_int_eq(f.from_deadline, 1);
	ck_assert_int_eq(f.offset_ns, -50 * MS);
}
END_TEST

START_TEST(test_fault_times)
{
	struct fault f;

	f = parse_one("w0:crash@0");
	ck_assert_int_eq(f.from_deadline, 0);
	ck_assert_int_eq(f.offset_ns, 0);
	f = parse_one("w0:crash@250ms");
	ck_assert_int_eq(f.from_deadline, 0);
	ck_assert_int_eq(f.offset_ns, 250 * MS);
	f = parse_one("w0:crash@deadline");
	ck_assert_int_eq(f.from_deadline, 1);
	ck_assert_int_eq(f.offset_ns, 0);
	f = parse_one("w0:crash@deadline+20ms");
	ck_assert_int_eq(f.from_deadline, 1);
	ck_assert_int_eq(f.offset_ns, 20 * MS);
	f = parse_one("w0:crash@deadline-2s");
	ck_assert_int_eq(f.from_deadline, 1);
	ck_assert_int_eq(f.offset_ns, -2 * S);
	f = parse_one("w0:crash@deadline-0");
	ck_assert_int_eq(f.from_deadline, 1);
	ck_assert_int_eq(f.offset_ns, 0);
}
END_TEST

START_TEST(test_fault_multiple)
{
	struct fault_list l;

	ck_assert_int_eq(fault_parse_s("w0:crash@500ms,validator:hang@1s,"
	    "w0:error=BUSY@100ms,w3:exit=7@deadline+1s,maint:crash@2s", 4, &l,
	    err, sizeof err), 0);
	ck_assert_uint_eq(l.n, 5);
	ck_assert_int_eq(l.v[4].child, SCENARIO_MAINT);
	ck_assert_int_eq(l.v[0].child, 0);
	ck_assert_int_eq(l.v[0].action, FAULT_CRASH);
	ck_assert_int_eq(l.v[0].offset_ns, 500 * MS);
	ck_assert_int_eq(l.v[1].child, SCENARIO_VALIDATOR);
	ck_assert_int_eq(l.v[1].action, FAULT_HANG);
	/* Several faults for one child are fine. */
	ck_assert_int_eq(l.v[2].child, 0);
	ck_assert_int_eq(l.v[2].action, FAULT_ERROR);
	ck_assert_int_eq(l.v[3].child, 3);
	ck_assert_int_eq(l.v[3].arg, 7);
	ck_assert_int_eq(l.v[3].from_deadline, 1);
	fault_free(&l);
	ck_assert_ptr_null(l.v);
	ck_assert_uint_eq(l.n, 0);
}
END_TEST

/* The code's name travels with the fault: the child names no codes. */
START_TEST(test_fault_error_code_named_at_parse)
{
	struct fault f;

	f = parse_one("w0:error=5@1s");
	ck_assert_int_eq(f.arg, 5);
	ck_assert_str_eq(f.arg_name, "BUSY");
	f = parse_one("w1:error=sqlite_ioerr@1s");
	ck_assert_int_eq(f.arg, 10);
	ck_assert_str_eq(f.arg_name, "IOERR");
	f = parse_one("w1:error=29@1s");
	ck_assert_str_eq(f.arg_name, "?");
}
END_TEST

START_TEST(test_fault_action_name)
{
	const struct fault_vocab *v = &scenario_faults;

	ck_assert_str_eq(fault_action_name(v, FAULT_CRASH), "crash");
	ck_assert_str_eq(fault_action_name(v, FAULT_ABORT), "abort");
	ck_assert_str_eq(fault_action_name(v, FAULT_EXIT), "exit");
	ck_assert_str_eq(fault_action_name(v, FAULT_HANG), "hang");
	ck_assert_str_eq(fault_action_name(v, FAULT_ERROR), "error");
	ck_assert_str_eq(fault_action_name(v, FAULT_GARBAGE), "garbage");
	ck_assert_str_eq(fault_action_name(v, SCENARIO_FAULT_DROPROW),
	    "droprow");
	ck_assert_str_eq(fault_action_name(&scenario_faults, 0), "unknown");
	ck_assert_str_eq(fault_action_name(NULL, SCENARIO_FAULT_DROPROW),
	    "unknown");
}
END_TEST

START_TEST(test_fault_worker_bounds)
{
	ck_assert_int_eq(parse_one("w3:crash@1s").child, 3);
	ck_assert_str_eq(parse_bad("w4:crash@1s", 4),
	    "fault 'w4:crash@1s': no worker w4 (workers are w0..w3)");
	ck_assert_str_eq(parse_bad("w9:crash@1s", 4),
	    "fault 'w9:crash@1s': no worker w9 (workers are w0..w3)");
	ck_assert_str_eq(parse_bad("w0:crash@1s", 0),
	    "fault 'w0:crash@1s': no worker w0 (there are no workers)");
	parse_bad("w99999999999999999999:crash@1s", 4);
	ck_assert_ptr_nonnull(strstr(parse_bad("w4:crash@1s", 1),
	    "workers are w0..w0"));
}
END_TEST

START_TEST(test_fault_bad_child)
{
	static const char *bad[] = {
		"w01:crash@1s", "w+1:crash@1s", "w-1:crash@1s", "w:crash@1s",
		"W0:crash@1s", "x0:crash@1s", "validatorx:crash@1s",
		"w1x:crash@1s", "worker0:crash@1s", "0:crash@1s",
	};
	size_t i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
		ck_assert_msg(strstr(parse_bad(bad[i], 4),
		    "(expected wN or validator or maint)") != NULL, "%s: %s", bad[i],
		    err);
	ck_assert_str_eq(parse_bad("w01:crash@1s", 4),
	    "fault 'w01:crash@1s': unknown child 'w01' "
	    "(expected wN or validator or maint)");
}
END_TEST

START_TEST(test_fault_bad_action)
{
	ck_assert_str_eq(parse_bad("w0:explode@1s", 4),
	    "fault 'w0:explode@1s': unknown action 'explode' (crash, abort, "
	    "exit, exit=N, hang, error=CODE, garbage, droprow)");
	ck_assert_ptr_nonnull(strstr(parse_bad("w0:crash=1@1s", 4),
	    "unknown action 'crash=1'"));
	ck_assert_str_eq(parse_bad("w0:error@1s", 4),
	    "fault 'w0:error@1s': error needs a code (error=CODE, "
	    "e.g. error=BUSY)");
	ck_assert_ptr_nonnull(strstr(parse_bad("w0:CRASH@1s", 4),
	    "unknown action"));
	ck_assert_ptr_nonnull(strstr(parse_bad("w0:@1s", 4),
	    "expected CHILD:ACTION@TIME"));
}
END_TEST

START_TEST(test_fault_bad_exit)
{
	ck_assert_str_eq(parse_bad("w0:exit=256@1s", 4),
	    "fault 'w0:exit=256@1s': bad exit code '256' (expected 0..255)");
	parse_bad("w0:exit=-1@1s", 4);
	parse_bad("w0:exit=+1@1s", 4);
	parse_bad("w0:exit=@1s", 4);
	parse_bad("w0:exit=1x@1s", 4);
	parse_bad("w0:exit=99999999999999999999@1s", 4);
}
END_TEST

START_TEST(test_fault_bad_code)
{
	ck_assert_str_eq(parse_bad("w0:error=NOPE@1s", 4),
	    "fault 'w0:error=NOPE@1s': unknown error code 'NOPE' (expected "
	    "a SQLite primary result code such as BUSY, SQLITE_IOERR or 5)");
	parse_bad("w0:error=@1s", 4);
	ck_assert_ptr_nonnull(strstr(parse_bad("w0:error=0@1s", 4),
	    "not an error code"));
	ck_assert_ptr_nonnull(strstr(parse_bad("w0:error=OK@1s", 4),
	    "not an error code"));
	ck_assert_ptr_nonnull(strstr(parse_bad("w0:error=100@1s", 4),
	    "not an error code"));
	ck_assert_ptr_nonnull(strstr(parse_bad("w0:error=ROW@1s", 4),
	    "not an error code"));
	ck_assert_ptr_nonnull(strstr(parse_bad("w0:error=101@1s", 4),
	    "not an error code"));
	ck_assert_ptr_nonnull(strstr(parse_bad("w0:error=SQLITE_DONE@1s", 4),
	    "not an error code"));
}
END_TEST

START_TEST(test_fault_bad_deferred)
{
	ck_assert_str_eq(parse_bad("w0:crash/deferred@1s", 4),
	    "fault 'w0:crash/deferred@1s': /deferred only applies to "
	    "error=CODE");
	ck_assert_ptr_nonnull(strstr(parse_bad("w0:exit=1/deferred@1s", 4),
	    "/deferred only applies"));
	ck_assert_str_eq(parse_bad("w0:error=BUSY/later@1s", 4),
	    "fault 'w0:error=BUSY/later@1s': unknown modifier '/later' "
	    "(only /deferred, after error=CODE)");
	parse_bad("w0:error=BUSY/@1s", 4);
	parse_bad("w0:error=BUSY/deferred/deferred@1s", 4);
}
END_TEST

START_TEST(test_fault_bad_droprow)
{
	ck_assert_str_eq(parse_bad("validator:droprow@1s", 4),
	    "fault 'validator:droprow@1s': droprow applies to workers only "
	    "(wN)");
}
END_TEST

START_TEST(test_fault_bad_time)
{
	static const char *bad[] = {
		"w0:crash@", "w0:crash@soon", "w0:crash@-1s", "w0:crash@+1s",
		"w0:crash@1", "w0:crash@1x", "w0:crash@deadline+",
		"w0:crash@deadline-", "w0:crash@deadline1s",
		"w0:crash@deadline+-1s", "w0:crash@deadline--1s",
		"w0:crash@DEADLINE", "w0:crash@deadlines", "w0:crash@1s@2s",
	};
	size_t i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
		parse_bad(bad[i], 4);
	ck_assert_str_eq(parse_bad("w0:crash@soon", 4),
	    "fault 'w0:crash@soon': bad time 'soon' (expected a duration "
	    "from the start like 500ms, or deadline, deadline+D, "
	    "deadline-D)");
}
END_TEST

START_TEST(test_fault_bad_syntax)
{
	ck_assert_str_eq(parse_bad("w0crash@1s", 4),
	    "fault 'w0crash@1s': expected CHILD:ACTION@TIME "
	    "(e.g. w0:crash@500ms)");
	parse_bad("w0:crash", 4);
	parse_bad(":crash@1s", 4);
	parse_bad("w0:crash@1s:", 4);
	ck_assert_str_eq(parse_bad("w0:crash@1s,", 4),
	    "fault spec 'w0:crash@1s,': item 2 is empty (a stray comma?)");
	ck_assert_ptr_nonnull(strstr(parse_bad(",w0:crash@1s", 4),
	    "item 1 is empty"));
	ck_assert_ptr_nonnull(strstr(parse_bad("w0:crash@1s,,w1:hang@1s", 4),
	    "item 2 is empty"));
	parse_bad(",", 4);
}
END_TEST

START_TEST(test_fault_bad_spaces)
{
	ck_assert_str_eq(parse_bad("w0:crash@1s, w1:hang@1s", 4),
	    "fault ' w1:hang@1s': spaces are not allowed "
	    "(expected CHILD:ACTION@TIME)");
	parse_bad(" w0:crash@1s", 4);
	parse_bad("w0:crash@1s ", 4);
	parse_bad("w0: crash@1s", 4);
	parse_bad("w0:crash @1s", 4);
	parse_bad("w0:crash@\t1s", 4);
	parse_bad(" ", 4);
}
END_TEST

START_TEST(test_fault_names_bad_item)
{
	/* The message names the offending item, not the whole spec. */
	ck_assert_str_eq(parse_bad("w0:crash@1s,w1:explode@2s,w2:hang@3s", 4),
	    "fault 'w1:explode@2s': unknown action 'explode' (crash, abort, "
	    "exit, exit=N, hang, error=CODE, garbage, droprow)");
	ck_assert_str_eq(parse_bad("w0:crash@1s,w7:hang@3s", 4),
	    "fault 'w7:hang@3s': no worker w7 (workers are w0..w3)");
}
END_TEST

START_TEST(test_fault_err_truncated)
{
	struct fault_list l;
	char small[16];

	ck_assert_int_eq(fault_parse_s("w0:explode@1s", 4, &l, small,
	    sizeof small), -1);
	ck_assert_uint_eq(strlen(small), sizeof small - 1);
}
END_TEST

START_TEST(test_fault_when_start)
{
	struct fault f;

	memset(&f, 0, sizeof f);
	f.offset_ns = 500 * MS;
	ck_assert_int_eq(fault_when(&f, 1000 * S, 1010 * S), 1000 * S +
	    500 * MS);
	f.offset_ns = 0;
	ck_assert_int_eq(fault_when(&f, 1000 * S, 1010 * S), 1000 * S);
}
END_TEST

START_TEST(test_fault_when_deadline)
{
	struct fault f;

	memset(&f, 0, sizeof f);
	f.from_deadline = 1;
	ck_assert_int_eq(fault_when(&f, 1000 * S, 1010 * S), 1010 * S);
	f.offset_ns = -50 * MS;
	ck_assert_int_eq(fault_when(&f, 1000 * S, 1010 * S),
	    1010 * S - 50 * MS);
	f.offset_ns = 20 * MS;
	ck_assert_int_eq(fault_when(&f, 1000 * S, 1010 * S),
	    1010 * S + 20 * MS);
	/* Before the start is allowed: it fires at once. */
	f.offset_ns = -20 * S;
	ck_assert_int_eq(fault_when(&f, 1000 * S, 1010 * S), 990 * S);
}
END_TEST

START_TEST(test_fault_when_parsed)
{
	struct fault f = parse_one("w0:hang@deadline-250ms");

	ck_assert_int_eq(fault_when(&f, 5 * S, 15 * S), 15 * S - 250 * MS);
	f = parse_one("w0:hang@3s");
	ck_assert_int_eq(fault_when(&f, 5 * S, 15 * S), 8 * S);
}
END_TEST

START_TEST(test_fault_when_saturates)
{
	struct fault f;

	memset(&f, 0, sizeof f);
	f.offset_ns = INT64_MAX - 5;
	ck_assert_int_eq(fault_when(&f, 10, 20), INT64_MAX);
	f.from_deadline = 1;
	f.offset_ns = -(INT64_MAX - 5);
	ck_assert_int_eq(fault_when(&f, 0, -10), INT64_MIN);
}
END_TEST

static Suite *
fault_suite(void)
{
	Suite *s = suite_create("fault");
	TCase *tc;

	tc = tcase_create("parse");
	tcase_add_test(tc, test_fault_empty);
	tcase_add_test(tc, test_fault_droprow_before_deadline_only);
	tcase_add_test(tc, test_fault_actions);
	tcase_add_test(tc, test_fault_error_codes);
	tcase_add_test(tc, test_fault_deferred);
	tcase_add_test(tc, test_fault_times);
	tcase_add_test(tc, test_fault_multiple);
	tcase_add_test(tc, test_fault_action_name);
	tcase_add_test(tc, test_fault_error_code_named_at_parse);
	suite_add_tcase(s, tc);

	tc = tcase_create("errors");
	tcase_add_test(tc, test_fault_worker_bounds);
	tcase_add_test(tc, test_fault_bad_child);
	tcase_add_test(tc, test_fault_bad_action);
	tcase_add_test(tc, test_fault_bad_exit);
	tcase_add_test(tc, test_fault_bad_code);
	tcase_add_test(tc, test_fault_bad_deferred);
	tcase_add_test(tc, test_fault_bad_droprow);
	tcase_add_test(tc, test_fault_bad_time);
	tcase_add_test(tc, test_fault_bad_syntax);
	tcase_add_test(tc, test_fault_bad_spaces);
	tcase_add_test(tc, test_fault_names_bad_item);
	tcase_add_test(tc, test_fault_err_truncated);
	suite_add_tcase(s, tc);

	tc = tcase_create("when");
	tcase_add_test(tc, test_fault_when_start);
	tcase_add_test(tc, test_fault_when_deadline);
	tcase_add_test(tc, test_fault_when_parsed);
	tcase_add_test(tc, test_fault_when_saturates);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(fault_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
