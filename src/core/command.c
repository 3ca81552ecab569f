/* SPDX-License-Identifier: MIT */
/*
 * command: run a user's shell command under a guardian that leads its
 * process group, relays the command's output into a bounded, rotated log,
 * and takes the whole group down when its own parent dies; bounded in
 * time and stoppable; read a log's tail.  See command.h.
 */
#include "autoconf.h"
#include "command.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#if defined(HAVE_SYS_PRCTL_H)
#include <sys/prctl.h>
#endif

#include "util.h"

#define COMMAND_STEP_MS   10
#define COMMAND_TERM_NS   (1 * UTIL_NS_PER_S)   /* SIGTERM -> SIGKILL */
#define COMMAND_TAIL_READ 4096
/* The guardian looks at its parent at least this often. */
#define COMMAND_WATCH_MS  100
/* After the shell is gone, how long its output may still take to drain. */
#define COMMAND_DRAIN_NS  (500 * UTIL_NS_PER_MS)
#define COMMAND_RELAY_BUF 65536
/* Relay at most this many buffers per turn, then look at the shell. */
#define COMMAND_RELAY_TURN 16

#if !defined(NSIG)
#define NSIG 65
#endif

/* ------------------------------------------------------------ guardian */

struct command_guard {
	const char *log_path;
	int      log_fd;       /* the log, -1 once it cannot be written */
	off_t    log_size;     /* bytes in the current log file */
	int      out_fd;       /* read end of the shell's stdout and stderr */
	pid_t    shell;
	pid_t    parent;       /* whose death takes the group down */
	int      leader;       /* we lead our process group */
	int      status;       /* the shell's wait status, once reaped */
	int      reaped;
};

/* The guardian's self-pipe: its handlers only write the signal number. */
static int command_sigpipe[2] = { -1, -1 };
/* The last SIGTERM, SIGINT or SIGHUP the guardian caught (0: none). */
static volatile sig_atomic_t command_caught;

/*
 * SIGTERM, SIGINT and SIGHUP reach the whole group (the shell gets them
 * too): the guardian only wakes up and keeps waiting for the shell, so
 * its output is relayed to the end and its status is the group's.
 */
static const int command_watched[] = { SIGTERM, SIGINT, SIGHUP, SIGCHLD };
#define COMMAND_NWATCHED (sizeof command_watched / sizeof command_watched[0])

static void
command_on_signal(int signo)
{
	int saved = errno;
	unsigned char b = (unsigned char)signo;

	if (signo != SIGCHLD)
		command_caught = signo;
	if (write(command_sigpipe[1], &b, 1) < 0) {
		/* Full: a wake-up is already pending. */
	}
	errno = saved;
}

static int
command_guard_signals(void)
{
	struct sigaction sa;
	sigset_t set;
	size_t i;

	if (util_pipe(command_sigpipe) < 0 ||
	    util_set_nonblock(command_sigpipe[0]) < 0 ||
	    util_set_nonblock(command_sigpipe[1]) < 0)
		return -1;
	memset(&sa, 0, sizeof sa);
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = command_on_signal;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&set);
	for (i = 0; i < COMMAND_NWATCHED; i++) {
		sigaction(command_watched[i], &sa, NULL);
		sigaddset(&set, command_watched[i]);
	}
	/*
	 * The log is a file: no SIGPIPE, but never die of one either; and a
	 * file-size limit (ulimit -f) makes the write fail (EFBIG, the log
	 * is dropped) instead of killing the guardian by SIGXFSZ.
	 */
	sa.sa_handler = SIG_IGN;
	sa.sa_flags = 0;
	sigaction(SIGPIPE, &sa, NULL);
	sigaction(SIGXFSZ, &sa, NULL);
	return sigprocmask(SIG_UNBLOCK, &set, NULL);
}

/*
 * In the shell, before exec: every disposition back to default and an
 * empty mask, whatever sqlstorm set (it ignores SIGPIPE, and exec keeps
 * ignored signals and the mask): `yes | head -1` must end yes by SIGPIPE.
 */
