/* SPDX-License-Identifier: MIT */
/*
 * report-plot: the SVG timeline (--plot) and the Markdown summary
 * (--markdown) of one run, and the commits' time series they need.  The
 * SVG is drawn from what the report already holds (events, snapshots,
 * windows) plus the series and the faults' times; it uses no script,
 * font file or external reference, only inline attributes.  Busy waits
 * have no time series (workers report them once, in DONE): the plot
 * states their total.  Nothing here decides a verdict.
 */
#include "autoconf.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "report-out.h"
#include "report-plot.h"
#include "util.h"

#define SERIES_START_NS INT64_C(100000000)  /* first bucket width */
#define PLOT_W        1000
#define PLOT_L        70      /* left margin: the y axis labels */
#define PLOT_R        30
#define PLOT_TOP      64      /* title and subtitle */
#define PLOT_CH       280     /* the commits chart */
#define PLOT_LANE     34      /* one lane of marks */
#define PLOT_LINES_MAX 12     /* workers drawn one by one */
#define PLOT_MARKS_MAX 1000   /* error marks drawn, of each verdict */
#define MD_FAILURES_MAX 50    /* failures listed in the Markdown */

static const char *const colors[PLOT_LINES_MAX] = {
	"#1f77b4", "#2ca02c", "#9467bd", "#8c564b", "#17becf", "#e377c2",
	"#7f7f7f", "#bcbd22", "#393b79", "#637939", "#843c39", "#3182bd",
};

/* ------------------------------------------------------------- series */

static void
series_halve(struct report_series *s)
{
	size_t i;
	int w;

	for (w = 0; w < s->nworkers; w++) {
		uint32_t *c = s->count + (size_t)w * REPORT_SERIES_MAX;

		for (i = 0; i < REPORT_SERIES_MAX / 2; i++) {
			uint64_t sum = (uint64_t)c[2 * i] + c[2 * i + 1];

			c[i] = sum > UINT32_MAX ? UINT32_MAX : (uint32_t)sum;
		}
		memset(c + REPORT_SERIES_MAX / 2, 0,
		    REPORT_SERIES_MAX / 2 * sizeof *c);
	}
	s->nbuckets = (s->nbuckets + 1) / 2;
	s->bucket_ns *= 2;
}

void
report_series_note(struct report *rep, int w, int64_t t_ns)
{
	struct report_series *s = &rep->series;
	int64_t d;
	size_t i;
	uint32_t *c;

	if (rep->cfg == NULL || rep->cfg->plot == NULL ||
	    rep->sup.start_ns == 0 || w < 0 || w >= rep->nworkers)
		return;
	if (s->count == NULL) {
		if (s->bucket_ns < 0)
			return;     /* the allocation failed once */
		s->count = calloc((size_t)rep->nworkers * REPORT_SERIES_MAX,
		    sizeof *s->count);
		if (s->count == NULL) {
			s->bucket_ns = -1;
			return;
		}
		s->nworkers = rep->nworkers;
		s->bucket_ns = SERIES_START_NS;
	}
	d = t_ns > rep->sup.start_ns ? t_ns - rep->sup.start_ns : 0;
	while ((uint64_t)(d / s->bucket_ns) >= REPORT_SERIES_MAX)
		series_halve(s);
	i = (size_t)(d / s->bucket_ns);
	c = &s->count[(size_t)w * REPORT_SERIES_MAX + i];
	if (*c < UINT32_MAX)
		(*c)++;
	if (i + 1 > s->nbuckets)
		s->nbuckets = i + 1;
}

int
report_mark_add(struct report *rep, int64_t t_ns, const char *what)
{
	struct report_mark *m;

	m = realloc(rep->marks, (rep->nmarks + 1) * sizeof *m);
	if (m == NULL)
		return -1;
	rep->marks = m;
	m[rep->nmarks].t_ns = t_ns;
	util_strlcpy(m[rep->nmarks].what, what, sizeof m[rep->nmarks].what);
	rep->nmarks++;
	return 0;
}

void
report_plot_free(struct report *rep)
{
	free(rep->series.count);
	memset(&rep->series, 0, sizeof rep->series);
	free(rep->marks);
	rep->marks = NULL;
	rep->nmarks = 0;
}

/* --------------------------------------------------------------- SVG */

