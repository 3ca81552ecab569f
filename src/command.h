/* SPDX-License-Identifier: MIT */
/*
 * command: running a user's shell command (--store-cmd, --restore-cmd)
 * with /bin/sh -c in a process group of its own, its output appended to a
 * log file, bounded in time and stoppable at shutdown; and reading the
 * tail of that log for a one-line reason.  It knows nothing of SQL or of
 * the wire protocol.
 */
#ifndef SQLSTORM_COMMAND_H
#define SQLSTORM_COMMAND_H

#include <stddef.h>
#include <stdint.h>

enum command_result {
	COMMAND_OK = 0,      /* exited with status 0 */
	COMMAND_FAILED,      /* exited non-zero or was killed by a signal */
	COMMAND_TIMEOUT,     /* ran past its time limit; killed */
	COMMAND_STOPPED,     /* give_up() said stop; killed */
	COMMAND_ERROR        /* could not start (fork failed): see errno */
};

/*
 * In a freshly forked child: stdin from /dev/null, stdout and stderr
 * appended to log_path, SQLSTORM_DB and SQLSTORM_RUN_DIR set to db and
 * run_dir, then exec /bin/sh -c cmd.  Returns only if that failed; the
 * caller then _exits (127, like the shell).
 */
void command_exec(const char *cmd, const char *log_path, const char *db,
    const char *run_dir);

/*
 * Run cmd (already expanded) to the end, in its own process group, for at
 * most timeout_ns; give_up(arg) (may be NULL) is asked about every 10 ms
 * and stops it.  A stopped or timed-out command gets SIGTERM, then
 * SIGKILL, to its whole group, and is reaped.  *status (if not NULL) is
 * the wait status.
 */
enum command_result command_run(const char *cmd, const char *log_path,
    const char *db, const char *run_dir, int64_t timeout_ns,
    int (*give_up)(void *arg), void *arg, int *status);

/*
 * The last lines (at most nlines) of the file at path, joined with " | ",
 * control characters replaced, into buf; "(no output)" if empty or
 * missing.
 */
void command_tail(const char *path, int nlines, char *buf, size_t cap);

/* One line describing a wait status: "exited with code 2", "killed by signal 9". */
void command_describe(int status, char *buf, size_t cap);

#endif
