/* SPDX-License-Identifier: MIT */
/*
 * check_wire: unit tests of the record format.  Encodings are compared with
 * byte arrays written out by hand from the layout in wire.c, so a change of
 * layout cannot pass unnoticed; every boundary is tested as a pair (fits
 * exactly / one more fails); every truncation of a valid record must ask
 * for more bytes and every corruption must be refused.  No I/O.
 */
#include "autoconf.h"

#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wire.h"

/* ------------------------------------------------------------ helpers */

static int
rec_equal(const struct wire_record *a, const struct wire_record *b)
{
	const struct wire_error *ea = &a->u.error, *eb = &b->u.error;
	const struct wire_snapshot *sa = &a->u.snapshot, *sb = &b->u.snapshot;
	const struct wire_done *da = &a->u.done, *db = &b->u.done;

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
		return ea->op == eb->op &&
		    ea->shutdown_seen == eb->shutdown_seen &&
		    ea->msg_len == eb->msg_len && ea->code == eb->code &&
		    ea->extended == eb->extended &&
		    ea->sys_errno == eb->sys_errno &&
		    ea->t_begin == eb->t_begin && ea->t_end == eb->t_end &&
		    ea->injected == eb->injected &&
		    ea->inj_item == eb->inj_item &&
		    ea->inj_code == eb->inj_code &&
		    memcmp(ea->message, eb->message, ea->msg_len) == 0;
	case WIRE_SNAPSHOT:
		return sa->index == sb->index &&
		    sa->integrity_ok == sb->integrity_ok &&
		    sa->rows_ok == sb->rows_ok &&
		    sa->problem_len == sb->problem_len &&
		    sa->t_begin == sb->t_begin && sa->t_end == sb->t_end &&
		    sa->rows == sb->rows && sa->nworkers == sb->nworkers &&
		    sa->flags == sb->flags &&
		    memcmp(sa->problem, sb->problem, sa->problem_len) == 0;
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
		return da->commits == db->commits && da->rows == db->rows &&
		    da->last_seq == db->last_seq &&
		    da->busy_waits == db->busy_waits &&
		    da->busy_ns == db->busy_ns && da->errors == db->errors &&
		    da->snapshots == db->snapshots &&
		    da->shutdown_seen == db->shutdown_seen;
	case WIRE_ACTION:
		return a->u.action.kind == b->u.action.kind &&
		    a->u.action.runs == b->u.action.runs &&
		    a->u.action.errors == b->u.action.errors &&
		    a->u.action.total_ns == b->u.action.total_ns &&
		    a->u.action.max_ns == b->u.action.max_ns;
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

static void
set_header(struct wire_record *r, int type, uint32_t child, uint32_t seq,
    int64_t t_sent)
{
	memset(r, 0, sizeof *r);
	r->h.type = (uint8_t)type;
	r->h.child = child;
	r->h.seq = seq;
	r->h.t_sent = t_sent;
}

static void
set_message(struct wire_error *e, const char *msg)
{
	e->msg_len = (uint16_t)strlen(msg);
	memcpy(e->message, msg, e->msg_len + 1);
}

/* One valid record of the given type, fields chosen to be distinct. */
static void
sample(struct wire_record *r, int type)
{
	uint32_t i;

	set_header(r, type, 7, 42, INT64_C(123456789012));
	switch (type) {
	case WIRE_ACK:
		r->u.ack.seq = 99;
		r->u.ack.t_commit = -5;
		break;
	case WIRE_ERROR:
		r->u.error.op = WIRE_OP_INSERT;
		r->u.error.code = 11;
		r->u.error.extended = 11 | (1 << 8);
		r->u.error.sys_errno = 5;
		r->u.error.t_begin = 1000;
		r->u.error.t_end = 2000;
		r->u.error.injected = WIRE_INJ_FIRED;
		r->u.error.inj_item = 0x0102;
		r->u.error.inj_code = 10;
		set_message(&r->u.error, "database disk image is malformed");
		break;
	case WIRE_SNAPSHOT:
		r->u.snapshot.index = 3;
		r->u.snapshot.integrity_ok = 1;
		r->u.snapshot.problem_len = 9;
		memcpy(r->u.snapshot.problem, "gap at 17", 10);
		r->u.snapshot.t_begin = INT64_MIN;
		r->u.snapshot.t_end = INT64_MAX;
		r->u.snapshot.rows = UINT64_MAX;
		r->u.snapshot.nworkers = 4;
		r->u.snapshot.flags = WIRE_SNAP_TEMPFAIL;
		break;
	case WIRE_SNAPK:
		r->u.snapk.index = 3;
		r->u.snapk.first = 8;
		r->u.snapk.n = 5;
		for (i = 0; i < 5; i++)
			r->u.snapk.k[i] = UINT64_C(0x0101010101) * (i + 1);
		break;
	case WIRE_HIST:
		for (i = 0; i < WIRE_HIST_BUCKETS; i++)
			r->u.hist.count[i] = i * 0x01000001u;
		break;
	case WIRE_DONE:
		r->u.done.commits = 10;
		r->u.done.rows = 20;
		r->u.done.last_seq = 21;
		r->u.done.busy_waits = 2;
		r->u.done.busy_ns = -1;
		r->u.done.errors = 1;
		r->u.done.snapshots = 0;
		r->u.done.shutdown_seen = 1;
		break;
	case WIRE_ACTION:
		r->u.action.kind = 3;
		r->u.action.runs = 12;
		r->u.action.errors = 2;
		r->u.action.total_ns = INT64_C(4000000000);
		r->u.action.max_ns = 40000000;
		break;
	case WIRE_PACE:
		r->u.pace.scheduled = 8000;
		r->u.pace.done = 7998;
		r->u.pace.behind_max_ns = 35000000;
		r->u.pace.behind_end_ns = 1;
		for (i = 0; i < WIRE_HIST_BUCKETS; i++)
			r->u.pace.count[i] = i * 0x00010001u;
		break;
	case WIRE_RESUME:
		r->u.resume.seq = UINT64_C(0x0102030405060708);
		break;
	case WIRE_IOFIRE:
		r->u.iofire.item = 3;
		r->u.iofire.op = 2;
		r->u.iofire.file = 1;
		r->u.iofire.flags = WIRE_IOFIRE_ABSORBED;
		r->u.iofire.code = 10 | (13 << 8);
		r->u.iofire.t = INT64_C(0x0102030405060708);
		break;
	}
}

/* Encode a sample, checking it encodes; returns its size. */
static size_t
sample_bytes(int type, uint8_t *buf, size_t cap)
{
	struct wire_record r;
	size_t n;

	sample(&r, type);
	n = wire_encode(&r, buf, cap);
	ck_assert_uint_gt(n, 0);
	return n;
}

static void
assert_encodes_to(const struct wire_record *r, const uint8_t *want,
    size_t wantlen)
{
	uint8_t buf[WIRE_MAX_RECORD];
	struct wire_record back;
	size_t n, used = 0;
	size_t i;

	n = wire_encode(r, buf, sizeof buf);
	ck_assert_uint_eq(n, wantlen);
	for (i = 0; i < n; i++)
		ck_assert_msg(buf[i] == want[i], "byte %zu: got 0x%02x, "
		    "want 0x%02x", i, buf[i], want[i]);
	/* The written-out bytes also decode to the same record. */
	ck_assert_int_eq(wire_decode(want, wantlen, &back, &used, NULL),
	    WIRE_OK);
	ck_assert_uint_eq(used, wantlen);
	ck_assert_int_eq(back.h.version, WIRE_VERSION);
	ck_assert_uint_eq(back.h.length, wantlen - WIRE_HEADER_SIZE);
}

static enum wire_status
decode(const uint8_t *buf, size_t len)
{
	struct wire_record r;
	size_t used = 12345;
	const char *why = NULL;
	enum wire_status st;

	st = wire_decode(buf, len, &r, &used, &why);
	if (st == WIRE_MALFORMED)
		ck_assert_ptr_nonnull(why);
	if (st != WIRE_OK)
		ck_assert_uint_eq(used, 0);
	return st;
}

static void
put_le16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void
put_le32(uint8_t *p, uint32_t v)
{
	put_le16(p, v & 0xffff);
	put_le16(p + 2, v >> 16);
}

/* ------------------------------------------------------------ encode */

START_TEST(test_wire_encode_ready_bytes)
{
	static const uint8_t want[] = {
		0x02, 0x01, 0x00, 0x00,                         /* v1 READY 0 */
		0x04, 0x03, 0x02, 0x01,                         /* child */
		0x01, 0x00, 0x00, 0x00,                         /* seq 1 */
		0x05, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* t_sent 5 */
	};
	struct wire_record r;

	set_header(&r, WIRE_READY, 0x01020304, 1, 5);
	r.h.version = 77;       /* filled in by the encoder */
	r.h.length = 999;
	assert_encodes_to(&r, want, sizeof want);
}
END_TEST

START_TEST(test_wire_encode_ack_bytes)
{
	static const uint8_t want[] = {
		0x02, 0x02, 0x10, 0x00,
		0x03, 0x00, 0x00, 0x00,
		0x07, 0x00, 0x00, 0x00,
		0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01,
		0x2a, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* seq 42 */
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, /* t_commit */
	};
	struct wire_record r;

	set_header(&r, WIRE_ACK, 3, 7, INT64_C(0x0102030405060708));
	r.u.ack.seq = 42;
	r.u.ack.t_commit = -1;
	assert_encodes_to(&r, want, sizeof want);
}
END_TEST

START_TEST(test_wire_encode_error_bytes)
{
	static const uint8_t want[] = {
		0x02, 0x03, 0x30, 0x00,                 /* ERROR, 44 + 4 */
		0x01, 0x00, 0x00, 0x00,
		0x02, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x05, 0x01, 0x04, 0x00,                 /* COMMIT, seen, 4 */
		0x05, 0x00, 0x00, 0x00,                 /* code 5 */
		0x05, 0x02, 0x00, 0x00,                 /* extended 517 */
		0xf5, 0xff, 0xff, 0xff,                 /* errno -11 */
		0xe8, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11,
		0x01, 0x00, 0x07, 0x00,                 /* injected, item 7 */
		0x0a, 0x00, 0x00, 0x00,                 /* inj_code 10 */
		0x00, 0x00, 0x00, 0x00,                 /* zero word */
		'b', 'u', 's', 'y',
	};
	struct wire_record r;

	set_header(&r, WIRE_ERROR, 1, 2, 0);
	r.u.error.op = WIRE_OP_COMMIT;
	r.u.error.shutdown_seen = 1;
	r.u.error.code = 5;
	r.u.error.extended = 517;
	r.u.error.sys_errno = -11;
	r.u.error.t_begin = 1000;
	r.u.error.t_end = INT64_C(0x1122334455667788);
	r.u.error.injected = WIRE_INJ_FIRED;
	r.u.error.inj_item = 7;
	r.u.error.inj_code = 10;
	set_message(&r.u.error, "busy");
	assert_encodes_to(&r, want, sizeof want);
}
END_TEST

START_TEST(test_wire_encode_snapshot_bytes)
{
	static const uint8_t want[] = {
		0x02, 0x04, 0x2e, 0x00,                 /* SNAPSHOT, 44 + 2 */
		0x09, 0x00, 0x00, 0x00,
		0x0a, 0x00, 0x00, 0x00,
		0x0b, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x02, 0x01, 0x00, 0x00,                 /* index 0x102 */
		0x01, 0x00, 0x02, 0x00,                 /* ok, bad rows, 2 */
		0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x20, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x30, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x04, 0x00, 0x00, 0x00,                 /* nworkers */
		0x00, 0x00, 0x00, 0x00,                 /* flags */
		0x00, 0x00, 0x00, 0x00,                 /* zero word */
		'n', 'o',
	};
	struct wire_record r;

	set_header(&r, WIRE_SNAPSHOT, 9, 10, 11);
	r.u.snapshot.index = 0x102;
	r.u.snapshot.integrity_ok = 1;
	r.u.snapshot.rows_ok = 0;
	r.u.snapshot.problem_len = 2;
	memcpy(r.u.snapshot.problem, "no", 3);
	r.u.snapshot.t_begin = 0x10;
	r.u.snapshot.t_end = 0x20;
	r.u.snapshot.rows = 0x30;
	r.u.snapshot.nworkers = 4;
	assert_encodes_to(&r, want, sizeof want);
}
END_TEST

START_TEST(test_wire_encode_snapk_bytes)
{
	static const uint8_t want[] = {
		0x02, 0x05, 0x1c, 0x00,                 /* SNAPK, 12 + 16 */
		0x09, 0x00, 0x00, 0x00,
		0x01, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x02, 0x00, 0x00, 0x00,                 /* index */
		0x06, 0x00, 0x00, 0x00,                 /* first */
		0x02, 0x00, 0x00, 0x00,                 /* n */
		0x01, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x80,
	};
	struct wire_record r;

	set_header(&r, WIRE_SNAPK, 9, 1, 0);
	r.u.snapk.index = 2;
	r.u.snapk.first = 6;
	r.u.snapk.n = 2;
	r.u.snapk.k[0] = 0x201;
	r.u.snapk.k[1] = UINT64_C(1) << 63;
	r.u.snapk.k[2] = 77;    /* beyond n: must not be sent */
	assert_encodes_to(&r, want, sizeof want);
}
END_TEST

START_TEST(test_wire_encode_done_bytes)
{
	static const uint8_t want[] = {
		0x02, 0x07, 0x40, 0x00,                 /* DONE, 64 */
		0x00, 0x00, 0x00, 0x00,
		0xff, 0xff, 0xff, 0xff,                 /* seq UINT32_MAX */
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x80, /* INT64_MIN */
		0x01, 0, 0, 0, 0, 0, 0, 0,              /* commits */
		0x02, 0, 0, 0, 0, 0, 0, 0,              /* rows */
		0x03, 0, 0, 0, 0, 0, 0, 0,              /* last_seq */
		0x04, 0, 0, 0, 0, 0, 0, 0,              /* busy_waits */
		0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, /* busy_ns -2 */
		0x05, 0, 0, 0, 0, 0, 0, 0,              /* errors */
		0x06, 0, 0, 0, 0, 0, 0, 0,              /* snapshots */
		0x01, 0, 0, 0, 0, 0, 0, 0,              /* seen, pad */
	};
	struct wire_record r;

	set_header(&r, WIRE_DONE, 0, UINT32_MAX, INT64_MIN);
	r.u.done.commits = 1;
	r.u.done.rows = 2;
	r.u.done.last_seq = 3;
	r.u.done.busy_waits = 4;
	r.u.done.busy_ns = -2;
	r.u.done.errors = 5;
	r.u.done.snapshots = 6;
	r.u.done.shutdown_seen = 1;
	memset(r.u.done.pad, 0xaa, sizeof r.u.done.pad);  /* written as 0 */
	assert_encodes_to(&r, want, sizeof want);
}
END_TEST

START_TEST(test_wire_encode_action_bytes)
{
	static const uint8_t want[] = {
		0x02, 0x08, 0x28, 0x00,                 /* ACTION, 40 */
		0x02, 0x00, 0x00, 0x00,                 /* child 2 */
		0x09, 0x00, 0x00, 0x00,                 /* seq 9 */
		0x01, 0, 0, 0, 0, 0, 0, 0,              /* t_sent 1 */
		0x06, 0, 0, 0, 0, 0, 0, 0,              /* kind, zero */
		0x03, 0, 0, 0, 0, 0, 0, 0,              /* runs */
		0x01, 0, 0, 0, 0, 0, 0, 0,              /* errors */
		0x00, 0x01, 0, 0, 0, 0, 0, 0,           /* total_ns 256 */
		0x80, 0, 0, 0, 0, 0, 0, 0,              /* max_ns 128 */
	};
	struct wire_record r;

	set_header(&r, WIRE_ACTION, 2, 9, 1);
	r.u.action.kind = 6;
	r.u.action.runs = 3;
	r.u.action.errors = 1;
	r.u.action.total_ns = 256;
	r.u.action.max_ns = 128;
	assert_encodes_to(&r, want, sizeof want);
	/* Boundary pairs: errors == runs and max == total fit, one more not. */
	r.u.action.errors = 3;
	r.u.action.max_ns = 256;
	ck_assert_uint_gt(wire_encode(&r, (uint8_t[WIRE_MAX_RECORD]){0},
	    WIRE_MAX_RECORD), 0);
	r.u.action.errors = 4;
	ck_assert_uint_eq(wire_encode(&r, (uint8_t[WIRE_MAX_RECORD]){0},
	    WIRE_MAX_RECORD), 0);
	r.u.action.errors = 3;
	r.u.action.max_ns = 257;
	ck_assert_uint_eq(wire_encode(&r, (uint8_t[WIRE_MAX_RECORD]){0},
	    WIRE_MAX_RECORD), 0);
	r.u.action.max_ns = -1;
	ck_assert_uint_eq(wire_encode(&r, (uint8_t[WIRE_MAX_RECORD]){0},
	    WIRE_MAX_RECORD), 0);
}
END_TEST

START_TEST(test_wire_encode_hist_bytes)
{
	uint8_t buf[WIRE_MAX_RECORD];
	struct wire_record r;
	size_t n;

	set_header(&r, WIRE_HIST, 2, 3, 4);
	r.u.hist.count[0] = 0x04030201;
	r.u.hist.count[WIRE_HIST_BUCKETS - 1] = 0xa0b0c0d0;
	n = wire_encode(&r, buf, sizeof buf);
	ck_assert_uint_eq(n, WIRE_HEADER_SIZE + 4 * WIRE_HIST_BUCKETS);
	ck_assert_int_eq(buf[1], WIRE_HIST);
	ck_assert_int_eq(buf[2] | buf[3] << 8, 4 * WIRE_HIST_BUCKETS);
	ck_assert_int_eq(buf[20], 0x01);
	ck_assert_int_eq(buf[23], 0x04);
	ck_assert_int_eq(buf[24], 0x00);
	ck_assert_int_eq(buf[n - 4], 0xd0);
	ck_assert_int_eq(buf[n - 1], 0xa0);
}
END_TEST

START_TEST(test_wire_encode_pace_bytes)
{
	uint8_t buf[WIRE_MAX_RECORD];
	struct wire_record r, back;
	size_t n, used = 0;

	set_header(&r, WIRE_PACE, 2, 3, 4);
	r.u.pace.scheduled = 0x0807060504030201;
	r.u.pace.done = 9;
	r.u.pace.behind_max_ns = INT64_MAX;
	r.u.pace.behind_end_ns = 0;
	r.u.pace.count[0] = 0x04030201;
	r.u.pace.count[WIRE_HIST_BUCKETS - 1] = 0xa0b0c0d0;
	n = wire_encode(&r, buf, sizeof buf);
	ck_assert_uint_eq(n, WIRE_HEADER_SIZE + 32 + 4 * WIRE_HIST_BUCKETS);
	ck_assert_uint_le(n, WIRE_MAX_RECORD);
	ck_assert_int_eq(buf[1], WIRE_PACE);
	ck_assert_int_eq(buf[2] | buf[3] << 8, 32 + 4 * WIRE_HIST_BUCKETS);
	ck_assert_int_eq(buf[20], 0x01);                /* scheduled */
	ck_assert_int_eq(buf[27], 0x08);
	ck_assert_int_eq(buf[28], 0x09);                /* done */
	ck_assert_int_eq(buf[36], 0xff);                /* behind_max */
	ck_assert_int_eq(buf[43], 0x7f);
	ck_assert_int_eq(buf[44], 0x00);                /* behind_end */
	ck_assert_int_eq(buf[52], 0x01);                /* count[0] */
	ck_assert_int_eq(buf[55], 0x04);
	ck_assert_int_eq(buf[n - 4], 0xd0);
	ck_assert_int_eq(buf[n - 1], 0xa0);
	ck_assert_int_eq(wire_decode(buf, n, &back, &used, NULL), WIRE_OK);
	ck_assert_uint_eq(used, n);
	r.h.version = WIRE_VERSION;     /* filled in by the encoder */
	r.h.length = (uint16_t)(n - WIRE_HEADER_SIZE);
	ck_assert(rec_equal(&r, &back));
	ck_assert_str_eq(wire_type_name(WIRE_PACE), "PACE");
}
END_TEST

START_TEST(test_wire_encode_rejects_invalid)
{
	uint8_t buf[WIRE_MAX_RECORD];
	struct wire_record r;

	sample(&r, WIRE_ACK);
	r.h.type = 0;
	ck_assert_uint_eq(wire_encode(&r, buf, sizeof buf), 0);
	r.h.type = WIRE_TYPE_END;
	ck_assert_uint_eq(wire_encode(&r, buf, sizeof buf), 0);

	sample(&r, WIRE_ERROR);
	r.u.error.op = 0;
	ck_assert_uint_eq(wire_encode(&r, buf, sizeof buf), 0);
	r.u.error.op = WIRE_OP_END;
	ck_assert_uint_eq(wire_encode(&r, buf, sizeof buf), 0);
	sample(&r, WIRE_ERROR);
	r.u.error.shutdown_seen = 2;
	ck_assert_uint_eq(wire_encode(&r, buf, sizeof buf), 0);
	sample(&r, WIRE_ERROR);
	r.u.error.message[3] = '\0';    /* NUL inside msg_len bytes */
	ck_assert_uint_eq(wire_encode(&r, buf, sizeof buf), 0);

	sample(&r, WIRE_SNAPSHOT);
	r.u.snapshot.rows_ok = 2;
	ck_assert_uint_eq(wire_encode(&r, buf, sizeof buf), 0);
	sample(&r, WIRE_SNAPSHOT);
	r.u.snapshot.integrity_ok = 0xff;
	ck_assert_uint_eq(wire_encode(&r, buf, sizeof buf), 0);

	sample(&r, WIRE_SNAPK);
	r.u.snapk.first = UINT32_MAX - 3;       /* workers past UINT32_MAX */
	ck_assert_uint_eq(wire_encode(&r, buf, sizeof buf), 0);
	r.u.snapk.first = UINT32_MAX - 4;       /* last one is UINT32_MAX */
	ck_assert_uint_gt(wire_encode(&r, buf, sizeof buf), 0);

	sample(&r, WIRE_DONE);
	r.u.done.shutdown_seen = 3;
	ck_assert_uint_eq(wire_encode(&r, buf, sizeof buf), 0);
}
END_TEST

START_TEST(test_wire_encode_cap_boundary)
{
	uint8_t buf[WIRE_MAX_RECORD];
	struct wire_record r;
	int type;

	for (type = WIRE_READY; type < WIRE_TYPE_END; type++) {
		size_t n;

		sample(&r, type);
		n = wire_encode(&r, buf, sizeof buf);
		ck_assert_uint_gt(n, 0);
		ck_assert_uint_eq(wire_encode(&r, buf, n), n);
		ck_assert_uint_eq(wire_encode(&r, buf, n - 1), 0);
	}
	ck_assert_uint_eq(wire_encode(&r, buf, 0), 0);
}
END_TEST

/* ------------------------------------------------------------ decode */

START_TEST(test_wire_roundtrip_every_type)
{
	uint8_t buf[WIRE_MAX_RECORD], again[WIRE_MAX_RECORD];
	struct wire_record r, back;
	size_t n, used;
	int type;

	for (type = WIRE_READY; type < WIRE_TYPE_END; type++) {
		sample(&r, type);
		n = wire_encode(&r, buf, sizeof buf);
		ck_assert_uint_gt(n, 0);
		r.h.version = WIRE_VERSION;
		r.h.length = (uint16_t)(n - WIRE_HEADER_SIZE);
		ck_assert_int_eq(wire_decode(buf, n, &back, &used, NULL),
		    WIRE_OK);
		ck_assert_uint_eq(used, n);
		ck_assert_msg(rec_equal(&r, &back), "%s differs",
		    wire_type_name(type));
		/* Canonical: the decoded record re-encodes to these bytes. */
		ck_assert_uint_eq(wire_encode(&back, again, sizeof again), n);
		ck_assert_mem_eq(buf, again, n);
	}
}
END_TEST

START_TEST(test_wire_decode_text_terminated)
{
	uint8_t buf[WIRE_MAX_RECORD];
	struct wire_record back;
	size_t n, used;

	n = sample_bytes(WIRE_ERROR, buf, sizeof buf);
	memset(&back, 'x', sizeof back);
	ck_assert_int_eq(wire_decode(buf, n, &back, &used, NULL), WIRE_OK);
	ck_assert_str_eq(back.u.error.message,
	    "database disk image is malformed");
	n = sample_bytes(WIRE_SNAPSHOT, buf, sizeof buf);
	memset(&back, 'x', sizeof back);
	ck_assert_int_eq(wire_decode(buf, n, &back, &used, NULL), WIRE_OK);
	ck_assert_str_eq(back.u.snapshot.problem, "gap at 17");
}
END_TEST

START_TEST(test_wire_decode_every_truncation_needs_more)
{
	uint8_t buf[WIRE_MAX_RECORD];
	int type;

	for (type = WIRE_READY; type < WIRE_TYPE_END; type++) {
		size_t n = sample_bytes(type, buf, sizeof buf), k;

		for (k = 0; k < n; k++)
			ck_assert_msg(decode(buf, k) == WIRE_NEED_MORE,
			    "%s cut to %zu bytes", wire_type_name(type), k);
		ck_assert_int_eq(decode(buf, n), WIRE_OK);
	}
}
END_TEST

START_TEST(test_wire_decode_back_to_back)
{
	uint8_t buf[2 * WIRE_MAX_RECORD];
	struct wire_record r;
	size_t a, b, used;

	a = sample_bytes(WIRE_ERROR, buf, sizeof buf);
	b = sample_bytes(WIRE_DONE, buf + a, sizeof buf - a);
	ck_assert_int_eq(wire_decode(buf, a + b, &r, &used, NULL), WIRE_OK);
	ck_assert_int_eq(r.h.type, WIRE_ERROR);
	ck_assert_uint_eq(used, a);
	ck_assert_int_eq(wire_decode(buf + used, a + b - used, &r, &used,
	    NULL), WIRE_OK);
	ck_assert_int_eq(r.h.type, WIRE_DONE);
	ck_assert_uint_eq(used, b);
	/* The second record cut short still only asks for more. */
	ck_assert_int_eq(wire_decode(buf + a, b - 1, &r, &used, NULL),
	    WIRE_NEED_MORE);
}
END_TEST

/* ------------------------------------------------------------ malformed */

struct mutation {
	int         type;       /* sample to start from */
	size_t      off;        /* byte to overwrite */
	uint8_t     val;
	const char *what;
};

static const struct mutation mutations[] = {
	{ WIRE_READY, 0, 0, "version 0" },
	{ WIRE_READY, 0, WIRE_VERSION + 1, "version 2" },
	{ WIRE_READY, 1, 0, "type 0" },
	{ WIRE_READY, 1, WIRE_TYPE_END, "type past the end" },
	{ WIRE_READY, 1, 0xff, "type 255" },
	{ WIRE_READY, 2, 1, "READY with a payload" },
	{ WIRE_ACK, 2, 17, "ACK length 17" },
	{ WIRE_ACK, 2, 15, "ACK length 15" },
	{ WIRE_HIST, 2, 0xff, "HIST length 0x1ff" },
	{ WIRE_DONE, 2, 63, "DONE length 63" },
	{ WIRE_ERROR, 20, 0, "op 0" },
	{ WIRE_ERROR, 20, WIRE_OP_END, "op past the end" },
	{ WIRE_ERROR, 21, 2, "shutdown_seen 2" },
	{ WIRE_ERROR, 22, 33, "msg_len too long for the length" },
	{ WIRE_ERROR, 22, 31, "msg_len too short for the length" },
	{ WIRE_ERROR, 20 + 32, 4, "ERROR injected flag not known" },
	{ WIRE_ERROR, 20 + 32, WIRE_INJ_SWALLOWED, "swallowed, not fired" },
	{ WIRE_ERROR, 20 + 33, 1, "ERROR zero byte after injected" },
	{ WIRE_ERROR, 20 + 40, 1, "ERROR zero word" },
	{ WIRE_ERROR, 20 + 43, 0x80, "ERROR zero word, last byte" },
	{ WIRE_ERROR, 20 + 44, 0, "NUL at the start of the message" },
	{ WIRE_ERROR, 20 + 44 + 31, 0, "NUL at the end of the message" },
	{ WIRE_SNAPSHOT, 24, 2, "integrity_ok 2" },
	{ WIRE_SNAPSHOT, 25, 2, "rows_ok 2" },
	{ WIRE_SNAPSHOT, 26, 10, "problem_len disagrees" },
	{ WIRE_SNAPSHOT, 20 + 36, 4, "SNAPSHOT flag not known" },
	{ WIRE_SNAPSHOT, 20 + 39, 0x80, "SNAPSHOT flag not known, high bit" },
	{ WIRE_SNAPSHOT, 20 + 43, 1, "SNAPSHOT zero word" },
	{ WIRE_SNAPSHOT, 20 + 44 + 4, 0, "NUL inside the problem" },
	{ WIRE_SNAPK, 28, 0, "SNAPK n 0" },
	{ WIRE_SNAPK, 28, 4, "SNAPK n below the length" },
	{ WIRE_SNAPK, 28, 6, "SNAPK n above the length" },
	{ WIRE_SNAPK, 2, 12 + 8 * 5 + 1, "SNAPK length not 12 + 8n" },
	{ WIRE_DONE, 20 + 56, 2, "DONE shutdown_seen 2" },
	{ WIRE_DONE, 20 + 57, 1, "DONE pad, first byte" },
	{ WIRE_DONE, 20 + 63, 1, "DONE pad, last byte" },
	{ WIRE_ACTION, 2, 41, "ACTION length 41" },
	{ WIRE_ACTION, 20 + 1, 1, "ACTION zero bytes, first" },
	{ WIRE_ACTION, 20 + 7, 1, "ACTION zero bytes, last" },
	{ WIRE_ACTION, 20 + 16, 13, "ACTION errors above runs" },
	{ WIRE_ACTION, 20 + 39, 0x80, "ACTION max_ns negative" },
	{ WIRE_PACE, 2, 0xdf, "PACE length 479" },
	{ WIRE_PACE, 20 + 23, 0x80, "PACE behind_max negative" },
	{ WIRE_PACE, 20 + 31, 0xff, "PACE behind_end negative" },
	{ WIRE_IOFIRE, 2, 25, "IOFIRE length 25" },
	{ WIRE_IOFIRE, 20 + 2, 16, "IOFIRE op 16" },
	{ WIRE_IOFIRE, 20 + 3, 0xff, "IOFIRE file 255" },
	{ WIRE_IOFIRE, 20 + 4, 2, "IOFIRE flag not known" },
	{ WIRE_IOFIRE, 20 + 5, 1, "IOFIRE zero bytes, first" },
	{ WIRE_IOFIRE, 20 + 15, 1, "IOFIRE zero word, last" },
};

START_TEST(test_wire_decode_malformed_table)
{
	const struct mutation *m = &mutations[_i];
	uint8_t buf[WIRE_MAX_RECORD];
	size_t n = sample_bytes(m->type, buf, sizeof buf);

	ck_assert_uint_lt(m->off, n);
	buf[m->off] = m->val;
	/* Whatever follows, with the whole buffer in hand. */
	ck_assert_msg(decode(buf, sizeof buf) == WIRE_MALFORMED, "%s",
	    m->what);
}
END_TEST

START_TEST(test_wire_decode_bad_header_is_malformed_early)
{
	uint8_t buf[WIRE_MAX_RECORD];

	sample_bytes(WIRE_ACK, buf, sizeof buf);
	buf[0] = 9;
	ck_assert_int_eq(decode(buf, 1), WIRE_MALFORMED);
	buf[0] = WIRE_VERSION;
	buf[1] = 0;
	ck_assert_int_eq(decode(buf, 2), WIRE_MALFORMED);
	buf[1] = WIRE_ACK;
	put_le16(buf + 2, 0xffff);
	/* A huge length is refused at once, not waited for. */
	ck_assert_int_eq(decode(buf, 4), WIRE_MALFORMED);
	ck_assert_int_eq(decode(buf, WIRE_HEADER_SIZE), WIRE_MALFORMED);
	put_le16(buf + 2, 17);
	ck_assert_int_eq(decode(buf, WIRE_HEADER_SIZE), WIRE_MALFORMED);
	put_le16(buf + 2, 16);
	ck_assert_int_eq(decode(buf, WIRE_HEADER_SIZE), WIRE_NEED_MORE);
}
END_TEST

START_TEST(test_wire_decode_garbage_never_waits)
{
	uint8_t buf[WIRE_MAX_RECORD];
	uint32_t x = 12345;
	int round;
	size_t i;

	/*
	 * With WIRE_MAX_RECORD bytes in hand the answer is always final,
	 * even when the header is valid and the payload garbage.
	 */
	for (round = 0; round < 20000; round++) {
		for (i = 0; i < sizeof buf; i++) {
			x = x * 1103515245u + 12345u;
			buf[i] = (uint8_t)(x >> 16);
		}
		buf[0] = WIRE_VERSION;
		buf[1] = (uint8_t)(1 + round % (WIRE_TYPE_END - 1));
		if (round % 2 == 0)
			buf[3] &= 1;    /* keep lengths near the valid range */
		ck_assert_int_ne(decode(buf, sizeof buf), WIRE_NEED_MORE);
	}
}
END_TEST

/* ------------------------------------------------------------ limits */

START_TEST(test_wire_limits_message_max)
{
	uint8_t buf[WIRE_MAX_RECORD];
	struct wire_record r, back;
	size_t n, used;

	set_header(&r, WIRE_ERROR, 1, 1, 1);
	r.u.error.op = WIRE_OP_OTHER;
	memset(r.u.error.message, 'm', WIRE_MSG_MAX);
	r.u.error.msg_len = WIRE_MSG_MAX;
	n = wire_encode(&r, buf, sizeof buf);
	ck_assert_uint_eq(n, WIRE_HEADER_SIZE + 44 + WIRE_MSG_MAX);
	ck_assert_int_eq(wire_decode(buf, n, &back, &used, NULL), WIRE_OK);
	ck_assert_uint_eq(strlen(back.u.error.message), WIRE_MSG_MAX);
	r.u.error.msg_len = WIRE_MSG_MAX + 1;
	ck_assert_uint_eq(wire_encode(&r, buf, sizeof buf), 0);
	/* On the wire: a header claiming one byte more is refused. */
	n = sample_bytes(WIRE_ERROR, buf, sizeof buf);
	put_le16(buf + 2, 44 + WIRE_MSG_MAX);
	ck_assert_int_eq(decode(buf, WIRE_HEADER_SIZE), WIRE_NEED_MORE);
	put_le16(buf + 2, 44 + WIRE_MSG_MAX + 1);
	ck_assert_int_eq(decode(buf, WIRE_HEADER_SIZE), WIRE_MALFORMED);
}
END_TEST

START_TEST(test_wire_limits_problem_max)
{
	uint8_t buf[WIRE_MAX_RECORD];
	struct wire_record r;

	set_header(&r, WIRE_SNAPSHOT, 1, 1, 1);
	memset(r.u.snapshot.problem, 'p', WIRE_PROBLEM_MAX);
	r.u.snapshot.problem_len = WIRE_PROBLEM_MAX;
	ck_assert_uint_eq(wire_encode(&r, buf, sizeof buf),
	    WIRE_HEADER_SIZE + 44 + WIRE_PROBLEM_MAX);
	r.u.snapshot.problem_len = WIRE_PROBLEM_MAX + 1;
	ck_assert_uint_eq(wire_encode(&r, buf, sizeof buf), 0);
	put_le16(buf + 2, 44 + WIRE_PROBLEM_MAX + 1);
	ck_assert_int_eq(decode(buf, WIRE_HEADER_SIZE), WIRE_MALFORMED);
}
END_TEST

START_TEST(test_wire_limits_length_exact)
{
	uint8_t buf[WIRE_MAX_RECORD + 1];
	int type;

	/* Every type: its own length decodes, one more is malformed. */
	for (type = WIRE_READY; type < WIRE_TYPE_END; type++) {
		size_t n = sample_bytes(type, buf, sizeof buf);

		ck_assert_int_eq(decode(buf, n), WIRE_OK);
		put_le16(buf + 2, (unsigned)(n - WIRE_HEADER_SIZE + 1));
		buf[n] = 'x';
		ck_assert_msg(decode(buf, n + 1) == WIRE_MALFORMED, "%s",
		    wire_type_name(type));
	}
}
END_TEST

START_TEST(test_wire_limits_snapk_count)
{
	uint8_t buf[WIRE_MAX_RECORD];
	struct wire_record r, back;
	size_t n, used;
	uint32_t i;

	set_header(&r, WIRE_SNAPK, 1, 1, 1);
	r.u.snapk.n = WIRE_SNAPK_MAX;
	for (i = 0; i < WIRE_SNAPK_MAX; i++)
		r.u.snapk.k[i] = i;
	n = wire_encode(&r, buf, sizeof buf);
	ck_assert_uint_eq(n, WIRE_HEADER_SIZE + 12 + 8 * WIRE_SNAPK_MAX);
	ck_assert_int_eq(wire_decode(buf, n, &back, &used, NULL), WIRE_OK);
	ck_assert_uint_eq(back.u.snapk.k[WIRE_SNAPK_MAX - 1],
	    WIRE_SNAPK_MAX - 1);
	r.u.snapk.n = WIRE_SNAPK_MAX + 1;
	ck_assert_uint_eq(wire_encode(&r, buf, sizeof buf), 0);
	r.u.snapk.n = 0;
	ck_assert_uint_eq(wire_encode(&r, buf, sizeof buf), 0);

	/* The same on the wire, with a consistent length field. */
	put_le32(buf + 28, WIRE_SNAPK_MAX + 1);
	put_le16(buf + 2, 12 + 8 * (WIRE_SNAPK_MAX + 1));
	ck_assert_int_eq(decode(buf, sizeof buf), WIRE_MALFORMED);
	put_le32(buf + 28, 0);
	put_le16(buf + 2, 12);
	ck_assert_int_eq(decode(buf, sizeof buf), WIRE_MALFORMED);
}
END_TEST

START_TEST(test_wire_limits_max_record)
{
	uint8_t buf[WIRE_MAX_RECORD];
	struct wire_record r;
	size_t n;

	/* The largest record (a full SNAPK) fits in one atomic write. */
	set_header(&r, WIRE_SNAPK, 1, 1, 1);
	r.u.snapk.n = WIRE_SNAPK_MAX;
	n = wire_encode(&r, buf, sizeof buf);
	ck_assert_uint_gt(n, 0);
	ck_assert_uint_le(n, WIRE_MAX_RECORD);
	ck_assert_uint_le(WIRE_HEADER_SIZE + 4 * WIRE_HIST_BUCKETS,
	    WIRE_MAX_RECORD);
	ck_assert_uint_le(WIRE_HEADER_SIZE + 44 + WIRE_MSG_MAX,
	    WIRE_MAX_RECORD);
	ck_assert_uint_le(WIRE_HEADER_SIZE + 44 + WIRE_PROBLEM_MAX,
	    WIRE_MAX_RECORD);
	/*
	 * No type is exactly WIRE_MAX_RECORD long: a header claiming the
	 * whole record is refused at once, and so is one byte more.
	 */
	sample_bytes(WIRE_HIST, buf, sizeof buf);
	put_le16(buf + 2, WIRE_MAX_PAYLOAD);
	ck_assert_int_eq(decode(buf, WIRE_MAX_RECORD), WIRE_MALFORMED);
	ck_assert_int_eq(decode(buf, WIRE_HEADER_SIZE), WIRE_MALFORMED);
	put_le16(buf + 2, WIRE_MAX_PAYLOAD + 1);
	ck_assert_int_eq(decode(buf, WIRE_HEADER_SIZE), WIRE_MALFORMED);
}
END_TEST

START_TEST(test_wire_limits_signed_extremes)
{
	uint8_t buf[WIRE_MAX_RECORD];
	struct wire_record r, back;
	size_t n, used;

	set_header(&r, WIRE_ERROR, UINT32_MAX, UINT32_MAX, INT64_MIN);
	r.u.error.op = WIRE_OP_OPEN;
	r.u.error.code = INT32_MIN;
	r.u.error.extended = INT32_MAX;
	r.u.error.sys_errno = -1;
	r.u.error.t_begin = INT64_MIN;
	r.u.error.t_end = INT64_MAX;
	n = wire_encode(&r, buf, sizeof buf);
	ck_assert_int_eq(wire_decode(buf, n, &back, &used, NULL), WIRE_OK);
	ck_assert_int_eq(back.u.error.code, INT32_MIN);
	ck_assert_int_eq(back.u.error.extended, INT32_MAX);
	ck_assert_int_eq(back.u.error.sys_errno, -1);
	ck_assert(back.u.error.t_begin == INT64_MIN);
	ck_assert(back.u.error.t_end == INT64_MAX);
	ck_assert(back.h.t_sent == INT64_MIN);
	ck_assert_uint_eq(back.h.child, UINT32_MAX);
}
END_TEST

/* ------------------------------------------------------------ hist */

START_TEST(test_wire_hist_bucket_values)
{
	static const struct { uint64_t usec; int bucket; } cases[] = {
		{ 0, 0 }, { 1, 1 }, { 3, 3 }, { 4, 4 }, { 5, 5 }, { 7, 7 },
		{ 8, 8 }, { 9, 8 }, { 10, 9 }, { 15, 11 }, { 16, 12 },
		{ 1000, 4 * 8 + 3 }, { 1024, 4 * 9 },
	};
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++)
		ck_assert_int_eq(wire_hist_bucket(cases[i].usec),
		    cases[i].bucket);
	ck_assert_int_eq(wire_hist_bucket(UINT64_MAX), WIRE_HIST_BUCKETS - 1);
	ck_assert_uint_eq(wire_hist_upper(WIRE_HIST_BUCKETS - 1), UINT64_MAX);
}
END_TEST

