/* SPDX-License-Identifier: MIT */
/*
 * fuzz_wire: libFuzzer harness for the wire decoder.  The input is read as
 * a report pipe's byte stream, the way the parent reads it: decode, advance
 * by *used, stop at NEED_MORE or MALFORMED.  Besides "no crash, no
 * sanitizer report", it checks the decoder's promises: a record it accepts
 * re-encodes to exactly its input bytes and decodes back to the same
 * fields; every truncation of it asks for more; NEED_MORE never happens
 * with WIRE_MAX_RECORD bytes in hand (a garbage stream cannot stall the
 * parent); MALFORMED always says why.  It deliberately does not test
 * classification or any I/O.
 */
#include "autoconf.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* abort() rather than assert(): NDEBUG must not switch the checks off. */
#define CHECK(x) do { if (!(x)) abort(); } while (0)

static int
same_error(const struct wire_error *a, const struct wire_error *b)
{
	return a->op == b->op && a->shutdown_seen == b->shutdown_seen &&
	    a->msg_len == b->msg_len && a->code == b->code &&
	    a->extended == b->extended && a->sys_errno == b->sys_errno &&
	    a->t_begin == b->t_begin && a->t_end == b->t_end &&
	    a->injected == b->injected && a->inj_item == b->inj_item &&
	    a->inj_code == b->inj_code &&
	    strcmp(a->message, b->message) == 0;
}

static int
same_snapshot(const struct wire_snapshot *a, const struct wire_snapshot *b)
{
	return a->index == b->index && a->integrity_ok == b->integrity_ok &&
	    a->rows_ok == b->rows_ok && a->problem_len == b->problem_len &&
	    a->t_begin == b->t_begin && a->t_end == b->t_end &&
	    a->rows == b->rows && a->nworkers == b->nworkers &&
	    a->flags == b->flags &&
	    strcmp(a->problem, b->problem) == 0;
}

static int
same_done(const struct wire_done *a, const struct wire_done *b)
{
	return a->commits == b->commits && a->rows == b->rows &&
	    a->last_seq == b->last_seq && a->busy_waits == b->busy_waits &&
	    a->busy_ns == b->busy_ns && a->errors == b->errors &&
	    a->snapshots == b->snapshots &&
	    a->shutdown_seen == b->shutdown_seen &&
	    memcmp(a->pad, b->pad, sizeof a->pad) == 0;
}

static int
same_record(const struct wire_record *a, const struct wire_record *b)
{
	/* Field by field: the struct has padding that memcmp would see. */
	if (a->h.version != b->h.version || a->h.type != b->h.type ||
	    a->h.length != b->h.length || a->h.child != b->h.child ||
	    a->h.seq != b->h.seq || a->h.t_sent != b->h.t_sent)
		return 0;
	switch (a->h.type) {
	case WIRE_READY:
		return 1;
	case WIRE_ACK:
		return a->u.ack.seq == b->u.ack.seq &&
		    a->u.ack.t_commit == b->u.ack.t_commit;
	case WIRE_ERROR:
		return same_error(&a->u.error, &b->u.error);
	case WIRE_SNAPSHOT:
		return same_snapshot(&a->u.snapshot, &b->u.snapshot);
	case WIRE_SNAPK:
		return a->u.snapk.index == b->u.snapk.index &&
		    a->u.snapk.first == b->u.snapk.first &&
		    a->u.snapk.n == b->u.snapk.n &&
		    memcmp(a->u.snapk.k, b->u.snapk.k,
		    a->u.snapk.n * sizeof a->u.snapk.k[0]) == 0;
	case WIRE_HIST:
		return memcmp(a->u.hist.count, b->u.hist.count,
		    sizeof a->u.hist.count) == 0;
	case WIRE_DONE:
		return same_done(&a->u.done, &b->u.done);
	case WIRE_ACTION:
		return memcmp(&a->u.action, &b->u.action,
		    sizeof a->u.action) == 0;
	case WIRE_PACE:
		return a->u.pace.scheduled == b->u.pace.scheduled &&
		    a->u.pace.done == b->u.pace.done &&
		    a->u.pace.behind_max_ns == b->u.pace.behind_max_ns &&
		    a->u.pace.behind_end_ns == b->u.pace.behind_end_ns &&
		    memcmp(a->u.pace.count, b->u.pace.count,
		    sizeof a->u.pace.count) == 0;
	case WIRE_RESUME:
		return a->u.resume.seq == b->u.resume.seq;
	case WIRE_IOFIRE:
		return a->u.iofire.item == b->u.iofire.item &&
		    a->u.iofire.op == b->u.iofire.op &&
		    a->u.iofire.file == b->u.iofire.file &&
		    a->u.iofire.flags == b->u.iofire.flags &&
		    a->u.iofire.code == b->u.iofire.code &&
		    a->u.iofire.t == b->u.iofire.t;
	default:
		return 0;
	}
}

