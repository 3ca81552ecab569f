/* SPDX-License-Identifier: MIT */
/*
 * pace: the arrival schedule of --rate, pure and SQL-free.  A worker's
 * intended start times are a Poisson process of mean `rate` per second
 * (exponential gaps drawn from a splitmix64 stream seeded by (seed,
 * worker), so a run reproduces), shaped by a pattern (constant, burst,
 * wave) through its cumulative intensity: the pattern moves arrivals in
 * time, never adds or removes any, so the mean stays `rate`.  The first
 * arrival is at the start.  This module only answers "when is the next
 * one due" as an offset from the run's start; it reads no clock, sleeps
 * never and keeps no figures: the worker measures how late it is.
 */
#ifndef SQLSTORM_PACE_H
#define SQLSTORM_PACE_H

#include <stdint.h>

/* Transactions per second per worker, at most. */
#define PACE_RATE_MAX 100000

/* burst: every PERIOD, RATE * PERIOD / ON for ON, then nothing. */
#define PACE_BURST_PERIOD_NS INT64_C(1000000000)
#define PACE_BURST_ON_NS     INT64_C(200000000)
/* wave: rate * (1 + sin(2 pi t / PERIOD)): 0..2x the rate. */
#define PACE_WAVE_PERIOD_NS  INT64_C(10000000000)

enum pace_pattern {
	PACE_CONSTANT, PACE_BURST, PACE_WAVE
};

/* "constant", "burst", "wave", NULL: indexed by enum pace_pattern. */
extern const char *const pace_pattern_names[];

struct pace {
	uint64_t rng;               /* splitmix64 state */
	int64_t  rate;              /* arrivals per second, >= 1 */
	enum pace_pattern pattern;
	int64_t  u_ns;              /* constant-rate time of the last arrival */
	uint64_t drawn;             /* arrivals handed out so far */
};

/*
 * Start worker's schedule: rate (1 .. PACE_RATE_MAX, clamped) arrivals
 * per second in pattern, from a stream that depends on seed and worker
 * only.  Nothing is allocated.
 */
void pace_init(struct pace *p, int64_t rate, enum pace_pattern pattern,
    uint64_t seed, int worker);

/*
 * The next intended start, in ns from the run's start: 0 first, then
 * nondecreasing; saturates at INT64_MAX (never overflows).
 */
int64_t pace_next(struct pace *p);

/*
 * The pattern's rate multiplier at offset t_ns (>= 0) from the start:
 * constant 1; burst PERIOD / ON inside a burst, 0 outside; wave
 * 1 + sin(2 pi t / PERIOD).  Its mean over a period is 1.
 */
double pace_intensity(enum pace_pattern pattern, int64_t t_ns);

/*
 * The offset t at which a constant-rate schedule's time u_ns (>= 0) falls
 * under pattern: the inverse of the pattern's cumulative intensity.
 * Nondecreasing in u, pace_warp(x, 0) == 0, and never above u_ns.
 */
int64_t pace_warp(enum pace_pattern pattern, int64_t u_ns);

#endif
