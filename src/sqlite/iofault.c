/* SPDX-License-Identifier: MIT */
/*
 * iofault: injected I/O faults (--nemesis io:...): the fault hook of the VFS shim (see iofault.h).
 */
#include "autoconf.h"

#include "iofault.h"

int
iofault_wanted(const struct config *cfg)
{
	(void)cfg;
	return 0;
}

int
iofault_child_start(const struct scenario_params *p, struct child_ctx *ctx,
    char *err, size_t errlen)
{
	(void)p;
	(void)ctx;
	(void)err;
	(void)errlen;
	return 0;
}
