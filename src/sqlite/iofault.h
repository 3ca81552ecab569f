/* SPDX-License-Identifier: MIT */
/*
 * iofault: injected I/O faults (--nemesis io:...), the fault hook of the
 * VFS shim (iovfs.h).  In a child it fails the call the parent armed in
 * the child's slot (child.h: io_gen, op, code, short) once per arming,
 * cuts a write short, and fails writes that would grow the database, its
 * journal and its WAL past the shared io:full limit.  It counts its
 * firings in this process, tells the parent of each (an IOFIRE record),
 * and lets the worker and the maintenance child say, in their ERROR
 * records, that a transaction or an action saw one (doc/design.md,
 * "Storage faults").  A firing inside the worker's WAL autocheckpoint
 * (iofault_wal_hook) is absorbed: SQLite ignores its errors.  It does
 * not judge anything (classify.c does) and does not arm anything (the
 * supervisor does, at the nemesis's time).
 */
#ifndef SQLSTORM_IOFAULT_H
#define SQLSTORM_IOFAULT_H

#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

struct child_ctx;
struct config;
struct nemesis_plan;
struct scenario_params;

/*
 * The test-only switch that makes the hook count a firing without failing
 * the call, so that a test proves the swallowed rule bites.  Not for
 * users (not in the man page).
 */
#define IOFAULT_SWALLOW_ENV "SQLSTORM_TEST_IOFAULT_SWALLOW"

/* 1 if cfg asks for it (an io item in --nemesis), else 0. */
int iofault_wanted(const struct config *cfg);

/*
 * Resolve and check the io items of plan against cfg: each CODE name
 * (IOERR, IOERR_READ, IOERR_WRITE, IOERR_FSYNC, IOERR_TRUNCATE,
 * IOERR_FSTAT, FULL, CANTOPEN) into item->io_code; io:sync with
 * --sync off (never fires) is refused.  Returns 0, or -1 with a
 * one-line reason naming the item in err.
 */
int iofault_plan_check(const struct config *cfg, struct nemesis_plan *plan,
    char *err, size_t errlen);

/* The SQLite code a CODE name of io:OP=CODE stands for, or -1. */
int iofault_code_from_name(const char *name);

/*
 * In a child with the shim registered: install the fault hook for ctx
 * (its slot, the shared page, its report pipe).  Returns 0, or -1 with a
 * one-line reason in err.
 */
int iofault_child_start(const struct scenario_params *p, struct child_ctx *ctx,
    char *err, size_t errlen);

/*
 * Firings in this process so far, those inside the autocheckpoint left
 * out: a caller marks it when a transaction begins.
 */
uint64_t iofault_fired(void);

/*
 * A statement failed and child_error() is next: if something fired since
 * mark, mark the error as injected (ctx->inj, item, primary code).
 */
void iofault_mark_error(struct child_ctx *ctx, uint64_t mark);

/*
 * The transaction (op WIRE_OP_COMMIT) or action (WIRE_OP_MAINTAIN) begun
 * at mark returned OK: if something fired since mark, it swallowed it,
 * and an ERROR (injected, swallowed, code 0) says so.  Returns 1 if it
 * sent one, else 0.
 */
int iofault_swallowed(struct child_ctx *ctx, uint64_t mark, int op,
    int64_t t_begin, const char *what);

/*
 * Install on db, in WAL mode and only when the shim has the hook in,
 * a WAL hook that does what SQLite's autocheckpoint does (a PASSIVE
 * checkpoint once the WAL has PRAGMA wal_autocheckpoint frames or more,
 * its errors ignored) with the firings inside it counted as absorbed.
 * Returns the SQLite code.
 */
int iofault_wal_hook(sqlite3 *db);

/* ---- the parent's side ---- */

struct report;
struct wire_iofire;

/* An IOFIRE record from a child: count it against its item of plan. */
void iofault_take_fire(struct nemesis_plan *plan, const struct wire_iofire *f);

/*
 * After the run: fill rep->io (one per io item: armed, fired, expected,
 * absorbed, writes resumed) and add the coverage checks (doc/design.md,
 * "Storage faults"): an item that never fired, and one whose last effect
 * (a one-shot: its last firing; io:full: its lift, else its last firing)
 * ended at least IOFAULT_RESUME_NS before the deadline with no commit
 * acknowledged after it (last_ack_ns), fail under --coverage strict and
 * are shown under report.
 */
void iofault_judge(const struct nemesis_plan *plan, struct report *rep,
    int64_t last_ack_ns);

#define IOFAULT_RESUME_NS INT64_C(1000000000)

/*
 * Writes resume in the worker a fault hit, not just somewhere: every
 * worker w whose last firing (fire[w], outside an autocheckpoint) came
 * at least IOFAULT_RESUME_NS before the deadline (or the power cut)
 * must have a commit acknowledged after it (ack[w]); else a failure
 * under --coverage strict, naming it.  A worker the nemesis paused or
 * killed is left to the run-wide check: sqlstorm itself may have kept
 * it from writing.
 */
void iofault_judge_workers(struct report *rep, int nworkers,
    const int64_t *fire, const int64_t *ack);

#endif
