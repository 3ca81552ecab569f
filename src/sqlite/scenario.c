/* SPDX-License-Identifier: MIT */
/*
 * scenario: the SQLite store scenario.  It makes the run directory,
 * prepares the database (then closes it: no handle crosses a fork), runs
 * the insert workers, the validator and (with --maintain) the maintenance
 * child under the supervisor, samples the database file's size on every
 * tick, holds every snapshot against the ACK ledger as records arrive,
 * and after the last child is reaped validates the final database
 * against every ACK.  It fills a struct report and prints nothing.
 */
#include "autoconf.h"
#include "scenario.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "command.h"
#include "duration.h"
#include "fault.h"
#include "iofault.h"
#include "ledger.h"
#include "maintain.h"
#include "nemesis.h"
#include "populate.h"
#include "powerloss.h"
#include "report-plot.h"
#include "scenario-policy.h"
#include "shellcmd.h"
#include "storage.h"
#include "store.h"
#include "supervisor.h"
#include "trace.h"
#include "util.h"
#include "validate.h"
#include "workload.h"

/* How long a child gets between SIGTERM and SIGKILL. */
#define SCEN_KILL_AFTER_NS (1 * UTIL_NS_PER_S)
#define SCEN_READY_TIMEOUT_NS (60 * UTIL_NS_PER_S)
/* A fault index no spec names: the sidecar gets no injected faults. */
#define SCEN_NO_FAULTS (-1000)

struct scen {
	const struct config *cfg;
	struct report *rep;
	struct scenario_params params;
	struct ledger *ledger;
	struct fault_list faults;
	struct nemesis_plan nemesis;    /* --nemesis, empty if none */
	char made[PATH_MAX];     /* the user's database file this run created */
	uint64_t *snap_k;        /* per-worker maxima of the snapshot being received */
	uint32_t  snap_index;    /* ... its index */
	uint32_t  snap_covered;  /* ... and how many maxima have come */
	FILE     *trace;         /* --trace: the parent's log, or NULL */
	int       restored;      /* a restore has given a copy this run */
	int64_t   last_ack_ns;   /* the latest commit acknowledged */
	int64_t  *ack_w, *fire_w;  /* per worker: its latest commit
	                              acknowledged, its latest io firing */
};

