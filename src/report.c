/* SPDX-License-Identifier: MIT */
/*
 * report: the run's findings in one structure, and the human summary
 * (verdict first, then numbers, then every error grouped by verdict, then
 * how to reproduce a failure).  It reads the report; it never decides a
 * verdict itself.
 */
#include "autoconf.h"
#include "report.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "util.h"

void
report_init(struct report *rep, const struct config *cfg)
{
	memset(rep, 0, sizeof *rep);
	rep->cfg = cfg;
}

void
report_free(struct report *rep)
{
	sup_result_free(&rep->sup);
	free(rep->workers);
	free(rep->snapshots);
	rep->workers = NULL;
	rep->snapshots = NULL;
	rep->nworkers = 0;
	rep->nsnapshots = rep->capsnapshots = 0;
}

uint64_t
report_percentile_us(const struct report *rep, double pct)
{
	uint64_t total = 0, seen = 0, want;
	int b;

	for (b = 0; b < WIRE_HIST_BUCKETS; b++)
		total += rep->hist[b];
	if (total == 0)
		return 0;
	/* The smallest bucket holding at least pct% of the samples. */
	want = (uint64_t)((double)total * pct / 100.0 + 0.999999);
	if (want == 0)
		want = 1;
	for (b = 0; b < WIRE_HIST_BUCKETS; b++) {
		seen += rep->hist[b];
		if (seen >= want)
			return wire_hist_upper(b);
	}
	return wire_hist_upper(WIRE_HIST_BUCKETS - 1);
}

int64_t
report_duration_ms(const struct report *rep)
{
	if (rep->sup.start_ns == 0 || rep->sup.shutdown_ns == 0)
		return 0;
	return (rep->sup.shutdown_ns - rep->sup.start_ns) / UTIL_NS_PER_MS;
}

int64_t
report_overrun_ms(const struct report *rep)
{
	if (rep->sup.shutdown_ns == 0 || rep->sup.done_ns == 0)
		return 0;
	return (rep->sup.done_ns - rep->sup.shutdown_ns) / UTIL_NS_PER_MS;
}

static const char *
report_child_name(const struct report *rep, int child)
{
	if (child >= 0 && (size_t)child < rep->sup.nchildren)
		return rep->sup.children[child].name;
	return "run";
}

static void
report_ms(char *buf, size_t cap, uint64_t usec)
{
	if (usec < 10000)
		snprintf(buf, cap, "%.2f ms", (double)usec / 1000.0);
	else
		snprintf(buf, cap, "%.0f ms", (double)usec / 1000.0);
}

static void
report_events(const struct report *rep, FILE *fp, enum verdict v,
    const char *label)
{
	size_t i;

	for (i = 0; i < rep->sup.nevents; i++) {
		const struct sup_event *ev = &rep->sup.events[i];

		if (ev->verdict != v)
			continue;
		fprintf(fp, "  %-9s %s: %s\n", label,
		    report_child_name(rep, ev->child), ev->reason);
	}
	if (rep->sup.dropped_events > 0 && v == VERDICT_FAILURE)
		fprintf(fp, "  (%llu more events not stored)\n",
		    (unsigned long long)rep->sup.dropped_events);
}

void
report_failures(const struct report *rep, FILE *fp)
{
	report_events(rep, fp, VERDICT_FAILURE, "failure");
}

static const char *
report_verdict(const struct report *rep)
{
	if (rep->exit_code == 99)
		return "ERROR";
	if (rep->interrupted)
		return "INTERRUPTED";
	return rep->exit_code == 0 ? "PASS" : "FAIL";
}

static void
report_head(const struct report *rep, FILE *fp)
{
	const struct config *cfg = rep->cfg;
	char d[32], iv[32];

	config_format_duration(cfg->duration_ns, d, sizeof d);
	config_format_duration(cfg->interval_ns, iv, sizeof iv);
	fprintf(fp, "sqlstorm: %s", report_verdict(rep));
	if (rep->sup.nfailures > 0)
		fprintf(fp, " (%zu failure%s)", rep->sup.nfailures,
		    rep->sup.nfailures == 1 ? "" : "s");
	fprintf(fp, "\n  run       %d workers, %s, interval %s, batch %d, "
	    "journal %s, sync %s, seed %llu\n", cfg->workers, d, iv,
	    cfg->batch, rep->journal_mode, config_sync_name(cfg->sync),
	    (unsigned long long)rep->seed);
}

