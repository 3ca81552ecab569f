/* SPDX-License-Identifier: MIT */
/*
 * iofault: injected I/O faults (--nemesis io:...), the fault hook of the
 * VFS shim (see iofault.h).  One hook set per process: a child has one
 * connection that the parent may arm, so the state is this file's.  The
 * hook runs on every call the shim sees on the database, its journal and
 * its WAL: an armed generation not yet seen and the same op fail the call
 * (or cut a write short, then FULL: the unix VFS's unixWrite() retries
 * a write() that wrote part of its bytes, and when the retry writes
 * nothing or fails with ENOSPC it returns SQLITE_FULL with the first
 * bytes on disk);
 * with the io:full limit set, a write or truncate that extends its file
 * stats the three files and fails with FULL if they would outgrow it.
 */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "child.h"
#include "config.h"
#include "iofault.h"
#include "iovfs.h"
#include "nemesis.h"
#include "report.h"
#include "scenario.h"
#include "util.h"
#include "wire.h"

#define IOFAULT_PATH_MAX 4096

struct iofault {
	struct child_ctx *ctx;
	char      path[IOFAULT_PATH_MAX];   /* the database's path */
	uint32_t  seen_gen;     /* the slot's last generation fired */
	uint64_t  fired;        /* firings outside the autocheckpoint */
	int       last_code;    /* the last of them: primary code, item */
	int       last_item;
	int       scope;        /* inside the worker's autocheckpoint */
	int       swallow;      /* IOFAULT_SWALLOW_ENV: fire without failing */
	int       autockpt;     /* wal_autocheckpoint frames (0: off) */
};

static struct iofault iof;

static const struct {
	const char *name;
	int code;
} iofault_codes[] = {
	{ "IOERR", SQLITE_IOERR },
	{ "IOERR_READ", SQLITE_IOERR_READ },
	{ "IOERR_WRITE", SQLITE_IOERR_WRITE },
	{ "IOERR_FSYNC", SQLITE_IOERR_FSYNC },
	{ "IOERR_TRUNCATE", SQLITE_IOERR_TRUNCATE },
	{ "IOERR_FSTAT", SQLITE_IOERR_FSTAT },
	{ "FULL", SQLITE_FULL },
	{ "CANTOPEN", SQLITE_CANTOPEN },
};
#define IOFAULT_NCODES (sizeof iofault_codes / sizeof iofault_codes[0])

/* ------------------------------------------------------------ config */

int
iofault_wanted(const struct config *cfg)
{
	const char *s = cfg != NULL ? cfg->nemesis : NULL;

	if (s == NULL)
		return 0;
	return strncmp(s, "io:", 3) == 0 || strstr(s, ",io:") != NULL;
}

int
iofault_code_from_name(const char *name)
{
	size_t i;

	for (i = 0; i < IOFAULT_NCODES; i++)
		if (strcmp(name, iofault_codes[i].name) == 0)
			return iofault_codes[i].code;
	return -1;
}

int
iofault_plan_check(const struct config *cfg, struct nemesis_plan *plan,
    char *err, size_t errlen)
{
	char shown[UTIL_SHOW_MAX + 8];
	size_t i, full = 0;

	for (i = 0; i < plan->n; i++) {
		struct nemesis_item *it = &plan->v[i];

		if (it->action != NEMESIS_IO)
			continue;
		/* One limit in the shared page: two would lift each other. */
		if (it->io_kind == NEMESIS_IO_FULL && ++full > 1) {
			util_set_err(err, errlen, "one io:full item "
			    "at most (a second would share and lift its "
			    "limit)");
			return -1;
		}
		if (it->when.first_ns >= cfg->duration_ns) {
			util_set_err(err, errlen, "io item %zu is due at or "
			    "after the deadline (--duration): it could never "
			    "fire", i + 1);
			return -1;
		}
		if (it->io_kind == NEMESIS_IO_FULL ||
		    it->io_kind == NEMESIS_IO_SHORT) {
			it->io_code = SQLITE_FULL;
			continue;
		}
		if ((it->io_code = iofault_code_from_name(it->io_name)) < 0) {
			util_set_err(err, errlen, "'io:%s=...': unknown code "
			    "'%s' (IOERR, IOERR_READ, IOERR_WRITE, IOERR_FSYNC, "
			    "IOERR_TRUNCATE, IOERR_FSTAT, FULL, CANTOPEN)",
			    nemesis_io_op_name(it->io_op), util_show(it->io_name,
			    shown, sizeof shown));
			return -1;
		}
		if (it->io_op == NEMESIS_OP_SYNC && cfg->sync == CONFIG_SYNC_OFF) {
			util_set_err(err, errlen, "'io:sync=%s': with "
			    "--sync off SQLite never syncs: it could "
			    "never fire", it->io_name);
			return -1;
		}
	}
	return 0;
}

