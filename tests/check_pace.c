/* SPDX-License-Identifier: MIT */
/*
 * check_pace: unit tests for pace.c, the pure arrival schedule of
 * --rate.  The schedule is a function of (seed, worker) only; its mean
 * gap is 1/rate within generous bounds over many draws; burst puts every
 * arrival inside a burst and wave many more near its crest than near its
 * trough; the warp is monotone, starts at 0 and never overflows, at the
 * extreme rates and at the end of time.  Statistical bounds are wide
 * (many standard deviations): the stream is seeded, so they are also
 * deterministic.  What the worker does with the schedule (sleeping,
 * counting, "behind") is tested end to end in tests/e2e-rate.sh.
 */
#include "autoconf.h"

#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "pace.h"

#define NS_MS INT64_C(1000000)
#define NS_S  INT64_C(1000000000)

static const enum pace_pattern patterns[] = {
	PACE_CONSTANT, PACE_BURST, PACE_WAVE
};
#define NPATTERNS (sizeof patterns / sizeof patterns[0])

START_TEST(test_pace_same_seed_same_times)
{
	struct pace a, b, c, d;
	int i, differ_w = 0, differ_seed = 0;
	int64_t ta, tb, tc, td;

	pace_init(&a, 200, patterns[_i], 42, 3);
	pace_init(&b, 200, patterns[_i], 42, 3);
	pace_init(&c, 200, patterns[_i], 42, 4);
	pace_init(&d, 200, patterns[_i], 43, 3);
	for (i = 0; i < 10000; i++) {
		ta = pace_next(&a);
		tb = pace_next(&b);
		tc = pace_next(&c);
		td = pace_next(&d);
		ck_assert_msg(ta == tb, "draw %d: %lld != %lld", i,
		    (long long)ta, (long long)tb);
		differ_w += ta != tc;
		differ_seed += ta != td;
	}
	/* Another worker or another seed: another schedule. */
	ck_assert_int_gt(differ_w, 9000);
	ck_assert_int_gt(differ_seed, 9000);
}
END_TEST

START_TEST(test_pace_first_at_start_then_nondecreasing)
{
	struct pace p;
	int64_t t, prev;
	int i;

	pace_init(&p, 1000, patterns[_i], 7, 0);
	ck_assert_int_eq(pace_next(&p), 0);
	prev = 0;
	for (i = 0; i < 50000; i++) {
		t = pace_next(&p);
		ck_assert_msg(t >= prev, "draw %d went back: %lld < %lld", i,
		    (long long)t, (long long)prev);
		prev = t;
	}
}
END_TEST

/*
 * 20000 draws at 200/s: the mean gap is 5 ms, and the relative standard
 * deviation of the mean about 0.7%; 10% is over 14 of them.  Over whole
 * periods every pattern keeps that mean.
 */
START_TEST(test_pace_mean_gap)
{
	struct pace p;
	int64_t t = 0;
	double mean;
	int i, n = 20000;

	pace_init(&p, 200, patterns[_i], 99, 1);
	for (i = 0; i < n; i++)
		t = pace_next(&p);
	mean = (double)t / (double)(n - 1);
	ck_assert_msg(mean > 4.5e6 && mean < 5.5e6, "mean gap %.0f ns",
	    mean);
}
END_TEST

/* Over 100 s, every pattern schedules about 100 * rate arrivals. */
START_TEST(test_pace_count_over_periods)
{
	struct pace p;
	long n = 0;

	pace_init(&p, 100, patterns[_i], 5, 2);
	while (pace_next(&p) < 100 * NS_S)
		n++;
	ck_assert_msg(n > 9000 && n < 11000, "%ld arrivals in 100 s", n);
}
END_TEST

