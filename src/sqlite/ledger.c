/* SPDX-License-Identifier: MIT */
/*
 * ledger: the parent's bookkeeping of acknowledged commits, judged against
 * what each snapshot and the final database held.  Per worker it keeps the
 * ACK history (seq, t_commit), the newest stamp seen, and how the worker
 * finished; per snapshot a copy of its gap-free maxima.  A snapshot is
 * judged for a worker once that worker can no longer send an ACK from
 * before the snapshot began (ledger.h explains why), and history older
 * than the newest judged snapshot is pruned, so memory stays bounded by
 * about one validate interval of ACKs.  It deliberately does no I/O, reads
 * no clock and knows nothing of pipes or SQL: problems go to a callback as
 * one-line reasons, each (snapshot, worker, kind) at most once.
 */
#include "autoconf.h"
#include "ledger.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define LEDGER_REASON_MAX 256

struct ledger_ack {
	uint64_t seq;
	int64_t  t_commit;
};

struct ledger_worker {
	struct ledger_ack *hist;     /* live entries are hist[off..n-1] */
	size_t    off, n, cap;
	uint64_t  acked;
	int64_t   last_commit;
	int       seen;              /* last_seen is valid */
	int64_t   last_seen;
	int       finished, clean;
	uint64_t  last_seq;
	size_t    judged;            /* snapshots [0, judged) are judged */
	size_t    beyond_checked;    /* snapshots [0, ...) checked at final */
	int       final_lost, final_beyond;   /* reported already */
	int       lost_known;        /* lost was counted by the caller */
	uint64_t  lost;
	/* --nemesis */
	uint64_t  attempted;         /* highest seq known to be written */
	int       cut_phase;         /* the last kill's, until the resume */
	uint64_t  cut_lo, cut_hi;
	int       cut_pending;
	struct ledger_nemesis nem;
};

struct ledger_down {
	int64_t down, up;            /* up 0: still down */
};

struct ledger_snap {
	uint32_t  index;
	int64_t   t_begin;
	uint64_t *k;                 /* one entry per ledger worker */
	int64_t   lag;               /* replication lag, over the judged workers */
	int       njudged;           /* workers it was judged for */
};

struct ledger {
	int                   nworkers;
	int64_t               max_lag;  /* a copy may miss this much history */
	struct ledger_worker *w;
	struct ledger_snap   *snaps;
	size_t                nsnaps, capsnaps;
	struct ledger_down   *downs;    /* the store's downtimes */
	size_t                ndowns, capdowns;
	int                   keep_all; /* --powerloss: never prune */
};

/* Test hook, deliberately not in ledger.h: live history entries of w. */
size_t ledger_history_len(const struct ledger *l, int w);

struct ledger *
ledger_new(int nworkers)
{
	struct ledger *l;

	if (nworkers < 1) {
		errno = EINVAL;
		return NULL;
	}
	if ((l = calloc(1, sizeof *l)) == NULL)
		return NULL;
	l->nworkers = nworkers;
	if ((l->w = calloc((size_t)nworkers, sizeof *l->w)) == NULL) {
		free(l);
		return NULL;
	}
	return l;
}

void
ledger_free(struct ledger *l)
{
	size_t i;
	int w;

	if (l == NULL)
		return;
	for (w = 0; w < l->nworkers; w++)
		free(l->w[w].hist);
	for (i = 0; i < l->nsnaps; i++)
		free(l->snaps[i].k);
	free(l->w);
	free(l->snaps);
	free(l->downs);
	free(l);
}

static int
ledger_valid(const struct ledger *l, int w)
{
	return l != NULL && w >= 0 && w < l->nworkers;
}

