/* SPDX-License-Identifier: MIT */
/*
 * command: run a user's shell command in its own process group with its
 * output in a log file, bounded in time and stoppable; read a log's tail.
 * See command.h.
 */
#include "autoconf.h"
#include "command.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util.h"

#define COMMAND_STEP_MS   10
#define COMMAND_TERM_NS   (1 * UTIL_NS_PER_S)   /* SIGTERM -> SIGKILL */
#define COMMAND_TAIL_READ 4096

void
command_exec(const char *cmd, const char *log_path, const char *db,
    const char *run_dir)
{
	int fd;

	fd = open("/dev/null", O_RDONLY);
	if (fd >= 0 && fd != STDIN_FILENO) {
		(void)dup2(fd, STDIN_FILENO);
		(void)close(fd);
	}
	fd = open(log_path, O_WRONLY | O_CREAT | O_APPEND, 0644);
	if (fd < 0)
		return;
	(void)dup2(fd, STDOUT_FILENO);
	(void)dup2(fd, STDERR_FILENO);
	if (fd > STDERR_FILENO)
		(void)close(fd);
	if (db != NULL)
		(void)setenv("SQLSTORM_DB", db, 1);
	if (run_dir != NULL)
		(void)setenv("SQLSTORM_RUN_DIR", run_dir, 1);
	execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
	/* The shell reports this the same way: on stderr, i.e. the log. */
	fprintf(stderr, "sqlstorm: cannot run /bin/sh: %s\n", strerror(errno));
}

/* Signal the command's group (it leads it), or the process alone. */
static void
command_signal(pid_t pid, int sig)
{
	if (kill(-pid, sig) < 0)
		(void)kill(pid, sig);
}

/* SIGTERM, a second to go, then SIGKILL; always reaps. */
static void
command_stop(pid_t pid, int *status)
{
	int64_t until = util_now_ns() + COMMAND_TERM_NS;

	command_signal(pid, SIGTERM);
	while (util_now_ns() < until) {
		pid_t r = waitpid(pid, status, WNOHANG);

		if (r == pid || (r < 0 && errno != EINTR))
			return;
		(void)poll(NULL, 0, COMMAND_STEP_MS);
	}
	command_signal(pid, SIGKILL);
	while (waitpid(pid, status, 0) < 0 && errno == EINTR)
		continue;
}

enum command_result
command_run(const char *cmd, const char *log_path, const char *db,
    const char *run_dir, int64_t timeout_ns, int (*give_up)(void *arg),
    void *arg, int *status)
{
	int64_t deadline = util_now_ns() + timeout_ns;
	int st = 0;
	pid_t pid;

	pid = fork();
	if (pid < 0)
		return COMMAND_ERROR;
	if (pid == 0) {
		(void)setpgid(0, 0);
		command_exec(cmd, log_path, db, run_dir);
		_exit(127);
	}
	/* Both sides, so a signal sent right away reaches the group. */
	(void)setpgid(pid, pid);
	for (;;) {
		pid_t r = waitpid(pid, &st, WNOHANG);

		if (r == pid)
			break;
		if (r < 0 && errno != EINTR) {
			/* Lost track of it (ECHILD): never call that a success. */
			command_signal(pid, SIGKILL);
			return COMMAND_ERROR;
		}
		if (give_up != NULL && give_up(arg)) {
			command_stop(pid, &st);
			if (status != NULL)
				*status = st;
			return COMMAND_STOPPED;
		}
		if (util_now_ns() >= deadline) {
			command_stop(pid, &st);
			if (status != NULL)
				*status = st;
			return COMMAND_TIMEOUT;
		}
		(void)poll(NULL, 0, COMMAND_STEP_MS);
	}
	if (status != NULL)
		*status = st;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? COMMAND_OK :
	    COMMAND_FAILED;
}

void
command_describe(int status, char *buf, size_t cap)
{
	if (WIFEXITED(status))
		snprintf(buf, cap, "exited with code %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, cap, "killed by signal %d", WTERMSIG(status));
	else
		snprintf(buf, cap, "ended with wait status 0x%x",
		    (unsigned)status);
}

/* Append s[0..n) to buf, control characters as '?'. */
static size_t
command_append(char *buf, size_t len, size_t cap, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n && len + 1 < cap; i++)
		buf[len++] = iscntrl((unsigned char)s[i]) ? '?' : s[i];
	buf[len] = '\0';
	return len;
}

void
command_tail(const char *path, int nlines, char *buf, size_t cap)
{
	char data[COMMAND_TAIL_READ + 1];
	const char *starts[64];
	struct stat sb;
	ssize_t n = 0;
	size_t len = 0;
	int fd, k = 0, i;
	char *p;

	if (cap == 0)
		return;
	buf[0] = '\0';
	if (nlines > 64)
		nlines = 64;
	fd = open(path, O_RDONLY);
	if (fd >= 0 && fstat(fd, &sb) == 0) {
		off_t off = sb.st_size > COMMAND_TAIL_READ ?
		    sb.st_size - COMMAND_TAIL_READ : 0;

		if (lseek(fd, off, SEEK_SET) >= 0)
			n = util_read(fd, data, COMMAND_TAIL_READ);
	}
	if (fd >= 0)
		(void)close(fd);
	if (n <= 0) {
		util_strlcpy(buf, "(no output)", cap);
		return;
	}
	data[n] = '\0';
	/* Split into lines, keeping the last nlines non-empty ones. */
	for (p = strtok(data, "\n"); p != NULL; p = strtok(NULL, "\n")) {
		if (*p == '\0')
			continue;
		if (k == nlines) {
			memmove(starts, starts + 1, (size_t)(k - 1) *
			    sizeof starts[0]);
			k--;
		}
		starts[k++] = p;
	}
	for (i = 0; i < k; i++) {
		if (i > 0)
			len = command_append(buf, len, cap, " | ", 3);
		len = command_append(buf, len, cap, starts[i], strlen(starts[i]));
	}
	if (k == 0)
		util_strlcpy(buf, "(no output)", cap);
}