START_TEST(test_wire_hist_monotonic)
{
	uint64_t v, step;
	int prev = 0;

	for (v = 0; v < (UINT64_C(1) << 20); v++) {
		int b = wire_hist_bucket(v);

		ck_assert(b == prev || b == prev + 1);
		prev = b;
	}
	/* Sparser above: still never decreasing, always in range. */
	for (step = 1; v < (UINT64_MAX >> 1); v += step) {
		int b = wire_hist_bucket(v);

		ck_assert_int_ge(b, prev);
		ck_assert_int_lt(b, WIRE_HIST_BUCKETS);
		prev = b;
		step += step / 3 + 1;
	}
}
END_TEST

START_TEST(test_wire_hist_upper_is_inverse)
{
	int b;

	for (b = 0; b < WIRE_HIST_BUCKETS - 1; b++) {
		uint64_t u = wire_hist_upper(b);

		ck_assert_int_eq(wire_hist_bucket(u), b);
		ck_assert_int_eq(wire_hist_bucket(u + 1), b + 1);
		if (b > 0)
			ck_assert_uint_gt(u, wire_hist_upper(b - 1));
	}
}
END_TEST

/* ------------------------------------------------------------ names */

START_TEST(test_wire_names)
{
	ck_assert_str_eq(wire_type_name(WIRE_READY), "READY");
	ck_assert_str_eq(wire_type_name(WIRE_ACK), "ACK");
	ck_assert_str_eq(wire_type_name(WIRE_ERROR), "ERROR");
	ck_assert_str_eq(wire_type_name(WIRE_SNAPSHOT), "SNAPSHOT");
	ck_assert_str_eq(wire_type_name(WIRE_SNAPK), "SNAPK");
	ck_assert_str_eq(wire_type_name(WIRE_HIST), "HIST");
	ck_assert_str_eq(wire_type_name(WIRE_DONE), "DONE");
	ck_assert_str_eq(wire_type_name(0), "unknown");
	ck_assert_str_eq(wire_type_name(WIRE_TYPE_END), "unknown");
	ck_assert_str_eq(wire_type_name(-1), "unknown");
	ck_assert_str_eq(wire_op_name(WIRE_OP_OPEN), "OPEN");
	ck_assert_str_eq(wire_op_name(WIRE_OP_COMMIT), "COMMIT");
	ck_assert_str_eq(wire_op_name(WIRE_OP_OTHER), "OTHER");
	ck_assert_str_eq(wire_op_name(WIRE_OP_MAINTAIN), "MAINTAIN");
	ck_assert_str_eq(wire_type_name(WIRE_ACTION), "ACTION");
	ck_assert_str_eq(wire_op_name(0), "unknown");
	ck_assert_str_eq(wire_op_name(WIRE_OP_END), "unknown");
}
END_TEST