/* Make room for one more history entry, compacting before growing. */
static int
ledger_hist_room(struct ledger_worker *wk)
{
	if (wk->n < wk->cap)
		return 0;
	/*
	 * Pruning only advances off; sliding the live part down here keeps
	 * the array at most twice the live window instead of the whole run.
	 */
	if (wk->off > 0 && wk->off >= wk->n / 2) {
		memmove(wk->hist, wk->hist + wk->off,
		    (wk->n - wk->off) * sizeof *wk->hist);
		wk->n -= wk->off;
		wk->off = 0;
		return 0;
	}
	return util_grow(&wk->hist, &wk->cap, wk->n, sizeof *wk->hist, 64);
}

int
ledger_ack(struct ledger *l, int w, uint64_t seq, int64_t t_commit)
{
	struct ledger_worker *wk;

	if (!ledger_valid(l, w)) {
		errno = EINVAL;
		return -1;
	}
	wk = &l->w[w];
	if (seq <= wk->acked ||
	    (wk->acked > 0 && t_commit < wk->last_commit)) {
		errno = EINVAL;
		return -1;
	}
	/*
	 * Two ACKs with the same t_commit answer every "before t_begin"
	 * question alike, so the newer one may replace the older.
	 */
	if (wk->n > wk->off && wk->hist[wk->n - 1].t_commit == t_commit)
		wk->hist[wk->n - 1].seq = seq;
	else {
		if (ledger_hist_room(wk) < 0)
			return -1;
		wk->hist[wk->n].seq = seq;
		wk->hist[wk->n].t_commit = t_commit;
		wk->n++;
	}
	wk->acked = seq;
	wk->last_commit = t_commit;
	return 0;
}

void
ledger_seen(struct ledger *l, int w, int64_t t_sent)
{
	struct ledger_worker *wk;

	if (!ledger_valid(l, w))
		return;
	wk = &l->w[w];
	if (!wk->seen || t_sent > wk->last_seen) {
		wk->last_seen = t_sent;
		wk->seen = 1;
	}
}

void
ledger_finish(struct ledger *l, int w, int clean, uint64_t last_seq)
{
	struct ledger_worker *wk;

	if (!ledger_valid(l, w))
		return;
	wk = &l->w[w];
	wk->finished = 1;
	wk->clean = clean != 0;
	/* Its last life's DONE; earlier lives (--nemesis) may have gone further. */
	wk->last_seq = clean ? (last_seq > wk->attempted ? last_seq :
	    wk->attempted) : 0;
}

int
ledger_snapshot(struct ledger *l, uint32_t index, int64_t t_begin,
    const uint64_t *k, int nworkers)
{
	struct ledger_snap *s;
	int w;

	if (l == NULL || nworkers < 0 || (nworkers > 0 && k == NULL) ||
	    (l->nsnaps > 0 && t_begin < l->snaps[l->nsnaps - 1].t_begin)) {
		errno = EINVAL;
		return -1;
	}
	if (util_grow(&l->snaps, &l->capsnaps, l->nsnaps, sizeof *l->snaps,
	    16) < 0)
		return -1;
	s = &l->snaps[l->nsnaps];
	if ((s->k = calloc((size_t)l->nworkers, sizeof *s->k)) == NULL)
		return -1;
	/* Workers the snapshot does not list held no rows in it. */
	for (w = 0; w < l->nworkers && w < nworkers; w++)
		s->k[w] = k[w];
	s->index = index;
	s->t_begin = t_begin;
	s->lag = 0;
	s->njudged = 0;
	l->nsnaps++;
	return 0;
}

/*
 * Index into hist of the newest ACK committed strictly before t, or
 * wk->off - 1 if none is live.  "Strictly": a commit that returned at the
 * very instant the read began may have raced it.
 */
