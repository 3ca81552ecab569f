/* SPDX-License-Identifier: MIT */
/*
 * check_core: the generic core (supervisor, child, wire, classify, fault,
 * util) built and linked alone, without <sqlite3.h> and without
 * libsqlite3 (see Makefile.am: this program links no scenario source).
 * A toy scenario passes its own policy in: its error codes, their names,
 * which are benign when late, and its fault words.  That it links at all
 * is half the test; the cases show the policy, not SQLite, decides.
 */
#include "autoconf.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "classify.h"
#include "fault.h"
#include "supervisor.h"
#include "util.h"
#include "wire.h"

#define MS UTIL_NS_PER_MS
#define DEADLINE (INT64_C(1000) * UTIL_NS_PER_S)

/* The toy scenario: code 7 ("SEVEN") is benign when late, 8 ("EIGHT") not. */
static int
toy_benign(int code)
{
	return code == 7;
}

static const char *
toy_name(int code)
{
	return code == 7 ? "SEVEN" : code == 8 ? "EIGHT" : NULL;
}

static int
toy_from_name(const char *name)
{
	if (*name >= '0' && *name <= '9')
		return atoi(name);
	if (strcmp(name, "seven") == 0)
		return 7;
	if (strcmp(name, "eight") == 0)
		return 8;
	return -1;
}

static const struct classify_policy toy_codes = {
	toy_benign, toy_name, toy_from_name
};

static const struct fault_target toy_targets[] = { { "oracle", -5 } };
static const struct fault_extra toy_extras[] = {
	{ "poke", FAULT_EXTRA + 3, 1, 1 },
};

static const char *
toy_refused(int code)
{
	return code == 0 ? "0 is success" : NULL;
}

static const struct fault_vocab toy_faults = {
	toy_targets, 1, toy_extras, 1, &toy_codes, "seven or eight",
	toy_refused
};

static void
late_error(struct wire_error *e, int code)
{
	memset(e, 0, sizeof *e);
	e->op = WIRE_OP_COMMIT;
	e->code = code;
	e->shutdown_seen = 1;
	e->t_end = DEADLINE + 5 * MS;
}

START_TEST(test_core_classify_asks_the_policy)
{
	char reason[CLASSIFY_REASON_MAX];
	struct wire_error e;

	late_error(&e, 7);
	ck_assert_int_eq(classify_error(&e, DEADLINE, DEADLINE, LATE_STRICT,
	    &toy_codes, reason, sizeof reason), VERDICT_EXPECTED);
	ck_assert_ptr_nonnull(strstr(reason, "SEVEN (7)"));
	late_error(&e, 8);
	ck_assert_int_eq(classify_error(&e, DEADLINE, DEADLINE, LATE_STRICT,
	    &toy_codes, reason, sizeof reason), VERDICT_FAILURE);
	ck_assert_ptr_nonnull(strstr(reason, "EIGHT (8)"));
	/* SQLite's BUSY (5) means nothing here. */
	late_error(&e, 5);
	ck_assert_int_eq(classify_error(&e, DEADLINE, DEADLINE, LATE_STRICT,
	    &toy_codes, reason, sizeof reason), VERDICT_FAILURE);
	ck_assert_ptr_nonnull(strstr(reason, "unknown code (5)"));
	/* No policy: nothing benign, nothing named. */
	late_error(&e, 7);
	ck_assert_int_eq(classify_error(&e, DEADLINE, DEADLINE, LATE_STRICT,
	    NULL, reason, sizeof reason), VERDICT_FAILURE);
	ck_assert_ptr_nonnull(strstr(reason, "unknown code (7)"));
	ck_assert_ptr_null(classify_policy_name(NULL, 7));
	ck_assert_int_eq(classify_policy_benign(NULL, 7), 0);
}
END_TEST

