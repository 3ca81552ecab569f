/* SPDX-License-Identifier: MIT */
/*
 * report-json: the whole report as one JSON document (schema in the
 * doc/reports.md, "JSON") and the string escaping it needs; the file
 * it goes to is written by report-file.c.  Every number here is read from the
 * report; nothing is judged again.  It does not stream during the run:
 * the file appears once, when the run is over.
 */
#include "autoconf.h"
#include "report-out.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <sqlite3.h>

#include "util.h"

/*
 * Bump when a key changes meaning or goes away (adding keys is fine).
 * 2: with --repeat the top level is the aggregate, "runs" each run.
 */
#define REPORT_JSON_SCHEMA 2

/* --------------------------------------------------------------- UTF-8 */

size_t
report_utf8_len(const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	uint32_t cp;
	size_t n, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] < 0xC2)        /* a continuation byte, or an overlong pair */
		return 0;
	if (s[0] < 0xE0) {
		n = 2;
		cp = s[0] & 0x1F;
	} else if (s[0] < 0xF0) {
		n = 3;
		cp = s[0] & 0x0F;
	} else if (s[0] < 0xF5) {
		n = 4;
		cp = s[0] & 0x07;
	} else
		return 0;
	/* A NUL fails the continuation test, so we never read past it. */
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3F);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	return n;
}

/* ---------------------------------------------------------- JSON text */

/* The short escape of c, or NULL. */
static const char *
report_json_short(unsigned char c)
{
	switch (c) {
	case '"':  return "\\\"";
	case '\\': return "\\\\";
	case '\b': return "\\b";
	case '\f': return "\\f";
	case '\n': return "\\n";
	case '\r': return "\\r";
	case '\t': return "\\t";
	default:   return NULL;
	}
}

void
report_json_string(FILE *fp, const char *s)
{
	if (s == NULL) {
		fputs("null", fp);
		return;
	}
	fputc('"', fp);
	while (*s != '\0') {
		unsigned char c = (unsigned char)*s;
		const char *esc = report_json_short(c);
		size_t n;

		if (esc != NULL) {
			fputs(esc, fp);
			s++;
		} else if (c < 0x20 || c == 0x7F) {
			fprintf(fp, "\\u%04x", c);
			s++;
		} else if ((n = report_utf8_len(s)) == 0) {
			/* One replacement per bad byte: the count stays visible. */
			fputs("\\ufffd", fp);
			s++;
		} else {
			fwrite(s, 1, n, fp);
			s += n;
		}
	}
	fputc('"', fp);
}

/* Milliseconds from nanoseconds, exact: "1500", "0.25", "-3.000001". */
static void
report_json_ms(FILE *fp, int64_t ns)
{
	uint64_t a = ns < 0 ? (uint64_t)0 - (uint64_t)ns : (uint64_t)ns;
	unsigned long long rem = a % 1000000;
	char frac[8];
	int i;

	fprintf(fp, "%s%llu", ns < 0 ? "-" : "",
	    (unsigned long long)(a / 1000000));
	if (rem == 0)
		return;
	snprintf(frac, sizeof frac, "%06llu", rem);
	for (i = 5; i > 0 && frac[i] == '0'; i--)
		frac[i] = '\0';
	fprintf(fp, ".%s", frac);
}

/* Members of one object: a separator before all but the first. */
struct jobj {
	FILE       *fp;
	const char *sep;
	int         n;
};

static void
jkey(struct jobj *j, const char *key)
{
	if (j->n++ > 0)
		fputs(j->sep, j->fp);
	fprintf(j->fp, "\"%s\": ", key);
}

static void
jstr(struct jobj *j, const char *key, const char *v)
{
	jkey(j, key);
	report_json_string(j->fp, v);
}

/* A string that is null when empty (an optional reason, a path). */
static void
jopt(struct jobj *j, const char *key, const char *v)
{
	jstr(j, key, v != NULL && *v != '\0' ? v : NULL);
}

static void
ju64(struct jobj *j, const char *key, uint64_t v)
{
	jkey(j, key);
	fprintf(j->fp, "%llu", (unsigned long long)v);
}

static void
jint(struct jobj *j, const char *key, long long v)
{
	jkey(j, key);
	fprintf(j->fp, "%lld", v);
}

