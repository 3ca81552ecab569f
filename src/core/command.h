/* SPDX-License-Identifier: MIT */
/*
 * command: running a user's shell command (--store-cmd, --restore-cmd)
 * with /bin/sh -c under a guardian that leads a process group of its own,
 * relays the output into a bounded log and lets nothing in the group
 * outlive it or its parent; bounded in time and stoppable at shutdown;
 * and reading the tail of that log for a one-line reason.  It knows
 * nothing of SQL or of the wire protocol.
 */
#ifndef SQLSTORM_COMMAND_H
#define SQLSTORM_COMMAND_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum command_result {
	COMMAND_OK = 0,      /* exited with status 0 */
	COMMAND_FAILED,      /* exited non-zero or was killed by a signal */
	COMMAND_TIMEOUT,     /* ran past its time limit; killed */
	COMMAND_STOPPED,     /* give_up() said stop; killed */
	COMMAND_ERROR        /* could not start (fork failed): see errno */
};

/* A log passing this many bytes is renamed <log>.1 and begun afresh. */
#define COMMAND_LOG_MAX (2 * 1024 * 1024)

/*
 * The guardian, in a freshly forked child (the sidecar, or the child
 * command_run() forks): it leads a process group of its own (it calls
 * setpgid(0, 0)), forks /bin/sh -c cmd into that group with default
 * signal dispositions, an empty signal mask, stdin from /dev/null,
 * stdout and stderr into a pipe, and SQLSTORM_DB and SQLSTORM_RUN_DIR set
 * to db and run_dir (each if not NULL), and appends what the shell writes
 * to log_path, rotating it past COMMAND_LOG_MAX bytes.  SIGTERM, SIGINT
 * and SIGHUP sent to the group reach the shell; the guardian only keeps
 * relaying until the shell ends.  When parent (the pid that must outlive
 * the command) is gone (PR_SET_PDEATHSIG on Linux, getppid() every 100 ms
 * anywhere) it SIGKILLs the whole group, itself included.  Once the shell
 * has ended it SIGKILLs whatever the shell left in the group, then exits
 * exactly as the shell did (the same code, or the same signal re-raised),
 * so the caller's waitpid() sees the shell's status.  A process that
 * leaves the group (setsid(), setpgid()) escapes all of this.  Never
 * returns; 127 if the guardian itself cannot start.
 */
void command_guard(const char *cmd, const char *log_path, const char *db,
    const char *run_dir, pid_t parent)
#if defined(__GNUC__)
    __attribute__((noreturn))
#endif
    ;

/*
 * Run cmd (already expanded) to the end under a guardian (see
 * command_guard(); the calling process is the parent it watches), for at
 * most timeout_ns; give_up(arg) (may be NULL) is asked about every 10 ms
 * and stops it.  A stopped or timed-out command gets SIGTERM, then
 * SIGKILL, to its whole group, and is reaped.  *status (if not NULL) is
 * the shell's wait status.  Signals are blocked around the fork.
 */
enum command_result command_run(const char *cmd, const char *log_path,
    const char *db, const char *run_dir, int64_t timeout_ns,
    int (*give_up)(void *arg), void *arg, int *status);

/*
 * The last lines (at most nlines) of the log at path (and, before it,
 * the rotated <path>.1), joined with " | ", control characters replaced,
 * into buf; "(no output)" if empty or missing.
 */
void command_tail(const char *path, int nlines, char *buf, size_t cap);

/* Remove a log and its rotated <path>.1. */
void command_log_remove(const char *path);

/* One line describing a wait status: "exited with code 2", "killed by signal 9". */
void command_describe(int status, char *buf, size_t cap);

#endif
