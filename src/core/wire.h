/* SPDX-License-Identifier: MIT */
/*
 * wire: the child -> parent record format.  A record is a fixed 20-byte
 * header followed by a typed payload, all integers little-endian.  Every
 * record fits in WIRE_MAX_RECORD bytes (POSIX's minimum PIPE_BUF), so one
 * write() of it is atomic on every POSIX system and is never torn.  The
 * decoder validates every length and field and separates "need more bytes"
 * from "malformed"; it never trusts its input.  This module does no I/O.
 *
 * Bump the protocol version if any layout below changes.
 */
#ifndef SQLSTORM_WIRE_H
#define SQLSTORM_WIRE_H

#include <stddef.h>
#include <stdint.h>

#define WIRE_VERSION      2
#define WIRE_HEADER_SIZE  20
#define WIRE_MAX_RECORD   512          /* _POSIX_PIPE_BUF */
#define WIRE_MAX_PAYLOAD  (WIRE_MAX_RECORD - WIRE_HEADER_SIZE)
#define WIRE_MSG_MAX      300          /* bytes of an ERROR message */
#define WIRE_PROBLEM_MAX  300          /* bytes of a SNAPSHOT problem */
#define WIRE_SNAPK_MAX    56           /* worker maxima per SNAPK record */
#define WIRE_HIST_BUCKETS 112          /* latency histogram buckets */

/*
 * Header layout (offsets in bytes):
 *   0 u8 version   1 u8 type   2 u16 payload length
 *   4 u32 child id  8 u32 record sequence (1, 2, 3, ... per child)
 *  12 i64 t_sent (CLOCK_MONOTONIC ns when the record was written)
 */
enum wire_type {
	WIRE_READY = 1,     /* empty: the child is initialised */
	WIRE_ACK,           /* a worker's COMMIT returned OK */
	WIRE_ERROR,         /* an error, with its timing */
	WIRE_SNAPSHOT,      /* validator: one snapshot's result */
	WIRE_SNAPK,         /* validator: per-worker maxima of a snapshot */
	WIRE_HIST,          /* worker: commit latency histogram */
	WIRE_DONE,          /* last record: final statistics */
	WIRE_ACTION,        /* one kind of scheduled action's totals */
	WIRE_PACE,          /* worker with --rate: its schedule's figures */
	WIRE_RESUME,        /* worker: where a (re)started worker resumes */
	WIRE_IOFIRE,        /* an injected I/O fault fired (--nemesis io:) */
	WIRE_TYPE_END
};

/* Operation that failed, carried in ERROR records. */
enum wire_op {
	WIRE_OP_OPEN = 1, WIRE_OP_PRAGMA, WIRE_OP_BEGIN, WIRE_OP_INSERT,
	WIRE_OP_COMMIT, WIRE_OP_ROLLBACK, WIRE_OP_SNAPSHOT, WIRE_OP_VALIDATE,
	WIRE_OP_FAULT, WIRE_OP_OTHER, WIRE_OP_MAINTAIN, WIRE_OP_END
};

struct wire_header {
	uint8_t  version;
	uint8_t  type;
	uint16_t length;
	uint32_t child;
	uint32_t seq;
	int64_t  t_sent;
};

/* ACK payload (16 bytes): all of the worker's rows up to seq are committed. */
struct wire_ack {
	uint64_t seq;
	int64_t  t_commit;
};

/*
 * ERROR injected flags: the failed transaction (or maintenance action)
 * saw an I/O fault sqlstorm injected (--nemesis io:); SWALLOWED: it was
 * committed (acknowledged) or returned OK anyway.
 */
#define WIRE_INJ_FIRED     0x1u
#define WIRE_INJ_SWALLOWED 0x2u
#define WIRE_INJ_FLAGS     (WIRE_INJ_FIRED | WIRE_INJ_SWALLOWED)

/* ERROR payload: 44 fixed bytes + msg_len (0..WIRE_MSG_MAX) bytes. */
struct wire_error {
	uint8_t  op;            /* enum wire_op */
	uint8_t  shutdown_seen; /* 0 or 1 */
	uint16_t msg_len;
	int32_t  code;          /* error code (SQLite: primary result code) */
	int32_t  extended;      /* detail code (SQLite: extended code) */
	int32_t  sys_errno;
	int64_t  t_begin;
	int64_t  t_end;
	uint8_t  injected;      /* WIRE_INJ_* (0: nothing injected seen) */
	uint16_t inj_item;      /* the --nemesis item that fired */
	int32_t  inj_code;      /* the code it injected */
	char     message[WIRE_MSG_MAX + 1];  /* NUL-terminated after decode */
};

/* SNAPSHOT payload: 44 fixed bytes + problem_len bytes. */
struct wire_snapshot {
	uint32_t index;
	uint8_t  integrity_ok;  /* PRAGMA integrity_check said ok */
	uint8_t  rows_ok;       /* gap-free prefixes, no duplicates */
	uint16_t problem_len;
	int64_t  t_begin;       /* before the snapshot's read began */
	int64_t  t_end;
	uint64_t rows;
	uint32_t nworkers;      /* maxima sent in SNAPK records before this */
	uint32_t flags;         /* WIRE_SNAP_* */
	char     problem[WIRE_PROBLEM_MAX + 1];
};

