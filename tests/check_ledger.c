/* SPDX-License-Identifier: MIT */
/*
 * check_ledger: pure unit tests of the acknowledged-commit ledger: ACK
 * ordering, when a snapshot may be judged, the strict "<" at t_begin,
 * coalesced ACKs, lost rows, shrinking, rows beyond what was attempted,
 * the indeterminate crash case, pruning, and report-once.
 */
#include "autoconf.h"

#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ledger.h"
#include "util.h"

#define MS UTIL_NS_PER_MS

/* Test hook in ledger.c, deliberately not in ledger.h. */
size_t ledger_history_len(const struct ledger *l, int w);

#define MAX_FAILS 64

struct fails {
	size_t   n;
	int      worker[MAX_FAILS];
	uint32_t snapshot[MAX_FAILS];
	char     reason[MAX_FAILS][256];
};

static struct fails fails;

static void
collect(void *user, int worker, uint32_t snapshot, const char *reason)
{
	struct fails *f = user;

	ck_assert_ptr_eq(f, &fails);
	ck_assert_ptr_null(strchr(reason, '\n'));
	if (f->n < MAX_FAILS) {
		f->worker[f->n] = worker;
		f->snapshot[f->n] = snapshot;
		util_strlcpy(f->reason[f->n], reason, sizeof f->reason[0]);
	}
	f->n++;
}

static size_t
evaluate(struct ledger *l, int final)
{
	return ledger_evaluate(l, final, collect, &fails);
}

static struct ledger *
make(int nworkers)
{
	struct ledger *l = ledger_new(nworkers);

	ck_assert_ptr_nonnull(l);
	memset(&fails, 0, sizeof fails);
	return l;
}

static void
snap(struct ledger *l, uint32_t index, int64_t t_begin, uint64_t k0,
    uint64_t k1)
{
	uint64_t k[2] = { k0, k1 };

	ck_assert_int_eq(ledger_snapshot(l, index, t_begin, k, 2), 0);
}

START_TEST(test_ledger_new)
{
	struct ledger *l;

	errno = 0;
	ck_assert_ptr_null(ledger_new(0));
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_ptr_null(ledger_new(-1));
	l = make(3);
	ck_assert_uint_eq(ledger_acked(l, 0), 0);
	ck_assert_uint_eq(ledger_acked(l, 2), 0);
	ck_assert_uint_eq(ledger_acked(l, 3), 0);
	ck_assert_uint_eq(ledger_judged(l), 0);
	ck_assert_uint_eq(evaluate(l, 1), 0);
	ledger_free(l);
	ledger_free(NULL);
}
END_TEST

START_TEST(test_ledger_ack_order)
{
	struct ledger *l = make(2);

	ck_assert_int_eq(ledger_ack(l, 0, 0, 10), -1);  /* seq starts at 1 */
	ck_assert_int_eq(ledger_ack(l, 0, 3, 10), 0);
	ck_assert_uint_eq(ledger_acked(l, 0), 3);
	ck_assert_int_eq(ledger_ack(l, 0, 3, 20), -1);  /* same seq */
	ck_assert_int_eq(ledger_ack(l, 0, 2, 20), -1);  /* backwards */
	ck_assert_int_eq(ledger_ack(l, 0, 4, 9), -1);   /* time backwards */
	ck_assert_int_eq(ledger_ack(l, 0, 4, 10), 0);   /* same time is fine */
	ck_assert_int_eq(ledger_ack(l, 0, 9, 11), 0);   /* coalesced: gaps ok */
	ck_assert_uint_eq(ledger_acked(l, 0), 9);
	ck_assert_uint_eq(ledger_acked(l, 1), 0);
	ck_assert_int_eq(ledger_ack(l, 1, 1, 5), 0);    /* independent */
	ck_assert_int_eq(ledger_ack(l, 2, 1, 5), -1);
	ck_assert_int_eq(ledger_ack(l, -1, 1, 5), -1);
	ck_assert_uint_eq(ledger_acked(l, 1), 1);
	ledger_free(l);
}
END_TEST

START_TEST(test_ledger_snapshot_order)
{
	struct ledger *l = make(2);
	uint64_t k[2] = { 0, 0 };

	ck_assert_int_eq(ledger_snapshot(l, 1, 100, k, 2), 0);
	ck_assert_int_eq(ledger_snapshot(l, 2, 100, k, 2), 0);
	ck_assert_int_eq(ledger_snapshot(l, 3, 99, k, 2), -1);
	ck_assert_int_eq(ledger_snapshot(l, 3, 200, k, 2), 0);
	ck_assert_uint_eq(evaluate(l, 1), 0);
	ck_assert_uint_eq(ledger_judged(l), 3);
	ledger_free(l);
}
END_TEST

