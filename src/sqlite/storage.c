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
#include "store.h"
#include "util.h"
#include "wire.h"

int
storage_wanted(const struct config *cfg)
{
	return iofault_wanted(cfg) || powerloss_wanted(cfg);
}

int
storage_check(const struct config *cfg, char *err, size_t errlen)
{
	if (!storage_wanted(cfg))
		return 0;
	return store_vfs_wrappable(IOVFS_NAME, err, errlen);
}

int
storage_child_start(const struct scenario_params *p, struct child_ctx *ctx)
{
	char err[WIRE_MSG_MAX + 1];
	int64_t t0 = util_now_ns();

	const char *base = store_vfs_name();

	if (!storage_wanted(p->cfg))
		return 0;
	/* Over the run's own VFS (--vfs), and opened through it. */
	if (iovfs_register(*base != '\0' ? base : NULL, p->db_path, err,
	    sizeof err) < 0 ||
	    store_vfs_wrap(IOVFS_NAME, err, sizeof err) < 0 ||
	    iofault_child_start(p, ctx, err, sizeof err) < 0 ||
	    powerloss_child_start(p, ctx, err, sizeof err) < 0) {
		(void)child_error(ctx, WIRE_OP_OPEN, SQLITE_CANTOPEN,
		    SQLITE_CANTOPEN, 0, err, t0, util_now_ns(), 0);
		return -1;
	}
	return 0;
}
