/* SPDX-License-Identifier: MIT */
/*
 * report: everything a run found, in one structure, and the human summary.
 * The scenario fills it; the summary, JSON, TAP and JUnit writers only
 * read it, so every format says the same thing about the same run.
 */
#ifndef SQLSTORM_REPORT_H
#define SQLSTORM_REPORT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "classify.h"
#include "config.h"
#include "populate.h"
#include "supervisor.h"
#include "wire.h"

/* --rate: a schedule's figures, a worker's (PACE) or the run's sum. */
struct report_pace {
	uint64_t scheduled, done;           /* due before the deadline */
	int64_t  behind_max_ns;             /* most, then at the end */
	int64_t  behind_end_ns;
	int      reported;                  /* workers that sent PACE */
};

struct report_worker {
	char     name[SUP_NAME_MAX];
	uint64_t commits, rows, last_seq, acked, final_k;
	uint64_t busy_waits;
	int64_t  busy_ns;
	uint64_t errors;
	int      done;
	struct report_pace pace;            /* --rate only */
	/* --nemesis: kills, restarts, pauses, commits cut and how they
	 * resolved; rows and commits of the lives before the last. */
	uint64_t kills, restarts, pauses;
	uint64_t indeterminate, present, absent;
	uint64_t prev_rows, prev_commits, resumed;
	enum verdict verdict;               /* of its lifecycle */
	char     reason[CLASSIFY_REASON_MAX];
};

struct report_snapshot {
	uint32_t index;
	int64_t  t_begin_ns, t_end_ns;      /* monotonic */
	int      ok;                        /* integrity, rows and ledger */
	int      final_restore;             /* the restore after the deadline */
	int      lag_known;                 /* lag_ns holds its replication lag */
	int64_t  lag_ns;                    /* oldest missing ACK's age */
	uint64_t rows;
	char     problem[CLASSIFY_REASON_MAX];
};

/* One kind of maintenance action (--maintain), as its child counted it. */
struct report_maint {
	char     name[32];                  /* "checkpoint(truncate)" */
	uint64_t runs, errors;
	int64_t  total_ns, max_ns;
};

#define REPORT_MAINT_MAX 8

/*
 * One --nemesis io item (iofault.c fills them after the run): how often
 * it was armed and fired, the errors it explained (expected, injected),
 * the firings the WAL autocheckpoint absorbed, and whether writes were
 * acknowledged after its last effect (-1: not asked, too late in the run).
 */
struct report_io {
	char     item[96];                  /* "io:read=IOERR@w1:1s" */
	uint64_t armed, fired, expected, absorbed;
	int      resumed;
	double   effect_s;                  /* its last effect, from the start */
};

#define REPORT_IO_MAX 16

/*
 * The database file's size, sampled by the parent on every tick and once
 * after the last child (stat only).  drop is the largest fall from the
 * highest size seen before: how much shorter the file really got.
 */
struct report_file_size {
	uint64_t samples;
	uint64_t max, end, drop;            /* the main file, bytes */
	uint64_t wal_max, wal_end;          /* its -wal, bytes */
	int      ended;                     /* end was sampled after the run */
};

/*
 * --plot: every worker's acknowledged commits (ACK records) counted in
 * buckets of bucket_ns from the release; at most REPORT_SERIES_MAX
 * buckets: past them the width doubles and pairs merge (report-plot.c).
 */
#define REPORT_SERIES_MAX 600
struct report_series {
	int64_t   bucket_ns;                /* 0: nothing recorded */
	size_t    nbuckets;                 /* highest bucket used + 1 */
	int       nworkers;
	uint32_t *count;                    /* [worker * MAX + bucket] */
};

/* A moment the plot marks: a fault due ("w1 error=BUSY"). */
struct report_mark {
	int64_t t_ns;                       /* monotonic */
	char    what[48];
};

/* --powerloss: one crash image and what its check found. */
struct report_crash_image {
	int      index;                     /* 0: the files as they are */
	char     path[512];                 /* its directory (kept if failed) */
	uint64_t unsynced[3], reverted[3];  /* db, journal, wal sectors */
	int      torn_file;                 /* -1: none torn */
	int64_t  torn_off;
	int      present[3];                /* the image has this file */
	int      resurrected[3];            /* a deleted file came back */
	int      truncate_undone[3];
	int      hot;                       /* a journal or WAL to recover */
	struct classify_image found;        /* what the check found */
	uint64_t rows;                      /* rows in the image */
	enum verdict verdict;
	char     reason[CLASSIFY_REASON_MAX];
};

