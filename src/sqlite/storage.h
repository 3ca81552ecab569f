/* SPDX-License-Identifier: MIT */
/*
 * storage: what a child does, before it opens the database, for storage
 * faults (iofault.c: --nemesis io:...) and power loss (powerloss.c:
 * --powerloss): register the VFS shim (iovfs.c) when either is asked
 * for, and only then, and install their hooks.  A run without them
 * never registers the shim: its children open the database exactly as
 * before.
 */
#ifndef SQLSTORM_STORAGE_H
#define SQLSTORM_STORAGE_H

#include <stddef.h>

struct child_ctx;
struct config;
struct scenario_params;

/* 1 if this run needs the shim in its children, else 0. */
int storage_wanted(const struct config *cfg);

/*
 * In the parent, after store_use(): can the children put the shim over
 * the run's VFS?  Not when a --db URI names its own vfs= (it would win
 * over the shim inside SQLite).  Returns 0, or -1 with a one-line
 * reason in err.
 */
int storage_check(const struct config *cfg, char *err, size_t errlen);

/*
 * In a child, before its first open of the database: register the shim
 * and install the hooks the run asks for.  A failure is reported to the
 * parent (an ERROR, op open) and returns -1: the child then exits 1.
 * Returns 0 (also when nothing is asked for).
 */
int storage_child_start(const struct scenario_params *p,
    struct child_ctx *ctx);

#endif
