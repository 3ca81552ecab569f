/* SPDX-License-Identifier: MIT */
/*
 * wire: encoder and decoder of the child -> parent records of wire.h.
 * Integers are written byte by byte, little-endian, so the format is the
 * same on every host and no struct is ever copied raw onto the pipe.  The
 * decoder checks the header as far as it has arrived, waits for at most the
 * length the type allows, then checks every field of the payload; a record
 * it accepts re-encodes to exactly the same bytes.  It deliberately does no
 * I/O and keeps no state between calls: framing a stream (advance by *used,
 * stop on NEED_MORE or MALFORMED) is the caller's job.
 *
 * Payload layouts (offsets in bytes; "zero" bytes must be 0):
 *   ACK       0 u64 seq  8 i64 t_commit                              (16)
 *   ERROR     0 u8 op  1 u8 shutdown_seen  2 u16 msg_len  4 i32 code
 *             8 i32 extended  12 i32 sys_errno  16 i64 t_begin
 *            24 i64 t_end  32 u8 injected (WIRE_INJ_*)  33 u8 zero
 *            34 u16 inj_item  36 i32 inj_code  40 u32 zero
 *            44 message                                (44 + msg_len)
 *   SNAPSHOT  0 u32 index  4 u8 integrity_ok  5 u8 rows_ok
 *             6 u16 problem_len  8 i64 t_begin  16 i64 t_end  24 u64 rows
 *            32 u32 nworkers  36 u32 flags (WIRE_SNAP_*)  40 u32 zero
 *            44 problem                                (44 + problem_len)
 *   SNAPK     0 u32 index  4 u32 first  8 u32 n  12 u64 k[n]  (12 + 8 n)
 *   HIST      0 u32 count[WIRE_HIST_BUCKETS]                        (448)
 *   DONE      0 commits  8 rows  16 last_seq  24 busy_waits  32 busy_ns
 *            40 errors  48 snapshots (u64, busy_ns i64)  56 u8
 *            shutdown_seen  57 pad[7] (zero)                         (64)
 *   ACTION    0 u8 kind  1 u8 zero[3]  4 u32 zero  8 u64 runs
 *            16 u64 errors  24 i64 total_ns  32 i64 max_ns            (40)
 *   PACE      0 u64 scheduled  8 u64 done  16 i64 behind_max_ns
 *            24 i64 behind_end_ns (both >= 0)
 *            32 u32 count[WIRE_HIST_BUCKETS]                        (480)
 *   RESUME    0 u64 seq                                               (8)
 *   IOFIRE    0 u16 item  2 u8 op  3 u8 file (both <= 15)  4 u8 flags
 *             5 u8 zero[3]  8 i32 code  12 u32 zero  16 i64 t        (24)
 * The zero word at the end of the fixed part of ERROR and SNAPSHOT is room
 * for a later field without a new fixed size; it is not in the structs.
 */
#include "autoconf.h"
#include "wire.h"

#include <string.h>

#define ACK_SIZE        16
#define ERROR_FIXED     44
#define SNAPSHOT_FIXED  44
#define SNAPK_FIXED     12
#define HIST_SIZE       (4 * WIRE_HIST_BUCKETS)
#define DONE_SIZE       64
#define ACTION_SIZE     40
#define PACE_SIZE       (32 + HIST_SIZE)
#define RESUME_SIZE     8
#define IOFIRE_SIZE     24
#define IOFIRE_OPS_MAX  15

/* ------------------------------------------------------------ encoding */

static uint8_t *
put8(uint8_t *p, uint8_t v)
{
	*p = v;
	return p + 1;
}

static uint8_t *
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	return p + 2;
}

