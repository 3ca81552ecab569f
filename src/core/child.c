/* SPDX-License-Identifier: MIT */
/*
 * child: the child side of the supervisor protocol.  It stamps and writes
 * records (one write() each, so they are never torn), coalesces ACKs,
 * watches the shutdown pipe without blocking, sleeps in poll() on it so
 * shutdown wakes it at once, and fires injected faults.  It never exits on
 * its own except where a fault says so (crash, abort, exit, hang).
 */
#include "autoconf.h"
#include "child.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

/* Flush a coalesced ACK after this long even while commits keep coming. */
#define CHILD_ACK_DELAY_NS   (2 * UTIL_NS_PER_MS)
/* Poll the shutdown fd at most this often from child_shutdown(c, 0). */
#define CHILD_CHECK_EVERY_NS (500 * INT64_C(1000))

static int
child_write(struct child_ctx *c, struct wire_record *r)
{
	uint8_t buf[WIRE_MAX_RECORD];
	size_t n;

	if (c->parent_gone)
		return -1;
	r->h.child = (uint32_t)c->id;
	r->h.seq = c->seq + 1;
	r->h.t_sent = util_now_ns();
	n = wire_encode(r, buf, sizeof buf);
	if (n == 0) {
		/* Not sent, so the sequence must not advance. */
		errno = EINVAL;
		return -1;
	}
	c->seq++;
	/* n <= PIPE_BUF: the kernel writes it whole or not at all. */
	if (util_write_all(c->report_fd, buf, n) < 0) {
		if (errno == EPIPE)
			c->parent_gone = 1;
		return -1;
	}
	return 0;
}

int
child_flush(struct child_ctx *c)
{
	struct wire_record r;

	if (!c->ack_pending)
		return 0;
	memset(&r, 0, sizeof r);
	r.h.type = WIRE_ACK;
	r.u.ack.seq = c->ack_seq;
	r.u.ack.t_commit = c->ack_t_commit;
	c->ack_pending = 0;
	return child_write(c, &r);
}

int
child_send(struct child_ctx *c, struct wire_record *r)
{
	/*
	 * ACKs must precede any later record: the ledger judges a snapshot
	 * for this child once it has a record stamped after the snapshot
	 * began, trusting that every earlier commit was acknowledged first.
	 */
	if (child_flush(c) < 0)
		return -1;
	return child_write(c, r);
}

int
child_ack(struct child_ctx *c, uint64_t seq, int64_t t_commit)
{
	if (!c->ack_pending) {
		c->ack_pending = 1;
		c->ack_first_ns = t_commit;
	}
	c->ack_seq = seq;
	c->ack_t_commit = t_commit;
	if (t_commit - c->ack_first_ns >= CHILD_ACK_DELAY_NS)
		return child_flush(c);
	return 0;
}

int
child_error(struct child_ctx *c, int op, int code, int extended,
    int sys_errno, const char *msg, int64_t t_begin, int64_t t_end,
    int deferred)
{
	struct wire_record r;
	struct wire_error *e = &r.u.error;

	memset(&r, 0, sizeof r);
	r.h.type = WIRE_ERROR;
	e->op = (uint8_t)op;
	e->code = code;
	e->extended = extended;
	e->sys_errno = sys_errno;
	e->t_begin = t_begin;
	e->t_end = t_end;
	e->shutdown_seen = (uint8_t)(c->shutdown_seen != 0);
	e->injected = c->inj;
	e->inj_item = c->inj != 0 ? c->inj_item : 0;
	e->inj_code = c->inj != 0 ? c->inj_code : 0;
	c->inj = 0;
	util_strlcpy(e->message, msg != NULL ? msg : "", sizeof e->message);
	e->msg_len = (uint16_t)strlen(e->message);
	c->errors_sent++;
	if (deferred && c->ndeferred < CHILD_MAX_DEFERRED) {
		c->deferred[c->ndeferred++] = r;
		return 0;
	}
	return child_send(c, &r);
}

int
child_shutdown(struct child_ctx *c, int force)
{
	struct pollfd pfd;
	int64_t now;

	if (c->hanging)
		return 0;
	if (c->shutdown_seen)
		return 1;
	now = util_now_ns();
	if (!force && now - c->last_check_ns < CHILD_CHECK_EVERY_NS)
		return 0;
	c->last_check_ns = now;
	pfd.fd = c->shutdown_fd;
	pfd.events = POLLIN;
	pfd.revents = 0;
	/*
	 * Nobody ever writes to the shutdown pipe; any event (POLLIN on
	 * macOS, POLLHUP on Linux) means the parent closed it or died.
	 */
	if (poll(&pfd, 1, 0) > 0 && pfd.revents != 0)
		c->shutdown_seen = 1;
	return c->shutdown_seen;
}