START_TEST(test_pace_burst_shape)
{
	struct pace p;
	int64_t t;
	int i;

	ck_assert(pace_intensity(PACE_BURST, 0) == 5.0);
	ck_assert(pace_intensity(PACE_BURST, 199 * NS_MS) == 5.0);
	ck_assert(pace_intensity(PACE_BURST, 200 * NS_MS) == 0.0);
	ck_assert(pace_intensity(PACE_BURST, 999 * NS_MS) == 0.0);
	ck_assert(pace_intensity(PACE_BURST, 1000 * NS_MS) == 5.0);
	ck_assert(pace_intensity(PACE_BURST, 7100 * NS_MS) == 5.0);
	ck_assert(pace_intensity(PACE_BURST, 7500 * NS_MS) == 0.0);
	/* Every arrival falls inside a burst: the first 200 ms of a second. */
	pace_init(&p, 300, PACE_BURST, 11, 0);
	for (i = 0; i < 30000; i++) {
		t = pace_next(&p);
		ck_assert_msg(t % PACE_BURST_PERIOD_NS < PACE_BURST_ON_NS,
		    "arrival at %lld ns is outside a burst", (long long)t);
	}
}
END_TEST

START_TEST(test_pace_wave_shape)
{
	struct pace p;
	long crest = 0, trough = 0;
	int64_t t, ph, T = PACE_WAVE_PERIOD_NS;

	ck_assert(fabs(pace_intensity(PACE_WAVE, 0) - 1.0) < 1e-9);
	ck_assert(fabs(pace_intensity(PACE_WAVE, T / 4) - 2.0) < 1e-9);
	ck_assert(fabs(pace_intensity(PACE_WAVE, T / 2) - 1.0) < 1e-9);
	ck_assert(fabs(pace_intensity(PACE_WAVE, 3 * T / 4)) < 1e-9);
	ck_assert(fabs(pace_intensity(PACE_WAVE, 5 * T / 4) - 2.0) < 1e-9);
	ck_assert(pace_intensity(PACE_CONSTANT, 123) == 1.0);
	/*
	 * The quarter around the crest expects 0.475 of a period's
	 * arrivals, the quarter around the trough 0.025: 19 to 1.
	 */
	pace_init(&p, 100, PACE_WAVE, 3, 0);
	while ((t = pace_next(&p)) < 200 * NS_S) {
		ph = t % T;
		crest += ph >= T / 8 && ph < 3 * T / 8;
		trough += ph >= 5 * T / 8 && ph < 7 * T / 8;
	}
	ck_assert_msg(crest > 8000 && crest < 11000, "crest %ld", crest);
	ck_assert_msg(trough < crest / 8, "crest %ld, trough %ld", crest,
	    trough);
}
END_TEST

/* The warp inverts the cumulative intensity: wave's within 1 us. */
START_TEST(test_pace_warp_inverts)
{
	const double T = (double)PACE_WAVE_PERIOD_NS, pi = 3.14159265358979;
	int64_t u, t, prev[NPATTERNS] = { 0 };
	double back;
	size_t k;

	for (u = 0; u <= 25 * NS_S; u += 7 * NS_MS + 13) {
		for (k = 0; k < NPATTERNS; k++) {
			t = pace_warp(patterns[k], u);
			ck_assert_msg(t >= prev[k] && t <= u,
			    "pattern %zu: warp(%lld) = %lld", k, (long long)u,
			    (long long)t);
			prev[k] = t;
		}
		t = pace_warp(PACE_WAVE, u);
		back = (double)t + T / (2 * pi) * (1 - cos(2 * pi *
		    (double)t / T));
		ck_assert_msg(fabs(back - (double)u) < 1000.0,
		    "wave: warp(%lld) = %lld maps back to %.0f",
		    (long long)u, (long long)t, back);
		ck_assert_int_eq(pace_warp(PACE_CONSTANT, u), u);
	}
	ck_assert_int_eq(pace_warp(PACE_BURST, NS_S + 500 * NS_MS),
	    NS_S + 100 * NS_MS);
}
END_TEST