/* Field rules of wire.h, restated independently of the decoder. */
static void
check_fields(const struct wire_record *r)
{
	const struct wire_done *d = &r->u.done;
	size_t i;

	CHECK(strcmp(wire_type_name(r->h.type), "unknown") != 0);
	switch (r->h.type) {
	case WIRE_ERROR:
		CHECK(strcmp(wire_op_name(r->u.error.op), "unknown") != 0);
		CHECK(r->u.error.shutdown_seen <= 1);
		CHECK(r->u.error.msg_len <= WIRE_MSG_MAX);
		CHECK((r->u.error.injected & ~WIRE_INJ_FLAGS) == 0);
		break;
	case WIRE_IOFIRE:
		CHECK((r->u.iofire.flags & ~WIRE_IOFIRE_FLAGS) == 0);
		break;
	case WIRE_SNAPSHOT:
		CHECK(r->u.snapshot.integrity_ok <= 1);
		CHECK(r->u.snapshot.rows_ok <= 1);
		CHECK((r->u.snapshot.flags & ~WIRE_SNAP_FLAGS) == 0);
		CHECK(r->u.snapshot.problem_len <= WIRE_PROBLEM_MAX);
		break;
	case WIRE_SNAPK:
		CHECK(r->u.snapk.n >= 1 && r->u.snapk.n <= WIRE_SNAPK_MAX);
		break;
	case WIRE_DONE:
		CHECK(d->shutdown_seen <= 1);
		for (i = 0; i < sizeof d->pad; i++)
			CHECK(d->pad[i] == 0);
		break;
	case WIRE_ACTION:
		CHECK(r->u.action.errors <= r->u.action.runs);
		CHECK(r->u.action.max_ns >= 0 &&
		    r->u.action.max_ns <= r->u.action.total_ns);
		break;
	case WIRE_PACE:
		CHECK(r->u.pace.behind_max_ns >= 0);
		CHECK(r->u.pace.behind_end_ns >= 0);
		break;
	}
}