START_TEST(test_ledger_wait_for_later_record)
{
	struct ledger *l = make(2);

	ck_assert_int_eq(ledger_ack(l, 0, 5, 50 * MS), 0);
	ck_assert_int_eq(ledger_ack(l, 1, 7, 60 * MS), 0);
	snap(l, 1, 100 * MS, 4, 7);
	/* No record from after t_begin yet: an ACK may still be in flight. */
	ck_assert_uint_eq(evaluate(l, 0), 0);
	ck_assert_uint_eq(ledger_judged(l), 0);
	ledger_seen(l, 0, 99 * MS);
	ck_assert_uint_eq(evaluate(l, 0), 0);
	ck_assert_uint_eq(ledger_judged(l), 0);
	/* w0 speaks at t_begin exactly: judged for w0 only. */
	ledger_seen(l, 0, 100 * MS);
	ck_assert_uint_eq(evaluate(l, 0), 1);
	ck_assert_int_eq(fails.worker[0], 0);
	ck_assert_uint_eq(fails.snapshot[0], 1);
	ck_assert_uint_eq(ledger_judged(l), 0);
	/* An older stamp does not move last_seen back. */
	ledger_seen(l, 1, 200 * MS);
	ledger_seen(l, 1, 10 * MS);
	ck_assert_uint_eq(evaluate(l, 0), 0);
	ck_assert_uint_eq(ledger_judged(l), 1);
	ck_assert_uint_eq(fails.n, 1);
	ledger_free(l);
}
END_TEST

START_TEST(test_ledger_wait_for_eof)
{
	struct ledger *l = make(2);

	ck_assert_int_eq(ledger_ack(l, 0, 5, 50 * MS), 0);
	ck_assert_int_eq(ledger_ack(l, 1, 5, 50 * MS), 0);
	snap(l, 1, 100 * MS, 5, 4);
	ledger_seen(l, 0, 150 * MS);
	ck_assert_uint_eq(evaluate(l, 0), 0);
	ck_assert_uint_eq(ledger_judged(l), 0);
	/* EOF from w1 (even unclean) means nothing more will come. */
	ledger_finish(l, 1, 0, 0);
	ck_assert_uint_eq(evaluate(l, 0), 1);
	ck_assert_int_eq(fails.worker[0], 1);
	ck_assert_uint_eq(ledger_judged(l), 1);
	ledger_free(l);
}
END_TEST

START_TEST(test_ledger_final_judges_all)
{
	struct ledger *l = make(2);

	ck_assert_int_eq(ledger_ack(l, 0, 5, 50 * MS), 0);
	snap(l, 1, 100 * MS, 4, 0);
	snap(l, 2, 200 * MS, 5, 0);
	ck_assert_uint_eq(evaluate(l, 0), 0);
	ck_assert_uint_eq(ledger_judged(l), 0);
	ck_assert_uint_eq(evaluate(l, 1), 1);
	ck_assert_uint_eq(ledger_judged(l), 2);
	ck_assert_uint_eq(fails.snapshot[0], 1);
	ledger_free(l);
}
END_TEST

START_TEST(test_ledger_strict_before)
{
	struct ledger *l = make(1);
	uint64_t k = 4;

	ck_assert_int_eq(ledger_ack(l, 0, 4, 90 * MS), 0);
	ck_assert_int_eq(ledger_ack(l, 0, 5, 100 * MS), 0);
	/* Committed at t_begin exactly: may have raced, not required. */
	ck_assert_int_eq(ledger_snapshot(l, 1, 100 * MS, &k, 1), 0);
	ledger_seen(l, 0, 100 * MS);
	ck_assert_uint_eq(evaluate(l, 0), 0);
	ck_assert_uint_eq(ledger_judged(l), 1);
	/* One nanosecond later it is required. */
	ck_assert_int_eq(ledger_snapshot(l, 2, 100 * MS + 1, &k, 1), 0);
	ledger_seen(l, 0, 100 * MS + 1);
	ck_assert_uint_eq(evaluate(l, 0), 1);
	ck_assert_str_eq(fails.reason[0], "snapshot 2: w0 acknowledged seq 5 "
	    "(committed 1 ns before the snapshot began) but the snapshot "
	    "holds only 1..4");
	ledger_free(l);
}
END_TEST

START_TEST(test_ledger_coalesced_ack)
{
	struct ledger *l = make(1);
	uint64_t k;

	/*
	 * seq 5 committed at 10 ms and seq 6 at 20 ms, acknowledged together
	 * as (6, 20 ms): a snapshot at 15 ms may only demand seq 4.
	 */
	ck_assert_int_eq(ledger_ack(l, 0, 4, 5 * MS), 0);
	ck_assert_int_eq(ledger_ack(l, 0, 6, 20 * MS), 0);
	ledger_seen(l, 0, 30 * MS);
	k = 4;
	ck_assert_int_eq(ledger_snapshot(l, 1, 15 * MS, &k, 1), 0);
	ck_assert_uint_eq(evaluate(l, 0), 0);
	k = 3;
	ck_assert_int_eq(ledger_snapshot(l, 2, 15 * MS, &k, 1), 0);
	ck_assert_uint_eq(evaluate(l, 0), 2);
	ck_assert_str_eq(fails.reason[0], "snapshot 2: w0 acknowledged seq 4 "
	    "(committed 10 ms before the snapshot began) but the snapshot "
	    "holds only 1..3");
	ck_assert_str_eq(fails.reason[1], "snapshot 2: w0 shrank from 4 to 3 "
	    "rows");
	ledger_free(l);
}
END_TEST

