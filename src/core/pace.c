/* SPDX-License-Identifier: MIT */
/*
 * pace: the arrival schedule of --rate (pace.h).  Arrivals are drawn by
 * time rescaling: exponential gaps of mean 1/rate accumulate a
 * constant-rate time u, and the pattern's inverse cumulative intensity
 * maps u to the intended offset t.  Constant is the identity; burst packs
 * each PERIOD of u into the first ON of its period; wave solves
 * t + (T / 2 pi)(1 - cos(2 pi t / T)) = u within a period by safeguarded
 * Newton steps.  Every period of t holds exactly the arrivals of the same
 * period of u, so the mean rate is the asked one whatever the pattern.
 * It reads no clock and has no side effect beyond its own struct.
 */
#include "autoconf.h"
#include "pace.h"

#include <math.h>

#include "util.h"

#define PACE_PI 3.14159265358979323846

const char *const pace_pattern_names[] = {
	"constant", "burst", "wave", NULL
};

void
pace_init(struct pace *p, int64_t rate, enum pace_pattern pattern,
    uint64_t seed, int worker)
{
	if (rate < 1)
		rate = 1;
	if (rate > PACE_RATE_MAX)
		rate = PACE_RATE_MAX;
	p->rate = rate;
	p->pattern = pattern;
	p->u_ns = 0;
	p->drawn = 0;
	/* Apart from the workload's stream (seed ^ worker): a tag. */
	p->rng = seed ^ UINT64_C(0x7061636570616365) ^
	    ((uint64_t)(unsigned)worker << 32);
	(void)util_rand64(&p->rng);
}

/* An exponential gap of mean 1/rate seconds, in ns, rounded; >= 0. */
static int64_t
pace_gap(struct pace *p)
{
	/* 53 random bits: u in [0, 1), so 1 - u in (0, 1] and log is finite. */
	double u = (double)(util_rand64(&p->rng) >> 11) /
	    9007199254740992.0;        /* 2^53 */
	double gap = -log(1.0 - u) * 1e9 / (double)p->rate;

	/* At most 37 s * 1e9 / rate: far below INT64_MAX. */
	return (int64_t)(gap + 0.5);
}

int64_t
pace_next(struct pace *p)
{
	int64_t gap;

	if (p->drawn++ > 0) {
		gap = pace_gap(p);
		p->u_ns = p->u_ns > INT64_MAX - gap ? INT64_MAX : p->u_ns + gap;
	}
	return pace_warp(p->pattern, p->u_ns);
}

double
pace_intensity(enum pace_pattern pattern, int64_t t_ns)
{
	switch (pattern) {
	case PACE_BURST:
		return t_ns % PACE_BURST_PERIOD_NS < PACE_BURST_ON_NS ?
		    (double)PACE_BURST_PERIOD_NS / (double)PACE_BURST_ON_NS :
		    0.0;
	case PACE_WAVE:
		return 1.0 + sin(2.0 * PACE_PI * (double)(t_ns %
		    PACE_WAVE_PERIOD_NS) / (double)PACE_WAVE_PERIOD_NS);
	case PACE_CONSTANT:
		break;
	}
	return 1.0;
}

/*
 * The phase th in [0, 2 pi] with th + 1 - cos(th) = phi (phi in [0,
 * 2 pi)): the wave's cumulative intensity over one period, in radians.
 * Its slope 1 + sin(th) vanishes at 3 pi / 2, where Newton would leap,
 * so a step that leaves the bracket is a bisection instead.
 */
static double
pace_wave_phase(double phi)
{
	double lo = 0.0, hi = 2.0 * PACE_PI, th = phi, h, d, next;
	int i;

	for (i = 0; i < 100; i++) {
		h = th + 1.0 - cos(th) - phi;
		if (h == 0.0)
			break;
		if (h > 0.0)
			hi = th;
		else
			lo = th;
		d = 1.0 + sin(th);
		next = d > 0.0 ? th - h / d : lo;
		if (!(next > lo && next < hi))
			next = (lo + hi) / 2.0;
		if (fabs(next - th) < 1e-13)
			return next;
		th = next;
	}
	return th;
}

int64_t
pace_warp(enum pace_pattern pattern, int64_t u_ns)
{
	int64_t k, rem, t;

	if (u_ns <= 0)
		return 0;
	switch (pattern) {
	case PACE_BURST:
		k = u_ns / PACE_BURST_PERIOD_NS;
		rem = u_ns % PACE_BURST_PERIOD_NS;
		/* rem * ON < 1e9 * 2e8: no overflow. */
		return k * PACE_BURST_PERIOD_NS +
		    rem * PACE_BURST_ON_NS / PACE_BURST_PERIOD_NS;
	case PACE_WAVE:
		k = u_ns / PACE_WAVE_PERIOD_NS;
		rem = u_ns % PACE_WAVE_PERIOD_NS;
		t = (int64_t)(pace_wave_phase(2.0 * PACE_PI * (double)rem /
		    (double)PACE_WAVE_PERIOD_NS) * (double)PACE_WAVE_PERIOD_NS /
		    (2.0 * PACE_PI) + 0.5);
		/* Rounding must not step past rem (t <= u) or back below 0. */
		if (t > rem)
			t = rem;
		if (t < 0)
			t = 0;
		return k * PACE_WAVE_PERIOD_NS + t;
	case PACE_CONSTANT:
		break;
	}
	return u_ns;
}