static void
jbool(struct jobj *j, const char *key, int v)
{
	jkey(j, key);
	fputs(v ? "true" : "false", j->fp);
}

static void
jnull(struct jobj *j, const char *key)
{
	jkey(j, key);
	fputs("null", j->fp);
}

static void
jms(struct jobj *j, const char *key, int64_t ns)
{
	jkey(j, key);
	report_json_ms(j->fp, ns);
}

/* Milliseconds since the clock started, null if either end is unknown. */
static void
jrel(struct jobj *j, const char *key, const struct report *rep, int64_t t)
{
	if (t == 0 || rep->sup.start_ns == 0)
		jnull(j, key);
	else
		jms(j, key, t - rep->sup.start_ns);
}

static const char *
report_json_who(const struct report *rep, int child)
{
	if (child >= 0 && (size_t)child < rep->sup.nchildren)
		return rep->sup.children[child].name;
	return "run";
}

static const char *
report_json_state(const struct report *rep)
{
	if (rep->exit_code == 99)
		return "error";
	if (rep->interrupted)
		return "interrupted";
	return rep->exit_code == 0 ? "pass" : "fail";
}

/* ------------------------------------------------------------ sections */

static void
report_json_config(const struct report *rep, FILE *fp)
{
	const struct config *cfg = rep->cfg;
	struct jobj j = { fp, ",\n    ", 0 };
	char seed[24];

	fputs("{\n    ", fp);
	jms(&j, "duration_ms", cfg->duration_ns);
	jint(&j, "workers", cfg->workers);
	jms(&j, "interval_ms", cfg->interval_ns);
	jint(&j, "batch", cfg->batch);
	jint(&j, "rate", (long long)cfg->rate);
	jstr(&j, "pattern", pace_pattern_names[cfg->pattern]);
	jms(&j, "validate_every_ms", cfg->validate_every_ns);
	jms(&j, "grace_ms", cfg->grace_ns);
	jms(&j, "busy_timeout_ms", cfg->busy_timeout_ns);
	jstr(&j, "db", cfg->db);
	jstr(&j, "vfs", cfg->vfs);
	jstr(&j, "load_extension", cfg->load_extension);
	jbool(&j, "keep", cfg->keep);
	jstr(&j, "journal", config_journal_name(cfg->journal));
	jstr(&j, "sync", config_sync_name(cfg->sync));
	/* A string: a seed may exceed 2^53, where JSON readers round. */
	snprintf(seed, sizeof seed, "%llu", (unsigned long long)rep->seed);
	jstr(&j, "seed", seed);
	jstr(&j, "late_errors", config_late_name(cfg->late_errors));
	jstr(&j, "json", cfg->json);
	jstr(&j, "junit", cfg->junit);
	jbool(&j, "tap", cfg->tap);
	jbool(&j, "quiet", cfg->quiet);
	jstr(&j, "fault", cfg->fault);
	jint(&j, "repeat", cfg->repeat);
	jbool(&j, "until_fail", cfg->until_fail);
	jstr(&j, "store_cmd", cfg->store_cmd);
	jstr(&j, "restore_cmd", cfg->restore_cmd);
	jms(&j, "restore_timeout_ms", cfg->restore_timeout_ns);
	jms(&j, "max_lag_ms", cfg->max_lag_ns);
	jms(&j, "store_warmup_ms", cfg->store_warmup_ns);
	fputs("\n  }", fp);
}

static void
report_json_sqlite(const struct report *rep, FILE *fp)
{
	struct jobj j = { fp, ",\n    ", 0 };
	const char *opt;
	int i;

	fputs("{\n    ", fp);
	jstr(&j, "version", sqlite3_libversion());
	jint(&j, "version_number", sqlite3_libversion_number());
	jstr(&j, "source_id", sqlite3_sourceid());
	jkey(&j, "compile_options");
	fputc('[', fp);
	for (i = 0; (opt = sqlite3_compileoption_get(i)) != NULL; i++) {
		fputs(i > 0 ? ", " : "", fp);
		report_json_string(fp, opt);
	}
	fputc(']', fp);
	jstr(&j, "journal_mode", rep->journal_mode);
	jstr(&j, "filesystem", rep->fs_type[0] != '\0' ? rep->fs_type :
	    "unknown");
	fputs("\n  }", fp);
}

