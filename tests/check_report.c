/* SPDX-License-Identifier: MIT */
/*
 * check_report: the report writers on a hand-built struct report (workers,
 * children, errors, failures found by checks, snapshots): the JSON is
 * well-formed (a small recursive-descent checker below) and carries every
 * key, TAP and JUnit show the same checks with the same failure count as
 * the summary, strings are escaped for JSON and XML whatever bytes they
 * hold, report files appear whole or not at all, and the progress line
 * and the filesystem fingerprint behave.  No run, no fork.
 */
#include "autoconf.h"

#include <check.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "classify.h"
#include "config.h"
#include "report.h"
#include "report-file.h"
#include "report-out.h"
#include "report-plot.h"
#include "scenario.h"
#include "util.h"
#include "wire.h"

#define MS  INT64_C(1000000)
#define T0  (INT64_C(5000) * MS)      /* the clock start of the fixture */

/* ------------------------------------------------------------- capture */

/* Run writer-like code on a temporary FILE and return what it wrote. */
static char *
capture_end(FILE *fp)
{
	long len;
	char *s;

	ck_assert_ptr_nonnull(fp);
	fflush(fp);
	len = ftell(fp);
	ck_assert_int_ge(len, 0);
	s = malloc((size_t)len + 1);
	ck_assert_ptr_nonnull(s);
	rewind(fp);
	ck_assert_uint_eq(fread(s, 1, (size_t)len, fp), (size_t)len);
	s[len] = '\0';
	fclose(fp);
	return s;
}

static char *
json_of(const char *in)
{
	FILE *fp = tmpfile();

	ck_assert_ptr_nonnull(fp);
	report_json_string(fp, in);
	return capture_end(fp);
}

static char *
xml_of(const char *in)
{
	FILE *fp = tmpfile();

	ck_assert_ptr_nonnull(fp);
	report_xml_string(fp, in);
	return capture_end(fp);
}

static size_t
count_lines_starting(const char *text, const char *prefix)
{
	size_t n = 0, len = strlen(prefix);
	const char *p = text;

	while (p != NULL && *p != '\0') {
		if (strncmp(p, prefix, len) == 0)
			n++;
		p = strchr(p, '\n');
		if (p != NULL)
			p++;
	}
	return n;
}

/* ------------------------------------------------ a tiny JSON checker */

static const char *json_value(const char *p);