/* The promises about one accepted record of n bytes at p. */
static void
check_accepted(const uint8_t *p, size_t n, const struct wire_record *r)
{
	uint8_t buf[WIRE_MAX_RECORD];
	struct wire_record back;
	size_t used, k;

	CHECK(n >= WIRE_HEADER_SIZE && n <= WIRE_MAX_RECORD);
	CHECK(n == WIRE_HEADER_SIZE + (size_t)r->h.length);
	CHECK(r->h.version == WIRE_VERSION);
	check_fields(r);
	if (r->h.type == WIRE_ERROR)
		CHECK(strlen(r->u.error.message) == r->u.error.msg_len);
	if (r->h.type == WIRE_SNAPSHOT)
		CHECK(strlen(r->u.snapshot.problem) ==
		    r->u.snapshot.problem_len);
	/* Canonical: re-encoding gives back the very bytes we read. */
	CHECK(wire_encode(r, buf, sizeof buf) == n);
	CHECK(memcmp(buf, p, n) == 0);
	CHECK(wire_encode(r, buf, n - 1) == 0);
	CHECK(wire_decode(buf, n, &back, &used, NULL) == WIRE_OK);
	CHECK(used == n);
	CHECK(same_record(r, &back));
	for (k = 0; k < n; k++)
		CHECK(wire_decode(p, k, &back, &used, NULL) ==
		    WIRE_NEED_MORE && used == 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wire_record r;
	const char *why;
	size_t off = 0, used;

	for (;;) {
		size_t left = size - off;
		enum wire_status st;

		why = NULL;
		st = wire_decode(data + off, left, &r, &used, &why);
		if (st == WIRE_NEED_MORE) {
			CHECK(left < WIRE_MAX_RECORD && used == 0);
			break;
		}
		if (st == WIRE_MALFORMED) {
			CHECK(why != NULL && *why != '\0' && used == 0);
			break;
		}
		CHECK(st == WIRE_OK && used <= left);
		check_accepted(data + off, used, &r);
		off += used;
	}
	return 0;
}

#ifdef FUZZ_WIRE_SEEDS
/*
 * Seed corpus writer, built without libFuzzer:
 *   cc -DFUZZ_WIRE_SEEDS -Isrc/core -I. tests/fuzz/fuzz_wire.c src/core/wire.c
 *   ./a.out corpus-dir
 * One valid record of each type plus a stream of all of them: from an
 * empty corpus the fuzzer takes long to guess a consistent length field.
 */
#include <stdio.h>

static void
seed_record(struct wire_record *r, int type)
{
	uint32_t i;

	memset(r, 0, sizeof *r);
	r->h.type = (uint8_t)type;
	r->h.child = 1;
	r->h.seq = (uint32_t)type;
	r->h.t_sent = 1000000000;
	r->u.error.op = WIRE_OP_COMMIT;
	r->u.error.shutdown_seen = 1;
	r->u.error.code = 5;
	r->u.error.msg_len = 18;
	memcpy(r->u.error.message, "database is locked", 18);
	if (type == WIRE_SNAPSHOT) {
		memset(&r->u.snapshot, 0, sizeof r->u.snapshot);
		r->u.snapshot.integrity_ok = 1;
		r->u.snapshot.problem_len = 9;
		memcpy(r->u.snapshot.problem, "gap at 17", 9);
	}
	if (type == WIRE_SNAPK) {
		memset(&r->u.snapk, 0, sizeof r->u.snapk);
		r->u.snapk.n = 3;
		for (i = 0; i < 3; i++)
			r->u.snapk.k[i] = 100 + i;
	}
	if (type == WIRE_DONE) {
		memset(&r->u.done, 0, sizeof r->u.done);
		r->u.done.shutdown_seen = 1;
	}
	if (type == WIRE_PACE) {
		memset(&r->u.pace, 0, sizeof r->u.pace);
		r->u.pace.scheduled = 3;
		r->u.pace.done = 2;
		r->u.pace.behind_max_ns = 5;
	}
}

static int
seed_write(const char *dir, const char *name, const uint8_t *p, size_t n)
{
	char path[4096];
	FILE *f;
	int ok;

	snprintf(path, sizeof path, "%s/seed-%s", dir, name);
	if ((f = fopen(path, "wb")) == NULL)
		return -1;
	ok = fwrite(p, 1, n, f) == n;
	return fclose(f) == 0 && ok ? 0 : -1;
}

int
main(int argc, char **argv)
{
	static uint8_t all[WIRE_TYPE_END * WIRE_MAX_RECORD];
	uint8_t buf[WIRE_MAX_RECORD];
	struct wire_record r;
	size_t n, total = 0;
	int type;

	if (argc != 2)
		return 2;
	for (type = WIRE_READY; type < WIRE_TYPE_END; type++) {
		seed_record(&r, type);
		if ((n = wire_encode(&r, buf, sizeof buf)) == 0 ||
		    seed_write(argv[1], wire_type_name(type), buf, n) < 0)
			return 1;
		memcpy(all + total, buf, n);
		total += n;
	}
	return seed_write(argv[1], "stream", all, total) < 0;
}
#endif
