/* SPDX-License-Identifier: MIT */
/*
 * ledger: the parent's record of acknowledged commits, held against what
 * the snapshots and the final database contain.  The rule (doc/design.md,
 * "Validation") is sound by construction: a read that starts after a
 * COMMIT returned sees it, so every seq whose t_commit < t_begin of a
 * snapshot must be in that snapshot.  A snapshot is judged for a worker
 * once a record stamped at or after its t_begin (or EOF) has come from
 * that worker: the worker flushes coalesced ACKs before any later record,
 * so by then every ACK from before t_begin is in.  ACK history older than
 * the newest judged snapshot is dropped.  Under --nemesis it also judges
 * where a killed worker resumes (every ACK held, nothing never attempted,
 * the cut transaction whole or absent), counts the cut commits and how
 * they resolved, and widens the allowed lag by the store's downtime.
 * Pure bookkeeping: no I/O.
 */
#ifndef SQLSTORM_LEDGER_H
#define SQLSTORM_LEDGER_H

#include <stddef.h>
#include <stdint.h>

#define LEDGER_FINAL UINT32_MAX      /* snapshot index of the final check */

struct ledger;

/* Called once per problem found; reason is one line. */
typedef void (*ledger_fail_fn)(void *user, int worker, uint32_t snapshot,
    const char *reason);

/* A ledger for nworkers workers, or NULL (ENOMEM). */
struct ledger *ledger_new(int nworkers);
void ledger_free(struct ledger *l);

/*
 * Worker w's rows up to seq committed at t_commit.  Returns 0, or -1 if
 * the ACK goes backwards in seq or time (a protocol failure of w).
 */
int ledger_ack(struct ledger *l, int w, uint64_t seq, int64_t t_commit);

/* A record stamped t_sent came from worker w (call for every record). */
void ledger_seen(struct ledger *l, int w, int64_t t_sent);

/*
 * Worker w's pipe reached EOF.  If it sent DONE, last_seq is the highest
 * seq it ever attempted; otherwise (crash, kill) pass clean = 0: rows past
 * its last ACK are indeterminate and may or may not be present.
 */
void ledger_finish(struct ledger *l, int w, int clean, uint64_t last_seq);

/*
 * A snapshot whose read began after t_begin held k[i] as worker i's
 * gap-free maximum (nworkers entries).  The ledger copies k.  Returns 0 or
 * -1 (ENOMEM, or t_begin older than the previous snapshot's).
 */
int ledger_snapshot(struct ledger *l, uint32_t index, int64_t t_begin,
    const uint64_t *k, int nworkers);

/*
 * The replication lag of snapshot index, into *lag_ns: over every
 * worker, how long the oldest acknowledged row missing from it had been
 * acknowledged when its read began (0: it held every row acknowledged
 * before then; the built-in snapshot is 0 by construction).  Returns 0,
 * or -1 when there is no such snapshot or it is not judged for every
 * worker yet.
 */
int ledger_snapshot_lag(const struct ledger *l, uint32_t index,
    int64_t *lag_ns);

/*
 * Judge every snapshot that can be judged now (all, if final is set: call
 * it after every worker finished).  Calls fail for each lost acknowledged
 * row, each snapshot that shrank, and (when final) each row beyond what
 * its worker attempted.  Returns the number of failures reported.
 */
size_t ledger_evaluate(struct ledger *l, int final, ledger_fail_fn fail,
    void *user);

/*
 * Judge the final database: k[i] is worker i's gap-free maximum there.
 * Every ACK must be present and nothing beyond the attempted seq.
 * Returns the number of failures reported (snapshot = LEDGER_FINAL).
 */
size_t ledger_check_final(struct ledger *l, const uint64_t *k, int nworkers,
    ledger_fail_fn fail, void *user);

/*
 * The caller counted that the final database misses lost of worker w's
 * acknowledged rows (a prefix 1..k can break early while later rows are
 * there): ledger_check_final() names that count instead of acked - k.
 */
void ledger_set_lost(struct ledger *l, int w, uint64_t lost);