START_TEST(test_ledger_lost_row)
{
	struct ledger *l = make(2);

	ck_assert_int_eq(ledger_ack(l, 1, 56, 1000 * MS), 0);
	ck_assert_int_eq(ledger_ack(l, 1, 57, 1988 * MS), 0);
	ck_assert_int_eq(ledger_ack(l, 1, 58, 2001 * MS), 0);
	snap(l, 3, 2000 * MS, 0, 56);
	ledger_finish(l, 0, 1, 0);
	ledger_seen(l, 1, 2001 * MS);
	ck_assert_uint_eq(evaluate(l, 0), 1);
	ck_assert_int_eq(fails.worker[0], 1);
	ck_assert_uint_eq(fails.snapshot[0], 3);
	ck_assert_str_eq(fails.reason[0], "snapshot 3: w1 acknowledged seq 57 "
	    "(committed 12 ms before the snapshot began) but the snapshot "
	    "holds only 1..56");
	ledger_free(l);
}
END_TEST

START_TEST(test_ledger_lost_all_rows)
{
	struct ledger *l = make(2);
	uint64_t k = 3;

	/* A snapshot listing fewer workers holds none of the others' rows. */
	ck_assert_int_eq(ledger_ack(l, 1, 2, 1 * MS), 0);
	ck_assert_int_eq(ledger_snapshot(l, 1, 2500 * 1000, &k, 1), 0);
	ck_assert_uint_eq(evaluate(l, 1), 1);
	ck_assert_str_eq(fails.reason[0], "snapshot 1: w1 acknowledged seq 2 "
	    "(committed 1 ms before the snapshot began) but the snapshot "
	    "holds no rows");
	ledger_free(l);
}
END_TEST

START_TEST(test_ledger_shrink)
{
	struct ledger *l = make(2);

	ledger_seen(l, 0, 1000 * MS);
	ledger_seen(l, 1, 1000 * MS);
	snap(l, 3, 100 * MS, 10, 80);
	snap(l, 4, 200 * MS, 10, 75);
	snap(l, 5, 300 * MS, 10, 76);  /* grew again: not a shrink */
	ck_assert_uint_eq(evaluate(l, 0), 1);
	ck_assert_int_eq(fails.worker[0], 1);
	ck_assert_uint_eq(fails.snapshot[0], 4);
	ck_assert_str_eq(fails.reason[0], "snapshot 4: w1 shrank from 80 to 75 "
	    "rows");
	ck_assert_uint_eq(ledger_judged(l), 3);
	ledger_free(l);
}
END_TEST

START_TEST(test_ledger_beyond_final_only)
{
	struct ledger *l = make(2);

	ck_assert_int_eq(ledger_ack(l, 0, 90, 50 * MS), 0);
	snap(l, 2, 100 * MS, 91, 0);
	ledger_finish(l, 0, 1, 90);
	ledger_finish(l, 1, 1, 0);
	ck_assert_uint_eq(evaluate(l, 0), 0);
	ck_assert_uint_eq(ledger_judged(l), 1);
	ck_assert_uint_eq(evaluate(l, 1), 1);
	ck_assert_int_eq(fails.worker[0], 0);
	ck_assert_uint_eq(fails.snapshot[0], 2);
	ck_assert_str_eq(fails.reason[0], "snapshot 2: w0 holds seq 91 but "
	    "only 1..90 were ever inserted");
	ledger_free(l);
}
END_TEST

START_TEST(test_ledger_beyond_none_inserted)
{
	struct ledger *l = make(2);

	snap(l, 1, 100 * MS, 0, 1);
	ledger_finish(l, 0, 1, 0);
	ledger_finish(l, 1, 1, 0);
	ck_assert_uint_eq(evaluate(l, 1), 1);
	ck_assert_str_eq(fails.reason[0], "snapshot 1: w1 holds seq 1 but "
	    "no rows were ever inserted");
	ledger_free(l);
}
END_TEST