static void
command_default_signals(void)
{
	struct sigaction sa;
	sigset_t none;
	int sig;

	memset(&sa, 0, sizeof sa);
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = SIG_DFL;
	for (sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			(void)sigaction(sig, &sa, NULL);   /* EINVAL for some: fine */
	sigemptyset(&none);
	(void)sigprocmask(SIG_SETMASK, &none, NULL);
}

/* The shell, after fork: never returns. */
static void
command_shell(const char *cmd, int out_w, const char *db, const char *run_dir)
{
	int fd;

	command_default_signals();
	fd = open("/dev/null", O_RDONLY);
	if (fd >= 0 && fd != STDIN_FILENO) {
		(void)dup2(fd, STDIN_FILENO);
		(void)close(fd);
	}
	(void)dup2(out_w, STDOUT_FILENO);
	(void)dup2(out_w, STDERR_FILENO);
	if (out_w > STDERR_FILENO)
		(void)close(out_w);
	if (db != NULL)
		(void)setenv("SQLSTORM_DB", db, 1);
	if (run_dir != NULL)
		(void)setenv("SQLSTORM_RUN_DIR", run_dir, 1);
	execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
	/* The shell reports this the same way: on stderr, i.e. the log. */
	fprintf(stderr, "sqlstorm: cannot run /bin/sh: %s\n", strerror(errno));
	_exit(127);
}

static int
command_log_open(struct command_guard *g, int flags)
{
	struct stat sb;

	g->log_fd = open(g->log_path, O_WRONLY | O_CREAT | flags, 0644);
	if (g->log_fd < 0)
		return -1;
	(void)util_set_cloexec(g->log_fd);
	g->log_size = fstat(g->log_fd, &sb) == 0 ? sb.st_size : 0;
	return 0;
}

/*
 * Append to the log; past COMMAND_LOG_MAX bytes the log becomes
 * <log>.1 (replacing the older one) and a fresh log begins, so the two
 * hold at most twice that, newest last.  A log that cannot be written is
 * dropped, never a reason to stop reading the shell's output.
 */
static void
command_log_write(struct command_guard *g, const char *buf, size_t n)
{
	char old[PATH_MAX + 8];

	if (g->log_fd < 0)
		return;
	if (g->log_size > 0 && g->log_size + (off_t)n > COMMAND_LOG_MAX &&
	    snprintf(old, sizeof old, "%s.1", g->log_path) < (int)sizeof old) {
		util_close(&g->log_fd);
		(void)rename(g->log_path, old);
		if (command_log_open(g, O_TRUNC) < 0)
			return;
	}
	if (util_write_all(g->log_fd, buf, n) < 0) {
		util_close(&g->log_fd);
		return;
	}
	g->log_size += (off_t)n;
}

/* Relay what the shell's output holds now; closes it at EOF. */
static void
command_relay(struct command_guard *g)
{
	char buf[COMMAND_RELAY_BUF];
	int k;

	for (k = 0; k < COMMAND_RELAY_TURN && g->out_fd >= 0; k++) {
		ssize_t n = util_read(g->out_fd, buf, sizeof buf);

		if (n > 0) {
			command_log_write(g, buf, (size_t)n);
			continue;
		}
		if (n < 0 && errno == EAGAIN)
			return;
		util_close(&g->out_fd);     /* EOF, or an error: nothing more */
	}
}

/*
 * Fork the shell.  Returns 0; 1 if a stop signal was caught first (no
 * shell started); -1 if the fork failed.
 */
static int
command_spawn_shell(struct command_guard *g, const char *cmd,
    const char *db, const char *run_dir)
{
	int out[2] = { -1, -1 };
	sigset_t all, old;

	if (util_pipe(out) < 0)
		return -1;
	/* No handler of ours may run in the shell before it resets them. */
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &old);
	if (command_caught != 0) {
		/*
		 * Told to stop before the shell existed: that signal was
		 * meant for it too, and would be lost.  Do not start it.
		 */
		sigprocmask(SIG_SETMASK, &old, NULL);
		util_close(&out[0]);
		util_close(&out[1]);
		return 1;
	}
	g->shell = fork();
	if (g->shell == 0) {
		util_close(&out[0]);
		command_shell(cmd, out[1], db, run_dir);
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	util_close(&out[1]);
	if (g->shell < 0) {
		util_close(&out[0]);
		return -1;
	}
	g->out_fd = out[0];
	(void)util_set_nonblock(g->out_fd);
	return 0;
}

/* Kill the group (us included, if we lead it), or at least the shell. */
static void
command_kill_group(struct command_guard *g)
{
	if (!g->leader || kill(-getpid(), SIGKILL) < 0)
		(void)kill(g->shell, SIGKILL);
}

/*
 * The parent is gone (killed, or crashed mid-command): nobody will ever
 * stop this command, so everything in the group dies now, the guardian
 * with it.
 */
static void
command_orphaned(struct command_guard *g)
{
	static const char msg[] = "sqlstorm: the parent is gone: killing the "
	    "command's process group\n";

	command_log_write(g, msg, sizeof msg - 1);
	command_kill_group(g);
	_exit(127);
}

/* Reap the shell if it has ended.  Returns 1 once it has. */
static int
command_reap_shell(struct command_guard *g)
{
	pid_t r;

	if (g->reaped)
		return 1;
	while ((r = waitpid(g->shell, &g->status, WNOHANG)) < 0 &&
	    errno == EINTR)
		continue;
	if (r == g->shell || (r < 0 && errno == ECHILD)) {
		if (r < 0)
			g->status = 127 << 8;   /* lost: never call it a success */
		g->reaped = 1;
	}
	return g->reaped;
}

/* Wait for the shell, relaying its output and watching the parent. */
static void
command_watch(struct command_guard *g)
{
	while (!command_reap_shell(g)) {
		struct pollfd pfd[2];
		unsigned char sink[64];

		pfd[0].fd = command_sigpipe[0];
		pfd[0].events = POLLIN;
		pfd[1].fd = g->out_fd;          /* -1 once closed: ignored */
		pfd[1].events = POLLIN;
		pfd[0].revents = pfd[1].revents = 0;
		if (poll(pfd, 2, COMMAND_WATCH_MS) > 0) {
			if (pfd[0].revents != 0)
				while (util_read(command_sigpipe[0], sink,
				    sizeof sink) > 0)
					continue;
			if (pfd[1].revents != 0)
				command_relay(g);
		}
		if (getppid() != g->parent)
			command_orphaned(g);
	}
}

/*
 * The shell is gone; what it left in the group (a `sleep &`, a child that
 * ignores SIGTERM) goes too, by SIGKILL: no command outlives its run.
 * The guardian first steps into its parent's group so the kill spares it
 * and it can still pass on the shell's status.
 */
static void
command_finish(struct command_guard *g)
{
	int64_t until;

	command_relay(g);
	if (g->leader) {
		pid_t pgrp = getpid();

		if (setpgid(0, getpgid(g->parent)) == 0)
			(void)kill(-pgrp, SIGKILL);
		else
			(void)kill(-pgrp, SIGTERM);     /* spares us: best effort */
	}
	/* Output still in the pipe; a process that escaped may hold it. */
	until = util_now_ns() + COMMAND_DRAIN_NS;
	/* An escapee that never stops writing must not keep us here. */
	while (g->out_fd >= 0 && util_now_ns() < until &&
	    util_wait_readable(g->out_fd, until) == 1)
		command_relay(g);
	util_close(&g->out_fd);
	util_close(&g->log_fd);
}

/* Die by sig, as a process with its default disposition would. */
static void
command_die_by(int sig)
{
	struct rlimit none = { 0, 0 };
	struct sigaction sa;
	sigset_t set;

	/* The shell's core is its own; the guardian leaves none. */
	(void)setrlimit(RLIMIT_CORE, &none);
	memset(&sa, 0, sizeof sa);
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = SIG_DFL;
	(void)sigaction(sig, &sa, NULL);
	sigemptyset(&set);
	sigaddset(&set, sig);
	(void)sigprocmask(SIG_UNBLOCK, &set, NULL);
	(void)raise(sig);
	_exit(128 + sig);
}

/* Leave exactly as the shell did, so waitpid() sees its status. */
static void
command_exit_as(int status)
{
	if (WIFSIGNALED(status))
		command_die_by(WTERMSIG(status));
	_exit(WIFEXITED(status) ? WEXITSTATUS(status) : 127);
}

void
command_guard(const char *cmd, const char *log_path, const char *db,
    const char *run_dir, pid_t parent)
{
	struct command_guard g;
	int rc;

	memset(&g, 0, sizeof g);
	g.log_path = log_path;
	g.out_fd = -1;
	g.parent = parent;
	/* Lead a group (a no-op if we already do): the kill must be ours. */
	(void)setpgid(0, 0);
	g.leader = getpgrp() == getpid();
	if (command_guard_signals() < 0 ||
	    command_log_open(&g, O_APPEND) < 0)
		_exit(127);
#if defined(HAVE_PRCTL) && defined(PR_SET_PDEATHSIG)
	/* Wakes us (SIGTERM is ours to handle); getppid() says why. */
	(void)prctl(PR_SET_PDEATHSIG, SIGTERM);
#endif
	/* The parent may have died before prctl() took effect. */
	if (getppid() != parent)
		_exit(127);
	rc = command_spawn_shell(&g, cmd, db, run_dir);
	if (rc > 0)
		command_die_by(command_caught);
	if (rc < 0) {
		char msg[160];
		int n = snprintf(msg, sizeof msg, "sqlstorm: cannot fork the "
		    "shell: %s\n", strerror(errno));

		command_log_write(&g, msg, (size_t)n);
		_exit(127);
	}
	command_watch(&g);
	command_finish(&g);
	command_exit_as(g.status);
	_exit(127);     /* not reached: command_exit_as() does not return */
}

/* ------------------------------------------------------------- runner */

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
	pid_t pid, self = getpid();
	sigset_t all, old;
	int st = 0;

	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &old);
	pid = fork();
	if (pid == 0) {
		(void)setpgid(0, 0);
		sigprocmask(SIG_SETMASK, &old, NULL);
		command_guard(cmd, log_path, db, run_dir, self);
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (pid < 0)
		return COMMAND_ERROR;
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

/*
 * Read the last cap bytes of path into buf, after the have bytes already
 * there are moved up: so reading <log>.1 then <log> gives the newest
 * bytes of both, in order.  Returns the bytes now in buf.
 */
static size_t
command_read_end(const char *path, char *buf, size_t cap, size_t have)
{
	struct stat sb;
	size_t want = cap - have;
	ssize_t n = 0;
	int fd;

	if (want == 0 || (fd = open(path, O_RDONLY)) < 0)
		return have;
	if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode)) {
		off_t off = sb.st_size > (off_t)want ? sb.st_size - (off_t)want :
		    0;

		if ((size_t)(sb.st_size - off) < want)
			want = (size_t)(sb.st_size - off);
		memmove(buf + want, buf, have);
		if (lseek(fd, off, SEEK_SET) >= 0)
			n = util_read(fd, buf, want);
		if (n < (ssize_t)want) {
			/* Short or failed: keep what we had, in place. */
			memmove(buf, buf + want, have);
			n = 0;
		}
	}
	(void)close(fd);
	return have + (size_t)n;
}

void
command_tail(const char *path, int nlines, char *buf, size_t cap)
{
	char data[COMMAND_TAIL_READ + 1], older[PATH_MAX + 8];
	const char *starts[64];
	size_t n, len = 0;
	int k = 0, i;
	char *p;

	if (cap == 0)
		return;
	buf[0] = '\0';
	if (nlines > 64)
		nlines = 64;
	/* The newest bytes are in the log, older ones in <log>.1. */
	n = command_read_end(path, data, COMMAND_TAIL_READ, 0);
	if (snprintf(older, sizeof older, "%s.1", path) < (int)sizeof older)
		n = command_read_end(older, data, COMMAND_TAIL_READ, n);
	if (n == 0) {
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

void
command_log_remove(const char *path)
{
	char older[PATH_MAX + 8];

	(void)unlink(path);
	if (snprintf(older, sizeof older, "%s.1", path) < (int)sizeof older)
		(void)unlink(older);
}