int
child_ready_wait(struct child_ctx *c)
{
	struct wire_record r;
	char byte;

	memset(&r, 0, sizeof r);
	r.h.type = WIRE_READY;
	if (child_send(c, &r) < 0)
		return -1;
	/* The parent releases everyone at once by closing the start pipe. */
	if (util_wait_readable(c->start_fd, -1) < 0)
		return -1;
	while (util_read(c->start_fd, &byte, 1) > 0)
		continue;
	util_close(&c->start_fd);
	/* EOF without a start time: the parent gave up or died. */
	if (c->shared->start_ns == 0)
		return -1;
	return 0;
}

/* 1 if f is timed at or after the deadline ("deadline+20ms"). */
static int
child_fault_after_deadline(const struct child_ctx *c, const struct fault *f)
{
	return fault_when(f, c->shared->start_ns, c->shared->deadline_ns) >=
	    c->shared->deadline_ns;
}

/*
 * When f fires.  A fault timed before the deadline fires at its time.  One
 * timed at or after it means "that long after shutdown was signalled": it
 * fires only once this child has seen the shutdown, at the moment the
 * parent published (child_shared.shutdown_ns) plus its offset from the
 * deadline.  So a late parent (stopped, starved) cannot make it fire
 * before shutdown, where it would be judged an early error, and a slow
 * child cannot change its stamp.  INT64_MAX: not before shutdown is seen.
 */
static int64_t
child_fault_time(const struct child_ctx *c, const struct fault *f)
{
	int64_t dl = c->shared->deadline_ns;
	int64_t when = fault_when(f, c->shared->start_ns, dl);
	int64_t base, after;

	if (when < dl)
		return when;
	if (!c->shutdown_seen || c->hanging)
		return INT64_MAX;
	/* 0: the parent died without publishing; the deadline will do. */
	base = c->shared->shutdown_ns != 0 ? c->shared->shutdown_ns : dl;
	after = when - dl;
	if (base > INT64_MAX - after)
		return INT64_MAX;
	return base + after;
}

int64_t
child_next_fault(const struct child_ctx *c)
{
	int64_t best = -1;
	size_t i;

	for (i = 0; i < c->nfaults; i++) {
		int64_t t;

		if (c->faults[i].fired)
			continue;
		t = child_fault_time(c, &c->faults[i]);
		if (best < 0 || t < best)
			best = t;
	}
	return best;
}

static void
child_hang(struct child_ctx *c)
{
	sigset_t set;

	/* Ignore shutdown and SIGTERM: only SIGKILL ends a hung child. */
	c->hanging = 1;
	(void)child_flush(c);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigprocmask(SIG_BLOCK, &set, NULL);
	/* Still never outlive the parent (orphan safety). */
	for (;;) {
		(void)poll(NULL, 0, 100);
		if (getppid() != c->parent_pid)
			_exit(0);
	}
}

static void
child_garbage(struct child_ctx *c)
{
	/* A header with an unknown version: the parent must call it malformed. */
	static const uint8_t junk[WIRE_HEADER_SIZE] = {
		0xEE, 0x7F, 0xFF, 0xFF, 'g', 'a', 'r', 'b', 'a', 'g', 'e'
	};

	(void)child_flush(c);
	if (util_write_all(c->report_fd, junk, sizeof junk) < 0 &&
	    errno == EPIPE)
		c->parent_gone = 1;
}

static void
child_inject_error(struct child_ctx *c, const struct fault *f, int64_t when)
{
	char msg[96];
	int saved = c->shutdown_seen;

	snprintf(msg, sizeof msg, "injected fault: error=%s%s",
	    f->arg_name[0] != '\0' ? f->arg_name : "?",
	    f->deferred ? "/deferred" : "");
	/*
	 * An injected error happened at its scheduled time, so a fault test's
	 * verdict never depends on how late the scheduler ran us.  Before the
	 * deadline it cannot have seen shutdown; after it, it fires only once
	 * shutdown was seen (child_fault_time).
	 */
	if (!child_fault_after_deadline(c, f))
		c->shutdown_seen = 0;
	(void)child_error(c, WIRE_OP_FAULT, f->arg, f->arg, 0, msg, when, when,
	    f->deferred);
	c->shutdown_seen = saved;
}