START_TEST(test_ledger_indeterminate_crash)
{
	struct ledger *l = make(1);
	uint64_t k;

	ck_assert_int_eq(ledger_ack(l, 0, 10, 50 * MS), 0);
	/* Killed mid-COMMIT: rows 11..15 may or may not be there. */
	ledger_finish(l, 0, 0, 0);
	k = 15;
	ck_assert_int_eq(ledger_snapshot(l, 1, 100 * MS, &k, 1), 0);
	ck_assert_uint_eq(evaluate(l, 1), 0);
	ck_assert_uint_eq(ledger_check_final(l, &k, 1, collect, &fails), 0);
	k = 10;
	ck_assert_uint_eq(ledger_check_final(l, &k, 1, collect, &fails), 0);
	/* But an acknowledged row must still be there. */
	k = 9;
	ck_assert_uint_eq(ledger_check_final(l, &k, 1, collect, &fails), 1);
	ck_assert_int_eq(fails.worker[0], 0);
	ck_assert_uint_eq(fails.snapshot[0], LEDGER_FINAL);
	ck_assert_str_eq(fails.reason[0], "final database: w0 acknowledged "
	    "seq 10 but holds only 1..9 (1 acknowledged row lost)");
	ledger_free(l);
}
END_TEST

START_TEST(test_ledger_final_lost)
{
	struct ledger *l = make(3);
	uint64_t k[3] = { 5, 0, 118 };

	ck_assert_int_eq(ledger_ack(l, 2, 120, 50 * MS), 0);
	ledger_finish(l, 0, 1, 5);
	ledger_finish(l, 1, 1, 0);
	ledger_finish(l, 2, 1, 121);
	ck_assert_uint_eq(ledger_check_final(l, k, 3, collect, &fails), 1);
	ck_assert_int_eq(fails.worker[0], 2);
	ck_assert_str_eq(fails.reason[0], "final database: w2 acknowledged "
	    "seq 120 but holds only 1..118 (2 acknowledged rows lost)");
	ledger_free(l);
}
END_TEST

/* One deleted row in the middle is one row lost, not acked - k. */
START_TEST(test_ledger_final_lost_counted)
{
	struct ledger *l = make(2);
	uint64_t k[2] = { 49, 49 };

	ck_assert_int_eq(ledger_ack(l, 0, 200, 50 * MS), 0);
	ck_assert_int_eq(ledger_ack(l, 1, 200, 50 * MS), 0);
	ledger_finish(l, 0, 1, 200);
	ledger_finish(l, 1, 1, 200);
	ledger_set_lost(l, 0, 1);
	ledger_set_lost(l, 7, 1);           /* no such worker: ignored */
	ck_assert_uint_eq(ledger_check_final(l, k, 2, collect, &fails), 2);
	ck_assert_str_eq(fails.reason[0], "final database: w0 acknowledged "
	    "seq 200 but holds only 1..49 (1 acknowledged row lost)");
	/* Not counted by the caller: everything past the prefix. */
	ck_assert_str_eq(fails.reason[1], "final database: w1 acknowledged "
	    "seq 200 but holds only 1..49 (151 acknowledged rows lost)");
	ledger_free(l);
}
END_TEST

START_TEST(test_ledger_final_beyond)
{
	struct ledger *l = make(2);
	uint64_t k[2] = { 91, 90 };

	ck_assert_int_eq(ledger_ack(l, 0, 90, 50 * MS), 0);
	ck_assert_int_eq(ledger_ack(l, 1, 90, 50 * MS), 0);
	ledger_finish(l, 0, 1, 90);
	ledger_finish(l, 1, 1, 90);
	ck_assert_uint_eq(ledger_check_final(l, k, 2, collect, &fails), 1);
	ck_assert_int_eq(fails.worker[0], 0);
	ck_assert_uint_eq(fails.snapshot[0], LEDGER_FINAL);
	ck_assert_str_eq(fails.reason[0], "final database: w0 holds seq 91 "
	    "but only 1..90 were ever inserted");
	ledger_free(l);
}
END_TEST

START_TEST(test_ledger_final_short_k)
{
	struct ledger *l = make(2);
	uint64_t k = 3;

	/* Workers missing from k held no rows in the final database. */
	ck_assert_int_eq(ledger_ack(l, 0, 3, 50 * MS), 0);
	ck_assert_int_eq(ledger_ack(l, 1, 1, 50 * MS), 0);
	ck_assert_uint_eq(ledger_check_final(l, &k, 1, collect, &fails), 1);
	ck_assert_str_eq(fails.reason[0], "final database: w1 acknowledged "
	    "seq 1 but holds no rows (1 acknowledged row lost)");
	ledger_free(l);
}
END_TEST