/* The restore command exited 75 (EX_TEMPFAIL): the store is not ready. */
#define WIRE_SNAP_TEMPFAIL 0x1u
/* The final restore, taken after the store's catch-up past the deadline. */
#define WIRE_SNAP_FINAL    0x2u
#define WIRE_SNAP_FLAGS    (WIRE_SNAP_TEMPFAIL | WIRE_SNAP_FINAL)

/* SNAPK payload: 12 fixed bytes + 8 * n: k[i] is worker first+i's max seq. */
struct wire_snapk {
	uint32_t index;
	uint32_t first;
	uint32_t n;             /* 1..WIRE_SNAPK_MAX */
	uint64_t k[WIRE_SNAPK_MAX];
};

/* HIST payload: 4 * WIRE_HIST_BUCKETS bytes; see wire_hist_bucket(). */
struct wire_hist {
	uint32_t count[WIRE_HIST_BUCKETS];
};

/* DONE payload (64 bytes). */
struct wire_done {
	uint64_t commits;
	uint64_t rows;
	uint64_t last_seq;      /* highest seq ever attempted (inserted) */
	uint64_t busy_waits;
	int64_t  busy_ns;
	uint64_t errors;
	uint64_t snapshots;
	uint8_t  shutdown_seen;
	uint8_t  pad[7];
};

/*
 * ACTION payload (40 bytes): the totals of one kind of scheduled action
 * (the caller numbers its kinds), sent before DONE.  errors <= runs and
 * 0 <= max_ns <= total_ns.
 */
struct wire_action {
	uint8_t  kind;
	uint64_t runs;          /* times it ran (errors included) */
	uint64_t errors;        /* ... and failed */
	int64_t  total_ns;      /* time spent in it */
	int64_t  max_ns;        /* the longest run */
};

/*
 * PACE payload (480 bytes), sent before HIST by a worker with --rate:
 * transactions due before the deadline and committed, how far behind
 * their intended start it fell (at most, and when it stopped), and the
 * histogram of commit time - intended start (see wire_hist_bucket()).
 */
struct wire_pace {
	uint64_t scheduled;
	uint64_t done;
	int64_t  behind_max_ns;     /* >= 0 */
	int64_t  behind_end_ns;     /* >= 0 */
	uint32_t count[WIRE_HIST_BUCKETS];
};

/*
 * RESUME payload (8 bytes): before READY, a worker's highest committed
 * seq as it read it from the store; it goes on at seq + 1.  After a
 * --nemesis kill it says how the cut transaction resolved.
 */
struct wire_resume {
	uint64_t seq;
};

/* IOFIRE flags: the firing fell inside the worker's WAL autocheckpoint. */
#define WIRE_IOFIRE_ABSORBED 0x1u
#define WIRE_IOFIRE_FLAGS    WIRE_IOFIRE_ABSORBED

/*
 * IOFIRE payload (24 bytes): an injected I/O fault fired in this child.
 * op and file are the VFS shim's numbering (iovfs.h), at most 15 each.
 */
struct wire_iofire {
	uint16_t item;          /* the --nemesis item */
	uint8_t  op;
	uint8_t  file;
	uint8_t  flags;         /* WIRE_IOFIRE_* */
	int32_t  code;          /* the code the call returned */
	int64_t  t;             /* when (CLOCK_MONOTONIC ns) */
};

struct wire_record {
	struct wire_header h;
	union {
		struct wire_ack      ack;
		struct wire_error    error;
		struct wire_snapshot snapshot;
		struct wire_snapk    snapk;
		struct wire_hist     hist;
		struct wire_done     done;
		struct wire_action   action;
		struct wire_pace     pace;
		struct wire_resume   resume;
		struct wire_iofire   iofire;
	} u;
};

enum wire_status {
	WIRE_OK = 0,
	WIRE_NEED_MORE,     /* a valid prefix: read more bytes */
	WIRE_MALFORMED      /* never valid, whatever follows */
};

/*
 * Encode r into buf (cap bytes).  h.version and h.length are filled in from
 * the type and payload; the caller sets type, child, seq and t_sent.
 * Returns the record's size, or 0 if the record is invalid or does not fit.
 */
size_t wire_encode(const struct wire_record *r, uint8_t *buf, size_t cap);

/*
 * Decode one record from the first len bytes of buf.  On WIRE_OK, *out is
 * filled and *used is the record's size; on WIRE_MALFORMED, *why (if not
 * NULL) points to a static description.  Never reads past buf[len - 1].
 */
enum wire_status wire_decode(const uint8_t *buf, size_t len,
    struct wire_record *out, size_t *used, const char **why);

/* Static name of a record type ("ACK"), or "unknown". */
const char *wire_type_name(int type);

/* Static name of an operation ("COMMIT"), or "unknown". */
const char *wire_op_name(int op);

/* Histogram bucket of a latency in microseconds (4 buckets per octave). */
int wire_hist_bucket(uint64_t usec);

/* Upper bound in microseconds of a bucket (inverse of wire_hist_bucket). */
uint64_t wire_hist_upper(int bucket);

#endif