/* --powerloss: the cut and the images (powerloss.c fills it). */
struct report_powerloss {
	int      on;                        /* a cut happened */
	int64_t  cut_ns;                    /* from the release */
	enum classify_bound bound;
	char     bound_name[16];            /* its name, for the reports */
	int64_t  bound_ns;                  /* from the release; -1: none */
	uint64_t unsynced;                  /* sectors with a choice */
	uint64_t at_risk;                   /* acked after the bound */
	uint64_t acked;                     /* acked in all */
	size_t   nimages, nfailed, nconsistent;
	struct report_crash_image *images;
	char     problem[CLASSIFY_REASON_MAX];  /* no images: why */
};

struct report {
	const struct config *cfg;
	int      exit_code;                 /* 0, 1, 99 */
	char     hard_error[512];           /* set when exit_code is 99 */
	int      interrupted;
	char     run_dir[512];
	char     db_path[512];
	char     vfs[256];                  /* --vfs or a URI's vfs=; "": default */
	int      kept;                      /* run directory left on disk */
	uint64_t seed;
	struct sup_result sup;              /* children, events, timings */
	struct report_worker *workers;
	int      nworkers;
	struct report_snapshot *snapshots;
	size_t   nsnapshots, capsnapshots;
	/*
	 * Restores that gave no copy while the store warmed up
	 * (--store-warmup): not ready, neither snapshots nor failures.
	 */
	struct report_snapshot *unready;
	size_t   nunready, capunready;
	uint64_t hist[WIRE_HIST_BUCKETS];   /* commit latency, all workers */
	struct report_pace pace;            /* --rate: every worker's */
	uint64_t pace_hist[WIRE_HIST_BUCKETS];  /* commit - intended start */
	uint64_t inserts, commits, acked_rows, lost_rows;
	int      final_checked, final_ok;
	uint64_t final_rows;
	struct populate_stats populate;     /* --populate (target 0: off) */
	char     journal_mode[32];
	char     fs_type[64];
	char     repro[2048];
	/* The maintenance child's totals, one per kind (before its DONE). */
	struct report_maint maint[REPORT_MAINT_MAX];
	size_t   nmaint;
	struct report_io io[REPORT_IO_MAX]; /* --nemesis io items */
	size_t   nio;
	struct report_file_size file;
	/* --plot: the commits' time series and the faults' times. */
	struct report_series series;
	struct report_mark *marks;
	size_t   nmarks;
	struct report_powerloss powerloss;  /* --powerloss */
	/* Progress line state (report_progress()), zeroed by report_init(). */
	int      progress_tty;              /* 0 unknown, 1 terminal, -1 not */
	int64_t  progress_ns;               /* last redraw, 0 = never */
	size_t   progress_len;              /* characters on screen now */
};

/* The final restore's margin in the grace and its least time (validator.c). */
#define REPORT_FINAL_MARGIN_NS INT64_C(1000000000)
#define REPORT_FINAL_MIN_NS    INT64_C(100000000)
/* Runs at least this long must commit in every worker (coverage). */
#define REPORT_MIN_USEFUL_NS  INT64_C(2000000000)
/* The summary says when shutdown was signalled if it is off by more. */
#define REPORT_SIGNAL_SLACK_NS INT64_C(5000000)
/* Summary lines fit this many columns; text starts at REPORT_INDENT. */
#define REPORT_COLS   80
#define REPORT_INDENT 12
/* Starved workers named before "..."; room for the list. */
#define REPORT_STARVED_SHOWN 8
#define REPORT_STARVED_MAX   (REPORT_STARVED_SHOWN * (SUP_NAME_MAX + 2) + 64)

/* What a run exercised (issue 10: nothing tested, nothing passed). */
struct report_coverage {
	int      workers;              /* workers in the run */
	int      workers_committed;    /* ... that had a commit acknowledged */
	int      snapshots_on;         /* --validate-every > 0 */
	uint64_t snapshots_scheduled;  /* due before the deadline (or signal) */
	uint64_t snapshots_taken;      /* SNAPSHOT verdicts that came */
	int      judged;               /* long enough, not cut short: the
	                                  coverage rule applies */
};

/*
 * Note one sample of the database file's size (main file and -wal, in
 * bytes); at_end marks the sample taken after the last child.
 */
void report_file_note(struct report *rep, uint64_t main_size,
    uint64_t wal_size, int at_end);

/*
 * The maintenance line ("checkpoint(truncate) 12×, max 40 ms; vacuum 3×,
 * max 240 ms; 0 errors") into buf; "" when the run had no --maintain.
 */
void report_maint_text(const struct report *rep, char *buf, size_t cap);

/*
 * The file line ("14.2 MiB max, 3.1 MiB at end, shrank by 11.1 MiB; WAL
 * 4.0 MiB max, 0 B at end") into buf; "" when no sample was taken.
 */