START_TEST(test_ledger_report_once)
{
	struct ledger *l = make(2);
	uint64_t k[2] = { 0, 99 };

	ck_assert_int_eq(ledger_ack(l, 0, 5, 50 * MS), 0);
	ledger_seen(l, 0, 500 * MS);
	ledger_seen(l, 1, 500 * MS);
	snap(l, 1, 100 * MS, 5, 9);
	snap(l, 2, 200 * MS, 4, 9);       /* lost + shrink for w0 */
	ck_assert_uint_eq(evaluate(l, 0), 2);
	ck_assert_uint_eq(evaluate(l, 0), 0);
	ledger_finish(l, 0, 1, 5);
	ledger_finish(l, 1, 1, 8);
	ck_assert_uint_eq(evaluate(l, 1), 2);   /* w1 beyond, twice */
	ck_assert_uint_eq(evaluate(l, 1), 0);
	ck_assert_uint_eq(evaluate(l, 0), 0);
	ck_assert_uint_eq(ledger_check_final(l, k, 2, collect, &fails), 2);
	ck_assert_uint_eq(ledger_check_final(l, k, 2, collect, &fails), 0);
	ck_assert_uint_eq(fails.n, 6);
	ck_assert_uint_eq(ledger_judged(l), 2);
	ledger_free(l);
}
END_TEST

START_TEST(test_ledger_null_callback)
{
	struct ledger *l = make(1);
	uint64_t k = 0;

	ck_assert_int_eq(ledger_ack(l, 0, 5, 50 * MS), 0);
	ck_assert_int_eq(ledger_snapshot(l, 1, 100 * MS, &k, 1), 0);
	ck_assert_uint_eq(ledger_evaluate(l, 1, NULL, NULL), 1);
	ck_assert_uint_eq(ledger_check_final(l, &k, 1, NULL, NULL), 1);
	ledger_free(l);
}
END_TEST

/*
 * 100000 ACKs per worker with a snapshot every 1000: the history must stay
 * near one interval's worth, and every answer must stay right.  w1 is one
 * row short in snapshot 50 only; growing back in 51 is not a shrink.
 */
START_TEST(test_ledger_prune_bounded)
{
	struct ledger *l = make(2);
	size_t max = 0, h;
	uint64_t seq;
	uint32_t index = 0;
	int w;

	for (seq = 1; seq <= 100000; seq++) {
		int64_t t = (int64_t)seq * 1000;

		for (w = 0; w < 2; w++) {
			ck_assert_int_eq(ledger_ack(l, w, seq, t), 0);
			ledger_seen(l, w, t);
			h = ledger_history_len(l, w);
			if (h > max)
				max = h;
		}
		if (seq % 1000 != 0)
			continue;
		/* The read began just before seq returned. */
		index++;
		snap(l, index, t - 1, seq - 1, seq - 1 - (index == 50));
		ck_assert_uint_eq(evaluate(l, 0), index == 50);
		ck_assert_uint_eq(ledger_judged(l), index);
	}
	ck_assert_uint_eq(fails.n, 1);
	ck_assert_int_eq(fails.worker[0], 1);
	ck_assert_uint_eq(fails.snapshot[0], 50);
	ck_assert_str_eq(fails.reason[0], "snapshot 50: w1 acknowledged seq "
	    "49999 (committed 999 ns before the snapshot began) but the "
	    "snapshot holds only 1..49998");
	/* One interval of ACKs plus the two that straddle the snapshot. */
	ck_assert_uint_le(max, 1002);
	ck_assert_uint_ge(max, 1000);
	ck_assert_uint_eq(ledger_acked(l, 1), 100000);
	ck_assert_uint_eq(evaluate(l, 1), 0);
	ledger_free(l);
}
END_TEST

/*
 * Without snapshots (validator off) the horizon keeps history bounded, and
 * a final check still sees every ACK; a snapshot queued before the horizon
 * keeps the history it needs.
 */
START_TEST(test_ledger_horizon_bounds_history)
{
	struct ledger *l = make(1);
	uint64_t seq, k;

	for (seq = 1; seq <= 50000; seq++) {
		int64_t t = (int64_t)seq * 1000;

		ck_assert_int_eq(ledger_ack(l, 0, seq, t), 0);
		ledger_seen(l, 0, t);
		if (seq % 100 == 0)
			ledger_horizon(l, t);
		ck_assert_uint_le(ledger_history_len(l, 0), 101);
	}
	/* A snapshot that began at seq 40000's time: not yet judged. */
	k = 40000;
	ck_assert_int_eq(ledger_snapshot(l, 1, 40000 * 1000 + 1, &k, 1), 0);
	ck_assert_uint_eq(evaluate(l, 0), 0);
	ledger_horizon(l, 50000 * 1000);
	ck_assert_uint_eq(evaluate(l, 1), 0);
	ck_assert_uint_eq(ledger_judged(l), 1);
	k = 50000;
	ck_assert_uint_eq(ledger_check_final(l, &k, 1, NULL, NULL), 0);
	k = 49999;
	ck_assert_uint_eq(ledger_check_final(l, &k, 1, NULL, NULL), 1);
	ledger_free(l);
}
END_TEST

/*
 * With a max lag, a copy may miss what was acknowledged within the lag
 * before it began, never what came earlier; shrinking still fails.
 */