static uint8_t *
put32(uint8_t *p, uint32_t v)
{
	int i;

	for (i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
	return p + 4;
}

static uint8_t *
put64(uint8_t *p, uint64_t v)
{
	int i;

	for (i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
	return p + 8;
}

/* Signed to unsigned conversion is defined (modulo 2^n) in C99. */
static uint8_t *
puti32(uint8_t *p, int32_t v)
{
	return put32(p, (uint32_t)v);
}

static uint8_t *
puti64(uint8_t *p, int64_t v)
{
	return put64(p, (uint64_t)v);
}

/*
 * Payload size of r, or -1 if a length field would make the encoder read
 * past one of the struct's arrays.  Every other field is checked by
 * decoding the encoded bytes, so the rules live in one place.
 */
static long
payload_size(const struct wire_record *r)
{
	switch (r->h.type) {
	case WIRE_READY:
		return 0;
	case WIRE_ACK:
		return ACK_SIZE;
	case WIRE_ERROR:
		if (r->u.error.msg_len > WIRE_MSG_MAX)
			return -1;
		return ERROR_FIXED + (long)r->u.error.msg_len;
	case WIRE_SNAPSHOT:
		if (r->u.snapshot.problem_len > WIRE_PROBLEM_MAX)
			return -1;
		return SNAPSHOT_FIXED + (long)r->u.snapshot.problem_len;
	case WIRE_SNAPK:
		if (r->u.snapk.n < 1 || r->u.snapk.n > WIRE_SNAPK_MAX)
			return -1;
		return SNAPK_FIXED + 8 * (long)r->u.snapk.n;
	case WIRE_HIST:
		return HIST_SIZE;
	case WIRE_DONE:
		return DONE_SIZE;
	case WIRE_ACTION:
		return ACTION_SIZE;
	case WIRE_PACE:
		return PACE_SIZE;
	case WIRE_RESUME:
		return RESUME_SIZE;
	case WIRE_IOFIRE:
		return IOFIRE_SIZE;
	default:
		return -1;
	}
}

static void
enc_error(uint8_t *p, const struct wire_error *e)
{
	p = put8(p, e->op);
	p = put8(p, e->shutdown_seen);
	p = put16(p, e->msg_len);
	p = puti32(p, e->code);
	p = puti32(p, e->extended);
	p = puti32(p, e->sys_errno);
	p = puti64(p, e->t_begin);
	p = puti64(p, e->t_end);
	p = put8(p, e->injected);
	p = put8(p, 0);
	p = put16(p, e->inj_item);
	p = puti32(p, e->inj_code);
	p = put32(p, 0);
	memcpy(p, e->message, e->msg_len);
}

static void
enc_iofire(uint8_t *p, const struct wire_iofire *f)
{
	p = put16(p, f->item);
	p = put8(p, f->op);
	p = put8(p, f->file);
	p = put8(p, f->flags);
	p = put8(p, 0);
	p = put16(p, 0);
	p = puti32(p, f->code);
	p = put32(p, 0);
	(void)puti64(p, f->t);
}

static void
enc_snapshot(uint8_t *p, const struct wire_snapshot *s)
{
	p = put32(p, s->index);
	p = put8(p, s->integrity_ok);
	p = put8(p, s->rows_ok);
	p = put16(p, s->problem_len);
	p = puti64(p, s->t_begin);
	p = puti64(p, s->t_end);
	p = put64(p, s->rows);
	p = put32(p, s->nworkers);
	p = put32(p, s->flags);
	p = put32(p, 0);
	memcpy(p, s->problem, s->problem_len);
}

static void
enc_snapk(uint8_t *p, const struct wire_snapk *s)
{
	uint32_t i;

	p = put32(p, s->index);
	p = put32(p, s->first);
	p = put32(p, s->n);
	for (i = 0; i < s->n; i++)
		p = put64(p, s->k[i]);
}

static void
enc_hist(uint8_t *p, const struct wire_hist *h)
{
	int i;

	for (i = 0; i < WIRE_HIST_BUCKETS; i++)
		p = put32(p, h->count[i]);
}

static void
enc_done(uint8_t *p, const struct wire_done *d)
{
	p = put64(p, d->commits);
	p = put64(p, d->rows);
	p = put64(p, d->last_seq);
	p = put64(p, d->busy_waits);
	p = puti64(p, d->busy_ns);
	p = put64(p, d->errors);
	p = put64(p, d->snapshots);
	p = put8(p, d->shutdown_seen);
	memset(p, 0, 7);
}

static void
enc_action(uint8_t *p, const struct wire_action *a)
{
	p = put8(p, a->kind);
	memset(p, 0, 7);
	p += 7;
	p = put64(p, a->runs);
	p = put64(p, a->errors);
	p = puti64(p, a->total_ns);
	(void)puti64(p, a->max_ns);
}

static void
enc_pace(uint8_t *p, const struct wire_pace *s)
{
	int i;

	p = put64(p, s->scheduled);
	p = put64(p, s->done);
	p = puti64(p, s->behind_max_ns);
	p = puti64(p, s->behind_end_ns);
	for (i = 0; i < WIRE_HIST_BUCKETS; i++)
		p = put32(p, s->count[i]);
}

static void
enc_payload(uint8_t *p, const struct wire_record *r)
{
	switch (r->h.type) {
	case WIRE_ACK:
		p = put64(p, r->u.ack.seq);
		(void)puti64(p, r->u.ack.t_commit);
		break;
	case WIRE_ERROR:
		enc_error(p, &r->u.error);
		break;
	case WIRE_SNAPSHOT:
		enc_snapshot(p, &r->u.snapshot);
		break;
	case WIRE_SNAPK:
		enc_snapk(p, &r->u.snapk);
		break;
	case WIRE_HIST:
		enc_hist(p, &r->u.hist);
		break;
	case WIRE_DONE:
		enc_done(p, &r->u.done);
		break;
	case WIRE_ACTION:
		enc_action(p, &r->u.action);
		break;
	case WIRE_PACE:
		enc_pace(p, &r->u.pace);
		break;
	case WIRE_RESUME:
		(void)put64(p, r->u.resume.seq);
		break;
	case WIRE_IOFIRE:
		enc_iofire(p, &r->u.iofire);
		break;
	}
}

size_t
wire_encode(const struct wire_record *r, uint8_t *buf, size_t cap)
{
	struct wire_record check;
	long len = payload_size(r);
	size_t size, used;
	uint8_t *p = buf;

	if (len < 0 || (size_t)len > WIRE_MAX_PAYLOAD)
		return 0;
	size = WIRE_HEADER_SIZE + (size_t)len;
	if (cap < size)
		return 0;
	p = put8(p, WIRE_VERSION);
	p = put8(p, r->h.type);
	p = put16(p, (uint16_t)len);
	p = put32(p, r->h.child);
	p = put32(p, r->h.seq);
	p = puti64(p, r->h.t_sent);
	enc_payload(p, r);
	/*
	 * Refuse what the parent would refuse (an op out of range, a NUL in
	 * the message, a boolean of 2): a child must learn of its bug here,
	 * not have its report thrown away as a protocol failure.
	 */
	if (wire_decode(buf, size, &check, &used, NULL) != WIRE_OK)
		return 0;
	return size;
}

/* ------------------------------------------------------------ decoding */

static uint8_t
get8(const uint8_t **pp)
{
	return *(*pp)++;
}

static uint16_t
get16(const uint8_t **pp)
{
	const uint8_t *p = *pp;

	*pp += 2;
	return (uint16_t)(p[0] | (p[1] << 8));
}

static uint32_t
get32(const uint8_t **pp)
{
	const uint8_t *p = *pp;
	uint32_t v = 0;
	int i;

	for (i = 3; i >= 0; i--)
		v = (v << 8) | p[i];
	*pp += 4;
	return v;
}

static uint64_t
get64(const uint8_t **pp)
{
	const uint8_t *p = *pp;
	uint64_t v = 0;
	int i;

	for (i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	*pp += 8;
	return v;
}

/*
 * Unsigned to signed conversion of an out-of-range value is
 * implementation-defined, so build negative values arithmetically.
 */
static int32_t
geti32(const uint8_t **pp)
{
	uint32_t u = get32(pp);

	if (u <= INT32_MAX)
		return (int32_t)u;
	return -(int32_t)(UINT32_MAX - u) - 1;
}

static int64_t
geti64(const uint8_t **pp)
{
	uint64_t u = get64(pp);

	if (u <= INT64_MAX)
		return (int64_t)u;
	return -(int64_t)(UINT64_MAX - u) - 1;
}

static int
all_zero(const uint8_t *p, size_t n)
{
	while (n-- > 0)
		if (*p++ != 0)
			return 0;
	return 1;
}

/* Smallest and largest payload length a type allows; 0 if unknown type. */
static int
length_range(int type, size_t *min, size_t *max)
{
	switch (type) {
	case WIRE_READY:
		*min = *max = 0;
		return 1;
	case WIRE_ACK:
		*min = *max = ACK_SIZE;
		return 1;
	case WIRE_ERROR:
		*min = ERROR_FIXED;
		*max = ERROR_FIXED + WIRE_MSG_MAX;
		return 1;
	case WIRE_SNAPSHOT:
		*min = SNAPSHOT_FIXED;
		*max = SNAPSHOT_FIXED + WIRE_PROBLEM_MAX;
		return 1;
	case WIRE_SNAPK:
		*min = SNAPK_FIXED + 8;
		*max = SNAPK_FIXED + 8 * WIRE_SNAPK_MAX;
		return 1;
	case WIRE_HIST:
		*min = *max = HIST_SIZE;
		return 1;
	case WIRE_DONE:
		*min = *max = DONE_SIZE;
		return 1;
	case WIRE_ACTION:
		*min = *max = ACTION_SIZE;
		return 1;
	case WIRE_PACE:
		*min = *max = PACE_SIZE;
		return 1;
	case WIRE_RESUME:
		*min = *max = RESUME_SIZE;
		return 1;
	case WIRE_IOFIRE:
		*min = *max = IOFIRE_SIZE;
		return 1;
	default:
		return 0;
	}
}

/*
 * Check as much of the header as has arrived.  Waiting is only allowed for
 * a length the type can have, so a garbage stream is refused after at most
 * WIRE_MAX_RECORD bytes and the parent can never wait on it forever.
 */
static const char *
check_header(const uint8_t *buf, size_t len)
{
	size_t min = 0, max = 0, length;

	if (len >= 1 && buf[0] != WIRE_VERSION)
		return "unsupported protocol version";
	if (len >= 2 && !length_range(buf[1], &min, &max))
		return "unknown record type";
	if (len < 4)
		return NULL;
	length = (size_t)buf[2] | ((size_t)buf[3] << 8);
	if (length > WIRE_MAX_PAYLOAD)
		return "payload length exceeds the record limit";
	if (length < min || length > max)
		return "payload length wrong for the record type";
	if (buf[1] == WIRE_SNAPK && (length - SNAPK_FIXED) % 8 != 0)
		return "payload length wrong for the record type";
	return NULL;
}

static const char *
dec_text(const uint8_t *p, size_t n, char *out)
{
	if (memchr(p, '\0', n) != NULL)
		return "NUL byte inside a message";
	memcpy(out, p, n);
	out[n] = '\0';
	return NULL;
}

static const char *
dec_error(const uint8_t *p, size_t len, struct wire_error *e)
{
	e->op = get8(&p);
	e->shutdown_seen = get8(&p);
	e->msg_len = get16(&p);
	e->code = geti32(&p);
	e->extended = geti32(&p);
	e->sys_errno = geti32(&p);
	e->t_begin = geti64(&p);
	e->t_end = geti64(&p);
	e->injected = get8(&p);
	if (get8(&p) != 0)
		return "nonzero reserved bytes";
	e->inj_item = get16(&p);
	e->inj_code = geti32(&p);
	if (e->op < WIRE_OP_OPEN || e->op >= WIRE_OP_END)
		return "operation out of range";
	if (e->shutdown_seen > 1)
		return "shutdown_seen is not 0 or 1";
	if ((e->injected & ~WIRE_INJ_FLAGS) != 0 ||
	    ((e->injected & WIRE_INJ_SWALLOWED) != 0 &&
	    (e->injected & WIRE_INJ_FIRED) == 0))
		return "injected flags out of range";
	if (e->injected == 0 && (e->inj_item != 0 || e->inj_code != 0))
		return "injected fields without the injected flag";
	if (len != ERROR_FIXED + (size_t)e->msg_len)
		return "message length disagrees with the payload length";
	if (get32(&p) != 0)
		return "nonzero reserved bytes";
	return dec_text(p, e->msg_len, e->message);
}

static const char *
dec_iofire(const uint8_t *p, struct wire_iofire *f)
{
	f->item = get16(&p);
	f->op = get8(&p);
	f->file = get8(&p);
	f->flags = get8(&p);
	if (get8(&p) != 0 || get16(&p) != 0)
		return "nonzero reserved bytes";
	f->code = geti32(&p);
	if (get32(&p) != 0)
		return "nonzero reserved bytes";
	f->t = geti64(&p);
	if (f->op > IOFIRE_OPS_MAX || f->file > IOFIRE_OPS_MAX)
		return "IOFIRE op or file out of range";
	if ((f->flags & ~WIRE_IOFIRE_FLAGS) != 0)
		return "IOFIRE flags out of range";
	return NULL;
}

static const char *
dec_snapshot(const uint8_t *p, size_t len, struct wire_snapshot *s)
{
	s->index = get32(&p);
	s->integrity_ok = get8(&p);
	s->rows_ok = get8(&p);
	s->problem_len = get16(&p);
	s->t_begin = geti64(&p);
	s->t_end = geti64(&p);
	s->rows = get64(&p);
	s->nworkers = get32(&p);
	s->flags = get32(&p);
	if (s->integrity_ok > 1 || s->rows_ok > 1)
		return "snapshot flag is not 0 or 1";
	if (len != SNAPSHOT_FIXED + (size_t)s->problem_len)
		return "problem length disagrees with the payload length";
	if ((s->flags & ~WIRE_SNAP_FLAGS) != 0)
		return "unknown snapshot flags";
	if (get32(&p) != 0)
		return "nonzero reserved bytes";
	return dec_text(p, s->problem_len, s->problem);
}

static const char *
dec_snapk(const uint8_t *p, size_t len, struct wire_snapk *s)
{
	uint32_t i;

	s->index = get32(&p);
	s->first = get32(&p);
	s->n = get32(&p);
	if (s->n < 1 || s->n > WIRE_SNAPK_MAX)
		return "SNAPK count out of range";
	if (len != SNAPK_FIXED + 8 * (size_t)s->n)
		return "SNAPK count disagrees with the payload length";
	/* Worker ids first .. first + n - 1 must all be representable. */
	if (s->first > UINT32_MAX - (s->n - 1))
		return "SNAPK worker range overflows";
	for (i = 0; i < s->n; i++)
		s->k[i] = get64(&p);
	return NULL;
}

static const char *
dec_done(const uint8_t *p, struct wire_done *d)
{
	d->commits = get64(&p);
	d->rows = get64(&p);
	d->last_seq = get64(&p);
	d->busy_waits = get64(&p);
	d->busy_ns = geti64(&p);
	d->errors = get64(&p);
	d->snapshots = get64(&p);
	d->shutdown_seen = get8(&p);
	if (d->shutdown_seen > 1)
		return "shutdown_seen is not 0 or 1";
	if (!all_zero(p, sizeof d->pad))
		return "nonzero padding";
	return NULL;
}

static const char *
dec_action(const uint8_t *p, struct wire_action *a)
{
	a->kind = get8(&p);
	if (!all_zero(p, 7))
		return "nonzero reserved bytes";
	p += 7;
	a->runs = get64(&p);
	a->errors = get64(&p);
	a->total_ns = geti64(&p);
	a->max_ns = geti64(&p);
	if (a->errors > a->runs)
		return "ACTION has more errors than runs";
	if (a->max_ns < 0 || a->max_ns > a->total_ns)
		return "ACTION times out of range";
	return NULL;
}

static const char *
dec_pace(const uint8_t *p, struct wire_pace *s)
{
	int i;

	s->scheduled = get64(&p);
	s->done = get64(&p);
	s->behind_max_ns = geti64(&p);
	s->behind_end_ns = geti64(&p);
	if (s->behind_max_ns < 0 || s->behind_end_ns < 0)
		return "PACE time behind is negative";
	for (i = 0; i < WIRE_HIST_BUCKETS; i++)
		s->count[i] = get32(&p);
	return NULL;
}

static const char *
dec_payload(const uint8_t *p, size_t len, struct wire_record *r)
{
	int i;

	switch (r->h.type) {
	case WIRE_ACK:
		r->u.ack.seq = get64(&p);
		r->u.ack.t_commit = geti64(&p);
		return NULL;
	case WIRE_ERROR:
		return dec_error(p, len, &r->u.error);
	case WIRE_SNAPSHOT:
		return dec_snapshot(p, len, &r->u.snapshot);
	case WIRE_SNAPK:
		return dec_snapk(p, len, &r->u.snapk);
	case WIRE_HIST:
		for (i = 0; i < WIRE_HIST_BUCKETS; i++)
			r->u.hist.count[i] = get32(&p);
		return NULL;
	case WIRE_DONE:
		return dec_done(p, &r->u.done);
	case WIRE_ACTION:
		return dec_action(p, &r->u.action);
	case WIRE_PACE:
		return dec_pace(p, &r->u.pace);
	case WIRE_RESUME:
		r->u.resume.seq = get64(&p);
		return NULL;
	case WIRE_IOFIRE:
		return dec_iofire(p, &r->u.iofire);
	default:
		/* READY: nothing to decode; check_header() knew the type. */
		return NULL;
	}
}

enum wire_status
wire_decode(const uint8_t *buf, size_t len, struct wire_record *out,
    size_t *used, const char **why)
{
	const uint8_t *p = buf;
	const char *bad;

	*used = 0;
	if (why != NULL)
		*why = NULL;
	if ((bad = check_header(buf, len)) != NULL)
		goto malformed;
	if (len < WIRE_HEADER_SIZE)
		return WIRE_NEED_MORE;
	/* Zero everything so that unused bytes never leak stale data. */
	memset(out, 0, sizeof *out);
	out->h.version = get8(&p);
	out->h.type = get8(&p);
	out->h.length = get16(&p);
	out->h.child = get32(&p);
	out->h.seq = get32(&p);
	out->h.t_sent = geti64(&p);
	if (len < WIRE_HEADER_SIZE + (size_t)out->h.length)
		return WIRE_NEED_MORE;
	if ((bad = dec_payload(p, out->h.length, out)) != NULL)
		goto malformed;
	*used = WIRE_HEADER_SIZE + (size_t)out->h.length;
	return WIRE_OK;
malformed:
	if (why != NULL)
		*why = bad;
	return WIRE_MALFORMED;
}

/* ------------------------------------------------------------ names */

const char *
wire_type_name(int type)
{
	static const char *const names[WIRE_TYPE_END] = {
		[WIRE_READY] = "READY", [WIRE_ACK] = "ACK",
		[WIRE_ERROR] = "ERROR", [WIRE_SNAPSHOT] = "SNAPSHOT",
		[WIRE_SNAPK] = "SNAPK", [WIRE_HIST] = "HIST",
		[WIRE_DONE] = "DONE", [WIRE_ACTION] = "ACTION",
		[WIRE_PACE] = "PACE", [WIRE_RESUME] = "RESUME",
		[WIRE_IOFIRE] = "IOFIRE",
	};

	if (type < WIRE_READY || type >= WIRE_TYPE_END)
		return "unknown";
	return names[type];
}

const char *
wire_op_name(int op)
{
	static const char *const names[WIRE_OP_END] = {
		[WIRE_OP_OPEN] = "OPEN", [WIRE_OP_PRAGMA] = "PRAGMA",
		[WIRE_OP_BEGIN] = "BEGIN", [WIRE_OP_INSERT] = "INSERT",
		[WIRE_OP_COMMIT] = "COMMIT", [WIRE_OP_ROLLBACK] = "ROLLBACK",
		[WIRE_OP_SNAPSHOT] = "SNAPSHOT",
		[WIRE_OP_VALIDATE] = "VALIDATE", [WIRE_OP_FAULT] = "FAULT",
		[WIRE_OP_OTHER] = "OTHER", [WIRE_OP_MAINTAIN] = "MAINTAIN",
	};

	if (op < WIRE_OP_OPEN || op >= WIRE_OP_END)
		return "unknown";
	return names[op];
}

/* ------------------------------------------------------------ histogram */

/*
 * Buckets 0-3 hold 0-3 us exactly; above, each octave [2^o, 2^(o+1)) is cut
 * into four equal quarters, so a bucket's width is a quarter of its lower
 * bound (about 19% resolution) and 112 buckets reach about 470 s.
 */
int
wire_hist_bucket(uint64_t usec)
{
	int o = 0, b;
	uint64_t v = usec;

	if (usec < 4)
		return (int)usec;
	while (v >>= 1)
		o++;
	b = 4 * (o - 1) + (int)((usec >> (o - 2)) & 3);
	return b < WIRE_HIST_BUCKETS - 1 ? b : WIRE_HIST_BUCKETS - 1;
}

uint64_t
wire_hist_upper(int bucket)
{
	int o;
	uint64_t quarter;

	if (bucket < 0)
		return 0;
	/* The last bucket takes everything above. */
	if (bucket >= WIRE_HIST_BUCKETS - 1)
		return UINT64_MAX;
	if (bucket < 4)
		return (uint64_t)bucket;
	o = bucket / 4 + 1;
	quarter = (uint64_t)1 << (o - 2);
	return (uint64_t)(4 + bucket % 4 + 1) * quarter - 1;
}