static void
report_json_hist(const uint64_t *h, FILE *fp)
{
	struct jobj j = { fp, ", ", 0 };

	/* Bucket upper bounds in microseconds; ms keep three decimals. */
	fputc('{', fp);
	jms(&j, "p50", (int64_t)report_hist_percentile_us(h, 50) * 1000);
	jms(&j, "p90", (int64_t)report_hist_percentile_us(h, 90) * 1000);
	jms(&j, "p99", (int64_t)report_hist_percentile_us(h, 99) * 1000);
	jms(&j, "max", (int64_t)report_hist_percentile_us(h, 100) * 1000);
	fputc('}', fp);
}

/*
 * --rate: {"scheduled": 8000, "done": 7998, "behind_max_ms": 35,
 * "behind_end_ms": 0}, and for the run the rate, the pattern, the
 * workers that reported and "latency_ms" from the intended start; null
 * without --rate (or, for a worker, when it sent no figures).
 */
static void
report_json_pace(const struct report *rep, const struct report_pace *p,
    int run, FILE *fp)
{
	struct jobj j = { fp, ", ", 0 };
	const uint64_t *h = rep->pace_hist;

	if (rep->cfg == NULL || rep->cfg->rate == 0 ||
	    (!run && p->reported == 0)) {
		fputs("null", fp);
		return;
	}
	fputc('{', fp);
	if (run) {
		jint(&j, "rate", (long long)rep->cfg->rate);
		jstr(&j, "pattern", pace_pattern_names[rep->cfg->pattern]);
		jint(&j, "workers_reported", p->reported);
	}
	ju64(&j, "scheduled", p->scheduled);
	ju64(&j, "done", p->done);
	jms(&j, "behind_max_ms", p->behind_max_ns);
	jms(&j, "behind_end_ms", p->behind_end_ns);
	if (run) {
		jkey(&j, "latency_ms");
		report_json_hist(h, fp);
	}
	fputc('}', fp);
}

/* Why an expected error was expected, as the supervisor stored it. */
static const char *
report_json_cause(enum classify_cause c)
{
	return c == CLASSIFY_CAUSE_SHUTDOWN ? "shutdown" :
	    c == CLASSIFY_CAUSE_NEMESIS ? "nemesis" :
	    c == CLASSIFY_CAUSE_POLICY ? "policy" :
	    c == CLASSIFY_CAUSE_INJECTED ? "injected" : NULL;
}

/* --nemesis io: one object per item, and the injected errors. */
static void
report_json_io(const struct report *rep, struct jobj *j)
{
	size_t i;

	if (rep->nio == 0)
		return;
	ju64(j, "injected_errors", rep->sup.nexpected_injected);
	jkey(j, "io");
	fputc('[', j->fp);
	for (i = 0; i < rep->nio; i++) {
		const struct report_io *io = &rep->io[i];
		struct jobj k = { j->fp, ", ", 0 };

		fputs(i > 0 ? ", {" : "{", j->fp);
		jstr(&k, "item", io->item);
		ju64(&k, "armed", io->armed);
		ju64(&k, "fired", io->fired);
		ju64(&k, "expected", io->expected);
		ju64(&k, "absorbed", io->absorbed);
		if (io->resumed < 0)
			jnull(&k, "writes_resumed");
		else
			jbool(&k, "writes_resumed", io->resumed);
		fputc('}', j->fp);
	}
	fputc(']', j->fp);
}

/* --nemesis: what it did to one worker, and how the cut commits ended. */
static void
report_json_worker_nemesis(const struct report_worker *rw, struct jobj *j)
{
	jkey(j, "nemesis");
	fprintf(j->fp, "{\"kills\": %llu, \"restarts\": %llu, \"pauses\": "
	    "%llu, \"indeterminate\": %llu, \"present\": %llu, "
	    "\"absent\": %llu}", (unsigned long long)rw->kills,
	    (unsigned long long)rw->restarts, (unsigned long long)rw->pauses,
	    (unsigned long long)rw->indeterminate,
	    (unsigned long long)rw->present, (unsigned long long)rw->absent);
}