static const char *
json_ws(const char *p)
{
	while (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r')
		p++;
	return p;
}

static const char *
json_str(const char *p)
{
	if (*p++ != '"')
		return NULL;
	while (*p != '"') {
		if ((unsigned char)*p < 0x20)
			return NULL;
		if (*p == '\\') {
			p++;
			if (*p == 'u') {
				int i;

				for (i = 1; i <= 4; i++)
					if (strchr("0123456789abcdefABCDEF",
					    p[i]) == NULL || p[i] == '\0')
						return NULL;
				p += 4;
			} else if (strchr("\"\\/bfnrt", *p) == NULL ||
			    *p == '\0')
				return NULL;
		} else if (report_utf8_len(p) > 1) {
			p += report_utf8_len(p) - 1;
		} else if (report_utf8_len(p) == 0)
			return NULL;
		p++;
	}
	return p + 1;
}

static const char *
json_num(const char *p)
{
	const char *s = p;

	if (*p == '-')
		p++;
	if (*p < '0' || *p > '9')
		return NULL;
	while (*p >= '0' && *p <= '9')
		p++;
	if (*p == '.') {
		p++;
		if (*p < '0' || *p > '9')
			return NULL;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	return p > s ? p : NULL;
}

static const char *
json_seq(const char *p, char close, int object)
{
	p = json_ws(p + 1);
	if (*p == close)
		return p + 1;
	for (;;) {
		if (object) {
			if ((p = json_str(json_ws(p))) == NULL)
				return NULL;
			p = json_ws(p);
			if (*p++ != ':')
				return NULL;
		}
		if ((p = json_value(p)) == NULL)
			return NULL;
		p = json_ws(p);
		if (*p == close)
			return p + 1;
		if (*p++ != ',')
			return NULL;
	}
}

static const char *
json_value(const char *p)
{
	p = json_ws(p);
	switch (*p) {
	case '{': return json_seq(p, '}', 1);
	case '[': return json_seq(p, ']', 0);
	case '"': return json_str(p);
	case 't': return strncmp(p, "true", 4) == 0 ? p + 4 : NULL;
	case 'f': return strncmp(p, "false", 5) == 0 ? p + 5 : NULL;
	case 'n': return strncmp(p, "null", 4) == 0 ? p + 4 : NULL;
	default:  return json_num(p);
	}
}

static int
json_valid(const char *doc)
{
	const char *end = json_value(doc);

	return end != NULL && *json_ws(end) == '\0';
}

/* ------------------------------------------------------------- fixture */

struct fixture {
	struct config cfg;
	struct report rep;
};

static void
fx_event(struct report *rep, int child, enum verdict v,
    enum sup_event_kind kind, long snapshot, int64_t t, const char *reason)
{
	struct sup_event *ev = &rep->sup.events[rep->sup.nevents++];

	memset(ev, 0, sizeof *ev);
	ev->kind = kind;
	ev->child = child;
	ev->snapshot = snapshot;
	ev->verdict = v;
	ev->t_ns = t;
	util_strlcpy(ev->reason, reason, sizeof ev->reason);
	if (v == VERDICT_FAILURE)
		rep->sup.nfailures++;
	else if (v == VERDICT_EXPECTED)
		rep->sup.nexpected++;
}

static void
fx_error(struct sup_event *ev, int code, int op, const char *msg, int late)
{
	ev->err.code = code;
	ev->err.extended = code;
	ev->code_name = code == 5 ? "BUSY" : code == 9 ? "INTERRUPT" : NULL;
	ev->err.op = (uint8_t)op;
	ev->err.shutdown_seen = (uint8_t)late;
	ev->late = late;
	util_strlcpy(ev->err.message, msg, sizeof ev->err.message);
	ev->err.msg_len = (uint16_t)strlen(ev->err.message);
}

static void
fx_children(struct report *rep, int failing)
{
	static const char *names[] = { "w0", "w1", "validator" };
	size_t i;

	rep->sup.nchildren = 3;
	rep->sup.children = calloc(3, sizeof *rep->sup.children);
	ck_assert_ptr_nonnull(rep->sup.children);
	for (i = 0; i < 3; i++) {
		struct sup_child *ch = &rep->sup.children[i];

		util_strlcpy(ch->name, names[i], sizeof ch->name);
		ch->pid = (pid_t)(100 + i);
		ch->fate.reaped = 1;
		ch->fate.done_seen = 1;
		ch->fate.done_shutdown = 1;
		ch->fate.shutdown_ns = rep->sup.shutdown_ns;
		ch->fate.t_gone = rep->sup.shutdown_ns + 2 * MS;
		ch->t_reaped = rep->sup.shutdown_ns + 3 * MS;
	}
	if (failing)
		rep->sup.children[1].fate.hung = 1;
	/* As sup_run() judges them, once. */
	for (i = 0; i < 3; i++)
		rep->sup.children[i].verdict = classify_fate(
		    &rep->sup.children[i].fate, rep->sup.children[i].reason,
		    sizeof rep->sup.children[i].reason);
}

static void
fx_workers(struct report *rep)
{
	int w;

	rep->nworkers = 2;
	rep->workers = calloc(2, sizeof *rep->workers);
	ck_assert_ptr_nonnull(rep->workers);
	for (w = 0; w < 2; w++) {
		struct report_worker *rw = &rep->workers[w];

		util_strlcpy(rw->name, w == 0 ? "w0" : "w1", sizeof rw->name);
		rw->rows = rw->commits = rw->last_seq = 100 + (uint64_t)w;
		rw->acked = rw->final_k = 100 + (uint64_t)w;
		rw->busy_waits = 3;
		rw->busy_ns = 1500 * 1000;
		rw->done = 1;
		rep->inserts += rw->rows;
		rep->commits += rw->commits;
		rep->acked_rows += rw->acked;
	}
}

static void
fx_snapshots(struct report *rep, int failing)
{
	size_t i;

	rep->nsnapshots = failing ? 2 : 1;
	rep->capsnapshots = 2;
	rep->snapshots = calloc(2, sizeof *rep->snapshots);
	ck_assert_ptr_nonnull(rep->snapshots);
	for (i = 0; i < rep->nsnapshots; i++) {
		struct report_snapshot *s = &rep->snapshots[i];

		s->index = (uint32_t)i + 1;
		s->t_begin_ns = T0 + (int64_t)(i + 1) * 500 * MS;
		s->t_end_ns = s->t_begin_ns + 4 * MS;
		s->ok = 1;
		s->rows = 50 * (i + 1);
	}
	if (failing) {
		rep->snapshots[1].ok = 0;
		util_strlcpy(rep->snapshots[1].problem,
		    "integrity_check: page 3 <bad> & \"odd\"",
		    sizeof rep->snapshots[1].problem);
	}
}

/* Events: see the expected order in test_report_checks_failing. */
static void
fx_events(struct report *rep, int failing)
{
	rep->sup.capevents = 8;
	rep->sup.events = calloc(8, sizeof *rep->sup.events);
	ck_assert_ptr_nonnull(rep->sup.events);
	if (failing) {
		fx_event(rep, 0, VERDICT_FAILURE, SUP_EV_ERROR,
		    SUP_NO_SNAPSHOT, T0 + 300 * MS,
		    "error before the deadline: BUSY (5) in FAULT #skip");
		fx_error(&rep->sup.events[0], 5, WIRE_OP_FAULT,
		    "bad\x01 \xff <tag> \"q\" #skip", 0);
	}
	fx_event(rep, 2, VERDICT_EXPECTED, SUP_EV_ERROR, SUP_NO_SNAPSHOT,
	    T0 + 1004 * MS,
	    "late error during shutdown: INTERRUPT (9) in VALIDATE");
	fx_error(&rep->sup.events[rep->sup.nevents - 1], 9, WIRE_OP_VALIDATE,
	    "snap-2.db: interrupted", 1);
	if (!failing)
		return;
	fx_event(rep, 2, VERDICT_FAILURE, SUP_EV_SNAPSHOT, 2, T0 + 1010 * MS,
	    "snapshot 2: integrity_check: page 3 <bad> & \"odd\"");
	fx_event(rep, 1, VERDICT_FAILURE, SUP_EV_FATE, SUP_NO_SNAPSHOT,
	    T0 + 3000 * MS, rep->sup.children[1].reason);
	fx_event(rep, 0, VERDICT_FAILURE, SUP_EV_LEDGER, SUP_NO_SNAPSHOT,
	    T0 + 3100 * MS,
	    "final database: w0 lacks acknowledged seq 7");
}

static void
fx_build(struct fixture *fx, int failing)
{
	struct report *rep = &fx->rep;

	config_defaults(&fx->cfg);
	fx->cfg.workers = 2;
	fx->cfg.duration_ns = 1000 * MS;
	fx->cfg.seed = 42;
	fx->cfg.seed_set = 1;
	report_init(rep, &fx->cfg);
	rep->seed = 42;
	rep->exit_code = failing;
	rep->sup.start_ns = T0;
	rep->sup.deadline_ns = rep->sup.shutdown_ns = T0 + 1000 * MS;
	rep->sup.done_ns = T0 + 1005 * MS;
	fx_children(rep, failing);
	fx_workers(rep);
	fx_snapshots(rep, failing);
	fx_events(rep, failing);
	rep->hist[wire_hist_bucket(100)] = 180;
	rep->hist[wire_hist_bucket(2000)] = 21;
	rep->final_checked = rep->final_ok = 1;
	rep->final_rows = 201;
	rep->lost_rows = failing;
	util_strlcpy(rep->journal_mode, "wal", sizeof rep->journal_mode);
	util_strlcpy(rep->fs_type, "ext4", sizeof rep->fs_type);
	util_strlcpy(rep->run_dir, "/tmp/sqlstorm.test", sizeof rep->run_dir);
	util_strlcpy(rep->db_path, "/tmp/sqlstorm.test/sqlstorm.db",
	    sizeof rep->db_path);
	util_strlcpy(rep->repro, "sqlstorm --workers 2 --seed 42",
	    sizeof rep->repro);
}

static void
fx_free(struct fixture *fx)
{
	report_free(&fx->rep);
	config_free(&fx->cfg);
}

static char *
fx_render(const struct report *rep, int (*writer)(const struct report *,
    FILE *))
{
	FILE *fp = tmpfile();

	ck_assert_ptr_nonnull(fp);
	ck_assert_int_eq(writer(rep, fp), 0);
	return capture_end(fp);
}

/* -------------------------------------------------------------- escape */

START_TEST(test_report_json_escapes_specials)
{
	char *s = json_of("a\"b\\c\n\t\r\b\f\x01\x1f\x7f/");

	ck_assert_str_eq(s, "\"a\\\"b\\\\c\\n\\t\\r\\b\\f\\u0001\\u001f"
	    "\\u007f/\"");
	free(s);
	s = json_of(NULL);
	ck_assert_str_eq(s, "null");
	free(s);
	s = json_of("");
	ck_assert_str_eq(s, "\"\"");
	free(s);
}
END_TEST

START_TEST(test_report_json_keeps_valid_utf8)
{
	/* e-acute, euro sign, U+1F600: all kept as they are. */
	char *s = json_of("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");

	ck_assert_str_eq(s, "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"");
	free(s);
}
END_TEST

START_TEST(test_report_json_replaces_invalid_utf8)
{
	char *s;

	/* A lone continuation byte, a byte never in UTF-8, a cut sequence. */
	s = json_of("a\x80" "b\xff" "c\xe2\x82");
	ck_assert_str_eq(s, "\"a\\ufffdb\\ufffdc\\ufffd\\ufffd\"");
	free(s);
	/* Overlong '/', and a UTF-16 surrogate: one replacement per byte. */
	s = json_of("\xc0\xaf|\xed\xa0\x80");
	ck_assert_str_eq(s, "\"\\ufffd\\ufffd|\\ufffd\\ufffd\\ufffd\"");
	free(s);
}
END_TEST

START_TEST(test_report_utf8_len_boundaries)
{
	static const struct {
		const char *s;
		size_t len;
	} t[] = {
		{ "A", 1 }, { "\x7f", 1 },
		{ "\xc2\x80", 2 }, { "\xc1\xbf", 0 },           /* overlong */
		{ "\xdf\xbf", 2 }, { "\xe0\xa0\x80", 3 },
		{ "\xe0\x9f\xbf", 0 },                          /* overlong */
		{ "\xed\x9f\xbf", 3 }, { "\xed\xa0\x80", 0 },   /* D800 */
		{ "\xef\xbf\xbf", 3 }, { "\xf0\x90\x80\x80", 4 },
		{ "\xf0\x8f\xbf\xbf", 0 },                      /* overlong */
		{ "\xf4\x8f\xbf\xbf", 4 }, { "\xf4\x90\x80\x80", 0 },
		{ "\xf5\x80\x80\x80", 0 }, { "\xe2\x82", 0 }, { "\x80", 0 },
	};
	size_t i;

	for (i = 0; i < sizeof t / sizeof t[0]; i++)
		ck_assert_msg(report_utf8_len(t[i].s) == t[i].len,
		    "case %zu: got %zu, want %zu", i, report_utf8_len(t[i].s),
		    t[i].len);
}
END_TEST

START_TEST(test_report_xml_escapes_markup)
{
	char *s = xml_of("<a href=\"x\">Tom & 'Jerry'</a>\t\n\r");

	ck_assert_str_eq(s, "&lt;a href=&quot;x&quot;&gt;Tom &amp; "
	    "&apos;Jerry&apos;&lt;/a&gt;&#9;&#10;&#13;");
	free(s);
}
END_TEST

START_TEST(test_report_xml_replaces_what_xml_cannot_hold)
{
	char *s = xml_of("a\x01" "b\x1b" "c\xff" "d\xc3\xa9");

	ck_assert_str_eq(s, "a&#xFFFD;b&#xFFFD;c&#xFFFD;d\xc3\xa9");
	free(s);
	s = xml_of(NULL);
	ck_assert_str_eq(s, "");
	free(s);
}
END_TEST

/* ---------------------------------------------------------- percentile */

START_TEST(test_report_percentiles_from_buckets)
{
	struct config cfg;
	struct report rep;

	config_defaults(&cfg);
	report_init(&rep, &cfg);
	ck_assert_uint_eq(report_percentile_us(&rep, 50), 0);
	rep.hist[wire_hist_bucket(100)] = 90;
	rep.hist[wire_hist_bucket(1000)] = 9;
	rep.hist[wire_hist_bucket(100000)] = 1;
	ck_assert_uint_eq(report_percentile_us(&rep, 50),
	    wire_hist_upper(wire_hist_bucket(100)));
	ck_assert_uint_eq(report_percentile_us(&rep, 90),
	    wire_hist_upper(wire_hist_bucket(100)));
	ck_assert_uint_eq(report_percentile_us(&rep, 99),
	    wire_hist_upper(wire_hist_bucket(1000)));
	ck_assert_uint_eq(report_percentile_us(&rep, 100),
	    wire_hist_upper(wire_hist_bucket(100000)));
	report_free(&rep);
}
END_TEST

/* -------------------------------------------------------------- checks */

struct seen {
	char text[16][CLASSIFY_REASON_MAX + 96];
	enum verdict v[16];
	size_t n;
};

static void
collect(const struct report_check *c, void *arg)
{
	struct seen *s = arg;

	ck_assert_uint_lt(s->n, 16);
	util_strlcpy(s->text[s->n], c->text, sizeof s->text[0]);
	s->v[s->n++] = c->verdict;
}

START_TEST(test_report_checks_failing)
{
	struct fixture fx;
	struct seen s;
	size_t nfail = 0;

	fx_build(&fx, 1);
	memset(&s, 0, sizeof s);
	ck_assert_int_eq(report_check_walk(&fx.rep, collect, &s, &nfail), 9);
	/* As many failing checks as failures: each shown once. */
	ck_assert_uint_eq(nfail, fx.rep.sup.nfailures);
	ck_assert_str_eq(s.text[0], "w0 exited cleanly");
	/* A failed lifecycle and snapshot are shown in their place. */
	ck_assert_int_eq(s.v[1], VERDICT_FAILURE);
	ck_assert_ptr_nonnull(strstr(s.text[1], "w1: hung"));
	ck_assert_str_eq(s.text[2], "validator exited cleanly");
	ck_assert_int_eq(s.v[3], VERDICT_PASS);
	ck_assert_int_eq(s.v[4], VERDICT_FAILURE);
	ck_assert_ptr_nonnull(strstr(s.text[4], "validator: snapshot 2:"));
	ck_assert_ptr_nonnull(strstr(s.text[5], "final database: 201 rows"));
	ck_assert_ptr_nonnull(strstr(s.text[6], "w0: error before"));
	ck_assert_int_eq(s.v[7], VERDICT_EXPECTED);
	ck_assert_str_eq(s.text[7], "validator: late INTERRUPT in VALIDATE");
	ck_assert_ptr_nonnull(strstr(s.text[8], "w0: final database: w0 lacks"));
	fx_free(&fx);
}
END_TEST

START_TEST(test_report_checks_passing)
{
	struct fixture fx;
	size_t nfail = 1;

	fx_build(&fx, 0);
	ck_assert_int_eq(report_check_walk(&fx.rep, NULL, NULL, &nfail), 6);
	ck_assert_uint_eq(nfail, 0);
	fx_free(&fx);
}
END_TEST

START_TEST(test_report_checks_interrupted)
{
	struct fixture fx;
	size_t nfail = 0;

	fx_build(&fx, 0);
	fx.rep.interrupted = 1;
	fx.rep.exit_code = 1;
	ck_assert_int_eq(report_check_walk(&fx.rep, NULL, NULL, &nfail), 7);
	ck_assert_uint_eq(nfail, 1);
	fx_free(&fx);
}
END_TEST

/*
 * Checks are paired with the events that explain them by kind and
 * indices: rewording every reason changes no pairing, and neither the
 * walk nor the JSON judges a child's end again.
 */
START_TEST(test_report_checks_pair_by_kind_not_text)
{
	struct fixture fx;
	struct seen s;
	size_t nfail = 0, i;

	fx_build(&fx, 1);
	for (i = 0; i < fx.rep.sup.nevents; i++)
		snprintf(fx.rep.sup.events[i].reason,
		    sizeof fx.rep.sup.events[i].reason, "reworded %zu", i);
	memset(&s, 0, sizeof s);
	ck_assert_int_eq(report_check_walk(&fx.rep, collect, &s, &nfail), 9);
	ck_assert_uint_eq(nfail, fx.rep.sup.nfailures);
	/* w1's fate event (index 3) in w1's place, the snapshot's in its. */
	ck_assert_str_eq(s.text[1], "w1: reworded 3");
	ck_assert_str_eq(s.text[4], "validator: reworded 2");
	/* The ledger's final finding is not the final check: left for last. */
	ck_assert_ptr_nonnull(strstr(s.text[5], "final database: 201 rows"));
	ck_assert_str_eq(s.text[8], "w0: reworded 4");
	fx_free(&fx);
}
END_TEST

/* A snapshot the ledger (not the validator) failed is shown by its finding. */
START_TEST(test_report_checks_ledger_snapshot_in_place)
{
	struct fixture fx;
	struct seen s;
	size_t nfail = 0;

	fx_build(&fx, 1);
	/* The validator's event becomes the ledger's, about worker 1. */
	fx.rep.sup.events[2].kind = SUP_EV_LEDGER;
	fx.rep.sup.events[2].child = 1;
	/* Another snapshot's finding must not be taken for it. */
	fx.rep.sup.events[4].snapshot = 1;
	memset(&s, 0, sizeof s);
	ck_assert_int_eq(report_check_walk(&fx.rep, collect, &s, &nfail), 9);
	ck_assert_int_eq(s.v[4], VERDICT_FAILURE);
	ck_assert_ptr_nonnull(strstr(s.text[4], "w1: snapshot 2:"));
	ck_assert_ptr_nonnull(strstr(s.text[8], "w0: final database: w0"));
	fx_free(&fx);
}
END_TEST

/* The JSON shows a child's end as sup_run() judged it, and each kind. */
START_TEST(test_report_json_reads_stored_verdicts)
{
	struct fixture fx;
	char *doc;

	fx_build(&fx, 1);
	/* A clean-looking fate judged a failure: the stored verdict wins. */
	fx.rep.sup.children[0].verdict = VERDICT_FAILURE;
	util_strlcpy(fx.rep.sup.children[0].reason, "judged once",
	    sizeof fx.rep.sup.children[0].reason);
	doc = fx_render(&fx.rep, report_json_write);
	ck_assert_msg(json_valid(doc), "%s", doc);
	ck_assert_ptr_nonnull(strstr(doc, "\"verdict\": \"failure\", "
	    "\"reason\": \"judged once\""));
	ck_assert_ptr_nonnull(strstr(doc, "\"kind\": \"check\", "
	    "\"type\": \"snapshot\", \"snapshot\": 2,"));
	ck_assert_ptr_nonnull(strstr(doc, "\"kind\": \"error\", "
	    "\"type\": \"error\", \"snapshot\": null, \"code\": \"BUSY\""));
	ck_assert_ptr_nonnull(strstr(doc, "\"type\": \"fate\""));
	ck_assert_ptr_nonnull(strstr(doc, "\"type\": \"ledger\""));
	free(doc);
	fx_free(&fx);
}
END_TEST

static void
last_text(const struct report_check *c, void *arg)
{
	util_strlcpy(arg, c->text, 256);
}

/* The interrupt's check names the signal, SIGHUP included. */
START_TEST(test_report_checks_interrupt_names_signal)
{
	struct fixture fx;
	char text[256] = "";
	size_t nfail = 0;

	fx_build(&fx, 0);
	fx.rep.interrupted = 1;
	fx.rep.sup.interrupted = 1;
	sup_result_interrupted(&fx.rep.sup, SIGHUP);
	fx.rep.exit_code = 1;
	(void)report_check_walk(&fx.rep, last_text, text, &nfail);
	ck_assert_str_eq(text, "run: interrupted by SIGHUP, the run is "
	    "incomplete");
	fx_free(&fx);
}
END_TEST

/* -------------------------------------------------------------- trace */

/* A private scratch directory under $TMPDIR, for runs and traces. */
static void
trace_scratch(char *dir, size_t cap)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(dir, cap, "%s/sqlstorm-trace.XXXXXX",
	    tmp != NULL && *tmp != '\0' ? tmp : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

/*
 * A trace file that cannot be opened stops the run before it starts:
 * exit 99, one line, nothing run.
 */
START_TEST(test_report_trace_unwritable_is_hard_error)
{
	struct config cfg;
	struct report rep;
	char dir[PATH_MAX], path[PATH_MAX + 32];

	trace_scratch(dir, sizeof dir);
	snprintf(path, sizeof path, "%s/no/such/dir/trace", dir);
	config_defaults(&cfg);
	cfg.trace = strdup(path);     /* cfg owns it: config_free() */
	ck_assert_int_eq(scenario_run(&cfg, &rep), 99);
	ck_assert_msg(strncmp(rep.hard_error, "cannot open the trace file ",
	    27) == 0 && strchr(rep.hard_error, '\n') == NULL, "%s",
	    rep.hard_error);
	ck_assert_ptr_null(rep.sup.children);
	ck_assert_ptr_null(rep.sup.trace);
	report_free(&rep);
	config_free(&cfg);
	ck_assert_int_eq(rmdir(dir), 0);
}
END_TEST

/* A short real run, traced: records, the scenario's verdicts, the end. */
START_TEST(test_report_trace_of_a_run)
{
	struct config cfg;
	struct report rep;
	char dir[PATH_MAX], path[PATH_MAX + 32], *text;
	FILE *fp;

	trace_scratch(dir, sizeof dir);
	snprintf(path, sizeof path, "%s/trace", dir);
	ck_assert_int_eq(setenv("TMPDIR", dir, 1), 0);
	config_defaults(&cfg);
	cfg.workers = 1;
	cfg.duration_ns = 300 * MS;
	cfg.validate_every_ns = 100 * MS;
	cfg.trace = strdup(path);     /* cfg owns it: config_free() */
	ck_assert_int_eq(scenario_run(&cfg, &rep), 0);
	ck_assert_ptr_null(rep.sup.trace);
	fp = fopen(path, "r");
	ck_assert_ptr_nonnull(fp);
	ck_assert_int_eq(fseek(fp, 0, SEEK_END), 0);
	text = capture_end(fp);
	ck_assert_msg(strstr(text, " run sqlstorm trace: ") != NULL, "%s", text);
	ck_assert_msg(strstr(text, " w0 READY #1\n") != NULL, "%s", text);
	ck_assert_msg(strstr(text, " w0 ACK #") != NULL, "%s", text);
	ck_assert_msg(strstr(text, " validator SNAPSHOT #") != NULL, "%s",
	    text);
	ck_assert_msg(strstr(text, " w0 DONE #") != NULL, "%s", text);
	ck_assert_msg(strstr(text, " verdict pass fate validator\n") != NULL,
	    "%s", text);
	ck_assert_msg(strstr(text, " verdict pass final run: ") != NULL,
	    "%s", text);
	ck_assert_msg(strstr(text, " run end: exit code 0\n") != NULL, "%s",
	    text);
	free(text);
	report_free(&rep);
	config_free(&cfg);
	ck_assert_int_eq(unlink(path), 0);
	ck_assert_int_eq(rmdir(dir), 0);
}
END_TEST

/* -------------------------------------------------------------- writers */

START_TEST(test_report_json_has_every_key)
{
	static const char *keys[] = {
		"verdict", "config", "sqlite", "inserts", "commits",
		"duration_ms", "shutdown_overrun_ms", "latency_ms", "p50",
		"p90", "p99", "max", "workers", "errors", "snapshots",
		"snapshots_validated", "acked_rows", "lost_rows", "exit_code",
		"repro", "run_dir", "kept", "version", "source_id",
		"compile_options", "journal_mode", "filesystem", "child",
		"code", "code_num", "extended", "op", "message", "t_ms",
		"late", "reason", "busy_waits", "busy_ms", "final", "ok",
		"rows", "problem", "index",
	};
	struct fixture fx;
	char *doc, key[64];
	size_t i;

	fx_build(&fx, 1);
	doc = fx_render(&fx.rep, report_json_write);
	ck_assert_msg(json_valid(doc), "not valid JSON:\n%s", doc);
	for (i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		snprintf(key, sizeof key, "\"%s\": ", keys[i]);
		ck_assert_msg(strstr(doc, key) != NULL, "no key %s", key);
	}
	ck_assert_ptr_nonnull(strstr(doc, "\"verdict\": \"fail\""));
	ck_assert_ptr_nonnull(strstr(doc, "\"failures\": 4,"));
	ck_assert_ptr_nonnull(strstr(doc, "\"expected\": 1,"));
	ck_assert_ptr_nonnull(strstr(doc, "\"acked_rows\": 201,"));
	ck_assert_ptr_nonnull(strstr(doc, "\"seed\": \"42\""));
	ck_assert_ptr_nonnull(strstr(doc, "\"t_ms\": 300,"));
	ck_assert_ptr_nonnull(strstr(doc, "\"code\": null"));
	ck_assert_ptr_nonnull(strstr(doc,
	    "\"message\": \"bad\\u0001 \\ufffd <tag> \\\"q\\\" #skip\""));
	ck_assert_ptr_nonnull(strstr(doc, "\"filesystem\": \"ext4\""));
	free(doc);
	fx_free(&fx);
}
END_TEST

START_TEST(test_report_json_passing_and_hard_error)
{
	struct fixture fx;
	char *doc;

	fx_build(&fx, 0);
	doc = fx_render(&fx.rep, report_json_write);
	ck_assert(json_valid(doc));
	ck_assert_ptr_nonnull(strstr(doc, "\"verdict\": \"pass\""));
	ck_assert_ptr_nonnull(strstr(doc, "\"failures\": 0,"));
	free(doc);
	fx.rep.exit_code = 99;
	util_strlcpy(fx.rep.hard_error, "cannot create 'x': \"no\"",
	    sizeof fx.rep.hard_error);
	doc = fx_render(&fx.rep, report_json_write);
	ck_assert(json_valid(doc));
	ck_assert_ptr_nonnull(strstr(doc, "\"state\": \"error\""));
	ck_assert_ptr_nonnull(strstr(doc,
	    "\"hard_error\": \"cannot create 'x': \\\"no\\\"\""));
	free(doc);
	fx_free(&fx);
}
END_TEST

START_TEST(test_report_tap_points_match_failures)
{
	struct fixture fx;
	char *tap;

	fx_build(&fx, 1);
	tap = fx_render(&fx.rep, report_tap_write);
	ck_assert_msg(strncmp(tap, "TAP version 13\n1..9\n", 20) == 0,
	    "%s", tap);
	ck_assert_uint_eq(count_lines_starting(tap, "not ok "),
	    fx.rep.sup.nfailures);
	ck_assert_uint_eq(count_lines_starting(tap, "ok "), 5);
	ck_assert_ptr_nonnull(strstr(tap, "\nnot ok 2 - w1: hung"));
	ck_assert_ptr_nonnull(strstr(tap, "\nok 8 - validator: late "
	    "INTERRUPT in VALIDATE # expected late error: late error"));
	/* A '#' of our own text must not become a directive. */
	ck_assert_ptr_nonnull(strstr(tap, "FAULT \\#skip\n"));
	ck_assert_ptr_nonnull(strstr(tap, "\n# sqlstorm: FAIL (4 failures)\n"));
	ck_assert_ptr_nonnull(strstr(tap, "\n#   reproduce sqlstorm --workers"));
	free(tap);
	fx_free(&fx);
}
END_TEST

START_TEST(test_report_tap_bails_on_hard_error)
{
	struct fixture fx;
	char *tap;

	fx_build(&fx, 0);
	fx.rep.exit_code = 99;
	util_strlcpy(fx.rep.hard_error, "cannot create\n'x'",
	    sizeof fx.rep.hard_error);
	tap = fx_render(&fx.rep, report_tap_write);
	ck_assert_str_eq(tap, "Bail out! cannot create 'x'\n");
	free(tap);
	fx_free(&fx);
}
END_TEST

START_TEST(test_report_junit_matches_checks)
{
	struct fixture fx;
	char *xml;

	fx_build(&fx, 1);
	xml = fx_render(&fx.rep, report_junit_write);
	ck_assert_ptr_nonnull(strstr(xml, "<testsuite name=\"sqlstorm\" "
	    "tests=\"9\" failures=\"4\" errors=\"0\" time=\"1.005\""));
	ck_assert_ptr_nonnull(strstr(xml,
	    "<testcase classname=\"sqlstorm.w1\" name=\"w1 lifecycle\""));
	ck_assert_ptr_nonnull(strstr(xml, "name=\"snapshot 2\""));
	ck_assert_ptr_nonnull(strstr(xml, "<failure message=\"snapshot 2: "
	    "integrity_check: page 3 &lt;bad&gt; &amp; &quot;odd&quot;\""));
	ck_assert_ptr_nonnull(strstr(xml, "<system-out>expected late "
	    "errors: 1\n  validator: late error during shutdown"));
	ck_assert_ptr_nonnull(strstr(xml,
	    "<property name=\"reproduce\" value=\"sqlstorm --workers 2"));
	ck_assert_ptr_null(strchr(xml, '\x01'));
	ck_assert_ptr_null(strstr(xml, "\xff"));
	ck_assert_uint_eq(count_lines_starting(xml, "      <failure "), 4);
	free(xml);
	fx_free(&fx);
}
END_TEST

START_TEST(test_report_junit_hard_error)
{
	struct fixture fx;
	char *xml;

	fx_build(&fx, 0);
	fx.rep.exit_code = 99;
	util_strlcpy(fx.rep.hard_error, "no <db>", sizeof fx.rep.hard_error);
	xml = fx_render(&fx.rep, report_junit_write);
	ck_assert_ptr_nonnull(strstr(xml, "tests=\"1\" failures=\"0\" "
	    "errors=\"1\""));
	ck_assert_ptr_nonnull(strstr(xml, "<error message=\"no &lt;db&gt;\""));
	free(xml);
	fx_free(&fx);
}
END_TEST

START_TEST(test_report_summary_fingerprint)
{
	struct fixture fx;
	FILE *fp = tmpfile();
	char *text, want[64];
	int n = 0;

	while (sqlite3_compileoption_get(n) != NULL)
		n++;
	snprintf(want, sizeof want, "\n  options   %d compile option", n);
	fx_build(&fx, 1);
	report_summary(&fx.rep, fp);
	text = capture_end(fp);
	ck_assert_msg(strncmp(text, "sqlstorm: FAIL (4 failures)\n", 28) == 0,
	    "%s", text);
	ck_assert_ptr_nonnull(strstr(text, want));
	ck_assert_ptr_nonnull(strstr(text, "(journal wal, sync normal, ext4)"));
	ck_assert_ptr_nonnull(strstr(text, "\n  reproduce sqlstorm --workers"));
	free(text);
	fx_free(&fx);
}
END_TEST

/* --------------------------------------------------------------- files */

static char tmpdir[PATH_MAX];

static void
files_setup(void)
{
	const char *t = getenv("TMPDIR");

	snprintf(tmpdir, sizeof tmpdir, "%s/check_report.XXXXXX",
	    t != NULL && *t != '\0' ? t : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void
files_teardown(void)
{
	(void)util_rmtree(tmpdir);
}

static int
write_failing(const struct report *rep, FILE *fp)
{
	(void)rep;
	fputs("{ half", fp);
	errno = ENOSPC;
	return -1;
}

static int
write_hello(const struct report *rep, FILE *fp)
{
	(void)rep;
	fputs("hello\n", fp);
	return 0;
}

static char *
slurp(const char *path)
{
	FILE *fp = fopen(path, "r");
	char buf[256];
	size_t n;

	if (fp == NULL)
		return NULL;
	n = fread(buf, 1, sizeof buf - 1, fp);
	buf[n] = '\0';
	fclose(fp);
	return strdup(buf);
}

START_TEST(test_report_file_check_paths)
{
	char path[PATH_MAX + 32];
	struct stat st;

	ck_assert_int_eq(report_file_check(tmpdir), -1);
	ck_assert_int_eq(errno, EISDIR);
	snprintf(path, sizeof path, "%s/missing/r.json", tmpdir);
	ck_assert_int_eq(report_file_check(path), -1);
	ck_assert_int_eq(errno, ENOENT);
	snprintf(path, sizeof path, "%s/r.json", tmpdir);
	ck_assert_int_eq(report_file_check(path), 0);
	/* The probe leaves nothing behind. */
	snprintf(path, sizeof path, "%s/r.json.tmp", tmpdir);
	ck_assert_int_eq(stat(path, &st), -1);
}
END_TEST

START_TEST(test_report_file_write_is_whole_or_nothing)
{
	char path[PATH_MAX + 32], tmp[PATH_MAX + 32];
	struct stat st;
	char *s;

	snprintf(path, sizeof path, "%s/r.json", tmpdir);
	snprintf(tmp, sizeof tmp, "%s/r.json.tmp", tmpdir);
	ck_assert_int_eq(report_file_write(path, write_hello, NULL), 0);
	s = slurp(path);
	ck_assert_str_eq(s, "hello\n");
	free(s);
	ck_assert_int_eq(stat(tmp, &st), -1);
	/* A failed write leaves the old file as it was, and no tmp file. */
	ck_assert_int_eq(report_file_write(path, write_failing, NULL), -1);
	ck_assert_int_eq(errno, ENOSPC);
	s = slurp(path);
	ck_assert_str_eq(s, "hello\n");
	free(s);
	ck_assert_int_eq(stat(tmp, &st), -1);
}
END_TEST

/* ------------------------------------------------------------ progress */

START_TEST(test_report_progress_format)
{
	struct fixture fx;
	char line[160];
	size_t len;

	fx_build(&fx, 0);
	fx.cfg.duration_ns = 10 * UTIL_NS_PER_S;
	fx.rep.workers[0].acked = 1000;
	fx.rep.workers[1].acked = 2200;
	fx.rep.nsnapshots = 1;
	fx.rep.sup.nexpected = 0;
	len = report_progress_format(&fx.rep, T0 + 3200 * MS, line,
	    sizeof line);
	ck_assert_str_eq(line, "[ 3.2s / 10s] 1000 ins/s  0 errors  "
	    "1 snapshot");
	ck_assert_uint_eq(len, strlen(line));
	/* Never past the deadline, and one error is singular. */
	fx.rep.sup.nfailures = 1;
	(void)report_progress_format(&fx.rep, T0 + 20 * UTIL_NS_PER_S, line,
	    sizeof line);
	ck_assert_str_eq(line, "[10.0s / 10s] 320 ins/s  1 error  "
	    "1 snapshot");
	fx_free(&fx);
}
END_TEST

START_TEST(test_report_progress_silent_off_terminal)
{
	struct fixture fx;
	FILE *fp = tmpfile();
	char *out;

	fx_build(&fx, 0);
	report_progress(&fx.rep, T0 + 500 * MS, fp);
	report_progress_end(&fx.rep, fp);
	out = capture_end(fp);
	ck_assert_str_eq(out, "");
	free(out);
	/* What is drawn is erased: \r, as many blanks, \r. */
	fp = tmpfile();
	fx.rep.progress_len = 5;
	report_progress_end(&fx.rep, fp);
	out = capture_end(fp);
	ck_assert_str_eq(out, "\r     \r");
	ck_assert_uint_eq(fx.rep.progress_len, 0);
	free(out);
	fx_free(&fx);
}
END_TEST

/* --------------------------------------------------------- fingerprint */

START_TEST(test_report_fs_type_of_ancestor)
{
	char fs[64], gone_fs[64], path[PATH_MAX + 32];

	ck_assert_int_eq(report_fs_type(tmpdir, fs, sizeof fs), 0);
	ck_assert_str_ne(fs, "");
	/* A path that is gone is judged by what is left of it. */
	snprintf(path, sizeof path, "%s/gone/deeper/db.sqlite", tmpdir);
	ck_assert_int_eq(report_fs_type(path, gone_fs, sizeof gone_fs), 0);
	ck_assert_str_eq(gone_fs, fs);
#if defined(__linux__) || defined(__APPLE__)
	ck_assert_str_ne(fs, "unknown");
#endif
}
END_TEST

START_TEST(test_report_fingerprint_fills_once)
{
	struct fixture fx;

	fx_build(&fx, 0);
	report_fingerprint(&fx.rep);
	ck_assert_str_eq(fx.rep.fs_type, "ext4");
	fx.rep.fs_type[0] = '\0';
	util_strlcpy(fx.rep.db_path, tmpdir, sizeof fx.rep.db_path);
	report_fingerprint(&fx.rep);
	ck_assert_str_ne(fx.rep.fs_type, "");
	fx_free(&fx);
}
END_TEST

/* ------------------------------------ coverage, counts, 80 columns (C2) */

static char *
summary_of(const struct report *rep)
{
	FILE *fp = tmpfile();

	ck_assert_ptr_nonnull(fp);
	report_summary(rep, fp);
	return capture_end(fp);
}

/* Columns of the line at p (to '\n'): UTF-8 continuation bytes take none. */
static size_t
line_cols(const char *p, const char **next)
{
	size_t n = 0;

	for (; *p != '\0' && *p != '\n'; p++)
		n += ((unsigned char)*p & 0xC0) != 0x80;
	*next = *p == '\n' ? p + 1 : p;
	return n;
}

/* Every line of text fits 80 columns and holds no control byte. */
static void
assert_fits(const char *text)
{
	const char *p = text, *next, *c;

	while (*p != '\0') {
		ck_assert_msg(line_cols(p, &next) <= 80, "over 80 columns: "
		    "%.*s\nin:\n%s", (int)(next - p), p, text);
		for (c = p; c < next - 1; c++)
			ck_assert_msg((unsigned char)*c >= 0x20 && *c != 0x7f,
			    "raw control byte 0x%02x in: %.*s", *c,
			    (int)(next - p), p);
		p = next;
	}
}

START_TEST(test_report_snapshots_due_never_at_deadline)
{
	/* Due at start + k * every, k >= 1, strictly before the end. */
	ck_assert_uint_eq(report_snapshots_due(10000 * MS, 500 * MS), 19);
	ck_assert_uint_eq(report_snapshots_due(2000 * MS, 500 * MS), 3);
	ck_assert_uint_eq(report_snapshots_due(2001 * MS, 500 * MS), 4);
	ck_assert_uint_eq(report_snapshots_due(2000 * MS, 2000 * MS), 0);
	ck_assert_uint_eq(report_snapshots_due(2000 * MS, 20000 * MS), 0);
	ck_assert_uint_eq(report_snapshots_due(2000 * MS, 0), 0);
	ck_assert_uint_eq(report_snapshots_due(0, 500 * MS), 0);
}
END_TEST

START_TEST(test_report_coverage_counts)
{
	struct fixture fx;
	struct report_coverage cov;

	fx_build(&fx, 0);
	fx.cfg.duration_ns = 2000 * MS;
	fx.rep.sup.deadline_ns = fx.rep.sup.shutdown_ns = T0 + 2000 * MS;
	fx.rep.workers[1].acked = 0;
	report_coverage(&fx.rep, &cov);
	ck_assert_int_eq(cov.workers, 2);
	ck_assert_int_eq(cov.workers_committed, 1);
	ck_assert_int_eq(cov.snapshots_on, 1);
	ck_assert_uint_eq(cov.snapshots_scheduled, 3);
	ck_assert_uint_eq(cov.snapshots_taken, 1);
	ck_assert_int_eq(cov.judged, 1);
	/* A shutdown signalled late schedules nothing past the deadline. */
	fx.rep.sup.shutdown_ns = T0 + 2600 * MS;
	report_coverage(&fx.rep, &cov);
	ck_assert_uint_eq(cov.snapshots_scheduled, 3);
	/* An interrupt at 1.2 s: two were due, and the rule is off. */
	fx.rep.sup.shutdown_ns = T0 + 1200 * MS;
	fx.rep.interrupted = 1;
	report_coverage(&fx.rep, &cov);
	ck_assert_uint_eq(cov.snapshots_scheduled, 2);
	ck_assert_int_eq(cov.judged, 0);
	/* Short runs are not judged either. */
	fx.rep.interrupted = 0;
	fx.cfg.duration_ns = 1999 * MS;
	report_coverage(&fx.rep, &cov);
	ck_assert_int_eq(cov.judged, 0);
	fx_free(&fx);
}
END_TEST

START_TEST(test_report_starved_is_compact)
{
	struct report rep;
	struct config cfg;
	char buf[REPORT_STARVED_MAX];
	int w;

	config_defaults(&cfg);
	report_init(&rep, &cfg);
	rep.nworkers = 1024;
	rep.workers = calloc(1024, sizeof *rep.workers);
	ck_assert_ptr_nonnull(rep.workers);
	ck_assert_uint_eq(report_starved(&rep, buf, sizeof buf), 1024);
	ck_assert_str_eq(buf, "w0, w1, w2, w3, w4, w5, w6, w7, ... "
	    "(1024 of 1024 workers)");
	for (w = 0; w < 1024; w++)
		rep.workers[w].acked = w == 3 || w == 17 ? 0 : 5;
	ck_assert_uint_eq(report_starved(&rep, buf, sizeof buf), 2);
	ck_assert_str_eq(buf, "w3, w17 (2 of 1024 workers)");
	rep.workers[3].acked = rep.workers[17].acked = 1;
	ck_assert_uint_eq(report_starved(&rep, buf, sizeof buf), 0);
	ck_assert_str_eq(buf, "");
	/* A small buffer is cut, never overrun. */
	rep.workers[5].acked = 0;
	ck_assert_uint_eq(report_starved(&rep, buf, 4), 1);
	ck_assert_uint_le(strlen(buf), 3);
	report_free(&rep);
}
END_TEST

START_TEST(test_report_summary_shows_coverage)
{
	struct fixture fx;
	char *text, *doc;

	fx_build(&fx, 0);
	fx.cfg.duration_ns = 2000 * MS;
	fx.cfg.coverage = CONFIG_COVERAGE_REPORT;
	fx.rep.sup.deadline_ns = fx.rep.sup.shutdown_ns = T0 + 2000 * MS;
	fx.rep.sup.done_ns = T0 + 2010 * MS;
	fx.rep.workers[1].acked = 0;
	text = summary_of(&fx.rep);
	ck_assert_msg(strstr(text, "\n  coverage  1 of 2 workers committed, "
	    "1 of 3 scheduled snapshots taken\n") != NULL, "%s", text);
	ck_assert_msg(strstr(text, "\n  starved   w1 (1 of 2 workers)\n") !=
	    NULL, "%s", text);
	free(text);
	doc = fx_render(&fx.rep, report_json_write);
	ck_assert(json_valid(doc));
	ck_assert_msg(strstr(doc, "\"coverage\": {\"workers_committed\": 1, "
	    "\"workers\": 2, \"snapshots_scheduled\": 3, "
	    "\"snapshots_taken\": 1}") != NULL, "%s", doc);
	ck_assert_ptr_nonnull(strstr(doc, "\"coverage_policy\": \"report\""));
	free(doc);
	/* Strict: the failure line names them, no second line. */
	fx.cfg.coverage = CONFIG_COVERAGE_STRICT;
	text = summary_of(&fx.rep);
	ck_assert_ptr_null(strstr(text, "starved"));
	free(text);
	fx_free(&fx);
}
END_TEST

START_TEST(test_report_pace_of_snapshots)
{
	struct fixture fx;
	struct report_snap_pace p;
	struct sup_event *ev;
	char *text, *doc;

	fx_build(&fx, 0);
	fx.cfg.duration_ns = 2000 * MS;
	fx.rep.sup.deadline_ns = fx.rep.sup.shutdown_ns = T0 + 2000 * MS;
	fx.rep.sup.done_ns = T0 + 2010 * MS;
	/* 3 due (0.5, 1, 1.5 s), 1 taken: behind. */
	report_snap_pace(&fx.rep, &p);
	ck_assert_int_eq(p.on, 1);
	ck_assert_uint_eq(p.started, 1);
	ck_assert_uint_eq(p.scheduled, 3);
	ck_assert(p.max_gap_ns == 500 * MS && p.mean_gap_ns == 500 * MS);
	ck_assert_int_eq(p.behind, 1);
	text = summary_of(&fx.rep);
	/* Its own line (folded at 80 columns: the gap comes next). */
	ck_assert_msg(strstr(text, "\n  pace      validator fell behind: 1 of "
	    "3 scheduled snapshots started, max gap\n            500 ms (asked "
	    "every 500ms)\n") != NULL, "%s", text);
	free(text);
	/* Two more began: one ended in a SNAPSHOT, one cut by the shutdown. */
	fx.rep.nsnapshots = 2;
	fx.rep.snapshots[1].t_begin_ns = T0 + 1000 * MS;
	ev = &fx.rep.sup.events[0];
	ck_assert_int_eq(ev->child, 2);
	ev->err.op = WIRE_OP_SNAPSHOT;
	ev->err.t_begin = T0 + 1500 * MS;
	report_snap_pace(&fx.rep, &p);
	ck_assert_uint_eq(p.started, 3);
	ck_assert(p.max_gap_ns == 500 * MS && p.mean_gap_ns == 500 * MS);
	ck_assert_int_eq(p.behind, 0);
	text = summary_of(&fx.rep);
	ck_assert_ptr_null(strstr(text, "fell behind"));
	ck_assert_msg(strstr(text, "\n  pace      integrity_check every 500ms: "
	    "gap mean 500 ms, max 500 ms\n") != NULL, "%s", text);
	free(text);
	/* A gap of exactly twice the interval is on time; more is not. */
	fx.rep.snapshots[1].t_begin_ns = T0 + 1500 * MS;
	ev->err.t_begin = T0 + 1600 * MS;
	report_snap_pace(&fx.rep, &p);
	ck_assert(p.max_gap_ns == 1000 * MS);
	ck_assert_int_eq(p.behind, 0);
	fx.rep.snapshots[1].t_begin_ns = T0 + 1500 * MS + 1;
	report_snap_pace(&fx.rep, &p);
	ck_assert_int_eq(p.behind, 1);
	/* An injected fault is not a snapshot. */
	ev->err.op = WIRE_OP_FAULT;
	report_snap_pace(&fx.rep, &p);
	ck_assert_uint_eq(p.started, 2);
	fx.cfg.check = CONFIG_CHECK_QUICK;
	doc = fx_render(&fx.rep, report_json_write);
	ck_assert(json_valid(doc));
	ck_assert_ptr_nonnull(strstr(doc, "\"check\": \"quick\""));
	ck_assert_ptr_nonnull(strstr(doc, "\"populate\": null"));
	ck_assert_ptr_nonnull(strstr(doc, "\"snapshot_pace\": "));
	ck_assert_msg(strstr(doc, "\"snapshot_pace\": {\"started\": 2, "
	    "\"scheduled\": 3, \"every_ms\": 500, \"mean_gap_ms\": 750, "
	    "\"max_gap_ms\": 1000.000001, \"behind\": true}") != NULL, "%.160s",
	    strstr(doc, "\"snapshot_pace\": "));
	free(doc);
	/* TAP and JUnit name the check the snapshots passed. */
	doc = fx_render(&fx.rep, report_tap_write);
	ck_assert_msg(strstr(doc, " rows, quick_check ok, no acknowledged row "
	    "missing") != NULL, "%.300s", doc);
	free(doc);
	/* Off: nothing is scheduled, nothing is behind. */
	fx.cfg.validate_every_ns = 0;
	report_snap_pace(&fx.rep, &p);
	ck_assert_int_eq(p.on, 0);
	ck_assert_int_eq(p.behind, 0);
	fx_free(&fx);
}
END_TEST

START_TEST(test_report_populate_line)
{
	struct fixture fx;
	char *text, *doc;

	fx_build(&fx, 0);
	free(fx.cfg.populate);
	fx.cfg.populate = strdup("8MiB");
	ck_assert_ptr_nonnull(fx.cfg.populate);
	fx.rep.populate.target = 8 << 20;
	fx.rep.populate.bytes = (8 << 20) + 4096 * 10;
	fx.rep.populate.added = 8 << 20;
	fx.rep.populate.rows = 512;
	fx.rep.populate.ns = 500 * MS;
	text = summary_of(&fx.rep);
	ck_assert_msg(strstr(text, "\n  populate  8.0 MiB (asked 8MiB), 512 "
	    "rows of 16 KiB in 0.5 s, 17 MB/s\n") != NULL, "%s", text);
	free(text);
	doc = fx_render(&fx.rep, report_json_write);
	ck_assert(json_valid(doc));
	ck_assert_msg(strstr(doc, "\"populate\": {\"target_bytes\": 8388608, "
	    "\"bytes\": 8429568, \"added_bytes\": 8388608, \"rows\": 512, "
	    "\"value_bytes\": 16384, \"ms\": 500, \"mb_per_s\": 16.8}") != NULL,
	    "%.200s", strstr(doc, "\"populate\""));
	free(doc);
	fx_free(&fx);
}
END_TEST

START_TEST(test_report_summary_counts_read_right)
{
	struct fixture fx;
	char *text;

	fx_build(&fx, 0);
	fx.rep.workers[0].errors = 1;
	fx.rep.workers[0].commits = 1;
	fx.rep.workers[0].busy_waits = 1;
	fx.rep.workers[1].acked = fx.rep.workers[1].rows = 0;
	fx.rep.workers[1].commits = fx.rep.workers[1].busy_waits = 0;
	fx.rep.inserts = fx.rep.commits = 1;
	fx.rep.final_rows = 1;
	text = summary_of(&fx.rep);
	ck_assert_msg(strstr(text, "\n  w0        acked 1..100, 1 commit, busy "
	    "1 wait / 1.5 ms, 1 error\n") != NULL, "%s", text);
	ck_assert_msg(strstr(text, "\n  w1        none acked, 0 commits, no "
	    "busy wait, 0 errors\n") != NULL, "%s", text);
	ck_assert_ptr_nonnull(strstr(text, "\n  inserts   1 row in 1 commit,"));
	ck_assert_ptr_nonnull(strstr(text, "\n  final     1 row, integrity"));
	ck_assert_ptr_null(strstr(text, "1 errors"));
	ck_assert_ptr_null(strstr(text, "1..0"));
	free(text);
	fx_free(&fx);
}
END_TEST

/* --------------------------------------------- maintenance and file size */

/*
 * The file grows, falls, grows a little, falls again, grows: the drop is
 * the largest fall from the top, not max - end nor one step's fall.
 */
START_TEST(test_report_file_note_tracks_the_drop)
{
	struct fixture fx;
	char text[256];

	fx_build(&fx, 0);
	report_file_text(&fx.rep, text, sizeof text);
	ck_assert_str_eq(text, "");
	report_file_note(&fx.rep, 1024, 0, 0);
	report_file_note(&fx.rep, 10 * 1048576, 4096, 0);
	report_file_note(&fx.rep, 4 * 1048576, 8192, 0);
	report_file_note(&fx.rep, 6 * 1048576, 0, 0);
	report_file_note(&fx.rep, 3 * 1048576 + 104858, 0, 0);
	report_file_note(&fx.rep, 5 * 1048576, 512, 1);
	ck_assert_uint_eq(fx.rep.file.samples, 6);
	ck_assert_uint_eq(fx.rep.file.max, 10 * 1048576);
	ck_assert_uint_eq(fx.rep.file.end, 5 * 1048576);
	ck_assert_uint_eq(fx.rep.file.drop, 10 * 1048576 -
	    (3 * 1048576 + 104858));
	ck_assert_uint_eq(fx.rep.file.wal_max, 8192);
	ck_assert_int_eq(fx.rep.file.ended, 1);
	report_file_text(&fx.rep, text, sizeof text);
	ck_assert_str_eq(text, "10.0 MiB max, 5.0 MiB at end, shrank by 6.9 "
	    "MiB; WAL 8.0 KiB max, 512 B at end");
	fx_free(&fx);
}
END_TEST

START_TEST(test_report_maint_in_every_format)
{
	struct fixture fx;
	char text[512], *doc;

	fx_build(&fx, 0);
	/* No --maintain: no line, JSON null. */
	report_maint_text(&fx.rep, text, sizeof text);
	ck_assert_str_eq(text, "");
	doc = fx_render(&fx.rep, report_json_write);
	ck_assert_ptr_nonnull(strstr(doc, "\"maintenance\": null"));
	ck_assert_ptr_nonnull(strstr(doc, "\"file_size\": null"));
	free(doc);
	fx.cfg.maintain = strdup("checkpoint=truncate@every 1s,vacuum@2s");
	report_maint_text(&fx.rep, text, sizeof text);
	ck_assert_str_eq(text, "no totals came (the child ended without "
	    "them)");
	util_strlcpy(fx.rep.maint[0].name, "checkpoint(truncate)",
	    sizeof fx.rep.maint[0].name);
	fx.rep.maint[0].runs = 12;
	fx.rep.maint[0].total_ns = 100 * MS;
	fx.rep.maint[0].max_ns = 40 * MS;
	util_strlcpy(fx.rep.maint[1].name, "vacuum", sizeof fx.rep.maint[1].name);
	fx.rep.maint[1].runs = 3;
	fx.rep.maint[1].errors = 1;
	fx.rep.maint[1].total_ns = 300 * MS;
	fx.rep.maint[1].max_ns = 240 * MS;
	fx.rep.nmaint = 2;
	report_file_note(&fx.rep, 2048, 0, 1);
	report_maint_text(&fx.rep, text, sizeof text);
	ck_assert_str_eq(text, "checkpoint(truncate) 12×, max 40 ms; vacuum "
	    "3×, max 240 ms; 1 error");
	doc = summary_of(&fx.rep);
	ck_assert_msg(strstr(doc, "\n  maintain  checkpoint(truncate) 12×, max "
	    "40 ms; vacuum 3×, max 240 ms; 1 error\n") != NULL,
	    "%s", doc);
	ck_assert_msg(strstr(doc, "\n  file      2.0 KiB max, 2.0 KiB at end, "
	    "shrank by 0 B; WAL 0 B max, 0 B at end\n") != NULL, "%s", doc);
	free(doc);
	doc = fx_render(&fx.rep, report_json_write);
	ck_assert_msg(json_valid(doc), "not valid JSON:\n%s", doc);
	ck_assert_ptr_nonnull(strstr(doc, "\"maintenance\": {\"actions\": "
	    "[{\"action\": \"checkpoint(truncate)\", \"runs\": 12, "
	    "\"errors\": 0, \"total_ms\": 100, \"max_ms\": 40}, "
	    "{\"action\": \"vacuum\", \"runs\": 3, \"errors\": 1, "
	    "\"total_ms\": 300, \"max_ms\": 240}], \"totals_received\": "
	    "true, \"errors\": 1}"));
	ck_assert_ptr_nonnull(strstr(doc, "\"file_size\": {\"samples\": 1, "
	    "\"max_bytes\": 2048, \"end_bytes\": 2048, \"shrank_bytes\": 0, "
	    "\"wal_max_bytes\": 0, \"wal_end_bytes\": 0}"));
	free(doc);
	doc = fx_render(&fx.rep, report_junit_write);
	ck_assert_ptr_nonnull(strstr(doc, "<property name=\"maintenance\" "
	    "value=\"checkpoint(truncate) 12×, max 40 ms; vacuum 3×, max 240 "
	    "ms; 1 error\"/>"));
	ck_assert_ptr_nonnull(strstr(doc, "<property name=\"file_size\" "
	    "value=\"2.0 KiB max"));
	free(doc);
	fx_free(&fx);
}
END_TEST

/* A long, realistic failing run: every line fits 80 columns. */
START_TEST(test_report_summary_fits_80_columns)
{
	struct fixture fx;
	char *text;
	int w;

	fx_build(&fx, 1);
	fx.cfg.workers = 2;
	fx.cfg.interval_ns = 0;
	fx.cfg.batch = 100;
	fx.rep.seed = UINT64_C(9223372036854775807);
	for (w = 0; w < 2; w++) {
		struct report_worker *rw = &fx.rep.workers[w];

		rw->rows = rw->acked = 1234500;
		rw->commits = 12345;
		rw->busy_waits = 98765;
		rw->busy_ns = INT64_C(98765432) * 1000;
		rw->errors = 1234;
	}
	fx.rep.workers[1].rows = 1234400;
	fx.rep.workers[1].verdict = VERDICT_FAILURE;
	util_strlcpy(fx.rep.workers[1].reason, "hung: still running at the "
	    "deadline + grace; killed with SIGKILL",
	    sizeof fx.rep.workers[1].reason);
	util_strlcpy(fx.rep.db_path, "/home/runner/work/_temp/sqlstorm.ZK7f4o"
	    "/a-rather-long-database-file-name-for-this-store.db",
	    sizeof fx.rep.db_path);
	util_strlcpy(fx.rep.repro, "sqlstorm --duration 10s --workers 2 "
	    "--interval 0 --batch 100 --seed 9223372036854775807 --fault "
	    "w1:error=BUSY@500ms,w2:error=BUSY@deadline+20ms "
	    "--store-cmd 'litestream replicate {db} s3://bucket/db' "
	    "--db '/tmp/it'\\''s a db'", sizeof fx.rep.repro);
	fx.rep.kept = 1;
	text = summary_of(&fx.rep);
	assert_fits(text);
	/* Folded, not cut: the words are all there, in order. */
	ck_assert_ptr_nonnull(strstr(text, "seed 9223372036854775807"));
	ck_assert_msg(strstr(text, "1234 errors: hung: still running at the "
	    "deadline + grace;\n            killed with SIGKILL\n") != NULL,
	    "%s", text);
	/* The reproduce line still pastes: folded lines end in " \\". */
	ck_assert_msg(strstr(text, "--seed 9223372036854775807 \\\n"
	    "            --fault") != NULL || strstr(text, "--batch 100 \\\n"
	    "            --seed") != NULL, "%s", text);
	ck_assert_ptr_nonnull(strstr(text, "'litestream replicate {db} "
	    "s3://bucket/db'"));
	/* A quote escaped outside quotes does not open one. */
	ck_assert_msg(strstr(text, "'/tmp/it'\\''s a db'") != NULL, "%s",
	    text);
	free(text);
	fx.cfg.verbose = 1;
	text = summary_of(&fx.rep);
	assert_fits(text);
	free(text);
	fx_free(&fx);
}
END_TEST

/* The vfs line: only when the database is not opened SQLite's way. */
START_TEST(test_report_summary_shows_vfs)
{
	struct fixture fx;
	char *text;

	fx_build(&fx, 1);
	text = summary_of(&fx.rep);
	ck_assert_msg(strstr(text, "\n  vfs ") == NULL, "%s", text);
	free(text);
	util_strlcpy(fx.rep.vfs, "unix-dotfile", sizeof fx.rep.vfs);
	text = summary_of(&fx.rep);
	ck_assert_msg(strstr(text, "\n  vfs       unix-dotfile\n") != NULL,
	    "%s", text);
	free(text);
	fx.cfg.load_extension = (char *)"/x/storm-test-vfs.so:init";
	text = summary_of(&fx.rep);
	ck_assert_msg(strstr(text, "\n  vfs       unix-dotfile, extension "
	    "/x/storm-test-vfs.so:init\n") != NULL, "%s", text);
	free(text);
	fx.rep.vfs[0] = '\0';
	text = summary_of(&fx.rep);
	ck_assert_msg(strstr(text, "\n  vfs       default, extension ") !=
	    NULL, "%s", text);
	free(text);
	fx.cfg.load_extension = NULL;
	fx_free(&fx);
}
END_TEST

START_TEST(test_report_summary_escapes_controls)
{
	struct fixture fx;
	char *text;

	fx_build(&fx, 1);
	util_strlcpy(fx.rep.sup.events[0].reason, "error before the deadline: "
	    "IOERR (10): disk\nsqlstorm: PASS\tforged \x1b[2J\x01 \xff end",
	    sizeof fx.rep.sup.events[0].reason);
	util_strlcpy(fx.rep.db_path, "/tmp/a\nb\r.db",
	    sizeof fx.rep.db_path);
	text = summary_of(&fx.rep);
	assert_fits(text);
	ck_assert_msg(strstr(text, "disk\\nsqlstorm:") != NULL &&
	    strstr(text, "PASS\\tforged \\x1b[2J\\x01 \\xff end") != NULL,
	    "%s", text);
	ck_assert_ptr_nonnull(strstr(text, "/tmp/a\\nb\\r.db"));
	/* The forged verdict never starts a line. */
	ck_assert_uint_eq(count_lines_starting(text, "sqlstorm: "), 1);
	free(text);
	fx_free(&fx);
}
END_TEST

START_TEST(test_report_escape_bytes)
{
	char out[64];

	ck_assert_uint_eq(report_escape("a\tb\n\x7f\xc3\xa9\xc3", out,
	    sizeof out), strlen("a\\tb\\n\\x7f\xc3\xa9\\xc3"));
	ck_assert_str_eq(out, "a\\tb\\n\\x7f\xc3\xa9\\xc3");
	/* Cut at cap, never in the middle of an escape. */
	report_escape("ab\x01", out, 5);
	ck_assert_str_eq(out, "ab");
	report_escape(NULL, out, sizeof out);
	ck_assert_str_eq(out, "");
}
END_TEST

START_TEST(test_report_shutdown_signalled_late)
{
	struct fixture fx;
	char *text, *doc;
	int64_t late;

	fx_build(&fx, 0);
	fx.rep.sup.shutdown_ns = fx.rep.sup.deadline_ns + 412 * MS;
	fx.rep.sup.done_ns = fx.rep.sup.deadline_ns + 431 * MS;
	ck_assert_int_eq(report_signalled_ns(&fx.rep, &late), 0);
	ck_assert_int_eq(late, 412 * MS);
	/* The overrun still counts from the deadline; so does the rate. */
	ck_assert_int_eq(report_overrun_ms(&fx.rep), 431);
	ck_assert_int_eq(report_duration_ms(&fx.rep), 1000);
	text = summary_of(&fx.rep);
	ck_assert_msg(strstr(text, "\n  shutdown  signalled at deadline+412 "
	    "ms, overrun 431 ms from the deadline\n") != NULL,
	    "%s", text);
	free(text);
	doc = fx_render(&fx.rep, report_json_write);
	ck_assert_ptr_nonnull(strstr(doc, "\"shutdown_signalled_ms\": 412,"));
	ck_assert_ptr_nonnull(strstr(doc, "\"shutdown_overrun_ms\": 431,"));
	free(doc);
	/* Within 5 ms it is not worth a word in the summary; JSON has it. */
	fx.rep.sup.shutdown_ns = fx.rep.sup.deadline_ns + 5 * MS;
	text = summary_of(&fx.rep);
	ck_assert_ptr_null(strstr(text, "signalled"));
	ck_assert_ptr_nonnull(strstr(text, "\n  shutdown  overrun 431 ms"));
	free(text);
	doc = fx_render(&fx.rep, report_json_write);
	ck_assert_ptr_nonnull(strstr(doc, "\"shutdown_signalled_ms\": 5,"));
	free(doc);
	fx_free(&fx);
}
END_TEST

START_TEST(test_report_options_for_durability)
{
	struct fixture fx;
	const char *opt;
	char *text, want[128];
	int i, n = 0, shown = 0;

	ck_assert(report_option_relevant("THREADSAFE=1"));
	ck_assert(report_option_relevant("DEFAULT_WAL_SYNCHRONOUS=1"));
	ck_assert(report_option_relevant("DEFAULT_SYNCHRONOUS=2"));
	ck_assert(report_option_relevant("ENABLE_SETLK_TIMEOUT"));
	ck_assert(report_option_relevant("ENABLE_LOCKING_STYLE=1"));
	ck_assert(report_option_relevant("MAX_MMAP_SIZE=0x7fff0000"));
	ck_assert(report_option_relevant("ENABLE_BATCH_ATOMIC_WRITE"));
	ck_assert(!report_option_relevant("ATOMIC_INTRINSICS=1"));
	ck_assert(!report_option_relevant("COMPILER=gcc-12.2.0"));
	ck_assert(!report_option_relevant("ENABLE_FTS5"));
	/* The value never counts: a compiler named "lock" is no lock. */
	ck_assert(!report_option_relevant("COMPILER=gcc-LOCK"));
	fx_build(&fx, 0);
	text = summary_of(&fx.rep);
	for (i = 0; (opt = sqlite3_compileoption_get(i)) != NULL; i++) {
		char word[160];

		n++;
		snprintf(word, sizeof word, " %s", opt);
		if (report_option_relevant(opt)) {
			shown++;
			ck_assert_msg(strstr(text, word) != NULL, "%s", word);
		} else
			ck_assert_msg(strstr(text, word) == NULL, "%s", word);
	}
	snprintf(want, sizeof want, "\n  options   %d compile option%s; "
	    "durability and locking:", n, n == 1 ? "" : "s");
	ck_assert_msg(strstr(text, want) != NULL, "%s", text);
	free(text);
	fx.cfg.verbose = 1;
	text = summary_of(&fx.rep);
	for (i = 0; (opt = sqlite3_compileoption_get(i)) != NULL; i++) {
		char word[160];

		snprintf(word, sizeof word, "%s", opt);
		ck_assert_msg(strstr(text, word) != NULL, "%s", word);
	}
	free(text);
	fx_free(&fx);
	(void)shown;
}
END_TEST

START_TEST(test_report_quiet_starts_with_verdict)
{
	struct fixture fx;
	FILE *fp = tmpfile();
	char *text;

	fx_build(&fx, 1);
	report_failures(&fx.rep, fp);
	text = capture_end(fp);
	ck_assert_msg(strncmp(text, "sqlstorm: FAIL (4 failures)\n  failure   "
	    "w0: ", 44) == 0, "%s", text);
	ck_assert_uint_eq(count_lines_starting(text, "  failure "), 4);
	free(text);
	fx_free(&fx);
}
END_TEST

static void
report_c2_tcases(Suite *s)
{
	TCase *tc = tcase_create("coverage");

	tcase_add_test(tc, test_report_snapshots_due_never_at_deadline);
	tcase_add_test(tc, test_report_coverage_counts);
	tcase_add_test(tc, test_report_pace_of_snapshots);
	tcase_add_test(tc, test_report_populate_line);
	tcase_add_test(tc, test_report_starved_is_compact);
	tcase_add_test(tc, test_report_summary_shows_coverage);
	suite_add_tcase(s, tc);

	tc = tcase_create("summary");
	tcase_add_test(tc, test_report_summary_counts_read_right);
	tcase_add_test(tc, test_report_file_note_tracks_the_drop);
	tcase_add_test(tc, test_report_maint_in_every_format);
	tcase_add_test(tc, test_report_summary_fits_80_columns);
	tcase_add_test(tc, test_report_summary_escapes_controls);
	tcase_add_test(tc, test_report_summary_shows_vfs);
	tcase_add_test(tc, test_report_escape_bytes);
	tcase_add_test(tc, test_report_shutdown_signalled_late);
	tcase_add_test(tc, test_report_options_for_durability);
	tcase_add_test(tc, test_report_quiet_starts_with_verdict);
	suite_add_tcase(s, tc);
}

Suite *report_suite(void);

/* ------------------------------------------------ safe report files */

/* path under the files fixture's directory. */
static void
in_tmp(char *buf, size_t cap, const char *name)
{
	ck_assert_int_lt(snprintf(buf, cap, "%s/%s", tmpdir, name), (int)cap);
}

static int
write_run(void *arg, FILE *fp)
{
	(void)arg;
	fputs("new\n", fp);
	return 0;
}

static void
put_text(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");

	ck_assert_ptr_nonnull(fp);
	fputs(text, fp);
	ck_assert_int_eq(fclose(fp), 0);
}

START_TEST(test_report_path_refuses_what_is_not_a_file)
{
	char fifo[PATH_MAX], link[PATH_MAX], victim[PATH_MAX];
	char why[REPORT_WHY_MAX];
	struct stat st;
	char *s;

	in_tmp(fifo, sizeof fifo, "r.fifo");
	in_tmp(link, sizeof link, "r.link");
	in_tmp(victim, sizeof victim, "victim");
	put_text(victim, "victim\n");
	ck_assert_int_eq(mkfifo(fifo, 0600), 0);
	ck_assert_int_eq(symlink(victim, link), 0);

	ck_assert_int_eq(report_path_check(fifo, NULL, why, sizeof why), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_str_eq(why, "a FIFO, not a regular file");
	ck_assert_int_eq(report_path_check(link, NULL, why, sizeof why), -1);
	ck_assert_int_eq(errno, ELOOP);
	ck_assert_str_eq(why, "a symbolic link, not a regular file");
	ck_assert_int_eq(report_path_check(tmpdir, NULL, why, sizeof why), -1);
	ck_assert_int_eq(errno, EISDIR);
	/* Refused, never opened: /dev/null stays what it is. */
	ck_assert_int_eq(report_path_check("/dev/null", NULL, why,
	    sizeof why), -1);
	ck_assert_str_eq(why, "a character device, not a regular file");
	ck_assert_int_eq(stat("/dev/null", &st), 0);
	ck_assert(S_ISCHR(st.st_mode));
	ck_assert_int_eq(lstat(fifo, &st), 0);
	ck_assert(S_ISFIFO(st.st_mode));
	s = slurp(victim);
	ck_assert_str_eq(s, "victim\n");
	free(s);
}
END_TEST

START_TEST(test_report_path_refuses_the_database)
{
	char db[PATH_MAX], uri[PATH_MAX + 32], alias[PATH_MAX + 16];
	char hard[PATH_MAX], wal[PATH_MAX + 16], why[REPORT_WHY_MAX];

	in_tmp(db, sizeof db, "app.db");
	in_tmp(hard, sizeof hard, "hard.json");
	put_text(db, "SQLite format 3");
	ck_assert_int_eq(link(db, hard), 0);
	snprintf(uri, sizeof uri, "file://localhost%s?mode=rw", db);
	snprintf(alias, sizeof alias, "%s/./app.db", tmpdir);
	snprintf(wal, sizeof wal, "%s/../%s/app.db-wal", tmpdir,
	    strrchr(tmpdir, '/') + 1);

	ck_assert_int_eq(report_path_check(db, db, why, sizeof why), -1);
	ck_assert_str_eq(why, "it is the database (--db)");
	ck_assert_int_eq(report_path_check(alias, uri, why, sizeof why), -1);
	ck_assert_int_eq(report_path_check(hard, db, why, sizeof why), -1);
	/* Companion files are refused before they exist. */
	ck_assert_int_eq(report_path_check(wal, db, why, sizeof why), -1);
	ck_assert_str_eq(why, "it is the database's -wal file");
	in_tmp(wal, sizeof wal, "new.db-shm");
	in_tmp(db, sizeof db, "new.db");
	ck_assert_int_eq(report_path_check(wal, db, why, sizeof why), -1);
	ck_assert_str_eq(why, "it is the database's -shm file");
	/* The report's own .tmp may not be the database either. */
	in_tmp(db, sizeof db, "r.json.tmp");
	put_text(db, "SQLite format 3");
	in_tmp(wal, sizeof wal, "r.json");
	ck_assert_int_eq(report_path_check(wal, db, why, sizeof why), -1);
	ck_assert_ptr_nonnull(strstr(why, "is in the way: it is the database"));
	/* Another name in the same directory is fine. */
	in_tmp(wal, sizeof wal, "app.json");
	ck_assert_int_eq(report_path_check(wal, db, why, sizeof why), 0);
	ck_assert_int_eq(report_path_same(alias, hard), 1);
	ck_assert_int_eq(report_path_same(alias, wal), 0);
}
END_TEST

START_TEST(test_report_file_put_never_follows)
{
	char path[PATH_MAX], tmp[PATH_MAX], victim[PATH_MAX];
	char why[REPORT_WHY_MAX];
	struct stat st;
	char *s;

	in_tmp(path, sizeof path, "r.json");
	in_tmp(tmp, sizeof tmp, "r.json.tmp");
	in_tmp(victim, sizeof victim, "victim");
	put_text(victim, "victim\n");
	/* A link planted at FILE.tmp: refused, its target untouched. */
	ck_assert_int_eq(symlink(victim, tmp), 0);
	ck_assert_int_eq(report_file_put(path, write_run, NULL, why,
	    sizeof why), -1);
	ck_assert_ptr_nonnull(strstr(why, "is in the way: a symbolic link"));
	s = slurp(victim);
	ck_assert_str_eq(s, "victim\n");
	free(s);
	ck_assert_int_eq(lstat(path, &st), -1);
	/* A regular leftover FILE.tmp is replaced. */
	ck_assert_int_eq(unlink(tmp), 0);
	put_text(tmp, "leftover");
	ck_assert_int_eq(report_file_put(path, write_run, NULL, why,
	    sizeof why), 0);
	s = slurp(path);
	ck_assert_str_eq(s, "new\n");
	free(s);
	ck_assert_int_eq(lstat(tmp, &st), -1);
	/* The target became a FIFO: never renamed over. */
	ck_assert_int_eq(unlink(path), 0);
	ck_assert_int_eq(mkfifo(path, 0600), 0);
	ck_assert_int_eq(report_file_put(path, write_run, NULL, why,
	    sizeof why), -1);
	ck_assert_str_eq(why, "it became a FIFO during the run, not a "
	    "regular file");
	ck_assert_int_eq(lstat(path, &st), 0);
	ck_assert(S_ISFIFO(st.st_mode));
	ck_assert_int_eq(lstat(tmp, &st), -1);
}
END_TEST

START_TEST(test_report_runs_hold_every_run)
{
	struct fixture pass, fail;
	struct report_runs rr;
	struct config cfg;
	char want[160];
	FILE *fp;
	char *doc;

	fx_build(&pass, 0);
	fx_build(&fail, 1);
	config_defaults(&cfg);
	cfg.repeat = 2;
	cfg.json = (char *)"r.json";
	cfg.junit = (char *)"r.xml";
	ck_assert_int_eq(report_runs_open(&rr, &cfg), 0);
	ck_assert_int_eq(report_runs_add(&rr, &pass.rep, 0), 0);
	ck_assert_int_eq(report_runs_add(&rr, &fail.rep, 1), 0);
	rr.exit_code = 1;

	fp = tmpfile();
	ck_assert_int_eq(report_runs_json(&rr, fp), 0);
	doc = capture_end(fp);
	ck_assert_msg(json_valid(doc), "not valid JSON:\n%s", doc);
	ck_assert_ptr_nonnull(strstr(doc, "\"verdict\": \"fail\""));
	ck_assert_ptr_nonnull(strstr(doc, "\"schema\": 2"));
	ck_assert_ptr_nonnull(strstr(doc, "\"run_count\": 2,\n"
	    "  \"failed_runs\": 1,\n  \"runs\": [\n    {\n"));
	ck_assert_ptr_nonnull(strstr(doc, "\n    },\n    {\n"));
	free(doc);

	fp = tmpfile();
	ck_assert_int_eq(report_runs_junit(&rr, fp), 0);
	doc = capture_end(fp);
	snprintf(want, sizeof want, "<testsuite name=\"sqlstorm run 1\" "
	    "tests=\"%ld\" failures=\"0\" errors=\"0\"",
	    report_check_walk(&pass.rep, NULL, NULL, NULL));
	ck_assert_ptr_nonnull(strstr(doc, want));
	ck_assert_ptr_nonnull(strstr(doc, "<testsuite name=\"sqlstorm run 2\""));
	ck_assert_ptr_null(strstr(doc, "name=\"reports\""));
	free(doc);

	/* An error after the runs: one more suite, in error. */
	rr.exit_code = 99;
	util_strlcpy(rr.hard_error, "--tap: cannot write TAP on stdout",
	    sizeof rr.hard_error);
	fp = tmpfile();
	ck_assert_int_eq(report_runs_junit(&rr, fp), 0);
	doc = capture_end(fp);
	ck_assert_ptr_nonnull(strstr(doc, "<error message=\"--tap: cannot "
	    "write TAP on stdout\""));
	free(doc);
	report_runs_close(&rr);
	fx_free(&pass);
	fx_free(&fail);
}
END_TEST

START_TEST(test_report_junit_doc_keeps_checks_with_an_error)
{
	struct fixture fx;
	char want[160];
	FILE *fp;
	char *doc;

	fx_build(&fx, 0);
	fx.rep.exit_code = 99;
	util_strlcpy(fx.rep.hard_error, "--tap: cannot write TAP",
	    sizeof fx.rep.hard_error);
	fp = tmpfile();
	ck_assert_int_eq(report_junit_doc(&fx.rep, fp, fx.rep.hard_error), 0);
	doc = capture_end(fp);
	/* Every check of the run, plus the error that made it exit 99. */
	snprintf(want, sizeof want, "<testsuites name=\"sqlstorm\" "
	    "tests=\"%ld\" failures=\"0\" errors=\"1\"",
	    report_check_walk(&fx.rep, NULL, NULL, NULL) + 1);
	ck_assert_ptr_nonnull(strstr(doc, want));
	ck_assert_ptr_nonnull(strstr(doc, "classname=\"sqlstorm.w0\""));
	ck_assert_ptr_nonnull(strstr(doc, "<error message=\"--tap: cannot "
	    "write TAP\""));
	free(doc);
	fx_free(&fx);
}
END_TEST

/* --markdown: a failure's text cannot break the table or inject HTML. */
START_TEST(test_report_md_cell_escapes)
{
	static const struct { const char *in, *out; } t[] = {
		{ "plain text", "plain text" },
		{ "a|b", "a\\|b" },
		{ "x<y>&z", "x&lt;y&gt;&amp;z" },
		{ "*bold* _it_ `code` [l](u) #h ~s~",
		  "\\*bold\\* \\_it\\_ \\`code\\` \\[l\\](u) \\#h \\~s\\~" },
		{ "back\\slash", "back\\\\slash" },
		{ "l1\nl2\tx", "l1\\\\nl2\\\\tx" },
		{ "caf\xc3\xa9", "caf\xc3\xa9" },
	};
	char out[256];
	size_t i;

	for (i = 0; i < sizeof t / sizeof t[0]; i++)
		ck_assert_str_eq(report_md_cell(t[i].in, out, sizeof out),
		    t[i].out);
	/* Invalid UTF-8 is \xNN, its backslash escaped. */
	report_md_cell("bad\xff", out, sizeof out);
	ck_assert_int_eq(strncmp(out, "bad\\\\x", 6), 0);
	/* Cut at cap, never in the middle of an escape. */
	ck_assert_str_eq(report_md_cell("a|b", out, 3), "a");
	ck_assert_str_eq(report_md_cell("a|b", out, 4), "a\\|");
	ck_assert_str_eq(report_md_cell(NULL, out, sizeof out), "");
}
END_TEST

/* --plot: the series keeps every commit, in bounded memory. */
START_TEST(test_report_series_rebuckets)
{
	struct config cfg;
	struct report rep;
	const int64_t ms = 1000000, t0 = INT64_C(5000) * ms;
	static char svg[] = "x.svg";
	uint64_t sum = 0;
	size_t i;

	config_defaults(&cfg);
	cfg.plot = svg;
	report_init(&rep, &cfg);
	rep.nworkers = 2;
	report_series_note(&rep, 0, t0);          /* before the release */
	ck_assert_ptr_null(rep.series.count);
	rep.sup.start_ns = t0;
	report_series_note(&rep, 0, t0 - 7 * ms); /* clock skew: bucket 0 */
	report_series_note(&rep, 0, t0 + 50 * ms);
	report_series_note(&rep, 1, t0 + 150 * ms);
	report_series_note(&rep, 2, t0 + 150 * ms);   /* no such worker */
	ck_assert(rep.series.bucket_ns == 100 * ms);
	ck_assert_uint_eq(rep.series.count[0], 2);
	ck_assert_uint_eq(rep.series.count[REPORT_SERIES_MAX + 1], 1);
	ck_assert_uint_eq(rep.series.nbuckets, 2);
	report_series_note(&rep, 0, t0 + 61000 * ms);   /* past 600 x 100ms */
	ck_assert(rep.series.bucket_ns == 200 * ms);
	ck_assert_uint_eq(rep.series.count[0], 2);
	ck_assert_uint_eq(rep.series.count[REPORT_SERIES_MAX + 0], 1);
	ck_assert_uint_eq(rep.series.count[305], 1);
	ck_assert_uint_eq(rep.series.nbuckets, 306);
	report_series_note(&rep, 0, t0 + INT64_C(3600000) * ms);  /* 1 h */
	ck_assert_uint_lt(rep.series.nbuckets, REPORT_SERIES_MAX + 1);
	for (i = 0; i < REPORT_SERIES_MAX; i++)
		sum += rep.series.count[i];
	ck_assert_uint_eq(sum, 4);
	cfg.plot = NULL;
	report_free(&rep);
	ck_assert_ptr_null(rep.series.count);
}
END_TEST

/* A run that never started still draws a well-formed picture. */
START_TEST(test_report_plot_without_a_run)
{
	struct config cfg;
	struct report rep;
	FILE *fp = tmpfile();
	char buf[8192];
	size_t n;

	ck_assert_ptr_nonnull(fp);
	config_defaults(&cfg);
	report_init(&rep, &cfg);
	rep.exit_code = 99;
	ck_assert_int_eq(report_plot_write(&rep, fp), 0);
	rewind(fp);
	n = fread(buf, 1, sizeof buf - 1, fp);
	buf[n] = '\0';
	ck_assert_ptr_nonnull(strstr(buf, "sqlstorm: ERROR</text>"));
	ck_assert_ptr_nonnull(strstr(buf, "</svg>\n"));
	ck_assert_ptr_null(strstr(buf, "class=\"deadline\""));
	fclose(fp);
	report_free(&rep);
}
END_TEST

Suite *
report_suite(void)
{
	Suite *s = suite_create("report");
	TCase *tc;

	tc = tcase_create("escape");
	tcase_add_test(tc, test_report_json_escapes_specials);
	tcase_add_test(tc, test_report_json_keeps_valid_utf8);
	tcase_add_test(tc, test_report_json_replaces_invalid_utf8);
	tcase_add_test(tc, test_report_utf8_len_boundaries);
	tcase_add_test(tc, test_report_xml_escapes_markup);
	tcase_add_test(tc, test_report_xml_replaces_what_xml_cannot_hold);
	suite_add_tcase(s, tc);

	tc = tcase_create("numbers");
	tcase_add_test(tc, test_report_percentiles_from_buckets);
	tcase_add_test(tc, test_report_progress_format);
	tcase_add_test(tc, test_report_progress_silent_off_terminal);
	suite_add_tcase(s, tc);

	tc = tcase_create("checks");
	tcase_add_test(tc, test_report_checks_failing);
	tcase_add_test(tc, test_report_checks_passing);
	tcase_add_test(tc, test_report_checks_interrupted);
	tcase_add_test(tc, test_report_checks_interrupt_names_signal);
	tcase_add_test(tc, test_report_checks_pair_by_kind_not_text);
	tcase_add_test(tc, test_report_checks_ledger_snapshot_in_place);
	tcase_add_test(tc, test_report_json_reads_stored_verdicts);
	suite_add_tcase(s, tc);

	tc = tcase_create("writers");
	tcase_add_test(tc, test_report_json_has_every_key);
	tcase_add_test(tc, test_report_json_passing_and_hard_error);
	tcase_add_test(tc, test_report_tap_points_match_failures);
	tcase_add_test(tc, test_report_tap_bails_on_hard_error);
	tcase_add_test(tc, test_report_junit_matches_checks);
	tcase_add_test(tc, test_report_junit_hard_error);
	tcase_add_test(tc, test_report_summary_fingerprint);
	suite_add_tcase(s, tc);

	tc = tcase_create("files");
	tcase_add_checked_fixture(tc, files_setup, files_teardown);
	tcase_add_test(tc, test_report_file_check_paths);
	tcase_add_test(tc, test_report_file_write_is_whole_or_nothing);
	tcase_add_test(tc, test_report_fs_type_of_ancestor);
	tcase_add_test(tc, test_report_fingerprint_fills_once);
	suite_add_tcase(s, tc);
	report_c2_tcases(s);

	tc = tcase_create("trace");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_report_trace_unwritable_is_hard_error);
	tcase_add_test(tc, test_report_trace_of_a_run);
	suite_add_tcase(s, tc);

	tc = tcase_create("safety");
	tcase_add_checked_fixture(tc, files_setup, files_teardown);
	tcase_add_test(tc, test_report_path_refuses_what_is_not_a_file);
	tcase_add_test(tc, test_report_path_refuses_the_database);
	tcase_add_test(tc, test_report_file_put_never_follows);
	tcase_add_test(tc, test_report_runs_hold_every_run);
	tcase_add_test(tc, test_report_junit_doc_keeps_checks_with_an_error);
	tcase_add_test(tc, test_report_md_cell_escapes);
	tcase_add_test(tc, test_report_series_rebuckets);
	tcase_add_test(tc, test_report_plot_without_a_run);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(report_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