/* ------------------------------------------------------------ the hook */

/* Tell the parent (an IOFIRE record) and count it. */
static void
iofault_fire(const struct iovfs_event *ev, int code, int item)
{
	struct wire_record r;

	if (!iof.scope) {
		iof.fired++;
		iof.last_code = code & 0xff;
		iof.last_item = item;
	}
	if (iof.ctx == NULL)
		return;
	memset(&r, 0, sizeof r);
	r.h.type = WIRE_IOFIRE;
	r.u.iofire.item = (uint16_t)item;
	r.u.iofire.op = (uint8_t)ev->op;
	r.u.iofire.file = (uint8_t)ev->file;
	r.u.iofire.flags = iof.scope ? WIRE_IOFIRE_ABSORBED : 0;
	r.u.iofire.code = code;
	r.u.iofire.t = util_now_ns();
	(void)child_send(iof.ctx, &r);
}

/* The size of the file at path plus its journal and WAL, in bytes. */
static int64_t
iofault_total(void)
{
	static const char *const sfx[] = { "", "-journal", "-wal" };
	char p[IOFAULT_PATH_MAX + 16];
	struct stat sb;
	int64_t total = 0;
	size_t i;

	for (i = 0; i < sizeof sfx / sizeof sfx[0]; i++) {
		snprintf(p, sizeof p, "%s%s", iof.path, sfx[i]);
		if (stat(p, &sb) == 0)
			total += (int64_t)sb.st_size;
	}
	return total;
}

/* io:full: 1 if this write or truncate would outgrow the limit. */
static int
iofault_over_limit(const struct iovfs_event *ev, int64_t limit)
{
	sqlite3_int64 size = 0;
	int64_t end;

	if (ev->real == NULL || ev->real->pMethods == NULL)
		return 0;
	if (ev->op == IOVFS_WRITE)
		end = ev->off + ev->n;
	else if (ev->op == IOVFS_TRUNCATE)
		end = ev->off;
	else
		return 0;
	if (ev->real->pMethods->xFileSize(ev->real, &size) != SQLITE_OK ||
	    end <= size)
		return 0;       /* it does not extend the file: no stat */
	return iofault_total() + (end - size) > limit;
}

/* The armed fault of this child's slot, if it is for ev's op. */
static int
iofault_armed(struct iovfs_event *ev)
{
	struct child_slot *s = iof.ctx->slot;
	uint32_t gen = s->io_gen;
	int code, item;

	if (gen == iof.seen_gen)
		return SQLITE_OK;
	__sync_synchronize();
	if (s->io_op != (int32_t)ev->op)
		return SQLITE_OK;
	iof.seen_gen = gen;
	s->io_taken = gen;
	code = s->io_code;
	item = s->io_item;
	/*
	 * SQLite opens a journal read-only to see whether it is hot, and
	 * takes CANTOPEN there to mean "assume it is" (pager.c,
	 * hasHotJournal): tolerated by design, so absorbed, not swallowed.
	 */
	if (ev->op == IOVFS_OPEN && ev->file == IOVFS_JOURNAL &&
	    (ev->flags & SQLITE_OPEN_READONLY) &&
	    (code & 0xff) == SQLITE_CANTOPEN) {
		iof.scope++;
		iofault_fire(ev, code, item);
		iof.scope--;
	} else
		iofault_fire(ev, code, item);
	if (iof.swallow)
		return SQLITE_OK;
	if (s->io_short && ev->op == IOVFS_WRITE)
		ev->n = ev->n / 2 > 0 ? ev->n / 2 : 1;
	return code;
}

static int
iofault_hook(void *arg, struct iovfs_event *ev)
{
	int64_t limit;
	int rc;

	(void)arg;
	if (iof.ctx == NULL || ev->op == IOVFS_DELETE || ev->op == IOVFS_NOP)
		return SQLITE_OK;
	if (iof.ctx->slot != NULL && (rc = iofault_armed(ev)) != SQLITE_OK)
		return rc;
	if (iof.ctx->shared == NULL || (limit = iof.ctx->shared->io_full) <= 0)
		return SQLITE_OK;
	if (!iofault_over_limit(ev, limit))
		return SQLITE_OK;
	iofault_fire(ev, SQLITE_FULL, iof.ctx->shared->io_full_item);
	return iof.swallow ? SQLITE_OK : SQLITE_FULL;
}