/* --nemesis for the run: the spec, disruptions by kind, their errors. */
static void
report_json_nemesis(const struct report *rep, struct jobj *j)
{
	uint64_t ind = 0, present = 0, absent = 0;
	int w;

	for (w = 0; w < rep->nworkers; w++) {
		ind += rep->workers[w].indeterminate;
		present += rep->workers[w].present;
		absent += rep->workers[w].absent;
	}
	jkey(j, "nemesis");
	fputc('{', j->fp);
	{
		struct jobj k = { j->fp, ", ", 0 };

		jstr(&k, "spec", rep->cfg != NULL ? rep->cfg->nemesis : NULL);
		ju64(&k, "kills", rep->sup.nemesis_kills);
		ju64(&k, "restarts", rep->sup.nemesis_restarts);
		ju64(&k, "pauses", rep->sup.nemesis_pauses);
		ju64(&k, "indeterminate", ind);
		ju64(&k, "present", present);
		ju64(&k, "absent", absent);
		ju64(&k, "expected_errors", rep->sup.nexpected_nemesis);
		report_json_io(rep, &k);
	}
	fputc('}', j->fp);
}

static void
report_json_worker(const struct report *rep, int w, FILE *fp)
{
	const struct report_worker *rw = &rep->workers[w];
	struct jobj j = { fp, ", ", 0 };

	fputc('{', fp);
	jstr(&j, "name", report_json_who(rep, w));
	ju64(&j, "rows", rw->rows);
	ju64(&j, "commits", rw->commits);
	ju64(&j, "acked", rw->acked);
	ju64(&j, "final", rw->final_k);
	ju64(&j, "last_seq", rw->last_seq);
	ju64(&j, "busy_waits", rw->busy_waits);
	jms(&j, "busy_ms", rw->busy_ns);
	ju64(&j, "errors", rw->errors);
	jbool(&j, "done", rw->done);
	jkey(&j, "schedule");
	report_json_pace(rep, &rw->pace, 0, fp);
	report_json_worker_nemesis(rw, &j);
	jstr(&j, "verdict", classify_verdict_name(rw->verdict));
	jopt(&j, "reason", rw->reason);
	fputc('}', fp);
}

static void
report_json_child(const struct report *rep, size_t i, FILE *fp)
{
	const struct sup_child *ch = &rep->sup.children[i];
	struct jobj j = { fp, ", ", 0 };

	fputc('{', fp);
	jstr(&j, "name", ch->name);
	jint(&j, "pid", (long long)ch->pid);
	ju64(&j, "records", ch->records);
	jrel(&j, "reaped_ms", rep, ch->t_reaped);
	/* As the supervisor judged it, once. */
	jstr(&j, "verdict", classify_verdict_name(ch->verdict));
	jopt(&j, "reason", ch->reason);
	fputc('}', fp);
}

/* An ERROR record, or (kind "check") a failure found another way. */
static void
report_json_event(const struct report *rep, const struct sup_event *ev,
    FILE *fp)
{
	struct jobj j = { fp, ", ", 0 };
	const struct wire_error *e = &ev->err;

	fputc('{', fp);
	jstr(&j, "child", report_json_who(rep, ev->child));
	jstr(&j, "kind", ev->kind == SUP_EV_ERROR ? "error" :
	    ev->kind == SUP_EV_NEMESIS ? "nemesis" : "check");
	jstr(&j, "type", sup_event_kind_name(ev->kind));
	if (ev->snapshot != SUP_NO_SNAPSHOT)
		jint(&j, "snapshot", ev->snapshot);
	else
		jnull(&j, "snapshot");
	if (ev->kind == SUP_EV_ERROR) {
		jstr(&j, "code", ev->code_name);
		jint(&j, "code_num", e->code);
		jint(&j, "extended", e->extended);
		jint(&j, "errno", e->sys_errno);
		jstr(&j, "op", wire_op_name(e->op));
		jstr(&j, "message", e->message);
	} else {
		jnull(&j, "code");
		jnull(&j, "code_num");
		jnull(&j, "extended");
		jnull(&j, "errno");
		jnull(&j, "op");
		jnull(&j, "message");
	}
	jrel(&j, "t_ms", rep, ev->t_ns);
	if (ev->kind == SUP_EV_ERROR) {
		jbool(&j, "late", ev->late);
		jbool(&j, "shutdown_seen", e->shutdown_seen);
	} else {
		jnull(&j, "late");
		jnull(&j, "shutdown_seen");
	}
	jstr(&j, "verdict", classify_verdict_name(ev->verdict));
	jstr(&j, "cause", report_json_cause(ev->cause));
	jstr(&j, "reason", ev->reason);
	fputc('}', fp);
}