START_TEST(test_pace_extreme_rates)
{
	struct pace p;
	int64_t t = 0, prev = 0;
	int i;

	/* The fastest: 100000 draws take about a second. */
	pace_init(&p, PACE_RATE_MAX, patterns[_i], 1, 1023);
	for (i = 0; i < PACE_RATE_MAX; i++) {
		t = pace_next(&p);
		ck_assert(t >= prev);
		prev = t;
	}
	/* In constant-rate time; a pattern only moves arrivals earlier. */
	ck_assert_msg(p.u_ns > 900 * NS_MS && p.u_ns < 1100 * NS_MS,
	    "%lld ns", (long long)p.u_ns);
	ck_assert_int_le(t, p.u_ns);
	/* Out-of-range rates are clamped, never divided by. */
	pace_init(&p, 0, patterns[_i], 1, 0);
	ck_assert_int_eq(p.rate, 1);
	pace_init(&p, INT64_MAX, patterns[_i], 1, 0);
	ck_assert_int_eq(p.rate, PACE_RATE_MAX);
	/* The slowest: 1000 draws at 1/s take about 1000 s. */
	pace_init(&p, 1, patterns[_i], 1, 0);
	for (i = 0; i < 1000; i++)
		t = pace_next(&p);
	ck_assert_msg(p.u_ns > 850 * NS_S && p.u_ns < 1150 * NS_S,
	    "%lld ns", (long long)p.u_ns);
	ck_assert_int_le(t, p.u_ns);
}
END_TEST

/* At the end of time the schedule saturates instead of wrapping. */
START_TEST(test_pace_no_overflow)
{
	struct pace p;
	int64_t t, prev;
	int i;

	ck_assert_int_le(pace_warp(patterns[_i], INT64_MAX), INT64_MAX);
	ck_assert_int_ge(pace_warp(patterns[_i], INT64_MAX), 0);
	ck_assert_int_le(pace_warp(patterns[_i], INT64_MAX - 1),
	    pace_warp(patterns[_i], INT64_MAX));
	ck_assert_int_eq(pace_warp(patterns[_i], -5), 0);
	pace_init(&p, 1, patterns[_i], 1, 0);
	(void)pace_next(&p);
	p.u_ns = INT64_MAX - 10;
	prev = pace_warp(patterns[_i], p.u_ns);
	for (i = 0; i < 100; i++) {
		t = pace_next(&p);
		ck_assert(t >= prev && t >= 0);
		prev = t;
	}
	ck_assert_int_eq(p.u_ns, INT64_MAX);
}
END_TEST

START_TEST(test_pace_names)
{
	ck_assert_str_eq(pace_pattern_names[PACE_CONSTANT], "constant");
	ck_assert_str_eq(pace_pattern_names[PACE_BURST], "burst");
	ck_assert_str_eq(pace_pattern_names[PACE_WAVE], "wave");
	ck_assert_ptr_eq(pace_pattern_names[PACE_WAVE + 1], NULL);
}
END_TEST

static Suite *
pace_suite(void)
{
	Suite *s = suite_create("pace");
	TCase *tc;
	int n = (int)NPATTERNS;

	tc = tcase_create("schedule");
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_pace_same_seed_same_times, 0, n);
	tcase_add_loop_test(tc, test_pace_first_at_start_then_nondecreasing,
	    0, n);
	tcase_add_loop_test(tc, test_pace_mean_gap, 0, n);
	tcase_add_loop_test(tc, test_pace_count_over_periods, 0, n);
	tcase_add_test(tc, test_pace_names);
	suite_add_tcase(s, tc);

	tc = tcase_create("shapes");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_pace_burst_shape);
	tcase_add_test(tc, test_pace_wave_shape);
	tcase_add_test(tc, test_pace_warp_inverts);
	suite_add_tcase(s, tc);

	tc = tcase_create("limits");
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_pace_extreme_rates, 0, n);
	tcase_add_loop_test(tc, test_pace_no_overflow, 0, n);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(pace_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