START_TEST(test_ledger_max_lag)
{
	struct ledger *l = make(2);
	uint64_t seq;

	ledger_set_max_lag(l, 100000);
	for (seq = 1; seq <= 1000; seq++) {
		ck_assert_int_eq(ledger_ack(l, 0, seq, (int64_t)seq * 1000), 0);
		ck_assert_int_eq(ledger_ack(l, 1, seq, (int64_t)seq * 1000), 0);
	}
	ledger_seen(l, 0, 2000000);
	ledger_seen(l, 1, 2000000);
	/*
	 * Began at t = 500500: rows committed before 400500 (seq <= 400)
	 * must be there.  w0 holds 1..400: fine.  w1 holds 1..399: lost.
	 */
	snap(l, 1, 500500, 400, 399);
	ck_assert_uint_eq(evaluate(l, 0), 1);
	ck_assert_int_eq(fails.worker[0], 1);
	ck_assert_msg(strstr(fails.reason[0], "acknowledged seq 400") != NULL,
	    "%s", fails.reason[0]);
	/* Later, lagging further behind than before: a shrink. */
	snap(l, 2, 600500, 390, 500);
	ck_assert_uint_eq(evaluate(l, 0), 2);
	ledger_free(l);
}
END_TEST

/* ------------------------------------------------------------ nemesis */

struct resume_case {
	const char *name;
	int         phase;          /* LEDGER_IDLE, LEDGER_TXN, LEDGER_COMMIT */
	uint64_t    lo, hi;         /* what the killed worker had published */
	uint64_t    resume;         /* what the restarted one read */
	size_t      want_fails;
	const char *want;           /* a substring of the first reason */
	uint64_t    present, absent;
};

/* w0 acknowledged 1..10 before each kill. */
static const struct resume_case resume_cases[] = {
	{ "idle, all there", LEDGER_IDLE, 10, 10, 10, 0, NULL, 0, 0 },
	{ "idle, a committed seq not yet acknowledged", LEDGER_IDLE, 11, 11,
	    11, 0, NULL, 0, 0 },
	{ "idle, an acknowledged row lost", LEDGER_IDLE, 10, 10, 8, 1,
	    "w0 restarted and found only 1..8 in the store, but seq 10 was "
	    "acknowledged (2 acknowledged rows lost)", 0, 0 },
	{ "idle, a row never attempted", LEDGER_IDLE, 10, 10, 12, 1,
	    "found seq 12 in the store, but only 1..10 were ever inserted",
	    0, 0 },
	{ "commit cut, present", LEDGER_COMMIT, 11, 13, 13, 0, NULL, 1, 0 },
	{ "commit cut, absent", LEDGER_COMMIT, 11, 13, 10, 0, NULL, 0, 1 },
	{ "commit cut, torn", LEDGER_COMMIT, 11, 13, 12, 1, "its transaction "
	    "of seqs 11..13 is torn", 0, 0 },
	{ "commit cut, beyond", LEDGER_COMMIT, 11, 13, 14, 1, "found seq 14 "
	    "in the store, but only 1..13 were ever inserted", 1, 0 },
	{ "before commit, absent", LEDGER_TXN, 11, 13, 10, 0, NULL, 0, 0 },
	{ "before commit, present", LEDGER_TXN, 11, 13, 13, 1, "kill before "
	    "its COMMIT: its uncommitted seqs 11..13 are in the store", 0, 0 },
	{ "commit cut, and an ack lost", LEDGER_COMMIT, 11, 11, 9, 1,
	    "(1 acknowledged row lost)", 0, 1 },
};

START_TEST(test_ledger_resume_table)
{
	const struct resume_case *c = &resume_cases[_i];
	struct ledger *l = make(2);
	struct ledger_nemesis st;
	uint64_t seq;

	for (seq = 1; seq <= 10; seq++)
		ck_assert_int_eq(ledger_ack(l, 0, seq, (int64_t)seq * MS), 0);
	ledger_killed(l, 0, c->phase, c->lo, c->hi);
	ck_assert_uint_eq(ledger_resume(l, 0, c->resume, collect, &fails),
	    c->want_fails);
	ck_assert_uint_eq(fails.n, c->want_fails);
	if (c->want != NULL)
		ck_assert_msg(strstr(fails.reason[0], c->want) != NULL,
		    "%s: \"%s\" lacks \"%s\"", c->name, fails.reason[0],
		    c->want);
	if (c->want_fails > 0)
		ck_assert_uint_eq(fails.snapshot[0], LEDGER_FINAL);
	ledger_nemesis_stats(l, 0, &st);
	ck_assert_uint_eq(st.kills, 1);
	ck_assert_uint_eq(st.indeterminate, c->phase == LEDGER_COMMIT);
	ck_assert_uint_eq(st.present, c->present);
	ck_assert_uint_eq(st.absent, c->absent);
	ledger_free(l);
}
END_TEST

/*
 * Rows a later life acknowledges go on after the resume, and the final
 * "nothing beyond what was attempted" counts every life: a last life
 * that attempted less than an earlier one does not make its rows extra.
 */