static void
report_json_snapshot(const struct report *rep,
    const struct report_snapshot *s, FILE *fp)
{
	struct jobj j = { fp, ", ", 0 };

	fputc('{', fp);
	ju64(&j, "index", s->index);
	jrel(&j, "t_ms", rep, s->t_begin_ns);
	jms(&j, "took_ms", s->t_end_ns - s->t_begin_ns);
	jbool(&j, "ok", s->ok);
	jbool(&j, "final", s->final_restore);
	if (s->lag_known)
		jms(&j, "lag_ms", s->lag_ns);
	else
		jnull(&j, "lag_ms");
	ju64(&j, "rows", s->rows);
	jopt(&j, "problem", s->ok ? NULL : s->problem);
	fputc('}', fp);
}

/*
 * How long after the end of the run each group of children was reaped:
 * {"workers": 12, "validator": 35, "store": 8369}.
 */
static void
report_json_stopped(const struct report *rep, FILE *fp)
{
	struct jobj j = { fp, ", ", 0 };
	int64_t ms = report_stop_ms(rep, NULL);
	size_t i;

	fputc('{', fp);
	if (ms >= 0)
		jms(&j, "workers", ms * UTIL_NS_PER_MS);
	for (i = (size_t)rep->nworkers; i < rep->sup.nchildren; i++)
		if ((ms = report_stop_ms(rep, rep->sup.children[i].name)) >= 0)
			jms(&j, rep->sup.children[i].name, ms * UTIL_NS_PER_MS);
	fputc('}', fp);
}

/*
 * The copies' replication lag (the ledger's figure, which --max-lag
 * judges): {"copies": 12, "p50": 120, "p99": 980, "max": 1200}.
 */
static void
report_json_lag(const struct report *rep, struct jobj *j)
{
	int64_t p50, p99, max;
	size_t n = report_lag(rep, &p50, &p99, &max);
	struct jobj k = { j->fp, ", ", 0 };

	jkey(j, "lag_ms");
	fputc('{', j->fp);
	ju64(&k, "copies", n);
	jms(&k, "p50", p50);
	jms(&k, "p99", p99);
	jms(&k, "max", max);
	fputc('}', j->fp);
}

/* "[\n    {...},\n    {...}\n  ]", or "[]". */
static void
report_json_open(FILE *fp, size_t i)
{
	fputs(i == 0 ? "[\n    " : ",\n    ", fp);
}

static void
report_json_close(FILE *fp, size_t n)
{
	fputs(n == 0 ? "[]" : "\n  ]", fp);
}

static void
report_json_arrays(const struct report *rep, struct jobj *j)
{
	FILE *fp = j->fp;
	size_t i;

	jkey(j, "workers");
	for (i = 0; i < (size_t)rep->nworkers; i++) {
		report_json_open(fp, i);
		report_json_worker(rep, (int)i, fp);
	}
	report_json_close(fp, (size_t)rep->nworkers);
	jkey(j, "children");
	for (i = 0; i < rep->sup.nchildren; i++) {
		report_json_open(fp, i);
		report_json_child(rep, i, fp);
	}
	report_json_close(fp, rep->sup.nchildren);
	jkey(j, "errors");
	for (i = 0; i < rep->sup.nevents; i++) {
		report_json_open(fp, i);
		report_json_event(rep, &rep->sup.events[i], fp);
	}
	report_json_close(fp, rep->sup.nevents);
	jkey(j, "snapshots");
	for (i = 0; i < rep->nsnapshots; i++) {
		report_json_open(fp, i);
		report_json_snapshot(rep, &rep->snapshots[i], fp);
	}
	report_json_close(fp, rep->nsnapshots);
	jkey(j, "not_ready");
	for (i = 0; i < rep->nunready; i++) {
		report_json_open(fp, i);
		report_json_snapshot(rep, &rep->unready[i], fp);
	}
	report_json_close(fp, rep->nunready);
}

