/* SPDX-License-Identifier: MIT */
/*
 * storage: the one place a child turns the VFS shim on (see storage.h).
 * It knows which features need the shim and in what order their hooks
 * go in; what the hooks do is theirs.
 */
#include "autoconf.h"

#include <sqlite3.h>

#include "child.h"
#include "iofault.h"
#include "iovfs.h"
#include "powerloss.h"
#include "scenario.h"
#include "storage.h"
#include "util.h"
#include "wire.h"

int
storage_wanted(const struct scenario_params *p)
{
	return iofault_wanted(p->cfg) || powerloss_wanted(p->cfg);
}

int
storage_child_start(const struct scenario_params *p, struct child_ctx *ctx)
{
	char err[WIRE_MSG_MAX + 1];
	int64_t t0 = util_now_ns();

	if (!storage_wanted(p))
		return 0;
	if (iovfs_register(NULL, p->db_path, err, sizeof err) < 0 ||
	    iofault_child_start(p, ctx, err, sizeof err) < 0 ||
	    powerloss_child_start(p, ctx, err, sizeof err) < 0) {
		(void)child_error(ctx, WIRE_OP_OPEN, SQLITE_CANTOPEN,
		    SQLITE_CANTOPEN, 0, err, t0, util_now_ns(), 0);
		return -1;
	}
	return 0;
}