static const char *
verdict_word(const struct report *rep)
{
	if (rep->exit_code == 99)
		return "ERROR";
	if (rep->interrupted)
		return "INTERRUPTED";
	return rep->exit_code == 0 ? "PASS" : "FAIL";
}

/* The geometry every mark shares. */
struct plot {
	const struct report *rep;
	FILE   *fp;
	int64_t t0, span;           /* monotonic origin, ns shown */
	double  ymax;               /* commits per second at the top */
	int     chart_bottom, lane_err, lane_snap, axis_y, height;
};

static double
px(const struct plot *p, int64_t t_ns)
{
	int64_t d = t_ns - p->t0;

	if (d < 0)
		d = 0;
	if (d > p->span)
		d = p->span;
	return PLOT_L + (double)d * (PLOT_W - PLOT_L - PLOT_R) /
	    (double)p->span;
}

static double
py(const struct plot *p, double rate)
{
	return p->chart_bottom - rate * PLOT_CH / p->ymax;
}

/* A nice round axis top at or above v (1, 2, 5 x 10^k). */
static double
nice_up(double v)
{
	double m = 1;

	if (v <= 1)
		return 1;
	while (m * 10 < v)
		m *= 10;
	if (v <= m)
		return m;
	if (v <= 2 * m)
		return 2 * m;
	if (v <= 5 * m)
		return 5 * m;
	return 10 * m;
}

static int64_t
max64(int64_t a, int64_t b)
{
	return a > b ? a : b;
}

static void
plot_bounds(struct plot *p)
{
	const struct report *rep = p->rep;
	const struct report_series *s = &rep->series;
	double top = 0;
	size_t i;
	int w, n;

	p->t0 = rep->sup.start_ns;
	p->span = max64(rep->sup.deadline_ns, rep->sup.done_ns) - p->t0;
	if (s->count != NULL)
		p->span = max64(p->span, (int64_t)s->nbuckets * s->bucket_ns);
	for (i = 0; i < rep->sup.nevents; i++)
		p->span = max64(p->span, rep->sup.events[i].t_ns - p->t0);
	if (p->span < INT64_C(1000000))
		p->span = INT64_C(1000000);
	n = s->nworkers > PLOT_LINES_MAX ? 1 : s->nworkers;
	for (i = 0; s->count != NULL && i < s->nbuckets; i++) {
		double sum = 0;

		for (w = 0; w < s->nworkers; w++) {
			double r = s->count[(size_t)w * REPORT_SERIES_MAX + i];

			sum += r;
			if (n > 1 && r > top)
				top = r;
		}
		if (n <= 1 && sum / (s->nworkers ? s->nworkers : 1) > top)
			top = sum / (s->nworkers ? s->nworkers : 1);
	}
	if (s->count != NULL)
		top = top * 1e9 / (double)s->bucket_ns;
	p->ymax = nice_up(top * 1.05);
	p->chart_bottom = PLOT_TOP + PLOT_CH;
	p->lane_err = p->chart_bottom + PLOT_LANE / 2 + 8;
	p->lane_snap = p->lane_err + PLOT_LANE;
	p->axis_y = p->lane_snap + PLOT_LANE / 2 + 4;
	p->height = p->axis_y + 40 + 5 * 18 + 10;
}

static void
plot_axes(struct plot *p)
{
	FILE *fp = p->fp;
	int i, ticks = 10;
	double step_s, span_s = (double)p->span / 1e9;

	fprintf(fp, "<g class=\"axes\" font-size=\"11\" fill=\"#333\">\n");
	for (i = 0; i <= 5; i++) {
		double v = p->ymax * i / 5, y = py(p, v);

		fprintf(fp, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" "
		    "stroke=\"#ddd\"/>\n<text x=\"%d\" y=\"%.1f\" "
		    "text-anchor=\"end\">%g</text>\n", PLOT_L, y,
		    PLOT_W - PLOT_R, y, PLOT_L - 6, y + 4, v);
	}
	fprintf(fp, "<text transform=\"translate(16,%d) rotate(-90)\" "
	    "text-anchor=\"middle\">commits per second (per worker)</text>\n",
	    PLOT_TOP + PLOT_CH / 2);
	step_s = nice_up(span_s / ticks);
	for (i = 0; i * step_s <= span_s + 1e-9; i++) {
		double x = px(p, p->t0 + (int64_t)(i * step_s * 1e9));

		fprintf(fp, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" "
		    "stroke=\"#eee\"/>\n<text x=\"%.1f\" y=\"%d\" "
		    "text-anchor=\"middle\">%g</text>\n", x, PLOT_TOP, x,
		    p->axis_y - 4, x, p->axis_y + 10, i * step_s);
	}
	fprintf(fp, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">seconds "
	    "since the start</text>\n", (PLOT_L + PLOT_W - PLOT_R) / 2,
	    p->axis_y + 26);
	fprintf(fp, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">errors"
	    "</text>\n<text x=\"%d\" y=\"%d\" text-anchor=\"end\">snapshots"
	    "</text>\n", PLOT_L - 6, p->lane_err + 4, PLOT_L - 6,
	    p->lane_snap + 4);
	fprintf(fp, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" "
	    "fill=\"none\" stroke=\"#999\"/>\n</g>\n", PLOT_L, PLOT_TOP,
	    PLOT_W - PLOT_L - PLOT_R, p->axis_y - 4 - PLOT_TOP);
}