unsigned
child_faults_due(struct child_ctx *c)
{
	/* Faults that fired in child_sleep_until() are the caller's too. */
	unsigned bits = c->pending_bits;
	int64_t now;
	size_t i;

	/* The common case, once per transaction: no clock read at all. */
	if (c->nfaults == 0) {
		c->pending_bits = 0;
		return bits;
	}
	now = util_now_ns();

	for (i = 0; i < c->nfaults; i++) {
		struct fault *f = &c->faults[i];
		int64_t when;

		if (f->fired)
			continue;
		when = child_fault_time(c, f);
		if (when > now)
			continue;
		f->fired = 1;
		switch (f->action) {
		case FAULT_CRASH:
			(void)child_flush(c);
			signal(SIGSEGV, SIG_DFL);
			raise(SIGSEGV);
			_exit(128 + SIGSEGV);
		case FAULT_ABORT:
			(void)child_flush(c);
			abort();
		case FAULT_EXIT:
			(void)child_flush(c);
			_exit(f->arg);
		case FAULT_HANG:
			child_hang(c);
			break;
		case FAULT_ERROR:
			child_inject_error(c, f, when);
			break;
		case FAULT_GARBAGE:
			child_garbage(c);
			break;
		default:
			bits |= 1u << f->action;
			break;
		}
	}
	c->pending_bits = 0;
	return bits;
}

static void
child_nap(int64_t until_ns, int64_t now)
{
	struct timespec ts;
	int64_t left = until_ns - now;

	ts.tv_sec = (time_t)(left / UTIL_NS_PER_S);
	ts.tv_nsec = (long)(left % UTIL_NS_PER_S);
	(void)nanosleep(&ts, NULL);
}

int
child_sleep_until(struct child_ctx *c, int64_t until_ns)
{
	for (;;) {
		struct pollfd pfd;
		int64_t now, wake, nf;
		int n;

		if (child_flush(c) < 0)
			return -1;
		c->pending_bits = child_faults_due(c);
		if (child_shutdown(c, 1))
			return 1;
		now = util_now_ns();
		if (now >= until_ns)
			return 0;
		wake = until_ns;
		nf = child_next_fault(c);
		if (nf >= 0 && nf < wake)
			wake = nf;
		if (wake - now < UTIL_NS_PER_MS) {
			/* poll() counts whole milliseconds; nap for less. */
			child_nap(wake, now);
			continue;
		}
		pfd.fd = c->shutdown_fd;
		pfd.events = POLLIN;
		pfd.revents = 0;
		n = poll(&pfd, 1, (int)((wake - now) / UTIL_NS_PER_MS));
		if (n < 0 && errno != EINTR)
			return -1;
		if (n > 0 && pfd.revents != 0 && !c->hanging) {
			/*
			 * A loaded machine may wake us well after a fault's time
			 * and after the deadline: the fault still fires first.
			 */
			c->pending_bits |= child_faults_due(c);
			c->shutdown_seen = 1;
			return 1;
		}
	}
}

/*
 * Fire the faults timed at or after the deadline (deadline+20ms): that
 * long after the shutdown moment, however late we got here.
 */
static void
child_late_faults(struct child_ctx *c)
{
	size_t i;
	int64_t nf;

	/* Whatever is due already fires, however late we got here. */
	(void)child_faults_due(c);
	for (i = 0; i < c->nfaults; i++) {
		struct fault *f = &c->faults[i];

		/*
		 * Shutdown came early (interrupt): earlier faults never fire.
		 * Finishing without having seen shutdown (the caller's
		 * choice, itself a failure): later ones never will either.
		 */
		if (!f->fired && (!child_fault_after_deadline(c, f) ||
		    !c->shutdown_seen))
			f->fired = 1;
	}
	while ((nf = child_next_fault(c)) >= 0) {
		int64_t now = util_now_ns();

		if (nf > now)
			child_nap(nf, now);
		(void)child_faults_due(c);
	}
}

int
child_finish(struct child_ctx *c, struct wire_done *done)
{
	struct wire_record r;
	size_t i;

	(void)child_shutdown(c, 1);
	child_late_faults(c);
	for (i = 0; i < c->ndeferred; i++)
		if (child_send(c, &c->deferred[i]) < 0)
			return -1;
	c->ndeferred = 0;
	memset(&r, 0, sizeof r);
	r.h.type = WIRE_DONE;
	r.u.done = *done;
	r.u.done.shutdown_seen = (uint8_t)(child_shutdown(c, 1) != 0);
	r.u.done.errors = c->errors_sent;
	return child_send(c, &r);
}

void
child_phase(struct child_ctx *c, enum child_phase phase, uint64_t lo,
    uint64_t hi)
{
	if (c->slot == NULL)
		return;
	c->slot->lo = lo;
	c->slot->hi = hi;
	/* Volatile stores stay in program order; the kernel orders the rest. */
	c->slot->phase = (int32_t)phase;
}
