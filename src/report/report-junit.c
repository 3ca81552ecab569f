/* SPDX-License-Identifier: MIT */
/*
 * report-junit: the run as JUnit XML, in the shape GitLab and the common
 * GitHub Actions reporters read: testsuites > testsuite "sqlstorm" >
 * testcase classname="sqlstorm.<child>", one testcase per check (the same
 * checks, in the same order, as the TAP output), <failure> with the
 * reason, and the expected late errors and the human summary in the
 * suite's <system-out>.  A run that could not happen is one testcase with
 * an <error>.  It only reads the report.
 */
#include "autoconf.h"
#include "report-out.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "report-file.h"
#include "util.h"

static const char *
junit_entity(unsigned char c)
{
	switch (c) {
	case '&':  return "&amp;";
	case '<':  return "&lt;";
	case '>':  return "&gt;";
	case '"':  return "&quot;";
	case '\'': return "&apos;";
	/* As references, so attribute values keep them (no normalising). */
	case '\t': return "&#9;";
	case '\n': return "&#10;";
	case '\r': return "&#13;";
	default:   return NULL;
	}
}

void
report_xml_string(FILE *fp, const char *s)
{
	if (s == NULL)
		return;
	while (*s != '\0') {
		unsigned char c = (unsigned char)*s;
		const char *ent = junit_entity(c);
		size_t n;

		if (ent != NULL) {
			fputs(ent, fp);
			s++;
		} else if (c < 0x20 || (n = report_utf8_len(s)) == 0) {
			/* XML 1.0 has no way to write these, not even &#1;. */
			fputs("&#xFFFD;", fp);
			s++;
		} else {
			fwrite(s, 1, n, fp);
			s += n;
		}
	}
}

static void
junit_attr(FILE *fp, const char *name, const char *value)
{
	fprintf(fp, " %s=\"", name);
	report_xml_string(fp, value);
	fputc('"', fp);
}

static void
junit_seconds(FILE *fp, const char *name, int64_t ns)
{
	fprintf(fp, " %s=\"%.3f\"", name,
	    ns > 0 ? (double)ns / (double)UTIL_NS_PER_S : 0.0);
}

static void
junit_case(const struct report_check *c, void *arg)
{
	FILE *fp = arg;
	char cls[64];

	snprintf(cls, sizeof cls, "sqlstorm.%s", c->who);
	fputs("    <testcase", fp);
	junit_attr(fp, "classname", cls);
	junit_attr(fp, "name", c->name);
	junit_seconds(fp, "time", c->time_ns);
	if (c->verdict == VERDICT_PASS) {
		fputs("/>\n", fp);
		return;
	}
	fputs(">\n", fp);
	if (c->verdict == VERDICT_FAILURE) {
		fputs("      <failure", fp);
		junit_attr(fp, "message", c->detail);
		junit_attr(fp, "type", "failure");
		fputc('>', fp);
		report_xml_string(fp, c->text);
		fputs("</failure>\n", fp);
	} else {
		fputs(c->cause == CLASSIFY_CAUSE_NEMESIS ?
		    "      <system-out>expected (nemesis): " :
		    c->cause == CLASSIFY_CAUSE_INJECTED ?
		    "      <system-out>expected (injected): " :
		    "      <system-out>expected late error: ", fp);
		report_xml_string(fp, c->detail);
		fputs("</system-out>\n", fp);
	}
	fputs("    </testcase>\n", fp);
}

static void
junit_property(FILE *fp, const char *name, const char *value)
{
	fputs("      <property", fp);
	junit_attr(fp, "name", name);
	junit_attr(fp, "value", value);
	fputs("/>\n", fp);
}

/* "maintenance" (with --maintain) and "file_size", as the summary says. */
static void
junit_maint_properties(const struct report *rep, FILE *fp)
{
	char text[REPORT_MAINT_MAX * 80 + 64];

	report_maint_text(rep, text, sizeof text);
	if (text[0] != '\0')
		junit_property(fp, "maintenance", text);
	report_file_text(rep, text, sizeof text);
	if (text[0] != '\0')
		junit_property(fp, "file_size", text);
}

/* A duration in ms with up to three decimals ("35", "1.25"). */
static void
junit_ms_property(FILE *fp, const char *name, int64_t ns)
{
	char num[40];

	snprintf(num, sizeof num, "%.3f", (double)ns / 1e6);
	junit_property(fp, name, num);
}