int
iofault_child_start(const struct scenario_params *p, struct child_ctx *ctx,
    char *err, size_t errlen)
{
	static const struct iovfs_hooks hooks = { NULL, iofault_hook, NULL,
		NULL };
	const char *sw = getenv(IOFAULT_SWALLOW_ENV);

	if (!iofault_wanted(p->cfg))
		return 0;
	if (strlen(p->db_path) >= sizeof iof.path) {
		util_set_err(err, errlen, "io faults: database path too long");
		return -1;
	}
	memset(&iof, 0, sizeof iof);
	iof.ctx = ctx;
	util_strlcpy(iof.path, p->db_path, sizeof iof.path);
	/*
	 * Generations an earlier life took are not this life's; one armed
	 * while the child was down (after its last take) is.
	 */
	iof.seen_gen = ctx->slot != NULL ? ctx->slot->io_taken : 0;
	iof.swallow = sw != NULL && strcmp(sw, "1") == 0;
	iovfs_set_hooks(IOVFS_HOOK_FAULT, &hooks);
	return 0;
}

/* ------------------------------------------------------------ callers */

uint64_t
iofault_fired(void)
{
	return iof.fired;
}

void
iofault_mark_error(struct child_ctx *ctx, uint64_t mark)
{
	if (iof.fired == mark)
		return;
	ctx->inj = WIRE_INJ_FIRED;
	ctx->inj_item = (uint16_t)iof.last_item;
	ctx->inj_code = iof.last_code;
}

int
iofault_swallowed(struct child_ctx *ctx, uint64_t mark, int op,
    int64_t t_begin, const char *what)
{
	char msg[WIRE_MSG_MAX + 1];

	if (iof.fired == mark)
		return 0;
	ctx->inj = WIRE_INJ_FIRED | WIRE_INJ_SWALLOWED;
	ctx->inj_item = (uint16_t)iof.last_item;
	ctx->inj_code = iof.last_code;
	snprintf(msg, sizeof msg, "%s returned OK after %llu injected "
	    "fault(s) fired in it", what, (unsigned long long)(iof.fired -
	    mark));
	(void)child_error(ctx, op, SQLITE_OK, SQLITE_OK, 0, msg, t_begin,
	    util_now_ns(), 0);
	return 1;
}

/*
 * What sqlite3WalDefaultHook() does (a PASSIVE checkpoint once the WAL
 * has the autocheckpoint's frames; its result ignored: the transaction
 * is already durable), with this file's firings absorbed.
 */
static int
iofault_wal_cb(void *arg, sqlite3 *db, const char *name, int frames)
{
	(void)arg;
	if (iof.autockpt <= 0 || frames < iof.autockpt)
		return SQLITE_OK;
	iof.scope++;
	(void)sqlite3_wal_checkpoint(db, name);
	iof.scope--;
	return SQLITE_OK;
}

int
iofault_wal_hook(sqlite3 *db)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if (iof.ctx == NULL)
		return SQLITE_OK;
	rc = sqlite3_prepare_v2(db, "PRAGMA wal_autocheckpoint", -1, &st,
	    NULL);
	if (rc == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
		iof.autockpt = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (rc != SQLITE_OK)
		return rc;
	/* In rollback-journal modes the hook is never called. */
	(void)sqlite3_wal_hook(db, iofault_wal_cb, NULL);
	return SQLITE_OK;
}

/* ------------------------------------------------------------ parent */

void
iofault_take_fire(struct nemesis_plan *plan, const struct wire_iofire *f)
{
	struct nemesis_item *it;

	if (f->item >= plan->n || plan->v[f->item].action != NEMESIS_IO)
		return;
	it = &plan->v[f->item];
	it->fired++;
	if (f->flags & WIRE_IOFIRE_ABSORBED)
		it->absorbed++;
	if (f->t > it->last_fired_ns)
		it->last_fired_ns = f->t;
}