static void
plot_windows(struct plot *p)
{
	const struct sup_result *r = &p->rep->sup;
	size_t i;

	for (i = 0; i < r->nwindows; i++) {
		const struct classify_window *w = &r->windows[i];
		double x0 = px(p, w->start_ns), x1 = px(p, w->end_ns);

		if (x1 - x0 < 2)
			x1 = x0 + 2;
		fprintf(p->fp, "<rect class=\"nemesis-window\" x=\"%.1f\" "
		    "y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"#8e44ad\" "
		    "fill-opacity=\"0.15\"><title>nemesis: ", x0, PLOT_TOP,
		    x1 - x0, p->axis_y - 4 - PLOT_TOP);
		report_xml_string(p->fp, w->what);
		fprintf(p->fp, " %+.2f s to %+.2f s</title></rect>\n",
		    (double)(w->start_ns - p->t0) / 1e9,
		    (double)(w->end_ns - p->t0) / 1e9);
		/* Many narrow windows: the tooltips name them. */
		if (r->nwindows > 12 && x1 - x0 < 40)
			continue;
		fprintf(p->fp, "<text x=\"%.1f\" y=\"%d\" font-size=\"10\" "
		    "fill=\"#6c3483\">", x0 + 2, PLOT_TOP + 11);
		report_xml_string(p->fp, w->what);
		fputs("</text>\n", p->fp);
	}
}

static void
plot_vline(struct plot *p, const char *cls, int64_t t, const char *color,
    const char *label, int row)
{
	double x = px(p, t);

	fprintf(p->fp, "<g class=\"%s\"><line x1=\"%.1f\" y1=\"%d\" "
	    "x2=\"%.1f\" y2=\"%d\" stroke=\"%s\" stroke-width=\"2\" "
	    "stroke-dasharray=\"6,3\"/><text x=\"%.1f\" y=\"%d\" "
	    "font-size=\"11\" fill=\"%s\" text-anchor=\"end\">", cls, x,
	    PLOT_TOP, x, p->axis_y - 4, color, x - 3, PLOT_TOP + 24 + 13 * row,
	    color);
	report_xml_string(p->fp, label);
	fputs("</text></g>\n", p->fp);
}

static void
plot_lines(struct plot *p)
{
	const struct report_series *s = &p->rep->series;
	double scale;
	size_t i;
	int w, n;

	if (s->count == NULL || s->nbuckets == 0)
		return;
	scale = 1e9 / (double)s->bucket_ns;
	n = s->nworkers > PLOT_LINES_MAX ? 1 : s->nworkers;
	for (w = 0; w < n; w++) {
		fprintf(p->fp, "<polyline class=\"commits\" fill=\"none\" "
		    "stroke=\"%s\" stroke-width=\"1.5\" points=\"",
		    n == 1 && s->nworkers > 1 ? "#1f77b4" : colors[w]);
		for (i = 0; i < s->nbuckets; i++) {
			double v = 0;
			int k;

			if (n == 1 && s->nworkers > 1) {
				for (k = 0; k < s->nworkers; k++)
					v += s->count[(size_t)k *
					    REPORT_SERIES_MAX + i];
				v /= s->nworkers;
			} else
				v = s->count[(size_t)w * REPORT_SERIES_MAX +
				    i];
			fprintf(p->fp, "%.1f,%.1f ", px(p, p->t0 +
			    (int64_t)i * s->bucket_ns + s->bucket_ns / 2),
			    py(p, v * scale));
		}
		fputs("\"/>\n", p->fp);
	}
}

