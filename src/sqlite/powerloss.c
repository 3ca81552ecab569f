/* SPDX-License-Identifier: MIT */
/*
 * powerloss: power loss (--powerloss): the recorder hook of the VFS shim and the crash images (see powerloss.h).
 */
#include "autoconf.h"

#include "powerloss.h"

int
powerloss_wanted(const struct config *cfg)
{
	(void)cfg;
	return 0;
}

int
powerloss_child_start(const struct scenario_params *p, struct child_ctx *ctx,
    char *err, size_t errlen)
{
	(void)p;
	(void)ctx;
	(void)err;
	(void)errlen;
	return 0;
}