/* Errors expected because item k injected them. */
static uint64_t
iofault_expected(const struct report *rep, size_t k)
{
	uint64_t n = 0;
	size_t i;

	for (i = 0; i < rep->sup.nevents; i++) {
		const struct sup_event *ev = &rep->sup.events[i];

		n += ev->kind == SUP_EV_ERROR &&
		    ev->cause == CLASSIFY_CAUSE_INJECTED &&
		    ev->err.inj_item == k;
	}
	return n;
}

/* When item it's last effect ended (monotonic), 0 if it had none. */
static int64_t
iofault_effect_end(const struct nemesis_item *it)
{
	if (it->io_kind == NEMESIS_IO_FULL && it->lifted_at_ns > 0)
		return it->lifted_at_ns;
	return it->last_fired_ns;
}

/* One item's line in the report, and its checks. */
static void
iofault_judge_item(const struct nemesis_plan *plan, size_t k,
    struct report *rep, int64_t last_ack_ns)
{
	const struct nemesis_item *it = &plan->v[k];
	struct nemesis_plan one = { (struct nemesis_item *)it, 1, 0 };
	struct report_io *io = &rep->io[rep->nio++];
	int strict = rep->cfg->coverage == CONFIG_COVERAGE_STRICT;
	int64_t end = iofault_effect_end(it), start = rep->sup.start_ns;
	/* A power cut (--powerloss) ends the writes early. */
	int64_t stop = rep->sup.cut_ns != 0 ? rep->sup.cut_ns :
	    rep->sup.deadline_ns;

	(void)nemesis_format(&one, io->item, sizeof io->item);
	io->armed = it->armed;
	io->fired = it->fired;
	io->absorbed = it->absorbed;
	io->expected = iofault_expected(rep, k);
	io->resumed = -1;
	io->effect_s = end > 0 && start > 0 ? (double)(end - start) /
	    (double)UTIL_NS_PER_S : 0.0;
	if (it->fired == 0) {
		if (strict)
			(void)sup_event_add(&rep->sup, SUP_EV_COVERAGE, -1,
			    SUP_NO_SNAPSHOT, VERDICT_FAILURE, util_now_ns(),
			    "%s never fired (armed %llu time%s)", io->item,
			    (unsigned long long)it->armed,
			    it->armed == 1 ? "" : "s");
		return;
	}
	if (end <= 0 || end > stop - IOFAULT_RESUME_NS)
		return;
	io->resumed = last_ack_ns > end;
	if (!io->resumed && strict)
		(void)sup_event_add(&rep->sup, SUP_EV_COVERAGE, -1,
		    SUP_NO_SNAPSHOT, VERDICT_FAILURE, util_now_ns(),
		    "writes never resumed after %s %s at %.1fs", io->item,
		    it->io_kind == NEMESIS_IO_FULL && it->lifted_at_ns > 0 ?
		    "lifted" : "last fired", io->effect_s);
}

void
iofault_judge(const struct nemesis_plan *plan, struct report *rep,
    int64_t last_ack_ns)
{
	size_t k;

	rep->nio = 0;
	if (rep->cfg == NULL || rep->sup.deadline_ns == 0)
		return;
	for (k = 0; k < plan->n && rep->nio < REPORT_IO_MAX; k++)
		if (plan->v[k].action == NEMESIS_IO)
			iofault_judge_item(plan, k, rep, last_ack_ns);
}

void
iofault_judge_workers(struct report *rep, int nworkers, const int64_t *fire,
    const int64_t *ack)
{
	int64_t stop;
	int w;

	if (rep->cfg == NULL || rep->sup.deadline_ns == 0 ||
	    rep->cfg->coverage != CONFIG_COVERAGE_STRICT ||
	    rep->sup.children == NULL)
		return;
	stop = rep->sup.cut_ns != 0 ? rep->sup.cut_ns : rep->sup.deadline_ns;
	for (w = 0; w < nworkers; w++) {
		const struct sup_child *ch = &rep->sup.children[w];

		if (fire[w] <= 0 || fire[w] > stop - IOFAULT_RESUME_NS ||
		    ack[w] > fire[w] || ch->pauses > 0 || ch->kills > 0)
			continue;
		(void)sup_event_add(&rep->sup, SUP_EV_COVERAGE, w,
		    SUP_NO_SNAPSHOT, VERDICT_FAILURE, util_now_ns(),
		    "writes never resumed after its injected fault at "
		    "%.1fs", (double)(fire[w] - rep->sup.start_ns) /
		    (double)UTIL_NS_PER_S);
	}
}