static const char *
child_name(const struct report *rep, int child)
{
	if (child >= 0 && (size_t)child < rep->sup.nchildren)
		return rep->sup.children[child].name;
	return "run";
}

static void
plot_errors(struct plot *p)
{
	const struct report *rep = p->rep;
	size_t i, nf = 0, ne = 0;

	for (i = 0; i < rep->sup.nevents; i++) {
		const struct sup_event *e = &rep->sup.events[i];
		int64_t t = e->t_ns > 0 ? e->t_ns : rep->sup.done_ns;
		double x = px(p, t), y = p->lane_err;

		/* Past the cap a mark adds ink, not news: counted below. */
		if ((e->verdict == VERDICT_FAILURE && nf++ >= PLOT_MARKS_MAX) ||
		    (e->verdict == VERDICT_EXPECTED && ne++ >= PLOT_MARKS_MAX))
			continue;
		if (e->verdict == VERDICT_FAILURE)
			fprintf(p->fp, "<g class=\"mark-failure\"><path d=\"M%.1f,"
			    "%.1f l10,10 m0,-10 l-10,10\" stroke=\"#d62728\" "
			    "stroke-width=\"3\"/>", x - 5, y - 5);
		else if (e->verdict == VERDICT_EXPECTED)
			fprintf(p->fp, "<g class=\"mark-expected\"><circle "
			    "cx=\"%.1f\" cy=\"%.1f\" r=\"5\" fill=\"#ff7f0e\" "
			    "fill-opacity=\"0.6\" stroke=\"#ff7f0e\"/>", x, y);
		else
			continue;
		fprintf(p->fp, "<title>%s %s at %+.3f s: ",
		    e->verdict == VERDICT_FAILURE ? "FAILURE" : "expected",
		    child_name(rep, e->child), (double)(t - p->t0) / 1e9);
		report_xml_string(p->fp, e->reason);
		fputs("</title></g>\n", p->fp);
		/* A few failures are named where they are: who, and what. */
		if (e->verdict == VERDICT_FAILURE && rep->sup.nfailures <= 8) {
			fprintf(p->fp, "<text x=\"%.1f\" y=\"%.1f\" "
			    "font-size=\"10\" fill=\"#d62728\">%s ", x + 8,
			    y + 4, child_name(rep, e->child));
			report_xml_string(p->fp, e->code_name != NULL ?
			    e->code_name : sup_event_kind_name(e->kind));
			fputs("</text>\n", p->fp);
		}
	}
	if (nf > PLOT_MARKS_MAX || ne > PLOT_MARKS_MAX)
		fprintf(p->fp, "<text x=\"%d\" y=\"%d\" font-size=\"10\" "
		    "text-anchor=\"end\" fill=\"#555\">first %d of each "
		    "drawn</text>\n", PLOT_W - PLOT_R - 2, p->lane_err - 8,
		    PLOT_MARKS_MAX);
}

static void
plot_snap(struct plot *p, const struct report_snapshot *s, const char *cls,
    const char *color, int label)
{
	double x = px(p, s->t_begin_ns), y = p->lane_snap;

	fprintf(p->fp, "<g class=\"%s\"><rect x=\"%.1f\" y=\"%.1f\" "
	    "width=\"8\" height=\"8\" fill=\"%s\" stroke=\"%s\"/>"
	    "<title>snapshot %" PRIu32 " %s at %+.3f s, %" PRIu64 " rows",
	    cls, x - 4, y - 4, strcmp(cls, "snap-unready") == 0 ? "white" :
	    color, color, s->index, cls + 5, (double)(s->t_begin_ns - p->t0) /
	    1e9, s->rows);
	if (s->lag_known)
		fprintf(p->fp, ", lag %.0f ms", (double)s->lag_ns / 1e6);
	if (s->problem[0] != '\0') {
		fputs(": ", p->fp);
		report_xml_string(p->fp, s->problem);
	}
	fputs("</title></g>\n", p->fp);
	if (label && s->lag_known)
		fprintf(p->fp, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"9\" "
		    "text-anchor=\"middle\" fill=\"#555\">%.0fms</text>\n", x,
		    y + 15, (double)s->lag_ns / 1e6);
}