void report_file_text(const struct report *rep, char *buf, size_t cap);

/*
 * How evenly the validator kept its schedule (--check, issue 12): when
 * each snapshot began (a SNAPSHOT verdict, or a copy or check that ended
 * in an error, e.g. cut short by the shutdown) and the gaps between those
 * starts, the first counted from the run's start.  It fell behind when
 * fewer began than were scheduled, or a gap was longer than twice
 * --validate-every.
 */
struct report_snap_pace {
	int      on;                   /* --validate-every > 0 and a start */
	uint64_t started, scheduled;
	int64_t  every_ns;
	int64_t  mean_gap_ns, max_gap_ns;  /* 0 when none began */
	int      behind;
};

/*
 * Replication lag over the copies whose lag is known (the ledger judged
 * them for every worker): how many, and the p50, p99 and max in ns
 * (nearest rank).  Returns the number of copies (0: the rest is 0).
 */
size_t report_lag(const struct report *rep, int64_t *p50, int64_t *p99,
    int64_t *max);

/* The pace of rep's snapshots. */
void report_snap_pace(const struct report *rep,
    struct report_snap_pace *pace);

/* Zero rep and bind it to cfg. */
void report_init(struct report *rep, const struct config *cfg);
void report_free(struct report *rep);

/* Latency percentile (0..100) in microseconds from rep->hist, 0 if empty. */
uint64_t report_percentile_us(const struct report *rep, double pct);

/* The same from any histogram of WIRE_HIST_BUCKETS buckets. */
uint64_t report_hist_percentile_us(const uint64_t *hist, double pct);

/*
 * Take worker w's PACE figures (--rate) into rep: the worker's own, and
 * the run's (counts and histogram summed, "behind" the largest).
 */
void report_pace_add(struct report *rep, int w, const struct wire_pace *p);

/* Run length from start to deadline-or-interrupt, in ms. */
int64_t report_duration_ms(const struct report *rep);

/* Deadline -> last child reaped, in ms (0 if not applicable). */
int64_t report_overrun_ms(const struct report *rep);

/*
 * How long after the end of the run (deadline or interrupt) the last of
 * a group of children was reaped, in ms (0 if it was reaped before, or
 * the group is empty): the workers (the first nworkers children), or the
 * one child called name ("validator", "store").  Returns -1 when the
 * group does not exist in this run.
 */
int64_t report_stop_ms(const struct report *rep, const char *name);

/*
 * Shutdown signalled minus the deadline, in ns, into *ns (negative for an
 * interrupt).  Returns 0, or -1 when either is unknown.
 */
int report_signalled_ns(const struct report *rep, int64_t *ns);

/*
 * Snapshots the validator schedules in a run of run_ns: one every
 * every_ns from the start, none due at or after the end.  0 when off.
 */
uint64_t report_snapshots_due(int64_t run_ns, int64_t every_ns);

/* The coverage of rep (workers' ACKs, snapshots, config and clocks). */
void report_coverage(const struct report *rep, struct report_coverage *cov);

/*
 * The workers that never had a commit acknowledged, compactly ("w3, w17,
 * ... (847 of 1024 workers)", at most REPORT_STARVED_SHOWN names), into
 * buf.  Returns how many there are (0: buf is "").
 */
size_t report_starved(const struct report *rep, char *buf, size_t cap);

/*
 * Copy s into out (cap bytes, always terminated) with newline, tab and CR
 * as \n, \t, \r and other control bytes and invalid UTF-8 as \xNN;
 * valid UTF-8 is kept.  Returns the length written (cut at cap).
 */
size_t report_escape(const char *s, char *out, size_t cap);

/* 1 if a compile option bears on durability or locking (summary list). */
int report_option_relevant(const char *opt);

/*
 * For --quiet runs: the verdict line, then every failure, then the
 * reproduce line (if any), each folded to 80 columns as in the summary.
 */
void report_failures(const struct report *rep, FILE *fp);

/* The human summary (verdict first) on fp. */
void report_summary(const struct report *rep, FILE *fp);

/*
 * Format the progress text ("[ 3.2s / 10s] 1234 ins/s  0 errors  6
 * snapshots") for the monotonic time now_ns into buf.  Returns its length.
 */
size_t report_progress_format(const struct report *rep, int64_t now_ns,
    char *buf, size_t cap);

/*
 * Redraw the progress line on fp, at most about 4 times a second, and only
 * while fp is a terminal and neither --quiet nor --tap is set.  Called in
 * the parent from the supervisor's tick.
 */
void report_progress(struct report *rep, int64_t now_ns, FILE *fp);

/* Erase the progress line, if one is shown, before anything else prints. */
void report_progress_end(struct report *rep, FILE *fp);

#endif