/* The restored copies' replication lag, as the JSON "lag_ms". */
static void
junit_lag_properties(const struct report *rep, FILE *fp)
{
	int64_t p50, p99, max;

	if (report_lag(rep, &p50, &p99, &max) == 0)
		return;
	junit_ms_property(fp, "lag_p50_ms", p50);
	junit_ms_property(fp, "lag_p99_ms", p99);
	junit_ms_property(fp, "lag_max_ms", max);
}

/* --rate: the schedule's figures (the JSON "schedule" object). */
static void
junit_pace_properties(const struct report *rep, FILE *fp)
{
	const struct report_pace *p = &rep->pace;
	char num[32];

	if (rep->cfg == NULL || rep->cfg->rate == 0)
		return;
	snprintf(num, sizeof num, "%lld", (long long)rep->cfg->rate);
	junit_property(fp, "rate", num);
	junit_property(fp, "pattern", pace_pattern_names[rep->cfg->pattern]);
	snprintf(num, sizeof num, "%llu", (unsigned long long)p->scheduled);
	junit_property(fp, "schedule_scheduled", num);
	snprintf(num, sizeof num, "%llu", (unsigned long long)p->done);
	junit_property(fp, "schedule_done", num);
	junit_ms_property(fp, "schedule_behind_max_ms", p->behind_max_ns);
	junit_ms_property(fp, "schedule_behind_end_ms", p->behind_end_ns);
	junit_ms_property(fp, "schedule_latency_p50_ms", (int64_t)
	    report_hist_percentile_us(rep->pace_hist, 50) * 1000);
	junit_ms_property(fp, "schedule_latency_p99_ms", (int64_t)
	    report_hist_percentile_us(rep->pace_hist, 99) * 1000);
	junit_ms_property(fp, "schedule_latency_max_ms", (int64_t)
	    report_hist_percentile_us(rep->pace_hist, 100) * 1000);
}

/* --nemesis: the spec, the disruptions and the errors they explain. */
static void
junit_nemesis_properties(const struct report *rep, FILE *fp)
{
	char num[32];

	if (rep->cfg == NULL || rep->cfg->nemesis == NULL)
		return;
	junit_property(fp, "nemesis", rep->cfg->nemesis);
	snprintf(num, sizeof num, "%llu",
	    (unsigned long long)rep->sup.nemesis_kills);
	junit_property(fp, "nemesis_kills", num);
	snprintf(num, sizeof num, "%llu",
	    (unsigned long long)rep->sup.nemesis_pauses);
	junit_property(fp, "nemesis_pauses", num);
	snprintf(num, sizeof num, "%zu", rep->sup.nexpected_nemesis);
	junit_property(fp, "nemesis_expected_errors", num);
}

static void
junit_properties(const struct report *rep, FILE *fp)
{
	char num[32];

	fputs("    <properties>\n", fp);
	junit_property(fp, "verdict", rep->exit_code == 0 ? "pass" : "fail");
	snprintf(num, sizeof num, "%d", rep->exit_code);
	junit_property(fp, "exit_code", num);
	snprintf(num, sizeof num, "%llu", (unsigned long long)rep->seed);
	junit_property(fp, "seed", num);
	snprintf(num, sizeof num, "%zu", rep->sup.nexpected);
	junit_property(fp, "expected_errors", num);
	junit_nemesis_properties(rep, fp);
	snprintf(num, sizeof num, "%llu", (unsigned long long)rep->acked_rows);
	junit_property(fp, "acked_rows", num);
	snprintf(num, sizeof num, "%llu", (unsigned long long)rep->lost_rows);
	junit_property(fp, "lost_rows", num);
	snprintf(num, sizeof num, "%zu", rep->nunready);
	junit_property(fp, "snapshots_not_ready", num);
	junit_lag_properties(rep, fp);
	junit_property(fp, "sqlite_version", sqlite3_libversion());
	junit_property(fp, "sqlite_source_id", sqlite3_sourceid());
	junit_property(fp, "journal_mode", rep->journal_mode);
	junit_property(fp, "filesystem", rep->fs_type[0] != '\0' ?
	    rep->fs_type : "unknown");
	junit_property(fp, "reproduce", rep->repro);
	junit_maint_properties(rep, fp);
	junit_pace_properties(rep, fp);
	fputs("    </properties>\n", fp);
}

