/* SPDX-License-Identifier: MIT */
/*
 * workload-churn: what the churn workload shows beyond struct workload,
 * for config (checking a --churn spec) and for the tests (the op stream
 * and the values, which are pure functions of the seed, the worker and
 * the seq, and the model the check replays).  The workload itself is
 * workload_churn (workload.h).
 */
#ifndef SQLSTORM_WORKLOAD_CHURN_H
#define SQLSTORM_WORKLOAD_CHURN_H

#include <stddef.h>
#include <stdint.h>

#define CHURN_SPEC_DEFAULT "keys=256,ops=4,max=16384,grow=200,shrink=100"
#define CHURN_OPS_MAX 64

/* A parsed --churn spec. */
struct churn_spec {
	uint32_t keys;        /* key slots per worker */
	uint32_t ops;         /* at most this many ops per seq (1..ops) */
	uint32_t max;         /* largest value, bytes */
	uint64_t grow;        /* seqs of the growing phase of a cycle ... */
	uint64_t shrink;      /* ... then seqs of the shrinking phase */
};

/* One op of a seq: put (insert or update) or delete of a key slot. */
struct churn_op {
	int      put;
	uint32_t slot;
	uint32_t len;         /* put: the value's length */
};

/*
 * Parse text (NULL or "" is the default spec) into *sp.  Returns 0, or
 * -1 with a one-line message in err.
 */
int churn_spec_parse(const char *text, struct churn_spec *sp, char *err,
    size_t errlen);

/*
 * The ops of worker w's seq under seed: a pure function of its
 * arguments.  Fills ops[0..n) (room for sp->ops) and returns n >= 1.
 */
int churn_ops(const struct churn_spec *sp, uint64_t seed, int w,
    uint64_t seq, struct churn_op *ops);

/* The len bytes seq of worker w puts at slot, into buf. */
void churn_value(uint64_t seed, int w, uint64_t seq, uint32_t slot,
    unsigned char *buf, uint32_t len);

/* The key of worker w's slot in the kv table. */
int64_t churn_key(int w, uint32_t slot);

#endif