static void
report_json_final(const struct report *rep, FILE *fp)
{
	struct jobj j = { fp, ", ", 0 };

	fputc('{', fp);
	jbool(&j, "checked", rep->final_checked);
	jbool(&j, "ok", rep->final_checked && rep->final_ok);
	ju64(&j, "rows", rep->final_rows);
	fputc('}', fp);
}

/*
 * How snapshots were checked and kept pace (report_snap_pace()), and what
 * --populate wrote (null when off).
 */
static void
report_json_snap_pace(const struct report *rep, struct jobj *j)
{
	const struct populate_stats *ps = &rep->populate;
	struct report_snap_pace p;
	struct jobj o = { j->fp, ", ", 0 };

	report_snap_pace(rep, &p);
	jstr(j, "check", rep->cfg != NULL ?
	    config_check_name(rep->cfg->check) : NULL);
	jkey(j, "snapshot_pace");
	fputc('{', j->fp);
	ju64(&o, "started", p.started);
	ju64(&o, "scheduled", p.scheduled);
	jms(&o, "every_ms", p.every_ns);
	jms(&o, "mean_gap_ms", p.mean_gap_ns);
	jms(&o, "max_gap_ms", p.max_gap_ns);
	jbool(&o, "behind", p.on && p.behind);
	fputc('}', j->fp);
	if (ps->target == 0) {
		jnull(j, "populate");
		return;
	}
	jkey(j, "populate");
	o.n = 0;
	fputc('{', j->fp);
	ju64(&o, "target_bytes", ps->target);
	ju64(&o, "bytes", ps->bytes);
	ju64(&o, "added_bytes", ps->added);
	ju64(&o, "rows", ps->rows);
	jint(&o, "value_bytes", POPULATE_VALUE_BYTES);
	jms(&o, "ms", ps->ns);
	jkey(&o, "mb_per_s");
	fprintf(j->fp, "%.1f", ps->ns > 0 ?
	    (double)ps->added * 1000.0 / (double)ps->ns : 0.0);
	fputc('}', j->fp);
}

static void
report_json_counts(const struct report *rep, struct jobj *j)
{
	struct report_coverage cov;
	int64_t late = 0;
	size_t i, bad = 0;

	for (i = 0; i < rep->nsnapshots; i++)
		bad += !rep->snapshots[i].ok;
	ju64(j, "failures", rep->sup.nfailures);
	ju64(j, "expected", rep->sup.nexpected);
	ju64(j, "dropped_events", rep->sup.dropped_events);
	ju64(j, "snapshots_validated", rep->nsnapshots);
	ju64(j, "snapshots_failed", bad);
	ju64(j, "snapshots_not_ready", rep->nunready);
	report_json_lag(rep, j);
	jkey(j, "final");
	report_json_final(rep, j->fp);
	ju64(j, "acked_rows", rep->acked_rows);
	ju64(j, "lost_rows", rep->lost_rows);
	report_coverage(rep, &cov);
	jkey(j, "coverage");
	fprintf(j->fp, "{\"workers_committed\": %d, \"workers\": %d, "
	    "\"snapshots_scheduled\": %llu, \"snapshots_taken\": %llu}",
	    cov.workers_committed, cov.workers,
	    (unsigned long long)cov.snapshots_scheduled,
	    (unsigned long long)cov.snapshots_taken);
	if (report_signalled_ns(rep, &late) == 0)
		jms(j, "shutdown_signalled_ms", late);
	else
		jnull(j, "shutdown_signalled_ms");
	jstr(j, "coverage_policy", rep->cfg != NULL ?
	    config_coverage_name(rep->cfg->coverage) : NULL);
	report_json_nemesis(rep, j);
	report_json_snap_pace(rep, j);
}

/*
 * Descriptors open in this process, not counting the directory stream
 * that counts them nor fp, the report being written; -1 if unknown.
 * /dev/fd lists them on Linux (a link to /proc/self/fd) and on macOS.
 */
