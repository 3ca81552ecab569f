/* SPDX-License-Identifier: MIT */
/*
 * powerloss: power loss (--powerloss[=T], --crash-images N).  In every
 * child it is the recorder: the VFS shim's hook at IOVFS_HOOK_RECORD
 * that appends to the run's shared power-loss log (crashlog.h), before
 * each write of the database, its journal or its WAL, the old contents
 * of the sectors it covers, and around each sync a begin and (if the
 * sync succeeded) an end; truncates and deletes with what they remove.
 * In the parent, after the supervisor's cut (every child stopped, then
 * killed), it builds the crash images from that log, lets SQLite
 * recover each (with the platform's VFS, not the shim), checks it and
 * judges it by the bound SQLite documents for the journal and sync mode
 * under test (classify_image()).  It does not cut the power itself (the
 * supervisor does, at sup_options.cut_ns) and never touches the live
 * files before the images are built.
 */
#ifndef SQLSTORM_POWERLOSS_H
#define SQLSTORM_POWERLOSS_H

#include <stddef.h>
#include <stdint.h>

struct child_ctx;
struct config;
struct ledger;
struct report;
struct scenario_params;

/* The log every child appends to, in the run directory. */
#define POWERLOSS_LOG "powerloss.log"

/*
 * Parse a --powerloss value: "seeded" (*t_ns = 0: a moment drawn from
 * the seed) or a duration above 0 (*t_ns).  Returns 0, or -1 with a
 * one-line reason in err.
 */
int powerloss_spec_parse(const char *text, int64_t *t_ns, char *err,
    size_t errlen);

/*
 * --powerloss against the rest of the configuration: the cut must fall
 * inside the run (before --duration), and --store-cmd is refused (a
 * program outside sqlstorm writes the files without the recorder: its
 * images could be impossible).  Returns 0, or -1 with a reason in err.
 */
int powerloss_config_check(const struct config *cfg, char *err,
    size_t errlen);

/* 1 if cfg asks for it, else 0. */
int powerloss_wanted(const struct config *cfg);

/*
 * In the parent, once setup has written the database and before any
 * child starts: fsync the database, its journal and WAL (those that
 * exist) and their directory, so that the files as they are when the
 * log begins are durable, as the crash model (crashlog.h) takes them.
 * Returns 0, or -1 with a one-line reason in err.
 */
int powerloss_sync_start(const char *db_path, char *err, size_t errlen);

/*
 * When the cut falls, from the release: T, or for "seeded" a moment
 * drawn from --seed, uniform in [20%, 80%] of --duration.  0: no cut.
 */
int64_t powerloss_cut_ns(const struct config *cfg);

/*
 * In a child with the shim registered: open the run's log and install
 * the recorder.  A failed append later is reported as an ERROR ("power-
 * loss log incomplete: ...") and stops the recording; a marker in the
 * run directory tells the parent not to build images.  Returns 0, or
 * -1 with a one-line reason in err.
 */
int powerloss_child_start(const struct scenario_params *p,
    struct child_ctx *ctx, char *err, size_t errlen);

/*
 * In the parent, after a run that the supervisor cut (rep->sup.cut_ns
 * != 0), every child reaped: build and check the crash images, fill
 * rep->powerloss, and add a failure event for each image that breaks
 * its bound (and for a log that cannot be used).  Failing images stay
 * in $RUN_DIR/crash-K/; passing ones are removed.
 */
void powerloss_judge(const struct scenario_params *p, struct ledger *ledger,
    struct report *rep);

#endif