static size_t
ledger_before(const struct ledger_worker *wk, int64_t t)
{
	size_t lo = wk->off, hi = wk->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (wk->hist[mid].t_commit < t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo - 1;
}

/*
 * The lag a copy whose read began at t may have: --max-lag, plus each
 * store downtime that began before t and ended less than max-lag before
 * it (or lasts), by the part of it before t.
 */
static int64_t
ledger_lag(const struct ledger *l, int64_t t)
{
	int64_t lag = l->max_lag;
	size_t i;

	for (i = 0; i < l->ndowns; i++) {
		const struct ledger_down *d = &l->downs[i];

		if (t < d->down || (d->up != 0 && t > d->up + l->max_lag))
			continue;
		lag += (d->up != 0 && d->up < t ? d->up : t) - d->down;
	}
	return lag;
}

static size_t
ledger_report(ledger_fail_fn fail, void *user, int w, uint32_t snapshot,
    const char *reason)
{
	if (fail != NULL)
		fail(user, w, snapshot, reason);
	return 1;
}

/* "1..56", or "no rows" when k is 0. */
static void
ledger_range(uint64_t k, char *buf, size_t cap)
{
	if (k == 0)
		snprintf(buf, cap, "no rows");
	else
		snprintf(buf, cap, "only 1..%" PRIu64, k);
}

/* How long before the snapshot an ACKed commit returned, for humans. */
static void
ledger_ago(int64_t ns, char *buf, size_t cap)
{
	if (ns >= 1000000)
		snprintf(buf, cap, "%" PRId64 " ms", ns / 1000000);
	else if (ns >= 1000)
		snprintf(buf, cap, "%" PRId64 " us", ns / 1000);
	else
		snprintf(buf, cap, "%" PRId64 " ns", ns);
}

/*
 * The replication lag of snapshot s for worker w: how long the oldest
 * acknowledged row missing from it (the first ACK past k) had been
 * acknowledged when its read began; 0 when every row acknowledged before
 * then is in it.  ACK seqs only grow, so a binary search finds it.
 */
static int64_t
ledger_missing_age(const struct ledger_worker *wk,
    const struct ledger_snap *s, int w)
{
	size_t lo = wk->off, hi = wk->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (wk->hist[mid].seq <= s->k[w])
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo >= wk->n || wk->hist[lo].t_commit >= s->t_begin)
		return 0;
	return s->t_begin - wk->hist[lo].t_commit;
}

/* Judge snapshot si for worker w: lost ACKed rows, then shrinking. */
static size_t
ledger_judge(struct ledger *l, size_t si, int w, ledger_fail_fn fail,
    void *user)
{
	struct ledger_worker *wk = &l->w[w];
	struct ledger_snap *s = &l->snaps[si];
	int64_t age = ledger_missing_age(wk, s, w);
	char reason[LEDGER_REASON_MAX], range[48], ago[32];
	int64_t lag = ledger_lag(l, s->t_begin);
	size_t i = ledger_before(wk, s->t_begin - lag), found = 0;

	if (age > s->lag)
		s->lag = age;
	s->njudged++;
	if (i + 1 > wk->off && s->k[w] < wk->hist[i].seq) {
		ledger_range(s->k[w], range, sizeof range);
		ledger_ago(s->t_begin - wk->hist[i].t_commit, ago, sizeof ago);
		snprintf(reason, sizeof reason, "snapshot %" PRIu32 ": w%d "
		    "acknowledged seq %" PRIu64 " (committed %s before the "
		    "snapshot began%s) but the snapshot holds %s", s->index, w,
		    wk->hist[i].seq, ago, lag > 0 ?
		    ", beyond the allowed lag" : "", range);
		found += ledger_report(fail, user, w, s->index, reason);
	}
	if (si > 0 && s->k[w] < l->snaps[si - 1].k[w]) {
		snprintf(reason, sizeof reason, "snapshot %" PRIu32 ": w%d "
		    "shrank from %" PRIu64 " to %" PRIu64 " rows", s->index, w,
		    l->snaps[si - 1].k[w], s->k[w]);
		found += ledger_report(fail, user, w, s->index, reason);
	}
	return found;
}

/*
 * Drop w's history that no later snapshot can ask about: everything
 * committed before the newest judged snapshot began, except the newest
 * such entry, which is the answer for any snapshot that begins later.
 */
