/* SPDX-License-Identifier: MIT */
/*
 * maintain: the maintenance child of the SQLite scenario and its spec.
 * --maintain "checkpoint=truncate@every 2s,vacuum@every 5s" lists actions
 * (PRAGMA wal_checkpoint in one of its four modes, VACUUM, PRAGMA
 * incremental_vacuum, PRAGMA optimize), each with a "when" of schedule.h.
 * maint_spec_parse() reads the words; maint_config_check() holds them
 * against the rest of the configuration; maintain_main() is the child,
 * after fork: its own connection, each action when due, and its totals
 * per kind of action (WIRE_ACTION records) before DONE.  It never judges
 * its own errors (the parent classifies them like any child's), never
 * touches a table and never runs an action at or after the deadline.
 */
#ifndef SQLSTORM_MAINTAIN_H
#define SQLSTORM_MAINTAIN_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "schedule.h"

struct child_ctx;

/* The kinds of action, as numbered in WIRE_ACTION records. */
enum maint_kind {
	MAINT_CHECKPOINT_PASSIVE, MAINT_CHECKPOINT_FULL,
	MAINT_CHECKPOINT_RESTART, MAINT_CHECKPOINT_TRUNCATE,
	MAINT_VACUUM, MAINT_INCREMENTAL_VACUUM, MAINT_OPTIMIZE,
	MAINT_NKINDS
};

#define MAINT_ITEMS_MAX 16
#define MAINT_PAGES_MAX 1000000000u

/* One ACTION@WHEN of the spec. */
struct maint_item {
	enum maint_kind kind;
	uint32_t        pages;      /* incremental_vacuum=PAGES; 0: every free page */
	struct schedule when;
};

struct maint_spec {
	size_t            n;
	struct maint_item item[MAINT_ITEMS_MAX];
};

/*
 * Parse text ("ACTION@WHEN,..."; ACTION is checkpoint=passive|full|
 * restart|truncate, vacuum, incremental_vacuum[=PAGES] or optimize, case
 * aside) into *sp.  Returns 0, or -1 with a one-line message in err
 * naming the item.
 */
int maint_spec_parse(const char *text, struct maint_spec *sp, char *err,
    size_t errlen);

/*
 * cfg->maintain against the rest of cfg (0 when there is none): a
 * checkpoint needs --journal wal, incremental_vacuum needs --auto-vacuum
 * incremental, and every item must be due before the deadline.  Returns
 * 0, or -1 with a one-line message (without the flag's name) in err.
 */
int maint_config_check(const struct config *cfg, char *err, size_t errlen);

/* Static name of a kind: "checkpoint(truncate)", "vacuum", ..., or "?". */
const char *maint_kind_name(int kind);

/*
 * The maintenance child's entry point (struct sup_spec; arg is the
 * struct scenario_params).  Returns the exit status: 1 if the connection
 * could not be opened (reported first), else 0.
 */
int maintain_main(struct child_ctx *ctx, void *arg);

#endif