/* The expected late errors, one per line, then the human summary. */
static void
junit_system_out(const struct report *rep, FILE *fp)
{
	char *summary;
	size_t i;

	fprintf(fp, "    <system-out>expected late errors: %zu\n",
	    rep->sup.nexpected);
	for (i = 0; i < rep->sup.nevents; i++) {
		const struct sup_event *ev = &rep->sup.events[i];

		if (ev->verdict != VERDICT_EXPECTED)
			continue;
		fputs("  ", fp);
		report_xml_string(fp, ev->child >= 0 &&
		    (size_t)ev->child < rep->sup.nchildren ?
		    rep->sup.children[ev->child].name : "run");
		fputs(": ", fp);
		report_xml_string(fp, ev->reason);
		fputc('\n', fp);
	}
	if ((summary = report_summary_text(rep)) != NULL) {
		char *line, *save = NULL;

		/* Line by line: real newlines read better than &#10; here. */
		fputc('\n', fp);
		for (line = strtok_r(summary, "\n", &save); line != NULL;
		    line = strtok_r(NULL, "\n", &save)) {
			report_xml_string(fp, line);
			fputc('\n', fp);
		}
		free(summary);
	}
	fputs("</system-out>\n", fp);
}

static void
junit_counts(FILE *fp, long tests, long failures, long errors, int64_t ns)
{
	fprintf(fp, " tests=\"%ld\" failures=\"%ld\" errors=\"%ld\"", tests,
	    failures, errors);
	junit_seconds(fp, "time", ns);
}

/* One testcase in error: the run could not happen, or a report failed. */
static void
junit_error_case(FILE *fp, const char *name, const char *msg)
{
	fputs("    <testcase classname=\"sqlstorm.run\"", fp);
	junit_attr(fp, "name", name);
	fputs(" time=\"0.000\">\n      <error", fp);
	junit_attr(fp, "message", msg);
	fputs(" type=\"error\"/>\n    </testcase>\n", fp);
}

/*
 * The counts of rep's suite: one testcase in error for a run that never
 * happened, else every check, plus one in error for extra.  -1: ENOMEM.
 */
static int
junit_totals(const struct report *rep, const char *extra, long *tests,
    long *failures, long *errors, int64_t *ns)
{
	size_t nfail = 0;
	long n;

	*tests = 1;
	*failures = 0;
	*errors = 1;
	*ns = 0;
	if (rep->exit_code == 99 && extra == NULL)
		return 0;
	if ((n = report_check_walk(rep, NULL, NULL, &nfail)) < 0)
		return -1;
	if (rep->sup.start_ns != 0 && rep->sup.done_ns > rep->sup.start_ns)
		*ns = rep->sup.done_ns - rep->sup.start_ns;
	*tests = n + (extra != NULL);
	*failures = (long)nfail;
	*errors = extra != NULL;
	return 0;
}

static void
junit_opt(long *p, long v)
{
	if (p != NULL)
		*p = v;
}

int
report_junit_suite(const struct report *rep, FILE *fp, const char *name,
    const char *extra, long *tests, long *failures, long *errors,
    int64_t *ns)
{
	long t, f, e;
	int64_t d;

	if (junit_totals(rep, extra, &t, &f, &e, &d) < 0)
		return -1;
	fputs("  <testsuite", fp);
	junit_attr(fp, "name", name != NULL ? name : "sqlstorm");
	junit_counts(fp, t, f, e, d);
	fputs(" skipped=\"0\">\n", fp);
	if (rep->exit_code == 99 && extra == NULL) {
		/* A run that never happened: one testcase in error. */
		junit_error_case(fp, "setup", rep->hard_error);
	} else {
		junit_properties(rep, fp);
		(void)report_check_walk(rep, junit_case, fp, NULL);
		if (extra != NULL)
			junit_error_case(fp, "reports", extra);
		junit_system_out(rep, fp);
	}
	fputs("  </testsuite>\n", fp);
	junit_opt(tests, t);
	junit_opt(failures, f);
	junit_opt(errors, e);
	if (ns != NULL)
		*ns = d;
	return ferror(fp) ? -1 : 0;
}

int
report_junit_doc(const struct report *rep, FILE *fp, const char *extra)
{
	long t, f, e;
	int64_t d;

	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", fp);
	if (junit_totals(rep, extra, &t, &f, &e, &d) < 0)
		return -1;
	fputs("<testsuites name=\"sqlstorm\"", fp);
	junit_counts(fp, t, f, e, d);
	fputs(">\n", fp);
	if (report_junit_suite(rep, fp, NULL, extra, NULL, NULL, NULL,
	    NULL) < 0)
		return -1;
	fputs("</testsuites>\n", fp);
	return ferror(fp) ? -1 : 0;
}

int
report_junit_write(const struct report *rep, FILE *fp)
{
	return report_junit_doc(rep, fp, NULL);
}