static void
ledger_prune(struct ledger *l, int w)
{
	struct ledger_worker *wk = &l->w[w];
	size_t i;

	if (wk->judged == 0 || l->keep_all)
		return;
	i = ledger_before(wk, l->snaps[wk->judged - 1].t_begin -
	    ledger_lag(l, l->snaps[wk->judged - 1].t_begin));
	if (i + 1 > wk->off)
		wk->off = i;
}

void
ledger_set_max_lag(struct ledger *l, int64_t max_lag_ns)
{
	l->max_lag = max_lag_ns > 0 ? max_lag_ns : 0;
}

void
ledger_horizon(struct ledger *l, int64_t t)
{
	int w;

	for (w = 0; w < l->nworkers && !l->keep_all; w++) {
		struct ledger_worker *wk = &l->w[w];
		int64_t limit = t - ledger_lag(l, t);
		size_t i;

		/* A snapshot still to be judged may need what lies before t. */
		if (wk->judged < l->nsnaps &&
		    l->snaps[wk->judged].t_begin - ledger_lag(l,
		    l->snaps[wk->judged].t_begin) < limit)
			limit = l->snaps[wk->judged].t_begin -
			    ledger_lag(l, l->snaps[wk->judged].t_begin);
		i = ledger_before(wk, limit);
		if (i + 1 > wk->off)
			wk->off = i;
	}
}

/* 1 if worker w can no longer send an ACK from before snapshot si. */
static int
ledger_ready(const struct ledger *l, size_t si, int w)
{
	const struct ledger_worker *wk = &l->w[w];

	return wk->finished ||
	    (wk->seen && wk->last_seen >= l->snaps[si].t_begin);
}

/* At final: rows a cleanly finished worker never attempted. */
static size_t
ledger_beyond(struct ledger *l, int w, ledger_fail_fn fail, void *user)
{
	struct ledger_worker *wk = &l->w[w];
	char reason[LEDGER_REASON_MAX], range[48];
	size_t found = 0;

	if (!wk->finished || !wk->clean)
		return 0;
	ledger_range(wk->last_seq, range, sizeof range);
	for (; wk->beyond_checked < l->nsnaps; wk->beyond_checked++) {
		const struct ledger_snap *s = &l->snaps[wk->beyond_checked];

		if (s->k[w] <= wk->last_seq)
			continue;
		snprintf(reason, sizeof reason, "snapshot %" PRIu32 ": w%d "
		    "holds seq %" PRIu64 " but %s were ever inserted",
		    s->index, w, s->k[w], range);
		found += ledger_report(fail, user, w, s->index, reason);
	}
	return found;
}

int
ledger_snapshot_lag(const struct ledger *l, uint32_t index, int64_t *lag_ns)
{
	size_t i;

	for (i = 0; l != NULL && i < l->nsnaps; i++)
		if (l->snaps[i].index == index) {
			if (l->snaps[i].njudged < l->nworkers)
				return -1;
			*lag_ns = l->snaps[i].lag;
			return 0;
		}
	return -1;
}

size_t
ledger_evaluate(struct ledger *l, int final, ledger_fail_fn fail,
    void *user)
{
	size_t found = 0;
	int w;

	if (l == NULL)
		return 0;
	for (w = 0; w < l->nworkers; w++) {
		struct ledger_worker *wk = &l->w[w];

		/*
		 * t_begin never decreases, so once one snapshot is not ready
		 * for w, no later one is either.
		 */
		while (wk->judged < l->nsnaps &&
		    (final || ledger_ready(l, wk->judged, w))) {
			found += ledger_judge(l, wk->judged, w, fail, user);
			wk->judged++;
		}
		ledger_prune(l, w);
		if (final)
			found += ledger_beyond(l, w, fail, user);
	}
	return found;
}

