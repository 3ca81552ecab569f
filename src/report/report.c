/* SPDX-License-Identifier: MIT */
/*
 * report: the run's findings in one structure, and the human summary
 * (verdict first, then numbers, then every error grouped by verdict, then
 * the SQLite fingerprint and how to reproduce a failure).  It also finds
 * the filesystem the database is on and draws the progress line on a
 * terminal.  It reads the report; it never decides a verdict itself.
 */
#include "autoconf.h"
#include "report.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#if defined(HAVE_STATFS) && defined(__linux__) && defined(HAVE_SYS_VFS_H)
#include <sys/vfs.h>
#define REPORT_STATFS_MAGIC 1
#elif defined(HAVE_STATFS) && defined(HAVE_SYS_MOUNT_H) && \
    (defined(__APPLE__) || defined(__FreeBSD__) || defined(__OpenBSD__) || \
    defined(__DragonFly__))
#include <sys/param.h>
#include <sys/mount.h>
#define REPORT_STATFS_NAME 1
#endif

#include <sqlite3.h>

#include "duration.h"
#include "report-out.h"
#include "report-plot.h"
#include "util.h"

/* Redraw the progress line at most this often. */
#define REPORT_PROGRESS_NS (250 * UTIL_NS_PER_MS)

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
	report_plot_free(rep);
	free(rep->powerloss.images);
	free(rep->unready);
	rep->unready = NULL;
	rep->nunready = rep->capunready = 0;
	rep->workers = NULL;
	rep->snapshots = NULL;
	rep->nworkers = 0;
	rep->nsnapshots = rep->capsnapshots = 0;
}

uint64_t
report_percentile_us(const struct report *rep, double pct)
{
	return report_hist_percentile_us(rep->hist, pct);
}

uint64_t
report_hist_percentile_us(const uint64_t *hist, double pct)
{
	uint64_t total = 0, seen = 0, want;
	int b;

	for (b = 0; b < WIRE_HIST_BUCKETS; b++)
		total += hist[b];
	if (total == 0)
		return 0;
	/* The smallest bucket holding at least pct% of the samples. */
	want = (uint64_t)((double)total * pct / 100.0 + 0.999999);
	if (want == 0)
		want = 1;
	for (b = 0; b < WIRE_HIST_BUCKETS; b++) {
		seen += hist[b];
		if (seen >= want)
			return wire_hist_upper(b);
	}
	return wire_hist_upper(WIRE_HIST_BUCKETS - 1);
}

static void
report_pace_sum(struct report_pace *to, const struct wire_pace *p)
{
	to->scheduled += p->scheduled;
	to->done += p->done;
	if (p->behind_max_ns > to->behind_max_ns)
		to->behind_max_ns = p->behind_max_ns;
	if (p->behind_end_ns > to->behind_end_ns)
		to->behind_end_ns = p->behind_end_ns;
	to->reported++;
}

void
report_pace_add(struct report *rep, int w, const struct wire_pace *p)
{
	int b;

	if (w < 0 || w >= rep->nworkers)
		return;
	memset(&rep->workers[w].pace, 0, sizeof rep->workers[w].pace);
	report_pace_sum(&rep->workers[w].pace, p);
	report_pace_sum(&rep->pace, p);
	for (b = 0; b < WIRE_HIST_BUCKETS; b++)
		rep->pace_hist[b] += p->count[b];
}

/*
 * The moment the run's clock stops: the deadline, or the shutdown when it
 * came first (an interrupt).  A shutdown signalled late does not move it:
 * the overrun counts from the deadline.
 */
static int64_t
report_end_ns(const struct report *rep)
{
	const struct sup_result *r = &rep->sup;

	if (r->deadline_ns == 0)
		return r->shutdown_ns;
	if (r->shutdown_ns != 0 && r->shutdown_ns < r->deadline_ns)
		return r->shutdown_ns;
	return r->deadline_ns;
}

int64_t
report_duration_ms(const struct report *rep)
{
	int64_t end = report_end_ns(rep);

	if (rep->sup.start_ns == 0 || rep->sup.shutdown_ns == 0 || end == 0)
		return 0;
	return (end - rep->sup.start_ns) / UTIL_NS_PER_MS;
}

int64_t
report_overrun_ms(const struct report *rep)
{
	int64_t end = report_end_ns(rep);

	if (rep->sup.shutdown_ns == 0 || rep->sup.done_ns == 0 || end == 0)
		return 0;
	return (rep->sup.done_ns - end) / UTIL_NS_PER_MS;
}

int64_t
report_stop_ms(const struct report *rep, const char *name)
{
	int64_t end = report_end_ns(rep), last = 0;
	size_t i, lo = 0, hi = (size_t)rep->nworkers, found = 0;

	if (rep->sup.children == NULL || end == 0)
		return -1;
	if (name != NULL) {
		lo = hi = (size_t)rep->nworkers;
		for (i = lo; i < rep->sup.nchildren; i++)
			if (strcmp(rep->sup.children[i].name, name) == 0) {
				lo = i;
				hi = i + 1;
				break;
			}
	}
	for (i = lo; i < hi && i < rep->sup.nchildren; i++, found++)
		if (rep->sup.children[i].t_reaped > last)
			last = rep->sup.children[i].t_reaped;
	if (found == 0)
		return -1;
	return last > end ? (last - end) / UTIL_NS_PER_MS : 0;
}

int
report_signalled_ns(const struct report *rep, int64_t *ns)
{
	if (rep->sup.shutdown_ns == 0 || rep->sup.deadline_ns == 0)
		return -1;
	*ns = rep->sup.shutdown_ns - rep->sup.deadline_ns;
	return 0;
}

/* ------------------------------------------------------------- coverage */

uint64_t
report_snapshots_due(int64_t run_ns, int64_t every_ns)
{
	/* Due at start + k * every for k >= 1, and never at the end or after. */
	if (run_ns <= 0 || every_ns <= 0)
		return 0;
	return (uint64_t)((run_ns - 1) / every_ns);
}

void
report_coverage(const struct report *rep, struct report_coverage *cov)
{
	const struct config *cfg = rep->cfg;
	int64_t end = report_end_ns(rep);
	size_t i;
	int w;

	memset(cov, 0, sizeof *cov);
	cov->workers = rep->nworkers;
	for (w = 0; w < rep->nworkers; w++)
		cov->workers_committed += rep->workers[w].acked > 0;
	cov->snapshots_taken = 0;
	for (i = 0; i < rep->nsnapshots; i++)
		cov->snapshots_taken += !rep->snapshots[i].final_restore;
	if (cfg == NULL)
		return;
	cov->snapshots_on = cfg->validate_every_ns > 0;
	if (rep->sup.start_ns != 0 && end > rep->sup.start_ns)
		cov->snapshots_scheduled = report_snapshots_due(
		    end - rep->sup.start_ns, cfg->validate_every_ns);
	/*
	 * An interrupted run was cut short: it is no test of coverage.  A
	 * power cut ends the run where it fell: what came before it counts.
	 */
	cov->judged = (rep->sup.cut_ns != 0 && rep->sup.start_ns != 0 ?
	    rep->sup.cut_ns - rep->sup.start_ns : cfg->duration_ns) >=
	    REPORT_MIN_USEFUL_NS &&
	    !rep->interrupted && rep->exit_code != 99 &&
	    rep->sup.start_ns != 0;
}