static void
plot_snapshots(struct plot *p)
{
	const struct report *rep = p->rep;
	size_t i, n = rep->nsnapshots + rep->nunready;
	int label = n > 0 && (PLOT_W - PLOT_L - PLOT_R) / n >= 34;

	for (i = 0; i < rep->nunready; i++)
		plot_snap(p, &rep->unready[i], "snap-unready", "#7f7f7f", 0);
	for (i = 0; i < rep->nsnapshots; i++)
		plot_snap(p, &rep->snapshots[i], rep->snapshots[i].ok ?
		    "snap-ok" : "snap-failed", rep->snapshots[i].ok ?
		    "#2ca02c" : "#d62728", label);
}

static void
plot_legend(struct plot *p)
{
	const struct report *rep = p->rep;
	const struct report_series *s = &rep->series;
	FILE *fp = p->fp;
	int y = p->axis_y + 44, x = PLOT_L, w;
	uint64_t busy = 0;

	fprintf(fp, "<g class=\"legend\" font-size=\"11\" fill=\"#333\">\n");
	if (s->nworkers > PLOT_LINES_MAX)
		fprintf(fp, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" "
		    "stroke=\"#1f77b4\" stroke-width=\"2\"/><text x=\"%d\" "
		    "y=\"%d\">commits/s, mean of %d workers</text>\n", x,
		    y - 4, x + 20, y - 4, x + 24, y, s->nworkers);
	for (w = 0; s->nworkers <= PLOT_LINES_MAX && w < s->nworkers; w++)
		fprintf(fp, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" "
		    "stroke=\"%s\" stroke-width=\"2\"/><text x=\"%d\" y=\"%d\">"
		    "%s</text>\n", x + 70 * w, y - 4, x + 70 * w + 20, y - 4,
		    colors[w], x + 70 * w + 24, y, child_name(rep, w));
	y += 18;
	fprintf(fp, "<path d=\"M%d,%d l8,8 m0,-8 l-8,8\" stroke=\"#d62728\" "
	    "stroke-width=\"2.5\"/><text x=\"%d\" y=\"%d\">failure</text>\n"
	    "<circle cx=\"%d\" cy=\"%d\" r=\"5\" fill=\"#ff7f0e\" "
	    "fill-opacity=\"0.6\" stroke=\"#ff7f0e\"/><text x=\"%d\" y=\"%d\">"
	    "expected error</text>\n", x, y - 8, x + 14, y, x + 110, y - 4,
	    x + 120, y);
	fprintf(fp, "<rect x=\"%d\" y=\"%d\" width=\"8\" height=\"8\" "
	    "fill=\"#2ca02c\"/><text x=\"%d\" y=\"%d\">snapshot ok (lag)"
	    "</text>\n<rect x=\"%d\" y=\"%d\" width=\"8\" height=\"8\" "
	    "fill=\"#d62728\"/><text x=\"%d\" y=\"%d\">snapshot failed</text>\n"
	    "<rect x=\"%d\" y=\"%d\" width=\"8\" height=\"8\" fill=\"white\" "
	    "stroke=\"#7f7f7f\"/><text x=\"%d\" y=\"%d\">not ready</text>\n",
	    x + 240, y - 8, x + 254, y, x + 380, y - 8, x + 394, y, x + 500,
	    y - 8, x + 514, y);
	y += 18;
	fprintf(fp, "<rect x=\"%d\" y=\"%d\" width=\"16\" height=\"10\" "
	    "fill=\"#8e44ad\" fill-opacity=\"0.15\"/><text x=\"%d\" y=\"%d\">"
	    "nemesis window</text>\n<line x1=\"%d\" y1=\"%d\" x2=\"%d\" "
	    "y2=\"%d\" stroke=\"#ff7f0e\" stroke-width=\"2\" "
	    "stroke-dasharray=\"6,3\"/><text x=\"%d\" y=\"%d\">fault due"
	    "</text>\n<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" "
	    "stroke=\"#d62728\" stroke-width=\"2\" stroke-dasharray=\"6,3\"/>"
	    "<text x=\"%d\" y=\"%d\">deadline</text>\n", x, y - 9, x + 22, y,
	    x + 130, y - 4, x + 150, y - 4, x + 156, y, x + 240, y - 4,
	    x + 260, y - 4, x + 266, y);
	y += 18;
	for (w = 0; w < rep->nworkers; w++)
		busy += rep->workers[w].busy_waits;
	fprintf(fp, "<text x=\"%d\" y=\"%d\">busy waits: %" PRIu64 " in all "
	    "(no time series: each worker reports its total at the end)"
	    "</text>\n</g>\n", x, y, busy);
}

