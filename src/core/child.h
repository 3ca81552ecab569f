/* SPDX-License-Identifier: MIT */
/*
 * child: the child side of the supervisor.  A child's entry point gets a
 * struct child_ctx holding its report fd and the shared shutdown fd, and
 * uses these helpers to send records (ACKs coalesced), sleep without
 * missing shutdown, and fire injected faults at their time.  Nothing here
 * knows SQL; the scenario's workers and validator are built on it.
 */
#ifndef SQLSTORM_CHILD_H
#define SQLSTORM_CHILD_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "fault.h"
#include "wire.h"

#define CHILD_MAX_DEFERRED 16

/*
 * The page the parent shares with every child; read-only here.  start_ns
 * and deadline_ns are written before the parent releases the children
 * (start_ns stays 0 if it releases nobody); shutdown_ns is written just
 * before it closes the shutdown pipe, so a child that has seen the EOF
 * reads the moment shutdown was signalled (0 if the parent died instead).
 */
struct child_shared {
	volatile int64_t start_ns;
	volatile int64_t deadline_ns;
	volatile int64_t shutdown_ns;
	/*
	 * --nemesis io:full=SIZE: the limit in bytes on the database, its
	 * journal and its WAL together (0: none), and its item; set and
	 * cleared by the parent while the run goes on.
	 */
	volatile int64_t  io_full;
	volatile int32_t  io_full_item;
};

/*
 * What a child is doing, published in its own slot of the shared page so
 * the parent knows, after a --nemesis kill, which transaction was cut and
 * in which phase, and can aim a kill inside COMMIT.  Written by the child
 * only (before BEGIN and before COMMIT), read by the parent.
 */
enum child_phase {
	CHILD_PHASE_IDLE = 0,   /* no transaction open */
	CHILD_PHASE_BEGIN,      /* asking for the write lock for seqs lo..hi */
	CHILD_PHASE_TXN,        /* holding it, writing seqs lo..hi */
	CHILD_PHASE_COMMIT      /* its COMMIT is running: the outcome is
	                           unknown until it returns */
};

struct child_slot {
	volatile int32_t  phase;        /* enum child_phase */
	volatile uint64_t lo, hi;       /* the transaction's seqs */
	/*
	 * --nemesis io: an I/O fault armed by the parent, which writes op,
	 * code, short and item, then (after a barrier) bumps io_gen; the
	 * child fails its next such call once per generation.
	 */
	volatile uint32_t io_gen;
	volatile int32_t  io_op;        /* the shim's op (iovfs.h) */
	volatile int32_t  io_code;      /* the code to return */
	volatile int32_t  io_short;     /* a short write, then io_code */
	volatile int32_t  io_item;      /* the --nemesis item */
	/*
	 * The generation the child last took (written by the child): a
	 * life restarted by the nemesis takes up an arming made while it
	 * was down, never one an earlier life already fired.
	 */
	volatile uint32_t io_taken;
};

struct child_ctx {
	int       id;               /* wire child id: workers 0..N-1, then others */
	int       index;            /* worker index, or a named fault target */
	int       report_fd;        /* write end of this child's report pipe */
	int       shutdown_fd;      /* read end of the shared shutdown pipe */
	int       start_fd;         /* read end of the start pipe */
	pid_t     parent_pid;       /* to notice being orphaned while hanging */
	const struct child_shared *shared;
	struct child_slot *slot;    /* this child's, in the shared page */
	unsigned  incarnation;      /* 0; 1, 2, ... once started again */
	uint32_t  seq;              /* last record sequence sent */
	int       shutdown_seen;
	int       hanging;          /* a hang fault fired */
	int       parent_gone;      /* a write failed with EPIPE */
	int64_t   last_check_ns;    /* last poll of shutdown_fd */
	/* Coalesced ACK: flushed before any other record and before sleeping. */
	int       ack_pending;
	uint64_t  ack_seq;
	int64_t   ack_t_commit;
	int64_t   ack_first_ns;
	/* This child's faults (pointers into the parent's list, copied at fork). */
	struct fault *faults;
	size_t    nfaults;
	struct wire_record deferred[CHILD_MAX_DEFERRED];
	size_t    ndeferred;
	uint64_t  errors_sent;
	unsigned  pending_bits;     /* caller-side faults fired while asleep */
	/*
	 * --nemesis io: what the next child_error() says of an injected
	 * fault (WIRE_INJ_*, the item, the code); it clears them.
	 */
	uint8_t   inj;
	uint16_t  inj_item;
	int32_t   inj_code;
};

/*
 * Report READY, then block until the parent releases the start barrier.
 * Returns 0, or -1 if the parent went away (the child should _exit(0)).
 */
int child_ready_wait(struct child_ctx *c);

/*
 * Stamp (type set by caller; seq, child, t_sent filled here) and write one
 * record with a single write().  Flushes a pending ACK first.  Returns 0,
 * or -1 if the parent is gone (c->parent_gone is set).
 */
int child_send(struct child_ctx *c, struct wire_record *r);

/*
 * Note that rows up to seq committed at t_commit.  ACKs are coalesced and
 * flushed after a short while, before any other record and before sleeping.
 */
int child_ack(struct child_ctx *c, uint64_t seq, int64_t t_commit);

/* Send the pending ACK now, if any.  Returns 0 or -1 (parent gone). */
int child_flush(struct child_ctx *c);

/*
 * Report an error.  If deferred, the record is kept and sent by
 * child_finish() after shutdown; t_begin/t_end keep when it happened.
 */
int child_error(struct child_ctx *c, int op, int code, int extended,
    int sys_errno, const char *msg, int64_t t_begin, int64_t t_end,
    int deferred);

/*
 * 1 if shutdown has been seen (EOF on the shutdown fd).  Polls the fd at
 * most once per 500 us unless force is set; never blocks.  A hanging child
 * never sees shutdown.
 */
int child_shutdown(struct child_ctx *c, int force);

/*
 * Sleep until the monotonic time until_ns, waking early at shutdown.  Due
 * faults fire during the sleep.  Returns 1 if shutdown was seen, 0 if the
 * time came, -1 if the parent is gone.
 */
int child_sleep_until(struct child_ctx *c, int64_t until_ns);

/*
 * Fire every fault whose time has come.  Generic actions are executed here
 * (crash, abort and exit never return).  Returns a bitmask of
 * (1u << action) bits for the caller's own actions (FAULT_EXTRA and up).
 */
unsigned child_faults_due(struct child_ctx *c);

/* Monotonic time of the next unfired fault, or -1 if none. */
int64_t child_next_fault(const struct child_ctx *c);

/*
 * Publish phase and the transaction's seqs lo..hi in this child's slot
 * (lo and hi first, so a reader that sees the phase sees its range).
 */
void child_phase(struct child_ctx *c, enum child_phase phase, uint64_t lo,
    uint64_t hi);

/*
 * Finish: wait for the faults timed at or after the deadline (they fire
 * that long after the published shutdown moment: deadline+20ms fires 20 ms
 * after shutdown was signalled), send the deferred records, then send DONE
 * (done->shutdown_seen is set here).
 * Returns 0 or -1 (parent gone).  The caller then returns its exit code.
 */
int child_finish(struct child_ctx *c, struct wire_done *done);

#endif