static void
report_numbers(const struct report *rep, FILE *fp)
{
	int64_t ms = report_duration_ms(rep);
	char p50[32], p90[32], p99[32], pmax[32];
	int w;

	fprintf(fp, "  inserts   %llu rows in %llu commits, %.0f rows/s\n",
	    (unsigned long long)rep->inserts,
	    (unsigned long long)rep->commits,
	    ms > 0 ? (double)rep->inserts * 1000.0 / (double)ms : 0.0);
	report_ms(p50, sizeof p50, report_percentile_us(rep, 50));
	report_ms(p90, sizeof p90, report_percentile_us(rep, 90));
	report_ms(p99, sizeof p99, report_percentile_us(rep, 99));
	report_ms(pmax, sizeof pmax, report_percentile_us(rep, 100));
	fprintf(fp, "  latency   commit p50 %s, p90 %s, p99 %s, max %s "
	    "(bucket bounds)\n", p50, p90, p99, pmax);
	for (w = 0; w < rep->nworkers; w++) {
		const struct report_worker *rw = &rep->workers[w];

		fprintf(fp, "  %-9s %llu rows, %llu commits, acked 1..%llu, "
		    "busy %llu waits / %.1f ms, %llu errors%s%s\n",
		    report_child_name(rep, w),
		    (unsigned long long)rw->rows,
		    (unsigned long long)rw->commits,
		    (unsigned long long)rw->acked,
		    (unsigned long long)rw->busy_waits,
		    (double)rw->busy_ns / UTIL_NS_PER_MS,
		    (unsigned long long)rw->errors,
		    rw->verdict == VERDICT_FAILURE ? ": " : "",
		    rw->verdict == VERDICT_FAILURE ? rw->reason : "");
	}
}

static void
report_checks(const struct report *rep, FILE *fp)
{
	size_t i, bad = 0;

	for (i = 0; i < rep->nsnapshots; i++)
		bad += !rep->snapshots[i].ok;
	fprintf(fp, "  snapshots %zu validated, %zu failed\n",
	    rep->nsnapshots, bad);
	if (rep->final_checked)
		fprintf(fp, "  final     %llu rows, %s, %llu acknowledged, "
		    "%llu lost\n", (unsigned long long)rep->final_rows,
		    rep->final_ok ? "integrity ok" : "INVALID",
		    (unsigned long long)rep->acked_rows,
		    (unsigned long long)rep->lost_rows);
	fprintf(fp, "  errors    %zu failure%s, %zu expected\n",
	    rep->sup.nfailures, rep->sup.nfailures == 1 ? "" : "s",
	    rep->sup.nexpected);
	report_events(rep, fp, VERDICT_FAILURE, "failure");
	report_events(rep, fp, VERDICT_EXPECTED, "expected");
	fprintf(fp, "  shutdown  overrun %lld ms (deadline to last child "
	    "reaped)\n", (long long)report_overrun_ms(rep));
}

static void
report_tail(const struct report *rep, FILE *fp)
{
	fprintf(fp, "  sqlite    %s %s\n", sqlite3_libversion(),
	    sqlite3_sourceid());
	fprintf(fp, "  database  %s\n", rep->db_path);
	if (rep->exit_code != 0 && rep->repro[0] != '\0')
		fprintf(fp, "  reproduce %s\n", rep->repro);
	if (rep->kept)
		fprintf(fp, "  kept      %s\n", rep->run_dir);
}

void
report_summary(const struct report *rep, FILE *fp)
{
	report_head(rep, fp);
	if (rep->sup.nchildren > 0) {
		report_numbers(rep, fp);
		report_checks(rep, fp);
	} else {
		report_events(rep, fp, VERDICT_FAILURE, "failure");
	}
	report_tail(rep, fp);
	fflush(fp);
}