static int
report_cmp_ns(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * When each snapshot began: every SNAPSHOT verdict, and every copy or
 * check the validator reported as an error instead (one cut short by the
 * shutdown began on time too).  The validator is the child after the
 * workers.  Returns a sorted malloc'd array of *n, or NULL.
 */
static int64_t *
report_snapshot_starts(const struct report *rep, size_t *n)
{
	int64_t *t = malloc((rep->nsnapshots + rep->sup.nevents + 1) *
	    sizeof *t);
	size_t i;

	*n = 0;
	if (t == NULL)
		return NULL;
	for (i = 0; i < rep->nsnapshots; i++)
		if (!rep->snapshots[i].final_restore)
			t[(*n)++] = rep->snapshots[i].t_begin_ns;
	for (i = 0; i < rep->sup.nevents; i++) {
		const struct sup_event *ev = &rep->sup.events[i];

		if (ev->kind == SUP_EV_ERROR && ev->child == rep->nworkers &&
		    (ev->err.op == WIRE_OP_SNAPSHOT ||
		    ev->err.op == WIRE_OP_VALIDATE) &&
		    ev->err.t_begin >= rep->sup.start_ns &&
		    (rep->sup.deadline_ns == 0 ||
		    ev->err.t_begin < rep->sup.deadline_ns))
			t[(*n)++] = ev->err.t_begin;
	}
	qsort(t, *n, sizeof *t, report_cmp_ns);
	return t;
}

void
report_snap_pace(const struct report *rep, struct report_snap_pace *pace)
{
	struct report_coverage cov;
	int64_t prev = rep->sup.start_ns, gap, *t;
	size_t i, n;

	memset(pace, 0, sizeof *pace);
	report_coverage(rep, &cov);
	pace->on = cov.snapshots_on && rep->sup.start_ns != 0;
	pace->scheduled = cov.snapshots_scheduled;
	pace->every_ns = rep->cfg != NULL ? rep->cfg->validate_every_ns : 0;
	if (!pace->on || (t = report_snapshot_starts(rep, &n)) == NULL)
		return;
	for (i = 0; i < n; i++) {
		gap = t[i] - prev;
		if (gap > pace->max_gap_ns)
			pace->max_gap_ns = gap;
		prev = t[i];
	}
	free(t);
	pace->started = n;
	if (n > 0)
		pace->mean_gap_ns = (prev - rep->sup.start_ns) / (int64_t)n;
	pace->behind = pace->started < pace->scheduled ||
	    pace->max_gap_ns > 2 * pace->every_ns;
}

size_t
report_starved(const struct report *rep, char *buf, size_t cap)
{
	size_t n = 0, len = 0, shown = 0;
	int w;
	char tail[64];

	if (cap == 0)
		return 0;
	buf[0] = '\0';
	for (w = 0; w < rep->nworkers; w++)
		n += rep->workers[w].acked == 0;
	if (n == 0)
		return 0;
	for (w = 0; w < rep->nworkers; w++) {
		const char *name = rep->workers[w].name[0] != '\0' ?
		    rep->workers[w].name : NULL;
		char own[SUP_NAME_MAX];

		if (rep->workers[w].acked > 0)
			continue;
		if (shown == REPORT_STARVED_SHOWN) {
			len += (size_t)snprintf(buf + len, len < cap ?
			    cap - len : 0, ", ...");
			break;
		}
		if (name == NULL) {
			snprintf(own, sizeof own, "w%d", w);
			name = own;
		}
		len += (size_t)snprintf(buf + len, len < cap ? cap - len : 0,
		    "%s%s", shown > 0 ? ", " : "", name);
		shown++;
		if (len >= cap)
			break;
	}
	snprintf(tail, sizeof tail, " (%zu of %d worker%s)", n, rep->nworkers,
	    rep->nworkers == 1 ? "" : "s");
	if (len < cap)
		util_strlcpy(buf + len, tail, cap - len);
	return n;
}

/* ---------------------------------------------------- lines and words */

size_t
report_escape(const char *s, char *out, size_t cap)
{
	size_t n = 0, k;
	char esc[8];

	if (cap == 0)
		return 0;
	for (; s != NULL && *s != '\0'; s += k) {
		unsigned char c = (unsigned char)*s;
		const char *piece = s;
		size_t len;

		k = 1;
		if (c == '\n' || c == '\t' || c == '\r') {
			snprintf(esc, sizeof esc, "\\%c", c == '\n' ? 'n' :
			    c == '\t' ? 't' : 'r');
			piece = esc;
			len = 2;
		} else if (c < 0x20 || c == 0x7f ||
		    (c >= 0x80 && (k = report_utf8_len(s)) == 0)) {
			snprintf(esc, sizeof esc, "\\x%02x", c);
			piece = esc;
			len = 4;
			k = 1;
		} else
			len = k;
		if (n + len >= cap)
			break;
		memcpy(out + n, piece, len);
		n += len;
	}
	out[n] = '\0';
	return n;
}

/* Columns a UTF-8 byte string takes: continuation bytes take none. */
static size_t
report_cols(const char *s, size_t len)
{
	size_t i, n = 0;

	for (i = 0; i < len; i++)
		n += ((unsigned char)s[i] & 0xC0) != 0x80;
	return n;
}

/* Bytes of s that fill at most cols columns, never splitting a character. */
static size_t
report_fit(const char *s, size_t len, size_t cols)
{
	size_t i, n = 0;

	for (i = 0; i < len; i++) {
		if (((unsigned char)s[i] & 0xC0) != 0x80 && n++ == cols)
			break;
	}
	return i;
}

/* Where the word at s ends; in a shell command, quotes hold spaces. */
static size_t
report_word(const char *s, int shell)
{
	size_t i = 0;
	char q = 0;

	for (; s[i] != '\0'; i++) {
		if (q != 0) {
			if (s[i] == q)
				q = 0;
		} else if (s[i] == ' ')
			break;
		else if (shell && s[i] == '\\' && s[i + 1] != '\0')
			i++;    /* \' or "\ " quotes one character */
		else if (shell && (s[i] == '\'' || s[i] == '"'))
			q = s[i];
	}
	return i;
}

/*
 * Print "  label     text" folded at word boundaries to REPORT_COLS,
 * continuation lines indented under the text.  A word too long for a line
 * is cut, except in a shell command (shell set), where every folded line
 * ends in " \" so the command still pastes as one.
 */
static void
report_fold(FILE *fp, const char *label, const char *text, int shell)
{
	size_t col, wlen, wcols, room, cut;
	size_t limit = REPORT_COLS - (shell ? 2 : 0);

	fprintf(fp, "  %-*s ", REPORT_INDENT - 3, label);
	col = REPORT_INDENT;
	while (*text != '\0') {
		while (*text == ' ')
			text++;
		wlen = report_word(text, shell);
		if (wlen == 0)
			break;
		wcols = report_cols(text, wlen);
		if (col > REPORT_INDENT && col + 1 + wcols > limit) {
			fprintf(fp, "%s\n%*s", shell ? " \\" : "",
			    REPORT_INDENT, "");
			col = REPORT_INDENT;
		} else if (col > REPORT_INDENT) {
			fputc(' ', fp);
			col++;
		}
		while (!shell && col + wcols > limit) {
			room = limit - col;
			cut = report_fit(text, wlen, room);
			fwrite(text, 1, cut, fp);
			fprintf(fp, "\n%*s", REPORT_INDENT, "");
			text += cut;
			wlen -= cut;
			wcols = report_cols(text, wlen);
			col = REPORT_INDENT;
		}
		fwrite(text, 1, wlen, fp);
		col += wcols;
		text += wlen;
	}
	fputc('\n', fp);
}

static void report_line(FILE *, int, const char *, const char *, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

/*
 * One summary line: formatted, control characters and invalid UTF-8
 * escaped (paths, children's messages and logs may hold anything), then
 * folded to the terminal's 80 columns.
 */
static void
report_line(FILE *fp, int shell, const char *label, const char *fmt, ...)
{
	va_list ap, again;
	char small[512], *raw = small, *esc = NULL;
	int n;

	va_start(ap, fmt);
	va_copy(again, ap);
	n = vsnprintf(small, sizeof small, fmt, ap);
	va_end(ap);
	if (n >= (int)sizeof small && (raw = malloc((size_t)n + 1)) != NULL)
		(void)vsnprintf(raw, (size_t)n + 1, fmt, again);
	va_end(again);
	if (raw == NULL)
		raw = small;
	if (n >= 0 && (esc = malloc(4 * strlen(raw) + 1)) != NULL) {
		report_escape(raw, esc, 4 * strlen(raw) + 1);
		report_fold(fp, label, esc, shell);
	}
	free(esc);
	if (raw != small)
		free(raw);
}

/* "s" unless n is 1: "1 error", "2 errors", "0 errors". */
static const char *
report_s(uint64_t n)
{
	return n == 1 ? "" : "s";
}

/* ------------------------------------------------------------- summary */

static const char *
report_child_name(const struct report *rep, int child)
{
	if (child >= 0 && (size_t)child < rep->sup.nchildren)
		return rep->sup.children[child].name;
	return "run";
}

/* A latency in ms without its unit: "0.05", "12". */
static void
report_ms(char *buf, size_t cap, uint64_t usec)
{
	if (usec < 10000)
		snprintf(buf, cap, "%.2f", (double)usec / 1000.0);
	else
		snprintf(buf, cap, "%.0f", (double)usec / 1000.0);
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
		report_line(fp, 0, label, "%s: %s",
		    report_child_name(rep, ev->child), ev->reason);
	}
	if (rep->sup.dropped_events > 0 && v == VERDICT_FAILURE)
		fprintf(fp, "  (%llu more events not stored)\n",
		    (unsigned long long)rep->sup.dropped_events);
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
report_verdict_line(const struct report *rep, FILE *fp)
{
	fprintf(fp, "sqlstorm: %s", report_verdict(rep));
	if (rep->sup.nfailures > 0)
		fprintf(fp, " (%zu failure%s)", rep->sup.nfailures,
		    report_s(rep->sup.nfailures));
	fputc('\n', fp);
}

void
report_failures(const struct report *rep, FILE *fp)
{
	report_verdict_line(rep, fp);
	report_events(rep, fp, VERDICT_FAILURE, "failure");
	if (rep->repro[0] != '\0')
		report_line(fp, 1, "reproduce", "%s", rep->repro);
}

/* The VFS and extension the database is opened with, when not SQLite's. */
static void
report_vfs_line(const struct report *rep, FILE *fp)
{
	const char *ext = rep->cfg->load_extension;

	if (rep->vfs[0] == '\0' && ext == NULL)
		return;
	report_line(fp, 0, "vfs", "%s%s%s", rep->vfs[0] != '\0' ? rep->vfs :
	    "default", ext != NULL ? ", extension " : "", ext != NULL ? ext :
	    "");
}

static void
report_head(const struct report *rep, FILE *fp)
{
	const struct config *cfg = rep->cfg;
	char d[32], iv[32], pacing[64];

	duration_format(cfg->duration_ns, d, sizeof d);
	duration_format(cfg->interval_ns, iv, sizeof iv);
	/* With --rate the interval is not used: the rate paces the load. */
	if (cfg->rate > 0)
		snprintf(pacing, sizeof pacing, "rate %lld/s %s",
		    (long long)cfg->rate, pace_pattern_names[cfg->pattern]);
	else
		snprintf(pacing, sizeof pacing, "interval %s", iv);
	report_verdict_line(rep, fp);
	/* Journal and sync are on the database line: this one fits 80. */
	report_line(fp, 0, "run", "%d worker%s, %s, %s, batch %d, "
	    "seed %llu", cfg->workers, report_s((uint64_t)cfg->workers), d,
	    pacing, cfg->batch, (unsigned long long)rep->seed);
	report_vfs_line(rep, fp);
}

/* "acked 1..201, 201 commits, busy 3 waits / 1.5 ms, 1 error[: why]" */
static void
report_worker_line(const struct report *rep, int w, FILE *fp)
{
	const struct report_worker *rw = &rep->workers[w];
	char rows[48] = "", acked[40], busy[64];
	double ms = (double)rw->busy_ns / UTIL_NS_PER_MS;

	/* Rows are the acknowledged prefix; say so when they differ. */
	if (rw->rows != rw->acked)
		snprintf(rows, sizeof rows, "%llu row%s, ",
		    (unsigned long long)rw->rows, report_s(rw->rows));
	if (rw->acked == 0)
		snprintf(acked, sizeof acked, "none acked");
	else
		snprintf(acked, sizeof acked, "acked 1..%llu",
		    (unsigned long long)rw->acked);
	if (rw->busy_waits == 0)
		snprintf(busy, sizeof busy, "no busy wait");
	else
		snprintf(busy, sizeof busy, "busy %llu wait%s / %.*f ms",
		    (unsigned long long)rw->busy_waits,
		    report_s(rw->busy_waits), ms < 100.0 ? 1 : 0, ms);
	report_line(fp, 0, report_child_name(rep, w),
	    "%s%s, %llu commit%s, %s, %llu error%s%s%s", rows, acked,
	    (unsigned long long)rw->commits, report_s(rw->commits), busy,
	    (unsigned long long)rw->errors, report_s(rw->errors),
	    rw->verdict == VERDICT_FAILURE ? ": " : "",
	    rw->verdict == VERDICT_FAILURE ? rw->reason : "");
}

/*
 * --rate: "200/s per worker (constant): 7998 of 8000 scheduled done;
 * behind max 35 ms, 0 ms at the end; latency from schedule p50 1.20,
 * p99 9.00, max 40 ms".  Scheduled counts the intended starts before the
 * deadline, so the shortfall and "behind" show a stall that the commit
 * latency above, measured from each actual start, cannot.
 */
static void
report_pace_line(const struct report *rep, FILE *fp)
{
	const struct report_pace *p = &rep->pace;
	char bmax[32], bend[32], p50[32], p99[32], pmax[32], who[64] = "";

	if (rep->cfg == NULL || rep->cfg->rate == 0)
		return;
	report_ms(bmax, sizeof bmax, (uint64_t)p->behind_max_ns / 1000);
	report_ms(bend, sizeof bend, (uint64_t)p->behind_end_ns / 1000);
	/* Not behind at the end is the usual case: "0", not "0.00". */
	if (p->behind_end_ns == 0)
		snprintf(bend, sizeof bend, "0");
	report_ms(p50, sizeof p50, report_hist_percentile_us(rep->pace_hist,
	    50));
	report_ms(p99, sizeof p99, report_hist_percentile_us(rep->pace_hist,
	    99));
	report_ms(pmax, sizeof pmax,
	    report_hist_percentile_us(rep->pace_hist, 100));
	if (p->reported < rep->nworkers)
		snprintf(who, sizeof who, " (%d of %d workers reported)",
		    p->reported, rep->nworkers);
	report_line(fp, 0, "rate", "%lld/s per worker (%s): %llu of %llu "
	    "scheduled done%s; behind max %s ms, %s ms at the end; latency "
	    "from schedule p50 %s, p99 %s, max %s ms", (long long)
	    rep->cfg->rate, pace_pattern_names[rep->cfg->pattern],
	    (unsigned long long)p->done, (unsigned long long)p->scheduled,
	    who, bmax, bend, p50, p99, pmax);
}

static void
report_numbers(const struct report *rep, FILE *fp)
{
	int64_t ms = report_duration_ms(rep);
	char p50[32], p90[32], p99[32], pmax[32];
	uint64_t n;
	int w;

	report_line(fp, 0, "inserts", "%llu row%s in %llu commit%s, %.0f "
	    "rows/s", (unsigned long long)rep->inserts,
	    report_s(rep->inserts), (unsigned long long)rep->commits,
	    report_s(rep->commits),
	    ms > 0 ? (double)rep->inserts * 1000.0 / (double)ms : 0.0);
	report_ms(p50, sizeof p50, report_percentile_us(rep, 50));
	report_ms(p90, sizeof p90, report_percentile_us(rep, 90));
	report_ms(p99, sizeof p99, report_percentile_us(rep, 99));
	report_ms(pmax, sizeof pmax, report_percentile_us(rep, 100));
	for (w = 0, n = 0; w < WIRE_HIST_BUCKETS; w++)
		n += rep->hist[w];
	/* Workers send their latencies at the end: a power cut gets none. */
	if (n == 0 && rep->commits > 0)
		report_line(fp, 0, "latency", "commit latency not reported (no "
		    "worker lived to send it)");
	else
		report_line(fp, 0, "latency", "commit p50 %s, p90 %s, p99 %s, "
		    "max %s ms (bucket bounds)", p50, p90, p99, pmax);
	report_pace_line(rep, fp);
	for (w = 0; w < rep->nworkers; w++)
		report_worker_line(rep, w, fp);
}

static void
report_coverage_lines(const struct report *rep, FILE *fp)
{
	struct report_coverage cov;
	char snaps[96], starved[REPORT_STARVED_MAX];

	report_coverage(rep, &cov);
	if (cov.snapshots_on)
		snprintf(snaps, sizeof snaps, "%llu of %llu scheduled "
		    "snapshot%s taken", (unsigned long long)cov.snapshots_taken,
		    (unsigned long long)cov.snapshots_scheduled,
		    report_s(cov.snapshots_scheduled));
	else
		snprintf(snaps, sizeof snaps, "snapshots off");
	report_line(fp, 0, "coverage", "%d of %d worker%s committed, %s",
	    cov.workers_committed, cov.workers,
	    report_s((uint64_t)cov.workers), snaps);
	/* With --coverage strict the failure line names them already. */
	if (cov.judged && rep->cfg->coverage == CONFIG_COVERAGE_REPORT &&
	    report_starved(rep, starved, sizeof starved) > 0)
		report_line(fp, 0, "starved", "%s", starved);
}

/*
 * Who took the overrun: the workers, then every other child by name
 * ("workers 12 ms, validator 35 ms, store 8369 ms").
 */
static void
report_stop_breakdown(const struct report *rep, char *buf, size_t cap)
{
	size_t i, len;
	int64_t ms = report_stop_ms(rep, NULL);

	buf[0] = '\0';
	if (ms < 0)
		return;
	snprintf(buf, cap, "workers %lld ms", (long long)ms);
	for (i = (size_t)rep->nworkers; i < rep->sup.nchildren; i++) {
		ms = report_stop_ms(rep, rep->sup.children[i].name);
		len = strlen(buf);
		if (ms >= 0 && len < cap)
			snprintf(buf + len, cap - len, ", %s %lld ms",
			    rep->sup.children[i].name, (long long)ms);
	}
}

/* A span in ms for the summary: "530 ms", "1.25 s" from a second on. */
static void
report_span(char *buf, size_t cap, int64_t ns)
{
	if (ns < UTIL_NS_PER_S)
		snprintf(buf, cap, "%lld ms", (long long)(ns / UTIL_NS_PER_MS));
	else
		snprintf(buf, cap, "%.2f s", (double)ns / UTIL_NS_PER_S);
}

/*
 * The snapshots' pace and how they were checked, a "validator fell
 * behind" line of its own when it did (never silently), and what
 * --populate wrote.
 */
static void
report_validate_lines(const struct report *rep, FILE *fp)
{
	const struct populate_stats *ps = &rep->populate;
	struct report_snap_pace pace;
	char every[32], mean[32], max[32];

	report_snap_pace(rep, &pace);
	duration_format(pace.every_ns, every, sizeof every);
	report_span(mean, sizeof mean, pace.mean_gap_ns);
	report_span(max, sizeof max, pace.max_gap_ns);
	if (pace.on && pace.started > 0)
		report_line(fp, 0, "pace", "%s every %s: gap mean %s, max %s",
		    rep->cfg->check == CONFIG_CHECK_QUICK ? "quick_check" :
		    "integrity_check", every, mean, max);
	if (pace.on && pace.behind)
		report_line(fp, 0, "pace", "validator fell behind: %llu of %llu "
		    "scheduled snapshot%s started, max gap %s (asked every %s)",
		    (unsigned long long)pace.started,
		    (unsigned long long)pace.scheduled,
		    report_s(pace.scheduled), max, every);
	if (ps->target > 0)
		report_line(fp, 0, "populate", "%.1f MiB (asked %s), %llu rows "
		    "of %d KiB in %.1f s, %.0f MB/s",
		    (double)ps->bytes / (1 << 20), rep->cfg->populate,
		    (unsigned long long)ps->rows, POPULATE_VALUE_BYTES / 1024,
		    (double)ps->ns / UTIL_NS_PER_S, ps->ns > 0 ?
		    (double)ps->added * 1000.0 / (double)ps->ns : 0.0);
}

static void
report_shutdown_line(const struct report *rep, FILE *fp)
{
	int64_t late = 0, over = report_overrun_ms(rep);
	char who[256];

	if (report_signalled_ns(rep, &late) == 0 &&
	    (late > REPORT_SIGNAL_SLACK_NS || late < -REPORT_SIGNAL_SLACK_NS))
		report_line(fp, 0, "shutdown", "signalled at deadline%+lld ms, "
		    "overrun %lld ms from the %s",
		    (long long)(late / UTIL_NS_PER_MS), (long long)over,
		    late < 0 ? "signal" : "deadline");
	else
		report_line(fp, 0, "shutdown", "overrun %lld ms (deadline to "
		    "last child reaped)", (long long)over);
	report_stop_breakdown(rep, who, sizeof who);
	if (who[0] != '\0')
		report_line(fp, 0, "stopped", "%s after the %s", who,
		    rep->interrupted ? "signal" : "deadline");
}

/*
 * The final restore, after the store's catch-up: its verdict on its own
 * line, since it alone must hold every acknowledged row.
 */
static void
report_final_restore_line(const struct report *rep, FILE *fp)
{
	const struct config *cfg = rep->cfg;
	const struct report_snapshot *s = NULL;
	int64_t half, wait;
	char grace[32], lag[32], owed[160] = "";
	size_t i;

	if (cfg == NULL || cfg->store_cmd == NULL || cfg->restore_cmd == NULL ||
	    cfg->validate_every_ns == 0 || rep->sup.deadline_ns == 0 ||
	    rep->interrupted)
		return;
	for (i = 0; i < rep->nsnapshots; i++)
		if (rep->snapshots[i].final_restore)
			s = &rep->snapshots[i];
	/* The validator's rule (validator_final), said rather than silent. */
	half = cfg->grace_ns / 2;
	wait = cfg->max_lag_ns < half ? cfg->max_lag_ns : half;
	duration_format(cfg->grace_ns, grace, sizeof grace);
	duration_format(cfg->max_lag_ns, lag, sizeof lag);
	if (s == NULL) {
		if (half - REPORT_FINAL_MARGIN_NS < REPORT_FINAL_MIN_NS)
			report_line(fp, 0, "restore", "no final restore: --grace "
			    "%s leaves it no time (it needs 2.2s or more)", grace);
		return;
	}
	if (wait < cfg->max_lag_ns)
		snprintf(owed, sizeof owed, "; the store had %.1f s of its "
		    "--max-lag %s (half the grace) to catch up",
		    (double)wait / 1e9, lag);
	if (s->ok)
		report_line(fp, 0, "restore", "final restore (snapshot %u, "
		    "begun %.1f s after the deadline): ok%s", s->index,
		    (double)(s->t_begin_ns - rep->sup.deadline_ns) / 1e9, owed);
	else
		report_line(fp, 0, "restore", "final restore (snapshot %u, "
		    "begun %.1f s after the deadline): FAILED: %s%s", s->index,
		    (double)(s->t_begin_ns - rep->sup.deadline_ns) / 1e9,
		    s->problem, owed);
}

static int
report_cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

size_t
report_lag(const struct report *rep, int64_t *p50, int64_t *p99,
    int64_t *max)
{
	int64_t *v = malloc((rep->nsnapshots + 1) * sizeof *v);
	size_t i, n = 0;

	*p50 = *p99 = *max = 0;
	if (v == NULL)
		return 0;
	for (i = 0; i < rep->nsnapshots; i++)
		if (rep->snapshots[i].lag_known)
			v[n++] = rep->snapshots[i].lag_ns;
	if (n > 0) {
		qsort(v, n, sizeof *v, report_cmp_i64);
		/* Nearest rank: the smallest value at or above the share. */
		*p50 = v[(n * 50 + 99) / 100 - 1];
		*p99 = v[(n * 99 + 99) / 100 - 1];
		*max = v[n - 1];
	}
	free(v);
	return n;
}

/*
 * How far behind the ACKs the restored copies were (with --restore-cmd;
 * the built-in snapshot reads the live database: its lag is 0 by
 * construction, and the line says so only when asked with a store).
 */
static void
report_lag_line(const struct report *rep, FILE *fp)
{
	int64_t p50, p99, max;
	char a[32], b[32], c[32], lag[32];
	size_t n;

	if (rep->cfg == NULL || rep->cfg->restore_cmd == NULL)
		return;
	n = report_lag(rep, &p50, &p99, &max);
	if (n == 0)
		return;
	report_span(a, sizeof a, p50);
	report_span(b, sizeof b, p99);
	report_span(c, sizeof c, max);
	duration_format(rep->cfg->max_lag_ns, lag, sizeof lag);
	report_line(fp, 0, "lag", "restored copies behind the ACKs: p50 %s, "
	    "p99 %s, max %s over %zu cop%s (--max-lag %s)", a, b, c, n,
	    n == 1 ? "y" : "ies", lag);
}

/* Restores during the store's warm-up: counted and shown, not failures. */
static void
report_unready_line(const struct report *rep, FILE *fp)
{
	const struct report_snapshot *first = rep->unready, *last;
	char warm[32];

	if (rep->nunready == 0)
		return;
	last = &rep->unready[rep->nunready - 1];
	duration_format(rep->cfg->store_warmup_ns, warm, sizeof warm);
	report_line(fp, 0, "not ready", "%zu restore%s gave no copy in the "
	    "first %.1f s (--store-warmup %s), not failures; the first: %s",
	    rep->nunready, report_s(rep->nunready),
	    rep->sup.start_ns != 0 && last->t_begin_ns > rep->sup.start_ns ?
	    (double)(last->t_begin_ns - rep->sup.start_ns) / 1e9 : 0.0, warm,
	    first->problem);
}

/* ------------------------------------------- maintenance and file size */

void
report_file_note(struct report *rep, uint64_t main_size, uint64_t wal_size,
    int at_end)
{
	struct report_file_size *f = &rep->file;

	f->samples++;
	if (main_size > f->max)
		f->max = main_size;
	if (f->max - main_size > f->drop)
		f->drop = f->max - main_size;
	if (wal_size > f->wal_max)
		f->wal_max = wal_size;
	f->end = main_size;
	f->wal_end = wal_size;
	f->ended = at_end;
}

/* A size for people: "0 B", "900 B", "12.5 KiB", "3.1 MiB", "1.1 GiB". */
static void
report_bytes(char *buf, size_t cap, uint64_t n)
{
	static const char *const unit[] = { "KiB", "MiB", "GiB", "TiB" };
	double v = (double)n;
	int u = -1;

	if (n < 1024) {
		snprintf(buf, cap, "%llu B", (unsigned long long)n);
		return;
	}
	while (v >= 1024.0 && u < 3) {
		v /= 1024.0;
		u++;
	}
	snprintf(buf, cap, "%.1f %s", v, unit[u]);
}

void
report_maint_text(const struct report *rep, char *buf, size_t cap)
{
	uint64_t errors = 0;
	size_t i, len = 0;

	buf[0] = '\0';
	if (rep->cfg == NULL || rep->cfg->maintain == NULL || cap == 0)
		return;
	for (i = 0; i < rep->nmaint && len < cap; i++) {
		const struct report_maint *m = &rep->maint[i];
		char max[32];

		report_ms(max, sizeof max, (uint64_t)(m->max_ns / 1000));
		len += (size_t)snprintf(buf + len, cap - len, "%s %llu×, max %s "
		    "ms; ", m->name, (unsigned long long)m->runs, max);
		errors += m->errors;
	}
	if (len >= cap)
		return;
	if (rep->nmaint == 0)
		snprintf(buf + len, cap - len, "no totals came (the child "
		    "ended without them)");
	else
		snprintf(buf + len, cap - len, "%llu error%s",
		    (unsigned long long)errors, report_s(errors));
}

void
report_file_text(const struct report *rep, char *buf, size_t cap)
{
	const struct report_file_size *f = &rep->file;
	char max[32], end[32], drop[32], wmax[32], wend[32];

	buf[0] = '\0';
	if (f->samples == 0)
		return;
	report_bytes(max, sizeof max, f->max);
	report_bytes(end, sizeof end, f->end);
	report_bytes(drop, sizeof drop, f->drop);
	report_bytes(wmax, sizeof wmax, f->wal_max);
	report_bytes(wend, sizeof wend, f->wal_end);
	snprintf(buf, cap, "%s max, %s at end, shrank by %s; WAL %s max, %s "
	    "at end", max, end, drop, wmax, wend);
}

/* "db 3, journal back, wal 0": what image im reverted, file by file. */

/* "812 rows, 3 lost (3 within the bound)"; nothing for an unopenable one. */
static const char *
report_image_rows(const struct report_powerloss *pl,
    const struct report_crash_image *im, char *buf, size_t cap)
{
	int n;

	buf[0] = '\0';
	if (!im->found.opened)
		return buf;
	n = snprintf(buf, cap, "%llu rows, %llu lost",
	    (unsigned long long)im->rows, (unsigned long long)im->found.lost);
	if (pl->bound != CLASSIFY_BOUND_NONE && n > 0 && (size_t)n < cap)
		snprintf(buf + n, cap - (size_t)n, " (%llu within the bound)",
		    (unsigned long long)(im->found.lost -
		    im->found.lost_bound));
	return buf;
}
static void
report_image_reverted(const struct report_crash_image *im, char *buf,
    size_t cap)
{
	static const char *const names[] = { "db", "journal", "wal" };
	size_t len = 0;
	int f;

	buf[0] = '\0';
	for (f = 0; f < 3 && len + 1 < cap; f++) {
		if (!im->present[f] && im->reverted[f] == 0)
			continue;
		len += (size_t)snprintf(buf + len, cap - len, "%s%s %llu/%llu%s%s",
		    len > 0 ? ", " : "", names[f],
		    (unsigned long long)im->reverted[f],
		    (unsigned long long)im->unsynced[f],
		    im->resurrected[f] ? " back" : "",
		    im->truncate_undone[f] ? " untruncated" : "");
		if (len >= cap)
			len = cap - 1;
	}
	if (im->torn_file >= 0 && im->torn_file < 3 && len + 1 < cap)
		snprintf(buf + len, cap - len, "; torn %s@%lld",
		    names[im->torn_file], (long long)im->torn_off);
}

/*
 * --powerloss: the cut and its bound, then one line per crash image
 * (what was reverted per file as reverted/unsynced sectors, torn or not,
 * recovered or not, integrity, rows, lost, verdict).
 */
static void
report_powerloss_lines(const struct report *rep, FILE *fp)
{
	const struct report_powerloss *pl = &rep->powerloss;
	char cut[32], bound[48], what[160];
	size_t i;

	if (!pl->on)
		return;
	duration_format(pl->cut_ns / UTIL_NS_PER_MS * UTIL_NS_PER_MS, cut,
	    sizeof cut);
	if (pl->bound_ns >= 0)
		duration_format(pl->bound_ns / UTIL_NS_PER_MS * UTIL_NS_PER_MS,
		    bound, sizeof bound);
	else
		util_strlcpy(bound, pl->bound == CLASSIFY_BOUND_ALL ?
		    "the cut" : "none", sizeof bound);
	report_line(fp, 0, "powerloss", "cut at %s, bound %s (from %s), %zu "
	    "image%s, %zu failed, %zu consistent, %llu unsynced sectors, "
	    "%llu of %llu acknowledged rows at risk", cut,
	    pl->bound_name, bound, pl->nimages,
	    report_s(pl->nimages), pl->nfailed, pl->nconsistent,
	    (unsigned long long)pl->unsynced,
	    (unsigned long long)pl->at_risk, (unsigned long long)pl->acked);
	if (pl->problem[0] != '\0')
		report_line(fp, 0, "powerloss", "%s%s", pl->nimages == 0 ?
		    "no image: " : "", pl->problem);
	for (i = 0; i < pl->nimages; i++) {
		const struct report_crash_image *im = &pl->images[i];
		char label[16], rows[96];

		report_image_reverted(im, what, sizeof what);
		snprintf(label, sizeof label, "image %d", im->index);
		if (im->found.checker_died != 0)
			report_line(fp, 0, label, "%s; NOT CHECKED: %s (%s)",
			    what[0] != '\0' ? what : "nothing reverted",
			    classify_verdict_name(im->verdict), im->reason);
		else
			report_line(fp, 0, label, "%s; %s, %s%s%s: %s%s%s%s",
			    what[0] != '\0' ? what : "nothing reverted",
			    im->hot ? "recovered" : "no journal or WAL",
			    im->found.opened ? "opened, " : "UNOPENABLE",
			    !im->found.opened ? "" : im->found.integrity_ok ?
			    "integrity ok, " : "INTEGRITY FAILED, ",
			    report_image_rows(pl, im, rows, sizeof rows),
			    classify_verdict_name(im->verdict),
			    im->reason[0] != '\0' ? " (" : "", im->reason,
			    im->reason[0] != '\0' ? ")" : "");
		if (im->verdict != VERDICT_PASS)
			report_line(fp, 0, "", "kept in %s", im->path);
	}
}

/* "maintain" (with --maintain) and "file" lines of the summary. */
static void
report_maint_lines(const struct report *rep, FILE *fp)
{
	char text[REPORT_MAINT_MAX * 80 + 64];

	report_maint_text(rep, text, sizeof text);
	if (text[0] != '\0')
		report_line(fp, 0, "maintain", "%s", text);
	report_file_text(rep, text, sizeof text);
	if (text[0] != '\0')
		report_line(fp, 0, "file", "%s", text);
}

/* " (3 by the nemesis, 2 injected)", or "" without any. */
static const char *
report_nemesis_expected(const struct report *rep)
{
	static char buf[80];

	if (rep->sup.nexpected_nemesis == 0 && rep->sup.nexpected_injected == 0)
		return "";
	if (rep->sup.nexpected_injected == 0)
		snprintf(buf, sizeof buf, " (%zu by the nemesis)",
		    rep->sup.nexpected_nemesis);
	else if (rep->sup.nexpected_nemesis == 0)
		snprintf(buf, sizeof buf, " (%zu injected)",
		    rep->sup.nexpected_injected);
	else
		snprintf(buf, sizeof buf, " (%zu by the nemesis, %zu "
		    "injected)", rep->sup.nexpected_nemesis,
		    rep->sup.nexpected_injected);
	return buf;
}

/* --nemesis io: one line per item (storage faults, issue 14). */
static void
report_io_lines(const struct report *rep, FILE *fp)
{
	size_t i;

	for (i = 0; i < rep->nio; i++) {
		const struct report_io *io = &rep->io[i];

		report_line(fp, 0, "io", "%s: armed %llu, fired %llu, %llu "
		    "expected, %llu absorbed%s", io->item,
		    (unsigned long long)io->armed,
		    (unsigned long long)io->fired,
		    (unsigned long long)io->expected,
		    (unsigned long long)io->absorbed,
		    io->fired == 0 ? "; never fired" : io->resumed == 0 ?
		    "; writes never resumed" : io->resumed > 0 ?
		    "; writes resumed" : "");
	}
}

/*
 * --nemesis: the spec and what it did, then per worker what it suffered
 * and how the commits it cut resolved (issue 13).
 */
static void
report_nemesis_lines(const struct report *rep, FILE *fp)
{
	uint64_t ind = 0, present = 0, absent = 0;
	int w;

	if (rep->cfg == NULL || rep->cfg->nemesis == NULL)
		return;
	/* Only io: items: their own io lines say what they did. */
	if (strstr(rep->cfg->nemesis, "kill:") == NULL &&
	    strstr(rep->cfg->nemesis, "pause:") == NULL)
		return;
	for (w = 0; w < rep->nworkers; w++) {
		ind += rep->workers[w].indeterminate;
		present += rep->workers[w].present;
		absent += rep->workers[w].absent;
	}
	report_line(fp, 0, "nemesis", "%s: %llu kill%s, %llu restart%s, "
	    "%llu pause%s", rep->cfg->nemesis,
	    (unsigned long long)rep->sup.nemesis_kills,
	    report_s(rep->sup.nemesis_kills),
	    (unsigned long long)rep->sup.nemesis_restarts,
	    report_s(rep->sup.nemesis_restarts),
	    (unsigned long long)rep->sup.nemesis_pauses,
	    report_s(rep->sup.nemesis_pauses));
	report_line(fp, 0, "cut", "%llu commit%s cut by a kill: %llu present, "
	    "%llu absent", (unsigned long long)ind, report_s(ind),
	    (unsigned long long)present, (unsigned long long)absent);
	for (w = 0; w < rep->nworkers; w++) {
		const struct report_worker *rw = &rep->workers[w];

		if (rw->kills == 0 && rw->pauses == 0)
			continue;
		report_line(fp, 0, report_child_name(rep, w), "nemesis: %llu "
		    "kill%s, %llu restart%s, %llu pause%s, %llu cut in "
		    "COMMIT (%llu present, %llu absent)",
		    (unsigned long long)rw->kills, report_s(rw->kills),
		    (unsigned long long)rw->restarts, report_s(rw->restarts),
		    (unsigned long long)rw->pauses, report_s(rw->pauses),
		    (unsigned long long)rw->indeterminate,
		    (unsigned long long)rw->present,
		    (unsigned long long)rw->absent);
	}
}

static void
report_checks(const struct report *rep, FILE *fp)
{
	size_t i, bad = 0;

	for (i = 0; i < rep->nsnapshots; i++)
		bad += !rep->snapshots[i].ok;
	report_line(fp, 0, "snapshots", "%zu validated, %zu failed",
	    rep->nsnapshots, bad);
	report_final_restore_line(rep, fp);
	report_lag_line(rep, fp);
	report_unready_line(rep, fp);
	report_validate_lines(rep, fp);
	report_coverage_lines(rep, fp);
	if (rep->final_checked)
		report_line(fp, 0, "final", "%llu row%s, %s, %llu "
		    "acknowledged, %llu lost",
		    (unsigned long long)rep->final_rows,
		    report_s(rep->final_rows),
		    rep->final_ok ? "integrity ok" : "INVALID",
		    (unsigned long long)rep->acked_rows,
		    (unsigned long long)rep->lost_rows);
	report_maint_lines(rep, fp);
	report_powerloss_lines(rep, fp);
	report_nemesis_lines(rep, fp);
	report_io_lines(rep, fp);
	report_line(fp, 0, "errors", "%zu failure%s, %zu expected%s",
	    rep->sup.nfailures, report_s(rep->sup.nfailures),
	    rep->sup.nexpected, report_nemesis_expected(rep));
	report_events(rep, fp, VERDICT_FAILURE, "failure");
	report_events(rep, fp, VERDICT_EXPECTED, "expected");
	report_shutdown_line(rep, fp);
}

int
report_option_relevant(const char *opt)
{
	/*
	 * Substrings of the compile options that change what a commit
	 * promises or how processes lock: synchronous defaults and fsync
	 * (SYNC), WAL defaults and OMIT_WAL (WAL), locking styles and
	 * timeouts (LOCK, SETLK), journal and mmap defaults, atomic and
	 * powersafe writes, and the options that change what reaches disk.
	 */
	static const char *const keys[] = {
		"THREADSAFE", "SYNC", "WAL", "LOCK", "SETLK", "JOURNAL",
		"MMAP", "ATOMIC_WRITE", "POWERSAFE_OVERWRITE",
		"DIRECT_OVERFLOW_READ", "SECURE_DELETE", "SHARED_CACHE",
		"8_3_NAMES", NULL
	};
	size_t i, len = strcspn(opt, "=");

	for (i = 0; keys[i] != NULL; i++) {
		const char *hit = strstr(opt, keys[i]);

		if (hit != NULL && (size_t)(hit - opt) < len)
			return 1;
	}
	return 0;
}

/*
 * "58 compile options; durability and locking: THREADSAFE=1 ..." (with
 * --verbose: every option).  The full list is always in the JSON.
 */
static void
report_options(const struct report *rep, FILE *fp)
{
	int verbose = rep->cfg != NULL && rep->cfg->verbose;
	size_t cap = 64, len;
	const char *opt;
	char *text;
	int n = 0, i;

	for (i = 0; (opt = sqlite3_compileoption_get(i)) != NULL; i++)
		cap += strlen(opt) + 1;
	if ((text = malloc(cap)) == NULL)
		return;
	while (sqlite3_compileoption_get(n) != NULL)
		n++;
	len = (size_t)snprintf(text, cap, "%d compile option%s%s", n,
	    report_s((uint64_t)n), verbose ? ":" :
	    "; durability and locking:");
	for (i = 0; (opt = sqlite3_compileoption_get(i)) != NULL; i++) {
		if (!verbose && !report_option_relevant(opt))
			continue;
		len += (size_t)snprintf(text + len, cap - len, " %s", opt);
	}
	report_line(fp, 0, "options", "%s", text);
	free(text);
}

static void
report_tail(const struct report *rep, FILE *fp)
{
	report_line(fp, 0, "sqlite", "%s %s", sqlite3_libversion(),
	    sqlite3_sourceid());
	report_options(rep, fp);
	report_line(fp, 0, "database", "%s (journal %s, sync %s, %s)",
	    rep->db_path, rep->journal_mode, rep->cfg != NULL ?
	    config_sync_name(rep->cfg->sync) : "?",
	    rep->fs_type[0] != '\0' ? rep->fs_type : "unknown");
	if (rep->exit_code != 0 && rep->repro[0] != '\0')
		report_line(fp, 1, "reproduce", "%s", rep->repro);
	if (rep->kept)
		report_line(fp, 0, "kept", "%s", rep->run_dir);
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

/* ---------------------------------------------------------- fingerprint */

/*
 * The nearest existing ancestor of path: a passing run has already
 * removed its directory, but the filesystem under it is the same.
 */
static int
report_existing(const char *path, char *out, size_t cap)
{
	struct stat st;
	char *slash;

	if (path == NULL || *path == '\0')
		path = ".";
	if (strlen(path) >= cap) {
		errno = ENAMETOOLONG;
		return -1;
	}
	util_strlcpy(out, path, cap);
	for (;;) {
		if (stat(out, &st) == 0)
			return 0;
		if (strcmp(out, "/") == 0 || strcmp(out, ".") == 0)
			return -1;
		slash = strrchr(out, '/');
		if (slash == NULL)
			util_strlcpy(out, ".", cap);
		else if (slash == out)
			out[1] = '\0';
		else
			*slash = '\0';
	}
}

#if defined(__linux__)
/* /proc/self/mounts writes space, tab, newline and backslash as \ooo. */
static void
report_unoctal(char *s)
{
	char *d = s;

	for (; *s != '\0'; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' &&
		    s[2] >= '0' && s[2] <= '7' && s[3] >= '0' && s[3] <= '7') {
			*d++ = (char)((s[1] - '0') << 6 | (s[2] - '0') << 3 |
			    (s[3] - '0'));
			s += 3;
		} else
			*d++ = *s;
	}
	*d = '\0';
}

/* 1 if mount point mnt (length len) contains path. */
static int
report_under(const char *path, const char *mnt, size_t len)
{
	if (strcmp(mnt, "/") == 0)
		return 1;
	return strncmp(path, mnt, len) == 0 &&
	    (path[len] == '\0' || path[len] == '/');
}

/*
 * The type of the longest mount point holding real; the last of equal
 * length wins, as a later mount hides an earlier one.  This names what
 * statfs cannot tell apart (ext2/3/4) and FUSE subtypes.
 */
static int
report_fs_mounts(const char *real, char *buf, size_t cap)
{
	FILE *fp;
	char *line = NULL, *save, *mnt, *type;
	size_t linecap = 0, best = 0;
	int found = 0;

	if ((fp = fopen("/proc/self/mounts", "r")) == NULL)
		return -1;
	while (getline(&line, &linecap, fp) != -1) {
		if (strtok_r(line, " \t\n", &save) == NULL ||
		    (mnt = strtok_r(NULL, " \t\n", &save)) == NULL ||
		    (type = strtok_r(NULL, " \t\n", &save)) == NULL)
			continue;
		report_unoctal(mnt);
		if (!report_under(real, mnt, strlen(mnt)) ||
		    strlen(mnt) < best)
			continue;
		best = strlen(mnt);
		util_strlcpy(buf, type, cap);
		found = 1;
	}
	free(line);
	fclose(fp);
	return found ? 0 : -1;
}
#endif

#if defined(REPORT_STATFS_MAGIC)
/* Linux statfs magic numbers (linux/magic.h, not always installed). */
static const struct {
	unsigned long magic;
	const char *name;
} report_magic[] = {
	{ 0xEF53UL, "ext2/ext3/ext4" }, { 0x01021994UL, "tmpfs" },
	{ 0x794C7630UL, "overlay" }, { 0x58465342UL, "xfs" },
	{ 0x9123683EUL, "btrfs" }, { 0x6969UL, "nfs" },
	{ 0x2FC12FC1UL, "zfs" }, { 0xF2F52010UL, "f2fs" },
	{ 0xFF534D42UL, "cifs" }, { 0xFE534D42UL, "smb2" },
	{ 0x65735546UL, "fuse" }, { 0x01021997UL, "9p" },
	{ 0x858458F6UL, "ramfs" }, { 0x5346544EUL, "ntfs" },
	{ 0x4D44UL, "vfat" }, { 0x2011BAB0UL, "exfat" },
	{ 0x73717368UL, "squashfs" }, { 0xF15FUL, "ecryptfs" },
	{ 0x52654973UL, "reiserfs" }, { 0x3153464AUL, "jfs" },
	{ 0x00C36400UL, "ceph" }, { 0x01161970UL, "gfs2" },
	{ 0x61756673UL, "aufs" }, { 0xCA451A4EUL, "bcachefs" },
	{ 0x7461636FUL, "ocfs2" }, { 0x0BD00BD0UL, "lustre" },
	{ 0x5346414FUL, "afs" }, { 0x3434UL, "nilfs" },
};
#endif

static int
report_fs_statfs(const char *path, char *buf, size_t cap)
{
#if defined(REPORT_STATFS_MAGIC)
	struct statfs sf;
	unsigned long magic;
	size_t i;

	if (statfs(path, &sf) != 0)
		return -1;
	/* f_type's width differs between ABIs; magics are 32 bits. */
	magic = (unsigned long)sf.f_type & 0xFFFFFFFFUL;
	for (i = 0; i < sizeof report_magic / sizeof report_magic[0]; i++)
		if (report_magic[i].magic == magic) {
			util_strlcpy(buf, report_magic[i].name, cap);
			return 0;
		}
	snprintf(buf, cap, "0x%lx", magic);
	return 0;
#elif defined(REPORT_STATFS_NAME)
	struct statfs sf;

	if (statfs(path, &sf) != 0)
		return -1;
	util_strlcpy(buf, sf.f_fstypename, cap);
	return 0;
#else
	(void)path;
	(void)buf;
	(void)cap;
	errno = ENOSYS;
	return -1;
#endif
}

int
report_fs_type(const char *path, char *buf, size_t cap)
{
	char at[PATH_MAX];
#if defined(__linux__)
	char real[PATH_MAX];
#endif

	if (report_existing(path, at, sizeof at) == 0) {
#if defined(__linux__)
		if (realpath(at, real) != NULL &&
		    report_fs_mounts(real, buf, cap) == 0)
			return 0;
#endif
		if (report_fs_statfs(at, buf, cap) == 0)
			return 0;
	}
	util_strlcpy(buf, "unknown", cap);
	return -1;
}

void
report_fingerprint(struct report *rep)
{
	if (rep->fs_type[0] == '\0')
		(void)report_fs_type(rep->db_path, rep->fs_type,
		    sizeof rep->fs_type);
}

/* ------------------------------------------------------------- progress */

size_t
report_progress_format(const struct report *rep, int64_t now_ns, char *buf,
    size_t cap)
{
	const struct config *cfg = rep->cfg;
	char total[32];
	uint64_t acked = 0;
	int64_t el = 0;
	size_t nerr = rep->sup.nfailures + rep->sup.nexpected;
	double secs;
	int w, n;

	if (rep->sup.start_ns != 0 && now_ns > rep->sup.start_ns)
		el = now_ns - rep->sup.start_ns;
	if (cfg != NULL && el > cfg->duration_ns)
		el = cfg->duration_ns;
	for (w = 0; w < rep->nworkers; w++)
		acked += rep->workers[w].acked;
	secs = (double)el / (double)UTIL_NS_PER_S;
	duration_format(cfg != NULL ? cfg->duration_ns : 0, total,
	    sizeof total);
	n = snprintf(buf, cap, "[%4.1fs / %s] %.0f ins/s  %zu error%s  "
	    "%zu snapshot%s", secs, total,
	    secs > 0 ? (double)acked / secs : 0.0, nerr, nerr == 1 ? "" : "s",
	    rep->nsnapshots, rep->nsnapshots == 1 ? "" : "s");
	if (n < 0 || cap == 0)
		return 0;
	return (size_t)n < cap ? (size_t)n : cap - 1;
}

void
report_progress(struct report *rep, int64_t now_ns, FILE *fp)
{
	char line[160];
	size_t len;

	if (rep->cfg == NULL || rep->cfg->quiet || rep->cfg->tap)
		return;
	/* Asked once: the answer cannot change during a run. */
	if (rep->progress_tty == 0)
		rep->progress_tty = isatty(fileno(fp)) ? 1 : -1;
	if (rep->progress_tty < 0)
		return;
	if (rep->progress_ns != 0 &&
	    now_ns - rep->progress_ns < REPORT_PROGRESS_NS)
		return;
	rep->progress_ns = now_ns;
	len = report_progress_format(rep, now_ns, line, sizeof line);
	/* Blank out the tail of a longer line drawn before. */
	fprintf(fp, "\r%s%*s", line, rep->progress_len > len ?
	    (int)(rep->progress_len - len) : 0, "");
	if (len > rep->progress_len)
		rep->progress_len = len;
	fflush(fp);
}

void
report_progress_end(struct report *rep, FILE *fp)
{
	if (rep->progress_len == 0)
		return;
	fprintf(fp, "\r%*s\r", (int)rep->progress_len, "");
	fflush(fp);
	rep->progress_len = 0;
}