size_t
ledger_check_final(struct ledger *l, const uint64_t *k, int nworkers,
    ledger_fail_fn fail, void *user)
{
	char reason[LEDGER_REASON_MAX], range[48];
	size_t found = 0;
	int w;

	if (l == NULL)
		return 0;
	for (w = 0; w < l->nworkers; w++) {
		struct ledger_worker *wk = &l->w[w];
		uint64_t kw = w < nworkers && k != NULL ? k[w] : 0;

		if (kw < wk->acked && !wk->final_lost) {
			uint64_t lost = wk->lost_known ? wk->lost :
			    wk->acked - kw;

			wk->final_lost = 1;
			ledger_range(kw, range, sizeof range);
			snprintf(reason, sizeof reason, "final database: w%d "
			    "acknowledged seq %" PRIu64 " but holds %s "
			    "(%" PRIu64 " acknowledged row%s lost)", w,
			    wk->acked, range, lost, lost == 1 ? "" : "s");
			found += ledger_report(fail, user, w, LEDGER_FINAL,
			    reason);
		}
		/* After a crash, rows past the last ACK are indeterminate. */
		if (wk->finished && wk->clean && kw > wk->last_seq &&
		    !wk->final_beyond) {
			wk->final_beyond = 1;
			ledger_range(wk->last_seq, range, sizeof range);
			snprintf(reason, sizeof reason, "final database: w%d "
			    "holds seq %" PRIu64 " but %s were ever inserted",
			    w, kw, range);
			found += ledger_report(fail, user, w, LEDGER_FINAL,
			    reason);
		}
	}
	return found;
}

void
ledger_set_lost(struct ledger *l, int w, uint64_t lost)
{
	if (!ledger_valid(l, w))
		return;
	l->w[w].lost_known = 1;
	l->w[w].lost = lost;
}

void
ledger_killed(struct ledger *l, int w, int phase, uint64_t lo, uint64_t hi)
{
	struct ledger_worker *wk;

	if (!ledger_valid(l, w))
		return;
	wk = &l->w[w];
	wk->nem.kills++;
	/*
	 * Killed again before it told where it resumes (it sends that
	 * before any transaction): the earlier cut is still to be resolved.
	 */
	if (wk->cut_pending && phase == LEDGER_IDLE) {
		if (hi > wk->attempted)
			wk->attempted = hi;
		return;
	}
	wk->cut_pending = phase == LEDGER_TXN || phase == LEDGER_COMMIT;
	wk->cut_phase = phase;
	wk->cut_lo = lo;
	wk->cut_hi = hi;
	/* Between transactions lo..hi is the last one it committed. */
	if (hi > wk->attempted)
		wk->attempted = hi;
	if (phase == LEDGER_COMMIT)
		wk->nem.indeterminate++;
}

/* After a kill: how the cut transaction resolved in what seq says. */
static size_t
ledger_cut(struct ledger_worker *wk, int w, uint64_t seq,
    ledger_fail_fn fail, void *user)
{
	char reason[LEDGER_REASON_MAX];

	wk->cut_pending = 0;
	if (wk->cut_phase == LEDGER_COMMIT && seq >= wk->cut_hi) {
		wk->nem.present++;
		return 0;
	}
	if (seq < wk->cut_lo) {
		wk->nem.absent += wk->cut_phase == LEDGER_COMMIT;
		return 0;
	}
	if (wk->cut_phase == LEDGER_COMMIT)
		snprintf(reason, sizeof reason, "w%d restarted after a nemesis "
		    "kill in COMMIT: its transaction of seqs %" PRIu64 "..%"
		    PRIu64 " is torn (the store holds up to %" PRIu64 ")", w,
		    wk->cut_lo, wk->cut_hi, seq);
	else
		snprintf(reason, sizeof reason, "w%d restarted after a nemesis "
		    "kill before its COMMIT: its uncommitted seqs %" PRIu64
		    "..%" PRIu64 " are in the store (it holds up to %" PRIu64
		    ")", w, wk->cut_lo, wk->cut_hi, seq);
	return ledger_report(fail, user, w, LEDGER_FINAL, reason);
}