int
report_plot_write(const struct report *rep, FILE *fp)
{
	struct plot p;
	int64_t lag50, lag99, lagmax;
	size_t i, nlag;

	memset(&p, 0, sizeof p);
	p.rep = rep;
	p.fp = fp;
	plot_bounds(&p);
	nlag = report_lag(rep, &lag50, &lag99, &lagmax);
	fprintf(fp, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg "
	    "xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
	    "viewBox=\"0 0 %d %d\" font-family=\"sans-serif\">\n<rect "
	    "width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n",
	    PLOT_W, p.height, PLOT_W, p.height);
	fprintf(fp, "<text class=\"title\" x=\"%d\" y=\"24\" font-size=\"17\" "
	    "font-weight=\"bold\" fill=\"%s\">sqlstorm: %s</text>\n", PLOT_L,
	    rep->exit_code == 0 && !rep->interrupted ? "#2ca02c" : "#d62728",
	    verdict_word(rep));
	fprintf(fp, "<text x=\"%d\" y=\"44\" font-size=\"12\" fill=\"#333\">"
	    "%d workers, %.1f s, seed %" PRIu64 ", %s; %" PRIu64 " commits, "
	    "%" PRIu64 " lost rows, %zu failed, %zu expected, %zu snapshots",
	    PLOT_L, rep->nworkers, (double)report_duration_ms(rep) / 1e3,
	    rep->seed, rep->journal_mode, rep->commits, rep->lost_rows,
	    rep->sup.nfailures, rep->sup.nexpected, rep->nsnapshots);
	if (nlag > 0)
		fprintf(fp, ", lag p50/p99/max %.0f/%.0f/%.0f ms",
		    (double)lag50 / 1e6, (double)lag99 / 1e6,
		    (double)lagmax / 1e6);
	fputs("</text>\n", fp);
	if (rep->sup.start_ns != 0) {
		plot_windows(&p);
		plot_axes(&p);
		plot_lines(&p);
		for (i = 0; i < rep->nmarks; i++)
			plot_vline(&p, "fault", rep->marks[i].t_ns, "#ff7f0e",
			    rep->marks[i].what, (int)(i % 4) + 1);
		if (rep->sup.deadline_ns != 0)
			plot_vline(&p, "deadline", rep->sup.deadline_ns,
			    "#d62728", "deadline", 0);
		plot_errors(&p);
		plot_snapshots(&p);
	}
	plot_legend(&p);
	fputs("</svg>\n", fp);
	return ferror(fp) ? -1 : 0;
}

/* ----------------------------------------------------------- Markdown */

char *
report_md_cell(const char *s, char *out, size_t cap)
{
	char esc[CLASSIFY_REASON_MAX * 4 + 64];
	const char *q;
	size_t n = 0;

	if (cap == 0)
		return out;
	(void)report_escape(s != NULL ? s : "", esc, sizeof esc);
	for (q = esc; *q != '\0'; q++) {
		char tmp[8];
		size_t k;

		if (*q == '<')
			strcpy(tmp, "&lt;");
		else if (*q == '>')
			strcpy(tmp, "&gt;");
		else if (*q == '&')
			strcpy(tmp, "&amp;");
		else if (strchr("\\`*_[]|#~", *q) != NULL) {
			tmp[0] = '\\';
			tmp[1] = *q;
			tmp[2] = '\0';
		} else {
			tmp[0] = *q;
			tmp[1] = '\0';
		}
		k = strlen(tmp);
		if (n + k >= cap)
			break;
		memcpy(out + n, tmp, k);
		n += k;
	}
	out[n] = '\0';
	return out;
}

/* A fence longer than any run of backticks in s. */
static void
md_fence(const char *s, char *fence, size_t cap)
{
	size_t run = 0, most = 0, n;

	for (; *s != '\0'; s++) {
		run = *s == '`' ? run + 1 : 0;
		if (run > most)
			most = run;
	}
	n = most + 1 < 3 ? 3 : most + 1;
	if (n >= cap)
		n = cap - 1;
	memset(fence, '`', n);
	fence[n] = '\0';
}