static long
report_json_open_fds(FILE *fp)
{
	struct dirent *de;
	DIR *d;
	long n = 0;
	int self, out;

	if ((d = opendir("/dev/fd")) == NULL)
		return -1;
	self = dirfd(d);
	out = fileno(fp);
	while ((de = readdir(d)) != NULL) {
		char *end;
		long fd = strtol(de->d_name, &end, 10);

		if (end == de->d_name || *end != '\0' || fd == self ||
		    fd == out)
			continue;
		n++;
	}
	closedir(d);
	return n;
}

/*
 * What the parent process itself cost, for bench/scale: how long the
 * children took to start, its peak memory, and the descriptors it still
 * holds once the run is over (a leak shows as growth across --repeat).
 */
static void
report_json_resources(const struct report *rep, struct jobj *j)
{
	struct rusage ru;
	long fds;

	if (rep->sup.t_spawned != 0 && rep->sup.start_ns >= rep->sup.t_spawned)
		jms(j, "start_ms", rep->sup.start_ns - rep->sup.t_spawned);
	else
		jnull(j, "start_ms");
	if (getrusage(RUSAGE_SELF, &ru) == 0)
#if defined(__APPLE__)
		/* macOS counts ru_maxrss in bytes, Linux and the BSDs in KiB. */
		jint(j, "parent_maxrss_kb", (long long)ru.ru_maxrss / 1024);
#else
		jint(j, "parent_maxrss_kb", (long long)ru.ru_maxrss);
#endif
	else
		jnull(j, "parent_maxrss_kb");
	if ((fds = report_json_open_fds(j->fp)) >= 0)
		jint(j, "open_fds_at_end", fds);
	else
		jnull(j, "open_fds_at_end");
}

/* "powerloss": null without a cut, else the cut, the bound and each image. */
static void
report_json_powerloss(const struct report *rep, struct jobj *j)
{
	const struct report_powerloss *pl = &rep->powerloss;
	size_t i;
	int f;

	jkey(j, "powerloss");
	if (!pl->on) {
		fputs("null", j->fp);
		return;
	}
	fputc('{', j->fp);
	{
		struct jobj o = { j->fp, ", ", 0 };

		jms(&o, "cut_ms", pl->cut_ns);
		jstr(&o, "bound", pl->bound_name);
		if (pl->bound_ns >= 0)
			jms(&o, "bound_ms", pl->bound_ns);
		else
			jnull(&o, "bound_ms");
		ju64(&o, "unsynced_sectors", pl->unsynced);
		ju64(&o, "acked_rows", pl->acked);
		ju64(&o, "rows_at_risk", pl->at_risk);
		ju64(&o, "images_failed", pl->nfailed);
		ju64(&o, "images_consistent", pl->nconsistent);
		jopt(&o, "problem", pl->problem[0] != '\0' ? pl->problem : NULL);
		jkey(&o, "images");
	}
	fputc('[', j->fp);
	for (i = 0; i < pl->nimages; i++) {
		const struct report_crash_image *im = &pl->images[i];
		struct jobj a = { j->fp, ", ", 0 };

		fputs(i == 0 ? "{" : ", {", j->fp);
		jint(&a, "index", im->index);
		jkey(&a, "reverted");
		for (f = 0; f < 3; f++)
			fprintf(j->fp, "%s%llu", f == 0 ? "[" : ", ",
			    (unsigned long long)im->reverted[f]);
		fputc(']', j->fp);
		jkey(&a, "unsynced");
		for (f = 0; f < 3; f++)
			fprintf(j->fp, "%s%llu", f == 0 ? "[" : ", ",
			    (unsigned long long)im->unsynced[f]);
		fputc(']', j->fp);
		jbool(&a, "torn", im->torn_file >= 0);
		jbool(&a, "journal_back", im->resurrected[1]);
		jbool(&a, "recovered", im->hot);
		jbool(&a, "checked", im->found.checker_died == 0);
		jbool(&a, "opened", im->found.opened);
		jbool(&a, "integrity_ok", im->found.integrity_ok);
		jbool(&a, "gap_free", im->found.gapfree);
		ju64(&a, "rows", im->rows);
		ju64(&a, "lost", im->found.lost);
		ju64(&a, "lost_outside_bound", im->found.lost_bound);
		ju64(&a, "beyond_attempted", im->found.beyond);
		jstr(&a, "verdict", classify_verdict_name(im->verdict));
		jstr(&a, "reason", im->reason);
		jopt(&a, "kept", im->verdict != VERDICT_PASS ? im->path : NULL);
		fputc('}', j->fp);
	}
	fputs("]}", j->fp);
}