START_TEST(test_ledger_resume_across_lives)
{
	struct ledger *l = make(1);
	struct ledger_nemesis st;
	uint64_t k[1] = { 13 };

	ck_assert_int_eq(ledger_ack(l, 0, 5, 5 * MS), 0);
	ledger_killed(l, 0, LEDGER_COMMIT, 6, 13);
	ck_assert_uint_eq(ledger_resume(l, 0, 13, collect, &fails), 0);
	/* Killed again before it could tell: the cut waits for the next. */
	ledger_killed(l, 0, LEDGER_COMMIT, 14, 14);
	ledger_killed(l, 0, LEDGER_IDLE, 0, 0);
	ck_assert_uint_eq(ledger_resume(l, 0, 13, collect, &fails), 0);
	ledger_nemesis_stats(l, 0, &st);
	ck_assert_uint_eq(st.indeterminate, 2);
	ck_assert_uint_eq(st.present, 1);
	ck_assert_uint_eq(st.absent, 1);
	ck_assert_int_eq(ledger_ack(l, 0, 14, 20 * MS), 0);
	ledger_killed(l, 0, LEDGER_IDLE, 14, 14);
	ck_assert_uint_eq(ledger_resume(l, 0, 14, collect, &fails), 0);
	/* The last life opened nothing: its DONE says 0 attempted. */
	ledger_finish(l, 0, 1, 0);
	k[0] = 14;
	ck_assert_uint_eq(ledger_check_final(l, k, 1, collect, &fails), 0);
	k[0] = 15;
	ck_assert_uint_eq(ledger_check_final(l, k, 1, collect, &fails), 1);
	ledger_free(l);
}
END_TEST

/*
 * A copy's replication lag: how long the oldest acknowledged row missing
 * from it had been acknowledged when its read began, the worst worker's;
 * 0 when nothing acknowledged before the read is missing, and unknown
 * until every worker has judged it.
 */
START_TEST(test_ledger_snapshot_lag)
{
	struct ledger *l = make(2);
	int64_t lag = -1;

	ck_assert_int_eq(ledger_ack(l, 0, 1, 10 * MS), 0);
	ck_assert_int_eq(ledger_ack(l, 0, 2, 20 * MS), 0);
	ck_assert_int_eq(ledger_ack(l, 0, 3, 90 * MS), 0);
	ck_assert_int_eq(ledger_ack(l, 1, 4, 60 * MS), 0);
	ck_assert_int_eq(ledger_ack(l, 1, 5, 150 * MS), 0);
	ledger_set_max_lag(l, 1000 * MS);
	/* w0 lacks seq 2 (acknowledged at 20 ms), w1 lacks nothing before 100 ms. */
	snap(l, 1, 100 * MS, 1, 4);
	ck_assert_int_eq(ledger_snapshot_lag(l, 1, &lag), -1);
	/* Two snapshots later: w1's seq 5 (at 150 ms) is missing from the second. */
	snap(l, 2, 200 * MS, 3, 4);
	snap(l, 3, 300 * MS, 3, 5);
	ck_assert_uint_eq(evaluate(l, 1), 0);
	ck_assert_int_eq(ledger_snapshot_lag(l, 1, &lag), 0);
	ck_assert(lag == 80 * MS);
	ck_assert_int_eq(ledger_snapshot_lag(l, 2, &lag), 0);
	ck_assert(lag == 50 * MS);
	ck_assert_int_eq(ledger_snapshot_lag(l, 3, &lag), 0);
	ck_assert(lag == 0);
	ck_assert_int_eq(ledger_snapshot_lag(l, 9, &lag), -1);
	ledger_free(l);
}
END_TEST

/*
 * A cut still pending at the end (the last life was cut off by the
 * shutdown before it said where it resumed) is settled by the final
 * database: present, absent or torn by the same rules; a worker with
 * nothing pending is left alone.
 */
START_TEST(test_ledger_settle_cuts)
{
	struct ledger *l = make(2);
	struct ledger_nemesis st;
	uint64_t k[2] = { 13, 5 };

	ck_assert_int_eq(ledger_ack(l, 0, 10, 10 * MS), 0);
	ledger_killed(l, 0, LEDGER_COMMIT, 11, 13);
	ck_assert_uint_eq(ledger_settle_cuts(l, k, 2, collect, &fails), 0);
	ledger_nemesis_stats(l, 0, &st);
	ck_assert_uint_eq(st.present, 1);
	/* Settled once: a second call finds nothing pending. */
	ck_assert_uint_eq(ledger_settle_cuts(l, k, 2, collect, &fails), 0);
	ledger_killed(l, 0, LEDGER_COMMIT, 14, 16);
	k[0] = 15;
	ck_assert_uint_eq(ledger_settle_cuts(l, k, 2, collect, &fails), 1);
	ck_assert_msg(strstr(fails.reason[0], "seqs 14..16 is torn") != NULL,
	    "%s", fails.reason[0]);
	ledger_killed(l, 0, LEDGER_COMMIT, 17, 17);
	k[0] = 16;
	ck_assert_uint_eq(ledger_settle_cuts(l, k, 2, collect, &fails), 0);
	ledger_nemesis_stats(l, 0, &st);
	ck_assert_uint_eq(st.indeterminate, 3);
	ck_assert_uint_eq(st.present, 1);
	ck_assert_uint_eq(st.absent, 1);
	ledger_free(l);
}
END_TEST