START_TEST(test_core_fault_words_come_from_the_caller)
{
	struct fault_list l;
	char err[256];

	ck_assert_int_eq(fault_parse("oracle:hang@1s,w1:poke@deadline-5ms,"
	    "w0:error=seven@2s", 2, &toy_faults, &l, err, sizeof err), 0);
	ck_assert_uint_eq(l.n, 3);
	ck_assert_int_eq(l.v[0].child, -5);
	ck_assert_int_eq(l.v[1].action, FAULT_EXTRA + 3);
	ck_assert_int_eq(l.v[2].arg, 7);
	ck_assert_str_eq(l.v[2].arg_name, "SEVEN");
	ck_assert_str_eq(fault_action_name(&toy_faults, FAULT_EXTRA + 3),
	    "poke");
	fault_free(&l);
	ck_assert_int_eq(fault_parse("oracle:poke@1s", 2, &toy_faults, &l,
	    err, sizeof err), -1);
	ck_assert_str_eq(err, "fault 'oracle:poke@1s': poke applies to "
	    "workers only (wN)");
	ck_assert_int_eq(fault_parse("w0:poke@deadline", 2, &toy_faults, &l,
	    err, sizeof err), -1);
	ck_assert_int_eq(fault_parse("w0:error=0@1s", 2, &toy_faults, &l,
	    err, sizeof err), -1);
	ck_assert_str_eq(err, "fault 'w0:error=0@1s': '0' is not an error "
	    "code (0 is success)");
	/* Without the caller's words: no validator, no droprow, numbers. */
	ck_assert_int_eq(fault_parse("validator:hang@1s", 2, NULL, &l, err,
	    sizeof err), -1);
	ck_assert_str_eq(err, "fault 'validator:hang@1s': unknown child "
	    "'validator' (expected wN)");
	ck_assert_int_eq(fault_parse("w0:droprow@1s", 2, NULL, &l, err,
	    sizeof err), -1);
	ck_assert_str_eq(err, "fault 'w0:droprow@1s': unknown action "
	    "'droprow' (crash, abort, exit, exit=N, hang, error=CODE, "
	    "garbage)");
	ck_assert_int_eq(fault_parse("w0:error=5@1s", 2, NULL, &l, err,
	    sizeof err), 0);
	ck_assert_str_eq(l.v[0].arg_name, "?");
	fault_free(&l);
}
END_TEST

/* Ready, wait for shutdown, finish. */
static int
core_main(struct child_ctx *c, void *arg)
{
	struct wire_done done;

	(void)arg;
	if (child_ready_wait(c) < 0)
		return 0;
	while (child_sleep_until(c, util_now_ns() + 20 * MS) == 0)
		continue;
	memset(&done, 0, sizeof done);
	(void)child_finish(c, &done);
	return 0;
}

/* A whole run through the core alone: the policy judges the late error. */
START_TEST(test_core_supervisor_runs_with_a_toy_policy)
{
	struct sup_options opt;
	struct sup_spec specs[2];
	struct sup_result res;
	struct fault faults[2];
	struct fault_list fl = { faults, 2 };
	size_t i;

	memset(&opt, 0, sizeof opt);
	memset(specs, 0, sizeof specs);
	memset(faults, 0, sizeof faults);
	opt.duration_ns = 200 * MS;
	opt.grace_ns = 10000 * MS;
	opt.kill_after_ns = 2000 * MS;
	opt.codes = &toy_codes;
	opt.faults = &fl;
	for (i = 0; i < 2; i++) {
		snprintf(specs[i].name, sizeof specs[i].name, "c%zu", i);
		specs[i].fault_index = (int)i;
		specs[i].main = core_main;
		faults[i].child = (int)i;
		faults[i].action = FAULT_ERROR;
		faults[i].arg = i == 0 ? 7 : 8;
		faults[i].from_deadline = 1;
		faults[i].offset_ns = 10 * MS;
	}
	ck_assert_int_eq(sup_run(&opt, specs, 2, &res), 0);
	ck_assert_uint_eq(res.nexpected, 1);
	ck_assert_uint_eq(res.nfailures, 1);
	for (i = 0; i < res.nevents; i++) {
		ck_assert_int_eq(res.events[i].kind, SUP_EV_ERROR);
		ck_assert_str_eq(res.events[i].code_name,
		    res.events[i].child == 0 ? "SEVEN" : "EIGHT");
		ck_assert_int_eq(res.events[i].verdict, res.events[i].child ==
		    0 ? VERDICT_EXPECTED : VERDICT_FAILURE);
	}
	for (i = 0; i < 2; i++)
		ck_assert_int_eq(res.children[i].verdict, VERDICT_PASS);
	sup_result_free(&res);
}
END_TEST

static Suite *
core_suite(void)
{
	Suite *s = suite_create("core");
	TCase *tc;

	tc = tcase_create("policy");
	tcase_add_test(tc, test_core_classify_asks_the_policy);
	tcase_add_test(tc, test_core_fault_words_come_from_the_caller);
	suite_add_tcase(s, tc);
	tc = tcase_create("run");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_core_supervisor_runs_with_a_toy_policy);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(core_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