size_t
ledger_resume(struct ledger *l, int w, uint64_t seq, ledger_fail_fn fail,
    void *user)
{
	char reason[LEDGER_REASON_MAX], range[48];
	struct ledger_worker *wk;
	size_t found = 0;

	if (!ledger_valid(l, w))
		return 0;
	wk = &l->w[w];
	if (wk->acked > wk->attempted)
		wk->attempted = wk->acked;
	if (seq < wk->acked) {
		ledger_range(seq, range, sizeof range);
		snprintf(reason, sizeof reason, "w%d restarted and found %s in "
		    "the store, but seq %" PRIu64 " was acknowledged (%" PRIu64
		    " acknowledged row%s lost)", w, range, wk->acked,
		    wk->acked - seq, wk->acked - seq == 1 ? "" : "s");
		found += ledger_report(fail, user, w, LEDGER_FINAL, reason);
	}
	if (seq > wk->attempted) {
		ledger_range(wk->attempted, range, sizeof range);
		snprintf(reason, sizeof reason, "w%d restarted and found seq %"
		    PRIu64 " in the store, but %s were ever inserted", w, seq,
		    range);
		found += ledger_report(fail, user, w, LEDGER_FINAL, reason);
	}
	if (wk->cut_pending)
		found += ledger_cut(wk, w, seq, fail, user);
	if (seq > wk->attempted)
		wk->attempted = seq;
	return found;
}

size_t
ledger_settle_cuts(struct ledger *l, const uint64_t *k, int nworkers,
    ledger_fail_fn fail, void *user)
{
	size_t found = 0;
	int w;

	for (w = 0; w < nworkers && ledger_valid(l, w); w++)
		if (l->w[w].cut_pending)
			found += ledger_cut(&l->w[w], w, k[w], fail, user);
	return found;
}

int
ledger_downtime(struct ledger *l, int64_t down_ns)
{
	if (util_grow(&l->downs, &l->capdowns, l->ndowns, sizeof *l->downs,
	    8) < 0)
		return -1;
	l->downs[l->ndowns].down = down_ns;
	l->downs[l->ndowns].up = 0;
	l->ndowns++;
	return 0;
}

void
ledger_downtime_end(struct ledger *l, int64_t up_ns)
{
	if (l->ndowns > 0 && l->downs[l->ndowns - 1].up == 0)
		l->downs[l->ndowns - 1].up = up_ns > l->downs[l->ndowns - 1].down ?
		    up_ns : l->downs[l->ndowns - 1].down + 1;
}

void
ledger_nemesis_stats(const struct ledger *l, int w, struct ledger_nemesis *out)
{
	if (ledger_valid(l, w))
		*out = l->w[w].nem;
	else
		memset(out, 0, sizeof *out);
}

uint64_t
ledger_acked(const struct ledger *l, int w)
{
	return ledger_valid(l, w) ? l->w[w].acked : 0;
}

uint64_t
ledger_attempted(const struct ledger *l, int w)
{
	if (!ledger_valid(l, w))
		return 0;
	return l->w[w].attempted > l->w[w].acked ? l->w[w].attempted :
	    l->w[w].acked;
}

size_t
ledger_judged(const struct ledger *l)
{
	size_t min;
	int w;

	if (l == NULL)
		return 0;
	min = l->nsnaps;
	for (w = 0; w < l->nworkers; w++)
		if (l->w[w].judged < min)
			min = l->w[w].judged;
	return min;
}

size_t
ledger_history_len(const struct ledger *l, int w)
{
	return ledger_valid(l, w) ? l->w[w].n - l->w[w].off : 0;
}

void
ledger_keep_history(struct ledger *l)
{
	if (l != NULL)
		l->keep_all = 1;
}

uint64_t
ledger_acked_before(const struct ledger *l, int w, int64_t t)
{
	const struct ledger_worker *wk;
	size_t i;

	if (!ledger_valid(l, w))
		return 0;
	wk = &l->w[w];
	i = ledger_before(wk, t);
	/* Nothing live before t: with the history kept, nothing at all. */
	if (i + 1 <= wk->off || i >= wk->n)
		return 0;
	return wk->hist[i].seq;
}
