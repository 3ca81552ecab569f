/* SPDX-License-Identifier: MIT */
/*
 * iofault: injected I/O faults (--nemesis io:...): the fault hook of the VFS shim.
 * (A placeholder until the feature lands: nothing is asked for yet.)
 */
#ifndef SQLSTORM_IOFAULT_H
#define SQLSTORM_IOFAULT_H

#include <stddef.h>

struct child_ctx;
struct config;
struct scenario_params;

/* 1 if cfg asks for it, else 0. */
int iofault_wanted(const struct config *cfg);

/*
 * In a child with the shim registered: install this feature's hooks.
 * Returns 0, or -1 with a one-line reason in err.
 */
int iofault_child_start(const struct scenario_params *p, struct child_ctx *ctx,
    char *err, size_t errlen);

#endif