static void
md_failures(const struct report *rep, FILE *fp)
{
	char who[SUP_NAME_MAX * 2 + 8], what[CLASSIFY_REASON_MAX * 2 + 64];
	size_t i, shown = 0;

	if (rep->sup.nfailures == 0 && rep->exit_code != 99)
		return;
	fputs("\n### Failures\n\n| # | who | at | what |\n|---:|---|---:|---|\n",
	    fp);
	if (rep->exit_code == 99 && rep->hard_error[0] != '\0')
		fprintf(fp, "| %zu | run | | %s |\n", ++shown,
		    report_md_cell(rep->hard_error, what, sizeof what));
	for (i = 0; i < rep->sup.nevents && shown < MD_FAILURES_MAX; i++) {
		const struct sup_event *e = &rep->sup.events[i];

		if (e->verdict != VERDICT_FAILURE)
			continue;
		fprintf(fp, "| %zu | %s | ", ++shown, report_md_cell(
		    child_name(rep, e->child), who, sizeof who));
		if (e->t_ns > 0 && rep->sup.start_ns != 0)
			fprintf(fp, "%+.3f s", (double)(e->t_ns -
			    rep->sup.start_ns) / 1e9);
		fprintf(fp, " | %s |\n", report_md_cell(e->reason, what,
		    sizeof what));
	}
	if (rep->sup.nfailures > shown)
		fprintf(fp, "\n%zu more failures: see the summary or --json.\n",
		    rep->sup.nfailures - shown);
}

int
report_markdown_write(const struct report *rep, FILE *fp, const char *runs)
{
	int64_t lag50, lag99, lagmax;
	size_t i, ok = 0, nlag;
	char fence[64], cell[1024];

	for (i = 0; i < rep->nsnapshots; i++)
		ok += rep->snapshots[i].ok != 0;
	nlag = report_lag(rep, &lag50, &lag99, &lagmax);
	fprintf(fp, "## sqlstorm: %s\n\n| | |\n|---|---|\n", verdict_word(rep));
	fprintf(fp, "| verdict | **%s**: %zu failure%s, %zu expected error%s "
	    "|\n", verdict_word(rep), rep->sup.nfailures,
	    rep->sup.nfailures == 1 ? "" : "s", rep->sup.nexpected,
	    rep->sup.nexpected == 1 ? "" : "s");
	if (runs != NULL)
		fprintf(fp, "| runs | %s |\n", report_md_cell(runs, cell,
		    sizeof cell));
	fprintf(fp, "| run | %d workers, %.1f s, seed %" PRIu64 ", %s |\n",
	    rep->nworkers, (double)report_duration_ms(rep) / 1e3, rep->seed,
	    report_md_cell(rep->journal_mode, cell, sizeof cell));
	fprintf(fp, "| rows | %" PRIu64 " acknowledged, %" PRIu64 " in the "
	    "final database, **%" PRIu64 " lost** |\n", rep->acked_rows,
	    rep->final_rows, rep->lost_rows);
	fprintf(fp, "| commits | %" PRIu64 " |\n", rep->commits);
	fprintf(fp, "| snapshots | %zu ok of %zu, %zu not ready |\n", ok,
	    rep->nsnapshots, rep->nunready);
	if (nlag > 0)
		fprintf(fp, "| lag | p50 %.0f ms, p99 %.0f ms, max %.0f ms "
		    "(%zu copies) |\n", (double)lag50 / 1e6,
		    (double)lag99 / 1e6, (double)lagmax / 1e6, nlag);
	else
		fputs("| lag | none measured |\n", fp);
	fprintf(fp, "| expected errors | %zu (%zu by the nemesis) |\n",
	    rep->sup.nexpected, rep->sup.nexpected_nemesis);
	md_failures(rep, fp);
	if (rep->repro[0] != '\0') {
		md_fence(rep->repro, fence, sizeof fence);
		fprintf(fp, "\n### Reproduce\n\n%ssh\n%s\n%s\n", fence,
		    rep->repro, fence);
	}
	fputc('\n', fp);
	return ferror(fp) ? -1 : 0;
}
