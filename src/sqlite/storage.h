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

struct child_ctx;
struct scenario_params;

/* 1 if this run needs the shim in its children, else 0. */
int storage_wanted(const struct scenario_params *p);

/*
 * In a child, before its first open of the database: register the shim
 * and install the hooks the run asks for.  A failure is reported to the
 * parent (an ERROR, op open) and returns -1: the child then exits 1.
 * Returns 0 (also when nothing is asked for).
 */
int storage_child_start(const struct scenario_params *p,
    struct child_ctx *ctx);

#endif