/*
 * A restored copy may lag the live database (an asynchronous replica):
 * only rows acknowledged before t_begin - max_lag_ns must be present.
 * Gap-free prefixes and "never shrinks" still hold.  Default 0 (strict).
 */
void ledger_set_max_lag(struct ledger *l, int64_t max_lag_ns);

/*
 * Promise that no snapshot still to come begins before t (for example the
 * validator is off): ACK history older than t is dropped, so memory stays
 * bounded without snapshots.  Snapshots already queued are respected.
 */
void ledger_horizon(struct ledger *l, int64_t t);

/*
 * --nemesis.  Worker w was SIGKILLed: phase says where it was (0 between
 * transactions, 1 inside one, 2 inside its COMMIT: the transaction of
 * seqs lo..hi is then indeterminate) and lo..hi what it had published.
 * Its rows up to hi count as attempted.
 */
#define LEDGER_IDLE   0
#define LEDGER_TXN    1
#define LEDGER_COMMIT 2
void ledger_killed(struct ledger *l, int w, int phase, uint64_t lo,
    uint64_t hi);

/*
 * Worker w (re)started and read seq as its highest committed seq.  It
 * must hold every acknowledged row (seq >= the highest ACK) and nothing
 * never attempted (seq <= the highest seq it ever wrote); after a kill in
 * COMMIT the cut transaction must be all there (present) or not at all
 * (absent), and one cut before its COMMIT must be absent.  Calls fail
 * for each problem (snapshot LEDGER_FINAL).  Returns the number found.
 */
size_t ledger_resume(struct ledger *l, int w, uint64_t seq,
    ledger_fail_fn fail, void *user);

/*
 * The store sidecar went down at down_ns (ledger_downtime), and came back
 * at up_ns (ledger_downtime_end): a copy whose read began in [down_ns,
 * up_ns + max_lag] may lag by that downtime more (by the part of it
 * before the read began; all of it while the store is still down).
 * Returns 0, or -1 (ENOMEM).
 */
int ledger_downtime(struct ledger *l, int64_t down_ns);

/*
 * After the run: a cut transaction still pending (its worker's last
 * life was cut off by the shutdown before it said where it resumed) is
 * settled by the final database, whose gap-free prefixes are k[0..n):
 * no later life wrote after it, so k[w] shows how it ended, by the same
 * rules as ledger_resume().  Returns the number of problems found.
 */
size_t ledger_settle_cuts(struct ledger *l, const uint64_t *k, int nworkers,
    ledger_fail_fn fail, void *user);
void ledger_downtime_end(struct ledger *l, int64_t up_ns);

/* What the nemesis did to worker w, and how its cut commits resolved. */
struct ledger_nemesis {
	uint64_t kills;
	uint64_t indeterminate;     /* killed inside COMMIT */
	uint64_t present, absent;   /* ... and how each resolved */
};
void ledger_nemesis_stats(const struct ledger *l, int w,
    struct ledger_nemesis *out);

/*
 * --powerloss: keep every ACK (seq, t_commit) for the whole run, never
 * pruning, so that ledger_acked_before() can answer for any moment.
 * Call before the first ACK.  Costs 16 bytes per ACK record.
 */
void ledger_keep_history(struct ledger *l);

/*
 * The highest seq of worker w whose ACK record's t_commit is strictly
 * before t (0 if none).  An ACK record covers every seq up to its own,
 * and carries the t_commit of its highest (a worker coalesces ACKs for
 * at most 2 ms), so a seq committed before t whose record was stamped
 * at or after t is not counted: the answer errs low, by at most one
 * coalesced record.  Exact for the whole run only after
 * ledger_keep_history(); otherwise only for t after the pruned history.
 */
uint64_t ledger_acked_before(const struct ledger *l, int w, int64_t t);

/* Highest acknowledged seq of worker w (0 if none). */
uint64_t ledger_acked(const struct ledger *l, int w);

/*
 * The highest seq worker w is known to have written in any of its lives
 * (what a --nemesis kill published, what a restarted life resumed
 * from), at least its highest ACK.
 */
uint64_t ledger_attempted(const struct ledger *l, int w);

/* Number of snapshots judged so far. */
size_t ledger_judged(const struct ledger *l);

#endif