/*
 * "maintenance": null without --maintain, else each kind of action's
 * totals and the errors; "file_size": null until a sample was taken.
 */
static void
report_json_maint(const struct report *rep, struct jobj *j)
{
	const struct report_file_size *f = &rep->file;
	uint64_t errors = 0;
	size_t i;

	jkey(j, "maintenance");
	if (rep->cfg == NULL || rep->cfg->maintain == NULL)
		fputs("null", j->fp);
	else {
		fputs("{\"actions\": [", j->fp);
		for (i = 0; i < rep->nmaint; i++) {
			const struct report_maint *m = &rep->maint[i];
			struct jobj a = { j->fp, ", ", 0 };

			fputs(i == 0 ? "{" : ", {", j->fp);
			jstr(&a, "action", m->name);
			ju64(&a, "runs", m->runs);
			ju64(&a, "errors", m->errors);
			jms(&a, "total_ms", m->total_ns);
			jms(&a, "max_ms", m->max_ns);
			fputc('}', j->fp);
			errors += m->errors;
		}
		fprintf(j->fp, "], \"totals_received\": %s, \"errors\": %llu}",
		    rep->nmaint > 0 ? "true" : "false",
		    (unsigned long long)errors);
	}
	jkey(j, "file_size");
	if (f->samples == 0)
		fputs("null", j->fp);
	else
		fprintf(j->fp, "{\"samples\": %llu, \"max_bytes\": %llu, "
		    "\"end_bytes\": %llu, \"shrank_bytes\": %llu, "
		    "\"wal_max_bytes\": %llu, \"wal_end_bytes\": %llu}",
		    (unsigned long long)f->samples,
		    (unsigned long long)f->max, (unsigned long long)f->end,
		    (unsigned long long)f->drop,
		    (unsigned long long)f->wal_max,
		    (unsigned long long)f->wal_end);
}

int
report_json_write(const struct report *rep, FILE *fp)
{
	struct jobj j = { fp, ",\n  ", 0 };

	fputs("{\n  ", fp);
	jstr(&j, "verdict", rep->exit_code == 0 ? "pass" : "fail");
	jstr(&j, "state", report_json_state(rep));
	jint(&j, "exit_code", rep->exit_code);
	jbool(&j, "interrupted", rep->interrupted);
	jopt(&j, "hard_error", rep->exit_code == 99 ? rep->hard_error : NULL);
	jint(&j, "schema", REPORT_JSON_SCHEMA);
	jstr(&j, "sqlstorm_version", PACKAGE_VERSION);
	jkey(&j, "config");
	report_json_config(rep, fp);
	jkey(&j, "sqlite");
	report_json_sqlite(rep, fp);
	ju64(&j, "inserts", rep->inserts);
	ju64(&j, "commits", rep->commits);
	jms(&j, "duration_ms", report_duration_ms(rep) * UTIL_NS_PER_MS);
	jms(&j, "shutdown_overrun_ms",
	    report_overrun_ms(rep) * UTIL_NS_PER_MS);
	jkey(&j, "stopped_ms");
	report_json_stopped(rep, fp);
	report_json_resources(rep, &j);
	jkey(&j, "latency_ms");
	report_json_hist(rep->hist, fp);
	jkey(&j, "schedule");
	report_json_pace(rep, &rep->pace, 1, fp);
	report_json_arrays(rep, &j);
	report_json_counts(rep, &j);
	report_json_maint(rep, &j);
	report_json_powerloss(rep, &j);
	jstr(&j, "repro", rep->repro);
	jopt(&j, "run_dir", rep->run_dir);
	jopt(&j, "db_path", rep->db_path);
	jopt(&j, "vfs", rep->vfs);
	jbool(&j, "kept", rep->kept);
	fputs("\n}\n", fp);
	return ferror(fp) ? -1 : 0;
}