static void scen_hard(struct report *, const char *, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

static void
scen_hard(struct report *rep, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(rep->hard_error, sizeof rep->hard_error, fmt, ap);
	va_end(ap);
	rep->exit_code = 99;
}

static struct report_snapshot *
scen_snapshot(struct report *rep, uint32_t index)
{
	size_t i;

	for (i = rep->nsnapshots; i > 0; i--)
		if (rep->snapshots[i - 1].index == index)
			return &rep->snapshots[i - 1];
	return NULL;
}

static void
scen_fail(void *user, int worker, uint32_t snapshot, const char *reason)
{
	struct scen *sc = user;
	struct report *rep = sc->rep;
	struct report_snapshot *s;

	(void)sup_event_add(&rep->sup, SUP_EV_LEDGER, worker,
	    snapshot == LEDGER_FINAL ? SUP_NO_SNAPSHOT : (long)snapshot,
	    VERDICT_FAILURE, util_now_ns(), "%s", reason);
	if (snapshot == LEDGER_FINAL)
		return;
	s = scen_snapshot(rep, snapshot);
	if (s != NULL && s->ok) {
		char from[PATH_MAX], to[PATH_MAX];

		s->ok = 0;
		util_strlcpy(s->problem, reason, sizeof s->problem);
		/*
		 * The copy is the evidence: move it out of the validator's
		 * way before it retires it (gone already if judged late).
		 */
		snprintf(from, sizeof from, "%s/snap-%u.db", rep->run_dir,
		    snapshot);
		snprintf(to, sizeof to, "%s/snap-%u.failed.db", rep->run_dir,
		    snapshot);
		(void)rename(from, to);
	}
}

static void
scen_protocol(struct scen *sc, int child, const char *what)
{
	(void)sup_event_add(&sc->rep->sup, SUP_EV_PROTOCOL, child,
	    SUP_NO_SNAPSHOT, VERDICT_FAILURE, util_now_ns(),
	    "protocol failure: %s", what);
}

static void
scen_take_snapk(struct scen *sc, int child, const struct wire_snapk *k)
{
	if (k->first >= (uint32_t)sc->params.nworkers ||
	    k->n > (uint32_t)sc->params.nworkers - k->first) {
		scen_protocol(sc, child, "SNAPK names a worker that does not exist");
		return;
	}
	if (sc->snap_covered > 0 && k->index != sc->snap_index) {
		scen_protocol(sc, child, "SNAPK records of two snapshots mixed");
		return;
	}
	sc->snap_index = k->index;
	sc->snap_covered += k->n;
	memcpy(sc->snap_k + k->first, k->k, k->n * sizeof k->k[0]);
}

/*
 * Not ready: a restore that gave no copy (no maxima), begun within
 * --store-warmup of the start, while no restore of this run had given
 * one yet, or when the restore command said so itself (exit 75).  The
 * store has not produced its first copy: nothing to judge, nothing lost.
 */
static int
scen_not_ready(const struct scen *sc, const struct wire_snapshot *w)
{
	int64_t start = sc->rep->sup.start_ns;

	if (sc->cfg->restore_cmd == NULL || w->nworkers > 0 || start == 0 ||
	    (w->flags & WIRE_SNAP_FINAL) != 0 ||
	    w->t_begin - start >= sc->cfg->store_warmup_ns)
		return 0;
	return !sc->restored || (w->flags & WIRE_SNAP_TEMPFAIL) != 0;
}

/* Keep a not-ready restore: counted and shown, never a failure. */
static void
scen_take_unready(struct scen *sc, int child, const struct wire_snapshot *w)
{
	struct report *rep = sc->rep;
	struct report_snapshot *s;

	if (sc->trace != NULL)
		trace_line(sc->trace, "run", "snapshot %u: not ready: %s",
		    w->index, w->problem);
	if (util_grow(&rep->unready, &rep->capunready, rep->nunready,
	    sizeof *rep->unready, 16) < 0) {
		scen_protocol(sc, child, "out of memory for snapshots");
		return;
	}
	s = &rep->unready[rep->nunready++];
	memset(s, 0, sizeof *s);
	s->index = w->index;
	s->t_begin_ns = w->t_begin;
	s->t_end_ns = w->t_end;
	util_strlcpy(s->problem, w->problem, sizeof s->problem);
}

static void
scen_take_snapshot(struct scen *sc, int child, const struct wire_snapshot *w)
{
	struct report *rep = sc->rep;
	struct report_snapshot *s;

	if (scen_not_ready(sc, w)) {
		scen_take_unready(sc, child, w);
		return;
	}
	if (w->nworkers > 0)
		sc->restored = 1;

	if (util_grow(&rep->snapshots, &rep->capsnapshots, rep->nsnapshots,
	    sizeof *rep->snapshots, 32) < 0) {
		scen_protocol(sc, child, "out of memory for snapshots");
		return;
	}
	s = &rep->snapshots[rep->nsnapshots++];
	memset(s, 0, sizeof *s);
	s->index = w->index;
	s->t_begin_ns = w->t_begin;
	s->t_end_ns = w->t_end;
	s->rows = w->rows;
	s->ok = w->integrity_ok && w->rows_ok;
	s->final_restore = (w->flags & WIRE_SNAP_FINAL) != 0;
	if (!s->ok) {
		util_strlcpy(s->problem, w->problem, sizeof s->problem);
		(void)sup_event_add(&rep->sup, SUP_EV_SNAPSHOT, child,
		    (long)w->index, VERDICT_FAILURE, w->t_end,
		    "snapshot %u: %s", w->index, w->problem);
	}
	/* No maxima (a failed restore): nothing to hold against the ACKs. */
	if (w->nworkers > 0 && (sc->snap_index != w->index ||
	    sc->snap_covered != w->nworkers ||
	    w->nworkers != (uint32_t)sc->params.nworkers))
		scen_protocol(sc, child, "SNAPSHOT without its SNAPK records");
	else if (w->nworkers > 0 && ledger_snapshot(sc->ledger, w->index,
	    w->t_begin, sc->snap_k, sc->params.nworkers) < 0)
		scen_protocol(sc, child, "snapshot out of order");
	memset(sc->snap_k, 0, (size_t)sc->params.nworkers * sizeof *sc->snap_k);
	sc->snap_covered = 0;
	(void)ledger_evaluate(sc->ledger, 0, scen_fail, sc);
}

static void
scen_take_done(struct scen *sc, int w, const struct wire_done *d)
{
	struct report_worker *rw = &sc->rep->workers[w];

	rw->done = 1;
	rw->commits = d->commits;
	rw->rows = d->rows;
	rw->last_seq = d->last_seq;
	rw->busy_waits = d->busy_waits;
	rw->busy_ns = d->busy_ns;
	rw->errors = d->errors;
}

/* The maintenance child's totals of one kind of action. */
static void
scen_take_action(struct scen *sc, int child, const struct wire_record *r)
{
	struct report *rep = sc->rep;
	struct report_maint *rm;

	if (r->h.type != WIRE_ACTION)
		return;
	if (r->u.action.kind >= MAINT_NKINDS || rep->nmaint >= REPORT_MAINT_MAX) {
		scen_protocol(sc, child, "ACTION names no maintenance action");
		return;
	}
	rm = &rep->maint[rep->nmaint++];
	util_strlcpy(rm->name, maint_kind_name(r->u.action.kind),
	    sizeof rm->name);
	rm->runs = r->u.action.runs;
	rm->errors = r->u.action.errors;
	rm->total_ns = r->u.action.total_ns;
	rm->max_ns = r->u.action.max_ns;
}

static void
scen_on_record(void *user, int child, const struct wire_record *r)
{
	struct scen *sc = user;
	struct report *rep = sc->rep;
	size_t b;

	if (r->h.type == WIRE_IOFIRE) {
		iofault_take_fire(&sc->nemesis, &r->u.iofire);
		if (child >= 0 && child < sc->params.nworkers &&
		    !(r->u.iofire.flags & WIRE_IOFIRE_ABSORBED) &&
		    r->u.iofire.t > sc->fire_w[child])
			sc->fire_w[child] = r->u.iofire.t;
		return;
	}
	if (child == sc->params.maint_id) {
		scen_take_action(sc, child, r);
		return;
	}
	if (child == sc->params.validator_id) {
		if (r->h.type == WIRE_SNAPK)
			scen_take_snapk(sc, child, &r->u.snapk);
		else if (r->h.type == WIRE_SNAPSHOT)
			scen_take_snapshot(sc, child, &r->u.snapshot);
		return;
	}
	if (child < 0 || child >= sc->params.nworkers)
		return;
	ledger_seen(sc->ledger, child, r->h.t_sent);
	switch (r->h.type) {
	case WIRE_ACK:
		if (ledger_ack(sc->ledger, child, r->u.ack.seq,
		    r->u.ack.t_commit) < 0)
			scen_protocol(sc, child, "ACK went backwards");
		else
			rep->workers[child].acked = r->u.ack.seq;
		report_series_note(rep, child, r->u.ack.t_commit);
		if (r->u.ack.t_commit > sc->last_ack_ns)
			sc->last_ack_ns = r->u.ack.t_commit;
		if (r->u.ack.t_commit > sc->ack_w[child])
			sc->ack_w[child] = r->u.ack.t_commit;
		break;
	case WIRE_HIST:
		for (b = 0; b < WIRE_HIST_BUCKETS; b++)
			rep->hist[b] += r->u.hist.count[b];
		break;
	case WIRE_DONE:
		scen_take_done(sc, child, &r->u.done);
		break;
	case WIRE_PACE:
		report_pace_add(rep, child, &r->u.pace);
		break;
	case WIRE_RESUME:
		rep->workers[child].resumed = r->u.resume.seq;
		(void)ledger_resume(sc->ledger, child, r->u.resume.seq,
		    scen_fail, sc);
		break;
	default:
		break;
	}
}

/*
 * --nemesis killed a child (reaped, its pipe drained): a worker's cut
 * transaction goes to the ledger and the rows its life acknowledged to
 * its totals; a validator's half-sent snapshot is dropped; the store's
 * downtime begins.
 */
static void
scen_on_kill(void *user, int child, const struct sup_kill *k)
{
	struct scen *sc = user;
	struct report_worker *rw;
	uint64_t rows, batch = (uint64_t)sc->cfg->batch;

	if (child == sc->params.validator_id) {
		memset(sc->snap_k, 0, (size_t)sc->params.nworkers *
		    sizeof *sc->snap_k);
		sc->snap_covered = 0;
		return;
	}
	if (child == sc->params.nworkers + 1) {
		(void)ledger_downtime(sc->ledger, k->t_ns);
		return;
	}
	if (child < 0 || child >= sc->params.nworkers)
		return;
	rw = &sc->rep->workers[child];
	ledger_killed(sc->ledger, child, k->phase == CHILD_PHASE_COMMIT ?
	    LEDGER_COMMIT : k->phase == CHILD_PHASE_IDLE ? LEDGER_IDLE :
	    LEDGER_TXN, k->lo, k->hi);
	rows = rw->acked > rw->resumed ? rw->acked - rw->resumed : 0;
	rw->prev_rows += rows;
	rw->prev_commits += (rows + batch - 1) / batch;
}

/* The store is back: its downtime ends. */
static void
scen_on_restart(void *user, int child, int64_t t_ns)
{
	struct scen *sc = user;

	if (child == sc->params.nworkers + 1 && sc->cfg->store_cmd != NULL)
		ledger_downtime_end(sc->ledger, t_ns);
}

static void
scen_on_eof(void *user, int child)
{
	struct scen *sc = user;
	const struct report_worker *rw;

	if (child < 0 || child >= sc->params.nworkers)
		return;
	rw = &sc->rep->workers[child];
	/* Without DONE we do not know what it attempted: indeterminate. */
	ledger_finish(sc->ledger, child, rw->done, rw->last_seq);
	(void)ledger_evaluate(sc->ledger, 0, scen_fail, sc);
}

/*
 * The database file's size (and its WAL's), one stat each per tick, so
 * the report can show that the file really got shorter.
 */
static void
scen_sample_file(struct scen *sc, int at_end)
{
	uint64_t main_size, wal_size;

	if (store_file_sizes(sc->rep->db_path, &main_size, &wal_size) == 0)
		report_file_note(sc->rep, main_size, wal_size, at_end);
}

static void
scen_on_tick(void *user, int64_t now)
{
	struct scen *sc = user;

	scen_sample_file(sc, 0);
	(void)ledger_evaluate(sc->ledger, 0, scen_fail, sc);
	/* Without a validator no snapshot will ever ask about old ACKs. */
	if (sc->cfg->validate_every_ns == 0)
		ledger_horizon(sc->ledger, now);
	/* Only on a terminal; main.c erases it before the summary. */
	report_progress(sc->rep, now, stderr);
}

static int
scen_make_run_dir(struct scen *sc)
{
	struct report *rep = sc->rep;
	const char *tmp = getenv("TMPDIR");

	if (tmp == NULL || *tmp == '\0')
		tmp = "/tmp";
	if (snprintf(rep->run_dir, sizeof rep->run_dir, "%s/sqlstorm.XXXXXX",
	    tmp) >= (int)sizeof rep->run_dir) {
		scen_hard(rep, "TMPDIR is too long");
		return -1;
	}
	if (mkdtemp(rep->run_dir) == NULL) {
		scen_hard(rep, "cannot create a run directory in %s: %s", tmp,
		    strerror(errno));
		rep->run_dir[0] = '\0';
		return -1;
	}
	if (sc->cfg->db != NULL)
		util_strlcpy(rep->db_path, sc->cfg->db, sizeof rep->db_path);
	else if (snprintf(rep->db_path, sizeof rep->db_path, "%s/sqlstorm.db",
	    rep->run_dir) >= (int)sizeof rep->db_path) {
		scen_hard(rep, "run directory path is too long");
		return -1;
	}
	return 0;
}

/*
 * The store sidecar, after fork: it becomes the guardian of the store
 * command (its output goes to store.log, rotated; its whole process group
 * dies with the guardian's parent, and nothing the shell left behind
 * outlives it).  The guardian speaks no protocol: like the exec'd shell
 * it replaces, it holds none of the run's pipes.
 */
static int
scen_sidecar_main(struct child_ctx *ctx, void *arg)
{
	const struct scenario_params *p = arg;
	char log[PATH_MAX];
	char *cmd;

	util_close(&ctx->report_fd);
	util_close(&ctx->start_fd);
	util_close(&ctx->shutdown_fd);
	snprintf(log, sizeof log, "%s/store.log", p->run_dir);
	cmd = shellcmd_expand(p->cfg->store_cmd, p->db_path, NULL);
	if (cmd != NULL)
		command_guard(cmd, log, p->db_path, p->run_dir, ctx->parent_pid);
	return 127;
}

/*
 * A failed sidecar's verdict carries the tail of its log: called by the
 * supervisor when it judges the end of a child that failed.
 */
static void
scen_fate_note(void *user, int child, char *buf, size_t cap)
{
	struct scen *sc = user;
	char log[PATH_MAX], tail[160];

	if (child < 0 || child != sc->params.store_id)
		return;
	snprintf(log, sizeof log, "%s/store.log", sc->rep->run_dir);
	command_tail(log, 3, tail, sizeof tail);
	snprintf(buf, cap, "its log ends: %s", tail);
}


/* --plot: when each fault was due, named as in the spec ("w1 error=BUSY"). */
static void
scen_fault_marks(struct scen *sc)
{
	const struct sup_result *r = &sc->rep->sup;
	char who[24], what[128];
	size_t i;

	if (sc->cfg->plot == NULL || r->start_ns == 0)
		return;
	for (i = 0; i < sc->faults.n; i++) {
		const struct fault *f = &sc->faults.v[i];

		if (f->child >= 0)
			snprintf(who, sizeof who, "w%d", f->child);
		else
			snprintf(who, sizeof who, "%s",
			    f->child == SCENARIO_VALIDATOR ? "validator" :
			    "maint");
		snprintf(what, sizeof what, "%s %s%s%s", who,
		    fault_action_name(&scenario_faults, f->action),
		    f->arg_name[0] != '\0' && strcmp(f->arg_name, "?") != 0 ?
		    "=" : "", strcmp(f->arg_name, "?") != 0 ? f->arg_name : "");
		(void)report_mark_add(sc->rep, fault_when(f, r->start_ns,
		    r->deadline_ns), what);
	}
}

/*
 * Build the child table: the workers, the validator, the maintenance
 * child (with --maintain), the sidecar (always last); the ids in params
 * say where each one is.
 */
static struct sup_spec *
scen_specs(struct scen *sc, size_t *n)
{
	int nw = sc->params.nworkers, i, k;
	struct sup_spec *specs = calloc((size_t)nw + 3, sizeof *specs);

	if (specs == NULL)
		return NULL;
	for (i = 0; i < nw; i++) {
		snprintf(specs[i].name, sizeof specs[i].name, "w%d", i);
		specs[i].fault_index = i;
		specs[i].main = worker_main;
		specs[i].arg = &sc->params;
		specs[i].worker = 1;
	}
	util_strlcpy(specs[nw].name, "validator", sizeof specs[nw].name);
	specs[nw].fault_index = SCENARIO_VALIDATOR;
	specs[nw].main = validator_main;
	specs[nw].arg = &sc->params;
	sc->params.validator_id = nw;
	k = nw + 1;
	sc->params.maint_id = sc->params.store_id = -1;
	if (sc->cfg->maintain != NULL) {
		util_strlcpy(specs[k].name, "maint", sizeof specs[k].name);
		specs[k].fault_index = SCENARIO_MAINT;
		specs[k].main = maintain_main;
		specs[k].arg = &sc->params;
		sc->params.maint_id = k++;
	}
	if (sc->cfg->store_cmd != NULL) {
		/* Started before the workers are released; stopped after them. */
		util_strlcpy(specs[k].name, "store", sizeof specs[k].name);
		specs[k].fault_index = SCEN_NO_FAULTS;
		specs[k].main = scen_sidecar_main;
		specs[k].arg = &sc->params;
		specs[k].external = 1;
		sc->params.store_id = k++;
	}
	*n = (size_t)k;
	return specs;
}

static int
scen_supervise(struct scen *sc)
{
	const struct config *cfg = sc->cfg;
	struct sup_options opt;
	struct sup_spec *specs;
	size_t n;
	int rc;

	specs = scen_specs(sc, &n);
	if (specs == NULL) {
		scen_hard(sc->rep, "out of memory");
		return -1;
	}
	memset(&opt, 0, sizeof opt);
	opt.duration_ns = cfg->duration_ns;
	opt.grace_ns = cfg->grace_ns;
	opt.kill_after_ns = SCEN_KILL_AFTER_NS;
	opt.ready_timeout_ns = SCEN_READY_TIMEOUT_NS;
	opt.policy = cfg->late_errors;
	opt.codes = &scenario_codes;
	opt.faults = &sc->faults;
	opt.on_record = scen_on_record;
	opt.on_eof = scen_on_eof;
	opt.on_tick = scen_on_tick;
	opt.trace = sc->trace;
	opt.fate_note = scen_fate_note;
	opt.cut_ns = powerloss_cut_ns(cfg);
	if (sc->nemesis.n > 0) {
		opt.nemesis = &sc->nemesis;
		opt.nemesis_seed = cfg->seed;
		/* A wait that began inside a disruption ends this much later. */
		opt.nemesis_slack_ns = cfg->busy_timeout_ns;
		opt.on_kill = scen_on_kill;
		opt.on_restart = scen_on_restart;
	}
	opt.user = sc;
	rc = sup_run(&opt, specs, n, &sc->rep->sup);
	if (rc == 0)
		scen_fault_marks(sc);
	if (rc < 0)
		scen_hard(sc->rep, "cannot start the children: %s",
		    strerror(errno));
	free(specs);
	return rc;
}

/*
 * Acknowledged rows missing from the final database: a prefix 1..k can
 * break at one deleted row while the rows after it are all there, so
 * count what is held between k and the last ACK instead of acked - k.
 */
static void
scen_lost(struct scen *sc, const struct validate_result *vr)
{
	struct report *rep = sc->rep;
	char err[512];
	uint64_t held;
	int w;

	for (w = 0; w < sc->params.nworkers; w++) {
		uint64_t acked = ledger_acked(sc->ledger, w), lost;

		rep->workers[w].final_k = vr->k[w];
		if (vr->k[w] >= acked)
			continue;
		lost = acked - vr->k[w];
		if (validate_count_seqs(rep->db_path, sc->params.wl, w,
		    vr->k[w] + 1, acked, &held, err, sizeof err) == 0 &&
		    held < lost) {
			lost -= held;
			ledger_set_lost(sc->ledger, w, lost);
		}
		rep->lost_rows += lost;
	}
}

/*
 * Nothing tested, nothing passed: in a run long enough to matter, every
 * worker must have committed and, with snapshots on, one must have been
 * taken.  --coverage report states it in the summary instead.
 */
static void
scen_coverage(struct scen *sc, int64_t now)
{
	struct report *rep = sc->rep;
	struct report_coverage cov;
	char starved[REPORT_STARVED_MAX], every[32];

	/*
	 * A store that never gave a copy was never tested: not ready all
	 * run long is a failure under either policy, however short the run.
	 */
	if (rep->nunready > 0 && !sc->restored) {
		duration_format(sc->cfg->store_warmup_ns, every, sizeof every);
		(void)sup_event_add(&rep->sup, SUP_EV_COVERAGE, -1,
		    SUP_NO_SNAPSHOT, VERDICT_FAILURE, now,
		    "store never ready: %zu restore%s gave no copy "
		    "(--store-warmup %s); the first: %s", rep->nunready,
		    rep->nunready == 1 ? "" : "s", every,
		    rep->unready[0].problem);
	}
	report_coverage(rep, &cov);
	if (!cov.judged || sc->cfg->coverage != CONFIG_COVERAGE_STRICT)
		return;
	if (report_starved(rep, starved, sizeof starved) > 0)
		(void)sup_event_add(&rep->sup, SUP_EV_COVERAGE, -1,
		    SUP_NO_SNAPSHOT, VERDICT_FAILURE, now,
		    "coverage: workers that never committed: %s", starved);
	if (cov.snapshots_on && cov.snapshots_taken == 0) {
		duration_format(sc->cfg->validate_every_ns, every,
		    sizeof every);
		(void)sup_event_add(&rep->sup, SUP_EV_COVERAGE, -1,
		    SUP_NO_SNAPSHOT, VERDICT_FAILURE, now,
		    "coverage: no snapshot was taken (%llu scheduled, "
		    "--validate-every %s)",
		    (unsigned long long)cov.snapshots_scheduled, every);
	}
}

/* The final check is always full: integrity_check, every fill byte. */
static int
scen_check_final(struct scen *sc, void *model, struct validate_result *vr,
    char *err, size_t errlen, int *code)
{
	struct validate_opts o;

	memset(&o, 0, sizeof o);
	o.wl = sc->params.wl;
	o.model = model;
	o.nworkers = sc->params.nworkers;
	o.fill_rows = sc->params.fill_rows;
	o.fill_seed = sc->cfg->seed;
	return validate_file_opts(sc->rep->db_path, &o, vr, err, errlen, code);
}

/* Each copy's replication lag, once the ledger has judged them all. */
static void
scen_lags(struct scen *sc)
{
	struct report *rep = sc->rep;
	size_t i;

	for (i = 0; i < rep->nsnapshots; i++) {
		struct report_snapshot *s = &rep->snapshots[i];

		s->lag_known = ledger_snapshot_lag(sc->ledger, s->index,
		    &s->lag_ns) == 0;
	}
}

/* The final database, against every ACK; runs after every child is gone. */
static void
scen_final(struct scen *sc)
{
	struct report *rep = sc->rep;
	const struct workload *wl = sc->params.wl;
	struct validate_result vr;
	char err[512];
	int code = 0, rc = -1;
	int64_t now = util_now_ns();
	void *model = NULL;

	scen_sample_file(sc, 1);
	(void)ledger_evaluate(sc->ledger, 1, scen_fail, sc);
	scen_lags(sc);
	scen_coverage(sc, now);
	iofault_judge(&sc->nemesis, rep, sc->last_ack_ns);
	iofault_judge_workers(rep, sc->params.nworkers, sc->fire_w, sc->ack_w);
	/* After a power cut the images are the final database. */
	if (rep->sup.cut_ns != 0) {
		powerloss_judge(&sc->params, sc->ledger, rep);
		return;
	}
	memset(&vr, 0, sizeof vr);
	/* The final check replays every worker's ops from the start. */
	if (wl->model_new != NULL &&
	    (model = wl->model_new(sc->cfg, sc->params.nworkers)) == NULL)
		snprintf(err, sizeof err, "out of memory for the model");
	else
		rc = scen_check_final(sc, model, &vr, err, sizeof err, &code);
	if (wl->model_free != NULL)
		wl->model_free(model);
	if (rc < 0) {
		(void)sup_event_add(&rep->sup, SUP_EV_FINAL, -1,
		    SUP_NO_SNAPSHOT, VERDICT_FAILURE, now,
		    "final database: %s", err);
		return;
	}
	rep->final_checked = 1;
	rep->final_rows = vr.rows;
	if (!vr.integrity_ok || !vr.rows_ok)
		(void)sup_event_add(&rep->sup, SUP_EV_FINAL, -1,
		    SUP_NO_SNAPSHOT, VERDICT_FAILURE, now,
		    "final database: %s", vr.problem);
	scen_lost(sc, &vr);
	(void)ledger_settle_cuts(sc->ledger, vr.k, sc->params.nworkers,
	    scen_fail, sc);
	(void)ledger_check_final(sc->ledger, vr.k, sc->params.nworkers,
	    scen_fail, sc);
	/*
	 * A run long enough to commit must have: a tool that tested nothing
	 * must not pass, even with --coverage report.  (A 1 ms run may
	 * rightly commit nothing, and an interrupted run is not a pass, nor
	 * was it that long.)
	 */
	if (vr.rows == 0 && rep->sup.nfailures == 0 && !rep->sup.interrupted &&
	    sc->cfg->duration_ns >= REPORT_MIN_USEFUL_NS)
		(void)sup_event_add(&rep->sup, SUP_EV_FINAL, -1,
		    SUP_NO_SNAPSHOT, VERDICT_FAILURE, now,
		    "final database: no row was committed in the whole run");
	rep->final_ok = vr.integrity_ok && vr.rows_ok;
	/* Failures are traced as events; the pass is traced here. */
	if (sc->trace != NULL && rep->final_ok)
		trace_verdict(sc->trace, "run", VERDICT_PASS, "final",
		    SUP_NO_SNAPSHOT, "integrity ok, rows gap-free");
	validate_result_free(&vr);
	if (sc->cfg->journal == CONFIG_JOURNAL_WAL)
		(void)store_checkpoint(rep->db_path);
}

/*
 * A worker that sent no DONE (a crash, a kill) left no totals: its rows
 * are its acknowledged prefix, its commits that many batches, and its
 * errors the ERROR records that came from it.
 */
static void
scen_undone(struct scen *sc, int w)
{
	struct report *rep = sc->rep;
	struct report_worker *rw = &rep->workers[w];
	uint64_t batch = (uint64_t)sc->cfg->batch;
	size_t i;

	rw->rows = rw->acked;
	rw->commits = (rw->acked + batch - 1) / batch;
	rw->errors = 0;
	for (i = 0; i < rep->sup.nevents; i++)
		rw->errors += rep->sup.events[i].child == w &&
		    rep->sup.events[i].kind == SUP_EV_ERROR;
}

/* What --nemesis did to worker w, from the supervisor and the ledger. */
static void
scen_nemesis_totals(struct scen *sc, int w)
{
	struct report_worker *rw = &sc->rep->workers[w];
	const struct sup_child *ch = &sc->rep->sup.children[w];
	struct ledger_nemesis ln;
	size_t i;

	ledger_nemesis_stats(sc->ledger, w, &ln);
	rw->kills = ch->kills;
	rw->restarts = ch->restarts;
	rw->pauses = ch->pauses;
	rw->indeterminate = ln.indeterminate;
	rw->present = ln.present;
	rw->absent = ln.absent;
	/* Its DONE counted only the last life's errors. */
	if (ch->kills > 0) {
		rw->errors = 0;
		for (i = 0; i < sc->rep->sup.nevents; i++)
			rw->errors += sc->rep->sup.events[i].child == w &&
			    sc->rep->sup.events[i].kind == SUP_EV_ERROR;
	}
}

static void
scen_totals(struct scen *sc)
{
	struct report *rep = sc->rep;
	int w;

	for (w = 0; w < rep->nworkers; w++) {
		const struct sup_child *ch = &rep->sup.children[w];
		struct report_worker *rw = &rep->workers[w];

		if (!rw->done)
			scen_undone(sc, w);
		else {
			/* Earlier lives, cut by --nemesis, sent no DONE. */
			rw->rows += rw->prev_rows;
			rw->commits += rw->prev_commits;
		}
		scen_nemesis_totals(sc, w);
		rep->inserts += rw->rows;
		rep->commits += rw->commits;
		rep->acked_rows += ledger_acked(sc->ledger, w);
		/* Judged once, by the supervisor. */
		rw->verdict = ch->verdict;
		util_strlcpy(rw->reason, ch->reason, sizeof rw->reason);
	}
}

/* Passing snapshots go; failing ones stay for the post-mortem. */
static void
scen_cleanup(struct scen *sc)
{
	struct report *rep = sc->rep;
	int failed = rep->sup.nfailures > 0 || rep->interrupted;
	size_t i;

	if (rep->run_dir[0] == '\0')
		return;
	for (i = 0; i < rep->nsnapshots; i++) {
		char path[PATH_MAX];

		if (!rep->snapshots[i].ok)
			continue;
		snprintf(path, sizeof path, "%s/snap-%u.db", rep->run_dir,
		    rep->snapshots[i].index);
		(void)unlink(path);
	}
	/*
	 * A hard error is a usage problem: leave nothing behind, not even
	 * with --keep, and not the user's database file if this run made it.
	 */
	if (rep->exit_code == 99 && sc->cfg->db != NULL)
		store_remove(sc->made);
	if (rep->exit_code != 99 && (sc->cfg->keep || failed)) {
		/* With the user's --db an empty run directory tells nothing. */
		rep->kept = !(sc->cfg->db != NULL && rmdir(rep->run_dir) == 0);
		return;
	}
	(void)util_rmtree(rep->run_dir);
}

/*
 * --trace FILE: opened before anything runs (a path that cannot be
 * written is a usage error, exit 99), line-buffered so a hung run can be
 * followed with tail -f, and handed to the supervisor, which traces every
 * record and verdict; the verdicts this scenario takes after the run go
 * through sup_event_add() and are traced too.
 */
static int
scen_open_trace(struct scen *sc)
{
	if (sc->cfg->trace == NULL)
		return 0;
	sc->trace = fopen(sc->cfg->trace, "w");
	if (sc->trace == NULL) {
		scen_hard(sc->rep, "cannot open the trace file %s: %s",
		    sc->cfg->trace, strerror(errno));
		return -1;
	}
	(void)setvbuf(sc->trace, NULL, _IOLBF, 0);
	sc->rep->sup.trace = sc->trace;
	trace_line(sc->trace, "run", "sqlstorm trace: seed %llu, %d workers",
	    (unsigned long long)sc->cfg->seed, sc->cfg->workers);
	return 0;
}

static void
scen_close_trace(struct scen *sc)
{
	if (sc->trace == NULL)
		return;
	trace_line(sc->trace, "run", "end: exit code %d", sc->rep->exit_code);
	(void)fclose(sc->trace);
	sc->trace = NULL;
	sc->rep->sup.trace = NULL;
}

/* The children --nemesis may name besides the workers. */
static int
scen_parse_nemesis(struct scen *sc, char *err, size_t cap)
{
	const char *names[] = { "validator", NULL, NULL, NULL };
	int n = 1;

	if (sc->cfg->maintain != NULL)
		names[n++] = "maint";
	if (sc->cfg->store_cmd != NULL)
		names[n++] = "store";
	if (nemesis_parse(sc->cfg->nemesis, sc->cfg->workers, names,
	    &sc->nemesis, err, cap) < 0)
		return -1;
	return iofault_plan_check(sc->cfg, &sc->nemesis, err, cap);
}

/*
 * --populate: grow the file after the schema, before any fork; the
 * checks learn its rows through params.
 */
static int
scen_populate(struct scen *sc)
{
	uint64_t target = 0;
	char err[512];

	if (sc->cfg->populate == NULL || populate_size_parse(sc->cfg->populate,
	    &target, err, sizeof err) < 0 || target == 0)
		return 0;
	if (populate_run(sc->rep->db_path, target, sc->cfg->seed,
	    config_journal_name(sc->cfg->journal), &sc->rep->populate, err,
	    sizeof err) < 0) {
		scen_hard(sc->rep, "--populate: %s", err);
		return -1;
	}
	sc->params.fill_rows = sc->rep->populate.rows;
	return 0;
}

static int
scen_prepare(struct scen *sc)
{
	const struct config *cfg = sc->cfg;
	struct report *rep = sc->rep;
	char err[512];
	enum store_status ss;
	int rc;

	if (fault_parse(cfg->fault, cfg->workers, &scenario_faults, &sc->faults,
	    err, sizeof err) < 0) {
		scen_hard(rep, "--fault: %s", err);
		return -1;
	}
	if (cfg->nemesis != NULL && scen_parse_nemesis(sc, err,
	    sizeof err) < 0) {
		scen_hard(rep, "--nemesis: %s", err);
		return -1;
	}
	sc->ledger = ledger_new(cfg->workers);
	rep->workers = calloc((size_t)cfg->workers, sizeof *rep->workers);
	sc->snap_k = calloc((size_t)cfg->workers, sizeof *sc->snap_k);
	sc->ack_w = calloc((size_t)cfg->workers, sizeof *sc->ack_w);
	sc->fire_w = calloc((size_t)cfg->workers, sizeof *sc->fire_w);
	if (sc->ledger == NULL || rep->workers == NULL || sc->snap_k == NULL ||
	    sc->ack_w == NULL || sc->fire_w == NULL) {
		scen_hard(rep, "out of memory");
		return -1;
	}
	ledger_set_max_lag(sc->ledger, cfg->max_lag_ns);
	if (powerloss_wanted(cfg))
		ledger_keep_history(sc->ledger);
	rep->nworkers = cfg->workers;
	if (store_use(cfg, err, sizeof err) < 0 ||
	    storage_check(cfg, err, sizeof err) < 0) {
		scen_hard(rep, "%s", err);
		return -1;
	}
	if (scen_make_run_dir(sc) < 0)
		return -1;
	sc->params.wl = workload_for(cfg);
	ss = store_prepare(cfg, sc->params.wl, rep->db_path, cfg->db != NULL,
	    sc->made, sizeof sc->made, err, sizeof err);
	/* A file: URI's file, for stat, {db} and the report. */
	util_strlcpy(rep->db_path, store_db_file(), sizeof rep->db_path);
	util_strlcpy(rep->vfs, store_vfs_name(), sizeof rep->vfs);
	if (ss == STORE_HARD) {
		scen_hard(rep, "%s", err);
		return -1;
	}
	if (ss == STORE_CORRUPT) {
		/* A verdict, not a usage error: the store is already broken. */
		(void)sup_event_add(&rep->sup, SUP_EV_SETUP, -1,
		    SUP_NO_SNAPSHOT, VERDICT_FAILURE, util_now_ns(), "%s", err);
		return 1;
	}
	if ((rc = scen_populate(sc)) != 0)
		return rc;
	/* The crash model starts from files a power loss could not touch. */
	if (powerloss_wanted(cfg) &&
	    powerloss_sync_start(rep->db_path, err, sizeof err) < 0) {
		scen_hard(rep, "%s", err);
		return -1;
	}
	return 0;
}

/*
 * An interrupt that came after the children were gone (during the final
 * checks) still stops the run: it is reported, never lost.  One that came
 * during setup was taken by sup_run() itself.
 */
static void
scen_late_interrupt(struct scen *sc)
{
	int sig = sup_signal_take(NULL);

	if (sig == 0 || sc->rep->sup.interrupted)
		return;
	sup_result_interrupted(&sc->rep->sup, sig);
	sc->rep->interrupted = 1;
}

int
scenario_run(const struct config *cfg, struct report *rep)
{
	struct scen sc;
	int rc;

	report_init(rep, cfg);
	memset(&sc, 0, sizeof sc);
	sc.cfg = cfg;
	sc.rep = rep;
	rep->seed = cfg->seed;
	util_strlcpy(rep->journal_mode, config_journal_name(cfg->journal),
	    sizeof rep->journal_mode);
	(void)config_repro(cfg, "sqlstorm", rep->repro, sizeof rep->repro);
	rc = scen_open_trace(&sc);
	if (rc == 0)
		rc = scen_prepare(&sc);
	if (rc == 0) {
		sc.params.cfg = cfg;
		sc.params.db_path = rep->db_path;
		sc.params.run_dir = rep->run_dir;
		sc.params.nworkers = cfg->workers;
		if (scen_supervise(&sc) == 0) {
			rep->interrupted = rep->sup.interrupted;
			scen_final(&sc);
			scen_totals(&sc);
			scen_late_interrupt(&sc);
		}
	}
	if (rep->exit_code != 99)
		rep->exit_code = rep->sup.nfailures > 0 || rep->interrupted;
	scen_cleanup(&sc);
	free(sc.snap_k);
	free(sc.ack_w);
	free(sc.fire_w);
	ledger_free(sc.ledger);
	fault_free(&sc.faults);
	nemesis_free(&sc.nemesis);
	scen_close_trace(&sc);
	return rep->exit_code;
}