Suite *wire_suite(void);

Suite *
wire_suite(void)
{
	Suite *s = suite_create("wire");
	TCase *tc;

	tc = tcase_create("encode");
	tcase_add_test(tc, test_wire_encode_ready_bytes);
	tcase_add_test(tc, test_wire_encode_ack_bytes);
	tcase_add_test(tc, test_wire_encode_error_bytes);
	tcase_add_test(tc, test_wire_encode_snapshot_bytes);
	tcase_add_test(tc, test_wire_encode_snapk_bytes);
	tcase_add_test(tc, test_wire_encode_done_bytes);
	tcase_add_test(tc, test_wire_encode_action_bytes);
	tcase_add_test(tc, test_wire_encode_hist_bytes);
	tcase_add_test(tc, test_wire_encode_pace_bytes);
	tcase_add_test(tc, test_wire_encode_rejects_invalid);
	tcase_add_test(tc, test_wire_encode_cap_boundary);
	suite_add_tcase(s, tc);

	tc = tcase_create("decode");
	tcase_add_test(tc, test_wire_roundtrip_every_type);
	tcase_add_test(tc, test_wire_decode_text_terminated);
	tcase_add_test(tc, test_wire_decode_every_truncation_needs_more);
	tcase_add_test(tc, test_wire_decode_back_to_back);
	suite_add_tcase(s, tc);

	tc = tcase_create("malformed");
	tcase_add_loop_test(tc, test_wire_decode_malformed_table, 0,
	    (int)(sizeof mutations / sizeof mutations[0]));
	tcase_add_test(tc, test_wire_decode_bad_header_is_malformed_early);
	tcase_add_test(tc, test_wire_decode_garbage_never_waits);
	/* 20000 garbage records: seconds under sanitizers on a busy box. */
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);

	tc = tcase_create("limits");
	tcase_add_test(tc, test_wire_limits_message_max);
	tcase_add_test(tc, test_wire_limits_problem_max);
	tcase_add_test(tc, test_wire_limits_length_exact);
	tcase_add_test(tc, test_wire_limits_snapk_count);
	tcase_add_test(tc, test_wire_limits_max_record);
	tcase_add_test(tc, test_wire_limits_signed_extremes);
	suite_add_tcase(s, tc);

	tc = tcase_create("hist");
	tcase_add_test(tc, test_wire_hist_bucket_values);
	tcase_add_test(tc, test_wire_hist_monotonic);
	tcase_add_test(tc, test_wire_hist_upper_is_inverse);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);

	tc = tcase_create("names");
	tcase_add_test(tc, test_wire_names);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(wire_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