/*
 * The store down from 1 s to 1.5 s, --max-lag 100 ms: a copy read at
 * 1.4 s may miss what was acknowledged after 0.9 s (0.1 s + 0.4 s of
 * downtime), one at 1.55 s what came after 0.95 s (all 0.5 s of it), one
 * at 1.7 s (past the restart + max-lag) only the last 0.1 s.
 */
START_TEST(test_ledger_store_downtime)
{
	struct ledger *l = make(1);
	uint64_t seq, k[1];

	ledger_set_max_lag(l, 100 * MS);
	for (seq = 1; seq <= 2000; seq++)
		ck_assert_int_eq(ledger_ack(l, 0, seq, (int64_t)seq * MS), 0);
	ledger_seen(l, 0, 3000 * MS);
	ck_assert_int_eq(ledger_downtime(l, 1000 * MS), 0);
	/* While it is down the downtime so far counts. */
	k[0] = 899;
	ck_assert_int_eq(ledger_snapshot(l, 1, 1200 * MS, k, 1), 0);
	ck_assert_uint_eq(evaluate(l, 0), 0);
	ledger_downtime_end(l, 1500 * MS);
	k[0] = 899;
	ck_assert_int_eq(ledger_snapshot(l, 2, 1400 * MS, k, 1), 0);
	ck_assert_uint_eq(evaluate(l, 0), 0);
	k[0] = 949;
	ck_assert_int_eq(ledger_snapshot(l, 3, 1550 * MS, k, 1), 0);
	ck_assert_uint_eq(evaluate(l, 0), 0);
	k[0] = 1500;
	ck_assert_int_eq(ledger_snapshot(l, 4, 1700 * MS, k, 1), 0);
	ck_assert_uint_eq(evaluate(l, 0), 1);
	ck_assert_msg(strstr(fails.reason[0], "acknowledged seq 1599") != NULL,
	    "%s", fails.reason[0]);
	ledger_free(l);
}
END_TEST

static Suite *
ledger_suite(void)
{
	Suite *s = suite_create("ledger");
	TCase *tc;

	tc = tcase_create("ack");
	tcase_add_test(tc, test_ledger_new);
	tcase_add_test(tc, test_ledger_ack_order);
	tcase_add_test(tc, test_ledger_snapshot_order);
	suite_add_tcase(s, tc);

	tc = tcase_create("judge");
	tcase_add_test(tc, test_ledger_wait_for_later_record);
	tcase_add_test(tc, test_ledger_wait_for_eof);
	tcase_add_test(tc, test_ledger_final_judges_all);
	tcase_add_test(tc, test_ledger_strict_before);
	tcase_add_test(tc, test_ledger_coalesced_ack);
	tcase_add_test(tc, test_ledger_lost_row);
	tcase_add_test(tc, test_ledger_lost_all_rows);
	tcase_add_test(tc, test_ledger_shrink);
	tcase_add_test(tc, test_ledger_beyond_final_only);
	tcase_add_test(tc, test_ledger_beyond_none_inserted);
	tcase_add_test(tc, test_ledger_report_once);
	tcase_add_test(tc, test_ledger_null_callback);
	suite_add_tcase(s, tc);

	tc = tcase_create("final");
	tcase_add_test(tc, test_ledger_indeterminate_crash);
	tcase_add_test(tc, test_ledger_final_lost);
	tcase_add_test(tc, test_ledger_final_lost_counted);
	tcase_add_test(tc, test_ledger_final_beyond);
	tcase_add_test(tc, test_ledger_final_short_k);
	suite_add_tcase(s, tc);

	tc = tcase_create("prune");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_ledger_prune_bounded);
	tcase_add_test(tc, test_ledger_horizon_bounds_history);
	tcase_add_test(tc, test_ledger_max_lag);
	suite_add_tcase(s, tc);

	tc = tcase_create("nemesis");
	tcase_add_loop_test(tc, test_ledger_resume_table, 0,
	    (int)(sizeof resume_cases / sizeof resume_cases[0]));
	tcase_add_test(tc, test_ledger_resume_across_lives);
	tcase_add_test(tc, test_ledger_settle_cuts);
	tcase_add_test(tc, test_ledger_snapshot_lag);
	tcase_add_test(tc, test_ledger_store_downtime);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(ledger_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
